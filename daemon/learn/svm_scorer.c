/* SPDX-License-Identifier: Apache-2.0 */
/* svm_scorer.c -- the viewers' SVMs on the event loop: the hook, the
 * queue to the trainer, attaching stored models, the profile (see
 * svm_scorer.h; the trainer thread is svm_train.c). */
#include "config.h"
#include "svm_scorer-internal.h"
#include "svm_scorer.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SVM_SCORER_BAD_LOGGED_MAX 10000

void svm_scorer_conf_read(const struct recut_config *cfg, struct svm_scorer_conf *c)
{
    recommend_svm_config(cfg, &c->svm);
    c->retrain_labels = (size_t)cfg->svm_retrain_labels;
}

struct svm_scorer *svm_scorer_new(struct recutd *d, char *errstr, size_t errstr_size)
{
    if (errstr_size)
        errstr[0] = '\0';
    if (!d->cfg.svm_enabled) {
        log_info("svm: off ([svm] enabled = no)");
        return NULL;
    }
    struct svm_scorer *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(errstr, errstr_size, "svm: out of memory");
        return NULL;
    }
    s->d = d;
    s->cap = (size_t)d->cfg.svm_queue;
    s->ring = calloc(s->cap, sizeof *s->ring);
    s->address = strdup(d->cfg.redis_address);
    s->prefix = strdup(d->cfg.redis_prefix);
    s->timeout_ms = d->cfg.redis_timeout_ms;
    atomic_init(&s->head, 0);
    atomic_init(&s->tail, 0);
    atomic_init(&s->stop, 0);
    strmap_init(&s->bad_logged);
    svm_scorer_conf_read(&d->cfg, &s->conf);
    if (!s->ring || !s->address || !s->prefix) {
        snprintf(errstr, errstr_size, "svm: out of memory");
        free(s->ring);
        free(s->address);
        free(s->prefix);
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    sem_init(&s->wake, 0, 0);
    if (pthread_create(&s->thread, NULL, svm_train_main, s) != 0) {
        snprintf(errstr, errstr_size, "svm: cannot start the trainer thread");
        s->running = 0;
        svm_scorer_free(s);
        return NULL;
    }
    s->running = 1;
    log_info("svm: trainer started (%s kernel, a model after %zu labels with %zu of each class)",
             svmv_kernel_name(s->conf.svm.kernel), s->conf.retrain_labels, s->conf.svm.min_labels);
    return s;
}

void svm_scorer_free(struct svm_scorer *s)
{
    if (!s)
        return;
    atomic_store(&s->stop, 1);
    if (s->running) {
        sem_post(&s->wake);
        pthread_join(s->thread, NULL);
    }
    sem_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    strmap_clear(&s->bad_logged, NULL);
    free(s->ring);
    free(s->address);
    free(s->prefix);
    free(s);
}

void svm_scorer_reload(struct svm_scorer *s)
{
    if (!s)
        return;
    struct svm_scorer_conf c;
    svm_scorer_conf_read(&s->d->cfg, &c);
    pthread_mutex_lock(&s->lock);
    s->conf = c;
    pthread_mutex_unlock(&s->lock);
}

int svm_scorer_enabled(const struct svm_scorer *s)
{
    return s != NULL;
}

/* Single producer (the loop thread): never blocks; full -> dropped. */
static void svm_scorer_push(struct svm_scorer *s, const char *user, long long events, int kind)
{
    size_t t = atomic_load_explicit(&s->tail, memory_order_relaxed);
    size_t h = atomic_load_explicit(&s->head, memory_order_acquire);
    if (t - h >= s->cap) {
        metrics_inc(M_SVM_QUEUE_DROPPED, 1);
        return;
    }
    struct svm_scorer_item *it = &s->ring[t % s->cap];
    snprintf(it->user, sizeof it->user, "%s", user);
    it->events = events;
    it->kind = kind;
    /* the trainer is woken once per batch (svm_scorer_kick): a post per
     * event cost a futex call each */
    atomic_store(&s->tail, t + 1);
}

size_t svm_scorer_queued(struct svm_scorer *s)
{
    if (!s)
        return 0;
    size_t h = atomic_load(&s->head); /* head first: tail - head never wraps below 0 */
    return atomic_load(&s->tail) - h;
}

void svm_scorer_kick(struct svm_scorer *s)
{
    /* only if it sleeps; tail and sleeping are accessed sequentially
     * consistently on both sides, so an item is never left behind a
     * sleeping trainer */
    if (s && atomic_load(&s->head) != atomic_load(&s->tail) && atomic_exchange(&s->sleeping, 0))
        sem_post(&s->wake);
}

void svm_scorer_applied(struct svm_scorer *s, const recut_viewer *v, const struct update *u)
{
    if (!s)
        return;
    if (u->n_ops > 0 && u->ops[0].code == UPD_FORGET)
        svm_scorer_push(s, v->id, 0, SVM_SCORER_RESET);
    else if (u->has_seen && svmv_label(u->weight) != 0)
        svm_scorer_push(s, v->id, v->events, SVM_SCORER_LABEL);
}

/* ---- models attached to viewers ---------------------------------------- */

static double svm_scorer_model_score(const void *m, char *const *features, size_t n)
{
    return svmv_score(m, features, n);
}

static void svm_scorer_model_free(void *m)
{
    svmv_free(m);
}

void svm_scorer_attach(struct svm_scorer *s, recut_viewer *v, const char *blob, size_t len)
{
    if (!s)
        return;
    svmv_model *m = NULL;
    char err[256];
    int rc = svmv_deserialize(blob, len, &m, err, sizeof err);
    if (rc == SVMV_OK) {
        struct viewer_model vm = { m, svm_scorer_model_score, svm_scorer_model_free };
        viewer_set_model(v, &vm);
        return;
    }
    if (rc != SVMV_E_CORRUPT) {
        log_warn("svm: the model of viewer %s: %s", v->id, err);
        return;
    }
    /* damaged: no model for this answer, a retraining replaces it */
    metrics_inc(M_SVM_BAD_BLOB, 1);
    if (!strmap_get(&s->bad_logged, v->id)) {
        if (s->bad_logged.len >= SVM_SCORER_BAD_LOGGED_MAX)
            strmap_clear(&s->bad_logged, NULL);
        strmap_put(&s->bad_logged, v->id);
        log_warn("svm: %s:{u:%s}:svm ignored (%zu bytes): %s; retraining", s->prefix, v->id, len,
                 err);
    }
    svm_scorer_push(s, v->id, 0, SVM_SCORER_FORCE);
    svm_scorer_kick(s);
}

json_t *svm_scorer_profile(const recut_viewer *v)
{
    if (!v->svm.state || v->svm.free != svm_scorer_model_free)
        return json_null();
    const struct svmv_info *in = svmv_info(v->svm.state);
    json_t *o =
        json_pack("{s:I,s:I,s:I,s:s,s:f,s:f,s:b,s:I,s:f}", "labels",
                  (json_int_t)(in->likes + in->dislikes), "likes", (json_int_t)in->likes,
                  "dislikes", (json_int_t)in->dislikes, "kernel", svmv_kernel_name(in->kernel), "c",
                  in->C, "gamma", in->gamma, "probability", in->probability, "support_vectors",
                  (json_int_t)in->n_sv, "training_accuracy", in->train_accuracy);
    if (o) {
        json_object_set_new(o, "labels_available", json_integer((json_int_t)in->labels));
        json_object_set_new(o, "trained_at", json_integer((json_int_t)in->trained_at));
    }
    return o ? o : json_null();
}
