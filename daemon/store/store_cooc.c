/* SPDX-License-Identifier: Apache-2.0 */
/* store_cooc.c -- the item-to-item co-occurrence counts in Redis, stored as
 * a log-structured pair of keys per movie M (both in hash slot {i:M}):
 *
 *   PREFIX:{i:M}:co    the compacted row: a model blob (models/blob.h, type
 *                      BLOB_COOC) holding a generation number and every
 *                      partner's count;
 *   PREFIX:{i:M}:col   the log: records appended by every instance's folds
 *                      since the last compaction.
 *
 * A record is [u8 id length][id][u32 count, little endian].  A fold
 * (store_outbox.c) appends once per movie all its partners' summed deltas,
 * so Redis does O(1) work per movie and fold instead of one HINCRBY per
 * pair.  A reader
 * gets row and log in one script (atomically) and sums them.  When a log
 * grows past its row's size (and at least [redis] cooc_log_max bytes), the
 * instance that appended compacts it: it reads row and log, merges them in
 * memory and writes the new row while trimming the merged prefix of the log,
 * in a script that refuses if the row changed meanwhile (its header and
 * generation are compared, or a corrupt row's first bytes), so two
 * instances never both fold the same log.
 *
 * Rows written as Redis hashes by earlier versions (partner -> count) are
 * read as such and replaced by a blob at their first compaction. */
#include "config.h"
#include "store-internal.h"
#include "store_lua.h"
#include "blob.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STORE_COOC_VERSION 1
#define STORE_COOC_PREFIX (BLOB_HEADER_SIZE + 8) /* header + generation */

static struct log_ratelimit store_cooc_rl = LOG_RATELIMIT_INIT(10, 5);

/* ---- the record format ----------------------------------------------------- */
static void store_cooc_put_record(struct strbuf *b, const char *id, size_t len, uint32_t n)
{
    if (len > 255)
        len = 255; /* ids are at most VEVENT_ID_MAX (128) bytes */
    unsigned char rec[1 + 255 + 4];
    rec[0] = (unsigned char)len;
    memcpy(rec + 1, id, len);
    unsigned char *o = rec + 1 + len;
    o[0] = (unsigned char)n;
    o[1] = (unsigned char)(n >> 8);
    o[2] = (unsigned char)(n >> 16);
    o[3] = (unsigned char)(n >> 24);
    strbuf_append(b, rec, 1 + len + 4);
}

static void store_cooc_add(struct strmap *m, const char *id, size_t len, double n)
{
    struct strmap_entry *e = strmap_putn(m, id, len);
    if (e)
        e->num += n;
}

/* Sum the records of buf[0..len) into m (NULL: only count them); returns
 * the bytes of whole records, their number in *n_records if given. */
