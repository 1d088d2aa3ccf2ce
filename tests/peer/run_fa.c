/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_fa -- run recut's factor analysis on a data set for peer_fa.py.
 *
 *   run_fa DATA K TOL MAX_ITER
 *
 * Prints the fitted covariance L L^T + psi, the loadings, the noise
 * variances (all %a), the iteration count, and the factor scores of the
 * first rows.
 */
#include "config.h"

#include "fa.h"
#include "peer_io.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 5)
        peer_die("usage: run_fa DATA K TOL MAX_ITER");
    size_t n, p;
    double *X = peer_read_matrix(argv[1], &n, &p);
    size_t k = (size_t)atoi(argv[2]);
    struct fa_params prm;
    fa_params_default(&prm);
    prm.tol = atof(argv[3]);
    prm.max_iter = (size_t)atoi(argv[4]);
    gsl_matrix_view Xv = gsl_matrix_view_array(X, n, p);
    fa_model *m;
    char err[256];
    if (fa_fit(&Xv.matrix, k, &prm, &m, err, sizeof err) != FA_OK)
        peer_die(err);
    gsl_matrix *cov = gsl_matrix_alloc(p, p);
    fa_covariance(m, cov);
    printf("iterations %zu converged %d\n", fa_iterations(m), fa_converged(m));
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b < p; b++)
            printf("cov %zu %zu %a\n", a, b, gsl_matrix_get(cov, a, b));
    for (size_t j = 0; j < p; j++) {
        printf("psi %zu %a\n", j, gsl_vector_get(fa_noise_variance(m), j));
        for (size_t r = 0; r < k; r++)
            printf("loading %zu %zu %a\n", j, r, gsl_matrix_get(fa_loadings(m), j, r));
    }
    gsl_vector *z = gsl_vector_alloc(k);
    for (size_t i = 0; i < n && i < 10; i++) {
        gsl_vector_view x = gsl_matrix_row(&Xv.matrix, i);
        fa_transform(m, &x.vector, z);
        for (size_t r = 0; r < k; r++)
            printf("score %zu %zu %a\n", i, r, gsl_vector_get(z, r));
    }
    gsl_vector_free(z);
    gsl_matrix_free(cov);
    fa_free(m);
    free(X);
    return 0;
}
