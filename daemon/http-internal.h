/* SPDX-License-Identifier: Apache-2.0 */
/* http-internal.h -- what the files of the HTTP API share: the server's
 * state and the helpers that answer.  http.c serves and routes; the routes
 * of one viewer (recommendations, cuts, profile, erasure) are in
 * http_users.c. */
#ifndef RECUTD_HTTP_INTERNAL_H
#define RECUTD_HTTP_INTERNAL_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "http_front.h"
#include "httppath.h"

struct http {
    struct recutd *d;
    struct evhttp *eh;
    struct http_auth *auth; /* who may do what (http_auth.c) */
    struct http_tls *tls;   /* HTTPS ([http] tls_cert, tls_key) */
    size_t bodies_active;   /* POST /v1/events and PUT /v1/movies being applied */
    struct http_listen *listen;
    struct http_cache *answers; /* [http] answer_cache_ms (http_cache.c) */
    /* The front thread (http_front.c) owns evhttp and the connections on
     * its own base; the fields above it reads are behind auth_lock (auth),
     * their own locks (tls, answers) or atomic (answer_ttl_ms). */
    struct event_base *fbase;
    struct http_front *front;
    pthread_mutex_t auth_lock;
    _Atomic int answer_ttl_ms; /* what the front thread may give again; 0: nothing */
};

/* Answer req with what body holds (drained, not freed). */
void http_reply_buffer(struct evhttp_request *req, int code, const char *ctype,
                       struct evbuffer *body);
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
                const struct httppath *q, const char *peer);
/* http_users.c, front thread: give a kept answer to a GET of recommendations
 * or a cut (1), or nothing (0). */
int http_users_kept(struct http *h, struct evhttp_request *req, const struct httppath *q);
/* http_users.c: GET /v1/movies/{id}/neighbours */
void http_neighbours(struct http *h, struct evhttp_request *req, enum evhttp_cmd_type cmd,
                     const struct httppath *q);

#endif
