/* SPDX-License-Identifier: Apache-2.0 */
/* http_listen.h -- the HTTP listener's limits: out of file descriptors it
 * stops accepting for a moment instead of spinning, and it accepts no more
 * than max_connections at once.  Used by http.c only, on the listener of
 * its bound socket. */
#ifndef RECUTD_HTTP_LISTEN_H
#define RECUTD_HTTP_LISTEN_H

#include <stddef.h>

struct bufferevent;
struct event_base;
struct evconnlistener;
struct http_listen;

/* Install the error handling on L (the listener evhttp accepts from).
 * NULL with the reason in errstr (out of memory). */
struct http_listen *http_listen_new(struct event_base *base, struct evconnlistener *l,
                                    size_t max_connections, char *errstr, size_t errstr_size);
/* Count BEV, the bufferevent of a new connection (from evhttp's bufferevent
 * callback), among the open ones until evhttp frees it; returns BEV. */
struct bufferevent *http_listen_track(struct http_listen *hl, struct bufferevent *bev);
/* After evhttp_free(): drops the references still held. */
void http_listen_free(struct http_listen *hl);

#endif
