/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_decode.h -- the decoding pass of recut-analyze: demux, decode
 * video (threaded) and audio, feed analyze_frame and analyze_loud. */
#ifndef ANALYZE_DECODE_H
#define ANALYZE_DECODE_H
#include <stddef.h>

#include "analyze.h"

/* Fills m (frames, blend candidates, loudness slots, duration, stream
 * facts).  Warnings go to stderr unless quiet; errors to errstr. */
int analyze_decode_run(const char *path, struct analyze_movie *m, int quiet, char *errstr,
                       size_t errstr_size);

#endif
