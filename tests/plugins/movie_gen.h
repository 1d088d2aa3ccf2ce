/* SPDX-License-Identifier: Apache-2.0 */
/*
 * movie_gen.h -- seeded random movies for the editor tests, plus the checks
 * every editor's output must pass.
 */
#ifndef MOVIE_GEN_H
#define MOVIE_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "recut/plugin.h"

/* The scene labels used by generated movies (one label per scene). */
#define MOVIE_GEN_N_LABELS 4
extern const char *const movie_gen_labels[MOVIE_GEN_N_LABELS]; /* action romance dialogue comedy */

struct movie_gen_rng {
    uint64_t s;
};

void movie_gen_seed(struct movie_gen_rng *r, uint64_t seed);
uint64_t movie_gen_next(struct movie_gen_rng *r);
double movie_gen_uniform(struct movie_gen_rng *r); /* [0, 1) */
double movie_gen_range(struct movie_gen_rng *r, double lo, double hi);
size_t movie_gen_below(struct movie_gen_rng *r, size_t n); /* 0..n-1 */

struct movie_gen_params {
    size_t n_scenes;
    double min_len, max_len; /* scene durations, seconds */
    double short_p;          /* probability of a very short (< 2 s) scene */
    double gap_p;            /* probability of a gap before a scene */
};

/* A generated movie; free with movie_gen_free. */
struct movie_gen {
    struct recut_movie movie;
    struct recut_scene *scenes;
    char id[32];
};

int movie_gen_make(struct movie_gen *g, struct movie_gen_rng *r, const struct movie_gen_params *p,
                   const char *id);
void movie_gen_free(struct movie_gen *g);

/* Label index (0..3) of a generated scene. */
size_t movie_gen_label(const struct recut_scene *s);

double movie_gen_duration(const struct recut_scene *s);

/* Checks common to every editor's successful answer: at least one scene,
 * indices strictly ascending and in range (whole scenes in story order),
 * total <= budget, every scene >= min_fragment, finite score.  Returns 0 or
 * -1 with the failed property in msg. */
int movie_gen_check_cut(const struct recut_edit_request *req, const size_t *scenes, size_t n,
                        double score, char *msg, size_t msg_size);

#endif
