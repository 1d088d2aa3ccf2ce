/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_decode.c -- decode a movie once and reduce it.
 *
 * Times come from best-effort timestamps and the stream time base, never
 * from frame counters, so variable frame rate files are fine.  Damaged
 * packets and frames are skipped with a warning; a read error ends the pass
 * early (a truncated file) and what was decoded is analysed. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "analyze_decode.h"
#include "av_decoder.h"
#include "analyze_frame.h"
#include "analyze_loud.h"
#include "analyze_people.h"
#include "analyze_sound.h"
#include "analyze_subs.h"
#include "av_progress.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libswresample/swresample.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

struct analyze_decode {
    AVFormatContext *fmt;
    AVCodecContext *vdec, *adec;
    int vi, ai;
    AVFrame *frame;
    AVPacket *pkt;
    SwrContext *swr;
    float *abuf[64];
    int abuf_len;
    struct analyze_frame af;
    struct analyze_loud loud;
    struct analyze_sound snd; /* speech/music/silence, when snd.rate */
    struct analyze_subs subs; /* the text subtitle stream si, when si >= 0 */
    int si;
    double t0;               /* container start time, s */
    double last_t, last_dur; /* last accepted video frame */
    double min_dt, max_dt;
    int quiet;
    struct av_progress prog;
};

static void analyze_decode_warn(struct analyze_decode *d, const char *what, int *count)
{
    (*count)++;
    if (!d->quiet && (*count <= 3))
        fprintf(stderr, "%srecut-analyze: warning: %s%s\n", d->prog.enabled ? "\n" : "", what,
                *count == 3 ? " (further ones not shown)" : "");
}

static int analyze_decode_open_codec(AVFormatContext *fmt, int si, int threads,
                                     AVCodecContext **out, char *errstr, size_t errstr_size)
{
    return av_decoder_open(fmt->streams[si], threads, out, errstr, errstr_size);
}

static int analyze_decode_rotation(const AVStream *st)
{
    const uint8_t *sd = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (!sd)
        return 0;
    double a = av_display_rotation_get((const int32_t *)sd);
    if (isnan(a))
        return 0;
    long r = lround(a) % 360;
    return (int)(r < 0 ? r + 360 : r);
}

static int analyze_decode_video_frame(struct analyze_decode *d, struct analyze_movie *m,
                                      char *errstr, size_t errstr_size)
{
    AVFrame *fr = d->frame;
    AVRational tb = d->fmt->streams[d->vi]->time_base;
    if ((fr->flags & AV_FRAME_FLAG_CORRUPT) || fr->decode_error_flags) {
        analyze_decode_warn(d, "skipping a corrupt video frame", &m->corrupt);
        return 0;
    }
    double dur = fr->pkt_duration > 0 ? (double)fr->pkt_duration * av_q2d(tb) : 0.0;
    double t;
    if (fr->best_effort_timestamp != AV_NOPTS_VALUE)
        t = (double)fr->best_effort_timestamp * av_q2d(tb) - d->t0;
    else if (m->nf > 0)
        t = d->last_t + (d->last_dur > 0 ? d->last_dur : 1.0 / 25.0);
    else
        t = 0.0;
    if (m->nf > 0 && t <= d->last_t + 1e-6)
        return 0; /* duplicate or out-of-order timestamp */
    if (t < 0.0)
        t = 0.0;
    if (m->nf > 0) {
        double dt = t - d->last_t;
        if (dt < d->min_dt)
            d->min_dt = dt;
        if (dt > d->max_dt)
            d->max_dt = dt;
        if (dur <= 0.0)
            dur = dt;
    }
    if (analyze_frame_push(&d->af, fr, t, m, errstr, errstr_size) != 0 ||
        (m->people && analyze_people_frame(m->people, fr, t, m, errstr, errstr_size) != 0))
        return -1;
    d->last_t = t;
    d->last_dur = dur;
    if (m->width == 0) {
        m->width = fr->width;
        m->height = fr->height;
    }
    av_progress_update(&d->prog, t);
    return 0;
}

static int analyze_decode_sound(struct analyze_decode *d, const float *const *planes, int n,
                                double t, struct analyze_movie *m, char *errstr, size_t errstr_size)
{
    if (d->snd.rate &&
        analyze_sound_push(&d->snd, planes, d->loud.nch, n, t, errstr, errstr_size) != 0)
        return -1;
    return analyze_loud_push(&d->loud, planes, n, t, m, errstr, errstr_size);
}

