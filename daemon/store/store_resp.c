/* SPDX-License-Identifier: Apache-2.0 */
/* store_resp.c -- Redis commands written straight into the protocol (RESP)
 * for the write path, where hiredis' own formatting of every argument was a
 * tenth of recutd's time: one buffer, reused, handed to hiredis pre-formatted
 * one command at a time. */
#include "config.h"
#include "store-internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int store_resp_room(struct store_resp *r, size_t n)
{
    if (r->oom)
        return -1;
    if (r->len + n <= r->cap)
        return 0;
    size_t nc = r->cap ? r->cap * 2 : 1024;
    while (nc < r->len + n)
        nc *= 2;
    char *b = realloc(r->buf, nc);
    if (!b) {
        r->oom = 1;
        return -1;
    }
    r->buf = b;
    r->cap = nc;
    return 0;
}

/* Decimal digits of v into the end of buf (size 24); returns the start. */
static char *store_resp_digits(char *end, unsigned long long v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

static void store_resp_line(struct store_resp *r, char type, unsigned long long n)
{
    char tmp[24];
    char *p = store_resp_digits(tmp + sizeof tmp, n);
    size_t dl = (size_t)(tmp + sizeof tmp - p);
    if (store_resp_room(r, dl + 3) < 0)
        return;
    r->buf[r->len++] = type;
    memcpy(r->buf + r->len, p, dl);
    r->len += dl;
    r->buf[r->len++] = '\r';
    r->buf[r->len++] = '\n';
}

void store_resp_cmd(struct store_resp *r, size_t nargs)
{
    store_resp_line(r, '*', nargs);
}

void store_resp_str(struct store_resp *r, const char *s, size_t len)
{
    store_resp_line(r, '$', len);
    if (store_resp_room(r, len + 2) < 0)
        return;
    memcpy(r->buf + r->len, s, len);
    r->len += len;
    r->buf[r->len++] = '\r';
    r->buf[r->len++] = '\n';
}

void store_resp_strz(struct store_resp *r, const char *s)
{
    store_resp_str(r, s, strlen(s));
}

void store_resp_key(struct store_resp *r, const char *pfx, size_t pfx_len, const char *name)
{
    size_t nl = strlen(name);
    store_resp_line(r, '$', pfx_len + nl);
    if (store_resp_room(r, pfx_len + nl + 2) < 0)
        return;
    memcpy(r->buf + r->len, pfx, pfx_len);
    memcpy(r->buf + r->len + pfx_len, name, nl);
    r->len += pfx_len + nl;
    r->buf[r->len++] = '\r';
    r->buf[r->len++] = '\n';
}

size_t store_resp_fmt_ll(char buf[24], long long v)
{
    char tmp[24];
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    char *p = store_resp_digits(tmp + sizeof tmp, u);
    if (v < 0)
        *--p = '-';
    size_t n = (size_t)(tmp + sizeof tmp - p);
    memcpy(buf, p, n);
    buf[n] = '\0';
    return n;
}

void store_resp_ll(struct store_resp *r, long long v)
{
    char tmp[24];
    store_resp_str(r, tmp, store_resp_fmt_ll(tmp, v));
}

size_t store_resp_fmt_num(char *buf, size_t n, double v)
{
    /* Multiples of 1/1024 (whole and half counts, quarter ratings...), the
     * common values: their decimal expansion is exact and at most ten
     * digits long, so they are written exactly without printf. */
    double scaled = v * 1024;
    if (n >= 40 && v > -1e12 && v < 1e12 && scaled == (double)(long long)scaled) {
        long long s = (long long)scaled;
        int neg = s < 0;
        unsigned long long u = neg ? 0ull - (unsigned long long)s : (unsigned long long)s;
        char tmp[24];
        char *p = store_resp_digits(tmp + sizeof tmp, u >> 10);
        size_t len = 0;
        if (neg)
            buf[len++] = '-';
        size_t dl = (size_t)(tmp + sizeof tmp - p);
        memcpy(buf + len, p, dl);
        len += dl;
        unsigned long long frac = (u & 1023) * 9765625ull; /* /1024 in units of 1e-10 */
        if (frac) {
            char f[10];
            for (int i = 9; i >= 0; i--) {
                f[i] = (char)('0' + frac % 10);
                frac /= 10;
            }
            size_t fl = 10;
            while (f[fl - 1] == '0')
                fl--;
            buf[len++] = '.';
            memcpy(buf + len, f, fl);
            len += fl;
        }
        buf[len] = '\0';
        return len;
    }
    /* Values of at most six decimals (weights such as 0.32 and their sums)
     * from 0.0001 up to 1e9: k / 10^d is the double nearest that decimal,
     * as strtod reads it, so if it equals v the decimal is exact, and with
     * at most 15 significant digits it is what %.15g below would print. */
    double av = v < 0 ? -v : v;
    if (n >= 40 && av >= 1e-4 && av < 1e9) {
        static const double pow10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };
        for (int d = 1; d <= 6; d++) {
            double k = nearbyint(av * pow10[d]);
            if (k / pow10[d] != av)
                continue;
            char tmp[24];
            char *p = store_resp_digits(tmp + sizeof tmp, (unsigned long long)k);
            size_t dl = (size_t)(tmp + sizeof tmp - p), len = 0, dd = (size_t)d;
            if (v < 0)
                buf[len++] = '-';
            if (dl <= dd) { /* 0.000ddd */
                buf[len++] = '0';
                buf[len++] = '.';
                for (size_t z = dl; z < dd; z++)
                    buf[len++] = '0';
            } else {
                memcpy(buf + len, p, dl - dd);
                len += dl - dd;
                buf[len++] = '.';
                p += dl - dd;
                dl = dd;
            }
            memcpy(buf + len, p, dl);
            len += dl;
            buf[len] = '\0'; /* (no trailing zero: d is the fewest places) */
            return len;
        }
    }
    /* Else the shortest of 15, 16 and 17 significant digits that reads back
     * as the same double: 0.26 rather than 0.26000000000000001, so a
     * viewer's hashes take fewer bytes in Redis, and nothing is rounded. */
    int w = 0;
    for (int prec = 15; prec <= 17; prec++) {
        w = snprintf(buf, n, "%.*g", prec, v);
        if (w < 0 || (size_t)w >= n || prec == 17 || strtod(buf, NULL) == v)
            break;
    }
    return w < 0 ? 0 : (size_t)w < n ? (size_t)w : n - 1;
}

void store_resp_num(struct store_resp *r, double v)
{
    char tmp[40];
    size_t len = store_resp_fmt_num(tmp, sizeof tmp, v);
    store_resp_str(r, tmp, len);
}

int store_resp_send(struct store *s, struct store_resp *r, redisCallbackFn *fn, void *priv)
{
    int rc = 0;
    /* hiredis reads the command name with string functions: terminate it */
    if (store_resp_room(r, 1) == 0)
        r->buf[r->len] = '\0';
    if (r->oom || store_route_send(s, fn, priv, r->buf, r->len) < 0)
        rc = -1;
    else if (fn)
        s->pending++;
    r->len = 0;
    r->oom = 0;
    return rc;
}

void store_resp_free(struct store_resp *r)
{
    free(r->buf);
    memset(r, 0, sizeof *r);
}
