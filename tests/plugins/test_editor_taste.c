/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_editor_taste.c -- a simulated viewer with a known taste (likes
 * "action", dislikes "romance") must get cuts whose content matches that
 * taste far better than a generic cut (all scores equal), and negative
 * feedback on a kept scene must remove it from the next cut.
 *
 * Scene scores come from the viewer's feature weights through the stub host
 * API (stub_host_scene_scores), the way recutd derives them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "movie_gen.h"
#include "stub_host.h"

enum {
    ACTION = 0,
    ROMANCE = 1
};

#include "expect.h"

struct taste {
    double kept;         /* seconds */
    double liked;        /* fraction of kept seconds that are action */
    double disliked;     /* fraction of kept seconds that are romance */
    double romance_kept; /* fraction of the movie's romance seconds kept */
    double dist;         /* mean VA distance to the request's target, per second */
};

static double va_distance(const struct recut_scene *s, double ta, double tv)
{
    double da = s->arousal - ta, dv = (s->valence - tv) / 2.0;
    return sqrt(da * da + dv * dv) / sqrt(2.0);
}

static struct taste measure(const struct recut_edit_request *req, const size_t *cut, size_t n)
{
    const struct recut_movie *m = req->movie;
    struct taste t = { 0 };
    double action = 0.0, romance = 0.0, romance_all = 0.0, dist = 0.0;
    for (size_t i = 0; i < m->n_scenes; i++)
        if (movie_gen_label(&m->scenes[i]) == ROMANCE)
            romance_all += movie_gen_duration(&m->scenes[i]);
    for (size_t k = 0; k < n; k++) {
        const struct recut_scene *s = &m->scenes[cut[k]];
        double d = movie_gen_duration(s);
        t.kept += d;
        if (movie_gen_label(s) == ACTION)
            action += d;
        if (movie_gen_label(s) == ROMANCE)
            romance += d;
        dist += d * va_distance(s, req->target_arousal, req->target_valence);
    }
    if (t.kept > 0.0) {
        t.liked = action / t.kept;
        t.disliked = romance / t.kept;
        t.dist = dist / t.kept;
    }
    t.romance_kept = romance_all > 0.0 ? romance / romance_all : 0.0;
    return t;
}

static int cut_has(const size_t *cut, size_t n, size_t scene)
{
    for (size_t k = 0; k < n; k++)
        if (cut[k] == scene)
            return 1;
    return 0;
}

static int edit(const struct stub_host_plugin *pl, const struct recut_edit_request *req,
                size_t *cut, size_t *n, const char *what)
{
    double score;
    char err[256];
    if (stub_host_edit(pl, req, cut, n, &score, err, sizeof err) < 0) {
        EXPECT(0, "%s: %s", what, err);
        *n = 0;
        return -1;
    }
    char msg[200];
    EXPECT(movie_gen_check_cut(req, cut, *n, score, msg, sizeof msg) == 0, "%s: %s", what, msg);
    return 0;
}

