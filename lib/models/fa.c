/* SPDX-License-Identifier: Apache-2.0 */
/* fa.c -- maximum-likelihood factor analysis (see fa.h). */
#include "config.h"

#include "fa.h"
#include "errbuf.h"
#include "blob.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#define FA_BLOB_VERSION 1
#define FA_SMALL 1e-12

struct fa_model {
    size_t p, k;
    gsl_matrix *L;    /* p x k loadings */
    gsl_vector *psi;  /* p */
    gsl_vector *mean; /* p */
    gsl_matrix *M;    /* k x k: (I + L^T Psi^-1 L)^-1 */
    double loglik;
    size_t n_iter;
    int converged;
};

static pthread_once_t fa_gsl_once = PTHREAD_ONCE_INIT;
static void fa_gsl_init(void)
{
    gsl_set_error_handler_off();
}

void fa_params_default(struct fa_params *p)
{
    p->max_iter = 1000;
    p->tol = 1e-6;
}

static fa_model *fa_alloc(size_t p, size_t k)
{
    fa_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->p = p;
    m->k = k;
    m->L = gsl_matrix_calloc(p, k);
    m->psi = gsl_vector_calloc(p);
    m->mean = gsl_vector_calloc(p);
    m->M = gsl_matrix_calloc(k, k);
    if (!m->L || !m->psi || !m->mean || !m->M) {
        fa_free(m);
        return NULL;
    }
    return m;
}

void fa_free(fa_model *m)
{
    if (!m)
        return;
    if (m->L)
        gsl_matrix_free(m->L);
    if (m->psi)
        gsl_vector_free(m->psi);
    if (m->mean)
        gsl_vector_free(m->mean);
    if (m->M)
        gsl_matrix_free(m->M);
    free(m);
}

size_t fa_dim(const fa_model *m)
{
    return m->p;
}
size_t fa_n_factors(const fa_model *m)
{
    return m->k;
}
size_t fa_iterations(const fa_model *m)
{
    return m->n_iter;
}
int fa_converged(const fa_model *m)
{
    return m->converged;
}
double fa_log_likelihood(const fa_model *m)
{
    return m->loglik;
}
const gsl_matrix *fa_loadings(const fa_model *m)
{
    return m->L;
}
const gsl_vector *fa_noise_variance(const fa_model *m)
{
    return m->psi;
}
const gsl_vector *fa_mean(const fa_model *m)
{
    return m->mean;
}

/* M = (I + L^T Psi^-1 L)^-1, by Cholesky. */
static int fa_posterior(fa_model *m)
{
    size_t p = m->p, k = m->k;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b <= a; b++) {
            double s = a == b ? 1.0 : 0.0;
            for (size_t j = 0; j < p; j++)
                s += gsl_matrix_get(m->L, j, a) * gsl_matrix_get(m->L, j, b) /
                     gsl_vector_get(m->psi, j);
            gsl_matrix_set(m->M, a, b, s);
            gsl_matrix_set(m->M, b, a, s);
        }
    if (gsl_linalg_cholesky_decomp1(m->M) != GSL_SUCCESS ||
        gsl_linalg_cholesky_invert(m->M) != GSL_SUCCESS)
        return FA_E_NUMERIC;
    return FA_OK;
}

/* Largest-magnitude loading of every factor positive. */
static void fa_fix_signs(fa_model *m)
{
    for (size_t r = 0; r < m->k; r++) {
        size_t arg = 0;
        double best = -1;
        for (size_t j = 0; j < m->p; j++) {
            double a = fabs(gsl_matrix_get(m->L, j, r));
            if (a > best) {
                best = a;
                arg = j;
            }
        }
        if (gsl_matrix_get(m->L, arg, r) < 0)
            for (size_t j = 0; j < m->p; j++)
                gsl_matrix_set(m->L, j, r, -gsl_matrix_get(m->L, j, r));
    }
}

