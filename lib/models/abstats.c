/* SPDX-License-Identifier: Apache-2.0 */
/* abstats.c -- Wilson intervals and two-proportion z-tests (abstats.h).
 *
 * The Wilson interval rather than the normal one because experiment arms
 * start small and rates sit near 0: the normal interval then leaves [0, 1]
 * or collapses to a point.  The z-test pools the two arms (the null
 * hypothesis says they share one rate); the interval of the difference
 * does not (it describes the difference as observed).  The normal
 * quantiles come from GSL. */
#include "config.h"
#include "abstats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

static double abstats_zcrit(void)
{
    return gsl_cdf_ugaussian_Pinv(0.975);
}

void abstats_rate(uint64_t k, uint64_t n, struct abstats_rate *out)
{
    if (n == 0) {
        *out = (struct abstats_rate){ 0, 0, 1 };
        return;
    }
    if (k > n)
        k = n;
    double z = abstats_zcrit(), z2 = z * z, nn = (double)n, p = (double)k / nn;
    double den = 1 + z2 / nn;
    double mid = (p + z2 / (2 * nn)) / den;
    double half = z * sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / den;
    out->rate = p;
    out->lo = fmax(0, mid - half);
    out->hi = fmin(1, mid + half);
}

void abstats_compare(uint64_t ka, uint64_t na, uint64_t kb, uint64_t nb, struct abstats_cmp *out)
{
    double pa = na ? (double)(ka > na ? na : ka) / (double)na : 0;
    double pb = nb ? (double)(kb > nb ? nb : kb) / (double)nb : 0;
    out->diff = pb - pa;
    out->z = 0;
    out->p = 1;
    if (na == 0 || nb == 0) {
        out->lo = -1;
        out->hi = 1;
        return;
    }
    double z = abstats_zcrit();
    double se = sqrt(pa * (1 - pa) / (double)na + pb * (1 - pb) / (double)nb);
    out->lo = fmax(-1, out->diff - z * se);
    out->hi = fmin(1, out->diff + z * se);
    double pool = (double)(ka + kb) / (double)(na + nb);
    double se0 = sqrt(pool * (1 - pool) * (1.0 / (double)na + 1.0 / (double)nb));
    if (se0 > 0) {
        out->z = out->diff / se0;
        out->p = fmin(1, 2 * gsl_cdf_ugaussian_Q(fabs(out->z)));
    }
}
