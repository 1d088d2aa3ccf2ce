/* SPDX-License-Identifier: Apache-2.0 */
/* kafka_in.c -- the Kafka consumer: reads events in batches, sends each
 * batch to Redis, and stores a partition's offset only when every batch up
 * to it has been acknowledged (at-least-once; a timer commits the stored
 * offsets every commit_interval_ms, re-armed on SIGHUP, rather than
 * librdkafka's auto-commit, whose interval is fixed at start).  Malformed
 * events go to the dead-letter topic with the reason in a header.
 *
 * Commits fail while the group rebalances (the generation is fenced, the
 * coordinator moves): those are expected, logged once per rebalance at
 * info, and the offsets are committed again after it.  Other commit
 * failures stay warnings. */
#include "config.h"
#include "daemon.h"
#include "clock.h"
#include "ingest.h"
#include "kafka_in.h"
#include "kafka_lag.h"
#include "metrics.h"
#include "store.h"
#include "redact.h"

#include <librdkafka/rdkafka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct kafka_offset {
    char *topic;
    int32_t partition;
    int64_t offset;
};

struct kafka_batch {
    struct kafka_in *k;
    struct kafka_offset *offs; /* highest offset per partition in this batch */
    size_t n_offs;
    int stored_done; /* Redis acknowledged */
    int dlq_pending; /* dead letters not yet delivered */
    struct kafka_batch *next;
};

struct kafka_in {
    struct recutd *d;
    rd_kafka_t *rk;  /* consumer */
    rd_kafka_t *dlq; /* producer for dead letters */
    rd_kafka_queue_t *queue;
    int pipefd[2];
    struct event *pipe_ev, *timer_ev;
    struct event *more_ev;   /* the rest of a poll, after the loop's other work */
    struct event *commit_ev; /* every commit_interval_ms */
    int commit_interval_ms;  /* the interval commit_ev is armed with */
    /* rebalances seen (one per assignment), and the last one a commit
     * failure was logged for: one line per rebalance */
    unsigned rebalances, commitfail_logged;
    struct kafka_batch *head, *tail;
    int inflight;
    int draining, drained;
    /* a rebalance waiting for the batches in flight (kafka_in_rebalance_cb) */
    rd_kafka_topic_partition_list_t *pending_parts;
    rd_kafka_resp_err_t pending_err;
    int closing; /* rd_kafka_consumer_close runs: never wait */
    rd_kafka_message_t **msgs;
    struct log_ratelimit rl;
    struct kafka_lag *lag; /* recut_kafka_consumer_lag (kafka_lag.c) */
};

static void kafka_in_poll(struct kafka_in *k);
static int kafka_in_stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque);

static int kafka_conf_set(rd_kafka_conf_t *c, const char *k, const char *v, char *errstr,
                          size_t errstr_size)
{
    char err[256];
    if (rd_kafka_conf_set(c, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
        snprintf(errstr, errstr_size, "librdkafka property %s=%s: %s", k, v, err);
        return -1;
    }
    return 0;
}

static void kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    /* librdkafka logs every failed commit (COMMITFAIL), a flood during each
     * rebalance; kafka_in_commit_result reports them instead, knowing which
     * ones a rebalance explains */
    if (strcmp(fac, "COMMITFAIL") == 0 && level < LOG_LVL_DEBUG)
        level = LOG_LVL_DEBUG;
    log_msg(level < LOG_LVL_ERR     ? LOG_LVL_ERR
            : level > LOG_LVL_DEBUG ? LOG_LVL_DEBUG
                                    : level,
            "kafka: %s: %s", fac, buf);
}

