/* SPDX-License-Identifier: Apache-2.0 */
/* store_redis.c -- recutd's Redis layer: one asynchronous hiredis connection
 * on the event loop, batches applied per viewer with one Lua call each,
 * viewers loaded with pipelined reads.  Every key of a viewer is
 * PREFIX:{u:ID}:NAME so Redis Cluster keeps a viewer in one slot. */
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
    if (store_creds_set(d->cfg.redis_user, d->cfg.redis_password_file, errstr, errstr_size) < 0) {
        free(s);
        return NULL;
    }
    struct rblock *c = store_sync_connect(s, errstr, errstr_size);
    if (!c) {
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

/* ---- loading a viewer -------------------------------------------------- */
struct store_load {
    struct store *s;
    recut_viewer v;
    int stage, outstanding, failed, known;
    struct strmap cooc; /* movie -> struct store_row* (a reference) */
    store_viewer_fn cb;
    void *arg;
};

static void store_load_free_row(void *p)
{
    store_row_unref(p);
}

static double store_load_pop(void *ctx, const char *movie)
{
    struct store *s = ctx;
    struct strmap_entry *e = strmap_get(&s->pop, movie);
    return e ? e->num : 0;
}

static const struct strmap *store_load_cooc(void *ctx, const char *movie);
static double store_load_pop_l(void *ctx, const char *movie);

static int store_pop_cmp(const void *a, const void *b)
{
    const struct store_pop_rank *x = a, *y = b;
    if (x->pop != y->pop)
        return x->pop < y->pop ? 1 : -1;
    return strcmp(x->id, y->id);
}

/* Popularity ordered once per refresh, for recommend_top's candidates. */
void store_pop_sort(struct store *s)
{
    free(s->pop_sorted);
    s->n_pop_sorted = 0;
    s->pop_sorted = malloc((s->pop.len ? s->pop.len : 1) * sizeof *s->pop_sorted);
    if (!s->pop_sorted)
        return;
    size_t it = 0;
    struct strmap_entry *e;
    while ((e = strmap_next(&s->pop, &it)))
        if (e->num > 0)
            s->pop_sorted[s->n_pop_sorted++] = (struct store_pop_rank){ e->key, e->num };
    qsort(s->pop_sorted, s->n_pop_sorted, sizeof *s->pop_sorted, store_pop_cmp);
}

static const char *store_load_popular_at(void *ctx, size_t rank, double *pop)
{
    const struct store *s = ((struct store_load *)ctx)->s;
    if (rank >= s->n_pop_sorted)
        return NULL;
    *pop = s->pop_sorted[rank].pop;
    return s->pop_sorted[rank].id;
}

static void store_load_stage2(struct store_load *l);

static void store_load_done(struct store_load *l)
{
    if (l->outstanding > 0)
        return;
    if (l->stage == 1 && !l->failed) {
        store_load_stage2(l);
        if (l->outstanding > 0)
            return;
    }
    viewer_finish(&l->v);
    struct recommend_globals g = { .pop = store_load_pop_l,
                                   .max_pop = l->s->max_pop,
                                   .cooc = store_load_cooc,
                                   .ctx = l,
                                   .popular_at = l->s->pop_sorted ? store_load_popular_at : NULL };
    l->cb(l->arg, !l->failed, &l->v, &g, l->known);
    viewer_free(&l->v);
    strmap_clear(&l->cooc, store_load_free_row);
    free(l);
}

static const struct strmap *store_load_cooc(void *ctx, const char *movie)
{
    struct store_load *l = ctx;
    struct strmap_entry *e = strmap_get(&l->cooc, movie);
    return e && e->ptr ? &((struct store_row *)e->ptr)->m : NULL;
}

static double store_load_pop_l(void *ctx, const char *movie)
{
    return store_load_pop(((struct store_load *)ctx)->s, movie);
}

int store_viewer_reply(recut_viewer *v, char which, const redisReply *r, int64_t *last_ts)
{
    int fields = 0;
    if (!r || r->type != REDIS_REPLY_ARRAY)
        return 0;
    if (which == 'H') {
        for (size_t i = 0; i < r->elements; i++)
            if (r->element[i]->str)
                viewer_push_hist(v, r->element[i]->str, 1);
        return 0;
    }
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const redisReply *k = r->element[i], *val = r->element[i + 1];
        if (!k->str || !val->str)
            continue;
        fields = 1;
        if (which == 'E' && store_emo_reply_field(v, k, val)) {
            /* the sealed map (store_emo.c) */
        } else if (which != 'M') {
            viewer_load_field(v, which, k->str, k->len, val->str);
        } else if (strcmp(k->str, "events") == 0) {
            v->events = atoll(val->str);
        } else if (strcmp(k->str, "consent") == 0) {
            v->consent = strcmp(val->str, "1") == 0;
        } else if (strcmp(k->str, "last_ts") == 0 && last_ts) {
            *last_ts = atoll(val->str);
        }
    }
    return which == 'M' && fields;
}

