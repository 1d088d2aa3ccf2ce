/* SPDX-License-Identifier: Apache-2.0 */
/* conf.c -- table-driven configuration (see conf.h). */
#include "config.h"
#include "conf.h"
#include "log.h"

#include <ini.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OFF(f) offsetof(struct recut_config, f)
#define S(sec, key, field, def, rl, doc)                                                           \
    {                                                                                              \
        sec, key, CFG_STRING, OFF(field), def, 0, 0, rl, doc                                       \
    }
#define I(sec, key, field, def, lo, hi, rl, doc)                                                   \
    {                                                                                              \
        sec, key, CFG_INT, OFF(field), def, lo, hi, rl, doc                                        \
    }
#define D(sec, key, field, def, lo, hi, rl, doc)                                                   \
    {                                                                                              \
        sec, key, CFG_DOUBLE, OFF(field), def, lo, hi, rl, doc                                     \
    }
#define B(sec, key, field, def, rl, doc)                                                           \
    {                                                                                              \
        sec, key, CFG_BOOL, OFF(field), def, 0, 1, rl, doc                                         \
    }

const struct conf_row conf_table[] = {
    { "daemon", "log_level", CFG_LOGLEVEL, OFF(log_level), "info", 0, 0, 1,
      "Least important message logged: err, warning, notice, info or debug." },
    S("daemon", "instance", instance, "", 0,
      "Name of this instance in logs, metrics and the Kafka client id (default: the host name)."),
    I("daemon", "watchdog_sec", watchdog_sec, "0", 0, 3600, 0,
      "Seconds between sd_notify WATCHDOG pings when systemd does not set WATCHDOG_USEC (0: off)."),

    S("kafka", "brokers", brokers, "localhost:9092", 0,
      "Bootstrap brokers, host:port[,host:port...]. Empty: no Kafka, events only over HTTP."),
    S("kafka", "topics", topics, "recut.events", 0,
      "Comma-separated topics carrying viewer events (key = viewer id)."),
    S("kafka", "group", group, "recutd", 0,
      "Consumer group; add instances with the same group to scale out."),
    S("kafka", "catalog_topic", catalog_topic, "recut.catalog", 0,
      "Topic carrying catalog entries (key = movie id). Empty: none."),
    S("kafka", "publish_topic", publish_topic, "recut.published", 0,
      "Topic the kafka publisher writes recommendations and cuts to."),
    S("kafka", "dead_letter_topic", dead_letter_topic, "recut.deadletter", 0,
      "Topic malformed events go to, with the reason in header \"reason\"."),
    I("kafka", "batch_size", batch_size, "2000", 1, 100000, 0,
      "Most messages applied to Redis in one batch."),
    I("kafka", "max_inflight", max_inflight, "128", 1, 256, 1,
      "Most batches read and not yet acknowledged by Redis at once (applied ones wait for their "
      "write: see [redis] write_interval_ms); each holds up to batch_size events in memory."),
    I("kafka", "commit_interval_ms", commit_interval_ms, "200", 10, 60000, 1,
      "How often offsets of fully applied batches are committed."),
    I("kafka", "max_message_bytes", max_message_bytes, "65536", 256, 16777216, 1,
      "Largest event accepted; larger ones go to the dead-letter topic."),

    S("redis", "address", redis_address, "127.0.0.1:6379", 0,
      "Redis server, host:port or unix:/path/to/socket; for a Redis Cluster, one or more seed "
      "nodes, host:port,host:port (the other masters are found with CLUSTER SLOTS)."),
    S("redis", "prefix", redis_prefix, "recut", 0,
      "Prefix of every key recutd writes. A viewer's keys are PREFIX:{u:ID}:*."),
    I("redis", "timeout_ms", redis_timeout_ms, "5000", 100, 600000, 0,
      "Connect and command timeout: with no reply for this long recutd drops the connection, "
      "reports Redis down and reconnects (with backoff), replaying unfinished batches."),
    S("redis", "user", redis_user, "", 0,
      "ACL user recutd authenticates as (AUTH user password). Empty: AUTH password alone."),
    S("redis", "password_file", redis_password_file, "", 1,
      "File holding the Redis password (one line; re-read on SIGHUP). Empty: no AUTH."),
    I("redis", "ids_max", ids_max, "10000", 0, 10000000, 1,
      "Event ids remembered per viewer for de-duplication (0: no de-duplication)."),
    I("redis", "cache_bytes", redis_cache_bytes, "536870912", 1048576, 2147483647, 1,
      "Most bytes the viewers held in memory may take (an estimate from their maps and ids); "
      "beyond it the least recently used ones not in use are dropped, and read from Redis "
      "again at their next event."),
    I("redis", "write_interval_ms", redis_write_interval_ms, "1000", 0, 60000, 1,
      "Most milliseconds an applied event waits before its viewer is written to Redis, once for "
      "all its changes (write-behind); sooner when half of [kafka] max_inflight batches wait. 0: "
      "no wait."),
    I("redis", "cooc_log_max", cooc_log_max, "8192", 64, 1073741824, 1,
      "Bytes a movie's co-occurrence log may reach (and at least its row's size) before it is "
      "folded into the row."),

    S("http", "listen", http_listen, "127.0.0.1:8080", 0,
      "Address of the HTTP API, host:port. Empty: no HTTP API."),
    I("http", "max_body_bytes", http_max_body, "8388608", 1024, 1073741824, 0,
      "Largest request body accepted (413 beyond)."),
    S("http", "allowed_hosts", http_allowed_hosts, "localhost,127.0.0.1,[::1]", 1,
      "Comma-separated Host header values accepted, host (any port) or host:port; the listen "
      "address is accepted too, \"*\" accepts any. Other hosts get 421 (DNS rebinding)."),
    S("http", "allowed_origins", http_allowed_origins, "", 1,
      "Comma-separated origins (scheme://host[:port]) whose browser requests are accepted; a "
      "request with any other Origin header gets 403 (cross-site requests). Empty: none."),
    S("http", "tokens_file", http_tokens_file, "", 1,
      "File of bearer tokens, one \"SHA256HEX SCOPE[,SCOPE...]\" a line (scopes read, write, "
      "admin; re-read on SIGHUP). Empty: no token needed, allowed only when listen is a "
      "loopback address."),
    S("http", "tls_cert", http_tls_cert, "", 1,
      "PEM certificate (chain) of the API; with tls_key it is served over HTTPS (TLS 1.2 or "
      "later) and plain HTTP is refused. Empty: plain HTTP. Re-read on SIGHUP for new "
      "connections."),
    S("http", "tls_key", http_tls_key, "", 1,
      "PEM private key of tls_cert (keep it readable by recutd only). Set both or neither."),
    I("http", "max_header_bytes", http_max_header, "16384", 1024, 1048576, 0,
      "Largest request line and headers together (a 400 beyond, and the connection is closed)."),
    I("http", "max_connections", http_max_connections, "256", 1, 65536, 0,
      "Most HTTP connections open at once; beyond it new ones wait in the listen queue."),
    I("http", "max_active_bodies", http_max_active_bodies, "16", 1, 10000, 0,
      "Most request bodies (events, catalog entries) being applied at once (503 beyond)."),
    I("http", "idle_timeout_s", http_idle_timeout_s, "30", 1, 3600, 0,
      "Seconds a connection may stay idle, or take to send a request, before it is closed."),
    I("http", "answer_cache_ms", http_answer_cache_ms, "1000", 0, 600000, 1,
      "How long a recommendation list or a cut is answered again from memory for the same "
      "request (viewer, movie and query); an event of that viewer applied by this instance "
      "drops it at once. 0: off."),
    I("http", "answer_cache_bytes", http_answer_cache_bytes, "67108864", 0, 2147483647, 1,
      "Most bytes of answers kept for answer_cache_ms (the oldest go first)."),
    I("http", "thread_slice_us", http_thread_slice_us, "100", 0, 100000, 1,
      "Time slice (microseconds) the HTTP thread asks the kernel for, so that a request waits less "
      "for a busy CPU (Linux 6.12+; 100..100000). 0: the kernel's default."),
    S("http", "ui_dir", http_ui_dir, PKGDATADIR "/ui", 0,
      "Directory of the web console's files, served under /ui/ (GET and HEAD need no token). "
      "Empty: no console."),
    S("http", "media_dir", http_media_dir, "", 0,
      "Directory of the movies' video files, one named ID.webm or ID.mp4 per catalog movie, "
      "served by GET /v1/movies/ID/media (read scope). Empty: no media route."),

    S("plugins", "dir", plugin_dir, PKGLIBDIR, 1, "Directory plugins are loaded from."),
    S("plugins", "load", plugin_load, "highlights,storyline,trailer,mood,redis,kafka", 1,
      "Comma-separated plugins to load (file NAME.so in dir)."),

    D("models", "like_threshold", like_threshold, "3.5", 0.5, 5, 1,
      "A rating at or above this is a like, below it a dislike."),
    D("models", "alpha", nb_alpha, "1.0", 1e-6, 100, 1,
      "Naive Bayes smoothing (Lidstone alpha; 1 = Laplace)."),
    I("models", "history_max", history_max, "200", 1, 100000, 1,
      "Positive items kept per viewer for item-to-item co-occurrence."),
    I("models", "cooc_window", cooc_window, "20", 1, 10000, 1,
      "Most recent positive items paired with a new one in the co-occurrence counts."),
    I("models", "neighbours", neighbours, "0", 0, 1000000, 1,
      "Co-occurrence partners each movie keeps in memory for recommendations: its strongest "
      "N (equal counts: the smaller id first; 0: all). Redis keeps every count."),
    I("models", "item_ttl_ms", item_ttl_ms, "5000", 10, 3600000, 1,
      "How long a movie's co-occurrence row and the popularity counts held in memory are "
      "used before they are read from Redis again, in the background: other instances' "
      "counts show up within this time."),
    S("models", "comment_model", comment_model, PKGDATADIR "/comment-sentiment.nbm", 0,
      "Naive Bayes text model giving comments their sentiment (empty: comments carry no "
      "preference)."),
    D("models", "blend_nb", w_nb, "0.2", 0, 100, 1,
      "Weight of the Naive Bayes genre/tag scorer in recommendations."),
    D("models", "blend_cooc", w_cooc, "1.0", 0, 100, 1,
      "Weight of the item-to-item co-occurrence scorer."),
    D("models", "blend_popularity", w_pop, "0.3", 0, 100, 1, "Weight of popularity (cold start)."),
    D("models", "blend_svm", w_svm, "0", 0, 100, 1,
      "Weight of the viewer's SVM (its probability of a like) in recommendations."),
    D("models", "diversity", diversity, "0", 0, 1, 0,
      "Weight of the diversity re-ranking of recommendations (maximal marginal relevance over "
      "genre similarity; 0: off)."),
    D("models", "blend_affect", w_affect, "0.3", 0, 100, 1,
      "Weight of the emotion/affect match in scene scores."),
    I("models", "groups_interval_s", groups_interval_s, "60", 0, 86400, 1,
      "Seconds between fits of the viewer groups (k-means and factor analysis over genre "
      "preferences; 0: off)."),
    I("models", "clusters", groups_clusters, "8", 1, 1000, 1,
      "Number of viewer groups (k of k-means)."),
    I("models", "factors", groups_factors, "3", 1, 100, 1,
      "Number of taste factors found by factor analysis."),
    I("models", "cold_start_events", cold_start_events, "5", 0, 1000000, 1,
      "Viewers with fewer events than this also get their group's favourite movies (0: never)."),
    I("models", "scorer_pool", scorer_pool, "200", 1, 100000, 1,
      "Candidates scorer plugins re-rank: the built-in top this many (or n if more are asked "
      "for), so a viewer's first k recommendations are the same for every n of at least k while "
      "n is at most this."),

    B("svm", "enabled", svm_enabled, "yes", 0,
      "Train a like/dislike SVM per viewer in a background thread, store it in Redis and use it in "
      "recommendations."),
    S("svm", "kernel", svm_kernel, "rbf", 1, "Kernel of the viewers' SVMs: linear or rbf."),
    D("svm", "c", svm_c, "1.0", 1e-6, 1e6, 1, "Cost C of the C-SVC."),
    D("svm", "gamma", svm_gamma, "1.0", 0, 1e6, 1,
      "RBF gamma (feature rows have unit length; 0: 1 / number of hashed features)."),
    B("svm", "probability", svm_probability, "yes", 1,
      "Train with probability estimates (else a logistic of the decision value scores)."),
    I("svm", "min_labels", svm_min_labels, "5", 1, 100000, 1,
      "Likes and dislikes (each) a viewer needs before getting an SVM."),
    I("svm", "retrain_labels", svm_retrain_labels, "20", 1, 1000000, 1,
      "New labels after which a viewer's SVM is trained (again)."),
    I("svm", "queue", svm_queue, "16384", 16, 16777216, 0,
      "Capacity of the trainer's queue of labelled events (when full they are dropped and "
      "counted)."),
    I("svm", "max_train", svm_max_train, "500", 2, 1000000, 1,
      "Most samples a viewer's SVM is trained on (the strongest, up to half of each class)."),

    D("weights", "view", weight[CFG_EV_VIEW], "1.0", -100, 100, 1,
      "How much a view counts (times the watched fraction when given)."),
    D("weights", "skip", weight[CFG_EV_SKIP], "-1.0", -100, 100, 1,
      "How much a skip counts (negative: a dislike)."),
    D("weights", "rewatch", weight[CFG_EV_REWATCH], "1.5", -100, 100, 1,
      "How much a rewatch counts."),
    D("weights", "like", weight[CFG_EV_LIKE], "2.0", -100, 100, 1, "How much a like counts."),
    D("weights", "dislike", weight[CFG_EV_DISLIKE], "-2.0", -100, 100, 1,
      "How much a dislike counts."),
    D("weights", "rating", weight[CFG_EV_RATING], "1.0", -100, 100, 1,
      "How much a rating counts, times its distance from like_threshold."),
    D("weights", "comment", weight[CFG_EV_COMMENT], "1.0", -100, 100, 1,
      "How much a comment counts, signed by its sentiment."),
    D("weights", "share", weight[CFG_EV_SHARE], "1.5", -100, 100, 1, "How much a share counts."),

    B("publish", "recommendations", publish_recs, "yes", 1,
      "Publish a viewer's recommendations after their events are applied."),
    I("publish", "n", publish_n, "10", 1, 1000, 1, "Number of recommendations published."),
    I("publish", "delay_ms", publish_delay_ms, "1000", 0, 3600000, 1,
      "Coalesce a viewer's events for this long before publishing."),

    S("cuts", "editor", cut_editor, "highlights", 1, "Editor used when a request names none."),
    D("cuts", "budget", cut_budget, "120", 1, 86400, 1, "Default budget of a cut, seconds."),
    D("cuts", "min_fragment", cut_min_fragment, "2.0", 0, 3600, 1,
      "No kept scene shorter than this, seconds."),
    D("cuts", "spoiler_tail", cut_spoiler_tail, "-1", -1, 0.99, 1,
      "Fraction of the movie's end trailers avoid (0: none; negative: each editor's own default)."),

    S("privacy", "key_file", privacy_key_file, "", 0,
      "File of keys sealing emotion data in Redis, lines 'KEYID HEX64'; the first seals, all open "
      "(empty: emotion readings are not stored)."),
};
const size_t conf_table_len = sizeof conf_table / sizeof conf_table[0];

