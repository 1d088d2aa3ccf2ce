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
/* The decimal k / 10^d for the fewest places d that give v back exactly,
 * else the double's bits.  A v that is such a decimal for some d <= 6 is
 * one for d = 6 (k * 10^(6-d)), so one multiplication rejects the others;
 * the trailing zeros of k are the places to drop. */
static void vb_put_num(struct blob_writer *w, double v)
{
    if (fabs(v) < 1e9) {
        double k6 = nearbyint(v * 1e6);
        if (k6 / 1e6 == v && !(k6 == 0 && signbit(v))) {
            int64_t k = (int64_t)k6;
            int d = 6;
            while (d > 0 && k % 10 == 0) {
                k /= 10;
                d--;
            }
            if ((double)k / viewer_blob_pow10[d] == v) {
                vb_put_uv(w, vb_zz(k) << 3 | (uint64_t)d);
                return;
            }
        }
    }
    vb_put_uv(w, 7);
    blob_put_f64(w, v);
}

static int vb_key_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al > bl) - (al < bl);
}

static int vb_entry_cmp(const void *a, const void *b)
{
    const struct strmap_entry *x = *(const struct strmap_entry *const *)a;
    const struct strmap_entry *y = *(const struct strmap_entry *const *)b;
    return vb_key_cmp(x->key, x->len, y->key, y->len);
}

static size_t vb_shared(const char *a, size_t al, const char *b, size_t bl)
{
    size_t n = al < bl ? al : bl, i = 0;
    while (i < n && a[i] == b[i])
        i++;
    return i;
}

/* A key as the bytes it shares with the one before and the rest. */
static void vb_put_key(struct blob_writer *w, const char *prev, size_t prev_len, const char *k,
                       size_t len)
{
    size_t sh = vb_shared(prev, prev_len, k, len);
    vb_put_uv(w, sh);
    vb_put_str(w, k + sh, len - sh);
}