struct store_load_cmd {
    struct store_load *l;
    char which; /* M N S C E H (hist) P (pop) O (cooc) V (hooks.extra_key) */
    char movie[VEVENT_ID_MAX + 1];
};

static void store_load_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_load_cmd *c = priv;
    struct store_load *l = c->l;
    struct store *s = ac->data;
    store_replied(s);
    redisReply *r = reply;
    if (c->which == 'P') {
        if (store_pop_load_reply(s, r) < 0)
            l->failed = 1;
    } else if (!r || r->type == REDIS_REPLY_ERROR) {
        if (r)
            log_err("redis: read failed: %s", r->str);
        l->failed = 1;
    } else if (c->which == 'O') {
        struct strmap_entry *e = strmap_put(&l->cooc, c->movie);
        struct store_row *row = e && !e->ptr ? store_row_new() : NULL;
        if (row) { /* (a movie twice in the history is read once) */
            store_cooc_parse(r, c->movie, &row->m, NULL);
            e->ptr = row;
            store_items_install(s, c->movie, row); /* trimmed for the next ones */
        }
    } else if (c->which == 'V') {
        if (r->type == REDIS_REPLY_STRING && s->hooks.on_loaded)
            s->hooks.on_loaded(s->hooks.ctx, &l->v, r->str, r->len);
    } else {
        if (store_viewer_reply(&l->v, c->which, r, NULL))
            l->known = 1;
    }
    free(c);
    l->outstanding--;
    store_load_done(l);
}

static int store_load_send(struct store_load *l, char which, const char *movie, const char *fmt,
                           ...)
{
    struct store *s = l->s;
    struct store_load_cmd *c = calloc(1, sizeof *c);
    if (!c || !store_route_linked(s)) {
        free(c);
        l->failed = 1;
        return -1;
    }
    c->l = l;
    c->which = which;
    if (movie)
        snprintf(c->movie, sizeof c->movie, "%s", movie);
    va_list ap;
    va_start(ap, fmt);
    int rc = store_route_sendv(s, store_load_cb, c, fmt, ap);
    va_end(ap);
    if (rc < 0) {
        free(c);
        l->failed = 1;
        return -1;
    }
    s->pending++;
    l->outstanding++;
    return 0;
}

static void store_load_stage2(struct store_load *l)
{
    l->stage = 2;
    struct store *s = l->s;
    /* only the recent positives recommend_top reads */
    size_t reads = recommend_cooc_reads(&s->d->cfg);
    size_t w = l->v.n_hist < reads ? l->v.n_hist : reads;
    for (size_t i = 0; i < w; i++) {
        struct store_row *row = store_items_get(s, l->v.hist[i]);
        if (row) { /* in memory (read again in the background when old) */
            struct strmap_entry *e = strmap_put(&l->cooc, l->v.hist[i]);
            if (e && !e->ptr) {
                store_row_ref(row);
                e->ptr = row;
            }
            if (e)
                continue;
        }
        struct store_load_cmd *c = calloc(1, sizeof *c);
        if (c) {
            c->l = l;
            c->which = 'O';
            snprintf(c->movie, sizeof c->movie, "%s", l->v.hist[i]);
        }
        if (!c || store_cooc_read(s, l->v.hist[i], store_load_cb, c) < 0) {
            free(c);
            l->failed = 1;
            continue;
        }
        l->outstanding++;
    }
}

/* The fast path: a viewer this instance is applying events to is in its
 * cache, as Redis has it plus what is not acknowledged yet (a viewer reads
 * their own writes), and the rows it needs are in memory: no round trip. */
static const struct strmap *store_mem_cooc(void *ctx, const char *movie)
{
    struct store_row *r = store_items_get(ctx, movie);
    if (!r)
        return NULL;
    store_items_resolve(ctx, r); /* (partners by catalog entry: no look-up each) */
    return &r->m;
}

