/* SPDX-License-Identifier: Apache-2.0 */
/* svm_model_io.c -- a trained C-SVC in and out of a blob (svmm.h,
 * blob.h type BLOB_SVM): every LibSVM model field written, and read back
 * with the checks that keep a corrupt or hostile blob from becoming a
 * model.  Kept apart from svm_model.c (problems, training, prediction) so
 * that each file stays readable. */
#include "config.h"

#include "svmm.h"
#include "svmm_impl.h"
#include "blob.h"
#include "errbuf.h"

#include <libsvm/svm.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- serialization ---------------------------------------------------- */

enum {
    SVMM_HAS_PROBA = 1,
    SVMM_HAS_PROBB = 2,
    SVMM_HAS_SVI = 4,
    SVMM_HAS_LABEL = 8,
    SVMM_HAS_NSV = 16
};

int svmm_serialize(const svmm_model *sm, unsigned char **buf, size_t *len, char *errstr,
                   size_t errstr_size)
{
    const struct svm_model *m = sm->m;
    const struct svm_parameter *pa = &m->param;
    struct blob_writer w;
    blob_writer_init(&w, BLOB_SVM, SVMM_BLOB_VERSION);
    blob_put_i32(&w, pa->svm_type);
    blob_put_i32(&w, pa->kernel_type);
    blob_put_i32(&w, pa->degree);
    blob_put_f64(&w, pa->gamma);
    blob_put_f64(&w, pa->coef0);
    blob_put_f64(&w, pa->cache_size);
    blob_put_f64(&w, pa->eps);
    blob_put_f64(&w, pa->C);
    blob_put_i32(&w, pa->nr_weight);
    for (int i = 0; i < pa->nr_weight; i++) {
        blob_put_i32(&w, pa->weight_label[i]);
        blob_put_f64(&w, pa->weight[i]);
    }
    blob_put_f64(&w, pa->nu);
    blob_put_f64(&w, pa->p);
    blob_put_i32(&w, pa->shrinking);
    blob_put_i32(&w, pa->probability);
    blob_put_i32(&w, m->nr_class);
    blob_put_i32(&w, m->l);
    blob_put_i32(&w, m->free_sv);
    uint8_t flags = (m->probA ? SVMM_HAS_PROBA : 0) | (m->probB ? SVMM_HAS_PROBB : 0) |
                    (m->sv_indices ? SVMM_HAS_SVI : 0) | (m->label ? SVMM_HAS_LABEL : 0) |
                    (m->nSV ? SVMM_HAS_NSV : 0);
    blob_put_u8(&w, flags);
    for (int i = 0; i < m->l; i++) {
        size_t n = svmm_row_len(m->SV[i]);
        blob_put_u32(&w, (uint32_t)n);
        for (size_t j = 0; j < n; j++) {
            blob_put_i32(&w, m->SV[i][j].index);
            blob_put_f64(&w, m->SV[i][j].value);
        }
    }
    for (int c = 0; c < m->nr_class - 1; c++)
        for (int i = 0; i < m->l; i++)
            blob_put_f64(&w, m->sv_coef[c][i]);
    int np = svmm_n_pairs(m->nr_class);
    for (int i = 0; i < np; i++)
        blob_put_f64(&w, m->rho[i]);
    for (int i = 0; m->probA && i < np; i++)
        blob_put_f64(&w, m->probA[i]);
    for (int i = 0; m->probB && i < np; i++)
        blob_put_f64(&w, m->probB[i]);
    for (int i = 0; m->sv_indices && i < m->l; i++)
        blob_put_i32(&w, m->sv_indices[i]);
    for (int i = 0; m->label && i < m->nr_class; i++)
        blob_put_i32(&w, m->label[i]);
    for (int i = 0; m->nSV && i < m->nr_class; i++)
        blob_put_i32(&w, m->nSV[i]);
    return blob_writer_finish(&w, buf, len, errstr, errstr_size) == BLOB_OK ? SVMM_OK
                                                                            : SVMM_E_NOMEM;
}

static int svmm_fin(double v)
{
    return isfinite(v);
}

