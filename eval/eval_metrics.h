/* SPDX-License-Identifier: Apache-2.0 */
/* eval_metrics.h -- exposure and diversity metrics of recut-eval, apart from
 * the replay so that tests/unit can check them on hand-computed cases: HR
 * and NDCG say whether lists are right, these say what they do to the
 * catalog (how unequally slots are spread, how mainstream the items are)
 * and to the viewer (whether a list is ten near-copies). */
#ifndef RECUT_EVAL_METRICS_H
#define RECUT_EVAL_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"

/* Gini coefficient of the exposure counts x[0..n-1] (slots each item got,
 * zeros included): 0 when every item got the same number of slots, (n-1)/n
 * when one item got them all; 0 for n == 0 or no exposure.  Sorts x. */
double eval_metrics_gini(uint64_t *x, size_t n);
/* Popularity percentile of the item at `rank` (0 = most popular) among n:
 * 1 for the most popular, 0 for the least, 1 when n == 1. */
double eval_metrics_pop_percentile(size_t rank, size_t n);
/* 1 - |a & b| / |a | b| of two genre sets as bit masks; 0 when both are
 * empty (nothing tells them apart). */
double eval_metrics_genre_distance(uint64_t a, uint64_t b);
/* Intra-list diversity: mean genre distance over the n(n-1)/2 pairs of the
 * list (catalog indices into `genres`); -1 when n < 2. */
double eval_metrics_ild(const uint64_t *genres, const uint32_t *list, size_t n);
/* One genre bit mask per catalog item (out[c->n]): bit b for the b-th
 * distinct "genre:" feature met in catalog order; genres past the 64th
 * share bit 63.  Returns the number of distinct genres. */
size_t eval_metrics_genre_masks(const struct catalog *c, uint64_t *out);

#endif
