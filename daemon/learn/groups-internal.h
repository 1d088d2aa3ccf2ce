/* SPDX-License-Identifier: Apache-2.0 */
/* groups-internal.h -- what the two halves of the viewer groups share:
 * groups.c (the models, their stored form, the event loop side and the
 * queries) and groups_worker.c (the worker thread that reads the viewers,
 * fits and stores the models).  See groups.h for the whole. */
#ifndef RECUTD_GROUPS_INTERNAL_H
#define RECUTD_GROUPS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "daemon.h"
#include "fa.h"
#include "groups.h"
#include "kmeans.h"
#include "strmap.h"

#define GROUPS_TOP_MOVIES 20
#define GROUPS_TOP_GENRES 3
#define GROUPS_MAX_GENRES 1000
#define GROUPS_DOC_VERSION 1
#define GROUPS_SEED 20240601UL

struct groups_cluster {
    size_t size;
    char **top; /* movie ids, most liked first */
    double *top_w;
    size_t n_top;
    size_t genre[GROUPS_TOP_GENRES]; /* indexes of the centre's top genres */
    size_t n_genre;
};

struct groups_model {
    size_t dim;
    char **genres; /* dim genre names (lower case) */
    kmeans_model *km;
    fa_model *fa; /* NULL: factor analysis was not fitted */
    struct groups_cluster *cl;
    size_t k;
    size_t popular; /* the biggest cluster */
    size_t viewers;
    double fitted_at; /* unix time */
};

struct groups_job {
    /* inputs, copied on the loop thread */
    char *address, *prefix;
    int timeout_ms;
    size_t k, factors;
    int interval_s;        /* 0: only load what is stored */
    int may_fit;           /* 0: at start-up, only load */
    double have_fitted_at; /* of the model in use (0: none) */
    char **vocab;
    size_t n_vocab;
    /* outputs */
    struct groups_model *model; /* NULL: nothing new */
    int fitted;
};

struct groups {
    struct recutd *d;
    struct event *timer, *done_ev;
    int pipe_fd[2];
    pthread_t thread;
    int running;
    atomic_int stop;
    struct groups_job *job;
    struct groups_model *cur;
    int interval_s;
};

void groups_strv_free(char **v, size_t n);
void groups_model_free(struct groups_model *m);
void groups_model_derive(struct groups_model *m);
int groups_vector(const struct strmap *nb, char *const *genres, size_t dim, double *x);
char *groups_doc_encode(const struct groups_model *m, const unsigned char *kb, size_t kl,
                        const unsigned char *fb, size_t fl, size_t *len);
struct groups_model *groups_decode(const char *kb, size_t kl, const char *fb, size_t fl,
                                   const char *cb, size_t cl, char *errstr, size_t errstr_size);
/* The worker thread (groups_worker.c): runs g->job, then writes to the
 * pipe. */
void *groups_worker(void *arg);

#endif
