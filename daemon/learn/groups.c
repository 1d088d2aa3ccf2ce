/* SPDX-License-Identifier: Apache-2.0 */
/* groups.c -- viewer groups ("viewers like you").
 *
 * Every [models] groups_interval_s a worker thread, on its own blocking
 * hiredis connection, reads every viewer's Naive Bayes counts
 * (PREFIX:{u:*}:nb, by SCAN) and builds a genre preference vector over the
 * catalog's genres: x_g = (like weight of g - dislike weight of g) /
 * (like weight + dislike weight), so each x_g is in [-1, 1].  It fits
 * k-means (k-means++, several seeded restarts) and factor analysis on those
 * vectors, gives every viewer a cluster, sums the members' positive `seen`
 * weights into each cluster's most liked movies, and stores everything in
 * Redis (PREFIX:{models}:kmeans, :fa as model blobs, :clusters as JSON
 * after its CRC-32) so that every instance, and a restarted one, can use
 * the models without refitting: a job first loads what is stored and only
 * refits when it is older than the interval (at start-up it only loads).
 *
 * The finished job is handed back to the event loop through a pipe; the
 * loop swaps the new models in.  Only the loop thread ever reads them.
 * This file holds the models, their stored form, the loop side and the
 * queries; the worker thread is groups_worker.c (groups-internal.h). */
#include "config.h"
#include "groups-internal.h"
#include "blob.h"

#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- models -------------------------------------------------------------- */

void groups_strv_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

void groups_model_free(struct groups_model *m)
{
    if (!m)
        return;
    groups_strv_free(m->genres, m->dim);
    kmeans_free(m->km);
    fa_free(m->fa);
    for (size_t j = 0; m->cl && j < m->k; j++) {
        groups_strv_free(m->cl[j].top, m->cl[j].n_top);
        free(m->cl[j].top_w);
    }
    free(m->cl);
    free(m);
}

/* The centre's strongest positive genres, and the biggest cluster. */
void groups_model_derive(struct groups_model *m)
{
    const gsl_matrix *c = kmeans_centres(m->km);
    m->popular = 0;
    for (size_t j = 0; j < m->k; j++) {
        struct groups_cluster *cl = &m->cl[j];
        if (cl->size > m->cl[m->popular].size)
            m->popular = j;
        cl->n_genre = 0;
        for (size_t r = 0; r < GROUPS_TOP_GENRES; r++) {
            size_t best = m->dim;
            for (size_t g = 0; g < m->dim; g++) {
                int taken = 0;
                for (size_t q = 0; q < cl->n_genre; q++)
                    taken |= cl->genre[q] == g;
                double x = gsl_matrix_get(c, j, g);
                if (!taken && x > 0 && (best == m->dim || x > gsl_matrix_get(c, j, best)))
                    best = g;
            }
            if (best == m->dim)
                break;
            cl->genre[cl->n_genre++] = best;
        }
    }
}

/* x[dim] from a viewer's NB counts.  Returns 1 with a vector, 0 when the
 * viewer has no evidence (nothing liked or disliked, or no genre), -1 when
 * a count is not finite. */
int groups_vector(const struct strmap *nb, char *const *genres, size_t dim, double *x)
{
    double nl = viewer_field_value(nb, VIEWER_FIELD_SAMPLES, VIEWER_LIKE, NULL);
    double nd = viewer_field_value(nb, VIEWER_FIELD_SAMPLES, VIEWER_DISLIKE, NULL);
    if (!isfinite(nl) || !isfinite(nd))
        return -1;
    double tot = nl + nd;
    int any = 0;
    for (size_t g = 0; g < dim; g++) {
        char f[VIEWER_FIELD_MAX];
        snprintf(f, sizeof f, "genre:%s", genres[g]);
        double l = viewer_field_value(nb, VIEWER_FIELD_FEATURE, VIEWER_LIKE, f);
        double dl = viewer_field_value(nb, VIEWER_FIELD_FEATURE, VIEWER_DISLIKE, f);
        if (!isfinite(l) || !isfinite(dl))
            return -1;
        x[g] = tot > 0 ? (l - dl) / tot : 0;
        if (!isfinite(x[g]))
            return -1;
        any |= x[g] != 0;
    }
    return tot > 0 && any ? 1 : 0;
}

