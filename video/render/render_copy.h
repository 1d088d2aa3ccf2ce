/* SPDX-License-Identifier: Apache-2.0 */
/* render_copy.h -- recut-render --copy: stream copy, cut at keyframes. */
#ifndef RENDER_COPY_H
#define RENDER_COPY_H
#include "av_cut.h"
#include "render.h"

/* Each segment starts at the keyframe at or before its start and ends just
 * before the first keyframe at or after its end (nothing listed is lost;
 * up to one GOP more on each side).  *total gets the output duration. */
int render_copy_run(struct render_in *in, struct render_out *out, const struct av_cut *cut,
                    int quiet, double *total, char *errstr, size_t errstr_size);

#endif
