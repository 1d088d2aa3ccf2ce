/* SPDX-License-Identifier: Apache-2.0 */
/* viewer_blob.h -- a viewer's whole state as one value in Redis
 * (PREFIX:{u:ID}:state).
 *
 * recutd used to keep a viewer in six keys (meta, nb, seen, scenes, hist,
 * ids) and to write each batch's changes as a transaction of several
 * commands.  Redis spent most of its memory for a viewer on the keys'
 * and the small collections' overhead (2.6 KB at 20 events), and most of
 * its CPU on the commands.  One value holds the same state in about half
 * the bytes and is written with one SET.
 *
 * The value is a blob (blob.h: magic, type BLOB_VIEWER, version, length,
 * CRC-32).  Payload version 1, all counts and lengths unsigned LEB128
 * varints, signed integers zigzag-encoded:
 *
 *   events, last_ts (signed), consent (one byte 0/1)
 *   nb:     count, then per field, sorted by name: the name, front-coded
 *           (bytes shared with the name before, then the rest as length
 *           and bytes), and its number
 *   seen:   the same (movie -> signed weight)
 *   scenes: the same ("movie:scene" -> feedback)
 *   hist:   count, then each movie, newest first, as its place among the
 *           seen movies plus one, or 0 and the id (length, bytes)
 *   ids:    count, then each applied event id, oldest first, front-coded
 *           against the one before, and its time stamp as a signed delta
 *           from the one before
 *
 * Sorted and front-coded, the names that share long prefixes
 * ("f:like:genre:...", "m12..", "evt-2026-...") cost a few bytes each,
 * and the value depends only on the state, not on the order it was built
 * in (two runs of one stream write the same bytes).
 * A number is a varint h: for h & 7 = d in 0..6 it is the decimal
 * zigzag(h >> 3) / 10^d (the common weights and counts: 1, 0.5, 3.5,
 * 0.32, in one to three bytes); h & 7 = 7 is followed by the 8 bytes of
 * an IEEE double.  Both give back exactly the double that was written.
 *
 * The emotion sums (sealed), the SVM and the experiment exposures stay in
 * keys of their own: they are rare, and written on their own schedule. */
#ifndef RECUT_VIEWER_BLOB_H
#define RECUT_VIEWER_BLOB_H

#include "viewer.h"

#include <stddef.h>
#include <stdint.h>

#define VIEWER_BLOB_VERSION 1
/* The longest name of a field, movie or id a blob holds. */
#define VIEWER_BLOB_KEY_MAX 1023

/* Lua (Redis scripts): viewer_events(state_key, meta_key), the viewer's
 * event count from the blob's first payload field, else from the meta
 * hash of the layout before it; -1 when neither is there. */
#define VIEWER_BLOB_LUA_EVENTS                                                                     \
    "local function viewer_events(ks, km)\n"                                                       \
    "  local b = redis.call('GETRANGE', ks, 16, 25)\n"                                             \
    "  if b ~= '' then\n"                                                                          \
    "    local v, m = 0, 1\n"                                                                      \
    "    for i = 1, #b do\n"                                                                       \
    "      local c = string.byte(b, i)\n"                                                          \
    "      v = v + (c % 128) * m\n"                                                                \
    "      if c < 128 then return v end\n"                                                         \
    "      m = m * 128\n"                                                                          \
    "    end\n"                                                                                    \
    "    return -1\n"                                                                              \
    "  end\n"                                                                                      \
    "  return tonumber(redis.call('HGET', km, 'events') or '-1')\n"                                \
    "end\n"

/* The applied event ids, oldest first, as the writer holds them: id_at
 * returns the i-th id (i < n) and its time stamp in *ts. */
struct viewer_blob_ids {
    size_t n;
    const char *(*id_at)(void *ctx, size_t i, int64_t *ts);
    void *ctx;
};

/* The keys of a viewer's nb, seen and scenes maps in the order the last
 * blob wrote them (sorted), kept by a writer between writes of one viewer
 * so that a write sorts only what is new.  The keys are borrowed from the
 * maps: reset the cache when a map is cleared (the viewer erased).  Zero
 * is an empty cache. */
struct viewer_blob_order {
    const char **key;
    uint32_t *len;
    /* each key's entry, while the map's slots are these (a map that grew
     * moved them): no look-up for a map that did not grow */
    const struct strmap_entry **ent;
    const void *slots;
    size_t slots_cap;
    size_t n, cap;
};
struct viewer_blob_cache {
    struct viewer_blob_order map[3]; /* nb, seen, scenes */
};
/* A key of one map (which: 'N' nb, 'S' seen, 'C' scenes) changed since the
 * last write (its map's key, borrowed): the cache places it if it is new.
 * 0, or -1 out of memory (the next write then sorts that map). */
int viewer_blob_note(struct viewer_blob_cache *c, char which, const char *key, size_t len);
void viewer_blob_cache_reset(struct viewer_blob_cache *c);
void viewer_blob_cache_free(struct viewer_blob_cache *c);

/* Encode v (its nb, seen and scenes maps, history, events and consent),
 * last_ts and the ids, with cache (NULL: none; a cache that does not
 * hold all of a map's keys is rebuilt).  *out is malloc'd (free it).  0,
 * or -1 out of memory (errstr says so). */
int viewer_blob_encode(const recut_viewer *v, int64_t last_ts, const struct viewer_blob_ids *ids,
                       struct viewer_blob_cache *cache, unsigned char **out, size_t *out_len,
                       char *errstr, size_t errstr_size);

/* Decode a blob into v (initialised, empty; viewer_finish is the caller's)
 * and *last_ts; each id goes to on_id (may be NULL; a non-zero return stops
 * the decode as out of memory).  0; -1 with errstr when the blob is
 * damaged or of a newer version; -2 when memory ran out.  After an error
 * v may hold part of the state and must be freed, not used. */
int viewer_blob_decode(const void *buf, size_t len, recut_viewer *v, int64_t *last_ts,
                       int (*on_id)(void *ctx, const char *id, size_t len, int64_t ts), void *ctx,
                       char *errstr, size_t errstr_size);

#endif
