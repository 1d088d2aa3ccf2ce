/* SPDX-License-Identifier: Apache-2.0 */
/*
 * models-bench -- cost of recut's per-event model updates and the size of a
 * typical viewer's serialized models.
 *
 *   models-bench [-n EVENTS]
 *
 * Every timing is ns per event (median of 5 runs) and its ratio to the
 * baseline "hash": FNV-1a over the event's feature names plus one double
 * add each -- the least any per-feature update must do.  Synthetic events:
 * 5..20 features per event from a vocabulary of 3000 names
 * ("genre:..", "tag:..", "label:.."), emotion readings of 3 labels,
 * 8-dimensional scene feature vectors.
 */
#include "config.h"

#include "emotion.h"
#include "fa.h"
#include "kmeans.h"
#include "nb.h"
#include "nbtext.h"
#include "svmm.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define VOCAB 3000
#define DIM 8
#define RUNS 5

static char vocab[VOCAB][32];
static const char *names[VOCAB];

struct event {
    const char *feat[20];
    double w[20];
    size_t n;
    int cls;
    double x[DIM];
    const char *emo[3];
    double emo_p[3];
    int64_t ts;
};

static struct event *events;
static size_t n_events;
static volatile double sink;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void make_events(size_t n)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 1);
    static const char *kinds[3] = { "genre", "tag", "label" };
    for (size_t i = 0; i < VOCAB; i++) {
        snprintf(vocab[i], sizeof vocab[i], "%s:%zu", kinds[i % 3], i * 7919 % 100003);
        names[i] = vocab[i];
    }
    static const char *emotions[] = { "joy",        "sadness",  "fear",    "calm",     "tension",
                                      "excitement", "surprise", "boredom", "unknown-x" };
    events = calloc(n, sizeof *events);
    n_events = n;
    for (size_t i = 0; i < n; i++) {
        struct event *e = &events[i];
        e->n = 5 + gsl_rng_uniform_int(r, 16);
        for (size_t j = 0; j < e->n; j++) {
            /* Zipf-like: popular features recur */
            size_t f = (size_t)(VOCAB * pow(gsl_rng_uniform(r), 3.0));
            e->feat[j] = names[f < VOCAB ? f : VOCAB - 1];
            e->w[j] = 0.5 + gsl_rng_uniform(r);
        }
        e->cls = (int)gsl_rng_uniform_int(r, 2);
        size_t c = gsl_rng_uniform_int(r, 5);
        for (size_t j = 0; j < DIM; j++)
            e->x[j] = (double)((c + j) % 5) + gsl_ran_gaussian(r, 0.5);
        for (size_t j = 0; j < 3; j++) {
            e->emo[j] = emotions[gsl_rng_uniform_int(r, 9)];
            e->emo_p[j] = gsl_rng_uniform(r);
        }
        e->ts = 1700000000000LL + (int64_t)i * 1000;
    }
    gsl_rng_free(r);
}

/* ---- the measured loops: each returns elapsed ns for all events ----- */

static double run_baseline(void)
{
    double t0 = now_ns(), acc = 0;
    for (size_t i = 0; i < n_events; i++) {
        const struct event *e = &events[i];
        for (size_t j = 0; j < e->n; j++) {
            uint64_t h = 0xcbf29ce484222325ull;
            for (const unsigned char *p = (const unsigned char *)e->feat[j]; *p; p++)
                h = (h ^ *p) * 0x100000001b3ull;
            acc += (double)(h & 0xff) * e->w[j];
        }
    }
    sink = acc;
    return now_ns() - t0;
}

static double run_nb(void)
{
    static const char *cls[2] = { "dislike", "like" };
    nb_model *m = nb_new(cls, 2, 1.0, NULL, 0);
    double t0 = now_ns();
    for (size_t i = 0; i < n_events; i++) {
        const struct event *e = &events[i];
        nb_add_sample(m, (size_t)e->cls, e->feat, e->w, e->n, NULL, 0);
    }
    double t = now_ns() - t0;
    sink = nb_class_total(m, 1);
    nb_free(m);
    return t;
}

static double run_nb_explain(void)
{
    static const char *cls[2] = { "dislike", "like" };
    nb_model *m = nb_new(cls, 2, 1.0, NULL, 0);
    for (size_t i = 0; i < n_events; i++)
        nb_add_sample(m, (size_t)events[i].cls, events[i].feat, events[i].w, events[i].n, NULL, 0);
    double t0 = now_ns(), acc = 0, lp[2];
    for (size_t i = 0; i < n_events; i++) {
        const struct event *e = &events[i];
        nb_log_proba(m, e->feat, e->w, e->n, lp, NULL, 0);
        acc += lp[1];
    }
    double t = now_ns() - t0;
    sink = acc;
    nb_free(m);
    return t;
}

