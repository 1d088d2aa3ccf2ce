/* SPDX-License-Identifier: Apache-2.0 */
/* expect.h -- the one check header of recut's C test programs (header only).
 *
 * A test counts every check and reports each failure with its file and
 * line, then goes on, so that one run shows every failed property:
 *
 *     EXPECT(n == 3, "n is %d", n);      a check with a formatted message
 *     EXPECT_TRUE(n == 3);               the same, the condition is the message
 *     EXPECT_NEAR(x, 0.5, 1e-9);         |x - 0.5| <= tol * max(1, |0.5|)
 *     return expect_report();             prints the tally; 0 or 1
 */
#ifndef RECUT_TEST_EXPECT_H
#define RECUT_TEST_EXPECT_H

#include <math.h>
#include <stdio.h>

static int failures;
static int checks;

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        checks++;                                                                                  \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define EXPECT_TRUE(cond) EXPECT(cond, "check failed: %s", #cond)

#define EXPECT_NEAR(a, b, tol)                                                                     \
    do {                                                                                           \
        double expect_a_ = (a), expect_b_ = (b);                                                   \
        EXPECT(fabs(expect_a_ - expect_b_) <= (tol)*fmax(1.0, fabs(expect_b_)),                    \
               "%s = %.17g, expected %s = %.17g (tol %g)", #a, expect_a_, #b, expect_b_,           \
               (double)(tol));                                                                     \
    } while (0)

static inline int expect_report(void)
{
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}

#endif
