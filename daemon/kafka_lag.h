/* SPDX-License-Identifier: Apache-2.0 */
/* kafka_lag.h -- what recut_kafka_consumer_lag reports, kept per partition
 * (kafka_lag.c): the offsets recutd stored, and the committed offsets and
 * high watermarks of librdkafka's statistics. */
#ifndef RECUTD_KAFKA_LAG_H
#define RECUTD_KAFKA_LAG_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

struct kafka_lag;

struct kafka_lag *kafka_lag_new(void);
void kafka_lag_free(struct kafka_lag *l);
/* Everything up to next_offset of (topic, partition) is stored for commit. */
void kafka_lag_stored(struct kafka_lag *l, const char *topic, int32_t partition,
                      int64_t next_offset);
/* These partitions were (re)assigned: what was stored before may be stale. */
void kafka_lag_assigned(struct kafka_lag *l, const rd_kafka_topic_partition_list_t *parts);
/* A statistics document from librdkafka's stats_cb. */
void kafka_lag_stats(struct kafka_lag *l, const char *json, size_t len);
/* The lag summed over rk's assigned partitions. */
int64_t kafka_lag_sum(const struct kafka_lag *l, rd_kafka_t *rk);

#endif
