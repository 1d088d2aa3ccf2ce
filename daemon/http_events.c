/* SPDX-License-Identifier: Apache-2.0 */
/* http_events.c -- POST /v1/events bodies, read incrementally.
 *
 * Why: the handler used to copy the whole body, parse every line in one go
 * and queue every event in one store batch.  An 8 MB NDJSON body then held
 * ~290 MB (the batch's Redis commands for ~50,000 events) and blocked the
 * event loop for a quarter of a second, health checks included.  Here the
 * body stays in its evbuffer (moved, not copied); lines are taken one at a
 * time, a line longer than kafka.max_message_bytes is refused without being
 * made contiguous, and events are queued in store batches of at most
 * kafka.batch_size.  Only one batch per request waits for Redis at a time,
 * and after at most HE_STEP_BYTES of body the loop gets control back, so a
 * big body costs one batch of memory and never holds the loop for long.
 * The answer is the same as before: every valid event acknowledged, the
 * rejected lines listed (the first HTTP_EVENTS_REJECTED_MAX of them). */
#include "config.h"
#include "http_events.h"
#include "ingest.h"
#include "kafka_in.h"
#include "metrics.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* body bytes parsed before the loop gets control back */
#define HE_STEP_BYTES (256 * 1024)

struct http_events {
    struct recutd *d;
    struct evbuffer *body;
    http_events_reply_fn reply;
    void *arg;
    struct event *next;         /* runs he_step from the loop */
    struct ingest_batch *batch; /* being filled, NULL between batches */
    int waiting;                /* a submitted batch is not acknowledged yet */
    int failed;                 /* a batch was not acknowledged */
    size_t line, events, accepted, rejected_total;
    json_t *rejected;
};

static void he_step(evutil_socket_t fd, short what, void *arg);

static void he_free(struct http_events *e)
{
    if (e->batch)
        ingest_batch_discard(e->batch);
    if (e->next)
        event_free(e->next);
    evbuffer_free(e->body);
    json_decref(e->rejected);
    free(e);
}

/* Come back to he_step from the loop, after what is pending there (at most
 * once: the event is either pending or not).  A batch's callback may come
 * from inside ingest_batch_submit (Redis failing at once): he_step then
 * sees the event pending and leaves the rest to it. */
static void he_later(struct http_events *e)
{
    static const struct timeval now = { 0, 0 };
    evtimer_add(e->next, &now);
}

static void he_reject(struct http_events *e, const char *p, size_t l, enum vevent_error rc,
                      const char *err)
{
    metrics_dead_letter(rc);
    e->rejected_total++;
    if (json_array_size(e->rejected) < HTTP_EVENTS_REJECTED_MAX)
        json_array_append_new(e->rejected,
                              json_pack("{s:I,s:s,s:s}", "line", (json_int_t)e->line, "reason",
                                        vevent_error_name(rc), "error", err));
    if (e->d->kafka && p)
        kafka_in_dead_letter(e->d->kafka, p, l, NULL, 0, vevent_error_name(rc), err);
}

/* One line (without its '\n'): trimmed, skipped when blank, else applied. */
static void he_batch_done(void *arg, int ok);

static void he_line(struct http_events *e, const char *p, size_t l)
{
    e->line++;
    while (l && (p[l - 1] == '\r' || p[l - 1] == ' ' || p[l - 1] == '\t'))
        l--;
    size_t skip = 0;
    while (skip < l && (p[skip] == ' ' || p[skip] == '\t'))
        skip++;
    if (skip == l)
        return;
    e->events++;
    if (!e->batch)
        e->batch = ingest_batch_new(e->d, he_batch_done, e);
    char err[512];
    enum vevent_error rc = e->batch
                               ? ingest_add(e->batch, p + skip, l - skip, NULL, 0, err, sizeof err)
                               : VEVENT_E_NOMEM;
    if (!e->batch)
        snprintf(err, sizeof err, "out of memory");
    if (rc != VEVENT_OK)
        he_reject(e, p + skip, l - skip, rc, err);
}

/* A line too long to be an event: refused without reading it whole (it
 * goes to no dead-letter topic either: that would copy it). */
