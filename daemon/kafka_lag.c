/* SPDX-License-Identifier: Apache-2.0 */
/* kafka_lag.c -- the consumer lag: per assigned partition, the high
 * watermark minus the offset stored here last (an offset is stored once
 * Redis acknowledged every event up to it), or, before any, the group's
 * committed offset.  Committed offsets and watermarks come from librdkafka's
 * statistics, which are served with the messages and so stop while ingest
 * waits for Redis; the watermarks its fetcher keeps
 * (rd_kafka_get_watermark_offsets) stay current meanwhile, and the larger
 * of the two is used.  A partition with neither offset known counts 0.
 * Kept apart from kafka_in.c, which only tells it what it stored. */
#include "config.h"
#include "kafka_lag.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct kafka_part {
    char *topic;
    int32_t partition;
    int64_t stored, committed, hi; /* -1: not known */
};

struct kafka_lag {
    struct kafka_part *parts; /* every partition ever seen */
    size_t n, cap;
};

struct kafka_lag *kafka_lag_new(void)
{
    return calloc(1, sizeof(struct kafka_lag));
}

void kafka_lag_free(struct kafka_lag *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->parts[i].topic);
    free(l->parts);
    free(l);
}

static struct kafka_part *kafka_lag_find(const struct kafka_lag *l, const char *topic,
                                         int32_t partition)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->parts[i].partition == partition && strcmp(l->parts[i].topic, topic) == 0)
            return &l->parts[i];
    return NULL;
}

/* The partition's entry, made if new; NULL on out of memory. */
static struct kafka_part *kafka_lag_get(struct kafka_lag *l, const char *topic, int32_t partition)
{
    struct kafka_part *p = kafka_lag_find(l, topic, partition);
    if (p)
        return p;
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 16;
        struct kafka_part *n = realloc(l->parts, nc * sizeof *n);
        if (!n)
            return NULL;
        l->parts = n;
        l->cap = nc;
    }
    p = &l->parts[l->n];
    if (!(p->topic = strdup(topic)))
        return NULL;
    p->partition = partition;
    p->stored = p->committed = p->hi = -1;
    l->n++;
    return p;
}

void kafka_lag_stored(struct kafka_lag *l, const char *topic, int32_t partition,
                      int64_t next_offset)
{
    struct kafka_part *p = kafka_lag_get(l, topic, partition);
    if (p && next_offset > p->stored)
        p->stored = next_offset;
}

void kafka_lag_assigned(struct kafka_lag *l, const rd_kafka_topic_partition_list_t *parts)
{
    for (int i = 0; i < parts->cnt; i++) {
        /* another instance may have moved them on meanwhile */
        struct kafka_part *p = kafka_lag_get(l, parts->elems[i].topic, parts->elems[i].partition);
        if (p)
            p->stored = p->committed = -1;
    }
}

void kafka_lag_stats(struct kafka_lag *l, const char *json, size_t len)
{
    json_t *root = json_loadb(json, len, 0, NULL);
    const char *tn, *pn;
    json_t *topic, *part;
    json_object_foreach(json_object_get(root, "topics"), tn, topic)
    {
        json_object_foreach(json_object_get(topic, "partitions"), pn, part)
        {
            if (strcmp(pn, "-1") == 0)
                continue; /* librdkafka's internal partition */
            struct kafka_part *p = kafka_lag_get(l, tn, (int32_t)atoi(pn));
            if (!p)
                break;
            json_int_t c = json_integer_value(json_object_get(part, "committed_offset"));
            json_int_t hi = json_integer_value(json_object_get(part, "hi_offset"));
            p->committed = c >= 0 ? c : -1;
            if (hi > p->hi)
                p->hi = hi;
        }
    }
    json_decref(root);
}

int64_t kafka_lag_sum(const struct kafka_lag *l, rd_kafka_t *rk)
{
    rd_kafka_topic_partition_list_t *a = NULL;
    if (rd_kafka_assignment(rk, &a) || !a)
        return 0;
    int64_t lag = 0;
    for (int i = 0; i < a->cnt; i++) {
        const rd_kafka_topic_partition_t *e = &a->elems[i];
        int64_t lo, hi = -1, base = -1;
        if (rd_kafka_get_watermark_offsets(rk, e->topic, e->partition, &lo, &hi) != 0)
            hi = -1;
        const struct kafka_part *p = kafka_lag_find(l, e->topic, e->partition);
        if (p) {
            base = p->stored >= 0 ? p->stored : p->committed;
            if (p->hi > hi)
                hi = p->hi;
        }
        if (hi >= 0 && base >= 0 && hi > base)
            lag += hi - base;
    }
    rd_kafka_topic_partition_list_destroy(a);
    return lag;
}
