/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_frame.c -- reduce a decoded frame to a block grid and statistics.
 *
 * 8-bit planar YUV frames (what nearly every decoder gives) are reduced by
 * summing pixels block by block, reading every pixel of a sampled subset of
 * rows (at least 8 rows per block), which costs far less than decoding.
 * Any other pixel format goes through swscale to a 64x36 YUV444P image. */
#include "analyze_frame.h"
#include "analyze_blend.h"

#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GW ANALYZE_FRAME_GW
#define GH ANALYZE_FRAME_GH
#define NB ANALYZE_FRAME_NB

int analyze_frame_init(struct analyze_frame *af, char *errstr, size_t errstr_size)
{
    memset(af, 0, sizeof *af);
    af->ring = calloc(ANALYZE_FRAME_RING, sizeof *af->ring);
    af->acc = calloc(3 * NB, sizeof *af->acc);
    af->cnt = calloc(3 * NB, sizeof *af->cnt);
    af->small = av_frame_alloc();
    if (!af->ring || !af->acc || !af->cnt || !af->small) {
        snprintf(errstr, errstr_size, "out of memory");
        analyze_frame_free(af);
        return -1;
    }
    return 0;
}

void analyze_frame_free(struct analyze_frame *af)
{
    free(af->ring);
    free(af->acc);
    free(af->cnt);
    sws_freeContext(af->sws);
    av_frame_free(&af->small);
    memset(af, 0, sizeof *af);
}

static uint32_t analyze_frame_rowsum(const uint8_t *p, int n)
{
    uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int x = 0;
    for (; x + 4 <= n; x += 4) {
        s0 += p[x];
        s1 += p[x + 1];
        s2 += p[x + 2];
        s3 += p[x + 3];
    }
    for (; x < n; x++)
        s0 += p[x];
    return s0 + s1 + s2 + s3;
}

/* Block sums of one plane of pw x ph pixels into acc/cnt (NB entries). */
static void analyze_frame_plane(const uint8_t *data, int linesize, int pw, int ph, int step,
                                uint32_t *acc, uint32_t *cnt)
{
    int xb[GW + 1];
    for (int bx = 0; bx <= GW; bx++)
        xb[bx] = (int)((int64_t)bx * pw / GW);
    int rowstep = (ph / GH) / 8;
    if (rowstep < 1)
        rowstep = 1;
    memset(acc, 0, NB * sizeof *acc);
    memset(cnt, 0, NB * sizeof *cnt);
    for (int y = 0; y < ph; y += rowstep) {
        int by = (int)((int64_t)y * GH / ph);
        const uint8_t *row = data + (ptrdiff_t)y * linesize;
        uint32_t *a = acc + by * GW;
        uint32_t *c = cnt + by * GW;
        for (int bx = 0; bx < GW; bx++) {
            int x0 = xb[bx], x1 = xb[bx + 1];
            if (step == 1) {
                a[bx] += analyze_frame_rowsum(row + x0, x1 - x0);
            } else {
                uint32_t s = 0;
                for (int x = x0; x < x1; x++)
                    s += row[x * step];
                a[bx] += s;
            }
            c[bx] += (uint32_t)(x1 - x0);
        }
    }
}

