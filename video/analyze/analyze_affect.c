/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_affect.c -- affective content model (after Hanjalic & Xu, 2005).
 *
 * Per 1 s bin t:
 *   M(t) = 1 - exp(-motion / 0.03)         motion activity (mean |dY| of the grid)
 *   R(t) = 1 - exp(-c(t) / 0.4)            rhythm; c = cuts/s, Gaussian kernel sd 3 s
 *   E(t) = clamp((L(t) + 50) / 35, 0, 1)   sound energy; L = loudness in LUFS
 *   arousal' = 0.4 M + 0.3 R + 0.3 E       (0.55 M + 0.45 R without audio)
 *   B(t) = 2 clamp((luma - 0.15) / 0.55, 0, 1) - 1
 *   C(t) = 2 clamp(colourfulness / 0.6, 0, 1) - 1
 *   S(t) = 1 - 2 clamp(sd(L) over +-2 s / 8 LU, 0, 1)
 *   valence' = 0.5 B + 0.3 C + 0.2 S       (0.6 B + 0.4 C without audio)
 * Both curves are smoothed with a Gaussian (sd opts.smooth seconds); a scene
 * gets the overlap-weighted mean.  The emotion distribution is a soft
 * assignment of (valence, 2 arousal - 1) to the quadrant centres (+-0.5,
 * +-0.5): joy (+,+), tension (-,+), sadness (-,-), calm (+,-). */
#include "analyze_affect.h"
#include "analyze_loud.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const analyze_affect_emotions[4] = { "joy", "tension", "sadness", "calm" };

