/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_affect.h -- arousal and valence curves (1 s bins, smoothed) and
 * per-scene affect: arousal, valence, emotion distribution, labels. */
#ifndef ANALYZE_AFFECT_H
#define ANALYZE_AFFECT_H
#include <stddef.h>

#include "analyze.h"

extern const char *const analyze_affect_emotions[4];

int analyze_affect_compute(struct analyze_movie *m, const struct analyze_opts *o, char *errstr,
                           size_t errstr_size);

#endif
