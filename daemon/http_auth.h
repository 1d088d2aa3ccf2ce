/* SPDX-License-Identifier: Apache-2.0 */
/* http_auth.h -- who may use the HTTP API (recutd(8), AUTHENTICATION).
 *
 * http.c asks http_auth_check() about every request before routing it;
 * recutd.c builds a scratch http_auth from a configuration it has read, so
 * that start-up, `recutd -t` and a reload refuse the same tokens file. */
#ifndef RECUTD_HTTP_AUTH_H
#define RECUTD_HTTP_AUTH_H

#include <stddef.h>

#include "conf.h"
#include "httppath.h"

struct http_auth;
struct evhttp_request;

/* From cfg's [http] keys: the accepted hosts and origins, and the tokens of
 * tokens_file.  NULL with the reason ("FILE:LINE: reason", naming the key)
 * in errstr. */
struct http_auth *http_auth_new(const struct recut_config *cfg, char *errstr, size_t errstr_size);
void http_auth_free(struct http_auth *a);

/* Log who may use the API (no tokens_file, none listed, or how many). */
void http_auth_log(const struct http_auth *a, const struct recut_config *cfg);

/* May req go on?  route is what its path names (httppath.h; NOT_FOUND for
 * a path that does not parse: it needs the scope of its method).  0 if so; else the
 * HTTP status to answer (400, 401, 403, 415, 421) with the reason in msg;
 * for 401 the WWW-Authenticate header is already added to req's answer. */
int http_auth_check(const struct http_auth *a, struct evhttp_request *req,
                    enum httppath_route route, char *msg, size_t msgsz);

#endif
