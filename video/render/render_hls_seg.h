/* SPDX-License-Identifier: Apache-2.0 */
/* render_hls_seg.h -- one MPEG-TS segment of an HLS rendition: either the
 * source's packets copied (whole GOPs) or the frames of a part of a GOP
 * decoded and encoded again with the source's codec, so a cut point can
 * fall between two keyframes without re-encoding anything else. */
#ifndef RENDER_HLS_SEG_H
#define RENDER_HLS_SEG_H
#include "render.h"

/* What a segment holds: frames whose times t (s, movie timeline) satisfy
 * a - half <= t < b - half (half = half a frame); audio packets whose
 * middle is in [a, b).  A copy is the packets, in decoding order, from the
 * keyframe at ka up to the keyframe at kb; with open GOPs, pictures shown
 * before their keyframe (leading pictures) come after it in decoding
 * order, so a copy covers [a, b) = [leading pictures of ka, those of kb),
 * or starts at ka itself when drop_leading (the first copy of a range:
 * what comes before it is re-encoded). */
struct render_hls_seg {
    double a, b;
    int copy; /* 1: stream copy from the keyframe at ka; 0: re-encode */
    double ka, kb;
    int drop_leading;
};

struct render_hls_enc {
    int crf;
    const char *preset;
    double half;     /* half a frame, s */
    int64_t offset;  /* added to every timestamp (video stream time base) */
    int64_t *frames; /* out: video frames written */
};

/* Write segment sg of the source to path (a new file).  0, or -1 with the
 * reason in errstr. */
int render_hls_seg_write(struct render_in *in, const char *path, const struct render_hls_seg *sg,
                         const struct render_hls_enc *enc, char *errstr, size_t errstr_size);

/* 0 if MPEG-TS can carry the source's video (and audio) as they are; else
 * -1 and errstr says which codec cannot. */
int render_hls_seg_check(const struct render_in *in, char *errstr, size_t errstr_size);

#endif
