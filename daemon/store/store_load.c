/* SPDX-License-Identifier: Apache-2.0 */
/* store_load.c -- a viewer read for an answer (recommendations, a cut, a
 * profile, a publication).
 *
 * Two paths: a viewer this instance applies events to is answered at once
 * from its cache and the co-occurrence rows held in memory
 * (store_items.c); any other is read from Redis with pipelined reads, then
 * the rows of its recent positives that memory lacks (stage 2).  Split from
 * store_redis.c, which owns the connection and the writes. */
#include "config.h"
#include "store-internal.h"
#include "viewer_blob.h"
#include "store_emo.h"

#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- loading a viewer -------------------------------------------------- */
struct store_load {
    struct store *s;
    recut_viewer v;
    int stage, outstanding, failed, known;
    int has_blob;       /* the state blob was read: the other keys are left-overs */
    struct strmap cooc; /* movie -> struct store_row* (a reference) */
    store_viewer_fn cb;
    void *arg;
};

static void store_load_free_row(void *p)
{
    store_row_unref(p);
}

/* The globals as recommend_top reads them (recommend.h), ctx the store;
 * a load's own (ctx the load) go through these. */
static double store_mem_pop(void *ctx, const char *movie)
{
    struct store *s = ctx;
    struct strmap_entry *e = strmap_get(&s->pop, movie);
    return e ? e->num : 0;
}

static const char *store_mem_popular_at(void *ctx, size_t rank, double *pop)
{
    const struct store *s = ctx;
    if (rank >= s->n_pop_sorted)
        return NULL;
    *pop = s->pop_sorted[rank].pop;
    return s->pop_sorted[rank].id;
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
    return store_mem_popular_at(((struct store_load *)ctx)->s, rank, pop);
}

static void store_load_stage2(struct store_load *l);
static double store_load_pop_index(void *ctx, size_t i);
static const struct recommend_partner *store_load_cooc_row(void *ctx, const char *movie, size_t *n);

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
    const double *pop_idx = store_items_pop_index(l->s);
    struct recommend_globals g = { .pop = store_load_pop_l,
                                   .max_pop = l->s->max_pop,
                                   .cooc = store_load_cooc,
                                   .ctx = l,
                                   .popular_at = l->s->pop_sorted ? store_load_popular_at : NULL,
                                   .cooc_cat = pop_idx ? &l->s->d->catalog : NULL,
                                   .pop_index = pop_idx ? store_load_pop_index : NULL,
                                   .cooc_row = pop_idx ? store_load_cooc_row : NULL,
                                   .work = l->s->rec_work };
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
    return store_mem_pop(((struct store_load *)ctx)->s, movie);
}

static double store_load_pop_index(void *ctx, size_t i)
{
    return store_items_pop_at(((struct store_load *)ctx)->s, i);
}

/* The rows this read holds (from memory or just read), as arrays by
 * catalog index, as the fast path gives them. */
static const struct recommend_partner *store_load_cooc_row(void *ctx, const char *movie, size_t *n)
{
    struct store_load *l = ctx;
    struct strmap_entry *e = strmap_get(&l->cooc, movie);
    return e && e->ptr ? store_items_partners(l->s, e->ptr, n) : NULL;
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
    } else if (c->which == 'B') {
        char err[128];
        if (r->type == REDIS_REPLY_STRING) {
            if (viewer_blob_decode(r->str, r->len, &l->v, NULL, NULL, NULL, err, sizeof err) < 0) {
                log_err("redis: viewer %s cannot be read: %s", l->v.id, err);
                l->failed = 1;
            } else {
                l->has_blob = l->known = 1;
            }
        }
    } else if (l->has_blob && strchr("MNSCH", c->which)) {
        /* (left from the layout before the blob) */
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

static const struct recommend_partner *store_mem_cooc_row(void *ctx, const char *movie, size_t *n)
{
    struct store_row *r = store_items_get(ctx, movie);
    return r ? store_items_partners(ctx, r, n) : NULL;
}

static double store_mem_pop_index(void *ctx, size_t i)
{
    return store_items_pop_at(ctx, i);
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
                                   .pop_index = pop_idx ? store_mem_pop_index : NULL,
                                   .cooc_row = pop_idx ? store_mem_cooc_row : NULL,
                                   .work = s->rec_work };
    metrics_inc(M_VIEWER_READS_MEMORY, 1);
    cb(arg, 1, &vc->v, &g, vc->v.events > 0);
    return 0;
}

/* The cached viewer's state into l->v (through its blob: a deep copy by
 * the code that writes it; the emotion sums, kept apart, copied).  1 when copied, 0 when not cached or not
 * copied (then Redis is read). */
static int store_load_copy_cached(struct store_load *l, const char *user)
{
    struct strmap_entry *e = strmap_get(&l->s->cache, user);
    struct store_vc *vc = e ? e->ptr : NULL;
    if (!vc || vc->loading || vc->bad || vc->detached)
        return 0;
    unsigned char *blob = NULL;
    size_t len = 0;
    char err[128];
    if (viewer_blob_encode(&vc->v, vc->last_ts, NULL, NULL, &blob, &len, err, sizeof err) < 0)
        return 0;
    int rc = viewer_blob_decode(blob, len, &l->v, NULL, NULL, NULL, err, sizeof err);
    free(blob);
    /* the emotion sums are not in the blob (sealed in a key of their own) */
    size_t it = 0;
    const struct strmap_entry *me;
    while (rc == 0 && (me = strmap_next(&vc->v.emo, &it))) {
        struct strmap_entry *ne = strmap_putn(&l->v.emo, me->key, me->len);
        if (!ne)
            rc = -2;
        else
            ne->num = me->num;
    }
    if (rc < 0) { /* (out of memory): empty again, and read from Redis */
        viewer_free(&l->v);
        viewer_init(&l->v, user, l->s->d->cfg.nb_alpha);
        return 0;
    }
    l->known = l->has_blob = vc->v.events > 0;
    return 1;
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
    /* a viewer in the cache is newer than Redis (written behind): its
     * state comes from there, the rest from Redis */
    int copied = store_load_copy_cached(l, user);
    for (size_t i = 0; !copied && i < STORE_N_VIEWER_READS; i++)
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
