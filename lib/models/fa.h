/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fa.h -- maximum-likelihood factor analysis with GSL.
 *
 * Model: x = mean + L z + e, z ~ N(0, I_k), e ~ N(0, diag(psi)), so
 * cov(x) = L L^T + diag(psi) with loadings L (p x k).  Fitted by the
 * iterated eigen-decomposition algorithm of Barber, "Bayesian Reasoning and
 * Machine Learning", 21.2 (the one scikit-learn's FactorAnalysis uses with
 * an SVD): with C = diag(psi)^-1/2 S diag(psi)^-1/2 (S the sample covariance
 * with 1/n) and its top-k eigenpairs (s_r, v_r), L = diag(psi)^1/2 V
 * diag(sqrt(max(s_r - 1, 0))), then psi = max(diag(S) - diag(L L^T), 1e-12),
 * starting from psi = 1, until the log-likelihood gains less than tol.
 * At convergence L L^T + psi agrees with scikit-learn's
 * FactorAnalysis(svd_method="lapack") (the peer test checks 1e-6 relative).
 * Factors are ordered by s_r (strongest first); each factor's sign is chosen
 * so that its largest-magnitude loading is positive.
 *
 * Bad input: fewer than 2 samples FA_E_TOO_FEW, k = 0 or k > p
 * FA_E_INVALID, NaN/infinity FA_E_NONFINITE.  Models are independent and
 * immutable after fitting (thread-safe to share for transform()).
 */
#ifndef RECUT_FA_H
#define RECUT_FA_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

typedef struct fa_model fa_model;

enum fa_status {
    FA_OK = 0,
    FA_E_INVALID = -1,
    FA_E_NOMEM = -2,
    FA_E_NONFINITE = -3,
    FA_E_TOO_FEW = -4,
    FA_E_DIM = -5,
    FA_E_NUMERIC = -6 /* a GSL routine failed */
};

struct fa_params {
    size_t max_iter; /* default 1000 */
    double tol;      /* absolute log-likelihood gain, default 1e-6 */
};

void fa_params_default(struct fa_params *p);

/* Fit on X (n x p, rows are observations) with n_factors = k. */
int fa_fit(const gsl_matrix *X, size_t n_factors, const struct fa_params *params, fa_model **out,
           char *errstr, size_t errstr_size);
void fa_free(fa_model *m);

size_t fa_dim(const fa_model *m);
size_t fa_n_factors(const fa_model *m);
size_t fa_iterations(const fa_model *m);
int fa_converged(const fa_model *m);
/* Log-likelihood of the training data under the fitted model. */
double fa_log_likelihood(const fa_model *m);

const gsl_matrix *fa_loadings(const fa_model *m);       /* p x k */
const gsl_vector *fa_noise_variance(const fa_model *m); /* psi, p */
const gsl_vector *fa_mean(const fa_model *m);           /* p */

/* out (p x p) = L L^T + diag(psi). */
int fa_covariance(const fa_model *m, gsl_matrix *out);
/* Factor scores: posterior mean E[z | x] = (I + L^T Psi^-1 L)^-1 L^T
 * Psi^-1 (x - mean); z has size k. */
int fa_transform(const fa_model *m, const gsl_vector *x, gsl_vector *z);

/* Blob (type BLOB_FA, version 1). */
int fa_serialize(const fa_model *m, unsigned char **buf, size_t *len, char *errstr,
                 size_t errstr_size);
fa_model *fa_deserialize(const void *buf, size_t len, char *errstr, size_t errstr_size);

#endif
