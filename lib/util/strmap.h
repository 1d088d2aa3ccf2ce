/* SPDX-License-Identifier: Apache-2.0 */
/* strmap.h -- open-addressing hash map from strings (copied in) to a double
 * and a pointer.  Used for feature counts, catalog lookups and co-occurrence. */
#ifndef RECUT_STRMAP_H
#define RECUT_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_entry {
    char *key;
    double num;
    void *ptr;
    uint32_t hash;
    uint32_t len; /* of key */
};

struct strmap {
    struct strmap_entry *slots;
    size_t cap, len;
};

void strmap_init(struct strmap *m);
/* free_ptr, if set, is called on every entry's ptr. */
void strmap_clear(struct strmap *m, void (*free_ptr)(void *));
struct strmap_entry *strmap_get(const struct strmap *m, const char *key);
struct strmap_entry *strmap_getn(const struct strmap *m, const char *key, size_t len);
/* The same for a key whose hash (strmap_hash) is known, e.g. an entry's. */
struct strmap_entry *strmap_geth(const struct strmap *m, const char *key, size_t len,
                                 uint32_t hash);
/* Find or insert (num 0, ptr NULL); NULL on out of memory. */
struct strmap_entry *strmap_put(struct strmap *m, const char *key);
struct strmap_entry *strmap_putn(struct strmap *m, const char *key, size_t len);
int strmap_del(struct strmap *m, const char *key, void (*free_ptr)(void *));
/* Iterate: for (size_t i = 0; (e = strmap_next(m, &i)); )
 * The order is the hash order, which changes from run to run: sort whatever
 * an output or a test sees. */
struct strmap_entry *strmap_next(const struct strmap *m, size_t *iter);
/* The keyed hash the map uses (util_hash folded to 32 bits, never 0): it
 * differs between processes, and so does the order strmap_next visits. */
uint32_t strmap_hash(const char *s, size_t len);

#endif
