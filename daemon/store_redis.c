/* store_redis.c -- recutd's Redis layer: one asynchronous hiredis connection
 * on the event loop, batches applied per viewer with one Lua call each,
 * viewers loaded with pipelined reads.  Every key of a viewer is
 * PREFIX:{u:ID}:NAME so Redis Cluster keeps a viewer in one slot. */
#include "config.h"
#include "recutd-internal.h"
#include "store_lua.h"

#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/libevent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- growable argument lists ------------------------------------------ */
struct store_args {
    char *buf;
    size_t len, cap;
    size_t *off, *alen;
    size_t n, ncap;
    int oom;
};

static void store_args_addn(struct store_args *a, const char *s, size_t len)
{
    if (a->oom)
        return;
    if (a->n == a->ncap) {
        size_t nc = a->ncap ? a->ncap * 2 : 32;
        size_t *o = realloc(a->off, nc * sizeof *o);
        if (!o) { a->oom = 1; return; }
        a->off = o;
        size_t *l = realloc(a->alen, nc * sizeof *l);
        if (!l) { a->oom = 1; return; }
        a->alen = l;
        a->ncap = nc;
    }
    if (a->len + len + 1 > a->cap) {
        size_t nc = (a->cap + len + 1) * 2;
        char *b = realloc(a->buf, nc);
        if (!b) { a->oom = 1; return; }
        a->buf = b;
        a->cap = nc;
    }
    memcpy(a->buf + a->len, s, len);
    a->buf[a->len + len] = '\0';
    a->off[a->n] = a->len;
    a->alen[a->n] = len;
    a->n++;
    a->len += len + 1;
}

static void store_args_add(struct store_args *a, const char *s)
{
    store_args_addn(a, s, strlen(s));
}

static void store_args_addf(struct store_args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void store_args_addf(struct store_args *a, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= sizeof tmp) {
        a->oom = 1;
        return;
    }
    store_args_addn(a, tmp, (size_t)w);
}

static void store_args_free(struct store_args *a)
{
    free(a->buf);
    free(a->off);
    free(a->alen);
    memset(a, 0, sizeof *a);
}

/* ---- the store --------------------------------------------------------- */
struct store {
    struct recutd *d;
    redisAsyncContext *ac;
    int connected;
    struct event *reconnect_ev;
    char sha[48], sha_hincr[48], sha_zincr[48];
    size_t pending;
    /* commands to replay after a reconnect (batches not yet acknowledged) */
    struct store_batch *retry_head, *retry_tail;
    /* popularity cache */
    struct strmap pop;
    double max_pop;
    time_t pop_loaded;
    int pop_loading;
};

struct store_group {            /* one viewer's events in a batch */
    char user[VEVENT_ID_MAX + 1];
    struct store_args args;     /* ARGV after the fixed part */
    size_t n_events;
    char **movies;              /* per event, for co-occurrence */
};

struct store_batch {
    struct store *s;
    struct strmap groups;       /* user -> struct store_group* */
    struct store_args movies;   /* SET/SADD of catalog entries: argv triplets */
    size_t n_movie_cmds;
    size_t count;
    int outstanding;
    int groups_pending;         /* apply scripts without a reply yet */
    struct strmap co;           /* movie -> struct strmap* partner -> count */
    struct strmap pop;          /* movie -> count */
    int failed;
    int submitted;
    void (*cb)(void *arg, int ok);
    void *arg;
    struct store_batch *next;   /* retry queue */
};

static void store_connect(struct store *s);

