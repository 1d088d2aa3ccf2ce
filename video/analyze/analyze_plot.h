/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_plot.h -- SVG timeline: arousal and valence over time, scene
 * boundaries, shot cuts, and optionally the scenes of a cut highlighted. */
#ifndef ANALYZE_PLOT_H
#define ANALYZE_PLOT_H
#include <stddef.h>
#include <stdio.h>

#include "analyze.h"
#include "av_cut.h"

int analyze_plot_write(FILE *fp, const struct analyze_movie *m, const char *title,
                       const struct av_cut *cut, char *errstr, size_t errstr_size);

#endif
