/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_vevent.c -- event parsing: a table of messages with the reason each
 * must get (libevent regress style), then the fast path against the full
 * jansson path on many generated and mutated messages: both must give the
 * same reason and, for valid events, the same fields.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vevent.h"

#include "expect.h"

#define MAX_BYTES 65536

static const struct {
    const char *msg;
    const char *key;
    enum vevent_error want;
} cases[] = {
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1,\"movie\":\"m1\"}", NULL, VEVENT_OK },
    { " {\n\t\"user\" : \"u1\" , \"type\":\"rating\",\"ts\":2,\"movie\":\"m1\",\"value\":4.5 } ",
      "u1", VEVENT_OK },
    { "{\"user\":\"u1\",\"type\":\"comment\",\"ts\":2,\"movie\":\"m1\",\"text\":\"caf\xc3\xa9 "
      "\\u00e9\"}",
      NULL, VEVENT_OK },
    { "{\"user\":\"u1\",\"type\":\"emotion\",\"ts\":2,\"movie\":\"m1\",\"emotion\":{\"joy\":0.5}}",
      NULL, VEVENT_OK },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1,\"movie\":\"m1\",\"device\":\"tv\"}", NULL,
      VEVENT_OK },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1,\"movie\":\"m1\",\"id\":null}", NULL,
      VEVENT_OK },
    { "{\"user\":\"u1\",\"type\":\"consent\",\"ts\":1,\"value\":1}", NULL, VEVENT_OK },
    { "{\"user\":\"u1\",\"type\":\"forget\",\"ts\":0}", NULL, VEVENT_OK },
    { "", NULL, VEVENT_E_EMPTY },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1,\"movie\":\"m\xff\"}", NULL, VEVENT_E_UTF8 },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1,\"movie\":\"m1\"", NULL, VEVENT_E_JSON },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1,\"movie\":\"m1\"} x", NULL, VEVENT_E_JSON },
    { "{\"user\":\"u1\",\"user\":\"u2\",\"type\":\"view\",\"ts\":1,\"movie\":\"m1\"}", NULL,
      VEVENT_E_JSON },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":01,\"movie\":\"m1\"}", NULL, VEVENT_E_JSON },
    { "[1,2]", NULL, VEVENT_E_NOT_OBJECT },
    { "{\"type\":\"view\",\"ts\":1,\"movie\":\"m1\"}", NULL, VEVENT_E_MISSING },
    { "{\"user\":\"u1\",\"type\":\"view\",\"movie\":\"m1\"}", NULL, VEVENT_E_MISSING },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1}", NULL, VEVENT_E_MISSING },
    { "{\"user\":\"u1\",\"type\":\"rating\",\"ts\":1,\"movie\":\"m1\"}", NULL, VEVENT_E_MISSING },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1.5,\"movie\":\"m1\"}", NULL, VEVENT_E_TYPE },
    { "{\"user\":7,\"type\":\"view\",\"ts\":1,\"movie\":\"m1\"}", NULL, VEVENT_E_TYPE },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1,\"movie\":\"m1\",\"scene\":\"2\"}", NULL,
      VEVENT_E_TYPE },
    { "{\"user\":\"u1\",\"type\":\"sneeze\",\"ts\":1,\"movie\":\"m1\"}", NULL,
      VEVENT_E_UNKNOWN_TYPE },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":-1,\"movie\":\"m1\"}", NULL, VEVENT_E_RANGE },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1,\"movie\":\"m1\",\"value\":1.5}", NULL,
      VEVENT_E_RANGE },
    { "{\"user\":\"u1\",\"type\":\"rating\",\"ts\":1,\"movie\":\"m1\",\"value\":11}", NULL,
      VEVENT_E_RANGE },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1,\"movie\":\"m1\",\"scene\":100001}", NULL,
      VEVENT_E_RANGE },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1,\"movie\":\"\"}", NULL, VEVENT_E_RANGE },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1,\"movie\":\"m\\u0000\"}", NULL, VEVENT_E_JSON },
    { "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1,\"movie\":\"m1\"}", "u2", VEVENT_E_KEY },
};

