/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cuts-bench.c -- how many personal cuts a second one core computes (issue 8:
 * target >= 1,000 cuts/s for highlights and storyline on a 2,000-scene movie
 * with a 900 s budget).  The editors run in-process through their plugin
 * entry points: the built .so files are dlopened by the tests' stub host,
 * as recutd would.  Each editor is timed with its previous method (selected
 * by configuration) and its current one in the same run, so the printed
 * ratio compares like with like on this machine; nothing is asserted.
 * Usage: cuts-bench [reps]   (default 200 timed cuts per method)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "movie_gen.h"
#include "stub_host.h"

#define CUTS_BENCH_SCENES 2000
#define CUTS_BENCH_BUDGET 900.0

static double cuts_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cuts_bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median seconds per cut of one editor configuration; sets *value to the
 * cut's sum(score x duration) so the methods' answers can be compared. */
static int cuts_bench_run(const char *editor, const char *key, const char *val,
                          const struct recut_edit_request *req, int reps, double *p50,
                          double *value)
{
    char path[512], err[256];
    struct stub_host_plugin pl;
    stub_host_config_clear();
    if (key != NULL)
        stub_host_config_set(editor, key, val);
    stub_host_plugin_path(editor, path, sizeof path);
    if (stub_host_load(path, &pl, err, sizeof err) < 0) {
        fprintf(stderr, "cuts-bench: %s: %s\n", editor, err);
        return -1;
    }
    size_t n = req->movie->n_scenes, n_cut = 0;
    size_t *cut = malloc(n * sizeof *cut);
    double *t = malloc((size_t)reps * sizeof *t), score = 0.0;
    if (cut == NULL || t == NULL) {
        free(cut);
        free(t);
        stub_host_unload(&pl);
        return -1;
    }
    int rc = 0;
    for (int k = -3; k < reps && rc == 0; k++) { /* 3 warm-up cuts */
        double t0 = cuts_bench_now();
        rc = stub_host_edit(&pl, req, cut, &n_cut, &score, err, sizeof err);
        if (k >= 0)
            t[k] = cuts_bench_now() - t0;
    }
    if (rc != 0) {
        fprintf(stderr, "cuts-bench: %s: %s\n", editor, err);
    } else {
        qsort(t, (size_t)reps, sizeof *t, cuts_bench_cmp);
        *p50 = t[reps / 2];
        *value = score * req->budget;
    }
    free(cut);
    free(t);
    stub_host_unload(&pl);
    return rc;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 200;
    if (reps < 1)
        reps = 1;
    struct movie_gen_rng r;
    movie_gen_seed(&r, 8);
    struct movie_gen_params p = {
        .n_scenes = CUTS_BENCH_SCENES, .min_len = 1, .max_len = 6, .short_p = 0.05, .gap_p = 0.1
    };
    struct movie_gen g;
    if (movie_gen_make(&g, &r, &p, "bench") < 0)
        return 1;
    double *scores = malloc(CUTS_BENCH_SCENES * sizeof *scores);
    if (scores == NULL)
        return 1;
    for (size_t i = 0; i < CUTS_BENCH_SCENES; i++)
        scores[i] = movie_gen_uniform(&r);
    struct recut_edit_request req = { .version = 1,
                                      .movie = &g.movie,
                                      .scene_scores = scores,
                                      .budget = CUTS_BENCH_BUDGET,
                                      .min_fragment = 0.0 };
    printf("cuts-bench: %d scenes, %.0f s movie, %.0f s budget, median of %d cuts\n",
           CUTS_BENCH_SCENES, g.scenes[CUTS_BENCH_SCENES - 1].end, CUTS_BENCH_BUDGET, reps);
    static const struct {
        const char *editor, *key, *old_val, *new_val;
    } cases[] = {
        { "highlights", "solver", "dp", "core" },
        { "storyline", "method", "scan", "heap" },
    };
    int status = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double t_old, t_new, v_old, v_new;
        if (cuts_bench_run(cases[c].editor, cases[c].key, cases[c].old_val, &req, reps, &t_old,
                           &v_old) < 0 ||
            cuts_bench_run(cases[c].editor, cases[c].key, cases[c].new_val, &req, reps, &t_new,
                           &v_new) < 0) {
            status = 1;
            continue;
        }
        printf("%-10s old (%s=%s): p50 %8.3f ms, %8.0f cuts/s, value %.3f\n", cases[c].editor,
               cases[c].key, cases[c].old_val, t_old * 1e3, 1.0 / t_old, v_old);
        printf("%-10s new (%s=%s): p50 %8.3f ms, %8.0f cuts/s, value %.3f\n", cases[c].editor,
               cases[c].key, cases[c].new_val, t_new * 1e3, 1.0 / t_new, v_new);
        printf("%-10s speed-up new/old: %.1fx, value new/old: %.6f\n", cases[c].editor,
               t_old / t_new, v_new / v_old);
    }
    free(scores);
    movie_gen_free(&g);
    return status;
}
