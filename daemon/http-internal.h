/* SPDX-License-Identifier: Apache-2.0 */
/* http-internal.h -- what the files of the HTTP API share: the server's
 * state and the helpers that answer.  http.c serves and routes; the routes
 * of one viewer (recommendations, cuts, profile, erasure) are in
 * http_users.c. */
#ifndef RECUTD_HTTP_INTERNAL_H
#define RECUTD_HTTP_INTERNAL_H

#include <event2/http.h>
#include <jansson.h>
#include <stddef.h>

#include "httppath.h"

struct http {
    struct recutd *d;
    struct evhttp *eh;
    struct http_auth *auth; /* who may do what (http_auth.c) */
    struct http_tls *tls;   /* HTTPS ([http] tls_cert, tls_key) */
    size_t bodies_active;   /* POST /v1/events and PUT /v1/movies being applied */
    struct http_listen *listen;
    struct http_cache *answers; /* [http] answer_cache_ms (http_cache.c) */
};

/* Answer req (Content-Type ctype, Cache-Control: no-store) and end its timing. */
void http_reply(struct evhttp_request *req, int code, const char *ctype, const char *body,
                size_t len);
/* Answer with doc (its reference is taken). */
void http_json(struct evhttp_request *req, int code, json_t *doc);
/* Answer {"error": "..."}. */
void http_error(struct evhttp_request *req, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A query parameter, or NULL. */
const char *http_query(const struct httppath *q, const char *name);
/* A number in [lo, hi] (def if absent); -1 after a 400 naming it. */
int http_query_double(struct evhttp_request *req, const struct httppath *q, const char *name,
                      double def, double lo, double hi, double *out);

/* http_users.c: /v1/users/{id}[/recommendations|/cuts/MOVIE[/publish]|/profile] */
void http_users(struct http *h, struct evhttp_request *req, enum evhttp_cmd_type cmd,
                const struct httppath *q);
/* http_users.c: GET /v1/movies/{id}/neighbours */
void http_neighbours(struct http *h, struct evhttp_request *req, enum evhttp_cmd_type cmd,
                     const struct httppath *q);

#endif
