/* SPDX-License-Identifier: Apache-2.0 */
/* render_audio.c -- audio for the re-encoded output.
 *
 * Each decoded frame is cut to the samples inside the segment using its
 * timestamp, converted (and resampled only when AAC cannot take the source
 * rate), and written at the output position its timestamp gives: gaps
 * become silence, overlaps are dropped, and every segment ends with exactly
 * round(end * rate) - round(start * rate) samples, so the audio cannot drift
 * from the video.  A crossfade mixes the overlapping samples with
 * equal-power gains. */
#include "render_audio.h"
#include "render_output.h"

#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int render_audio_pick_rate(int in_rate)
{
    static const int ok[] = { 96000, 88200, 64000, 48000, 44100, 32000,
                              24000, 22050, 16000, 12000, 11025, 8000 };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (ok[i] == in_rate)
            return in_rate;
    return 48000;
}

void render_audio_pick_layout(const AVChannelLayout *in, AVChannelLayout *out)
{
    if (in->nb_channels == 1)
        av_channel_layout_default(out, 1);
    else
        av_channel_layout_default(out, 2);
}

int render_audio_init(struct render_audio *ra, struct render_out *out, AVCodecContext *dec,
                      char *errstr, size_t errstr_size)
{
    memset(ra, 0, sizeof *ra);
    ra->out = out;
    ra->in_rate = dec->sample_rate;
    ra->out_rate = out->aenc->sample_rate;
    ra->nch = out->aenc->ch_layout.nb_channels;
    ra->resampling = ra->in_rate != ra->out_rate;
    int ret = swr_alloc_set_opts2(&ra->swr, &out->aenc->ch_layout, AV_SAMPLE_FMT_FLTP, ra->out_rate,
                                  &dec->ch_layout, dec->sample_fmt, ra->in_rate, 0, NULL);
    if (ret < 0 || swr_init(ra->swr) < 0) {
        snprintf(errstr, errstr_size, "cannot convert the source audio");
        return -1;
    }
    ra->buf = calloc((size_t)ra->nch, sizeof *ra->buf);
    ra->tmp = calloc((size_t)ra->nch, sizeof *ra->tmp);
    ra->ef = av_frame_alloc();
    if (!ra->buf || !ra->tmp || !ra->ef) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    ra->ef->format = AV_SAMPLE_FMT_FLTP;
    ra->ef->sample_rate = ra->out_rate;
    av_channel_layout_copy(&ra->ef->ch_layout, &out->aenc->ch_layout);
    return 0;
}

static int render_audio_reserve(struct render_audio *ra, size_t need)
{
    if (need <= ra->cap)
        return 0;
    size_t ncap = ra->cap ? ra->cap : 16384;
    while (ncap < need)
        ncap *= 2;
    for (int c = 0; c < ra->nch; c++) {
        float *b = realloc(ra->buf[c], ncap * sizeof *b);
        if (!b)
            return -1;
        ra->buf[c] = b;
    }
    ra->cap = ncap;
    return 0;
}

/* Encode whole frames (and with final, the rest) below limit. */
static int render_audio_emit(struct render_audio *ra, int64_t limit, int final, char *errstr,
                             size_t errstr_size)
{
    int fs = ra->out->aenc->frame_size > 0 ? ra->out->aenc->frame_size : 1024;
    for (;;) {
        int64_t avail = limit - ra->base;
        if (avail > (int64_t)ra->len)
            avail = (int64_t)ra->len;
        int n = avail >= fs ? fs : (final && avail > 0 ? (int)avail : 0);
        if (n == 0)
            return 0;
        av_frame_unref(ra->ef);
        ra->ef->format = AV_SAMPLE_FMT_FLTP;
        ra->ef->sample_rate = ra->out_rate;
        av_channel_layout_copy(&ra->ef->ch_layout, &ra->out->aenc->ch_layout);
        ra->ef->nb_samples = n;
        if (av_frame_get_buffer(ra->ef, 0) < 0) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        for (int c = 0; c < ra->nch; c++) {
            memcpy(ra->ef->extended_data[c], ra->buf[c], (size_t)n * sizeof(float));
            memmove(ra->buf[c], ra->buf[c] + n, (ra->len - (size_t)n) * sizeof(float));
        }
        ra->ef->pts = ra->base;
        ra->base += n;
        ra->len -= (size_t)n;
        if (render_output_encode(ra->out, 0, ra->ef, errstr, errstr_size) != 0)
            return -1;
    }
}

/* Write n samples (src NULL: silence) at the segment's write position. */
static int render_audio_put(struct render_audio *ra, float *const *src, int64_t n)
{
    if (ra->wpos + n > ra->seg_end)
        n = ra->seg_end - ra->wpos;
    if (n <= 0)
        return 0;
    int64_t end = ra->wpos + n;
    if (render_audio_reserve(ra, (size_t)(end - ra->base)) != 0)
        return -1;
    int64_t have = ra->base + (int64_t)ra->len;
    double mix_len = (double)(ra->mix_end - ra->seg_start);
    for (int64_t i = 0; i < n; i++) {
        int64_t p = ra->wpos + i;
        size_t k = (size_t)(p - ra->base);
        for (int c = 0; c < ra->nch; c++) {
            float s = src ? src[c][i] : 0.0f;
            if (p < have) {
                /* overlap with the kept end of the last segment */
                double u = p < ra->mix_end ? ((double)(p - ra->seg_start) + 0.5) / mix_len : 1.0;
                float ga = (float)cos(u * M_PI / 2), gb = (float)sin(u * M_PI / 2);
                ra->buf[c][k] = ra->buf[c][k] * ga + s * gb;
            } else {
                ra->buf[c][k] = s;
            }
        }
    }
    if (end > have)
        ra->len = (size_t)(end - ra->base);
    ra->wpos = end;
    return 0;
}

