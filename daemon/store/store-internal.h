/* SPDX-License-Identifier: Apache-2.0 */
/* store-internal.h -- what the store's files share (store_redis.c:
 * connection, reads, catalog, hooks; store_cache.c: the viewer cache;
 * store_batch.c: batches, writes, summed global counters; store_cooc.c:
 * co-occurrence rows; store_resp.c, store_args.c: commands).  The rest of
 * recutd sees only store.h. */
#ifndef RECUTD_STORE_INTERNAL_H
#define RECUTD_STORE_INTERNAL_H

#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <stdarg.h>
#include <time.h>

#include "daemon.h"
#include "metrics.h"
#include "store.h"
#include "viewer_blob.h"

struct store_args {
    char *buf;
    size_t len, cap;
    size_t *off, *alen;
    size_t n, ncap;
    int oom;
};

void store_args_addn(struct store_args *a, const char *s, size_t len);
void store_args_add(struct store_args *a, const char *s);
void store_args_addf(struct store_args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void store_args_free(struct store_args *a);

/* store_resp.c: commands written directly in the Redis protocol */
struct store_resp {
    char *buf;
    size_t len, cap;
    int oom;
};
void store_resp_cmd(struct store_resp *r, size_t nargs);
void store_resp_str(struct store_resp *r, const char *s, size_t len);
void store_resp_strz(struct store_resp *r, const char *s);
/* One argument made of pfx (pfx_len bytes) and name. */
void store_resp_key(struct store_resp *r, const char *pfx, size_t pfx_len, const char *name);
void store_resp_ll(struct store_resp *r, long long v);
/* v in decimal into buf (NUL-terminated); returns its length. */
size_t store_resp_fmt_ll(char buf[24], long long v);
/* A number as Redis reads it back exactly: whole and half values short,
 * others with 17 significant digits. */
void store_resp_num(struct store_resp *r, double v);
size_t store_resp_fmt_num(char *buf, size_t n, double v);
/* Send the one command in r (then empty r); 0 or -1. */
int store_resp_send(struct store *s, struct store_resp *r, redisCallbackFn *fn, void *priv);
void store_resp_free(struct store_resp *r);

struct store_pop_rank { /* a movie and its popularity */
    const char *id;     /* borrowed from struct store's pop map */
    double pop;
};

struct store_route;
struct store_fold;

/* The Lua scripts (store_lua.h), by index into struct store's shas[]. */
enum {
    STORE_LUA_FORGET,
    STORE_LUA_ZINCR,
    STORE_LUA_COOC_READ,
    STORE_LUA_COOC_COMPACT,
    STORE_LUA_GCOOC,
    STORE_LUA_FOLD_TAKE,
    STORE_LUA_FOLD_DONE,
    STORE_LUA_OUTBOX_APPEND,
    STORE_N_LUA
};

struct store {
    struct recommend_work *rec_work; /* recommend_top's scratch, reused (loop thread) */
    struct update_op *apply_ops;     /* a kept event's operations, unpacked to apply */
    size_t apply_ops_cap;
    struct recutd *d;
    struct store_hooks hooks;  /* what the daemon wants to hear (store.h) */
    redisAsyncContext *ac;     /* standalone: the connection */
    struct store_route *route; /* Redis Cluster: store_route.c (then ac is NULL) */
    int connected;
    struct event *reconnect_ev;
    int backoff_ms;             /* the next reconnect's delay (0: the first) */
    struct event *timeout_ev;   /* store_conn.c: [redis] timeout_ms watchdog */
    uint64_t replies;           /* replies seen (the watchdog's progress) */
    uint64_t replies_seen;      /* ... at its last tick */
    struct timeval busy_since;  /* waiting for a reply since */
    int busy;                   /* something was unanswered at the last tick */
    int err_counted;            /* this failure is in recut_redis_errors_total */
    char shas[STORE_N_LUA][48]; /* the scripts' SHA1s */
    size_t pending;
    /* store_batch.c: batches waiting to be applied, in order; applied
     * batches waiting for their writes; the viewer cache; global deltas */
    struct store_batch *queue_head, *queue_tail;
    struct store_batch *wait_head, *wait_tail;
    /* write-behind (store_batch.c): viewers with changes not yet sent,
     * each holding a reference; applied batches not yet in a flush; the
     * flushes whose writes are in flight, oldest first, and the one whose
     * writes are being sent, a slice at a time */
    struct store_vc **dirty;
    size_t n_dirty, dirty_cap;
    size_t held_batches;
    struct store_flush *flush_head, *flush_tail, *flushing;
    uint64_t flush_seq;        /* the last flush begun */
    uint64_t flush_done;       /* every flush up to this one is acknowledged */
    unsigned wgen;             /* bumped by a reset: older write replies are stale */
    int flush_wanted;          /* begin another flush once this one is sent */
    int flush_urgent;          /* an urgent batch was applied: flush now */
    int checking, check_again; /* store_batch_check_done is running (re-entered) */
    int write_through;         /* store_write_through: every batch written at once */
    struct event *flush_ev, *flush_more_ev;
    struct strmap cache; /* user -> struct store_vc* */
    struct store_vc *lru_head, *lru_tail;
    size_t cache_max;
    size_t cache_bytes; /* the cached viewers' estimated bytes ([redis] cache_bytes) */
    /* store_outbox.c: slots whose outbox this instance appended to */
    uint64_t ob_dirty[16384 / 64];
    size_t ob_n_dirty;
    struct store_fold *fold; /* the fold in flight */
    char ob_owner[24];       /* this instance, in the folds it takes */
    char ob_nonce[24];       /* this process, in its fold ids */
    uint64_t ob_seq;
    struct event *ob_sweep_ev;
    uint64_t pass;                 /* store_batch.c: passes over batches' viewers */
    struct store_resp resp;        /* the write path's command buffer */
    struct strmap cooc_compacting; /* movies whose row is being compacted */
    struct strmap cooc_rowlen;     /* movie -> bytes of its row when last compacted here */
    long long catalog_version;     /* PREFIX:{catalog}:version last seen */
    struct event *catalog_ev;
    /* popularity cache */
    struct strmap pop;
    double max_pop;
    int64_t pop_loaded_ms;             /* clock_mono_ms() of the last good read (0: never) */
    struct store_pop_rank *pop_sorted; /* pop, most popular first */
    size_t n_pop_sorted;
    int pop_loading;
    struct strmap pop_next; /* store_pop.c: the shards read so far */
    int pop_wait, pop_failed;
    struct strmap items;               /* store_items.c: movie -> its neighbours */
    uint64_t pop_gen;                  /* store_pop.c: good reads of popularity so far */
    double *pop_idx;                   /* store_items.c: popularity by catalog index, */
    size_t n_pop_idx;                  /* ... for this many movies */
    uint64_t pop_idx_gen, pop_idx_cat; /* ... built at pop_gen and catalog.changes */
};

/* store_route.c: every command the store sends goes through these; on a
 * standalone Redis straight down s->ac, on a cluster to the slot's master
 * (a MULTI .. EXEC as one unit).  0, or -1 (no callback will come). */
int store_route_send(struct store *s, redisCallbackFn *fn, void *priv, const char *cmd, size_t len);
int store_route_sendf(struct store *s, redisCallbackFn *fn, void *priv, const char *fmt, ...);
int store_route_sendv(struct store *s, redisCallbackFn *fn, void *priv, const char *fmt,
                      va_list ap);
int store_route_sendargv(struct store *s, redisCallbackFn *fn, void *priv, int argc,
                         const char **argv, const size_t *alen);
/* Commands can be sent now (standalone: a connection exists; cluster: the
 * slot map is loaded). */
int store_route_linked(const struct store *s);
/* Cluster mode, seeds as in [redis] address.  0, or -1 with errstr. */
int store_route_new(struct store *s, const char *seeds, char *errstr, size_t errstr_size);
void store_route_free(struct store *s);
void store_route_free_route(struct store_route *r);
void store_route_connect(struct store *s);
void store_route_drop(struct store *s);
/* ac is one of the cluster's current connections. */
int store_route_knows(const struct store *s, const redisAsyncContext *ac);
/* ac answered its handshake (store_conn.c). */
void store_route_handshake_done(struct store *s, redisAsyncContext *ac);

/* store_conn.c: count a Redis failure once (recut_redis_errors_total). */
void store_count_error(struct store *s);
/* store_conn.c: the connection's life.  A reply to a command the store
 * counted in s->pending arrived. */
void store_replied(struct store *s);
/* Drop the connection now (an error reply, a timeout): every unanswered
 * callback gets a NULL reply, and a reconnect follows with backoff. */
void store_drop(struct store *s);
/* Schedule the next connection attempt (exponential backoff). */
void store_schedule_reconnect(struct store *s);
/* Commands since the last reconnect succeeded: the backoff starts again. */
void store_backoff_reset(struct store *s);
/* user, or "default" for an empty one (for messages). */
const char *store_creds_user_name(const char *user);
/* Start and stop the timeout_ms watchdog. */
int store_watchdog_start(struct store *s);
void store_watchdog_stop(struct store *s);
/* Send AUTH (when configured), the scripts and a PING; the connection is
 * up (s->connected) once all were answered. */
void store_handshake(struct store *s, redisAsyncContext *ac);
/* AUTH on a blocking connection when a password is set (store_creds_set). */
int store_auth_sync(redisContext *c, const char *address, char *errstr, size_t errstr_size);

/* store_pop.c: popularity in STORE_POP_SHARDS sorted sets PREFIX:{pop:K} */
#define STORE_POP_SHARDS 16
unsigned store_pop_shard(const char *movie);
/* Send one fold's popularity increments (movie -> count, 0: none), one script call
 * per shard, each applied once whatever retries (fid, the fold's id, goes
 * into the shard's marker hash, whose name is added to markers; now is the
 * unix time kept beside it).  fn gets priv.  The number of calls sent, or
 * -1 if one could not be sent. */
int store_pop_flush(struct store *s, const struct strmap *pop, const char *fid, const char *now,
                    redisCallbackFn *fn, void *priv, struct store_args *markers);
/* Reading: begin, one store_pop_load_sent per read sent, every reply (or
 * NULL) to store_pop_load_reply; the last one replaces s->pop. */
void store_pop_load_begin(struct store *s);
void store_pop_load_sent(struct store *s);
int store_pop_load_reply(struct store *s, const redisReply *r);
void store_pop_fini(struct store *s);
/* store_redis.c: order s->pop for recommend_top. */
void store_pop_sort(struct store *s);

int store_key(char *buf, size_t n, const struct store *s, const char *user, const char *name);
/* What reads a viewer's state (store_viewer_reply's `which`, 'B' for the
 * state blob, 'I' for the event ids), as a hiredis format taking the
 * prefix and the user id.  The blob comes first; the other keys are the
 * layout before it, read for a viewer not written since an upgrade.  All
 * are in one slot, so their replies come in this order. */
#define STORE_N_VIEWER_READS 8
/* The reads of the keys of the layout before the blob (for the cache,
 * read only when an EXISTS finds one and the blob is not there). */
#define STORE_LEGACY_READS "MNSCHI"
struct store_viewer_read {
    char which;
    const char *fmt;
};
extern const struct store_viewer_read store_viewer_reads[STORE_N_VIEWER_READS];
/* Read one of a viewer's keys from its reply into v (which: M meta, N nb,
 * S seen, C scenes, E emo, H hist); meta's last_ts into *last_ts if given.
 * Returns 1 when it was a non-empty meta hash (the viewer exists). */
int store_viewer_reply(recut_viewer *v, char which, const redisReply *r, int64_t *last_ts);
/* Send argv; the callback gets priv.  0 on success. */
int store_send_args(struct store *s, redisCallbackFn *fn, void *priv, const struct store_args *a);
/* Write a catalog entry: its JSON, the index and the version counter in one
 * transaction; fn gets EXEC's reply.  0, or -1 (fn not called). */
int store_catalog_write(struct store *s, const char *id, const char *json, size_t json_len,
                        redisCallbackFn *fn, void *priv);

/* store_items.c: co-occurrence rows in memory, shared by the requests */
struct store_row {
    int refs;
    int64_t at_ms;   /* read from Redis at (clock_mono_ms) */
    struct strmap m; /* partner -> count, the [models] neighbours strongest */
    /* store_items_resolve: each entry's ptr is the partner's catalog entry
     * (NULL: not in the catalog) as of catalog.changes == cat_changes */
    int resolved;
    uint64_t cat_changes;
    /* and the partners in the catalog as an array by catalog index (what a
     * ranking walks: recommend_globals.cooc_row), as of the same resolve */
    struct recommend_partner *pk;
    size_t n_pk;
};
struct store_row *store_row_new(void); /* one reference, empty */
void store_row_ref(struct store_row *r);
void store_row_unref(struct store_row *r);
void store_items_init(struct store *s);
void store_items_fini(struct store *s);
/* Movie's row (borrowed: valid until the loop runs again), NULL if never
 * read; a row older than item_ttl_ms is read again in the background. */
struct store_row *store_items_get(struct store *s, const char *movie);
/* Trim row, make it movie's row (the items take their own reference);
 * row, or NULL out of memory. */
struct store_row *store_items_install(struct store *s, const char *movie, struct store_row *row);
/* Point row's entries at their catalog entries, if the catalog changed
 * since (recommend_globals.cooc_cat). */
void store_items_resolve(struct store *s, struct store_row *row);
/* The same, then row's partners in the catalog by index (*n of them; NULL
 * if the array could not be allocated: the ranking reads the map). */
const struct recommend_partner *store_items_partners(struct store *s, struct store_row *row,
                                                     size_t *n);
/* Popularity by catalog index, rebuilt when popularity or the catalog
 * changed; NULL out of memory. */
const double *store_items_pop_index(struct store *s);
/* Its value for movie i (0 past its end): recommend_globals.pop_index. */
double store_items_pop_at(const struct store *s, size_t i);
/* Read popularity again if it is older than item_ttl_ms (or force). */
void store_items_pop_refresh(struct store *s, int force);

/* store_cooc.c: co-occurrence rows and logs */
struct store_cooc_state {     /* what store_cooc_parse saw */
    uint64_t gen;             /* the row's generation (0: none) */
    unsigned char prefix[24]; /* the row's header and generation */
    size_t prefix_len;
    size_t log_used; /* bytes of whole log records read */
    int bad;         /* the row was corrupt */
};
/* Read a movie's row and log atomically (reply: [row, log]). */
int store_cooc_read(struct store *s, const char *movie, redisCallbackFn *fn, void *priv);
/* Sum that reply's counts into m (partner -> count).  -1 if the row was
 * corrupt (logged, counted; the log's counts are still added). */
int store_cooc_parse(const redisReply *r, const char *movie, struct strmap *m,
                     struct store_cooc_state *st);
/* One fold's global deltas, summed (store_outbox.c): every movie it names
 * gets a number; pop holds each movie's popularity increment (0 for a movie
 * that is only a partner) with its number + 1 in ptr, and the pairs are a
 * table of (row << 32 | partner) + 1 -> count.  Records name a movie and
 * up to 20 partners, both ways: a string look-up per name, the pairs by
 * number. */
struct store_gsum {
    struct strmap pop;
    struct store_gsum_movie {
        const char *key; /* pop's key (its entries move as it grows; keys do not) */
        size_t len;
    } * movie; /* by number */
    size_t n_movies, cap_movies;
    uint64_t *pair;  /* 0: empty */
    uint32_t *count; /* beside pair */
    size_t cap, len;
    uint64_t seed; /* of the pair table's slots (util_hash_seed) */
    int oom;
};
/* Append one fold's pair deltas, one script call per movie, applied once
 * as store_pop_flush's.  fn gets priv (after a compaction check).  The
 * number of calls sent, or -1. */
int store_cooc_flush(struct store *s, const struct store_gsum *g, const char *fid, const char *now,
                     redisCallbackFn *fn, void *priv, struct store_args *markers);
void store_cooc_fini(struct store *s);
/* store_cache.c: the viewers held in memory */
struct store_vc { /* a cached viewer */
    char user[VEVENT_ID_MAX + 1];
    recut_viewer v;
    struct viewer_changes chg;
    struct strmap ids; /* applied event ids (their time stamps: idq) */
    struct store_idq { /* the same ids, oldest first, from idq_head */
        char *id;
        int64_t ts;
    } * idq;
    size_t idq_head, idq_len, idq_cap;
    int64_t last_ts;
    int has_blob;                   /* read from PREFIX:{u:ID}:state (viewer_blob.h) */
    int legacy;                     /* the keys of the layout before it hold some of it */
    struct viewer_blob_cache order; /* its maps' keys as last written */
    uint64_t pass;                  /* the last pass over a batch that met it */
    int loading;                    /* load replies still expected */
    int bad;                        /* a read answered WRONGTYPE: its events are rejected */
    char bad_why[160];
    int refs;                     /* unapplied batches (and the dirty list) using it */
    int dirty;                    /* changed since its last write (in s->dirty or a flush) */
    int detached;                 /* not in the cache any more: free at 0 refs */
    struct store_batch **waiters; /* batches waiting for the load */
    size_t n_waiters;
    struct store_vc *prev, *next; /* LRU, most recent first */
    struct strbuf *outbox;        /* global deltas not yet in a write */
    size_t bytes;                 /* in s->cache_bytes (store_vc_account) */
};
void store_cache_init(struct store *s);
void store_cache_fini(struct store *s);
/* The cached viewer, or a new entry whose load from Redis was started
 * (vc->loading > 0); NULL on failure. */
struct store_vc *store_vc_get(struct store *s, const char *user);
/* Take vc out of the cache; it is freed once nothing uses it. */
void store_vc_detach(struct store *s, struct store_vc *vc);
/* Drop a reference a prepared batch held (may free a detached vc). */
void store_vc_release(struct store_vc *vc);
/* Detach the least recently used viewers nothing uses beyond cache_max
 * viewers or [redis] cache_bytes. */
void store_cache_evict(struct store *s);
/* vc changed: its estimated size in s->cache_bytes follows. */
void store_vc_account(struct store *s, struct store_vc *vc);
/* Remember an applied event id (-1: out of memory). */
int store_vc_add_id(struct store_vc *vc, const char *id, int64_t ts);
/* Keep the newest max ids. */
void store_vc_trim_ids(struct store_vc *vc, size_t max);
void store_cache_drop(struct store *s, const char *user);

/* store_outbox.c: global counts, exactly once (see its head comment) */
int store_outbox_init(struct store *s);
void store_outbox_fini(struct store *s);
/* Note a movie new in vc's positive history and its partners (-1: out of
 * memory); store_outbox_write puts the notes into vc's transaction. */
int store_outbox_record(struct store *s, struct store_vc *vc, const char *m,
                        const char *const *partners, size_t n);
int store_outbox_write(struct store *s, struct store_resp *r, struct store_vc *vc);
void store_outbox_drop(struct store_vc *vc);
/* Fold the outboxes written to since the last fold (if none in flight). */
void store_outbox_fold(struct store *s);
/* The connection is lost: forget the fold in flight; fold every slot next. */
void store_outbox_lost(struct store *s);

/* store_batch.c: batches applied to cached viewers and written back */
void store_batch_init(struct store *s);
/* A viewer batch b waited for is loaded. */
void store_batch_load_done(struct store_batch *b);
/* Apply every batch whose viewers are loaded, in order. */
void store_batch_pump(struct store *s);
/* Forget the cache and apply every unfinished batch again (a failure). */
void store_batch_reset(struct store *s, const char *why);
void store_batch_fini(struct store *s);
void store_batch_connected(struct store *s);
void store_batch_disconnected(struct store *s);
/* store_batch.c, for store_flush.c: finish the batches whose flushes are
 * acknowledged; a write's reply (0, or -1 after a reset); every applied
 * batch not yet in a flush joins flush seq. */
void store_batch_check_done(struct store *s);
int store_write_failed(struct store *s, const redisReply *r);
void store_batch_join_flush(struct store *s, uint64_t seq);

/* store_flush.c: write-behind (see its head comment) */
void store_flush_init(struct store *s);
void store_flush_fini(struct store *s);
/* vc was changed by an applied batch: written by the next flush (-1: out
 * of memory). */
int store_vc_mark_dirty(struct store *s, struct store_vc *vc);
/* After batches were applied: flush now, or arm the interval's timer. */
void store_flush_decide(struct store *s);
/* A reset: drop what is held and in flight (the batches are applied again). */
void store_flush_forget(struct store *s);
/* Send vc's unwritten changes now, ahead of the next flush (before its
 * keys are deleted): 0, or -1 (reset). */
int store_vc_write_now(struct store *s, struct store_vc *vc);

#endif
