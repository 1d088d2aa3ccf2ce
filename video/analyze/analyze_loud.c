/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_loud.c -- gated loudness after ITU-R BS.1770 with libavfilter's
 * ebur128 filter doing the metering (K-weighting, channel weights, the
 * 400 ms momentary loudness), so that recut-analyze agrees with
 * `ffmpeg -af ebur128` by construction rather than by a second copy of
 * the filters.  The audio is cut into 100 ms frames (asetnsamples); the
 * momentary loudness ebur128 attaches to each is that of the 400 ms block
 * ending with it, i.e. one block per slot with 75 % overlap, and its mean
 * square is kept per slot.  A span's loudness gates those blocks: below
 * -70 LUFS dropped, then those more than 10 LU below the rest. */
#include "analyze_loud.h"

#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/frame.h>
#include <libavutil/opt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANALYZE_LOUD_FLOOR (-70.0)

int analyze_loud_init(struct analyze_loud *l, int rate, const AVChannelLayout *layout, char *errstr,
                      size_t errstr_size)
{
    memset(l, 0, sizeof *l);
    if (rate <= 0 || layout->nb_channels <= 0) {
        snprintf(errstr, errstr_size, "audio: bad sample rate or channel count");
        return -1;
    }
    l->rate = rate;
    l->nch = layout->nb_channels;
    l->slot_len = rate / 10 > 0 ? rate / 10 : 1;
    char desc[128] = "";
    /* a native layout tells ebur128 which channels are surround or LFE;
     * unspecified or custom orders are metered as the default layout */
    if (layout->order == AV_CHANNEL_ORDER_NATIVE) {
        if (av_channel_layout_copy(&l->layout, layout) < 0)
            goto fail;
    } else {
        av_channel_layout_default(&l->layout, layout->nb_channels);
    }
    if (av_channel_layout_describe(&l->layout, desc, sizeof desc) < 0)
        goto fail;
    char args[256], chain[64];
    snprintf(args, sizeof args, "sample_rate=%d:sample_fmt=fltp:channel_layout=%s:time_base=1/%d",
             rate, desc, rate);
    snprintf(chain, sizeof chain, "asetnsamples=n=%d:p=0,ebur128=metadata=1", l->slot_len);
    l->graph = avfilter_graph_alloc();
    if (!l->graph)
        goto fail;
    AVFilterInOut *in = NULL, *out = NULL;
    if (avfilter_graph_create_filter(&l->src, avfilter_get_by_name("abuffer"), "in", args, NULL,
                                     l->graph) < 0 ||
        avfilter_graph_create_filter(&l->sink, avfilter_get_by_name("abuffersink"), "out", NULL,
                                     NULL, l->graph) < 0 ||
        !(in = avfilter_inout_alloc()) || !(out = avfilter_inout_alloc())) {
        avfilter_inout_free(&in);
        avfilter_inout_free(&out);
        goto fail;
    }
    out->name = av_strdup("in");
    out->filter_ctx = l->src;
    in->name = av_strdup("out");
    in->filter_ctx = l->sink;
    int ret = avfilter_graph_parse_ptr(l->graph, chain, &in, &out, NULL);
    avfilter_inout_free(&in);
    avfilter_inout_free(&out);
    if (ret < 0 || avfilter_graph_config(l->graph, NULL) < 0)
        goto fail;
    l->in = av_frame_alloc();
    l->out = av_frame_alloc();
    if (!l->in || !l->out)
        goto fail;
    return 0;
fail:
    snprintf(errstr, errstr_size, "audio: cannot set up the ebur128 filter for %d Hz, %s", rate,
             desc);
    analyze_loud_free(l);
    return -1;
}

void analyze_loud_free(struct analyze_loud *l)
{
    avfilter_graph_free(&l->graph);
    av_frame_free(&l->in);
    av_frame_free(&l->out);
    av_channel_layout_uninit(&l->layout);
    memset(l, 0, sizeof *l);
}