static int analyze_decode_audio_frame(struct analyze_decode *d, struct analyze_movie *m,
                                      char *errstr, size_t errstr_size)
{
    AVFrame *fr = d->frame;
    if (fr->nb_samples <= 0 || fr->best_effort_timestamp == AV_NOPTS_VALUE)
        return 0;
    int nch = d->loud.nch;
    if (fr->ch_layout.nb_channels != nch || fr->sample_rate != d->loud.rate)
        return 0; /* mid-stream format change: ignore the odd frame */
    double t =
        (double)fr->best_effort_timestamp * av_q2d(d->fmt->streams[d->ai]->time_base) - d->t0;
    const float *const *planes;
    if (fr->format == AV_SAMPLE_FMT_FLTP) {
        planes = (const float *const *)fr->extended_data;
    } else {
        if (!d->swr) {
            int ret =
                swr_alloc_set_opts2(&d->swr, &fr->ch_layout, AV_SAMPLE_FMT_FLTP, fr->sample_rate,
                                    &fr->ch_layout, fr->format, fr->sample_rate, 0, NULL);
            if (ret < 0 || swr_init(d->swr) < 0) {
                snprintf(errstr, errstr_size, "cannot convert the audio samples");
                return -1;
            }
        }
        if (fr->nb_samples > d->abuf_len) {
            int len = fr->nb_samples * 2;
            for (int c = 0; c < nch; c++) {
                av_free(d->abuf[c]);
                d->abuf[c] = av_malloc((size_t)len * sizeof(float));
                if (!d->abuf[c]) {
                    snprintf(errstr, errstr_size, "out of memory");
                    return -1;
                }
            }
            d->abuf_len = len;
        }
        int n = swr_convert(d->swr, (uint8_t **)d->abuf, d->abuf_len,
                            (const uint8_t **)fr->extended_data, fr->nb_samples);
        if (n <= 0)
            return 0;
        planes = (const float *const *)d->abuf;
        return analyze_decode_sound(d, planes, n, t, m, errstr, errstr_size);
    }
    return analyze_decode_sound(d, planes, fr->nb_samples, t, m, errstr, errstr_size);
}

/* Send one packet (NULL to drain) and take every frame out. */
static int analyze_decode_packet(struct analyze_decode *d, AVCodecContext *c, const AVPacket *pkt,
                                 struct analyze_movie *m, char *errstr, size_t errstr_size)
{
    int video = c == d->vdec;
    int ret = avcodec_send_packet(c, pkt);
    if (ret < 0 && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF) {
        analyze_decode_warn(
            d, video ? "skipping a damaged video packet" : "skipping a damaged audio packet",
            &m->decode_errors);
        return 0;
    }
    for (;;) {
        ret = avcodec_receive_frame(c, d->frame);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
            return 0;
        if (ret < 0) {
            analyze_decode_warn(d, "decoder error, going on", &m->decode_errors);
            if (!pkt)
                return 0; /* draining: do not spin on a broken decoder */
            continue;
        }
        int r = video ? analyze_decode_video_frame(d, m, errstr, errstr_size)
                      : analyze_decode_audio_frame(d, m, errstr, errstr_size);
        av_frame_unref(d->frame);
        if (r != 0)
            return -1;
    }
}

