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

#include "recut/plugin.h"

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

/* The candidates an editor offers the chain, with room for every scene of
 * the movie: candidate k is scene[k].  The editor fills the arrays and n. */
struct editor_chain_cands {
    size_t n;
    size_t *scene;
    double *duration, *key, *value, *start_bonus, *end_bonus;
    size_t *chain; /* the cut, as scene indices (editor_chain_cut) */
    double *buf;
};

/* Room for n_scenes candidates.  0, or -1 with errstr. */
int editor_chain_cands_init(struct editor_chain_cands *c, size_t n_scenes, char *errstr,
                            size_t errstr_size);
void editor_chain_cands_free(struct editor_chain_cands *c);

/* Append scene as the next candidate (c has room for every scene). */
void editor_chain_add(struct editor_chain_cands *c, size_t scene, double duration, double key,
                      double value, double start_bonus, double end_bonus);

/* Solve the chain over c (budget: req->budget) and turn it into a cut: the
 * scene indices in *idx (c->chain), their number in *n, the objective in
 * *best.  The grid's rounding may leave the real durations a little over
 * the budget: scenes are then dropped from the chain's start until they
 * fit.  0, or -1 with errstr. */
int editor_chain_cut(struct editor_chain_cands *c, const struct recut_edit_request *req,
                     size_t **idx, size_t *n, double *best, char *errstr, size_t errstr_size);

#endif