static int analyze_loud_reserve(struct analyze_movie *m, size_t slots, char *errstr,
                                size_t errstr_size)
{
    if (slots <= m->capslot)
        return 0;
    size_t ncap = m->capslot ? m->capslot : 1024;
    while (ncap < slots)
        ncap *= 2;
    double *s = realloc(m->loud_sum, ncap * sizeof *s);
    if (!s)
        goto oom;
    m->loud_sum = s;
    uint32_t *c = realloc(m->loud_cnt, ncap * sizeof *c);
    if (!c)
        goto oom;
    m->loud_cnt = c;
    memset(m->loud_sum + m->capslot, 0, (ncap - m->capslot) * sizeof *s);
    memset(m->loud_cnt + m->capslot, 0, (ncap - m->capslot) * sizeof *c);
    m->capslot = ncap;
    return 0;
oom:
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
}

/* Takes every metered frame out of the graph: the momentary loudness of the
 * 400 ms block ending with a frame, kept as the mean square of the block
 * starting at the slot nearest its start. */
static int analyze_loud_pull(struct analyze_loud *l, struct analyze_movie *m, char *errstr,
                             size_t errstr_size)
{
    for (;;) {
        int ret = av_buffersink_get_frame(l->sink, l->out);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0) {
            snprintf(errstr, errstr_size, "audio: ebur128 failed");
            return -1;
        }
        /* the block is the 400 ms ending with this frame */
        int64_t end = l->out->pts + l->out->nb_samples;
        AVDictionaryEntry *e = av_dict_get(l->out->metadata, "lavfi.r128.M", NULL, 0);
        double M = e ? strtod(e->value, NULL) : -INFINITY;
        int has_pts = l->out->pts != AV_NOPTS_VALUE;
        av_frame_unref(l->out);
        if (!has_pts)
            continue;
        int64_t start = llround((double)(end - 4 * (int64_t)l->slot_len) / l->slot_len);
        if (start < 0 || start > 100000000)
            continue; /* the first blocks are not 400 ms long yet */
        size_t k = (size_t)start;
        if (analyze_loud_reserve(m, k + 4, errstr, errstr_size) != 0)
            return -1;
        if (k + 4 > m->nslot)
            m->nslot = k + 4;
        if (m->loud_cnt[k])
            continue; /* a short last frame: keep the full block */
        m->loud_sum[k] = isfinite(M) ? pow(10.0, (M + 0.691) / 10.0) : 0.0;
        m->loud_cnt[k] = 1;
    }
}