static int analyze_decode_open(struct analyze_decode *d, const char *path, struct analyze_movie *m,
                               char *errstr, size_t errstr_size)
{
    int ret = avformat_open_input(&d->fmt, path, NULL, NULL);
    if (ret < 0) {
        char e[128];
        av_strerror(ret, e, sizeof e);
        snprintf(errstr, errstr_size, "%s: cannot open as a movie: %s", path, e);
        return -1;
    }
    if (strcmp(d->fmt->iformat->name, "tty") == 0) {
        snprintf(errstr, errstr_size, "%s: not a video file (text)", path);
        return -1;
    }
    if (avformat_find_stream_info(d->fmt, NULL) < 0) {
        snprintf(errstr, errstr_size, "%s: cannot read stream information", path);
        return -1;
    }
    int have_audio_stream = 0;
    for (unsigned i = 0; i < d->fmt->nb_streams; i++) {
        AVStream *st = d->fmt->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO)
            have_audio_stream = 1;
    }
    d->vi = av_decoder_video_stream(d->fmt);
    if (d->vi < 0) {
        snprintf(errstr, errstr_size, "%s: no video stream%s", path,
                 have_audio_stream ? " (audio-only file)" : "");
        return -1;
    }
    char e[256];
    if (analyze_decode_open_codec(d->fmt, d->vi, 0, &d->vdec, e, sizeof e) != 0) {
        snprintf(errstr, errstr_size, "%s: %s", path, e);
        return -1;
    }
    d->ai = av_find_best_stream(d->fmt, AVMEDIA_TYPE_AUDIO, -1, d->vi, NULL, 0);
    if (d->ai >= 0) {
        if (analyze_decode_open_codec(d->fmt, d->ai, 1, &d->adec, e, sizeof e) != 0 ||
            d->adec->ch_layout.nb_channels > 64 ||
            analyze_loud_init(&d->loud, d->adec->sample_rate, &d->adec->ch_layout, e, sizeof e) !=
                0) {
            if (!d->quiet)
                fprintf(stderr, "recut-analyze: warning: %s: audio ignored: %s\n", path, e);
            avcodec_free_context(&d->adec);
            d->ai = -1;
        }
    }
    m->has_audio = d->ai >= 0;
    if (d->ai >= 0 && analyze_sound_init(&d->snd, d->adec->sample_rate, e, sizeof e) != 0 &&
        !d->quiet)
        fprintf(stderr, "recut-analyze: warning: %s: no speech/music classes: %s\n", path, e);
    d->t0 = d->fmt->start_time != AV_NOPTS_VALUE ? (double)d->fmt->start_time / AV_TIME_BASE : 0.0;
    int nbitmap;
    d->si = analyze_subs_pick(d->fmt, &nbitmap);
    if (d->si < 0 && nbitmap && !d->quiet)
        fprintf(stderr,
                "recut-analyze: warning: %s: no text subtitles (bitmap ones are not read)\n", path);
    if (d->si >= 0 && analyze_subs_open(&d->subs, d->fmt, d->si, d->t0, e, sizeof e) != 0) {
        if (!d->quiet)
            fprintf(stderr, "recut-analyze: warning: %s: subtitles ignored: %s\n", path, e);
        d->si = -1;
    }
    for (unsigned i = 0; i < d->fmt->nb_streams; i++)
        if ((int)i != d->vi && (int)i != d->ai && (int)i != d->si)
            d->fmt->streams[i]->discard = AVDISCARD_ALL;
    AVStream *vs = d->fmt->streams[d->vi];
    m->rotation = analyze_decode_rotation(vs);
    return 0;
}

/* Duration the container announces for the video, or 0. */
static double analyze_decode_announced(const struct analyze_decode *d)
{
    const AVStream *vs = d->fmt->streams[d->vi];
    if (vs->duration != AV_NOPTS_VALUE && vs->duration > 0)
        return (double)vs->duration * av_q2d(vs->time_base);
    if (d->fmt->duration != AV_NOPTS_VALUE && d->fmt->duration > 0)
        return (double)d->fmt->duration / AV_TIME_BASE;
    return 0.0;
}

static void analyze_decode_close(struct analyze_decode *d)
{
    avcodec_free_context(&d->vdec);
    avcodec_free_context(&d->adec);
    avformat_close_input(&d->fmt);
    av_frame_free(&d->frame);
    av_packet_free(&d->pkt);
    swr_free(&d->swr);
    for (int c = 0; c < 64; c++)
        av_free(d->abuf[c]);
    analyze_frame_free(&d->af);
    analyze_loud_free(&d->loud);
    analyze_sound_free(&d->snd);
    analyze_subs_close(&d->subs);
}