/* ---- the stored form ------------------------------------------------------ */

/* The clusters document: "CRC32HEX JSON". */
char *groups_doc_encode(const struct groups_model *m, const unsigned char *kb, size_t kl,
                        const unsigned char *fb, size_t fl, size_t *len)
{
    json_t *genres = json_array(), *cls = json_array();
    for (size_t g = 0; g < m->dim; g++)
        json_array_append_new(genres, json_string(m->genres[g]));
    for (size_t j = 0; j < m->k; j++) {
        json_t *top = json_array();
        for (size_t i = 0; i < m->cl[j].n_top; i++)
            json_array_append_new(top, json_pack("[s,f]", m->cl[j].top[i], m->cl[j].top_w[i]));
        json_array_append_new(
            cls, json_pack("{s:I,s:o}", "size", (json_int_t)m->cl[j].size, "top_movies", top));
    }
    json_t *doc = json_pack("{s:i,s:f,s:I,s:o,s:I,s:o,s:o}", "version", GROUPS_DOC_VERSION,
                            "fitted_at", m->fitted_at, "viewers", (json_int_t)m->viewers, "genres",
                            genres, "kmeans_crc", (json_int_t)blob_crc32(0, kb, kl), "fa_crc",
                            fb ? json_integer((json_int_t)blob_crc32(0, fb, fl)) : json_null(),
                            "clusters", cls);
    char *body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (!body)
        return NULL;
    size_t bl = strlen(body);
    char *out = malloc(bl + 10);
    if (out) {
        snprintf(out, 10, "%08x ", (unsigned)blob_crc32(0, body, bl));
        memcpy(out + 9, body, bl + 1);
        *len = bl + 9;
    }
    free(body);
    return out;
}

