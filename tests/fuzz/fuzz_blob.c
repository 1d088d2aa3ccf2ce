/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_blob.c -- libFuzzer harness for every blob reader.
 *
 * Models are stored in Redis as checksummed, versioned blobs, and a damaged
 * or hostile value must be refused with a reason, never trusted.  The
 * checksum stops most random bytes at the door, so the harness also
 * re-seals its input: with the first byte's low bit set, the payload gets a
 * valid header and CRC, which lets the fuzzer reach each model's own
 * decoder.  The rest of the first byte chooses the reader. */
#include "config.h"
#include "blob.h"
#include "emotion.h"
#include "fa.h"
#include "kmeans.h"
#include "nb.h"
#include "svm_viewer.h"
#include "viewer_blob.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const enum blob_type fuzz_blob_types[] = { BLOB_NB,      BLOB_KMEANS,     BLOB_FA,
                                                  BLOB_EMOTION, BLOB_SVM_VIEWER, BLOB_VIEWER };
#define FUZZ_BLOB_N (sizeof fuzz_blob_types / sizeof fuzz_blob_types[0])

static void fuzz_blob_read(unsigned which, const void *buf, size_t len)
{
    char err[256];
    switch (which) {
    case 0: {
        nb_model *m = nb_deserialize(buf, len, err, sizeof err);
        nb_free(m);
        break;
    }
    case 1: {
        kmeans_model *m = kmeans_deserialize(buf, len, err, sizeof err);
        kmeans_free(m);
        break;
    }
    case 2: {
        fa_model *m = fa_deserialize(buf, len, err, sizeof err);
        fa_free(m);
        break;
    }
    case 3: {
        struct emotion_state st;
        (void)emotion_deserialize(buf, len, &st, err, sizeof err);
        break;
    }
    case 5: {
        recut_viewer v;
        viewer_init(&v, "fuzz", 1);
        int64_t ts;
        (void)viewer_blob_decode(buf, len, &v, &ts, NULL, NULL, err, sizeof err);
        viewer_free(&v);
        break;
    }
    default: {
        svmv_model *m = NULL;
        if (svmv_deserialize(buf, len, &m, err, sizeof err) == 0)
            svmv_free(m);
        break;
    }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned which = (unsigned)(data[0] >> 1) % FUZZ_BLOB_N;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    if (!(data[0] & 1)) {
        fuzz_blob_read(which, p, n); /* raw bytes, as read from Redis */
        return 0;
    }
    /* re-sealed: a valid envelope of the chosen type around the payload;
     * the payload's first two bytes choose the version */
    uint16_t version = n >= 2 ? (uint16_t)(p[0] | (p[1] << 8)) % 4 : 1;
    struct blob_writer w;
    blob_writer_init(&w, fuzz_blob_types[which], version);
    blob_put_bytes(&w, n >= 2 ? p + 2 : p, n >= 2 ? n - 2 : n);
    unsigned char *buf = NULL;
    size_t len = 0;
    char err[256];
    if (blob_writer_finish(&w, &buf, &len, err, sizeof err) != 0)
        return 0;
    fuzz_blob_read(which, buf, len);
    free(buf);
    return 0;
}