static const struct conf_row *conf_find(const char *section, const char *key)
{
    for (size_t i = 0; i < conf_table_len; i++)
        if (strcmp(conf_table[i].section, section) == 0 && strcmp(conf_table[i].key, key) == 0)
            return &conf_table[i];
    return NULL;
}

static int conf_section_known(const char *section)
{
    for (size_t i = 0; i < conf_table_len; i++)
        if (strcmp(conf_table[i].section, section) == 0)
            return 1;
    return 0;
}

static int conf_parse_bool(const char *v)
{
    static const char *const yes[] = { "1", "yes", "true", "on" };
    static const char *const no[] = { "0", "no", "false", "off" };
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return 1;
        if (strcasecmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

static int conf_set_row(struct recut_config *cfg, const struct conf_row *row, const char *value,
                        char *errstr, size_t errstr_size)
{
    char *base = (char *)cfg + row->offset;
    switch (row->type) {
    case CFG_STRING: {
        char *dup = strdup(value);
        if (!dup) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        free(*(char **)base);
        *(char **)base = dup;
        return 0;
    }
    case CFG_LOGLEVEL: {
        int lvl = log_level_parse(value);
        if (lvl < 0) {
            snprintf(errstr, errstr_size,
                     "%s.%s: '%s' is not a log level (err, warning, notice, info, debug)",
                     row->section, row->key, value);
            return -1;
        }
        *(int *)base = lvl;
        return 0;
    }
    case CFG_BOOL: {
        int b = conf_parse_bool(value);
        if (b < 0) {
            snprintf(errstr, errstr_size, "%s.%s: '%s' is not a boolean (yes/no)", row->section,
                     row->key, value);
            return -1;
        }
        *(int *)base = b;
        return 0;
    }
    case CFG_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end) {
            snprintf(errstr, errstr_size, "%s.%s: '%s' is not an integer", row->section, row->key,
                     value);
            return -1;
        }
        if ((double)v < row->min || (double)v > row->max) {
            snprintf(errstr, errstr_size, "%s.%s: %lld is out of range [%.0f, %.0f]", row->section,
                     row->key, v, row->min, row->max);
            return -1;
        }
        *(int *)base = (int)v;
        return 0;
    }
    case CFG_DOUBLE: {
        char *end;
        errno = 0;
        double v = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(v)) {
            snprintf(errstr, errstr_size, "%s.%s: '%s' is not a number", row->section, row->key,
                     value);
            return -1;
        }
        if (v < row->min || v > row->max) {
            snprintf(errstr, errstr_size, "%s.%s: %g is out of range [%g, %g]", row->section,
                     row->key, v, row->min, row->max);
            return -1;
        }
        *(double *)base = v;
        return 0;
    }
    }
    snprintf(errstr, errstr_size, "internal: bad config type");
    return -1;
}

