/* SPDX-License-Identifier: Apache-2.0 */
/* blob.c -- versioned, checksummed model envelopes (see blob.h). */
#include "config.h"

#include "blob.h"
#include "errbuf.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static const unsigned char blob_magic[4] = { 'R', 'C', 'M', 'B' };

const char *blob_strerror(int status)
{
    switch (status) {
    case BLOB_OK:
        return "ok";
    case BLOB_E_NOMEM:
        return "out of memory";
    case BLOB_E_TRUNCATED:
        return "truncated blob";
    case BLOB_E_MAGIC:
        return "not a recut model blob (bad magic)";
    case BLOB_E_TYPE:
        return "blob holds another model type";
    case BLOB_E_VERSION:
        return "unsupported blob format version";
    case BLOB_E_CRC:
        return "corrupt blob (checksum mismatch)";
    case BLOB_E_FORMAT:
        return "corrupt blob (inconsistent payload)";
    case BLOB_E_TOOBIG:
        return "blob too large";
    default:
        return "unknown blob error";
    }
}

const char *blob_type_name(int type)
{
    switch (type) {
    case BLOB_NB:
        return "naive-bayes";
    case BLOB_SVM:
        return "svm";
    case BLOB_KMEANS:
        return "k-means";
    case BLOB_FA:
        return "factor-analysis";
    case BLOB_EMOTION:
        return "emotion";
    case BLOB_SVM_VIEWER:
        return "svm-viewer";
    case BLOB_COOC:
        return "co-occurrence";
    case BLOB_VIEWER:
        return "viewer";
    default:
        return "unknown";
    }
}

/* zlib's CRC-32, which is the one the format names (blob.h).  zlib takes a
 * uInt length, so a longer buffer goes in pieces; an empty one returns crc
 * unchanged (zlib would answer 0 for a NULL buffer). */
uint32_t blob_crc32(uint32_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) {
        uInt n = len > (size_t)UINT_MAX ? UINT_MAX : (uInt)len;
        crc = (uint32_t)crc32((uLong)crc, p, n);
        p += n;
        len -= n;
    }
    return crc;
}

static void blob_le_store(unsigned char *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t blob_le_load(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* ---- writer ----------------------------------------------------------- */

static unsigned char *blob_reserve(struct blob_writer *w, size_t n)
{
    if (w->failed)
        return NULL;
    if (n > BLOB_MAX_PAYLOAD + BLOB_HEADER_SIZE - w->len) {
        w->failed = BLOB_E_TOOBIG;
        return NULL;
    }
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n)
            cap *= 2;
        unsigned char *nb = realloc(w->buf, cap);
        if (!nb) {
            w->failed = BLOB_E_NOMEM;
            return NULL;
        }
        w->buf = nb;
        w->cap = cap;
    }
    unsigned char *p = w->buf + w->len;
    w->len += n;
    return p;
}

void blob_writer_init(struct blob_writer *w, enum blob_type type, uint16_t version)
{
    memset(w, 0, sizeof *w);
    w->type = (uint16_t)type;
    w->version = version;
    unsigned char *h = blob_reserve(w, BLOB_HEADER_SIZE);
    if (h)
        memset(h, 0, BLOB_HEADER_SIZE);
}

static void blob_put_le(struct blob_writer *w, uint64_t v, size_t n)
{
    unsigned char *p = blob_reserve(w, n);
    if (p)
        blob_le_store(p, v, n);
}

void blob_put_u8(struct blob_writer *w, uint8_t v)
{
    blob_put_le(w, v, 1);
}
void blob_put_u16(struct blob_writer *w, uint16_t v)
{
    blob_put_le(w, v, 2);
}
void blob_put_u32(struct blob_writer *w, uint32_t v)
{
    blob_put_le(w, v, 4);
}
void blob_put_u64(struct blob_writer *w, uint64_t v)
{
    blob_put_le(w, v, 8);
}
void blob_put_i32(struct blob_writer *w, int32_t v)
{
    blob_put_le(w, (uint32_t)v, 4);
}

