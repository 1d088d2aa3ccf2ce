/* SPDX-License-Identifier: Apache-2.0 */
/* render_video.h -- video side of re-encoding: convert to yuv420p, place
 * frames on the output timeline, crossfade between segments. */
#ifndef RENDER_VIDEO_H
#define RENDER_VIDEO_H
#include "render.h"

struct SwsContext;

struct render_video {
    struct render_out *out;
    struct SwsContext *sws;
    int w, h;
    AVFrame *conv;    /* current converted frame */
    int64_t last_pts; /* in the encoder time base */
    double xf;        /* crossfade length, s */
    /* crossfade: frames kept from the end of the previous segment (prev)
	 * and being kept from the end of this one (next) */
    AVFrame **prev, **next;
    double *prev_t, *next_t;
    size_t nprev, nnext, cap;
    double seg_out, seg_len; /* this segment on the output timeline */
    int blend_in, hold_out;
};

int render_video_init(struct render_video *rv, struct render_out *out, int w, int h, double xf,
                      double fps, char *errstr, size_t errstr_size);
void render_video_segment_begin(struct render_video *rv, double out_start, double len, int blend_in,
                                int hold_out);
/* A decoded source frame shown at output time tau (s). */
int render_video_frame(struct render_video *rv, const AVFrame *src, double tau, char *errstr,
                       size_t errstr_size);
void render_video_segment_end(struct render_video *rv);
void render_video_free(struct render_video *rv);

#endif