static void kafka_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)rk;
    (void)opaque;
    log_warn("kafka: %s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

/* Errors a commit gets because the group is rebalancing (or was fenced by
 * a newer generation): the offsets stay stored and are committed after. */
static int kafka_commit_err_rebalance(rd_kafka_resp_err_t err)
{
    switch (err) {
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST:
    case RD_KAFKA_RESP_ERR__STATE:
        return 1;
    default:
        return 0;
    }
}

/* Report a commit's result (what: which commit): nothing when it worked or
 * had nothing to commit, once per rebalance at info when a rebalance
 * explains it, a warning otherwise. */
static void kafka_in_commit_result(struct kafka_in *k, rd_kafka_resp_err_t err,
                                   const rd_kafka_topic_partition_list_t *offsets, const char *what)
{
    /* a partition's own error when the request as a whole worked */
    for (int i = 0; !err && offsets && i < offsets->cnt; i++)
        err = offsets->elems[i].err;
    if (!err || err == RD_KAFKA_RESP_ERR__NO_OFFSET)
        return;
    if (kafka_commit_err_rebalance(err) || k->pending_parts) {
        if (k->commitfail_logged == k->rebalances + 1) {
            log_debug("kafka: %s failed during the rebalance: %s", what, rd_kafka_err2str(err));
            return;
        }
        k->commitfail_logged = k->rebalances + 1;
        log_info("kafka: %s failed during a group rebalance (%s); the offsets are committed "
                 "after it",
                 what, rd_kafka_err2str(err));
        return;
    }
    log_limited(&k->rl, LOG_LVL_WARNING, "kafka: %s failed: %s", what, rd_kafka_err2str(err));
}

/* A viewer belongs to whichever instance holds its partition: when the
 * assignment changes, cached viewers may have been changed elsewhere. */
/* Carry out a rebalance once nothing is in flight: the offsets of what was
 * applied are committed before partitions go, and the viewer cache is
 * emptied only when no batch still uses it, so the next owner of a viewer
 * (this instance or another) starts from what Redis acknowledged. */
static void kafka_in_rebalance_finish(struct kafka_in *k)
{
    rd_kafka_t *rk = k->rk;
    rd_kafka_topic_partition_list_t *parts = k->pending_parts;
    int cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    k->pending_parts = NULL;
    store_write_through(k->d->store, k->draining);
    store_cache_clear(k->d->store);
    if (k->pending_err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        log_info("kafka: assigned %d partition(s)", parts->cnt);
        k->rebalances++; /* this rebalance is over */
        kafka_lag_assigned(k->lag, parts);
        if (cooperative) {
            rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, parts);
            if (e)
                rd_kafka_error_destroy(e);
        } else {
            rd_kafka_assign(rk, parts);
        }
    } else {
        rd_kafka_resp_err_t err = rd_kafka_commit(rk, NULL, 0);
        kafka_in_commit_result(k, err, NULL, "commit before giving up partitions");
        log_info("kafka: %d partition(s) revoked", parts->cnt);
        if (cooperative) {
            rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, parts);
            if (e)
                rd_kafka_error_destroy(e);
        } else {
            rd_kafka_assign(rk, NULL);
        }
    }
    rd_kafka_topic_partition_list_destroy(parts);
}

/* A viewer's events must not be applied by two instances at once, nor from
 * a cache older than another instance's writes: a rebalance waits (no new
 * batch is read meanwhile) until the batches in flight are acknowledged,
 * then commits and hands over (librdkafka holds the group until the
 * assign or unassign call). */
static void kafka_in_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                                  rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    (void)rk;
    struct kafka_in *k = opaque;
    if (k->pending_parts)
        rd_kafka_topic_partition_list_destroy(k->pending_parts);
    k->pending_parts = rd_kafka_topic_partition_list_copy(parts);
    k->pending_err = err;
    if (k->inflight == 0 || k->closing) {
        kafka_in_rebalance_finish(k);
    } else {
        log_info("kafka: rebalance waits for %d batch(es) in flight", k->inflight);
        store_write_through(k->d->store, 1); /* (the held ones too) */
    }
}

static rd_kafka_conf_t *kafka_base_conf(struct recutd *d, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    if (kafka_conf_set(c, "bootstrap.servers", d->cfg.brokers, errstr, errstr_size) < 0)
        goto fail;
    char client_id[300];
    snprintf(client_id, sizeof client_id, "recutd-%s", recutd_instance(d));
    if (kafka_conf_set(c, "client.id", client_id, errstr, errstr_size) < 0)
        goto fail;
    rd_kafka_conf_set_log_cb(c, kafka_log_cb);
    rd_kafka_conf_set_error_cb(c, kafka_error_cb);
    for (size_t i = 0; i < d->cfg.n_extra; i++)
        if (strcmp(d->cfg.extra[i].section, "librdkafka") == 0 &&
            kafka_conf_set(c, d->cfg.extra[i].key, d->cfg.extra[i].value, errstr, errstr_size) < 0)
            goto fail;
    return c;
fail:
    rd_kafka_conf_destroy(c);
    return NULL;
}

