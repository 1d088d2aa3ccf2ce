/* SPDX-License-Identifier: Apache-2.0 */
/* http_listen.h -- what the HTTP listener does when accept() fails: out of
 * file descriptors, it stops accepting for a moment instead of spinning.
 * Used by http.c only, on the listener of its bound socket. */
#ifndef RECUTD_HTTP_LISTEN_H
#define RECUTD_HTTP_LISTEN_H

#include <stddef.h>

struct event_base;
struct evconnlistener;
struct http_listen;

/* Install the error handling on L (the listener evhttp accepts from).
 * NULL with the reason in errstr (out of memory). */
struct http_listen *http_listen_new(struct event_base *base, struct evconnlistener *l, char *errstr,
                                    size_t errstr_size);
void http_listen_free(struct http_listen *hl);

#endif
