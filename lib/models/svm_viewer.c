/* SPDX-License-Identifier: Apache-2.0 */
/* svm_viewer.c -- a viewer's like/dislike C-SVC and its envelope
 * (svm_viewer.h). */
#include "config.h"

#include "svm_viewer.h"
#include "blob.h"
#include "errbuf.h"

#include <libsvm/svm.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SVMV_BLOB_VERSION 1

struct svmv_model {
    svmm_model *svm;
    struct svmv_info info;
    int like_pos; /* index of label +1 in svmm_labels() */
};

void svmv_config_default(struct svmv_config *c)
{
    c->kernel = SVMM_RBF;
    c->C = 1.0;
    c->gamma = 1.0;
    c->probability = 1;
    c->min_labels = 5;
    c->max_train = 500;
}

int svmv_label(double weight)
{
    if (!isfinite(weight))
        return 0;
    return weight >= SVMV_LABEL_MIN ? 1 : weight <= -SVMV_LABEL_MIN ? -1 : 0;
}

const char *svmv_kernel_name(int kernel)
{
    return kernel == SVMM_LINEAR ? "linear" : kernel == SVMM_RBF ? "rbf" : "other";
}

static uint32_t svmv_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

size_t svmv_row(char *const *features, size_t n, int *index, double *value)
{
    /* counts per hashed index, then the touched indices in ascending order;
     * n is small (a movie's genres and tags), so insertion keeps it sorted */
    size_t nnz = 0;
    for (size_t i = 0; i < n; i++) {
        if (!features[i] || !features[i][0])
            continue;
        int ix = (int)(svmv_hash(features[i]) % SVMV_DIM) + 1;
        size_t p = 0;
        while (p < nnz && index[p] < ix)
            p++;
        if (p < nnz && index[p] == ix) {
            value[p] += 1.0;
            continue;
        }
        memmove(index + p + 1, index + p, (nnz - p) * sizeof *index);
        memmove(value + p + 1, value + p, (nnz - p) * sizeof *value);
        index[p] = ix;
        value[p] = 1.0;
        nnz++;
        if (nnz == SVMV_DIM)
            break;
    }
    double ss = 0;
    for (size_t p = 0; p < nnz; p++)
        ss += value[p] * value[p];
    double norm = ss > 0 ? sqrt(ss) : 1;
    for (size_t p = 0; p < nnz; p++)
        value[p] /= norm;
    return nnz;
}

static int svmv_has_features(const struct svmv_sample *s)
{
    for (size_t i = 0; i < s->n_features; i++)
        if (s->features[i] && s->features[i][0])
            return 1;
    return 0;
}

void svmv_count(const struct svmv_sample *s, size_t n, size_t *likes, size_t *dislikes)
{
    *likes = *dislikes = 0;
    for (size_t i = 0; i < n; i++) {
        int l = svmv_label(s[i].weight);
        if (l && svmv_has_features(&s[i]))
            *(l > 0 ? likes : dislikes) += 1;
    }
}

/* Strongest |weight| first, then movie id. */
static int svmv_sample_cmp(const void *a, const void *b)
{
    const struct svmv_sample *x = *(const struct svmv_sample *const *)a;
    const struct svmv_sample *y = *(const struct svmv_sample *const *)b;
    double ax = fabs(x->weight), ay = fabs(y->weight);
    if (ax != ay)
        return ax > ay ? -1 : 1;
    return strcmp(x->movie ? x->movie : "", y->movie ? y->movie : "");
}

/* The selected samples, likes first: sel[0..*nl) likes, sel[*nl..*nl+*nd)
 * dislikes.  sel must hold n pointers. */
