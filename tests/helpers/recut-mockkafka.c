/* SPDX-License-Identifier: Apache-2.0 */
/*
 * recut-mockkafka -- run librdkafka's in-process mock Kafka cluster as a
 * stand-alone helper for tests, demos and benchmarks.
 *
 *   recut-mockkafka [--brokers N] [--topic NAME[:PARTITIONS]]...
 *                   [--bootstraps-file FILE] [--verbose]
 *   recut-mockkafka offsets BOOTSTRAPS GROUP TOPIC
 *
 * Once the cluster is up and every topic exists, the bootstrap list
 * ("127.0.0.1:PORT,...") is printed as one line on stdout and, with
 * --bootstraps-file, written to FILE atomically (temp file + rename), so a
 * script can wait for FILE to appear.  The process then runs until SIGTERM or
 * SIGINT, removes FILE and exits 0.  SIGUSR1 takes every broker down
 * (connections closed and refused, as a broker outage), SIGUSR2 brings them
 * back: the fault tests use them.
 *
 * What the mock cluster speaks (librdkafka 2.0.2, rdkafka_mock_handlers.c,
 * checked with kcat against this helper):
 *   - Produce, Fetch, ListOffsets, Metadata, ApiVersion (idempotent and
 *     transactional producers too);
 *   - FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 *     OffsetCommit and OffsetFetch: high-level balanced consumer groups work
 *     and committed offsets are kept per group for the life of the process,
 *     which is what recutd relies on (commit after Redis acknowledged, resume
 *     from the committed offset after a restart).  A restart of *this*
 *     helper loses every message and every committed offset.
 * Limits worth knowing:
 *   - A topic is auto-created (4 partitions) only when a client asks for its
 *     metadata with auto-creation allowed (a producer does, kcat -P does);
 *     a subscribing consumer group does not (allow.auto.create.topics is
 *     false for consumers) and sees "unknown topic".  Name every topic a
 *     test needs with --topic, with the partition count it needs.
 *   - Each partition keeps at most 5 MiB of record batches (and at most
 *     100000 batches); older batches are dropped silently, like retention.
 *     Spread large volumes over enough partitions (the benchmark does).
 *   - Replication factor is 1; brokers listen on 127.0.0.1, random ports.
 *   - Group rebalances are slow: the first member of a new group waits 3 s
 *     (group.initial.rebalance.delay), and after a member leaves a group
 *     that was Up, the next JoinGroup is answered only after the leaver's
 *     session.timeout.ms - 1 s (44 s with librdkafka's default 45000).  A
 *     client that restarts against this helper should set
 *     session.timeout.ms low (e.g. 6000, giving ~5 s).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "mockkafka_offsets.h"

#define MOCKKAFKA_MAX_TOPICS 64
#define MOCKKAFKA_MAX_PARTITIONS 1024
#define MOCKKAFKA_MAX_BROKERS 16

struct mockkafka_topic {
    const char *name; /* points into argv, ':' replaced by NUL */
    int partitions;
};

struct mockkafka_opts {
    int brokers;
    const char *bootstraps_file;
    int verbose;
    struct mockkafka_topic topics[MOCKKAFKA_MAX_TOPICS];
    size_t n_topics;
};

static volatile sig_atomic_t mockkafka_stop;

static void mockkafka_on_signal(int sig)
{
    (void)sig;
    mockkafka_stop = 1;
}

/* SIGUSR1 / SIGUSR2: brokers down / up, applied by the main loop. */
static volatile sig_atomic_t mockkafka_want_down, mockkafka_want_up;

static void mockkafka_on_usr(int sig)
{
    if (sig == SIGUSR1)
        mockkafka_want_down = 1;
    else
        mockkafka_want_up = 1;
}

static void mockkafka_usage(FILE *out)
{
    fprintf(out, "usage: recut-mockkafka [--brokers N] [--topic NAME[:PARTITIONS]]...\n"
                 "                       [--bootstraps-file FILE] [--verbose]\n"
                 "       recut-mockkafka offsets BOOTSTRAPS GROUP TOPIC\n"
                 "Runs a mock Kafka cluster on 127.0.0.1 until SIGTERM/SIGINT.\n"
                 "Prints the bootstrap list on stdout once every topic exists.\n"
                 "'offsets' prints a group's committed and the end offset of each\n"
                 "partition of TOPIC (\"PARTITION COMMITTED END\", then \"total ...\").\n");
}

