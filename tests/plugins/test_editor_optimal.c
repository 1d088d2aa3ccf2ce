/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_editor_optimal.c -- the highlights editor against exact answers:
 *   - brute force over all subsets for small movies (n <= 15);
 *   - an exact integer DP for larger movies with whole-second scenes
 *     (> 30 candidates: the default core knapsack, and the full grid DP of
 *     solver = dp in the regime where its 0.1 s grid is kept:
 *     n x budget / 0.1 s <= 1.6e7 cells);
 *   - the fractional-knapsack upper bound for large movies with arbitrary
 *     durations.
 * Objective (documented in editor_highlights.c): sum(score x duration) of the
 * kept scenes, all kept scenes between min_fragment and the budget.
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

/* Value of a cut, or -1 if it breaks a rule. */
static double cut_value(const struct recut_edit_request *req, const size_t *cut, size_t n)
{
    double total = 0.0, v = 0.0;
    for (size_t k = 0; k < n; k++) {
        if (cut[k] >= req->movie->n_scenes || (k && cut[k] <= cut[k - 1]) || !usable(req, cut[k]))
            return -1.0;
        double d = movie_gen_duration(&req->movie->scenes[cut[k]]);
        total += d;
        v += req->scene_scores[cut[k]] * d;
    }
    return total <= req->budget ? v : -1.0;
}

static double brute_force(const struct recut_edit_request *req)
{
    size_t n = req->movie->n_scenes;
    double best = 0.0;
    for (size_t mask = 1; mask < ((size_t)1 << n); mask++) {
        size_t cut[16], m = 0;
        for (size_t i = 0; i < n; i++)
            if (mask & ((size_t)1 << i))
                cut[m++] = i;
        double v = cut_value(req, cut, m);
        if (v > best)
            best = v;
    }
    return best;
}

/* Exact 0/1 knapsack for integer durations (seconds) and integer budget. */
static double integer_dp(const struct recut_edit_request *req, size_t cap)
{
    double *best = calloc(cap + 1, sizeof *best);
    if (best == NULL)
        abort();
    for (size_t i = 0; i < req->movie->n_scenes; i++) {
        if (!usable(req, i))
            continue;
        double d = movie_gen_duration(&req->movie->scenes[i]);
        size_t w = (size_t)llround(d);
        double v = req->scene_scores[i] * d;
        for (size_t c = cap; c >= w && c > 0; c--)
            if (best[c - w] + v > best[c])
                best[c] = best[c - w] + v;
    }
    double r = best[cap];
    free(best);
    return r;
}

/* Fractional knapsack: an upper bound on the 0/1 optimum. */
static const double *density_scores;
static int cmp_density(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    double sx = density_scores[x], sy = density_scores[y];
    return (sx < sy) - (sx > sy);
}