/* ---- batches and offsets ------------------------------------------------ */
static void kafka_batch_free(struct kafka_batch *b)
{
    for (size_t i = 0; i < b->n_offs; i++)
        free(b->offs[i].topic);
    free(b->offs);
    free(b);
}

static void kafka_in_store_done(struct kafka_in *k)
{
    /* store offsets of the leading run of finished batches, in order */
    while (k->head && k->head->stored_done && k->head->dlq_pending == 0) {
        struct kafka_batch *b = k->head;
        k->head = b->next;
        if (!k->head)
            k->tail = NULL;
        if (b->n_offs) {
            rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)b->n_offs);
            for (size_t i = 0; i < b->n_offs; i++) {
                rd_kafka_topic_partition_list_add(l, b->offs[i].topic, b->offs[i].partition)
                    ->offset = b->offs[i].offset + 1;
                kafka_lag_stored(k->lag, b->offs[i].topic, b->offs[i].partition,
                                 b->offs[i].offset + 1);
            }
            rd_kafka_resp_err_t err = rd_kafka_offsets_store(k->rk, l);
            if (err && err != RD_KAFKA_RESP_ERR__STATE)
                log_warn("kafka: storing offsets: %s", rd_kafka_err2str(err));
            rd_kafka_topic_partition_list_destroy(l);
        }
        kafka_batch_free(b);
        k->inflight--;
    }
    if (k->pending_parts && k->inflight == 0)
        kafka_in_rebalance_finish(k);
}

static void kafka_in_batch_stored(void *arg, int ok)
{
    struct kafka_batch *b = arg;
    struct kafka_in *k = b->k;
    (void)ok; /* the store re-sends failed batches itself; done means acked */
    b->stored_done = 1;
    kafka_in_store_done(k);
    if (!k->draining)
        kafka_in_poll(k);
}

/* The opaque of messages that are not dead letters (kafka_in_produce). */
static char kafka_in_other_tag;

static void kafka_dlq_dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct kafka_in *k = opaque;
    if (m->_private == (void *)&kafka_in_other_tag) {
        if (m->err)
            log_err("kafka: message to %s not delivered: %s", rd_kafka_topic_name(m->rkt),
                    rd_kafka_err2str(m->err));
        return;
    }
    struct kafka_batch *b = m->_private;
    if (m->err) {
        log_err("kafka: dead letter not delivered: %s", rd_kafka_err2str(m->err));
        metrics_inc(M_DLQ_ERRORS, 1);
    }
    if (b) {
        b->dlq_pending--;
        kafka_in_store_done(k);
    }
}

static void kafka_in_dlq_produce(struct kafka_in *k, struct kafka_batch *b, const char *payload,
                                 size_t len, const char *key, size_t key_len, const char *reason,
                                 const char *detail)
{
    if (!k->dlq || !k->d->cfg.dead_letter_topic[0])
        return;
    rd_kafka_resp_err_t err = rd_kafka_producev(
        k->dlq, RD_KAFKA_V_TOPIC(k->d->cfg.dead_letter_topic),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE((void *)payload, len),
        RD_KAFKA_V_KEY((void *)key, key_len), RD_KAFKA_V_HEADER("reason", reason, -1),
        RD_KAFKA_V_HEADER("detail", detail, -1), RD_KAFKA_V_OPAQUE(b), RD_KAFKA_V_END);
    if (err) {
        log_err("kafka: cannot produce a dead letter: %s", rd_kafka_err2str(err));
        metrics_inc(M_DLQ_ERRORS, 1);
        return;
    }
    if (b)
        b->dlq_pending++;
}

/* An event's dead letter: redacted when it is or may be an emotion event
 * (redact.h), since consent cannot be known here. */
static void kafka_in_dlq_event(struct kafka_in *k, struct kafka_batch *b, const char *payload,
                               size_t len, const char *key, size_t key_len, const char *reason,
                               const char *detail)
{
    char *red;
    size_t red_len;
    int r = redact_dead_letter(payload, len, &red, &red_len);
    if (r < 0) {
        /* out of memory: nothing rather than the readings */
        log_err("kafka: out of memory redacting a dead letter; not produced");
        metrics_inc(M_DLQ_ERRORS, 1);
        return;
    }
    if (r == 1)
        kafka_in_dlq_produce(k, b, red, red_len, key, key_len, reason, detail);
    else
        kafka_in_dlq_produce(k, b, payload, len, key, key_len, reason, detail);
    free(red);
}

