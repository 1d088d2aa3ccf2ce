/* SPDX-License-Identifier: Apache-2.0 */
/* test-kmeans.c -- k-means unit tests (sklearn agreement is tests/peer). */
#include "config.h"

#include "kmeans.h"
#include "expect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

static const double true_c[3][2] = { { 0, 0 }, { 10, 0 }, { 0, 10 } };

/* n points per cluster, cluster i at rows i, i+3, i+6, ... (interleaved). */
static gsl_matrix *blobs(size_t per, double sd, unsigned long seed, size_t *truth)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    gsl_matrix *X = gsl_matrix_alloc(3 * per, 2);
    for (size_t i = 0; i < 3 * per; i++) {
        size_t c = i % 3;
        if (truth)
            truth[i] = c;
        for (size_t j = 0; j < 2; j++)
            gsl_matrix_set(X, i, j, true_c[c][j] + gsl_ran_gaussian(r, sd));
    }
    gsl_rng_free(r);
    return X;
}

static void test_fit(void)
{
    size_t truth[300], labels[300];
    gsl_matrix *X = blobs(100, 0.5, 7, truth);
    char err[256];
    kmeans_model *m = kmeans_new(3, 2, NULL, err, sizeof err);
    EXPECT_TRUE(kmeans_n_ready(m) == 0);
    EXPECT_TRUE(isnan(kmeans_fit_inertia(m)));
    EXPECT_TRUE(kmeans_fit(m, X, err, sizeof err) == KMEANS_OK);
    EXPECT_TRUE(kmeans_n_ready(m) == 3);
    EXPECT_TRUE(kmeans_predict(m, X, labels) == KMEANS_OK);
    /* the partition is the true one up to a permutation */
    size_t map[3] = { 9, 9, 9 };
    int mismatch = 0;
    for (size_t i = 0; i < 300; i++) {
        if (map[truth[i]] == 9)
            map[truth[i]] = labels[i];
        else if (map[truth[i]] != labels[i])
            mismatch++;
    }
    EXPECT_TRUE(mismatch == 0);
    EXPECT_TRUE(map[0] != map[1] && map[1] != map[2] && map[0] != map[2]);
    /* centres are the cluster means, inertia consistent, counts = sizes */
    double inertia;
    EXPECT_TRUE(kmeans_inertia(m, X, &inertia) == KMEANS_OK);
    EXPECT_NEAR(inertia, kmeans_fit_inertia(m), 1e-12);
    for (size_t c = 0; c < 3; c++) {
        double mean[2] = { 0, 0 };
        for (size_t i = 0; i < 300; i++)
            if (truth[i] == c)
                for (size_t j = 0; j < 2; j++)
                    mean[j] += gsl_matrix_get(X, i, j) / 100.0;
        for (size_t j = 0; j < 2; j++)
            EXPECT_NEAR(gsl_matrix_get(kmeans_centres(m), map[c], j), mean[j], 1e-9);
        EXPECT_TRUE(kmeans_count(m, map[c]) == 100);
    }
    /* same seed, same result, bit for bit */
    kmeans_model *m2 = kmeans_new(3, 2, NULL, err, sizeof err);
    EXPECT_TRUE(kmeans_fit(m2, X, err, sizeof err) == KMEANS_OK);
    EXPECT_TRUE(memcmp(kmeans_centres(m)->data, kmeans_centres(m2)->data, 6 * sizeof(double)) == 0);
    /* assign one vector */
    gsl_vector *x = gsl_vector_alloc(2);
    gsl_vector_set(x, 0, 9.5);
    gsl_vector_set(x, 1, 0.3);
    size_t cl;
    double d2;
    EXPECT_TRUE(kmeans_assign(m, x, &cl, &d2) == KMEANS_OK && cl == map[1] && d2 < 2);
    gsl_vector_set(x, 1, NAN);
    EXPECT_TRUE(kmeans_assign(m, x, &cl, &d2) == KMEANS_E_NONFINITE);
    gsl_vector_free(x);
    kmeans_free(m2);
    kmeans_free(m);
    gsl_matrix_free(X);
}

