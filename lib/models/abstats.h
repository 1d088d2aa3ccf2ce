/* SPDX-License-Identifier: Apache-2.0 */
/* abstats.h -- the statistics of an A/B experiment: a conversion rate with
 * its Wilson score interval, and the difference of two rates with its
 * interval and the two-proportion z-test.
 *
 * Kept apart from the daemon so recutd (GET /v1/experiments, /metrics) and
 * recut-eval --experiment print the same numbers, and so the formulas are
 * tested against independently computed values (tests/unit/test_abstats). */
#ifndef RECUT_ABSTATS_H
#define RECUT_ABSTATS_H

#include <stdint.h>

struct abstats_rate {
    double rate;   /* k / n (0 when n is 0) */
    double lo, hi; /* Wilson score interval at 95 % ([0, 1] when n is 0) */
};

struct abstats_cmp {
    double diff;   /* rate of b - rate of a */
    double lo, hi; /* 95 % interval of diff (unpooled standard error) */
    double z;      /* two-proportion z statistic (pooled standard error) */
    double p;      /* its two-sided p-value (1 when undefined) */
};

/* k successes of n trials. */
void abstats_rate(uint64_t k, uint64_t n, struct abstats_rate *out);
/* Arm b (kb of nb) against arm a (ka of na). */
void abstats_compare(uint64_t ka, uint64_t na, uint64_t kb, uint64_t nb, struct abstats_cmp *out);

#endif