/* A dead letter of batch kb's event that the store rejected: the batch's
 * offsets wait for its delivery, as for an event refused when read. */
static void kafka_in_batch_reject(void *arg, const char *payload, size_t len, const char *key,
                                  size_t key_len, const char *reason, const char *detail)
{
    struct kafka_batch *kb = arg;
    kafka_in_dlq_event(kb->k, kb, payload, len, key, key_len, reason, detail);
}

void kafka_in_dead_letter(struct kafka_in *k, const char *payload, size_t len, const char *key,
                          size_t key_len, const char *reason, const char *detail)
{
    /* running out of memory is recutd's fault, not the event's: the HTTP
     * client got the reason and may send it again; it is not malformed */
    if (strcmp(reason, vevent_error_name(VEVENT_E_NOMEM)) == 0)
        return;
    kafka_in_dlq_event(k, NULL, payload, len, key, key_len, reason, detail);
}

int kafka_in_produce(struct kafka_in *k, const char *topic, const char *payload, size_t len,
                     const char *key, size_t key_len)
{
    if (!k || !k->dlq || !topic[0])
        return -1;
    rd_kafka_resp_err_t err = rd_kafka_producev(
        k->dlq, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE((void *)payload, len), RD_KAFKA_V_KEY((void *)key, key_len),
        RD_KAFKA_V_OPAQUE(&kafka_in_other_tag), RD_KAFKA_V_END);
    if (err) {
        log_err("kafka: cannot produce to %s: %s", topic, rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

static void kafka_batch_note_offset(struct kafka_batch *b, const rd_kafka_message_t *m)
{
    const char *t = rd_kafka_topic_name(m->rkt);
    for (size_t i = 0; i < b->n_offs; i++)
        if (b->offs[i].partition == m->partition && strcmp(b->offs[i].topic, t) == 0) {
            if (m->offset > b->offs[i].offset)
                b->offs[i].offset = m->offset;
            return;
        }
    struct kafka_offset *n = realloc(b->offs, (b->n_offs + 1) * sizeof *n);
    if (!n)
        return;
    b->offs = n;
    n[b->n_offs].topic = strdup(t);
    n[b->n_offs].partition = m->partition;
    n[b->n_offs].offset = m->offset;
    if (n[b->n_offs].topic)
        b->n_offs++;
}

/* Give messages from..n-1 back: seek each partition to its first message
 * among them (going backwards, the lowest offset is sought last), so they
 * are fetched again. */
static void kafka_in_retry_from(struct kafka_in *k, ssize_t from, ssize_t n)
{
    for (ssize_t i = n - 1; i >= from; i--) {
        rd_kafka_message_t *m = k->msgs[i];
        if (!m->err)
            rd_kafka_seek(m->rkt, m->partition, m->offset, 0);
        rd_kafka_message_destroy(m);
    }
}

/* Read what is there, up to max_inflight batches.  Parsing and applying a
 * batch runs on the loop that answers requests: after KAFKA_IN_SLICE_US the
 * rest waits until the loop has done its other work (a backlog used to
 * hold requests for tens of milliseconds). */
#define KAFKA_IN_SLICE_US 500
static void kafka_in_poll(struct kafka_in *k)
{
    struct recutd *d = k->d;
    int64_t until = clock_mono_us() + KAFKA_IN_SLICE_US;
    while (!k->draining && !k->pending_parts && k->inflight < d->cfg.max_inflight) {
        if (clock_mono_us() >= until) {
            struct timeval now = { 0, 0 };
            evtimer_add(k->more_ev, &now);
            return;
        }
        ssize_t n = rd_kafka_consume_batch_queue(k->queue, 0, k->msgs, (size_t)d->cfg.batch_size);
        if (n <= 0)
            return;
        struct kafka_batch *kb = calloc(1, sizeof *kb);
        struct ingest_batch *ib = kb ? ingest_batch_new(d, kafka_in_batch_stored, kb) : NULL;
        if (!ib) {
            /* out of memory: put the messages back by seeking to them */
            log_limited(&k->rl, LOG_LVL_ERR, "kafka: out of memory; retrying the batch");
            kafka_in_retry_from(k, 0, n);
            free(kb);
            return;
        }
        kb->k = k;
        kb->next = NULL;
        ingest_batch_on_reject(ib, kafka_in_batch_reject);
        if (k->tail)
            k->tail->next = kb;
        else
            k->head = kb;
        k->tail = kb;
        k->inflight++;
        int retry = 0;
        for (ssize_t i = 0; i < n; i++) {
            rd_kafka_message_t *m = k->msgs[i];
            if (m->err) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    log_warn("kafka: %s", rd_kafka_message_errstr(m));
                rd_kafka_message_destroy(m);
                continue;
            }
            const char *topic = rd_kafka_topic_name(m->rkt);
            char err[512];
            if (d->cfg.catalog_topic[0] && strcmp(topic, d->cfg.catalog_topic) == 0) {
                if (ingest_add_movie(ib, m->payload, m->len, err, sizeof err) < 0) {
                    log_limited(&k->rl, LOG_LVL_WARNING,
                                "kafka: bad catalog entry at %s[%d]@%lld: %s", topic,
                                (int)m->partition, (long long)m->offset, err);
                    kafka_in_dlq_produce(k, kb, m->payload, m->len, m->key, m->key_len,
                                         "bad_catalog_entry", err);
                }
            } else {
                enum vevent_error rc =
                    ingest_add(ib, m->payload, m->len, m->key, m->key_len, err, sizeof err);
                if (rc == VEVENT_E_NOMEM) {
                    /* our fault, not the event's: never dead-letter it;
                     * this one and the rest are fetched again (the batch
                     * goes with what it holds, its offsets end before) */
                    log_limited(&k->rl, LOG_LVL_ERR,
                                "kafka: %s at %s[%d]@%lld; retrying from there", err, topic,
                                (int)m->partition, (long long)m->offset);
                    kafka_in_retry_from(k, i, n);
                    retry = 1;
                    break;
                }
                if (rc != VEVENT_OK) {
                    metrics_dead_letter(rc);
                    log_limited(
                        &k->rl, LOG_LVL_WARNING, "kafka: malformed event at %s[%d]@%lld (%s): %s",
                        topic, (int)m->partition, (long long)m->offset, vevent_error_name(rc), err);
                    kafka_in_dlq_event(k, kb, m->payload, m->len, m->key, m->key_len,
                                       vevent_error_name(rc), err);
                }
            }
            kafka_batch_note_offset(kb, m); /* applied or dead-lettered */
            rd_kafka_message_destroy(m);
        }
        ingest_batch_submit(ib);
        if (retry)
            return; /* the next tick tries again */
    }
}

static void kafka_in_pipe_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    char buf[64];
    while (read(fd, buf, sizeof buf) > 0)
        ;
    kafka_in_poll(arg);
}

static void kafka_in_more_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    kafka_in_poll(arg);
}