static int store_parse_addr(const char *addr, char *host, size_t hn, int *port)
{
    if (strncmp(addr, "unix:", 5) == 0) {
        snprintf(host, hn, "%s", addr + 5);
        *port = -1;
        return 0;
    }
    const char *colon = strrchr(addr, ':');
    if (!colon) {
        snprintf(host, hn, "%s", addr);
        *port = 6379;
        return 0;
    }
    size_t l = (size_t)(colon - addr);
    if (l >= hn)
        return -1;
    memcpy(host, addr, l);
    host[l] = '\0';
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p <= 0 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

static redisContext *store_sync_connect(struct store *s, char *errstr, size_t errstr_size)
{
    char host[256];
    int port;
    if (store_parse_addr(s->d->cfg.redis_address, host, sizeof host, &port) < 0) {
        snprintf(errstr, errstr_size, "redis.address '%s' is not host:port or unix:/path",
                 s->d->cfg.redis_address);
        return NULL;
    }
    struct timeval tv = { s->d->cfg.redis_timeout_ms / 1000, (s->d->cfg.redis_timeout_ms % 1000) * 1000 };
    redisContext *c = port < 0 ? redisConnectUnixWithTimeout(host, tv)
                               : redisConnectWithTimeout(host, port, tv);
    if (!c || c->err) {
        snprintf(errstr, errstr_size, "cannot connect to Redis at %s: %s",
                 s->d->cfg.redis_address, c ? c->errstr : "out of memory");
        if (c)
            redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv);
    return c;
}

static void store_reconnect_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    store_connect(arg);
}

static void store_schedule_reconnect(struct store *s)
{
    struct timeval tv = { 0, 500000 };
    event_add(s->reconnect_ev, &tv);
}

static void store_resubmit_all(struct store *s);

static void store_on_connect(const redisAsyncContext *ac, int status)
{
    struct store *s = ac->data;
    if (status != REDIS_OK) {
        log_warn("redis: cannot connect to %s: %s; retrying", s->d->cfg.redis_address, ac->errstr);
        metrics_inc(M_REDIS_ERRORS, 1);
        s->ac = NULL;
        s->connected = 0;
        store_schedule_reconnect(s);
        return;
    }
    s->connected = 1;
    log_info("redis: connected to %s", s->d->cfg.redis_address);
    store_resubmit_all(s);
}

static void store_on_disconnect(const redisAsyncContext *ac, int status)
{
    struct store *s = ac->data;
    s->ac = NULL;
    s->connected = 0;
    s->pending = 0;
    if (status != REDIS_OK) {
        log_warn("redis: connection lost: %s; reconnecting", ac->errstr);
        metrics_inc(M_REDIS_ERRORS, 1);
        store_schedule_reconnect(s);
    }
}

static void store_connect(struct store *s)
{
    char host[256];
    int port;
    if (store_parse_addr(s->d->cfg.redis_address, host, sizeof host, &port) < 0)
        return;
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
    /* the script cache may be empty after a Redis restart: load it first */
    redisAsyncCommand(ac, NULL, NULL, "SCRIPT LOAD %s", store_lua_apply);
    redisAsyncCommand(ac, NULL, NULL, "SCRIPT LOAD %s", store_lua_hincr);
    redisAsyncCommand(ac, NULL, NULL, "SCRIPT LOAD %s", store_lua_zincr);
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
    redisContext *c = store_sync_connect(s, errstr, errstr_size);
    if (!c) {
        free(s);
        return NULL;
    }
    const char *scripts[3] = { store_lua_apply, store_lua_hincr, store_lua_zincr };
    char *shas[3] = { s->sha, s->sha_hincr, s->sha_zincr };
    for (int i = 0; i < 3; i++) {
        redisReply *r = redisCommand(c, "SCRIPT LOAD %s", scripts[i]);
        if (!r || r->type != REDIS_REPLY_STRING) {
            snprintf(errstr, errstr_size, "redis: SCRIPT LOAD failed: %s",
                     r && r->type == REDIS_REPLY_ERROR ? r->str : c->errstr);
            if (r)
                freeReplyObject(r);
            redisFree(c);
            free(s);
            return NULL;
        }
        snprintf(shas[i], sizeof s->sha, "%s", r->str);
        freeReplyObject(r);
    }
    redisFree(c);
    s->reconnect_ev = evtimer_new(d->base, store_reconnect_cb, s);
    store_connect(s);
    return s;
}

