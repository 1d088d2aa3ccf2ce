/* SPDX-License-Identifier: Apache-2.0 */
/* render_input.h -- open the source movie and seek in it. */
#ifndef RENDER_INPUT_H
#define RENDER_INPUT_H
#include "render.h"

/* With decoders (want_decoders) or for stream copy (streams only). */
int render_input_open(struct render_in *in, const char *path, int want_decoders, char *errstr,
                      size_t errstr_size);
/* Seek so that decoding starts at a keyframe at or before t (s on the
 * movie timeline) and flush the decoders. */
int render_input_seek(struct render_in *in, double t, char *errstr, size_t errstr_size);
/* Presentation time (s on the movie timeline) of a decoded frame. */
double render_input_frame_time(const struct render_in *in, int stream, const AVFrame *fr);
void render_input_close(struct render_in *in);

#endif
