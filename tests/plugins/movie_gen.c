/* SPDX-License-Identifier: Apache-2.0 */
/*
 * movie_gen.c -- seeded random movies and cut checks for the editor tests.
 */
#include "movie_gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const movie_gen_labels[MOVIE_GEN_N_LABELS] = { "action", "romance", "dialogue",
                                                           "comedy" };

void movie_gen_seed(struct movie_gen_rng *r, uint64_t seed)
{
    r->s = seed;
}

/* splitmix64 */
uint64_t movie_gen_next(struct movie_gen_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double movie_gen_uniform(struct movie_gen_rng *r)
{
    return (double)(movie_gen_next(r) >> 11) / 9007199254740992.0;
}

double movie_gen_range(struct movie_gen_rng *r, double lo, double hi)
{
    return lo + (hi - lo) * movie_gen_uniform(r);
}

size_t movie_gen_below(struct movie_gen_rng *r, size_t n)
{
    return n ? (size_t)(movie_gen_next(r) % n) : 0;
}

int movie_gen_make(struct movie_gen *g, struct movie_gen_rng *r, const struct movie_gen_params *p,
                   const char *id)
{
    memset(g, 0, sizeof *g);
    snprintf(g->id, sizeof g->id, "%s", id);
    g->scenes = calloc(p->n_scenes ? p->n_scenes : 1, sizeof *g->scenes);
    if (g->scenes == NULL)
        return -1;
    double t = 0.0;
    for (size_t i = 0; i < p->n_scenes; i++) {
        struct recut_scene *s = &g->scenes[i];
        if (movie_gen_uniform(r) < p->gap_p)
            t += movie_gen_range(r, 0.1, 5.0);
        double d = movie_gen_uniform(r) < p->short_p ? movie_gen_range(r, 0.2, 2.0)
                                                     : movie_gen_range(r, p->min_len, p->max_len);
        s->start = t;
        s->end = t + d;
        t = s->end;
        s->arousal = movie_gen_uniform(r);
        s->valence = movie_gen_range(r, -1.0, 1.0);
        s->labels = &movie_gen_labels[movie_gen_below(r, MOVIE_GEN_N_LABELS)];
        s->n_labels = 1;
    }
    g->movie.id = g->id;
    g->movie.title = "generated";
    g->movie.duration = t + movie_gen_range(r, 0.0, 30.0);
    g->movie.scenes = g->scenes;
    g->movie.n_scenes = p->n_scenes;
    return 0;
}

void movie_gen_free(struct movie_gen *g)
{
    free(g->scenes);
    memset(g, 0, sizeof *g);
}

size_t movie_gen_label(const struct recut_scene *s)
{
    return (size_t)(s->labels - movie_gen_labels);
}

double movie_gen_duration(const struct recut_scene *s)
{
    return s->end - s->start;
}

int movie_gen_check_cut(const struct recut_edit_request *req, const size_t *scenes, size_t n,
                        double score, char *msg, size_t msg_size)
{
    const struct recut_movie *m = req->movie;
    if (n == 0) {
        snprintf(msg, msg_size, "success with an empty cut");
        return -1;
    }
    if (!isfinite(score)) {
        snprintf(msg, msg_size, "score %g is not finite", score);
        return -1;
    }
    double total = 0.0;
    for (size_t k = 0; k < n; k++) {
        if (scenes[k] >= m->n_scenes) {
            snprintf(msg, msg_size, "scene index %zu out of range (%zu scenes)", scenes[k],
                     m->n_scenes);
            return -1;
        }
        if (k > 0 && scenes[k] <= scenes[k - 1]) {
            snprintf(msg, msg_size, "scene %zu after %zu: not strictly in story order", scenes[k],
                     scenes[k - 1]);
            return -1;
        }
        double d = movie_gen_duration(&m->scenes[scenes[k]]);
        if (d < req->min_fragment || d <= 0.0) {
            snprintf(msg, msg_size, "scene %zu lasts %g s < min_fragment %g", scenes[k], d,
                     req->min_fragment);
            return -1;
        }
        total += d;
    }
    if (total > req->budget) {
        snprintf(msg, msg_size, "cut lasts %.9f s > budget %.9f s", total, req->budget);
        return -1;
    }
    return 0;
}