void store_free(struct store *s)
{
    if (!s)
        return;
    if (s->ac) {
        redisAsyncContext *ac = s->ac;
        ac->data = s;
        redisAsyncSetDisconnectCallback(ac, NULL);
        redisAsyncFree(ac);
        s->ac = NULL;
    }
    if (s->reconnect_ev)
        event_free(s->reconnect_ev);
    strmap_clear(&s->pop, NULL);
    free(s);
}

int store_connected(const struct store *s)
{
    return s->connected;
}

size_t store_pending(const struct store *s)
{
    return s->pending;
}

static int store_key(char *buf, size_t n, const struct store *s, const char *user,
                     const char *name)
{
    int w = snprintf(buf, n, "%s:{u:%s}:%s", s->d->cfg.redis_prefix, user, name);
    return (w < 0 || (size_t)w >= n) ? -1 : 0;
}

/* ---- batches ----------------------------------------------------------- */
struct store_batch *store_batch_new(struct store *s)
{
    struct store_batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->s = s;
    strmap_init(&b->groups);
    strmap_init(&b->co);
    strmap_init(&b->pop);
    return b;
}

static void store_group_free(void *p)
{
    struct store_group *g = p;
    store_args_free(&g->args);
    for (size_t i = 0; i < g->n_events; i++)
        free(g->movies[i]);
    free(g->movies);
    free(g);
}

static void store_map_free(void *p)
{
    strmap_clear(p, NULL);
    free(p);
}

static void store_batch_free(struct store_batch *b)
{
    strmap_clear(&b->co, store_map_free);
    strmap_clear(&b->pop, NULL);
    strmap_clear(&b->groups, store_group_free);
    store_args_free(&b->movies);
    free(b);
}

void store_batch_discard(struct store_batch *b)
{
    store_batch_free(b);
}

size_t store_batch_count(const struct store_batch *b)
{
    return b->count;
}

int store_batch_add(struct store_batch *b, const struct update *u)
{
    const struct vevent *ev = u->ev;
    struct strmap_entry *e = strmap_put(&b->groups, ev->user);
    if (!e)
        return -1;
    struct store_group *g = e->ptr;
    if (!g) {
        g = calloc(1, sizeof *g);
        if (!g)
            return -1;
        snprintf(g->user, sizeof g->user, "%s", ev->user);
        e->ptr = g;
    }
    char **nm = realloc(g->movies, (g->n_events + 1) * sizeof *nm);
    if (!nm)
        return -1;
    g->movies = nm;
    g->movies[g->n_events] = strdup(ev->movie);
    if (!g->movies[g->n_events])
        return -1;
    g->n_events++;
    struct store_args *a = &g->args;
    store_args_add(a, ev->id);
    store_args_addf(a, "%lld", (long long)ev->ts);
    store_args_add(a, u->has_seen ? ev->movie : "");
    if (u->has_seen)
        store_args_addf(a, "%.9g", u->weight);
    else
        store_args_add(a, "");
    store_args_add(a, u->positive ? "1" : "0");
    store_args_addf(a, "%zu", u->n_ops);
    for (size_t i = 0; i < u->n_ops; i++) {
        char code[2] = { u->ops[i].code, 0 };
        store_args_add(a, code);
        store_args_add(a, u->ops[i].field);
        store_args_addf(a, "%.9g", u->ops[i].value);
    }
    b->count++;
    return a->oom ? -1 : 0;
}

int store_batch_add_movie(struct store_batch *b, const struct catalog_movie *cm)
{
    char key[512];
    snprintf(key, sizeof key, "%s:movie:%s", b->s->d->cfg.redis_prefix, cm->m.id);
    store_args_add(&b->movies, key);
    store_args_add(&b->movies, cm->json);
    store_args_add(&b->movies, cm->m.id);
    b->n_movie_cmds++;
    b->count++;
    return b->movies.oom ? -1 : 0;
}

