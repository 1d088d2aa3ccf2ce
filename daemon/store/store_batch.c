/* SPDX-License-Identifier: Apache-2.0 */
/* store_batch.c -- applying events to viewers.
 *
 * recutd keeps the viewers it is working on in memory (a bounded LRU cache,
 * filled from Redis on first use: store_cache.c) and applies a batch's events there, in
 * order, with the same code recut-eval uses (viewer_apply).  The viewers
 * it changed are written back behind, by store_flush.c: one MULTI/EXEC per
 * viewer and flush, its state as one value with its event ids.  The ids go
 * in the same transaction as the data, so after a crash the reloaded
 * viewer knows exactly which events it has seen and a redelivered event is
 * skipped.
 *
 * Popularity and co-occurrence are global: a viewer's transaction carries
 * their increments too, into an outbox in the viewer's own hash slot, and
 * store_outbox.c folds the outboxes into the global keys once each; a
 * batch is done when the flush that wrote its viewers (and every earlier
 * one) is acknowledged.  On any
 * Redis failure the cache is dropped and every unfinished batch is applied
 * again from freshly loaded viewers.
 *
 * The daemon hears about it through the hooks it registered (store.h): every
 * applied event (on_event), the end of a batch's events (on_events_done) and,
 * once Redis acknowledged the batch, each viewer it changed (on_applied).
 *
 * With Kafka, one instance owns a viewer (the partition of its key); the
 * cache is cleared on every rebalance. */
#include "config.h"
#include "store-internal.h"
#include "store_emo.h"
#include "audit.h"
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One event kept by a batch: what applying it needs, packed.  A parsed
 * event (struct vevent) is 1.3 KB, most of it room for emotions, and each
 * of its update operations 316 bytes, most of it room for a long field
 * name; a batch of 2,000 events used to copy and hold several MB of them.
 * Here the strings and operations of an event are one allocation of what
 * they hold: user, id and movie, each NUL-terminated, then n_ops
 * operations, each its code, its value (a double, unaligned) and its
 * NUL-terminated field. */
struct store_bev {
    enum vevent_type type;
    int64_t ts;
    long scene;
    double t, value, weight;
    int has_value, has_seen, positive;
    size_t n_ops;
    char *user, *id, *movie; /* into data */
    char *ops;               /* into data */
    char *data;
    struct store_vc *vc; /* resolved when the batch is prepared */
    int outcome;         /* STORE_BEV_APPLIED or _DUPLICATE, counted when done */
    size_t emo_stripped; /* emotion operations dropped: no key to seal them */
};

/* What became of an event (kept across a reset: an event its batch's
 * first application wrote is a duplicate in the second, yet applied). */
enum {
    STORE_BEV_APPLIED = 1,
    STORE_BEV_DUPLICATE = 2
};

struct store_batch {
    struct store *s;
    struct store_bev *evs;
    size_t n, cap;
    struct store_args movies; /* id and JSON, per catalog entry */
    size_t n_movies;
    size_t count;
    unsigned gen; /* bumped on reset: stale replies are ignored */
    int prepared, missing, applied, outstanding;
    int urgent;         /* written as soon as applied (store_batch_urgent) */
    uint64_t flush_seq; /* the flush that writes its viewers (0: none yet) */
    char **touched;     /* the viewers it changed, for hooks.on_applied */
    size_t n_touched;
    void (*cb)(void *arg, int ok);
    void *arg;
    struct store_batch *next;
};

struct store_reply_ctx {
    struct store_batch *b;
    unsigned gen;
};

/* ---- batches ----------------------------------------------------------------- */
void store_batch_init(struct store *s)
{
    store_emo_init(s);
    store_cache_init(s);
    strmap_init(&s->cooc_compacting);
    strmap_init(&s->cooc_rowlen);
    store_flush_init(s);
}

static void store_batch_untouch(struct store_batch *b)
{
    for (size_t i = 0; i < b->n_touched; i++)
        free(b->touched[i]);
    free(b->touched);
    b->touched = NULL;
    b->n_touched = 0;
}

static void store_batch_free(struct store_batch *b)
{
    store_batch_untouch(b);
    for (size_t i = 0; i < b->n; i++)
        free(b->evs[i].data);
    free(b->evs);
    store_args_free(&b->movies);
    free(b);
}

