/* SPDX-License-Identifier: Apache-2.0 */
/*
 * editor_trailer.c -- the "trailer" editor: a short preview that opens calm
 * and builds up to the viewer's preferred peak, without spoilers.
 *
 * How it decides:
 *  - Candidates: scenes that can be kept (>= min_fragment, <= budget) and end
 *    no later than (1 - spoiler_tail) x movie length.  spoiler_tail is the
 *    request's value when >= 0 (0: the whole movie), else [plugin.trailer]
 *    spoiler_tail (default 0.25).  Scenes the viewer gave
 *    explicit feedback <= reject_feedback (default -0.5; -2 = off) are left
 *    out.
 *  - The cut is in story order and its arousal never decreases from one kept
 *    scene to the next (a ramp).  Among such chains that fit the budget it
 *    maximises
 *        open_weight * (1 - arousal[first])                  calm opening
 *      + sum(score_i * duration_i) / budget                  liked content
 *      + peak_weight * score[last] * (1 - |arousal[last] - peak|)  the peak
 *    where peak = 0.5 + 0.5 x the viewer's preferred arousal when the host
 *    knows it (a trailer always builds up; how far depends on the viewer),
 *    else 1.  Defaults: open_weight 0.25, peak_weight 0.5.
 *  - Solved by editor_chain_solve: a DP over (last scene, time used) on a
 *    duration grid, then refilled with the real durations (see
 *    editor_chain.h); ties go to earlier scenes.
 * Result score: the objective divided by its maximum (1 + open + peak).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "editor_chain.h"
#include "editor_util.h"
#include "recut/plugin.h"

#define TRAILER_NAME "trailer"

struct editor_trailer_state {
    const struct recut_host_api *api;
    double spoiler_tail;
    double open_weight;
    double peak_weight;
    double reject_feedback;
};

static int editor_trailer_init(const struct recut_host_api *api, void **state, char *errstr,
                               size_t errstr_size)
{
    struct editor_trailer_state *st = calloc(1, sizeof *st);
    if (st == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    st->api = api;
    st->reject_feedback = -0.5;
    st->spoiler_tail = 0.25;
    st->open_weight = 0.25;
    st->peak_weight = 0.5;
    if (editor_util_config_double(api, TRAILER_NAME, "reject_feedback", -2.0, 0.0,
                                  &st->reject_feedback, errstr, errstr_size) < 0 ||
        editor_util_config_double(api, TRAILER_NAME, "spoiler_tail", 0.0, 0.95, &st->spoiler_tail,
                                  errstr, errstr_size) < 0 ||
        editor_util_config_double(api, TRAILER_NAME, "open_weight", 0.0, 10.0, &st->open_weight,
                                  errstr, errstr_size) < 0 ||
        editor_util_config_double(api, TRAILER_NAME, "peak_weight", 0.0, 10.0, &st->peak_weight,
                                  errstr, errstr_size) < 0) {
        free(st);
        return -1;
    }
    *state = st;
    return 0;
}

static void editor_trailer_fini(void *state)
{
    free(state);
}

static double editor_trailer_clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* The arousal the trailer should end on. */
static double editor_trailer_peak(const struct editor_trailer_state *st,
                                  const struct recut_edit_request *req)
{
    if (st == NULL || st->api == NULL || st->api->viewer_affect == NULL || req->viewer == NULL)
        return 1.0;
    double a = 0.5, v = 0.0;
    if (st->api->viewer_affect(req->viewer, &a, &v) != 0 || !isfinite(a))
        return 1.0;
    return 0.5 + 0.5 * editor_trailer_clamp(a, 0.0, 1.0);
}

static int editor_trailer_edit(void *state, const struct recut_edit_request *req,
                               struct recut_edit_result *out, char *errstr, size_t errstr_size)
{
    const struct editor_trailer_state *st = state;
    if (editor_util_validate(req, out, errstr, errstr_size) < 0)
        return -1;
    double tail = req->spoiler_tail;
    if (!isfinite(tail) || tail >= 1.0) {
        snprintf(errstr, errstr_size,
                 "spoiler_tail must be below 1 (negative: the default), got %g", tail);
        return -1;
    }
    if (tail < 0.0)
        tail = st ? st->spoiler_tail : 0.25;
    double open_w = st ? st->open_weight : 0.25;
    double peak_w = st ? st->peak_weight : 0.5;
    double peak = editor_trailer_peak(st, req);

    const struct recut_movie *m = req->movie;
    size_t n = m->n_scenes;
    double length = m->scenes[n - 1].end;
    if (isfinite(m->duration) && m->duration > length)
        length = m->duration;
    double cutoff = (1.0 - tail) * length;

    struct editor_chain_cands c;
    if (editor_chain_cands_init(&c, n, errstr, errstr_size) < 0)
        return -1;
    size_t rejected = 0;
    for (size_t i = 0; i < n; i++) {
        if (!editor_util_eligible(req, i) || m->scenes[i].end > cutoff)
            continue;
        if (st && editor_util_rejected(st->api, req, i, st->reject_feedback)) {
            rejected++;
            continue;
        }
        double d = editor_util_scene_duration(req, i);
        double a = editor_trailer_clamp(m->scenes[i].arousal, 0.0, 1.0);
        double s = req->scene_scores[i];
        editor_chain_add(&c, i, d, m->scenes[i].arousal, s * d / req->budget, open_w * (1.0 - a),
                         peak_w * s * (1.0 - fabs(a - peak)));
    }
    size_t *cut = NULL, n_cut = 0;
    double best = 0.0;
    int rc = editor_chain_cut(&c, req, &cut, &n_cut, &best, errstr, errstr_size);
    if (rc == 0) {
        char why[240];
        snprintf(why, sizeof why,
                 "no scene before the spoiler cutoff (%.1f s, spoiler_tail %g) is between "
                 "min_fragment (%g s) and the budget (%g s) (%zu disliked scenes left out)",
                 cutoff, tail, req->min_fragment, req->budget, rejected);
        rc = editor_util_emit(req, cut, n_cut, best / (1.0 + open_w + peak_w), out, why, errstr,
                              errstr_size);
    }
    if (rc == 0 && st && st->api && st->api->log)
        st->api->log(TRAILER_NAME, RECUT_LOG_DEBUG,
                     "movie %s: %zu scenes, peak arousal target %.2f, cutoff %.1f s, "
                     "score %.3f",
                     m->id ? m->id : "?", out->n_scenes, peak, cutoff, out->score);
    editor_chain_cands_free(&c);
    return rc;
}

static const struct recut_plugin editor_trailer_plugin = {
    RECUT_PLUGIN_V1,
    .name = TRAILER_NAME,
    .description = "spoiler-free preview: opens calm, arousal ramps up to the viewer's peak",
    .kind = RECUT_PLUGIN_EDITOR,
    .init = editor_trailer_init,
    .fini = editor_trailer_fini,
    .u.editor = { .edit = editor_trailer_edit },
};

RECUT_PLUGIN_EXPORT const struct recut_plugin *recut_plugin_entry(void)
{
    return &editor_trailer_plugin;
}