struct fa_work {
    gsl_matrix *S, *C, *evec;
    gsl_vector *eval, *var, *sqrt_psi;
    gsl_eigen_symmv_workspace *ws;
};

static void fa_work_free(struct fa_work *w)
{
    if (w->S)
        gsl_matrix_free(w->S);
    if (w->C)
        gsl_matrix_free(w->C);
    if (w->evec)
        gsl_matrix_free(w->evec);
    if (w->eval)
        gsl_vector_free(w->eval);
    if (w->var)
        gsl_vector_free(w->var);
    if (w->sqrt_psi)
        gsl_vector_free(w->sqrt_psi);
    if (w->ws)
        gsl_eigen_symmv_free(w->ws);
}

static int fa_check(const gsl_matrix *X, size_t k, char *errstr, size_t errstr_size)
{
    if (!X || X->size1 < 2) {
        errbuf_printf(errstr, errstr_size, "factor analysis: need at least 2 samples");
        return FA_E_TOO_FEW;
    }
    if (k == 0 || k > X->size2) {
        errbuf_printf(errstr, errstr_size, "factor analysis: %zu factors for %zu variables", k,
                      X->size2);
        return FA_E_INVALID;
    }
    for (size_t i = 0; i < X->size1; i++)
        for (size_t j = 0; j < X->size2; j++)
            if (!isfinite(gsl_matrix_get(X, i, j))) {
                errbuf_printf(errstr, errstr_size,
                              "factor analysis: non-finite value at row %zu col %zu", i, j);
                return FA_E_NONFINITE;
            }
    return FA_OK;
}

