/* SPDX-License-Identifier: Apache-2.0 */
/* groups_worker.c -- the worker thread of the viewer groups (groups.h):
 * on its own blocking Redis client (rblock.h: every master of a Redis
 * Cluster, or the one node) it SCANs every viewer's Naive
 * Bayes counts (their state blobs, viewer_blob.h, and the nb hashes of
 * viewers not written since the layout before it), builds their genre vectors, fits k-means and factor
 * analysis, and stores the models -- or only loads the stored ones when
 * they are recent.  It is apart from groups.c because it is the part that
 * runs off the event loop and talks to Redis directly; it touches only its
 * job (struct groups_job) until it hands it back through the pipe. */
#include "config.h"
#include "learn_priority.h"
#include "groups-internal.h"
#include "store.h"
#include "rblock.h"
#include "viewer_blob.h"

#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <hiredis/hiredis.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the worker ---------------------------------------------------------- */

struct groups_viewer {
    double *x;
    char **movies; /* positively seen */
    double *w;
    size_t n_movies;
};

struct groups_data {
    struct groups_viewer *v;
    size_t n, cap;
    size_t nonfinite, empty;
    struct strmap ids; /* SCAN may return a key twice */
};

static void groups_data_free(struct groups_data *dt)
{
    for (size_t i = 0; i < dt->n; i++) {
        free(dt->v[i].x);
        groups_strv_free(dt->v[i].movies, dt->v[i].n_movies);
        free(dt->v[i].w);
    }
    free(dt->v);
    strmap_clear(&dt->ids, NULL);
}

static struct rblock *groups_connect(const struct groups_job *j)
{
    char err[512];
    struct rblock *c = store_connect_sync(j->address, j->timeout_ms, err, sizeof err);
    if (!c)
        log_warn("groups: %s", err);
    return c;
}

/* A hash reply (HGETALL) into m, its values as numbers. */
static void groups_hash_map(const redisReply *h, struct strmap *m)
{
    for (size_t i = 0; h && h->type == REDIS_REPLY_ARRAY && i + 1 < h->elements; i += 2) {
        if (!h->element[i]->str)
            continue;
        struct strmap_entry *e = strmap_putn(m, h->element[i]->str, h->element[i]->len);
        if (e)
            e->num = strtod(h->element[i + 1]->str ? h->element[i + 1]->str : "0", NULL);
    }
}

/* One viewer from its nb and seen maps. */
static int groups_add_viewer(struct groups_data *dt, const struct groups_job *j,
                             const struct strmap *m, const struct strmap *seen)
{
    double *x = calloc(j->n_vocab, sizeof *x);
    int rc = x ? groups_vector(m, j->vocab, j->n_vocab, x) : 0;
    if (rc <= 0) {
        if (rc < 0)
            dt->nonfinite++;
        else
            dt->empty++;
        free(x);
        return 0;
    }
    if (dt->n == dt->cap) {
        size_t nc = dt->cap ? dt->cap * 2 : 256;
        struct groups_viewer *nv = realloc(dt->v, nc * sizeof *nv);
        if (!nv) {
            free(x);
            return -1;
        }
        dt->v = nv;
        dt->cap = nc;
    }
    struct groups_viewer *gv = &dt->v[dt->n++];
    memset(gv, 0, sizeof *gv);
    gv->x = x;
    if (seen->len) {
        gv->movies = calloc(seen->len, sizeof *gv->movies);
        gv->w = calloc(seen->len, sizeof *gv->w);
        struct strmap_entry *e;
        for (size_t i = 0; gv->movies && gv->w && (e = strmap_next(seen, &i));) {
            double w = e->num;
            if (!(w > 0) || !isfinite(w))
                continue;
            char *id = strdup(e->key);
            if (!id)
                break;
            gv->movies[gv->n_movies] = id;
            gv->w[gv->n_movies++] = w;
        }
    }
    return 0;
}

/* Glob-escape the key prefix for SCAN MATCH. */
static void groups_glob_escape(const char *s, char *out, size_t n)
{
    size_t o = 0;
    for (; *s && o + 2 < n; s++) {
        if (strchr("*?[]\\", *s))
            out[o++] = '\\';
        out[o++] = *s;
    }
    out[o] = '\0';
}

#define GROUPS_BATCH 500 /* viewers read in one pipeline */

struct groups_scan {
    struct groups *g;
    struct rblock *c;
    struct groups_data *dt;
    struct rblock_pipe *p; /* GET state (blob), or HGETALL nb and seen, per viewer */
    size_t plen;
    int blob;      /* scanning state blobs (else nb hashes) */
    size_t suffix; /* "}:state" or "}:nb" */
};