static void kafka_in_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct kafka_in *k = arg;
    rd_kafka_poll(k->dlq, 0);
    if (!k->draining) {
        kafka_in_poll(k);
        return;
    }
    if (k->drained)
        return;
    if (k->inflight > 0 || (k->dlq && rd_kafka_outq_len(k->dlq) > 0))
        return;
    /* everything acknowledged: commit synchronously and leave the group */
    rd_kafka_resp_err_t err = rd_kafka_commit(k->rk, NULL, 0);
    kafka_in_commit_result(k, err, NULL, "final commit");
    k->closing = 1;
    rd_kafka_consumer_close(k->rk);
    k->drained = 1;
    log_info("kafka: drained and left the group");
}

static void kafka_in_commit_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                               rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    (void)rk;
    kafka_in_commit_result(opaque, err, offsets, "offset commit");
}

/* Commit the stored offsets (asynchronously: the result comes back on the
 * consumer queue, which kafka_in_poll serves). */
static void kafka_in_commit_timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct kafka_in *k = arg;
    if (k->closing || k->drained)
        return;
    rd_kafka_resp_err_t err = rd_kafka_commit_queue(k->rk, NULL, k->queue, kafka_in_commit_cb, k);
    if (err)
        kafka_in_commit_result(k, err, NULL, "offset commit");
}

static int kafka_in_arm_commit(struct kafka_in *k)
{
    int ms = k->d->cfg.commit_interval_ms;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    if (event_add(k->commit_ev, &tv) < 0)
        return -1;
    k->commit_interval_ms = ms;
    return 0;
}

