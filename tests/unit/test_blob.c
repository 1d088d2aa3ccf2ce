/* SPDX-License-Identifier: Apache-2.0 */
/* test-blob.c -- blob envelopes: checksums, truncation, corruption, versions. */
#include "config.h"

#include "blob.h"
#include "expect.h"

#include <stdlib.h>
#include <string.h>

static void test_crc(void)
{
    /* the standard check value of CRC-32/ISO-HDLC */
    EXPECT_TRUE(blob_crc32(0, "123456789", 9) == 0xCBF43926u);
    EXPECT_TRUE(blob_crc32(0, "", 0) == 0);
    /* chaining equals one pass */
    uint32_t a = blob_crc32(0, "12345", 5);
    EXPECT_TRUE(blob_crc32(a, "6789", 4) == 0xCBF43926u);
    /* an empty piece leaves a running CRC alone */
    EXPECT_TRUE(blob_crc32(a, NULL, 0) == a);
}

/* A blob written by the hand-written CRC-32 that blob.c had before it took
 * zlib's: a KMEANS blob, version 2, payload u32 0xDEADBEEF, f64 -0.1, str
 * "recut".  It must still open, and the current writer must produce the
 * same bytes, so that blobs stored in Redis by older builds keep reading. */
static const unsigned char old_blob[] = {
    0x52, 0x43, 0x4d, 0x42, 0x03, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x48,
    0xb0, 0x47, 0x00, 0xef, 0xbe, 0xad, 0xde, 0x9a, 0x99, 0x99, 0x99, 0x99, 0x99,
    0xb9, 0xbf, 0x05, 0x00, 0x00, 0x00, 0x72, 0x65, 0x63, 0x75, 0x74,
};

static void test_old_blob(void)
{
    struct blob_reader r;
    uint16_t ver;
    char err[256] = "";
    int rc = blob_open(old_blob, sizeof old_blob, BLOB_KMEANS, 2, &ver, &r, err, sizeof err);
    EXPECT(rc == BLOB_OK, "the stored blob no longer opens: %s", err);
    if (rc == BLOB_OK) {
        EXPECT_TRUE(ver == 2);
        EXPECT_TRUE(blob_get_u32(&r) == 0xDEADBEEFu);
        double d = blob_get_f64(&r);
        EXPECT_TRUE(memcmp(&d, &(double){ -0.1 }, sizeof d) == 0);
        char *s = blob_get_str(&r);
        EXPECT_TRUE(s && strcmp(s, "recut") == 0);
        free(s);
        EXPECT_TRUE(blob_reader_finish(&r, "old", err, sizeof err) == BLOB_OK);
    }
    /* the checksum field is the CRC of the payload */
    uint32_t stored = (uint32_t)old_blob[12] | (uint32_t)old_blob[13] << 8 |
                      (uint32_t)old_blob[14] << 16 | (uint32_t)old_blob[15] << 24;
    EXPECT_TRUE(blob_crc32(0, old_blob + BLOB_HEADER_SIZE, sizeof old_blob - BLOB_HEADER_SIZE) ==
                stored);
    /* and writing the same values gives the same bytes */
    struct blob_writer w;
    blob_writer_init(&w, BLOB_KMEANS, 2);
    blob_put_u32(&w, 0xDEADBEEFu);
    blob_put_f64(&w, -0.1);
    blob_put_str(&w, "recut");
    unsigned char *buf = NULL;
    size_t len = 0;
    EXPECT_TRUE(blob_writer_finish(&w, &buf, &len, err, sizeof err) == BLOB_OK);
    EXPECT_TRUE(buf && len == sizeof old_blob && memcmp(buf, old_blob, len) == 0);
    free(buf);
}

static void make_blob(unsigned char **buf, size_t *len, uint16_t version)
{
    struct blob_writer w;
    blob_writer_init(&w, BLOB_KMEANS, version);
    blob_put_u8(&w, 0xAB);
    blob_put_u16(&w, 0xBEEF);
    blob_put_u32(&w, 0xDEADBEEFu);
    blob_put_u64(&w, 0x0123456789ABCDEFull);
    blob_put_i32(&w, -42);
    blob_put_f64(&w, -0.1);
    blob_put_f64(&w, 1e308);
    blob_put_str(&w, "hello");
    char err[128];
    EXPECT_TRUE(blob_writer_finish(&w, buf, len, err, sizeof err) == BLOB_OK);
}

static void test_roundtrip(void)
{
    unsigned char *buf;
    size_t len;
    make_blob(&buf, &len, 3);
    EXPECT_TRUE(len == BLOB_HEADER_SIZE + 1 + 2 + 4 + 8 + 4 + 8 + 8 + 4 + 5);
    int type;
    uint16_t ver;
    EXPECT_TRUE(blob_peek(buf, len, &type, &ver) == BLOB_OK && type == BLOB_KMEANS && ver == 3);
    struct blob_reader r;
    char err[256];
    EXPECT_TRUE(blob_open(buf, len, BLOB_KMEANS, 3, &ver, &r, err, sizeof err) == BLOB_OK);
    EXPECT_TRUE(blob_get_u8(&r) == 0xAB);
    EXPECT_TRUE(blob_get_u16(&r) == 0xBEEF);
    EXPECT_TRUE(blob_get_u32(&r) == 0xDEADBEEFu);
    EXPECT_TRUE(blob_get_u64(&r) == 0x0123456789ABCDEFull);
    EXPECT_TRUE(blob_get_i32(&r) == -42);
    double d = blob_get_f64(&r);
    EXPECT_TRUE(memcmp(&d, &(double){ -0.1 }, sizeof d) == 0);
    EXPECT_TRUE(blob_get_f64(&r) == 1e308);
    char *s = blob_get_str(&r);
    EXPECT_TRUE(s && strcmp(s, "hello") == 0);
    free(s);
    EXPECT_TRUE(blob_reader_finish(&r, "test", err, sizeof err) == BLOB_OK);
    /* reading past the end fails and is reported */
    EXPECT_TRUE(blob_get_u32(&r) == 0 && r.failed);
    EXPECT_TRUE(blob_reader_finish(&r, "test", err, sizeof err) == BLOB_E_FORMAT);
    free(buf);
}

