/* SPDX-License-Identifier: Apache-2.0 */
/*
 * svm_viewer.h -- one viewer's like/dislike C-SVC (svmm.h, LibSVM) over the
 * features of the movies they rated, with the checksummed envelope it is
 * stored in.  Redis-free: recutd's trainer (daemon/svm_scorer.c) and
 * recut-eval build the samples and call the same functions.
 *
 * Features: feature hashing.  Every catalog feature of a movie ("genre:x",
 * "tag:y", as catalog.c makes them) is hashed with 32-bit FNV-1a to one of
 * SVMV_DIM indices (1..SVMV_DIM); collisions add up; the row is scaled to
 * unit length (so RBF distances lie in [0, 2] and gamma = 1 is the natural
 * scale).  No vocabulary is stored or needs to follow the catalog; the
 * envelope records the scheme and the dimension, and a model made under
 * another scheme is refused as corrupt.  A movie without features gives an
 * empty row: it is no sample and is never scored (svmv_score says -1).
 *
 * Labels: the viewer's signed weight of a movie (the `seen` hash) is a like
 * (+1) when >= SVMV_LABEL_MIN, a dislike (-1) when <= -SVMV_LABEL_MIN, and
 * no label in between (too weak to say either).
 *
 * Training: a viewer with fewer than min_labels labels of either class
 * gets no model (SVMV_E_FEW_LABELS: defined, not an error -- a one-class
 * viewer has nothing to separate).  At most max_train samples are used:
 * up to half of them of each class (the other class fills what one leaves),
 * strongest |weight| first, ties by movie id, so the choice is
 * deterministic.  Probability estimates need SVMM_PROB_MIN_PER_CLASS
 * samples per class; with fewer the model is trained without them and
 * scores through a logistic of the decision value.  The random folds of
 * LibSVM's probability fit are seeded (srand) before each training so that
 * the same samples give the same model in recutd and recut-eval.
 *
 * Score: P(like) in [0, 1] from the probability estimate, else
 * 1 / (1 + exp(-f)) with f the decision value oriented towards "like".
 */
#ifndef RECUT_SVM_VIEWER_H
#define RECUT_SVM_VIEWER_H

#include <stddef.h>
#include <stdint.h>

#include "svmm.h"

#define SVMV_DIM 1024
#define SVMV_SCHEME 1 /* FNV-1a mod SVMV_DIM, unit length rows */
#define SVMV_LABEL_MIN 0.25
#define SVMV_SEED 20240917u

enum svmv_status {
    SVMV_OK = 0,
    SVMV_E_FEW_LABELS = -1, /* too few labels of a class: no model */
    SVMV_E_SVM = -2,        /* LibSVM refused (message in errstr) */
    SVMV_E_CORRUPT = -3,    /* damaged, foreign or other-scheme blob */
    SVMV_E_NOMEM = -4,
    SVMV_E_INVALID = -5
};

struct svmv_config {
    enum svmm_kernel kernel;
    double C, gamma; /* gamma <= 0: LibSVM's 1 / dimension */
    int probability;
    size_t min_labels; /* per class, >= 1 */
    size_t max_train;  /* samples used at most (0: all) */
};

/* One rated movie. */
struct svmv_sample {
    const char *movie;
    char *const *features;
    size_t n_features;
    double weight; /* the signed `seen` weight */
};

/* What a model was trained on and how well it fits it. */
struct svmv_info {
    uint32_t likes, dislikes; /* samples trained on, per class */
    uint32_t labels;          /* labels the viewer had (before max_train) */
    int kernel;               /* SVMM_LINEAR or SVMM_RBF */
    double C, gamma;
    int probability; /* trained with probability estimates */
    int n_sv;
    double train_accuracy; /* on the samples trained on */
    int64_t trained_at;    /* unix seconds (0 in recut-eval) */
};

typedef struct svmv_model svmv_model;

void svmv_config_default(struct svmv_config *c);
/* +1, -1 or 0 (see above). */
int svmv_label(double weight);
/* The hashed row of a movie into index[SVMV_DIM], value[SVMV_DIM]: indices
 * ascending; returns nnz (0: no features). */
size_t svmv_row(char *const *features, size_t n, int *index, double *value);
/* Labels per class among the samples with features. */
void svmv_count(const struct svmv_sample *s, size_t n, size_t *likes, size_t *dislikes);
/* The problem the model would be trained on (rows +1 like, -1 dislike, in
 * the selection order above); *likes / *dislikes the rows per class. */
int svmv_problem(const struct svmv_sample *s, size_t n, const struct svmv_config *c,
                 svmm_problem **out, size_t *likes, size_t *dislikes, char *errstr,
                 size_t errstr_size);
int svmv_train(const struct svmv_sample *s, size_t n, const struct svmv_config *c, int64_t now,
               svmv_model **out, char *errstr, size_t errstr_size);
void svmv_free(svmv_model *m);
const struct svmv_info *svmv_info(const svmv_model *m);
const svmm_model *svmv_svm(const svmv_model *m);
/* P(like) of a movie with these features, or -1 when it has none. */
double svmv_score(const svmv_model *m, char *const *features, size_t n);
const char *svmv_kernel_name(int kernel);

/* The envelope: blob type BLOB_SVM_VIEWER, version 1 -- the hashing scheme
 * and dimension, the info above, then the svmm blob (svmm.h). */
int svmv_serialize(const svmv_model *m, unsigned char **buf, size_t *len, char *errstr,
                   size_t errstr_size);
int svmv_deserialize(const void *buf, size_t len, svmv_model **out, char *errstr,
                     size_t errstr_size);

#endif