/* Read the viewers of the pending pipeline. */
static int groups_flush(struct groups_scan *sc)
{
    if (!sc->p || rblock_pipe_len(sc->p) == 0)
        return 0;
    int rc = 0;
    if (rblock_pipe_exec(sc->p) < 0) {
        log_warn("groups: reading viewers: %s", rblock_errstr(sc->c));
        rc = -1;
    }
    size_t step = sc->blob ? 1 : 2;
    for (size_t i = 0; rc == 0 && i + step - 1 < rblock_pipe_len(sc->p); i += step) {
        recut_viewer v;
        viewer_init(&v, "", 1);
        const redisReply *r = rblock_pipe_reply(sc->p, i);
        if (!sc->blob) {
            groups_hash_map(r, &v.nb);
            groups_hash_map(rblock_pipe_reply(sc->p, i + 1), &v.seen);
        } else if (r && r->type == REDIS_REPLY_STRING) {
            char err[128];
            if (viewer_blob_decode(r->str, r->len, &v, NULL, NULL, NULL, err, sizeof err) < 0) {
                log_warn("groups: a viewer cannot be read: %s", err);
                viewer_free(&v);
                continue;
            }
        }
        if ((sc->blob || (r && r->type == REDIS_REPLY_ARRAY)) &&
            groups_add_viewer(sc->dt, sc->g->job, &v.nb, &v.seen) < 0)
            rc = -1;
        viewer_free(&v);
    }
    rblock_pipe_free(sc->p);
    sc->p = NULL;
    return rc;
}

/* One key PREFIX:{u:ID}:state (or :nb) of the SCAN of every master. */
static int groups_scan_key(void *arg, const char *key, size_t len)
{
    struct groups_scan *sc = arg;
    const struct groups_job *j = sc->g->job;
    size_t plen = sc->plen;
    if (atomic_load(&sc->g->stop))
        return 1;
    if (len < plen + 5 + sc->suffix)
        return 0;
    size_t idl = len - plen - 4 - sc->suffix;
    if (strmap_getn(&sc->dt->ids, key + plen + 4, idl))
        return 0; /* SCAN may return a key twice */
    strmap_putn(&sc->dt->ids, key + plen + 4, idl);
    if (!sc->p && !(sc->p = rblock_pipe_new(sc->c, -1, 0)))
        return -1;
    if (sc->blob ? rblock_pipe_append(sc->p, "GET %b", key, len) < 0
                 : (rblock_pipe_append(sc->p, "HGETALL %b", key, len) < 0 ||
                    rblock_pipe_append(sc->p, "HGETALL %b:{u:%b}:seen", j->prefix, plen,
                                       key + plen + 4, idl) < 0))
        return -1;
    return rblock_pipe_len(sc->p) >= 2 * GROUPS_BATCH ? groups_flush(sc) : 0;
}

static int groups_scan(struct groups *g, struct rblock *c, struct groups_data *dt)
{
    const struct groups_job *j = g->job;
    char esc[512], pattern[600];
    groups_glob_escape(j->prefix, esc, sizeof esc);
    int rc = 0;
    /* the blobs first: a viewer with both was written since the upgrade,
     * and its nb hash is a left-over (deleted at its next write) */
    for (int blob = 1; blob >= 0 && rc == 0; blob--) {
        snprintf(pattern, sizeof pattern, "%s:{u:*}:%s", esc, blob ? "state" : "nb");
        struct groups_scan sc = { g, c, dt, NULL, strlen(j->prefix), blob, blob ? 7 : 4 };
        rc = rblock_scan(c, pattern, groups_scan_key, &sc);
        if (rc < 0)
            log_warn("groups: SCAN failed: %s", rblock_errstr(c));
        if (rc == 0)
            rc = groups_flush(&sc);
        rblock_pipe_free(sc.p);
    }
    return rc == 0 ? 0 : -1;
}

struct groups_pick {
    const char *id;
    double w;
};

static int groups_pick_cmp(const void *a, const void *b)
{
    const struct groups_pick *x = a, *y = b;
    if (x->w != y->w)
        return x->w < y->w ? 1 : -1;
    return strcmp(x->id, y->id);
}

