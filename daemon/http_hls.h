/* SPDX-License-Identifier: Apache-2.0 */
/* http_hls.h -- GET /v1/users/{id}/cuts/{movie}?format=hls: the HLS media
 * playlist of a personal cut, listing segments prepared once per scene by
 * recut-render --hls-prepare under [http] media_dir/MOVIE.hls/. */
#ifndef HTTP_HLS_H
#define HTTP_HLS_H
#include <stddef.h>

#include "recut/plugin.h"

/* The playlist (heap string) of the kept scenes (ascending indices) of
 * movie m, or NULL with *status (404: not prepared, or prepared for other
 * scenes; 400: an empty cut; 500: out of memory) and the reason in
 * errstr. */
char *http_hls_playlist(const char *media_dir, const struct recut_movie *m, const size_t *kept,
                        size_t n_kept, int *status, char *errstr, size_t errstr_size);

/* Is name a segment file name hls.json may list (and the media route may
 * serve): [A-Za-z0-9_-] and dots, not starting with a dot, ending in
 * ".ts", at most 64 bytes? */
int http_hls_segment_name_ok(const char *name);

#endif