static double run_emotion(void)
{
    struct emotion_config cfg;
    emotion_config_default(&cfg);
    struct emotion_state st[3];
    for (int s = 0; s < 3; s++)
        emotion_state_init(&st[s]);
    double t0 = now_ns();
    for (size_t i = 0; i < n_events; i++) {
        const struct event *e = &events[i];
        /* one reading updates the viewer, movie and scene estimates */
        struct emotion_va va;
        double mass;
        emotion_from_reading(e->emo, e->emo_p, 3, &va, &mass, NULL, 0);
        for (int s = 0; s < 3; s++)
            emotion_observe_va(&st[s], &cfg, (enum emotion_scope)s, e->ts, &va, mass);
    }
    double t = now_ns() - t0;
    sink = st[0].valence;
    return t;
}

static double run_kmeans_update(void)
{
    kmeans_model *m = kmeans_new(8, DIM, NULL, NULL, 0);
    double t0 = now_ns();
    for (size_t i = 0; i < n_events; i++)
        kmeans_update(m, events[i].x, DIM, NULL, 0);
    double t = now_ns() - t0;
    sink = kmeans_count(m, 0);
    kmeans_free(m);
    return t;
}

static double run_kmeans_batch(void)
{
    kmeans_model *m = kmeans_new(8, DIM, NULL, NULL, 0);
    enum {
        B = 64
    };
    gsl_matrix *batch = gsl_matrix_alloc(B, DIM);
    double t0 = now_ns();
    for (size_t i = 0; i + B <= n_events; i += B) {
        for (size_t b = 0; b < B; b++)
            memcpy(gsl_matrix_ptr(batch, b, 0), events[i + b].x, DIM * sizeof(double));
        kmeans_partial_fit(m, batch, NULL, 0);
    }
    double t = now_ns() - t0;
    sink = kmeans_count(m, 0);
    gsl_matrix_free(batch);
    kmeans_free(m);
    return t;
}

static svmm_model *bench_svm;

