/* SPDX-License-Identifier: Apache-2.0 */
/* svm_train.c -- the trainer thread of the viewers' SVMs (svm_scorer.h).
 *
 * It drains the loop's ring, counts new labels per viewer and, after
 * retrain_labels of them (or at once for a viewer whose stored blob is
 * damaged), on its own blocking Redis client (rblock.h: routed by slot on
 * a Redis Cluster):
 *   1. reads the viewer's event count and `seen` map (from its state blob,
 *      viewer_blob.h, or the keys of the layout before it) in one
 *      MULTI/EXEC, again (up to a second) until the event count reaches the
 *      one the loop had applied -- the loop's write may not have landed yet;
 *   2. reads the catalog entries of the rated movies it has not cached
 *      (the cache is dropped whenever PREFIX:{catalog}:version moves) and
 *      parses them as recutd does (catalog_movie_parse: same features);
 *   3. trains (svm_viewer.h) and stores the blob with one Lua call that
 *      SETs PREFIX:{u:ID}:svm and adds it to PREFIX:{u:ID}:keys, only if the
 *      viewer still has at least the events it was read with -- a viewer
 *      erased meanwhile does not get its model back.
 * Whatever the outcome, the viewer's count starts again from 0: a viewer
 * with too few likes or dislikes is tried again after retrain_labels more. */
#include "config.h"
#include "learn_priority.h"
#include "svm_scorer-internal.h"
#include "rblock.h"
#include "viewer_blob.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SVM_TRAIN_SETTLE_TRIES 50
#define SVM_TRAIN_SETTLE_US 20000

/* KEYS: state, meta (the layout before it), svm, keys; ARGV: the blob,
 * the events it was trained at. */
static const char svm_train_lua_store[] = VIEWER_BLOB_LUA_EVENTS
    "if viewer_events(KEYS[1], KEYS[2]) < tonumber(ARGV[2]) then return 0 end\n"
    "redis.call('SET', KEYS[3], ARGV[1])\n"
    "redis.call('SADD', KEYS[4], KEYS[3])\n"
    "return 1\n";

struct svm_train_feat { /* a movie's catalog features, or none */
    char **f;
    size_t n;
};

struct svm_train {
    struct svm_scorer *s;
    struct rblock *c;
    struct strmap pending; /* user -> new labels (num) */
    struct strmap feats;   /* movie -> struct svm_train_feat* */
    char catalog_version[32];
    struct svm_scorer_conf conf;
};

