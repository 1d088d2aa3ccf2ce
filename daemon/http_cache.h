/* SPDX-License-Identifier: Apache-2.0 */
/* http_cache.h -- answers given again from memory ([http] answer_cache_ms).
 *
 * A home screen asks for the same viewer's list many times in a row; the
 * answer is kept, under the viewer and the request's URI, for a short time.
 * Whatever may change it drops it: an event applied to the viewer by this
 * instance (http_cache_forget), the viewer erased, any change to the
 * catalog, a reload.  Bounded in bytes; the oldest answers go first.
 * Safe to call from any thread. */
#ifndef RECUTD_HTTP_CACHE_H
#define RECUTD_HTTP_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct http_cache;
struct evbuffer;

struct http_cache *http_cache_new(void);
void http_cache_free(struct http_cache *c);
/* What makes every answer stale when it changes (catalog changes,
 * reloads): an answer stored under another stamp is not given. */
struct http_cache_stamp {
    uint64_t catalog, reloads;
};
/* The answer stored for (user, uri), younger than ttl_ms and with this
 * stamp: its body added to out and its content type returned; else NULL. */
const char *http_cache_give(struct http_cache *c, const char *user, const char *uri,
                            const struct http_cache_stamp *st, int ttl_ms, struct evbuffer *out);
/* Keep a copy of an answer (ctype must be a static string); the oldest
 * answers are dropped beyond max_bytes.  Out of memory: not kept. */
void http_cache_put(struct http_cache *c, const char *user, const char *uri,
                    const struct http_cache_stamp *st, const char *ctype, const char *body,
                    size_t len, size_t max_bytes);
/* Drop every answer about user. */
void http_cache_forget(struct http_cache *c, const char *user);

#endif
