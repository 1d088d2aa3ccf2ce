/* SPDX-License-Identifier: Apache-2.0 */
/* recutd-internal.h -- the daemon's modules and the state they share.
 * Each module keeps its own struct opaque; only struct recutd is shared. */
#ifndef RECUTD_INTERNAL_H
#define RECUTD_INTERNAL_H

#include <event2/event.h>
#include <stdint.h>

#include "catalog.h"
#include "conf.h"
#include "log.h"
#include "recommend.h"
#include "update.h"
#include "vevent.h"
#include "viewer.h"

struct store;
struct kafka_in;
struct http;
struct plugins;
struct publish;
struct groups;
struct json_t;

struct recutd {
    struct event_base *base;
    struct recut_config cfg;
    const char *config_path;
    char **set_args; /* --set overrides, re-applied on reload */
    int n_set_args;
    struct catalog catalog;
    struct store *store;
    struct kafka_in *kafka;
    struct http *http;
    struct plugins *plugins;
    struct publish *publish;
    struct groups *groups;          /* viewer groups (groups.c), or NULL */
    struct svm_scorer *svm;         /* the viewers' SVMs (svm_scorer.c), or NULL */
    struct nbtext_model *sentiment; /* comment sentiment, or NULL */
    int draining;
    int exit_code;
    double started;
};

/* The instance name: [daemon] instance, else the host name. */
const char *recutd_instance(struct recutd *d);

/* ---- confcheck.c ------------------------------------------------------ */
/* What start-up would refuse beyond conf_validate: http.listen and
 * redis.address, and the [librdkafka] keys; -1 with "file:line: reason". */
int confcheck_run(const struct recut_config *cfg, char *errstr, size_t errstr_size);

/* ---- metrics.c -------------------------------------------------------- */
enum metrics_counter {
    M_EVENTS_RECEIVED,
    M_EVENTS_APPLIED,
    M_EVENTS_DUPLICATE,
    M_EMOTION_DROPPED,
    M_REDIS_ERRORS,
    M_BATCHES,
    M_PUBLISHED,
    M_PUBLISH_ERRORS,
    M_HTTP_REQUESTS,
    M_CATALOG_UPDATES,
    M_RELOADS,
    M_DLQ_ERRORS,
    M_COOC_COMPACTIONS,
    M_COOC_BAD_ROWS,
    M_SVM_TRAINED,
    M_SVM_SKIPPED,
    M_SVM_QUEUE_DROPPED,
    M_SVM_BAD_BLOB,
    M_N_COUNTERS
};
void metrics_inc(enum metrics_counter c, uint64_t n);
uint64_t metrics_get(enum metrics_counter c);
void metrics_dead_letter(enum vevent_error reason);
uint64_t metrics_dead_letter_total(void);
/* Time one SVM training took (any thread). */
void metrics_svm_train_seconds(double s);
void metrics_http_status(int code);
/* Prometheus text exposition into a malloc'ed buffer. */
char *metrics_render(struct recutd *d, size_t *len);

/* ---- notify.c (sd_notify; no-ops without libsystemd) ------------------ */
void notify_ready(void);
void notify_stopping(void);
void notify_reloading(void);
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Starts the watchdog timer if systemd (or watchdog_sec) asks for one. */
int notify_watchdog_start(struct recutd *d);

/* ---- ingest.c: bytes -> validated event -> update -> store ------------- */
struct ingest_batch;
/* done(arg, ok) is called once every event of the batch is acknowledged by
 * Redis (ok = 1) or the batch failed for good (ok = 0). */
typedef void (*ingest_done_fn)(void *arg, int ok);
struct ingest_batch *ingest_batch_new(struct recutd *d, ingest_done_fn done, void *arg);
/* Parse and queue one message.  Returns VEVENT_OK, or the reason it is
 * malformed (errstr says why; nothing was queued). */
enum vevent_error ingest_add(struct ingest_batch *b, const char *buf, size_t len, const char *key,
                             size_t key_len, char *errstr, size_t errstr_size);
/* A catalog entry (from the catalog topic). */
int ingest_add_movie(struct ingest_batch *b, const char *buf, size_t len, char *errstr,
                     size_t errstr_size);
size_t ingest_batch_size(const struct ingest_batch *b);
/* Drop a batch that was not submitted (done is not called). */
void ingest_batch_discard(struct ingest_batch *b);
/* Hand the batch to the store; it frees itself after calling done. */
void ingest_batch_submit(struct ingest_batch *b);

/* ---- store_redis.c ----------------------------------------------------- */
struct store *store_new(struct recutd *d, char *errstr, size_t errstr_size);
/* A blocking connection to [redis] address (host:port or unix:/path), with
 * timeout_ms for connecting and for every command, for the worker threads
 * and start-up; NULL with the reason in errstr. */
struct redisContext;
struct redisContext *store_connect_sync(const char *address, int timeout_ms, char *errstr,
                                        size_t errstr_size);
