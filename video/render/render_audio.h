/* SPDX-License-Identifier: Apache-2.0 */
/* render_audio.h -- audio side of re-encoding: sample-accurate trimming
 * by timestamps, conversion, silence for gaps, crossfades, AAC frames. */
#ifndef RENDER_AUDIO_H
#define RENDER_AUDIO_H
#include "render.h"

struct SwrContext;

struct render_audio {
    struct render_out *out;
    struct SwrContext *swr;
    int in_rate, out_rate, nch;
    int resampling;
    float **buf; /* planar output samples at positions [base, base + len) */
    size_t cap, len;
    int64_t base;
    float **tmp; /* conversion output */
    int tmp_cap;
    AVFrame *ef; /* encoder frame */
    /* current segment, in output samples */
    int64_t seg_start, seg_end, mix_end, emit_limit, wpos;
    int placed;       /* first samples of the segment placed */
    double src_start; /* segment start on the source timeline, s */
};

int render_audio_init(struct render_audio *ra, struct render_out *out, AVCodecContext *dec,
                      char *errstr, size_t errstr_size);
/* Output sample rate / layout to use for a decoder's audio. */
int render_audio_pick_rate(int in_rate);
void render_audio_pick_layout(const AVChannelLayout *in, AVChannelLayout *out);
/* Segment [src_start, src_end) of the source goes to output samples
 * [out_start, out_start + n); the first mix_in samples are crossfaded with
 * what the last segment kept, the last keep_out samples are kept. */
void render_audio_segment_begin(struct render_audio *ra, double src_start, int64_t out_start,
                                int64_t n, int64_t mix_in, int64_t keep_out);
int render_audio_frame(struct render_audio *ra, const AVFrame *fr, double ta, double src_end,
                       char *errstr, size_t errstr_size);
int render_audio_segment_end(struct render_audio *ra, char *errstr, size_t errstr_size);
/* Encode everything that is left. */
int render_audio_finish(struct render_audio *ra, char *errstr, size_t errstr_size);
void render_audio_free(struct render_audio *ra);

#endif