static void test_bad_input(void)
{
    char err[256];
    EXPECT_TRUE(kmeans_new(0, 2, NULL, err, sizeof err) == NULL);
    EXPECT_TRUE(kmeans_new(2, 0, NULL, err, sizeof err) == NULL);
    kmeans_model *m = kmeans_new(5, 2, NULL, err, sizeof err);
    gsl_matrix *X = blobs(1, 0.1, 1, NULL); /* 3 rows < k = 5 */
    EXPECT_TRUE(kmeans_fit(m, X, err, sizeof err) == KMEANS_E_TOO_FEW);
    EXPECT_TRUE(strstr(err, "3 samples for 5 clusters") != NULL);
    EXPECT_TRUE(kmeans_n_ready(m) == 0);
    EXPECT_TRUE(kmeans_fit(m, NULL, err, sizeof err) == KMEANS_E_EMPTY);
    /* online learning accepts fewer points than k */
    EXPECT_TRUE(kmeans_partial_fit(m, X, err, sizeof err) == KMEANS_OK);
    EXPECT_TRUE(kmeans_n_ready(m) == 3);
    gsl_matrix_set(X, 1, 1, NAN);
    EXPECT_TRUE(kmeans_partial_fit(m, X, err, sizeof err) == KMEANS_E_NONFINITE);
    EXPECT_TRUE(kmeans_n_ready(m) == 3 && kmeans_count(m, 0) == 1);
    gsl_matrix_set(X, 1, 1, INFINITY);
    EXPECT_TRUE(kmeans_fit(m, X, err, sizeof err) == KMEANS_E_NONFINITE);
    double p[2] = { 1, NAN };
    EXPECT_TRUE(kmeans_update(m, p, 2, err, sizeof err) == KMEANS_E_NONFINITE);
    EXPECT_TRUE(kmeans_update(m, p, 3, err, sizeof err) == KMEANS_E_DIM);
    gsl_matrix *Y = gsl_matrix_calloc(10, 3);
    EXPECT_TRUE(kmeans_fit(m, Y, err, sizeof err) == KMEANS_E_DIM);
    gsl_matrix_free(Y);
    kmeans_model *e = kmeans_new(2, 2, NULL, err, sizeof err);
    double inertia;
    EXPECT_TRUE(kmeans_inertia(e, X, &inertia) == KMEANS_E_NOT_FITTED);
    /* duplicates: n >= k but fewer distinct points still fits */
    gsl_matrix *D = gsl_matrix_calloc(4, 2);
    EXPECT_TRUE(kmeans_fit(e, D, err, sizeof err) == KMEANS_OK);
    EXPECT_TRUE(kmeans_fit_inertia(e) == 0);
    gsl_matrix_free(D);
    kmeans_free(e);
    kmeans_free(m);
    gsl_matrix_free(X);
}

/* Sequential k-means: each centre is exactly the running mean of what was
 * assigned to it. */
