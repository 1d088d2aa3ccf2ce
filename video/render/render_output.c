/* SPDX-License-Identifier: Apache-2.0 */
/* render_output.c -- the MP4 side of recut-render. */
#include "render_output.h"

#include <libavutil/opt.h>
#include <stdio.h>
#include <string.h>

static void render_output_err(char *errstr, size_t errstr_size, const char *what, int ret)
{
    char e[128];
    av_strerror(ret, e, sizeof e);
    snprintf(errstr, errstr_size, "%s: %s", what, e);
}

static int render_output_container(struct render_out *o, const char *path, char *errstr,
                                   size_t errstr_size)
{
    memset(o, 0, sizeof *o);
    if (av_outfile_open(&o->file, path, 0, errstr, errstr_size) != 0)
        return -1;
    if (o->file.direct) {
        snprintf(errstr, errstr_size, "%s: MP4 needs a regular (seekable) output file", path);
        return -1;
    }
    int ret = avformat_alloc_output_context2(&o->fmt, NULL, "mp4", o->file.tmp);
    if (ret < 0 || !o->fmt) {
        render_output_err(errstr, errstr_size, "cannot create the MP4 muxer", ret);
        return -1;
    }
    o->pkt = av_packet_alloc();
    if (!o->pkt) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}

static void render_output_rotation(AVStream *dst, const AVStream *src)
{
    size_t size = 0;
    const uint8_t *sd = av_stream_get_side_data(src, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (!sd || size < 36)
        return;
    uint8_t *d = av_stream_new_side_data(dst, AV_PKT_DATA_DISPLAYMATRIX, size);
    if (d)
        memcpy(d, sd, size);
}

static int render_output_start(struct render_out *o, char *errstr, size_t errstr_size)
{
    int ret = avio_open(&o->fmt->pb, o->file.tmp, AVIO_FLAG_WRITE);
    if (ret < 0) {
        render_output_err(errstr, errstr_size, o->file.final, ret);
        return -1;
    }
    AVDictionary *mo = NULL;
    av_dict_set(&mo, "movflags", "+faststart", 0);
    ret = avformat_write_header(o->fmt, &mo);
    av_dict_free(&mo);
    if (ret < 0) {
        render_output_err(errstr, errstr_size, "cannot write the MP4 header", ret);
        return -1;
    }
    o->header_written = 1;
    return 0;
}

int render_output_open(struct render_out *o, const char *path, const struct render_in *in,
                       const struct render_opts *opt, int w, int h,
                       const struct render_output_audio *a, char *errstr, size_t errstr_size)
{
    if (render_output_container(o, path, errstr, errstr_size) != 0)
        return -1;
    const AVStream *vs = in->fmt->streams[in->vi];
    const AVCodec *vc = avcodec_find_encoder_by_name("libx264");
    if (!vc)
        vc = avcodec_find_encoder(AV_CODEC_ID_H264);
    if (!vc) {
        snprintf(errstr, errstr_size, "no H.264 encoder in this FFmpeg build");
        return -1;
    }
    o->venc = avcodec_alloc_context3(vc);
    o->vst = avformat_new_stream(o->fmt, NULL);
    if (!o->venc || !o->vst) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    o->venc->width = w;
    o->venc->height = h;
    o->venc->pix_fmt = AV_PIX_FMT_YUV420P;
    o->venc->time_base = vs->time_base;
    AVRational fr = vs->avg_frame_rate.num > 0 ? vs->avg_frame_rate : vs->r_frame_rate;
    if (fr.num > 0 && fr.den > 0)
        o->venc->framerate = fr;
    o->venc->sample_aspect_ratio = vs->codecpar->sample_aspect_ratio;
    o->venc->color_primaries = vs->codecpar->color_primaries;
    o->venc->color_trc = vs->codecpar->color_trc;
    o->venc->colorspace = vs->codecpar->color_space;
    o->venc->color_range = AVCOL_RANGE_MPEG;
    o->venc->thread_count = 0;
    if (o->fmt->oformat->flags & AVFMT_GLOBALHEADER)
        o->venc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary *vo = NULL;
    if (strcmp(vc->name, "libx264") == 0) {
        char crf[16];
        snprintf(crf, sizeof crf, "%d", opt->crf);
        av_dict_set(&vo, "preset", opt->preset, 0);
        av_dict_set(&vo, "crf", crf, 0);
    }
    int ret = avcodec_open2(o->venc, vc, &vo);
    av_dict_free(&vo);
    if (ret < 0) {
        render_output_err(errstr, errstr_size, "cannot open the H.264 encoder", ret);
        return -1;
    }
    avcodec_parameters_from_context(o->vst->codecpar, o->venc);
    o->vst->time_base = o->venc->time_base;
    o->vst->avg_frame_rate = o->venc->framerate;
    render_output_rotation(o->vst, vs);
    if (a) {
        const AVCodec *ac = avcodec_find_encoder(AV_CODEC_ID_AAC);
        if (!ac) {
            snprintf(errstr, errstr_size, "no AAC encoder in this FFmpeg build");
            return -1;
        }
        o->aenc = avcodec_alloc_context3(ac);
        o->ast = avformat_new_stream(o->fmt, NULL);
        if (!o->aenc || !o->ast) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        o->aenc->sample_fmt = AV_SAMPLE_FMT_FLTP;
        o->aenc->sample_rate = a->rate;
        av_channel_layout_copy(&o->aenc->ch_layout, &a->layout);
        o->aenc->bit_rate = 64000L * a->layout.nb_channels;
        o->aenc->time_base = (AVRational){ 1, a->rate };
        if (o->fmt->oformat->flags & AVFMT_GLOBALHEADER)
            o->aenc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
        ret = avcodec_open2(o->aenc, ac, NULL);
        if (ret < 0) {
            render_output_err(errstr, errstr_size, "cannot open the AAC encoder", ret);
            return -1;
        }
        avcodec_parameters_from_context(o->ast->codecpar, o->aenc);
        o->ast->time_base = o->aenc->time_base;
    }
    return render_output_start(o, errstr, errstr_size);
}

int render_output_open_copy(struct render_out *o, const char *path, const struct render_in *in,
                            char *errstr, size_t errstr_size)
{
    if (render_output_container(o, path, errstr, errstr_size) != 0)
        return -1;
    int idx[2] = { in->vi, in->ai };
    for (int k = 0; k < 2; k++) {
        if (idx[k] < 0)
            continue;
        const AVStream *src = in->fmt->streams[idx[k]];
        if (avformat_query_codec(o->fmt->oformat, src->codecpar->codec_id, FF_COMPLIANCE_NORMAL) !=
            1) {
            snprintf(errstr, errstr_size,
                     "--copy: %s cannot be stored in MP4; render without --copy",
                     avcodec_get_name(src->codecpar->codec_id));
            return -1;
        }
        AVStream *st = avformat_new_stream(o->fmt, NULL);
        if (!st || avcodec_parameters_copy(st->codecpar, src->codecpar) < 0) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        st->codecpar->codec_tag = 0;
        st->time_base = src->time_base;
        if (k == 0) {
            o->vst = st;
            st->avg_frame_rate = src->avg_frame_rate;
            render_output_rotation(st, src);
        } else {
            o->ast = st;
        }
    }
    return render_output_start(o, errstr, errstr_size);
}

int render_output_packet(struct render_out *o, AVPacket *pkt, char *errstr, size_t errstr_size)
{
    int ret = av_interleaved_write_frame(o->fmt, pkt);
    if (ret < 0) {
        render_output_err(errstr, errstr_size, "cannot write to the MP4", ret);
        return -1;
    }
    return 0;
}

int render_output_encode(struct render_out *o, int video, AVFrame *fr, char *errstr,
                         size_t errstr_size)
{
    AVCodecContext *enc = video ? o->venc : o->aenc;
    AVStream *st = video ? o->vst : o->ast;
    int ret = avcodec_send_frame(enc, fr);
    if (ret < 0 && ret != AVERROR_EOF) {
        render_output_err(errstr, errstr_size, video ? "video encoder" : "audio encoder", ret);
        return -1;
    }
    for (;;) {
        ret = avcodec_receive_packet(enc, o->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0) {
            render_output_err(errstr, errstr_size, video ? "video encoder" : "audio encoder", ret);
            return -1;
        }
        if (video && o->pkt->duration <= 0 && enc->framerate.num > 0)
            o->pkt->duration = av_rescale_q(1, av_inv_q(enc->framerate), enc->time_base);
        av_packet_rescale_ts(o->pkt, enc->time_base, st->time_base);
        o->pkt->stream_index = st->index;
        if (render_output_packet(o, o->pkt, errstr, errstr_size) != 0)
            return -1;
    }
}

int render_output_finish(struct render_out *o, char *errstr, size_t errstr_size)
{
    if (o->venc && render_output_encode(o, 1, NULL, errstr, errstr_size) != 0)
        return -1;
    if (o->aenc && render_output_encode(o, 0, NULL, errstr, errstr_size) != 0)
        return -1;
    int ret = av_write_trailer(o->fmt);
    if (ret < 0) {
        render_output_err(errstr, errstr_size, "cannot finish the MP4", ret);
        return -1;
    }
    ret = avio_closep(&o->fmt->pb);
    if (ret < 0) {
        render_output_err(errstr, errstr_size, o->file.final, ret);
        return -1;
    }
    if (av_outfile_commit(&o->file, errstr, errstr_size) != 0)
        return -1;
    avcodec_free_context(&o->venc);
    avcodec_free_context(&o->aenc);
    avformat_free_context(o->fmt);
    o->fmt = NULL;
    av_packet_free(&o->pkt);
    return 0;
}

void render_output_abort(struct render_out *o)
{
    avcodec_free_context(&o->venc);
    avcodec_free_context(&o->aenc);
    if (o->fmt) {
        if (o->fmt->pb)
            avio_closep(&o->fmt->pb);
        avformat_free_context(o->fmt);
        o->fmt = NULL;
    }
    av_packet_free(&o->pkt);
    av_outfile_abort(&o->file);
}
