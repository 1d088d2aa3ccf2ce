/* SPDX-License-Identifier: Apache-2.0 */
/* store_items.c -- every movie's co-occurrence neighbours, in memory.
 *
 * A recommendation reads the co-occurrence rows of the viewer's recent
 * positives (up to 16 of them).  Reading and summing them from Redis for
 * every request cost a round trip and the parse of rows of thousands of
 * partners each, on the loop that also applies the event stream: that was
 * most of a request's time.  Rows are therefore kept here, each trimmed to
 * its [models] neighbours strongest partners, and shared by every request.
 * Redis stays the truth that every instance writes and reads: a row older
 * than [models] item_ttl_ms is still used, and read again in the
 * background (so another instance's counts show up within that time), and a
 * row nobody has asked for yet is read when it is first needed.
 *
 * Rows are reference counted: a request that waits for Redis holds the rows
 * it has already got, and a refresh replaces a row without freeing it under
 * that request. */
#include "config.h"
#include "store-internal.h"
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct log_ratelimit store_items_rl = LOG_RATELIMIT_INIT(10, 5);

struct store_item {
    struct store_row *row; /* NULL until first read */
    int reading;           /* a read is in flight */
};

struct store_row *store_row_new(void)
{
    struct store_row *r = calloc(1, sizeof *r);
    if (r) {
        r->refs = 1;
        strmap_init(&r->m);
    }
    return r;
}

void store_row_ref(struct store_row *r)
{
    r->refs++;
}

void store_row_unref(struct store_row *r)
{
    if (r && --r->refs == 0) {
        strmap_clear(&r->m, NULL);
        free(r->pk);
        free(r);
    }
}

struct store_pair {
    const char *id;
    uint32_t len;
    double n;
};

/* Strongest first; equal counts by id, so every instance keeps the same. */
static int store_pair_cmp(const void *a, const void *b)
{
    const struct store_pair *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->id, y->id);
}

static void store_pair_swap(struct store_pair *a, struct store_pair *b)
{
    struct store_pair t = *a;
    *a = *b;
    *b = t;
}

/* Move the k strongest of p[0..n) to p[0..k), in no order (quickselect:
 * a row is re-read every item_ttl_ms, and sorting all its partners was
 * most of the loop's time under load). */
static void store_pair_select(struct store_pair *p, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* the k-th is in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        /* median of three as the pivot, kept at hi - 1 */
        if (store_pair_cmp(&p[mid], &p[lo]) < 0)
            store_pair_swap(&p[mid], &p[lo]);
        if (store_pair_cmp(&p[hi - 1], &p[lo]) < 0)
            store_pair_swap(&p[hi - 1], &p[lo]);
        if (store_pair_cmp(&p[mid], &p[hi - 1]) < 0)
            store_pair_swap(&p[mid], &p[hi - 1]);
        struct store_pair pivot = p[hi - 1];
        size_t store = lo;
        for (size_t i = lo; i < hi - 1; i++)
            if (store_pair_cmp(&p[i], &pivot) < 0)
                store_pair_swap(&p[i], &p[store++]);
        store_pair_swap(&p[store], &p[hi - 1]);
        if (store == k)
            return;
        if (store < k)
            lo = store + 1;
        else
            hi = store;
    }
}

/* Row's partners as an array (r->m.len of them; the ids are borrowed), or
 * NULL out of memory. */
static struct store_pair *store_row_pairs(const struct store_row *r)
{
    struct store_pair *p = malloc((r->m.len ? r->m.len : 1) * sizeof *p);
    size_t n = 0, it = 0;
    struct strmap_entry *e;
    while (p && (e = strmap_next(&r->m, &it)))
        p[n++] = (struct store_pair){ e->key, e->len, e->num };
    return p;
}

/* Keep the k partners with the highest counts (0: all). */
static int store_row_trim(struct store_row *r, size_t k)
{
    if (k == 0 || r->m.len <= k)
        return 0;
    struct store_pair *p = store_row_pairs(r);
    if (!p)
        return -1;
    store_pair_select(p, r->m.len, k);
    struct strmap kept;
    strmap_init(&kept);
    for (size_t i = 0; i < k; i++) {
        struct strmap_entry *x = strmap_putn(&kept, p[i].id, p[i].len);
        if (!x) {
            strmap_clear(&kept, NULL);
            free(p);
            return -1;
        }
        x->num = p[i].n;
    }
    free(p);
    strmap_clear(&r->m, NULL);
    r->m = kept;
    return 0;
}

void store_items_init(struct store *s)
{
    strmap_init(&s->items);
}

static void store_item_free(void *p)
{
    struct store_item *it = p;
    store_row_unref(it->row);
    free(it);
}

void store_items_fini(struct store *s)
{
    strmap_clear(&s->items, store_item_free);
    free(s->pop_idx);
    s->pop_idx = NULL;
    s->n_pop_idx = 0;
}

