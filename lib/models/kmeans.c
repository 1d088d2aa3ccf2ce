/* SPDX-License-Identifier: Apache-2.0 */
/* kmeans.c -- k-means++ / Lloyd / online k-means on GSL matrices (kmeans.h). */
#include "config.h"

#include "kmeans.h"
#include "errbuf.h"
#include "blob.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#define KMEANS_BLOB_VERSION 1

struct kmeans_model {
    size_t k, dim;
    struct kmeans_params p;
    gsl_matrix *centres; /* k x dim */
    double *counts;      /* [k] */
    size_t n_ready;
    double fit_inertia;
    size_t fit_iter;
};

static pthread_once_t kmeans_gsl_once = PTHREAD_ONCE_INIT;
static void kmeans_gsl_init(void)
{
    gsl_set_error_handler_off();
}

const char *kmeans_strerror(int status)
{
    switch (status) {
    case KMEANS_OK:
        return "ok";
    case KMEANS_E_INVALID:
        return "invalid argument";
    case KMEANS_E_NOMEM:
        return "out of memory";
    case KMEANS_E_NONFINITE:
        return "NaN or infinity in the input";
    case KMEANS_E_EMPTY:
        return "no samples";
    case KMEANS_E_TOO_FEW:
        return "fewer samples than clusters";
    case KMEANS_E_DIM:
        return "wrong number of columns";
    case KMEANS_E_NOT_FITTED:
        return "model has no centres yet";
    default:
        return "unknown k-means error";
    }
}

void kmeans_params_default(struct kmeans_params *p)
{
    p->n_init = 10;
    p->max_iter = 300;
    p->tol = 1e-4;
    p->seed = 0;
    p->count_cap = 0;
}

kmeans_model *kmeans_new(size_t k, size_t dim, const struct kmeans_params *params, char *errstr,
                         size_t errstr_size)
{
    pthread_once(&kmeans_gsl_once, kmeans_gsl_init);
    struct kmeans_params p;
    if (params)
        p = *params;
    else
        kmeans_params_default(&p);
    if (k == 0 || dim == 0 || k > 1u << 20 || dim > 1u << 20 || k * dim > KMEANS_MAX_CELLS ||
        p.n_init == 0 || p.max_iter == 0 || !(p.tol >= 0) || !isfinite(p.tol) ||
        !(p.count_cap >= 0) || !isfinite(p.count_cap)) {
        errbuf_printf(errstr, errstr_size,
                      "k-means: invalid parameters (k, dim, n_init, max_iter > 0; k x dim "
                      "at most %u; tol, count_cap finite >= 0)",
                      KMEANS_MAX_CELLS);
        return NULL;
    }
    kmeans_model *m = calloc(1, sizeof *m);
    if (!m)
        goto nomem;
    m->k = k;
    m->dim = dim;
    m->p = p;
    m->fit_inertia = NAN;
    m->centres = gsl_matrix_calloc(k, dim);
    m->counts = calloc(k, sizeof *m->counts);
    if (!m->centres || !m->counts)
        goto nomem;
    return m;
nomem:
    kmeans_free(m);
    errbuf_printf(errstr, errstr_size, "k-means: out of memory");
    return NULL;
}

void kmeans_free(kmeans_model *m)
{
    if (!m)
        return;
    if (m->centres)
        gsl_matrix_free(m->centres);
    free(m->counts);
    free(m);
}

size_t kmeans_k(const kmeans_model *m)
{
    return m->k;
}
size_t kmeans_dim(const kmeans_model *m)
{
    return m->dim;
}
size_t kmeans_n_ready(const kmeans_model *m)
{
    return m->n_ready;
}
const gsl_matrix *kmeans_centres(const kmeans_model *m)
{
    return m->centres;
}
double kmeans_fit_inertia(const kmeans_model *m)
{
    return m->fit_inertia;
}
size_t kmeans_fit_iterations(const kmeans_model *m)
{
    return m->fit_iter;
}

double kmeans_count(const kmeans_model *m, size_t j)
{
    return j < m->k ? m->counts[j] : 0.0;
}

/* ---- helpers on raw rows ---------------------------------------------- */

static const double *kmeans_row(const gsl_matrix *X, size_t i)
{
    return X->data + i * X->tda;
}

static double kmeans_d2(const double *a, const double *b, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++) {
        double t = a[j] - b[j];
        s += t * t;
    }
    return s;
}

