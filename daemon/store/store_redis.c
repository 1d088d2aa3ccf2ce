/* SPDX-License-Identifier: Apache-2.0 */
/* store_redis.c -- recutd's Redis layer: one asynchronous hiredis connection
 * on the event loop, batches applied per viewer with one Lua call each,
 * viewers loaded with pipelined reads (store_load.c).  Every key of a
 * viewer is PREFIX:{u:ID}:NAME so Redis Cluster keeps a viewer in one
 * slot. */
#include "config.h"
#include "store-internal.h"
#include "store_lua.h"
#include "store_emo.h"
#include "rblock.h"
#include "addr.h"

#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/libevent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the store --------------------------------------------------------- */

static void store_connect(struct store *s);

/* [redis] address: host:port, [v6]:port, a bare host (port 6379) or
 * unix:/path (port -1). */
static int store_parse_addr(const char *addr, char *host, size_t hn, int *port, char *errstr,
                            size_t errstr_size)
{
    return util_parse_addr(addr, UTIL_ADDR_UNIX, 6379, host, hn, port, errstr, errstr_size);
}

/* rblock's AUTH on each new connection: the credentials of store_creds_set
 * as they are now (SIGHUP may change them). */
static int store_rblock_auth(void *arg, redisContext *c, const char *address, char *errstr,
                             size_t errstr_size)
{
    (void)arg;
    return store_auth_sync(c, address, errstr, errstr_size);
}

struct rblock *store_connect_sync(const char *address, int timeout_ms, char *errstr,
                                  size_t errstr_size)
{
    char why[512];
    struct rblock *c =
        rblock_connect_auth(address, store_rblock_auth, NULL, timeout_ms, why, sizeof why);
    if (!c)
        snprintf(errstr, errstr_size, "redis.address %s: %s", address, why);
    return c;
}

static struct rblock *store_sync_connect(struct store *s, char *errstr, size_t errstr_size)
{
    return store_connect_sync(s->d->cfg.redis_address, s->d->cfg.redis_timeout_ms, errstr,
                              errstr_size);
}

static void store_reconnect_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    store_connect(arg);
}

static void store_on_connect(const redisAsyncContext *ac, int status)
{
    struct store *s = ac->data;
    if (status != REDIS_OK) {
        log_warn("redis: cannot connect to %s: %s", s->d->cfg.redis_address, ac->errstr);
        store_count_error(s);
        if (s->ac == ac)
            s->ac = NULL;
        s->connected = 0;
        s->pending = 0;
        store_schedule_reconnect(s);
    }
    /* up once the handshake (store_conn.c) is answered */
}

/* Every end of a connection but store_free's comes here: reconnect. */
static void store_on_disconnect(const redisAsyncContext *ac, int status)
{
    struct store *s = ac->data;
    if (s->ac == ac)
        s->ac = NULL;
    s->connected = 0;
    s->pending = 0;
    store_batch_disconnected(s);
    if (status != REDIS_OK) {
        log_warn("redis: connection lost: %s", ac->errstr);
        store_count_error(s);
    }
    store_schedule_reconnect(s);
}

static void store_connect(struct store *s)
{
    s->err_counted = 0; /* a new attempt: its failure counts */
    if (s->route) {
        store_route_connect(s);
        return;
    }
    char host[256];
    int port;
    char why[256];
    if (store_parse_addr(s->d->cfg.redis_address, host, sizeof host, &port, why, sizeof why) < 0) {
        log_err("redis.address: %s (expected host:port or unix:/path)", why);
        return;
    }
    redisAsyncContext *ac = port < 0 ? redisAsyncConnectUnix(host) : redisAsyncConnect(host, port);
    if (!ac || ac->err) {
        log_warn("redis: %s", ac ? ac->errstr : "out of memory");
        if (ac)
            redisAsyncFree(ac);
        store_schedule_reconnect(s);
        return;
    }
    ac->data = s;
    redisLibeventAttach(ac, s->d->base);
    redisAsyncSetConnectCallback(ac, store_on_connect);
    redisAsyncSetDisconnectCallback(ac, store_on_disconnect);
    s->ac = ac;
    s->pending = 0;
    store_handshake(s, ac);
}

struct store_script_load {
    struct store *s;
    char err[400];
};

/* SCRIPT LOAD of every script on one master. */
static int store_script_load(void *arg, redisContext *node, const char *name)
{
    struct store_script_load *sl = arg;
    struct store *s = sl->s;
    for (size_t i = 0; i < STORE_N_LUA; i++) {
        redisReply *r = redisCommand(node, "SCRIPT LOAD %s", store_lua_scripts[i]);
        if (!r || r->type != REDIS_REPLY_STRING) {
            snprintf(sl->err, sizeof sl->err, "%s: %s", name,
                     r && r->type == REDIS_REPLY_ERROR ? r->str : node->errstr);
            if (r)
                freeReplyObject(r);
            return -1;
        }
        snprintf(s->shas[i], sizeof s->shas[i], "%s", r->str);
        freeReplyObject(r);
    }
    return 0;
}

