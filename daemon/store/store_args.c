/* SPDX-License-Identifier: Apache-2.0 */
/* store_args.c -- growable Redis argument vectors (argv + lengths). */
#include "config.h"
#include "store-internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


void store_args_addn(struct store_args *a, const char *s, size_t len)
{
    if (a->oom)
        return;
    if (a->n == a->ncap) {
        size_t nc = a->ncap ? a->ncap * 2 : 32;
        size_t *o = realloc(a->off, nc * sizeof *o);
        if (!o) {
            a->oom = 1;
            return;
        }
        a->off = o;
        size_t *l = realloc(a->alen, nc * sizeof *l);
        if (!l) {
            a->oom = 1;
            return;
        }
        a->alen = l;
        a->ncap = nc;
    }
    if (a->len + len + 1 > a->cap) {
        size_t nc = (a->cap + len + 1) * 2;
        char *b = realloc(a->buf, nc);
        if (!b) {
            a->oom = 1;
            return;
        }
        a->buf = b;
        a->cap = nc;
    }
    memcpy(a->buf + a->len, s, len);
    a->buf[a->len + len] = '\0';
    a->off[a->n] = a->len;
    a->alen[a->n] = len;
    a->n++;
    a->len += len + 1;
}

void store_args_add(struct store_args *a, const char *s)
{
    store_args_addn(a, s, strlen(s));
}

void store_args_addf(struct store_args *a, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= sizeof tmp) {
        a->oom = 1;
        return;
    }
    store_args_addn(a, tmp, (size_t)w);
}

void store_args_free(struct store_args *a)
{
    free(a->buf);
    free(a->off);
    free(a->alen);
    memset(a, 0, sizeof *a);
}
