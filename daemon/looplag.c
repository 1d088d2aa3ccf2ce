/* SPDX-License-Identifier: Apache-2.0 */
/* looplag.c -- how late the event loop runs (see looplag.h).
 *
 * Static state, like http_timing.c: there is one loop.  The split of a late
 * tick is proportional: the thread's CPU time over the tick's wall time says
 * which share of the lateness it was running. */
#include "config.h"
#include "looplag.h"
#include "clock.h"

#include <stdint.h>
#include <time.h>

#define LOOPLAG_TICK_MS 10
#define LOOPLAG_LATE_S 0.001 /* lateness below this is the timer's own slack */

static const double looplag_bounds[] = { 0.0005, 0.001, 0.002, 0.005, 0.01,
                                         0.025,  0.05,  0.1,   0.25,  1 };
#define LOOPLAG_N_BOUNDS (sizeof looplag_bounds / sizeof looplag_bounds[0])

static struct {
    struct event *ev;
    double last_wall, last_cpu;
    uint64_t bucket[LOOPLAG_N_BOUNDS]; /* not cumulative: rendered so */
    uint64_t count;
    double sum, running, waiting;
} looplag;

static void looplag_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    double wall = clock_seconds(CLOCK_MONOTONIC), cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
    double w = wall - looplag.last_wall, late = w - LOOPLAG_TICK_MS / 1000.0;
    if (late < 0)
        late = 0;
    looplag.count++;
    looplag.sum += late;
    for (size_t k = 0; k < LOOPLAG_N_BOUNDS; k++)
        if (late <= looplag_bounds[k]) {
            looplag.bucket[k]++;
            break;
        }
    if (late > LOOPLAG_LATE_S && w > 0) {
        double share = (cpu - looplag.last_cpu) / w;
        share = share < 0 ? 0 : share > 1 ? 1 : share;
        looplag.running += late * share;
        looplag.waiting += late * (1 - share);
    }
    looplag.last_wall = wall;
    looplag.last_cpu = cpu;
}

int looplag_start(struct event_base *base)
{
    looplag.ev = event_new(base, -1, EV_PERSIST, looplag_tick, NULL);
    struct timeval tv = { 0, LOOPLAG_TICK_MS * 1000 };
    if (!looplag.ev || event_add(looplag.ev, &tv) < 0) {
        looplag_stop();
        return -1;
    }
    looplag.last_wall = clock_seconds(CLOCK_MONOTONIC);
    looplag.last_cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
    return 0;
}

void looplag_stop(void)
{
    if (looplag.ev)
        event_free(looplag.ev);
    looplag.ev = NULL;
}

void looplag_render(struct strbuf *b)
{
    strbuf_printf(b, "# HELP recut_event_loop_lag_seconds How late a timer of the event loop "
                     "asking to run every 10 ms ran.\n"
                     "# TYPE recut_event_loop_lag_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t k = 0; k < LOOPLAG_N_BOUNDS; k++) {
        cum += looplag.bucket[k];
        strbuf_printf(b, "recut_event_loop_lag_seconds_bucket{le=\"%g\"} %llu\n", looplag_bounds[k],
                      (unsigned long long)cum);
    }
    strbuf_printf(b,
                  "recut_event_loop_lag_seconds_bucket{le=\"+Inf\"} %llu\n"
                  "recut_event_loop_lag_seconds_sum %.9f\n"
                  "recut_event_loop_lag_seconds_count %llu\n"
                  "# HELP recut_event_loop_late_seconds_total Lateness of the loop over 1 ms, by "
                  "what its thread did meanwhile: running recutd's work, or waiting for a CPU.\n"
                  "# TYPE recut_event_loop_late_seconds_total counter\n"
                  "recut_event_loop_late_seconds_total{thread=\"running\"} %.9f\n"
                  "recut_event_loop_late_seconds_total{thread=\"waiting\"} %.9f\n",
                  (unsigned long long)looplag.count, looplag.sum, (unsigned long long)looplag.count,
                  looplag.running, looplag.waiting);
}