void store_batch_fini(struct store *s)
{
    for (struct store_batch **l = &s->queue_head; l; l = l == &s->queue_head ? &s->wait_head : NULL)
        while (*l) {
            struct store_batch *b = *l;
            *l = b->next;
            store_batch_free(b);
        }
    s->queue_tail = s->wait_tail = NULL;
    store_flush_fini(s);
    store_cache_fini(s);
    store_outbox_fini(s);
    store_resp_free(&s->resp);
    free(s->apply_ops);
    s->apply_ops = NULL;
    s->apply_ops_cap = 0;
}

struct store_batch *store_batch_new(struct store *s)
{
    struct store_batch *b = calloc(1, sizeof *b);
    if (b)
        b->s = s;
    return b;
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
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 64;
        struct store_bev *n = realloc(b->evs, nc * sizeof *n);
        if (!n)
            return -1;
        b->evs = n;
        b->cap = nc;
    }
    struct store_bev *e = &b->evs[b->n];
    const struct vevent *ev = u->ev;
    memset(e, 0, sizeof *e);
    e->type = ev->type;
    e->ts = ev->ts;
    e->scene = ev->scene;
    e->t = ev->t;
    e->value = ev->value;
    e->has_value = ev->has_value;
    e->weight = u->weight;
    e->has_seen = u->has_seen;
    e->positive = u->positive;
    size_t ul = strlen(ev->user) + 1, il = strlen(ev->id) + 1, ml = strlen(ev->movie) + 1;
    size_t need = ul + il + ml;
    for (size_t i = 0; i < u->n_ops; i++)
        if (store_emo_keeps(b->s, u->ops[i].code))
            need += 1 + sizeof(double) + strlen(u->ops[i].field) + 1;
    char *p = e->data = malloc(need);
    if (!p)
        return -1;
    e->user = memcpy(p, ev->user, ul);
    e->id = memcpy(p += ul, ev->id, il);
    e->movie = memcpy(p += il, ev->movie, ml);
    e->ops = p += ml;
    for (size_t i = 0; i < u->n_ops; i++) {
        const struct update_op *op = &u->ops[i];
        if (!store_emo_keeps(b->s, op->code)) {
            e->emo_stripped++;
            continue;
        }
        size_t fl = strlen(op->field) + 1;
        *p++ = op->code;
        memcpy(p, &op->value, sizeof op->value);
        memcpy(p += sizeof op->value, op->field, fl);
        p += fl;
        e->n_ops++;
    }
    b->n++;
    b->count++;
    return 0;
}

int store_batch_add_movie(struct store_batch *b, const struct catalog_movie *cm)
{
    store_args_add(&b->movies, cm->m.id);
    store_args_add(&b->movies, cm->json);
    b->n_movies++;
    b->count++;
    return b->movies.oom ? -1 : 0;
}

/* Resolve the batch's viewers, starting loads for those not cached. */
/* The viewers of a batch, each once (a pass marks the viewers it met). */
static int store_batch_viewers(struct store *s, struct store_batch *b, struct store_vc ***out,
                               size_t *n_out)
{
    uint64_t pass = ++s->pass;
    struct store_vc **v = malloc((b->n ? b->n : 1) * sizeof *v);
    if (!v)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++) {
        struct store_vc *vc = b->evs[i].vc;
        if (vc && vc->pass != pass) {
            vc->pass = pass;
            v[n++] = vc;
        }
    }
    *out = v;
    *n_out = n;
    return 0;
}

/* Resolve the batch's viewers, starting loads for those not cached. */
static int store_batch_prepare(struct store *s, struct store_batch *b)
{
    uint64_t pass = ++s->pass;
    b->missing = 0;
    for (size_t i = 0; i < b->n; i++) {
        struct store_bev *e = &b->evs[i];
        struct store_vc *vc = store_vc_get(s, e->user);
        if (!vc)
            return -1;
        e->vc = vc;
        if (vc->pass == pass)
            continue; /* met earlier in this batch */
        vc->pass = pass;
        vc->refs++;
        if (vc->loading > 0) {
            struct store_batch **w = realloc(vc->waiters, (vc->n_waiters + 1) * sizeof *w);
            if (!w)
                return -1;
            vc->waiters = w;
            w[vc->n_waiters++] = b;
            b->missing++;
        }
    }
    b->prepared = 1;
    return 0;
}

