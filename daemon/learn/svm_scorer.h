/* SPDX-License-Identifier: Apache-2.0 */
/* svm_scorer.h -- every viewer's like/dislike SVM inside recutd.
 *
 * The event loop tells the scorer about every applied event that carries a
 * label (svm_scorer_applied, called through the store's on_event hook that
 * recutd.c registers: O(1), never blocks --
 * a lock-free single-producer ring of `[svm] queue` entries; when it is
 * full the event is dropped and counted).  A worker thread with its own
 * blocking hiredis connection counts each viewer's new labels; after
 * `[svm] retrain_labels` of them it reads the viewer's `seen` hash and the
 * rated movies' catalog entries from Redis, trains (models/svm_viewer.h)
 * and stores the checksummed blob at PREFIX:{u:ID}:svm, registered in the
 * viewer's :keys set in the same Lua call, so erasing the viewer erases it.
 *
 * The read path (store_redis.c) GETs :svm with the viewer (the store's
 * extra_key hook) and hands it to svm_scorer_attach (on_loaded): a good blob becomes the viewer's model (viewer.h), a
 * damaged one is counted, logged once per viewer, ignored, and the viewer
 * is queued for a retraining that replaces it. */
#ifndef RECUTD_SVM_SCORER_H
#define RECUTD_SVM_SCORER_H

#include <stddef.h>

#include "daemon.h"
#include "update.h"
#include "viewer.h"

struct json_t;

/* NULL with errstr empty when [svm] enabled = no; NULL with a message on
 * failure.  Every function below accepts NULL (disabled). */
struct svm_scorer *svm_scorer_new(struct recutd *d, char *errstr, size_t errstr_size);
/* Stops the worker (a training in progress finishes first). */
void svm_scorer_free(struct svm_scorer *s);
/* After SIGHUP: the reloadable [svm] keys. */
void svm_scorer_reload(struct svm_scorer *s);
int svm_scorer_enabled(const struct svm_scorer *s);
/* The hook: event u was applied to v (on the loop thread). */
void svm_scorer_applied(struct svm_scorer *s, const recut_viewer *v, const struct update *u);
/* Wake the trainer if it sleeps and has work: once per batch, after the
 * batch's svm_scorer_applied calls. */
void svm_scorer_kick(struct svm_scorer *s);
/* Labelled events waiting for the trainer (a queue depth for GET /metrics). */
size_t svm_scorer_queued(struct svm_scorer *s);
/* The stored blob of v (the value of PREFIX:{u:ID}:svm). */
void svm_scorer_attach(struct svm_scorer *s, recut_viewer *v, const char *blob, size_t len);
/* The profile's "svm": {"labels", "likes", "dislikes", "kernel",
 * "training_accuracy", ...} or JSON null (new reference). */
struct json_t *svm_scorer_profile(const recut_viewer *v);

#endif