static size_t store_cooc_sum_records(struct strmap *m, const unsigned char *p, size_t len,
                                     size_t *n_records)
{
    size_t pos = 0, n_rec = 0;
    while (pos < len) {
        size_t l = p[pos];
        if (pos + 1 + l + 4 > len)
            break; /* a partial record: never written by APPEND, but be safe */
        const unsigned char *c = p + pos + 1 + l;
        uint32_t n =
            (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
        if (m)
            store_cooc_add(m, (const char *)p + pos + 1, l, n);
        pos += 1 + l + 4;
        n_rec++;
    }
    if (n_records)
        *n_records = n_rec;
    return pos;
}

/* Sum a row blob into m.  0, or -1 (corrupt: nothing added) with errstr. */
static int store_cooc_sum_row(struct strmap *m, const void *buf, size_t len, uint64_t *gen,
                              char *errstr, size_t errstr_size)
{
    uint16_t version;
    struct blob_reader r;
    int rc = blob_open(buf, len, BLOB_COOC, STORE_COOC_VERSION, &version, &r, errstr, errstr_size);
    if (rc != BLOB_OK)
        return -1;
    uint64_t g = blob_get_u64(&r);
    uint32_t n = blob_get_u32(&r);
    size_t rest = blob_remaining(&r);
    const unsigned char *p = blob_get_bytes(&r, rest);
    if (r.failed || (size_t)n > rest / 5) {
        snprintf(errstr, errstr_size, "co-occurrence row: inconsistent payload");
        return -1;
    }
    /* check the whole row before adding any of it */
    size_t n_rec;
    if (store_cooc_sum_records(NULL, p, rest, &n_rec) != rest || n_rec != n) {
        snprintf(errstr, errstr_size, "co-occurrence row: inconsistent payload");
        return -1;
    }
    store_cooc_sum_records(m, p, rest, NULL);
    if (gen)
        *gen = g;
    return 0;
}

int store_cooc_parse(const redisReply *r, const char *movie, struct strmap *m,
                     struct store_cooc_state *st)
{
    struct store_cooc_state dummy;
    if (!st)
        st = &dummy;
    memset(st, 0, sizeof *st);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2)
        return -1;
    const redisReply *row = r->element[0], *log = r->element[1];
    int rc = 0;
    if (row->type == REDIS_REPLY_ARRAY) {
        /* a row as a hash, from before blobs */
        for (size_t i = 0; i + 1 < row->elements; i += 2)
            if (row->element[i]->str && row->element[i + 1]->str)
                store_cooc_add(m, row->element[i]->str, row->element[i]->len,
                               strtod(row->element[i + 1]->str, NULL));
    } else if (row->type == REDIS_REPLY_STRING) {
        char err[256];
        if (store_cooc_sum_row(m, row->str, row->len, &st->gen, err, sizeof err) < 0) {
            log_limited(&store_cooc_rl, LOG_LVL_ERR,
                        "redis: co-occurrence of %s unreadable (%s): counted from its log only",
                        movie, err);
            metrics_inc(M_COOC_BAD_ROWS, 1);
            st->bad = 1;
            rc = -1;
        }
        /* a corrupt row's first bytes too: a compaction must know whether
         * another instance replaced it meanwhile */
        st->prefix_len = row->len < STORE_COOC_PREFIX ? row->len : STORE_COOC_PREFIX;
        memcpy(st->prefix, row->str, st->prefix_len);
    }
    if (log->type == REDIS_REPLY_STRING)
        st->log_used = store_cooc_sum_records(m, (const unsigned char *)log->str, log->len, NULL);
    return rc;
}

/* ---- compaction -------------------------------------------------------------- */
/* The row's and the log's key. */
static void store_cooc_keys(const struct store *s, const char *movie, char key[512], char lkey[512])
{
    snprintf(key, 512, "%s:{i:%s}:co", s->d->cfg.redis_prefix, movie);
    snprintf(lkey, 512, "%s:{i:%s}:col", s->d->cfg.redis_prefix, movie);
}

struct store_cooc_job {
    struct store *s;
    char movie[VEVENT_ID_MAX + 1];
};

static void store_cooc_job_end(struct store *s, struct store_cooc_job *j)
{
    strmap_del(&s->cooc_compacting, j->movie, NULL);
    free(j);
}

static void store_cooc_compacted_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store *s = ac->data;
    struct store_cooc_job *j = priv;
    redisReply *r = reply;
    store_replied(s);
    if (!r || r->type == REDIS_REPLY_ERROR) {
        if (r)
            log_limited(&store_cooc_rl, LOG_LVL_ERR,
                        "redis: compacting the co-occurrence of %s: %s", j->movie, r->str);
    } else if (r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
        metrics_inc(M_COOC_COMPACTIONS, 1);
    }
    /* 0: another instance compacted the row first; its log will call again */
    store_cooc_job_end(s, j);
}

