/* SPDX-License-Identifier: Apache-2.0 */
/* test_strbuf.c -- the growable string buffer: appends of bytes, strings
 * and printf output across many growths, take/free, and the sticky failed
 * state (a NULL buffer is a failed one). */
#include "config.h"

#include "expect.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_append(void)
{
    struct strbuf *b = strbuf_new();
    EXPECT_TRUE(b && strbuf_len(b) == 0 && strcmp(strbuf_data(b), "") == 0);
    EXPECT_TRUE(strbuf_puts(b, "recut") == 0);
    EXPECT_TRUE(strbuf_append(b, " \0x", 3) == 0);
    EXPECT_TRUE(strbuf_printf(b, "%d-%s", 42, "ok") == 0);
    EXPECT_TRUE(strbuf_len(b) == 5 + 3 + 5);
    EXPECT_TRUE(memcmp(strbuf_data(b), "recut \0x42-ok", 14) == 0); /* NUL-terminated */
    EXPECT_TRUE(strbuf_failed(b) == 0);
    size_t len = 0;
    char *s = strbuf_take(b, &len);
    EXPECT_TRUE(s && len == 13 && memcmp(s, "recut \0x42-ok", 14) == 0);
    free(s);
}

/* Long printf output, far past the first allocation, and many small ones. */
static void test_grow(void)
{
    struct strbuf *b = strbuf_new();
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    EXPECT_TRUE(strbuf_printf(b, "<%s>", big) == 0);
    EXPECT_TRUE(strbuf_len(b) == sizeof big + 1);
    const char *d = strbuf_data(b);
    EXPECT_TRUE(d[0] == '<' && d[1] == 'x' && d[sizeof big - 1] == 'x' && d[sizeof big] == '>' &&
                d[sizeof big + 1] == '\0');
    strbuf_free(b);

    b = strbuf_new();
    for (int i = 0; i < 10000; i++)
        strbuf_printf(b, "%d\n", i);
    size_t len;
    char *s = strbuf_take(b, &len);
    EXPECT_TRUE(s != NULL);
    int next = 0, good = 1;
    for (char *p = s, *nl; s && (nl = strchr(p, '\n')); p = nl + 1)
        good &= atoi(p) == next++;
    EXPECT(s && good && next == 10000, "lines in order: %d", next);
    EXPECT_TRUE(s && len == strlen(s));
    free(s);
}

static void test_empty_take(void)
{
    size_t len = 7;
    char *s = strbuf_take(strbuf_new(), &len);
    EXPECT_TRUE(s && s[0] == '\0' && len == 0);
    free(s);
    strbuf_free(NULL);
}

/* The failed state: NULL behaves as a failed buffer, and a failure sticks. */
static void test_failed(void)
{
    EXPECT_TRUE(strbuf_puts(NULL, "x") == -1);
    EXPECT_TRUE(strbuf_printf(NULL, "%d", 1) == -1);
    EXPECT_TRUE(strbuf_failed(NULL) == 1 && strbuf_len(NULL) == 0);
    EXPECT_TRUE(strcmp(strbuf_data(NULL), "") == 0);
    size_t len = 9;
    EXPECT_TRUE(strbuf_take(NULL, &len) == NULL && len == 0);

    /* an append larger than memory can hold fails, and stays failed */
    struct strbuf *b = strbuf_new();
    EXPECT_TRUE(strbuf_puts(b, "abc") == 0);
    EXPECT_TRUE(strbuf_append(b, "", (size_t)-1 - 1) == -1);
    EXPECT_TRUE(strbuf_failed(b) == 1);
    EXPECT_TRUE(strbuf_puts(b, "def") == -1);
    EXPECT_TRUE(strbuf_printf(b, "%s", "ghi") == -1);
    EXPECT_TRUE(strbuf_len(b) == 0 && strcmp(strbuf_data(b), "") == 0);
    /* reset makes it usable again, empty */
    strbuf_reset(b);
    EXPECT_TRUE(strbuf_failed(b) == 0 && strbuf_len(b) == 0);
    EXPECT_TRUE(strbuf_puts(b, "jkl") == 0 && strcmp(strbuf_data(b), "jkl") == 0);
    EXPECT_TRUE(strbuf_append(b, "", (size_t)-1 - 1) == -1);
    len = 9;
    EXPECT_TRUE(strbuf_take(b, &len) == NULL && len == 0); /* and b is freed */
    strbuf_reset(NULL);
}

/* reset keeps nothing of the old content */
static void test_reset(void)
{
    struct strbuf *b = strbuf_new();
    strbuf_printf(b, "%s", "first row");
    strbuf_reset(b);
    EXPECT_TRUE(strbuf_len(b) == 0 && strcmp(strbuf_data(b), "") == 0);
    strbuf_puts(b, "2nd");
    EXPECT_TRUE(strbuf_len(b) == 3 && strcmp(strbuf_data(b), "2nd") == 0);
    strbuf_free(b);
}

int main(void)
{
    test_append();
    test_grow();
    test_empty_take();
    test_failed();
    test_reset();
    return expect_report();
}
