/* SPDX-License-Identifier: Apache-2.0 */
/* render_hls_seg.c -- write one MPEG-TS segment for recut-render --hls.
 *
 * Why two kinds of segment and not one: copying packets keeps the source's
 * own frames bit for bit and costs no decoding, but a copy can only start
 * on a keyframe.  A cut point between two keyframes is therefore served by
 * a short segment whose frames are decoded and encoded again (same codec,
 * size, pixel format, profile and level as the source), and everything
 * between the first and the last keyframe inside a kept range is copied.
 * Audio is always copied: an audio packet goes to the segment that holds
 * its middle, so joins are off by at most half a packet.  Timestamps stay
 * those of the source (plus a fixed offset so that none is negative), which
 * lets segments prepared once per scene be listed in any order of scenes
 * with EXT-X-DISCONTINUITY where the timeline jumps. */
#include "render_hls_seg.h"
#include "render_input.h"

#include <ctype.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

struct render_hls_mux {
    AVFormatContext *fmt;
    AVStream *vst, *ast;
    int64_t voff, aoff; /* offset in the source's video / audio time base */
};

static void render_hls_averr(char *errstr, size_t errstr_size, const char *what, int ret)
{
    char e[128];
    av_strerror(ret, e, sizeof e);
    snprintf(errstr, errstr_size, "%s: %s", what, e);
}

static int render_hls_ts_codec(enum AVCodecID id)
{
    static const enum AVCodecID ok[] = { AV_CODEC_ID_H264,       AV_CODEC_ID_HEVC,
                                         AV_CODEC_ID_MPEG2VIDEO, AV_CODEC_ID_MPEG1VIDEO,
                                         AV_CODEC_ID_MPEG4,      AV_CODEC_ID_AAC,
                                         AV_CODEC_ID_MP3,        AV_CODEC_ID_MP2,
                                         AV_CODEC_ID_AC3,        AV_CODEC_ID_EAC3 };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (ok[i] == id)
            return 1;
    return 0;
}

int render_hls_seg_check(const struct render_in *in, char *errstr, size_t errstr_size)
{
    int idx[2] = { in->vi, in->ai };
    for (int k = 0; k < 2; k++) {
        if (idx[k] < 0)
            continue;
        enum AVCodecID id = in->fmt->streams[idx[k]]->codecpar->codec_id;
        if (!render_hls_ts_codec(id)) {
            snprintf(errstr, errstr_size,
                     "--hls: the source's %s (%s) cannot be copied into MPEG-TS segments",
                     k == 0 ? "video" : "audio", avcodec_get_name(id));
            return -1;
        }
    }
    return 0;
}

