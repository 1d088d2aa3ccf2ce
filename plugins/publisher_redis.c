/* SPDX-License-Identifier: Apache-2.0 */
/* publisher_redis.c -- the "redis" publisher: stores each published document
 * under the viewer's hash tag, PREFIX:{u:VIEWER}:recs and
 * PREFIX:{u:VIEWER}:cut:MOVIE, and records the key in PREFIX:{u:VIEWER}:keys
 * so that forgetting the viewer finds it.  Writes happen on a thread of the
 * plugin's own, never on recutd's event loop.
 *
 * [plugin.redis] address = host:port | unix:/path | host:port,host:port...
 *                                                    (default: redis.address)
 *                prefix = ...                        (default: redis.prefix)
 *                user = ACL user                     (default: redis.user)
 *                password_file = path                (default: redis.password_file)
 *                ttl = seconds                       (default 0: no expiry)
 *                queue = max documents waiting       (default 10000)
 * The password is read from password_file when the plugin is loaded (at
 * start and on SIGHUP) and sent with AUTH on every connection.
 *
 * Redis goes through lib/redis's blocking client (rblock.h, linked in):
 * on a Redis Cluster each write goes to the master of its viewer's slot,
 * following -MOVED and -ASK; on one node it works as before. */
#define _POSIX_C_SOURCE 200809L
#include <recut/plugin.h>
#include "addr.h"   /* lib/util/addr.c, compiled into this plugin */
#include "rblock.h" /* lib/redis, linked into this plugin */
#include "rcluster.h"
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pubr_item {
    char *key;
    char *json;
    size_t len;
    struct pubr_item *next;
};

struct pubr {
    const struct recut_host_api *api;
    char address[512], prefix[128];
    char user[128];
    char *password; /* NULL: no AUTH */
    long ttl;
    size_t max_queue, queued;
    struct pubr_item *head, *tail;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    int stop;
    struct rblock *c;
};

static void pubr_item_free(struct pubr_item *it)
{
    free(it->key);
    free(it->json);
    free(it);
}

static struct rblock *pubr_connect(struct pubr *p)
{
    char err[512];
    struct rblock *c = rblock_connect(p->address, p->user, p->password, 5000, err, sizeof err);
    if (!c)
        p->api->log("redis", RECUT_LOG_WARNING, "%s", err);
    return c;
}

/* The address is one address or a list of seeds: checked at load. */
static int pubr_check_address(const char *a, char *errstr, size_t errstr_size)
{
    char host[512], why[256];
    int port;
    if (strchr(a, ',')) {
        struct rcluster_seeds sd;
        if (rcluster_seeds_parse(a, &sd, why, sizeof why) < 0) {
            snprintf(errstr, errstr_size, "[plugin.redis] address: %s", why);
            return -1;
        }
        rcluster_seeds_free(&sd);
        return 0;
    }
    if (util_parse_addr(a, UTIL_ADDR_UNIX, 6379, host, sizeof host, &port, why, sizeof why) < 0) {
        snprintf(errstr, errstr_size, "[plugin.redis] address: %s", why);
        return -1;
    }
    return 0;
}

/* The one line of a password file, malloc'ed; NULL with errstr set. */
static char *pubr_read_password(const char *path, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "r");
    char buf[1024];
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    int bad = !f || ferror(f) || (!feof(f) && fgetc(f) != EOF);
    if (f)
        fclose(f);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    char *pw = bad || n == 0 || memchr(buf, '\n', n) ? NULL : strdup(buf);
    memset(buf, 0, sizeof buf);
    if (!pw)
        snprintf(errstr, errstr_size, "[plugin.redis] password_file %s: cannot read one line",
                 path);
    return pw;
}

static void pubr_free(struct pubr *p)
{
    if (p->password) {
        memset(p->password, 0, strlen(p->password));
        free(p->password);
    }
    free(p);
}

/* Write one document, only while its viewer exists: one script in the
 * viewer's hash slot writes the document and its index entry if
 * PREFIX:{u:VIEWER}:state (or :meta, the layout before it) is there.  A document computed just before the
 * viewer was erased (DELETE, forget) and written just after would otherwise
 * bring a key of theirs back; this write runs on its own thread and
 * connection, so nothing else orders it after the erase.  0 on success
 * (written or skipped). */
static const char pubr_write_lua[] =
    "if redis.call('EXISTS', KEYS[1], KEYS[2]) == 0 then return 0 end "
    "if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[3], ARGV[1], 'EX', ARGV[2]) "
    "else redis.call('SET', KEYS[3], ARGV[1]) end "
    "redis.call('SADD', KEYS[4], KEYS[3]) return 1";

