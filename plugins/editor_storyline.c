/* SPDX-License-Identifier: Apache-2.0 */
/*
 * editor_storyline.c -- the "storyline" editor: a personal cut of the whole
 * movie, shortened to the budget.
 *
 * How it decides:
 *  1. Start from every scene that can be kept (>= min_fragment, <= budget).
 *  2. Protect the opening (scene 0) and the ending (last scene) when they can
 *     be kept and fit the budget together; if only one fits, the one with
 *     the higher score (the opening on a tie).
 *  3. While the cut is longer than the budget, drop the unprotected kept
 *     scene with the lowest priority
 *         score + spread_weight * min(1, hole / (spread_span * movie length))
 *     where `hole` is the stretch of movie time that would be missing
 *     between the kept neighbours if the scene went.  So disliked and
 *     skipped scenes (low scores) go first, and among similar scores the
 *     drop that leaves the smaller hole is preferred: cuts spread out over
 *     the movie instead of removing one long block.  Ties: lowest index.
 *  4. Fill the time left under the budget with dropped scenes that still
 *     fit, highest priority first, so the cut reaches the budget as closely
 *     as whole scenes allow (no dropped scene fits the leftover time).
 * Options ([plugin.storyline]): spread_weight (default 0.3), spread_span
 * (default 0.1), method (heap, the default, or scan).
 * Step 3 is computed two ways with the same answer: `scan` re-derives every
 * priority and the total after each drop (O(n) a drop, O(n^2) a cut: 27 ms
 * for 2,000 scenes); `heap` keeps the kept scenes in a linked list and
 * their priorities in a tournament tree ordered by (priority, index), since
 * a drop changes only the priorities of the two kept neighbours, and keeps
 * a running total that is re-summed in story order only within 1e-6 s of
 * the budget (O(n log n) a cut).  Result score: sum(score_i * duration_i) / budget.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "editor_util.h"
#include "recut/plugin.h"

#define STORYLINE_NAME "storyline"

struct editor_storyline_state {
    const struct recut_host_api *api;
    double spread_weight;
    double spread_span;
    int scan; /* method = scan */
};

static int editor_storyline_init(const struct recut_host_api *api, void **state, char *errstr,
                                 size_t errstr_size)
{
    struct editor_storyline_state *st = calloc(1, sizeof *st);
    if (st == NULL) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    st->api = api;
    st->spread_weight = 0.3;
    st->spread_span = 0.1;
    if (editor_util_config_double(api, STORYLINE_NAME, "spread_weight", 0.0, 10.0,
                                  &st->spread_weight, errstr, errstr_size) < 0 ||
        editor_util_config_double(api, STORYLINE_NAME, "spread_span", 1e-3, 1.0, &st->spread_span,
                                  errstr, errstr_size) < 0) {
        free(st);
        return -1;
    }
    const char *method = api && api->config_get ? api->config_get(STORYLINE_NAME, "method") : NULL;
    if (method != NULL && strcmp(method, "scan") != 0 && strcmp(method, "heap") != 0) {
        snprintf(errstr, errstr_size, "[plugin.%s] method = \"%s\": expected heap or scan",
                 STORYLINE_NAME, method);
        free(st);
        return -1;
    }
    st->scan = method != NULL && strcmp(method, "scan") == 0;
    *state = st;
    return 0;
}

static void editor_storyline_fini(void *state)
{
    free(state);
}

struct editor_storyline_ctx {
    const struct recut_edit_request *req;
    const unsigned char *kept;
    double weight; /* spread_weight */
    double span;   /* spread_span * movie length, seconds */
    double length; /* movie length, seconds */
};

/* For every scene, the end of the kept scene before it (or 0) and the start
 * of the kept scene after it (or the movie's end). */
static void editor_storyline_neighbours(const struct editor_storyline_ctx *c, double *left,
                                        double *right)
{
    const struct recut_movie *m = c->req->movie;
    size_t n = m->n_scenes;
    double l = 0.0;
    for (size_t i = 0; i < n; i++) {
        left[i] = l;
        if (c->kept[i])
            l = m->scenes[i].end;
    }
    double r = c->length;
    for (size_t i = n; i-- > 0;) {
        right[i] = r;
        if (c->kept[i])
            r = m->scenes[i].start;
    }
}

/* Priority of scene i (kept or not): its score plus the spread penalty of
 * the hole between the kept scenes around it. */
static double editor_storyline_priority(const struct editor_storyline_ctx *c, size_t i,
                                        const double *left, const double *right)
{
    double hole = right[i] - left[i];
    double pen = c->span > 0.0 ? hole / c->span : 1.0;
    if (pen > 1.0)
        pen = 1.0;
    if (pen < 0.0)
        pen = 0.0;
    return c->req->scene_scores[i] + c->weight * pen;
}