static int store_cooc_encode(const struct strmap *m, uint64_t gen, unsigned char **out,
                             size_t *out_len)
{
    struct strbuf *rec = strbuf_new();
    size_t it = 0;
    struct strmap_entry *e;
    uint32_t n = 0;
    while ((e = strmap_next(m, &it))) {
        double v = e->num;
        if (!(v > 0))
            continue;
        store_cooc_put_record(rec, e->key, e->len, v >= 4294967295.0 ? 4294967295u : (uint32_t)v);
        n++;
    }
    struct blob_writer w;
    blob_writer_init(&w, BLOB_COOC, STORE_COOC_VERSION);
    blob_put_u64(&w, gen);
    blob_put_u32(&w, n);
    blob_put_bytes(&w, strbuf_data(rec), strbuf_len(rec));
    if (strbuf_failed(rec))
        w.failed = 1;
    strbuf_free(rec);
    char err[128];
    return blob_writer_finish(&w, out, out_len, err, sizeof err) == BLOB_OK ? 0 : -1;
}

static void store_cooc_read_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store *s = ac->data;
    struct store_cooc_job *j = priv;
    redisReply *r = reply;
    store_replied(s);
    struct strmap m;
    strmap_init(&m);
    struct store_cooc_state st;
    if (!r || r->type == REDIS_REPLY_ERROR) {
        if (r)
            log_limited(&store_cooc_rl, LOG_LVL_ERR, "redis: reading the co-occurrence of %s: %s",
                        j->movie, r->str);
        goto done;
    }
    store_cooc_parse(r, j->movie, &m, &st);
    if (st.log_used == 0)
        goto done;
    unsigned char *blob;
    size_t blen;
    if (store_cooc_encode(&m, st.gen + 1, &blob, &blen) < 0)
        goto done;
    struct strmap_entry *rl = strmap_put(&s->cooc_rowlen, j->movie);
    if (rl)
        rl->num = (double)blen;
    char key[512], lkey[512];
    store_cooc_keys(s, j->movie, key, lkey);
    struct store_args a = { 0 };
    store_args_add(&a, "EVALSHA");
    store_args_add(&a, s->shas[STORE_LUA_COOC_COMPACT]);
    store_args_add(&a, "2");
    store_args_add(&a, key);
    store_args_add(&a, lkey);
    store_args_addn(&a, (const char *)blob, blen);
    /* the row we merged: its header and generation (a corrupt row's first
     * bytes), "" if absent or a hash */
    store_args_addn(&a, (const char *)st.prefix, st.prefix_len);
    store_args_addf(&a, "%zu", st.log_used);
    free(blob);
    int rc = store_send_args(s, store_cooc_compacted_cb, j, &a);
    store_args_free(&a);
    strmap_clear(&m, NULL);
    if (rc < 0)
        store_cooc_job_end(s, j);
    return;
done:
    strmap_clear(&m, NULL);
    store_cooc_job_end(s, j);
}

static void store_cooc_compact(struct store *s, const char *movie)
{
    struct strmap_entry *e = strmap_put(&s->cooc_compacting, movie);
    if (!e || e->num)
        return; /* one compaction per row at a time */
    struct store_cooc_job *j = calloc(1, sizeof *j);
    if (!j) {
        strmap_del(&s->cooc_compacting, movie, NULL);
        return;
    }
    e->num = 1;
    j->s = s;
    snprintf(j->movie, sizeof j->movie, "%s", movie);
    if (store_cooc_read(s, movie, store_cooc_read_cb, j) < 0)
        store_cooc_job_end(s, j);
}

int store_cooc_read(struct store *s, const char *movie, redisCallbackFn *fn, void *priv)
{
    char key[512], lkey[512];
    store_cooc_keys(s, movie, key, lkey);
    struct store_args a = { 0 };
    store_args_add(&a, "EVALSHA");
    store_args_add(&a, s->shas[STORE_LUA_COOC_READ]);
    store_args_add(&a, "2");
    store_args_add(&a, key);
    store_args_add(&a, lkey);
    int rc = store_send_args(s, fn, priv, &a);
    store_args_free(&a);
    return rc;
}

/* ---- appending a fold ------------------------------------------------------ */

struct store_cooc_append {
    redisCallbackFn *fn;
    void *priv;
    char movie[VEVENT_ID_MAX + 1];
};

