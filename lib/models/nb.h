/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nb.h -- multinomial naive Bayes over string-named features.
 *
 * Classes are fixed at creation and named (e.g. "dislike", "like"); features
 * are arbitrary strings ("genre:Comedy", "tag:dark", "label:action") mapped
 * to indices by a string map (lib/util/strmap), created on first use.
 * Feature weights are non-negative and may be fractional.  The model keeps,
 * per class, the number of samples (for the class prior) and the
 * per-feature count sums:
 *
 *   log P(f | c) = log(N_cf + alpha) - log(N_c + alpha * n_features)
 *   log P(c)     = log(S_c / sum_k S_k)           (prior_alpha = 0, default)
 *   jll(x, c)    = log P(c) + sum_f x_f log P(f | c)
 *
 * which is exactly scikit-learn's MultinomialNB(alpha=alpha, fit_prior=True):
 * predict_joint_log_proba() and predict_log_proba().  With prior_alpha > 0
 * the prior becomes log((S_c + a) / (sum S + a * n_classes)), which keeps a
 * class never seen yet finite.  With no samples at all the prior is uniform.
 * Query features the model has never seen are ignored (as if absent).
 *
 * Counts can be stored outside (e.g. a Redis hash, one field per count, see
 * nb_field_format() / nb_load_fields()) and the model rebuilt from them.
 *
 * Not thread-safe for concurrent writers; concurrent const queries are fine.
 */
#ifndef RECUT_NB_H
#define RECUT_NB_H

#include <stddef.h>

typedef struct nb_model nb_model;

#define NB_MAX_CLASSES 64
#define NB_MAX_NAME 1024 /* longest class or feature name, bytes */

/* classes: n_classes (2..NB_MAX_CLASSES) distinct names of [A-Za-z0-9_.-]
 * (so that they can be embedded in storage field names); alpha > 0. */
nb_model *nb_new(const char *const *classes, size_t n_classes, double alpha, char *errstr,
                 size_t errstr_size);
void nb_free(nb_model *m);
nb_model *nb_clone(const nb_model *m);

/* Prior smoothing (default 0 = scikit-learn semantics). */
int nb_set_prior_alpha(nb_model *m, double prior_alpha);

size_t nb_n_classes(const nb_model *m);
const char *nb_class_name(const nb_model *m, size_t cls);
/* Index of a class name, or -1. */
int nb_class_index(const nb_model *m, const char *name);
double nb_alpha(const nb_model *m);
size_t nb_n_features(const nb_model *m);
/* Feature names by index (0..n_features-1, in order of first use). */
const char *nb_feature_name(const nb_model *m, size_t f);
/* 0 and *f = its index if the feature is known, else -1. */
int nb_feature_lookup(const nb_model *m, const char *feature, size_t *f);

/* ---- learning --------------------------------------------------------- */

/* Count sum of (cls, feature) += weight (finite, >= 0).  Registers the
 * feature (so it counts in n_features) even when weight is 0. */
int nb_add(nb_model *m, size_t cls, const char *feature, double weight, char *errstr,
           size_t errstr_size);
/* Sample count of cls += n (finite, >= 0). */
int nb_add_samples(nb_model *m, size_t cls, double n, char *errstr, size_t errstr_size);
/* Bulk form: one sample of class cls with n features (weights NULL = all 1):
 * samples += 1 and every feature added.  All input is validated first; on
 * error nothing is changed. */
int nb_add_sample(nb_model *m, size_t cls, const char *const *features, const double *weights,
                  size_t n, char *errstr, size_t errstr_size);
/* Batch fit: rows of the row-major matrix X (n_rows x n_cols, column j named
 * names[j]) with classes y[i]; the same as nb_add_sample() row by row, so the
 * counts equal those of the same stream of online updates. */
int nb_fit_matrix(nb_model *m, const double *X, size_t n_rows, size_t n_cols,
                  const char *const *names, const size_t *y, char *errstr, size_t errstr_size);
/* Multiply every count by factor (0 < factor <= 1): exponential forgetting. */
int nb_scale(nb_model *m, double factor);

/* ---- raw counts, storage ---------------------------------------------- */

double nb_count(const nb_model *m, size_t cls, size_t f);
double nb_class_samples(const nb_model *m, size_t cls);
double nb_class_total(const nb_model *m, size_t cls); /* sum_f N_cf */
int nb_set_count(nb_model *m, size_t cls, const char *feature, double count, char *errstr,
                 size_t errstr_size);