int svmm_deserialize(const void *buf, size_t len, svmm_model **out, char *errstr,
                     size_t errstr_size)
{
    *out = NULL;
    struct blob_reader r;
    uint16_t version;
    char berr[160];
    if (blob_open(buf, len, BLOB_SVM, SVMM_BLOB_VERSION, &version, &r, berr, sizeof berr) !=
        BLOB_OK) {
        errbuf_printf(errstr, errstr_size, "%s", berr);
        return SVMM_E_CORRUPT;
    }
    struct svm_parameter pa;
    memset(&pa, 0, sizeof pa);
    pa.svm_type = blob_get_i32(&r);
    pa.kernel_type = blob_get_i32(&r);
    pa.degree = blob_get_i32(&r);
    pa.gamma = blob_get_f64(&r);
    pa.coef0 = blob_get_f64(&r);
    pa.cache_size = blob_get_f64(&r);
    pa.eps = blob_get_f64(&r);
    pa.C = blob_get_f64(&r);
    int32_t nw = blob_get_i32(&r);
    struct svm_model *m = NULL;
    const char *why = "bad parameters";
    if (r.failed || pa.svm_type != C_SVC ||
        (pa.kernel_type != LINEAR && pa.kernel_type != POLY && pa.kernel_type != RBF &&
         pa.kernel_type != SIGMOID) ||
        !svmm_fin(pa.gamma) || !svmm_fin(pa.coef0) || !svmm_fin(pa.cache_size) ||
        !svmm_fin(pa.eps) || !svmm_fin(pa.C) || nw < 0 || (size_t)nw > blob_remaining(&r) / 12)
        goto corrupt;
    /* class weights are training-only: validated and skipped */
    for (int32_t i = 0; i < nw; i++) {
        blob_get_i32(&r);
        if (!svmm_fin(blob_get_f64(&r)))
            goto corrupt;
    }
    pa.nu = blob_get_f64(&r);
    pa.p = blob_get_f64(&r);
    pa.shrinking = blob_get_i32(&r);
    pa.probability = blob_get_i32(&r);
    int32_t nr_class = blob_get_i32(&r), l = blob_get_i32(&r);
    (void)blob_get_i32(&r); /* free_sv of the writer; ours always owns its nodes */
    uint8_t flags = blob_get_u8(&r);
    why = "bad sizes";
    if (r.failed || !svmm_fin(pa.nu) || !svmm_fin(pa.p) || nr_class < 2 ||
        nr_class > SVMM_MAX_CLASSES || l < 0 || (size_t)l > blob_remaining(&r) / 4 || flags > 31)
        goto corrupt;
    /* first pass over the SVs to size the node block */
    struct blob_reader scan = r;
    size_t total = 0;
    for (int32_t i = 0; i < l; i++) {
        uint32_t n = blob_get_u32(&scan);
        if (scan.failed || n > blob_remaining(&scan) / 12 || !blob_get_bytes(&scan, 12 * (size_t)n))
            goto corrupt;
        total += (size_t)n + 1;
    }
    m = svmm_model_alloc(nr_class, l, total, flags & SVMM_HAS_PROBA, flags & SVMM_HAS_PROBB,
                         flags & SVMM_HAS_SVI, flags & SVMM_HAS_LABEL, flags & SVMM_HAS_NSV);
    if (!m) {
        errbuf_printf(errstr, errstr_size, "svm blob: out of memory");
        return SVMM_E_NOMEM;
    }
    m->param = pa;
    why = "bad support vector";
    size_t off = 0;
    for (int32_t i = 0; i < l; i++) {
        uint32_t n = blob_get_u32(&r);
        m->SV[i] = m->SV[0] + off;
        for (uint32_t j = 0; j < n; j++) {
            m->SV[i][j].index = blob_get_i32(&r);
            m->SV[i][j].value = blob_get_f64(&r);
            if (m->SV[i][j].index < 1 || (j > 0 && m->SV[i][j].index <= m->SV[i][j - 1].index) ||
                !svmm_fin(m->SV[i][j].value))
                goto corrupt;
        }
        m->SV[i][n].index = -1;
        m->SV[i][n].value = 0;
        off += (size_t)n + 1;
    }
    why = "bad coefficients";
    for (int c = 0; c < nr_class - 1; c++)
        for (int32_t i = 0; i < l; i++)
            if (!svmm_fin(m->sv_coef[c][i] = blob_get_f64(&r)))
                goto corrupt;
    int np = svmm_n_pairs(nr_class);
    for (int i = 0; i < np; i++)
        if (!svmm_fin(m->rho[i] = blob_get_f64(&r)))
            goto corrupt;
    for (int i = 0; m->probA && i < np; i++)
        if (!svmm_fin(m->probA[i] = blob_get_f64(&r)))
            goto corrupt;
    for (int i = 0; m->probB && i < np; i++)
        if (!svmm_fin(m->probB[i] = blob_get_f64(&r)))
            goto corrupt;
    for (int32_t i = 0; m->sv_indices && i < l; i++)
        if ((m->sv_indices[i] = blob_get_i32(&r)) < 1)
            goto corrupt;
    for (int i = 0; m->label && i < nr_class; i++)
        m->label[i] = blob_get_i32(&r);
    int64_t nsv_sum = 0;
    for (int i = 0; m->nSV && i < nr_class; i++) {
        m->nSV[i] = blob_get_i32(&r);
        if (m->nSV[i] < 0)
            goto corrupt;
        nsv_sum += m->nSV[i];
    }
    why = "labels or class sizes missing or inconsistent";
    if (!m->label || !m->nSV || nsv_sum != l)
        goto corrupt;
    if (blob_reader_finish(&r, "svm", berr, sizeof berr) != BLOB_OK) {
        why = "payload length";
        goto corrupt;
    }
    svmm_model *sm = malloc(sizeof *sm);
    if (!sm) {
        svmm_model_destroy(m);
        errbuf_printf(errstr, errstr_size, "svm blob: out of memory");
        return SVMM_E_NOMEM;
    }
    sm->m = m;
    *out = sm;
    return SVMM_OK;
corrupt:
    svmm_model_destroy(m);
    errbuf_printf(errstr, errstr_size, "svm blob: corrupt payload (%s)", why);
    return SVMM_E_CORRUPT;
}
