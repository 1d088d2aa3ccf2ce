/* SPDX-License-Identifier: Apache-2.0 */
/* kafka_in.h -- the Kafka consumer (events and catalog topics in, dead
 * letters out).  recutd.c starts and drains it; http.c dead-letters what
 * it refuses through it. */
#ifndef RECUTD_KAFKA_IN_H
#define RECUTD_KAFKA_IN_H

#include <stddef.h>
#include <stdint.h>

#include "daemon.h"

struct kafka_in *kafka_in_new(struct recutd *d, char *errstr, size_t errstr_size);
/* Stop fetching, finish in-flight batches, commit, leave the group. */
void kafka_in_drain(struct kafka_in *k);
int kafka_in_drained(const struct kafka_in *k);
/* After SIGHUP: follow a changed commit_interval_ms. */
void kafka_in_reload(struct kafka_in *k);
void kafka_in_free(struct kafka_in *k);
/* Produce a refused message to the dead-letter topic (HTTP path too). */
void kafka_in_dead_letter(struct kafka_in *k, const char *payload, size_t len, const char *key,
                          size_t key_len, const char *reason, const char *detail);
/* Produce one message to topic on the same producer (the experiments'
 * exposure records); delivery failures are logged.  0, or -1 (not queued). */
int kafka_in_produce(struct kafka_in *k, const char *topic, const char *payload, size_t len,
                     const char *key, size_t key_len);
int64_t kafka_in_lag(const struct kafka_in *k);

#endif