int analyze_loud_push(struct analyze_loud *l, const float *const *planes, int n, double t,
                      struct analyze_movie *m, char *errstr, size_t errstr_size)
{
    int64_t p = llround(t * l->rate);
    /* follow the timestamps, but ignore jitter below 10 ms */
    if (!l->have_pos || llabs(p - l->pos) > l->rate / 100) {
        l->pos = p;
        l->have_pos = 1;
    }
    int64_t first = l->pos;
    l->pos += n;
    if (first + n <= 0)
        return 0;
    AVFrame *f = l->in;
    f->format = AV_SAMPLE_FMT_FLTP;
    f->sample_rate = l->rate;
    f->nb_samples = n;
    f->pts = first;
    if (av_channel_layout_copy(&f->ch_layout, &l->layout) < 0 || av_frame_get_buffer(f, 0) < 0) {
        av_frame_unref(f);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (int c = 0; c < l->nch; c++)
        memcpy(f->extended_data[c], planes[c], (size_t)n * sizeof(float));
    int ret = av_buffersrc_add_frame_flags(l->src, f, AV_BUFFERSRC_FLAG_PUSH);
    av_frame_unref(f);
    if (ret < 0) {
        snprintf(errstr, errstr_size, "audio: ebur128 refused a frame");
        return -1;
    }
    return analyze_loud_pull(l, m, errstr, errstr_size);
}

int analyze_loud_finish(struct analyze_loud *l, struct analyze_movie *m, char *errstr,
                        size_t errstr_size)
{
    if (!l->graph || av_buffersrc_add_frame_flags(l->src, NULL, 0) < 0)
        return 0;
    return analyze_loud_pull(l, m, errstr, errstr_size);
}

static double analyze_loud_lufs(double z)
{
    return z > 0.0 ? -0.691 + 10.0 * log10(z) : -INFINITY;
}

/* Mean square of the 400 ms block at slot k; -1 when the block lacks audio. */
static double analyze_loud_block(const struct analyze_movie *m, size_t k)
{
    if (k + 4 > m->nslot || m->loud_cnt[k] == 0)
        return -1.0;
    return m->loud_sum[k];
}

double analyze_loud_momentary(const struct analyze_movie *m, size_t k)
{
    double z = analyze_loud_block(m, k);
    double L = z >= 0.0 ? analyze_loud_lufs(z) : ANALYZE_LOUD_FLOOR;
    return L < ANALYZE_LOUD_FLOOR ? ANALYZE_LOUD_FLOOR : L;
}

/* Mean square of the block at slot k within span [k0, k1); a span shorter
 * than a block gets the one block that starts with it. */
static double analyze_loud_span_block(const struct analyze_movie *m, size_t k, size_t k0, size_t k1)
{
    if (k + 4 <= k1 || k == k0)
        return analyze_loud_block(m, k);
    return -1.0;
}

/* The blocks of slots k0..k1 at or above gate (LUFS): their number, the sum
 * of their mean squares, of their loudness and of its square. */
static size_t analyze_loud_blocks(const struct analyze_movie *m, size_t k0, size_t k1, double gate,
                                  double *sum_z, double *sum_l, double *sum_ll)
{
    size_t n = 0;
    *sum_z = *sum_l = *sum_ll = 0.0;
    for (size_t k = k0; k == k0 || k + 4 <= k1; k++) {
        double z = analyze_loud_span_block(m, k, k0, k1);
        if (z < 0.0)
            continue;
        double L = analyze_loud_lufs(z);
        if (L < gate)
            continue;
        *sum_z += z, *sum_l += L, *sum_ll += L * L, n++;
    }
    return n;
}

double analyze_loud_span(const struct analyze_movie *m, double t0, double t1, double *var)
{
    *var = 0.0;
    if (!m->has_audio || m->nslot == 0)
        return ANALYZE_LOUD_FLOOR;
    size_t k0 = t0 > 0 ? (size_t)floor(t0 / ANALYZE_SLOT + 0.5) : 0;
    size_t k1 = t1 > 0 ? (size_t)floor(t1 / ANALYZE_SLOT + 0.5) : 0;
    if (k1 > m->nslot)
        k1 = m->nslot;
    if (k1 <= k0)
        return ANALYZE_LOUD_FLOOR;
    double sum_z, sum_l, sum_ll;
    size_t nb = analyze_loud_blocks(m, k0, k1, ANALYZE_LOUD_FLOOR, &sum_z, &sum_l, &sum_ll);
    if (nb == 0)
        return ANALYZE_LOUD_FLOOR;
    double mean_l = sum_l / (double)nb;
    double v = sum_ll / (double)nb - mean_l * mean_l;
    *var = v > 0 ? sqrt(v) : 0.0;
    double gate = analyze_loud_lufs(sum_z / (double)nb) - 10.0;
    double gz, gl, gll;
    size_t gn = analyze_loud_blocks(
        m, k0, k1, gate > ANALYZE_LOUD_FLOOR ? gate : ANALYZE_LOUD_FLOOR, &gz, &gl, &gll);
    double L = gn ? analyze_loud_lufs(gz / (double)gn) : ANALYZE_LOUD_FLOOR;
    return L < ANALYZE_LOUD_FLOOR ? ANALYZE_LOUD_FLOOR : L;
}