int fa_fit(const gsl_matrix *X, size_t n_factors, const struct fa_params *params, fa_model **out,
           char *errstr, size_t errstr_size)
{
    pthread_once(&fa_gsl_once, fa_gsl_init);
    *out = NULL;
    struct fa_params prm;
    if (params)
        prm = *params;
    else
        fa_params_default(&prm);
    int rc = fa_check(X, n_factors, errstr, errstr_size);
    if (rc != FA_OK)
        return rc;
    if (prm.max_iter == 0 || !(prm.tol >= 0) || !isfinite(prm.tol)) {
        errbuf_printf(errstr, errstr_size, "factor analysis: bad max_iter or tol");
        return FA_E_INVALID;
    }
    size_t n = X->size1, p = X->size2, k = n_factors;
    fa_model *m = fa_alloc(p, k);
    struct fa_work w = { 0 };
    if (m) {
        w.S = gsl_matrix_calloc(p, p);
        w.C = gsl_matrix_alloc(p, p);
        w.evec = gsl_matrix_alloc(p, p);
        w.eval = gsl_vector_alloc(p);
        w.var = gsl_vector_alloc(p);
        w.sqrt_psi = gsl_vector_alloc(p);
        w.ws = gsl_eigen_symmv_alloc(p);
    }
    if (!m || !w.S || !w.C || !w.evec || !w.eval || !w.var || !w.sqrt_psi || !w.ws) {
        errbuf_printf(errstr, errstr_size, "factor analysis: out of memory");
        rc = FA_E_NOMEM;
        goto out;
    }
    /* mean and S = Xc^T Xc / n */
    for (size_t j = 0; j < p; j++) {
        double s = 0;
        for (size_t i = 0; i < n; i++)
            s += gsl_matrix_get(X, i, j);
        gsl_vector_set(m->mean, j, s / (double)n);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < p; a++) {
            double xa = gsl_matrix_get(X, i, a) - gsl_vector_get(m->mean, a);
            for (size_t b = 0; b <= a; b++)
                *gsl_matrix_ptr(w.S, a, b) +=
                    xa * (gsl_matrix_get(X, i, b) - gsl_vector_get(m->mean, b));
        }
    for (size_t a = 0; a < p; a++)
        for (size_t b = 0; b <= a; b++) {
            double v = gsl_matrix_get(w.S, a, b) / (double)n;
            gsl_matrix_set(w.S, a, b, v);
            gsl_matrix_set(w.S, b, a, v);
        }
    for (size_t j = 0; j < p; j++)
        gsl_vector_set(w.var, j, gsl_matrix_get(w.S, j, j));
    gsl_vector_set_all(m->psi, 1.0);

    double llconst = (double)p * log(2 * M_PI) + (double)k;
    double old_ll = -INFINITY, ll = -INFINITY;
    size_t it;
    m->converged = 0;
    for (it = 0; it < prm.max_iter; it++) {
        for (size_t j = 0; j < p; j++)
            gsl_vector_set(w.sqrt_psi, j, sqrt(gsl_vector_get(m->psi, j)) + FA_SMALL);
        double trace = 0;
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++) {
                double v = gsl_matrix_get(w.S, a, b) /
                           (gsl_vector_get(w.sqrt_psi, a) * gsl_vector_get(w.sqrt_psi, b));
                gsl_matrix_set(w.C, a, b, v);
                if (a == b)
                    trace += v;
            }
        if (gsl_eigen_symmv(w.C, w.eval, w.evec, w.ws) != GSL_SUCCESS ||
            gsl_eigen_symmv_sort(w.eval, w.evec, GSL_EIGEN_SORT_VAL_DESC) != GSL_SUCCESS) {
            errbuf_printf(errstr, errstr_size, "factor analysis: eigen-decomposition failed");
            rc = FA_E_NUMERIC;
            goto out;
        }
        double sum_log_s = 0, sum_s = 0;
        for (size_t r = 0; r < k; r++) {
            double s = gsl_vector_get(w.eval, r);
            if (!(s > 0))
                s = FA_SMALL;
            sum_log_s += log(s);
            sum_s += s;
            double scale = sqrt(fmax(s - 1.0, 0.0));
            for (size_t j = 0; j < p; j++)
                gsl_matrix_set(m->L, j, r,
                               scale * gsl_matrix_get(w.evec, j, r) *
                                   gsl_vector_get(w.sqrt_psi, j));
        }
        double unexp = fmax(trace - sum_s, 0.0);
        double sum_log_psi = 0;
        for (size_t j = 0; j < p; j++)
            sum_log_psi += log(gsl_vector_get(m->psi, j));
        ll = -(double)n / 2.0 * (llconst + sum_log_s + unexp + sum_log_psi);
        if (ll - old_ll < prm.tol) {
            m->converged = 1;
            it++;
            break;
        }
        old_ll = ll;
        for (size_t j = 0; j < p; j++) {
            double ss = 0;
            for (size_t r = 0; r < k; r++)
                ss += gsl_matrix_get(m->L, j, r) * gsl_matrix_get(m->L, j, r);
            gsl_vector_set(m->psi, j, fmax(gsl_vector_get(w.var, j) - ss, FA_SMALL));
        }
    }
    m->n_iter = it;
    m->loglik = ll;
    fa_fix_signs(m);
    if ((rc = fa_posterior(m)) != FA_OK) {
        errbuf_printf(errstr, errstr_size, "factor analysis: posterior covariance not invertible");
        goto out;
    }
    *out = m;
    m = NULL;
out:
    fa_work_free(&w);
    fa_free(m);
    return rc;
}

int fa_covariance(const fa_model *m, gsl_matrix *out)
{
    if (!out || out->size1 != m->p || out->size2 != m->p)
        return FA_E_DIM;
    for (size_t a = 0; a < m->p; a++)
        for (size_t b = 0; b < m->p; b++) {
            double s = a == b ? gsl_vector_get(m->psi, a) : 0.0;
            for (size_t r = 0; r < m->k; r++)
                s += gsl_matrix_get(m->L, a, r) * gsl_matrix_get(m->L, b, r);
            gsl_matrix_set(out, a, b, s);
        }
    return FA_OK;
}

