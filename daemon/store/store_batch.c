/* SPDX-License-Identifier: Apache-2.0 */
/* store_batch.c -- applying events to viewers.
 *
 * recutd keeps the viewers it is working on in memory (a bounded LRU cache,
 * filled from Redis on first use: store_cache.c) and applies a batch's events there, in
 * order, with the same code recut-eval uses (viewer_apply).  What changed is
 * then written back with one MULTI/EXEC per viewer and batch: the changed
 * hash fields with their new values, the new history items, the new event
 * ids and the counters.  The ids go in the same transaction as the data, so
 * after a crash the reloaded viewer knows exactly which events it has seen
 * and a redelivered event is skipped.
 *
 * Popularity and co-occurrence are global: a viewer's transaction carries
 * their increments too, into an outbox in the viewer's own hash slot, and
 * store_outbox.c folds the outboxes into the global keys once each; a
 * batch is done when its viewers' transactions are acknowledged.  On any
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
#include "store_lua.h"
#include "store_emo.h"
#include "audit.h"
#include "viewer_blob.h"
#include "clock.h"
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

/* One flush: the viewers it writes (each holding a reference until its
 * write is sent) and the writes not yet acknowledged.  Every applied
 * batch not in an earlier flush joins it; those batches are done once
 * this flush and every earlier one are acknowledged. */
struct store_flush {
    uint64_t seq;
    struct store_vc **vcs;
    size_t n, next; /* vcs[next..n) are still to be sent */
    size_t outstanding;
    int sent_all;
    struct store_flush *next_f;
};

struct store_flush_ctx {
    struct store_flush *f;
    unsigned wgen;
};

static void store_flush_timer_cb(evutil_socket_t fd, short what, void *arg);
static void store_flush_more_cb(evutil_socket_t fd, short what, void *arg);
static void store_flush_forget(struct store *s);
static void store_flush_begin(struct store *s);

/* ---- batches ----------------------------------------------------------------- */
void store_batch_init(struct store *s)
{
    store_emo_init(s);
    store_cache_init(s);
    strmap_init(&s->cooc_compacting);
    strmap_init(&s->cooc_rowlen);
    s->flush_ev = evtimer_new(s->d->base, store_flush_timer_cb, s);
    s->flush_more_ev = evtimer_new(s->d->base, store_flush_more_cb, s);
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
    store_flush_forget(s);
    if (s->flush_ev)
        event_free(s->flush_ev);
    if (s->flush_more_ev)
        event_free(s->flush_more_ev);
    s->flush_ev = s->flush_more_ev = NULL;
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
static void store_batch_check_done(struct store *s)
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
static int store_write_failed(struct store *s, const redisReply *r)
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

/* Retire the leading flushes whose writes are all acknowledged: the
 * batches they wrote are done. */
static void store_flush_check(struct store *s)
{
    int any = 0;
    while (s->flush_head && s->flush_head->sent_all && s->flush_head->outstanding == 0) {
        struct store_flush *f = s->flush_head;
        s->flush_head = f->next_f;
        if (!s->flush_head)
            s->flush_tail = NULL;
        s->flush_done = f->seq;
        free(f->vcs);
        free(f);
        any = 1;
    }
    if (any)
        store_batch_check_done(s);
}

static void store_flush_write_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_flush_ctx *c = priv;
    struct store *s = ac->data;
    struct store_flush *f = c->f;
    unsigned wgen = c->wgen;
    free(c);
    store_replied(s);
    if (wgen != s->wgen)
        return; /* written before a reset: f is gone */
    if (store_write_failed(s, reply) < 0)
        return;
    f->outstanding--;
    store_flush_check(s);
}

/* A changed field of one of vc's maps: placed in its blob order. */
struct store_take {
    struct store_vc *vc;
    char which;
};

static void store_take_field(void *arg, const char *field, size_t len, double value)
{
    struct store_take *t = arg;
    (void)value;
    viewer_blob_note(&t->vc->order, t->which, field, len);
}