static void store_batch_finish(struct store_batch *b)
{
    if (b->outstanding > 0)
        return;
    struct store *s = b->s;
    if (b->failed) {
        /* keep it: it is resent once Redis is back */
        b->failed = 0;
        b->next = NULL;
        if (s->retry_tail)
            s->retry_tail->next = b;
        else
            s->retry_head = b;
        s->retry_tail = b;
        if (s->connected)
            store_resubmit_all(s);
        return;
    }
    metrics_inc(M_BATCHES, 1);
    if (b->cb)
        b->cb(b->arg, 1);
    store_batch_free(b);
}

static void store_cmd_done(struct store_batch *b, redisReply *r, const char *what)
{
    if (!r) {
        b->failed = 1;
    } else if (r->type == REDIS_REPLY_ERROR) {
        log_err("redis: %s failed: %s", what, r->str);
        metrics_inc(M_REDIS_ERRORS, 1);
        b->failed = 1;
    }
}

static void store_global_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_batch *b = priv;
    struct store *s = ac->data;
    if (s->pending)
        s->pending--;
    store_cmd_done(b, reply, "co-occurrence update");
    b->outstanding--;
    store_batch_finish(b);
}

static void store_send(struct store *s, struct store_batch *b, redisCallbackFn *fn,
                       void *priv, struct store_args *a)
{
    const char **argv = malloc(a->n * sizeof *argv);
    if (!argv) {
        b->failed = 1;
        return;
    }
    for (size_t i = 0; i < a->n; i++)
        argv[i] = a->buf + a->off[i];
    if (redisAsyncCommandArgv(s->ac, fn, priv, (int)a->n, argv, a->alen) == REDIS_OK) {
        b->outstanding++;
        s->pending++;
    } else {
        b->failed = 1;
    }
    free(argv);
}

struct store_group_ctx {
    struct store_batch *b;
    struct store_group *g;
};

static void store_batch_co(struct store_batch *b, const char *m, const char *p)
{
    struct strmap_entry *e = strmap_put(&b->co, m);
    if (!e)
        return;
    if (!e->ptr) {
        struct strmap *n = malloc(sizeof *n);
        if (!n)
            return;
        strmap_init(n);
        e->ptr = n;
    }
    struct strmap_entry *c = strmap_put(e->ptr, p);
    if (c)
        c->num += 1;
}

/* Send the batch's summed popularity and co-occurrence increments. */
static void store_batch_globals(struct store *s, struct store_batch *b)
{
    const char *prefix = s->d->cfg.redis_prefix;
    char key[512];
    size_t it = 0;
    struct strmap_entry *e;
    if (b->pop.len) {
        struct store_args a = { 0 };
        store_args_add(&a, "EVALSHA");
        store_args_add(&a, s->sha_zincr);
        store_args_add(&a, "1");
        snprintf(key, sizeof key, "%s:pop", prefix);
        store_args_add(&a, key);
        while ((e = strmap_next(&b->pop, &it))) {
            store_args_add(&a, e->key);
            store_args_addf(&a, "%.0f", e->num);
        }
        store_send(s, b, store_global_cb, b, &a);
        store_args_free(&a);
    }
    it = 0;
    while ((e = strmap_next(&b->co, &it))) {
        struct store_args a = { 0 };
        store_args_add(&a, "EVALSHA");
        store_args_add(&a, s->sha_hincr);
        store_args_add(&a, "1");
        snprintf(key, sizeof key, "%s:{i:%s}:co", prefix, e->key);
        store_args_add(&a, key);
        size_t jt = 0;
        struct strmap_entry *c;
        while ((c = strmap_next(e->ptr, &jt))) {
            store_args_add(&a, c->key);
            store_args_addf(&a, "%.0f", c->num);
        }
        store_send(s, b, store_global_cb, b, &a);
        store_args_free(&a);
    }
    strmap_clear(&b->co, store_map_free);
    strmap_clear(&b->pop, NULL);
}