static int render_hls_mux_open(struct render_hls_mux *m, const char *path, struct render_in *in,
                               const AVCodecContext *venc, int64_t offset, char *errstr,
                               size_t errstr_size)
{
    memset(m, 0, sizeof *m);
    int ret = avformat_alloc_output_context2(&m->fmt, NULL, "mpegts", path);
    if (ret < 0 || !m->fmt) {
        render_hls_averr(errstr, errstr_size, "cannot create the MPEG-TS muxer", ret);
        return -1;
    }
    const AVStream *vs = in->fmt->streams[in->vi];
    m->vst = avformat_new_stream(m->fmt, NULL);
    if (!m->vst) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    ret = venc ? avcodec_parameters_from_context(m->vst->codecpar, venc)
               : avcodec_parameters_copy(m->vst->codecpar, vs->codecpar);
    if (ret < 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    m->vst->codecpar->codec_tag = 0;
    m->vst->time_base = vs->time_base;
    m->voff = offset;
    if (in->ai >= 0) {
        const AVStream *as = in->fmt->streams[in->ai];
        m->ast = avformat_new_stream(m->fmt, NULL);
        if (!m->ast || avcodec_parameters_copy(m->ast->codecpar, as->codecpar) < 0) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        m->ast->codecpar->codec_tag = 0;
        m->ast->time_base = as->time_base;
        m->aoff = av_rescale_q(offset, vs->time_base, as->time_base);
    }
    ret = avio_open(&m->fmt->pb, path, AVIO_FLAG_WRITE);
    if (ret < 0) {
        render_hls_averr(errstr, errstr_size, path, ret);
        return -1;
    }
    AVDictionary *o = NULL;
    av_dict_set(&o, "mpegts_copyts", "1", 0);
    ret = avformat_write_header(m->fmt, &o);
    av_dict_free(&o);
    if (ret < 0) {
        render_hls_averr(errstr, errstr_size, "cannot write the MPEG-TS header", ret);
        return -1;
    }
    return 0;
}

/* Mux p (timestamps in src_tb, the source stream's time base). */
static int render_hls_mux_put(struct render_hls_mux *m, AVPacket *p, int video, AVRational src_tb,
                              char *errstr, size_t errstr_size)
{
    AVStream *st = video ? m->vst : m->ast;
    int64_t off = video ? m->voff : m->aoff;
    if (p->pts != AV_NOPTS_VALUE)
        p->pts += off;
    if (p->dts != AV_NOPTS_VALUE)
        p->dts += off;
    av_packet_rescale_ts(p, src_tb, st->time_base);
    p->stream_index = st->index;
    p->pos = -1;
    int ret = av_interleaved_write_frame(m->fmt, p);
    if (ret < 0) {
        render_hls_averr(errstr, errstr_size, "cannot write a segment", ret);
        return -1;
    }
    return 0;
}

static int render_hls_mux_close(struct render_hls_mux *m, int ok, char *errstr, size_t errstr_size)
{
    int rc = 0;
    if (m->fmt && ok) {
        int ret = av_write_trailer(m->fmt);
        if (ret < 0) {
            render_hls_averr(errstr, errstr_size, "cannot finish a segment", ret);
            rc = -1;
        }
    }
    if (m->fmt && m->fmt->pb) {
        int ret = avio_closep(&m->fmt->pb);
        if (ret < 0 && rc == 0 && ok) {
            render_hls_averr(errstr, errstr_size, "cannot close a segment", ret);
            rc = -1;
        }
    }
    avformat_free_context(m->fmt);
    m->fmt = NULL;
    return rc;
}

/* The libx264 profile name for the source's profile ("High" -> "high"). */
static void render_hls_profile(const AVCodecParameters *par, char *out, size_t out_size)
{
    out[0] = '\0';
    const char *name = avcodec_profile_name(par->codec_id, par->profile);
    if (!name)
        return;
    if (strstr(name, "Baseline"))
        name = "baseline";
    size_t i = 0;
    for (; name[i] && i + 1 < out_size; i++)
        out[i] = (char)tolower((unsigned char)name[i]);
    out[i] = '\0';
}

/* An encoder for the source's codec with the source's parameters. */
static int render_hls_encoder(struct render_in *in, const struct render_hls_enc *e,
                              AVCodecContext **out, char *errstr, size_t errstr_size)
{
    const AVStream *vs = in->fmt->streams[in->vi];
    const AVCodecParameters *par = vs->codecpar;
    const AVCodec *vc = NULL;
    if (par->codec_id == AV_CODEC_ID_H264)
        vc = avcodec_find_encoder_by_name("libx264");
    else if (par->codec_id == AV_CODEC_ID_HEVC)
        vc = avcodec_find_encoder_by_name("libx265");
    if (!vc)
        vc = avcodec_find_encoder(par->codec_id);
    if (!vc) {
        snprintf(errstr, errstr_size, "no %s encoder in this FFmpeg build",
                 avcodec_get_name(par->codec_id));
        return -1;
    }
    enum AVPixelFormat pf = in->vdec->pix_fmt;
    int pf_ok = vc->pix_fmts == NULL;
    for (const enum AVPixelFormat *p = vc->pix_fmts; p && *p != AV_PIX_FMT_NONE; p++)
        pf_ok |= *p == pf;
    if (!pf_ok) {
        snprintf(errstr, errstr_size, "the %s encoder cannot take the source's %s frames", vc->name,
                 av_get_pix_fmt_name(pf));
        return -1;
    }
    AVCodecContext *c = avcodec_alloc_context3(vc);
    if (!c) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    c->width = in->vdec->width;
    c->height = in->vdec->height;
    c->pix_fmt = pf;
    c->time_base = vs->time_base;
    AVRational fr = vs->avg_frame_rate.num > 0 ? vs->avg_frame_rate : vs->r_frame_rate;
    c->framerate = fr.num > 0 && fr.den > 0 ? fr : av_d2q(in->fps, 100000);
    c->sample_aspect_ratio = par->sample_aspect_ratio;
    c->color_primaries = par->color_primaries;
    c->color_trc = par->color_trc;
    c->colorspace = par->color_space;
    c->color_range = par->color_range;
    c->chroma_sample_location = par->chroma_location;
    c->field_order = par->field_order;
    c->gop_size = 100000; /* one keyframe: the segment's first frame */
    c->thread_count = 0;
    if (par->level > 0)
        c->level = par->level;
    if (par->bit_rate > 0 && strcmp(vc->name, "libx264") != 0)
        c->bit_rate = par->bit_rate;
    AVDictionary *o = NULL;
    char prof[32];
    render_hls_profile(par, prof, sizeof prof);
    if (strcmp(vc->name, "libx264") == 0) {
        char crf[16];
        snprintf(crf, sizeof crf, "%d", e->crf);
        av_dict_set(&o, "preset", e->preset, 0);
        av_dict_set(&o, "crf", crf, 0);
        if (prof[0])
            av_dict_set(&o, "profile", prof, 0);
    }
    int ret = avcodec_open2(c, vc, &o);
    av_dict_free(&o);
    if (ret < 0) {
        char what[96];
        snprintf(what, sizeof what, "cannot open the %s encoder", vc->name);
        render_hls_averr(errstr, errstr_size, what, ret);
        avcodec_free_context(&c);
        return -1;
    }
    *out = c;
    return 0;
}

static int render_hls_drain(struct render_hls_mux *m, AVCodecContext *c, AVPacket *p,
                            const AVFrame *fr, char *errstr, size_t errstr_size)
{
    int ret = avcodec_send_frame(c, fr);
    if (ret < 0 && ret != AVERROR_EOF) {
        render_hls_averr(errstr, errstr_size, "video encoder", ret);
        return -1;
    }
    for (;;) {
        ret = avcodec_receive_packet(c, p);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0) {
            render_hls_averr(errstr, errstr_size, "video encoder", ret);
            return -1;
        }
        if (p->duration <= 0)
            p->duration = av_rescale_q(1, av_inv_q(c->framerate), c->time_base);
        int r = render_hls_mux_put(m, p, 1, c->time_base, errstr, errstr_size);
        av_packet_unref(p);
        if (r != 0)
            return -1;
    }
}

