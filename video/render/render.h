/* SPDX-License-Identifier: Apache-2.0 */
/* render.h -- shared state of recut-render: the source, the MP4 being
 * written and the options. */
#ifndef RENDER_H
#define RENDER_H
#include <stddef.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "av_outfile.h"

struct render_opts {
    double crossfade; /* seconds, 0 = hard joins */
    int copy;         /* stream copy, cut at keyframes */
    int quiet;
    int crf;
    const char *preset;
};

struct render_in {
    AVFormatContext *fmt;
    int vi, ai; /* stream indices, ai < 0 without audio */
    AVCodecContext *vdec, *adec;
    double t0;       /* container start time, s */
    double duration; /* s */
    double fps;      /* nominal frame rate */
    AVFrame *frame;
    AVPacket *pkt;
};

struct render_out {
    AVFormatContext *fmt;
    AVStream *vst, *ast;
    AVCodecContext *venc, *aenc;
    AVPacket *pkt;
    struct av_outfile file;
    int header_written;
};

#endif