static void store_apply_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_group_ctx *gc = priv;
    struct store_batch *b = gc->b;
    struct store_group *g = gc->g;
    struct store *s = ac->data;
    free(gc);
    if (s->pending)
        s->pending--;
    b->outstanding--;
    b->groups_pending--;
    redisReply *r = reply;
    store_cmd_done(b, r, "apply script");
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 * g->n_events) {
        for (size_t i = 0; i < g->n_events; i++) {
            long long st = r->element[2 * i]->integer;
            redisReply *partners = r->element[2 * i + 1];
            if (st == 0) {
                metrics_inc(M_EVENTS_DUPLICATE, 1);
                continue;
            }
            metrics_inc(M_EVENTS_APPLIED, 1);
            if (st & 4)
                metrics_inc(M_EMOTION_DROPPED, 1);
            if ((st & 3) != 2 || !s->connected)
                continue;
            /* a new positive item: popularity and co-occurrence, summed
             * over the batch and written once it is all applied */
            const char *m = g->movies[i];
            struct strmap_entry *pe = strmap_put(&b->pop, m);
            if (pe)
                pe->num += 1;
            for (size_t k = 0; partners && partners->type == REDIS_REPLY_ARRAY && k < partners->elements; k++) {
                const char *p = partners->element[k]->str;
                if (!p || strcmp(p, m) == 0)
                    continue;
                store_batch_co(b, m, p);
                store_batch_co(b, p, m);
            }
        }
        publish_viewer_changed(s->d->publish, g->user);
    } else if (r && r->type != REDIS_REPLY_ERROR) {
        log_err("redis: unexpected reply to the apply script");
        b->failed = 1;
    }
    if (b->groups_pending == 0 && !b->failed && s->connected)
        store_batch_globals(s, b);
    store_batch_finish(b);
}

static void store_movie_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_batch *b = priv;
    struct store *s = ac->data;
    if (s->pending)
        s->pending--;
    store_cmd_done(b, reply, "catalog write");
    b->outstanding--;
    store_batch_finish(b);
}

static void store_batch_send(struct store_batch *b)
{
    struct store *s = b->s;
    const struct recut_config *cfg = &s->d->cfg;
    b->outstanding++; /* guard while sending */
    size_t it = 0;
    struct strmap_entry *e;
    while ((e = strmap_next(&b->groups, &it))) {
        struct store_group *g = e->ptr;
        struct store_args a = { 0 };
        store_args_add(&a, "EVALSHA");
        store_args_add(&a, s->sha);
        store_args_addf(&a, "%d", STORE_N_VIEWER_KEYS);
        for (int k = 0; k < STORE_N_VIEWER_KEYS; k++) {
            char key[512];
            store_key(key, sizeof key, s, g->user, store_viewer_keys[k]);
            store_args_add(&a, key);
        }
        store_args_addf(&a, "%d", cfg->ids_max);
        store_args_addf(&a, "%d", cfg->history_max);
        store_args_addf(&a, "%d", cfg->cooc_window);
        store_args_addf(&a, "%zu", g->n_events);
        for (size_t i = 0; i < g->args.n; i++)
            store_args_addn(&a, g->args.buf + g->args.off[i], g->args.alen[i]);
        struct store_group_ctx *gc = malloc(sizeof *gc);
        if (!gc || a.oom) {
            free(gc);
            b->failed = 1;
        } else {
            gc->b = b;
            gc->g = g;
            size_t before = (size_t)b->outstanding;
            store_send(s, b, store_apply_cb, gc, &a);
            if ((size_t)b->outstanding == before)
                free(gc);
            else
                b->groups_pending++;
        }
        store_args_free(&a);
    }
    for (size_t i = 0; i < b->n_movie_cmds; i++) {
        struct store_args a = { 0 };
        const struct store_args *m = &b->movies;
        store_args_add(&a, "SET");
        store_args_addn(&a, m->buf + m->off[3 * i], m->alen[3 * i]);
        store_args_addn(&a, m->buf + m->off[3 * i + 1], m->alen[3 * i + 1]);
        store_send(s, b, store_movie_cb, b, &a);
        store_args_free(&a);
        char key[512];
        snprintf(key, sizeof key, "%s:movies", cfg->redis_prefix);
        store_args_add(&a, "SADD");
        store_args_add(&a, key);
        store_args_addn(&a, m->buf + m->off[3 * i + 2], m->alen[3 * i + 2]);
        store_send(s, b, store_movie_cb, b, &a);
        store_args_free(&a);
    }
    b->outstanding--;
    store_batch_finish(b);
}

