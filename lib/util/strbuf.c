/* SPDX-License-Identifier: Apache-2.0 */
/* strbuf.c -- the growable buffer of strbuf.h.  The storage doubles, so n
 * appends cost O(total length); one byte more than the content is always
 * kept for the terminating NUL. */
#include "config.h"
#include "strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STRBUF_FIRST_CAP 256

struct strbuf {
    char *p;
    size_t len, cap; /* cap > len whenever p is set */
    int failed;
};

struct strbuf *strbuf_new(void)
{
    return calloc(1, sizeof(struct strbuf));
}

/* Room for n more bytes and the NUL; 0 or -1 (the buffer is then failed). */
static int strbuf_reserve(struct strbuf *b, size_t n)
{
    if (!b)
        return -1;
    if (b->failed)
        return -1;
    if (n >= SIZE_MAX - b->len) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + n + 1;
    if (b->p && need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : STRBUF_FIRST_CAP;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    if (!b->p)
        p[0] = '\0'; /* a fresh buffer holds "" */
    b->p = p;
    b->cap = cap;
    return 0;
}

int strbuf_append(struct strbuf *b, const void *data, size_t len)
{
    if (strbuf_reserve(b, len) < 0)
        return -1;
    if (len)
        memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
    return 0;
}

int strbuf_puts(struct strbuf *b, const char *s)
{
    return strbuf_append(b, s, strlen(s));
}

int strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap)
{
    if (strbuf_reserve(b, 0) < 0)
        return -1;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->p[b->len] = '\0';
        b->failed = 1;
        return -1;
    }
    if ((size_t)n >= b->cap - b->len) {
        /* did not fit: grow to the size vsnprintf asked for and print again */
        if (strbuf_reserve(b, (size_t)n) < 0) {
            b->p[b->len] = '\0';
            return -1;
        }
        va_copy(ap2, ap);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap2);
        va_end(ap2);
        if (n < 0 || (size_t)n >= b->cap - b->len) {
            b->p[b->len] = '\0';
            b->failed = 1;
            return -1;
        }
    }
    b->len += (size_t)n;
    return 0;
}

int strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = strbuf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int strbuf_failed(const struct strbuf *b)
{
    return !b || b->failed;
}

const char *strbuf_data(const struct strbuf *b)
{
    return b && b->p && !b->failed ? b->p : "";
}

size_t strbuf_len(const struct strbuf *b)
{
    return b && !b->failed ? b->len : 0;
}

void strbuf_reset(struct strbuf *b)
{
    if (!b)
        return;
    b->len = 0;
    b->failed = 0;
    if (b->p)
        b->p[0] = '\0';
}

char *strbuf_take(struct strbuf *b, size_t *len)
{
    if (len)
        *len = 0;
    if (!b)
        return NULL;
    if (!b->failed && !b->p)
        strbuf_reserve(b, 0);
    if (b->failed) {
        strbuf_free(b);
        return NULL;
    }
    char *p = b->p;
    if (len)
        *len = b->len;
    free(b);
    return p;
}

void strbuf_free(struct strbuf *b)
{
    if (!b)
        return;
    free(b->p);
    free(b);
}
