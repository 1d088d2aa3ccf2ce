/* SPDX-License-Identifier: Apache-2.0 */
/*
 * peer_badinput -- the defined behaviour of every model on bad input:
 * NaN / infinite features, empty vectors and problems, one class only,
 * k larger than n, and corrupt, truncated, foreign or re-checksummed
 * (structurally damaged) blobs of every model type.
 */
#include "config.h"

#include "blob.h"
#include "emotion.h"
#include "fa.h"
#include "kmeans.h"
#include "nb.h"
#include "svmm.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        checks++;                                                                                  \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static const char *const classes[2] = { "neg", "pos" };

/* ---- non-finite input ------------------------------------------------- */

static void nonfinite(void)
{
    const double bad[] = { NAN, INFINITY, -INFINITY };
    char err[256];
    for (int b = 0; b < 3; b++) {
        double v = bad[b];
        /* naive Bayes: rejected, nothing changed */
        nb_model *nb = nb_new(classes, 2, 1.0, err, sizeof err);
        const char *f[] = { "a", "b" };
        double w[] = { 1, v };
        CHECK(nb_add(nb, 0, "a", v, err, sizeof err) == -1);
        CHECK(nb_add_sample(nb, 0, f, w, 2, err, sizeof err) == -1);
        CHECK(nb_n_features(nb) == 0 && nb_class_samples(nb, 0) == 0);
        double jll[2];
        CHECK(nb_joint_log_likelihood(nb, f, w, 2, jll, err, sizeof err) == -1);
        double X[4] = { 1, 2, v, 0 };
        size_t y[2] = { 0, 1 };
        CHECK(nb_fit_matrix(nb, X, 2, 2, f, y, err, sizeof err) == -1);
        CHECK(nb_n_features(nb) == 0);
        nb_free(nb);

        /* SVM: the row is refused, queries too */
        svmm_problem *pb = svmm_problem_new();
        double x[3] = { 1, v, 0 };
        CHECK(svmm_problem_add_dense(pb, 1, x, 3, err, sizeof err) == SVMM_E_NONFINITE);
        int idx[1] = { 1 };
        CHECK(svmm_problem_add_sparse(pb, 1, idx, &v, 1, err, sizeof err) == SVMM_E_NONFINITE);
        CHECK(svmm_problem_size(pb) == 0);
        double good[2][3] = { { 1, 0, 0 }, { 0, 1, 0 } };
        svmm_problem_add_dense(pb, 1, good[0], 3, err, sizeof err);
        svmm_problem_add_dense(pb, 2, good[1], 3, err, sizeof err);
        svmm_model *m = NULL;
        CHECK(svmm_train(pb, NULL, &m, err, sizeof err) == SVMM_OK);
        int lab;
        CHECK(svmm_predict_dense(m, x, 3, &lab, err, sizeof err) == SVMM_E_NONFINITE);
        svmm_free(m);
        svmm_problem_free(pb);

        /* k-means and factor analysis: refused, model unchanged */
        gsl_matrix *M = gsl_matrix_calloc(10, 2);
        for (size_t i = 0; i < 10; i++)
            gsl_matrix_set(M, i, 0, (double)i);
        gsl_matrix_set(M, 7, 1, v);
        kmeans_model *km = kmeans_new(2, 2, NULL, err, sizeof err);
        CHECK(kmeans_fit(km, M, err, sizeof err) == KMEANS_E_NONFINITE);
        CHECK(kmeans_partial_fit(km, M, err, sizeof err) == KMEANS_E_NONFINITE);
        CHECK(kmeans_update(km, x, 2, err, sizeof err) == KMEANS_E_NONFINITE);
        CHECK(kmeans_n_ready(km) == 0);
        kmeans_free(km);
        fa_model *fm;
        CHECK(fa_fit(M, 1, NULL, &fm, err, sizeof err) == FA_E_NONFINITE && fm == NULL);
        gsl_matrix_free(M);

        /* emotion: refused, state unchanged */
        struct emotion_config cfg;
        emotion_config_default(&cfg);
        struct emotion_state st, before;
        emotion_state_init(&st);
        emotion_state_observe(&st, 1000, 0.5, 1, 0.5, 1, 100);
        before = st;
        const char *labels[] = { "joy" };
        CHECK(emotion_observe_reading(&st, &cfg, EMOTION_SCOPE_SCENE, 2000, labels, &v, 1, err,
                                      sizeof err) == -1);
        CHECK(emotion_observe_sentiment(&st, &cfg, EMOTION_SCOPE_MOVIE, 2000, v, 1) == -1);
        CHECK(emotion_state_observe(&st, 2000, v, 1, 0.5, 1, 100) == -1);
        CHECK(memcmp(&st, &before, sizeof st) == 0);
    }
}