static double editor_storyline_kept_total(const struct recut_edit_request *req,
                                          const unsigned char *kept)
{
    double t = 0.0;
    for (size_t i = 0; i < req->movie->n_scenes; i++)
        if (kept[i])
            t += editor_util_scene_duration(req, i);
    return t;
}

/* Step 3, method = scan: drop until the cut fits, re-deriving everything
 * after each drop. */
static void editor_storyline_drop_scan(const struct editor_storyline_ctx *c, unsigned char *kept,
                                       const unsigned char *protect, double *left, double *right)
{
    const struct recut_edit_request *req = c->req;
    size_t n = req->movie->n_scenes;
    while (editor_storyline_kept_total(req, kept) > req->budget) {
        size_t worst = n;
        double worst_p = 0.0;
        editor_storyline_neighbours(c, left, right);
        for (size_t i = 0; i < n; i++) {
            if (!kept[i] || protect[i])
                continue;
            double p = editor_storyline_priority(c, i, left, right);
            if (worst == n || p < worst_p) {
                worst = i;
                worst_p = p;
            }
        }
        if (worst == n) /* only protected scenes left; they fit by construction */
            break;
        kept[worst] = 0;
    }
}

/* Tournament tree over scene indices: node k holds the leaf with the lowest
 * (priority, index) below it; leaves that are not candidates hold INFINITY. */
struct editor_storyline_tree {
    size_t size; /* leaves, a power of two */
    double *p;
    size_t *at;
};

static void editor_storyline_tree_set(struct editor_storyline_tree *t, size_t i, double p)
{
    size_t k = t->size + i;
    t->p[k] = p;
    t->at[k] = i;
    for (k /= 2; k >= 1; k /= 2) {
        size_t l = 2 * k, r = 2 * k + 1;
        size_t w = t->p[l] <= t->p[r] ? l : r; /* equal: the left, lower index */
        t->p[k] = t->p[w];
        t->at[k] = t->at[w];
    }
}

/* Step 3, method = heap: the same drops as the scan, in O(n log n). */
static int editor_storyline_drop_heap(const struct editor_storyline_ctx *c, unsigned char *kept,
                                      const unsigned char *protect, double *left, double *right)
{
    const struct recut_edit_request *req = c->req;
    const struct recut_movie *m = req->movie;
    size_t n = m->n_scenes, size = 1;
    while (size < n)
        size *= 2;
    struct editor_storyline_tree t = { size, malloc(2 * size * sizeof(double)),
                                       malloc(2 * size * sizeof(size_t)) };
    size_t *prev = malloc(n * sizeof *prev), *next = malloc(n * sizeof *next);
    if (t.p == NULL || t.at == NULL || prev == NULL || next == NULL) {
        free(t.p);
        free(t.at);
        free(prev);
        free(next);
        return -1;
    }
    editor_storyline_neighbours(c, left, right);
    for (size_t k = 0; k < 2 * size; k++) {
        t.p[k] = INFINITY;
        t.at[k] = n;
    }
    size_t last = n; /* kept scenes as a list: prev/next kept index, n = none */
    for (size_t i = 0; i < n; i++) {
        if (!kept[i])
            continue;
        prev[i] = last;
        next[i] = n;
        if (last != n)
            next[last] = i;
        last = i;
        if (!protect[i])
            t.p[size + i] = editor_storyline_priority(c, i, left, right);
        t.at[size + i] = i;
    }
    for (size_t k = size; k-- > 1;) {
        size_t w = t.p[2 * k] <= t.p[2 * k + 1] ? 2 * k : 2 * k + 1;
        t.p[k] = t.p[w];
        t.at[k] = t.at[w];
    }
    double total = editor_storyline_kept_total(req, kept);
    for (;;) {
        if (fabs(total - req->budget) <= 1e-6)
            total = editor_storyline_kept_total(req, kept);
        if (total <= req->budget || !isfinite(t.p[1]))
            break;
        size_t w = t.at[1], a = prev[w], b = next[w];
        kept[w] = 0;
        total -= editor_util_scene_duration(req, w);
        editor_storyline_tree_set(&t, w, INFINITY);
        if (a != n)
            next[a] = b;
        if (b != n)
            prev[b] = a;
        if (a != n) {
            right[a] = b != n ? m->scenes[b].start : c->length;
            if (!protect[a])
                editor_storyline_tree_set(&t, a, editor_storyline_priority(c, a, left, right));
        }
        if (b != n) {
            left[b] = a != n ? m->scenes[a].end : 0.0;
            if (!protect[b])
                editor_storyline_tree_set(&t, b, editor_storyline_priority(c, b, left, right));
        }
    }
    free(t.p);
    free(t.at);
    free(prev);
    free(next);
    return 0;
}

