/* SPDX-License-Identifier: Apache-2.0 */
/* store_outbox.c -- popularity and co-occurrence counted exactly once,
 * whatever is killed or disconnected when.
 *
 * An event's effect on its viewer is exact because the viewer's new state
 * and the event's id go to Redis in one transaction.  Its effect on the
 * global counts cannot join that transaction: those keys live in other
 * hash slots (on a Redis Cluster, other nodes).  So the global deltas are
 * written as an outbox inside the viewer's transaction, and moved to the
 * global keys later, idempotently:
 *
 *  1. Outbox.  The viewer's MULTI/EXEC also APPENDs its batch's deltas to
 *     PREFIX:{gdN}:gd, where gdN is a hash tag chosen to fall in the same
 *     slot as the viewer's {u:ID} (one tag per slot, found once by search).
 *     A crash before EXEC loses the deltas with the state and the ids, so
 *     the redelivered events apply both again; after EXEC both are kept.
 *  2. Take.  A fold renames a slot's outbox to PREFIX:{gdN}:gf under a new
 *     fold id ("ID OWNER UNIXTIME\n" then the records), in one script.  A
 *     fold already there is returned instead: this instance's own (an
 *     earlier fold that did not finish), or another's that is older than
 *     STORE_FOLD_STALE seconds (its instance died), which becomes ours.
 *     An instance's id is derived from its host, listener and prefix, so a
 *     restarted recutd takes back its own folds at once.
 *  3. Apply.  The deltas are summed per global key and sent with the fold
 *     id; each script adds them only if the id is new in that key's marker
 *     hash (PREFIX:{pop:K}:mk, PREFIX:{i:M}:mk), in the same script, so a
 *     retry after any failure adds nothing twice.
 *  4. Done.  Once every global key acknowledged, the fold is deleted (only
 *     if it is still that fold), then the fold id's markers.
 *
 * A failure anywhere leaves the outbox or the fold in Redis: the next fold
 * of that slot takes it again.  Slots to fold are those this instance
 * appended to; after every (re)connection, and every STORE_FOLD_SWEEP
 * seconds, every slot is tried, so outboxes left by a dead instance are
 * folded too.  A batch is done (its offsets committable) once its viewers'
 * transactions are acknowledged: the folds do not hold up ingest, and the
 * global counts trail the viewers by one fold.  recutd(8) states the
 * argument and its one limit (an instance frozen longer than
 * STORE_FOLD_STALE with a fold in hand). */
#include "config.h"
#include "store-internal.h"
#include "store_lua.h"
#include "rcluster.h"
#include "hash.h"
#include "strbuf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <xxhash.h>

#define STORE_SLOTS 16384
#define STORE_FOLD_STALE 60 /* seconds before another instance's fold is taken over */
#define STORE_FOLD_SWEEP 60 /* seconds between folds of every slot */

static struct log_ratelimit store_outbox_rl = LOG_RATELIMIT_INIT(10, 5);

/* ---- one hash tag per slot ------------------------------------------------- */
static char store_outbox_tags[STORE_SLOTS][12];
static pthread_once_t store_outbox_once = PTHREAD_ONCE_INIT;

static void store_outbox_tags_find(void)
{
    size_t left = STORE_SLOTS;
    char t[12];
    for (unsigned n = 0; left > 0 && n < 100000000u; n++) {
        int len = snprintf(t, sizeof t, "gd%u", n);
        unsigned slot = rcluster_crc16(t, (size_t)len) & (STORE_SLOTS - 1);
        if (!store_outbox_tags[slot][0]) {
            memcpy(store_outbox_tags[slot], t, (size_t)len + 1);
            left--;
        }
    }
}

static unsigned store_outbox_slot(const char *user)
{
    char t[VEVENT_ID_MAX + 3];
    int len = snprintf(t, sizeof t, "u:%s", user);
    return rcluster_crc16(t, (size_t)len) & (STORE_SLOTS - 1);
}

static void store_outbox_dirty(struct store *s, unsigned slot)
{
    uint64_t bit = (uint64_t)1 << (slot & 63);
    if (!(s->ob_dirty[slot >> 6] & bit)) {
        s->ob_dirty[slot >> 6] |= bit;
        s->ob_n_dirty++;
    }
}