static void test_table(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vevent ev;
        char err[256] = "";
        const char *m = cases[i].msg, *k = cases[i].key;
        enum vevent_error rc =
            vevent_parse(&ev, m, strlen(m), k, k ? strlen(k) : 0, MAX_BYTES, err, sizeof err);
        EXPECT(rc == cases[i].want, "case %zu (%s): got %s (%s), want %s", i, m,
               vevent_error_name(rc), err, vevent_error_name(cases[i].want));
        EXPECT(rc == VEVENT_OK || err[0], "case %zu: an error without a message", i);
        vevent_clear(&ev);
    }
    /* values as read */
    struct vevent ev;
    char err[256];
    const char *m = "{\"user\":\"u9\",\"type\":\"rating\",\"ts\":1700000000123,\"movie\":\"m7\","
                    "\"id\":\"e1\",\"scene\":3,\"t\":12.25,\"value\":3.5e0}";
    EXPECT(vevent_parse(&ev, m, strlen(m), NULL, 0, MAX_BYTES, err, sizeof err) == VEVENT_OK, "%s",
           err);
    EXPECT(strcmp(ev.user, "u9") == 0 && strcmp(ev.movie, "m7") == 0 && strcmp(ev.id, "e1") == 0,
           "strings read");
    EXPECT(ev.type == VEVENT_RATING && ev.ts == 1700000000123LL && ev.scene == 3 && ev.t == 12.25 &&
               ev.has_value && ev.value == 3.5,
           "numbers read");
    vevent_clear(&ev);
}

/* ---- the two paths agree ---------------------------------------------------- */
static uint64_t rng = 0x9E3779B97F4A7C15ull;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void gen(char *buf, size_t cap)
{
    static const char *const types[] = { "view",    "skip",    "rewatch", "like",
                                         "dislike", "rating",  "comment", "share",
                                         "emotion", "consent", "forget",  "nope" };
    static const char *const nums[] = { "0",    "1",     "-0",     "4.5",
                                        "1e2",  "0.25",  "-3",     "12345678901234567890",
                                        "1E-2", "10",    "100000", "100001",
                                        "2.0",  "1e400", "0.5" };
    static const char *const strs[] = { "\"a\"",           "\"m1\"", "\"\"", "\"x\\\"y\"",
                                        "\"\\u00e9\"",     "null",   "true", "7",
                                        "\"caf\xc3\xa9\"", "{}",     "[]" };
    static const char *const ws[] = { "", "", "", " ", "\n", "\t " };
    size_t len = 0;
#define PUT(...) (len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, __VA_ARGS__))
    PUT("%s{", ws[rnd(6)]);
    int first = 1;
    const char *fields[] = { "user", "type",  "ts",   "id",      "movie", "scene",
                             "t",    "value", "text", "emotion", "extra" };
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        unsigned often = f < 3 ? 19 : f == 4 ? 17 : 8; /* in 20 */
        int reps = rnd(50) == 0 ? 2 : (rnd(20) < often ? 1 : 0);
        for (int r = 0; r < reps; r++) {
            PUT("%s%s\"%s\"%s:%s", first ? "" : ",", ws[rnd(6)], fields[f], ws[rnd(6)], ws[rnd(6)]);
            first = 0;
            switch (f) {
            case 0:
                if (rnd(8))
                    PUT("\"u%u\"", rnd(3));
                else
                    PUT("%s", strs[rnd(11)]);
                break;
            case 1:
                if (rnd(8))
                    PUT("\"%s\"", types[rnd(12)]);
                else
                    PUT("%s", strs[rnd(11)]);
                break;
            case 2:
                PUT("%s", rnd(8) ? "1700000000000" : nums[rnd(15)]);
                break;
            case 3:
            case 4:
                if (rnd(5))
                    PUT("\"x%u\"", rnd(5));
                else
                    PUT("%s", strs[rnd(11)]);
                break;
            case 8:
                PUT("%s", strs[rnd(11)]);
                break;
            case 9:
                if (rnd(3))
                    PUT("{\"joy\":%s}", nums[rnd(15)]);
                else
                    PUT("%s", nums[rnd(15)]);
                break;
            default:
                PUT("%s", rnd(6) ? nums[rnd(15)] : strs[rnd(11)]);
                break;
            }
        }
    }
    PUT("%s}%s", ws[rnd(6)], ws[rnd(6)]);