static double svm_train_now(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void svm_train_feat_free(void *p)
{
    struct svm_train_feat *f = p;
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        free(f->f[i]);
    free(f->f);
    free(f);
}

static int svm_train_connect(struct svm_train *t)
{
    if (t->c)
        return 0;
    char err[512];
    t->c = store_connect_sync(t->s->address, t->s->timeout_ms, err, sizeof err);
    if (!t->c) {
        log_warn("svm: %s", err);
        return -1;
    }
    return 0;
}

static void svm_train_drop_connection(struct svm_train *t)
{
    if (t->c) {
        log_warn("svm: Redis: %s",
                 rblock_errstr(t->c)[0] ? rblock_errstr(t->c) : "unexpected reply");
        rblock_free(t->c);
        t->c = NULL;
    }
}

/* The viewer's event count (-1: none) and seen map into *seen (empty,
 * initialised), read in one MULTI/EXEC in the viewer's slot: the state
 * blob, else the keys of the layout before it.  0, or -1 on failure. */
static int svm_train_read(struct svm_train *t, const char *user, long long *events,
                          struct strmap *seen)
{
    const char *p = t->s->prefix;
    char tag[VEVENT_ID_MAX + 8];
    snprintf(tag, sizeof tag, "{u:%s}", user);
    struct rblock_pipe *pp = rblock_pipe_new(t->c, rblock_tag(tag), 0);
    if (!pp || rblock_pipe_append(pp, "MULTI") < 0 ||
        rblock_pipe_append(pp, "GET %s:{u:%s}:state", p, user) < 0 ||
        rblock_pipe_append(pp, "HGET %s:{u:%s}:meta events", p, user) < 0 ||
        rblock_pipe_append(pp, "HGETALL %s:{u:%s}:seen", p, user) < 0 ||
        rblock_pipe_append(pp, "EXEC") < 0 || rblock_pipe_exec(pp) < 0) {
        rblock_pipe_free(pp);
        return -1;
    }
    const redisReply *x = rblock_pipe_reply(pp, 4);
    if (!x || x->type != REDIS_REPLY_ARRAY || x->elements != 3) {
        rblock_pipe_free(pp);
        return -1;
    }
    const redisReply *st = x->element[0], *e = x->element[1], *sn = x->element[2];
    int rc = 0;
    if (st->type == REDIS_REPLY_STRING) {
        recut_viewer v;
        char err[128];
        viewer_init(&v, user, 1);
        if (viewer_blob_decode(st->str, st->len, &v, NULL, NULL, NULL, err, sizeof err) < 0) {
            log_warn("svm: viewer %s cannot be read: %s", user, err);
            *events = -1;
        } else {
            *events = v.events;
            *seen = v.seen; /* taken */
            strmap_init(&v.seen);
        }
        viewer_free(&v);
    } else {
        *events = e->type == REDIS_REPLY_STRING ? atoll(e->str) : -1;
        for (size_t i = 0; sn->type == REDIS_REPLY_ARRAY && i + 1 < sn->elements; i += 2) {
            const redisReply *k = sn->element[i], *w = sn->element[i + 1];
            struct strmap_entry *en = k->str && w->str ? strmap_put(seen, k->str) : NULL;
            if (!en && k->str && w->str)
                rc = -1;
            else if (en)
                en->num = strtod(w->str, NULL);
        }
    }
    rblock_pipe_free(pp);
    return rc;
}

/* Catalog features of every labelled movie in seen into the cache. */
static int svm_train_features(struct svm_train *t, const struct strmap *seen)
{
    const char *p = t->s->prefix;
    redisReply *v = rblock_command(t->c, "GET %s:{catalog}:version", p);
    if (!v)
        return -1;
    const char *ver = v->type == REDIS_REPLY_STRING ? v->str : "";
    if (strcmp(ver, t->catalog_version) != 0) {
        strmap_clear(&t->feats, svm_train_feat_free);
        strmap_init(&t->feats);
        snprintf(t->catalog_version, sizeof t->catalog_version, "%s", ver);
    }
    freeReplyObject(v);
    /* one pipeline in the catalog's slot */
    struct rblock_pipe *pp = rblock_pipe_new(t->c, rblock_tag("{catalog}"), 0);
    if (!pp)
        return -1;
    struct strmap_entry *k;
    for (size_t i = 0; (k = strmap_next(seen, &i));) {
        if (!svmv_label(k->num) || strmap_get(&t->feats, k->key))
            continue;
        if (rblock_pipe_append(pp, "GET %s:{catalog}:movie:%s", p, k->key) < 0) {
            rblock_pipe_free(pp);
            return -1;
        }
    }
    size_t sent = rblock_pipe_len(pp);
    if (sent && rblock_pipe_exec(pp) < 0) {
        rblock_pipe_free(pp);
        return -1;
    }
    for (size_t i = 0, got = 0; got < sent && (k = strmap_next(seen, &i));) {
        if (!svmv_label(k->num) || strmap_get(&t->feats, k->key))
            continue;
        const redisReply *r = rblock_pipe_reply(pp, got++);
        struct svm_train_feat *f = calloc(1, sizeof *f);
        char err[256];
        struct catalog_movie *cm = r && r->type == REDIS_REPLY_STRING
                                       ? catalog_movie_parse(r->str, r->len, NULL, err, sizeof err)
                                       : NULL;
        if (f && cm && cm->n_features && (f->f = calloc(cm->n_features, sizeof *f->f))) {
            for (size_t q = 0; q < cm->n_features; q++)
                if ((f->f[f->n] = strdup(cm->features[q])))
                    f->n++;
        }
        catalog_movie_free(cm);
        struct strmap_entry *e = f ? strmap_put(&t->feats, k->key) : NULL;
        if (e)
            e->ptr = f;
        else
            svm_train_feat_free(f);
    }
    rblock_pipe_free(pp);
    return 0;
}

static void svm_train_store(struct svm_train *t, const char *user, const svmv_model *m,
                            long long events)
{
    unsigned char *b = NULL;
    size_t bl = 0;
    char err[256];
    if (svmv_serialize(m, &b, &bl, err, sizeof err) != SVMV_OK) {
        log_warn("svm: cannot serialize the model of %s: %s", user, err);
        return;
    }
    const char *p = t->s->prefix;
    char ev[32];
    snprintf(ev, sizeof ev, "%lld", events);
    redisReply *r = rblock_command(
        t->c, "EVAL %s 4 %s:{u:%s}:state %s:{u:%s}:meta %s:{u:%s}:svm %s:{u:%s}:keys %b %s",
        svm_train_lua_store, p, user, p, user, p, user, p, user, b, bl, ev);
    free(b);
    if (!r) {
        svm_train_drop_connection(t);
        return;
    }
    if (r->type == REDIS_REPLY_ERROR)
        log_warn("svm: storing the model of %s: %s", user, r->str);
    else if (r->type == REDIS_REPLY_INTEGER && r->integer == 0)
        log_info("svm: viewer %s was erased meanwhile; model not stored", user);
    freeReplyObject(r);
}

static void svm_train_viewer(struct svm_train *t, const char *user, long long want_events)
{
    if (svm_train_connect(t) < 0)
        return;
    long long events = -1;
    struct strmap seen;
    strmap_init(&seen);
    int read = 0;
    for (int i = 0; i < SVM_TRAIN_SETTLE_TRIES && !atomic_load(&t->s->stop); i++) {
        strmap_clear(&seen, NULL);
        strmap_init(&seen);
        if (svm_train_read(t, user, &events, &seen) < 0) {
            strmap_clear(&seen, NULL);
            svm_train_drop_connection(t);
            return;
        }
        read = 1;
        if (events >= want_events)
            break;
        usleep(SVM_TRAIN_SETTLE_US);
    }
    if (!read || events < 0) {
        if (read)
            log_debug("svm: viewer %s is gone; not trained", user);
        strmap_clear(&seen, NULL);
        return;
    }
    if (svm_train_features(t, &seen) < 0) {
        strmap_clear(&seen, NULL);
        svm_train_drop_connection(t);
        return;
    }
    size_t n = 0;
    struct svmv_sample *smp = calloc(seen.len + 1, sizeof *smp);
    struct strmap_entry *k;
    for (size_t i = 0; smp && (k = strmap_next(&seen, &i));) {
        struct strmap_entry *e = strmap_get(&t->feats, k->key);
        const struct svm_train_feat *f = e ? e->ptr : NULL;
        if (f && f->n)
            smp[n++] = (struct svmv_sample){ e->key, f->f, f->n, k->num };
    }
    double t0 = svm_train_now(CLOCK_MONOTONIC);
    svmv_model *m = NULL;
    char err[256] = "out of memory";
    int rc = smp ? svmv_train(smp, n, &t->conf.svm, (int64_t)time(NULL), &m, err, sizeof err)
                 : SVMV_E_NOMEM;
    double dt = svm_train_now(CLOCK_MONOTONIC) - t0;
    free(smp);
    if (rc == SVMV_OK) {
        metrics_inc(M_SVM_TRAINED, 1);
        metrics_svm_train_seconds(dt);
        const struct svmv_info *in = svmv_info(m);
        log_debug("svm: viewer %s: %u likes, %u dislikes, %d support vectors, training accuracy "
                  "%.3f, %.1f ms",
                  user, in->likes, in->dislikes, in->n_sv, in->train_accuracy, dt * 1e3);
        svm_train_store(t, user, m, events);
        svmv_free(m);
    } else if (rc == SVMV_E_FEW_LABELS) {
        metrics_inc(M_SVM_SKIPPED, 1);
        log_debug("svm: viewer %s gets no model yet: %s", user, err);
    } else {
        log_warn("svm: training the model of %s: %s", user, err);
    }
    strmap_clear(&seen, NULL);
}

/* One item from the loop; may train. */
static void svm_train_item(struct svm_train *t, const struct svm_scorer_item *it)
{
    if (it->kind == SVM_SCORER_RESET) {
        strmap_del(&t->pending, it->user, NULL);
        return;
    }
    struct strmap_entry *e = strmap_put(&t->pending, it->user);
    if (!e)
        return;
    if (it->kind == SVM_SCORER_LABEL)
        e->num += 1;
    if (it->kind == SVM_SCORER_FORCE || e->num >= (double)t->conf.retrain_labels) {
        char user[VEVENT_ID_MAX + 1];
        snprintf(user, sizeof user, "%s", it->user);
        strmap_del(&t->pending, user, NULL);
        svm_train_viewer(t, user, it->events);
    }
}

void *svm_train_main(void *arg)
{
    struct svm_train t;
    learn_lower_priority();
    memset(&t, 0, sizeof t);
    t.s = arg;
    strmap_init(&t.pending);
    strmap_init(&t.feats);
    struct svm_scorer *s = t.s;
    while (!atomic_load(&s->stop)) {
        /* announce the sleep, then look again: see svm_scorer_push */
        atomic_store(&s->sleeping, 1);
        if (atomic_load(&s->head) == atomic_load(&s->tail) && !atomic_load(&s->stop))
            while (sem_wait(&s->wake) < 0 && errno == EINTR)
                ;
        atomic_store(&s->sleeping, 0);
        pthread_mutex_lock(&s->lock);
        t.conf = s->conf;
        pthread_mutex_unlock(&s->lock);
        size_t h = atomic_load_explicit(&s->head, memory_order_relaxed);
        size_t tl = atomic_load_explicit(&s->tail, memory_order_acquire);
        for (; h != tl && !atomic_load(&s->stop); h++) {
            struct svm_scorer_item it = s->ring[h % s->cap];
            atomic_store_explicit(&s->head, h + 1, memory_order_release);
            svm_train_item(&t, &it);
        }
    }
    rblock_free(t.c);
    strmap_clear(&t.pending, NULL);
    strmap_clear(&t.feats, svm_train_feat_free);
    return NULL;
}
