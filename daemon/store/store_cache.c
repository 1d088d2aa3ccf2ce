/* SPDX-License-Identifier: Apache-2.0 */
/* store_cache.c -- the viewers recutd is working on, held in memory.
 *
 * Applying a batch needs each of its viewers as Redis has it; reading the
 * viewer for every batch would cost a round trip per viewer and batch, so
 * viewers stay cached (a bounded LRU, store_cache_evict) and are loaded
 * from Redis on first use, with the ids of their applied events for the
 * de-duplication.  A batch waiting for a load is woken when it completes
 * (store_batch_pump).  Split from store_batch.c, which applies batches and
 * writes them back: this file only decides which viewers are in memory. */
#include "config.h"
#include "store-internal.h"
#include "viewer_blob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void store_cache_init(struct store *s)
{
    strmap_init(&s->cache);
    s->cache_max = 200000;
}

static void store_vc_free(struct store_vc *vc)
{
    viewer_free(&vc->v);
    viewer_changes_free(&vc->chg);
    strmap_clear(&vc->ids, NULL);
    for (size_t i = vc->idq_head; i < vc->idq_head + vc->idq_len; i++)
        free(vc->idq[i].id);
    free(vc->idq);
    viewer_blob_cache_free(&vc->order);
    store_outbox_drop(vc);
    free(vc->waiters);
    free(vc);
}

/* What a map holds: its slots, and each key's allocation (ids are short:
 * 32 bytes with malloc's overhead, a round figure rather than a walk). */
static size_t store_map_bytes(const struct strmap *m)
{
    return m->cap * sizeof(struct strmap_entry) + m->len * 32;
}

static size_t store_vc_estimate(const struct store_vc *vc)
{
    const recut_viewer *v = &vc->v;
    return sizeof *vc + store_map_bytes(&v->nb) + store_map_bytes(&v->seen) +
           store_map_bytes(&v->scenes) + store_map_bytes(&v->emo) + v->cap_hist * sizeof(char *) +
           v->n_hist * 32 + store_map_bytes(&vc->ids) + vc->idq_cap * sizeof *vc->idq +
           vc->idq_len * 32 +
           (vc->order.map[0].cap + vc->order.map[1].cap + vc->order.map[2].cap) *
               (sizeof(char *) + sizeof(uint32_t) + sizeof(struct strmap_entry *));
}

void store_vc_account(struct store *s, struct store_vc *vc)
{
    if (vc->detached)
        return;
    size_t now = store_vc_estimate(vc);
    s->cache_bytes = s->cache_bytes - vc->bytes + now;
    vc->bytes = now;
}

static void store_lru_unlink(struct store *s, struct store_vc *vc)
{
    if (vc->prev)
        vc->prev->next = vc->next;
    else if (s->lru_head == vc)
        s->lru_head = vc->next;
    if (vc->next)
        vc->next->prev = vc->prev;
    else if (s->lru_tail == vc)
        s->lru_tail = vc->prev;
    vc->prev = vc->next = NULL;
}

static void store_lru_front(struct store *s, struct store_vc *vc)
{
    store_lru_unlink(s, vc);
    vc->next = s->lru_head;
    if (s->lru_head)
        s->lru_head->prev = vc;
    s->lru_head = vc;
    if (!s->lru_tail)
        s->lru_tail = vc;
}

/* Take vc out of the cache; it is freed once nothing uses it. */
void store_vc_detach(struct store *s, struct store_vc *vc)
{
    if (vc->detached)
        return;
    strmap_del(&s->cache, vc->user, NULL);
    store_lru_unlink(s, vc);
    s->cache_bytes -= vc->bytes;
    vc->bytes = 0;
    vc->detached = 1;
    vc->n_waiters = 0;
    if (vc->refs == 0 && vc->loading == 0)
        store_vc_free(vc);
}

void store_vc_release(struct store_vc *vc)
{
    if (--vc->refs == 0 && vc->detached && vc->loading == 0)
        store_vc_free(vc);
}

size_t store_cache_size(const struct store *s, size_t *bytes)
{
    *bytes = s->cache_bytes;
    return s->cache.len;
}

void store_cache_drop(struct store *s, const char *user)
{
    struct strmap_entry *e = strmap_get(&s->cache, user);
    if (e)
        store_vc_detach(s, e->ptr);
}

void store_cache_clear(struct store *s)
{
    while (s->lru_head)
        store_vc_detach(s, s->lru_head);
}

