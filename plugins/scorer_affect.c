/* SPDX-License-Identifier: Apache-2.0 */
/* scorer_affect.c -- the "affect" scorer: how well a movie's emotional
 * shape fits the viewer.  It compares the viewer's preferred arousal and
 * valence (learned from emotion readings they consented to) with the
 * duration-weighted mean arousal and valence of the movie's scenes, and
 * scores 1 for a perfect match down to -1 for the opposite corner.  Movies
 * without scenes, and viewers without readings, score 0 (no opinion).
 *
 * [plugin.affect] weight = blend weight in recommendations (default 1)
 *                 valence_scale = how much valence counts against arousal (0.5) */
#define _POSIX_C_SOURCE 200809L
#include <recut/plugin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct affect {
    const struct recut_host_api *api;
    double valence_scale;
};

static int affect_init(const struct recut_host_api *api, void **state, char *errstr,
                       size_t errstr_size)
{
    struct affect *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    a->api = api;
    a->valence_scale = 0.5;
    const char *vs = api->config_get("affect", "valence_scale");
    if (vs) {
        char *end;
        a->valence_scale = strtod(vs, &end);
        if (*end || !(a->valence_scale >= 0 && a->valence_scale <= 10)) {
            snprintf(errstr, errstr_size,
                     "[plugin.affect] valence_scale must be a number in [0, 10]");
            free(a);
            return -1;
        }
    }
    *state = a;
    return 0;
}

static void affect_fini(void *state)
{
    free(state);
}

/* Mean arousal/valence of the movie, weighted by scene duration; -1 if none. */
static int affect_movie(const struct recut_movie *m, double *ar, double *va)
{
    double total = 0, a = 0, v = 0;
    for (size_t i = 0; i < m->n_scenes; i++) {
        double d = m->scenes[i].end - m->scenes[i].start;
        if (!(d > 0))
            continue;
        total += d;
        a += d * m->scenes[i].arousal;
        v += d * m->scenes[i].valence;
    }
    if (total <= 0)
        return -1;
    *ar = a / total;
    *va = v / total;
    return 0;
}

static int affect_score(void *state, const recut_viewer *viewer, const struct recut_movie *m,
                        double *score, char *reason, size_t reason_size, char *errstr,
                        size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    struct affect *a = state;
    double pa, pv, ma, mv;
    *score = 0;
    if (a->api->viewer_affect(viewer, &pa, &pv) < 0 || affect_movie(m, &ma, &mv) < 0)
        return 0;
    /* distance in the unit square of (arousal, valence/2 + 0.5) */
    double da = ma - pa, dv = a->valence_scale * (mv - pv) / 2.0;
    double dist = sqrt(da * da + dv * dv) / sqrt(1.0 + a->valence_scale * a->valence_scale);
    *score = 1.0 - 2.0 * dist;
    if (*score > 0.5 && reason_size)
        snprintf(reason, reason_size, "its mood (arousal %.2f, valence %+.2f) suits you", ma, mv);
    return 0;
}

static int affect_scenes(void *state, const recut_viewer *viewer, const struct recut_movie *m,
                         double *scores, char *errstr, size_t errstr_size)
{
    (void)errstr;
    (void)errstr_size;
    struct affect *a = state;
    double pa, pv;
    int known = a->api->viewer_affect(viewer, &pa, &pv) == 0;
    for (size_t i = 0; i < m->n_scenes; i++) {
        if (!known) {
            scores[i] = 0.5;
            continue;
        }
        double da = m->scenes[i].arousal - pa,
               dv = a->valence_scale * (m->scenes[i].valence - pv) / 2.0;
        double dist = sqrt(da * da + dv * dv) / sqrt(1.0 + a->valence_scale * a->valence_scale);
        scores[i] = 1.0 - dist;
    }
    return 0;
}

static const struct recut_plugin affect_plugin = {
    RECUT_PLUGIN_V1,
    .name = "affect",
    .description = "scores how well a movie's arousal and valence fit the viewer's",
    .kind = RECUT_PLUGIN_SCORER,
    .init = affect_init,
    .fini = affect_fini,
    .u.scorer = { .score_movie = affect_score, .score_scenes = affect_scenes },
};

RECUT_PLUGIN_EXPORT const struct recut_plugin *recut_plugin_entry(void)
{
    return &affect_plugin;
}