/* ---- empty input ------------------------------------------------------ */

static void empty(void)
{
    char err[256];
    /* NB: an empty query vector gives the class prior */
    nb_model *nb = nb_new(classes, 2, 1.0, err, sizeof err);
    const char *f[] = { "a" };
    nb_add_sample(nb, 1, f, NULL, 1, err, sizeof err);
    nb_add_sample(nb, 1, f, NULL, 1, err, sizeof err);
    nb_add_sample(nb, 0, f, NULL, 1, err, sizeof err);
    double lp[2];
    CHECK(nb_log_proba(nb, NULL, NULL, 0, lp, err, sizeof err) == 0);
    CHECK(fabs(lp[1] - log(2.0 / 3.0)) < 1e-15 && fabs(lp[0] - log(1.0 / 3.0)) < 1e-15);
    nb_free(nb);
    /* SVM: empty problem is an error; an empty query vector is the origin */
    svmm_problem *pb = svmm_problem_new();
    svmm_model *m = NULL;
    CHECK(svmm_train(pb, NULL, &m, err, sizeof err) == SVMM_E_EMPTY && m == NULL);
    CHECK(svmm_train(NULL, NULL, &m, err, sizeof err) == SVMM_E_EMPTY);
    CHECK(svmm_problem_add_sparse(pb, 1, NULL, NULL, 0, err, sizeof err) == SVMM_OK);
    double one = 1;
    int idx = 1;
    CHECK(svmm_problem_add_sparse(pb, 2, &idx, &one, 1, err, sizeof err) == SVMM_OK);
    CHECK(svmm_train(pb, NULL, &m, err, sizeof err) == SVMM_OK);
    double dec;
    int lab;
    CHECK(svmm_decision_sparse(m, NULL, NULL, 0, &dec, 1, &lab, err, sizeof err) == SVMM_OK);
    CHECK(lab == 1 && dec > 0);
    svmm_free(m);
    svmm_problem_free(pb);
    /* k-means / FA */
    kmeans_model *km = kmeans_new(2, 3, NULL, err, sizeof err);
    CHECK(kmeans_fit(km, NULL, err, sizeof err) == KMEANS_E_EMPTY);
    CHECK(kmeans_partial_fit(km, NULL, err, sizeof err) == KMEANS_E_EMPTY);
    gsl_vector *x = gsl_vector_calloc(3);
    size_t cl;
    CHECK(kmeans_assign(km, x, &cl, NULL) == KMEANS_E_NOT_FITTED);
    gsl_vector_free(x);
    kmeans_free(km);
    fa_model *fm;
    CHECK(fa_fit(NULL, 1, NULL, &fm, err, sizeof err) == FA_E_TOO_FEW);
    /* emotion: an empty reading changes nothing */
    struct emotion_config cfg;
    emotion_config_default(&cfg);
    struct emotion_state st;
    emotion_state_init(&st);
    CHECK(emotion_observe_reading(&st, &cfg, EMOTION_SCOPE_VIEWER, 5, NULL, NULL, 0, err,
                                  sizeof err) == 0);
    struct emotion_va va;
    CHECK(emotion_state_estimate(&st, &va) == -1);
}

/* ---- one class, k > n -------------------------------------------------- */