static void store_outbox_dirty_all(struct store *s)
{
    memset(s->ob_dirty, 0xff, sizeof s->ob_dirty);
    s->ob_n_dirty = STORE_SLOTS;
}

/* ---- the records ------------------------------------------------------------ */
/* One positive event, first for its movie in the viewer's history:
 * [u8 len][movie][u16 n, little endian] then n times [u8 len][partner].
 * Popularity +1 for the movie, co-occurrence +1 both ways per partner. */
int store_outbox_record(struct store *s, struct store_vc *vc, const char *m,
                        const char *const *partners, size_t n)
{
    const struct catalog *cat = &s->d->catalog;
    if (!catalog_get(cat, m))
        return 0; /* only catalog movies are counted (and recommended) */
    if (!vc->outbox && !(vc->outbox = strbuf_new()))
        return -1;
    size_t ml = strlen(m), kept = 0;
    unsigned char h[1 + 255 + 2];
    h[0] = (unsigned char)(ml > 255 ? 255 : ml);
    memcpy(h + 1, m, h[0]);
    size_t at = strbuf_len(vc->outbox) + 1 + h[0];
    h[1 + h[0]] = h[2 + h[0]] = 0;
    strbuf_append(vc->outbox, h, 3 + (size_t)h[0]);
    for (size_t k = 0; k < n && kept < 65535; k++) {
        if (strcmp(partners[k], m) == 0 || !catalog_get(cat, partners[k]))
            continue;
        size_t pl = strlen(partners[k]);
        unsigned char l = (unsigned char)(pl > 255 ? 255 : pl);
        strbuf_append(vc->outbox, &l, 1);
        strbuf_append(vc->outbox, partners[k], l);
        kept++;
    }
    if (strbuf_failed(vc->outbox))
        return -1;
    unsigned char *c = (unsigned char *)strbuf_data(vc->outbox) + at;
    c[0] = (unsigned char)kept;
    c[1] = (unsigned char)(kept >> 8);
    return 0;
}

int store_outbox_write(struct store *s, struct store_resp *r, struct store_vc *vc)
{
    if (!vc->outbox || strbuf_len(vc->outbox) == 0)
        return 0;
    unsigned slot = store_outbox_slot(vc->user);
    char key[256];
    int kl =
        snprintf(key, sizeof key, "%s:{%s}:gd", s->d->cfg.redis_prefix, store_outbox_tags[slot]);
    if (kl < 0 || (size_t)kl >= sizeof key)
        return -1;
    store_resp_cmd(r, 5);
    store_resp_str(r, "EVALSHA", 7);
    store_resp_strz(r, s->shas[STORE_LUA_OUTBOX_APPEND]);
    store_resp_str(r, "1", 1);
    store_resp_str(r, key, (size_t)kl);
    store_resp_str(r, strbuf_data(vc->outbox), strbuf_len(vc->outbox));
    strbuf_reset(vc->outbox);
    store_outbox_dirty(s, slot);
    return store_resp_send(s, r, NULL, NULL);
}

void store_outbox_drop(struct store_vc *vc)
{
    strbuf_free(vc->outbox);
    vc->outbox = NULL;
}

/* ---- a fold's sums (struct store_gsum) ------------------------------------ */
static void store_gsum_init(struct store_gsum *g)
{
    memset(g, 0, sizeof *g);
    strmap_init(&g->pop);
    g->seed = util_hash_seed();
}

static void store_gsum_free(struct store_gsum *g)
{
    strmap_clear(&g->pop, NULL);
    free(g->movie);
    free(g->pair);
    free(g->count);
    memset(g, 0, sizeof *g);
}

/* The number of movie m (ml bytes), its entry in *e; -1 out of memory. */
static long store_gsum_movie(struct store_gsum *g, const char *m, size_t ml,
                             struct strmap_entry **e)
{
    *e = strmap_putn(&g->pop, m, ml);
    if (!*e)
        return -1;
    if ((*e)->ptr)
        return (long)((uintptr_t)(*e)->ptr - 1);
    if (g->n_movies == g->cap_movies) {
        size_t ncap = g->cap_movies ? 2 * g->cap_movies : 256;
        struct store_gsum_movie *n = realloc(g->movie, ncap * sizeof *n);
        if (!n)
            return -1;
        g->movie = n;
        g->cap_movies = ncap;
    }
    (*e)->ptr = (void *)(uintptr_t)(g->n_movies + 1);
    g->movie[g->n_movies] = (struct store_gsum_movie){ (*e)->key, (*e)->len };
    return (long)g->n_movies++;
}

