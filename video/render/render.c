/* SPDX-License-Identifier: Apache-2.0 */
/* render.c -- recut-render: write an MP4 of the listed segments of a movie,
 * frame-accurate by decoding and re-encoding (H.264 + AAC), or by stream
 * copy cut at keyframes.  See recut-render(1). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "av_cut.h"
#include "av_progress.h"
#include "render.h"
#include "render_audio.h"
#include "render_copy.h"
#include "render_hls.h"
#include "render_input.h"
#include "render_output.h"
#include "render_video.h"

#include <errno.h>
#include <getopt.h>
#include <libavutil/log.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void render_usage(FILE *fp)
{
    fputs("usage: recut-render --source MOVIE (--cut cut.json | --segments 12.0-18.5,40-52)\n"
          "                    -o preview.mp4 [--copy] [--crossfade SECONDS] [--quiet]\n"
          "                    [--crf N] [--preset NAME]\n"
          "       recut-render --source MOVIE (--cut cut.json | --segments ...)\n"
          "                    (--hls DIR | --hls-prepare DIR) [--hls-time SECONDS] [--quiet]\n",
          fp);
}

struct render_job {
    struct render_in in;
    struct render_out out;
    struct render_video rv;
    struct render_audio ra;
    const struct av_cut *cut;
    const struct render_opts *opt;
    int audio;
};

/* Decode one segment and hand its frames and samples on. */
static int render_segment(struct render_job *j, size_t k, double out_off, struct av_progress *prog,
                          char *errstr, size_t errstr_size)
{
    struct render_in *in = &j->in;
    double s = j->cut->seg[k].start, e = j->cut->seg[k].end, len = e - s;
    double half = 0.5 / in->fps;
    double xf = j->opt->crossfade;
    int first = k == 0, last = k + 1 == j->cut->n;
    if (render_input_seek(in, s - 0.3, errstr, errstr_size) != 0)
        return -1;
    render_video_segment_begin(&j->rv, out_off, len, !first, !last);
    if (j->audio) {
        int rate = j->ra.out_rate;
        int64_t a0 = llround(out_off * rate), a1 = llround((out_off + len) * rate);
        int64_t x = llround(xf * rate);
        render_audio_segment_begin(&j->ra, s, a0, a1 - a0, first ? 0 : x, last ? 0 : x);
    }
    int vdone = 0, adone = !j->audio, eof = 0;
    double t_first = NAN; /* the segment's first frame: its start on the frame grid */
    while (!vdone || !adone) {
        AVCodecContext *dec = NULL;
        int video = 0;
        if (!eof) {
            int ret = av_read_frame(in->fmt, in->pkt);
            if (ret < 0) {
                eof = 1;
                continue;
            }
            video = in->pkt->stream_index == in->vi;
            if ((video && vdone) || (!video && (in->pkt->stream_index != in->ai || adone))) {
                av_packet_unref(in->pkt);
                continue;
            }
            dec = video ? in->vdec : in->adec;
            ret = avcodec_send_packet(dec, in->pkt);
            av_packet_unref(in->pkt);
            if (ret < 0 && ret != AVERROR(EAGAIN) && !j->opt->quiet)
                fprintf(stderr, "recut-render: warning: skipping a damaged packet\n");
        } else {
            /* end of file: drain what the decoders still hold */
            video = !vdone;
            dec = video ? in->vdec : in->adec;
            avcodec_send_packet(dec, NULL);
        }
        for (;;) {
            int ret = avcodec_receive_frame(dec, in->frame);
            if (ret < 0)
                break;
            double t = render_input_frame_time(in, video ? in->vi : in->ai, in->frame);
            int r = 0;
            if (isnan(t)) {
                /* no timestamp: cannot place it */
            } else if (video) {
                if (t >= e - half) {
                    if (!eof)
                        vdone = 1;
                } else if (t >= s - half && !vdone) {
                    if (isnan(t_first))
                        t_first = t;
                    double tau = out_off + (t - t_first);
                    r = render_video_frame(&j->rv, in->frame, tau, errstr, errstr_size);
                    av_progress_update(prog, tau);
                }
            } else if (t >= e) {
                if (!eof)
                    adone = 1;
            } else if (!adone || eof) {
                r = render_audio_frame(&j->ra, in->frame, t, e, errstr, errstr_size);
            }
            av_frame_unref(in->frame);
            if (r != 0)
                return -1;
        }
        if (eof) {
            if (video)
                vdone = 1;
            else
                adone = 1;
        }
    }
    render_video_segment_end(&j->rv);
    if (j->audio && render_audio_segment_end(&j->ra, errstr, errstr_size) != 0)
        return -1;
    return 0;
}

