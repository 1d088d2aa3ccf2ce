/* SPDX-License-Identifier: Apache-2.0 */
/* groups.h -- viewer groups ("viewers like you"): a periodic job clusters
 * the viewers' genre preferences (k-means) and factors them (factor
 * analysis); the models answer the profile's "cluster" and "factors" and
 * the cold-start movies of publish.c. */
#ifndef RECUTD_GROUPS_H
#define RECUTD_GROUPS_H

#include <stddef.h>

#include "daemon.h"
#include "viewer.h"

struct json_t;

/* Starts the periodic job ([models] groups_interval_s) and loads the stored
 * models at once. */
struct groups *groups_new(struct recutd *d, char *errstr, size_t errstr_size);
/* After SIGHUP: follow a changed groups_interval_s. */
void groups_reload(struct groups *g);
/* Stops the job (joins the worker thread) and frees everything. */
void groups_free(struct groups *g);
/* The viewer's cluster {"id","size","top_genres"} and factor scores
 * [{"score","top_genres":[{"genre","loading"}]}], each JSON null when there
 * is no model or the viewer has no genre preference yet (new references). */
void groups_profile(const struct groups *g, const recut_viewer *v, struct json_t **cluster,
                    struct json_t **factors);
/* The most liked movies of the viewer's cluster (of the biggest cluster
 * for a viewer without genre preferences), with their summed weights, best
 * first; NULL without a model.  Borrowed until control returns to the loop. */
const char *const *groups_cold_movies(const struct groups *g, const recut_viewer *v,
                                      const double **weights, size_t *n);

#endif