static void test_online(void)
{
    size_t truth[600];
    gsl_matrix *X = blobs(200, 1.0, 3, truth);
    char err[256];
    kmeans_model *m = kmeans_new(3, 2, NULL, err, sizeof err);
    double sum[3][2] = { { 0 } }, cnt[3] = { 0 };
    for (size_t i = 0; i < 600; i++) {
        gsl_vector_const_view row = gsl_matrix_const_row(X, i);
        size_t c = i;
        if (kmeans_n_ready(m) == 3)
            EXPECT_TRUE(kmeans_assign(m, &row.vector, &c, NULL) == KMEANS_OK);
        EXPECT_TRUE(kmeans_update(m, gsl_matrix_const_ptr(X, i, 0), 2, err, sizeof err) == 0);
        for (size_t j = 0; j < 2; j++)
            sum[c][j] += gsl_matrix_get(X, i, j);
        cnt[c]++;
    }
    for (size_t c = 0; c < 3; c++) {
        EXPECT_TRUE(kmeans_count(m, c) == cnt[c]);
        for (size_t j = 0; j < 2; j++)
            EXPECT_NEAR(gsl_matrix_get(kmeans_centres(m), c, j), sum[c][j] / cnt[c], 1e-9);
        /* and near the true centre (interleaved stream: centre c = cluster c) */
        EXPECT_TRUE(hypot(gsl_matrix_get(kmeans_centres(m), c, 0) - true_c[c][0],
                          gsl_matrix_get(kmeans_centres(m), c, 1) - true_c[c][1]) < 0.3);
    }
    /* the mini-batch form gives the same running means per batch */
    kmeans_model *b = kmeans_new(3, 2, NULL, err, sizeof err);
    gsl_matrix_const_view first = gsl_matrix_const_submatrix(X, 0, 0, 300, 2);
    gsl_matrix_const_view second = gsl_matrix_const_submatrix(X, 300, 0, 300, 2);
    EXPECT_TRUE(kmeans_partial_fit(b, &first.matrix, err, sizeof err) == KMEANS_OK);
    EXPECT_TRUE(kmeans_partial_fit(b, &second.matrix, err, sizeof err) == KMEANS_OK);
    double total = 0;
    for (size_t c = 0; c < 3; c++)
        total += kmeans_count(b, c);
    EXPECT_TRUE(total == 600);
    for (size_t c = 0; c < 3; c++)
        EXPECT_TRUE(hypot(gsl_matrix_get(kmeans_centres(b), c, 0) - true_c[c][0],
                          gsl_matrix_get(kmeans_centres(b), c, 1) - true_c[c][1]) < 0.3);
    kmeans_free(b);
    kmeans_free(m);
    gsl_matrix_free(X);
}

/* With a count cap the model forgets: a moved cluster is followed. */
static void test_forgetting(void)
{
    char err[256];
    struct kmeans_params p;
    kmeans_params_default(&p);
    p.count_cap = 20;
    kmeans_model *capped = kmeans_new(1, 1, &p, err, sizeof err);
    kmeans_model *plain = kmeans_new(1, 1, NULL, err, sizeof err);
    for (int i = 0; i < 200; i++) {
        double x = i < 100 ? 0.0 : 10.0;
        kmeans_update(capped, &x, 1, err, sizeof err);
        kmeans_update(plain, &x, 1, err, sizeof err);
    }
    EXPECT_NEAR(gsl_matrix_get(kmeans_centres(plain), 0, 0), 5.0, 1e-12);
    EXPECT_TRUE(gsl_matrix_get(kmeans_centres(capped), 0, 0) > 9.9);
    EXPECT_TRUE(kmeans_count(capped, 0) == 20);
    kmeans_free(capped);
    kmeans_free(plain);
}

static void test_serialize(void)
{
    gsl_matrix *X = blobs(20, 0.5, 11, NULL);
    char err[256];
    kmeans_model *m = kmeans_new(3, 2, NULL, err, sizeof err);
    EXPECT_TRUE(kmeans_fit(m, X, err, sizeof err) == KMEANS_OK);
    unsigned char *buf;
    size_t len;
    EXPECT_TRUE(kmeans_serialize(m, &buf, &len, err, sizeof err) == 0);
    kmeans_model *r = kmeans_deserialize(buf, len, err, sizeof err);
    EXPECT_TRUE(r && kmeans_n_ready(r) == 3 && kmeans_k(r) == 3 && kmeans_dim(r) == 2);
    if (r) {
        EXPECT_TRUE(memcmp(kmeans_centres(m)->data, kmeans_centres(r)->data, 6 * sizeof(double)) ==
                    0);
        for (size_t c = 0; c < 3; c++)
            EXPECT_TRUE(kmeans_count(r, c) == kmeans_count(m, c));
        kmeans_free(r);
    }
    for (size_t n = 0; n < len; n += 7)
        EXPECT_TRUE(kmeans_deserialize(buf, n, err, sizeof err) == NULL);
    buf[len / 2] ^= 0x80;
    EXPECT_TRUE(kmeans_deserialize(buf, len, err, sizeof err) == NULL);
    free(buf);
    kmeans_free(m);
    gsl_matrix_free(X);
}

int main(void)
{
    test_fit();
    test_bad_input();
    test_online();
    test_forgetting();
    test_serialize();
    return expect_report();
}