static int conf_add_extra(struct recut_config *cfg, const char *section, const char *key,
                          const char *value, int line)
{
    for (size_t i = 0; i < cfg->n_extra; i++) {
        struct conf_kv *kv = &cfg->extra[i];
        if (strcmp(kv->section, section) == 0 && strcmp(kv->key, key) == 0) {
            char *v = strdup(value);
            if (!v)
                return -1;
            free(kv->value);
            kv->value = v;
            kv->line = line;
            return 0;
        }
    }
    struct conf_kv *n = realloc(cfg->extra, (cfg->n_extra + 1) * sizeof *n);
    if (!n)
        return -1;
    cfg->extra = n;
    struct conf_kv *kv = &n[cfg->n_extra];
    kv->section = strdup(section);
    kv->key = strdup(key);
    kv->value = strdup(value);
    kv->line = line;
    if (!kv->section || !kv->key || !kv->value) {
        free(kv->section);
        free(kv->key);
        free(kv->value);
        return -1;
    }
    cfg->n_extra++;
    return 0;
}

/* conf_set, remembering where the value came from (line as in row_line). */
static int conf_set_at(struct recut_config *cfg, const char *section, const char *key,
                       const char *value, int line, char *errstr, size_t errstr_size)
{
    if ((strncmp(section, "plugin.", 7) == 0 && section[7]) || strcmp(section, "librdkafka") == 0 ||
        strcmp(section, "experiment") == 0 || strncmp(section, "experiment.", 11) == 0) {
        /* [experiment.NAME]'s keys are checked by experiment.c */
        if (conf_add_extra(cfg, section, key, value, line) < 0) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        return 0;
    }
    const struct conf_row *row = conf_find(section, key);
    if (!row) {
        if (!conf_section_known(section))
            snprintf(errstr, errstr_size, "unknown section [%s]", section);
        else
            snprintf(errstr, errstr_size, "unknown key '%s' in section [%s]", key, section);
        return -1;
    }
    if (conf_set_row(cfg, row, value, errstr, errstr_size) < 0)
        return -1;
    if (cfg->row_line)
        cfg->row_line[row - conf_table] = line;
    return 0;
}

