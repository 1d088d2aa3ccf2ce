/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.h -- recutd's counters and their Prometheus exposition.
 *
 * Every module counts here, so this header knows no other module: the
 * gauges that belong to other modules (Redis, Kafka, plugins) are read by
 * the caller of metrics_render and handed in. */
#ifndef RECUTD_METRICS_H
#define RECUTD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "vevent.h"

enum metrics_counter {
    M_EVENTS_RECEIVED,
    M_EVENTS_APPLIED,
    M_EVENTS_DUPLICATE,
    M_EVENTS_UNKNOWN_MOVIE,
    M_EMOTION_DROPPED,
    M_REDIS_ERRORS,
    M_REDIS_TIMEOUTS,
    M_REDIS_REDIRECTS,
    M_BATCHES,
    M_FLUSHES,
    M_PUBLISHED,
    M_PUBLISH_ERRORS,
    M_HTTP_REQUESTS,
    M_CATALOG_UPDATES,
    M_RELOADS,
    M_DLQ_ERRORS,
    M_COOC_COMPACTIONS,
    M_COOC_BAD_ROWS,
    M_FOLDS,
    M_SVM_TRAINED,
    M_SVM_SKIPPED,
    M_SVM_QUEUE_DROPPED,
    M_SVM_BAD_BLOB,
    M_VIEWER_READS_MEMORY,
    M_VIEWER_READS_REDIS,
    M_ANSWERS_CACHED,
    M_N_COUNTERS
};
void metrics_inc(enum metrics_counter c, uint64_t n);
uint64_t metrics_get(enum metrics_counter c);
void metrics_dead_letter(enum vevent_error reason);
uint64_t metrics_dead_letter_total(void);
/* Time one SVM training took (any thread). */
void metrics_svm_train_seconds(double s);
void metrics_http_status(int code);

/* The gauges of the moment, read by the caller from their owners. */
struct metrics_gauges {
    size_t catalog_movies;
    size_t plugins[4]; /* by kind: [1] scorer, [2] editor, [3] publisher */
    size_t redis_pending;
    size_t publish_pending; /* viewers changed, waiting for the next publish tick */
    size_t viewers_cached, viewer_cache_bytes; /* the store's viewer cache */
    size_t svm_queued;                         /* labelled events waiting for the SVM trainer */
    int redis_up;
    int have_kafka;
    int64_t kafka_lag;
    const char *instance;
    double uptime;
    const char *extra; /* more exposition text from other modules, or NULL */
};
/* Prometheus text exposition into a malloc'ed buffer. */
char *metrics_render(const struct metrics_gauges *g, size_t *len);

#endif
