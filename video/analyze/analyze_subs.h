/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_subs.h -- subtitles in recut-analyze: cues from the movie's own
 * text subtitle stream or from a sidecar file, then per scene the text
 * spoken in it, its words as tags and its sentiment (analyze_subs.c). */
#ifndef ANALYZE_SUBS_H
#define ANALYZE_SUBS_H
#include <stddef.h>

#include "analyze.h"

struct AVCodecContext;
struct AVFormatContext;
struct AVPacket;

struct analyze_subs {
    struct AVCodecContext *dec;
    double tb, t0; /* packet time base (s), movie start time (s) */
    int damaged;   /* packets the decoder refused */
    int bitmap;    /* bitmap cues (not read) */
};

/* The first subtitle stream of fmt in a text format FFmpeg decodes, or -1;
 * *others counts the subtitle streams passed over (bitmap ones). */
int analyze_subs_pick(const struct AVFormatContext *fmt, int *others);
/* Open the decoder of the subtitle stream si of fmt (an embedded stream);
 * t0 is the movie's start time.  -1 when it is not a text subtitle codec
 * FFmpeg decodes. */
int analyze_subs_open(struct analyze_subs *s, struct AVFormatContext *fmt, int si, double t0,
                      char *errstr, size_t errstr_size);
/* Decode one packet into m->cues.  Returns 0, 1 when the decoder refused
 * the packet (counted in s->damaged), -1 on out of memory. */
int analyze_subs_packet(struct analyze_subs *s, const struct AVPacket *pkt, struct analyze_movie *m,
                        char *errstr, size_t errstr_size);
void analyze_subs_close(struct analyze_subs *s);

/* A sidecar file (.srt, .ass, .vtt: whatever libavformat demuxes as a
 * subtitle stream); replaces embedded cues.  Any cue that does not decode
 * is an error naming the file. */
int analyze_subs_load(const char *path, struct analyze_movie *m, char *errstr, size_t errstr_size);

/* Per scene: subtitle text, coverage, tags and (with model_path, a .nbm
 * text model) sentiment.  model_required: a model that does not load is
 * an error, else subtitles simply get no sentiment. */
int analyze_subs_scenes(struct analyze_movie *m, const char *model_path, int model_required,
                        int quiet, char *errstr, size_t errstr_size);

#endif