void store_cache_evict(struct store *s)
{
    struct store_vc *vc = s->lru_tail;
    size_t max_bytes = (size_t)s->d->cfg.redis_cache_bytes;
    while ((s->cache.len > s->cache_max || s->cache_bytes > max_bytes) && vc) {
        struct store_vc *prev = vc->prev;
        if (vc->refs == 0 && vc->loading == 0)
            store_vc_detach(s, vc);
        vc = prev;
    }
}

int store_vc_add_id(struct store_vc *vc, const char *id, int64_t ts)
{
    if (!strmap_put(&vc->ids, id))
        return -1;
    if (vc->idq_head + vc->idq_len == vc->idq_cap) {
        if (vc->idq_head > vc->idq_cap / 2) {
            memmove(vc->idq, vc->idq + vc->idq_head, vc->idq_len * sizeof *vc->idq);
            vc->idq_head = 0;
        } else {
            size_t nc = vc->idq_cap ? vc->idq_cap * 2 : 16;
            struct store_idq *n = realloc(vc->idq, nc * sizeof *n);
            if (!n)
                return -1;
            vc->idq = n;
            vc->idq_cap = nc;
        }
    }
    char *dup = strdup(id);
    if (!dup)
        return -1;
    vc->idq[vc->idq_head + vc->idq_len++] = (struct store_idq){ dup, ts };
    return 0;
}

void store_vc_trim_ids(struct store_vc *vc, size_t max)
{
    while (vc->idq_len > max) {
        char *old = vc->idq[vc->idq_head++].id;
        vc->idq_len--;
        strmap_del(&vc->ids, old, NULL);
        free(old);
    }
}

/* ---- loading a viewer into the cache --------------------------------------- */
struct store_vload {
    struct store_vc *vc;
    char which; /* B M N S C E H I, X (EXISTS of the keys before the blob) */
};

static void store_vc_loaded(struct store *s, struct store_vc *vc)
{
    viewer_finish(&vc->v);
    store_vc_account(s, vc);
    for (size_t i = 0; i < vc->n_waiters; i++)
        store_batch_load_done(vc->waiters[i]);
    vc->n_waiters = 0;
    store_batch_pump(s);
}

/* A key of vc cannot be read (why): its events are rejected (dead-lettered
 * with why, counted), the other viewers go on. */
static void store_vc_damaged(struct store_vc *vc, const char *why)
{
    if (!vc->bad)
        log_warn("redis: viewer %s cannot be read: %s; rejecting its events", vc->user, why);
    metrics_inc(M_REDIS_ERRORS, 1); /* a damaged viewer, not an echo */
    vc->bad = 1;
    snprintf(vc->bad_why, sizeof vc->bad_why, "%s", why);
}

static int store_vc_blob_id(void *ctx, const char *id, size_t len, int64_t ts)
{
    (void)len;
    return store_vc_add_id(ctx, id, ts);
}

/* r is nil, or an empty list or hash (a key that is not there). */
static int store_reply_empty(const redisReply *r)
{
    return r->type == REDIS_REPLY_NIL || (r->type == REDIS_REPLY_ARRAY && r->elements == 0);
}

static int store_vc_read_legacy(struct store *s, struct store_vc *vc);

static void store_vload_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_vload *l = priv;
    struct store_vc *vc = l->vc;
    struct store *s = ac->data;
    redisReply *r = reply;
    char which = l->which;
    free(l);
    store_replied(s);
    vc->loading--;
    if (vc->detached) {
        if (vc->loading == 0 && vc->refs == 0)
            store_vc_free(vc);
        return;
    }
    if (which == 'X') {
        /* how many keys of the layout before the blob are there */
        if (!r || r->type != REDIS_REPLY_INTEGER) {
            store_batch_reset(s, r && r->str ? r->str : "connection lost while loading a viewer");
            return;
        }
        if (r->integer > 0 && (vc->has_blob || vc->bad)) {
            vc->legacy = 1; /* left-overs next to the value: deleted at the next write */
        } else if (r->integer > 0 && store_vc_read_legacy(s, vc) < 0) {
            store_batch_reset(s, "cannot read a viewer's keys");
            return;
        }
        if (vc->loading == 0)
            store_vc_loaded(s, vc);
        return;
    }
    if (vc->has_blob && r && which != 'E' &&
        (r->type != REDIS_REPLY_ERROR || strncmp(r->str, "WRONGTYPE", 9) == 0)) {
        /* a key of the layout before the blob, next to it: a left-over,
         * whatever it holds (deleted at the next write) */
        if (!store_reply_empty(r))
            vc->legacy = 1;
    } else if (r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "WRONGTYPE", 9) == 0) {
        /* the viewer's state is damaged (something else wrote one of its
         * keys): its events are rejected, the others go on */
        store_vc_damaged(vc, r->str);
    } else if (!r || r->type == REDIS_REPLY_ERROR) {
        store_batch_reset(s, r ? r->str : "connection lost while loading a viewer");
        return;
    } else if (which == 'B') {
        if (r->type == REDIS_REPLY_STRING) {
            char err[128];
            int rc = viewer_blob_decode(r->str, r->len, &vc->v, &vc->last_ts, store_vc_blob_id, vc,
                                        err, sizeof err);
            if (rc == -2) {
                store_batch_reset(s, "out of memory");
                return;
            }
            if (rc < 0)
                store_vc_damaged(vc, err);
            else
                vc->has_blob = 1;
        }
    } else if (which == 'E') {
        store_viewer_reply(&vc->v, which, r, NULL); /* its own key, sealed */
    } else if (store_reply_empty(r)) {
        /* (a key of the layout before the blob that is not there) */
    } else if (which == 'I') {
        vc->legacy = 1;
        for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2)
            if (r->element[i]->str && r->element[i + 1]->str)
                store_vc_add_id(vc, r->element[i]->str, atoll(r->element[i + 1]->str));
    } else {
        vc->legacy = 1;
        store_viewer_reply(&vc->v, which, r, &vc->last_ts);
    }
    if (vc->loading == 0)
        store_vc_loaded(s, vc);
}

