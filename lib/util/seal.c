/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seal.c -- authenticated encryption of single values with rotating keys
 * (see seal.h).
 *
 * Why a random nonce and XChaCha20: values are sealed by several instances
 * and processes (recutd, recutctl rotate-key) with the same key and no
 * shared counter; 192-bit random nonces make a repeat negligible.  Why the
 * key id in clear: a reader must pick the key without trying them all, and
 * rotation must be able to tell which values still use an old key.
 */
#include "config.h"
#include "seal.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SEAL_PREFIX "v1:"
#define SEAL_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEAL_ABYTES crypto_aead_xchacha20poly1305_ietf_ABYTES

struct seal_key {
    char id[SEAL_ID_MAX + 1];
    unsigned char key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
};

struct seal_ring {
    struct seal_key *keys; /* sodium_malloc'd: locked, zeroed on free */
    size_t n;
};

static int seal_id_ok(const char *s, size_t len)
{
    if (len == 0 || len > SEAL_ID_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

void seal_ring_free(struct seal_ring *r)
{
    if (!r)
        return;
    sodium_free(r->keys); /* zeroes */
    free(r);
}

/* Parse one line into k: 0, 1 for a blank or comment line, -1 with why. */
static int seal_parse_line(char *line, struct seal_key *k, const char **why)
{
    char *p = line;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t l = strlen(p);
    while (l && (p[l - 1] == '\n' || p[l - 1] == '\r' || p[l - 1] == ' ' || p[l - 1] == '\t'))
        p[--l] = '\0';
    if (l == 0 || p[0] == '#')
        return 1;
    char *sp = p + strcspn(p, " \t");
    if (!*sp) {
        *why = "expected 'KEYID HEX' (a key id, blanks, 64 hex digits)";
        return -1;
    }
    size_t idl = (size_t)(sp - p);
    if (!seal_id_ok(p, idl)) {
        *why = "a key id is 1..32 of A-Z a-z 0-9 _ . -";
        return -1;
    }
    memcpy(k->id, p, idl);
    k->id[idl] = '\0';
    while (*sp == ' ' || *sp == '\t')
        sp++;
    size_t bin_len = 0;
    const char *end = NULL;
    if (strlen(sp) != 2 * sizeof k->key ||
        sodium_hex2bin(k->key, sizeof k->key, sp, strlen(sp), NULL, &bin_len, &end) != 0 ||
        bin_len != sizeof k->key || *end) {
        *why = "the key must be 64 hex digits (32 bytes)";
        return -1;
    }
    return 0;
}

struct seal_ring *seal_ring_load(const char *path, char *errstr, size_t errstr_size)
{
    if (sodium_init() < 0) {
        snprintf(errstr, errstr_size, "libsodium cannot initialise");
        return NULL;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IROTH | S_IWOTH | S_IWGRP))) {
        snprintf(errstr, errstr_size, "%s: readable or writable by others (chmod 600 or 640 it)",
                 path);
        fclose(f);
        return NULL;
    }
    struct seal_ring *r = calloc(1, sizeof *r);
    size_t cap = 16;
    if (r)
        r->keys = sodium_allocarray(cap, sizeof *r->keys);
    if (!r || !r->keys) {
        snprintf(errstr, errstr_size, "out of memory");
        goto fail;
    }
    char line[512];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(errstr, errstr_size, "%s:%d: line too long", path, lineno);
            goto fail;
        }
        if (r->n == cap) {
            snprintf(errstr, errstr_size, "%s:%d: more than %zu keys", path, lineno, cap);
            goto fail;
        }
        const char *why = NULL;
        int rc = seal_parse_line(line, &r->keys[r->n], &why);
        sodium_memzero(line, sizeof line);
        if (rc < 0) {
            snprintf(errstr, errstr_size, "%s:%d: %s", path, lineno, why);
            goto fail;
        }
        if (rc > 0)
            continue;
        for (size_t i = 0; i < r->n; i++)
            if (strcmp(r->keys[i].id, r->keys[r->n].id) == 0) {
                snprintf(errstr, errstr_size, "%s:%d: key id '%s' given twice", path, lineno,
                         r->keys[i].id);
                goto fail;
            }
        r->n++;
    }
    if (ferror(f)) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (r->n == 0) {
        snprintf(errstr, errstr_size, "%s: no key (lines 'KEYID HEX', 64 hex digits)", path);
        goto fail;
    }
    fclose(f);
    return r;
