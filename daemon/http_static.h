/* SPDX-License-Identifier: Apache-2.0 */
/* http_static.h -- files served as they are: the console under /ui/ and a
 * movie's video (recutd(8), CONSOLE).  http.c routes to these after its
 * Host, Origin and token checks; they answer the request themselves. */
#ifndef RECUTD_HTTP_STATIC_H
#define RECUTD_HTTP_STATIC_H

#include <stddef.h>

struct evhttp_request;

/* GET or HEAD of PATH (as on the request line, "/ui" or "/ui/..."): a file
 * of ui_dir, or its index.html for the console's own pages (/ui/,
 * /ui/viewers/ID, /ui/movies/ID, /ui/experiments).  ETag and 304, a
 * Content-Security-Policy of 'self' only; 400 for a path that could leave
 * ui_dir. */
void http_static_ui(struct evhttp_request *req, const char *ui_dir, const char *path);

/* GET or HEAD of media_dir/MOVIE.webm (else .mp4), with one byte range
 * (206, 416 beyond the end). */
void http_static_media(struct evhttp_request *req, const char *media_dir, const char *movie,
                       const char *segment);

#endif