static void svmv_select(const struct svmv_sample *s, size_t n, size_t max_train,
                        const struct svmv_sample **sel, size_t *nl, size_t *nd)
{
    size_t a = 0, b = n;
    /* likes from the front, dislikes from the back */
    for (size_t i = 0; i < n; i++) {
        int l = svmv_label(s[i].weight);
        if (!l || !svmv_has_features(&s[i]))
            continue;
        if (l > 0)
            sel[a++] = &s[i];
        else
            sel[--b] = &s[i];
    }
    size_t likes = a, dislikes = n - b;
    qsort(sel, likes, sizeof *sel, svmv_sample_cmp);
    qsort(sel + b, dislikes, sizeof *sel, svmv_sample_cmp);
    size_t tl = likes, td = dislikes;
    if (max_train > 0 && likes + dislikes > max_train) {
        size_t half = max_train / 2;
        tl = likes < half ? likes : half;
        td = dislikes < half ? dislikes : half;
        size_t room = max_train - tl - td;
        size_t more = likes - tl < room ? likes - tl : room;
        tl += more;
        room -= more;
        td += dislikes - td < room ? dislikes - td : room;
    }
    memmove(sel + tl, sel + b, td * sizeof *sel);
    *nl = tl;
    *nd = td;
}

int svmv_problem(const struct svmv_sample *s, size_t n, const struct svmv_config *c,
                 svmm_problem **out, size_t *likes, size_t *dislikes, char *errstr,
                 size_t errstr_size)
{
    *out = NULL;
    *likes = *dislikes = 0;
    const struct svmv_sample **sel = malloc((n ? n : 1) * sizeof *sel);
    int *index = malloc(SVMV_DIM * sizeof *index);
    double *value = malloc(SVMV_DIM * sizeof *value);
    svmm_problem *pb = svmm_problem_new();
    int rc = SVMV_OK;
    if (!sel || !index || !value || !pb) {
        errbuf_printf(errstr, errstr_size, "svm: out of memory");
        rc = SVMV_E_NOMEM;
        goto out;
    }
    size_t nl, nd;
    svmv_select(s, n, c->max_train, sel, &nl, &nd);
    for (size_t i = 0; i < nl + nd; i++) {
        size_t nnz = svmv_row(sel[i]->features, sel[i]->n_features, index, value);
        char err[160];
        if (svmm_problem_add_sparse(pb, i < nl ? 1 : -1, index, value, nnz, err, sizeof err) !=
            SVMM_OK) {
            errbuf_printf(errstr, errstr_size, "%s", err);
            rc = SVMV_E_SVM;
            goto out;
        }
    }
    *likes = nl;
    *dislikes = nd;
    *out = pb;
    pb = NULL;
out:
    svmm_problem_free(pb);
    free(sel);
    free(index);
    free(value);
    return rc;
}

static int svmv_like_pos(const svmm_model *m)
{
    int labels[SVMM_MAX_CLASSES];
    if (svmm_n_classes(m) != 2)
        return -1;
    svmm_labels(m, labels);
    if (labels[0] == 1 && labels[1] == -1)
        return 0;
    if (labels[0] == -1 && labels[1] == 1)
        return 1;
    return -1;
}

static void svmv_fill_info(svmv_model *m)
{
    const struct svm_model *lm = svmm_libsvm(m->svm);
    m->info.kernel = lm->param.kernel_type == LINEAR ? SVMM_LINEAR : SVMM_RBF;
    m->info.C = lm->param.C;
    m->info.gamma = lm->param.gamma;
    m->info.probability = svmm_has_probability(m->svm);
    m->info.n_sv = svmm_n_sv(m->svm);
}

/* P(like) of a row. */
static double svmv_score_row(const svmv_model *m, const int *index, const double *value, size_t nnz)
{
    double p[2];
    int label;
    if (m->info.probability &&
        svmm_predict_probability_sparse(m->svm, index, value, nnz, p, &label, NULL, 0) == SVMM_OK)
        return p[m->like_pos];
    double dec;
    if (svmm_decision_sparse(m->svm, index, value, nnz, &dec, 1, &label, NULL, 0) != SVMM_OK)
        return 0.5;
    /* the decision value is positive for the first label */
    double f = m->like_pos == 0 ? dec : -dec;
    return 1.0 / (1.0 + exp(-f));
}