/* The i-th applied id of vc, oldest first, for the blob. */
static const char *store_vc_id_at(void *ctx, size_t i, int64_t *ts)
{
    const struct store_vc *vc = ctx;
    const struct store_idq *q = &vc->idq[vc->idq_head + i];
    *ts = q->ts;
    return q->id;
}

/* Write vc as it is now, as one transaction: its state as one blob
 * (viewer_blob.h) in place of whatever Redis held, then the emotion sums
 * and the global counts' deltas; the commands go out pre-formatted
 * (store_resp.c); only EXEC has a callback. */
static int store_vc_write(struct store *s, struct store_flush *f, struct store_vc *vc)
{
    const struct recut_config *cfg = &s->d->cfg;
    struct viewer_changes *c = &vc->chg;
    struct store_resp *r = &s->resp;
    char kp[512];
    int kw = snprintf(kp, sizeof kp, "%s:{u:%s}:", cfg->redis_prefix, vc->user);
    if (kw < 0 || (size_t)kw >= sizeof kp)
        return -1;
    size_t kpl = (size_t)kw;
    int rc = 0;
    store_resp_cmd(r, 1);
    store_resp_str(r, "MULTI", 5);
    rc |= store_resp_send(s, r, NULL, NULL);
    if (c->forgot) {
        store_resp_cmd(r, 3 + STORE_N_VIEWER_KEYS);
        store_resp_strz(r, "EVALSHA");
        store_resp_strz(r, s->shas[STORE_LUA_FORGET]);
        store_resp_ll(r, STORE_N_VIEWER_KEYS);
        for (int k = 0; k < STORE_N_VIEWER_KEYS; k++)
            store_resp_key(r, kp, kpl, store_viewer_keys[k]);
        rc |= store_resp_send(s, r, NULL, NULL);
        vc->legacy = 0;
    }
    if (c->emo_cleared) {
        store_resp_cmd(r, 2);
        store_resp_str(r, "DEL", 3);
        store_resp_key(r, kp, kpl, "emo");
        rc |= store_resp_send(s, r, NULL, NULL);
    }
    if (vc->legacy) {
        /* read from the keys of the layout before the blob: they go */
        store_resp_cmd(r, 1 + STORE_N_LEGACY_KEYS);
        store_resp_str(r, "DEL", 3);
        for (int k = 0; k < STORE_N_LEGACY_KEYS; k++)
            store_resp_key(r, kp, kpl, store_viewer_keys[STORE_LEGACY_KEY0 + k]);
        rc |= store_resp_send(s, r, NULL, NULL);
        vc->legacy = 0;
    }
    vc->v.chg = c;
    if (c->forgot)
        viewer_blob_cache_reset(&vc->order); /* its keys went with the maps */
    for (const char *w = "NSC"; *w; w++) {
        struct store_take t = { vc, *w };
        viewer_changes_take(&vc->v, *w, store_take_field, &t);
    }
    rc |= store_emo_write(s, r, kp, kpl, &vc->v); /* sealed, whole */
    if (vc->idq_len > (size_t)cfg->ids_max)
        store_vc_trim_ids(vc, (size_t)(cfg->ids_max > 0 ? cfg->ids_max : 0));
    if (!(c->forgot && vc->v.events == 0 && !vc->v.consent)) {
        /* (erased and nothing since: nothing to write) */
        struct viewer_blob_ids ids = { vc->idq_len, store_vc_id_at, vc };
        unsigned char *blob = NULL;
        size_t blen = 0;
        char err[128];
        if (viewer_blob_encode(&vc->v, vc->last_ts, &ids, &vc->order, &blob, &blen, err,
                               sizeof err) < 0) {
            log_err("%s: %s", vc->user, err);
            rc = -1;
        } else {
            store_resp_cmd(r, 3);
            store_resp_str(r, "SET", 3);
            store_resp_key(r, kp, kpl, "state");
            store_resp_str(r, (const char *)blob, blen);
            rc |= store_resp_send(s, r, NULL, NULL);
            free(blob);
        }
    }
    rc |= store_outbox_write(s, r, vc); /* the global counts' deltas */
    viewer_changes_reset(c);
    store_vc_account(s, vc);
    if (rc != 0) {
        r->len = 0;
        return -1;
    }
    struct store_flush_ctx *x = malloc(sizeof *x);
    if (!x)
        return -1;
    x->f = f;
    x->wgen = s->wgen;
    store_resp_cmd(r, 1);
    store_resp_str(r, "EXEC", 4);
    if (store_resp_send(s, r, store_flush_write_cb, x) < 0) {
        free(x);
        return -1;
    }
    f->outstanding++;
    return 0;
}

