/* SPDX-License-Identifier: Apache-2.0 */
/* viewer_blob.c -- a viewer's state as one blob (see viewer_blob.h).
 *
 * The writer runs on every write of a changed viewer, so it does no
 * formatting: varints and the decimal form of a number are a few integer
 * operations each.  The reader trusts nothing: every count is checked
 * against the bytes left, every string is bounded, and a blob that does
 * not decode to the end is refused whole. */
#include "config.h"

#include "viewer_blob.h"
#include "blob.h"
#include "errbuf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double viewer_blob_pow10[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };

static void vb_put_uv(struct blob_writer *w, uint64_t v)
{
    unsigned char b[10];
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (unsigned char)v;
    blob_put_bytes(w, b, n);
}

static uint64_t vb_zz(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t vb_unzz(uint64_t u)
{
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static void vb_put_str(struct blob_writer *w, const char *s, size_t len)
{
    vb_put_uv(w, len);
    blob_put_bytes(w, s, len);
}

/* The decimal k / 10^d for the fewest places d that give v back exactly
 * (|k| below 2^50), else the double's bits. */
static void vb_put_num(struct blob_writer *w, double v)
{
    double av = fabs(v);
    if (av < 1e9) {
        for (int d = 0; d <= 6; d++) {
            double k = nearbyint(v * viewer_blob_pow10[d]);
            if (fabs(k) < 1125899906842624.0 && k / viewer_blob_pow10[d] == v &&
                !(k == 0 && signbit(v))) {
                vb_put_uv(w, vb_zz((int64_t)k) << 3 | (uint64_t)d);
                return;
            }
        }
    }
    vb_put_uv(w, 7);
    blob_put_f64(w, v);
}

static void vb_put_map(struct blob_writer *w, const struct strmap *m)
{
    vb_put_uv(w, m->len);
    struct strmap_entry *e;
    for (size_t i = 0; (e = strmap_next(m, &i));) {
        vb_put_str(w, e->key, e->len);
        vb_put_num(w, e->num);
    }
}

int viewer_blob_encode(const recut_viewer *v, int64_t last_ts, const struct viewer_blob_ids *ids,
                       unsigned char **out, size_t *out_len, char *errstr, size_t errstr_size)
{
    struct blob_writer w;
    blob_writer_init(&w, BLOB_VIEWER, VIEWER_BLOB_VERSION);
    vb_put_uv(&w, v->events < 0 ? 0 : (uint64_t)v->events);
    vb_put_uv(&w, vb_zz(last_ts));
    blob_put_u8(&w, v->consent ? 1 : 0);
    vb_put_map(&w, &v->nb);
    vb_put_map(&w, &v->seen);
    vb_put_map(&w, &v->scenes);
    vb_put_uv(&w, v->n_hist);
    for (size_t i = 0; i < v->n_hist; i++)
        vb_put_str(&w, v->hist[i], strlen(v->hist[i]));
    size_t n_ids = ids ? ids->n : 0;
    vb_put_uv(&w, n_ids);
    int64_t prev = 0;
    for (size_t i = 0; i < n_ids; i++) {
        int64_t ts = 0;
        const char *id = ids->id_at(ids->ctx, i, &ts);
        vb_put_str(&w, id, strlen(id));
        vb_put_uv(&w, vb_zz((int64_t)((uint64_t)ts - (uint64_t)prev)));
        prev = ts;
    }
    return blob_writer_finish(&w, out, out_len, errstr, errstr_size) == BLOB_OK ? 0 : -1;
}

/* ---- reading ---------------------------------------------------------------- */
static uint64_t vb_get_uv(struct blob_reader *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        const unsigned char *b = blob_get_bytes(r, 1);
        if (!b)
            return 0;
        v |= (uint64_t)(*b & 0x7f) << shift;
        if (!(*b & 0x80))
            return v;
    }
    r->failed = 1; /* more than ten bytes */
    return 0;
}

/* A string of the payload (not terminated), NULL if it runs past it. */
static const char *vb_get_str(struct blob_reader *r, size_t *len)
{
    uint64_t n = vb_get_uv(r);
    if (n > blob_remaining(r)) {
        r->failed = 1;
        return NULL;
    }
    *len = (size_t)n;
    return blob_get_bytes(r, (size_t)n);
}

static double vb_get_num(struct blob_reader *r)
{
    uint64_t h = vb_get_uv(r);
    unsigned d = (unsigned)(h & 7);
    if (d == 7)
        return blob_get_f64(r);
    return (double)vb_unzz(h >> 3) / viewer_blob_pow10[d];
}

/* A count of items of at least min_bytes each: more than the bytes left
 * is damage, whatever the checksum said. */
static size_t vb_get_count(struct blob_reader *r, size_t min_bytes)
{
    uint64_t n = vb_get_uv(r);
    if (n > blob_remaining(r) / min_bytes) {
        r->failed = 1;
        return 0;
    }
    return (size_t)n;
}

static int vb_get_map(struct blob_reader *r, struct strmap *m)
{
    size_t n = vb_get_count(r, 2);
    for (size_t i = 0; i < n && !r->failed; i++) {
        size_t len = 0;
        const char *k = vb_get_str(r, &len);
        double val = vb_get_num(r);
        if (!k || r->failed)
            break;
        if (memchr(k, 0, len)) {
            r->failed = 1;
            break;
        }
        struct strmap_entry *e = strmap_putn(m, k, len);
        if (!e)
            return -1;
        e->num = val;
    }
    return 0;
}

int viewer_blob_decode(const void *buf, size_t len, recut_viewer *v, int64_t *last_ts,
                       int (*on_id)(void *ctx, const char *id, size_t len, int64_t ts), void *ctx,
                       char *errstr, size_t errstr_size)
{
    struct blob_reader r;
    uint16_t version = 0;
    if (blob_open(buf, len, BLOB_VIEWER, VIEWER_BLOB_VERSION, &version, &r, errstr, errstr_size) !=
        BLOB_OK)
        return -1;
    uint64_t events = vb_get_uv(&r);
    int64_t ts = vb_unzz(vb_get_uv(&r));
    uint8_t consent = blob_get_u8(&r);
    if (events > INT64_MAX || consent > 1)
        r.failed = 1;
    v->events = (long long)events;
    v->consent = consent;
    if (last_ts)
        *last_ts = ts;
    int oom = 0;
    oom |= vb_get_map(&r, &v->nb);
    oom |= vb_get_map(&r, &v->seen);
    oom |= vb_get_map(&r, &v->scenes);
    size_t n_hist = vb_get_count(&r, 1);
    char tmp[VEVENT_ID_MAX + 1];
    for (size_t i = 0; i < n_hist && !r.failed && !oom; i++) {
        size_t l = 0;
        const char *m = vb_get_str(&r, &l);
        if (!m || l == 0 || l > VEVENT_ID_MAX || memchr(m, 0, l)) {
            r.failed = 1;
            break;
        }
        memcpy(tmp, m, l);
        tmp[l] = '\0';
        if (viewer_push_hist(v, tmp, 1) < 0)
            oom = 1;
    }
    size_t n_ids = vb_get_count(&r, 2);
    int64_t prev = 0;
    for (size_t i = 0; i < n_ids && !r.failed && !oom; i++) {
        size_t l = 0;
        const char *id = vb_get_str(&r, &l);
        int64_t at = (int64_t)((uint64_t)prev + (uint64_t)vb_unzz(vb_get_uv(&r)));
        if (!id || r.failed || l == 0 || l > VEVENT_ID_MAX || memchr(id, 0, l)) {
            r.failed = 1;
            break;
        }
        prev = at;
        memcpy(tmp, id, l);
        tmp[l] = '\0';
        if (on_id && on_id(ctx, tmp, l, at) != 0)
            oom = 1;
    }
    if (oom) {
        errbuf_printf(errstr, errstr_size, "viewer blob: out of memory");
        return -2;
    }
    return blob_reader_finish(&r, "viewer", errstr, errstr_size) == BLOB_OK ? 0 : -1;
}
