/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_blend.c -- linear blend test.
 *
 * During a dissolve from shot A to shot B over frames s..e every frame is
 * F(t) = (1-a) A + a B with a going 0 -> 1; a fade is the same with A or B
 * black.  So for a window [s, e] that spans a transition the frames at 1/4,
 * 1/2 and 3/4 of the window are close to the same mix of F(s) and F(e),
 * while camera or object motion is not (pixels move, they do not blend).
 * A window passes when the content changes a lot between its ends, no
 * single frame-to-frame step carries the change (that would be a hard cut),
 * the blend residual is small relative to the change, and the change is
 * bounded in time: over a span of the same length just before or just after
 * the window the content changes much less (a slow pan, zoom or colour
 * drift goes on beyond any window; a transition does not).  Unless one end
 * is dark (a fade), the picture's structure must change too: the luma
 * patterns, each normalised to zero mean and unit variance, must differ,
 * so that a lighting change (brightness or gain) is not a dissolve; where
 * a picture is too flat for a luma pattern (a soft gradient, a grain field)
 * its hue must turn instead, which brightness and gain leave alone.  When
 * the two ends' colour distributions differ strongly (two different shots,
 * not a pan over one scene), the residual is first reduced by what the
 * shots' own churn would leave (automata, grain change every frame and no
 * blend of two fixed frames fits them).  The test runs w frames late so
 * that the span after the window has been decoded. */
#include "analyze_blend.h"
#include "analyze_frame.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define NB ANALYZE_FRAME_NB
#define RING ANALYZE_FRAME_RING

static const int analyze_blend_windows[] = { 6, 9, 13, 18, 25, 34, 46, 60 };
#define ANALYZE_BLEND_NWIN (sizeof analyze_blend_windows / sizeof analyze_blend_windows[0])

#define ANALYZE_BLEND_MIN_CHANGE 0.22f /* combined distance between the ends */
#define ANALYZE_BLEND_MAX_STEP 0.45f   /* largest single step / change */
#define ANALYZE_BLEND_MAX_RESID 0.30f  /* residual / change */
#define ANALYZE_BLEND_BOUNDED 2.0f     /* change vs. change beside the window */
#define ANALYZE_BLEND_DARK 26.0f       /* mean luma (0..255) of a "black" end */
#define ANALYZE_BLEND_STRUCT 0.2f      /* normalised luma pattern difference */
#define ANALYZE_BLEND_FLAT 2.0f        /* luma sd (0..255) below which a grid has no pattern */
#define ANALYZE_BLEND_HUE 30.0         /* hue turn (degrees) that is not lighting */
#define ANALYZE_BLEND_CHROMA 8.0       /* least mean chroma that has a hue */
#define ANALYZE_BLEND_CHURN_LAG 6      /* longest lag (frames) churn is measured at */
#define ANALYZE_BLEND_CHURN_HIST 0.4f  /* histogram term of d(s, e) for the allowance */

static void analyze_blend_moments(const struct analyze_frame_grid *g, float *mean, float *sd)
{
    double s = 0, ss = 0;
    for (int i = 0; i < NB; i++)
        s += g->y[i], ss += (double)g->y[i] * g->y[i];
    double m = s / NB, v = ss / NB - m * m;
    *mean = (float)m;
    *sd = (float)sqrt(v > 0 ? v : 0);
}

/* Mean absolute difference of the z-normalised luma patterns; 0 when one
 * of them is flat. */
static float analyze_blend_structure(const struct analyze_frame_grid *a, float ma, float sa,
                                     const struct analyze_frame_grid *b, float mb, float sb)
{
    if (sa < ANALYZE_BLEND_FLAT || sb < ANALYZE_BLEND_FLAT)
        return 0.0f;
    float s = 0.0f, ia = 1.0f / sa, ib = 1.0f / sb;
    for (int i = 0; i < NB; i++)
        s += fabsf((a->y[i] - ma) * ia - (b->y[i] - mb) * ib);
    return s / NB;
}

