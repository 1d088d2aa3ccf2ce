/* expect.h -- the check macro of recut's C test programs (header only).
 *
 *     EXPECT(n == 3, "n is %d", n);      counts a check, reports a failure
 *     return expect_report();             prints the tally; 0 or 1 */
#ifndef RECUT_TEST_EXPECT_H
#define RECUT_TEST_EXPECT_H

#include <stdio.h>

static int failures;
static int checks;

#define EXPECT(cond, ...)                                                   \
    do {                                                                    \
        checks++;                                                           \
        if (!(cond)) {                                                      \
            failures++;                                                     \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);             \
            fprintf(stderr, __VA_ARGS__);                                   \
            fputc('\n', stderr);                                            \
        }                                                                   \
    } while (0)

static inline int expect_report(void)
{
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}

#endif
