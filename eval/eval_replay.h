/* SPDX-License-Identifier: Apache-2.0 */
/* eval_replay.h -- prequential (test-then-learn) replay of a MovieLens event
 * list: before each rating of at least `relevant`, every method is asked for
 * the viewer's top k (items the viewer has not rated) and scored on whether
 * the rated movie is in it; then the event is learnt. */
#ifndef RECUT_EVAL_REPLAY_H
#define RECUT_EVAL_REPLAY_H

#include <stdint.h>
#include <stdio.h>

#include "eval_data.h"
#include "update.h"

enum eval_method {
    EVAL_RECUT,
    EVAL_POPULAR,
    EVAL_RANDOM,
    EVAL_N_METHODS
};
extern const char *const eval_method_names[EVAL_N_METHODS];

struct eval_opts {
    size_t k;        /* list length (1..64) */
    uint64_t seed;   /* random baseline */
    double relevant; /* a rating at least this is a test case */
    size_t limit;    /* replay only the first `limit` ratings (0: all) */
    int comments;    /* replay tags as comments */
    update_sentiment_fn sentiment;
    void *sentiment_ctx;
};

struct eval_score {
    size_t n; /* test cases */
    size_t hits;
    double ndcg;     /* sum over test cases */
    size_t distinct; /* distinct items ever recommended */
    size_t slots;    /* items recommended, over all lists */
    double pop;      /* sum of their popularity percentiles */
    double ild;      /* sum of intra-list diversities ... */
    size_t ild_n;    /* ... over this many lists of two or more */
    double gini;     /* of the exposure over the catalog (eval_metrics.h) */
};

struct eval_result {
    struct eval_score m[EVAL_N_METHODS];
    size_t ratings, comments, catalog, users;
    double seconds;              /* replay CPU time */
    size_t svm_trained, svm_few; /* SVM trainings, attempts without a model */
    double svm_seconds;          /* CPU time of those */
};

int eval_replay_run(const struct eval_data *d, const struct recut_config *cfg,
                    const struct eval_opts *o, struct eval_result *r, char *errstr,
                    size_t errstr_size);
/* Replay (no tests), then write "USER<TAB>movie,movie,..." (recut's top k)
 * for every viewer in the comma-separated list `users` ("u1" or "1"). */
int eval_replay_dump(const struct eval_data *d, const struct recut_config *cfg,
                     const struct eval_opts *o, const char *users, FILE *out, char *errstr,
                     size_t errstr_size);

#endif