static int render_reencode(struct render_job *j, const char *out_path, char *errstr,
                           size_t errstr_size)
{
    struct render_in *in = &j->in;
    AVStream *vs = in->fmt->streams[in->vi];
    int w = vs->codecpar->width & ~1, h = vs->codecpar->height & ~1;
    if (w <= 0 || h <= 0) {
        snprintf(errstr, errstr_size, "the source video has no size");
        return -1;
    }
    struct render_output_audio oa;
    memset(&oa, 0, sizeof oa);
    j->audio = in->adec != NULL;
    if (j->audio) {
        oa.rate = render_audio_pick_rate(in->adec->sample_rate);
        render_audio_pick_layout(&in->adec->ch_layout, &oa.layout);
    }
    if (render_output_open(&j->out, out_path, in, j->opt, w, h, j->audio ? &oa : NULL, errstr,
                           errstr_size) != 0)
        return -1;
    if (render_video_init(&j->rv, &j->out, w, h, j->opt->crossfade, in->fps, errstr, errstr_size) !=
        0)
        return -1;
    if (j->audio && render_audio_init(&j->ra, &j->out, in->adec, errstr, errstr_size) != 0)
        return -1;
    struct av_progress prog;
    double total = av_cut_total(j->cut) - j->opt->crossfade * (double)(j->cut->n - 1);
    av_progress_init(&prog, "rendering", total, j->opt->quiet);
    double out_off = 0.0;
    for (size_t k = 0; k < j->cut->n; k++) {
        if (render_segment(j, k, out_off, &prog, errstr, errstr_size) != 0)
            return -1;
        out_off += j->cut->seg[k].end - j->cut->seg[k].start - j->opt->crossfade;
    }
    if (j->audio && render_audio_finish(&j->ra, errstr, errstr_size) != 0)
        return -1;
    av_progress_finish(&prog);
    return render_output_finish(&j->out, errstr, errstr_size);
}