static void degenerate(void)
{
    char err[256];
    svmm_problem *pb = svmm_problem_new();
    for (int i = 0; i < 20; i++) {
        double x[2] = { i, -i };
        svmm_problem_add_dense(pb, 4, x, 2, err, sizeof err);
    }
    svmm_model *m = NULL;
    CHECK(svmm_train(pb, NULL, &m, err, sizeof err) == SVMM_E_ONE_CLASS && m == NULL);
    svmm_problem_free(pb);

    /* NB with only one class observed: -inf for the other (sklearn), or a
     * finite value with prior smoothing */
    nb_model *nb = nb_new(classes, 2, 1.0, err, sizeof err);
    const char *f[] = { "a" };
    nb_add_sample(nb, 1, f, NULL, 1, err, sizeof err);
    double lp[2];
    CHECK(nb_log_proba(nb, f, NULL, 1, lp, err, sizeof err) == 0);
    CHECK(isinf(lp[0]) && lp[1] == 0);
    nb_set_prior_alpha(nb, 1);
    CHECK(nb_log_proba(nb, f, NULL, 1, lp, err, sizeof err) == 0);
    CHECK(isfinite(lp[0]) && isfinite(lp[1]) && lp[1] > lp[0]);
    nb_free(nb);

    /* k > n: fit refuses (no clamping); online learning just has fewer */
    gsl_matrix *M = gsl_matrix_alloc(3, 2);
    for (size_t i = 0; i < 6; i++)
        M->data[i] = (double)i;
    kmeans_model *km = kmeans_new(4, 2, NULL, err, sizeof err);
    CHECK(kmeans_fit(km, M, err, sizeof err) == KMEANS_E_TOO_FEW);
    CHECK(kmeans_n_ready(km) == 0);
    CHECK(kmeans_partial_fit(km, M, err, sizeof err) == KMEANS_OK && kmeans_n_ready(km) == 3);
    kmeans_free(km);
    km = kmeans_new(3, 2, NULL, err, sizeof err); /* k == n is fine: inertia 0 */
    CHECK(kmeans_fit(km, M, err, sizeof err) == KMEANS_OK && kmeans_fit_inertia(km) == 0);
    kmeans_free(km);
    fa_model *fm;
    CHECK(fa_fit(M, 3, NULL, &fm, err, sizeof err) == FA_E_INVALID);
    gsl_matrix_free(M);
}

/* ---- blobs ------------------------------------------------------------- */

typedef int (*load_fn)(const unsigned char *buf, size_t len);

static int load_nb(const unsigned char *b, size_t n)
{
    nb_model *m = nb_deserialize(b, n, NULL, 0);
    nb_free(m);
    return m ? 0 : -1;
}

static int load_svm(const unsigned char *b, size_t n)
{
    svmm_model *m = NULL;
    int rc = svmm_deserialize(b, n, &m, NULL, 0);
    if (rc == SVMM_OK) {
        /* a model that loads must answer */
        double x[3] = { 0.5, -0.5, 1 }, dec[3];
        svmm_decision_dense(m, x, 3, dec, 3, NULL, NULL, 0);
    }
    svmm_free(m);
    return rc == SVMM_OK ? 0 : -1;
}

static int load_kmeans(const unsigned char *b, size_t n)
{
    kmeans_model *m = kmeans_deserialize(b, n, NULL, 0);
    kmeans_free(m);
    return m ? 0 : -1;
}

static int load_fa(const unsigned char *b, size_t n)
{
    fa_model *m = fa_deserialize(b, n, NULL, 0);
    fa_free(m);
    return m ? 0 : -1;
}

static int load_emotion(const unsigned char *b, size_t n)
{
    struct emotion_state st;
    return emotion_deserialize(b, n, &st, NULL, 0) == 0 ? 0 : -1;
}

struct sample_blob {
    const char *name;
    unsigned char *buf;
    size_t len;
    load_fn load;
};

static void make_blobs(struct sample_blob *s)
{
    char err[256];
    nb_model *nb = nb_new(classes, 2, 1.0, err, sizeof err);
    const char *f[] = { "genre:Drama", "tag:dark", "label:action" };
    nb_add_sample(nb, 0, f, NULL, 3, err, sizeof err);
    nb_add_sample(nb, 1, f + 1, NULL, 2, err, sizeof err);
    s[0] = (struct sample_blob){ "naive-bayes", NULL, 0, load_nb };
    nb_serialize(nb, &s[0].buf, &s[0].len, err, sizeof err);
    nb_free(nb);

    svmm_problem *pb = svmm_problem_new();
    for (int i = 0; i < 30; i++) {
        double x[3] = { sin(i), cos(i), i % 3 };
        svmm_problem_add_dense(pb, i % 3 == 0 ? 1 : 2, x, 3, err, sizeof err);
    }
    struct svmm_params p;
    svmm_params_default(&p);
    p.probability = 1;
    svmm_model *m = NULL;
    svmm_train(pb, &p, &m, err, sizeof err);
    s[1] = (struct sample_blob){ "svm", NULL, 0, load_svm };
    svmm_serialize(m, &s[1].buf, &s[1].len, err, sizeof err);
    svmm_free(m);
    svmm_problem_free(pb);

    gsl_matrix *M = gsl_matrix_alloc(20, 3);
    for (size_t i = 0; i < 60; i++)
        M->data[i] = sin((double)i * 1.7);
    kmeans_model *km = kmeans_new(3, 3, NULL, err, sizeof err);
    kmeans_fit(km, M, err, sizeof err);
    s[2] = (struct sample_blob){ "k-means", NULL, 0, load_kmeans };
    kmeans_serialize(km, &s[2].buf, &s[2].len, err, sizeof err);
    kmeans_free(km);
    fa_model *fm = NULL;
    fa_fit(M, 1, NULL, &fm, err, sizeof err);
    s[3] = (struct sample_blob){ "factor-analysis", NULL, 0, load_fa };
    fa_serialize(fm, &s[3].buf, &s[3].len, err, sizeof err);
    fa_free(fm);
    gsl_matrix_free(M);

    struct emotion_state st = { 0.2, 1, 0.6, 1, 12345 };
    s[4] = (struct sample_blob){ "emotion", NULL, 0, load_emotion };
    emotion_serialize(&st, &s[4].buf, &s[4].len, err, sizeof err);
}