int conf_set(struct recut_config *cfg, const char *section, const char *key, const char *value,
             char *errstr, size_t errstr_size)
{
    return conf_set_at(cfg, section, key, value, 0, errstr, errstr_size);
}

int conf_init(struct recut_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->row_line = calloc(conf_table_len, sizeof *cfg->row_line);
    if (!cfg->row_line) {
        log_err("config: out of memory");
        return -1;
    }
    char err[256];
    for (size_t i = 0; i < conf_table_len; i++)
        if (conf_set_row(cfg, &conf_table[i], conf_table[i].def, err, sizeof err) < 0) {
            log_err("config default: %s", err);
            return -1;
        }
    return 0;
}

void conf_free(struct recut_config *cfg)
{
    for (size_t i = 0; i < conf_table_len; i++)
        if (conf_table[i].type == CFG_STRING) {
            char **p = (char **)((char *)cfg + conf_table[i].offset);
            free(*p);
            *p = NULL;
        }
    for (size_t i = 0; i < cfg->n_extra; i++) {
        free(cfg->extra[i].section);
        free(cfg->extra[i].key);
        free(cfg->extra[i].value);
    }
    free(cfg->extra);
    free(cfg->path);
    free(cfg->row_line);
    memset(cfg, 0, sizeof *cfg);
}

