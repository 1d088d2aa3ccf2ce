/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_nb -- run recut's naive Bayes on a data set for peer_nb.py.
 *
 *   run_nb TRAIN QUERY N_CLASSES ALPHA
 *
 * TRAIN: matrix whose column 0 is the class (0..N_CLASSES-1) and the other
 * columns are feature weights ("f0", "f1", ...).  QUERY: matrix of feature
 * weights.  Fits a model three ways -- batch (nb_fit_matrix), as a stream of
 * online updates (nb_add per non-zero feature, in reverse feature order, and
 * nb_add_samples), and rebuilt from storage fields (nb_field_format /
 * nb_from_fields) -- and a serialize/deserialize round trip, reports whether
 * they agree, then prints counts, joint log-likelihoods, log-probabilities,
 * predictions and log-odds as hex floats (%a) for exact comparison.
 */
#include "config.h"

#include "nb.h"
#include "peer_io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int same_counts(const nb_model *a, const nb_model *b, double total_tol)
{
    if (nb_n_features(a) != nb_n_features(b))
        return 0;
    for (size_t f = 0; f < nb_n_features(a); f++) {
        size_t g;
        if (nb_feature_lookup(b, nb_feature_name(a, f), &g) != 0)
            return 0;
        for (size_t c = 0; c < nb_n_classes(a); c++)
            if (nb_count(a, c, f) != nb_count(b, c, g))
                return 0;
    }
    for (size_t c = 0; c < nb_n_classes(a); c++) {
        if (nb_class_samples(a, c) != nb_class_samples(b, c))
            return 0;
        double ta = nb_class_total(a, c), tb = nb_class_total(b, c);
        if (fabs(ta - tb) > total_tol * fmax(1.0, fabs(ta)))
            return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 5)
        peer_die("usage: run_nb TRAIN QUERY N_CLASSES ALPHA");
    size_t n, dd, m, qd;
    double *T = peer_read_matrix(argv[1], &n, &dd);
    double *Q = peer_read_matrix(argv[2], &m, &qd);
    size_t nc = (size_t)atoi(argv[3]), d = dd - 1;
    double alpha = atof(argv[4]);
    if (qd != d || nc < 2 || nc > 16)
        peer_die("inconsistent arguments");

    char cbuf[16][8], err[256];
    const char *classes[16];
    for (size_t c = 0; c < nc; c++) {
        snprintf(cbuf[c], sizeof cbuf[c], "c%zu", c);
        classes[c] = cbuf[c];
    }
    char(*fbuf)[24] = malloc(d * sizeof *fbuf);
    const char **names = malloc(d * sizeof *names);
    double *X = malloc(n * d * sizeof *X);
    size_t *y = malloc(n * sizeof *y);
    for (size_t j = 0; j < d; j++) {
        snprintf(fbuf[j], sizeof fbuf[j], "f%zu", j);
        names[j] = fbuf[j];
    }
    for (size_t i = 0; i < n; i++) {
        y[i] = (size_t)T[i * dd];
        memcpy(X + i * d, T + i * dd + 1, d * sizeof *X);
    }

    /* batch */
    nb_model *batch = nb_new(classes, nc, alpha, err, sizeof err);
    if (!batch || nb_fit_matrix(batch, X, n, d, names, y, err, sizeof err) != 0)
        peer_die(err);
    /* online stream */
    nb_model *online = nb_new(classes, nc, alpha, err, sizeof err);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = d; j-- > 0;)
            if (X[i * d + j] != 0 &&
                nb_add(online, y[i], names[j], X[i * d + j], err, sizeof err) != 0)
                peer_die(err);
        if (nb_add_samples(online, y[i], 1.0, err, sizeof err) != 0)
            peer_die(err);
    }
    /* storage fields, as a daemon would HGETALL them */
    size_t nf = nb_n_features(online), np = nc * (nf + 1), k = 0;
    char **fields = malloc(np * sizeof *fields), **values = malloc(np * sizeof *values);
    for (size_t c = 0; c < nc; c++) {
        for (size_t f = 0; f <= nf; f++) {
            const char *feat = f < nf ? nb_feature_name(online, f) : NULL;
            fields[k] = malloc(64);
            values[k] = malloc(32);
            if (nb_field_format(online, c, feat, fields[k], 64) < 0)
                peer_die("field name");
            snprintf(values[k], 32, "%.17g",
                     feat ? nb_count(online, c, f) : nb_class_samples(online, c));
            k++;
        }
    }
    nb_model *stored = nb_from_fields(classes, nc, alpha, (const char *const *)fields,
                                      (const char *const *)values, np, err, sizeof err);
    if (!stored)
        peer_die(err);
    /* blob round trip */
    unsigned char *blob;
    size_t blen;
    if (nb_serialize(batch, &blob, &blen, err, sizeof err) != 0)
        peer_die(err);
    nb_model *loaded = nb_deserialize(blob, blen, err, sizeof err);
    if (!loaded)
        peer_die(err);

    printf("online_equal %d\n", same_counts(batch, online, 1e-12));
    printf("stored_equal %d\n", same_counts(online, stored, 1e-12));
    printf("loaded_equal %d\n", same_counts(batch, loaded, 0));
    printf("blob_bytes %zu\n", blen);
    printf("n_features %zu\n", nb_n_features(online));
    for (size_t c = 0; c < nc; c++) {
        printf("samples %zu %a\n", c, nb_class_samples(online, c));
        for (size_t j = 0; j < d; j++) {
            size_t f;
            double v = nb_feature_lookup(online, names[j], &f) == 0 ? nb_count(online, c, f) : -1;
            printf("count %zu %zu %a\n", c, j, v);
        }
    }
    double jll[16], lp[16], jl2[16];
    int loaded_same = 1;
    for (size_t i = 0; i < m; i++) {
        const double *q = Q + i * d;
        size_t cls;
        if (nb_joint_log_likelihood(online, names, q, d, jll, err, sizeof err) != 0 ||
            nb_log_proba(online, names, q, d, lp, err, sizeof err) != 0 ||
            nb_predict(online, names, q, d, &cls, err, sizeof err) != 0 ||
            nb_joint_log_likelihood(loaded, names, q, d, jl2, err, sizeof err) != 0)
            peer_die(err);
        printf("jll %zu", i);
        for (size_t c = 0; c < nc; c++)
            printf(" %a", jll[c]);
        printf("\nlp %zu", i);
        for (size_t c = 0; c < nc; c++)
            printf(" %a", lp[c]);
        printf("\npred %zu %zu\n", i, cls);
        /* the batch model and its blob copy answer the same */
        double jb[16];
        nb_joint_log_likelihood(batch, names, q, d, jb, NULL, 0);
        for (size_t c = 0; c < nc; c++)
            if (jb[c] != jl2[c])
                loaded_same = 0;
    }
    printf("loaded_same_answers %d\n", loaded_same);
    for (size_t j = 0; j < d; j++)
        printf("logodds %zu %a\n", j, nb_feature_log_odds(online, names[j], 1, 0));

    for (size_t i = 0; i < np; i++) {
        free(fields[i]);
        free(values[i]);
    }
    free(fields);
    free(values);
    free(blob);
    nb_free(batch);
    nb_free(online);
    nb_free(stored);
    nb_free(loaded);
    free(fbuf);
    free(names);
    free(X);
    free(y);
    free(T);
    free(Q);
    return 0;
}
