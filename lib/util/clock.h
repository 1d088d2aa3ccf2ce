/* SPDX-License-Identifier: Apache-2.0 */
/* clock.h -- the time of a clock as the daemon's modules measure it: the
 * monotonic clock for intervals and deadlines (never the wall clock, which
 * jumps), a thread's CPU clock for what a thread did.  Header-only: each is
 * one clock_gettime call. */
#ifndef RECUT_CLOCK_H
#define RECUT_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Clock id in seconds. */
static inline double clock_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The monotonic clock in milliseconds. */
static inline int64_t clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The monotonic clock in microseconds. */
static inline int64_t clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

#endif
