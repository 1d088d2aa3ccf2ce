/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_rotate.c -- recutctl rotate-key: re-seal every viewer's emotion data
 * in Redis with the key file's first key.
 *
 * Why offline, straight to Redis, and not through recutd: rotation walks
 * every viewer (SCAN), which must not stall the daemon's event loop, and it
 * needs the keys, which should not travel over the HTTP API.  It may run
 * while recutd runs: each value is replaced under WATCH, so a viewer that
 * recutd rewrote meanwhile is read again, never overwritten with stale data.
 * recutd must already run with the new key file (a restart), or it goes on
 * sealing new values with the old key.  An emo hash written in clear by an
 * older recutd is sealed on the way.  Values already sealed with the new
 * key are opened too (not rewritten): a value that does not open as its
 * viewer's -- damaged, of an unknown key, or copied from another viewer --
 * is reported and makes the exit status 1.
 *
 * On a Redis Cluster (--redis or [redis] address a list of seeds, or any
 * one node) the SCAN runs on every master and each value is re-sealed in
 * its viewer's slot (rblock.h), WATCH, read and MULTI/EXEC on that slot's
 * master; a slot that moves meanwhile only makes that viewer's attempt
 * start again.
 */
#include "config.h"
#include "ctl.h"
#include "secret.h"
#include "conf.h"
#include "emoseal.h"
#include "seal.h"
#include "strmap.h"
#include "rblock.h"

#include <getopt.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctl_rotate {
    struct rblock *rc;
    const struct seal_ring *ring;
    const char *prefix;
    long resealed, current, from_clear, failed, empty;
};

/* The viewer id of KEY = PREFIX:{u:ID}:emo into buf, or -1. */
static int ctl_rotate_user(const char *prefix, const char *key, size_t len, char *buf, size_t size)
{
    size_t pl = strlen(prefix);
    static const char head[] = ":{u:", tail[] = "}:emo";
    if (len < pl + strlen(head) + strlen(tail) + 1 || memcmp(key, prefix, pl) != 0 ||
        memcmp(key + pl, head, strlen(head)) != 0 ||
        memcmp(key + len - strlen(tail), tail, strlen(tail)) != 0)
        return -1;
    size_t ul = len - pl - strlen(head) - strlen(tail);
    if (ul >= size)
        return -1;
    memcpy(buf, key + pl + strlen(head), ul);
    buf[ul] = '\0';
    return 0;
}

/* The new value of an emo hash (reply of HGETALL): 1 with *out to write,
 * 0 when nothing is to be done, -1 when it cannot be opened. */
static int ctl_rotate_value(struct ctl_rotate *r, const char *user, const redisReply *h, char **out,
                            size_t *out_len, int *clear, char *err, size_t errsz)
{
    *out = NULL;
    *clear = 0;
    if (h->type != REDIS_REPLY_ARRAY || h->elements == 0)
        return 0;
    for (size_t i = 0; i + 1 < h->elements; i += 2) {
        const redisReply *k = h->element[i], *v = h->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || strcmp(k->str, EMOSEAL_FIELD) != 0)
            continue;
        char id[SEAL_ID_MAX + 1];
        if (seal_key_id(v->str, v->len, id, sizeof id) == 0 &&
            strcmp(id, seal_ring_write_id(r->ring)) == 0 && h->elements == 2) {
            /* already current: still checked to open, as this viewer's */
            struct strmap m;
            strmap_init(&m);
            int rc = emoseal_unpack(r->ring, user, v->str, v->len, &m, err, errsz);
            strmap_clear(&m, NULL);
            return rc < 0 ? -1 : 0;
        }
        return emoseal_reseal(r->ring, user, v->str, v->len, out, out_len, err, errsz) < 0 ? -1 : 1;
    }
    /* fields in clear, from an older recutd */
    struct strmap m;
    strmap_init(&m);
    for (size_t i = 0; i + 1 < h->elements; i += 2) {
        struct strmap_entry *e = strmap_put(&m, h->element[i]->str);
        if (!e) {
            strmap_clear(&m, NULL);
            snprintf(err, errsz, "out of memory");
            return -1;
        }
        e->num = strtod(h->element[i + 1]->str, NULL);
    }
    int rc = emoseal_pack(r->ring, user, &m, out, out_len, err, errsz);
    strmap_clear(&m, NULL);
    *clear = 1;
    return rc < 0 ? -1 : 1;
}