/* Decode the three stored values into a model; -1 with why. */
struct groups_model *groups_decode(const char *kb, size_t kl, const char *fb, size_t fl,
                                   const char *cb, size_t cl, char *errstr, size_t errstr_size)
{
    char err[160];
    struct groups_model *m = calloc(1, sizeof *m);
    json_t *doc = NULL;
    if (!m) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    if (cl < 10 || cb[8] != ' ') {
        snprintf(errstr, errstr_size, "clusters: not a checksummed document (%zu bytes)", cl);
        goto bad;
    }
    char hex[9];
    memcpy(hex, cb, 8);
    hex[8] = '\0';
    char *end;
    unsigned long want = strtoul(hex, &end, 16);
    if (*end || want != blob_crc32(0, cb + 9, cl - 9)) {
        snprintf(errstr, errstr_size, "clusters: checksum mismatch (corrupt or truncated)");
        goto bad;
    }
    m->km = kmeans_deserialize(kb, kl, err, sizeof err);
    if (!m->km) {
        snprintf(errstr, errstr_size, "kmeans: %s", err);
        goto bad;
    }
    if (fb && !(m->fa = fa_deserialize(fb, fl, err, sizeof err))) {
        snprintf(errstr, errstr_size, "fa: %s", err);
        goto bad;
    }
    json_error_t jerr;
    doc = json_loadb(cb + 9, cl - 9, 0, &jerr);
    json_t *genres = json_object_get(doc, "genres"), *cls = json_object_get(doc, "clusters");
    if (!doc || json_integer_value(json_object_get(doc, "version")) != GROUPS_DOC_VERSION ||
        !json_is_array(genres) || !json_is_array(cls) || json_array_size(genres) == 0 ||
        json_array_size(genres) > GROUPS_MAX_GENRES) {
        snprintf(errstr, errstr_size, "clusters: not a version %d document", GROUPS_DOC_VERSION);
        goto bad;
    }
    if ((uint32_t)json_integer_value(json_object_get(doc, "kmeans_crc")) != blob_crc32(0, kb, kl)) {
        snprintf(errstr, errstr_size, "kmeans: not the blob the clusters were computed with");
        goto bad;
    }
    json_t *fcrc = json_object_get(doc, "fa_crc");
    if (json_is_integer(fcrc) != (fb != NULL) ||
        (fb && (uint32_t)json_integer_value(fcrc) != blob_crc32(0, fb, fl))) {
        snprintf(errstr, errstr_size, "fa: not the blob the clusters were computed with");
        goto bad;
    }
    m->fitted_at = json_number_value(json_object_get(doc, "fitted_at"));
    m->viewers = (size_t)json_integer_value(json_object_get(doc, "viewers"));
    m->dim = json_array_size(genres);
    m->genres = calloc(m->dim, sizeof *m->genres);
    for (size_t g = 0; m->genres && g < m->dim; g++) {
        const char *s = json_string_value(json_array_get(genres, g));
        m->genres[g] = strdup(s ? s : "");
        if (!m->genres[g] || !s) {
            snprintf(errstr, errstr_size, "clusters: bad genre %zu", g);
            goto bad;
        }
    }
    if (!m->genres)
        goto nomem;
    m->k = kmeans_k(m->km);
    if (kmeans_dim(m->km) != m->dim || kmeans_n_ready(m->km) != m->k ||
        json_array_size(cls) != m->k) {
        snprintf(errstr, errstr_size,
                 "kmeans: %zu clusters over %zu genres, the document has %zu over %zu", m->k,
                 kmeans_dim(m->km), json_array_size(cls), m->dim);
        goto bad;
    }
    if (fb && fa_dim(m->fa) != m->dim) {
        snprintf(errstr, errstr_size, "fa: %zu genres, the document has %zu", fa_dim(m->fa),
                 m->dim);
        goto bad;
    }
    m->cl = calloc(m->k, sizeof *m->cl);
    if (!m->cl)
        goto nomem;
    for (size_t j = 0; j < m->k; j++) {
        json_t *c = json_array_get(cls, j), *top = json_object_get(c, "top_movies");
        struct groups_cluster *g = &m->cl[j];
        g->size = (size_t)json_integer_value(json_object_get(c, "size"));
        size_t n = json_array_size(top);
        if (n > GROUPS_TOP_MOVIES) {
            snprintf(errstr, errstr_size, "clusters: cluster %zu lists %zu movies", j, n);
            goto bad;
        }
        g->top = calloc(n + 1, sizeof *g->top);
        g->top_w = calloc(n + 1, sizeof *g->top_w);
        if (!g->top || !g->top_w)
            goto nomem;
        for (size_t i = 0; i < n; i++) {
            json_t *p = json_array_get(top, i);
            const char *id = json_string_value(json_array_get(p, 0));
            double w = json_number_value(json_array_get(p, 1));
            if (!id || !isfinite(w)) {
                snprintf(errstr, errstr_size, "clusters: bad movie %zu of cluster %zu", i, j);
                goto bad;
            }
            if (!(g->top[g->n_top] = strdup(id)))
                goto nomem;
            g->top_w[g->n_top++] = w;
        }
    }
    json_decref(doc);
    groups_model_derive(m);
    return m;
nomem:
    snprintf(errstr, errstr_size, "out of memory");
bad:
    json_decref(doc);
    groups_model_free(m);
    return NULL;
}

/* ---- the event loop side ------------------------------------------------ */

static void groups_job_free(struct groups_job *j)
{
    if (!j)
        return;
    free(j->address);
    free(j->prefix);
    groups_strv_free(j->vocab, j->n_vocab);
    groups_model_free(j->model);
    free(j);
}

static int groups_str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The catalog's genres, sorted. */
static int groups_vocab(const struct catalog *cat, struct groups_job *j)
{
    struct strmap seen;
    strmap_init(&seen);
    for (size_t i = 0; i < cat->n; i++)
        for (size_t f = 0; f < cat->list[i]->n_features; f++)
            if (strncmp(cat->list[i]->features[f], "genre:", 6) == 0)
                strmap_put(&seen, cat->list[i]->features[f] + 6);
    size_t n = seen.len < GROUPS_MAX_GENRES ? seen.len : GROUPS_MAX_GENRES, it = 0;
    j->vocab = calloc(seen.len + 1, sizeof *j->vocab);
    struct strmap_entry *e;
    while (j->vocab && (e = strmap_next(&seen, &it)))
        if (!(j->vocab[j->n_vocab++] = strdup(e->key)))
            j->n_vocab--;
    strmap_clear(&seen, NULL);
    if (!j->vocab)
        return -1;
    qsort(j->vocab, j->n_vocab, sizeof *j->vocab, groups_str_cmp);
    while (j->n_vocab > n)
        free(j->vocab[--j->n_vocab]);
    return 0;
}

