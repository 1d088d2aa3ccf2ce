/* SPDX-License-Identifier: Apache-2.0 */
/* render_output.h -- the MP4 being written: encoders (H.264 + AAC) or
 * copied stream parameters, the muxer, temp file + rename. */
#ifndef RENDER_OUTPUT_H
#define RENDER_OUTPUT_H
#include "render.h"

struct render_output_audio {
    int rate;
    AVChannelLayout layout;
};

/* Re-encoding output: video w x h (yuv420p) in the source stream's time
 * base; audio when a is not NULL. */
int render_output_open(struct render_out *o, const char *path, const struct render_in *in,
                       const struct render_opts *opt, int w, int h,
                       const struct render_output_audio *a, char *errstr, size_t errstr_size);
/* Stream copy output: the source's video (and audio) parameters. */
int render_output_open_copy(struct render_out *o, const char *path, const struct render_in *in,
                            char *errstr, size_t errstr_size);
/* Encode a frame (NULL drains the encoder) and mux its packets. */
int render_output_encode(struct render_out *o, int video, AVFrame *fr, char *errstr,
                         size_t errstr_size);
/* Mux a copied packet whose timestamps are already in the output stream's
 * time base. */
int render_output_packet(struct render_out *o, AVPacket *pkt, char *errstr, size_t errstr_size);
/* Drain encoders, write the trailer, rename the temp file into place. */
int render_output_finish(struct render_out *o, char *errstr, size_t errstr_size);
/* Drop everything and delete the temp file. */
void render_output_abort(struct render_out *o);

#endif
