/* SPDX-License-Identifier: Apache-2.0 */
/* ingest.c -- the one path every event takes, from Kafka or HTTP:
 * bytes -> validated event -> update operations -> a store batch. */
#include "config.h"
#include "ingest.h"
#include "metrics.h"
#include "store.h"
#include "nbtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ingest_batch {
    struct recutd *d;
    struct store_batch *sb;
    ingest_done_fn done;
    ingest_reject_fn reject;
    void *arg;
    size_t n;
};

struct ingest_batch *ingest_batch_new(struct recutd *d, ingest_done_fn done, void *arg)
{
    struct ingest_batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->sb = store_batch_new(d->store);
    if (!b->sb) {
        free(b);
        return NULL;
    }
    b->d = d;
    b->done = done;
    b->arg = arg;
    return b;
}

static double ingest_sentiment(const char *text, void *ctx)
{
    return nbtext_sentiment(ctx, text, strlen(text));
}

enum vevent_error ingest_add(struct ingest_batch *b, const char *buf, size_t len, const char *key,
                             size_t key_len, char *errstr, size_t errstr_size)
{
    struct recutd *d = b->d;
    struct vevent ev;
    metrics_inc(M_EVENTS_RECEIVED, 1);
    enum vevent_error rc = vevent_parse(&ev, buf, len, key, key_len,
                                        (size_t)d->cfg.max_message_bytes, errstr, errstr_size);
    if (rc != VEVENT_OK)
        return rc;
    if (ev.movie[0] && !catalog_get(&d->catalog, ev.movie)) {
        /* refused, not half-applied: see "Events for unknown movies" in
         * docs/events.md -- the dead letter keeps it for a replay once the
         * catalog holds the movie, and its id stays unseen so the replay
         * is applied */
        metrics_inc(M_EVENTS_UNKNOWN_MOVIE, 1);
        snprintf(errstr, errstr_size, "movie '%s' is not in the catalog (yet)", ev.movie);
        vevent_clear(&ev);
        return VEVENT_E_UNKNOWN_MOVIE;
    }
    struct update u;
    update_init(&u);
    if (update_compute(&u, &d->cfg, &d->catalog, &ev, d->sentiment ? ingest_sentiment : NULL,
                       d->sentiment) < 0 ||
        store_batch_add(b->sb, &u) < 0) {
        /* out of memory: not the event's fault; the caller retries it */
        snprintf(errstr, errstr_size, "out of memory while applying the event");
        update_free(&u);
        vevent_clear(&ev);
        return VEVENT_E_NOMEM;
    }
    b->n++;
    update_free(&u);
    vevent_clear(&ev);
    return VEVENT_OK;
}

int ingest_add_movie(struct ingest_batch *b, const char *buf, size_t len, char *errstr,
                     size_t errstr_size)
{
    struct catalog_movie *cm = catalog_movie_parse(buf, len, NULL, errstr, errstr_size);
    if (!cm)
        return -1;
    if (store_batch_add_movie(b->sb, cm) < 0 || catalog_put(&b->d->catalog, cm) < 0) {
        snprintf(errstr, errstr_size, "out of memory");
        catalog_movie_free(cm);
        return -1;
    }
    metrics_inc(M_CATALOG_UPDATES, 1);
    b->n++;
    return 0;
}

void ingest_batch_on_reject(struct ingest_batch *b, ingest_reject_fn fn)
{
    b->reject = fn;
}

int ingest_batch_dead_letter(void *arg, const char *payload, size_t len, const char *key,
                             size_t key_len, const char *reason, const char *detail)
{
    struct ingest_batch *b = arg;
    if (!b || !b->reject)
        return -1;
    b->reject(b->arg, payload, len, key, key_len, reason, detail);
    return 0;
}

size_t ingest_batch_size(const struct ingest_batch *b)
{
    return b->n;
}

static void ingest_store_done(void *arg, int ok)
{
    struct ingest_batch *b = arg;
    if (b->done)
        b->done(b->arg, ok);
    free(b);
}

void ingest_batch_discard(struct ingest_batch *b)
{
    store_batch_discard(b->sb);
    free(b);
}

void ingest_batch_urgent(struct ingest_batch *b)
{
    store_batch_urgent(b->sb);
}

void ingest_batch_submit(struct ingest_batch *b)
{
    struct store_batch *sb = b->sb;
    b->sb = NULL;
    store_batch_submit(sb, ingest_store_done, b);
}