int analyze_decode_run(const char *path, struct analyze_movie *m, int quiet, char *errstr,
                       size_t errstr_size)
{
    struct analyze_decode d;
    memset(&d, 0, sizeof d);
    d.quiet = quiet;
    d.ai = -1;
    d.si = -1;
    d.min_dt = 1e9;
    av_progress_init(&d.prog, "analyzing", 0.0, 1);
    int rc = -1;
    if (analyze_frame_init(&d.af, errstr, errstr_size) != 0)
        goto out;
    d.frame = av_frame_alloc();
    d.pkt = av_packet_alloc();
    if (!d.frame || !d.pkt) {
        snprintf(errstr, errstr_size, "out of memory");
        goto out;
    }
    if (analyze_decode_open(&d, path, m, errstr, errstr_size) != 0)
        goto out;
    double announced = analyze_decode_announced(&d);
    av_progress_init(&d.prog, "analyzing", announced, quiet);
    int read_errors = 0;
    for (;;) {
        int ret = av_read_frame(d.fmt, d.pkt);
        if (ret == AVERROR_EOF && d.ai >= 0 && announced > 0 && d.last_t < announced - 2.0) {
            /* A truncated file can run out of audio samples first (the
			 * demuxer stops at the first one past the end): go on with
			 * the video alone. */
            d.fmt->streams[d.ai]->discard = AVDISCARD_ALL;
            d.ai = -1;
            continue;
        }
        if (ret == AVERROR_EOF)
            break;
        if (ret < 0) {
            /* a damaged or missing packet: the demuxer moves past it,
			 * so keep reading unless errors keep coming */
            if (++read_errors <= 1000 && ret != AVERROR(EIO) && !avio_feof(d.fmt->pb))
                continue;
            char e[128];
            av_strerror(ret, e, sizeof e);
            if (!quiet)
                fprintf(stderr,
                        "%srecut-analyze: warning: %s: read error (%s), "
                        "analysing what was read\n",
                        d.prog.enabled ? "\n" : "", path, e);
            m->truncated = 1;
            break;
        }
        read_errors = 0;
        int r = 0;
        if (d.pkt->stream_index == d.vi)
            r = analyze_decode_packet(&d, d.vdec, d.pkt, m, errstr, errstr_size);
        else if (d.pkt->stream_index == d.ai)
            r = analyze_decode_packet(&d, d.adec, d.pkt, m, errstr, errstr_size);
        else if (d.pkt->stream_index == d.si &&
                 (r = analyze_subs_packet(&d.subs, d.pkt, m, errstr, errstr_size)) > 0)
            r = 0; /* counted; said once at the end */
        av_packet_unref(d.pkt);
        if (r != 0)
            goto out;
    }
    if (analyze_decode_packet(&d, d.vdec, NULL, m, errstr, errstr_size) != 0)
        goto out;
    if (d.adec && analyze_decode_packet(&d, d.adec, NULL, m, errstr, errstr_size) != 0)
        goto out;
    if (d.adec && analyze_loud_finish(&d.loud, m, errstr, errstr_size) != 0)
        goto out;
    if (d.snd.rate && analyze_sound_finish(&d.snd, m, errstr, errstr_size) != 0)
        goto out;
    if (!quiet && d.subs.damaged)
        fprintf(stderr,
                "recut-analyze: warning: %s: %d damaged subtitle packet%s skipped (their cues "
                "are missing)\n",
                path, d.subs.damaged, d.subs.damaged == 1 ? "" : "s");
    av_progress_finish(&d.prog);
    if (m->nf < 2) {
        snprintf(errstr, errstr_size, "%s: no decodable video (%zu frame%s)", path, m->nf,
                 m->nf == 1 ? "" : "s");
        goto out;
    }
    double span = d.last_t - m->f[0].t;
    m->fps = span > 0 ? (double)(m->nf - 1) / span : 25.0;
    if (d.last_dur <= 0 || d.last_dur > 10.0 / m->fps)
        d.last_dur = 1.0 / m->fps;
    m->duration = d.last_t + d.last_dur;
    m->vfr = d.max_dt > 1.5 * d.min_dt;
    double tol = 1.0 > 3.0 / m->fps ? 1.0 : 3.0 / m->fps;
    if (announced > 0 && m->duration < announced - tol) {
        if (!quiet)
            fprintf(stderr,
                    "recut-analyze: warning: %s: decoded %.2f s of %.2f s "
                    "announced; the file looks truncated\n",
                    path, m->duration, announced);
        m->truncated = 1;
    }
    if (!quiet && (m->corrupt || m->decode_errors))
        fprintf(stderr,
                "recut-analyze: warning: %s: %d corrupt frame%s and %d decode "
                "error%s skipped\n",
                path, m->corrupt, m->corrupt == 1 ? "" : "s", m->decode_errors,
                m->decode_errors == 1 ? "" : "s");
    rc = 0;
out:
    if (rc != 0 && d.prog.enabled)
        fputc('\n', stderr);
    analyze_decode_close(&d);
    return rc;
}