/* Where key is in o (sorted), or where it would go (*found 0). */
static size_t vb_order_find(const struct viewer_blob_order *o, const char *key, size_t len,
                            int *found)
{
    size_t lo = 0, hi = o->n;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = vb_key_cmp(o->key[mid], o->len[mid], key, len);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int vb_order_grow(struct viewer_blob_order *o, size_t n)
{
    if (n <= o->cap)
        return 0;
    size_t nc = o->cap ? o->cap : 16;
    while (nc < n)
        nc *= 2;
    const char **k = realloc(o->key, nc * sizeof *k);
    if (!k)
        return -1;
    o->key = k;
    uint32_t *l = realloc(o->len, nc * sizeof *l);
    if (!l)
        return -1;
    o->len = l;
    const struct strmap_entry **e = realloc(o->ent, nc * sizeof *e);
    if (!e)
        return -1;
    o->ent = e;
    o->cap = nc;
    return 0;
}

int viewer_blob_note(struct viewer_blob_cache *c, char which, const char *key, size_t len)
{
    struct viewer_blob_order *o = &c->map[which == 'N' ? 0 : which == 'S' ? 1 : 2];
    int found;
    size_t at = vb_order_find(o, key, len, &found);
    if (found)
        return 0;
    if (vb_order_grow(o, o->n + 1) < 0) {
        o->n = 0; /* sorted again at the next write */
        return -1;
    }
    memmove(o->key + at + 1, o->key + at, (o->n - at) * sizeof *o->key);
    memmove(o->len + at + 1, o->len + at, (o->n - at) * sizeof *o->len);
    memmove(o->ent + at + 1, o->ent + at, (o->n - at) * sizeof *o->ent);
    o->key[at] = key;
    o->len[at] = (uint32_t)len;
    o->ent[at] = NULL; /* looked up at the write */
    o->n++;
    return 0;
}

void viewer_blob_cache_reset(struct viewer_blob_cache *c)
{
    for (int i = 0; i < 3; i++)
        c->map[i].n = 0;
}

void viewer_blob_cache_free(struct viewer_blob_cache *c)
{
    for (int i = 0; i < 3; i++) {
        free(c->map[i].key);
        free(c->map[i].len);
        free(c->map[i].ent);
    }
    memset(c, 0, sizeof *c);
}

/* o := m's keys, sorted. */
static int vb_order_sort(struct viewer_blob_order *o, const struct strmap *m)
{
    o->n = 0;
    if (m->len == 0)
        return 0;
    struct strmap_entry **e = malloc(m->len * sizeof *e);
    if (!e || vb_order_grow(o, m->len) < 0) {
        free(e);
        return -1;
    }
    size_t n = 0;
    struct strmap_entry *x;
    for (size_t i = 0; n < m->len && (x = strmap_next(m, &i));)
        e[n++] = x;
    qsort(e, n, sizeof *e, vb_entry_cmp);
    for (size_t i = 0; i < n; i++) {
        o->key[i] = e[i]->key;
        o->len[i] = e[i]->len;
        o->ent[i] = e[i];
    }
    o->n = n;
    free(e);
    return 0;
}

/* m's entries in the order of o (kept by the writer: valid if it holds as
 * many keys as m, each of them m's; else sorted again), each key
 * front-coded against the one before.  -1 out of memory. */
static int vb_put_map(struct blob_writer *w, const struct strmap *m, struct viewer_blob_order *o)
{
    vb_put_uv(w, m->len);
    size_t start = w->len;
    for (int pass = 0; pass < 2; pass++) {
        if (o->n != m->len || pass == 1) {
            w->len = start;
            if (vb_order_sort(o, m) < 0)
                return -1;
        }
        /* the entries are where they were unless the map grew since */
        int same = o->slots == (const void *)m->slots && o->slots_cap == m->cap;
        size_t i = 0;
        for (; i < o->n; i++) {
            const struct strmap_entry *e = o->ent[i];
            if (!same || !e || e->key != o->key[i])
                e = o->ent[i] = strmap_getn(m, o->key[i], o->len[i]);
            if (!e || o->len[i] > VIEWER_BLOB_KEY_MAX)
                break;
            o->key[i] = e->key; /* (the map's copy) */
            vb_put_key(w, i ? o->key[i - 1] : "", i ? o->len[i - 1] : 0, e->key, e->len);
            vb_put_num(w, e->num);
        }
        if (i == o->n) {
            o->slots = m->slots;
            o->slots_cap = m->cap;
            return 0;
        }
        if (o->len[i] > VIEWER_BLOB_KEY_MAX)
            return -1;
    }
    return -1;
}

int viewer_blob_encode(const recut_viewer *v, int64_t last_ts, const struct viewer_blob_ids *ids,
                       struct viewer_blob_cache *cache, unsigned char **out, size_t *out_len,
                       char *errstr, size_t errstr_size)
{
    struct viewer_blob_cache tmp = { 0 };
    struct viewer_blob_cache *c = cache ? cache : &tmp;
    struct blob_writer w;
    blob_writer_init(&w, BLOB_VIEWER, VIEWER_BLOB_VERSION);
    vb_put_uv(&w, v->events < 0 ? 0 : (uint64_t)v->events);
    vb_put_uv(&w, vb_zz(last_ts));
    blob_put_u8(&w, v->consent ? 1 : 0);
    int oom = vb_put_map(&w, &v->nb, &c->map[0]) | vb_put_map(&w, &v->seen, &c->map[1]) |
              vb_put_map(&w, &v->scenes, &c->map[2]);
    /* the history: movies seen, by their place among the seen keys */
    vb_put_uv(&w, v->n_hist);
    for (size_t i = 0; i < v->n_hist && !oom; i++) {
        int found;
        size_t len = strlen(v->hist[i]);
        size_t at = vb_order_find(&c->map[1], v->hist[i], len, &found);
        vb_put_uv(&w, found ? (uint64_t)at + 1 : 0);
        if (!found)
            vb_put_str(&w, v->hist[i], len);
    }
    viewer_blob_cache_free(&tmp);
    size_t n_ids = ids ? ids->n : 0;
    vb_put_uv(&w, n_ids);
    int64_t prev = 0;
    const char *prev_id = "";
    size_t prev_len = 0;
    for (size_t i = 0; i < n_ids; i++) {
        int64_t ts = 0;
        const char *id = ids->id_at(ids->ctx, i, &ts);
        size_t len = strlen(id);
        vb_put_key(&w, prev_id, prev_len, id, len);
        vb_put_uv(&w, vb_zz((int64_t)((uint64_t)ts - (uint64_t)prev)));
        prev = ts;
        prev_id = id;
        prev_len = len;
    }
    if (oom) {
        blob_writer_discard(&w);
        errbuf_printf(errstr, errstr_size, "viewer blob: out of memory");
        return -1;
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

/* A front-coded key into key (VIEWER_BLOB_KEY_MAX + 1 bytes, holding the
 * one before, *len long), NUL-terminated; 0, or -1 (r->failed) if it does
 * not fit, holds a NUL or is empty. */
static int vb_get_key(struct blob_reader *r, char *key, size_t *len)
{
    uint64_t sh = vb_get_uv(r);
    size_t n = 0;
    const char *rest = vb_get_str(r, &n);
    if (!rest || sh > *len || n > VIEWER_BLOB_KEY_MAX - sh || sh + n == 0 || memchr(rest, 0, n)) {
        r->failed = 1;
        return -1;
    }
    memcpy(key + sh, rest, n);
    *len = (size_t)sh + n;
    key[*len] = '\0';
    return 0;
}

/* A map into m; with keys, its keys in order (borrowed from m). */
static int vb_get_map(struct blob_reader *r, struct strmap *m, const char ***keys, size_t *n_keys)
{
    size_t n = vb_get_count(r, 3);
    char key[VIEWER_BLOB_KEY_MAX + 1];
    size_t len = 0;
    if (keys && n && !(*keys = malloc(n * sizeof **keys)))
        return -1;
    for (size_t i = 0; i < n && !r->failed; i++) {
        if (vb_get_key(r, key, &len) < 0)
            break;
        double val = vb_get_num(r);
        if (r->failed)
            break;
        struct strmap_entry *e = strmap_putn(m, key, len);
        if (!e)
            return -1;
        e->num = val;
        if (keys)
            (*keys)[(*n_keys)++] = e->key;
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
    const char **seen = NULL;
    size_t n_seen = 0;
    int oom = vb_get_map(&r, &v->nb, NULL, NULL) | vb_get_map(&r, &v->seen, &seen, &n_seen) |
              vb_get_map(&r, &v->scenes, NULL, NULL);
    size_t n_hist = vb_get_count(&r, 1);
    char tmp[VIEWER_BLOB_KEY_MAX + 1];
    for (size_t i = 0; i < n_hist && !r.failed && !oom; i++) {
        uint64_t ref = vb_get_uv(&r);
        const char *m = NULL;
        if (ref > n_seen) {
            r.failed = 1;
        } else if (ref) {
            m = seen[ref - 1];
        } else {
            size_t l = 0;
            const char *p = vb_get_str(&r, &l);
            if (!p || l == 0 || l > VEVENT_ID_MAX || memchr(p, 0, l)) {
                r.failed = 1;
            } else {
                memcpy(tmp, p, l);
                tmp[l] = '\0';
                m = tmp;
            }
        }
        if (m && viewer_push_hist(v, m, 1) < 0)
            oom = 1;
    }
    free(seen);
    size_t n_ids = vb_get_count(&r, 3);
    int64_t prev = 0;
    size_t id_len = 0;
    for (size_t i = 0; i < n_ids && !r.failed && !oom; i++) {
        if (vb_get_key(&r, tmp, &id_len) < 0)
            break;
        int64_t at = (int64_t)((uint64_t)prev + (uint64_t)vb_unzz(vb_get_uv(&r)));
        if (r.failed || id_len > VEVENT_ID_MAX) {
            r.failed = 1;
            break;
        }
        prev = at;
        if (on_id && on_id(ctx, tmp, id_len, at) != 0)
            oom = 1;
    }
    if (oom) {
        errbuf_printf(errstr, errstr_size, "viewer blob: out of memory");
        return -2;
    }
    return blob_reader_finish(&r, "viewer", errstr, errstr_size) == BLOB_OK ? 0 : -1;
}