/* Nearest of the first n centres (rows of C, row stride d). */
static size_t kmeans_nearest(const double *C, size_t n, size_t d, const double *x, double *best_d2)
{
    size_t best = 0;
    double bd = INFINITY;
    for (size_t j = 0; j < n; j++) {
        double t = kmeans_d2(C + j * d, x, d);
        if (t < bd) {
            bd = t;
            best = j;
        }
    }
    if (best_d2)
        *best_d2 = bd;
    return best;
}

static int kmeans_check(const kmeans_model *m, const gsl_matrix *X, char *errstr,
                        size_t errstr_size)
{
    if (!X || X->size1 == 0) {
        errbuf_printf(errstr, errstr_size, "k-means: no samples");
        return KMEANS_E_EMPTY;
    }
    if (X->size2 != m->dim) {
        errbuf_printf(errstr, errstr_size, "k-means: %zu columns, model has dim %zu", X->size2,
                      m->dim);
        return KMEANS_E_DIM;
    }
    for (size_t i = 0; i < X->size1; i++) {
        const double *r = kmeans_row(X, i);
        for (size_t j = 0; j < m->dim; j++)
            if (!isfinite(r[j])) {
                errbuf_printf(errstr, errstr_size, "k-means: non-finite value at row %zu col %zu",
                              i, j);
                return KMEANS_E_NONFINITE;
            }
    }
    return KMEANS_OK;
}

/* ---- batch fit -------------------------------------------------------- */

struct kmeans_work {
    size_t n, d, k;
    double *C;       /* k x d candidate centres */
    double *Cnew;    /* k x d */
    double *closest; /* [n] */
    size_t *labels;  /* [n] */
    double *sizes;   /* [k] */
};

/* Index drawn with probability proportional to w[i] (sum = total). */
static size_t kmeans_draw(gsl_rng *rng, const double *w, size_t n, double total)
{
    if (!(total > 0))
        return gsl_rng_uniform_int(rng, n);
    double r = gsl_rng_uniform(rng) * total, acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc += w[i];
        if (r < acc)
            return i;
    }
    for (size_t i = n; i-- > 0;) /* rounding: last positive weight */
        if (w[i] > 0)
            return i;
    return n - 1;
}

static void kmeans_seed_pp(struct kmeans_work *w, const gsl_matrix *X, gsl_rng *rng)
{
    size_t n = w->n, d = w->d, k = w->k;
    size_t trials = 2 + (size_t)log((double)k);
    size_t first = gsl_rng_uniform_int(rng, n);
    memcpy(w->C, kmeans_row(X, first), d * sizeof(double));
    double pot = 0;
    for (size_t i = 0; i < n; i++) {
        w->closest[i] = kmeans_d2(kmeans_row(X, i), w->C, d);
        pot += w->closest[i];
    }
    for (size_t c = 1; c < k; c++) {
        size_t best_cand = 0;
        double best_pot = INFINITY;
        for (size_t t = 0; t < trials; t++) {
            size_t cand = kmeans_draw(rng, w->closest, n, pot);
            const double *xc = kmeans_row(X, cand);
            double cand_pot = 0;
            for (size_t i = 0; i < n; i++) {
                double dd = kmeans_d2(kmeans_row(X, i), xc, d);
                cand_pot += dd < w->closest[i] ? dd : w->closest[i];
            }
            if (cand_pot < best_pot) {
                best_pot = cand_pot;
                best_cand = cand;
            }
        }
        const double *xb = kmeans_row(X, best_cand);
        memcpy(w->C + c * d, xb, d * sizeof(double));
        pot = 0;
        for (size_t i = 0; i < n; i++) {
            double dd = kmeans_d2(kmeans_row(X, i), xb, d);
            if (dd < w->closest[i])
                w->closest[i] = dd;
            pot += w->closest[i];
        }
    }
}

/* Assign all points to the nearest centre of w->C; returns inertia; fills
 * labels and closest (squared distance). */
static double kmeans_estep(struct kmeans_work *w, const gsl_matrix *X)
{
    double inertia = 0;
    for (size_t i = 0; i < w->n; i++) {
        w->labels[i] = kmeans_nearest(w->C, w->k, w->d, kmeans_row(X, i), &w->closest[i]);
        inertia += w->closest[i];
    }
    return inertia;
}