/* Re-seal one emo hash, retrying while recutd changes it under us. */
static int ctl_rotate_key(struct ctl_rotate *r, const char *key, size_t len)
{
    char user[512], err[256];
    if (ctl_rotate_user(r->prefix, key, len, user, sizeof user) < 0)
        return 0;               /* not a viewer's emo hash */
    int slot = rblock_tag(key); /* the slot of {u:ID} */
    for (int attempt = 0; attempt < 10; attempt++) {
        /* WATCH and HGETALL in one pipeline: the same master, even if the
         * slot moves (a transaction sent elsewhere would miss the WATCH) */
        struct rblock_pipe *rd = rblock_pipe_new(r->rc, slot, 0);
        if (!rd || rblock_pipe_append(rd, "WATCH %b", key, len) < 0 ||
            rblock_pipe_append(rd, "HGETALL %b", key, len) < 0 || rblock_pipe_exec(rd) < 0) {
            ctl_out_err("rotate-key: reading %s: %s", key, rblock_errstr(r->rc));
            rblock_pipe_free(rd);
            return -1;
        }
        const redisReply *w = rblock_pipe_reply(rd, 0), *h = rblock_pipe_reply(rd, 1);
        if (w->type == REDIS_REPLY_ERROR || h->type == REDIS_REPLY_ERROR) {
            ctl_out_err("rotate-key: reading %s: %s", key,
                        w->type == REDIS_REPLY_ERROR ? w->str : h->str);
            rblock_pipe_free(rd);
            return -1;
        }
        char *val;
        size_t vl;
        int clear;
        int rc = ctl_rotate_value(r, user, h, &val, &vl, &clear, err, sizeof err);
        int was_empty = h->type == REDIS_REPLY_ARRAY && h->elements == 0;
        rblock_pipe_free(rd);
        if (rc <= 0) {
            freeReplyObject(rblock_command_slot(r->rc, slot, "UNWATCH"));
            if (rc < 0) {
                ctl_out_err("rotate-key: %s: %s", key, err);
                r->failed++;
            } else if (was_empty) {
                r->empty++;
            } else {
                r->current++;
            }
            return 0;
        }
        struct rblock_pipe *tx = rblock_pipe_new(r->rc, slot, RBLOCK_PIPE_WATCHED);
        int bad = !tx || rblock_pipe_append(tx, "MULTI") < 0 ||
                  rblock_pipe_append(tx, "DEL %b", key, len) < 0 ||
                  rblock_pipe_append(tx, "HSET %b %s %b", key, len, EMOSEAL_FIELD, val, vl) < 0 ||
                  rblock_pipe_append(tx, "EXEC") < 0 || rblock_pipe_exec(tx) < 0;
        free(val);
        if (bad) {
            ctl_out_err("rotate-key: %s: %s", key, rblock_errstr(r->rc));
            rblock_pipe_free(tx);
            return -1;
        }
        /* nil: changed under WATCH; an error: the slot moved (-MOVED,
         * -ASK): WATCH again where it is now */
        const redisReply *x = rblock_pipe_reply(tx, 3);
        int applied = x && x->type == REDIS_REPLY_ARRAY;
        rblock_pipe_free(tx);
        if (applied) {
            if (clear)
                r->from_clear++;
            else
                r->resealed++;
            return 0;
        }
    }
    ctl_out_err("rotate-key: %s kept changing; not rotated", key);
    r->failed++;
    return 0;
}