/* inih reports the line of the first error only, and keeps parsing after
 * it: the reader below counts lines so each error keeps its own line, and
 * only the first error's message is kept.
 *
 * inih reads a line into a buffer of its own (INI_MAX_LINE, 200 bytes in
 * Debian's build) and parses what does not fit as the next line: a long
 * comment became an "unknown key" named after its tail, and a long value
 * was cut.  So the reader takes whole lines itself: a comment too long for
 * inih reaches it as an empty comment, any other such line is an error
 * naming its line. */
struct conf_parse_ctx {
    struct recut_config *cfg;
    FILE *f;
    char *line; /* getline's buffer */
    size_t line_cap;
    int lineno;   /* line inih is handling now */
    int err_line; /* line of the first error found (0: none) */
    char err[512];
};

static void conf_parse_fail(struct conf_parse_ctx *ctx, const char *why)
{
    if (ctx->err_line)
        return;
    ctx->err_line = ctx->lineno;
    snprintf(ctx->err, sizeof ctx->err, "%s", why);
}

static char *conf_read_line(char *str, int num, void *stream)
{
    struct conf_parse_ctx *ctx = stream;
    if (num < 3)
        return NULL;
    ssize_t n = getline(&ctx->line, &ctx->line_cap, ctx->f);
    if (n < 0)
        return NULL;
    ctx->lineno++;
    size_t len = (size_t)n;
    if (len > 0 && ctx->line[len - 1] == '\n')
        len--;
    if (len + 2 <= (size_t)num) { /* the line, its newline and a NUL fit */
        memcpy(str, ctx->line, (size_t)n);
        str[n] = '\0';
        return str;
    }
    const char *c = ctx->line + strspn(ctx->line, " \t");
    if (*c != '#' && *c != ';') {
        char why[160];
        snprintf(why, sizeof why,
                 "line of %zu bytes; the INI parser (inih) reads at most %d: shorten it", len,
                 num - 2);
        conf_parse_fail(ctx, why);
    }
    memcpy(str, "#\n", 3); /* (the comment, or nothing of the bad line) */
    return str;
}

