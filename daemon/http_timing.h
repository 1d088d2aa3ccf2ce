/* SPDX-License-Identifier: Apache-2.0 */
/* http_timing.h -- how long HTTP requests take, per route, as Prometheus
 * histograms (recut_http_request_duration_seconds).  Replies may come long
 * after the handler returns (Redis loads), so a request is timed from
 * http_timing_begin to http_timing_end at its reply.  The label set is
 * bounded: a route's name, never the raw path. */
#ifndef RECUTD_HTTP_TIMING_H
#define RECUTD_HTTP_TIMING_H

#include "strbuf.h"

struct evhttp_request;

/* ROUTE is an enum httppath_route; is_delete tells DELETE /v1/users/USER
 * apart; malformed paths are timed as route "other". */
void http_timing_begin(const struct evhttp_request *req, int route, int is_delete);
/* At the reply: records the time since http_timing_begin (nothing if the
 * request was not begun, or its slot was taken by others in flight). */
void http_timing_end(const struct evhttp_request *req);
/* The histograms in the Prometheus text format. */
void http_timing_render(struct strbuf *b);

#endif