void store_free(struct store *s);
int store_connected(const struct store *s);
/* Apply updates of one batch atomically per viewer; cb when all acked. */
struct store_batch;
struct store_batch *store_batch_new(struct store *s);
int store_batch_add(struct store_batch *b, const struct update *u);
int store_batch_add_movie(struct store_batch *b, const struct catalog_movie *cm);
size_t store_batch_count(const struct store_batch *b);
void store_batch_discard(struct store_batch *b);
void store_batch_submit(struct store_batch *b, void (*cb)(void *arg, int ok), void *arg);
/* Load a viewer (and the globals it needs) and call cb; v is freed after cb. */
typedef void (*store_viewer_fn)(void *arg, int ok, recut_viewer *v,
                                const struct recommend_globals *g, int known);
void store_load_viewer(struct store *s, const char *user, store_viewer_fn cb, void *arg);
/* Erase every key of a viewer. */
void store_forget(struct store *s, const char *user, void (*cb)(void *arg, int ok, long long n),
                  void *arg);
/* Persist a movie (PUT /v1/movies). */
void store_put_movie(struct store *s, const struct catalog_movie *cm, void (*cb)(void *arg, int ok),
                     void *arg);
/* Load the catalog at start-up (blocking, before the loop runs). */
int store_load_catalog(struct store *s, struct catalog *c, char *errstr, size_t errstr_size);
/* Forget cached viewers (partition assignment changed). */
void store_cache_clear(struct store *s);
/* Re-read the catalog when another instance changed it. */
int store_catalog_watch(struct store *s, int interval_ms);
/* Flush: call cb when every outstanding command has a reply. */
size_t store_pending(const struct store *s);

/* ---- kafka_in.c -------------------------------------------------------- */
struct kafka_in *kafka_in_new(struct recutd *d, char *errstr, size_t errstr_size);
/* Stop fetching, finish in-flight batches, commit, leave the group. */
void kafka_in_drain(struct kafka_in *k);
int kafka_in_drained(const struct kafka_in *k);
/* After SIGHUP: follow a changed commit_interval_ms. */
void kafka_in_reload(struct kafka_in *k);
void kafka_in_free(struct kafka_in *k);
/* Produce a malformed message to the dead-letter topic (HTTP path too);
 * reason "out_of_memory" (recutd's own, not the event's) is never sent. */
void kafka_in_dead_letter(struct kafka_in *k, const char *payload, size_t len, const char *key,
                          size_t key_len, const char *reason, const char *detail);
int64_t kafka_in_lag(const struct kafka_in *k);

/* ---- http.c ------------------------------------------------------------ */
struct http *http_new(struct recutd *d, char *errstr, size_t errstr_size);
void http_free(struct http *h);

/* ---- plugin.c ---------------------------------------------------------- */
struct plugins *plugins_load(struct recutd *d, char *errstr, size_t errstr_size);
void plugins_free(struct plugins *p);
const struct recut_plugin *plugins_editor(const struct plugins *p, const char *name, void **state);
size_t plugins_count(const struct plugins *p, int kind);
/* Send to every publisher; returns number of failures. */
int plugins_publish(struct plugins *p, const char *viewer, const char *kind, const char *key,
                    const char *json, size_t len);
/* Weighted sum of the scorer plugins' scores for a movie (0 if none is
 * loaded); the strongest plugin's reason into reason. */
double plugins_score_movie(struct plugins *p, const recut_viewer *v, const struct recut_movie *m,
                           char *reason, size_t reason_size);
/* Blend the scorer plugins' scene scores (0..1) into scores, by weight. */
void plugins_score_scenes(struct plugins *p, const recut_viewer *v, const struct recut_movie *m,
                          double *scores);
const char *plugins_list_json(const struct plugins *p);

/* ---- publish.c --------------------------------------------------------- */
struct publish *publish_new(struct recutd *d);
void publish_free(struct publish *p);
void publish_viewer_changed(struct publish *p, const char *user);
/* After SIGHUP: follow a changed delay_ms. */
void publish_reload(struct publish *p);
/* Build the recommendations document of a loaded viewer. */
char *publish_recs_json(struct recutd *d, const recut_viewer *v, const struct recommend_globals *g,
                        size_t n, const struct strmap *exclude, int include_seen);

/* ---- groups.c: viewer groups ("viewers like you") -------------------- */
/* Starts the periodic job ([models] groups_interval_s) and loads the stored
 * models at once. */
struct groups *groups_new(struct recutd *d, char *errstr, size_t errstr_size);
/* After SIGHUP: follow a changed groups_interval_s. */
void groups_reload(struct groups *g);
/* Stops the job (joins the worker thread) and frees everything. */
void groups_free(struct groups *g);
/* The viewer's cluster {"id","size","top_genres"} and factor scores
 * [{"score","top_genres":[{"genre","loading"}]}], each JSON null when there
 * is no model or the viewer has no genre preference yet (new references). */
void groups_profile(const struct groups *g, const recut_viewer *v, struct json_t **cluster,
                    struct json_t **factors);
/* The most liked movies of the viewer's cluster (of the biggest cluster
 * for a viewer without genre preferences), with their summed weights, best
 * first; NULL without a model.  Borrowed until control returns to the loop. */
const char *const *groups_cold_movies(const struct groups *g, const recut_viewer *v,
                                      const double **weights, size_t *n);

#include "svm_scorer.h"

#endif
