/* SPDX-License-Identifier: Apache-2.0 */
/* mockkafka_offsets.c -- see mockkafka_offsets.h. */
#include "config.h"
#include "mockkafka_offsets.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#define MOCKKAFKA_OFFSETS_TIMEOUT_MS 10000

static rd_kafka_t *mockkafka_offsets_consumer(const char *boot, const char *group, char *errstr,
                                              size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    static const char *const kv[][2] = {
        { "enable.auto.commit", "false" },
        { "enable.auto.offset.store", "false" },
        { "log_level", "3" },
        { "client.id", "recut-mockkafka-offsets" },
    };
    if (rd_kafka_conf_set(conf, "bootstrap.servers", boot, errstr, errstr_size) !=
            RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "group.id", group, errstr, errstr_size) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++) {
        if (rd_kafka_conf_set(conf, kv[i][0], kv[i][1], errstr, errstr_size) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errstr_size);
    if (!rk)
        rd_kafka_conf_destroy(conf);
    return rk;
}

/* Partitions of `topic` into a new list (offsets unset); NULL on error.
 * Asks for the metadata of all topics: asking for one topic by name makes
 * the mock cluster auto-create it. */
static rd_kafka_topic_partition_list_t *mockkafka_offsets_partitions(rd_kafka_t *rk,
                                                                     const char *topic,
                                                                     char *errstr,
                                                                     size_t errstr_size)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, MOCKKAFKA_OFFSETS_TIMEOUT_MS);
    if (err) {
        snprintf(errstr, errstr_size, "metadata: %s", rd_kafka_err2str(err));
        return NULL;
    }
    const struct rd_kafka_metadata_topic *t = NULL;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0)
            t = &md->topics[i];
    rd_kafka_topic_partition_list_t *list = NULL;
    if (!t || t->err) {
        snprintf(errstr, errstr_size, "topic %.200s: %s", topic,
                 t ? rd_kafka_err2str(t->err) : "no such topic");
    } else {
        list = rd_kafka_topic_partition_list_new(t->partition_cnt);
        /* Metadata lists partitions in any order: add them by id. */
        for (int p = 0; p < t->partition_cnt; p++)
            rd_kafka_topic_partition_list_add(list, topic, p);
    }
    rd_kafka_metadata_destroy(md);
    return list;
}

static int mockkafka_offsets_print(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *list,
                                   char *errstr, size_t errstr_size)
{
    rd_kafka_resp_err_t err = rd_kafka_committed(rk, list, MOCKKAFKA_OFFSETS_TIMEOUT_MS);
    if (err) {
        snprintf(errstr, errstr_size, "committed offsets: %s", rd_kafka_err2str(err));
        return -1;
    }
    int64_t sum_committed = 0, sum_end = 0;
    for (int i = 0; i < list->cnt; i++) {
        rd_kafka_topic_partition_t *tp = &list->elems[i];
        if (tp->err) {
            snprintf(errstr, errstr_size, "partition %" PRId32 ": %s", tp->partition,
                     rd_kafka_err2str(tp->err));
            return -1;
        }
        int64_t lo = 0, hi = 0;
        err = rd_kafka_query_watermark_offsets(rk, tp->topic, tp->partition, &lo, &hi,
                                               MOCKKAFKA_OFFSETS_TIMEOUT_MS);
        if (err) {
            snprintf(errstr, errstr_size, "end offset of partition %" PRId32 ": %s", tp->partition,
                     rd_kafka_err2str(err));
            return -1;
        }
        int64_t committed = tp->offset >= 0 ? tp->offset : -1;
        printf("%" PRId32 " %" PRId64 " %" PRId64 "\n", tp->partition, committed, hi);
        sum_committed += committed >= 0 ? committed : 0;
        sum_end += hi;
    }
    printf("total %" PRId64 " %" PRId64 "\n", sum_committed, sum_end);
    return fflush(stdout) == 0 ? 0 : -1;
}

int mockkafka_offsets_main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: recut-mockkafka offsets BOOTSTRAPS GROUP TOPIC\n");
        return 2;
    }
    char errstr[512];
    rd_kafka_t *rk = mockkafka_offsets_consumer(argv[1], argv[2], errstr, sizeof(errstr));
    if (!rk) {
        fprintf(stderr, "recut-mockkafka offsets: %s\n", errstr);
        return 1;
    }
    int rc = 1;
    rd_kafka_topic_partition_list_t *list =
        mockkafka_offsets_partitions(rk, argv[3], errstr, sizeof(errstr));
    if (list) {
        if (mockkafka_offsets_print(rk, list, errstr, sizeof(errstr)) == 0)
            rc = 0;
        rd_kafka_topic_partition_list_destroy(list);
    }
    if (rc)
        fprintf(stderr, "recut-mockkafka offsets: %s\n", errstr);
    rd_kafka_destroy(rk);
    return rc;
}
