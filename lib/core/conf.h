/* SPDX-License-Identifier: Apache-2.0 */
/* conf.h -- recutd's configuration: one table row per key (type, default,
 * range, reloadable, doc), INI files parsed with inih, errors "file:line: why". */
#ifndef RECUT_CONF_H
#define RECUT_CONF_H

#include <stddef.h>
#include <stdio.h>

enum conf_event_type {
    CFG_EV_VIEW,
    CFG_EV_SKIP,
    CFG_EV_REWATCH,
    CFG_EV_LIKE,
    CFG_EV_DISLIKE,
    CFG_EV_RATING,
    CFG_EV_COMMENT,
    CFG_EV_SHARE,
    CFG_EV_N_WEIGHTED
};

/* A free-form key=value from [plugin.NAME], [librdkafka] or [experiment.NAME]. */
struct conf_kv {
    char *section, *key, *value;
    int line; /* where it was set: see conf_where() */
};

struct recut_config {
    /* [daemon] */
    int log_level;
    char *instance;
    int watchdog_sec;
    /* [kafka] */
    char *brokers;
    char *topics; /* comma list */
    char *group;
    char *catalog_topic;
    char *publish_topic;
    char *dead_letter_topic;
    int batch_size;
    int max_inflight;
    int commit_interval_ms;
    int max_message_bytes;
    /* [redis] */
    char *redis_address;
    char *redis_prefix;
    int redis_timeout_ms;
    char *redis_user;
    char *redis_password_file;
    int ids_max;
    int redis_cache_bytes;       /* [redis] cache_bytes: the viewer cache's bound */
    int redis_write_interval_ms; /* [redis] write_interval_ms: write-behind */
    int cooc_log_max;
    /* [http] */
    char *http_listen;
    int http_max_body;
    char *http_allowed_hosts;   /* comma list: host or host:port, "*" */
    char *http_allowed_origins; /* comma list: scheme://host[:port] */
    char *http_tokens_file;     /* bearer tokens (daemon/http_auth.c), or "" */
    char *http_tls_cert;        /* PEM; with http_tls_key: HTTPS */
    char *http_tls_key;
    int http_max_header;
    int http_max_connections;
    int http_answer_cache_ms;    /* [http] answer_cache_ms (0: off) */
    int http_answer_cache_bytes; /* [http] answer_cache_bytes */
    int http_thread_slice_us;    /* [http] thread_slice_us */
    int http_max_active_bodies;
    int http_idle_timeout_s;
    char *http_ui_dir;    /* the console (daemon/http_static.c), or "" */
    char *http_media_dir; /* ID.webm / ID.mp4 for /v1/movies/ID/media, or "" */
    int http_threads_unused;
    /* [plugins] */
    char *plugin_dir;
    char *plugin_load; /* comma list */
    /* [models] */
    double like_threshold;
    double nb_alpha;
    int history_max;
    int cooc_window;
    int neighbours;  /* [models] neighbours: partners kept in memory (0: all) */
    int item_ttl_ms; /* [models] item_ttl_ms */
    double w_nb, w_cooc, w_pop, w_affect, w_svm;
    double diversity; /* MMR re-ranking weight, 0: off */
    char *comment_model;
    int groups_interval_s;
    int groups_clusters;
    int groups_factors;
    int cold_start_events;
    int scorer_pool;
    /* [svm] */
    int svm_enabled;
    char *svm_kernel; /* "linear" or "rbf" */
    double svm_c, svm_gamma;
    int svm_probability;
    int svm_min_labels;
    int svm_retrain_labels;
    int svm_queue;
    int svm_max_train;
    /* [weights] */
    double weight[CFG_EV_N_WEIGHTED];
    /* [publish] */
    int publish_recs;
    int publish_n;
    int publish_delay_ms;
    /* [cuts] */
    char *cut_editor;
    double cut_budget;
    double cut_min_fragment;
    double cut_spoiler_tail;
    /* [privacy] */
    char *privacy_key_file;

    /* free-form sections */
    struct conf_kv *extra;
    size_t n_extra;
    char *path;    /* file it was read from */
    int *row_line; /* per conf_table row: file line it was set on, -1 for
                    * --set, 0 for the default (see conf_where()) */
};

enum conf_type {
    CFG_STRING,
    CFG_INT,
    CFG_DOUBLE,
    CFG_BOOL,
    CFG_LOGLEVEL
};

struct conf_row {
    const char *section, *key;
    enum conf_type type;
    size_t offset;
    const char *def;
    double min, max; /* numeric range (ints and doubles) */
    int reloadable;
    const char *doc;
};

extern const struct conf_row conf_table[];
extern const size_t conf_table_len;

/* Defaults for every key. */
int conf_init(struct recut_config *cfg);
void conf_free(struct recut_config *cfg);
/* Read an INI file over the current values.  On error returns -1 with
 * "file:line: reason" in errstr. */
int conf_load_file(struct recut_config *cfg, const char *path, char *errstr, size_t errstr_size);
/* Apply "section.key=value" (from --set). */
int conf_set_arg(struct recut_config *cfg, const char *arg, char *errstr, size_t errstr_size);
/* Set one key; returns -1 with reason (no file/line) on error. */
int conf_set(struct recut_config *cfg, const char *section, const char *key, const char *value,
             char *errstr, size_t errstr_size);
/* Cross-key checks after everything is read. */
int conf_validate(const struct recut_config *cfg, char *errstr, size_t errstr_size);
/* Where section.key got its value, for messages: "FILE:LINE", "--set
 * section.key", or FILE (or "configuration") for a default; into buf. */
const char *conf_where(const struct recut_config *cfg, const char *section, const char *key,
                       char *buf, size_t n);
/* Value of a free-form key, or NULL. */
const char *conf_extra(const struct recut_config *cfg, const char *section, const char *key);
/* Current value of a table key as text (into buf). */
const char *conf_value_str(const struct recut_config *cfg, const struct conf_row *row, char *buf,
                           size_t n);
/* Write every key with its doc, default and current value (recutd --dump-config). */
void conf_dump(const struct recut_config *cfg, FILE *out);
/* Names of keys whose value differs and are not reloadable, into errstr. */
int conf_diff_nonreloadable(const struct recut_config *a, const struct recut_config *b, char *buf,
                            size_t n);

#endif