/* Each cluster's most liked movies from its members' seen weights. */
static int groups_top_movies(struct groups_model *m, const struct groups_data *dt,
                             const size_t *labels)
{
    for (size_t j = 0; j < m->k; j++) {
        struct strmap sum;
        strmap_init(&sum);
        for (size_t i = 0; i < dt->n; i++) {
            if (labels[i] != j)
                continue;
            for (size_t q = 0; q < dt->v[i].n_movies; q++) {
                struct strmap_entry *e = strmap_put(&sum, dt->v[i].movies[q]);
                if (e)
                    e->num += dt->v[i].w[q];
            }
        }
        struct groups_pick *p = calloc(sum.len + 1, sizeof *p);
        size_t n = 0, it = 0;
        struct strmap_entry *e;
        while (p && (e = strmap_next(&sum, &it)))
            p[n++] = (struct groups_pick){ e->key, e->num };
        if (p)
            qsort(p, n, sizeof *p, groups_pick_cmp);
        if (n > GROUPS_TOP_MOVIES)
            n = GROUPS_TOP_MOVIES;
        struct groups_cluster *cl = &m->cl[j];
        cl->top = calloc(n + 1, sizeof *cl->top);
        cl->top_w = calloc(n + 1, sizeof *cl->top_w);
        for (size_t i = 0; p && cl->top && cl->top_w && i < n; i++) {
            if (!(cl->top[cl->n_top] = strdup(p[i].id)))
                break;
            cl->top_w[cl->n_top++] = p[i].w;
        }
        int ok = p && cl->top && cl->top_w && cl->n_top == n;
        free(p);
        strmap_clear(&sum, NULL);
        if (!ok)
            return -1;
    }
    return 0;
}

static double groups_now(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Fit on the scanned viewers; NULL (logged) when there are too few. */
static struct groups_model *groups_fit(const struct groups_job *j, const struct groups_data *dt)
{
    char err[256];
    if (dt->nonfinite)
        log_warn("groups: %zu viewer(s) with non-finite counts left out", dt->nonfinite);
    if (dt->n < 2 || j->n_vocab == 0) {
        log_notice("groups: %zu viewer(s) with genre preferences over %zu genre(s): too few to "
                   "group, skipped",
                   dt->n, j->n_vocab);
        return NULL;
    }
    struct groups_model *m = calloc(1, sizeof *m);
    gsl_matrix *X = gsl_matrix_alloc(dt->n, j->n_vocab);
    size_t *labels = calloc(dt->n, sizeof *labels);
    if (!m || !X || !labels)
        goto fail;
    for (size_t i = 0; i < dt->n; i++)
        for (size_t g = 0; g < j->n_vocab; g++)
            gsl_matrix_set(X, i, g, dt->v[i].x[g]);
    m->dim = j->n_vocab;
    m->genres = calloc(m->dim, sizeof *m->genres);
    for (size_t g = 0; m->genres && g < m->dim; g++)
        if (!(m->genres[g] = strdup(j->vocab[g])))
            goto fail;
    if (!m->genres)
        goto fail;
    m->k = j->k < dt->n ? j->k : dt->n;
    if (m->k < j->k)
        log_notice("groups: %zu viewers, fewer than clusters = %zu: fitting %zu clusters", dt->n,
                   j->k, m->k);
    struct kmeans_params kp;
    kmeans_params_default(&kp);
    kp.n_init = 4;
    kp.seed = GROUPS_SEED;
    m->km = kmeans_new(m->k, m->dim, &kp, err, sizeof err);
    int rc = m->km ? kmeans_fit(m->km, X, err, sizeof err) : KMEANS_E_INVALID;
    if (rc != KMEANS_OK) {
        log_warn("groups: k-means: %s", err);
        goto fail;
    }
    if (kmeans_predict(m->km, X, labels) != KMEANS_OK)
        goto fail;
    m->cl = calloc(m->k, sizeof *m->cl);
    if (!m->cl)
        goto fail;
    for (size_t i = 0; i < dt->n; i++)
        m->cl[labels[i]].size++;
    size_t nf = j->factors < m->dim ? j->factors : m->dim;
    if (fa_fit(X, nf, NULL, &m->fa, err, sizeof err) != FA_OK) {
        log_notice("groups: factor analysis skipped: %s", err);
        m->fa = NULL;
    }
    if (groups_top_movies(m, dt, labels) < 0)
        goto fail;
    m->viewers = dt->n;
    m->fitted_at = groups_now(CLOCK_REALTIME);
    groups_model_derive(m);
    gsl_matrix_free(X);
    free(labels);
    return m;
fail:
    if (X)
        gsl_matrix_free(X);
    free(labels);
    groups_model_free(m);
    return NULL;
}

static int groups_store(struct rblock *c, const struct groups_job *j, const struct groups_model *m)
{
    char err[256];
    unsigned char *kb = NULL, *fb = NULL;
    size_t kl = 0, fl = 0, dl = 0;
    char *doc = NULL;
    int rc = -1;
    if (kmeans_serialize(m->km, &kb, &kl, err, sizeof err) != 0 ||
        (m->fa && fa_serialize(m->fa, &fb, &fl, err, sizeof err) != 0)) {
        log_warn("groups: cannot serialize the models: %s", err);
        goto out;
    }
    if (!(doc = groups_doc_encode(m, kb, kl, fb, fl, &dl)))
        goto out;
    const char *p = j->prefix;
    /* one transaction in the slot of {models} */
    struct rblock_pipe *pp = rblock_pipe_new(c, rblock_tag("{models}"), 0);
    if (!pp || rblock_pipe_append(pp, "MULTI") < 0 ||
        rblock_pipe_append(pp, "SET %s:{models}:kmeans %b", p, kb, kl) < 0 ||
        (fb ? rblock_pipe_append(pp, "SET %s:{models}:fa %b", p, fb, fl)
            : rblock_pipe_append(pp, "DEL %s:{models}:fa", p)) < 0 ||
        rblock_pipe_append(pp, "SET %s:{models}:clusters %b", p, doc, dl) < 0 ||
        rblock_pipe_append(pp, "EXEC") < 0 || rblock_pipe_exec(pp) < 0) {
        log_warn("groups: storing the models: %s", rblock_errstr(c));
        rblock_pipe_free(pp);
        goto out;
    }
    rc = 0;
    for (size_t i = 0; i < rblock_pipe_len(pp); i++) {
        const redisReply *r = rblock_pipe_reply(pp, i);
        if (r && r->type == REDIS_REPLY_ERROR) {
            log_warn("groups: storing the models: %s", r->str);
            rc = -1;
        }
    }
    rblock_pipe_free(pp);
    if (rc == 0)
        log_info(
            "groups: stored %s:{models}:kmeans (%zu bytes), :fa (%zu bytes), :clusters (%zu bytes)",
            p, kl, fl, dl);
out:
    free(kb);
    free(fb);
    free(doc);
    return rc;
}

/* What is stored: a model, or NULL (absent, or logged as damaged). */
static struct groups_model *groups_load(struct rblock *c, const struct groups_job *j)
{
    const char *p = j->prefix;
    redisReply *r =
        rblock_command(c, "MGET %s:{models}:kmeans %s:{models}:fa %s:{models}:clusters", p, p, p);
    struct groups_model *m = NULL;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
        log_warn("groups: reading the stored models: %s",
                 r && r->type == REDIS_REPLY_ERROR ? r->str : rblock_errstr(c));
    } else if (r->element[0]->type == REDIS_REPLY_STRING ||
               r->element[2]->type == REDIS_REPLY_STRING) {
        const redisReply *k = r->element[0], *f = r->element[1], *cl = r->element[2];
        char err[256];
        if (k->type != REDIS_REPLY_STRING || cl->type != REDIS_REPLY_STRING)
            snprintf(err, sizeof err, "%s is missing",
                     k->type != REDIS_REPLY_STRING ? "kmeans" : "clusters");
        else
            m = groups_decode(k->str, k->len, f->type == REDIS_REPLY_STRING ? f->str : NULL,
                              f->type == REDIS_REPLY_STRING ? f->len : 0, cl->str, cl->len, err,
                              sizeof err);
        if (!m)
            log_warn("groups: stored models in %s:{models} ignored (refitting): %s", p, err);
    }
    if (r)
        freeReplyObject(r);
    return m;
}