static int conf_ini_handler(void *user, const char *section, const char *name, const char *value)
{
    struct conf_parse_ctx *ctx = user;
    if (!name) /* section header alone (INI_CALL_HANDLER_ON_NEW_SECTION) */
        return 1;
    char why[512];
    if (!*section) {
        snprintf(why, sizeof why, "key '%s' outside of any [section]", name);
        conf_parse_fail(ctx, why);
        return 0;
    }
    if (conf_set_at(ctx->cfg, section, name, value, ctx->lineno, why, sizeof why) < 0) {
        conf_parse_fail(ctx, why);
        return 0;
    }
    return 1;
}

int conf_load_file(struct recut_config *cfg, const char *path, char *errstr, size_t errstr_size)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    struct conf_parse_ctx ctx = { .cfg = cfg, .f = f };
    int rc = ini_parse_stream(conf_read_line, &ctx, conf_ini_handler, &ctx);
    fclose(f);
    free(ctx.line);
    if (ctx.err_line && (rc == 0 || ctx.err_line < rc))
        rc = ctx.err_line; /* a line too long for inih, before any error inih saw */
    if (rc != 0) {
        /* rc is the first error's line: the handler's message if the
         * handler failed there, else inih's own syntax error */
        if (rc < 0)
            snprintf(errstr, errstr_size, "%s: cannot read file", path);
        else if (ctx.err_line == rc)
            snprintf(errstr, errstr_size, "%s:%d: %s", path, rc, ctx.err);
        else
            snprintf(errstr, errstr_size,
                     "%s:%d: syntax error (expected [section], key = value, or a comment)", path,
                     rc);
        return -1;
    }
    char *p = strdup(path);
    if (p) {
        free(cfg->path);
        cfg->path = p;
    }
    return 0;
}