/* The slot of a pair key: every bit of the key mixed into every bit of the
 * slot (a multiply alone would leave the low slot bits blind to the row,
 * in the key's high half), under the process's seed (hash.h). */
static size_t store_gsum_slot(const struct store_gsum *g, uint64_t key)
{
    uint64_t x = key ^ g->seed;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return (size_t)x & (g->cap - 1);
}

static int store_gsum_grow(struct store_gsum *g)
{
    size_t ncap = g->cap ? 2 * g->cap : 1024, ocap = g->cap;
    uint64_t *np = calloc(ncap, sizeof *np), *op = g->pair;
    uint32_t *nc = malloc(ncap * sizeof *nc), *oc = g->count;
    if (!np || !nc) {
        free(np);
        free(nc);
        return -1;
    }
    g->pair = np;
    g->count = nc;
    g->cap = ncap;
    for (size_t i = 0; i < ocap; i++) {
        if (!op[i])
            continue;
        size_t j = store_gsum_slot(g, op[i]);
        while (np[j])
            j = (j + 1) & (ncap - 1);
        np[j] = op[i];
        nc[j] = oc[i];
    }
    free(op);
    free(oc);
    return 0;
}

static int store_gsum_pair(struct store_gsum *g, size_t row, size_t partner)
{
    if ((g->len + 1) * 4 > g->cap * 3 && store_gsum_grow(g) < 0)
        return -1;
    uint64_t key = ((uint64_t)row << 32 | partner) + 1;
    size_t j = store_gsum_slot(g, key);
    while (g->pair[j] && g->pair[j] != key)
        j = (j + 1) & (g->cap - 1);
    if (!g->pair[j]) {
        g->pair[j] = key;
        g->count[j] = 0;
        g->len++;
    }
    g->count[j]++;
    return 0;
}

/* Sum one fold's records into g.  Returns the records read; a damaged
 * tail is counted in *bad, a failed allocation sets g->oom. */
static size_t store_outbox_sum(const unsigned char *p, size_t len, struct store_gsum *g,
                               size_t *bad)
{
    size_t pos = 0, n_rec = 0;
    while (pos < len && !g->oom) {
        size_t ml = p[pos];
        if (pos + 1 + ml + 2 > len)
            break;
        const char *m = (const char *)p + pos + 1;
        size_t np = (size_t)p[pos + 1 + ml] | (size_t)p[pos + 2 + ml] << 8;
        size_t q = pos + 3 + ml, k;
        for (k = 0; k < np && q < len && q + 1 + p[q] <= len; k++)
            q += 1 + p[q];
        if (k < np)
            break;
        struct strmap_entry *e;
        long mi = store_gsum_movie(g, m, ml, &e);
        if (mi < 0) {
            g->oom = 1;
            break;
        }
        e->num += 1;
        q = pos + 3 + ml;
        for (k = 0; k < np; k++) {
            size_t pl = p[q];
            long pi = store_gsum_movie(g, (const char *)p + q + 1, pl, &e);
            if (pi < 0 || store_gsum_pair(g, (size_t)mi, (size_t)pi) < 0 ||
                store_gsum_pair(g, (size_t)pi, (size_t)mi) < 0) {
                g->oom = 1;
                break;
            }
            q += 1 + pl;
        }
        pos = q;
        n_rec++;
    }
    if (pos < len && !g->oom)
        (*bad)++;
    return n_rec;
}

/* ---- a fold ------------------------------------------------------------------ */
struct store_fold_item {
    unsigned slot;
    char *data; /* "ID OWNER TIME\n" records */
    size_t len;
    size_t id_len;
};

