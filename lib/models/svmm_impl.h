/* SPDX-License-Identifier: Apache-2.0 */
/* svmm_impl.h -- the inside of an svmm_model, shared by the two files of the
 * SVM module only: svm_model.c (problems, training, prediction) and
 * svm_model_io.c (the blob).  Everyone else uses svmm.h. */
#ifndef RECUT_SVMM_IMPL_H
#define RECUT_SVMM_IMPL_H

#include "svmm.h"

#include <libsvm/svm.h>
#include <stddef.h>

#define SVMM_BLOB_VERSION 1

struct svmm_model {
    struct svm_model *m; /* owned, every array malloc'd by us */
};

/* Free a model allocated by svmm_model_alloc (NULL is fine). */
void svmm_model_destroy(struct svm_model *m);
/* Number of one-vs-one pairs of nr_class classes. */
int svmm_n_pairs(int nr_class);
/* Allocate a model with every array sized (node block of total_nodes
 * including terminators); has_* select the optional arrays.  NULL on OOM. */
struct svm_model *svmm_model_alloc(int nr_class, int l, size_t total_nodes, int has_prob_a,
                                   int has_prob_b, int has_svi, int has_label, int has_nsv);
/* Nodes of a row before its index -1 terminator. */
size_t svmm_row_len(const struct svm_node *x);

#endif
