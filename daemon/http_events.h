/* SPDX-License-Identifier: Apache-2.0 */
/* http_events.h -- the body of POST /v1/events (one event or NDJSON),
 * read line by line and applied a store batch at a time.  http.c hands it
 * the request body and gets the answer back through a callback. */
#ifndef RECUTD_HTTP_EVENTS_H
#define RECUTD_HTTP_EVENTS_H

#include <jansson.h>
#include <stddef.h>

#include "daemon.h"

struct evbuffer;

/* Most rejected lines listed in an answer ("rejected_total" counts all). */
#define HTTP_EVENTS_REJECTED_MAX 1000

/* reply(arg, status, doc) is called exactly once, from the event loop (never
 * from inside http_events_start), with the answer; it owns doc. */
typedef void (*http_events_reply_fn)(void *arg, int status, json_t *doc);

/* Take the body (BODY is emptied: its bytes are moved, not copied) and
 * start applying it.  Returns 0, or -1 (out of memory; errstr says so,
 * reply is not called). */
int http_events_start(struct recutd *d, struct evbuffer *body, http_events_reply_fn reply,
                      void *arg, char *errstr, size_t errstr_size);

#endif