/* Fill g->y/u/v (full range 0..255) from fr; 0 on success. */
static int analyze_frame_grid_fill(struct analyze_frame *af, const AVFrame *fr,
                                   struct analyze_frame_grid *g, char *errstr, size_t errstr_size)
{
    int full = fr->color_range == AVCOL_RANGE_JPEG;
    int cw = 0, ch = 0, chroma = 1, interleaved = 0;
    switch (fr->format) {
    case AV_PIX_FMT_YUVJ420P:
        full = 1;
        /* fall through */
    case AV_PIX_FMT_YUV420P:
        cw = (fr->width + 1) / 2, ch = (fr->height + 1) / 2;
        break;
    case AV_PIX_FMT_YUVJ422P:
        full = 1;
        /* fall through */
    case AV_PIX_FMT_YUV422P:
        cw = (fr->width + 1) / 2, ch = fr->height;
        break;
    case AV_PIX_FMT_YUVJ444P:
        full = 1;
        /* fall through */
    case AV_PIX_FMT_YUV444P:
        cw = fr->width, ch = fr->height;
        break;
    case AV_PIX_FMT_NV12:
        cw = (fr->width + 1) / 2, ch = (fr->height + 1) / 2, interleaved = 1;
        break;
    case AV_PIX_FMT_GRAY8:
        chroma = 0;
        break;
    default:
        cw = -1;
        break;
    }
    const uint8_t *planes[3];
    int lines[3], pw[3], ph[3], steps[3];
    if (cw >= 0 && fr->width >= GW && fr->height >= GH && (!chroma || (cw >= GW && ch >= GH))) {
        planes[0] = fr->data[0], lines[0] = fr->linesize[0];
        pw[0] = fr->width, ph[0] = fr->height, steps[0] = 1;
        if (interleaved) {
            planes[1] = fr->data[1], planes[2] = fr->data[1] + 1;
            lines[1] = lines[2] = fr->linesize[1];
            steps[1] = steps[2] = 2;
        } else if (chroma) {
            planes[1] = fr->data[1], planes[2] = fr->data[2];
            lines[1] = fr->linesize[1], lines[2] = fr->linesize[2];
            steps[1] = steps[2] = 1;
        }
        pw[1] = pw[2] = cw, ph[1] = ph[2] = ch;
    } else {
        /* Generic path: let swscale produce the grid directly. */
        af->sws = sws_getCachedContext(af->sws, fr->width, fr->height, fr->format, GW, GH,
                                       AV_PIX_FMT_YUV444P, SWS_AREA, NULL, NULL, NULL);
        if (!af->sws) {
            snprintf(errstr, errstr_size, "cannot convert pixel format %s",
                     av_get_pix_fmt_name(fr->format) ? av_get_pix_fmt_name(fr->format) : "?");
            return -1;
        }
        if (!af->small->data[0]) {
            af->small->format = AV_PIX_FMT_YUV444P;
            af->small->width = GW;
            af->small->height = GH;
            if (av_frame_get_buffer(af->small, 0) < 0) {
                snprintf(errstr, errstr_size, "out of memory");
                return -1;
            }
        }
        sws_scale(af->sws, (const uint8_t *const *)fr->data, fr->linesize, 0, fr->height,
                  af->small->data, af->small->linesize);
        full = 0;
        chroma = 1;
        for (int p = 0; p < 3; p++) {
            planes[p] = af->small->data[p], lines[p] = af->small->linesize[p];
            pw[p] = GW, ph[p] = GH, steps[p] = 1;
        }
    }
    float *dst[3] = { g->y, g->u, g->v };
    for (int p = 0; p < 3; p++) {
        if (p > 0 && !chroma) {
            for (int i = 0; i < NB; i++)
                dst[p][i] = 128.0f;
            continue;
        }
        uint32_t *acc = af->acc + p * NB, *cnt = af->cnt + p * NB;
        analyze_frame_plane(planes[p], lines[p], pw[p], ph[p], steps[p], acc, cnt);
        float off = p == 0 ? 16.0f : 128.0f;
        float gain = full ? 1.0f : (p == 0 ? 255.0f / 219.0f : 255.0f / 224.0f);
        float base = p == 0 ? 0.0f : 128.0f;
        for (int i = 0; i < NB; i++) {
            float v = cnt[i] ? (float)acc[i] / (float)cnt[i] : off;
            if (!full)
                v = (v - off) * gain + base;
            dst[p][i] = v < 0.0f ? 0.0f : (v > 255.0f ? 255.0f : v);
        }
    }
    return 0;
}

/* Soft chroma binning: bin centres with neutral grey (128) at the middle of
 * the centre bin; a value between two centres is shared between them. */
