/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store_resp.c -- the write path's number and protocol formatting
 * (store_resp.c): every number reads back exactly as the double it was,
 * the common values have their short text, and commands are valid RESP.
 */
#include "config.h"
#include "store-internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

/* store_resp_send() hands a command to the router (store_route.c), which
 * this test does not link: it only checks the formatting. */
int store_route_send(struct store *s, redisCallbackFn *fn, void *priv, const char *cmd, size_t len)
{
    (void)s;
    (void)fn;
    (void)priv;
    (void)cmd;
    (void)len;
    return -1;
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t rnd64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_exact_text(void)
{
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        { 0, "0" },
        { -0.0, "0" },
        { 1, "1" },
        { -1, "-1" },
        { 2.5, "2.5" },
        { -0.5, "-0.5" },
        { 0.75, "0.75" },
        { -3.25, "-3.25" },
        { 1.0 / 1024, "0.0009765625" },
        { 123456789012.0, "123456789012" },
        { 1700000000000.0, "1700000000000" },
        /* not multiples of 1/1024: the shortest text that reads back the same */
        { 0.1, "0.1" },
        { 0.26, "0.26" },
        { 1.0 / 3, "0.3333333333333333" },    /* 16 digits */
        { 0.1 + 0.2, "0.30000000000000004" }, /* 17 digits */
        { 1e300, "1e+300" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[40];
        size_t n = store_resp_fmt_num(buf, sizeof buf, cases[i].v);
        EXPECT(n == strlen(buf) && strcmp(buf, cases[i].text) == 0, "%.17g: got '%s', want '%s'",
               cases[i].v, buf, cases[i].text);
    }
    char b[24];
    EXPECT(store_resp_fmt_ll(b, -9223372036854775807LL - 1) == 20 &&
               strcmp(b, "-9223372036854775808") == 0,
           "LLONG_MIN: '%s'", b);
    EXPECT(store_resp_fmt_ll(b, 0) == 1 && strcmp(b, "0") == 0, "0: '%s'", b);
}

static void test_round_trip(void)
{
    int bad = 0;
    for (int i = 0; i < 300000; i++) {
        double v;
        switch (i % 4) {
        case 0:
            v = (double)(int64_t)(rnd64() % 2000001 - 1000000) / 1024.0;
            break; /* dyadic */
        case 1:
            v = (double)(int64_t)(rnd64() % 20001 - 10000) / 10.0;
            break; /* tenths */
        case 2: {
            uint64_t u = rnd64();
            memcpy(&v, &u, sizeof v);
            break;
        } /* any bits */
        default:
            v = ldexp((double)(rnd64() >> 11), (int)(rnd64() % 80) - 60);
            break;
        }
        if (!isfinite(v))
            continue;
        char buf[40];
        store_resp_fmt_num(buf, sizeof buf, v);
        double back = strtod(buf, NULL);
        if (back != v && bad++ < 5)
            EXPECT(0, "%a printed as '%s' reads back as %a", v, buf, back);
        checks++;
    }
    EXPECT(bad == 0, "%d numbers did not round-trip", bad);
}

/* Decimals of up to six places and their sums (a viewer's weights): the
 * text is the shortest of 15, 16 and 17 digits that reads back, as printf
 * finds it, and short where it can be. */
static void test_decimals(void)
{
    static const double pow10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };
    int bad = 0, shorter = 0;
    double sum = 0;
    for (int i = 0; i < 200000; i++) {
        int d = 1 + (int)(rnd64() % 6);
        double v = (double)(int64_t)(rnd64() % 2000000001 - 1000000000) / pow10[d];
        if (i % 3 == 2)
            v = (sum += v / 1000); /* sums pick up binary tails */
        if (i % 5 == 4)
            v = (double)(int64_t)(rnd64() % 20000) / pow10[4 + (int)(rnd64() % 3)];
        char buf[40], want[40];
        store_resp_fmt_num(buf, sizeof buf, v);
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(want, sizeof want, "%.*g", prec, v);
            if (strtod(want, NULL) == v)
                break;
        }
        if (strcmp(buf, want) != 0 && bad++ < 5)
            EXPECT(0, "%.17g: '%s', printf's shortest '%s'", v, buf, want);
        shorter += strlen(buf) <= 12;
        checks++;
    }
    EXPECT(bad == 0, "%d decimals printed unlike printf's shortest", bad);
    EXPECT(shorter > 100000, "only %d of 200000 decimals printed in 12 bytes or fewer", shorter);
}

static void test_resp(void)
{
    struct store_resp r = { 0 };
    store_resp_cmd(&r, 3);
    store_resp_str(&r, "HSET", 4);
    store_resp_key(&r, "p:{u:1}:", 8, "nb");
    store_resp_num(&r, 2.5);
    static const char want[] = "*3\r\n$4\r\nHSET\r\n$10\r\np:{u:1}:nb\r\n$3\r\n2.5\r\n";
    EXPECT(r.len == sizeof want - 1 && memcmp(r.buf, want, r.len) == 0, "RESP: '%.*s'", (int)r.len,
           r.buf);
    store_resp_free(&r);
}

int main(void)
{
    test_exact_text();
    test_round_trip();
    test_decimals();
    test_resp();
    return expect_report();
}