int fa_transform(const fa_model *m, const gsl_vector *x, gsl_vector *z)
{
    if (!x || !z || x->size != m->p || z->size != m->k)
        return FA_E_DIM;
    for (size_t j = 0; j < m->p; j++)
        if (!isfinite(gsl_vector_get(x, j)))
            return FA_E_NONFINITE;
    gsl_vector *t = gsl_vector_alloc(m->k);
    if (!t)
        return FA_E_NOMEM;
    for (size_t r = 0; r < m->k; r++) {
        double s = 0;
        for (size_t j = 0; j < m->p; j++)
            s += gsl_matrix_get(m->L, j, r) / gsl_vector_get(m->psi, j) *
                 (gsl_vector_get(x, j) - gsl_vector_get(m->mean, j));
        gsl_vector_set(t, r, s);
    }
    for (size_t a = 0; a < m->k; a++) {
        double s = 0;
        for (size_t b = 0; b < m->k; b++)
            s += gsl_matrix_get(m->M, a, b) * gsl_vector_get(t, b);
        gsl_vector_set(z, a, s);
    }
    gsl_vector_free(t);
    return FA_OK;
}

int fa_serialize(const fa_model *m, unsigned char **buf, size_t *len, char *errstr,
                 size_t errstr_size)
{
    struct blob_writer w;
    blob_writer_init(&w, BLOB_FA, FA_BLOB_VERSION);
    blob_put_u32(&w, (uint32_t)m->p);
    blob_put_u32(&w, (uint32_t)m->k);
    blob_put_f64(&w, m->loglik);
    blob_put_u32(&w, (uint32_t)m->n_iter);
    blob_put_u8(&w, (uint8_t)m->converged);
    for (size_t j = 0; j < m->p; j++) {
        blob_put_f64(&w, gsl_vector_get(m->mean, j));
        blob_put_f64(&w, gsl_vector_get(m->psi, j));
        for (size_t r = 0; r < m->k; r++)
            blob_put_f64(&w, gsl_matrix_get(m->L, j, r));
    }
    return blob_writer_finish(&w, buf, len, errstr, errstr_size) == BLOB_OK ? 0 : -1;
}

fa_model *fa_deserialize(const void *buf, size_t len, char *errstr, size_t errstr_size)
{
    pthread_once(&fa_gsl_once, fa_gsl_init);
    struct blob_reader r;
    uint16_t version;
    if (blob_open(buf, len, BLOB_FA, FA_BLOB_VERSION, &version, &r, errstr, errstr_size) != BLOB_OK)
        return NULL;
    uint32_t p = blob_get_u32(&r), k = blob_get_u32(&r);
    double loglik = blob_get_f64(&r);
    uint32_t n_iter = blob_get_u32(&r);
    uint8_t conv = blob_get_u8(&r);
    fa_model *m = NULL;
    if (r.failed || p == 0 || k == 0 || k > p || conv > 1 ||
        (size_t)p * (2 + (size_t)k) > blob_remaining(&r) / 8)
        goto corrupt;
    m = fa_alloc(p, k);
    if (!m)
        goto corrupt;
    m->loglik = loglik;
    m->n_iter = n_iter;
    m->converged = conv;
    for (uint32_t j = 0; j < p; j++) {
        double mu = blob_get_f64(&r), ps = blob_get_f64(&r);
        if (!isfinite(mu) || !isfinite(ps) || !(ps > 0))
            goto corrupt;
        gsl_vector_set(m->mean, j, mu);
        gsl_vector_set(m->psi, j, ps);
        for (uint32_t c = 0; c < k; c++) {
            double v = blob_get_f64(&r);
            if (!isfinite(v))
                goto corrupt;
            gsl_matrix_set(m->L, j, c, v);
        }
    }
    if (blob_reader_finish(&r, "factor-analysis", errstr, errstr_size) != BLOB_OK) {
        fa_free(m);
        return NULL;
    }
    if (fa_posterior(m) != FA_OK)
        goto corrupt;
    return m;
corrupt:
    fa_free(m);
    errbuf_printf(errstr, errstr_size, "factor-analysis blob: corrupt payload");
    return NULL;
}
