/* SPDX-License-Identifier: Apache-2.0 */
/* test_viewer_blob.c -- a viewer's state blob (lib/core/viewer_blob.h):
 * every number, string and id comes back exactly; a damaged, truncated,
 * newer or inconsistent blob is refused whole. */
#include "config.h"

#include "blob.h"
#include "expect.h"
#include "viewer_blob.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ids {
    char id[64][32];
    int64_t ts[64];
    size_t n;
};

static const char *ids_at(void *ctx, size_t i, int64_t *ts)
{
    struct ids *x = ctx;
    *ts = x->ts[i];
    return x->id[i];
}

static int ids_collect(void *ctx, const char *id, size_t len, int64_t ts)
{
    struct ids *x = ctx;
    if (x->n == 64 || len >= sizeof x->id[0])
        return -1;
    memcpy(x->id[x->n], id, len + 1);
    x->ts[x->n++] = ts;
    return 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A number of the kinds the update rules make, and some they do not. */
static double some_number(void)
{
    switch (next() % 9) {
    case 0:
        return (double)(int64_t)(next() % 2001) - 1000; /* counts */
    case 1:
        return (double)(next() % 11) / 2; /* half ratings */
    case 2:
        return (double)(next() % 100000) / 100; /* weights such as 0.32 */
    case 3:
        return 0.1 + 0.2; /* a sum that is not its decimal */
    case 4:
        return -(double)(next() % 1000000) / 1e6;
    case 5:
        return 1.0 / 3;
    case 6:
        return 1e300 * (next() % 2 ? 1 : -1);
    case 7:
        return -0.0;
    default:
        return ldexp((double)(next() >> 11), -(int)(next() % 80));
    }
}

static int same_map(const struct strmap *a, const struct strmap *b, const char *what)
{
    int ok = a->len == b->len;
    struct strmap_entry *e;
    for (size_t i = 0; ok && (e = strmap_next(a, &i));) {
        struct strmap_entry *f = strmap_get(b, e->key);
        ok = f && memcmp(&f->num, &e->num, sizeof e->num) == 0; /* bit for bit (-0.0) */
        if (!ok)
            fprintf(stderr, "%s: %s = %.17g came back as %.17g\n", what, e->key, e->num,
                    f ? f->num : NAN);
    }
    return ok;
}

static void fill(recut_viewer *v, struct ids *ids, unsigned round)
{
    char k[64];
    size_t n = next() % 40;
    for (size_t i = 0; i < n; i++) {
        snprintf(k, sizeof k, "f:like:genre:g%u-%zu", round, i);
        strmap_put(&v->nb, k)->num = some_number();
    }
    strmap_put(&v->nb, "n:like")->num = some_number();
    n = next() % 30;
    for (size_t i = 0; i < n; i++) {
        snprintf(k, sizeof k, "m%llu", (unsigned long long)(next() % 100000));
        strmap_put(&v->seen, k)->num = some_number();
        if (i % 3 == 0)
            viewer_push_hist(v, k, 1);
    }
    if (round % 2)
        strmap_put(&v->scenes, "m7:12")->num = -1;
    v->events = (long long)(next() % 100000);
    v->consent = (int)(round % 2);
    ids->n = next() % 64;
    int64_t ts = (int64_t)(next() % 2000000000000ull);
    for (size_t i = 0; i < ids->n; i++) {
        snprintf(ids->id[i], sizeof ids->id[i], "e-%u-%zu", round, i);
        ids->ts[i] = ts;
        ts += (int64_t)(next() % 2000000) - 1000000; /* not in order: deltas of both signs */
    }
}

static void round_trips(void)
{
    for (unsigned round = 0; round < 200; round++) {
        recut_viewer v, w;
        viewer_init(&v, "u1", 1);
        viewer_init(&w, "u1", 1);
        struct ids ids = { 0 }, got = { 0 };
        fill(&v, &ids, round);
        int64_t last_ts = round == 1 ? INT64_MIN : (int64_t)next() >> 1, back_ts = 0;
        struct viewer_blob_ids vi = { ids.n, ids_at, &ids };
        unsigned char *b = NULL;
        size_t bl = 0;
        char err[256] = "";
        EXPECT(viewer_blob_encode(&v, last_ts, &vi, NULL, &b, &bl, err, sizeof err) == 0,
               "encode: %s", err);
        int rc = viewer_blob_decode(b, bl, &w, &back_ts, ids_collect, &got, err, sizeof err);
        EXPECT(rc == 0, "round %u: decode: %s", round, err);
        EXPECT(w.events == v.events && w.consent == v.consent && back_ts == last_ts,
               "round %u: events %lld/%lld consent %d/%d last_ts %lld/%lld", round, w.events,
               v.events, w.consent, v.consent, (long long)back_ts, (long long)last_ts);
        EXPECT(same_map(&v.nb, &w.nb, "nb"), "round %u: nb differs", round);
        EXPECT(same_map(&v.seen, &w.seen, "seen"), "round %u: seen differs", round);
        EXPECT(same_map(&v.scenes, &w.scenes, "scenes"), "round %u: scenes differ", round);
        int hist_ok = v.n_hist == w.n_hist;
        for (size_t i = 0; hist_ok && i < v.n_hist; i++)
            hist_ok = strcmp(v.hist[i], w.hist[i]) == 0;
        EXPECT(hist_ok, "round %u: history differs (%zu items, %zu back)", round, v.n_hist,
               w.n_hist);
        int ids_ok = got.n == ids.n;
        for (size_t i = 0; ids_ok && i < ids.n; i++)
            ids_ok = strcmp(got.id[i], ids.id[i]) == 0 && got.ts[i] == ids.ts[i];
        EXPECT(ids_ok, "round %u: ids differ (%zu, %zu back)", round, ids.n, got.n);
        /* the same state, built in another order, encodes to the same bytes */
        struct viewer_blob_ids wi = { got.n, ids_at, &got };
        unsigned char *b2 = NULL;
        size_t bl2 = 0;
        EXPECT(viewer_blob_encode(&w, back_ts, &wi, NULL, &b2, &bl2, err, sizeof err) == 0, "%s",
               err);
        EXPECT(bl2 == bl && memcmp(b, b2, bl) == 0, "round %u: encoded again differently", round);
        free(b2);
        free(b);
        viewer_free(&v);
        viewer_free(&w);
    }
}

/* The common values take one to three bytes: 20 events' state stays
 * small.  (What it is measured against: the 1.5 KB a viewer may take in
 * Redis, key and overhead included.) */
static void compact(void)
{
    recut_viewer v;
    viewer_init(&v, "u1", 1);
    char k[32];
    for (int i = 0; i < 20; i++) {
        snprintf(k, sizeof k, "m%d", 1000 + i);
        strmap_put(&v.seen, k)->num = i % 2 ? 1 : 0.5;
    }
    unsigned char *b = NULL;
    size_t bl = 0;
    char err[128];
    EXPECT(viewer_blob_encode(&v, 0, NULL, NULL, &b, &bl, err, sizeof err) == 0, "%s", err);
    /* header 16, meta 3, five counts; sorted, m1000 takes 1 + 1 + 5 + 1
     * bytes, m1010 shares "m10" with m1009 (1 + 1 + 2 + 1), and the 18
     * others share four bytes with the one before (1 + 1 + 1 + 1) */
    EXPECT(bl == 16 + 3 + 5 + 8 + 5 + 18 * 4, "20 seen movies in %zu bytes", bl);
    free(b);
    viewer_free(&v);
}

/* One blob spelled out byte for byte (tests/helpers/redis_state.py reads
 * the same layout): it decodes to this state, and this state encodes to
 * exactly these bytes. */
static const unsigned char golden_blob[] = {
    0x52, 0x43, 0x4d, 0x42, 0x08, 0x00, 0x01, 0x00, 0x56, 0x00, 0x00, 0x00, 0x41, 0x14, 0xa6,
    0x73, 0x03, 0x80, 0xc4, 0x9f, 0xd5, 0x0c, 0x01, 0x02, 0x00, 0x12, 0x66, 0x3a, 0x6c, 0x69,
    0x6b, 0x65, 0x3a, 0x67, 0x65, 0x6e, 0x72, 0x65, 0x3a, 0x64, 0x72, 0x61, 0x6d, 0x61, 0x82,
    0x04, 0x00, 0x06, 0x6e, 0x3a, 0x6c, 0x69, 0x6b, 0x65, 0x20, 0x02, 0x00, 0x02, 0x6d, 0x31,
    0x10, 0x01, 0x01, 0x32, 0x08, 0x01, 0x00, 0x04, 0x6d, 0x31, 0x3a, 0x33, 0x07, 0x55, 0x55,
    0x55, 0x55, 0x55, 0x55, 0xd5, 0x3f, 0x02, 0x01, 0x00, 0x02, 0x6d, 0x39, 0x02, 0x00, 0x03,
    0x65, 0x2d, 0x31, 0x80, 0xc4, 0x9f, 0xd5, 0x0c, 0x02, 0x01, 0x32, 0x09
};

static void golden(void)
{
    recut_viewer v;
    viewer_init(&v, "g", 1);
    struct ids got = { 0 };
    int64_t ts = 0;
    char err[256] = "";
    EXPECT(viewer_blob_decode(golden_blob, sizeof golden_blob, &v, &ts, ids_collect, &got, err,
                              sizeof err) == 0,
           "golden: %s", err);
    EXPECT(v.events == 3 && ts == 1700000000 && v.consent == 1, "golden meta");
    EXPECT(viewer_field_value(&v.nb, VIEWER_FIELD_FEATURE, VIEWER_LIKE, "genre:drama") == 0.32,
           "golden nb feature");
    EXPECT(viewer_field_value(&v.nb, VIEWER_FIELD_SAMPLES, VIEWER_LIKE, NULL) == 2,
           "golden n:like");
    EXPECT(strmap_get(&v.seen, "m1") && strmap_get(&v.seen, "m1")->num == 1 &&
               strmap_get(&v.seen, "m2") && strmap_get(&v.seen, "m2")->num == -1,
           "golden seen");
    EXPECT(strmap_get(&v.scenes, "m1:3") && strmap_get(&v.scenes, "m1:3")->num == 1.0 / 3,
           "golden scenes");
    EXPECT(v.n_hist == 2 && strcmp(v.hist[0], "m1") == 0 && strcmp(v.hist[1], "m9") == 0,
           "golden history");
    EXPECT(got.n == 2 && strcmp(got.id[0], "e-1") == 0 && got.ts[0] == 1700000000 &&
               strcmp(got.id[1], "e-2") == 0 && got.ts[1] == 1699999995,
           "golden ids");
    struct viewer_blob_ids vi = { got.n, ids_at, &got };
    unsigned char *b = NULL;
    size_t bl = 0;
    EXPECT(viewer_blob_encode(&v, ts, &vi, NULL, &b, &bl, err, sizeof err) == 0, "%s", err);
    EXPECT(bl == sizeof golden_blob && memcmp(b, golden_blob, bl) == 0,
           "golden: encoded again in %zu bytes, not the same", bl);
    free(b);
    viewer_free(&v);
}

/* The writer's order cache changes nothing in the bytes: new keys noted,
 * a key not noted (the cache no longer holds the map: sorted again), and
 * the maps cleared and refilled after a reset. */
static int same_as_uncached(const recut_viewer *v, struct viewer_blob_cache *c)
{
    unsigned char *a = NULL, *b = NULL;
    size_t al = 0, bl = 0;
    char err[128];
    int ok = viewer_blob_encode(v, 7, NULL, c, &a, &al, err, sizeof err) == 0 &&
             viewer_blob_encode(v, 7, NULL, NULL, &b, &bl, err, sizeof err) == 0 && al == bl &&
             memcmp(a, b, al) == 0;
    free(a);
    free(b);
    return ok;
}

static void cached(void)
{
    recut_viewer v;
    viewer_init(&v, "u1", 1);
    struct ids ids = { 0 };
    fill(&v, &ids, 5);
    struct viewer_blob_cache c = { 0 };
    EXPECT(same_as_uncached(&v, &c), "first write");
    char k[64];
    for (int round = 0; round < 50; round++) {
        snprintf(k, sizeof k, "f:like:tag:t%d", round);
        struct strmap_entry *e = strmap_put(&v.nb, k);
        e->num = round;
        EXPECT(viewer_blob_note(&c, 'N', e->key, e->len) == 0, "note");
        snprintf(k, sizeof k, "m%d", 7 * round);
        e = strmap_put(&v.seen, k);
        e->num += 1;
        viewer_blob_note(&c, 'S', e->key, e->len);
        if (round % 10 == 9) /* a key the cache is not told of */
            strmap_put(&v.scenes, "m9:1")->num = round;
        EXPECT(same_as_uncached(&v, &c), "round %d", round);
    }
    EXPECT(c.map[0].n == v.nb.len && c.map[1].n == v.seen.len, "the cache holds every key");
    viewer_free(&v);
    viewer_init(&v, "u1", 1);
    viewer_blob_cache_reset(&c);
    fill(&v, &ids, 6);
    EXPECT(same_as_uncached(&v, &c), "after a reset");
    viewer_blob_cache_free(&c);
    viewer_free(&v);
}

static unsigned char *sample(size_t *len)
{
    recut_viewer v;
    viewer_init(&v, "u1", 1);
    struct ids ids = { 0 };
    fill(&v, &ids, 3);
    struct viewer_blob_ids vi = { ids.n, ids_at, &ids };
    unsigned char *b = NULL;
    char err[128];
    viewer_blob_encode(&v, 42, &vi, NULL, &b, len, err, sizeof err);
    viewer_free(&v);
    return b;
}

static int decodes(const unsigned char *b, size_t len, char *err, size_t n)
{
    recut_viewer w;
    viewer_init(&w, "u1", 1);
    struct ids got = { 0 };
    int rc = viewer_blob_decode(b, len, &w, NULL, ids_collect, &got, err, n);
    viewer_free(&w);
    return rc;
}

/* Payload bytes under a correct header and checksum. */
static unsigned char *wrap(const unsigned char *payload, size_t n, uint16_t version, size_t *len)
{
    unsigned char *b = malloc(16 + n);
    memcpy(b, "RCMB", 4);
    b[4] = BLOB_VIEWER;
    b[5] = 0;
    b[6] = (unsigned char)version;
    b[7] = 0;
    uint32_t pl = (uint32_t)n, crc = blob_crc32(0, payload, n);
    for (int i = 0; i < 4; i++) {
        b[8 + i] = (unsigned char)(pl >> (8 * i));
        b[12 + i] = (unsigned char)(crc >> (8 * i));
    }
    memcpy(b + 16, payload, n);
    *len = 16 + n;
    return b;
}

static void damage(void)
{
    size_t len = 0;
    unsigned char *b = sample(&len);
    char err[256];
    EXPECT(decodes(b, len, err, sizeof err) == 0, "the sample decodes: %s", err);
    /* every single flipped byte is seen */
    size_t missed = 0;
    for (size_t i = 0; i < len; i++) {
        b[i] ^= 0x20;
        if (decodes(b, len, err, sizeof err) == 0)
            missed++;
        b[i] ^= 0x20;
    }
    EXPECT(missed == 0, "%zu of %zu flipped bytes decoded", missed, len);
    /* every truncation is refused */
    for (size_t cut = 0; cut < len; cut++)
        EXPECT(decodes(b, cut, err, sizeof err) < 0, "truncated to %zu bytes decoded", cut);
    free(b);

    /* consistent checksum, inconsistent payload */
    static const struct {
        const char *what;
        unsigned char p[16];
        size_t n;
        uint16_t version;
    } bad[] = {
        { "a newer version", { 1, 0, 0, 0, 0, 0, 0, 0 }, 8, VIEWER_BLOB_VERSION + 1 },
        { "consent 2", { 1, 0, 2, 0, 0, 0, 0, 0 }, 8, 1 },
        { "more nb fields than bytes", { 1, 0, 0, 100, 0, 1, 'a', 2 }, 8, 1 },
        { "a string past the end", { 1, 0, 0, 1, 0, 9, 'a', 2 }, 8, 1 },
        { "more shared than the name before", { 1, 0, 0, 1, 3, 1, 'a', 2, 0, 0, 0, 0 }, 12, 1 },
        { "an empty name", { 1, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0 }, 11, 1 },
        { "an empty movie in the history", { 1, 0, 0, 0, 0, 0, 1, 0, 0, 0 }, 10, 1 },
        { "a history item past the seen movies", { 1, 0, 0, 0, 0, 0, 1, 1, 0 }, 9, 1 },
        { "bytes left over", { 1, 0, 0, 0, 0, 0, 0, 0, 7 }, 9, 1 },
        { "a varint of eleven bytes",
          { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0, 0 },
          16,
          1 },
        { "a NUL inside a field", { 1, 0, 0, 1, 0, 2, 'a', 0, 2, 0, 0, 0, 0 }, 13, 1 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t bl = 0;
        unsigned char *w = wrap(bad[i].p, bad[i].n, bad[i].version, &bl);
        err[0] = '\0';
        EXPECT(decodes(w, bl, err, sizeof err) < 0, "%s decoded", bad[i].what);
        EXPECT(err[0] != '\0', "%s: no reason given", bad[i].what);
        free(w);
    }
    /* the smallest good one: nothing at all */
    static const unsigned char empty[] = { 0, 0, 0, 0, 0, 0, 0, 0 };
    size_t bl = 0;
    unsigned char *w = wrap(empty, sizeof empty, 1, &bl);
    EXPECT(decodes(w, bl, err, sizeof err) == 0, "an empty viewer: %s", err);
    free(w);
}

int main(void)
{
    round_trips();
    golden();
    cached();
    compact();
    damage();
    return expect_report();
}