/* One Lloyd run from the seeded centres in w->C; returns its inertia. */
static double kmeans_lloyd(struct kmeans_work *w, const gsl_matrix *X, double tol_abs,
                           size_t max_iter, size_t *iters)
{
    size_t n = w->n, d = w->d, k = w->k;
    size_t it;
    for (it = 0; it < max_iter; it++) {
        kmeans_estep(w, X);
        memset(w->Cnew, 0, k * d * sizeof(double));
        memset(w->sizes, 0, k * sizeof(double));
        for (size_t i = 0; i < n; i++) {
            const double *x = kmeans_row(X, i);
            double *c = w->Cnew + w->labels[i] * d;
            for (size_t j = 0; j < d; j++)
                c[j] += x[j];
            w->sizes[w->labels[i]] += 1;
        }
        for (size_t c = 0; c < k; c++) {
            if (w->sizes[c] > 0) {
                for (size_t j = 0; j < d; j++)
                    w->Cnew[c * d + j] /= w->sizes[c];
                continue;
            }
            /* empty: take the point farthest from its centre */
            size_t far = 0;
            double fd = -1;
            for (size_t i = 0; i < n; i++)
                if (w->closest[i] > fd) {
                    fd = w->closest[i];
                    far = i;
                }
            memcpy(w->Cnew + c * d, kmeans_row(X, far), d * sizeof(double));
            w->closest[far] = 0;
        }
        double shift = 0;
        for (size_t c = 0; c < k * d; c++) {
            double t = w->Cnew[c] - w->C[c];
            shift += t * t;
        }
        memcpy(w->C, w->Cnew, k * d * sizeof(double));
        if (shift <= tol_abs) {
            it++;
            break;
        }
    }
    *iters = it;
    return kmeans_estep(w, X);
}

int kmeans_fit(kmeans_model *m, const gsl_matrix *X, char *errstr, size_t errstr_size)
{
    int rc = kmeans_check(m, X, errstr, errstr_size);
    if (rc != KMEANS_OK)
        return rc;
    size_t n = X->size1, d = m->dim, k = m->k;
    if (n < k) {
        errbuf_printf(errstr, errstr_size, "k-means: %zu samples for %zu clusters", n, k);
        return KMEANS_E_TOO_FEW;
    }
    struct kmeans_work w = { n, d, k, NULL, NULL, NULL, NULL, NULL };
    double *best = malloc(k * d * sizeof *best);
    double *best_sizes = malloc(k * sizeof *best_sizes);
    w.C = malloc(k * d * sizeof *w.C);
    w.Cnew = malloc(k * d * sizeof *w.Cnew);
    w.closest = malloc(n * sizeof *w.closest);
    w.labels = malloc(n * sizeof *w.labels);
    w.sizes = malloc(k * sizeof *w.sizes);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    rc = KMEANS_OK;
    if (!best || !best_sizes || !w.C || !w.Cnew || !w.closest || !w.labels || !w.sizes || !rng) {
        errbuf_printf(errstr, errstr_size, "k-means: out of memory");
        rc = KMEANS_E_NOMEM;
        goto out;
    }
    gsl_rng_set(rng, m->p.seed);
    /* tolerance relative to the data's scale, as scikit-learn */
    double var_mean = 0;
    for (size_t j = 0; j < d; j++) {
        double mean = 0, ss = 0;
        for (size_t i = 0; i < n; i++)
            mean += kmeans_row(X, i)[j];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) {
            double t = kmeans_row(X, i)[j] - mean;
            ss += t * t;
        }
        var_mean += ss / (double)n;
    }
    double tol_abs = m->p.tol * var_mean / (double)d;
    double best_inertia = INFINITY;
    size_t best_iter = 0;
    for (size_t run = 0; run < m->p.n_init; run++) {
        size_t iters;
        kmeans_seed_pp(&w, X, rng);
        double inertia = kmeans_lloyd(&w, X, tol_abs, m->p.max_iter, &iters);
        if (inertia < best_inertia) {
            best_inertia = inertia;
            best_iter = iters;
            memcpy(best, w.C, k * d * sizeof *best);
            memset(best_sizes, 0, k * sizeof *best_sizes);
            for (size_t i = 0; i < n; i++)
                best_sizes[w.labels[i]] += 1;
        }
    }
    for (size_t c = 0; c < k; c++)
        for (size_t j = 0; j < d; j++)
            gsl_matrix_set(m->centres, c, j, best[c * d + j]);
    memcpy(m->counts, best_sizes, k * sizeof *best_sizes);
    m->n_ready = k;
    m->fit_inertia = best_inertia;
    m->fit_iter = best_iter;
out:
    if (rng)
        gsl_rng_free(rng);
    free(best);
    free(best_sizes);
    free(w.C);
    free(w.Cnew);
    free(w.closest);
    free(w.labels);
    free(w.sizes);
    return rc;
}

/* ---- online ----------------------------------------------------------- */