/* Parses a decimal integer in [lo, hi]; returns 0 or -1. */
static int mockkafka_parse_int(const char *s, int lo, int hi, int *out)
{
    if (!s || !*s)
        return -1;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int mockkafka_add_topic(struct mockkafka_opts *o, char *spec, char *errstr,
                               size_t errstr_size)
{
    if (o->n_topics == MOCKKAFKA_MAX_TOPICS) {
        snprintf(errstr, errstr_size, "too many topics (max %d)", MOCKKAFKA_MAX_TOPICS);
        return -1;
    }
    int partitions = 1;
    char *colon = strrchr(spec, ':');
    if (colon) {
        *colon = '\0';
        if (mockkafka_parse_int(colon + 1, 1, MOCKKAFKA_MAX_PARTITIONS, &partitions) == -1) {
            snprintf(errstr, errstr_size, "topic '%s': partition count '%s' is not in 1..%d", spec,
                     colon + 1, MOCKKAFKA_MAX_PARTITIONS);
            return -1;
        }
    }
    size_t len = strlen(spec);
    if (len == 0 || len > 249) {
        snprintf(errstr, errstr_size, "topic name must be 1..249 characters");
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        char c = spec[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-')) {
            snprintf(errstr, errstr_size, "topic '%s': only [A-Za-z0-9._-] are allowed", spec);
            return -1;
        }
    }
    for (size_t i = 0; i < o->n_topics; i++) {
        if (strcmp(o->topics[i].name, spec) == 0) {
            snprintf(errstr, errstr_size, "topic '%s' given twice", spec);
            return -1;
        }
    }
    o->topics[o->n_topics].name = spec;
    o->topics[o->n_topics].partitions = partitions;
    o->n_topics++;
    return 0;
}

/* Returns 0 on success, 1 for --help, -1 on a usage error. */
static int mockkafka_parse_args(int argc, char **argv, struct mockkafka_opts *o, char *errstr,
                                size_t errstr_size)
{
    o->brokers = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return 1;
        if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = 1;
        } else if (strcmp(a, "--brokers") == 0 && has_val) {
            if (mockkafka_parse_int(argv[++i], 1, MOCKKAFKA_MAX_BROKERS, &o->brokers) == -1) {
                snprintf(errstr, errstr_size, "--brokers: '%s' is not in 1..%d", argv[i],
                         MOCKKAFKA_MAX_BROKERS);
                return -1;
            }
        } else if (strcmp(a, "--topic") == 0 && has_val) {
            if (mockkafka_add_topic(o, argv[++i], errstr, errstr_size) == -1)
                return -1;
        } else if (strcmp(a, "--bootstraps-file") == 0 && has_val) {
            o->bootstraps_file = argv[++i];
            if (!*o->bootstraps_file) {
                snprintf(errstr, errstr_size, "--bootstraps-file: empty name");
                return -1;
            }
        } else {
            snprintf(errstr, errstr_size, "unknown or incomplete option '%s'", a);
            return -1;
        }
    }
    return 0;
}

/* Writes `line` + '\n' to path via path.tmp.PID and rename(2).  Messages
 * quote at most the last 200 bytes of a path. */
static const char *mockkafka_tail(const char *path)
{
    size_t len = strlen(path);
    return len > 200 ? path + len - 200 : path;
}

