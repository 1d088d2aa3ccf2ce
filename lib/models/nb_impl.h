/* SPDX-License-Identifier: Apache-2.0 */
/* nb_impl.h -- the inside of an nb_model, shared by the two files of the
 * naive Bayes module only: nb.c (the model, learning and queries) and
 * nb_io.c (storage fields and the blob).  Everyone else uses nb.h. */
#ifndef RECUT_NB_IMPL_H
#define RECUT_NB_IMPL_H

#include "nb.h"
#include "strmap.h"

#include <stddef.h>

#define NB_BLOB_VERSION 1

struct nb_model {
    size_t n_classes;
    char **classes;
    double alpha, prior_alpha;
    double *samples; /* [n_classes] */
    double *totals;  /* [n_classes]: sum over features of counts */

    size_t n_feat, cap_feat;
    char **names;   /* [cap_feat], in order of first use */
    double *counts; /* [cap_feat * n_classes], feature-major */

    struct strmap index; /* feature name -> its index (in num) */
};

/* A feature name nb accepts: 1..NB_MAX_NAME bytes. */
int nb_feature_name_ok(const char *s);
/* Room for need features; -1 on OOM. */
int nb_reserve(nb_model *m, size_t need);
/* Index of feature, creating it (with zero counts) if needed; -1 on OOM. */
int nb_intern(nb_model *m, const char *feature, size_t *f);
/* totals[] from the counts. */
void nb_recompute_totals(nb_model *m);

#endif