static void kmeans_bump(kmeans_model *m, size_t j, double n_new)
{
    m->counts[j] += n_new;
    if (m->p.count_cap > 0 && m->counts[j] > m->p.count_cap)
        m->counts[j] = m->p.count_cap;
}

/* Make x a new centre if fewer than k exist and x differs from all;
 * returns 1 if it did. */
static int kmeans_maybe_seed(kmeans_model *m, const double *x)
{
    if (m->n_ready >= m->k)
        return 0;
    double d2;
    if (m->n_ready > 0) {
        size_t j = kmeans_nearest(m->centres->data, m->n_ready, m->centres->tda, x, &d2);
        if (d2 == 0) {
            kmeans_bump(m, j, 1);
            return 1;
        }
    }
    double *c = m->centres->data + m->n_ready * m->centres->tda;
    memcpy(c, x, m->dim * sizeof *c);
    m->counts[m->n_ready] = 1;
    m->n_ready++;
    return 1;
}

int kmeans_partial_fit(kmeans_model *m, const gsl_matrix *batch, char *errstr, size_t errstr_size)
{
    int rc = kmeans_check(m, batch, errstr, errstr_size);
    if (rc != KMEANS_OK)
        return rc;
    size_t n = batch->size1, d = m->dim, start = 0;
    while (start < n && m->n_ready < m->k)
        kmeans_maybe_seed(m, kmeans_row(batch, start++));
    if (start == n)
        return KMEANS_OK;
    size_t k = m->n_ready;
    double *sums = calloc(k * d + k, sizeof *sums);
    size_t *labels = malloc((n - start) * sizeof *labels);
    if (!sums || !labels) {
        free(sums);
        free(labels);
        errbuf_printf(errstr, errstr_size, "k-means: out of memory");
        return KMEANS_E_NOMEM;
    }
    double *nj = sums + k * d;
    for (size_t i = start; i < n; i++)
        labels[i - start] =
            kmeans_nearest(m->centres->data, k, m->centres->tda, kmeans_row(batch, i), NULL);
    for (size_t i = start; i < n; i++) {
        size_t j = labels[i - start];
        const double *x = kmeans_row(batch, i);
        for (size_t t = 0; t < d; t++)
            sums[j * d + t] += x[t];
        nj[j] += 1;
    }
    for (size_t j = 0; j < k; j++) {
        if (nj[j] == 0)
            continue;
        kmeans_bump(m, j, nj[j]);
        double *c = m->centres->data + j * m->centres->tda;
        double denom = m->counts[j] > nj[j] ? m->counts[j] : nj[j];
        for (size_t t = 0; t < d; t++)
            c[t] += (sums[j * d + t] - nj[j] * c[t]) / denom;
    }
    free(sums);
    free(labels);
    return KMEANS_OK;
}

int kmeans_update(kmeans_model *m, const double *x, size_t dim, char *errstr, size_t errstr_size)
{
    if (dim != m->dim) {
        errbuf_printf(errstr, errstr_size, "k-means: point of dim %zu, model has %zu", dim, m->dim);
        return KMEANS_E_DIM;
    }
    for (size_t t = 0; t < dim; t++)
        if (!isfinite(x[t])) {
            errbuf_printf(errstr, errstr_size, "k-means: non-finite value at %zu", t);
            return KMEANS_E_NONFINITE;
        }
    if (kmeans_maybe_seed(m, x))
        return KMEANS_OK;
    size_t j = kmeans_nearest(m->centres->data, m->n_ready, m->centres->tda, x, NULL);
    kmeans_bump(m, j, 1);
    double *c = m->centres->data + j * m->centres->tda;
    double denom = m->counts[j] > 1 ? m->counts[j] : 1;
    for (size_t t = 0; t < dim; t++)
        c[t] += (x[t] - c[t]) / denom;
    return KMEANS_OK;
}

/* ---- queries ---------------------------------------------------------- */

int kmeans_assign(const kmeans_model *m, const gsl_vector *x, size_t *cluster, double *dist2)
{
    if (m->n_ready == 0)
        return KMEANS_E_NOT_FITTED;
    if (!x || x->size != m->dim)
        return KMEANS_E_DIM;
    double buf[64], *xv = x->size <= 64 ? buf : malloc(x->size * sizeof *xv);
    if (!xv)
        return KMEANS_E_NOMEM;
    int rc = KMEANS_OK;
    for (size_t t = 0; t < x->size; t++) {
        xv[t] = gsl_vector_get(x, t);
        if (!isfinite(xv[t]))
            rc = KMEANS_E_NONFINITE;
    }
    if (rc == KMEANS_OK) {
        double d2;
        size_t j = kmeans_nearest(m->centres->data, m->n_ready, m->centres->tda, xv, &d2);
        if (cluster)
            *cluster = j;
        if (dist2)
            *dist2 = d2;
    }
    if (xv != buf)
        free(xv);
    return rc;
}

