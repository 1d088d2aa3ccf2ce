/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.c -- counters and the Prometheus text exposition of GET /metrics. */
#include "config.h"
#include "metrics.h"
#include "http_timing.h"
#include "procstat.h"
#include "looplag.h"
#include "strbuf.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Atomic uint64_t metrics_counters[M_N_COUNTERS];
static _Atomic uint64_t metrics_dlq[VEVENT_N_ERRORS];
static _Atomic uint64_t metrics_http[6]; /* by status class 1xx..5xx */
static _Atomic uint64_t metrics_svm_ns;  /* SVM training time */

static const struct {
    const char *name, *type, *help;
} metrics_meta[M_N_COUNTERS] = {
    [M_EVENTS_RECEIVED] = { "recut_events_received_total", "counter",
                            "Events read from Kafka or HTTP." },
    [M_EVENTS_APPLIED] = { "recut_events_applied_total", "counter",
                           "Events whose changes Redis acknowledged." },
    [M_EVENTS_DUPLICATE] = { "recut_events_duplicate_total", "counter",
                             "Events skipped because their id was already applied." },
    [M_EVENTS_UNKNOWN_MOVIE] = { "recut_events_unknown_movie_total", "counter",
                                 "Events for a movie not in the catalog (dead-lettered as "
                                 "unknown_movie)." },
    [M_EMOTION_DROPPED] = { "recut_emotion_dropped_total", "counter",
                            "Emotion readings dropped for lack of consent." },
    [M_REDIS_ERRORS] = { "recut_redis_errors_total", "counter",
                         "Redis failures, each counted once however many commands it failed." },
    [M_REDIS_TIMEOUTS] = { "recut_redis_timeouts_total", "counter",
                           "Redis connections dropped after timeout_ms without a reply." },
    [M_REDIS_REDIRECTS] = { "recut_redis_redirects_total", "counter",
                            "Redis Cluster redirections followed (MOVED, ASK, TRYAGAIN, "
                            "CLUSTERDOWN)." },
    [M_BATCHES] = { "recut_batches_total", "counter", "Batches applied to Redis." },
    [M_FLUSHES] = { "recut_write_flushes_total", "counter",
                    "Flushes of the viewers changed since the last one ([redis] "
                    "write_interval_ms)." },
    [M_PUBLISHED] = { "recut_published_total", "counter",
                      "Documents handed to publisher plugins." },
    [M_PUBLISH_ERRORS] = { "recut_publish_errors_total", "counter", "Publisher plugin failures." },
    [M_HTTP_REQUESTS] = { "recut_http_requests_total", "counter", "HTTP requests served." },
    [M_CATALOG_UPDATES] = { "recut_catalog_updates_total", "counter", "Catalog entries stored." },
    [M_RELOADS] = { "recut_reloads_total", "counter", "Successful configuration reloads." },
    [M_DLQ_ERRORS] = { "recut_dead_letter_errors_total", "counter",
                       "Dead letters that could not be produced." },
    [M_COOC_COMPACTIONS] = { "recut_cooc_compactions_total", "counter",
                             "Co-occurrence logs folded into their rows." },
    [M_COOC_BAD_ROWS] = { "recut_cooc_bad_rows_total", "counter",
                          "Co-occurrence rows found corrupt (counted from their logs only)." },
    [M_FOLDS] = { "recut_global_folds_total", "counter",
                  "Outboxes of popularity and co-occurrence increments folded into the global "
                  "counts." },
    [M_SVM_TRAINED] = { "recut_svm_trained_total", "counter", "Viewer SVMs trained." },
    [M_SVM_SKIPPED] = { "recut_svm_skipped_total", "counter",
                        "SVM trainings skipped: too few likes or dislikes (one-class viewers)." },
    [M_SVM_QUEUE_DROPPED] = { "recut_svm_queue_dropped_total", "counter",
                              "Labelled events the SVM trainer's full queue dropped." },
    [M_SVM_BAD_BLOB] = { "recut_svm_bad_blob_total", "counter",
                         "Stored viewer SVMs ignored as corrupt, truncated or of another "
                         "version." },
    [M_VIEWER_READS_MEMORY] = { "recut_viewer_reads_memory_total", "counter",
                                "Viewers read for an answer from this instance's memory (a "
                                "viewer it applies events to, every row it needs held)." },
    [M_VIEWER_READS_REDIS] = { "recut_viewer_reads_redis_total", "counter",
                               "Viewers read for an answer from Redis." },
    [M_ANSWERS_CACHED] = { "recut_http_answers_cached_total", "counter",
                           "Recommendation lists and cuts answered again from memory "
                           "([http] answer_cache_ms)." },
};

void metrics_inc(enum metrics_counter c, uint64_t n)
{
    atomic_fetch_add_explicit(&metrics_counters[c], n, memory_order_relaxed);
}

uint64_t metrics_get(enum metrics_counter c)
{
    return atomic_load_explicit(&metrics_counters[c], memory_order_relaxed);
}

void metrics_dead_letter(enum vevent_error reason)
{
    if ((unsigned)reason < VEVENT_N_ERRORS)
        atomic_fetch_add_explicit(&metrics_dlq[reason], 1, memory_order_relaxed);
}

uint64_t metrics_dead_letter_total(void)
{
    uint64_t t = 0;
    for (int i = 0; i < VEVENT_N_ERRORS; i++)
        t += metrics_dlq[i];
    return t;
}