static double store_mem_pop_index(void *ctx, size_t i)
{
    struct store *s = ctx;
    return i < s->n_pop_idx ? s->pop_idx[i] : 0;
}

static double store_mem_pop(void *ctx, const char *movie)
{
    return store_load_pop(ctx, movie);
}

static const char *store_mem_popular_at(void *ctx, size_t rank, double *pop)
{
    const struct store *s = ctx;
    if (rank >= s->n_pop_sorted)
        return NULL;
    *pop = s->pop_sorted[rank].pop;
    return s->pop_sorted[rank].id;
}

static int store_load_cached(struct store *s, const char *user, unsigned flags, store_viewer_fn cb,
                             void *arg)
{
    if (!s->connected || s->pop_loaded_ms == 0 ||
        (s->hooks.extra_key && !(flags & STORE_LOAD_NO_EXTRA)))
        return -1;
    struct strmap_entry *e = strmap_get(&s->cache, user);
    struct store_vc *vc = e ? e->ptr : NULL;
    if (!vc || vc->loading || vc->bad || vc->detached)
        return -1;
    size_t w = recommend_cooc_reads(&s->d->cfg);
    if (w > vc->v.n_hist)
        w = vc->v.n_hist;
    for (size_t i = 0; i < w; i++)
        if (!store_items_get(s, vc->v.hist[i]))
            return -1;
    store_items_pop_refresh(s, 0);
    const double *pop_idx = store_items_pop_index(s);
    struct recommend_globals g = { .pop = store_mem_pop,
                                   .max_pop = s->max_pop,
                                   .cooc = store_mem_cooc,
                                   .ctx = s,
                                   .popular_at = s->pop_sorted ? store_mem_popular_at : NULL,
                                   .cooc_cat = pop_idx ? &s->d->catalog : NULL,
                                   .pop_index = pop_idx ? store_mem_pop_index : NULL };
    metrics_inc(M_VIEWER_READS_MEMORY, 1);
    cb(arg, 1, &vc->v, &g, vc->v.events > 0);
    return 0;
}

void store_load_viewer(struct store *s, const char *user, unsigned flags, store_viewer_fn cb,
                       void *arg)
{
    if (store_load_cached(s, user, flags, cb, arg) == 0)
        return;
    struct store_load *l = calloc(1, sizeof *l);
    if (!l) {
        cb(arg, 0, NULL, NULL, 0);
        return;
    }
    l->s = s;
    l->cb = cb;
    l->arg = arg;
    l->stage = 1;
    strmap_init(&l->cooc);
    viewer_init(&l->v, user, s->d->cfg.nb_alpha);
    if (!s->connected) {
        l->failed = 1;
        store_load_done(l);
        return;
    }
    metrics_inc(M_VIEWER_READS_REDIS, 1);
    const char *p = s->d->cfg.redis_prefix;
    l->outstanding++; /* guard */
    for (size_t i = 0; i < STORE_N_VIEWER_READS; i++)
        if (store_viewer_reads[i].which != 'I') /* the ids are for the cache's de-duplication */
            store_load_send(l, store_viewer_reads[i].which, NULL, store_viewer_reads[i].fmt, p,
                            user);
    if (s->hooks.extra_key && !(flags & STORE_LOAD_NO_EXTRA))
        store_load_send(l, 'V', NULL, "GET %s:{u:%s}:%s", p, user, s->hooks.extra_key);
    if (s->pop_loaded_ms == 0 && !s->pop_loading) {
        /* never read: this request waits for it (every shard, and the
         * unsharded key of earlier versions) */
        store_pop_load_begin(s);
        for (unsigned k = 0; k < STORE_POP_SHARDS; k++)
            if (store_load_send(l, 'P', NULL, "ZRANGE %s:{pop:%u} 0 -1 WITHSCORES", p, k) == 0)
                store_pop_load_sent(s);
        if (store_load_send(l, 'P', NULL, "ZRANGE %s:pop 0 -1 WITHSCORES", p) == 0)
            store_pop_load_sent(s);
        if (s->pop_wait == 0)
            s->pop_loading = 0;
    } else {
        store_items_pop_refresh(s, 0); /* in the background */
    }
    l->outstanding--;
    store_load_done(l);
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
