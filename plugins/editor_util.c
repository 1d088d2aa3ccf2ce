/* SPDX-License-Identifier: Apache-2.0 */
/*
 * editor_util.c -- input checks, result output, duration grids and the
 * budgeted monotone-chain DP shared by the editor plugins.
 */
#include "editor_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Scenes may overlap by this much (seconds) from floating-point noise in the
 * catalog before we call them out of order. */
#define EDITOR_UTIL_OVERLAP_TOLERANCE 1e-6

double editor_util_scene_duration(const struct recut_edit_request *req, size_t i)
{
    const struct recut_scene *s = &req->movie->scenes[i];
    return s->end - s->start;
}

int editor_util_validate(const struct recut_edit_request *req, struct recut_edit_result *out,
                         char *errstr, size_t errstr_size)
{
    if (out == NULL || out->scenes == NULL) {
        snprintf(errstr, errstr_size, "no result array");
        return -1;
    }
    out->n_scenes = 0;
    out->score = 0.0;
    if (req == NULL || req->version < 1) {
        snprintf(errstr, errstr_size, "no edit request (or version < 1)");
        return -1;
    }
    const struct recut_movie *m = req->movie;
    if (m == NULL) {
        snprintf(errstr, errstr_size, "edit request without a movie");
        return -1;
    }
    const char *id = m->id ? m->id : "?";
    if (m->n_scenes == 0 || m->scenes == NULL) {
        snprintf(errstr, errstr_size, "movie %s has no scenes", id);
        return -1;
    }
    if (req->scene_scores == NULL) {
        snprintf(errstr, errstr_size, "movie %s: no scene scores", id);
        return -1;
    }
    if (!isfinite(req->budget) || req->budget <= 0.0) {
        snprintf(errstr, errstr_size, "budget must be a positive number of seconds, got %g",
                 req->budget);
        return -1;
    }
    if (!isfinite(req->min_fragment) || req->min_fragment < 0.0) {
        snprintf(errstr, errstr_size, "min_fragment must be >= 0 seconds, got %g",
                 req->min_fragment);
        return -1;
    }
    double prev_end = 0.0;
    for (size_t i = 0; i < m->n_scenes; i++) {
        const struct recut_scene *s = &m->scenes[i];
        if (!isfinite(s->start) || !isfinite(s->end) || s->start < 0.0 || s->end < s->start) {
            snprintf(errstr, errstr_size, "movie %s: scene %zu has an invalid span %g..%g", id, i,
                     s->start, s->end);
            return -1;
        }
        if (i > 0 && s->start < prev_end - EDITOR_UTIL_OVERLAP_TOLERANCE) {
            snprintf(errstr, errstr_size,
                     "movie %s: scene %zu starts at %g before scene %zu ends (%g); "
                     "scenes must be in story order and must not overlap",
                     id, i, s->start, i - 1, prev_end);
            return -1;
        }
        prev_end = s->end;
        if (!isfinite(s->arousal) || !isfinite(s->valence)) {
            snprintf(errstr, errstr_size, "movie %s: scene %zu has a non-finite arousal/valence",
                     id, i);
            return -1;
        }
        double sc = req->scene_scores[i];
        if (!isfinite(sc) || sc < 0.0 || sc > 1.0) {
            snprintf(errstr, errstr_size, "movie %s: score of scene %zu is %g, not in 0..1", id, i,
                     sc);
            return -1;
        }
    }
    return 0;
}

int editor_util_eligible(const struct recut_edit_request *req, size_t i)
{
    double d = editor_util_scene_duration(req, i);
    return d > 0.0 && d >= req->min_fragment && d <= req->budget;
}

int editor_util_rejected(const struct recut_host_api *api, const struct recut_edit_request *req,
                         size_t i, double floor)
{
    if (api == NULL || api->viewer_scene_feedback == NULL || req->viewer == NULL ||
        req->movie->id == NULL)
        return 0;
    double fb = api->viewer_scene_feedback(req->viewer, req->movie->id, i);
    return isfinite(fb) && fb <= floor;
}

int editor_util_config_double(const struct recut_host_api *api, const char *plugin, const char *key,
                              double lo, double hi, double *value, char *errstr, size_t errstr_size)
{
    if (api == NULL || api->config_get == NULL)
        return 0;
    const char *text = api->config_get(plugin, key);
    if (text == NULL)
        return 0;
    char *end = NULL;
    double v = strtod(text, &end);
    while (end != NULL && (*end == ' ' || *end == '\t'))
        end++;
    if (end == text || end == NULL || *end != '\0' || !isfinite(v) || v < lo || v > hi) {
        snprintf(errstr, errstr_size, "[plugin.%s] %s = \"%s\": expected a number in %g..%g",
                 plugin, key, text, lo, hi);
        return -1;
    }
    *value = v;
    return 0;
}

double editor_util_total(const struct recut_edit_request *req, const size_t *idx, size_t n)
{
    double t = 0.0;
    for (size_t k = 0; k < n; k++)
        t += editor_util_scene_duration(req, idx[k]);
    return t;
}

static int editor_util_cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

int editor_util_emit(const struct recut_edit_request *req, size_t *idx, size_t n, double score,
                     struct recut_edit_result *out, const char *why, char *errstr,
                     size_t errstr_size)
{
    if (n == 0) {
        snprintf(errstr, errstr_size, "movie %s: nothing to keep: %s",
                 req->movie->id ? req->movie->id : "?", why);
        return -1;
    }
    qsort(idx, n, sizeof *idx, editor_util_cmp_size);
    memcpy(out->scenes, idx, n * sizeof *idx);
    out->n_scenes = n;
    out->score = score;
    return 0;
}

size_t editor_util_grid(double budget, size_t n_items, double min_q, double max_cells, double *q)
{
    double per_item = max_cells / (double)(n_items ? n_items : 1) - 1.0;
    double cells = floor(budget / min_q + 1e-9);
    if (cells > per_item)
        cells = floor(per_item);
    if (cells < 1.0)
        cells = 1.0;
    *q = budget / cells;
    return (size_t)cells;
}

size_t editor_util_cells(double duration, double q)
{
    double c = ceil(duration / q - 1e-6);
    return c < 0.0 ? 0 : (size_t)c;
}