int svmv_train(const struct svmv_sample *s, size_t n, const struct svmv_config *c, int64_t now,
               svmv_model **out, char *errstr, size_t errstr_size)
{
    *out = NULL;
    if (!c || c->min_labels < 1 || (c->kernel != SVMM_LINEAR && c->kernel != SVMM_RBF)) {
        errbuf_printf(errstr, errstr_size, "svm: invalid configuration");
        return SVMV_E_INVALID;
    }
    size_t likes, dislikes;
    svmv_count(s, n, &likes, &dislikes);
    svmm_problem *pb = NULL;
    size_t nl = 0, nd = 0;
    if (likes >= c->min_labels && dislikes >= c->min_labels) {
        int rc = svmv_problem(s, n, c, &pb, &nl, &nd, errstr, errstr_size);
        if (rc != SVMV_OK)
            return rc;
    }
    if (nl < c->min_labels || nd < c->min_labels) {
        svmm_problem_free(pb);
        errbuf_printf(errstr, errstr_size,
                      "svm: %zu like(s) and %zu dislike(s), a model needs %zu of each", likes,
                      dislikes, c->min_labels);
        return SVMV_E_FEW_LABELS;
    }
    struct svmm_params p;
    svmm_params_default(&p);
    p.kernel = c->kernel;
    p.C = c->C;
    p.gamma = c->gamma;
    p.probability =
        c->probability && nl >= SVMM_PROB_MIN_PER_CLASS && nd >= SVMM_PROB_MIN_PER_CLASS;
    if (p.probability)
        srand(SVMV_SEED);
    svmv_model *m = calloc(1, sizeof *m);
    char err[256] = "";
    int src = m ? svmm_train(pb, &p, &m->svm, err, sizeof err) : SVMM_E_NOMEM;
    svmm_problem_free(pb);
    if (src != SVMM_OK || (m->like_pos = svmv_like_pos(m->svm)) < 0) {
        errbuf_printf(errstr, errstr_size, "svm: %s", src != SVMM_OK ? err : "unexpected labels");
        svmv_free(m);
        return src == SVMM_E_NOMEM ? SVMV_E_NOMEM : SVMV_E_SVM;
    }
    svmv_fill_info(m);
    m->info.likes = (uint32_t)nl;
    m->info.dislikes = (uint32_t)nd;
    m->info.labels = (uint32_t)(likes + dislikes);
    m->info.trained_at = now;
    /* training accuracy over the selected samples */
    const struct svmv_sample **sel = malloc((n ? n : 1) * sizeof *sel);
    int *index = malloc(SVMV_DIM * sizeof *index);
    double *value = malloc(SVMV_DIM * sizeof *value);
    if (!sel || !index || !value) {
        free(sel);
        free(index);
        free(value);
        svmv_free(m);
        errbuf_printf(errstr, errstr_size, "svm: out of memory");
        return SVMV_E_NOMEM;
    }
    size_t tl, td, right = 0;
    svmv_select(s, n, c->max_train, sel, &tl, &td);
    for (size_t i = 0; i < tl + td; i++) {
        size_t nnz = svmv_row(sel[i]->features, sel[i]->n_features, index, value);
        double dec;
        int label = 0;
        if (svmm_decision_sparse(m->svm, index, value, nnz, &dec, 1, &label, NULL, 0) == SVMM_OK &&
            label == (i < tl ? 1 : -1))
            right++;
    }
    m->info.train_accuracy = tl + td ? (double)right / (double)(tl + td) : 0;
    free(sel);
    free(index);
    free(value);
    *out = m;
    return SVMV_OK;
}

void svmv_free(svmv_model *m)
{
    if (!m)
        return;
    svmm_free(m->svm);
    free(m);
}

const struct svmv_info *svmv_info(const svmv_model *m)
{
    return &m->info;
}
const svmm_model *svmv_svm(const svmv_model *m)
{
    return m->svm;
}

double svmv_score(const svmv_model *m, char *const *features, size_t n)
{
    int index[64];
    double value[64];
    int *ix = index;
    double *val = value;
    if (n > 64) {
        ix = malloc(n * sizeof *ix);
        val = malloc(n * sizeof *val);
        if (!ix || !val) {
            free(ix);
            free(val);
            return -1;
        }
    }
    size_t nnz = svmv_row(features, n, ix, val);
    double p = nnz ? svmv_score_row(m, ix, val, nnz) : -1;
    if (ix != index) {
        free(ix);
        free(val);
    }
    return p;
}