void blob_put_f64(struct blob_writer *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    blob_put_le(w, bits, 8);
}

void blob_put_bytes(struct blob_writer *w, const void *src, size_t n)
{
    unsigned char *p = blob_reserve(w, n);
    if (p && n)
        memcpy(p, src, n);
}

void blob_put_str(struct blob_writer *w, const char *s)
{
    size_t n = strlen(s);
    if (n > UINT32_MAX) {
        w->failed = BLOB_E_TOOBIG;
        return;
    }
    blob_put_u32(w, (uint32_t)n);
    blob_put_bytes(w, s, n);
}

int blob_writer_finish(struct blob_writer *w, unsigned char **out, size_t *out_len, char *errstr,
                       size_t errstr_size)
{
    *out = NULL;
    *out_len = 0;
    if (w->failed) {
        int rc = w->failed;
        errbuf_printf(errstr, errstr_size, "%s blob: %s", blob_type_name(w->type),
                      blob_strerror(rc));
        blob_writer_discard(w);
        return rc;
    }
    size_t plen = w->len - BLOB_HEADER_SIZE;
    unsigned char *h = w->buf;
    memcpy(h, blob_magic, 4);
    blob_le_store(h + 4, w->type, 2);
    blob_le_store(h + 6, w->version, 2);
    blob_le_store(h + 8, plen, 4);
    blob_le_store(h + 12, blob_crc32(0, h + BLOB_HEADER_SIZE, plen), 4);
    *out = w->buf;
    *out_len = w->len;
    w->buf = NULL;
    w->len = w->cap = 0;
    return BLOB_OK;
}

void blob_writer_discard(struct blob_writer *w)
{
    free(w->buf);
    w->buf = NULL;
    w->len = w->cap = 0;
}

/* ---- reader ----------------------------------------------------------- */

int blob_peek(const void *buf, size_t len, int *type, uint16_t *version)
{
    const unsigned char *p = buf;
    if (!buf || len < BLOB_HEADER_SIZE)
        return BLOB_E_TRUNCATED;
    if (memcmp(p, blob_magic, 4) != 0)
        return BLOB_E_MAGIC;
    if (type)
        *type = (int)blob_le_load(p + 4, 2);
    if (version)
        *version = (uint16_t)blob_le_load(p + 6, 2);
    return BLOB_OK;
}

