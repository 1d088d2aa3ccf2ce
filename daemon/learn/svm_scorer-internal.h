/* SPDX-License-Identifier: Apache-2.0 */
/* svm_scorer-internal.h -- what the loop side (svm_scorer.c) and the
 * trainer thread (svm_train.c) of the viewers' SVMs share. */
#ifndef RECUTD_SVM_SCORER_INTERNAL_H
#define RECUTD_SVM_SCORER_INTERNAL_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>

#include "daemon.h"
#include "metrics.h"
#include "store.h"
#include "svm_scorer.h"
#include "svm_viewer.h"

enum svm_scorer_kind {
    SVM_SCORER_LABEL = 1, /* one more label */
    SVM_SCORER_RESET = 2, /* the viewer was erased by an event */
    SVM_SCORER_FORCE = 3  /* train now (the stored blob is damaged) */
};

struct svm_scorer_item {
    char user[VEVENT_ID_MAX + 1];
    long long events; /* the viewer's event count once written */
    int kind;
};

/* What the trainer reads of the configuration (copied under lock). */
struct svm_scorer_conf {
    struct svmv_config svm;
    size_t retrain_labels;
};

struct svm_scorer {
    struct recutd *d;
    /* the ring: the loop thread writes at tail, the trainer reads at head */
    struct svm_scorer_item *ring;
    size_t cap;
    atomic_size_t head, tail;
    sem_t wake;
    atomic_int sleeping; /* the trainer waits on wake: post it */
    atomic_int stop;
    pthread_t thread;
    int running;
    pthread_mutex_t lock; /* conf */
    struct svm_scorer_conf conf;
    /* copied at start (need a restart) */
    char *address, *prefix;
    int timeout_ms;
    /* loop thread only: viewers whose damaged blob was logged */
    struct strmap bad_logged;
};

void svm_scorer_conf_read(const struct recut_config *cfg, struct svm_scorer_conf *c);
/* The trainer thread (svm_train.c). */
void *svm_train_main(void *arg);

#endif
