/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_store_cooc.c -- reading a co-occurrence row and log
 * (store_cooc_parse).  A compaction tells Redis which row it merged by the
 * row's first bytes, and Redis refuses it if the row changed since; so the
 * parse must hand back those bytes for every string row, a corrupt one
 * included: with none, a compaction of a corrupt row would overwrite the row
 * another instance had just compacted and trim log bytes it never merged.
 * The Redis side is checked in tests/integration/cooc.sh.
 */
#include "config.h"
#include "store-internal.h"

#include <stdlib.h>
#include <string.h>

#include "expect.h"

/* store_cooc.c's other neighbours: this test sends nothing. */
static int bad_rows;
void metrics_inc(enum metrics_counter c, uint64_t n)
{
    if (c == M_COOC_BAD_ROWS)
        bad_rows += (int)n;
}

int store_send_args(struct store *s, redisCallbackFn *fn, void *priv, const struct store_args *a)
{
    (void)s, (void)fn, (void)priv, (void)a;
    return -1;
}

void store_replied(struct store *s)
{
    (void)s;
}

/* One log record: [u8 id length][id][u32 count, little endian]. */
static size_t record(unsigned char *out, const char *id, uint32_t n)
{
    size_t l = strlen(id);
    out[0] = (unsigned char)l;
    memcpy(out + 1, id, l);
    for (int i = 0; i < 4; i++)
        out[1 + l + i] = (unsigned char)(n >> (8 * i));
    return 1 + l + 4;
}

static double count_of(const struct strmap *m, const char *id)
{
    const struct strmap_entry *e = strmap_get(m, id);
    return e ? e->num : 0.0;
}

/* A reply of the read script: {row, log}; row NULL: no row. */
static void parse(const char *row, size_t row_len, const unsigned char *log, size_t log_len,
                  struct strmap *m, struct store_cooc_state *st, int *rc)
{
    redisReply r_row = { .type = row ? REDIS_REPLY_STRING : REDIS_REPLY_NIL,
                         .str = (char *)row,
                         .len = row_len };
    redisReply r_log = { .type = REDIS_REPLY_STRING, .str = (char *)log, .len = log_len };
    redisReply *el[2] = { &r_row, &r_log };
    redisReply r = { .type = REDIS_REPLY_ARRAY, .elements = 2, .element = el };
    *rc = store_cooc_parse(&r, "m1", m, st);
}

static void test_corrupt_row(void)
{
    unsigned char log[64];
    size_t ll = record(log, "m2", 3);
    ll += record(log + ll, "m3", 1);
    ll += record(log + ll, "m2", 2);
    static const char *rows[] = { "not a model blob", "RCMB but not a whole blob, longer than 24" };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct strmap m;
        strmap_init(&m);
        struct store_cooc_state st;
        int rc, before = bad_rows;
        size_t len = strlen(rows[i]), want = len < 24 ? len : 24;
        parse(rows[i], len, log, ll, &m, &st, &rc);
        EXPECT(rc == -1 && st.bad && bad_rows == before + 1, "'%s': rc %d, bad %d", rows[i], rc,
               st.bad);
        EXPECT(st.prefix_len == want && memcmp(st.prefix, rows[i], want) == 0,
               "'%s': the row's first %zu bytes handed back, got %zu", rows[i], want,
               st.prefix_len);
        EXPECT(st.log_used == ll, "'%s': log bytes used %zu of %zu", rows[i], st.log_used, ll);
        EXPECT(count_of(&m, "m2") == 5 && count_of(&m, "m3") == 1 && m.len == 2,
               "'%s': the log's counts only (m2 %g, m3 %g, %zu partners)", rows[i],
               count_of(&m, "m2"), count_of(&m, "m3"), m.len);
        strmap_clear(&m, NULL);
    }
}

static void test_partial_log(void)
{
    /* a log cut inside a record: the whole records only */
    unsigned char log[64];
    size_t ll = record(log, "m2", 7);
    size_t whole = ll;
    ll += record(log + ll, "m4", 1) - 2;
    struct strmap m;
    strmap_init(&m);
    struct store_cooc_state st;
    int rc;
    parse(NULL, 0, log, ll, &m, &st, &rc);
    EXPECT(rc == 0 && st.prefix_len == 0 && st.log_used == whole && count_of(&m, "m2") == 7 &&
               count_of(&m, "m4") == 0,
           "partial log: used %zu of %zu, m2 %g, m4 %g", st.log_used, ll, count_of(&m, "m2"),
           count_of(&m, "m4"));
    strmap_clear(&m, NULL);
}

int main(void)
{
    test_corrupt_row();
    test_partial_log();
    return expect_report();
}