int conf_set_arg(struct recut_config *cfg, const char *arg, char *errstr, size_t errstr_size)
{
    const char *eq = strchr(arg, '=');
    const char *dot = strrchr(arg, '.');
    if (eq && dot > eq) /* a dot in the value: find the last dot before '=' */
        for (dot = eq; dot > arg && *dot != '.'; dot--)
            ;
    if (eq && strncmp(arg, "librdkafka.", 11) == 0) /* librdkafka's keys hold dots */
        dot = arg + 10;
    if (!eq || !dot || dot == arg || dot > eq || dot + 1 == eq) {
        snprintf(errstr, errstr_size, "--set %s: expected section.key=value", arg);
        return -1;
    }
    char section[128], key[128];
    size_t sl = (size_t)(dot - arg), kl = (size_t)(eq - dot - 1);
    if (sl >= sizeof section || kl >= sizeof key) {
        snprintf(errstr, errstr_size, "--set %s: name too long", arg);
        return -1;
    }
    memcpy(section, arg, sl);
    section[sl] = '\0';
    memcpy(key, dot + 1, kl);
    key[kl] = '\0';
    char why[384];
    if (conf_set_at(cfg, section, key, eq + 1, -1, why, sizeof why) < 0) {
        snprintf(errstr, errstr_size, "--set %s: %s", arg, why);
        return -1;
    }
    return 0;
}

int conf_validate(const struct recut_config *cfg, char *errstr, size_t errstr_size)
{
    const char *where = cfg->path ? cfg->path : "configuration";
    char at[600]; /* a single key's errors name its line (conf_where) */
    if (cfg->brokers[0] && !cfg->topics[0]) {
        snprintf(errstr, errstr_size, "%s: kafka.topics is empty but kafka.brokers is set", where);
        return -1;
    }
    if (cfg->brokers[0] && !cfg->group[0]) {
        snprintf(errstr, errstr_size, "%s: kafka.group must not be empty", where);
        return -1;
    }
    for (const char *p = cfg->instance; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '_' || *p == '-')) {
            snprintf(errstr, errstr_size,
                     "%s: daemon.instance may hold only letters, digits, '.', '_' and '-'",
                     conf_where(cfg, "daemon", "instance", at, sizeof at));
            return -1;
        }
    if (strcmp(cfg->svm_kernel, "linear") != 0 && strcmp(cfg->svm_kernel, "rbf") != 0) {
        snprintf(errstr, errstr_size, "%s: svm.kernel must be linear or rbf, not '%s'",
                 conf_where(cfg, "svm", "kernel", at, sizeof at), cfg->svm_kernel);
        return -1;
    }
    if (2 * (long long)cfg->svm_min_labels > cfg->svm_max_train) {
        snprintf(errstr, errstr_size,
                 "%s: svm.max_train (%d) must be at least twice svm.min_labels (%d)", where,
                 cfg->svm_max_train, cfg->svm_min_labels);
        return -1;
    }
    if (!cfg->redis_address[0]) {
        snprintf(errstr, errstr_size, "%s: redis.address must not be empty",
                 conf_where(cfg, "redis", "address", at, sizeof at));
        return -1;
    }
    if (!cfg->redis_prefix[0] || strpbrk(cfg->redis_prefix, "{} \t")) {
        snprintf(errstr, errstr_size, "%s: redis.prefix must be non-empty without braces or blanks",
                 conf_where(cfg, "redis", "prefix", at, sizeof at));
        return -1;
    }
    return 0;
}

