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
 */
#include "config.h"
#include "ctl.h"
#include "secret.h"
#include "addr.h"
#include "conf.h"
#include "emoseal.h"
#include "seal.h"
#include "strmap.h"

#include <getopt.h>
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctl_rotate {
    redisContext *rc;
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
        return 0; /* not a viewer's emo hash */
    for (int attempt = 0; attempt < 10; attempt++) {
        redisReply *w = redisCommand(r->rc, "WATCH %b", key, len);
        if (!w || w->type == REDIS_REPLY_ERROR) {
            ctl_out_err("rotate-key: WATCH %s: %s", key, w ? w->str : r->rc->errstr);
            freeReplyObject(w);
            return -1;
        }
        freeReplyObject(w);
        redisReply *h = redisCommand(r->rc, "HGETALL %b", key, len);
        if (!h || h->type == REDIS_REPLY_ERROR) {
            ctl_out_err("rotate-key: HGETALL %s: %s", key, h ? h->str : r->rc->errstr);
            freeReplyObject(h);
            return -1;
        }
        char *val;
        size_t vl;
        int clear;
        int rc = ctl_rotate_value(r, user, h, &val, &vl, &clear, err, sizeof err);
        int was_empty = h->type == REDIS_REPLY_ARRAY && h->elements == 0;
        freeReplyObject(h);
        if (rc <= 0) {
            freeReplyObject(redisCommand(r->rc, "UNWATCH"));
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
        redisAppendCommand(r->rc, "MULTI");
        redisAppendCommand(r->rc, "DEL %b", key, len);
        redisAppendCommand(r->rc, "HSET %b %s %b", key, len, EMOSEAL_FIELD, val, vl);
        redisAppendCommand(r->rc, "EXEC");
        free(val);
        redisReply *x = NULL;
        int ok = 1;
        for (int i = 0; i < 4; i++) {
            freeReplyObject(x);
            x = NULL;
            if (redisGetReply(r->rc, (void **)&x) != REDIS_OK || !x) {
                ctl_out_err("rotate-key: %s: %s", key, r->rc->errstr);
                return -1;
            }
            if (x->type == REDIS_REPLY_ERROR)
                ok = 0;
        }
        int applied = ok && x->type == REDIS_REPLY_ARRAY; /* nil: changed under WATCH */
        freeReplyObject(x);
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
    redisContext *c = NULL;
    char host[256];
    int port;
    if (!key_file[0]) {
        ctl_out_err("rotate-key: no key file (--key-file, or [privacy] key_file in --config)");
        rc = RECUTCTL_EXIT_USAGE;
        goto out;
    }
    if (!(ring = seal_ring_load(key_file, err, sizeof err))) {
        ctl_out_err("rotate-key: %s", err);
        goto out;
    }
    if (util_parse_addr(redis, UTIL_ADDR_UNIX, 6379, host, sizeof host, &port, err, sizeof err) <
        0) {
        ctl_out_err("rotate-key: redis address %s: %s", redis, err);
        rc = RECUTCTL_EXIT_USAGE;
        goto out;
    }
    c = port < 0 ? redisConnectUnix(host) : redisConnect(host, port);
    if (!c || c->err) {
        ctl_out_err("rotate-key: cannot connect to Redis at %s: %s", redis,
                    c ? c->errstr : "out of memory");
        rc = RECUTCTL_EXIT_CONNECT;
        goto out;
    }
    /* as recutd: AUTH with [redis] user and password_file of --config */
    if (cfg.redis_password_file[0]) {
        char *pw = NULL;
        if (util_secret_read("redis.password_file", cfg.redis_password_file, &pw, err, sizeof err) <
            0) {
            ctl_out_err("rotate-key: %s", err);
            rc = RECUTCTL_EXIT_USAGE;
            goto out;
        }
        redisReply *a = cfg.redis_user[0] ? redisCommand(c, "AUTH %s %s", cfg.redis_user, pw)
                                          : redisCommand(c, "AUTH %s", pw);
        util_secret_wipe(pw);
        if (!a || a->type == REDIS_REPLY_ERROR) {
            ctl_out_err("rotate-key: Redis refused the password of user '%s': %s",
                        cfg.redis_user[0] ? cfg.redis_user : "default",
                        a && a->str ? a->str : c->errstr);
            freeReplyObject(a);
            rc = RECUTCTL_EXIT_CONNECT;
            goto out;
        }
        freeReplyObject(a);
    }
    struct ctl_rotate r = { .rc = c, .ring = ring, .prefix = prefix };
    char pattern[600];
    snprintf(pattern, sizeof pattern, "%s:{u:*}:emo", prefix);
    char cursor[32] = "0";
    do {
        redisReply *s = redisCommand(c, "SCAN %s MATCH %s COUNT 500", cursor, pattern);
        if (!s || s->type != REDIS_REPLY_ARRAY || s->elements != 2) {
            ctl_out_err("rotate-key: SCAN: %s", s && s->str ? s->str : c->errstr);
            freeReplyObject(s);
            goto out;
        }
        snprintf(cursor, sizeof cursor, "%s", s->element[0]->str);
        const redisReply *keys = s->element[1];
        for (size_t i = 0; i < keys->elements; i++)
            if (ctl_rotate_key(&r, keys->element[i]->str, keys->element[i]->len) < 0) {
                freeReplyObject(s);
                goto out;
            }
        freeReplyObject(s);
    } while (strcmp(cursor, "0") != 0);
    printf("rotate-key: key '%s': %ld re-sealed, %ld sealed from clear, %ld already current, "
           "%ld failed\n",
           seal_ring_write_id(ring), r.resealed, r.from_clear, r.current, r.failed);
    rc = r.failed ? RECUTCTL_EXIT_SERVER : 0;
out:
    if (c)
        redisFree(c);
    seal_ring_free(ring);
    conf_free(&cfg);
    return rc;
}