/* ---- the envelope ------------------------------------------------------ */

int svmv_serialize(const svmv_model *m, unsigned char **buf, size_t *len, char *errstr,
                   size_t errstr_size)
{
    unsigned char *sb = NULL;
    size_t sl = 0;
    if (svmm_serialize(m->svm, &sb, &sl, errstr, errstr_size) != SVMM_OK)
        return SVMV_E_NOMEM;
    struct blob_writer w;
    blob_writer_init(&w, BLOB_SVM_VIEWER, SVMV_BLOB_VERSION);
    blob_put_u32(&w, SVMV_SCHEME);
    blob_put_u32(&w, SVMV_DIM);
    blob_put_u32(&w, m->info.likes);
    blob_put_u32(&w, m->info.dislikes);
    blob_put_u32(&w, m->info.labels);
    blob_put_f64(&w, m->info.train_accuracy);
    blob_put_u64(&w, (uint64_t)m->info.trained_at);
    blob_put_u32(&w, (uint32_t)sl);
    blob_put_bytes(&w, sb, sl);
    free(sb);
    return blob_writer_finish(&w, buf, len, errstr, errstr_size) == BLOB_OK ? SVMV_OK
                                                                            : SVMV_E_NOMEM;
}

int svmv_deserialize(const void *buf, size_t len, svmv_model **out, char *errstr,
                     size_t errstr_size)
{
    *out = NULL;
    struct blob_reader r;
    uint16_t version;
    char err[200];
    if (blob_open(buf, len, BLOB_SVM_VIEWER, SVMV_BLOB_VERSION, &version, &r, err, sizeof err) !=
        BLOB_OK) {
        errbuf_printf(errstr, errstr_size, "%s", err);
        return SVMV_E_CORRUPT;
    }
    uint32_t scheme = blob_get_u32(&r), dim = blob_get_u32(&r);
    svmv_model *m = calloc(1, sizeof *m);
    if (!m) {
        errbuf_printf(errstr, errstr_size, "svm-viewer blob: out of memory");
        return SVMV_E_NOMEM;
    }
    m->info.likes = blob_get_u32(&r);
    m->info.dislikes = blob_get_u32(&r);
    m->info.labels = blob_get_u32(&r);
    m->info.train_accuracy = blob_get_f64(&r);
    m->info.trained_at = (int64_t)blob_get_u64(&r);
    uint32_t sl = blob_get_u32(&r);
    const void *sb = sl <= blob_remaining(&r) ? blob_get_bytes(&r, sl) : NULL;
    const char *why = NULL;
    if (r.failed || !sb)
        why = "truncated payload";
    else if (scheme != SVMV_SCHEME || dim != SVMV_DIM)
        why = "features hashed under another scheme";
    else if (!(m->info.train_accuracy >= 0 && m->info.train_accuracy <= 1) || m->info.likes < 1 ||
             m->info.dislikes < 1 || m->info.labels < m->info.likes + m->info.dislikes)
        why = "inconsistent counts";
    else if (blob_reader_finish(&r, "svm-viewer", err, sizeof err) != BLOB_OK)
        why = "payload length";
    if (why) {
        errbuf_printf(errstr, errstr_size, "svm-viewer blob: corrupt (%s)", why);
        svmv_free(m);
        return SVMV_E_CORRUPT;
    }
    if (svmm_deserialize(sb, sl, &m->svm, err, sizeof err) != SVMM_OK) {
        errbuf_printf(errstr, errstr_size, "svm-viewer blob: %s", err);
        svmv_free(m);
        return SVMV_E_CORRUPT;
    }
    const struct svm_model *lm = svmm_libsvm(m->svm);
    if ((m->like_pos = svmv_like_pos(m->svm)) < 0 ||
        (lm->param.kernel_type != LINEAR && lm->param.kernel_type != RBF)) {
        errbuf_printf(errstr, errstr_size, "svm-viewer blob: not a like/dislike model");
        svmv_free(m);
        return SVMV_E_CORRUPT;
    }
    svmv_fill_info(m);
    *out = m;
    return SVMV_OK;
}