struct store_fold {
    struct store *s;
    int refs;   /* replies still expected */
    int dead;   /* the connection went: ignore what comes back */
    int failed; /* an error reply: the cycle ends after this phase */
    int lost;   /* a NULL reply: the connection is going away */
    int errors; /* error replies: the cycle stops after this phase */
    int phase;  /* STORE_FOLD_* */
    char id[80];
    unsigned *slots; /* the slots tried */
    size_t n_slots;
    struct store_fold_item *items;
    size_t n_items, cap_items;
    size_t n_busy;             /* slots another instance was folding */
    struct store_args markers; /* marker hash, fold id, ... for step 4 */
};

enum {
    STORE_FOLD_TAKE = 1,
    STORE_FOLD_APPLY,
    STORE_FOLD_DONE,
    STORE_FOLD_CLEAN
};

static void store_fold_free(struct store_fold *f)
{
    for (size_t i = 0; i < f->n_items; i++)
        free(f->items[i].data);
    free(f->items);
    free(f->slots);
    store_args_free(&f->markers);
    free(f);
}

static void store_fold_next_phase(struct store_fold *f);

/* The cycle is over (done, failed or dead): failed slots are tried again. */
static void store_fold_end(struct store_fold *f)
{
    struct store *s = f->s;
    if (s->fold == f) {
        s->fold = NULL;
        if (f->failed)
            for (size_t i = 0; i < f->n_slots; i++)
                store_outbox_dirty(s, f->slots[i]);
        else if (!f->errors)
            metrics_inc(M_FOLDS, f->n_items);
    }
    store_fold_free(f);
}

static void store_fold_reply(struct store_fold *f, redisReply *r, unsigned slot)
{
    struct store *s = f->s;
    if (f->dead) {
        if (--f->refs == 0)
            store_fold_free(f);
        return;
    }
    if (!r) {
        f->lost = 1; /* the connection is going away: all slots again after */
        f->failed = 1;
    } else if (r->type == REDIS_REPLY_ERROR) {
        /* a key recutd cannot use (wrong type, out of memory): what was
         * taken stays in Redis and the next sweep takes it again; the
         * viewers go on */
        log_limited(&store_outbox_rl, LOG_LVL_ERR, "redis: folding global counts: %s", r->str);
        metrics_inc(M_REDIS_ERRORS, 1);
        f->errors++;
    } else if (f->phase == STORE_FOLD_TAKE && r->type == REDIS_REPLY_INTEGER) {
        /* another instance is folding this slot: ours may have been
         * appended since, so look again later (not at once: no spinning) */
        store_outbox_dirty(s, slot);
        f->n_busy++;
    } else if (f->phase == STORE_FOLD_TAKE && r->type == REDIS_REPLY_STRING) {
        const char *nl = memchr(r->str, '\n', r->len);
        const char *sp = memchr(r->str, ' ', r->len);
        if (!nl || !sp || sp > nl) {
            log_err("redis: a damaged fold of global counts was skipped");
        } else if (f->n_items < f->cap_items && (f->items[f->n_items].data = malloc(r->len))) {
            struct store_fold_item *it = &f->items[f->n_items++];
            memcpy(it->data, r->str, r->len);
            it->slot = slot;
            it->len = r->len;
            it->id_len = (size_t)(sp - r->str);
        } else {
            f->failed = 1;
        }
    }
    if (--f->refs > 0)
        return;
    if (f->failed || f->errors) {
        /* lost: the reconnection looks at every slot; errors: the sweep */
        store_fold_end(f);
        return;
    }
    store_fold_next_phase(f);
}

static void store_fold_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store *s = ac->data;
    store_replied(s);
    store_fold_reply(priv, reply, 0);
}

struct store_fold_take {
    struct store_fold *f;
    unsigned slot;
};

static void store_fold_take_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store *s = ac->data;
    struct store_fold_take t = *(struct store_fold_take *)priv;
    free(priv);
    store_replied(s);
    store_fold_reply(t.f, reply, t.slot);
}

static int store_fold_send(struct store_fold *f, const struct store_args *a)
{
    if (a->oom || store_send_args(f->s, store_fold_cb, f, a) < 0)
        return -1;
    f->refs++;
    return 0;
}

