/* SPDX-License-Identifier: Apache-2.0 */
/*
 * blob.h -- versioned, checksummed binary envelopes for recut's models.
 *
 * Every serialized model is one blob:
 *
 *   offset  size  field
 *   0       4     magic "RCMB"
 *   4       2     model type (enum blob_type), little endian
 *   6       2     payload format version (per model type), little endian
 *   8       4     payload length in bytes, little endian
 *   12      4     CRC-32 (IEEE 802.3, as zlib's crc32) of the payload
 *   16      n     payload
 *
 * Integers in the payload are little endian, doubles are their IEEE-754 bit
 * patterns as little-endian 64-bit integers (so values round-trip exactly),
 * strings are a u32 length followed by the bytes (no NUL).
 *
 * A reader states the newest payload version it understands; a blob with a
 * newer version is refused (BLOB_E_VERSION), an older one is handed to the
 * model's reader together with its version so that it can migrate it.  A blob
 * shorter than its header says is BLOB_E_TRUNCATED, a payload whose checksum
 * does not match is BLOB_E_CRC: nothing is ever read from a damaged blob.
 */
#ifndef RECUT_BLOB_H
#define RECUT_BLOB_H

#include <stddef.h>
#include <stdint.h>

#define BLOB_HEADER_SIZE 16
#define BLOB_MAX_PAYLOAD (256u * 1024u * 1024u)

enum blob_type {
    BLOB_NB = 1,         /* nb.h */
    BLOB_SVM = 2,        /* svmm.h */
    BLOB_KMEANS = 3,     /* kmeans.h */
    BLOB_FA = 4,         /* fa.h */
    BLOB_EMOTION = 5,    /* emotion.h */
    BLOB_SVM_VIEWER = 6, /* svm_viewer.h: a viewer's SVM and what it was trained on */
    BLOB_COOC = 7,       /* a co-occurrence row (daemon/store_cooc.c) */
    BLOB_VIEWER = 8,     /* a viewer's state (lib/core/viewer_blob.h) */
    BLOB_TYPE_MAX = 8
};

enum blob_status {
    BLOB_OK = 0,
    BLOB_E_NOMEM = -1,
    BLOB_E_TRUNCATED = -2, /* shorter than the header or the declared payload */
    BLOB_E_MAGIC = -3,     /* not a recut model blob */
    BLOB_E_TYPE = -4,      /* a blob of another model type */
    BLOB_E_VERSION = -5,   /* payload version unknown (newer than this build) */
    BLOB_E_CRC = -6,       /* checksum mismatch: corrupt */
    BLOB_E_FORMAT = -7,    /* checksum fine but payload inconsistent */
    BLOB_E_TOOBIG = -8     /* payload larger than BLOB_MAX_PAYLOAD */
};

const char *blob_strerror(int status);
const char *blob_type_name(int type);

/* CRC-32 (reflected polynomial 0xEDB88320, init and final xor ~0): zlib's
 * crc32.  Chain calls by passing the previous result as crc (start with 0). */
uint32_t blob_crc32(uint32_t crc, const void *data, size_t len);

/* ---- writing ---------------------------------------------------------- */

struct blob_writer {
    unsigned char *buf;
    size_t len, cap;
    int failed; /* allocation failed; finish() reports it */
    uint16_t type, version;
};

/* Start a blob; reserves room for the header. Never fails (errors are
 * remembered and reported by blob_writer_finish). */
void blob_writer_init(struct blob_writer *w, enum blob_type type, uint16_t version);
void blob_put_u8(struct blob_writer *w, uint8_t v);
void blob_put_u16(struct blob_writer *w, uint16_t v);
void blob_put_u32(struct blob_writer *w, uint32_t v);
void blob_put_u64(struct blob_writer *w, uint64_t v);
void blob_put_i32(struct blob_writer *w, int32_t v);
void blob_put_f64(struct blob_writer *w, double v);
void blob_put_bytes(struct blob_writer *w, const void *p, size_t n);
void blob_put_str(struct blob_writer *w, const char *s);
/* Fill in the header and hand the buffer (malloc'd, free() it) to the caller.
 * Returns BLOB_OK or an error (the writer's memory is released either way). */
int blob_writer_finish(struct blob_writer *w, unsigned char **out, size_t *out_len, char *errstr,
                       size_t errstr_size);
void blob_writer_discard(struct blob_writer *w);

/* ---- reading ---------------------------------------------------------- */

struct blob_reader {
    const unsigned char *p; /* payload */
    size_t len, pos;
    int failed; /* a read ran past the end of the payload */
};

/* Read the header only: type and version of a blob (no checksum check). */
int blob_peek(const void *buf, size_t len, int *type, uint16_t *version);

/* Check the header (magic, type == expected_type, 1 <= version <=
 * max_version, length) and the payload checksum; on success set *version and
 * point r at the payload. */
int blob_open(const void *buf, size_t len, enum blob_type expected_type, uint16_t max_version,
              uint16_t *version, struct blob_reader *r, char *errstr, size_t errstr_size);

/* Getters return 0 and set r->failed once the payload is exhausted. */
uint8_t blob_get_u8(struct blob_reader *r);
uint16_t blob_get_u16(struct blob_reader *r);
uint32_t blob_get_u32(struct blob_reader *r);
uint64_t blob_get_u64(struct blob_reader *r);
int32_t blob_get_i32(struct blob_reader *r);
double blob_get_f64(struct blob_reader *r);
/* Pointer to the next n bytes of the payload (not copied) or NULL. */
const void *blob_get_bytes(struct blob_reader *r, size_t n);
/* A string as a new NUL-terminated malloc'd copy, or NULL (exhausted,
 * embedded NUL, or out of memory; r->failed is set in every case). */
char *blob_get_str(struct blob_reader *r);
/* Remaining bytes; a count read from the payload larger than this (divided by
 * the element size) is corrupt, whatever the checksum says. */
size_t blob_remaining(const struct blob_reader *r);
/* BLOB_OK if every read succeeded and the payload was consumed exactly,
 * else BLOB_E_FORMAT with a message. */
int blob_reader_finish(const struct blob_reader *r, const char *what, char *errstr,
                       size_t errstr_size);

#endif