static int pubr_write(struct pubr *p, struct pubr_item *it)
{
    if (!p->c && !(p->c = pubr_connect(p)))
        return -1;
    /* key looks like PREFIX:{u:VIEWER}:NAME; the index is PREFIX:{u:VIEWER}:keys */
    char index[1024], state[1024], meta[1024], ttl[32];
    const char *tag_end = strstr(it->key, "}:");
    if (!tag_end)
        return -1;
    snprintf(index, sizeof index, "%.*s}:keys", (int)(tag_end - it->key), it->key);
    snprintf(state, sizeof state, "%.*s}:state", (int)(tag_end - it->key), it->key);
    snprintf(meta, sizeof meta, "%.*s}:meta", (int)(tag_end - it->key), it->key);
    snprintf(ttl, sizeof ttl, "%ld", p->ttl > 0 ? (long)p->ttl : 0L);
    /* routed by KEYS[1], in the viewer's slot as the two others */
    redisReply *r = rblock_command(p->c, "EVAL %s 4 %s %s %s %s %b %s", pubr_write_lua, state, meta,
                                   it->key, index, it->json, it->len, ttl);
    if (!r) {
        p->api->log("redis", RECUT_LOG_WARNING, "write failed: %s", rblock_errstr(p->c));
        rblock_free(p->c);
        p->c = NULL;
        return -1;
    }
    int ok = r->type != REDIS_REPLY_ERROR;
    if (!ok)
        p->api->log("redis", RECUT_LOG_WARNING, "write failed: %s", r->str);
    freeReplyObject(r);
    return ok ? 0 : -1;
}

static void *pubr_main(void *arg)
{
    struct pubr *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->head && !p->stop)
            pthread_cond_wait(&p->cond, &p->lock);
        if (!p->head && p->stop)
            break;
        struct pubr_item *it = p->head;
        p->head = it->next;
        if (!p->head)
            p->tail = NULL;
        p->queued--;
        pthread_mutex_unlock(&p->lock);
        int tries = 0;
        while (pubr_write(p, it) < 0 && ++tries < 3)
            ;
        pubr_item_free(it);
        pthread_mutex_lock(&p->lock);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static int pubr_init(const struct recut_host_api *api, void **state, char *errstr,
                     size_t errstr_size)
{
    struct pubr *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    p->api = api;
    const char *a = api->config_get("redis", "address");
    if (!a)
        a = api->config_get("redis", "redis.address");
    const char *pre = api->config_get("redis", "prefix");
    if (!pre)
        pre = api->config_get("redis", "redis.prefix");
    snprintf(p->address, sizeof p->address, "%s", a ? a : "127.0.0.1:6379");
    snprintf(p->prefix, sizeof p->prefix, "%s", pre ? pre : "recut");
    const char *u = api->config_get("redis", "user");
    if (!u)
        u = api->config_get("redis", "redis.user");
    snprintf(p->user, sizeof p->user, "%s", u ? u : "");
    const char *pf = api->config_get("redis", "password_file");
    if (!pf)
        pf = api->config_get("redis", "redis.password_file");
    if (pf && pf[0] && !(p->password = pubr_read_password(pf, errstr, errstr_size))) {
        free(p);
        return -1;
    }
    if (pubr_check_address(p->address, errstr, errstr_size) < 0) {
        pubr_free(p);
        return -1;
    }
    const char *ttl = api->config_get("redis", "ttl");
    p->ttl = ttl ? strtol(ttl, NULL, 10) : 0;
    const char *q = api->config_get("redis", "queue");
    p->max_queue = q ? (size_t)strtoul(q, NULL, 10) : 10000;
    if (p->ttl < 0 || p->max_queue == 0) {
        snprintf(errstr, errstr_size, "[plugin.redis] ttl must be >= 0 and queue > 0");
        pubr_free(p);
        return -1;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    if (pthread_create(&p->thread, NULL, pubr_main, p) != 0) {
        snprintf(errstr, errstr_size, "cannot start the writer thread");
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->cond);
        pubr_free(p);
        return -1;
    }
    *state = p;
    return 0;
}

static void pubr_fini(void *state)
{
    struct pubr *p = state;
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = 1; /* the thread writes what is queued, then exits */
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    rblock_free(p->c);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    pubr_free(p);
}

static int pubr_publish(void *state, const char *viewer, const char *kind, const char *key,
                        const char *json, size_t len, char *errstr, size_t errstr_size)
{
    struct pubr *p = state;
    struct pubr_item *it = calloc(1, sizeof *it);
    char k[1024];
    int w;
    if (strcmp(kind, "cut") == 0)
        w = snprintf(k, sizeof k, "%s:{u:%s}:cut:%s", p->prefix, viewer, key);
    else
        w = snprintf(k, sizeof k, "%s:{u:%s}:recs", p->prefix, viewer);
    if (!it || w < 0 || (size_t)w >= sizeof k) {
        free(it);
        snprintf(errstr, errstr_size, "out of memory or key too long");
        return -1;
    }
    it->key = strdup(k);
    it->json = malloc(len ? len : 1);
    if (!it->key || !it->json) {
        pubr_item_free(it);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    memcpy(it->json, json, len);
    it->len = len;
    pthread_mutex_lock(&p->lock);
    if (p->queued >= p->max_queue) {
        pthread_mutex_unlock(&p->lock);
        pubr_item_free(it);
        snprintf(errstr, errstr_size, "queue full (%zu documents waiting)", p->max_queue);
        return -1;
    }
    if (p->tail)
        p->tail->next = it;
    else
        p->head = it;
    p->tail = it;
    p->queued++;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

static const struct recut_plugin pubr_plugin = {
    RECUT_PLUGIN_V1,
    .name = "redis",
    .description = "stores recommendations and cuts in Redis under the viewer's hash tag",
    .kind = RECUT_PLUGIN_PUBLISHER,
    .init = pubr_init,
    .fini = pubr_fini,
    .u.publisher = { .publish = pubr_publish },
};

RECUT_PLUGIN_EXPORT const struct recut_plugin *recut_plugin_entry(void)
{
    return &pubr_plugin;
}
