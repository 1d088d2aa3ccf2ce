/* SPDX-License-Identifier: Apache-2.0 */
/* eval_sweep.h -- recut-eval --diversity-sweep: one replay per value of
 * [models] diversity, so the price of diverser lists (NDCG, HR) can be read
 * next to what they buy (coverage, Gini, popularity bias, intra-list
 * diversity) in one table, and --plot draws NDCG against coverage as a
 * hand-written SVG (no plotting dependency). */
#ifndef RECUT_EVAL_SWEEP_H
#define RECUT_EVAL_SWEEP_H

#include <stddef.h>
#include <stdio.h>

#include "eval_replay.h"

#define EVAL_SWEEP_MAX 32

/* "0,0.1,0.5" into v[0..*n); each in 0..1, at most EVAL_SWEEP_MAX. */
int eval_sweep_parse(const char *s, double *v, size_t *n, char *errstr, size_t errstr_size);
/* The table: one row of recut's metrics per value, then the baselines of
 * the first replay (they do not depend on diversity). */
void eval_sweep_print(FILE *f, const double *v, const struct eval_result *r, size_t n, size_t k);
/* NDCG@k against coverage for recut at each value, the baselines as
 * reference points; written to a temp file renamed onto path. */
int eval_sweep_svg(const char *path, const double *v, const struct eval_result *r, size_t n,
                   size_t k, char *errstr, size_t errstr_size);

#endif
