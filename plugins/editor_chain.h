/* SPDX-License-Identifier: Apache-2.0 */
/*
 * editor_chain.h -- the budgeted monotone chain used by the trailer and mood
 * editors (linked into each of them, hidden like editor_util).
 *
 * Choose a subsequence of candidates (given in story order) such that key[]
 * never decreases along it and the durations fit the budget; maximise
 *     start_bonus[first] + sum(value[i]) + end_bonus[last].
 *  1. More than EDITOR_CHAIN_MAX_CAND candidates: the DP runs on the ones
 *     with the highest value + start_bonus + end_bonus (ties: lower index).
 *  2. Exact DP over (last candidate, time used) on a duration grid,
 *     durations rounded up so every chain it finds fits; the grid is as fine
 *     as 0.05 s when the DP stays within ~1e6 cells and ~1e7 steps, coarser
 *     otherwise.  Ties go to the chain found first (lower indices).
 *  3. Refill with the real durations: while some candidate can be inserted
 *     without breaking the key order or the budget and it raises the
 *     objective, insert the best one (this recovers the grid's rounding).
 */
#ifndef RECUT_EDITOR_CHAIN_H
#define RECUT_EDITOR_CHAIN_H

#include <stddef.h>

#define EDITOR_CHAIN_MAX_CAND 256

struct editor_chain_in {
    size_t n;               /* candidates */
    const double *duration; /* seconds, > 0 */
    const double *key;      /* must be non-decreasing along the chain */
    const double *value;    /* per-candidate gain (may be negative) */
    const double *start_bonus;
    const double *end_bonus;
    double budget;
};

/* Writes the chosen candidate positions, ascending, to chain[] (capacity
 * in->n), their count to *n_chain and the objective to *best.  Returns 0, or
 * -1 on allocation failure. */
int editor_chain_solve(const struct editor_chain_in *in, size_t *chain, size_t *n_chain,
                       double *best, char *errstr, size_t errstr_size);

#endif