#undef PUT
    if (len >= cap)
        len = cap - 1;
    /* sometimes a byte changed, dropped or doubled */
    if (len > 2 && rnd(4) == 0) {
        size_t at = rnd((unsigned)len);
        switch (rnd(3)) {
        case 0:
            buf[at] = "{}[]\":,\\ 0a-.e\x01\xc3"[rnd(16)];
            break;
        case 1:
            memmove(buf + at, buf + at + 1, len - at);
            len--;
            break;
        default:
            if (len + 1 < cap) {
                memmove(buf + at + 1, buf + at, len - at);
                len++;
            }
        }
    }
    buf[len] = '\0';
}

static int same_event(const struct vevent *a, const struct vevent *b)
{
    if (a->type != b->type || strcmp(a->user, b->user) || strcmp(a->id, b->id) ||
        strcmp(a->movie, b->movie) || a->ts != b->ts || a->scene != b->scene ||
        memcmp(&a->t, &b->t, sizeof a->t) || a->has_value != b->has_value ||
        memcmp(&a->value, &b->value, sizeof a->value) || (!a->text != !b->text) ||
        (a->text && strcmp(a->text, b->text)) || a->n_emotions != b->n_emotions)
        return 0;
    for (size_t i = 0; i < a->n_emotions; i++)
        if (strcmp(a->emotions[i].label, b->emotions[i].label) ||
            a->emotions[i].p != b->emotions[i].p)
            return 0;
    return 1;
}

static void test_paths_agree(void)
{
    size_t ok = 0, n = 200000;
    int reported = 0;
    for (size_t i = 0; i < n; i++) {
        char msg[1024];
        gen(msg, sizeof msg);
        const char *key = rnd(4) == 0 ? "u1" : NULL;
        struct vevent a, b;
        char ea[256] = "", eb[256] = "";
        enum vevent_error ra =
            vevent_parse(&a, msg, strlen(msg), key, key ? 2 : 0, MAX_BYTES, ea, sizeof ea);
        enum vevent_error rb =
            vevent_parse_full(&b, msg, strlen(msg), key, key ? 2 : 0, MAX_BYTES, eb, sizeof eb);
        int agree = ra == rb && (ra != VEVENT_OK || same_event(&a, &b)) && strcmp(ea, eb) == 0;
        if (!agree && reported++ < 5)
            EXPECT(0, "paths disagree on %s: %s (%s) vs %s (%s)", msg, vevent_error_name(ra), ea,
                   vevent_error_name(rb), eb);
        checks++;
        ok += ra == VEVENT_OK;
        vevent_clear(&a);
        vevent_clear(&b);
    }
    /* the generator must reach both outcomes often, or this tests little */
    EXPECT(ok > n / 50 && ok < n - n / 50, "%zu of %zu generated events valid", ok, n);
    EXPECT(reported == 0, "%d disagreements", reported);
}

/* Allocation failure injection: fail every allocation (jansson's through
 * json_set_alloc_funcs, vevent's own through its hook) or only those of at
 * least fail_from bytes. */
static size_t fail_from;
static void *failing_malloc(size_t n)
{
    return n >= fail_from ? NULL : malloc(n);
}

