/* SPDX-License-Identifier: Apache-2.0 */
/* test-fa.c -- factor analysis unit tests (sklearn agreement is tests/peer). */
#include "config.h"

#include "fa.h"
#include "expect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#define P 6
#define K 2

static const double true_L[P][K] = { { 0.9, 0.0 }, { 0.8, 0.1 }, { 0.7, -0.2 },
                                     { 0.0, 0.9 }, { 0.1, 0.8 }, { -0.2, 0.7 } };
static const double true_psi[P] = { 0.2, 0.3, 0.25, 0.2, 0.3, 0.35 };
static const double true_mu[P] = { 1, 2, 3, -1, -2, 0 };

static gsl_matrix *sample(size_t n, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    gsl_matrix *X = gsl_matrix_alloc(n, P);
    for (size_t i = 0; i < n; i++) {
        double z[K];
        for (size_t k = 0; k < K; k++)
            z[k] = gsl_ran_gaussian(r, 1.0);
        for (size_t j = 0; j < P; j++) {
            double v = true_mu[j] + gsl_ran_gaussian(r, sqrt(true_psi[j]));
            for (size_t k = 0; k < K; k++)
                v += true_L[j][k] * z[k];
            gsl_matrix_set(X, i, j, v);
        }
    }
    gsl_rng_free(r);
    return X;
}

static void test_recover(void)
{
    gsl_matrix *X = sample(4000, 5);
    fa_model *m;
    char err[256];
    EXPECT_TRUE(fa_fit(X, K, NULL, &m, err, sizeof err) == FA_OK);
    if (!m)
        return;
    EXPECT_TRUE(fa_converged(m) && fa_iterations(m) > 1);
    EXPECT_TRUE(fa_dim(m) == P && fa_n_factors(m) == K);
    gsl_matrix *cov = gsl_matrix_alloc(P, P);
    EXPECT_TRUE(fa_covariance(m, cov) == FA_OK);
    double worst = 0;
    for (size_t a = 0; a < P; a++)
        for (size_t b = 0; b < P; b++) {
            double t = a == b ? true_psi[a] : 0;
            for (size_t k = 0; k < K; k++)
                t += true_L[a][k] * true_L[b][k];
            worst = fmax(worst, fabs(gsl_matrix_get(cov, a, b) - t));
        }
    EXPECT_TRUE(worst < 0.08);
    /* at the ML solution the model reproduces the sample variances */
    for (size_t j = 0; j < P; j++) {
        double mu = gsl_vector_get(fa_mean(m), j), var = 0;
        EXPECT_NEAR(mu, true_mu[j], 0.05);
        for (size_t i = 0; i < X->size1; i++)
            var += pow(gsl_matrix_get(X, i, j) - mu, 2);
        var /= (double)X->size1;
        EXPECT_NEAR(gsl_matrix_get(cov, j, j), var, 1e-4);
    }
    /* sign convention: each factor's largest loading is positive */
    for (size_t k = 0; k < K; k++) {
        double best = 0;
        for (size_t j = 0; j < P; j++)
            if (fabs(gsl_matrix_get(fa_loadings(m), j, k)) > fabs(best))
                best = gsl_matrix_get(fa_loadings(m), j, k);
        EXPECT_TRUE(best > 0);
    }
    /* transform = solve((I + L' Psi^-1 L), L' Psi^-1 (x - mu)) */
    gsl_vector *x = gsl_vector_alloc(P), *z = gsl_vector_alloc(K);
    for (size_t j = 0; j < P; j++)
        gsl_vector_set(x, j, gsl_matrix_get(X, 17, j));
    EXPECT_TRUE(fa_transform(m, x, z) == FA_OK);
    gsl_matrix *A = gsl_matrix_alloc(K, K);
    gsl_vector *rhs = gsl_vector_alloc(K), *sol = gsl_vector_alloc(K);
    const gsl_matrix *L = fa_loadings(m);
    const gsl_vector *psi = fa_noise_variance(m), *mean = fa_mean(m);
    for (size_t a = 0; a < K; a++) {
        double r = 0;
        for (size_t j = 0; j < P; j++)
            r += gsl_matrix_get(L, j, a) / gsl_vector_get(psi, j) *
                 (gsl_vector_get(x, j) - gsl_vector_get(mean, j));
        gsl_vector_set(rhs, a, r);
        for (size_t b = 0; b < K; b++) {
            double s = a == b;
            for (size_t j = 0; j < P; j++)
                s += gsl_matrix_get(L, j, a) * gsl_matrix_get(L, j, b) / gsl_vector_get(psi, j);
            gsl_matrix_set(A, a, b, s);
        }
    }
    gsl_permutation *perm = gsl_permutation_alloc(K);
    int sgn;
    gsl_linalg_LU_decomp(A, perm, &sgn);
    gsl_linalg_LU_solve(A, perm, rhs, sol);
    for (size_t a = 0; a < K; a++)
        EXPECT_NEAR(gsl_vector_get(z, a), gsl_vector_get(sol, a), 1e-10);
    /* the mean maps to 0 */
    gsl_vector_memcpy(x, mean);
    EXPECT_TRUE(fa_transform(m, x, z) == FA_OK);
    EXPECT_TRUE(fabs(gsl_vector_get(z, 0)) < 1e-12 && fabs(gsl_vector_get(z, 1)) < 1e-12);
    gsl_vector_set(x, 0, NAN);
    EXPECT_TRUE(fa_transform(m, x, z) == FA_E_NONFINITE);

    /* serialization keeps every number */
    unsigned char *buf;
    size_t len;
    EXPECT_TRUE(fa_serialize(m, &buf, &len, err, sizeof err) == 0);
    fa_model *r = fa_deserialize(buf, len, err, sizeof err);
    EXPECT_TRUE(r != NULL);
    if (r) {
        EXPECT_TRUE(memcmp(fa_loadings(r)->data, fa_loadings(m)->data, P * K * sizeof(double)) ==
                    0);
        EXPECT_TRUE(fa_log_likelihood(r) == fa_log_likelihood(m));
        fa_free(r);
    }
    EXPECT_TRUE(fa_deserialize(buf, len - 1, err, sizeof err) == NULL);
    buf[len - 1] ^= 4;
    EXPECT_TRUE(fa_deserialize(buf, len, err, sizeof err) == NULL);
    free(buf);

    gsl_permutation_free(perm);
    gsl_vector_free(rhs);
    gsl_vector_free(sol);
    gsl_matrix_free(A);
    gsl_vector_free(x);
    gsl_vector_free(z);
    gsl_matrix_free(cov);
    fa_free(m);
    gsl_matrix_free(X);
}