void kafka_in_reload(struct kafka_in *k)
{
    if (!k || k->commit_interval_ms == k->d->cfg.commit_interval_ms)
        return;
    if (kafka_in_arm_commit(k) < 0) {
        log_err("kafka: cannot re-arm the commit timer; keeping every %d ms",
                k->commit_interval_ms);
        return;
    }
    log_info("kafka: committing offsets every %d ms", k->commit_interval_ms);
}

struct kafka_in *kafka_in_new(struct recutd *d, char *errstr, size_t errstr_size)
{
    struct kafka_in *k = calloc(1, sizeof *k);
    if (!k) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    k->d = d;
    k->pipefd[0] = k->pipefd[1] = -1;
    struct log_ratelimit rl = LOG_RATELIMIT_INIT(10, 20);
    k->rl = rl;
    k->msgs = calloc((size_t)d->cfg.batch_size, sizeof *k->msgs);
    k->lag = kafka_lag_new();
    if (!k->msgs || !k->lag)
        goto oom;

    /* the dead-letter producer */
    rd_kafka_conf_t *pc = kafka_base_conf(d, errstr, errstr_size);
    if (!pc)
        goto fail;
    /* dead letters keep the original bytes, however large they were */
    if (kafka_conf_set(pc, "linger.ms", "5", errstr, errstr_size) < 0 ||
        kafka_conf_set(pc, "message.max.bytes", "67108864", errstr, errstr_size) < 0 ||
        kafka_conf_set(pc, "enable.idempotence", "true", errstr, errstr_size) < 0) {
        rd_kafka_conf_destroy(pc);
        goto fail;
    }
    rd_kafka_conf_set_dr_msg_cb(pc, kafka_dlq_dr_cb);
    rd_kafka_conf_set_opaque(pc, k);
    char err[512];
    k->dlq = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof err);
    if (!k->dlq) {
        snprintf(errstr, errstr_size, "kafka producer: %s", err);
        rd_kafka_conf_destroy(pc);
        goto fail;
    }

    /* the consumer */
    rd_kafka_conf_t *cc = kafka_base_conf(d, errstr, errstr_size);
    if (!cc)
        goto fail;
    if (kafka_conf_set(cc, "group.id", d->cfg.group, errstr, errstr_size) < 0 ||
        kafka_conf_set(cc, "enable.auto.commit", "false", errstr, errstr_size) < 0 ||
        kafka_conf_set(cc, "enable.auto.offset.store", "false", errstr, errstr_size) < 0 ||
        kafka_conf_set(cc, "auto.offset.reset", "earliest", errstr, errstr_size) < 0 ||
        kafka_conf_set(cc, "enable.partition.eof", "false", errstr, errstr_size) < 0) {
        rd_kafka_conf_destroy(cc);
        goto fail;
    }
    /* the consumer lag metric comes from the statistics (once a second,
     * unless [librdkafka] statistics.interval.ms says otherwise) */
    int have_stats = 0;
    for (size_t i = 0; i < d->cfg.n_extra; i++)
        if (strcmp(d->cfg.extra[i].section, "librdkafka") == 0 &&
            strcmp(d->cfg.extra[i].key, "statistics.interval.ms") == 0)
            have_stats = 1;
    if (!have_stats &&
        kafka_conf_set(cc, "statistics.interval.ms", "1000", errstr, errstr_size) < 0) {
        rd_kafka_conf_destroy(cc);
        goto fail;
    }
    rd_kafka_conf_set_stats_cb(cc, kafka_in_stats_cb);
    rd_kafka_conf_set_rebalance_cb(cc, kafka_in_rebalance_cb);
    rd_kafka_conf_set_opaque(cc, k);
    k->rk = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof err);
    if (!k->rk) {
        snprintf(errstr, errstr_size, "kafka consumer: %s", err);
        rd_kafka_conf_destroy(cc);
        goto fail;
    }
    rd_kafka_poll_set_consumer(k->rk);
    k->queue = rd_kafka_queue_get_consumer(k->rk);

    /* subscribe: event topics, and the catalog topic */
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(4);
    char *list = strdup(d->cfg.topics), *save = NULL;
    if (!list) {
        rd_kafka_topic_partition_list_destroy(topics);
        goto oom;
    }
    for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
        rd_kafka_topic_partition_list_add(topics, t, RD_KAFKA_PARTITION_UA);
    free(list);
    if (d->cfg.catalog_topic[0])
        rd_kafka_topic_partition_list_add(topics, d->cfg.catalog_topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(k->rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e) {
        snprintf(errstr, errstr_size, "kafka subscribe: %s", rd_kafka_err2str(e));
        goto fail;
    }

    /* wake the loop when messages arrive */
    if (pipe(k->pipefd) < 0) {
        snprintf(errstr, errstr_size, "pipe: %s", strerror(errno));
        goto fail;
    }
    fcntl(k->pipefd[0], F_SETFL, O_NONBLOCK);
    fcntl(k->pipefd[1], F_SETFL, O_NONBLOCK);
    rd_kafka_queue_io_event_enable(k->queue, k->pipefd[1], "1", 1);
    k->pipe_ev = event_new(d->base, k->pipefd[0], EV_READ | EV_PERSIST, kafka_in_pipe_cb, k);
    k->timer_ev = event_new(d->base, -1, EV_PERSIST, kafka_in_timer_cb, k);
    k->more_ev = evtimer_new(d->base, kafka_in_more_cb, k);
    k->commit_ev = event_new(d->base, -1, EV_PERSIST, kafka_in_commit_timer_cb, k);
    struct timeval tv = { 0, 50000 };
    if (!k->pipe_ev || !k->timer_ev || !k->more_ev || !k->commit_ev ||
        event_add(k->pipe_ev, NULL) < 0 || event_add(k->timer_ev, &tv) < 0 ||
        kafka_in_arm_commit(k) < 0)
        goto oom;
    log_info("kafka: consuming %s%s%s as group %s from %s", d->cfg.topics,
             d->cfg.catalog_topic[0] ? " and " : "", d->cfg.catalog_topic, d->cfg.group,
             d->cfg.brokers);
    return k;
oom:
    snprintf(errstr, errstr_size, "out of memory");
fail:
    kafka_in_free(k);
    return NULL;
}