int kmeans_predict(const kmeans_model *m, const gsl_matrix *X, size_t *labels)
{
    if (m->n_ready == 0)
        return KMEANS_E_NOT_FITTED;
    int rc = kmeans_check(m, X, NULL, 0);
    if (rc != KMEANS_OK)
        return rc;
    for (size_t i = 0; i < X->size1; i++)
        labels[i] =
            kmeans_nearest(m->centres->data, m->n_ready, m->centres->tda, kmeans_row(X, i), NULL);
    return KMEANS_OK;
}

int kmeans_inertia(const kmeans_model *m, const gsl_matrix *X, double *inertia)
{
    if (m->n_ready == 0)
        return KMEANS_E_NOT_FITTED;
    int rc = kmeans_check(m, X, NULL, 0);
    if (rc != KMEANS_OK)
        return rc;
    double s = 0;
    for (size_t i = 0; i < X->size1; i++) {
        double d2;
        kmeans_nearest(m->centres->data, m->n_ready, m->centres->tda, kmeans_row(X, i), &d2);
        s += d2;
    }
    *inertia = s;
    return KMEANS_OK;
}

/* ---- serialization ---------------------------------------------------- */

int kmeans_serialize(const kmeans_model *m, unsigned char **buf, size_t *len, char *errstr,
                     size_t errstr_size)
{
    struct blob_writer w;
    blob_writer_init(&w, BLOB_KMEANS, KMEANS_BLOB_VERSION);
    blob_put_u32(&w, (uint32_t)m->k);
    blob_put_u32(&w, (uint32_t)m->dim);
    blob_put_u32(&w, (uint32_t)m->p.n_init);
    blob_put_u32(&w, (uint32_t)m->p.max_iter);
    blob_put_f64(&w, m->p.tol);
    blob_put_u64(&w, (uint64_t)m->p.seed);
    blob_put_f64(&w, m->p.count_cap);
    blob_put_u32(&w, (uint32_t)m->n_ready);
    for (size_t j = 0; j < m->n_ready; j++) {
        blob_put_f64(&w, m->counts[j]);
        for (size_t t = 0; t < m->dim; t++)
            blob_put_f64(&w, gsl_matrix_get(m->centres, j, t));
    }
    return blob_writer_finish(&w, buf, len, errstr, errstr_size) == BLOB_OK ? 0 : -1;
}

kmeans_model *kmeans_deserialize(const void *buf, size_t len, char *errstr, size_t errstr_size)
{
    struct blob_reader r;
    uint16_t version;
    if (blob_open(buf, len, BLOB_KMEANS, KMEANS_BLOB_VERSION, &version, &r, errstr, errstr_size) !=
        BLOB_OK)
        return NULL;
    struct kmeans_params p;
    uint32_t k = blob_get_u32(&r), dim = blob_get_u32(&r);
    p.n_init = blob_get_u32(&r);
    p.max_iter = blob_get_u32(&r);
    p.tol = blob_get_f64(&r);
    p.seed = (unsigned long)blob_get_u64(&r);
    p.count_cap = blob_get_f64(&r);
    uint32_t ready = blob_get_u32(&r);
    kmeans_model *m = NULL;
    if (r.failed || ready > k || k == 0 || dim == 0 ||
        (size_t)ready * (1 + (size_t)dim) > blob_remaining(&r) / 8)
        goto corrupt;
    m = kmeans_new(k, dim, &p, NULL, 0);
    if (!m)
        goto corrupt;
    for (uint32_t j = 0; j < ready; j++) {
        m->counts[j] = blob_get_f64(&r);
        if (!isfinite(m->counts[j]) || m->counts[j] < 0)
            goto corrupt;
        for (uint32_t t = 0; t < dim; t++) {
            double v = blob_get_f64(&r);
            if (!isfinite(v))
                goto corrupt;
            gsl_matrix_set(m->centres, j, t, v);
        }
    }
    m->n_ready = ready;
    if (blob_reader_finish(&r, "k-means", errstr, errstr_size) != BLOB_OK) {
        kmeans_free(m);
        return NULL;
    }
    return m;
corrupt:
    kmeans_free(m);
    errbuf_printf(errstr, errstr_size, "k-means blob: corrupt payload");
    return NULL;
}