static int mockkafka_write_file(const char *path, const char *line, char *errstr,
                                size_t errstr_size)
{
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        snprintf(errstr, errstr_size, "%.200s: path too long", mockkafka_tail(path));
        return -1;
    }
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(errstr, errstr_size, "%.200s: %.100s", mockkafka_tail(tmp), strerror(errno));
        return -1;
    }
    int bad = fprintf(f, "%s\n", line) < 0;
    bad |= fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad) {
        snprintf(errstr, errstr_size, "%.200s: write failed: %.100s", mockkafka_tail(tmp),
                 strerror(errno));
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) == -1) {
        snprintf(errstr, errstr_size, "rename to %.200s: %.100s", mockkafka_tail(path),
                 strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static rd_kafka_t *mockkafka_handle_new(int verbose, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    /* Quiet unless asked: the mock logs every connection at info level. */
    if (rd_kafka_conf_set(conf, "log_level", verbose ? "7" : "3", errstr, errstr_size) !=
            RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "client.id", "recut-mockkafka", errstr, errstr_size) !=
            RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    if (verbose &&
        rd_kafka_conf_set(conf, "debug", "mock", errstr, errstr_size) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    /* On success rd_kafka_new() takes ownership of conf. */
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errstr_size);
    if (!rk)
        rd_kafka_conf_destroy(conf);
    return rk;
}

static int mockkafka_install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = mockkafka_on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) == -1 || sigaction(SIGINT, &sa, NULL) == -1)
        return -1;
    sa.sa_handler = mockkafka_on_usr;
    if (sigaction(SIGUSR1, &sa, NULL) == -1 || sigaction(SIGUSR2, &sa, NULL) == -1)
        return -1;
    /* A reader of our stdout that went away must not kill the cluster. */
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

static int mockkafka_run(const struct mockkafka_opts *o)
{
    char errstr[512];
    rd_kafka_t *rk = mockkafka_handle_new(o->verbose, errstr, sizeof(errstr));
    if (!rk) {
        fprintf(stderr, "recut-mockkafka: %s\n", errstr);
        return 1;
    }
    int rc = 1;
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, o->brokers);
    if (!mc) {
        fprintf(stderr,
                "recut-mockkafka: cannot create a mock cluster of %d "
                "broker(s)\n",
                o->brokers);
        goto out_rk;
    }
    for (size_t i = 0; i < o->n_topics; i++) {
        rd_kafka_resp_err_t err =
            rd_kafka_mock_topic_create(mc, o->topics[i].name, o->topics[i].partitions, 1);
        if (err) {
            fprintf(stderr, "recut-mockkafka: topic %s: %s\n", o->topics[i].name,
                    rd_kafka_err2str(err));
            goto out_mc;
        }
    }
    const char *boot = rd_kafka_mock_cluster_bootstraps(mc);
    if (!boot || !*boot) {
        fprintf(stderr, "recut-mockkafka: mock cluster has no bootstrap list\n");
        goto out_mc;
    }
    if (o->bootstraps_file &&
        mockkafka_write_file(o->bootstraps_file, boot, errstr, sizeof(errstr)) == -1) {
        fprintf(stderr, "recut-mockkafka: %s\n", errstr);
        goto out_mc;
    }
    printf("%s\n", boot);
    fflush(stdout);

    /* The cluster runs on its own thread; we only wait for a signal. */
    while (!mockkafka_stop) {
        rd_kafka_poll(rk, 100);
        for (int down = 1; down >= 0; down--) {
            volatile sig_atomic_t *want = down ? &mockkafka_want_down : &mockkafka_want_up;
            if (!*want)
                continue;
            *want = 0;
            for (int b = 1; b <= o->brokers; b++) {
                rd_kafka_resp_err_t err = down ? rd_kafka_mock_broker_set_down(mc, b)
                                               : rd_kafka_mock_broker_set_up(mc, b);
                if (err)
                    fprintf(stderr, "recut-mockkafka: broker %d %s: %s\n", b, down ? "down" : "up",
                            rd_kafka_err2str(err));
            }
            fprintf(stderr, "recut-mockkafka: brokers %s\n", down ? "down" : "up");
        }
    }
    rc = 0;
    if (o->bootstraps_file)
        unlink(o->bootstraps_file);
out_mc:
    rd_kafka_mock_cluster_destroy(mc);
out_rk:
    rd_kafka_destroy(rk);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "offsets") == 0)
        return mockkafka_offsets_main(argc - 1, argv + 1);
    struct mockkafka_opts opts;
    memset(&opts, 0, sizeof(opts));
    char errstr[512];
    int prc = mockkafka_parse_args(argc, argv, &opts, errstr, sizeof(errstr));
    if (prc == 1) {
        mockkafka_usage(stdout);
        return 0;
    }
    if (prc == -1) {
        fprintf(stderr, "recut-mockkafka: %s\n", errstr);
        mockkafka_usage(stderr);
        return 2;
    }
    if (mockkafka_install_signals() == -1) {
        fprintf(stderr, "recut-mockkafka: sigaction: %s\n", strerror(errno));
        return 1;
    }
    return mockkafka_run(&opts);
}