static void analyze_frame_cbin(float c, int *b0, float *w1)
{
    static const float centre[ANALYZE_FRAME_HC] = { 40.0f, 90.0f, 128.0f, 166.0f, 216.0f };
    if (c <= centre[0]) {
        *b0 = 0, *w1 = 0.0f;
        return;
    }
    for (int k = 0; k < ANALYZE_FRAME_HC - 1; k++) {
        if (c < centre[k + 1]) {
            *b0 = k;
            *w1 = (c - centre[k]) / (centre[k + 1] - centre[k]);
            return;
        }
    }
    *b0 = ANALYZE_FRAME_HC - 2, *w1 = 1.0f;
}

/* Histogram, statistics and colour signature of a filled grid. */
static void analyze_frame_stats(struct analyze_frame_grid *g, int bt709, struct analyze_fstat *st)
{
    float sig[ANALYZE_SIG];
    memset(g->hist, 0, sizeof g->hist);
    memset(sig, 0, sizeof sig);
    double sy = 0, syy = 0, srg = 0, srgg = 0, syb = 0, sybb = 0, ssat = 0;
    const float inv = 1.0f / NB;
    for (int i = 0; i < NB; i++) {
        float y = g->y[i], u = g->u[i] - 128.0f, v = g->v[i] - 128.0f;
        /* luma: soft binning so slow changes do not flip bins */
        float fy = y / 256.0f * ANALYZE_FRAME_HY - 0.5f;
        int y0 = (int)floorf(fy);
        float wy = fy - (float)y0;
        int y1 = y0 + 1;
        if (y0 < 0)
            y0 = 0;
        if (y1 > ANALYZE_FRAME_HY - 1)
            y1 = ANALYZE_FRAME_HY - 1;
        int u0, v0;
        float wu, wv;
        analyze_frame_cbin(g->u[i], &u0, &wu);
        analyze_frame_cbin(g->v[i], &v0, &wv);
        const int HC = ANALYZE_FRAME_HC;
        float wys[2] = { (1.0f - wy) * inv, wy * inv };
        int ys[2] = { y0, y1 };
        for (int a = 0; a < 2; a++) {
            float *h = g->hist + ys[a] * HC * HC;
            h[u0 * HC + v0] += wys[a] * (1.0f - wu) * (1.0f - wv);
            h[u0 * HC + v0 + 1] += wys[a] * (1.0f - wu) * wv;
            h[(u0 + 1) * HC + v0] += wys[a] * wu * (1.0f - wv);
            h[(u0 + 1) * HC + v0 + 1] += wys[a] * wu * wv;
        }
        int sb = (int)(y / 16.0f);
        sig[sb > 15 ? 15 : sb] += inv;
        int su = g->u[i] < 96.0f ? 0 : g->u[i] < 128.0f ? 1 : g->u[i] < 160.0f ? 2 : 3;
        int sv = g->v[i] < 96.0f ? 0 : g->v[i] < 128.0f ? 1 : g->v[i] < 160.0f ? 2 : 3;
        sig[16 + su * 4 + sv] += inv;

        float r, gg, b;
        if (bt709) {
            r = y + 1.5748f * v;
            gg = y - 0.1873f * u - 0.4681f * v;
            b = y + 1.8556f * u;
        } else {
            r = y + 1.402f * v;
            gg = y - 0.344136f * u - 0.714136f * v;
            b = y + 1.772f * u;
        }
        r = r < 0 ? 0 : (r > 255 ? 255 : r);
        gg = gg < 0 ? 0 : (gg > 255 ? 255 : gg);
        b = b < 0 ? 0 : (b > 255 ? 255 : b);
        float rg = r - gg, yb = 0.5f * (r + gg) - b;
        srg += rg, srgg += (double)rg * rg;
        syb += yb, sybb += (double)yb * yb;
        float mx = r > gg ? (r > b ? r : b) : (gg > b ? gg : b);
        float mn = r < gg ? (r < b ? r : b) : (gg < b ? gg : b);
        ssat += mx > 0.5f ? (mx - mn) / mx : 0.0f;
        sy += y, syy += (double)y * y;
    }
    double my = sy / NB;
    st->luma = (float)(my / 255.0);
    double vy = syy / NB - my * my;
    st->luma_sd = (float)(sqrt(vy > 0 ? vy : 0) / 255.0);
    double mrg = srg / NB, myb = syb / NB;
    double vrg = srgg / NB - mrg * mrg, vyb = sybb / NB - myb * myb;
    double M = sqrt((vrg > 0 ? vrg : 0) + (vyb > 0 ? vyb : 0)) + 0.3 * sqrt(mrg * mrg + myb * myb);
    st->colorful = (float)(M / 100.0);
    st->sat = (float)(ssat / NB);
    for (int i = 0; i < ANALYZE_SIG; i++) {
        float s = sig[i] * 127.0f + 0.5f;
        st->sig[i] = (uint8_t)(s > 255.0f ? 255.0f : s);
    }
}