void render_audio_segment_begin(struct render_audio *ra, double src_start, int64_t out_start,
                                int64_t n, int64_t mix_in, int64_t keep_out)
{
    ra->src_start = src_start;
    ra->seg_start = out_start;
    ra->seg_end = out_start + n;
    ra->mix_end = out_start + mix_in;
    ra->emit_limit = ra->seg_end - keep_out;
    ra->wpos = out_start;
    ra->placed = 0;
    if (ra->resampling) {
        swr_close(ra->swr);
        swr_init(ra->swr);
    }
}

static int render_audio_convert(struct render_audio *ra, const uint8_t **in, int n)
{
    int need = (int)swr_get_out_samples(ra->swr, n) + 16;
    if (need > ra->tmp_cap) {
        for (int c = 0; c < ra->nch; c++) {
            float *t = realloc(ra->tmp[c], (size_t)need * sizeof *t);
            if (!t)
                return -1;
            ra->tmp[c] = t;
        }
        ra->tmp_cap = need;
    }
    return swr_convert(ra->swr, (uint8_t **)ra->tmp, ra->tmp_cap, in, n);
}

int render_audio_frame(struct render_audio *ra, const AVFrame *fr, double ta, double src_end,
                       char *errstr, size_t errstr_size)
{
    int n = fr->nb_samples;
    int64_t i0 = llround((ra->src_start - ta) * ra->in_rate);
    int64_t i1 = llround((src_end - ta) * ra->in_rate);
    if (i0 < 0)
        i0 = 0;
    if (i1 > n)
        i1 = n;
    if (i1 <= i0)
        return 0;
    /* pointers to sample i0 */
    const uint8_t *in[64];
    int planar = av_sample_fmt_is_planar(fr->format);
    int bps = av_get_bytes_per_sample(fr->format);
    int ich = fr->ch_layout.nb_channels;
    if (ich > 64 || ich <= 0)
        return 0;
    for (int c = 0; c < (planar ? ich : 1); c++)
        in[c] = fr->extended_data[c] + (size_t)i0 * (size_t)bps * (size_t)(planar ? 1 : ich);
    int m = render_audio_convert(ra, in, (int)(i1 - i0));
    if (m < 0) {
        snprintf(errstr, errstr_size, "audio conversion failed");
        return -1;
    }
    /* where these samples belong; follow the timestamps except for
	 * jitter, and only for the first block when resampling */
    int64_t pos =
        ra->seg_start + llround((ta + (double)i0 / ra->in_rate - ra->src_start) * ra->out_rate);
    if (!ra->placed || (!ra->resampling && llabs(pos - ra->wpos) > 1)) {
        if (pos > ra->wpos && render_audio_put(ra, NULL, pos - ra->wpos) != 0)
            goto oom;
        ra->placed = 1;
    } else {
        pos = ra->wpos;
    }
    int64_t skip = ra->wpos - pos;
    if (skip < 0)
        skip = 0;
    if (skip < m) {
        float *shifted[64];
        for (int c = 0; c < ra->nch; c++)
            shifted[c] = ra->tmp[c] + skip;
        if (render_audio_put(ra, shifted, m - skip) != 0)
            goto oom;
    }
    /* never past the write position: beyond it may lie kept samples
	 * still waiting for their crossfade */
    return render_audio_emit(ra, ra->wpos < ra->emit_limit ? ra->wpos : ra->emit_limit, 0, errstr,
                             errstr_size);
oom:
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
}

int render_audio_segment_end(struct render_audio *ra, char *errstr, size_t errstr_size)
{
    if (ra->resampling && ra->placed) {
        int m = render_audio_convert(ra, NULL, 0);
        if (m > 0 && render_audio_put(ra, ra->tmp, m) != 0)
            goto oom;
    }
    if (ra->wpos < ra->seg_end && render_audio_put(ra, NULL, ra->seg_end - ra->wpos) != 0)
        goto oom;
    return render_audio_emit(ra, ra->emit_limit, 0, errstr, errstr_size);
oom:
    snprintf(errstr, errstr_size, "out of memory");
    return -1;
}

int render_audio_finish(struct render_audio *ra, char *errstr, size_t errstr_size)
{
    return render_audio_emit(ra, ra->base + (int64_t)ra->len, 1, errstr, errstr_size);
}

void render_audio_free(struct render_audio *ra)
{
    swr_free(&ra->swr);
    for (int c = 0; c < ra->nch; c++) {
        if (ra->buf)
            free(ra->buf[c]);
        if (ra->tmp)
            free(ra->tmp[c]);
    }
    free(ra->buf);
    free(ra->tmp);
    av_frame_free(&ra->ef);
    memset(ra, 0, sizeof *ra);
}