/* How far the mean colour's hue turns from a to b, in degrees (0..180); 0
 * when either is too grey to have a hue.  Brightness moves luma only and
 * gain scales both chroma axes alike: neither turns the hue. */
static double analyze_blend_hue_turn(const struct analyze_frame_grid *a,
                                     const struct analyze_frame_grid *b)
{
    double ua = 0, va = 0, ub = 0, vb = 0;
    for (int i = 0; i < NB; i++)
        ua += a->u[i], va += a->v[i], ub += b->u[i], vb += b->v[i];
    ua = ua / NB - 128.0, va = va / NB - 128.0, ub = ub / NB - 128.0, vb = vb / NB - 128.0;
    double ra = hypot(ua, va), rb = hypot(ub, vb);
    if (ra < ANALYZE_BLEND_CHROMA || rb < ANALYZE_BLEND_CHROMA)
        return 0.0;
    double c = (ua * ub + va * vb) / (ra * rb);
    return acos(c > 1.0 ? 1.0 : c < -1.0 ? -1.0 : c) * (180.0 / M_PI);
}

/* Whether the change from a to b could be a lighting change (brightness,
 * gain) rather than a dissolve: neither end is dark, the luma patterns
 * agree and, where an end is too flat to have one, the hue stays. */
static int analyze_blend_lighting(const struct analyze_frame_grid *a,
                                  const struct analyze_frame_grid *b)
{
    float ma, sa, mb, sb;
    analyze_blend_moments(a, &ma, &sa);
    analyze_blend_moments(b, &mb, &sb);
    if (ma <= ANALYZE_BLEND_DARK || mb <= ANALYZE_BLEND_DARK ||
        analyze_blend_structure(a, ma, sa, b, mb, sb) >= ANALYZE_BLEND_STRUCT)
        return 0;
    if (sa < ANALYZE_BLEND_FLAT || sb < ANALYZE_BLEND_FLAT)
        return analyze_blend_hue_turn(a, b) < ANALYZE_BLEND_HUE;
    return 1;
}

/* Residual of g against (1-q) a + q b, and the |b - a| norm, both weighted
 * like the pixel distance. */
static void analyze_blend_resid(const struct analyze_frame_grid *a,
                                const struct analyze_frame_grid *b,
                                const struct analyze_frame_grid *g, float q, float *resid,
                                float *change)
{
    float r = 0.0f, c = 0.0f, p = 1.0f - q;
    for (int i = 0; i < NB; i++) {
        r += fabsf(g->y[i] - (p * a->y[i] + q * b->y[i])) +
             0.5f * (fabsf(g->u[i] - (p * a->u[i] + q * b->u[i])) +
                     fabsf(g->v[i] - (p * a->v[i] + q * b->v[i])));
        c +=
            fabsf(b->y[i] - a->y[i]) + 0.5f * (fabsf(b->u[i] - a->u[i]) + fabsf(b->v[i] - a->v[i]));
    }
    *resid = r;
    *change = c;
}

/* Weighted L1 distance between two grids (the unit of the residual). */
static float analyze_blend_l1(const struct analyze_frame_grid *a,
                              const struct analyze_frame_grid *b)
{
    float c = 0.0f;
    for (int i = 0; i < NB; i++)
        c +=
            fabsf(b->y[i] - a->y[i]) + 0.5f * (fabsf(b->u[i] - a->u[i]) + fabsf(b->v[i] - a->v[i]));
    return c;
}

/* The residual the blend model leaves without any transition when both
 * shots keep changing on their own (automata, grain): how much the first
 * shot changed over the same lag (at most CHURN_LAG frames) just before the
 * window and the second just after it, the smaller of the two, so that a
 * still shot on either side earns no allowance; none when a cut lies
 * there (a cut is not churn). */