static void store_resubmit_all(struct store *s)
{
    struct store_batch *b = s->retry_head;
    s->retry_head = s->retry_tail = NULL;
    while (b) {
        struct store_batch *next = b->next;
        log_info("redis: re-sending a batch of %zu events", b->count);
        store_batch_send(b);
        b = next;
    }
}

void store_batch_submit(struct store_batch *b, void (*cb)(void *arg, int ok), void *arg)
{
    b->cb = cb;
    b->arg = arg;
    b->submitted = 1;
    struct store *s = b->s;
    if (!s->connected) {
        b->next = NULL;
        if (s->retry_tail)
            s->retry_tail->next = b;
        else
            s->retry_head = b;
        s->retry_tail = b;
        return;
    }
    store_batch_send(b);
}

/* ---- loading a viewer -------------------------------------------------- */
struct store_load {
    struct store *s;
    recut_viewer v;
    int stage, outstanding, failed, known;
    struct strmap cooc;        /* movie -> struct strmap* */
    store_viewer_fn cb;
    void *arg;
};

static void store_load_free_map(void *p)
{
    strmap_clear(p, NULL);
    free(p);
}

static double store_load_pop(void *ctx, const char *movie)
{
    struct store *s = ctx;
    struct strmap_entry *e = strmap_get(&s->pop, movie);
    return e ? e->num : 0;
}

static const struct strmap *store_load_cooc(void *ctx, const char *movie);
static double store_load_pop_l(void *ctx, const char *movie);

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
    struct recommend_globals g = { .pop = store_load_pop_l, .max_pop = l->s->max_pop,
                                   .cooc = store_load_cooc, .ctx = l };
    l->cb(l->arg, !l->failed, &l->v, &g, l->known);
    viewer_free(&l->v);
    strmap_clear(&l->cooc, store_load_free_map);
    free(l);
}

static const struct strmap *store_load_cooc(void *ctx, const char *movie)
{
    struct store_load *l = ctx;
    struct strmap_entry *e = strmap_get(&l->cooc, movie);
    return e ? e->ptr : NULL;
}

static double store_load_pop_l(void *ctx, const char *movie)
{
    return store_load_pop(((struct store_load *)ctx)->s, movie);
}

static void store_hash_into(struct store_load *l, redisReply *r, char which)
{
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (!r || r->type == REDIS_REPLY_ERROR)
            l->failed = 1;
        return;
    }
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        redisReply *k = r->element[i], *v = r->element[i + 1];
        if (!k->str || !v->str)
            continue;
        if (which == 'M') {
            if (strcmp(k->str, "events") == 0)
                l->v.events = atoll(v->str);
            else if (strcmp(k->str, "consent") == 0)
                l->v.consent = strcmp(v->str, "1") == 0;
            l->known = 1;
            continue;
        }
        viewer_load_field(&l->v, which, k->str, k->len, v->str);
    }
}

struct store_load_cmd {
    struct store_load *l;
    char which;                 /* M N S C E H (hist) P (pop) O (cooc) */
    char movie[VEVENT_ID_MAX + 1];
};