/* Step 3: sum every taken fold with the same id and send it with that id. */
static int store_fold_apply(struct store_fold *f)
{
    struct store *s = f->s;
    char now[24];
    snprintf(now, sizeof now, "%lld", (long long)time(NULL));
    int rc = 0;
    size_t bad = 0;
    int *done = calloc(f->n_items + 1, sizeof *done);
    if (!done)
        return -1;
    for (size_t i = 0; i < f->n_items && rc == 0; i++) {
        if (done[i])
            continue;
        struct store_fold_item *a = &f->items[i];
        char id[128];
        snprintf(id, sizeof id, "%.*s", (int)(a->id_len < 127 ? a->id_len : 127), a->data);
        struct store_gsum g;
        store_gsum_init(&g);
        for (size_t j = i; j < f->n_items; j++) {
            struct store_fold_item *b = &f->items[j];
            if (done[j] || b->id_len != a->id_len || memcmp(a->data, b->data, a->id_len) != 0)
                continue;
            done[j] = 1;
            const char *nl = memchr(b->data, '\n', b->len);
            size_t off = (size_t)(nl - b->data) + 1;
            store_outbox_sum((const unsigned char *)b->data + off, b->len - off, &g, &bad);
        }
        struct store_args keys = { 0 };
        int np = g.oom ? -1 : store_pop_flush(s, &g.pop, id, now, store_fold_cb, f, &keys);
        int nc = np < 0 ? -1 : store_cooc_flush(s, &g, id, now, store_fold_cb, f, &keys);
        for (size_t k = 0; k < keys.n; k++) {
            store_args_add(&f->markers, keys.buf + keys.off[k]);
            store_args_add(&f->markers, id);
        }
        store_args_free(&keys);
        if (np < 0 || nc < 0 || f->markers.oom)
            rc = -1;
        if (np > 0)
            f->refs += np;
        if (nc > 0)
            f->refs += nc;
        store_gsum_free(&g);
    }
    free(done);
    if (bad)
        log_err("redis: %zu damaged outbox tails of global counts were skipped", bad);
    return rc;
}

