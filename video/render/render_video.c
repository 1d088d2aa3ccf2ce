/* SPDX-License-Identifier: Apache-2.0 */
/* render_video.c -- frames to the H.264 encoder.
 *
 * With a crossfade of X seconds, the frames of the last X seconds of a
 * segment are kept instead of encoded; the first X seconds of the next
 * segment (which the output timeline overlaps with them) are blended with
 * the kept frame nearest in time, the weight of the new segment rising
 * linearly from 0 to 1. */
#include "render_video.h"
#include "render_output.h"

#include <libswscale/swscale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int render_video_init(struct render_video *rv, struct render_out *out, int w, int h, double xf,
                      double fps, char *errstr, size_t errstr_size)
{
    memset(rv, 0, sizeof *rv);
    rv->out = out;
    rv->w = w;
    rv->h = h;
    rv->xf = xf;
    rv->last_pts = INT64_MIN;
    rv->conv = av_frame_alloc();
    if (xf > 0) {
        rv->cap = (size_t)ceil(xf * fps * 1.5) + 8;
        rv->prev = calloc(rv->cap, sizeof *rv->prev);
        rv->next = calloc(rv->cap, sizeof *rv->next);
        rv->prev_t = calloc(rv->cap, sizeof *rv->prev_t);
        rv->next_t = calloc(rv->cap, sizeof *rv->next_t);
        if (!rv->prev || !rv->next || !rv->prev_t || !rv->next_t)
            goto oom;
    }
    if (!rv->conv)
        goto oom;
    rv->conv->format = AV_PIX_FMT_YUV420P;
    rv->conv->width = w;
    rv->conv->height = h;
    if (av_frame_get_buffer(rv->conv, 0) < 0)
        goto oom;
    return 0;
oom:
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
}

static void render_video_drop(AVFrame **v, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        av_frame_free(&v[i]);
    *n = 0;
}

void render_video_segment_begin(struct render_video *rv, double out_start, double len, int blend_in,
                                int hold_out)
{
    /* what the last segment kept becomes the blend source */
    render_video_drop(rv->prev, &rv->nprev);
    AVFrame **f = rv->prev;
    double *t = rv->prev_t;
    rv->prev = rv->next, rv->prev_t = rv->next_t, rv->nprev = rv->nnext;
    rv->next = f, rv->next_t = t, rv->nnext = 0;
    rv->seg_out = out_start;
    rv->seg_len = len;
    rv->blend_in = blend_in && rv->xf > 0 && rv->nprev > 0;
    rv->hold_out = hold_out && rv->xf > 0;
}

static void render_video_blend(AVFrame *dst, const AVFrame *a, double g)
{
    int wb = (int)lround(g * 256.0);
    if (wb < 0)
        wb = 0;
    if (wb > 256)
        wb = 256;
    int wa = 256 - wb;
    for (int p = 0; p < 3; p++) {
        int pw = p ? (dst->width + 1) / 2 : dst->width;
        int ph = p ? (dst->height + 1) / 2 : dst->height;
        for (int y = 0; y < ph; y++) {
            uint8_t *d = dst->data[p] + (ptrdiff_t)y * dst->linesize[p];
            const uint8_t *s = a->data[p] + (ptrdiff_t)y * a->linesize[p];
            for (int x = 0; x < pw; x++)
                d[x] = (uint8_t)((s[x] * wa + d[x] * wb + 128) >> 8);
        }
    }
}

int render_video_frame(struct render_video *rv, const AVFrame *src, double tau, char *errstr,
                       size_t errstr_size)
{
    if (av_frame_make_writable(rv->conv) < 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    rv->sws = sws_getCachedContext(rv->sws, src->width, src->height, src->format, rv->w, rv->h,
                                   AV_PIX_FMT_YUV420P, SWS_BICUBIC, NULL, NULL, NULL);
    if (!rv->sws) {
        snprintf(errstr, errstr_size, "cannot convert the video frames");
        return -1;
    }
    sws_scale(rv->sws, (const uint8_t *const *)src->data, src->linesize, 0, src->height,
              rv->conv->data, rv->conv->linesize);
    if (rv->blend_in && tau < rv->seg_out + rv->xf) {
        size_t best = 0;
        for (size_t i = 1; i < rv->nprev; i++)
            if (fabs(rv->prev_t[i] - tau) < fabs(rv->prev_t[best] - tau))
                best = i;
        render_video_blend(rv->conv, rv->prev[best], (tau - rv->seg_out) / rv->xf);
    }
    if (rv->hold_out && tau >= rv->seg_out + rv->seg_len - rv->xf - 1e-9 && rv->nnext < rv->cap) {
        rv->next[rv->nnext] = av_frame_clone(rv->conv);
        if (!rv->next[rv->nnext]) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        rv->next_t[rv->nnext++] = tau;
        return 0;
    }
    AVRational tb = rv->out->venc->time_base;
    int64_t pts = llround(tau / av_q2d(tb));
    if (pts <= rv->last_pts)
        pts = rv->last_pts + 1;
    rv->last_pts = pts;
    rv->conv->pts = pts;
    rv->conv->pict_type = AV_PICTURE_TYPE_NONE;
    return render_output_encode(rv->out, 1, rv->conv, errstr, errstr_size);
}

void render_video_segment_end(struct render_video *rv)
{
    (void)rv;
}

void render_video_free(struct render_video *rv)
{
    render_video_drop(rv->prev, &rv->nprev);
    render_video_drop(rv->next, &rv->nnext);
    free(rv->prev);
    free(rv->next);
    free(rv->prev_t);
    free(rv->next_t);
    av_frame_free(&rv->conv);
    sws_freeContext(rv->sws);
    memset(rv, 0, sizeof *rv);
}