static void test_damage(void)
{
    unsigned char *buf;
    size_t len;
    make_blob(&buf, &len, 1);
    struct blob_reader r;
    uint16_t ver;
    char err[256];
    /* every truncation is an error, never a partial read */
    for (size_t n = 0; n < len; n++) {
        int rc = blob_open(buf, n, BLOB_KMEANS, 1, &ver, &r, err, sizeof err);
        EXPECT_TRUE(rc == BLOB_E_TRUNCATED);
    }
    EXPECT_TRUE(strstr(err, "truncated") != NULL);
    /* every single-bit flip is detected */
    int undetected = 0;
    for (size_t i = 0; i < len; i++)
        for (int bit = 0; bit < 8; bit++) {
            buf[i] ^= (unsigned char)(1u << bit);
            int rc = blob_open(buf, len, BLOB_KMEANS, 1, &ver, &r, err, sizeof err);
            if (rc == BLOB_OK)
                undetected++;
            buf[i] ^= (unsigned char)(1u << bit);
        }
    EXPECT_TRUE(undetected == 0);
    /* specific header damage gives specific errors */
    buf[0] = 'X';
    EXPECT_TRUE(blob_open(buf, len, BLOB_KMEANS, 1, &ver, &r, err, sizeof err) == BLOB_E_MAGIC);
    buf[0] = 'R';
    EXPECT_TRUE(blob_open(buf, len, BLOB_NB, 1, &ver, &r, err, sizeof err) == BLOB_E_TYPE);
    buf[BLOB_HEADER_SIZE + 3] ^= 0x10;
    EXPECT_TRUE(blob_open(buf, len, BLOB_KMEANS, 1, &ver, &r, err, sizeof err) == BLOB_E_CRC);
    EXPECT_TRUE(strstr(err, "checksum") != NULL);
    buf[BLOB_HEADER_SIZE + 3] ^= 0x10;
    /* trailing garbage */
    unsigned char *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 0;
    EXPECT_TRUE(blob_open(longer, len + 1, BLOB_KMEANS, 1, &ver, &r, err, sizeof err) ==
                BLOB_E_FORMAT);
    free(longer);
    EXPECT_TRUE(blob_open(buf, len, BLOB_KMEANS, 1, &ver, &r, err, sizeof err) == BLOB_OK);
    EXPECT_TRUE(blob_open(NULL, 0, BLOB_KMEANS, 1, &ver, &r, err, sizeof err) == BLOB_E_TRUNCATED);
    free(buf);
}

static void test_versions(void)
{
    unsigned char *buf;
    size_t len;
    struct blob_reader r;
    uint16_t ver = 0;
    char err[256];
    make_blob(&buf, &len, 2);
    /* a reader that knows up to version 1 refuses version 2 ... */
    EXPECT_TRUE(blob_open(buf, len, BLOB_KMEANS, 1, &ver, &r, err, sizeof err) == BLOB_E_VERSION);
    EXPECT_TRUE(strstr(err, "version 2") != NULL);
    /* ... one that knows version 3 accepts it and is told it is version 2 */
    EXPECT_TRUE(blob_open(buf, len, BLOB_KMEANS, 3, &ver, &r, err, sizeof err) == BLOB_OK &&
                ver == 2);
    free(buf);
    make_blob(&buf, &len, 0); /* version 0 never exists */
    EXPECT_TRUE(blob_open(buf, len, BLOB_KMEANS, 3, &ver, &r, err, sizeof err) == BLOB_E_VERSION);
    free(buf);
}

static void test_strings(void)
{
    struct blob_writer w;
    unsigned char *buf;
    size_t len;
    blob_writer_init(&w, BLOB_NB, 1);
    blob_put_u32(&w, 3);
    blob_put_bytes(&w, "a\0b", 3); /* embedded NUL is refused on read */
    EXPECT_TRUE(blob_writer_finish(&w, &buf, &len, NULL, 0) == BLOB_OK);
    struct blob_reader r;
    uint16_t ver;
    EXPECT_TRUE(blob_open(buf, len, BLOB_NB, 1, &ver, &r, NULL, 0) == BLOB_OK);
    EXPECT_TRUE(blob_get_str(&r) == NULL && r.failed);
    free(buf);
    /* a string length larger than the payload */
    blob_writer_init(&w, BLOB_NB, 1);
    blob_put_u32(&w, 1000);
    blob_put_bytes(&w, "abc", 3);
    EXPECT_TRUE(blob_writer_finish(&w, &buf, &len, NULL, 0) == BLOB_OK);
    EXPECT_TRUE(blob_open(buf, len, BLOB_NB, 1, &ver, &r, NULL, 0) == BLOB_OK);
    EXPECT_TRUE(blob_get_str(&r) == NULL && r.failed);
    free(buf);
}

int main(void)
{
    test_crc();
    test_old_blob();
    test_roundtrip();
    test_damage();
    test_versions();
    test_strings();
    return expect_report();
}
