/* SPDX-License-Identifier: Apache-2.0 */
/* http_timing.c -- per-route request duration histograms for GET /metrics.
 * Why a small table keyed by the request rather than per-request memory:
 * libevent frees a request whose connection dropped without telling us, so
 * anything allocated per request could leak; a fixed table cannot, and a
 * stale slot is simply overwritten.  Requests begin and end on the HTTP
 * front thread and the histograms are rendered on the main loop, so all
 * three take the lock. */
#include "config.h"
#include "http_timing.h"
#include "clock.h"
#include "httppath.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Indexed by route (httppath.h), so a route added to the enum without a
 * name here is timed as "other" rather than under another's name. */
#define HTTP_TIMING_USERS_DELETE (HTTPPATH_UI + 1)
static const char *const http_timing_routes[] = {
    [HTTPPATH_NOT_FOUND] = "other",
    [HTTPPATH_METRICS] = "metrics",
    [HTTPPATH_HEALTH] = "health",
    [HTTPPATH_EVENTS] = "events",
    [HTTPPATH_PLUGINS] = "plugins",
    [HTTPPATH_MOVIE] = "movies",
    [HTTPPATH_USER] = "users",
    [HTTPPATH_USER_RECS] = "recommendations",
    [HTTPPATH_USER_PROFILE] = "profile",
    [HTTPPATH_USER_CUT] = "cuts",
    [HTTPPATH_USER_PUBLISH] = "cuts_publish",
    [HTTPPATH_EXPERIMENTS] = "experiments",
    [HTTPPATH_MOVIE_MEDIA] = "media",
    [HTTPPATH_MOVIE_NEIGHBOURS] = "neighbours",
    [HTTPPATH_UI] = "ui",
    [HTTP_TIMING_USERS_DELETE] = "users_delete",
};
#define HTTP_TIMING_N_ROUTES (sizeof http_timing_routes / sizeof http_timing_routes[0])

static const double http_timing_bounds[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                             0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                             1,      2.5,     5,      10 };
#define HTTP_TIMING_N_BOUNDS (sizeof http_timing_bounds / sizeof http_timing_bounds[0])

static struct {
    uint64_t bucket[HTTP_TIMING_N_BOUNDS]; /* not cumulative: rendered so */
    uint64_t count;
    double sum;
} http_timing_hist[HTTP_TIMING_N_ROUTES];

static pthread_mutex_t http_timing_lock = PTHREAD_MUTEX_INITIALIZER;

#define HTTP_TIMING_SLOTS 1024
#define HTTP_TIMING_PROBE 8
static struct {
    const struct evhttp_request *req; /* NULL: free */
    double start;
    unsigned route;
} http_timing_slots[HTTP_TIMING_SLOTS];

static size_t http_timing_hash(const struct evhttp_request *req)
{
    uintptr_t p = (uintptr_t)req;
    p ^= p >> 17;
    p *= (uintptr_t)0x9E3779B97F4A7C15ull;
    return (size_t)(p >> 7) % HTTP_TIMING_SLOTS;
}

void http_timing_begin(const struct evhttp_request *req, int route, int is_delete)
{
    unsigned r =
        route > 0 && (unsigned)route < HTTP_TIMING_USERS_DELETE && http_timing_routes[route]
            ? (unsigned)route
            : 0;
    if (route == HTTPPATH_USER && is_delete)
        r = HTTP_TIMING_USERS_DELETE;
    size_t h = http_timing_hash(req), pick = h;
    double oldest = -1, now = clock_seconds(CLOCK_MONOTONIC);
    pthread_mutex_lock(&http_timing_lock);
    for (size_t i = 0; i < HTTP_TIMING_PROBE; i++) {
        size_t s = (h + i) % HTTP_TIMING_SLOTS;
        if (!http_timing_slots[s].req || http_timing_slots[s].req == req) {
            pick = s;
            break;
        }
        /* all taken: the oldest is most likely a dropped connection's */
        if (oldest < 0 || http_timing_slots[s].start < oldest) {
            oldest = http_timing_slots[s].start;
            pick = s;
        }
    }
    http_timing_slots[pick].req = req;
    http_timing_slots[pick].start = now;
    http_timing_slots[pick].route = r;
    pthread_mutex_unlock(&http_timing_lock);
}

void http_timing_end(const struct evhttp_request *req)
{
    size_t h = http_timing_hash(req);
    double now = clock_seconds(CLOCK_MONOTONIC);
    pthread_mutex_lock(&http_timing_lock);
    for (size_t i = 0; i < HTTP_TIMING_PROBE; i++) {
        size_t s = (h + i) % HTTP_TIMING_SLOTS;
        if (http_timing_slots[s].req != req)
            continue;
        double t = now - http_timing_slots[s].start;
        if (t < 0)
            t = 0;
        unsigned r = http_timing_slots[s].route;
        http_timing_slots[s].req = NULL;
        http_timing_hist[r].count++;
        http_timing_hist[r].sum += t;
        for (size_t k = 0; k < HTTP_TIMING_N_BOUNDS; k++)
            if (t <= http_timing_bounds[k]) {
                http_timing_hist[r].bucket[k]++;
                break;
            }
        break;
    }
    pthread_mutex_unlock(&http_timing_lock);
}

void http_timing_render(struct strbuf *b)
{
    strbuf_printf(b, "# HELP recut_http_request_duration_seconds Time from reading an HTTP "
                     "request to its reply, by route.\n"
                     "# TYPE recut_http_request_duration_seconds histogram\n");
    pthread_mutex_lock(&http_timing_lock);
    for (size_t r = 0; r < HTTP_TIMING_N_ROUTES; r++) {
        if (!http_timing_routes[r])
            continue;
        uint64_t cum = 0;
        for (size_t k = 0; k < HTTP_TIMING_N_BOUNDS; k++) {
            cum += http_timing_hist[r].bucket[k];
            strbuf_printf(b,
                          "recut_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} "
                          "%llu\n",
                          http_timing_routes[r], http_timing_bounds[k], (unsigned long long)cum);
        }
        strbuf_printf(b,
                      "recut_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                      "recut_http_request_duration_seconds_sum{route=\"%s\"} %.9f\n"
                      "recut_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                      http_timing_routes[r], (unsigned long long)http_timing_hist[r].count,
                      http_timing_routes[r], http_timing_hist[r].sum, http_timing_routes[r],
                      (unsigned long long)http_timing_hist[r].count);
    }
    pthread_mutex_unlock(&http_timing_lock);
}
