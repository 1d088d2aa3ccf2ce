/* SPDX-License-Identifier: Apache-2.0 */
/*
 * editor_util.h -- helpers shared by the editor plugins (highlights,
 * storyline, trailer, mood).  Compiled into each plugin .so separately and
 * hidden (-fvisibility=hidden), so every plugin stays self-contained and
 * exports only recut_plugin_entry.
 */
#ifndef RECUT_EDITOR_UTIL_H
#define RECUT_EDITOR_UTIL_H

#include <stddef.h>

#include "recut/plugin.h"

/* Duration of scene i of the request's movie, in seconds. */
double editor_util_scene_duration(const struct recut_edit_request *req, size_t i);

/* Checks what every editor needs: a result array to write into (and
 * empties the result), a movie with scenes in story order, finite
 * non-negative scene spans, scores in 0..1 (no NaN), budget > 0,
 * min_fragment >= 0 and finite target affect.  Returns 0, or -1 with a
 * message naming the offending field. */
int editor_util_validate(const struct recut_edit_request *req, struct recut_edit_result *out,
                         char *errstr, size_t errstr_size);

/* Non-zero if scene i can be kept at all: longer than 0 and at least
 * min_fragment, and no longer than the budget on its own. */
int editor_util_eligible(const struct recut_edit_request *req, size_t i);

/* Non-zero if the viewer gave scene i explicit feedback at or below `floor`
 * (-1 = disliked/skipped); such scenes are left out by the editors that
 * select content (highlights, trailer, mood).  0 without a host API or
 * viewer. */
int editor_util_rejected(const struct recut_host_api *api, const struct recut_edit_request *req,
                         size_t i, double floor);

/* Reads a number from the plugin's configuration section (api may be NULL).
 * Keeps *value when the key is absent; -1 with a message when it is not a
 * finite number within [lo, hi]. */
int editor_util_config_double(const struct recut_host_api *api, const char *plugin, const char *key,
                              double lo, double hi, double *value, char *errstr,
                              size_t errstr_size);

/* Sum of the durations of the given scenes, added in the given order. */
double editor_util_total(const struct recut_edit_request *req, const size_t *idx, size_t n);

/* Sorts idx ascending and copies it to out; returns 0 or -1 (empty cut,
 * with a message saying why nothing was kept). */
int editor_util_emit(const struct recut_edit_request *req, size_t *idx, size_t n, double score,
                     struct recut_edit_result *out, const char *why, char *errstr,
                     size_t errstr_size);

/* Number of weight cells used to discretise a budget: capacity grid q is
 * chosen so that n_items * (cells + 1) stays below max_cells; never finer
 * than min_q seconds.  Returns the cell count and sets *q. */
size_t editor_util_grid(double budget, size_t n_items, double min_q, double max_cells, double *q);

/* Cost of a duration on a grid of q seconds, rounded up (with a tolerance of
 * 1e-6 cells against floating-point noise). */
size_t editor_util_cells(double duration, double q);

#endif
