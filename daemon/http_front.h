/* SPDX-License-Identifier: Apache-2.0 */
/* http_front.h -- the HTTP front thread (http_front.c): it owns evhttp and
 * the connections, answers what needs no state of the main loop, hands the
 * rest over and sends the main loop's replies.  http_send is how every
 * reply goes out, from either thread. */
#ifndef RECUTD_HTTP_FRONT_H
#define RECUTD_HTTP_FRONT_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stddef.h>

#include "httppath.h"

struct http_front;

/* Route a request handed over by the front thread, on the main loop (peer:
 * "addr:port" of its client). */
typedef void http_front_route_fn(void *arg, struct evhttp_request *req, enum evhttp_cmd_type cmd,
                                 const struct httppath *q, const char *peer);
/* The front thread's event base.  Its epoll backend batches the changes a
 * request makes to its connection's events (read off and write on, then
 * the reverse) into one epoll_ctl each, applied at the next wait: two
 * system calls a request fewer than libevent's default. */
struct event_base *http_front_base_new(void);
struct http_front *http_front_new(void *arg, struct event_base *main_base,
                                  struct event_base *front_base, http_front_route_fn *route);
/* The time slice the front thread asks the kernel for ([http]
 * thread_slice_us; 0: the default), applied by the thread at its start
 * and, when it changes, at once. */
void http_front_set_slice(struct http_front *f, int us);
/* Run the front base's loop (the one given to http_front_new) in a new
 * thread. */
int http_front_start(struct http_front *f, char *errstr, size_t errstr_size);
/* Stop and join the thread; replies queued for it are sent from the caller. */
void http_front_stop(struct http_front *f);
void http_front_free(struct http_front *f);
/* Hand req to the main loop (q's parameters move with it); -1: out of memory. */
int http_front_hand_over(struct http_front *f, struct evhttp_request *req, enum evhttp_cmd_type cmd,
                         struct httppath *q, const char *peer);
/* Send a reply from any thread (body is drained, not freed; NULL: none):
 * on the front thread at once, from elsewhere queued for it.  Counts the
 * status and ends the request's timing. */
void http_send(struct evhttp_request *req, int code, const char *reason, struct evbuffer *body);

#endif