static float analyze_blend_churn(const struct analyze_frame *af, const struct analyze_movie *m,
                                 size_t s, size_t e, size_t lag, float step)
{
    if (lag == 0 || lag > s || lag >= e - s)
        return 0.0f;
    size_t la = lag < ANALYZE_BLEND_CHURN_LAG ? lag : ANALYZE_BLEND_CHURN_LAG;
    size_t lb = e - s - lag < ANALYZE_BLEND_CHURN_LAG ? e - s - lag : ANALYZE_BLEND_CHURN_LAG;
    for (size_t k = s - la + 1; k <= s; k++)
        if (m->f[k].d[0] > step)
            return 0.0f;
    for (size_t k = e + 1; k <= e + lb; k++)
        if (m->f[k].d[0] > step)
            return 0.0f;
    float a = analyze_blend_l1(&af->ring[(s - la) % RING], &af->ring[s % RING]);
    float b = analyze_blend_l1(&af->ring[e % RING], &af->ring[(e + lb) % RING]);
    return a < b ? a : b;
}

int analyze_blend_test(const struct analyze_frame *af, struct analyze_movie *m, char *errstr,
                       size_t errstr_size)
{
    if (af->count < 2)
        return 0;
    size_t j = af->count - 1;
    float best_score = 0.0f;
    struct analyze_grad best = { 0, 0, 0.0f, 0.0f };
    for (size_t wi = 0; wi < ANALYZE_BLEND_NWIN; wi++) {
        size_t w = (size_t)analyze_blend_windows[wi];
        if (3 * w >= RING || j < 2 * w)
            break;
        size_t e = j - w, s = e - w;
        const struct analyze_frame_grid *S = &af->ring[s % RING], *E = &af->ring[e % RING];
        float dc = analyze_frame_dist(S, E);
        if (dc < ANALYZE_BLEND_MIN_CHANGE)
            continue;
        float side = analyze_frame_dist(E, &af->ring[j % RING]);
        if (s >= w) {
            float before = analyze_frame_dist(&af->ring[(s - w) % RING], S);
            if (before < side)
                side = before;
        }
        if (dc < ANALYZE_BLEND_BOUNDED * side)
            continue;
        if (analyze_blend_lighting(S, E))
            continue;
        float maxstep = 0.0f;
        for (size_t k = s + 1; k <= e; k++)
            if (m->f[k].d[0] > maxstep)
                maxstep = m->f[k].d[0];
        if (maxstep > ANALYZE_BLEND_MAX_STEP * dc)
            continue;
        float worst = 0.0f, hd = 0.0f;
        for (int b = 0; b < ANALYZE_FRAME_HB; b++)
            hd += fabsf(S->hist[b] - E->hist[b]);
        hd *= 0.25f; /* the histogram term of the frame distance, 0..0.5 */
        static const float qs[3] = { 0.5f, 0.25f, 0.75f };
        for (int qi = 0; qi < 3 && worst <= ANALYZE_BLEND_MAX_RESID; qi++) {
            size_t k = s + (size_t)lroundf(qs[qi] * (float)w);
            float q = (float)(k - s) / (float)w;
            float resid, change;
            analyze_blend_resid(S, E, &af->ring[k % RING], q, &resid, &change);
            if (hd >= ANALYZE_BLEND_CHURN_HIST)
                resid -= analyze_blend_churn(af, m, s, e, k - s, ANALYZE_BLEND_MAX_STEP * dc);
            float r = change > 0.0f ? (resid > 0.0f ? resid : 0.0f) / change : 1.0f;
            if (r > worst)
                worst = r;
        }
        if (worst > ANALYZE_BLEND_MAX_RESID)
            continue;
        float score = dc * (1.0f - worst / ANALYZE_BLEND_MAX_RESID);
        if (score > best_score) {
            best_score = score;
            best.s = s;
            best.e = e;
            best.change = dc;
            best.resid = worst;
        }
    }
    if (best_score <= 0.0f)
        return 0;
    if (m->ng == m->capg) {
        size_t ncap = m->capg ? m->capg * 2 : 256;
        struct analyze_grad *g = realloc(m->g, ncap * sizeof *g);
        if (!g) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        m->g = g;
        m->capg = ncap;
    }
    m->g[m->ng++] = best;
    return 0;
}
