/* SPDX-License-Identifier: Apache-2.0 */
/* store_flush.c -- writing viewers behind.
 *
 * A viewer's state is one value, written whole.  Written once per batch,
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
#include "config.h"
#include "store-internal.h"
#include "store_lua.h"
#include "store_emo.h"
#include "clock.h"
#include "metrics.h"
#include "viewer_blob.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static void store_flush_begin(struct store *s);

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

#define STORE_FLUSH_SLICE_US 500

int store_vc_mark_dirty(struct store *s, struct store_vc *vc)
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
    store_batch_join_flush(s, f->seq);
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
void store_flush_decide(struct store *s)
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
void store_flush_forget(struct store *s)
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

void store_flush_init(struct store *s)
{
    s->flush_ev = evtimer_new(s->d->base, store_flush_timer_cb, s);
    s->flush_more_ev = evtimer_new(s->d->base, store_flush_more_cb, s);
}

void store_flush_fini(struct store *s)
{
    store_flush_forget(s);
    if (s->flush_ev)
        event_free(s->flush_ev);
    if (s->flush_more_ev)
        event_free(s->flush_more_ev);
    s->flush_ev = s->flush_more_ev = NULL;
}