/* Send one of the reads of a viewer (which, fmt as in store_viewer_reads,
 * or 'X': whether the keys of the layout before the blob exist). */
static int store_vc_send(struct store *s, struct store_vc *vc, char which, const char *fmt)
{
    struct store_vload *l = malloc(sizeof *l);
    if (!l || !store_route_linked(s)) {
        free(l);
        return -1;
    }
    l->vc = vc;
    l->which = which;
    const char *p = s->d->cfg.redis_prefix, *u = vc->user;
    int rc = which == 'X'
                 ? store_route_sendf(s, store_vload_cb, l, fmt, p, u, p, u, p, u, p, u, p, u, p, u)
                 : store_route_sendf(s, store_vload_cb, l, fmt, p, u);
    if (rc < 0) {
        free(l);
        return -1;
    }
    s->pending++;
    vc->loading++;
    return 0;
}

/* A viewer with no blob: read the keys of the layout before it (their
 * replies come after the blob's and the EXISTS's, on the same slot). */
static int store_vc_read_legacy(struct store *s, struct store_vc *vc)
{
    for (size_t i = 0; i < STORE_N_VIEWER_READS; i++)
        if (strchr(STORE_LEGACY_READS, store_viewer_reads[i].which) &&
            store_vc_send(s, vc, store_viewer_reads[i].which, store_viewer_reads[i].fmt) < 0)
            return -1;
    return 0;
}

struct store_vc *store_vc_get(struct store *s, const char *user)
{
    struct strmap_entry *e = strmap_put(&s->cache, user);
    if (!e)
        return NULL;
    if (e->ptr) {
        store_lru_front(s, e->ptr);
        return e->ptr;
    }
    struct store_vc *vc = calloc(1, sizeof *vc);
    if (!vc) {
        strmap_del(&s->cache, user, NULL);
        return NULL;
    }
    snprintf(vc->user, sizeof vc->user, "%s", user);
    viewer_init(&vc->v, user, s->d->cfg.nb_alpha);
    viewer_changes_init(&vc->chg);
    strmap_init(&vc->ids);
    e->ptr = vc;
    store_lru_front(s, vc);
    /* the blob and the emotions; of the keys before the blob only
     * whether any is there (one command instead of six reads for a viewer
     * that has a blob: store_vc_read_legacy reads them otherwise) */
    if (!store_route_linked(s)) {
        store_vc_detach(s, vc);
        return NULL;
    }
    for (size_t i = 0; i < STORE_N_VIEWER_READS; i++)
        if (!strchr(STORE_LEGACY_READS, store_viewer_reads[i].which))
            store_vc_send(s, vc, store_viewer_reads[i].which, store_viewer_reads[i].fmt);
    store_vc_send(s, vc, 'X',
                  "EXISTS %s:{u:%s}:meta %s:{u:%s}:nb %s:{u:%s}:seen %s:{u:%s}:scenes "
                  "%s:{u:%s}:hist %s:{u:%s}:ids");
    return vc;
}

void store_cache_fini(struct store *s)
{
    /* entries still referenced by stale replies are freed by the replies'
     * owner going away with the connection */
    while (s->lru_head) {
        struct store_vc *vc = s->lru_head;
        store_lru_unlink(s, vc);
        strmap_del(&s->cache, vc->user, NULL);
        store_vc_free(vc);
    }
    strmap_clear(&s->cache, NULL);
}
