/* SPDX-License-Identifier: Apache-2.0 */
/* http_cache.c -- answers given again from memory (see http_cache.h).
 *
 * Every answer lives for the same time, so the order answers were stored in
 * is also the order they expire in: one list, oldest first, serves both the
 * expiry and the byte bound.  A second list per viewer lets an event drop
 * that viewer's answers without a scan.  The front thread gives answers
 * and the main loop keeps and drops them, so every call takes the lock. */
#include "config.h"
#include "http_cache.h"
#include "clock.h"
#include "strmap.h"

#include <event2/buffer.h>
#include <pthread.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct http_answer {
    char *key; /* user "\n" uri */
    char *body;
    size_t len, bytes;
    const char *ctype;
    struct http_cache_stamp st;
    int64_t at_ms;
    struct http_answer *prev, *next;   /* all, oldest first */
    struct http_answer *uprev, *unext; /* the same viewer's */
    char uname[];
};

struct http_cache {
    struct strmap by_key; /* key -> answer */
    struct strmap users;  /* user -> first answer */
    struct http_answer *head, *tail;
    size_t bytes;
    pthread_mutex_t lock;
};

struct http_cache *http_cache_new(void)
{
    struct http_cache *c = calloc(1, sizeof *c);
    if (c) {
        strmap_init(&c->by_key);
        strmap_init(&c->users);
        pthread_mutex_init(&c->lock, NULL);
    }
    return c;
}

static void http_answer_drop(struct http_cache *c, struct http_answer *a)
{
    if (a->prev)
        a->prev->next = a->next;
    else
        c->head = a->next;
    if (a->next)
        a->next->prev = a->prev;
    else
        c->tail = a->prev;
    if (a->unext)
        a->unext->uprev = a->uprev;
    if (a->uprev) {
        a->uprev->unext = a->unext;
    } else {
        struct strmap_entry *u = strmap_get(&c->users, a->uname);
        if (u && a->unext)
            u->ptr = a->unext;
        else if (u)
            strmap_del(&c->users, a->uname, NULL);
    }
    strmap_del(&c->by_key, a->key, NULL);
    c->bytes -= a->bytes;
    free(a->key);
    free(a->body);
    free(a);
}

void http_cache_free(struct http_cache *c)
{
    if (!c)
        return;
    while (c->head)
        http_answer_drop(c, c->head);
    strmap_clear(&c->by_key, NULL);
    strmap_clear(&c->users, NULL);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static char *http_cache_key(const char *user, const char *uri)
{
    size_t ul = strlen(user), rl = strlen(uri);
    char *k = malloc(ul + rl + 2);
    if (k) {
        memcpy(k, user, ul);
        k[ul] = '\n';
        memcpy(k + ul + 1, uri, rl + 1);
    }
    return k;
}

const char *http_cache_give(struct http_cache *c, const char *user, const char *uri,
                            const struct http_cache_stamp *st, int ttl_ms, struct evbuffer *out)
{
    if (!c || ttl_ms <= 0)
        return NULL;
    char *k = http_cache_key(user, uri);
    if (!k)
        return NULL;
    const char *ctype = NULL;
    pthread_mutex_lock(&c->lock);
    int64_t now = clock_mono_ms();
    while (c->head && now - c->head->at_ms >= ttl_ms) /* expired, oldest first */
        http_answer_drop(c, c->head);
    struct strmap_entry *e = strmap_get(&c->by_key, k);
    struct http_answer *a = e ? e->ptr : NULL;
    if (a && (a->st.catalog != st->catalog || a->st.reloads != st->reloads)) {
        http_answer_drop(c, a);
    } else if (a && evbuffer_add(out, a->body, a->len) == 0) {
        ctype = a->ctype;
    }
    pthread_mutex_unlock(&c->lock);
    free(k);
    return ctype;
}

void http_cache_put(struct http_cache *c, const char *user, const char *uri,
                    const struct http_cache_stamp *st, const char *ctype, const char *body,
                    size_t len, size_t max_bytes)
{
    if (!c)
        return;
    size_t ul = strlen(user);
    size_t bytes = sizeof(struct http_answer) + ul + 1 + 2 * (ul + strlen(uri) + 2) + len + 64;
    if (bytes > max_bytes)
        return;
    char *k = http_cache_key(user, uri);
    pthread_mutex_lock(&c->lock);
    struct strmap_entry *old = k ? strmap_get(&c->by_key, k) : NULL;
    if (old)
        http_answer_drop(c, old->ptr);
    while (c->head && c->bytes + bytes > max_bytes)
        http_answer_drop(c, c->head);
    struct http_answer *a = calloc(1, sizeof *a + ul + 1);
    char *b = malloc(len + 1);
    struct strmap_entry *e = k && a && b ? strmap_put(&c->by_key, k) : NULL;
    struct strmap_entry *u = e ? strmap_put(&c->users, user) : NULL;
    if (!u) {
        if (e)
            strmap_del(&c->by_key, k, NULL);
        pthread_mutex_unlock(&c->lock);
        free(k);
        free(a);
        free(b);
        return;
    }
    memcpy(b, body, len);
    b[len] = '\0';
    memcpy(a->uname, user, ul + 1);
    a->key = k;
    a->body = b;
    a->len = len;
    a->bytes = bytes;
    a->ctype = ctype;
    a->st = *st;
    a->at_ms = clock_mono_ms();
    e->ptr = a;
    a->prev = c->tail;
    if (c->tail)
        c->tail->next = a;
    else
        c->head = a;
    c->tail = a;
    a->unext = u->ptr;
    if (a->unext)
        a->unext->uprev = a;
    u->ptr = a;
    c->bytes += bytes;
    pthread_mutex_unlock(&c->lock);
}

void http_cache_forget(struct http_cache *c, const char *user)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    struct strmap_entry *u = strmap_get(&c->users, user);
    while (u) {
        http_answer_drop(c, u->ptr); /* (the entry goes with the last one) */
        u = strmap_get(&c->users, user);
    }
    pthread_mutex_unlock(&c->lock);
}
