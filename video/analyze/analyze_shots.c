/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_shots.c -- shot boundary detection.
 *
 * Hard cuts: x(i) = distance between frames i-1 and i.  A cut is a local
 * maximum that exceeds an adaptive threshold max(floor, mean + K * sd) over
 * the W frames on each side (so sustained motion and grain raise the bar),
 * where the floor is T in moving footage but falls to T_STILL when the
 * picture stands still around the cut (a title card replaced by another on
 * the same background changes only a few per cent of the picture), is clearly
 * above its neighbours, and is not a flash: when frame i-1 comes back within
 * a few frames (small distance from i-1 to i+1..i+3, or from i to i-2..i-4)
 * the spike was a flash or a glitch, not a cut.
 * Gradual transitions come from the blend test (analyze_blend.c): greedy
 * non-maximum suppression over the candidate windows; a fade-out and a
 * fade-in separated only by dark frames are one transition; fades from
 * black at the start and to black at the end are not boundaries.
 * Boundaries closer than the minimum shot length keep the stronger one. */
#include "analyze_shots.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANALYZE_SHOTS_W 12           /* frames on each side for the statistics */
#define ANALYZE_SHOTS_T 0.14         /* absolute floor of the cut threshold */
#define ANALYZE_SHOTS_K 4.0          /* standard deviations above the mean */
#define ANALYZE_SHOTS_PEAK 1.6       /* cut vs. largest neighbour within 2 frames */
#define ANALYZE_SHOTS_FLASH 0.45     /* "came back": distance below this share */
#define ANALYZE_SHOTS_T_STILL 0.012  /* floor where the picture stands still */
#define ANALYZE_SHOTS_STILL_K 4.0    /* floor = this * (mean + K sd), T_STILL..T */
#define ANALYZE_SHOTS_STILL_PEAK 3.0 /* below T: cut vs. the stiller side's largest */

static int analyze_shots_dark(const struct analyze_fstat *f)
{
    return f->luma < 0.1f && f->luma_sd < 0.06f;
}

static int analyze_shots_push(struct analyze_cutpt **v, size_t *n, size_t *cap,
                              const struct analyze_cutpt *c)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        struct analyze_cutpt *nv = realloc(*v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = ncap;
    }
    (*v)[(*n)++] = *c;
    return 0;
}

/* mean + K * sd of v[0..n) without its `drop` largest values; when too
 * few values remain, a bar that only the fixed floor T decides. */
static double analyze_shots_bar(const double *v, size_t n, int drop)
{
    double w[2 * ANALYZE_SHOTS_W];
    if (n < (size_t)drop + 3)
        return ANALYZE_SHOTS_T / ANALYZE_SHOTS_STILL_K;
    for (size_t k = 0; k < n; k++)
        w[k] = v[k];
    for (int d = 0; d < drop; d++) {
        size_t arg = 0;
        for (size_t k = 1; k < n; k++)
            if (w[k] > w[arg])
                arg = k;
        w[arg] = w[--n];
    }
    double s = 0, ss = 0;
    for (size_t k = 0; k < n; k++)
        s += w[k], ss += w[k] * w[k];
    double mean = s / (double)n, var = ss / (double)n - mean * mean;
    return mean + ANALYZE_SHOTS_K * sqrt(var > 0 ? var : 0);
}