void store_batch_load_done(struct store_batch *b)
{
    b->missing--;
}

/* Undo prepare's references (the batch was applied or is being reset). */
static void store_batch_unref(struct store *s, struct store_batch *b)
{
    struct store_vc **v;
    size_t n;
    if (store_batch_viewers(s, b, &v, &n) == 0) {
        for (size_t i = 0; i < b->n; i++)
            b->evs[i].vc = NULL;
        for (size_t i = 0; i < n; i++)
            store_vc_release(v[i]); /* may free it: after the last use */
        free(v);
    }
    b->prepared = 0;
}

/* A batch is done when its catalog writes and its flush (and every flush
 * before it) are acknowledged. */
static int store_batch_is_done(const struct store *s, const struct store_batch *b)
{
    return b->outstanding == 0 && b->flush_seq != 0 && b->flush_seq <= s->flush_done;
}

/* Finish the done batches.  Their callbacks may submit batches, which may
 * land here again: the inner call only asks the outer one to look again. */
void store_batch_check_done(struct store *s)
{
    if (s->checking) {
        s->check_again = 1;
        return;
    }
    s->checking = 1;
    do {
        s->check_again = 0;
        struct store_batch **l = &s->wait_head, *prev = NULL;
        while (*l) {
            struct store_batch *b = *l;
            if (!store_batch_is_done(s, b)) {
                prev = b;
                l = &b->next;
                continue;
            }
            *l = b->next;
            if (s->wait_tail == b)
                s->wait_tail = prev;
            metrics_inc(M_BATCHES, 1);
            uint64_t n_app = 0, n_dup = 0;
            for (size_t i = 0; i < b->n; i++) {
                n_app += b->evs[i].outcome == STORE_BEV_APPLIED;
                n_dup += b->evs[i].outcome == STORE_BEV_DUPLICATE;
            }
            metrics_inc(M_EVENTS_APPLIED, n_app); /* acknowledged by Redis */
            metrics_inc(M_EVENTS_DUPLICATE, n_dup);
            store_backoff_reset(s);
            for (size_t i = 0; s->hooks.on_applied && i < b->n_touched; i++)
                s->hooks.on_applied(s->hooks.ctx, b->touched[i]);
            if (b->cb)
                b->cb(b->arg, 1);
            store_batch_free(b);
            s->check_again = 1; /* the callbacks may have changed the list */
            break;
        }
    } while (s->check_again);
    s->checking = 0;
}

/* A write's reply (an EXEC's: an array): 0, or -1 after resetting. */
int store_write_failed(struct store *s, const redisReply *r)
{
    if (!r || r->type == REDIS_REPLY_ERROR || (r->type == REDIS_REPLY_NIL)) {
        store_batch_reset(s, r && r->str ? r->str : "connection lost while writing");
        return -1;
    }
    if (r->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i < r->elements; i++)
            if (r->element[i]->type == REDIS_REPLY_ERROR) {
                log_err("redis: write failed: %s", r->element[i]->str);
                store_batch_reset(s, r->element[i]->str);
                return -1;
            }
    return 0;
}

static void store_write_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_reply_ctx *c = priv;
    struct store *s = ac->data;
    struct store_batch *b = c->b;
    unsigned gen = c->gen;
    free(c);
    store_replied(s);
    if (b->gen != gen)
        return; /* the batch was reset: this reply is from before */
    if (store_write_failed(s, reply) < 0)
        return;
    b->outstanding--;
    store_batch_check_done(s);
}

void store_batch_join_flush(struct store *s, uint64_t seq)
{
    for (struct store_batch *b = s->wait_head; b; b = b->next)
        if (!b->flush_seq)
            b->flush_seq = seq;
}

void store_batch_urgent(struct store_batch *b)
{
    b->urgent = 1;
}

/* The event e keeps, as the structs the hooks and viewer_apply take: ev
 * (cleared once: no text, no emotions) and u, whose operations are
 * unpacked into the store's s->apply_ops.  0, or -1 without memory. */