struct store *store_new(struct recutd *d, char *errstr, size_t errstr_size)
{
    struct store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    s->d = d;
    strmap_init(&s->pop);
    strmap_init(&s->pop_next);
    store_items_init(s);
    s->rec_work = recommend_work_new();
    if (!s->rec_work) {
        snprintf(errstr, errstr_size, "out of memory");
        free(s);
        return NULL;
    }
    if (store_creds_set(d->cfg.redis_user, d->cfg.redis_password_file, errstr, errstr_size) < 0) {
        recommend_work_free(s->rec_work);
        free(s);
        return NULL;
    }
    struct rblock *c = store_sync_connect(s, errstr, errstr_size);
    if (!c) {
        recommend_work_free(s->rec_work);
        free(s);
        return NULL;
    }
    /* a Redis Cluster: every command is routed by slot (store_route.c) */
    if (rblock_is_cluster(c) && store_route_new(s, d->cfg.redis_address, errstr, errstr_size) < 0) {
        rblock_free(c);
        free(s);
        return NULL;
    }
    /* every master runs the scripts: load them on each (same text, same SHA) */
    struct store_script_load sl = { s, "" };
    if (rblock_for_each_master(c, store_script_load, &sl) != 0) {
        snprintf(errstr, errstr_size, "redis: SCRIPT LOAD failed: %s",
                 sl.err[0] ? sl.err : rblock_errstr(c));
        rblock_free(c);
        free(s);
        return NULL;
    }
    rblock_free(c);
    s->reconnect_ev = evtimer_new(d->base, store_reconnect_cb, s);
    store_batch_init(s);
    if (store_outbox_init(s) < 0)
        log_err("redis: cannot start folding global counts");
    if (store_watchdog_start(s) < 0)
        log_err("redis: cannot start the timeout_ms watchdog");
    store_connect(s);
    return s;
}

void store_free(struct store *s)
{
    if (!s)
        return;
    store_route_free(s);
    if (s->ac) {
        redisAsyncContext *ac = s->ac;
        ac->data = s;
        s->ac = NULL; /* (the callbacks' NULL replies send nothing more) */
        s->connected = 0;
        redisAsyncSetDisconnectCallback(ac, NULL);
        redisAsyncFree(ac);
    }
    store_watchdog_stop(s);
    if (s->reconnect_ev)
        event_free(s->reconnect_ev);
    s->reconnect_ev = NULL;
    store_batch_fini(s);
    store_cooc_fini(s);
    free(s->pop_sorted);
    if (s->catalog_ev)
        event_free(s->catalog_ev);
    strmap_clear(&s->pop, NULL);
    store_pop_fini(s);
    store_items_fini(s);
    recommend_work_free(s->rec_work);
    store_creds_clear();
    free(s);
}

void store_set_hooks(struct store *s, const struct store_hooks *h)
{
    s->hooks = *h;
}

int store_send_args(struct store *s, redisCallbackFn *fn, void *priv, const struct store_args *a)
{
    if (a->oom)
        return -1;
    const char *stackv[64];
    const char **argv = a->n <= 64 ? stackv : malloc(a->n * sizeof *argv);
    if (!argv)
        return -1;
    for (size_t i = 0; i < a->n; i++)
        argv[i] = a->buf + a->off[i];
    int rc = store_route_sendargv(s, fn, priv, (int)a->n, argv, a->alen);
    if (argv != stackv)
        free(argv);
    if (rc < 0)
        return -1;
    if (fn)
        s->pending++;
    return 0;
}

int store_connected(const struct store *s)
{
    return s->connected;
}

size_t store_pending(const struct store *s)
{
    return s->pending;
}

const struct store_viewer_read store_viewer_reads[STORE_N_VIEWER_READS] = {
    { 'B', "GET %s:{u:%s}:state" }, /* first: the others are the layout before it */
    { 'M', "HGETALL %s:{u:%s}:meta" },
    { 'N', "HGETALL %s:{u:%s}:nb" },
    { 'S', "HGETALL %s:{u:%s}:seen" },
    { 'C', "HGETALL %s:{u:%s}:scenes" },
    { 'E', "HGETALL %s:{u:%s}:emo" },
    { 'H', "LRANGE %s:{u:%s}:hist 0 -1" },
    { 'I', "ZRANGE %s:{u:%s}:ids 0 -1 WITHSCORES" },
};

