/* SPDX-License-Identifier: Apache-2.0 */
/*
 * kafka-produce -- fast generator of realistic recut events (or catalog
 * entries) for bench/kafka-bench.sh.
 *
 *   kafka-produce -b BOOTSTRAPS -t TOPIC -n N [--viewers V] [--movies M]
 *                 [--seed S] [--sessions L]
 *   kafka-produce -b BOOTSTRAPS -t TOPIC --catalog M [--seed S]
 *
 * Events: N events of V viewers (default N/20, at least 1000) on a catalog
 * of M movies (default 3000) with a skewed popularity; types and fields as in
 * docs/events.md (ratings, views with watched fraction, skips at a time,
 * likes of a scene, shares, rewatches, dislikes); key = viewer id; every
 * event has a unique id.  Catalog: M entries "m0".."m<M-1>" (key = id) with
 * genres, tags and 12 scenes each.
 *
 * Batching (linger.ms 50, up to 10000 messages a batch, lz4) keeps it far
 * faster than kcat -P.  Afterwards the topic's offsets are checked: it must
 * hold exactly the messages produced plus what it held before (the mock
 * cluster drops data beyond 5 MiB a partition; use more partitions if this
 * fails).  Prints "produced N messages in S s (R msg/s)" on stderr.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#define KAFKA_PRODUCE_TIMEOUT_MS 30000

#define KAFKA_PRODUCE_ACTIVE 64 /* viewers in a session at once (--sessions) */

struct kafka_produce_opts {
    const char *brokers, *topic;
    long long n;
    long viewers, movies, catalog, session;
    uint64_t seed;
    long active[KAFKA_PRODUCE_ACTIVE], left[KAFKA_PRODUCE_ACTIVE]; /* sessions running */
};

static long long kafka_produce_failed;

static double kafka_produce_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: deterministic, good enough for test data. */
static uint64_t kafka_produce_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

static double kafka_produce_unit(uint64_t *s)
{
    return (double)(kafka_produce_rand(s) >> 11) / 9007199254740992.0;
}

static void kafka_produce_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    if (m->err && kafka_produce_failed++ < 5)
        fprintf(stderr, "kafka-produce: delivery failed: %s\n", rd_kafka_err2str(m->err));
}

static int kafka_produce_parse_long(const char *s, long long lo, long long hi, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int kafka_produce_args(int argc, char **argv, struct kafka_produce_opts *o)
{
    o->movies = 3000;
    o->seed = 42;
    o->n = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) {
            fprintf(stderr, "kafka-produce: option '%s' needs a value\n", a);
            return -1;
        }
        const char *v = argv[++i];
        long long x = 0;
        if (strcmp(a, "-b") == 0) {
            o->brokers = v;
        } else if (strcmp(a, "-t") == 0) {
            o->topic = v;
        } else if (strcmp(a, "-n") == 0 && kafka_produce_parse_long(v, 1, 1000000000, &x) == 0) {
            o->n = x;
        } else if (strcmp(a, "--viewers") == 0 &&
                   kafka_produce_parse_long(v, 1, 100000000, &x) == 0) {
            o->viewers = (long)x;
        } else if (strcmp(a, "--movies") == 0 &&
                   kafka_produce_parse_long(v, 1, 10000000, &x) == 0) {
            o->movies = (long)x;
        } else if (strcmp(a, "--catalog") == 0 &&
                   kafka_produce_parse_long(v, 1, 10000000, &x) == 0) {
            o->catalog = (long)x;
        } else if (strcmp(a, "--sessions") == 0 &&
                   kafka_produce_parse_long(v, 1, 1000000, &x) == 0) {
            o->session = (long)x;
        } else if (strcmp(a, "--seed") == 0 && kafka_produce_parse_long(v, 0, INT64_MAX, &x) == 0) {
            o->seed = (uint64_t)x;
        } else {
            fprintf(stderr, "kafka-produce: bad option or value: %s %s\n", a, v);
            return -1;
        }
    }
    if (!o->brokers || !o->topic || (o->n < 0 && !o->catalog) || (o->n >= 0 && o->catalog)) {
        fprintf(stderr, "usage: kafka-produce -b BOOTSTRAPS -t TOPIC -n N [--viewers V] "
                        "[--movies M] [--seed S] [--sessions L]\n"
                        "       kafka-produce -b BOOTSTRAPS -t TOPIC --catalog M [--seed S]\n");
        return -1;
    }
    if (!o->viewers)
        o->viewers = o->n / 20 > 1000 ? (long)(o->n / 20) : 1000;
    if (o->seed == 0)
        o->seed = 1;
    return 0;
}