int main(void)
{
    struct movie_gen_rng r;
    movie_gen_seed(&r, 777);
    struct movie_gen_params p = {
        .n_scenes = 120, .min_len = 8, .max_len = 60, .short_p = 0.05, .gap_p = 0.1
    };
    struct movie_gen g;
    if (movie_gen_make(&g, &r, &p, "tastemovie") < 0)
        abort();
    size_t n = g.movie.n_scenes;
    double length = g.scenes[n - 1].end;
    double mean_dist_all = 0.0;

    struct recut_viewer viewer;
    stub_host_viewer_init(&viewer, "u-action");
    stub_host_viewer_set_feature(&viewer, "label:action", 2.0);
    stub_host_viewer_set_feature(&viewer, "label:romance", -2.0);
    stub_host_viewer_set_feature(&viewer, "label:comedy", 0.3);
    stub_host_viewer_set_affect(&viewer, 0.8, 0.2);
    double *personal = malloc(n * sizeof *personal), *generic = malloc(n * sizeof *generic);
    size_t *cut = malloc(n * sizeof *cut), *gcut = malloc(n * sizeof *gcut);
    size_t *all = malloc(n * sizeof *all);
    if (!personal || !generic || !cut || !gcut || !all)
        abort();
    stub_host_scene_scores(&viewer, &g.movie, personal);
    for (size_t i = 0; i < n; i++)
        generic[i] = 0.5;

    static const struct {
        const char *editor;
        double budget_fraction, budget_seconds; /* one of the two */
        double ta, tv;
    } runs[] = {
        { "highlights", 0.15, 0, 0.5, 0.0 },
        { "storyline", 0.60, 0, 0.5, 0.0 },
        { "trailer", 0, 150, 0.5, 0.0 },
        { "mood", 0.15, 0, 0.2, 0.6 },
    };
    for (size_t e = 0; e < sizeof runs / sizeof runs[0]; e++) {
        const char *ed = runs[e].editor;
        char path[512], err[256];
        struct stub_host_plugin pl;
        stub_host_plugin_path(ed, path, sizeof path);
        if (stub_host_load(path, &pl, err, sizeof err) < 0) {
            EXPECT(0, "load %s: %s", ed, err);
            continue;
        }
        struct recut_edit_request req = {
            .version = 1,
            .movie = &g.movie,
            .viewer = &viewer,
            .scene_scores = personal,
            .budget = runs[e].budget_seconds > 0 ? runs[e].budget_seconds
                                                 : runs[e].budget_fraction * length,
            .min_fragment = 5.0,
            .target_arousal = runs[e].ta,
            .target_valence = runs[e].tv,
            .spoiler_tail = 0.25,
        };
        struct recut_edit_request greq = req;
        greq.scene_scores = generic;
        greq.viewer = NULL;
        size_t nc = 0, ng = 0;
        if (edit(&pl, &req, cut, &nc, ed) < 0 || edit(&pl, &greq, gcut, &ng, ed) < 0) {
            stub_host_unload(&pl);
            continue;
        }
        struct taste t = measure(&req, cut, nc), tg = measure(&greq, gcut, ng);
        for (size_t i = 0; i < n; i++)
            all[i] = i;
        mean_dist_all = measure(&req, all, n).dist;
        printf("%-10s personal: %2zu scenes %6.1f s, liked %.2f, disliked %.2f, romance kept "
               "%.2f, VA distance %.3f\n",
               ed, nc, t.kept, t.liked, t.disliked, t.romance_kept, t.dist);
        printf("%-10s generic:  %2zu scenes %6.1f s, liked %.2f, disliked %.2f, romance kept "
               "%.2f, VA distance %.3f\n",
               ed, ng, tg.kept, tg.liked, tg.disliked, tg.romance_kept, tg.dist);

        if (strcmp(ed, "highlights") == 0) {
            EXPECT(t.liked >= 0.8, "highlights: only %.2f of the cut is liked content", t.liked);
            EXPECT(t.liked >= tg.liked + 0.3, "highlights: liked %.2f vs generic %.2f", t.liked,
                   tg.liked);
            EXPECT(t.disliked <= 0.05, "highlights: %.2f disliked content", t.disliked);
        } else if (strcmp(ed, "storyline") == 0) {
            EXPECT(t.romance_kept <= 0.2, "storyline: kept %.2f of the disliked content",
                   t.romance_kept);
            EXPECT(tg.romance_kept >= 0.4 && t.romance_kept <= tg.romance_kept - 0.3,
                   "storyline: disliked kept %.2f vs generic %.2f", t.romance_kept,
                   tg.romance_kept);
            EXPECT(t.liked >= tg.liked + 0.1, "storyline: liked %.2f vs generic %.2f", t.liked,
                   tg.liked);
            EXPECT(t.kept >= 0.95 * req.budget, "storyline: %.1f s of a %.1f s budget", t.kept,
                   req.budget);
        } else if (strcmp(ed, "trailer") == 0) {
            EXPECT(t.disliked <= 0.1, "trailer: %.2f disliked content", t.disliked);
            EXPECT(t.liked >= tg.liked + 0.2, "trailer: liked %.2f vs generic %.2f", t.liked,
                   tg.liked);
            EXPECT(movie_gen_label(&g.scenes[cut[nc - 1]]) == ACTION,
                   "trailer: does not end on a liked scene");
            EXPECT(g.scenes[cut[nc - 1]].arousal >= 0.6 && g.scenes[cut[0]].arousal <= 0.4,
                   "trailer: no ramp (%.2f -> %.2f)", g.scenes[cut[0]].arousal,
                   g.scenes[cut[nc - 1]].arousal);
        } else {
            EXPECT(t.disliked <= 0.1, "mood: %.2f disliked content", t.disliked);
            EXPECT(t.liked >= tg.liked, "mood: liked %.2f vs generic %.2f", t.liked, tg.liked);
            EXPECT(t.dist <= 0.6 * mean_dist_all && tg.dist <= 0.6 * mean_dist_all,
                   "mood: distance to target %.3f / generic %.3f vs movie %.3f", t.dist, tg.dist,
                   mean_dist_all);
        }

        /* Feedback: dislike the best kept scene (not the storyline's ends). */
        size_t target = n;
        for (size_t k = 0; k < nc; k++) {
            if (strcmp(ed, "storyline") == 0 && (cut[k] == 0 || cut[k] == n - 1))
                continue;
            if (target == n || personal[cut[k]] > personal[target])
                target = cut[k];
        }
        if (target < n) {
            struct recut_viewer after = viewer;
            stub_host_viewer_add_feedback(&after, g.id, target, -1.0);
            double *rescored = malloc(n * sizeof *rescored);
            if (rescored == NULL)
                abort();
            stub_host_scene_scores(&after, &g.movie, rescored);
            struct recut_edit_request req2 = req;
            req2.viewer = &after;
            req2.scene_scores = rescored;
            size_t n2 = 0;
            if (edit(&pl, &req2, gcut, &n2, ed) == 0)
                EXPECT(!cut_has(gcut, n2, target),
                       "%s: scene %zu still in the cut after the viewer disliked it", ed, target);
            printf("%-10s feedback: disliked kept scene %zu -> %s\n", ed, target,
                   cut_has(gcut, n2, target) ? "still kept" : "dropped");
            /* highlights and storyline must also get there from the scores
             * alone (no host API to look the feedback up). */
            if (strcmp(ed, "highlights") == 0 || strcmp(ed, "storyline") == 0) {
                req2.viewer = NULL;
                if (edit(&pl, &req2, gcut, &n2, ed) == 0)
                    EXPECT(!cut_has(gcut, n2, target),
                           "%s: scene %zu kept though its score fell to %.2f", ed, target,
                           rescored[target]);
            }
            free(rescored);
        }
        stub_host_unload(&pl);
    }
    /* The trailer builds up to the viewer's preferred arousal: with equal
     * scores, a viewer who likes calm films gets a lower peak than one who
     * likes intense films. */
    {
        char path[512], err[256];
        struct stub_host_plugin pl;
        stub_host_plugin_path("trailer", path, sizeof path);
        if (stub_host_load(path, &pl, err, sizeof err) == 0) {
            struct recut_viewer calm, intense;
            stub_host_viewer_init(&calm, "calm");
            stub_host_viewer_set_affect(&calm, 0.0, 0.0);
            stub_host_viewer_init(&intense, "intense");
            stub_host_viewer_set_affect(&intense, 1.0, 0.0);
            struct recut_edit_request req = { .version = 1,
                                              .movie = &g.movie,
                                              .viewer = &calm,
                                              .scene_scores = generic,
                                              .budget = 150,
                                              .min_fragment = 5,
                                              .spoiler_tail = 0.25 };
            size_t nc = 0, ni = 0;
            if (edit(&pl, &req, cut, &nc, "trailer calm") == 0) {
                req.viewer = &intense;
                if (edit(&pl, &req, gcut, &ni, "trailer intense") == 0) {
                    double pc = g.scenes[cut[nc - 1]].arousal;
                    double pi = g.scenes[gcut[ni - 1]].arousal;
                    printf("trailer    peak arousal: calm viewer %.2f, intense viewer %.2f\n", pc,
                           pi);
                    EXPECT(pc < pi && fabs(pc - 0.5) < 0.15 && pi > 0.85,
                           "trailer peaks: calm viewer %.2f (target 0.5), intense %.2f "
                           "(target 1)",
                           pc, pi);
                }
            }
            stub_host_unload(&pl);
        } else {
            EXPECT(0, "load trailer: %s", err);
        }
    }
    free(personal);
    free(generic);
    free(cut);
    free(gcut);
    free(all);
    movie_gen_free(&g);
    return expect_report();
}
