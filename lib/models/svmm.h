/* SPDX-License-Identifier: Apache-2.0 */
/*
 * svmm.h -- C-SVC classifiers through LibSVM, with in-memory serialization.
 *
 * Build a problem (dense or sparse rows with integer labels), train a linear
 * or RBF C-SVC (optionally with Platt probability estimates), query decision
 * values, labels and probabilities, and serialize the trained model to a
 * memory buffer (blob.h, type BLOB_SVM) and back -- no temporary files.  The
 * serializer writes every field of LibSVM's struct svm_model with doubles as
 * exact bit patterns, so a loaded model gives bit-identical decision values.
 *
 * A trained svmm_model owns all its memory (the support vectors are copied
 * out of the problem), so the problem can be freed right after training.
 * Separate models (and problems) may be used from separate threads; LibSVM's
 * console output is silenced once (svm_set_print_string_function).  Note
 * that LibSVM draws the cross-validation folds for probability estimates
 * with the C library's rand(), so probability training is reproducible only
 * when nothing else in the process uses rand() concurrently.
 *
 * Defined errors (enum svmm_status):
 *   NaN / infinity in a row or query ...... SVMM_E_NONFINITE (row rejected)
 *   empty problem ......................... SVMM_E_EMPTY
 *   only one distinct label ............... SVMM_E_ONE_CLASS (fall back to a
 *                                           prior)
 *   probability with fewer than
 *   SVMM_PROB_MIN_PER_CLASS rows in a class SVMM_E_TOO_FEW (train without)
 *   probability query on a model without .. SVMM_E_NO_PROB
 *   damaged / foreign blob ................ SVMM_E_CORRUPT
 */
#ifndef RECUT_SVMM_H
#define RECUT_SVMM_H

#include <stddef.h>

struct svm_model; /* <libsvm/svm.h> */

typedef struct svmm_problem svmm_problem;
typedef struct svmm_model svmm_model;

#define SVMM_PROB_MIN_PER_CLASS 5
#define SVMM_MAX_CLASSES 64

enum svmm_status {
    SVMM_OK = 0,
    SVMM_E_INVALID = -1, /* bad argument or parameter */
    SVMM_E_NOMEM = -2,
    SVMM_E_NONFINITE = -3,
    SVMM_E_EMPTY = -4,
    SVMM_E_ONE_CLASS = -5,
    SVMM_E_TOO_FEW = -6,
    SVMM_E_NO_PROB = -7,
    SVMM_E_CORRUPT = -8
};

enum svmm_kernel {
    SVMM_LINEAR = 0,
    SVMM_RBF = 2
}; /* LibSVM's numbers */

struct svmm_params {
    enum svmm_kernel kernel; /* default SVMM_RBF */
    double C;                /* default 1 */
    double gamma;            /* RBF; <= 0 means 1 / max feature index (default) */
    double eps;              /* stopping tolerance, default 1e-3 */
    double cache_mb;         /* kernel cache, default 16 */
    int shrinking;           /* default 1 */
    int probability;         /* default 0 */
};

void svmm_params_default(struct svmm_params *p);
const char *svmm_strerror(int status);

/* ---- problems --------------------------------------------------------- */

svmm_problem *svmm_problem_new(void);
void svmm_problem_free(svmm_problem *pb);
/* Row x[0..dim-1] becomes features 1..dim (zeros are not stored). */
int svmm_problem_add_dense(svmm_problem *pb, int label, const double *x, size_t dim, char *errstr,
                           size_t errstr_size);
/* Sparse row: indices >= 1, strictly ascending. */
int svmm_problem_add_sparse(svmm_problem *pb, int label, const int *index, const double *value,
                            size_t nnz, char *errstr, size_t errstr_size);
size_t svmm_problem_size(const svmm_problem *pb);
int svmm_problem_max_index(const svmm_problem *pb);

/* ---- training --------------------------------------------------------- */

int svmm_train(const svmm_problem *pb, const struct svmm_params *params, svmm_model **out,
               char *errstr, size_t errstr_size);
void svmm_free(svmm_model *m);

int svmm_n_classes(const svmm_model *m);
/* labels[svmm_n_classes()] in LibSVM's internal order (the order of
 * decision values and probabilities). */
void svmm_labels(const svmm_model *m, int *labels);
int svmm_n_sv(const svmm_model *m);
int svmm_has_probability(const svmm_model *m);
/* The underlying LibSVM model (read-only; for tests and tools). */
const struct svm_model *svmm_libsvm(const svmm_model *m);

/* ---- prediction ------------------------------------------------------- */

/* dec[n_dec] with n_dec >= k(k-1)/2 (k = classes): one-vs-one decision
 * values in LibSVM's order; *label (may be NULL) the predicted label. */
int svmm_decision_dense(const svmm_model *m, const double *x, size_t dim, double *dec, size_t n_dec,
                        int *label, char *errstr, size_t errstr_size);
int svmm_decision_sparse(const svmm_model *m, const int *index, const double *value, size_t nnz,
                         double *dec, size_t n_dec, int *label, char *errstr, size_t errstr_size);
int svmm_predict_dense(const svmm_model *m, const double *x, size_t dim, int *label, char *errstr,
                       size_t errstr_size);
/* probs[k] in the order of svmm_labels(). */
int svmm_predict_probability_dense(const svmm_model *m, const double *x, size_t dim, double *probs,
                                   int *label, char *errstr, size_t errstr_size);
int svmm_predict_probability_sparse(const svmm_model *m, const int *index, const double *value,
                                    size_t nnz, double *probs, int *label, char *errstr,
                                    size_t errstr_size);

/* ---- serialization (BLOB_SVM, version 1) ------------------------------ */

int svmm_serialize(const svmm_model *m, unsigned char **buf, size_t *len, char *errstr,
                   size_t errstr_size);
int svmm_deserialize(const void *buf, size_t len, svmm_model **out, char *errstr,
                     size_t errstr_size);

/* ---- retraining policy ------------------------------------------------ */

struct svmm_retrain_policy {
    size_t min_total;        /* never train with fewer labels (default 10) */
    size_t min_new;          /* retrain after this many new labels (default 20) */
    double min_new_fraction; /* ... or this fraction of n_total (default 0.1),
                                whichever is reached first, but never for
                                fewer than min_new_floor new labels */
    size_t min_new_floor;    /* default 2 */
};

void svmm_retrain_policy_default(struct svmm_retrain_policy *p);
/* 1 if a model trained on (n_total - n_new) labels should be retrained now
 * that n_new more arrived (n_new == n_total: no model yet); 0 otherwise.
 * Pure function, safe from any thread. */
int svmm_should_retrain(size_t n_new_labels, size_t n_total,
                        const struct svmm_retrain_policy *policy);

#endif