static int analyze_shots_is_hard(const struct analyze_movie *m, size_t i)
{
    const struct analyze_fstat *f = m->f;
    double x = f[i].d[0];
    if (x < ANALYZE_SHOTS_T_STILL)
        return 0;
    size_t lo = i > ANALYZE_SHOTS_W ? i - ANALYZE_SHOTS_W : 1;
    size_t hi = i + ANALYZE_SHOTS_W < m->nf ? i + ANALYZE_SHOTS_W : m->nf - 1;
    double win[2 * ANALYZE_SHOTS_W], near = 0;
    size_t n = 0;
    for (size_t k = lo; k <= hi; k++) {
        if (k == i)
            continue;
        double v = f[k].d[0];
        if (k + 2 >= i && k <= i + 2) {
            if (v > x || (v == x && k < i))
                return 0; /* not the (first) maximum around it */
            if (v > near)
                near = v;
        }
        win[n++] = v;
    }
    /* statistics without the two largest values (other cuts, flashes);
     * the floor from the stiller side, so that a cut from a still title
     * card into grain or motion is not hidden by what comes after it */
    size_t nl = i - lo;
    double bar = analyze_shots_bar(win, n, 2);
    double side = analyze_shots_bar(win, nl, 1), right = analyze_shots_bar(win + nl, n - nl, 1);
    if (right < side)
        side = right;
    double floor = ANALYZE_SHOTS_STILL_K * side;
    floor = floor < ANALYZE_SHOTS_T_STILL ? ANALYZE_SHOTS_T_STILL
            : floor > ANALYZE_SHOTS_T     ? ANALYZE_SHOTS_T
                                          : floor;
    if (x < bar || x < floor)
        return 0;
    if (x < ANALYZE_SHOTS_T) {
        /* below the moving footage's floor a cut must also stand well above
         * the largest change on its stiller side: a slow pan or zoom over a
         * still picture moves by whole pixels every few frames, alike on
         * both sides, where a title card stands still */
        double ml = 0, mr = 0;
        for (size_t k = 0; k < n; k++)
            if (k < nl ? win[k] > ml : win[k] > mr)
                *(k < nl ? &ml : &mr) = win[k];
        if (x < ANALYZE_SHOTS_STILL_PEAK * (ml < mr ? ml : mr))
            return 0;
    }
    if (x < ANALYZE_SHOTS_PEAK * near)
        return 0;
    /* flash filter: does the old content come back? */
    for (size_t k = 1; k <= ANALYZE_BACK - 1; k++) {
        if (i + k < m->nf && f[i + k].d[k] < ANALYZE_SHOTS_FLASH * x)
            return 0; /* frame i-1 again at i+k */
        if (i >= k + 1 && f[i].d[k] < ANALYZE_SHOTS_FLASH * x)
            return 0; /* frame i looks like i-k-1: i-k..i-1 was a flash */
    }
    return 1;
}

/* A fade (one end of the window much darker) often starts or ends softly
 * before the window the blend test chose: extend the window while luma
 * keeps moving the same way, so that a fade-out, black, fade-in run and a
 * fade from black at the very start are recognised as one transition. */
static void analyze_shots_extend(const struct analyze_movie *m, struct analyze_grad *g)
{
    const struct analyze_fstat *f = m->f;
    float ls = f[g->s].luma, le = f[g->e].luma;
    if (ls + 0.05f < le) { /* brightening: fade in */
        while (g->s > 0 && f[g->s - 1].luma < f[g->s].luma - 0.001f && f[g->s].motion < 0.06f)
            g->s--;
    } else if (le + 0.05f < ls) { /* darkening: fade out */
        while (g->e + 1 < m->nf && f[g->e + 1].luma < f[g->e].luma - 0.001f &&
               f[g->e + 1].motion < 0.06f)
            g->e++;
    }
}

/* Fades through black or white.  A transition that dips to a flat frame
 * (a fade through black from or to dark footage, a fade through white)
 * can change too little between its ends for the blend test, and its
 * steps can be too large for it (xfade's curves), so it is found from the
 * flat frames themselves: a run of them, shorter than
 * ANALYZE_SHOTS_FLAT_MAX seconds, between footage on both sides, reached
 * and left through at least one intermediate frame on each side (a white
 * flash jumps there in one step).  The candidate spans from where luma
 * starts heading to the flat value to where it stops moving away from it,
 * and outranks the blend candidates it overlaps. */
#define ANALYZE_SHOTS_FLAT_SD 0.02f /* spatial luma sd of a flat frame */
#define ANALYZE_SHOTS_FLAT_MAX 2.0  /* longest flat run, s */
#define ANALYZE_SHOTS_FLAT_MARK 2.0f
#define ANALYZE_SHOTS_FLAT_PART 0.7f /* intermediate frame: share of the luma gap left */

static int analyze_shots_flat(const struct analyze_fstat *f)
{
    return f->luma_sd < ANALYZE_SHOTS_FLAT_SD && (f->luma < 0.04f || f->luma > 0.96f);
}

/* Walk from frame k away from the flat run (dir -1 or +1) while luma keeps
 * moving away from the flat value v; returns the last frame reached. */
static size_t analyze_shots_walk(const struct analyze_movie *m, size_t k, int dir, float v)
{
    const struct analyze_fstat *f = m->f;
    double t0 = f[k].t;
    while ((dir < 0 ? k > 0 : k + 1 < m->nf) && fabs(f[k].t - t0) < ANALYZE_SHOTS_FLAT_MAX) {
        size_t n = dir < 0 ? k - 1 : k + 1;
        if (fabsf(f[n].luma - v) <= fabsf(f[k].luma - v) + 0.0005f || analyze_shots_flat(&f[n]))
            break;
        k = n;
    }
    return k;
}

