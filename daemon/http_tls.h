/* SPDX-License-Identifier: Apache-2.0 */
/* http_tls.h -- HTTPS for the HTTP API: [http] tls_cert and tls_key loaded
 * into an OpenSSL context that every new connection of the evhttp server
 * gets its TLS session from.  http.c owns one; confcheck.c checks the files
 * the same way for start-up, -t and reload. */
#ifndef RECUTD_HTTP_TLS_H
#define RECUTD_HTTP_TLS_H

#include <stddef.h>

#include <event2/http.h>

#include "conf.h"

struct http_tls;

/* Load tls_cert and tls_key as http_tls_new would, and drop them: 0, or -1
 * with "file:line: http.tls_key: reason".  Neither set is fine. */
int http_tls_check(const struct recut_config *cfg, char *errstr, size_t errstr_size);
/* Serve eh over TLS when cfg sets tls_cert and tls_key (plain HTTP when
 * neither).  NULL with the reason on error. */
struct http_tls *http_tls_new(struct evhttp *eh, const struct recut_config *cfg, char *errstr,
                              size_t errstr_size);
/* Read the files again (SIGHUP): new connections get the new certificate,
 * open ones keep theirs; TLS is turned on or off as cfg says.  On error the
 * running certificate stays, and -1 with the reason. */
int http_tls_reload(struct http_tls *t, const struct recut_config *cfg, char *errstr,
                    size_t errstr_size);
/* For evhttp's new-connection callback: a TLS bufferevent when serving TLS
 * now; NULL when not (or out of memory: a plain one then, which
 * http_tls_request_ok refuses). */
struct bufferevent *http_tls_bev(struct http_tls *t, struct event_base *base);
/* 1 if serving TLS now. */
int http_tls_on(struct http_tls *t);
/* 1 if req may be answered: it came over TLS, or TLS is off. */
int http_tls_request_ok(struct http_tls *t, struct evhttp_request *req);
void http_tls_free(struct http_tls *t);

#endif
