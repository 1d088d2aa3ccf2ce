/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seal.h -- sealing personal values before they reach Redis.
 *
 * Emotion readings are health-adjacent personal data; whoever reads a Redis
 * dump or a backup should learn nothing from them.  A sealed value is
 *
 *     v1:KEYID:BASE64(nonce | ciphertext)
 *
 * XChaCha20-Poly1305 (IETF) with a random 24-byte nonce per value and the
 * caller's associated data (recutd: the viewer id and the field), so a
 * value moved to another viewer or field no longer opens.  KEYID names the
 * key, so keys can rotate: a key ring holds one or more keys, the first
 * seals, any opens.  Key files hold lines "KEYID HEX64" (blank lines and
 * '#' comments allowed); the keys never appear in messages.
 */
#ifndef RECUT_SEAL_H
#define RECUT_SEAL_H

#include <stddef.h>

#define SEAL_ID_MAX 32 /* bytes of a key id: [A-Za-z0-9_.-] */

struct seal_ring;

/* Load a key file.  NULL on error with "PATH:LINE: reason" (or "PATH:
 * reason") in errstr; a file others may read or write is refused. */
struct seal_ring *seal_ring_load(const char *path, char *errstr, size_t errstr_size);
void seal_ring_free(struct seal_ring *r);
/* The id of the key that seals (the first). */
const char *seal_ring_write_id(const struct seal_ring *r);

/* Whether value (len bytes) looks sealed ("v1:" prefix). */
int seal_is_sealed(const char *value, size_t len);
/* The key id of a sealed value into buf (NUL-terminated): 0, or -1 when it
 * is not a sealed value. */
int seal_key_id(const char *value, size_t len, char *buf, size_t size);

/* Seal plain (len bytes) with the write key: *out (malloc'd, NUL-terminated,
 * to free) and *out_len.  0, or -1 with errstr. */
int seal_seal(const struct seal_ring *r, const void *ad, size_t ad_len, const void *plain,
              size_t len, char **out, size_t *out_len, char *errstr, size_t errstr_size);
/* Open a sealed value: *out (malloc'd, NUL-terminated after *out_len bytes,
 * to free).  0, or -1 with errstr (unknown key id, damaged, other associated
 * data). */
int seal_open(const struct seal_ring *r, const void *ad, size_t ad_len, const char *value,
              size_t len, char **out, size_t *out_len, char *errstr, size_t errstr_size);

#endif