/* Step 4: the folds, then the markers of their ids. */
static int store_fold_done(struct store_fold *f)
{
    struct store *s = f->s;
    char key[256];
    for (size_t i = 0; i < f->n_items; i++) {
        struct store_fold_item *it = &f->items[i];
        snprintf(key, sizeof key, "%s:{%s}:gf", s->d->cfg.redis_prefix,
                 store_outbox_tags[it->slot]);
        struct store_args a = { 0 };
        store_args_add(&a, "EVALSHA");
        store_args_add(&a, s->shas[STORE_LUA_FOLD_DONE]);
        store_args_add(&a, "1");
        store_args_add(&a, key);
        store_args_addn(&a, it->data, it->id_len);
        int rc = store_fold_send(f, &a);
        store_args_free(&a);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int store_fold_clean(struct store_fold *f)
{
    const struct store_args *m = &f->markers; /* marker hash, fold id, ... */
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        struct store_args a = { 0 };
        store_args_add(&a, "HDEL");
        store_args_add(&a, m->buf + m->off[i]);
        store_args_add(&a, m->buf + m->off[i + 1]);
        int rc = store_fold_send(f, &a);
        store_args_free(&a);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static void store_fold_next_phase(struct store_fold *f)
{
    int rc = 0;
    while (f->refs == 0 && rc == 0) {
        if (f->phase == STORE_FOLD_CLEAN || (f->phase >= STORE_FOLD_TAKE && f->n_items == 0)) {
            struct store *s = f->s;
            size_t busy = f->n_busy;
            store_fold_end(f);
            if (s->ob_n_dirty > busy && s->connected)
                store_outbox_fold(s);
            return;
        }
        f->phase++;
        rc = f->phase == STORE_FOLD_APPLY  ? store_fold_apply(f)
             : f->phase == STORE_FOLD_DONE ? store_fold_done(f)
                                           : store_fold_clean(f);
    }
    if (rc < 0) {
        f->failed = 1;
        if (f->refs == 0) {
            struct store *s = f->s;
            store_fold_end(f);
            store_batch_reset(s, "cannot queue a fold of global counts");
        }
    }
}

/* Step 2 for every dirty slot. */
void store_outbox_fold(struct store *s)
{
    if (s->fold || !s->connected || s->ob_n_dirty == 0)
        return;
    struct store_fold *f = calloc(1, sizeof *f);
    if (!f)
        return;
    f->s = s;
    f->slots = malloc(s->ob_n_dirty * sizeof *f->slots);
    f->items = calloc(s->ob_n_dirty, sizeof *f->items);
    if (!f->slots || !f->items) {
        store_fold_free(f);
        return;
    }
    f->cap_items = s->ob_n_dirty;
    /* unique for ever: the process's random nonce and a counter */
    snprintf(f->id, sizeof f->id, "%s-%s-%llu", s->ob_owner, s->ob_nonce,
             (unsigned long long)++s->ob_seq);
    for (unsigned w = 0; w < STORE_SLOTS / 64; w++)
        for (uint64_t bits = s->ob_dirty[w]; bits; bits &= bits - 1)
            f->slots[f->n_slots++] = w * 64 + (unsigned)__builtin_ctzll(bits);
    memset(s->ob_dirty, 0, sizeof s->ob_dirty);
    s->ob_n_dirty = 0;
    s->fold = f;
    f->phase = STORE_FOLD_TAKE;
    const char *prefix = s->d->cfg.redis_prefix;
    char stale[16];
    snprintf(stale, sizeof stale, "%d", STORE_FOLD_STALE);
    for (size_t i = 0; i < f->n_slots; i++) {
        const char *tag = store_outbox_tags[f->slots[i]];
        struct store_args a = { 0 };
        store_args_add(&a, "EVALSHA");
        store_args_add(&a, s->shas[STORE_LUA_FOLD_TAKE]);
        store_args_add(&a, "2");
        store_args_addf(&a, "%s:{%s}:gd", prefix, tag);
        store_args_addf(&a, "%s:{%s}:gf", prefix, tag);
        store_args_add(&a, f->id);
        store_args_add(&a, s->ob_owner);
        store_args_add(&a, stale);
        struct store_fold_take *t = malloc(sizeof *t);
        int rc = -1;
        if (t) {
            t->f = f;
            t->slot = f->slots[i];
            rc = a.oom ? -1 : store_send_args(s, store_fold_take_cb, t, &a);
        }
        store_args_free(&a);
        if (rc < 0) {
            free(t);
            f->failed = 1;
            break;
        }
        f->refs++;
    }
    if (f->refs == 0)
        store_fold_next_phase(f);
}

/* ---- life ------------------------------------------------------------------- */
static void store_outbox_sweep_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct store *s = arg;
    store_outbox_dirty_all(s);
    store_outbox_fold(s);
}

int store_outbox_init(struct store *s)
{
    pthread_once(&store_outbox_once, store_outbox_tags_find);
    /* the same after a restart (host, listener, prefix: no two live
     * recutd share them), so a restarted instance takes its own folds back
     * at once instead of waiting for them to go stale */
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    char who[1024];
    int wl = snprintf(who, sizeof who, "%s|%s|%s", host,
                      s->d->cfg.http_listen ? s->d->cfg.http_listen : "", s->d->cfg.redis_prefix);
    if (wl < 0)
        return -1;
    snprintf(
        s->ob_owner, sizeof s->ob_owner, "%016llx",
        (unsigned long long)XXH3_64bits(who, (size_t)wl < sizeof who ? (size_t)wl : sizeof who));
    unsigned char r[8];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        return -1;
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(s->ob_nonce + 2 * i, 3, "%02x", r[i]);
    store_outbox_dirty_all(s);
    s->ob_sweep_ev = event_new(s->d->base, -1, EV_PERSIST, store_outbox_sweep_cb, s);
    struct timeval tv = { STORE_FOLD_SWEEP, 0 };
    if (!s->ob_sweep_ev || event_add(s->ob_sweep_ev, &tv) < 0)
        return -1;
    return 0;
}

void store_outbox_lost(struct store *s)
{
    if (s->fold) {
        struct store_fold *f = s->fold;
        s->fold = NULL;
        f->dead = 1;
        if (f->refs == 0)
            store_fold_free(f);
    }
    store_outbox_dirty_all(s); /* after reconnecting, look at every slot */
}

void store_outbox_fini(struct store *s)
{
    store_outbox_lost(s);
    if (s->ob_sweep_ev)
        event_free(s->ob_sweep_ev);
    s->ob_sweep_ev = NULL;
}
