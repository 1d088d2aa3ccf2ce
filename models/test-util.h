/* test-util.h -- tiny assertion helpers for the models' unit tests. */
#ifndef RECUT_TEST_UTIL_H
#define RECUT_TEST_UTIL_H

#include <math.h>
#include <stdio.h>

static int tu_failures;
static int tu_checks;

#define TU_CHECK(cond)                                                           \
    do {                                                                         \
        tu_checks++;                                                             \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            tu_failures++;                                                       \
        }                                                                        \
    } while (0)

/* |a - b| <= tol * max(1, |b|) */
#define TU_NEAR(a, b, tol)                                                       \
    do {                                                                         \
        double tu_a_ = (a), tu_b_ = (b);                                         \
        tu_checks++;                                                             \
        if (!(fabs(tu_a_ - tu_b_) <= (tol) * fmax(1.0, fabs(tu_b_)))) {          \
            fprintf(stderr, "%s:%d: %s = %.17g, expected %s = %.17g (tol %g)\n",  \
                    __FILE__, __LINE__, #a, tu_a_, #b, tu_b_, (double)(tol));    \
            tu_failures++;                                                       \
        }                                                                        \
    } while (0)

#define TU_DONE()                                                                \
    do {                                                                         \
        printf("%d checks, %d failed\n", tu_checks, tu_failures);                \
        return tu_failures ? 1 : 0;                                              \
    } while (0)

#endif