void kafka_in_drain(struct kafka_in *k)
{
    if (k->draining)
        return;
    k->draining = 1;
    log_info("kafka: draining (%d batches in flight)", k->inflight);
    store_write_through(k->d->store, 1); /* nothing waits for the interval */
}

int kafka_in_drained(const struct kafka_in *k)
{
    return k->drained;
}

static int kafka_in_stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
    (void)rk;
    struct kafka_in *k = opaque;
    kafka_lag_stats(k->lag, json, len);
    return 0; /* librdkafka frees json */
}

int64_t kafka_in_lag(const struct kafka_in *k)
{
    return !k->rk || k->drained ? 0 : kafka_lag_sum(k->lag, k->rk);
}

void kafka_in_free(struct kafka_in *k)
{
    if (!k)
        return;
    if (k->timer_ev)
        event_free(k->timer_ev);
    if (k->more_ev)
        event_free(k->more_ev);
    if (k->commit_ev)
        event_free(k->commit_ev);
    if (k->pipe_ev)
        event_free(k->pipe_ev);
    if (k->queue) {
        rd_kafka_queue_io_event_enable(k->queue, -1, NULL, 0);
        rd_kafka_queue_destroy(k->queue);
    }
    if (k->rk) {
        /* without a drain: commit what Redis acknowledged (auto-commit is
         * off, so closing the consumer would not) */
        if (!k->drained && k->queue)
            kafka_in_commit_result(k, rd_kafka_commit(k->rk, NULL, 0), NULL, "final commit");
        k->closing = 1;
        if (!k->drained)
            rd_kafka_consumer_close(k->rk);
        rd_kafka_destroy(k->rk);
    }
    if (k->dlq) {
        rd_kafka_flush(k->dlq, 5000);
        rd_kafka_destroy(k->dlq);
    }
    while (k->head) {
        struct kafka_batch *b = k->head;
        k->head = b->next;
        kafka_batch_free(b);
    }
    if (k->pipefd[0] >= 0)
        close(k->pipefd[0]);
    if (k->pipefd[1] >= 0)
        close(k->pipefd[1]);
    if (k->pending_parts)
        rd_kafka_topic_partition_list_destroy(k->pending_parts);
    free(k->msgs);
    kafka_lag_free(k->lag);
    free(k);
}
