/* SPDX-License-Identifier: Apache-2.0 */
/* render_input.c -- the source side of recut-render. */
#include "render_input.h"
#include "av_decoder.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int render_input_codec(struct render_in *in, int si, AVCodecContext **out, char *errstr,
                              size_t errstr_size)
{
    const AVStream *st = in->fmt->streams[si];
    /* video decodes on every core; audio on one */
    int threads = st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO ? 0 : 1;
    return av_decoder_open(st, threads, out, errstr, errstr_size);
}

int render_input_open(struct render_in *in, const char *path, int want_decoders, char *errstr,
                      size_t errstr_size)
{
    memset(in, 0, sizeof *in);
    in->vi = in->ai = -1;
    int ret = avformat_open_input(&in->fmt, path, NULL, NULL);
    if (ret < 0) {
        char e[128];
        av_strerror(ret, e, sizeof e);
        snprintf(errstr, errstr_size, "%s: cannot open the source: %s", path, e);
        return -1;
    }
    if (avformat_find_stream_info(in->fmt, NULL) < 0) {
        snprintf(errstr, errstr_size, "%s: cannot read stream information", path);
        return -1;
    }
    in->vi = av_decoder_video_stream(in->fmt);
    if (in->vi < 0 || strcmp(in->fmt->iformat->name, "tty") == 0) {
        snprintf(errstr, errstr_size, "%s: no video stream", path);
        return -1;
    }
    in->ai = av_find_best_stream(in->fmt, AVMEDIA_TYPE_AUDIO, -1, in->vi, NULL, 0);
    if (in->ai < 0)
        in->ai = -1;
    for (unsigned i = 0; i < in->fmt->nb_streams; i++)
        if ((int)i != in->vi && (int)i != in->ai)
            in->fmt->streams[i]->discard = AVDISCARD_ALL;
    in->t0 =
        in->fmt->start_time != AV_NOPTS_VALUE ? (double)in->fmt->start_time / AV_TIME_BASE : 0.0;
    AVStream *vs = in->fmt->streams[in->vi];
    if (in->fmt->duration != AV_NOPTS_VALUE && in->fmt->duration > 0)
        in->duration = (double)in->fmt->duration / AV_TIME_BASE;
    else if (vs->duration != AV_NOPTS_VALUE)
        in->duration = (double)vs->duration * av_q2d(vs->time_base);
    AVRational fr = vs->avg_frame_rate.num > 0 ? vs->avg_frame_rate : vs->r_frame_rate;
    in->fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 25.0;
    if (in->fps < 1.0 || in->fps > 1000.0)
        in->fps = 25.0;
    if (want_decoders) {
        char e[256];
        if (render_input_codec(in, in->vi, &in->vdec, e, sizeof e) != 0) {
            snprintf(errstr, errstr_size, "%s: %s", path, e);
            return -1;
        }
        if (in->ai >= 0 && render_input_codec(in, in->ai, &in->adec, e, sizeof e) != 0) {
            snprintf(errstr, errstr_size, "%s: %s", path, e);
            return -1;
        }
    }
    in->frame = av_frame_alloc();
    in->pkt = av_packet_alloc();
    if (!in->frame || !in->pkt) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}

int render_input_seek(struct render_in *in, double t, char *errstr, size_t errstr_size)
{
    AVStream *vs = in->fmt->streams[in->vi];
    double target = t + in->t0;
    if (target < 0)
        target = 0;
    int64_t ts = (int64_t)floor(target / av_q2d(vs->time_base));
    int ret = av_seek_frame(in->fmt, in->vi, ts, AVSEEK_FLAG_BACKWARD);
    if (ret < 0)
        ret = av_seek_frame(in->fmt, -1, (int64_t)(target * AV_TIME_BASE), AVSEEK_FLAG_BACKWARD);
    if (ret < 0) {
        char e[128];
        av_strerror(ret, e, sizeof e);
        snprintf(errstr, errstr_size, "cannot seek to %.3f s: %s", t, e);
        return -1;
    }
    if (in->vdec)
        avcodec_flush_buffers(in->vdec);
    if (in->adec)
        avcodec_flush_buffers(in->adec);
    return 0;
}

double render_input_frame_time(const struct render_in *in, int stream, const AVFrame *fr)
{
    int64_t ts = fr->best_effort_timestamp != AV_NOPTS_VALUE ? fr->best_effort_timestamp : fr->pts;
    if (ts == AV_NOPTS_VALUE)
        return NAN;
    return (double)ts * av_q2d(in->fmt->streams[stream]->time_base) - in->t0;
}

void render_input_close(struct render_in *in)
{
    avcodec_free_context(&in->vdec);
    avcodec_free_context(&in->adec);
    avformat_close_input(&in->fmt);
    av_frame_free(&in->frame);
    av_packet_free(&in->pkt);
}
