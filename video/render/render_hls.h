/* SPDX-License-Identifier: Apache-2.0 */
/* render_hls.h -- recut-render --hls DIR and --hls-prepare DIR: an HLS
 * media playlist (index.m3u8) and MPEG-TS segments of kept ranges, plus
 * hls.json, the list recutd reads to assemble playlists of prepared scenes.
 * See recut-render(1). */
#ifndef RENDER_HLS_H
#define RENDER_HLS_H
#include "av_cut.h"
#include "render.h"

struct render_hls_opts {
    const char *dir;
    int prepare;        /* 1: every listed range apart (scenes for recutd) */
    double target;      /* longest run of copied GOPs in one segment, s */
    int crf;            /* libx264's crf for re-encoded parts */
    const char *preset; /* libx264's preset */
    int quiet;
};

/* Write dir (through a temp directory renamed at the end: a failure leaves
 * no dir).  *total: the playlist's duration, s; *copied and *encoded: video
 * frames copied and re-encoded. */
int render_hls_run(struct render_in *in, const struct av_cut *cut, const struct render_hls_opts *o,
                   double *total, long *copied, long *encoded, char *errstr, size_t errstr_size);

#endif