/* ---- write-behind ---------------------------------------------------------- */
/* A viewer's state is one value, written whole.  Written once per batch,
 * a viewer with events in every batch cost a full write per batch, and
 * that write (encoding, sending, Redis storing it) was most of the work
 * per event.  So applied batches are held and their viewers written
 * together, each once, by a flush: after [redis] write_interval_ms, when
 * half of [kafka] max_inflight batches are held, at once for an urgent
 * batch (HTTP: the request waits for it), and for every batch while
 * store_write_through is on (drain, rebalance).  Nothing changes in what
 * is guaranteed: a batch is done (its offsets committable) only when the
 * flush that wrote its viewers, and every flush before it, is
 * acknowledged; each write still carries the viewer's state, its event
 * ids and its outbox in one transaction.  A viewer changed while a flush
 * is being sent is written with those changes too: its later batch is
 * done only after this flush, so nothing is claimed before Redis has it.
 * Other instances and the workers that read Redis see a viewer at most
 * one interval (plus the write) behind. */
#define STORE_FLUSH_SLICE_US 500

static int store_vc_mark_dirty(struct store *s, struct store_vc *vc)
{
    if (vc->dirty)
        return 0;
    if (s->n_dirty == s->dirty_cap) {
        size_t nc = s->dirty_cap ? s->dirty_cap * 2 : 256;
        struct store_vc **d = realloc(s->dirty, nc * sizeof *d);
        if (!d)
            return -1;
        s->dirty = d;
        s->dirty_cap = nc;
    }
    s->dirty[s->n_dirty++] = vc;
    vc->dirty = 1;
    vc->refs++;
    return 0;
}

/* Send the flush's writes, for at most a slice; the rest after the loop
 * has done its other work. */
static void store_flush_slice(struct store *s)
{
    struct store_flush *f = s->flushing;
    int64_t until = clock_mono_us() + STORE_FLUSH_SLICE_US;
    while (f->next < f->n) {
        if ((f->next & 15) == 0 && f->next > 0 && clock_mono_us() >= until) {
            struct timeval now = { 0, 0 };
            evtimer_add(s->flush_more_ev, &now);
            return;
        }
        struct store_vc *vc = f->vcs[f->next++];
        int rc = vc->dirty ? store_vc_write(s, f, vc) : 0;
        vc->dirty = 0;
        store_vc_release(vc); /* the list's reference (may free it) */
        if (rc < 0) {
            store_batch_reset(s, "cannot queue a write");
            return;
        }
    }
    f->sent_all = 1;
    free(f->vcs);
    f->vcs = NULL;
    s->flushing = NULL;
    store_cache_evict(s); /* (the written ones may go now) */
    store_outbox_fold(s);
    store_flush_check(s);
    if (s->flush_wanted)
        store_flush_begin(s);
}