fail:
    fclose(f);
    seal_ring_free(r);
    return NULL;
}

const char *seal_ring_write_id(const struct seal_ring *r)
{
    return r->keys[0].id;
}

int seal_is_sealed(const char *value, size_t len)
{
    return len > strlen(SEAL_PREFIX) && memcmp(value, SEAL_PREFIX, strlen(SEAL_PREFIX)) == 0;
}

/* The id's span in value: its start and length, or -1. */
static int seal_split(const char *value, size_t len, const char **id, size_t *id_len,
                      const char **b64, size_t *b64_len)
{
    if (!seal_is_sealed(value, len))
        return -1;
    const char *p = value + strlen(SEAL_PREFIX), *end = value + len;
    const char *colon = memchr(p, ':', (size_t)(end - p));
    if (!colon || !seal_id_ok(p, (size_t)(colon - p)))
        return -1;
    *id = p;
    *id_len = (size_t)(colon - p);
    *b64 = colon + 1;
    *b64_len = (size_t)(end - colon - 1);
    return 0;
}

int seal_key_id(const char *value, size_t len, char *buf, size_t size)
{
    const char *id, *b64;
    size_t il, bl;
    if (seal_split(value, len, &id, &il, &b64, &bl) < 0 || il >= size)
        return -1;
    memcpy(buf, id, il);
    buf[il] = '\0';
    return 0;
}

int seal_seal(const struct seal_ring *r, const void *ad, size_t ad_len, const void *plain,
              size_t len, char **out, size_t *out_len, char *errstr, size_t errstr_size)
{
    *out = NULL;
    const struct seal_key *k = &r->keys[0];
    size_t bin_len = SEAL_NONCE + len + SEAL_ABYTES;
    unsigned char *bin = malloc(bin_len);
    size_t b64_size = sodium_base64_ENCODED_LEN(bin_len, sodium_base64_VARIANT_ORIGINAL);
    size_t head = strlen(SEAL_PREFIX) + strlen(k->id) + 1;
    char *s = malloc(head + b64_size);
    if (!bin || !s) {
        free(bin);
        free(s);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    randombytes_buf(bin, SEAL_NONCE);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(bin + SEAL_NONCE, &clen, plain, len, ad, ad_len,
                                               NULL, bin, k->key);
    snprintf(s, head + 1, "%s%s:", SEAL_PREFIX, k->id);
    sodium_bin2base64(s + head, b64_size, bin, SEAL_NONCE + (size_t)clen,
                      sodium_base64_VARIANT_ORIGINAL);
    free(bin);
    *out = s;
    *out_len = strlen(s);
    return 0;
}

int seal_open(const struct seal_ring *r, const void *ad, size_t ad_len, const char *value,
              size_t len, char **out, size_t *out_len, char *errstr, size_t errstr_size)
{
    *out = NULL;
    const char *id, *b64;
    size_t il, bl;
    if (seal_split(value, len, &id, &il, &b64, &bl) < 0) {
        snprintf(errstr, errstr_size, "not a sealed value");
        return -1;
    }
    const struct seal_key *k = NULL;
    for (size_t i = 0; i < r->n && !k; i++)
        if (strlen(r->keys[i].id) == il && memcmp(r->keys[i].id, id, il) == 0)
            k = &r->keys[i];
    if (!k) {
        snprintf(errstr, errstr_size, "sealed with key '%.*s', not in the key file", (int)il, id);
        return -1;
    }
    unsigned char *bin = malloc(bl / 4 * 3 + 3);
    size_t bin_len = 0;
    if (!bin) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (sodium_base642bin(bin, bl / 4 * 3 + 3, b64, bl, NULL, &bin_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        bin_len < SEAL_NONCE + SEAL_ABYTES) {
        free(bin);
        snprintf(errstr, errstr_size, "damaged sealed value");
        return -1;
    }
    size_t plen = bin_len - SEAL_NONCE - SEAL_ABYTES;
    char *p = malloc(plen + 1);
    unsigned long long got = 0;
    if (!p) {
        free(bin);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)p, &got, NULL, bin + SEAL_NONCE,
                                                   bin_len - SEAL_NONCE, ad, ad_len, bin,
                                                   k->key) != 0) {
        free(bin);
        free(p);
        snprintf(errstr, errstr_size,
                 "sealed value does not open with key '%s' (damaged, or another viewer's)", k->id);
        return -1;
    }
    free(bin);
    p[got] = '\0';
    *out = p;
    *out_len = (size_t)got;
    return 0;
}