static void store_load_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_load_cmd *c = priv;
    struct store_load *l = c->l;
    struct store *s = ac->data;
    if (s->pending)
        s->pending--;
    redisReply *r = reply;
    if (!r || r->type == REDIS_REPLY_ERROR) {
        if (r)
            log_err("redis: read failed: %s", r->str);
        l->failed = 1;
    } else if (c->which == 'H') {
        for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
            if (r->element[i]->str)
                viewer_push_hist(&l->v, r->element[i]->str, 1);
    } else if (c->which == 'P') {
        strmap_clear(&s->pop, NULL);
        s->max_pop = 0;
        for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
            struct strmap_entry *e = strmap_put(&s->pop, r->element[i]->str);
            if (e) {
                e->num = strtod(r->element[i + 1]->str, NULL);
                if (e->num > s->max_pop)
                    s->max_pop = e->num;
            }
        }
        s->pop_loaded = time(NULL);
        s->pop_loading = 0;
    } else if (c->which == 'O') {
        struct strmap *m = malloc(sizeof *m);
        struct strmap_entry *e = m ? strmap_put(&l->cooc, c->movie) : NULL;
        if (!e) {
            free(m);
        } else {
            strmap_init(m);
            e->ptr = m;
            for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
                struct strmap_entry *x = strmap_put(m, r->element[i]->str);
                if (x)
                    x->num = strtod(r->element[i + 1]->str, NULL);
            }
        }
    } else {
        store_hash_into(l, r, c->which);
    }
    free(c);
    l->outstanding--;
    store_load_done(l);
}

static void store_load_send(struct store_load *l, char which, const char *movie,
                            const char *fmt, ...)
{
    struct store *s = l->s;
    struct store_load_cmd *c = calloc(1, sizeof *c);
    if (!c || !s->ac) {
        free(c);
        l->failed = 1;
        return;
    }
    c->l = l;
    c->which = which;
    if (movie)
        snprintf(c->movie, sizeof c->movie, "%s", movie);
    va_list ap;
    va_start(ap, fmt);
    int rc = redisvAsyncCommand(s->ac, store_load_cb, c, fmt, ap);
    va_end(ap);
    if (rc != REDIS_OK) {
        free(c);
        l->failed = 1;
        return;
    }
    s->pending++;
    l->outstanding++;
}

static void store_load_stage2(struct store_load *l)
{
    l->stage = 2;
    struct store *s = l->s;
    size_t w = l->v.n_hist < (size_t)s->d->cfg.cooc_window ? l->v.n_hist : (size_t)s->d->cfg.cooc_window;
    for (size_t i = 0; i < w; i++)
        store_load_send(l, 'O', l->v.hist[i], "HGETALL %s:{i:%s}:co", s->d->cfg.redis_prefix, l->v.hist[i]);
}

