/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_shots.h -- shot boundaries from the per-frame distances (hard
 * cuts) and the blend candidates (fades, dissolves). */
#ifndef ANALYZE_SHOTS_H
#define ANALYZE_SHOTS_H
#include <stddef.h>

#include "analyze.h"

/* Fills m->cuts and m->shots. */
int analyze_shots_detect(struct analyze_movie *m, const struct analyze_opts *o, char *errstr,
                         size_t errstr_size);

#endif
