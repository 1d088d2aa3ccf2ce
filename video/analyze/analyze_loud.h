/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_loud.h -- ITU-R BS.1770 loudness metered by libavfilter's ebur128:
 * the mean square of the 400 ms block starting at each 100 ms slot; gated
 * loudness of a span. */
#ifndef ANALYZE_LOUD_H
#define ANALYZE_LOUD_H
#include <stddef.h>
#include <stdint.h>

#include <libavutil/channel_layout.h>

#include "analyze.h"

struct AVFilterGraph;
struct AVFilterContext;
struct AVFrame;

struct analyze_loud {
    int rate, nch, slot_len;
    struct AVFilterGraph *graph; /* abuffer -> asetnsamples -> ebur128 -> sink */
    struct AVFilterContext *src, *sink;
    struct AVFrame *in, *out;
    AVChannelLayout layout; /* the graph's input layout */
    int64_t pos;            /* next sample's index on the movie timeline */
    int have_pos;
};

int analyze_loud_init(struct analyze_loud *l, int rate, const struct AVChannelLayout *layout,
                      char *errstr, size_t errstr_size);
/* n samples per channel (planar float) starting at time t (s). */
int analyze_loud_push(struct analyze_loud *l, const float *const *planes, int n, double t,
                      struct analyze_movie *m, char *errstr, size_t errstr_size);
/* At the end of the audio: the last blocks out of the filter. */
int analyze_loud_finish(struct analyze_loud *l, struct analyze_movie *m, char *errstr,
                        size_t errstr_size);
void analyze_loud_free(struct analyze_loud *l);

/* Gated loudness (LUFS) of [t0, t1) and the standard deviation (LU) of the
 * momentary (400 ms) loudness there; -70 and 0 for silence. */
double analyze_loud_span(const struct analyze_movie *m, double t0, double t1, double *var);
/* Momentary loudness of the 400 ms block starting at slot k, or -70. */
double analyze_loud_momentary(const struct analyze_movie *m, size_t k);

#endif