static int analyze_shots_flat_runs(struct analyze_movie *m)
{
    const struct analyze_fstat *f = m->f;
    for (size_t a = 1; a + 1 < m->nf; a++) {
        if (!analyze_shots_flat(&f[a]) || analyze_shots_flat(&f[a - 1]))
            continue;
        size_t b = a;
        while (b + 1 < m->nf && analyze_shots_flat(&f[b + 1]))
            b++;
        if (b + 1 >= m->nf || f[b].t - f[a].t > ANALYZE_SHOTS_FLAT_MAX) {
            a = b;
            continue;
        }
        float v = f[a].luma < 0.5f ? 0.0f : 1.0f;
        size_t s = analyze_shots_walk(m, a - 1, -1, v), e = analyze_shots_walk(m, b + 1, 1, v);
        int gradual_in = fabsf(f[a - 1].luma - v) < ANALYZE_SHOTS_FLAT_PART * fabsf(f[s].luma - v);
        int gradual_out = fabsf(f[b + 1].luma - v) < ANALYZE_SHOTS_FLAT_PART * fabsf(f[e].luma - v);
        if (gradual_in && gradual_out && s < a - 1 && e > b + 1) {
            if (m->ng == m->capg) {
                size_t ncap = m->capg ? m->capg * 2 : 64;
                struct analyze_grad *g = realloc(m->g, ncap * sizeof *g);
                if (!g)
                    return -1;
                m->g = g;
                m->capg = ncap;
            }
            /* change 2: above any blend candidate's (0..1) and the mark
             * of a flat-run candidate */
            m->g[m->ng++] = (struct analyze_grad){ s, e, ANALYZE_SHOTS_FLAT_MARK, 0.0f };
        }
        a = b;
    }
    return 0;
}

/* The boundary frame of a gradual candidate: the middle of the window, or
 * of the flat run for a fade through black or white (luma drifting on
 * one side must not pull the boundary away from the black). */
static size_t analyze_shots_mid(const struct analyze_movie *m, const struct analyze_grad *g)
{
    if (g->change == ANALYZE_SHOTS_FLAT_MARK) {
        size_t a = g->s;
        while (a < g->e && !analyze_shots_flat(&m->f[a]))
            a++;
        size_t b = a;
        while (b + 1 < g->e && analyze_shots_flat(&m->f[b + 1]))
            b++;
        if (a < g->e)
            return (a + b + 1) / 2;
    }
    return (g->s + g->e + 1) / 2;
}

static int analyze_shots_gcmp(const void *a, const void *b)
{
    const struct analyze_grad *x = a, *y = b;
    double sx = x->change * (1.0 - 0.5 * x->resid / 0.3),
           sy = y->change * (1.0 - 0.5 * y->resid / 0.3);
    return sx < sy ? 1 : sx > sy ? -1 : 0;
}

static int analyze_shots_tcmp(const void *a, const void *b)
{
    const struct analyze_cutpt *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t ? 1 : 0;
}

/* Every frame strictly between a and b (frame indices) dark? */
static int analyze_shots_dark_between(const struct analyze_movie *m, size_t a, size_t b)
{
    for (size_t k = a + 1; k < b; k++)
        if (!analyze_shots_dark(&m->f[k]))
            return 0;
    return 1;
}