/* Sort p[0..n) by catalog index, below 2^(8 * digits): least significant
 * byte first, through tmp (n elements).  A row of thousands of partners is
 * sorted after every refresh, and qsort's comparisons through a function
 * pointer were a twentieth of the loop under load. */
static void store_partners_sort(struct recommend_partner *p, struct recommend_partner *tmp,
                                size_t n, unsigned digits)
{
    struct recommend_partner *from = p, *to = tmp;
    for (unsigned d = 0; d < digits; d++) {
        size_t count[257] = { 0 };
        unsigned shift = 8 * d;
        for (size_t i = 0; i < n; i++)
            count[((from[i].index >> shift) & 0xff) + 1]++;
        for (size_t b = 1; b < 257; b++)
            count[b] += count[b - 1];
        for (size_t i = 0; i < n; i++)
            to[count[(from[i].index >> shift) & 0xff]++] = from[i];
        struct recommend_partner *t = from;
        from = to;
        to = t;
    }
    if (from != p)
        memcpy(p, from, n * sizeof *p);
}

void store_items_resolve(struct store *s, struct store_row *row)
{
    const struct catalog *cat = &s->d->catalog;
    if (row->resolved && row->cat_changes == cat->changes)
        return;
    /* the array is rebuilt whole; without memory, the row has none (the
     * ranking then reads the map: same answer, slower) */
    free(row->pk);
    row->n_pk = 0;
    row->pk = malloc((row->m.len ? row->m.len : 1) * sizeof *row->pk);
    size_t it = 0;
    struct strmap_entry *e;
    while ((e = strmap_next(&row->m, &it))) {
        /* (the row's map hashed the id already: the catalog's map shares
         * the hash function) */
        const struct catalog_movie *m = catalog_geth(cat, e->key, e->len, e->hash);
        e->ptr = (void *)m;
        if (m && row->pk)
            row->pk[row->n_pk++] = (struct recommend_partner){ m->index, e->num };
    }
    /* in catalog order: the ranking's per-movie arrays are then walked
     * forward */
    struct recommend_partner *tmp =
        row->pk ? malloc((row->n_pk ? row->n_pk : 1) * sizeof *tmp) : NULL;
    unsigned digits = 1;
    while (digits < sizeof(size_t) && (cat->n >> (8 * digits)) > 0)
        digits++;
    if (tmp)
        store_partners_sort(row->pk, tmp, row->n_pk, digits);
    free(tmp);
    row->resolved = 1;
    row->cat_changes = cat->changes;
}

const struct recommend_partner *store_items_partners(struct store *s, struct store_row *row,
                                                     size_t *n)
{
    store_items_resolve(s, row);
    *n = row->n_pk;
    return row->pk;
}

double store_items_pop_at(const struct store *s, size_t i)
{
    return i < s->n_pop_idx ? s->pop_idx[i] : 0;
}

const double *store_items_pop_index(struct store *s)
{
    const struct catalog *cat = &s->d->catalog;
    if (s->pop_idx && s->n_pop_idx == cat->n && s->pop_idx_gen == s->pop_gen &&
        s->pop_idx_cat == cat->changes)
        return s->pop_idx;
    double *p = realloc(s->pop_idx, (cat->n ? cat->n : 1) * sizeof *p);
    if (!p)
        return NULL;
    s->pop_idx = p;
    for (size_t i = 0; i < cat->n; i++) {
        struct strmap_entry *e = strmap_get(&s->pop, cat->list[i]->m.id);
        p[i] = e ? e->num : 0;
    }
    s->n_pop_idx = cat->n;
    s->pop_idx_gen = s->pop_gen;
    s->pop_idx_cat = cat->changes;
    return p;
}

static struct store_item *store_item_find(struct store *s, const char *movie, int create)
{
    struct strmap_entry *e = create ? strmap_put(&s->items, movie) : strmap_get(&s->items, movie);
    if (!e)
        return NULL;
    if (!e->ptr && create) {
        e->ptr = calloc(1, sizeof(struct store_item));
        if (!e->ptr) {
            strmap_del(&s->items, movie, NULL);
            return NULL;
        }
    }
    return e->ptr;
}

struct store_row *store_items_install(struct store *s, const char *movie, struct store_row *row)
{
    if (store_row_trim(row, (size_t)s->d->cfg.neighbours) < 0)
        return NULL;
    row->at_ms = clock_mono_ms();
    struct store_item *it = store_item_find(s, movie, 1);
    if (!it)
        return NULL;
    store_row_unref(it->row);
    store_row_ref(row);
    it->row = row;
    return row;
}

/* A reply of store_cooc_read made movie's row: the row (a reference for the
 * caller), or NULL (an error reply, logged; out of memory). */
