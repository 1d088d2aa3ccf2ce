/* SPDX-License-Identifier: Apache-2.0 */
/* eval_xp.h -- recut-eval --experiment: the arms of [experiment.NAME]
 * replayed offline on a MovieLens directory, with recutd's attribution
 * rules, printed as the table (or the JSON) of GET /v1/experiments. */
#ifndef RECUT_EVAL_XP_H
#define RECUT_EVAL_XP_H

#include <stdio.h>

#include "eval_data.h"
#include "eval_replay.h"
#include "experiment.h"

/* Replay d: before each rating the viewer is served recut's top k under
 * their arm's settings (each experiment); every item new to the viewer
 * within window_s is an exposure; the rating then counts for the arm of
 * an exposure of its movie within window_s, as a conversion when at least
 * [models] like_threshold, else as a negative (once each per exposure).
 * Prints the report to out, as JSON ({"experiments": [...]}) or a table. */
int eval_xp_run(const struct eval_data *d, const struct recut_config *cfg,
                const struct experiment_set *set, const struct eval_opts *o, int json, FILE *out,
                char *errstr, size_t errstr_size);

#endif
