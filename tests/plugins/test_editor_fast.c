/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_editor_fast.c -- the fast methods of issue 8 against the slow ones
 * they replaced, on movies of up to 2,000 scenes:
 *   - highlights' core knapsack (default) must be within its proven bound
 *     of the exact optimum: optimum - value <= score_c x duration_c, c the
 *     critical scene (first scene by score that no longer fits the greedy
 *     prefix).  The optimum comes from a slow exact DP in this file over
 *     movies whose durations are multiples of 0.5 s: on the plugin's 0.1 s
 *     grid, and exact in binary, so sums carry no rounding noise (with
 *     tenths, a cut filling the budget exactly can sum to a hair over it
 *     and lose a scene to the editor's final fit check, in either method);
 *   - highlights with solver = dp (the full grid DP) must still be exact on
 *     those movies where it keeps the 0.1 s grid (n x budget / 0.1 s <=
 *     1.6e7 cells);
 *   - storyline's heap method (default) must give the very same cut as the
 *     scan method, scene for scene.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "movie_gen.h"
#include "stub_host.h"

#include "expect.h"

static int usable(const struct recut_edit_request *req, size_t i)
{
    double d = movie_gen_duration(&req->movie->scenes[i]);
    return d > 0.0 && d >= req->min_fragment && d <= req->budget;
}

/* Exact 0/1 knapsack in half seconds (durations are on that grid). */
static double exact_halves(const struct recut_edit_request *req)
{
    size_t cap = (size_t)floor(req->budget * 2.0 + 1e-6);
    double *best = calloc(cap + 1, sizeof *best);
    if (best == NULL)
        abort();
    for (size_t i = 0; i < req->movie->n_scenes; i++) {
        if (!usable(req, i))
            continue;
        double d = movie_gen_duration(&req->movie->scenes[i]);
        size_t w = (size_t)llround(d * 2.0);
        double v = req->scene_scores[i] * d;
        for (size_t c = cap; c >= w && c > 0; c--)
            if (best[c - w] + v > best[c])
                best[c] = best[c - w] + v;
    }
    double r = best[cap];
    free(best);
    return r;
}

static const double *crit_scores;
static int cmp_score(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    double sx = crit_scores[x], sy = crit_scores[y];
    if (sx != sy)
        return sx > sy ? -1 : 1;
    return (x > y) - (x < y);
}

/* score x duration of the critical scene (0 if every usable scene fits). */
static double critical_value(const struct recut_edit_request *req)
{
    size_t n = req->movie->n_scenes, m = 0;
    size_t *order = malloc(n * sizeof *order);
    if (order == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        if (usable(req, i))
            order[m++] = i;
    crit_scores = req->scene_scores;
    qsort(order, m, sizeof *order, cmp_score);
    double used = 0.0, v = 0.0;
    for (size_t k = 0; k < m; k++) {
        double d = movie_gen_duration(&req->movie->scenes[order[k]]);
        if (used + d > req->budget) {
            v = req->scene_scores[order[k]] * d;
            break;
        }
        used += d;
    }
    free(order);
    return v;
}

static double run(const struct stub_host_plugin *pl, const struct recut_edit_request *req,
                  size_t *cut, size_t *n, const char *tag)
{
    double score;
    char err[256], msg[256];
    int rc = stub_host_edit(pl, req, cut, n, &score, err, sizeof err);
    if (rc != 0) {
        *n = 0;
        return -1.0;
    }
    EXPECT(movie_gen_check_cut(req, cut, *n, score, msg, sizeof msg) == 0, "%s: %s", tag, msg);
    double v = 0.0;
    for (size_t k = 0; k < *n; k++)
        v += req->scene_scores[cut[k]] * movie_gen_duration(&req->movie->scenes[cut[k]]);
    return v;
}

static void load(const char *editor, const char *key, const char *val, struct stub_host_plugin *pl)
{
    char path[512], err[256];
    stub_host_config_clear();
    stub_host_config_set(editor, key, val);
    stub_host_plugin_path(editor, path, sizeof path);
    if (stub_host_load(path, pl, err, sizeof err) < 0) {
        fprintf(stderr, "FAIL load %s: %s\n", editor, err);
        exit(1);
    }
}

/* A movie of n scenes, durations multiples of 0.5 s, uniform scores. */
static void make_movie(struct movie_gen_rng *r, size_t n, struct recut_movie *m,
                       struct recut_scene *sc, double *scores)
{
    double t = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (movie_gen_uniform(r) < 0.1)
            t += (double)movie_gen_below(r, 20) / 2.0;
        sc[i].start = t;
        t += (double)(1 + movie_gen_below(r, 16)) / 2.0; /* 0.5 .. 8 s */
        sc[i].end = t;
        scores[i] = movie_gen_uniform(r);
    }
    *m = (struct recut_movie){ .id = "fast", .duration = t, .scenes = sc, .n_scenes = n };
}

int main(void)
{
    struct stub_host_plugin core, dp, heap, scan;
    load("highlights", "solver", "core", &core);
    load("highlights", "solver", "dp", &dp);
    load("storyline", "method", "heap", &heap);
    load("storyline", "method", "scan", &scan);
    struct movie_gen_rng r;
    movie_gen_seed(&r, 20261206);
    size_t *cut = malloc(2000 * sizeof *cut), *cut2 = malloc(2000 * sizeof *cut2);
    struct recut_scene *sc = calloc(2000, sizeof *sc);
    double *scores = malloc(2000 * sizeof *scores);
    if (cut == NULL || cut2 == NULL || sc == NULL || scores == NULL)
        abort();

    /* 1. highlights on 200..2,000 scenes against the exact optimum. */
    size_t n_exact = 0, n_cases = 12;
    double worst_gap = 0.0;
    for (size_t c = 0; c < n_cases; c++) {
        size_t n = c == 0 ? 2000 : 200 + movie_gen_below(&r, 1801);
        struct recut_movie m;
        make_movie(&r, n, &m, sc, scores);
        double budget = c == 0 ? 900.0 : floor(movie_gen_range(&r, 0.05, 0.5) * m.duration);
        struct recut_edit_request req = { .version = 1,
                                          .movie = &m,
                                          .scene_scores = scores,
                                          .budget = budget,
                                          .min_fragment = c % 2 ? 0.0 : 1.0 };
        char tag[64];
        snprintf(tag, sizeof tag, "highlights case %zu (%zu scenes, %g s)", c, n, budget);
        double opt = exact_halves(&req), bound = critical_value(&req);
        size_t k;
        double got = run(&core, &req, cut, &k, tag);
        EXPECT(got >= 0.0, "%s: no cut", tag);
        double gap = opt - got;
        EXPECT(gap <= bound + 1e-9 * (1.0 + opt),
               "%s: core value %.6f below optimum %.6f by more than the bound %.6f", tag, got, opt,
               bound);
        EXPECT(got <= opt + 1e-9 * (1.0 + opt), "%s: value %.6f above the optimum %.6f?", tag, got,
               opt);
        if (gap <= 1e-9 * (1.0 + opt))
            n_exact++;
        if (bound > 0.0 && gap / bound > worst_gap)
            worst_gap = gap / bound;
        double full = run(&dp, &req, cut, &k, tag);
        if ((double)n * budget / 0.1 <= 1.6e7) /* the full DP keeps the 0.1 s grid */
            EXPECT(full >= opt - 1e-9 * (1.0 + opt), "%s: solver = dp value %.6f < optimum %.6f",
                   tag, full, opt);
    }
    printf("highlights core: %zu/%zu exact; worst gap = %.4f of the proven bound\n", n_exact,
           n_cases, worst_gap);

    /* 2. storyline: heap and scan agree exactly, 1..2,000 scenes. */
    size_t n_same = 0, n_story = 60;
    for (size_t c = 0; c < n_story; c++) {
        size_t n = c < 10 ? 1 + c : 1 + movie_gen_below(&r, 2000);
        struct recut_movie m;
        make_movie(&r, n, &m, sc, scores);
        if (c % 3 == 0) /* ties in priority */
            for (size_t i = 0; i < n; i++)
                scores[i] = (double)movie_gen_below(&r, 3) / 2.0;
        struct recut_edit_request req = { .version = 1,
                                          .movie = &m,
                                          .scene_scores = scores,
                                          .budget = movie_gen_range(&r, 0.02, 1.1) * m.duration,
                                          .min_fragment = c % 2 ? 0.0 : 0.5 };
        char tag[64];
        snprintf(tag, sizeof tag, "storyline case %zu (%zu scenes)", c, n);
        size_t a = 0, b = 0;
        double va = run(&heap, &req, cut, &a, tag), vb = run(&scan, &req, cut2, &b, tag);
        EXPECT((va < 0.0) == (vb < 0.0), "%s: one method failed, the other did not", tag);
        int same = a == b && memcmp(cut, cut2, a * sizeof *cut) == 0;
        EXPECT(same, "%s: heap kept %zu scenes, scan %zu, or different ones", tag, a, b);
        n_same += same;
    }
    printf("storyline heap = scan: %zu/%zu\n", n_same, n_story);
    free(cut);
    free(cut2);
    free(sc);
    free(scores);
    stub_host_unload(&core);
    stub_host_unload(&dp);
    stub_host_unload(&heap);
    stub_host_unload(&scan);
    return expect_report();
}