static double analyze_affect_clamp(double x, double lo, double hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

static void analyze_affect_smooth(const double *in, double *out, size_t n, double sigma)
{
    if (sigma <= 0.0) {
        memcpy(out, in, n * sizeof *in);
        return;
    }
    long r = (long)ceil(3.0 * sigma);
    for (size_t i = 0; i < n; i++) {
        double s = 0, w = 0;
        for (long k = -r; k <= r; k++) {
            long j = (long)i + k;
            if (j < 0 || j >= (long)n)
                continue;
            double g = exp(-0.5 * (double)(k * k) / (sigma * sigma));
            s += g * in[j], w += g;
        }
        out[i] = w > 0 ? s / w : in[i];
    }
}

/* Overlap-weighted mean of a 1 s curve over [a, b). */
static double analyze_affect_span(const double *v, size_t n, double a, double b)
{
    double s = 0, w = 0;
    for (size_t i = (size_t)floor(a); i < n && (double)i < b; i++) {
        double lo = fmax(a, (double)i), hi = fmin(b, (double)i + 1.0);
        if (hi > lo)
            s += v[i] * (hi - lo), w += hi - lo;
    }
    return w > 0 ? s / w : 0.0;
}

static void analyze_affect_label(struct analyze_scene *sc, const char *l)
{
    if (sc->nlabels < ANALYZE_LABELS)
        snprintf(sc->labels[sc->nlabels++], sizeof sc->labels[0], "%s", l);
}

static void analyze_affect_scene(const struct analyze_movie *m, struct analyze_scene *sc)
{
    sc->arousal =
        analyze_affect_clamp(analyze_affect_span(m->tl_arousal, m->ntl, sc->start, sc->end), 0, 1);
    sc->valence =
        analyze_affect_clamp(analyze_affect_span(m->tl_valence, m->ntl, sc->start, sc->end), -1, 1);
    if (sc->has_sentiment) /* what is said: 30 % of the scene's valence */
        sc->valence = analyze_affect_clamp(0.7 * sc->valence + 0.3 * sc->sentiment, -1, 1);
    double a = 2.0 * sc->arousal - 1.0, v = sc->valence;
    static const double cx[4] = { 0.5, -0.5, -0.5, 0.5 }, cy[4] = { 0.5, 0.5, -0.5, -0.5 };
    double w[4], sum = 0;
    for (int q = 0; q < 4; q++) {
        double d2 = (v - cx[q]) * (v - cx[q]) + (a - cy[q]) * (a - cy[q]);
        w[q] = exp(-d2 / 0.25);
        sum += w[q];
    }
    for (int q = 0; q < 4; q++)
        sc->emotion[q] = w[q] / sum;
    const struct analyze_feat *f = &sc->feat;
    double mot = 1.0 - exp(-f->motion / 0.03);
    sc->nlabels = 0;
    if (sc->arousal >= 0.6 || (mot >= 0.6 && f->cut_rate >= 0.4))
        analyze_affect_label(sc, "action");
    else if (sc->arousal <= 0.3)
        analyze_affect_label(sc, "calm");
    if (f->luminance < 0.25)
        analyze_affect_label(sc, "dark");
    else if (f->luminance > 0.6)
        analyze_affect_label(sc, "bright");
    if (f->colorfulness > 0.6)
        analyze_affect_label(sc, "colorful");
    if (m->has_audio) {
        if (f->loudness > -20.0)
            analyze_affect_label(sc, "loud");
        else if (f->loudness < -40.0)
            analyze_affect_label(sc, "quiet");
    }
    int speechy = !m->has_audio || (f->loudness > -40.0 && f->loudness < -14.0);
    if (f->shots >= 3 && f->alternation >= 0.5 && mot < 0.5 && speechy)
        analyze_affect_label(sc, "dialogue-like");
}

int analyze_affect_compute(struct analyze_movie *m, const struct analyze_opts *o, char *errstr,
                           size_t errstr_size)
{
    size_t n = (size_t)ceil(m->duration);
    if (n == 0)
        n = 1;
    double *mot = calloc(n, sizeof *mot), *cnt = calloc(n, sizeof *cnt);
    double *lum = calloc(n, sizeof *lum), *col = calloc(n, sizeof *col);
    double *ar = calloc(n, sizeof *ar), *va = calloc(n, sizeof *va);
    m->tl_arousal = calloc(n, sizeof *m->tl_arousal);
    m->tl_valence = calloc(n, sizeof *m->tl_valence);
    if (!mot || !cnt || !lum || !col || !ar || !va || !m->tl_arousal || !m->tl_valence) {
        free(mot), free(cnt), free(lum), free(col), free(ar), free(va);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    m->ntl = n;
    size_t cut = 0;
    for (size_t k = 0; k < m->nf; k++) {
        const struct analyze_fstat *f = &m->f[k];
        size_t b = (size_t)f->t;
        if (b >= n)
            b = n - 1;
        while (cut < m->ncuts && m->cuts[cut].t1 < f->t - 0.1)
            cut++;
        int at_cut = cut < m->ncuts && f->t >= m->cuts[cut].t0 - 0.1;
        lum[b] += f->luma, col[b] += f->colorful, cnt[b] += 1.0;
        if (!at_cut && k > 0)
            mot[b] += f->motion; /* frames at a cut count as no motion */
    }
    for (size_t b = 0; b < n; b++) {
        double c = cnt[b] > 0 ? cnt[b] : 1.0;
        double t = (double)b + 0.5;
        double motion = mot[b] / c;
        /* a bin without frames (a gap in a variable frame rate file)
		 * repeats the previous one */
        double luma = cnt[b] > 0 ? lum[b] / c : (b > 0 ? lum[b - 1] : 0.0);
        double colour = cnt[b] > 0 ? col[b] / c : (b > 0 ? col[b - 1] : 0.0);
        lum[b] = luma, col[b] = colour;
        double cuts = 0.0;
        for (size_t i = 0; i < m->ncuts; i++) {
            double d = (m->cuts[i].t - t) / 3.0;
            if (fabs(d) < 4.0)
                cuts += exp(-0.5 * d * d) / (3.0 * sqrt(2.0 * M_PI));
        }
        double M = 1.0 - exp(-motion / 0.03);
        double R = 1.0 - exp(-cuts / 0.4);
        double B = 2.0 * analyze_affect_clamp((luma - 0.15) / 0.55, 0, 1) - 1.0;
        double C = 2.0 * analyze_affect_clamp(colour / 0.6, 0, 1) - 1.0;
        if (m->has_audio) {
            double sd;
            double L = analyze_loud_span(m, (double)b, (double)b + 1.0, &sd);
            analyze_loud_span(m, t - 2.0, t + 2.0, &sd);
            double E = analyze_affect_clamp((L + 50.0) / 35.0, 0, 1);
            double S = 1.0 - 2.0 * analyze_affect_clamp(sd / 8.0, 0, 1);
            ar[b] = 0.4 * M + 0.3 * R + 0.3 * E;
            va[b] = 0.5 * B + 0.3 * C + 0.2 * S;
        } else {
            ar[b] = 0.55 * M + 0.45 * R;
            va[b] = 0.6 * B + 0.4 * C;
        }
    }
    analyze_affect_smooth(ar, m->tl_arousal, n, o->smooth);
    analyze_affect_smooth(va, m->tl_valence, n, o->smooth);
    free(mot), free(cnt), free(lum), free(col), free(ar), free(va);
    for (size_t s = 0; s < m->nscenes; s++)
        analyze_affect_scene(m, &m->scenes[s]);
    return 0;
}
