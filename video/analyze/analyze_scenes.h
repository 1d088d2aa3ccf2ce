/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_scenes.h -- group shots into scenes and measure each scene. */
#ifndef ANALYZE_SCENES_H
#define ANALYZE_SCENES_H
#include <stddef.h>

#include "analyze.h"

/* Fills m->scenes with spans and raw features (m->shots must be set). */
int analyze_scenes_build(struct analyze_movie *m, const struct analyze_opts *o, char *errstr,
                         size_t errstr_size);
/* Colour similarity (histogram intersection, 0..1) of two frame ranges. */
double analyze_scenes_similarity(const struct analyze_movie *m, size_t a0, size_t a1, size_t b0,
                                 size_t b1);

#endif