static float analyze_frame_pix(const struct analyze_frame_grid *a,
                               const struct analyze_frame_grid *b)
{
    float s = 0.0f;
    for (int i = 0; i < NB; i++)
        s +=
            fabsf(a->y[i] - b->y[i]) + 0.5f * (fabsf(a->u[i] - b->u[i]) + fabsf(a->v[i] - b->v[i]));
    return s / (NB * 2.0f * 255.0f);
}

float analyze_frame_dist(const struct analyze_frame_grid *a, const struct analyze_frame_grid *b)
{
    float h = 0.0f;
    for (int i = 0; i < ANALYZE_FRAME_HB; i++)
        h += fabsf(a->hist[i] - b->hist[i]);
    float p = 4.0f * analyze_frame_pix(a, b);
    return 0.5f * (p > 1.0f ? 1.0f : p) + 0.25f * h;
}

static int analyze_frame_append(struct analyze_movie *m, char *errstr, size_t errstr_size)
{
    if (m->nf == m->capf) {
        size_t ncap = m->capf ? m->capf * 2 : 4096;
        struct analyze_fstat *f = realloc(m->f, ncap * sizeof *f);
        if (!f) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        m->f = f;
        m->capf = ncap;
    }
    memset(&m->f[m->nf], 0, sizeof m->f[m->nf]);
    m->nf++;
    return 0;
}

int analyze_frame_push(struct analyze_frame *af, const AVFrame *fr, double t,
                       struct analyze_movie *m, char *errstr, size_t errstr_size)
{
    struct analyze_frame_grid *g = &af->ring[af->count % ANALYZE_FRAME_RING];
    if (analyze_frame_grid_fill(af, fr, g, errstr, errstr_size) != 0)
        return -1;
    if (analyze_frame_append(m, errstr, errstr_size) != 0)
        return -1;
    struct analyze_fstat *st = &m->f[m->nf - 1];
    st->t = t;
    int bt709 = fr->colorspace == AVCOL_SPC_BT709 ||
                (fr->colorspace == AVCOL_SPC_UNSPECIFIED && fr->height >= 720);
    analyze_frame_stats(g, bt709, st);
    for (size_t n = 1; n <= ANALYZE_BACK; n++) {
        if (af->count >= n) {
            const struct analyze_frame_grid *p = &af->ring[(af->count - n) % ANALYZE_FRAME_RING];
            st->d[n - 1] = analyze_frame_dist(g, p);
        }
    }
    if (af->count >= 1) {
        const struct analyze_frame_grid *p = &af->ring[(af->count - 1) % ANALYZE_FRAME_RING];
        float s = 0.0f;
        for (int i = 0; i < NB; i++)
            s += fabsf(g->y[i] - p->y[i]);
        st->motion = s / (NB * 255.0f);
    }
    af->count++;
    return analyze_blend_test(af, m, errstr, errstr_size);
}