static void groups_launch(struct groups *g, int may_fit)
{
    if (g->running || atomic_load(&g->stop))
        return;
    const struct recut_config *cfg = &g->d->cfg;
    struct groups_job *j = calloc(1, sizeof *j);
    if (!j)
        return;
    j->address = strdup(cfg->redis_address);
    j->prefix = strdup(cfg->redis_prefix);
    j->timeout_ms = cfg->redis_timeout_ms;
    j->k = (size_t)cfg->groups_clusters;
    j->factors = (size_t)cfg->groups_factors;
    j->interval_s = g->interval_s;
    j->may_fit = may_fit;
    j->have_fitted_at = g->cur ? g->cur->fitted_at : 0;
    if (!j->address || !j->prefix || groups_vocab(&g->d->catalog, j) < 0) {
        groups_job_free(j);
        return;
    }
    g->job = j;
    if (pthread_create(&g->thread, NULL, groups_worker, g) != 0) {
        log_warn("groups: cannot start the worker thread");
        g->job = NULL;
        groups_job_free(j);
        return;
    }
    g->running = 1;
}

static void groups_on_done(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct groups *g = arg;
    char buf[16];
    while (read(fd, buf, sizeof buf) > 0)
        ;
    if (!g->running)
        return;
    pthread_join(g->thread, NULL);
    g->running = 0;
    struct groups_job *j = g->job;
    g->job = NULL;
    if (j && j->model) {
        groups_model_free(g->cur);
        g->cur = j->model;
        j->model = NULL;
        log_info("groups: %s models of %zu clusters over %zu viewers in use",
                 j->fitted ? "new" : "stored", g->cur->k, g->cur->viewers);
    }
    groups_job_free(j);
}

static void groups_on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    groups_launch(arg, 1);
}

static void groups_arm(struct groups *g)
{
    event_del(g->timer);
    if (g->interval_s > 0) {
        struct timeval tv = { g->interval_s, 0 };
        event_add(g->timer, &tv);
    }
}

struct groups *groups_new(struct recutd *d, char *errstr, size_t errstr_size)
{
    struct groups *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    g->d = d;
    g->pipe_fd[0] = g->pipe_fd[1] = -1;
    atomic_init(&g->stop, 0);
    if (pipe(g->pipe_fd) < 0) {
        snprintf(errstr, errstr_size, "groups: pipe: %s", strerror(errno));
        groups_free(g);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(g->pipe_fd[i], F_SETFL, fcntl(g->pipe_fd[i], F_GETFL) | O_NONBLOCK);
        fcntl(g->pipe_fd[i], F_SETFD, FD_CLOEXEC);
    }
    g->done_ev = event_new(d->base, g->pipe_fd[0], EV_READ | EV_PERSIST, groups_on_done, g);
    g->timer = event_new(d->base, -1, EV_PERSIST, groups_on_timer, g);
    if (!g->done_ev || !g->timer || event_add(g->done_ev, NULL) < 0) {
        snprintf(errstr, errstr_size, "groups: cannot create events");
        groups_free(g);
        return NULL;
    }
    g->interval_s = d->cfg.groups_interval_s;
    groups_arm(g);
    /* load what is stored now; the first fit comes after one interval, so
     * that a restart serves what was served before it */
    groups_launch(g, 0);
    return g;
}

void groups_reload(struct groups *g)
{
    if (!g || g->interval_s == g->d->cfg.groups_interval_s)
        return;
    g->interval_s = g->d->cfg.groups_interval_s;
    groups_arm(g);
    log_info("groups: fitting every %d s%s", g->interval_s, g->interval_s ? "" : " (off)");
}