void metrics_svm_train_seconds(double s)
{
    if (s > 0)
        atomic_fetch_add_explicit(&metrics_svm_ns, (uint64_t)(s * 1e9), memory_order_relaxed);
}

void metrics_http_status(int code)
{
    int cls = code / 100;
    if (cls >= 1 && cls <= 5)
        atomic_fetch_add_explicit(&metrics_http[cls], 1, memory_order_relaxed);
    metrics_inc(M_HTTP_REQUESTS, 1);
}

char *metrics_render(const struct metrics_gauges *g, size_t *len)
{
    struct strbuf *b = strbuf_new();
    if (!b)
        return NULL;
    for (int i = 0; i < M_N_COUNTERS; i++)
        strbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", metrics_meta[i].name,
                      metrics_meta[i].help, metrics_meta[i].name, metrics_meta[i].type,
                      metrics_meta[i].name,
                      (unsigned long long)metrics_get((enum metrics_counter)i));
    strbuf_printf(
        b,
        "# HELP recut_svm_train_seconds_total Time spent training viewer SVMs.\n"
        "# TYPE recut_svm_train_seconds_total counter\nrecut_svm_train_seconds_total %.6f\n",
        (double)atomic_load(&metrics_svm_ns) / 1e9);
    strbuf_printf(b, "# HELP recut_events_dead_letter_total Events refused, by reason (sent to the "
                     "dead-letter topic, but out_of_memory, which is retried).\n"
                     "# TYPE recut_events_dead_letter_total counter\n");
    for (int i = 1; i < VEVENT_N_ERRORS; i++)
        strbuf_printf(b, "recut_events_dead_letter_total{reason=\"%s\"} %llu\n",
                      vevent_error_name((enum vevent_error)i), (unsigned long long)metrics_dlq[i]);
    strbuf_printf(b, "# HELP recut_http_responses_total HTTP responses by status class.\n"
                     "# TYPE recut_http_responses_total counter\n");
    for (int i = 1; i <= 5; i++)
        strbuf_printf(b, "recut_http_responses_total{code=\"%dxx\"} %llu\n", i,
                      (unsigned long long)metrics_http[i]);
    strbuf_printf(
        b,
        "# HELP recut_catalog_movies Movies in the catalog.\n# TYPE recut_catalog_movies gauge\n"
        "recut_catalog_movies %zu\n",
        g->catalog_movies);
    strbuf_printf(b, "# HELP recut_plugins_loaded Plugins loaded, by kind.\n# TYPE "
                     "recut_plugins_loaded gauge\n");
    static const char *const kinds[] = { "", "scorer", "editor", "publisher" };
    for (int k = 1; k <= 3; k++)
        strbuf_printf(b, "recut_plugins_loaded{kind=\"%s\"} %zu\n", kinds[k], g->plugins[k]);
    strbuf_printf(b,
                  "# HELP recut_redis_pending Redis commands awaiting a reply.\n# TYPE "
                  "recut_redis_pending gauge\n"
                  "recut_redis_pending %zu\n",
                  g->redis_pending);
    strbuf_printf(b,
                  "# HELP recut_publish_pending Viewers changed and waiting to be published.\n"
                  "# TYPE recut_publish_pending gauge\nrecut_publish_pending %zu\n",
                  g->publish_pending);
    strbuf_printf(b,
                  "# HELP recut_viewers_cached Viewers held in memory ([redis] cache_bytes).\n"
                  "# TYPE recut_viewers_cached gauge\nrecut_viewers_cached %zu\n"
                  "# HELP recut_viewer_cache_bytes Estimated bytes of the viewers held in "
                  "memory.\n"
                  "# TYPE recut_viewer_cache_bytes gauge\nrecut_viewer_cache_bytes %zu\n",
                  g->viewers_cached, g->viewer_cache_bytes);
    strbuf_printf(b,
                  "# HELP recut_svm_queue_depth Labelled events waiting for the SVM trainer.\n"
                  "# TYPE recut_svm_queue_depth gauge\nrecut_svm_queue_depth %zu\n",
                  g->svm_queued);
    strbuf_printf(
        b,
        "# HELP recut_redis_up Whether recutd is connected to Redis.\n# TYPE recut_redis_up gauge\n"
        "recut_redis_up %d\n",
        g->redis_up);
    if (g->have_kafka)
        strbuf_printf(b,
                      "# HELP recut_kafka_consumer_lag Messages behind the high watermark (sum "
                      "over partitions).\n"
                      "# TYPE recut_kafka_consumer_lag gauge\nrecut_kafka_consumer_lag %lld\n",
                      (long long)g->kafka_lag);
    strbuf_printf(b,
                  "# HELP recut_info Build and instance.\n# TYPE recut_info gauge\n"
                  "recut_info{version=\"%s\",instance=\"%s\"} 1\n",
                  PACKAGE_VERSION, g->instance);
    strbuf_printf(
        b,
        "# HELP recut_uptime_seconds Seconds since start.\n# TYPE recut_uptime_seconds gauge\n"
        "recut_uptime_seconds %.3f\n",
        g->uptime);
    if (g->extra)
        strbuf_printf(b, "%s", g->extra);
    http_timing_render(b);
    procstat_render(b);
    looplag_render(b);
    return strbuf_take(b, len);
}