static double run_svm_predict(void)
{
    double t0 = now_ns(), acc = 0, dec;
    for (size_t i = 0; i < n_events; i++) {
        svmm_decision_dense(bench_svm, events[i].x, DIM, &dec, 1, NULL, NULL, 0);
        acc += dec;
    }
    double t = now_ns() - t0;
    sink = acc;
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_ns(double (*fn)(void))
{
    double t[RUNS];
    for (int r = 0; r < RUNS; r++)
        t[r] = fn();
    qsort(t, RUNS, sizeof t[0], cmp_double);
    return t[RUNS / 2] / (double)n_events;
}

/* ---- sizes ------------------------------------------------------------ */

static void sizes(void)
{
    char err[256];
    unsigned char *buf;
    size_t len;
    printf("\nserialized size of one typical viewer's models (blob, bytes)\n");
    printf("%-52s %8s\n", "model", "bytes");

    /* NB after 200 events: the features such a viewer has touched */
    static const char *cls[2] = { "dislike", "like" };
    nb_model *nb = nb_new(cls, 2, 1.0, err, sizeof err);
    for (size_t i = 0; i < 200 && i < n_events; i++)
        nb_add_sample(nb, (size_t)events[i].cls, events[i].feat, events[i].w, events[i].n, NULL, 0);
    nb_serialize(nb, &buf, &len, err, sizeof err);
    char label[96];
    snprintf(label, sizeof label, "naive Bayes, 200 events (%zu features x 2 classes)",
             nb_n_features(nb));
    printf("%-52s %8zu\n", label, len);
    free(buf);
    nb_free(nb);

    /* SVM on 100 labelled scenes, 8 features */
    svmm_problem *pb = svmm_problem_new();
    for (size_t i = 0; i < 100 && i < n_events; i++)
        svmm_problem_add_dense(pb, events[i].x[0] + events[i].x[1] > 4 ? 1 : -1, events[i].x, DIM,
                               err, sizeof err);
    struct svmm_params p;
    svmm_params_default(&p);
    p.probability = 1;
    svmm_model *svm = NULL;
    if (svmm_train(pb, &p, &svm, err, sizeof err) == SVMM_OK) {
        svmm_serialize(svm, &buf, &len, err, sizeof err);
        snprintf(label, sizeof label, "SVM RBF+prob, 100 labels x %d dims (%d SVs)", DIM,
                 svmm_n_sv(svm));
        printf("%-52s %8zu\n", label, len);
        free(buf);
        svmm_free(svm);
    }
    svmm_problem_free(pb);

    /* k-means: 5 taste clusters over 8-dim scene features */
    kmeans_model *km = kmeans_new(5, DIM, NULL, err, sizeof err);
    for (size_t i = 0; i < 500 && i < n_events; i++)
        kmeans_update(km, events[i].x, DIM, err, sizeof err);
    kmeans_serialize(km, &buf, &len, err, sizeof err);
    printf("%-52s %8zu\n", "k-means, k=5 x 8 dims", len);
    free(buf);
    kmeans_free(km);

    /* factor analysis: 3 factors over 20 variables */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_matrix *X = gsl_matrix_alloc(200, 20);
    for (size_t i = 0; i < 200; i++) {
        double z[3] = { gsl_ran_gaussian(r, 1), gsl_ran_gaussian(r, 1), gsl_ran_gaussian(r, 1) };
        for (size_t j = 0; j < 20; j++)
            gsl_matrix_set(X, i, j, z[j % 3] + 0.3 * z[(j + 1) % 3] + gsl_ran_gaussian(r, 0.5));
    }
    fa_model *fa = NULL;
    if (fa_fit(X, 3, NULL, &fa, err, sizeof err) == FA_OK) {
        fa_serialize(fa, &buf, &len, err, sizeof err);
        printf("%-52s %8zu\n", "factor analysis, 20 variables x 3 factors", len);
        free(buf);
        fa_free(fa);
    }
    gsl_matrix_free(X);
    gsl_rng_free(r);

    /* emotion: one state each for the viewer, a movie and a scene */
    struct emotion_state st;
    emotion_state_init(&st);
    emotion_serialize(&st, &buf, &len, err, sizeof err);
    printf("%-52s %8zu\n", "emotion state (per viewer / movie / scene), each", len);
    printf("%-52s %8zu\n", "emotion state as numbers (emotion_state_pack)",
           (size_t)EMOTION_STATE_NUMBERS * sizeof(double));
    free(buf);
}

int main(int argc, char **argv)
{
    size_t n = 200000;
    if (argc == 3 && strcmp(argv[1], "-n") == 0)
        n = (size_t)strtoul(argv[2], NULL, 10);
    else if (argc != 1) {
        fprintf(stderr, "usage: models-bench [-n EVENTS]\n");
        return 64;
    }
    if (n < 1000)
        n = 1000;
    make_events(n);

    /* an SVM for the prediction row: 300 labelled scenes */
    svmm_problem *pb = svmm_problem_new();
    for (size_t i = 0; i < 300; i++)
        svmm_problem_add_dense(pb, events[i].x[0] > 2 ? 1 : -1, events[i].x, DIM, NULL, 0);
    svmm_train(pb, NULL, &bench_svm, NULL, 0);
    svmm_problem_free(pb);

    size_t feats = 0;
    for (size_t i = 0; i < n; i++)
        feats += events[i].n;
    printf("models-bench: %zu events, %.1f features/event, median of %d runs\n", n,
           (double)feats / (double)n, RUNS);
    printf("baseline \"hash\": FNV-1a of each feature name + one double add\n\n");
    printf("%-44s %10s %10s\n", "update", "ns/event", "x hash");
    double base = median_ns(run_baseline);
    struct {
        const char *name;
        double (*fn)(void);
    } rows[] = {
        { "hash (baseline)", run_baseline },
        { "nb_add_sample (5-20 features)", run_nb },
        { "nb_log_proba (same events, query)", run_nb_explain },
        { "emotion reading -> viewer+movie+scene", run_emotion },
        { "kmeans_update (k=8, 8 dims, 1 event)", run_kmeans_update },
        { "kmeans_partial_fit (k=8, batches of 64)", run_kmeans_batch },
        { "svmm_decision (RBF, 8 dims)", run_svm_predict },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double ns = i == 0 ? base : median_ns(rows[i].fn);
        printf("%-44s %10.1f %10.2f\n", rows[i].name, ns, ns / base);
    }
    if (bench_svm)
        printf("(the SVM has %d support vectors)\n", svmm_n_sv(bench_svm));
    sizes();
    svmm_free(bench_svm);
    free(events);
    return 0;
}