int store_key(char *buf, size_t n, const struct store *s, const char *user, const char *name)
{
    int w = snprintf(buf, n, "%s:{u:%s}:%s", s->d->cfg.redis_prefix, user, name);
    return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

/* ---- forget, catalog ---------------------------------------------------- */
struct store_simple {
    void (*cb)(void *arg, int ok, long long n);
    void (*cb2)(void *arg, int ok);
    void *arg;
};

static void store_simple_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_simple *x = priv;
    struct store *s = ac->data;
    store_replied(s);
    redisReply *r = reply;
    int ok = r && r->type != REDIS_REPLY_ERROR;
    if (r && r->type == REDIS_REPLY_ERROR)
        log_err("redis: %s", r->str);
    if (x->cb)
        x->cb(x->arg, ok, r && r->type == REDIS_REPLY_INTEGER ? r->integer : 0);
    if (x->cb2)
        x->cb2(x->arg, ok);
    free(x);
}

void store_forget(struct store *s, const char *user, void (*cb)(void *arg, int ok, long long n),
                  void *arg)
{
    struct store_simple *x = calloc(1, sizeof *x);
    if (!x || !s->connected) {
        free(x);
        cb(arg, 0, 0);
        return;
    }
    x->cb = cb;
    x->arg = arg;
    /* changes applied and not yet written go first, so that none is
     * written after the keys are deleted */
    struct strmap_entry *ce = strmap_get(&s->cache, user);
    if (ce)
        store_vc_write_now(s, ce->ptr);
    store_cache_drop(s, user);
    struct store_args a = { 0 };
    store_args_add(&a, "EVALSHA");
    store_args_add(&a, s->shas[STORE_LUA_FORGET]);
    store_args_addf(&a, "%d", STORE_N_VIEWER_KEYS);
    for (int k = 0; k < STORE_N_VIEWER_KEYS; k++) {
        char key[512];
        store_key(key, sizeof key, s, user, store_viewer_keys[k]);
        store_args_add(&a, key);
    }
    if (store_send_args(s, store_simple_cb, x, &a) < 0) {
        free(x);
        cb(arg, 0, 0);
    }
    store_args_free(&a);
}

void store_put_movie(struct store *s, const struct catalog_movie *cm, void (*cb)(void *arg, int ok),
                     void *arg)
{
    struct store_simple *x = calloc(1, sizeof *x);
    if (!x || !s->connected) {
        free(x);
        cb(arg, 0);
        return;
    }
    x->cb2 = cb;
    x->arg = arg;
    if (store_catalog_write(s, cm->m.id, cm->json, strlen(cm->json), store_simple_cb, x) < 0) {
        free(x);
        cb(arg, 0);
    }
}

int store_catalog_write(struct store *s, const char *id, const char *json, size_t json_len,
                        redisCallbackFn *fn, void *priv)
{
    struct store_resp *r = &s->resp;
    char pfx[512];
    int pw = snprintf(pfx, sizeof pfx, "%s:{catalog}:", s->d->cfg.redis_prefix);
    if (pw < 0 || (size_t)pw >= sizeof pfx)
        return -1;
    size_t pl = (size_t)pw;
    char key[600];
    int kw = snprintf(key, sizeof key, "%smovie:%s", pfx, id);
    if (kw < 0 || (size_t)kw >= sizeof key)
        return -1;
    /* MULTI/EXEC so the entry, the index and the version change together */
    int rc = 0;
    store_resp_cmd(r, 1);
    store_resp_str(r, "MULTI", 5);
    rc |= store_resp_send(s, r, NULL, NULL);
    store_resp_cmd(r, 3);
    store_resp_str(r, "SET", 3);
    store_resp_str(r, key, (size_t)kw);
    store_resp_str(r, json, json_len);
    rc |= store_resp_send(s, r, NULL, NULL);
    store_resp_cmd(r, 3);
    store_resp_str(r, "SADD", 4);
    store_resp_key(r, pfx, pl, "movies");
    store_resp_strz(r, id);
    rc |= store_resp_send(s, r, NULL, NULL);
    store_resp_cmd(r, 2);
    store_resp_str(r, "INCR", 4);
    store_resp_key(r, pfx, pl, "version");
    rc |= store_resp_send(s, r, NULL, NULL);
    store_resp_cmd(r, 1);
    if (rc != 0) {
        /* a command is missing: the transaction must not run */
        store_resp_str(r, "DISCARD", 7);
        store_resp_send(s, r, NULL, NULL);
        return -1;
    }
    store_resp_str(r, "EXEC", 4);
    return store_resp_send(s, r, fn, priv);
}