/* Audio packet p: 1 to keep (its middle is in [a, b)), 0 to skip, 2 when
 * it and all that follow are past b. */
static int render_hls_audio_keep(const struct render_in *in, const AVPacket *p, double a, double b)
{
    if (p->pts == AV_NOPTS_VALUE)
        return 0;
    AVRational tb = in->fmt->streams[in->ai]->time_base;
    double mid =
        ((double)p->pts + 0.5 * (double)(p->duration > 0 ? p->duration : 0)) * av_q2d(tb) - in->t0;
    return mid >= b ? 2 : mid >= a ? 1 : 0;
}

/* Seek so that reading starts at a keyframe at or before kt.  Demuxers may
 * land on a later keyframe than asked for (MP4 with open GOPs does), so the
 * first video packet is checked, and the target moved earlier until it
 * fits. */
static int render_hls_seek(struct render_in *in, double kt, double half, char *errstr,
                           size_t errstr_size)
{
    AVRational tb = in->fmt->streams[in->vi]->time_base;
    double target = kt;
    for (int tries = 0; tries < 12; tries++) {
        if (render_input_seek(in, target, errstr, errstr_size) != 0)
            return -1;
        double first = NAN;
        while (isnan(first) && av_read_frame(in->fmt, in->pkt) >= 0) {
            if (in->pkt->stream_index == in->vi && in->pkt->pts != AV_NOPTS_VALUE)
                first = (double)in->pkt->pts * av_q2d(tb) - in->t0;
            av_packet_unref(in->pkt);
        }
        if (isnan(first) || first <= kt + half || target <= 0)
            return render_input_seek(in, target, errstr, errstr_size);
        target -= 1.0 + (double)tries * (double)tries;
    }
    snprintf(errstr, errstr_size, "cannot seek to a keyframe before %.3f s", kt);
    return -1;
}

struct render_hls_state {
    struct render_in *in;
    struct render_hls_mux m;
    const struct render_hls_seg *sg;
    const struct render_hls_enc *e;
    AVCodecContext *venc;
    AVPacket *out;
    int started, vdone, adone;
};

/* A copied video packet in decode order: from the keyframe at a up to the
 * next keyframe at or after b, without leading pictures before a. */
static int render_hls_copy_video(struct render_hls_state *s, AVPacket *p, char *errstr,
                                 size_t errstr_size)
{
    struct render_in *in = s->in;
    AVRational tb = in->fmt->streams[in->vi]->time_base;
    int64_t ts = p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
    if (ts == AV_NOPTS_VALUE)
        return 0;
    double t = (double)ts * av_q2d(tb) - in->t0, h = s->e->half;
    int key = (p->flags & AV_PKT_FLAG_KEY) != 0;
    if (!s->started) {
        if (!key || t < s->sg->ka - h)
            return 0;
        if (t >= s->sg->ka + h) {
            snprintf(errstr, errstr_size, "the keyframe at %.3f s is missing", s->sg->ka);
            return -1;
        }
        s->started = 1;
    } else if (key && t >= s->sg->kb - h) {
        s->vdone = 1;
        return 0;
    }
    if (s->sg->drop_leading && t < s->sg->ka - h)
        return 0;
    (*s->e->frames)++;
    return render_hls_mux_put(&s->m, p, 1, tb, errstr, errstr_size);
}