static int ctl_rotate_key_cb(void *arg, const char *key, size_t len)
{
    return ctl_rotate_key(arg, key, len) < 0 ? 1 : 0;
}

static const char ctl_rotate_usage[] =
    "usage: recutctl rotate-key [--config FILE] [--redis ADDR] [--prefix P] [--key-file FILE]";

int ctl_rotate_main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "redis", required_argument, NULL, 'r' },
        { "prefix", required_argument, NULL, 'p' },
        { "key-file", required_argument, NULL, 'k' },
        { NULL, 0, NULL, 0 },
    };
    const char *config = NULL, *redis = NULL, *prefix = NULL, *key_file = NULL;
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
        switch (o) {
        case 'c':
            config = optarg;
            break;
        case 'r':
            redis = optarg;
            break;
        case 'p':
            prefix = optarg;
            break;
        case 'k':
            key_file = optarg;
            break;
        default:
            fprintf(stderr, "%s\n", ctl_rotate_usage);
            return RECUTCTL_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "%s\n", ctl_rotate_usage);
        return RECUTCTL_EXIT_USAGE;
    }
    struct recut_config cfg;
    char err[1024];
    if (conf_init(&cfg) < 0) {
        ctl_out_err("rotate-key: out of memory");
        return RECUTCTL_EXIT_SERVER;
    }
    if (config && conf_load_file(&cfg, config, err, sizeof err) < 0) {
        ctl_out_err("rotate-key: %s", err);
        conf_free(&cfg);
        return RECUTCTL_EXIT_USAGE;
    }
    if (!redis)
        redis = cfg.redis_address;
    if (!prefix)
        prefix = cfg.redis_prefix;
    if (!key_file)
        key_file = cfg.privacy_key_file;
    int rc = RECUTCTL_EXIT_SERVER;
    struct seal_ring *ring = NULL;
    struct rblock *c = NULL;
    char *pw = NULL;
    if (!key_file[0]) {
        ctl_out_err("rotate-key: no key file (--key-file, or [privacy] key_file in --config)");
        rc = RECUTCTL_EXIT_USAGE;
        goto out;
    }
    if (!(ring = seal_ring_load(key_file, err, sizeof err))) {
        ctl_out_err("rotate-key: %s", err);
        goto out;
    }
    /* as recutd: AUTH with [redis] user and password_file of --config */
    if (cfg.redis_password_file[0] &&
        util_secret_read("redis.password_file", cfg.redis_password_file, &pw, err, sizeof err) <
            0) {
        ctl_out_err("rotate-key: %s", err);
        rc = RECUTCTL_EXIT_USAGE;
        goto out;
    }
    c = rblock_connect(redis, cfg.redis_user, pw, 5000, err, sizeof err);
    util_secret_wipe(pw);
    if (!c) {
        ctl_out_err("rotate-key: %s", err);
        rc = strncmp(err, "address ", 8) == 0 ? RECUTCTL_EXIT_USAGE : RECUTCTL_EXIT_CONNECT;
        goto out;
    }
    struct ctl_rotate r = { .rc = c, .ring = ring, .prefix = prefix };
    char pattern[600];
    snprintf(pattern, sizeof pattern, "%s:{u:*}:emo", prefix);
    /* every master (the one node when standalone); a key may come twice
     * while a slot migrates: re-sealing it again finds it current */
    int src = rblock_scan(c, pattern, ctl_rotate_key_cb, &r);
    if (src != 0) {
        if (src < 0)
            ctl_out_err("rotate-key: SCAN: %s", rblock_errstr(c));
        goto out;
    }
    printf("rotate-key: key '%s': %ld re-sealed, %ld sealed from clear, %ld already current, "
           "%ld failed\n",
           seal_ring_write_id(ring), r.resealed, r.from_clear, r.current, r.failed);
    rc = r.failed ? RECUTCTL_EXIT_SERVER : 0;
out:
    rblock_free(c);
    seal_ring_free(ring);
    conf_free(&cfg);
    return rc;
}