static int store_bev_unpack(struct store *s, const struct store_bev *e, struct vevent *ev,
                            struct update *u)
{
    ev->type = e->type;
    ev->ts = e->ts;
    ev->scene = e->scene;
    ev->t = e->t;
    ev->value = e->value;
    ev->has_value = e->has_value;
    memcpy(ev->user, e->user, strlen(e->user) + 1);
    memcpy(ev->id, e->id, strlen(e->id) + 1);
    memcpy(ev->movie, e->movie, strlen(e->movie) + 1);
    if (e->n_ops > s->apply_ops_cap) {
        struct update_op *n = realloc(s->apply_ops, e->n_ops * sizeof *n);
        if (!n)
            return -1;
        s->apply_ops = n;
        s->apply_ops_cap = e->n_ops;
    }
    const char *p = e->ops;
    for (size_t i = 0; i < e->n_ops; i++) {
        struct update_op *op = &s->apply_ops[i];
        op->code = *p++;
        memcpy(&op->value, p, sizeof op->value);
        p += sizeof op->value;
        size_t fl = strlen(p) + 1;
        memcpy(op->field, p, fl);
        p += fl;
    }
    update_init(u);
    u->ev = ev;
    u->weight = e->weight;
    u->has_seen = e->has_seen;
    u->positive = e->positive;
    u->ops = s->apply_ops;
    u->n_ops = u->cap = e->n_ops;
    return 0;
}

static void store_batch_apply(struct store *s, struct store_batch *b)
{
    const struct recut_config *cfg = &s->d->cfg;
    /* the viewers this batch changed, each once */
    uint64_t pass = ++s->pass;
    struct store_vc **touched = malloc((b->n ? b->n : 1) * sizeof *touched);
    size_t n_touched = 0;
    if (!touched) {
        store_batch_reset(s, "out of memory");
        return;
    }
    struct vevent ev;
    memset(&ev, 0, sizeof ev);
    for (size_t i = 0; i < b->n; i++) {
        struct store_bev *e = &b->evs[i];
        struct store_vc *vc = e->vc;
        struct update u;
        if (store_bev_unpack(s, e, &ev, &u) < 0) {
            free(touched);
            store_batch_reset(s, "out of memory");
            return;
        }
        if (vc->bad) {
            if (s->hooks.on_rejected)
                s->hooks.on_rejected(s->hooks.ctx, b->arg, &ev, vc->bad_why);
            if (!vc->detached)
                store_vc_detach(s, vc); /* read again next time */
            continue;
        }
        if (e->id[0] && cfg->ids_max > 0 && strmap_get(&vc->ids, e->id)) {
            if (e->outcome != STORE_BEV_APPLIED)
                e->outcome = STORE_BEV_DUPLICATE;
            continue;
        }
        vc->v.chg = &vc->chg;
        const char **partners;
        size_t np;
        if (viewer_apply(&vc->v, &u, cfg->history_max, cfg->cooc_window, &partners, &np) < 0) {
            log_err("out of memory applying an event of %s", vc->user);
            continue;
        }
        if (s->hooks.on_event)
            s->hooks.on_event(s->hooks.ctx, &vc->v, &u);
        if (e->type == VEVENT_FORGET)
            audit_erased(vc->user, "a forget event", NULL, -1);
        if (vc->chg.forgot) {
            /* the viewer is gone: the ids go with it */
            store_vc_trim_ids(vc, 0);
            vc->last_ts = 0;
            vc->v.events = 0;
        } else {
            vc->last_ts = e->ts;
            if (e->id[0] && cfg->ids_max > 0 && store_vc_add_id(vc, e->id, e->ts) < 0) {
                free(touched);
                store_batch_reset(s, "out of memory");
                return;
            }
        }
        e->outcome = STORE_BEV_APPLIED;
        if (vc->chg.emotion_dropped || e->emo_stripped) {
            metrics_inc(M_EMOTION_DROPPED, 1);
            vc->chg.emotion_dropped = 0;
        }
        /* a movie new in the viewer's positive history (partners is set
         * exactly then): its popularity, and a co-occurrence with each
         * partner, counted once per viewer whatever the batching */
        if (partners && store_outbox_record(s, vc, e->movie, partners, np) < 0) {
            log_err("out of memory counting %s's global counts", vc->user);
            free(touched);
            store_batch_reset(s, "out of memory");
            return;
        }
        if (vc->pass != pass) {
            vc->pass = pass;
            touched[n_touched++] = vc;
        }
    }
    if (s->hooks.on_events_done)
        s->hooks.on_events_done(s->hooks.ctx);
    /* (kept from an earlier application of a reset batch: the viewers
     * it changed then may count its events as duplicates now) */
    char **tl = realloc(b->touched, (b->n_touched + n_touched + 1) * sizeof *tl);
    if (tl)
        b->touched = tl;
    for (size_t i = 0; i < n_touched; i++) {
        if (!tl || store_vc_mark_dirty(s, touched[i]) < 0) {
            free(touched);
            store_batch_reset(s, "out of memory");
            return;
        }
        if ((b->touched[b->n_touched] = strdup(touched[i]->user)))
            b->n_touched++;
    }
    free(touched);
    for (size_t i = 0; i < b->n_movies; i++) {
        const struct store_args *m = &b->movies;
        struct store_reply_ctx *c = malloc(sizeof *c);
        if (c) {
            c->b = b;
            c->gen = b->gen;
        }
        if (!c || store_catalog_write(s, m->buf + m->off[2 * i], m->buf + m->off[2 * i + 1],
                                      m->alen[2 * i + 1], store_write_cb, c) < 0) {
            free(c);
            store_batch_reset(s, "cannot queue a catalog write");
            return;
        }
        b->outstanding++;
    }
    b->applied = 1;
    s->held_batches++;
    if (b->urgent)
        s->flush_urgent = 1;
    store_batch_unref(s, b);
}