static double lp_bound(const struct recut_edit_request *req)
{
    size_t n = req->movie->n_scenes, m = 0;
    size_t *order = malloc(n * sizeof *order);
    if (order == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        if (usable(req, i))
            order[m++] = i;
    density_scores = req->scene_scores;
    qsort(order, m, sizeof *order, cmp_density);
    double room = req->budget, v = 0.0;
    for (size_t k = 0; k < m && room > 0.0; k++) {
        double d = movie_gen_duration(&req->movie->scenes[order[k]]);
        double take = d < room ? d : room;
        v += req->scene_scores[order[k]] * take;
        room -= take;
    }
    free(order);
    return v;
}

static double run_plugin(const struct stub_host_plugin *pl, const struct recut_edit_request *req,
                         const char *tag)
{
    size_t *cut = malloc(req->movie->n_scenes * sizeof *cut), n = 0;
    double score;
    char err[256];
    if (cut == NULL)
        abort();
    int rc = stub_host_edit(pl, req, cut, &n, &score, err, sizeof err);
    double v = rc == 0 ? cut_value(req, cut, n) : 0.0;
    if (rc == 0)
        EXPECT(v >= 0.0, "%s: the cut breaks a rule", tag);
    free(cut);
    return v;
}

int main(void)
{
    char path[512], err[256];
    struct stub_host_plugin pl;
    stub_host_plugin_path("highlights", path, sizeof path);
    if (stub_host_load(path, &pl, err, sizeof err) < 0) {
        fprintf(stderr, "FAIL load: %s\n", err);
        return 1;
    }
    struct stub_host_plugin dp;
    stub_host_config_set("highlights", "solver", "dp");
    if (stub_host_load(path, &dp, err, sizeof err) < 0) {
        fprintf(stderr, "FAIL load (solver = dp): %s\n", err);
        return 1;
    }
    stub_host_config_clear();
    struct movie_gen_rng r;
    movie_gen_seed(&r, 20240611);

    /* 1. brute force, n <= 15 */
    size_t n_small = 0, n_opt = 0;
    for (size_t c = 0; c < 500; c++) {
        struct movie_gen_params p = { .n_scenes = 1 + movie_gen_below(&r, 15),
                                      .min_len = 1,
                                      .max_len = movie_gen_range(&r, 5, 90),
                                      .short_p = 0.1,
                                      .gap_p = 0.2 };
        struct movie_gen g;
        if (movie_gen_make(&g, &r, &p, "small") < 0)
            abort();
        double scores[16];
        int ties = movie_gen_uniform(&r) < 0.3;
        for (size_t i = 0; i < p.n_scenes; i++)
            scores[i] = ties ? (double)movie_gen_below(&r, 3) / 2.0 : movie_gen_uniform(&r);
        struct recut_edit_request req = {
            .version = 1,
            .movie = &g.movie,
            .scene_scores = scores,
            .budget = movie_gen_range(&r, 0.05, 1.0) * g.scenes[p.n_scenes - 1].end,
            .min_fragment = movie_gen_uniform(&r) < 0.5 ? 0.0 : movie_gen_range(&r, 0, 10),
        };
        char tag[32];
        snprintf(tag, sizeof tag, "small case %zu", c);
        double best = brute_force(&req);
        double got = run_plugin(&pl, &req, tag);
        n_small++;
        if (got >= best - 1e-9 * (1.0 + best))
            n_opt++;
        else
            EXPECT(0, "%s: value %.9f < optimum %.9f (n=%zu)", tag, got, best, p.n_scenes);
        movie_gen_free(&g);
    }
    printf("highlights vs brute force: %zu/%zu optimal\n", n_opt, n_small);

    /* 2. whole-second scenes, 40..300 scenes: core and solver = dp must be exact. */
    size_t n_mid = 0, n_mid_opt = 0;
    for (size_t c = 0; c < 30; c++) {
        size_t n = 40 + movie_gen_below(&r, 260);
        struct recut_scene *sc = calloc(n, sizeof *sc);
        double *scores = malloc(n * sizeof *scores);
        if (sc == NULL || scores == NULL)
            abort();
        double t = 0.0;
        for (size_t i = 0; i < n; i++) {
            sc[i].start = t;
            t += (double)(1 + movie_gen_below(&r, 90));
            sc[i].end = t;
            scores[i] = movie_gen_uniform(&r);
        }
        struct recut_movie m = { .id = "mid", .duration = t, .scenes = sc, .n_scenes = n };
        /* within the plugin's exact regime: n x budget / 0.1 s <= 1.6e7 */
        double want = t * movie_gen_range(&r, 0.05, 0.6);
        size_t cap = (size_t)(want < 1.5e6 / (double)n ? want : 1.5e6 / (double)n);
        struct recut_edit_request req = { .version = 1,
                                          .movie = &m,
                                          .scene_scores = scores,
                                          .budget = (double)cap,
                                          .min_fragment = (double)movie_gen_below(&r, 5) };
        char tag[32];
        snprintf(tag, sizeof tag, "grid case %zu", c);
        double best = integer_dp(&req, cap);
        double got = run_plugin(&pl, &req, tag);
        n_mid++;
        if (got >= best - 1e-9 * (1.0 + best))
            n_mid_opt++;
        else
            EXPECT(0, "%s: value %.6f < optimum %.6f (n=%zu, budget %zu)", tag, got, best, n, cap);
        double full = run_plugin(&dp, &req, tag);
        EXPECT(full >= best - 1e-9 * (1.0 + best),
               "%s: solver = dp value %.6f < optimum %.6f (n=%zu, budget %zu)", tag, full, best, n,
               cap);
        free(sc);
        free(scores);
    }
    printf("highlights vs exact integer DP (40..300 scenes): %zu/%zu optimal\n", n_mid_opt, n_mid);

    /* 3. arbitrary durations, 200..1000 scenes: within 1%% of the LP bound. */
    double worst = 1.0;
    for (size_t c = 0; c < 20; c++) {
        struct movie_gen_params p = { .n_scenes = 200 + movie_gen_below(&r, 800),
                                      .min_len = 2,
                                      .max_len = 60,
                                      .short_p = 0.05,
                                      .gap_p = 0.1 };
        struct movie_gen g;
        if (movie_gen_make(&g, &r, &p, "large") < 0)
            abort();
        double *scores = malloc(p.n_scenes * sizeof *scores);
        if (scores == NULL)
            abort();
        for (size_t i = 0; i < p.n_scenes; i++)
            scores[i] = movie_gen_uniform(&r);
        struct recut_edit_request req = {
            .version = 1,
            .movie = &g.movie,
            .scene_scores = scores,
            .budget = movie_gen_range(&r, 0.1, 0.5) * g.scenes[p.n_scenes - 1].end,
            .min_fragment = 3.0,
        };
        char tag[32];
        snprintf(tag, sizeof tag, "large case %zu", c);
        double bound = lp_bound(&req);
        double got = run_plugin(&pl, &req, tag);
        double ratio = got / bound;
        if (ratio < worst)
            worst = ratio;
        EXPECT(ratio >= 0.99, "%s: value %.3f is %.4f of the LP bound %.3f", tag, got, ratio,
               bound);
        free(scores);
        movie_gen_free(&g);
    }
    printf("highlights, 200..1000 scenes: worst value / LP upper bound = %.5f\n", worst);
    stub_host_unload(&dp);
    stub_host_unload(&pl);
    return expect_report();
}