static rd_kafka_t *kafka_produce_client(const char *brokers)
{
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    static const char *const kv[][2] = {
        { "linger.ms", "50" },
        { "batch.num.messages", "10000" },
        { "batch.size", "4000000" },
        { "queue.buffering.max.messages", "1000000" },
        { "queue.buffering.max.kbytes", "1048576" },
        { "compression.type", "lz4" },
        { "acks", "all" },
        { "log_level", "4" },
    };
    if (rd_kafka_conf_set(conf, "bootstrap.servers", brokers, errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK)
        goto fail;
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
        if (rd_kafka_conf_set(conf, kv[i][0], kv[i][1], errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
            goto fail;
    rd_kafka_conf_set_dr_msg_cb(conf, kafka_produce_dr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (rk)
        return rk;
fail:
    fprintf(stderr, "kafka-produce: %s\n", errstr);
    rd_kafka_conf_destroy(conf);
    return NULL;
}

/* Messages now held by `topic` (sum of high - low watermarks), or -1. */
static long long kafka_produce_held(rd_kafka_t *rk, const char *topic)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, KAFKA_PRODUCE_TIMEOUT_MS);
    if (err) {
        fprintf(stderr, "kafka-produce: metadata: %s\n", rd_kafka_err2str(err));
        return -1;
    }
    long long held = -1;
    for (int i = 0; i < md->topic_cnt; i++) {
        const struct rd_kafka_metadata_topic *t = &md->topics[i];
        if (strcmp(t->topic, topic) != 0)
            continue;
        held = 0;
        for (int p = 0; p < t->partition_cnt && held >= 0; p++) {
            int64_t lo = 0, hi = 0;
            err = rd_kafka_query_watermark_offsets(rk, topic, t->partitions[p].id, &lo, &hi,
                                                   KAFKA_PRODUCE_TIMEOUT_MS);
            if (err) {
                fprintf(stderr, "kafka-produce: watermarks: %s\n", rd_kafka_err2str(err));
                held = -1;
            } else {
                held += hi - lo;
            }
        }
    }
    if (held < 0 && !err)
        fprintf(stderr, "kafka-produce: topic %s does not exist (create it first)\n", topic);
    rd_kafka_metadata_destroy(md);
    return held;
}

static int kafka_produce_send(rd_kafka_t *rk, const char *topic, const char *key, const char *buf,
                              size_t len)
{
    for (;;) {
        rd_kafka_resp_err_t err =
            rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                              RD_KAFKA_V_VALUE((void *)buf, len),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (!err)
            return 0;
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            fprintf(stderr, "kafka-produce: %s\n", rd_kafka_err2str(err));
            return -1;
        }
        rd_kafka_poll(rk, 10);
    }
}

/* A movie index with a skewed popularity (a few movies get most events). */
static long kafka_produce_movie(uint64_t *s, long movies)
{
    double u = kafka_produce_unit(s);
    long m = (long)((double)movies * u * u * u);
    return m < movies ? m : movies - 1;
}

/* The next event's viewer: drawn anew, or from the sessions running. */
static long kafka_produce_viewer(uint64_t *s, struct kafka_produce_opts *o)
{
    if (!o->session)
        return (long)(kafka_produce_rand(s) % (uint64_t)o->viewers);
    size_t k = (size_t)(kafka_produce_rand(s) % KAFKA_PRODUCE_ACTIVE);
    if (o->left[k] <= 0) { /* a new session: another viewer, 1..2L-1 events */
        o->active[k] = (long)(kafka_produce_rand(s) % (uint64_t)o->viewers);
        o->left[k] = 1 + (long)(kafka_produce_rand(s) % (uint64_t)(2 * o->session - 1));
    }
    o->left[k]--;
    return o->active[k];
}

static int kafka_produce_event(char *buf, size_t cap, uint64_t *s, struct kafka_produce_opts *o,
                               long long seq, char *key, size_t key_cap)
{
    long viewer = kafka_produce_viewer(s, o);
    long movie = kafka_produce_movie(s, o->movies);
    long long ts = 1700000000000LL + seq * 7;
    snprintf(key, key_cap, "v%ld", viewer);
    int head = snprintf(
        buf, cap, "{\"user\":\"v%ld\",\"ts\":%lld,\"id\":\"b%" PRIu64 "-%lld\",\"movie\":\"m%ld\"",
        viewer, ts, o->seed, seq, movie);
    if (head < 0 || (size_t)head >= cap)
        return -1;
    unsigned r = (unsigned)(kafka_produce_rand(s) % 100);
    int n;
    if (r < 40)
        n = snprintf(buf + head, cap - (size_t)head, ",\"type\":\"rating\",\"value\":%.1f}",
                     0.5 * (double)(1 + kafka_produce_rand(s) % 10));
    else if (r < 75)
        n = snprintf(buf + head, cap - (size_t)head, ",\"type\":\"view\",\"value\":%.2f}",
                     kafka_produce_unit(s));
    else if (r < 82)
        n = snprintf(buf + head, cap - (size_t)head, ",\"type\":\"skip\",\"t\":%.1f}",
                     5400.0 * kafka_produce_unit(s));
    else if (r < 90)
        n = snprintf(buf + head, cap - (size_t)head, ",\"type\":\"like\",\"scene\":%u}",
                     (unsigned)(kafka_produce_rand(s) % 12));
    else if (r < 94)
        n = snprintf(buf + head, cap - (size_t)head, ",\"type\":\"dislike\"}");
    else if (r < 97)
        n = snprintf(buf + head, cap - (size_t)head, ",\"type\":\"share\"}");
    else
        n = snprintf(buf + head, cap - (size_t)head, ",\"type\":\"rewatch\"}");
    if (n < 0 || (size_t)n >= cap - (size_t)head)
        return -1;
    return head + n;
}

static int kafka_produce_movie_json(char *buf, size_t cap, uint64_t *s, long id)
{
    static const char *const genres[] = { "Action",      "Adventure", "Comedy", "Drama",
                                          "Horror",      "Romance",   "Sci-Fi", "Thriller",
                                          "Documentary", "Animation" };
    static const char *const labels[] = { "action", "dialogue", "landscape",
                                          "chase",  "romance",  "music" };
    size_t ng = sizeof genres / sizeof genres[0];
    size_t g1 = (size_t)(kafka_produce_rand(s) % ng),
           g2 = (g1 + 1 + kafka_produce_rand(s) % (ng - 1)) % ng;
    double dur = 4800.0 + (double)(kafka_produce_rand(s) % 2400);
    int off = snprintf(buf, cap,
                       "{\"id\":\"m%ld\",\"title\":\"Movie %ld\",\"duration\":%.1f,"
                       "\"genres\":[\"%s\",\"%s\"],\"tags\":[\"tag%u\"],\"scenes\":[",
                       id, id, dur, genres[g1], genres[g2], (unsigned)(kafka_produce_rand(s) % 50));
    for (int i = 0; i < 12 && off > 0 && (size_t)off < cap; i++) {
        off += snprintf(buf + off, cap - (size_t)off,
                        "%s{\"start\":%.1f,\"end\":%.1f,\"labels\":[\"%s\"],"
                        "\"arousal\":%.2f,\"valence\":%.2f}",
                        i ? "," : "", dur * i / 12.0, dur * (i + 1) / 12.0,
                        labels[kafka_produce_rand(s) % 6], kafka_produce_unit(s),
                        2.0 * kafka_produce_unit(s) - 1.0);
    }
    if (off < 0 || (size_t)off + 3 >= cap)
        return -1;
    off += snprintf(buf + off, cap - (size_t)off, "]}");
    return off;
}

int main(int argc, char **argv)
{
    struct kafka_produce_opts o;
    memset(&o, 0, sizeof o);
    if (kafka_produce_args(argc, argv, &o) == -1)
        return 2;
    rd_kafka_t *rk = kafka_produce_client(o.brokers);
    if (!rk)
        return 1;
    int rc = 1;
    long long before = kafka_produce_held(rk, o.topic);
    if (before < 0)
        goto out;
    uint64_t s = o.seed;
    long long total = o.catalog ? o.catalog : o.n;
    char buf[8192], key[64];
    double t0 = kafka_produce_now();
    for (long long i = 0; i < total; i++) {
        int len = o.catalog ? kafka_produce_movie_json(buf, sizeof buf, &s, (long)i)
                            : kafka_produce_event(buf, sizeof buf, &s, &o, i, key, sizeof key);
        if (len < 0) {
            fprintf(stderr, "kafka-produce: message %lld does not fit the buffer\n", i);
            goto out;
        }
        if (o.catalog)
            snprintf(key, sizeof key, "m%lld", i);
        if (kafka_produce_send(rk, o.topic, key, buf, (size_t)len) == -1)
            goto out;
        if ((i & 1023) == 0)
            rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "kafka-produce: flush timed out, %d messages undelivered\n",
                rd_kafka_outq_len(rk));
        goto out;
    }
    double secs = kafka_produce_now() - t0;
    if (kafka_produce_failed) {
        fprintf(stderr, "kafka-produce: %lld messages failed\n", kafka_produce_failed);
        goto out;
    }
    long long after = kafka_produce_held(rk, o.topic);
    if (after != before + total) {
        fprintf(stderr,
                "kafka-produce: topic %s holds %lld messages, expected %lld "
                "(retention dropped some? use more partitions)\n",
                o.topic, after, before + total);
        goto out;
    }
    fprintf(stderr, "kafka-produce: produced %lld messages in %.2f s (%.0f msg/s)\n", total, secs,
            secs > 0 ? (double)total / secs : 0.0);
    rc = 0;
out:
    rd_kafka_destroy(rk);
    return rc;
}
