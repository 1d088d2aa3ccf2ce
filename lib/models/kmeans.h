/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kmeans.h -- k-means clustering on GSL matrices, batch and online.
 *
 * kmeans_fit(): k-means++ seeding (the greedy variant: 2 + floor(ln k)
 * candidates per centre, the one lowering the potential most is kept) from
 * a gsl_rng seeded with params.seed at the start of every fit (so a fit is
 * reproducible), then Lloyd iterations until the total squared centre shift
 * is <= tol * (mean per-column variance of X) or max_iter; n_init restarts,
 * the run with the lowest inertia wins.  An empty cluster is re-seeded with
 * the point farthest from its centre.
 *
 * kmeans_partial_fit() / kmeans_update(): online learning for events as they
 * arrive.  Until k centres exist, each new point that differs from every
 * existing centre becomes a centre.  Afterwards every point of a batch is
 * assigned to its nearest centre (centres as they were before the batch)
 * and each centre moves to the running mean of everything assigned to it:
 * c_j <- c_j + (sum_batch x - n_j c_j) / (N_j + n_j), N_j += n_j -- with a
 * batch of one this is MacQueen's sequential k-means, with larger batches
 * the mini-batch update of scikit-learn's MiniBatchKMeans (without its
 * random reassignment).  count_cap > 0 caps N_j so old data is forgotten.
 *
 * Bad input (defined behaviour, tested): an empty matrix is KMEANS_E_EMPTY;
 * fewer samples than k in kmeans_fit() is KMEANS_E_TOO_FEW (no clamping --
 * the caller decides; kmeans_partial_fit() accepts any number and simply
 * has fewer than k centres until enough distinct points arrived); NaN or
 * infinity anywhere is KMEANS_E_NONFINITE and nothing is changed; a column
 * count other than dim is KMEANS_E_DIM.
 *
 * Models are independent: different models may be used from different
 * threads.  On first use the library turns GSL's abort-on-error handler off
 * (gsl_set_error_handler_off) and checks every GSL return value instead.
 */
#ifndef RECUT_KMEANS_H
#define RECUT_KMEANS_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

typedef struct kmeans_model kmeans_model;

enum kmeans_status {
    KMEANS_OK = 0,
    KMEANS_E_INVALID = -1, /* bad argument (k = 0, dim = 0, ...) */
    KMEANS_E_NOMEM = -2,
    KMEANS_E_NONFINITE = -3, /* NaN or infinity in the input */
    KMEANS_E_EMPTY = -4,     /* no samples */
    KMEANS_E_TOO_FEW = -5,   /* fewer samples than clusters */
    KMEANS_E_DIM = -6,       /* wrong number of columns */
    KMEANS_E_NOT_FITTED = -7 /* no centre yet */
};

struct kmeans_params {
    size_t n_init;      /* restarts, default 10 */
    size_t max_iter;    /* Lloyd iterations per restart, default 300 */
    double tol;         /* relative shift tolerance, default 1e-4 */
    unsigned long seed; /* RNG seed, default 0 */
    double count_cap;   /* online: cap of per-centre counts, 0 = none */
};

void kmeans_params_default(struct kmeans_params *p);
const char *kmeans_strerror(int status);

/* The most centre coordinates (k x dim) a model may hold: 2^22 doubles,
 * 32 MiB.  recutd's groups use at most 1,000 x a few dozen genres; the
 * bound keeps a damaged or hostile blob from asking for gigabytes. */
#define KMEANS_MAX_CELLS (1u << 22)

/* params NULL = defaults.  NULL on bad arguments (k, dim > 0, k x dim at
 * most KMEANS_MAX_CELLS). */
kmeans_model *kmeans_new(size_t k, size_t dim, const struct kmeans_params *params, char *errstr,
                         size_t errstr_size);
void kmeans_free(kmeans_model *m);

size_t kmeans_k(const kmeans_model *m);
size_t kmeans_dim(const kmeans_model *m);
/* Centres that exist (k after a fit, fewer early in online learning). */
size_t kmeans_n_ready(const kmeans_model *m);
/* k x dim; rows >= kmeans_n_ready() are meaningless. */
const gsl_matrix *kmeans_centres(const kmeans_model *m);
/* Points that went into centre j (cluster sizes after a fit). */
double kmeans_count(const kmeans_model *m, size_t j);
/* Inertia of the winning run of the last kmeans_fit() (NAN before). */
double kmeans_fit_inertia(const kmeans_model *m);
/* Lloyd iterations of the winning run. */
size_t kmeans_fit_iterations(const kmeans_model *m);

/* Batch fit on X (n x dim).  Returns KMEANS_OK or a negative status; on
 * error the model is unchanged. */
int kmeans_fit(kmeans_model *m, const gsl_matrix *X, char *errstr, size_t errstr_size);
/* Online update with a batch (n x dim, n >= 1). */
int kmeans_partial_fit(kmeans_model *m, const gsl_matrix *batch, char *errstr, size_t errstr_size);
/* Online update with one point x[dim]. */
int kmeans_update(kmeans_model *m, const double *x, size_t dim, char *errstr, size_t errstr_size);

/* Nearest centre of x (ties: lowest index) and its squared distance. */
int kmeans_assign(const kmeans_model *m, const gsl_vector *x, size_t *cluster, double *dist2);
/* labels[X->size1] for every row. */
int kmeans_predict(const kmeans_model *m, const gsl_matrix *X, size_t *labels);
/* Sum of squared distances of the rows of X to their nearest centres. */
int kmeans_inertia(const kmeans_model *m, const gsl_matrix *X, double *inertia);

/* Blob (type BLOB_KMEANS, version 1). */
int kmeans_serialize(const kmeans_model *m, unsigned char **buf, size_t *len, char *errstr,
                     size_t errstr_size);
kmeans_model *kmeans_deserialize(const void *buf, size_t len, char *errstr, size_t errstr_size);

#endif
