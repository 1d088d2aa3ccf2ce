/* SPDX-License-Identifier: Apache-2.0 */
/* ingest.h -- the one path every event takes, from Kafka or HTTP: bytes ->
 * validated event -> update -> a store batch.  The callers (kafka_in.c,
 * http.c) decide what to do with what it refuses (dead letters). */
#ifndef RECUTD_INGEST_H
#define RECUTD_INGEST_H

#include <stddef.h>

#include "daemon.h"
#include "vevent.h"

struct ingest_batch;
/* done(arg, ok) is called once every event of the batch is acknowledged by
 * Redis (ok = 1) or the batch failed for good (ok = 0). */
typedef void (*ingest_done_fn)(void *arg, int ok);
struct ingest_batch *ingest_batch_new(struct recutd *d, ingest_done_fn done, void *arg);
/* Where the batch's events that the store rejects (a damaged viewer) go:
 * fn(arg, ...) gets each one's dead letter, rebuilt, while the batch is
 * not yet done (see ingest_batch_dead_letter). */
typedef void (*ingest_reject_fn)(void *arg, const char *payload, size_t len, const char *key,
                                 size_t key_len, const char *reason, const char *detail);
void ingest_batch_on_reject(struct ingest_batch *b, ingest_reject_fn fn);
/* Hand a dead letter of batch b (the arg the store's on_rejected hook got)
 * to its on_reject function.  Returns -1 if it has none. */
int ingest_batch_dead_letter(void *b, const char *payload, size_t len, const char *key,
                             size_t key_len, const char *reason, const char *detail);
/* Parse and queue one message.  Returns VEVENT_OK, or the reason it is
 * refused (errstr says why; nothing was queued): malformed, or
 * VEVENT_E_UNKNOWN_MOVIE for a movie the catalog does not hold yet. */
enum vevent_error ingest_add(struct ingest_batch *b, const char *buf, size_t len, const char *key,
                             size_t key_len, char *errstr, size_t errstr_size);
/* A catalog entry (from the catalog topic). */
int ingest_add_movie(struct ingest_batch *b, const char *buf, size_t len, char *errstr,
                     size_t errstr_size);
size_t ingest_batch_size(const struct ingest_batch *b);
/* Drop a batch that was not submitted (done is not called). */
void ingest_batch_discard(struct ingest_batch *b);
/* A caller waits for this batch: its events are written at once rather
 * than behind (store_batch_urgent). */
void ingest_batch_urgent(struct ingest_batch *b);
/* Hand the batch to the store; it frees itself after calling done. */
void ingest_batch_submit(struct ingest_batch *b);

#endif