const char *conf_where(const struct recut_config *cfg, const char *section, const char *key,
                       char *buf, size_t n)
{
    int line = 0;
    const struct conf_row *row = conf_find(section, key);
    if (row && cfg->row_line)
        line = cfg->row_line[row - conf_table];
    for (size_t i = 0; !row && i < cfg->n_extra; i++)
        if (strcmp(cfg->extra[i].section, section) == 0 && strcmp(cfg->extra[i].key, key) == 0)
            line = cfg->extra[i].line;
    const char *file = cfg->path ? cfg->path : "configuration";
    if (line > 0)
        snprintf(buf, n, "%s:%d", file, line);
    else if (line < 0)
        snprintf(buf, n, "--set %s.%s", section, key);
    else
        snprintf(buf, n, "%s", file);
    return buf;
}

const char *conf_extra(const struct recut_config *cfg, const char *section, const char *key)
{
    for (size_t i = 0; i < cfg->n_extra; i++)
        if (strcmp(cfg->extra[i].section, section) == 0 && strcmp(cfg->extra[i].key, key) == 0)
            return cfg->extra[i].value;
    return NULL;
}

const char *conf_value_str(const struct recut_config *cfg, const struct conf_row *row, char *buf,
                           size_t n)
{
    const char *base = (const char *)cfg + row->offset;
    switch (row->type) {
    case CFG_STRING:
        return *(char *const *)base ? *(char *const *)base : "";
    case CFG_LOGLEVEL:
        return log_level_name(*(const int *)base);
    case CFG_BOOL:
        return *(const int *)base ? "yes" : "no";
    case CFG_INT:
        snprintf(buf, n, "%d", *(const int *)base);
        return buf;
    case CFG_DOUBLE:
        snprintf(buf, n, "%g", *(const double *)base);
        return buf;
    }
    return "";
}

void conf_dump(const struct recut_config *cfg, FILE *out)
{
    const char *section = "";
    for (size_t i = 0; i < conf_table_len; i++) {
        const struct conf_row *r = &conf_table[i];
        if (strcmp(section, r->section) != 0) {
            fprintf(out, "%s[%s]\n", i ? "\n" : "", r->section);
            section = r->section;
        }
        char buf[64];
        fprintf(out, "# %s\n# default: %s%s\n%s = %s\n", r->doc, r->def,
                r->reloadable ? "; reloads on SIGHUP" : "; needs a restart", r->key,
                conf_value_str(cfg, r, buf, sizeof buf));
    }
}

int conf_diff_nonreloadable(const struct recut_config *a, const struct recut_config *b, char *buf,
                            size_t n)
{
    size_t off = 0;
    int count = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < conf_table_len; i++) {
        const struct conf_row *r = &conf_table[i];
        if (r->reloadable)
            continue;
        char b1[64], b2[64];
        if (strcmp(conf_value_str(a, r, b1, sizeof b1), conf_value_str(b, r, b2, sizeof b2)) == 0)
            continue;
        if (off < n)
            off += (size_t)snprintf(buf + off, n - off, "%s%s.%s", count ? ", " : "", r->section,
                                    r->key);
        count++;
    }
    return count;
}