static void store_cooc_append_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store *s = ac->data;
    struct store_cooc_append *x = priv;
    redisReply *r = reply;
    if (r && r->type == REDIS_REPLY_INTEGER && r->integer >= s->d->cfg.cooc_log_max &&
        s->connected) {
        /* compact when the log outgrows the row (as last compacted here):
         * merging costs the row's size, so that is O(1) per log byte */
        struct strmap_entry *e = strmap_get(&s->cooc_rowlen, x->movie);
        if (!e || (double)r->integer > e->num)
            store_cooc_compact(s, x->movie);
    }
    redisCallbackFn *fn = x->fn;
    void *fpriv = x->priv;
    free(x);
    fn(ac, reply, fpriv); /* it counts the reply (store_replied) */
}

int store_cooc_flush(struct store *s, const struct store_gsum *g, const char *fid, const char *now,
                     redisCallbackFn *fn, void *priv, struct store_args *markers)
{
    const char *prefix = s->d->cfg.redis_prefix;
    /* the pairs grouped by row (a counting sort by the row's number) */
    size_t nm = g->n_movies;
    size_t *start = calloc(nm + 2, sizeof *start);
    uint32_t *partner = malloc((g->len ? g->len : 1) * sizeof *partner);
    uint32_t *count = malloc((g->len ? g->len : 1) * sizeof *count);
    struct strbuf *rec = strbuf_new();
    if (!start || !partner || !count || !rec) {
        free(start);
        free(partner);
        free(count);
        strbuf_free(rec);
        return -1;
    }
    for (size_t i = 0; i < g->cap; i++)
        if (g->pair[i])
            start[((g->pair[i] - 1) >> 32) + 2]++;
    for (size_t r = 2; r < nm + 2; r++)
        start[r] += start[r - 1];
    for (size_t i = 0; i < g->cap; i++)
        if (g->pair[i]) {
            size_t at = start[((g->pair[i] - 1) >> 32) + 1]++;
            partner[at] = (uint32_t)(g->pair[i] - 1);
            count[at] = g->count[i];
        }
    /* one script call per movie: the records of its partners */
    int rc = 0, sent = 0;
    for (size_t r = 0; r < nm; r++) {
        for (size_t k = start[r]; k < start[r + 1]; k++) {
            const struct store_gsum_movie *p = &g->movie[partner[k]];
            store_cooc_put_record(rec, p->key, p->len, count[k]);
        }
        if (strbuf_len(rec) && !strbuf_failed(rec)) {
            const char *movie = g->movie[r].key;
            struct store_cooc_append *x = calloc(1, sizeof *x);
            struct store_args a = { 0 };
            store_args_add(&a, "EVALSHA");
            store_args_add(&a, s->shas[STORE_LUA_GCOOC]);
            store_args_add(&a, "2");
            store_args_addf(&a, "%s:{i:%s}:col", prefix, movie);
            store_args_addf(&a, "%s:{i:%s}:mk", prefix, movie);
            store_args_add(&a, fid);
            store_args_add(&a, now);
            store_args_addn(&a, strbuf_data(rec), strbuf_len(rec));
            store_args_addf(markers, "%s:{i:%s}:mk", prefix, movie);
            if (x) {
                x->fn = fn;
                x->priv = priv;
                snprintf(x->movie, sizeof x->movie, "%s", movie);
            }
            if (!x || a.oom || store_send_args(s, store_cooc_append_cb, x, &a) < 0) {
                free(x);
                rc = -1;
            } else {
                sent++;
            }
            store_args_free(&a);
        }
        if (strbuf_failed(rec))
            rc = -1;
        strbuf_reset(rec);
    }
    strbuf_free(rec);
    free(start);
    free(partner);
    free(count);
    return rc < 0 ? -1 : sent;
}

void store_cooc_fini(struct store *s)
{
    strmap_clear(&s->cooc_compacting, NULL);
    strmap_clear(&s->cooc_rowlen, NULL);
}