static int editor_storyline_edit(void *state, const struct recut_edit_request *req,
                                 struct recut_edit_result *out, char *errstr, size_t errstr_size)
{
    const struct editor_storyline_state *st = state;
    if (editor_util_validate(req, out, errstr, errstr_size) < 0)
        return -1;
    const struct recut_movie *m = req->movie;
    size_t n = m->n_scenes;
    unsigned char *kept = calloc(n, 1);
    unsigned char *protect = calloc(n, 1);
    size_t *idx = malloc(n * sizeof *idx);
    double *left = malloc(n * sizeof *left);
    double *right = malloc(n * sizeof *right);
    if (kept == NULL || protect == NULL || idx == NULL || left == NULL || right == NULL) {
        free(kept);
        free(protect);
        free(idx);
        free(left);
        free(right);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    double length = m->scenes[n - 1].end;
    if (isfinite(m->duration) && m->duration > length)
        length = m->duration;
    struct editor_storyline_ctx c = {
        .req = req,
        .kept = kept,
        .weight = st ? st->spread_weight : 0.3,
        .span = (st ? st->spread_span : 0.1) * length,
        .length = length,
    };

    for (size_t i = 0; i < n; i++)
        kept[i] = (unsigned char)editor_util_eligible(req, i);
    size_t last = n - 1;
    if (kept[0] && kept[last] && last != 0 &&
        editor_util_scene_duration(req, 0) + editor_util_scene_duration(req, last) <= req->budget) {
        protect[0] = protect[last] = 1;
    } else if (kept[0] && (!kept[last] || req->scene_scores[0] >= req->scene_scores[last])) {
        protect[0] = 1;
    } else if (kept[last]) {
        protect[last] = 1;
    }

    /* 3. drop until the cut fits */
    if (st && st->scan) {
        editor_storyline_drop_scan(&c, kept, protect, left, right);
    } else if (editor_storyline_drop_heap(&c, kept, protect, left, right) < 0) {
        free(kept);
        free(protect);
        free(idx);
        free(left);
        free(right);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    /* 4. fill the leftover time */
    for (;;) {
        double total = editor_storyline_kept_total(req, kept);
        size_t best = n;
        double best_p = 0.0;
        editor_storyline_neighbours(&c, left, right);
        for (size_t i = 0; i < n; i++) {
            if (kept[i] || !editor_util_eligible(req, i) ||
                total + editor_util_scene_duration(req, i) > req->budget)
                continue;
            double p = editor_storyline_priority(&c, i, left, right);
            if (best == n || p > best_p) {
                best = i;
                best_p = p;
            }
        }
        if (best == n)
            break;
        kept[best] = 1;
        if (editor_storyline_kept_total(req, kept) > req->budget) {
            kept[best] = 0; /* rounding: the sum in story order is over */
            break;
        }
    }
    size_t n_kept = 0;
    double value = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (kept[i]) {
            idx[n_kept++] = i;
            value += req->scene_scores[i] * editor_util_scene_duration(req, i);
        }
    }
    char why[160];
    snprintf(why, sizeof why, "no scene is between min_fragment (%g s) and the budget (%g s)",
             req->min_fragment, req->budget);
    int rc = editor_util_emit(req, idx, n_kept, value / req->budget, out, why, errstr, errstr_size);
    if (rc == 0 && st && st->api && st->api->log)
        st->api->log(STORYLINE_NAME, RECUT_LOG_DEBUG,
                     "movie %s: kept %zu of %zu scenes, %.1f of %.1f s", m->id ? m->id : "?",
                     n_kept, n, editor_util_total(req, out->scenes, n_kept), req->budget);
    free(kept);
    free(protect);
    free(idx);
    free(left);
    free(right);
    return rc;
}

static const struct recut_plugin editor_storyline_plugin = {
    RECUT_PLUGIN_V1,
    .name = STORYLINE_NAME,
    .description = "the whole story cut down to the budget: keeps opening and ending, "
                   "drops disliked scenes first, spreads the cuts",
    .kind = RECUT_PLUGIN_EDITOR,
    .init = editor_storyline_init,
    .fini = editor_storyline_fini,
    .u.editor = { .edit = editor_storyline_edit },
};

RECUT_PLUGIN_EXPORT const struct recut_plugin *recut_plugin_entry(void)
{
    return &editor_storyline_plugin;
}