static void he_long_line(struct http_events *e, size_t len)
{
    e->line++;
    e->events++;
    char err[160];
    snprintf(err, sizeof err, "line of %zu bytes is larger than %d bytes", len,
             e->d->cfg.max_message_bytes);
    metrics_inc(M_EVENTS_RECEIVED, 1);
    he_reject(e, NULL, 0, VEVENT_E_TOO_LARGE, err);
}

static void he_batch_done(void *arg, int ok)
{
    struct http_events *e = arg;
    e->waiting = 0;
    if (!ok)
        e->failed = 1;
    he_later(e);
}

static void he_submit(struct http_events *e)
{
    struct ingest_batch *b = e->batch;
    e->batch = NULL;
    size_t n = ingest_batch_size(b);
    if (n == 0) {
        ingest_batch_discard(b);
        return;
    }
    e->accepted += n;
    e->waiting = 1;
    ingest_batch_urgent(b); /* the request waits for it */
    ingest_batch_submit(b);
}

static void he_finish(struct http_events *e)
{
    json_t *rej = e->rejected;
    e->rejected = NULL;
    json_t *doc;
    int status;
    if (e->events == 0) {
        json_decref(rej);
        status = 400;
        doc = json_pack("{s:s}", "error", "the body holds no event (one JSON object, or NDJSON)");
    } else if (e->accepted == 0) {
        status = 400;
        doc = json_pack("{s:s,s:I,s:o}", "error", "no valid event", "accepted", (json_int_t)0,
                        "rejected", rej);
    } else {
        status = e->failed ? 503 : 200;
        doc = json_pack("{s:I,s:o}", "accepted", (json_int_t)e->accepted, "rejected", rej);
        if (doc && e->failed)
            json_object_set_new(doc, "error", json_string("Redis did not acknowledge every event"));
    }
    if (doc && e->rejected_total > HTTP_EVENTS_REJECTED_MAX)
        json_object_set_new(doc, "rejected_total", json_integer((json_int_t)e->rejected_total));
    e->reply(e->arg, status, doc);
    he_free(e);
}

static void he_step(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct http_events *e = arg;
    size_t max_line = (size_t)e->d->cfg.max_message_bytes + 64; /* room for blanks */
    size_t batch_max = (size_t)e->d->cfg.batch_size, done = 0;
    while (!e->waiting && done < HE_STEP_BYTES) {
        size_t left = evbuffer_get_length(e->body);
        if (left == 0)
            break;
        size_t eol_len = 0;
        struct evbuffer_ptr nl = evbuffer_search_eol(e->body, NULL, &eol_len, EVBUFFER_EOL_LF);
        size_t len = nl.pos >= 0 ? (size_t)nl.pos : left;
        const char *p = NULL;
        if (len > max_line)
            he_long_line(e, len);
        else if (len == 0 || (p = (const char *)evbuffer_pullup(e->body, (ev_ssize_t)len)))
            he_line(e, p ? p : "", len);
        else
            he_long_line(e, len); /* out of memory making it contiguous */
        evbuffer_drain(e->body, len + eol_len);
        done += len + eol_len;
        if (e->batch && ingest_batch_size(e->batch) >= batch_max) {
            he_submit(e);
            break;
        }
    }
    if (e->waiting || evtimer_pending(e->next, NULL))
        return; /* he_batch_done, or the next step, comes back */
    if (evbuffer_get_length(e->body) > 0) {
        he_later(e);
        return;
    }
    if (e->batch && ingest_batch_size(e->batch) > 0) {
        he_submit(e);
        return;
    }
    he_finish(e);
}

int http_events_start(struct recutd *d, struct evbuffer *body, http_events_reply_fn reply,
                      void *arg, char *errstr, size_t errstr_size)
{
    struct http_events *e = calloc(1, sizeof *e);
    if (!e || !(e->body = evbuffer_new()) || !(e->rejected = json_array()) ||
        evbuffer_add_buffer(e->body, body) < 0) {
        if (e) {
            if (e->body)
                evbuffer_free(e->body);
            json_decref(e->rejected);
            free(e);
        }
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    e->d = d;
    e->reply = reply;
    e->arg = arg;
    if (!(e->next = evtimer_new(d->base, he_step, e))) {
        he_free(e);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    he_later(e);
    return 0;
}
