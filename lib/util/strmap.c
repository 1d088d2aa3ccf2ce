/* SPDX-License-Identifier: Apache-2.0 */
/* strmap.c -- linear-probing hash map with tombstone-free deletion
 * (backward shift).  Keys are hashed with util_hash (hash.h), keyed with a
 * per-process random seed, because they are ids chosen by whoever sends
 * events: with a fixed hash, ids crafted to collide would make every probe
 * walk one long cluster. */
#include "config.h"
#include "strmap.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>

uint32_t strmap_hash(const char *s, size_t len)
{
    uint64_t h64 = util_hash(s, len);
    uint32_t h = (uint32_t)(h64 ^ (h64 >> 32));
    return h ? h : 1;
}

void strmap_init(struct strmap *m)
{
    m->slots = NULL;
    m->cap = m->len = 0;
}

void strmap_clear(struct strmap *m, void (*free_ptr)(void *))
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key) {
            free(m->slots[i].key);
            if (free_ptr && m->slots[i].ptr)
                free_ptr(m->slots[i].ptr);
        }
    free(m->slots);
    strmap_init(m);
}

static struct strmap_entry *strmap_find(const struct strmap *m, const char *key, size_t len,
                                        uint32_t h)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        struct strmap_entry *e = &m->slots[i];
        if (!e->key)
            return NULL;
        if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
            return e;
    }
}

struct strmap_entry *strmap_getn(const struct strmap *m, const char *key, size_t len)
{
    return strmap_find(m, key, len, strmap_hash(key, len));
}

struct strmap_entry *strmap_geth(const struct strmap *m, const char *key, size_t len, uint32_t hash)
{
    return strmap_find(m, key, len, hash);
}

struct strmap_entry *strmap_get(const struct strmap *m, const char *key)
{
    return strmap_getn(m, key, strlen(key));
}

static int strmap_grow(struct strmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    struct strmap_entry *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        struct strmap_entry *e = &m->slots[i];
        if (!e->key)
            continue;
        size_t j = e->hash & (ncap - 1);
        while (ns[j].key)
            j = (j + 1) & (ncap - 1);
        ns[j] = *e;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

struct strmap_entry *strmap_putn(struct strmap *m, const char *key, size_t len)
{
    if (len > UINT32_MAX)
        return NULL;
    uint32_t h = strmap_hash(key, len);
    struct strmap_entry *e = strmap_find(m, key, len, h);
    if (e)
        return e;
    if ((m->len + 1) * 4 > m->cap * 3 && strmap_grow(m) < 0)
        return NULL;
    char *k = malloc(len + 1);
    if (!k)
        return NULL;
    memcpy(k, key, len);
    k[len] = '\0';
    size_t mask = m->cap - 1, i = h & mask;
    while (m->slots[i].key)
        i = (i + 1) & mask;
    e = &m->slots[i];
    e->key = k;
    e->hash = h;
    e->len = (uint32_t)len;
    e->num = 0;
    e->ptr = NULL;
    m->len++;
    return e;
}

struct strmap_entry *strmap_put(struct strmap *m, const char *key)
{
    return strmap_putn(m, key, strlen(key));
}

int strmap_del(struct strmap *m, const char *key, void (*free_ptr)(void *))
{
    struct strmap_entry *e = strmap_get(m, key);
    if (!e)
        return -1;
    free(e->key);
    if (free_ptr && e->ptr)
        free_ptr(e->ptr);
    size_t mask = m->cap - 1, i = (size_t)(e - m->slots);
    e->key = NULL;
    /* backward-shift the cluster that follows */
    for (size_t j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
        size_t home = m->slots[j].hash & mask;
        int movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            m->slots[i] = m->slots[j];
            m->slots[j].key = NULL;
            i = j;
        }
    }
    m->len--;
    return 0;
}

struct strmap_entry *strmap_next(const struct strmap *m, size_t *iter)
{
    while (*iter < m->cap) {
        struct strmap_entry *e = &m->slots[(*iter)++];
        if (e->key)
            return e;
    }
    return NULL;
}
