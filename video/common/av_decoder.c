/* SPDX-License-Identifier: Apache-2.0 */
/* av_decoder.c -- see av_decoder.h. */
#include "config.h"
#include "av_decoder.h"

#include <stdio.h>

int av_decoder_open(const AVStream *st, int threads, AVCodecContext **out, char *errstr,
                    size_t errstr_size)
{
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    if (!codec) {
        snprintf(errstr, errstr_size, "no decoder for %s",
                 avcodec_get_name(st->codecpar->codec_id));
        return -1;
    }
    AVCodecContext *c = avcodec_alloc_context3(codec);
    if (!c || avcodec_parameters_to_context(c, st->codecpar) < 0) {
        avcodec_free_context(&c);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    c->pkt_timebase = st->time_base;
    c->thread_count = threads;
    if (threads != 1)
        c->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    int ret = avcodec_open2(c, codec, NULL);
    if (ret < 0) {
        char e[128];
        av_strerror(ret, e, sizeof e);
        snprintf(errstr, errstr_size, "cannot open the %s decoder: %s", codec->name, e);
        avcodec_free_context(&c);
        return -1;
    }
    *out = c;
    return 0;
}

int av_decoder_video_stream(AVFormatContext *fmt)
{
    int best = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (best >= 0 && !(fmt->streams[best]->disposition & AV_DISPOSITION_ATTACHED_PIC))
        return best;
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVStream *st = fmt->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            !(st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            return (int)i;
    }
    return -1;
}