int main(int argc, char **argv)
{
    enum {
        O_SOURCE = 256,
        O_CUT,
        O_SEGMENTS,
        O_COPY,
        O_XFADE,
        O_CRF,
        O_PRESET,
        O_HLS,
        O_HLS_PREPARE,
        O_HLS_TIME
    };
    static const struct option longopts[] = {
        { "source", required_argument, NULL, O_SOURCE },
        { "cut", required_argument, NULL, O_CUT },
        { "segments", required_argument, NULL, O_SEGMENTS },
        { "output", required_argument, NULL, 'o' },
        { "copy", no_argument, NULL, O_COPY },
        { "crossfade", required_argument, NULL, O_XFADE },
        { "crf", required_argument, NULL, O_CRF },
        { "preset", required_argument, NULL, O_PRESET },
        { "hls", required_argument, NULL, O_HLS },
        { "hls-prepare", required_argument, NULL, O_HLS_PREPARE },
        { "hls-time", required_argument, NULL, O_HLS_TIME },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct render_opts opt = {
        .crossfade = 0.0, .copy = 0, .quiet = 0, .crf = 20, .preset = "veryfast"
    };
    const char *source = NULL, *cut_path = NULL, *segments = NULL, *out_path = NULL;
    struct render_hls_opts hls = { .dir = NULL, .prepare = 0, .target = 6.0 };
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case O_SOURCE:
            source = optarg;
            break;
        case O_CUT:
            cut_path = optarg;
            break;
        case O_SEGMENTS:
            segments = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case O_COPY:
            opt.copy = 1;
            break;
        case O_XFADE:
            errno = 0;
            opt.crossfade = strtod(optarg, &end);
            if (end == optarg || *end || errno || !(opt.crossfade >= 0.0 && opt.crossfade <= 2.0)) {
                fprintf(stderr, "recut-render: --crossfade: expected 0..2 seconds, got \"%s\"\n",
                        optarg);
                return 2;
            }
            break;
        case O_CRF:
            opt.crf = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end || opt.crf < 0 || opt.crf > 51) {
                fprintf(stderr, "recut-render: --crf: expected 0..51\n");
                return 2;
            }
            break;
        case O_PRESET:
            opt.preset = optarg;
            break;
        case O_HLS:
        case O_HLS_PREPARE:
            if (hls.dir) {
                fprintf(stderr, "recut-render: give --hls or --hls-prepare once\n");
                return 2;
            }
            hls.dir = optarg;
            hls.prepare = c == O_HLS_PREPARE;
            break;
        case O_HLS_TIME:
            errno = 0;
            hls.target = strtod(optarg, &end);
            if (end == optarg || *end || errno || !(hls.target >= 1.0 && hls.target <= 60.0)) {
                fprintf(stderr, "recut-render: --hls-time: expected 1..60 seconds, got \"%s\"\n",
                        optarg);
                return 2;
            }
            break;
        case 'q':
            opt.quiet = 1;
            break;
        case 'h':
            render_usage(stdout);
            return 0;
        default:
            render_usage(stderr);
            return 2;
        }
    }
    if (optind != argc || !source || !out_path == !hls.dir || (!cut_path == !segments)) {
        fprintf(stderr, "recut-render: need --source, one of -o, --hls or --hls-prepare, and one "
                        "of --cut or --segments\n");
        render_usage(stderr);
        return 2;
    }
    if (hls.dir && (opt.copy || opt.crossfade > 0)) {
        fprintf(stderr, "recut-render: --hls copies whole GOPs by itself and has no crossfade; "
                        "drop --copy and --crossfade\n");
        return 2;
    }
    if (opt.copy && opt.crossfade > 0) {
        fprintf(stderr, "recut-render: --crossfade needs re-encoding; drop --copy\n");
        return 2;
    }
    av_log_set_level(AV_LOG_QUIET);
    char err[512];
    struct av_cut cut = { NULL, 0 };
    struct render_job j;
    memset(&j, 0, sizeof j);
    j.cut = &cut;
    j.opt = &opt;
    int rc = 1;
    struct stat sb;
    if (stat(source, &sb) != 0) {
        snprintf(err, sizeof err, "%s: %s", source, strerror(errno));
        goto fail;
    }
    if (cut_path ? av_cut_load_json(cut_path, &cut, err, sizeof err)
                 : av_cut_parse_segments(segments, &cut, err, sizeof err))
        goto fail;
    if (render_input_open(&j.in, source, !opt.copy && !hls.dir, err, sizeof err) != 0)
        goto fail;
    if (av_cut_validate(&cut, j.in.duration, 1.0 / j.in.fps, err, sizeof err) != 0)
        goto fail;
    for (size_t k = 0; k < cut.n && opt.crossfade > 0; k++) {
        if (cut.seg[k].end - cut.seg[k].start < 2.0 * opt.crossfade) {
            snprintf(err, sizeof err, "segment %zu (%.3f-%.3f) is shorter than twice the crossfade",
                     k + 1, cut.seg[k].start, cut.seg[k].end);
            goto fail;
        }
    }
    double total;
    if (hls.dir) {
        long copied = 0, encoded = 0;
        hls.crf = opt.crf;
        hls.preset = opt.preset;
        hls.quiet = opt.quiet;
        if (render_hls_run(&j.in, &cut, &hls, &total, &copied, &encoded, err, sizeof err) != 0)
            goto fail;
        if (!opt.quiet)
            fprintf(stderr,
                    "recut-render: wrote %s/index.m3u8: %.3f s; video frames copied %ld, "
                    "re-encoded %ld\n",
                    hls.dir, total, copied, encoded);
        rc = 0;
        goto done;
    } else if (opt.copy) {
        if (render_output_open_copy(&j.out, out_path, &j.in, err, sizeof err) != 0 ||
            render_copy_run(&j.in, &j.out, &cut, opt.quiet, &total, err, sizeof err) != 0 ||
            render_output_finish(&j.out, err, sizeof err) != 0)
            goto fail;
    } else {
        total = av_cut_total(&cut) - opt.crossfade * (double)(cut.n - 1);
        if (render_reencode(&j, out_path, err, sizeof err) != 0)
            goto fail;
    }
    if (!opt.quiet)
        fprintf(stderr, "recut-render: wrote %s: %zu segment%s, %.3f s\n", out_path, cut.n,
                cut.n == 1 ? "" : "s", total);
    rc = 0;
    goto done;
fail:
    fprintf(stderr, "recut-render: %s\n", err);
    render_output_abort(&j.out);
done:
    render_video_free(&j.rv);
    render_audio_free(&j.ra);
    render_input_close(&j.in);
    av_cut_free(&cut);
    return rc;
}