int store_load_catalog(struct store *s, struct catalog *c, char *errstr, size_t errstr_size)
{
    struct rblock *rc = store_sync_connect(s, errstr, errstr_size);
    if (!rc)
        return -1;
    const char *p = s->d->cfg.redis_prefix;
    redisReply *ver = rblock_command(rc, "GET %s:{catalog}:version", p);
    if (ver && ver->type == REDIS_REPLY_STRING)
        s->catalog_version = atoll(ver->str);
    if (ver)
        freeReplyObject(ver);
    redisReply *ids = rblock_command(rc, "SMEMBERS %s:{catalog}:movies", p);
    if (!ids || ids->type != REDIS_REPLY_ARRAY) {
        snprintf(errstr, errstr_size, "redis: cannot read the catalog index: %s",
                 ids && ids->type == REDIS_REPLY_ERROR ? ids->str : rblock_errstr(rc));
        if (ids)
            freeReplyObject(ids);
        rblock_free(rc);
        return -1;
    }
    /* one pipeline in the catalog's slot */
    struct rblock_pipe *pp = rblock_pipe_new(rc, rblock_tag("{catalog}"), 0);
    for (size_t i = 0; pp && i < ids->elements; i++)
        if (rblock_pipe_append(pp, "GET %s:{catalog}:movie:%s", p, ids->element[i]->str) < 0)
            break;
    if (!pp || rblock_pipe_len(pp) != ids->elements || rblock_pipe_exec(pp) < 0) {
        snprintf(errstr, errstr_size, "redis: %s", rblock_errstr(rc));
        rblock_pipe_free(pp);
        freeReplyObject(ids);
        rblock_free(rc);
        return -1;
    }
    size_t loaded = 0, bad = 0;
    for (size_t i = 0; i < ids->elements; i++) {
        const redisReply *r = rblock_pipe_reply(pp, i);
        if (r && r->type == REDIS_REPLY_STRING) {
            char err[256];
            struct catalog_movie *cm = catalog_movie_parse(r->str, r->len, NULL, err, sizeof err);
            if (cm && catalog_put(c, cm) == 0) {
                loaded++;
            } else {
                catalog_movie_free(cm);
                log_warn("catalog entry %s in Redis is invalid: %s", ids->element[i]->str, err);
                bad++;
            }
        }
    }
    rblock_pipe_free(pp);
    freeReplyObject(ids);
    rblock_free(rc);
    log_info("catalog: %zu movies loaded from Redis%s", loaded,
             bad ? " (some invalid, skipped)" : "");
    return 0;
}

/* ---- catalog refresh ------------------------------------------------------ */
/* Another instance may have stored movies (the catalog topic is split across
 * the consumer group, and PUT reaches one instance): every few seconds the
 * catalog's version counter is read, and when it moved every entry is read
 * again. */
static void store_catalog_movie_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store *s = ac->data;
    redisReply *r = reply;
    (void)priv;
    store_replied(s);
    if (r && r->type == REDIS_REPLY_STRING) {
        char err[256];
        struct catalog_movie *cm = catalog_movie_parse(r->str, r->len, NULL, err, sizeof err);
        const struct catalog_movie *old = cm ? catalog_get(&s->d->catalog, cm->m.id) : NULL;
        if (cm && old && strcmp(old->json, cm->json) == 0)
            catalog_movie_free(cm); /* unchanged */
        else if (!cm || catalog_put(&s->d->catalog, cm) < 0)
            catalog_movie_free(cm);
    }
}

static void store_catalog_ids_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store *s = ac->data;
    redisReply *r = reply;
    (void)priv;
    store_replied(s);
    if (!r || r->type != REDIS_REPLY_ARRAY || !store_route_linked(s))
        return;
    for (size_t i = 0; i < r->elements; i++)
        if (r->element[i]->str &&
            store_route_sendf(s, store_catalog_movie_cb, NULL, "GET %s:{catalog}:movie:%s",
                              s->d->cfg.redis_prefix, r->element[i]->str) == 0)
            s->pending++;
}

static void store_catalog_version_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store *s = ac->data;
    redisReply *r = reply;
    (void)priv;
    store_replied(s);
    if (!r || r->type != REDIS_REPLY_STRING || !store_route_linked(s))
        return;
    long long v = atoll(r->str);
    if (v == s->catalog_version)
        return;
    s->catalog_version = v;
    if (store_route_sendf(s, store_catalog_ids_cb, NULL, "SMEMBERS %s:{catalog}:movies",
                          s->d->cfg.redis_prefix) == 0)
        s->pending++;
}

static void store_catalog_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct store *s = arg;
    if (s->connected && store_route_linked(s) &&
        store_route_sendf(s, store_catalog_version_cb, NULL, "GET %s:{catalog}:version",
                          s->d->cfg.redis_prefix) == 0)
        s->pending++;
}

int store_catalog_watch(struct store *s, int interval_ms)
{
    s->catalog_ev = event_new(s->d->base, -1, EV_PERSIST, store_catalog_timer, s);
    struct timeval tv = { interval_ms / 1000, (interval_ms % 1000) * 1000 };
    return s->catalog_ev && event_add(s->catalog_ev, &tv) == 0 ? 0 : -1;
}
