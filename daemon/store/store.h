/* SPDX-License-Identifier: Apache-2.0 */
/* store.h -- the Redis store as the rest of recutd sees it: batches of
 * updates applied per viewer, viewers loaded for reading, the catalog.
 *
 * The store is the bottom layer of the daemon: it knows nothing above it.
 * What the daemon wants to do when something happened in the store
 * (train a viewer's SVM, publish their recommendations) it registers as
 * hooks (struct store_hooks, wired in recutd.c). */
#ifndef RECUTD_STORE_H
#define RECUTD_STORE_H

#include <stddef.h>

#include "catalog.h"
#include "daemon.h"
#include "recommend.h"
#include "update.h"
#include "viewer.h"

/* What the store tells the daemon; every member may be NULL.  All are
 * called on the event loop thread with ctx. */
struct store_hooks {
    void *ctx;
    /* Event u was just applied to the cached viewer v (before Redis has
     * it; v is only valid during the call). */
    void (*on_event)(void *ctx, const recut_viewer *v, const struct update *u);
    /* Once per batch, after its on_event calls. */
    void (*on_events_done)(void *ctx);
    /* Event ev was not applied: its viewer's keys in Redis hold the wrong
     * type (WRONGTYPE), so the viewer cannot be read; detail says which
     * reply.  The viewer is read again for the next batch.  batch_arg is
     * the arg its batch was submitted with (store_batch_submit): the batch
     * is not done before this returns, so the caller can hold it until the
     * event's dead letter is delivered. */
    void (*on_rejected)(void *ctx, void *batch_arg, const struct vevent *ev, const char *detail);
    /* Redis acknowledged a batch that changed viewer `user`. */
    void (*on_applied)(void *ctx, const char *user);
    /* The name of one more key of every viewer (PREFIX:{u:ID}:NAME) to read
     * whenever a viewer is loaded for reading, or NULL for none. */
    const char *extra_key;
    /* A viewer was loaded for reading and its extra_key exists: value,
     * len are that key's value (before the reader's callback runs). */
    void (*on_loaded)(void *ctx, recut_viewer *v, const char *value, size_t len);
};

struct store *store_new(struct recutd *d, char *errstr, size_t errstr_size);
void store_free(struct store *s);
/* Replace the hooks (copied). */
void store_set_hooks(struct store *s, const struct store_hooks *h);
/* A blocking client of [redis] address (host:port, unix:/path or a list of
 * cluster seeds; lib/redis/rblock.h: routed by slot on a Redis Cluster),
 * with timeout_ms for connecting and for every command, every connection
 * authenticated (store_creds_set), for the worker threads and start-up;
 * NULL with the reason in errstr. */
struct rblock;
struct rblock *store_connect_sync(const char *address, int timeout_ms, char *errstr,
                                  size_t errstr_size);
int store_connected(const struct store *s);
/* Apply updates of one batch atomically per viewer; cb when all acked. */
struct store_batch;
struct store_batch *store_batch_new(struct store *s);
int store_batch_add(struct store_batch *b, const struct update *u);
int store_batch_add_movie(struct store_batch *b, const struct catalog_movie *cm);
size_t store_batch_count(const struct store_batch *b);
void store_batch_discard(struct store_batch *b);
void store_batch_submit(struct store_batch *b, void (*cb)(void *arg, int ok), void *arg);
/* Write b's viewers as soon as it is applied, with everything held (a
 * caller waiting for it: HTTP); otherwise applied batches are written
 * behind, once per [redis] write_interval_ms (see store_flush.c). */
void store_batch_urgent(struct store_batch *b);
/* On: write everything held now, and every batch as soon as it is
 * applied (draining, a rebalance waiting); off: write behind again. */
void store_write_through(struct store *s, int on);
/* Load a viewer (and the globals it needs) and call cb; v is only valid
 * during cb and must not be changed. */
typedef void (*store_viewer_fn)(void *arg, int ok, const recut_viewer *v,
                                const struct recommend_globals *g, int known);
/* A viewer this instance is applying events to, with every co-occurrence
 * row it needs in memory, is answered at once from memory (their own
 * writes included); any other is read from Redis. */
#define STORE_LOAD_NO_EXTRA 1u /* the caller does not need hooks.extra_key */
void store_load_viewer(struct store *s, const char *user, unsigned flags, store_viewer_fn cb,
                       void *arg);
/* Movie's co-occurrence neighbours as recommendations use them: the
 * [models] neighbours strongest partners, strongest first (equal counts by
 * id), from memory, or read from Redis now when memory has no row for it;
 * ok 0 when Redis cannot be read.  nb is only valid during cb. */
struct store_neighbour {
    const char *movie;
    double count;
};
typedef void (*store_neighbours_fn)(void *arg, int ok, const struct store_neighbour *nb, size_t n);
void store_neighbours(struct store *s, const char *movie, store_neighbours_fn cb, void *arg);
/* Erase every key of a viewer. */
void store_forget(struct store *s, const char *user, void (*cb)(void *arg, int ok, long long n),
                  void *arg);
/* Persist a movie (PUT /v1/movies). */
void store_put_movie(struct store *s, const struct catalog_movie *cm, void (*cb)(void *arg, int ok),
                     void *arg);
/* Load the catalog at start-up (blocking, before the loop runs). */
int store_load_catalog(struct store *s, struct catalog *c, char *errstr, size_t errstr_size);
/* Viewers held in memory, and their estimated bytes in *bytes. */
size_t store_cache_size(const struct store *s, size_t *bytes);
/* Forget cached viewers (partition assignment changed). */
void store_cache_clear(struct store *s);
/* Re-read the catalog when another instance changed it. */
int store_catalog_watch(struct store *s, int interval_ms);
/* The ACL user and the secret of password_file (one line) every Redis
 * connection authenticates with from now on, the blocking ones of
 * store_connect_sync included; an empty password_file means no AUTH.  At
 * start and on SIGHUP; on failure the old ones stay. */
int store_creds_set(const char *user, const char *password_file, char *errstr, size_t errstr_size);
void store_creds_clear(void);
/* One command on the store's connection, for the modules above the store
 * that keep keys of their own (the experiments' exposures and counters):
 * argv[0..argc) are its arguments.  cb gets ok 0 when Redis is down or
 * answered an error; else the reply: an integer in integer, the elements
 * of an array (a nil one as NULL) or the one string of a bulk reply in
 * strs, lens, n.  0, or -1 (not sent, cb not called). */
typedef void (*store_command_fn)(void *arg, int ok, long long integer, const char *const *strs,
                                 const size_t *lens, size_t n);
int store_command(struct store *s, int argc, const char *const *argv, store_command_fn cb,
                  void *arg);
/* Commands still waiting for a reply (drain waits for 0). */
size_t store_pending(const struct store *s);

#endif