void groups_free(struct groups *g)
{
    if (!g)
        return;
    atomic_store(&g->stop, 1);
    if (g->running)
        pthread_join(g->thread, NULL);
    groups_job_free(g->job);
    if (g->done_ev)
        event_free(g->done_ev);
    if (g->timer)
        event_free(g->timer);
    for (int i = 0; i < 2; i++)
        if (g->pipe_fd[i] >= 0)
            close(g->pipe_fd[i]);
    groups_model_free(g->cur);
    free(g);
}

/* ---- using the models --------------------------------------------------- */

/* The viewer's cluster: 1 with *cluster, 0 without evidence or model. */
static int groups_assign(const struct groups_model *m, const recut_viewer *v, double *x,
                         size_t *cluster)
{
    if (groups_vector(&v->nb, m->genres, m->dim, x) != 1)
        return 0;
    gsl_vector_view xv = gsl_vector_view_array(x, m->dim);
    double d2;
    return kmeans_assign(m->km, &xv.vector, cluster, &d2) == KMEANS_OK;
}

static json_t *groups_genre_names(const struct groups_model *m, const struct groups_cluster *c)
{
    json_t *a = json_array();
    for (size_t i = 0; i < c->n_genre; i++)
        json_array_append_new(a, json_string(m->genres[c->genre[i]]));
    return a;
}

struct groups_loading {
    size_t g;
    double l;
};

static int groups_loading_cmp(const void *a, const void *b)
{
    const struct groups_loading *x = a, *y = b;
    if (fabs(x->l) != fabs(y->l))
        return fabs(x->l) < fabs(y->l) ? 1 : -1;
    return x->g < y->g ? -1 : x->g > y->g;
}

void groups_profile(const struct groups *g, const recut_viewer *v, struct json_t **cluster,
                    struct json_t **factors)
{
    *cluster = json_null();
    *factors = json_null();
    const struct groups_model *m = g ? g->cur : NULL;
    double *x = m ? calloc(m->dim, sizeof *x) : NULL;
    size_t k;
    if (!x || !groups_assign(m, v, x, &k)) {
        free(x);
        return;
    }
    const struct groups_cluster *c = &m->cl[k];
    json_decref(*cluster);
    *cluster = json_pack("{s:I,s:I,s:o}", "id", (json_int_t)k, "size", (json_int_t)c->size,
                         "top_genres", groups_genre_names(m, c));
    size_t nf = m->fa ? fa_n_factors(m->fa) : 0;
    gsl_vector *z = nf ? gsl_vector_alloc(nf) : NULL;
    gsl_vector_view xv = gsl_vector_view_array(x, m->dim);
    struct groups_loading *ld = calloc(m->dim, sizeof *ld);
    if (z && ld && fa_transform(m->fa, &xv.vector, z) == FA_OK) {
        json_decref(*factors);
        *factors = json_array();
        const gsl_matrix *L = fa_loadings(m->fa);
        for (size_t f = 0; f < nf; f++) {
            for (size_t q = 0; q < m->dim; q++)
                ld[q] = (struct groups_loading){ q, gsl_matrix_get(L, q, f) };
            qsort(ld, m->dim, sizeof *ld, groups_loading_cmp);
            json_t *tg = json_array();
            for (size_t q = 0; q < m->dim && q < GROUPS_TOP_GENRES; q++)
                json_array_append_new(
                    tg, json_pack("{s:s,s:f}", "genre", m->genres[ld[q].g], "loading", ld[q].l));
            json_array_append_new(
                *factors, json_pack("{s:f,s:o}", "score", gsl_vector_get(z, f), "top_genres", tg));
        }
    }
    if (z)
        gsl_vector_free(z);
    free(ld);
    free(x);
}

const char *const *groups_cold_movies(const struct groups *g, const recut_viewer *v,
                                      const double **weights, size_t *n)
{
    *n = 0;
    *weights = NULL;
    const struct groups_model *m = g ? g->cur : NULL;
    if (!m || m->k == 0)
        return NULL;
    double *x = calloc(m->dim, sizeof *x);
    size_t k;
    if (!x || !groups_assign(m, v, x, &k))
        k = m->popular;
    free(x);
    *n = m->cl[k].n_top;
    *weights = m->cl[k].top_w;
    return (const char *const *)m->cl[k].top;
}
