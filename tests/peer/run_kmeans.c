/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_kmeans -- run recut's k-means on a data set for peer_kmeans.py.
 *
 *   run_kmeans DATA K N_INIT SEED
 *
 * Prints the inertia of the fit (%a), the iterations of the winning run,
 * the inertia recomputed by kmeans_inertia(), and one label per row.
 */
#include "config.h"

#include "kmeans.h"
#include "peer_io.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 5)
        peer_die("usage: run_kmeans DATA K N_INIT SEED");
    size_t n, d;
    double *X = peer_read_matrix(argv[1], &n, &d);
    struct kmeans_params p;
    kmeans_params_default(&p);
    p.n_init = (size_t)atoi(argv[3]);
    p.seed = strtoul(argv[4], NULL, 10);
    char err[256];
    kmeans_model *m = kmeans_new((size_t)atoi(argv[2]), d, &p, err, sizeof err);
    if (!m)
        peer_die(err);
    gsl_matrix_view Xv = gsl_matrix_view_array(X, n, d);
    int rc = kmeans_fit(m, &Xv.matrix, err, sizeof err);
    if (rc != KMEANS_OK)
        peer_die(err);
    double inertia;
    kmeans_inertia(m, &Xv.matrix, &inertia);
    printf("inertia %a\n", kmeans_fit_inertia(m));
    printf("iterations %zu\n", kmeans_fit_iterations(m));
    printf("recomputed %a\n", inertia);
    size_t *labels = malloc(n * sizeof *labels);
    kmeans_predict(m, &Xv.matrix, labels);
    for (size_t i = 0; i < n; i++)
        printf("label %zu\n", labels[i]);
    free(labels);
    kmeans_free(m);
    free(X);
    return 0;
}