/* Running out of memory is not the event's fault: it must get its own
 * reason (the caller retries it), never "too_large" or "bad_json". */
static void test_out_of_memory(void)
{
    static const char *const good[] = {
        "{\"user\":\"u1\",\"type\":\"view\",\"ts\":1,\"movie\":\"m1\"}",
        "{\"user\":\"u1\",\"type\":\"comment\",\"ts\":2,\"movie\":\"m1\",\"text\":\"fine "
        "film\"}",
    };
    EXPECT(strcmp(vevent_error_name(VEVENT_E_NOMEM), "out_of_memory") == 0, "name %s",
           vevent_error_name(VEVENT_E_NOMEM));
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        for (int fast = 0; fast < 2; fast++) {
            struct vevent ev;
            char err[256] = "";
            /* jansson cannot allocate (the full path) */
            fail_from = 0;
            json_set_alloc_funcs(failing_malloc, free);
            enum vevent_error rc = fast ? vevent_parse(&ev, good[i], strlen(good[i]), NULL, 0,
                                                       MAX_BYTES, err, sizeof err)
                                        : vevent_parse_full(&ev, good[i], strlen(good[i]), NULL, 0,
                                                            MAX_BYTES, err, sizeof err);
            json_set_alloc_funcs(malloc, free);
            /* the fast path needs no jansson for a plain event */
            if (!fast)
                EXPECT(rc == VEVENT_E_NOMEM, "jansson out of memory, %s: %s (%s)", good[i],
                       vevent_error_name(rc), err);
            else
                EXPECT(rc == VEVENT_OK || rc == VEVENT_E_NOMEM,
                       "jansson out of memory, fast path, %s: %s (%s)", good[i],
                       vevent_error_name(rc), err);
            vevent_clear(&ev);
            /* vevent's own copy of the text cannot be allocated */
            fail_from = 5;
            vevent_set_alloc_hook(failing_malloc);
            rc = fast ? vevent_parse(&ev, good[i], strlen(good[i]), NULL, 0, MAX_BYTES, err,
                                     sizeof err)
                      : vevent_parse_full(&ev, good[i], strlen(good[i]), NULL, 0, MAX_BYTES, err,
                                          sizeof err);
            vevent_set_alloc_hook(NULL);
            if (i == 1)
                EXPECT(rc == VEVENT_E_NOMEM, "text copy out of memory (%s path): %s (%s)",
                       fast ? "fast" : "full", vevent_error_name(rc), err);
            else
                EXPECT(rc == VEVENT_OK, "no text to copy: %s (%s)", vevent_error_name(rc), err);
            vevent_clear(&ev);
            /* some of jansson's allocations fail, others not: the event
             * parses or runs out of memory, it is never called malformed */
            int nomem = 0;
            for (fail_from = 1; fail_from <= 1024; fail_from *= 2) {
                json_set_alloc_funcs(failing_malloc, free);
                rc = vevent_parse_full(&ev, good[i], strlen(good[i]), NULL, 0, MAX_BYTES, err,
                                       sizeof err);
                json_set_alloc_funcs(malloc, free);
                EXPECT(rc == VEVENT_OK || rc == VEVENT_E_NOMEM,
                       "allocations of %zu bytes and more fail: %s (%s)", fail_from,
                       vevent_error_name(rc), err);
                nomem += rc == VEVENT_E_NOMEM;
                vevent_clear(&ev);
            }
            EXPECT(nomem > 0, "no partial failure reached");
            /* and with memory back, the same event parses */
            rc = vevent_parse(&ev, good[i], strlen(good[i]), NULL, 0, MAX_BYTES, err, sizeof err);
            EXPECT(rc == VEVENT_OK, "after the failures: %s (%s)", vevent_error_name(rc), err);
            vevent_clear(&ev);
        }
    }
}

int main(void)
{
    test_table();
    test_paths_agree();
    test_out_of_memory();
    return expect_report();
}