void store_load_viewer(struct store *s, const char *user, store_viewer_fn cb, void *arg)
{
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
    const char *p = s->d->cfg.redis_prefix;
    l->outstanding++; /* guard */
    store_load_send(l, 'M', NULL, "HGETALL %s:{u:%s}:meta", p, user);
    store_load_send(l, 'N', NULL, "HGETALL %s:{u:%s}:nb", p, user);
    store_load_send(l, 'S', NULL, "HGETALL %s:{u:%s}:seen", p, user);
    store_load_send(l, 'C', NULL, "HGETALL %s:{u:%s}:scenes", p, user);
    store_load_send(l, 'E', NULL, "HGETALL %s:{u:%s}:emo", p, user);
    store_load_send(l, 'H', NULL, "LRANGE %s:{u:%s}:hist 0 -1", p, user);
    if (!s->pop_loading && time(NULL) - s->pop_loaded >= 1) {
        s->pop_loading = 1;
        store_load_send(l, 'P', NULL, "ZRANGE %s:pop 0 -1 WITHSCORES", p);
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
    if (s->pending)
        s->pending--;
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

static const char store_lua_forget[] =
    "local n = 0\n"
    "for _, k in ipairs(redis.call('SMEMBERS', KEYS[8])) do n = n + redis.call('DEL', k) end\n"
    "return n + redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8])\n";

void store_forget(struct store *s, const char *user, void (*cb)(void *arg, int ok, long long n), void *arg)
{
    struct store_simple *x = calloc(1, sizeof *x);
    if (!x || !s->connected) {
        free(x);
        cb(arg, 0, 0);
        return;
    }
    x->cb = cb;
    x->arg = arg;
    struct store_args a = { 0 };
    store_args_add(&a, "EVAL");
    store_args_add(&a, store_lua_forget);
    store_args_addf(&a, "%d", STORE_N_VIEWER_KEYS);
    for (int k = 0; k < STORE_N_VIEWER_KEYS; k++) {
        char key[512];
        store_key(key, sizeof key, s, user, store_viewer_keys[k]);
        store_args_add(&a, key);
    }
    const char **argv = malloc(a.n * sizeof *argv);
    int ok = argv && !a.oom;
    for (size_t i = 0; ok && i < a.n; i++)
        argv[i] = a.buf + a.off[i];
    if (ok && redisAsyncCommandArgv(s->ac, store_simple_cb, x, (int)a.n, argv, a.alen) == REDIS_OK) {
        s->pending++;
    } else {
        free(x);
        cb(arg, 0, 0);
    }
    free(argv);
    store_args_free(&a);
}

void store_put_movie(struct store *s, const struct catalog_movie *cm, void (*cb)(void *arg, int ok), void *arg)
{
    struct store_simple *x = calloc(1, sizeof *x);
    if (!x || !s->connected) {
        free(x);
        cb(arg, 0);
        return;
    }
    x->cb2 = cb;
    x->arg = arg;
    const char *p = s->d->cfg.redis_prefix;
    /* MULTI/EXEC so the entry and the index change together */
    redisAsyncCommand(s->ac, NULL, NULL, "MULTI");
    redisAsyncCommand(s->ac, NULL, NULL, "SET %s:movie:%s %s", p, cm->m.id, cm->json);
    redisAsyncCommand(s->ac, NULL, NULL, "SADD %s:movies %s", p, cm->m.id);
    redisAsyncCommand(s->ac, store_simple_cb, x, "EXEC");
    s->pending++;
}

int store_load_catalog(struct store *s, struct catalog *c, char *errstr, size_t errstr_size)
{
    redisContext *rc = store_sync_connect(s, errstr, errstr_size);
    if (!rc)
        return -1;
    const char *p = s->d->cfg.redis_prefix;
    redisReply *ids = redisCommand(rc, "SMEMBERS %s:movies", p);
    if (!ids || ids->type != REDIS_REPLY_ARRAY) {
        snprintf(errstr, errstr_size, "redis: cannot read the catalog index: %s",
                 ids && ids->type == REDIS_REPLY_ERROR ? ids->str : rc->errstr);
        if (ids)
            freeReplyObject(ids);
        redisFree(rc);
        return -1;
    }
    size_t loaded = 0, bad = 0;
    for (size_t i = 0; i < ids->elements; i++)
        redisAppendCommand(rc, "GET %s:movie:%s", p, ids->element[i]->str);
    for (size_t i = 0; i < ids->elements; i++) {
        redisReply *r = NULL;
        if (redisGetReply(rc, (void **)&r) != REDIS_OK) {
            snprintf(errstr, errstr_size, "redis: %s", rc->errstr);
            freeReplyObject(ids);
            redisFree(rc);
            return -1;
        }
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
        if (r)
            freeReplyObject(r);
    }
    freeReplyObject(ids);
    redisFree(rc);
    log_info("catalog: %zu movies loaded from Redis%s", loaded, bad ? " (some invalid, skipped)" : "");
    return 0;
}