int nb_set_class_samples(nb_model *m, size_t cls, double n, char *errstr, size_t errstr_size);

/* Storage field names: "s|<class>" holds the class's sample count and
 * "f|<class>|<feature>" a feature count (the feature is everything after the
 * second '|').  Writes the name of (cls, feature), or of the sample count
 * when feature is NULL, into buf; returns its length, or -1 if it does not
 * fit or cls is invalid.  Incremental updates map onto HINCRBYFLOAT. */
int nb_field_format(const nb_model *m, size_t cls, const char *feature, char *buf, size_t size);
/* Apply n field/value pairs as HGETALL returns them (values are decimal
 * numbers), setting (not adding) each count.  Unknown field kinds or classes
 * are errors; all pairs are validated before any is applied. */
int nb_load_fields(nb_model *m, const char *const *fields, const char *const *values, size_t n,
                   char *errstr, size_t errstr_size);
/* New model from such pairs. */
nb_model *nb_from_fields(const char *const *classes, size_t n_classes, double alpha,
                         const char *const *fields, const char *const *values, size_t n,
                         char *errstr, size_t errstr_size);

/* ---- the estimates on bare counts ------------------------------------- */

/* The two formulas above on numbers rather than a model, for counts kept
 * outside an nb_model (a viewer's map of Redis fields, lib/core/viewer.c);
 * the model's own queries are computed with them too, so recut has one
 * implementation of the estimates.
 *
 * log P(f | c) = log(count + alpha) - log(class_total + alpha * n_features),
 * where count is N_cf, class_total N_c and n_features the vocabulary size
 * (> 0, or class_total > 0, for a finite result). */
double nb_log_prob_counts(double count, double class_total, double alpha, double n_features);
/* log P(c) = log(samples + prior_alpha) - log(samples_sum + prior_alpha * n_classes),
 * or the uniform -log(n_classes) when that denominator is <= 0. */
double nb_log_prior_counts(double samples, double samples_sum, double prior_alpha,
                           size_t n_classes);

/* ---- queries ---------------------------------------------------------- */

double nb_class_log_prior(const nb_model *m, size_t cls);
/* log P(f | c); for an unknown feature the smoothed value of a zero count. */
double nb_feature_log_prob(const nb_model *m, size_t cls, const char *feature);
/* log P(f | a) - log P(f | b): > 0 means the feature speaks for class a.
 * NAN for an invalid class. */
double nb_feature_log_odds(const nb_model *m, const char *feature, size_t class_a, size_t class_b);

/* out[n_classes]: joint log-likelihood of the feature vector per class.
 * weights NULL = 1 each; weights must be finite and >= 0. */
int nb_joint_log_likelihood(const nb_model *m, const char *const *features, const double *weights,
                            size_t n, double *out, char *errstr, size_t errstr_size);
/* out[n_classes]: normalized log-probabilities (log-sum-exp = 0). */
int nb_log_proba(const nb_model *m, const char *const *features, const double *weights, size_t n,
                 double *out, char *errstr, size_t errstr_size);
/* Most probable class (lowest index on ties). */
int nb_predict(const nb_model *m, const char *const *features, const double *weights, size_t n,
               size_t *cls, char *errstr, size_t errstr_size);
/* Dense form: x[n_features] indexed like nb_feature_name(). */
int nb_joint_log_likelihood_dense(const nb_model *m, const double *x, size_t n_features,
                                  double *out, char *errstr, size_t errstr_size);
/* Turn joint log-likelihoods into normalized log-probabilities in place. */
void nb_normalize_log(double *v, size_t n);

/* Call cb for every feature with its counts[n_classes]; stops early and
 * returns cb's value if it is non-zero. */
typedef int (*nb_feature_cb)(const char *feature, const double *counts, size_t n_classes,
                             void *userdata);
int nb_foreach_feature(const nb_model *m, nb_feature_cb cb, void *userdata);
/* The k features with the highest log-odds for class_a over class_b
 * (descending), e.g. a profile's "likes"; returns how many were written. */
size_t nb_top_features(const nb_model *m, size_t class_a, size_t class_b, size_t k,
                       size_t *features, double *log_odds);

/* ---- serialization (blob.h, type BLOB_NB, version 1) ------------------ */

int nb_serialize(const nb_model *m, unsigned char **buf, size_t *len, char *errstr,
                 size_t errstr_size);
/* Returns NULL with a message on any error (see blob.h for the checks). */
nb_model *nb_deserialize(const void *buf, size_t len, char *errstr, size_t errstr_size);

#endif