int blob_open(const void *buf, size_t len, enum blob_type expected_type, uint16_t max_version,
              uint16_t *version, struct blob_reader *r, char *errstr, size_t errstr_size)
{
    const unsigned char *p = buf;
    const char *tname = blob_type_name(expected_type);
    memset(r, 0, sizeof *r);
    if (!buf || len < BLOB_HEADER_SIZE) {
        errbuf_printf(errstr, errstr_size, "%s blob: truncated (%zu bytes, header needs %d)", tname,
                      buf ? len : 0, BLOB_HEADER_SIZE);
        return BLOB_E_TRUNCATED;
    }
    if (memcmp(p, blob_magic, 4) != 0) {
        errbuf_printf(errstr, errstr_size, "%s blob: bad magic, not a recut model blob", tname);
        return BLOB_E_MAGIC;
    }
    int type = (int)blob_le_load(p + 4, 2);
    uint16_t ver = (uint16_t)blob_le_load(p + 6, 2);
    uint64_t plen = blob_le_load(p + 8, 4);
    uint32_t crc = (uint32_t)blob_le_load(p + 12, 4);
    if (type != (int)expected_type) {
        errbuf_printf(errstr, errstr_size, "expected a %s blob, got type %d (%s)", tname, type,
                      blob_type_name(type));
        return BLOB_E_TYPE;
    }
    if (ver == 0 || ver > max_version) {
        errbuf_printf(errstr, errstr_size,
                      "%s blob: format version %u not supported (this build reads 1..%u)", tname,
                      (unsigned)ver, (unsigned)max_version);
        return BLOB_E_VERSION;
    }
    if (plen > BLOB_MAX_PAYLOAD) {
        errbuf_printf(errstr, errstr_size, "%s blob: payload of %llu bytes is too large", tname,
                      (unsigned long long)plen);
        return BLOB_E_TOOBIG;
    }
    if (len - BLOB_HEADER_SIZE < plen) {
        errbuf_printf(errstr, errstr_size, "%s blob: truncated (%zu of %llu payload bytes)", tname,
                      len - BLOB_HEADER_SIZE, (unsigned long long)plen);
        return BLOB_E_TRUNCATED;
    }
    if (len - BLOB_HEADER_SIZE > plen) {
        errbuf_printf(errstr, errstr_size, "%s blob: %zu trailing bytes after the payload", tname,
                      (size_t)(len - BLOB_HEADER_SIZE - plen));
        return BLOB_E_FORMAT;
    }
    uint32_t got = blob_crc32(0, p + BLOB_HEADER_SIZE, (size_t)plen);
    if (got != crc) {
        errbuf_printf(errstr, errstr_size,
                      "%s blob: checksum mismatch (stored %08x, computed %08x)", tname,
                      (unsigned)crc, (unsigned)got);
        return BLOB_E_CRC;
    }
    r->p = p + BLOB_HEADER_SIZE;
    r->len = (size_t)plen;
    r->pos = 0;
    r->failed = 0;
    if (version)
        *version = ver;
    return BLOB_OK;
}

static const unsigned char *blob_take(struct blob_reader *r, size_t n)
{
    if (r->failed || n > r->len - r->pos) {
        r->failed = 1;
        return NULL;
    }
    const unsigned char *p = r->p + r->pos;
    r->pos += n;
    return p;
}

static uint64_t blob_get_le(struct blob_reader *r, size_t n)
{
    const unsigned char *p = blob_take(r, n);
    return p ? blob_le_load(p, n) : 0;
}

uint8_t blob_get_u8(struct blob_reader *r)
{
    return (uint8_t)blob_get_le(r, 1);
}
uint16_t blob_get_u16(struct blob_reader *r)
{
    return (uint16_t)blob_get_le(r, 2);
}
uint32_t blob_get_u32(struct blob_reader *r)
{
    return (uint32_t)blob_get_le(r, 4);
}
uint64_t blob_get_u64(struct blob_reader *r)
{
    return blob_get_le(r, 8);
}
int32_t blob_get_i32(struct blob_reader *r)
{
    return (int32_t)(uint32_t)blob_get_le(r, 4);
}

double blob_get_f64(struct blob_reader *r)
{
    uint64_t bits = blob_get_le(r, 8);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

const void *blob_get_bytes(struct blob_reader *r, size_t n)
{
    return blob_take(r, n);
}

char *blob_get_str(struct blob_reader *r)
{
    uint32_t n = blob_get_u32(r);
    const unsigned char *p = blob_take(r, n);
    if (!p)
        return NULL;
    if (memchr(p, 0, n)) {
        r->failed = 1;
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (!s) {
        r->failed = 1;
        return NULL;
    }
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

size_t blob_remaining(const struct blob_reader *r)
{
    return r->failed ? 0 : r->len - r->pos;
}

int blob_reader_finish(const struct blob_reader *r, const char *what, char *errstr,
                       size_t errstr_size)
{
    if (r->failed) {
        errbuf_printf(errstr, errstr_size, "%s blob: payload inconsistent (read past its end)",
                      what);
        return BLOB_E_FORMAT;
    }
    if (r->pos != r->len) {
        errbuf_printf(errstr, errstr_size, "%s blob: %zu unread payload bytes", what,
                      r->len - r->pos);
        return BLOB_E_FORMAT;
    }
    return BLOB_OK;
}