/* Decoded frames of the packet (NULL: drain) encoded when inside [a, b). */
static int render_hls_encode_video(struct render_hls_state *s, AVPacket *p, int eof, char *errstr,
                                   size_t errstr_size)
{
    struct render_in *in = s->in;
    int ret = avcodec_send_packet(in->vdec, p);
    if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF) {
        render_hls_averr(errstr, errstr_size, "cannot decode the source's video", ret);
        return -1;
    }
    double h = s->e->half;
    for (;;) {
        ret = avcodec_receive_frame(in->vdec, in->frame);
        if (ret < 0)
            break;
        double t = render_input_frame_time(in, in->vi, in->frame);
        int r = 0;
        if (!isnan(t) && t >= s->sg->b - h) {
            s->vdone = 1;
        } else if (!isnan(t) && t >= s->sg->a - h && !s->vdone) {
            in->frame->pts = in->frame->best_effort_timestamp != AV_NOPTS_VALUE
                                 ? in->frame->best_effort_timestamp
                                 : in->frame->pts;
            in->frame->pict_type = AV_PICTURE_TYPE_NONE;
            (*s->e->frames)++;
            r = render_hls_drain(&s->m, s->venc, s->out, in->frame, errstr, errstr_size);
        }
        av_frame_unref(in->frame);
        if (r != 0)
            return -1;
    }
    if (eof)
        s->vdone = 1;
    return 0;
}

static int render_hls_seg_loop(struct render_hls_state *s, char *errstr, size_t errstr_size)
{
    struct render_in *in = s->in;
    const struct render_hls_seg *sg = s->sg;
    while (!s->vdone || !s->adone) {
        int ret = av_read_frame(in->fmt, in->pkt);
        if (ret < 0) {
            if (!sg->copy && !s->vdone &&
                render_hls_encode_video(s, NULL, 1, errstr, errstr_size) != 0)
                return -1;
            break;
        }
        AVPacket *p = in->pkt;
        int r = 0;
        if (p->stream_index == in->vi && !s->vdone) {
            r = sg->copy ? render_hls_copy_video(s, p, errstr, errstr_size)
                         : render_hls_encode_video(s, p, 0, errstr, errstr_size);
        } else if (p->stream_index == in->ai && !s->adone) {
            int k = render_hls_audio_keep(in, p, sg->a, sg->b);
            if (k == 2)
                s->adone = 1;
            else if (k == 1)
                r = render_hls_mux_put(&s->m, p, 0, in->fmt->streams[in->ai]->time_base, errstr,
                                       errstr_size);
        }
        av_packet_unref(p);
        if (r != 0)
            return -1;
    }
    if (!sg->copy && render_hls_drain(&s->m, s->venc, s->out, NULL, errstr, errstr_size) != 0)
        return -1;
    return 0;
}

int render_hls_seg_write(struct render_in *in, const char *path, const struct render_hls_seg *sg,
                         const struct render_hls_enc *e, char *errstr, size_t errstr_size)
{
    struct render_hls_state s;
    memset(&s, 0, sizeof s);
    s.in = in;
    s.sg = sg;
    s.e = e;
    s.adone = in->ai < 0;
    int rc = -1;
    if (!sg->copy) {
        if (render_hls_encoder(in, e, &s.venc, errstr, errstr_size) != 0)
            return -1;
        s.out = av_packet_alloc();
        if (!s.out) {
            snprintf(errstr, errstr_size, "out of memory");
            goto done;
        }
    }
    /* a copy starts at its keyframe; audio that belongs with it may lie a
     * little earlier in the file */
    if (render_hls_seek(in, sg->copy ? sg->ka - 0.5 : sg->a, e->half, errstr, errstr_size) != 0)
        goto done;
    if (render_hls_mux_open(&s.m, path, in, s.venc, e->offset, errstr, errstr_size) != 0)
        goto done;
    if (render_hls_seg_loop(&s, errstr, errstr_size) != 0)
        goto done;
    if (sg->copy && !s.started) {
        snprintf(errstr, errstr_size, "no keyframe at %.3f s", sg->ka);
        goto done;
    }
    rc = 0;
done:
    if (render_hls_mux_close(&s.m, rc == 0, errstr, errstr_size) != 0)
        rc = -1;
    avcodec_free_context(&s.venc);
    av_packet_free(&s.out);
    return rc;
}
