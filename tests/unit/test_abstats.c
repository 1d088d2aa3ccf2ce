/* SPDX-License-Identifier: Apache-2.0 */
/* test_abstats.c -- the experiment statistics against values computed
 * independently: Python's statistics.NormalDist and math.erfc (no scipy on
 * the build machine), the same textbook formulas written apart from
 * abstats.c; 45 of 100 gives the Wilson interval [0.3561, 0.5476] of the
 * literature. */
#include "config.h"
#include "abstats.h"
#include "expect.h"

struct wilson_case {
    uint64_t k, n;
    double rate, lo, hi;
};

struct cmp_case {
    uint64_t ka, na, kb, nb;
    double diff, lo, hi, z, p;
};

int main(void)
{
    static const struct wilson_case w[] = {
        { 0, 10, 0, 0, 0.27753279986288915 },
        { 10, 10, 1, 0.72246720013711085, 1 },
        { 45, 100, 0.45, 0.35614537979511979, 0.5475539700255786 },
        { 1, 3, 1.0 / 3, 0.061491944720396319, 0.79234039919795229 },
        { 530, 1000, 0.53, 0.49901030909301675, 0.56076008539785005 },
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
        struct abstats_rate r;
        abstats_rate(w[i].k, w[i].n, &r);
        EXPECT_NEAR(r.rate, w[i].rate, 1e-12);
        EXPECT(fabs(r.lo - w[i].lo) < 1e-12, "%llu/%llu lo %.17g", (unsigned long long)w[i].k,
               (unsigned long long)w[i].n, r.lo);
        EXPECT_NEAR(r.hi, w[i].hi, 1e-12);
    }
    struct abstats_rate none;
    abstats_rate(0, 0, &none);
    EXPECT_TRUE(none.rate == 0 && none.lo == 0 && none.hi == 1);

    static const struct cmp_case c[] = {
        { 45, 100, 60, 100, 0.15, 0.013152962213704239, 0.28684703778629572, 2.1239769762143657,
          0.033672068856345876 },
        { 200, 1000, 230, 1000, 0.03, -0.0059854938614990957, 0.0659854938614991,
          1.6328722128376321, 0.10249587537989269 },
        { 10, 50, 10, 50, 0, -0.15679711876320429, 0.15679711876320429, 0, 1 },
        { 3, 40, 11, 37, 0.2222972972972973, 0.053915573725383137, 0.39067902086921147,
          2.5268304993355555, 0.011509703700247042 },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct abstats_cmp r;
        abstats_compare(c[i].ka, c[i].na, c[i].kb, c[i].nb, &r);
        EXPECT_NEAR(r.diff, c[i].diff, 1e-12);
        EXPECT_NEAR(r.lo, c[i].lo, 1e-12);
        EXPECT_NEAR(r.hi, c[i].hi, 1e-12);
        EXPECT_NEAR(r.z, c[i].z, 1e-12);
        EXPECT_NEAR(r.p, c[i].p, 1e-10);
    }
    /* b worse than a: the same z with its sign turned, the same p */
    struct abstats_cmp r;
    abstats_compare(60, 100, 45, 100, &r);
    EXPECT_NEAR(r.z, -2.1239769762143657, 1e-12);
    EXPECT_NEAR(r.p, 0.033672068856345876, 1e-10);
    /* an empty arm: no test */
    abstats_compare(0, 0, 5, 10, &r);
    EXPECT_TRUE(r.z == 0 && r.p == 1);
    return expect_report();
}