static size_t analyze_shots_frame_at(const struct analyze_movie *m, double t)
{
    size_t lo = 0, hi = m->nf;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->f[mid].t < t - 1e-9)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int analyze_shots_detect(struct analyze_movie *m, const struct analyze_opts *o, char *errstr,
                         size_t errstr_size)
{
    struct analyze_cutpt *c = NULL;
    size_t nc = 0, cap = 0;
    /* 1. gradual transitions: non-maximum suppression */
    if (analyze_shots_flat_runs(m) != 0)
        goto oom_nofree; /* nothing allocated yet */
    if (m->ng > 1)
        qsort(m->g, m->ng, sizeof *m->g, analyze_shots_gcmp);
    struct analyze_grad *acc = NULL;
    size_t na = 0;
    if (m->ng) {
        acc = malloc(m->ng * sizeof *acc);
        if (!acc)
            goto oom;
    }
    for (size_t i = 0; i < m->ng; i++) {
        const struct analyze_grad *g = &m->g[i];
        int clash = 0;
        for (size_t k = 0; k < na && !clash; k++)
            clash = g->s <= acc[k].e + 2 && acc[k].s <= g->e + 2;
        if (!clash)
            acc[na++] = *g;
    }
    for (size_t k = 0; k < na; k++)
        analyze_shots_extend(m, &acc[k]);
    /* sort the accepted ones by time (selection sort; few of them) */
    for (size_t i = 0; i < na; i++)
        for (size_t k = i + 1; k < na; k++)
            if (acc[k].s < acc[i].s) {
                struct analyze_grad tmp = acc[i];
                acc[i] = acc[k];
                acc[k] = tmp;
            }
    /* 2. hard cuts, unless inside an accepted gradual window */
    for (size_t i = 1; i < m->nf; i++) {
        if (!analyze_shots_is_hard(m, i))
            continue;
        int inside = 0;
        for (size_t k = 0; k < na && !inside; k++)
            inside = i > acc[k].s && i <= acc[k].e;
        if (inside)
            continue;
        struct analyze_cutpt p = { m->f[i].t, m->f[i].t, m->f[i].t, 0, m->f[i].d[0] };
        if (analyze_shots_push(&c, &nc, &cap, &p) != 0)
            goto oom;
    }
    for (size_t k = 0; k < na; k++) {
        size_t mid = analyze_shots_mid(m, &acc[k]);
        struct analyze_cutpt p = { m->f[mid].t, m->f[acc[k].s].t, m->f[acc[k].e].t, 1,
                                   acc[k].change };
        if (analyze_shots_push(&c, &nc, &cap, &p) != 0)
            goto oom;
    }
    free(acc);
    acc = NULL;
    if (nc > 1)
        qsort(c, nc, sizeof *c, analyze_shots_tcmp);
    /* 3. merge transitions separated only by dark frames (fade out, black,
	 * fade in or cut in) into one */
    size_t w = 0;
    for (size_t i = 0; i < nc; i++) {
        if (w > 0) {
            struct analyze_cutpt *prev = &c[w - 1];
            size_t a = analyze_shots_frame_at(m, prev->t1);
            size_t b = analyze_shots_frame_at(m, c[i].t0);
            if (b <= a + 3 || (c[i].t0 - prev->t1 < 3.0 && analyze_shots_dark_between(m, a, b))) {
                prev->t1 = c[i].t1 > prev->t1 ? c[i].t1 : prev->t1;
                prev->gradual = prev->gradual || c[i].gradual || prev->t1 > prev->t0;
                prev->strength = prev->strength > c[i].strength ? prev->strength : c[i].strength;
                /* boundary: first frame of the new shot in the middle of the dark run */
                size_t f0 = analyze_shots_frame_at(m, prev->t0);
                size_t f1 = analyze_shots_frame_at(m, prev->t1);
                prev->t = m->f[(f0 + f1 + 1) / 2].t;
                continue;
            }
        }
        c[w++] = c[i];
    }
    nc = w;
    /* 4. fades from black at the start / to black at the end, and the
	 * minimum shot length */
    w = 0;
    for (size_t i = 0; i < nc; i++) {
        size_t f0 = analyze_shots_frame_at(m, c[i].t0);
        size_t f1 = analyze_shots_frame_at(m, c[i].t1);
        /* nothing but black before (after) the transition: no shot there */
        if (c[i].gradual && analyze_shots_dark(&m->f[0]) &&
            (f0 == 0 || analyze_shots_dark_between(m, 0, f0 + 1)))
            continue;
        if (c[i].gradual && analyze_shots_dark(&m->f[m->nf - 1]) &&
            (f1 + 1 >= m->nf || analyze_shots_dark_between(m, f1 > 0 ? f1 - 1 : 0, m->nf)))
            continue;
        if (c[i].t < o->min_shot || c[i].t > m->duration - o->min_shot)
            continue;
        if (w > 0 && c[i].t - c[w - 1].t < o->min_shot) {
            if (c[i].strength > c[w - 1].strength)
                c[w - 1] = c[i];
            continue;
        }
        c[w++] = c[i];
    }
    nc = w;
    m->cuts = c;
    m->ncuts = nc;
    /* 5. shots */
    m->shots = malloc((nc + 1) * sizeof *m->shots);
    if (!m->shots)
        goto oom_nofree;
    m->nshots = nc + 1;
    for (size_t i = 0; i <= nc; i++) {
        struct analyze_shot *s = &m->shots[i];
        s->start = i == 0 ? 0.0 : c[i - 1].t;
        s->end = i == nc ? m->duration : c[i].t;
        s->f0 = i == 0 ? 0 : analyze_shots_frame_at(m, s->start);
        s->f1 = i == nc ? m->nf : analyze_shots_frame_at(m, s->end);
    }
    return 0;
oom:
    free(acc);
    free(c);
oom_nofree:
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
}
