/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_scenes.c -- scenes from shots.
 *
 * Each shot gets a colour signature (the mean of its frames' 16 luma + 16
 * chroma bins).  Walking the shots in order, a shot joins the current scene
 * when its signature intersects one of the scene's last three shots by at
 * least opts.scene_sim (colour continuity, and A-B-A shot/reverse-shot
 * patterns), or while the scene is shorter than min_scene, as long as the
 * scene stays within max_scene.  A short last scene joins the one before;
 * a single shot longer than max_scene is split into equal parts. */
#include "analyze_scenes.h"
#include "analyze_loud.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void analyze_scenes_sig(const struct analyze_movie *m, size_t f0, size_t f1, double *sig)
{
    memset(sig, 0, ANALYZE_SIG * sizeof *sig);
    if (f1 <= f0)
        return;
    /* at most ~64 frames sampled per range */
    size_t step = (f1 - f0) / 64 + 1;
    for (size_t k = f0; k < f1; k += step)
        for (int i = 0; i < ANALYZE_SIG; i++)
            sig[i] += m->f[k].sig[i];
}

double analyze_scenes_similarity(const struct analyze_movie *m, size_t a0, size_t a1, size_t b0,
                                 size_t b1)
{
    double a[ANALYZE_SIG], b[ANALYZE_SIG], sa = 0, sb = 0, in = 0;
    analyze_scenes_sig(m, a0, a1, a);
    analyze_scenes_sig(m, b0, b1, b);
    for (int i = 0; i < ANALYZE_SIG; i++)
        sa += a[i], sb += b[i];
    if (sa <= 0 || sb <= 0)
        return 0.0;
    for (int i = 0; i < ANALYZE_SIG; i++)
        in += fmin(a[i] / sa, b[i] / sb);
    return in;
}

static double analyze_scenes_shot_sim(const struct analyze_movie *m, size_t i, size_t k)
{
    const struct analyze_shot *a = &m->shots[i], *b = &m->shots[k];
    return analyze_scenes_similarity(m, a->f0, a->f1, b->f0, b->f1);
}

static void analyze_scenes_features(struct analyze_movie *m, struct analyze_scene *sc)
{
    struct analyze_feat *ft = &sc->feat;
    memset(ft, 0, sizeof *ft);
    ft->duration = sc->end - sc->start;
    ft->shots = 0;
    for (size_t i = sc->shot0; i < sc->shot1; i++)
        if (m->shots[i].end > sc->start + 1e-9 && m->shots[i].start < sc->end - 1e-9)
            ft->shots++;
    size_t f0 = m->shots[sc->shot0].f0, f1 = m->shots[sc->shot1 - 1].f1;
    /* scenes made by splitting a long shot cover part of it */
    while (f0 < f1 && m->f[f0].t < sc->start - 1e-9)
        f0++;
    while (f1 > f0 && m->f[f1 - 1].t >= sc->end - 1e-9)
        f1--;
    double sm = 0, sl = 0, ss = 0, sc_ = 0;
    size_t nm = 0, n = 0;
    size_t shot = sc->shot0, cut = 0;
    for (size_t k = f0; k < f1; k++) {
        const struct analyze_fstat *f = &m->f[k];
        while (shot + 1 < sc->shot1 && k >= m->shots[shot + 1].f0)
            shot++;
        sl += f->luma, ss += f->sat, sc_ += f->colorful, n++;
        /* motion within shots only: skip the first frames of a shot and
		 * frames inside a gradual transition */
        if (k > m->shots[shot].f0 + 1) {
            while (cut < m->ncuts && m->cuts[cut].t1 < f->t - 1e-9)
                cut++;
            int in_trans = cut < m->ncuts && m->cuts[cut].gradual && f->t >= m->cuts[cut].t0 - 1e-9;
            if (!in_trans)
                sm += f->motion, nm++;
        }
    }
    if (n) {
        ft->luminance = sl / (double)n;
        ft->saturation = ss / (double)n;
        ft->colorfulness = sc_ / (double)n;
    }
    ft->motion = nm ? sm / (double)nm : 0.0;
    ft->cut_rate = ft->duration > 0 ? (double)ft->shots / ft->duration : 0.0;
    ft->loudness = analyze_loud_span(m, sc->start, sc->end, &ft->loudness_var);
    if (sc->shot1 - sc->shot0 >= 3 && ft->shots >= 3) {
        int alt = 0;
        for (size_t i = sc->shot0 + 2; i < sc->shot1; i++) {
            double s2 = analyze_scenes_shot_sim(m, i, i - 2);
            double s1 = analyze_scenes_shot_sim(m, i, i - 1);
            if (s2 >= 0.7 && s2 > s1 + 0.05)
                alt++;
        }
        ft->alternation = (double)alt / (double)(sc->shot1 - sc->shot0 - 2);
    }
}

static int analyze_scenes_push(struct analyze_movie *m, size_t *cap, double start, double end,
                               size_t shot0, size_t shot1)
{
    if (m->nscenes == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        struct analyze_scene *s = realloc(m->scenes, ncap * sizeof *s);
        if (!s)
            return -1;
        m->scenes = s;
        *cap = ncap;
    }
    struct analyze_scene *sc = &m->scenes[m->nscenes++];
    memset(sc, 0, sizeof *sc);
    sc->start = start, sc->end = end, sc->shot0 = shot0, sc->shot1 = shot1;
    return 0;
}

int analyze_scenes_build(struct analyze_movie *m, const struct analyze_opts *o, char *errstr,
                         size_t errstr_size)
{
    size_t cap = 0;
    m->nscenes = 0;
    size_t first = 0; /* first shot of the open scene */
    for (size_t i = 1; i <= m->nshots; i++) {
        int close = i == m->nshots;
        if (!close) {
            double start = m->shots[first].start;
            double joined = m->shots[i].end - start;
            double sim = 0.0;
            for (size_t k = i; k-- > first && k + 3 >= i;) {
                double s = analyze_scenes_shot_sim(m, i, k);
                if (s > sim)
                    sim = s;
            }
            int short_scene = m->shots[i].start - start < o->min_scene;
            close = joined > o->max_scene || (!short_scene && sim < o->scene_sim);
        }
        if (!close)
            continue;
        double start = m->shots[first].start, end = m->shots[i - 1].end;
        if (end - start > o->max_scene) {
            /* one long shot (or run): equal parts */
            size_t parts = (size_t)ceil((end - start) / o->max_scene);
            for (size_t p = 0; p < parts; p++) {
                double a = start + (end - start) * (double)p / (double)parts;
                double b =
                    p + 1 == parts ? end : start + (end - start) * (double)(p + 1) / (double)parts;
                if (analyze_scenes_push(m, &cap, a, b, first, i) != 0)
                    goto oom;
            }
        } else if (analyze_scenes_push(m, &cap, start, end, first, i) != 0) {
            goto oom;
        }
        first = i;
    }
    /* a short last scene joins the previous one */
    if (m->nscenes >= 2) {
        struct analyze_scene *last = &m->scenes[m->nscenes - 1], *prev = last - 1;
        if (last->end - last->start < o->min_scene && last->shot0 != prev->shot0) {
            prev->end = last->end;
            prev->shot1 = last->shot1;
            m->nscenes--;
        }
    }
    for (size_t s = 0; s < m->nscenes; s++)
        analyze_scenes_features(m, &m->scenes[s]);
    return 0;
oom:
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
}