/* Rewrite the checksum after tampering with the payload, so the damage
 * reaches the model's own reader. */
static void fix_crc(unsigned char *b, size_t len)
{
    uint32_t crc = blob_crc32(0, b + BLOB_HEADER_SIZE, len - BLOB_HEADER_SIZE);
    for (int i = 0; i < 4; i++)
        b[12 + i] = (unsigned char)(crc >> (8 * i));
}

static void blobs(void)
{
    struct sample_blob s[5];
    make_blobs(s);
    for (int k = 0; k < 5; k++) {
        unsigned char *b = s[k].buf;
        size_t len = s[k].len;
        CHECK(b != NULL);
        if (!b)
            continue;
        CHECK(s[k].load(b, len) == 0);
        int bad = 0;
        for (size_t n = 0; n < len; n++) /* every truncation */
            bad += s[k].load(b, n) == 0;
        CHECK(bad == 0);
        bad = 0;
        for (size_t i = 0; i < len; i++) /* every single-bit flip */
            for (int bit = 0; bit < 8; bit++) {
                b[i] ^= (unsigned char)(1u << bit);
                bad += s[k].load(b, len) == 0;
                b[i] ^= (unsigned char)(1u << bit);
            }
        CHECK(bad == 0);
        for (int j = 0; j < 5; j++) /* every other model type's reader */
            if (j != k)
                CHECK(s[j].load(b, len) != 0);
        /* a payload cut short under a consistent header and checksum */
        unsigned char *cut = malloc(len);
        for (size_t n = BLOB_HEADER_SIZE; n < len; n++) {
            memcpy(cut, b, n);
            uint32_t plen = (uint32_t)(n - BLOB_HEADER_SIZE);
            for (int i = 0; i < 4; i++)
                cut[8 + i] = (unsigned char)(plen >> (8 * i));
            fix_crc(cut, n);
            bad += s[k].load(cut, n) == 0;
        }
        CHECK(bad == 0);
        /* structural damage with a valid checksum: must never crash; we
         * count how many were still accepted (plausible values) */
        size_t accepted = 0, tried = 0;
        uint32_t rnd = 12345;
        for (int t = 0; t < 3000; t++) {
            memcpy(cut, b, len);
            rnd = rnd * 1103515245u + 12345u;
            size_t pos = BLOB_HEADER_SIZE + (rnd >> 8) % (len - BLOB_HEADER_SIZE);
            rnd = rnd * 1103515245u + 12345u;
            cut[pos] = (unsigned char)(rnd >> 16);
            fix_crc(cut, len);
            tried++;
            accepted += s[k].load(cut, len) == 0;
        }
        printf("%-16s %5zu bytes: truncations, bit flips, foreign readers refused; "
               "%zu/%zu re-checksummed byte changes still loadable\n",
               s[k].name, len, accepted, tried);
        free(cut);
        free(b);
    }
    /* garbage that is not a blob at all */
    unsigned char junk[64];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37 + 11);
    for (int k = 0; k < 5; k++)
        CHECK(s[k].load(junk, sizeof junk) != 0);
}

int main(void)
{
    nonfinite();
    empty();
    degenerate();
    blobs();
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