void store_batch_pump(struct store *s)
{
    if (!s->connected)
        return;
    while (s->queue_head && s->queue_head->prepared && s->queue_head->missing == 0) {
        struct store_batch *b = s->queue_head;
        s->queue_head = b->next;
        if (!s->queue_head)
            s->queue_tail = NULL;
        b->next = NULL;
        if (s->wait_tail)
            s->wait_tail->next = b;
        else
            s->wait_head = b;
        s->wait_tail = b;
        store_batch_apply(s, b);
        if (!s->connected)
            return;
    }
    store_cache_evict(s);
    store_flush_decide(s);
    store_outbox_fold(s);
    store_batch_check_done(s);
}

void store_batch_submit(struct store_batch *b, void (*cb)(void *arg, int ok), void *arg)
{
    struct store *s = b->s;
    b->cb = cb;
    b->arg = arg;
    b->next = NULL;
    if (s->queue_tail)
        s->queue_tail->next = b;
    else
        s->queue_head = b;
    s->queue_tail = b;
    if (s->connected) {
        if (store_batch_prepare(s, b) < 0) {
            store_batch_reset(s, "out of memory");
            return;
        }
        store_batch_pump(s);
    }
}

/* ---- failures ---------------------------------------------------------------- */
/* Forget the cache and apply every unfinished batch again, in order. */
void store_batch_reset(struct store *s, const char *why)
{
    log_warn("redis: %s; reloading viewers and re-applying unfinished batches", why);
    store_count_error(s);
    /* applied-but-unfinished batches go back in front of the queue */
    struct store_batch *head = s->wait_head, *tail = s->wait_tail;
    for (struct store_batch *b = s->queue_head; b; b = b->next)
        if (b->prepared)
            store_batch_unref(s, b);
    if (tail) {
        tail->next = s->queue_head;
        s->queue_head = head;
        if (!s->queue_tail)
            s->queue_tail = tail;
    }
    s->wait_head = s->wait_tail = NULL;
    for (struct store_batch *b = s->queue_head; b; b = b->next) {
        b->gen++;
        b->flush_seq = 0;
        b->applied = 0;
        b->outstanding = 0;
        b->missing = 0;
        b->prepared = 0;
    }
    store_flush_forget(s);
    store_cache_clear(s);
    /* a fold in flight is left to Redis: it is taken again after the
     * reconnection, as is every outbox */
    store_outbox_lost(s);
    /* start again on a new connection (after a backoff) */
    store_drop(s);
}

void store_batch_disconnected(struct store *s)
{
    if (s->wait_head || s->queue_head)
        store_batch_reset(s, "connection lost");
    else
        store_cache_clear(s);
    store_outbox_lost(s);
}

void store_batch_connected(struct store *s)
{
    for (struct store_batch *b = s->queue_head; b; b = b->next)
        if (!b->prepared && store_batch_prepare(s, b) < 0) {
            log_err("out of memory preparing a batch");
            break;
        }
    store_batch_pump(s);
}
