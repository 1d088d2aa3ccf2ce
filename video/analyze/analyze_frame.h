/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_frame.h -- per-frame reduction for recut-analyze: a 64x36 grid of
 * block means (Y, U, V), its histogram and statistics, distances to the last
 * frames, and the linear blend test for dissolves and fades on a ring of the
 * last grids. */
#ifndef ANALYZE_FRAME_H
#define ANALYZE_FRAME_H
#include <stddef.h>
#include <stdint.h>

#include "analyze.h"

#define ANALYZE_FRAME_GW 64
#define ANALYZE_FRAME_GH 36
#define ANALYZE_FRAME_NB (ANALYZE_FRAME_GW * ANALYZE_FRAME_GH)
#define ANALYZE_FRAME_RING 192
#define ANALYZE_FRAME_HY 8
#define ANALYZE_FRAME_HC 5
#define ANALYZE_FRAME_HB (ANALYZE_FRAME_HY * ANALYZE_FRAME_HC * ANALYZE_FRAME_HC)

struct AVFrame;
struct SwsContext;

struct analyze_frame_grid {
    float y[ANALYZE_FRAME_NB], u[ANALYZE_FRAME_NB], v[ANALYZE_FRAME_NB]; /* 0..255 full range */
    float hist[ANALYZE_FRAME_HB];                                        /* sums to 1 */
};

struct analyze_frame {
    struct analyze_frame_grid *ring;
    size_t count;  /* frames pushed so far */
    uint32_t *acc; /* 3 * NB block sums */
    uint32_t *cnt; /* 3 * NB samples per block */
    struct SwsContext *sws;
    struct AVFrame *small; /* fallback: sws-scaled YUV444P grid */
};

int analyze_frame_init(struct analyze_frame *af, char *errstr, size_t errstr_size);
/* Reduce one decoded frame shown at time t; appends to m->f (and to m->g
 * when the frame ends a blend window). */
int analyze_frame_push(struct analyze_frame *af, const struct AVFrame *fr, double t,
                       struct analyze_movie *m, char *errstr, size_t errstr_size);
void analyze_frame_free(struct analyze_frame *af);

/* Distance between two grids (0..1): half pixel term, half histogram term. */
float analyze_frame_dist(const struct analyze_frame_grid *a, const struct analyze_frame_grid *b);

#endif
