/* SPDX-License-Identifier: Apache-2.0 */
/* experiments.h -- A/B experiments in recutd: each viewer's arm settings
 * for a request, exposure records (Kafka topic and Redis) for every served
 * list or cut, outcomes attributed from the event stream, and the per-arm
 * report of GET /v1/experiments and /metrics.
 *
 * Configuration and assignment are lib/core/experiment.h, the statistics
 * lib/models/abstats.h; this module only keeps the daemon's state.  It
 * talks to Redis through the store (store_command) and is told of events by
 * the store's on_event hook, wired in recutd.c. */
#ifndef RECUTD_EXPERIMENTS_H
#define RECUTD_EXPERIMENTS_H

#include <jansson.h>
#include <stddef.h>

#include "daemon.h"
#include "update.h"
#include "viewer.h"

/* The [experiment.NAME] sections of d->cfg (read at start-up).  NULL with
 * errstr "" when there is none, NULL with the reason otherwise. */
struct experiments *experiments_new(struct recutd *d, char *errstr, size_t errstr_size);
void experiments_free(struct experiments *e);
/* Write the overrides of viewer's arms into out, a shallow copy of the
 * running configuration (see experiment_apply); nothing when e is NULL. */
void experiments_config(const struct experiments *e, const char *viewer, struct recut_config *out);
/* [{"name", "arm"}] of viewer, or NULL when e is NULL. */
json_t *experiments_tags(const struct experiments *e, const char *viewer);
/* A list (kind "recommendations", items) or a cut (kind "cut", items = the
 * movie, scenes its kept scenes) was served to viewer v: one exposure
 * record per experiment to its topic, and the exposures remembered in
 * Redis (unless v had events and was erased since). */
void experiments_exposed(struct experiments *e, const recut_viewer *v, const char *kind,
                         const char *const *items, size_t n_items, const size_t *scenes,
                         size_t n_scenes);
/* The store applied event u of viewer v: an outcome of an exposed item? */
void experiments_event(struct experiments *e, const recut_viewer *v, const struct update *u);
/* GET /v1/experiments: cb gets status 200 and the report, or 503 and NULL
 * (Redis down). */
void experiments_report(struct experiments *e, void (*cb)(void *arg, int status, json_t *doc),
                        void *arg);
/* This instance's counts as Prometheus text (malloc'ed), or NULL. */
char *experiments_metrics(const struct experiments *e);

#endif