void *groups_worker(void *arg)
{
    struct groups *g = arg;
    learn_lower_priority();
    struct groups_job *j = g->job;
    struct rblock *c = groups_connect(j);
    if (!c)
        goto done;
    struct groups_model *stored = groups_load(c, j);
    double now = groups_now(CLOCK_REALTIME);
    if (stored && (j->interval_s == 0 || now - stored->fitted_at < j->interval_s)) {
        if (stored->fitted_at != j->have_fitted_at)
            j->model = stored;
        else
            groups_model_free(stored);
        goto done;
    }
    if (j->interval_s == 0 || !j->may_fit || atomic_load(&g->stop)) {
        groups_model_free(stored);
        goto done;
    }
    double t0 = groups_now(CLOCK_MONOTONIC);
    struct groups_data dt;
    memset(&dt, 0, sizeof dt);
    strmap_init(&dt.ids);
    if (groups_scan(g, c, &dt) == 0) {
        double t1 = groups_now(CLOCK_MONOTONIC);
        struct groups_model *m = groups_fit(j, &dt);
        double t2 = groups_now(CLOCK_MONOTONIC);
        if (m) {
            log_info("groups: %zu clusters and %zu factors over %zu viewers x %zu genres "
                     "(read %.1f ms, fit %.1f ms)",
                     m->k, m->fa ? fa_n_factors(m->fa) : 0, m->viewers, m->dim, (t1 - t0) * 1e3,
                     (t2 - t1) * 1e3);
            if (!atomic_load(&g->stop))
                groups_store(c, j, m);
            j->model = m;
            j->fitted = 1;
        }
    }
    groups_data_free(&dt);
    if (!j->model && stored && stored->fitted_at != j->have_fitted_at)
        j->model = stored; /* could not refit: the stored one is still good */
    else
        groups_model_free(stored);
done:
    rblock_free(c);
    char b = 1;
    while (write(g->pipe_fd[1], &b, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}