static void test_bad_input(void)
{
    fa_model *m;
    char err[256];
    gsl_matrix *X = sample(50, 9);
    EXPECT_TRUE(fa_fit(X, 0, NULL, &m, err, sizeof err) == FA_E_INVALID && !m);
    EXPECT_TRUE(fa_fit(X, P + 1, NULL, &m, err, sizeof err) == FA_E_INVALID && !m);
    gsl_matrix_const_view one = gsl_matrix_const_submatrix(X, 0, 0, 1, P);
    EXPECT_TRUE(fa_fit(&one.matrix, 1, NULL, &m, err, sizeof err) == FA_E_TOO_FEW && !m);
    EXPECT_TRUE(fa_fit(NULL, 1, NULL, &m, err, sizeof err) == FA_E_TOO_FEW);
    gsl_matrix_set(X, 3, 2, INFINITY);
    EXPECT_TRUE(fa_fit(X, 1, NULL, &m, err, sizeof err) == FA_E_NONFINITE && !m);
    gsl_matrix_set(X, 3, 2, 0);
    /* a constant column: its noise variance sits at the floor, still fits */
    for (size_t i = 0; i < X->size1; i++)
        gsl_matrix_set(X, i, 5, 3.0);
    EXPECT_TRUE(fa_fit(X, 2, NULL, &m, err, sizeof err) == FA_OK);
    if (m) {
        EXPECT_TRUE(gsl_vector_get(fa_noise_variance(m), 5) < 1e-9);
        fa_free(m);
    }
    gsl_matrix_free(X);
}

int main(void)
{
    test_recover();
    test_bad_input();
    return expect_report();
}
