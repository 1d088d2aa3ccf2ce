/* SPDX-License-Identifier: Apache-2.0 */
/* render_copy.c -- cut by stream copy. */
#include "render_copy.h"
#include "av_progress.h"
#include "render_input.h"
#include "render_output.h"

#include <math.h>
#include <stdio.h>

/* Time (s, movie timeline) of the first keyframe at or after t, or the end
 * of the stream; leaves the demuxer somewhere, callers seek again. */
static int render_copy_key_after(struct render_in *in, double t, double *key, char *errstr,
                                 size_t errstr_size)
{
    if (render_input_seek(in, t, errstr, errstr_size) != 0)
        return -1;
    AVRational tb = in->fmt->streams[in->vi]->time_base;
    double last = -INFINITY;
    for (;;) {
        int ret = av_read_frame(in->fmt, in->pkt);
        if (ret < 0)
            break;
        if (in->pkt->stream_index == in->vi && in->pkt->pts != AV_NOPTS_VALUE) {
            double pt = (double)in->pkt->pts * av_q2d(tb) - in->t0;
            double end =
                pt + (in->pkt->duration > 0 ? (double)in->pkt->duration * av_q2d(tb) : 0.0);
            if (end > last)
                last = end;
            if ((in->pkt->flags & AV_PKT_FLAG_KEY) && pt >= t - 1e-6) {
                av_packet_unref(in->pkt);
                *key = pt;
                return 0;
            }
        }
        av_packet_unref(in->pkt);
    }
    *key = isfinite(last) ? last : in->duration;
    return 0;
}

/* Time of the keyframe decoding starts from when seeking to t. */
static int render_copy_key_before(struct render_in *in, double t, double *key, char *errstr,
                                  size_t errstr_size)
{
    if (render_input_seek(in, t, errstr, errstr_size) != 0)
        return -1;
    AVRational tb = in->fmt->streams[in->vi]->time_base;
    for (;;) {
        int ret = av_read_frame(in->fmt, in->pkt);
        if (ret < 0)
            break;
        int hit = in->pkt->stream_index == in->vi && (in->pkt->flags & AV_PKT_FLAG_KEY) &&
                  in->pkt->pts != AV_NOPTS_VALUE;
        double pt = hit ? (double)in->pkt->pts * av_q2d(tb) - in->t0 : 0.0;
        av_packet_unref(in->pkt);
        if (hit) {
            *key = pt;
            return 0;
        }
    }
    snprintf(errstr, errstr_size, "no keyframe at or before %.3f s", t);
    return -1;
}

int render_copy_run(struct render_in *in, struct render_out *out, const struct av_cut *cut,
                    int quiet, double *total, char *errstr, size_t errstr_size)
{
    struct av_progress prog;
    av_progress_init(&prog, "rendering", av_cut_total(cut), quiet);
    double out_off = 0.0;
    AVStream *vs = in->fmt->streams[in->vi];
    AVStream *as = in->ai >= 0 ? in->fmt->streams[in->ai] : NULL;
    int64_t last_dts[2] = { INT64_MIN, INT64_MIN };
    for (size_t k = 0; k < cut->n; k++) {
        double s = cut->seg[k].start, e = cut->seg[k].end, key_end, key_start;
        if (render_copy_key_after(in, e, &key_end, errstr, errstr_size) != 0 ||
            render_copy_key_before(in, s, &key_start, errstr, errstr_size) != 0 ||
            render_input_seek(in, s, errstr, errstr_size) != 0)
            return -1;
        int started = 0;
        int vdone = 0, adone = as == NULL;
        while (!vdone || !adone) {
            int ret = av_read_frame(in->fmt, in->pkt);
            if (ret < 0)
                break;
            AVPacket *p = in->pkt;
            int video = p->stream_index == in->vi;
            AVStream *src = video ? vs : as;
            if ((!video && p->stream_index != in->ai) || p->pts == AV_NOPTS_VALUE) {
                av_packet_unref(p);
                continue;
            }
            double pt = (double)p->pts * av_q2d(src->time_base) - in->t0;
            if (!video && p->duration > 0) {
                /* audio packets cannot be split: take those whose
				 * middle is inside, so the join is off by at most
				 * half a packet */
                pt += 0.5 * (double)p->duration * av_q2d(src->time_base);
            }
            if (video && !started) {
                if (!(p->flags & AV_PKT_FLAG_KEY) || pt < key_start - 1e-6) {
                    av_packet_unref(p);
                    continue;
                }
                started = 1;
            }
            if (pt < key_start - 1e-6 || (video && !started)) {
                av_packet_unref(p);
                continue;
            }
            if (pt >= key_end - 1e-6) {
                if (video && (p->flags & AV_PKT_FLAG_KEY))
                    vdone = 1;
                if (!video)
                    adone = 1;
                av_packet_unref(p);
                continue;
            }
            if ((video && vdone) || (!video && adone)) {
                av_packet_unref(p);
                continue;
            }
            AVStream *dst = video ? out->vst : out->ast;
            int64_t shift = llround((out_off - key_start - in->t0) / av_q2d(src->time_base));
            p->pts += shift;
            if (p->dts != AV_NOPTS_VALUE)
                p->dts += shift;
            av_packet_rescale_ts(p, src->time_base, dst->time_base);
            int64_t *ld = &last_dts[video ? 0 : 1];
            if (p->dts != AV_NOPTS_VALUE) {
                if (p->dts <= *ld)
                    p->dts = *ld + 1;
                if (p->pts < p->dts)
                    p->pts = p->dts;
                *ld = p->dts;
            }
            p->stream_index = dst->index;
            p->pos = -1;
            if (render_output_packet(out, p, errstr, errstr_size) != 0) {
                av_packet_unref(p);
                return -1;
            }
            av_packet_unref(p);
            av_progress_update(&prog, out_off + (pt - key_start));
        }
        if (!started) {
            snprintf(errstr, errstr_size, "segment %zu (%.3f-%.3f): no keyframe found", k + 1, s,
                     e);
            return -1;
        }
        out_off += key_end - key_start;
    }
    av_progress_finish(&prog);
    *total = out_off;
    return 0;
}
