/* SPDX-License-Identifier: Apache-2.0 */
/*
 * editor_mood.c -- the "mood" editor: scenes that steer the viewer toward a
 * target valence/arousal (calming or energising viewing).
 *
 * How it decides:
 *  - Candidates: scenes between min_fragment and the budget, except those the
 *    viewer gave explicit feedback <= reject_feedback (default -0.5; -2 =
 *    off).
 *  - Distance of a scene to the target in valence/arousal space, both axes
 *    scaled to 0..1: dist = sqrt(da^2 + (dv/2)^2) / sqrt(2), and closeness =
 *    exp(-(dist / width)^2) (1 on target, ~0.37 at one width, ~0.02 at two;
 *    width: [plugin.mood] width, default 0.25).
 *  - The cut is in story order and its distance to the target never grows
 *    from one kept scene to the next: the trajectory only moves toward the
 *    target (or stays as close).
 *  - Among such chains that fit the budget it maximises
 *        sum(score_i * (closeness_i - min_closeness) * duration_i) / budget
 *      + end_weight * closeness[last]        (finish on target)
 *    so it prefers scenes near the target, weighted by how much the viewer
 *    likes them; scenes farther than closeness min_closeness (default 0.2,
 *    i.e. about 1.3 widths) would count against the cut and are left out,
 *    so the cut can be shorter than the budget when the movie has little
 *    on-target material (better a short calming cut than one padded with
 *    intense scenes).  end_weight: [plugin.mood] end_weight, default 0.5.
 *  - Solved by editor_chain_solve: a DP over (last scene, time used) on a
 *    duration grid, then refilled with the real durations (see
 *    editor_chain.h); ties go to earlier scenes.
 * Result score: the objective divided by its maximum (1 - min_closeness +
 * end_weight), clamped to 0..1.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "editor_chain.h"
#include "editor_util.h"
#include "recut/plugin.h"

#define MOOD_NAME "mood"

struct editor_mood_state {
    const struct recut_host_api *api;
    double end_weight;
    double width;
    double min_closeness;
    double reject_feedback;
};

static int editor_mood_init(const struct recut_host_api *api, void **state, char *errstr,
                            size_t errstr_size)
{
    struct editor_mood_state *st = calloc(1, sizeof *st);
    if (st == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    st->api = api;
    st->reject_feedback = -0.5;
    st->end_weight = 0.5;
    st->width = 0.25;
    st->min_closeness = 0.2;
    if (editor_util_config_double(api, MOOD_NAME, "reject_feedback", -2.0, 0.0,
                                  &st->reject_feedback, errstr, errstr_size) < 0 ||
        editor_util_config_double(api, MOOD_NAME, "end_weight", 0.0, 10.0, &st->end_weight, errstr,
                                  errstr_size) < 0 ||
        editor_util_config_double(api, MOOD_NAME, "width", 0.01, 1.0, &st->width, errstr,
                                  errstr_size) < 0 ||
        editor_util_config_double(api, MOOD_NAME, "min_closeness", 0.0, 1.0, &st->min_closeness,
                                  errstr, errstr_size) < 0) {
        free(st);
        return -1;
    }
    *state = st;
    return 0;
}

static void editor_mood_fini(void *state)
{
    free(state);
}

static double editor_mood_distance(const struct recut_scene *s, double ta, double tv)
{
    double da = s->arousal - ta;
    double dv = (s->valence - tv) / 2.0;
    double d = sqrt(da * da + dv * dv) / sqrt(2.0);
    return d > 1.0 ? 1.0 : d;
}

static int editor_mood_edit(void *state, const struct recut_edit_request *req,
                            struct recut_edit_result *out, char *errstr, size_t errstr_size)
{
    const struct editor_mood_state *st = state;
    if (editor_util_validate(req, out, errstr, errstr_size) < 0)
        return -1;
    double ta = req->target_arousal, tv = req->target_valence;
    if (!isfinite(ta) || ta < 0.0 || ta > 1.0 || !isfinite(tv) || tv < -1.0 || tv > 1.0) {
        snprintf(errstr, errstr_size,
                 "target arousal must be in 0..1 and valence in -1..1, got %g / %g", ta, tv);
        return -1;
    }
    double end_w = st ? st->end_weight : 0.5;
    double width = st ? st->width : 0.25;
    double min_close = st ? st->min_closeness : 0.2;
    const struct recut_movie *m = req->movie;
    size_t n = m->n_scenes;
    struct editor_chain_cands c;
    if (editor_chain_cands_init(&c, n, errstr, errstr_size) < 0)
        return -1;
    size_t rejected = 0;
    for (size_t i = 0; i < n; i++) {
        if (!editor_util_eligible(req, i))
            continue;
        if (st && editor_util_rejected(st->api, req, i, st->reject_feedback)) {
            rejected++;
            continue;
        }
        double d = editor_util_scene_duration(req, i);
        double dist = editor_mood_distance(&m->scenes[i], ta, tv);
        double close = exp(-(dist / width) * (dist / width));
        editor_chain_add(&c, i, d, -dist,
                         req->scene_scores[i] * (close - min_close) * d / req->budget, 0.0,
                         end_w * close);
    }
    size_t *cut = NULL, n_cut = 0;
    double best = 0.0;
    int rc = editor_chain_cut(&c, req, &cut, &n_cut, &best, errstr, errstr_size);
    if (rc == 0) {
        char why[200];
        snprintf(why, sizeof why,
                 "no scene is between min_fragment (%g s) and the budget (%g s) "
                 "(%zu disliked scenes left out)",
                 req->min_fragment, req->budget, rejected);
        double score = best / (1.0 - min_close + end_w);
        if (!(score > 0.0))
            score = 0.0;
        if (score > 1.0)
            score = 1.0;
        rc = editor_util_emit(req, cut, n_cut, score, out, why, errstr, errstr_size);
    }
    if (rc == 0 && st && st->api && st->api->log)
        st->api->log(MOOD_NAME, RECUT_LOG_DEBUG,
                     "movie %s: %zu scenes toward arousal %.2f valence %.2f, score %.3f",
                     m->id ? m->id : "?", out->n_scenes, ta, tv, out->score);
    editor_chain_cands_free(&c);
    return rc;
}

static const struct recut_plugin editor_mood_plugin = {
    RECUT_PLUGIN_V1,
    .name = MOOD_NAME,
    .description = "scenes near a target valence/arousal, moving toward it, weighted by score",
    .kind = RECUT_PLUGIN_EDITOR,
    .init = editor_mood_init,
    .fini = editor_mood_fini,
    .u.editor = { .edit = editor_mood_edit },
};

RECUT_PLUGIN_EXPORT const struct recut_plugin *recut_plugin_entry(void)
{
    return &editor_mood_plugin;
}