static void store_flush_begin(struct store *s)
{
    if (!s->connected)
        return; /* the held batches are applied again after reconnecting */
    if (s->flushing) {
        s->flush_wanted = 1;
        return;
    }
    s->flush_wanted = 0;
    s->flush_urgent = 0;
    if (s->held_batches == 0 && s->n_dirty == 0)
        return;
    struct store_flush *f = calloc(1, sizeof *f);
    if (!f) {
        store_batch_reset(s, "out of memory");
        return;
    }
    f->seq = ++s->flush_seq;
    for (struct store_batch *b = s->wait_head; b; b = b->next)
        if (!b->flush_seq)
            b->flush_seq = f->seq;
    s->held_batches = 0;
    f->vcs = s->dirty;
    f->n = s->n_dirty;
    s->dirty = NULL;
    s->n_dirty = s->dirty_cap = 0;
    if (s->flush_tail)
        s->flush_tail->next_f = f;
    else
        s->flush_head = f;
    s->flush_tail = f;
    s->flushing = f;
    evtimer_del(s->flush_ev);
    metrics_inc(M_FLUSHES, 1);
    store_flush_slice(s);
}

/* After batches were applied: flush now, or arm the interval's timer. */
static void store_flush_decide(struct store *s)
{
    const struct recut_config *cfg = &s->d->cfg;
    if (s->held_batches == 0 && s->n_dirty == 0)
        return;
    size_t most = cfg->max_inflight > 1 ? (size_t)cfg->max_inflight / 2 : 1;
    if (s->flush_urgent || s->write_through || cfg->redis_write_interval_ms <= 0 ||
        s->held_batches >= most) {
        store_flush_begin(s);
    } else if (!evtimer_pending(s->flush_ev, NULL)) {
        int ms = cfg->redis_write_interval_ms;
        struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
        evtimer_add(s->flush_ev, &tv);
    }
}

static void store_flush_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    store_flush_begin(arg);
}

static void store_flush_more_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct store *s = arg;
    if (s->flushing)
        store_flush_slice(s);
}

/* A reset: nothing held or in flight is written any more (the batches are
 * applied again from Redis); the lists' references go. */
static void store_flush_forget(struct store *s)
{
    s->wgen++;
    if (s->flushing) {
        struct store_flush *f = s->flushing;
        for (size_t i = f->next; i < f->n; i++) {
            f->vcs[i]->dirty = 0;
            store_vc_release(f->vcs[i]);
        }
        f->next = f->n;
        s->flushing = NULL;
    }
    while (s->flush_head) {
        struct store_flush *f = s->flush_head;
        s->flush_head = f->next_f;
        free(f->vcs);
        free(f);
    }
    s->flush_tail = NULL;
    for (size_t i = 0; i < s->n_dirty; i++) {
        s->dirty[i]->dirty = 0;
        store_vc_release(s->dirty[i]);
    }
    free(s->dirty);
    s->dirty = NULL;
    s->n_dirty = s->dirty_cap = 0;
    s->held_batches = 0;
    s->flush_wanted = s->flush_urgent = 0;
    s->flush_done = s->flush_seq;
    if (s->flush_ev)
        evtimer_del(s->flush_ev);
    if (s->flush_more_ev)
        evtimer_del(s->flush_more_ev);
}

int store_vc_write_now(struct store *s, struct store_vc *vc)
{
    if (!vc->dirty)
        return 0;
    if (!s->flushing)
        store_flush_begin(s); /* (may write it in its first slice) */
    if (!vc->dirty)
        return 0;
    if (!s->flushing)
        return -1;
    vc->dirty = 0; /* the list holding it drops its reference when it passes */
    return store_vc_write(s, s->flushing, vc);
}

void store_write_through(struct store *s, int on)
{
    s->write_through = on;
    if (on && s->flush_ev) {
        /* from the loop, not from here: the caller may be inside
         * librdkafka (a rebalance callback), and a flush can finish
         * batches, whose callbacks read Kafka */
        struct timeval now = { 0, 0 };
        evtimer_add(s->flush_ev, &now);
    }
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
                s->hooks.on_rejected(s->hooks.ctx, &ev, vc->bad_why);
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
