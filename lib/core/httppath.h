/* SPDX-License-Identifier: Apache-2.0 */
/* httppath.h -- the HTTP API's request target (path and query string),
 * percent-decoded and checked, before any handler sees it.
 *
 * Ids come from the outside and name Redis keys: an id is taken on its
 * decoded length, never cut at an encoded %00, so "u1%00x" is refused
 * instead of answering for "u1".  Kept apart from daemon/http.c so the unit
 * tests and the fuzz harness run it without a server. */
#ifndef RECUT_HTTPPATH_H
#define RECUT_HTTPPATH_H

#include <stddef.h>

#include "vevent.h"

enum httppath_route {
    HTTPPATH_NOT_FOUND = 0,
    HTTPPATH_METRICS,          /* /metrics */
    HTTPPATH_HEALTH,           /* /v1/health */
    HTTPPATH_EVENTS,           /* /v1/events */
    HTTPPATH_PLUGINS,          /* /v1/plugins */
    HTTPPATH_MOVIE,            /* /v1/movies/MOVIE */
    HTTPPATH_USER,             /* /v1/users/USER */
    HTTPPATH_USER_RECS,        /* /v1/users/USER/recommendations */
    HTTPPATH_USER_PROFILE,     /* /v1/users/USER/profile */
    HTTPPATH_USER_CUT,         /* /v1/users/USER/cuts/MOVIE */
    HTTPPATH_USER_PUBLISH,     /* /v1/users/USER/cuts/MOVIE/publish */
    HTTPPATH_EXPERIMENTS,      /* /v1/experiments */
    HTTPPATH_MOVIE_MEDIA,      /* /v1/movies/MOVIE/media */
    HTTPPATH_MOVIE_NEIGHBOURS, /* /v1/movies/MOVIE/neighbours */
    HTTPPATH_UI,               /* /ui and anything under it (daemon/http_static.c) */
};

/* Most query parameters, and longest decoded value (the cut's source). */
#define HTTPPATH_PARAMS_MAX 32
#define HTTPPATH_VALUE_MAX 1023

struct httppath_param {
    const char *name, *value; /* decoded, NUL-terminated, neither holds a NUL */
};

struct httppath {
    enum httppath_route route;
    char user[VEVENT_ID_MAX + 1];  /* "" unless the route names a viewer */
    char movie[VEVENT_ID_MAX + 1]; /* "" unless the route names a movie */
    size_t n_params;
    struct httppath_param params[HTTPPATH_PARAMS_MAX];
    char *store; /* the decoded parameters */
};

/* Parse a request's path (still percent-encoded, as on the request line)
 * and its query string (NULL: none).  Returns 0 with *p filled (route
 * HTTPPATH_NOT_FOUND for a well-formed path no resource has: a 404), or -1
 * when the target is malformed (a 400): a bad %-escape, a decoded NUL,
 * control byte or invalid UTF-8 in a segment or parameter, an id empty or
 * over VEVENT_ID_MAX bytes, too many or too long parameters, an exclude=
 * list with a bad id.  errstr says which part and why.  Call
 * httppath_clear() after either. */
int httppath_parse(struct httppath *p, const char *path, const char *query, char *errstr,
                   size_t errstr_size);
void httppath_clear(struct httppath *p);
/* The first value of parameter NAME, or NULL. */
const char *httppath_param(const struct httppath *p, const char *name);
/* 0 if the LEN bytes at S are a valid id: 1 to VEVENT_ID_MAX bytes of
 * UTF-8 without control characters (NUL included); else -1 and errstr says
 * why, naming it WHAT ("viewer id", ...). */
int httppath_check_id(const char *s, size_t len, const char *what, char *errstr,
                      size_t errstr_size);

#endif
