/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_blend.h -- gradual transition candidates (dissolves, fades) by a
 * linear blend model over windows of the last frames. */
#ifndef ANALYZE_BLEND_H
#define ANALYZE_BLEND_H
#include <stddef.h>

struct analyze_frame;
struct analyze_movie;

/* Test the windows that end at the newest frame; a passing window is
 * appended to m->g.  Returns -1 only when out of memory. */
int analyze_blend_test(const struct analyze_frame *af, struct analyze_movie *m, char *errstr,
                       size_t errstr_size);

#endif