static struct store_row *store_items_take(struct store *s, const char *movie, const redisReply *r)
{
    if (!r || r->type == REDIS_REPLY_ERROR) {
        if (r)
            log_limited(&store_items_rl, LOG_LVL_ERR, "redis: reading co-occurrence of %s: %s",
                        movie, r->str);
        return NULL;
    }
    struct store_row *row = store_row_new();
    if (!row)
        return NULL;
    store_cooc_parse(r, movie, &row->m, NULL);
    if (!store_items_install(s, movie, row)) {
        store_row_unref(row);
        return NULL;
    }
    return row;
}

struct store_items_read {
    char movie[VEVENT_ID_MAX + 1];
};

static void store_items_read_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_items_read *x = priv;
    struct store *s = ac->data;
    store_replied(s);
    struct store_item *it = store_item_find(s, x->movie, 0);
    if (it)
        it->reading = 0;
    store_row_unref(store_items_take(s, x->movie, reply));
    free(x);
}

/* Read movie's row again in the background (once at a time). */
static void store_items_refresh(struct store *s, struct store_item *it, const char *movie)
{
    if (it->reading || !s->connected || !store_route_linked(s))
        return;
    struct store_items_read *x = malloc(sizeof *x);
    if (!x)
        return;
    snprintf(x->movie, sizeof x->movie, "%s", movie);
    if (store_cooc_read(s, movie, store_items_read_cb, x) < 0) { /* (counts s->pending) */
        free(x);
        return;
    }
    it->reading = 1;
}

struct store_row *store_items_get(struct store *s, const char *movie)
{
    struct store_item *it = store_item_find(s, movie, 0);
    if (!it || !it->row)
        return NULL;
    if (clock_mono_ms() - it->row->at_ms >= s->d->cfg.item_ttl_ms)
        store_items_refresh(s, it, movie);
    return it->row;
}

/* ---- a movie's neighbours, for GET /v1/movies/ID/neighbours ---------------- */
static void store_neighbours_answer(struct store_row *row, store_neighbours_fn cb, void *arg)
{
    struct store_pair *p = store_row_pairs(row);
    struct store_neighbour *nb = malloc((row->m.len ? row->m.len : 1) * sizeof *nb);
    if (!p || !nb) {
        free(p);
        free(nb);
        cb(arg, 0, NULL, 0);
        return;
    }
    size_t n = row->m.len;
    qsort(p, n, sizeof *p, store_pair_cmp);
    for (size_t i = 0; i < n; i++)
        nb[i] = (struct store_neighbour){ p[i].id, p[i].n };
    cb(arg, 1, nb, n);
    free(p);
    free(nb);
}

struct store_neighbours_read {
    char movie[VEVENT_ID_MAX + 1];
    store_neighbours_fn cb;
    void *arg;
};

static void store_neighbours_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_neighbours_read *x = priv;
    struct store *s = ac->data;
    store_replied(s);
    struct store_row *row = store_items_take(s, x->movie, reply);
    if (row)
        store_neighbours_answer(row, x->cb, x->arg);
    else
        x->cb(x->arg, 0, NULL, 0);
    store_row_unref(row);
    free(x);
}

void store_neighbours(struct store *s, const char *movie, store_neighbours_fn cb, void *arg)
{
    struct store_row *row = store_items_get(s, movie);
    if (row) {
        store_neighbours_answer(row, cb, arg);
        return;
    }
    struct store_neighbours_read *x = calloc(1, sizeof *x);
    if (!x || !s->connected || !store_route_linked(s)) {
        free(x);
        cb(arg, 0, NULL, 0);
        return;
    }
    snprintf(x->movie, sizeof x->movie, "%s", movie);
    x->cb = cb;
    x->arg = arg;
    if (store_cooc_read(s, movie, store_neighbours_cb, x) < 0) { /* (counts s->pending) */
        free(x);
        cb(arg, 0, NULL, 0);
    }
}

/* ---- popularity, read again once it is older than item_ttl_ms ----------- */
static void store_items_pop_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    (void)priv;
    struct store *s = ac->data;
    store_replied(s);
    store_pop_load_reply(s, reply);
}

void store_items_pop_refresh(struct store *s, int force)
{
    if (s->pop_loading || !s->connected || !store_route_linked(s))
        return;
    if (!force && clock_mono_ms() - s->pop_loaded_ms < s->d->cfg.item_ttl_ms)
        return;
    const char *p = s->d->cfg.redis_prefix;
    store_pop_load_begin(s);
    for (unsigned k = 0; k < STORE_POP_SHARDS; k++)
        if (store_route_sendf(s, store_items_pop_cb, NULL, "ZRANGE %s:{pop:%u} 0 -1 WITHSCORES", p,
                              k) == 0) {
            s->pending++;
            store_pop_load_sent(s);
        }
    /* the unsharded key of earlier versions */
    if (store_route_sendf(s, store_items_pop_cb, NULL, "ZRANGE %s:pop 0 -1 WITHSCORES", p) == 0) {
        s->pending++;
        store_pop_load_sent(s);
    }
    if (s->pop_wait == 0)
        s->pop_loading = 0;
}
