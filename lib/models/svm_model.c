/* SPDX-License-Identifier: Apache-2.0 */
/* svm_model.c -- C-SVC through LibSVM with in-memory serialization (svmm.h). */
#include "config.h"

#include "svmm.h"
#include "svmm_impl.h"
#include "errbuf.h"

#include <libsvm/svm.h>

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SVMM_STACK_NODES 128

struct svmm_problem {
    struct svm_node *nodes; /* rows, each terminated by index -1 */
    size_t n_nodes, cap_nodes;
    size_t *row_off;
    int *labels;
    size_t n_rows, cap_rows;
    int max_index;
};


static pthread_once_t svmm_once = PTHREAD_ONCE_INIT;
static void svmm_quiet(const char *s)
{
    (void)s;
}
static void svmm_init(void)
{
    svm_set_print_string_function(svmm_quiet);
}

const char *svmm_strerror(int status)
{
    switch (status) {
    case SVMM_OK:
        return "ok";
    case SVMM_E_INVALID:
        return "invalid argument";
    case SVMM_E_NOMEM:
        return "out of memory";
    case SVMM_E_NONFINITE:
        return "NaN or infinity in a feature";
    case SVMM_E_EMPTY:
        return "empty problem";
    case SVMM_E_ONE_CLASS:
        return "only one class in the problem";
    case SVMM_E_TOO_FEW:
        return "too few samples per class for probability estimates";
    case SVMM_E_NO_PROB:
        return "model has no probability information";
    case SVMM_E_CORRUPT:
        return "corrupt model blob";
    default:
        return "unknown svm error";
    }
}

void svmm_params_default(struct svmm_params *p)
{
    p->kernel = SVMM_RBF;
    p->C = 1.0;
    p->gamma = 0.0;
    p->eps = 1e-3;
    p->cache_mb = 16;
    p->shrinking = 1;
    p->probability = 0;
}

/* ---- problems --------------------------------------------------------- */

svmm_problem *svmm_problem_new(void)
{
    return calloc(1, sizeof(svmm_problem));
}

void svmm_problem_free(svmm_problem *pb)
{
    if (!pb)
        return;
    free(pb->nodes);
    free(pb->row_off);
    free(pb->labels);
    free(pb);
}

size_t svmm_problem_size(const svmm_problem *pb)
{
    return pb->n_rows;
}
int svmm_problem_max_index(const svmm_problem *pb)
{
    return pb->max_index;
}

static int svmm_grow(svmm_problem *pb, size_t nodes)
{
    if (pb->n_nodes + nodes > pb->cap_nodes) {
        size_t cap = pb->cap_nodes ? pb->cap_nodes : 256;
        while (cap < pb->n_nodes + nodes)
            cap *= 2;
        struct svm_node *n = realloc(pb->nodes, cap * sizeof *n);
        if (!n)
            return -1;
        pb->nodes = n;
        pb->cap_nodes = cap;
    }
    if (pb->n_rows == pb->cap_rows) {
        size_t cap = pb->cap_rows ? pb->cap_rows * 2 : 64;
        size_t *o = realloc(pb->row_off, cap * sizeof *o);
        if (!o)
            return -1;
        pb->row_off = o;
        int *l = realloc(pb->labels, cap * sizeof *l);
        if (!l)
            return -1;
        pb->labels = l;
        pb->cap_rows = cap;
    }
    return 0;
}

/* A dense vector's checks (dimension, finite values) and its non-zeros. */
static int svmm_check_dense(const double *x, size_t dim, size_t *nnz, char *errstr,
                            size_t errstr_size)
{
    if (dim > INT_MAX - 1) {
        errbuf_printf(errstr, errstr_size, "svm: dimension too large");
        return SVMM_E_INVALID;
    }
    *nnz = 0;
    for (size_t j = 0; j < dim; j++) {
        if (!isfinite(x[j])) {
            errbuf_printf(errstr, errstr_size, "svm: non-finite feature %zu", j + 1);
            return SVMM_E_NONFINITE;
        }
        *nnz += x[j] != 0;
    }
    return SVMM_OK;
}

static int svmm_check_sparse(const int *index, const double *value, size_t nnz, char *errstr,
                             size_t errstr_size)
{
    for (size_t j = 0; j < nnz; j++) {
        if (index[j] < 1 || (j > 0 && index[j] <= index[j - 1])) {
            errbuf_printf(errstr, errstr_size,
                          "svm: feature indices must be >= 1 and strictly ascending (at %zu)", j);
            return SVMM_E_INVALID;
        }
        if (!isfinite(value[j])) {
            errbuf_printf(errstr, errstr_size, "svm: non-finite value of feature %d", index[j]);
            return SVMM_E_NONFINITE;
        }
    }
    return SVMM_OK;
}

/* The nodes of a checked vector, ending with LibSVM's terminator (index
 * -1), into n (room for nnz + 1); both return nnz. */
static size_t svmm_fill_dense(const double *x, size_t dim, struct svm_node *n)
{
    size_t k = 0;
    for (size_t j = 0; j < dim; j++)
        if (x[j] != 0)
            n[k++] = (struct svm_node){ .index = (int)j + 1, .value = x[j] };
    n[k] = (struct svm_node){ .index = -1, .value = 0 };
    return k;
}

static size_t svmm_fill_sparse(const int *index, const double *value, size_t nnz,
                               struct svm_node *n)
{
    for (size_t j = 0; j < nnz; j++)
        n[j] = (struct svm_node){ .index = index[j], .value = value[j] };
    n[nnz] = (struct svm_node){ .index = -1, .value = 0 };
    return nnz;
}

/* Room for a row of nnz nodes (and its terminator): where to fill it. */
static struct svm_node *svmm_row_begin(svmm_problem *pb, int label, size_t nnz, char *errstr,
                                       size_t errstr_size)
{
    if (svmm_grow(pb, nnz + 1) != 0) {
        errbuf_printf(errstr, errstr_size, "svm: out of memory");
        return NULL;
    }
    pb->row_off[pb->n_rows] = pb->n_nodes;
    pb->labels[pb->n_rows] = label;
    return pb->nodes + pb->n_nodes;
}

static void svmm_row_end(svmm_problem *pb, size_t nnz)
{
    const struct svm_node *row = pb->nodes + pb->n_nodes;
    if (nnz && row[nnz - 1].index > pb->max_index)
        pb->max_index = row[nnz - 1].index;
    pb->n_nodes += nnz + 1;
    pb->n_rows++;
}

int svmm_problem_add_dense(svmm_problem *pb, int label, const double *x, size_t dim, char *errstr,
                           size_t errstr_size)
{
    size_t nnz;
    int rc = svmm_check_dense(x, dim, &nnz, errstr, errstr_size);
    if (rc != SVMM_OK)
        return rc;
    struct svm_node *row = svmm_row_begin(pb, label, nnz, errstr, errstr_size);
    if (!row)
        return SVMM_E_NOMEM;
    svmm_row_end(pb, svmm_fill_dense(x, dim, row));
    return SVMM_OK;
}

int svmm_problem_add_sparse(svmm_problem *pb, int label, const int *index, const double *value,
                            size_t nnz, char *errstr, size_t errstr_size)
{
    int rc = svmm_check_sparse(index, value, nnz, errstr, errstr_size);
    if (rc != SVMM_OK)
        return rc;
    struct svm_node *row = svmm_row_begin(pb, label, nnz, errstr, errstr_size);
    if (!row)
        return SVMM_E_NOMEM;
    svmm_row_end(pb, svmm_fill_sparse(index, value, nnz, row));
    return SVMM_OK;
}

/* ---- owned LibSVM models ---------------------------------------------- */

void svmm_model_destroy(struct svm_model *m)
{
    if (!m)
        return;
    if (m->SV)
        free(m->SV[0]);
    free(m->SV);
    if (m->sv_coef)
        for (int i = 0; i < m->nr_class - 1; i++)
            free(m->sv_coef[i]);
    free(m->sv_coef);
    free(m->rho);
    free(m->probA);
    free(m->probB);
    free(m->sv_indices);
    free(m->label);
    free(m->nSV);
    free(m->param.weight_label);
    free(m->param.weight);
    free(m);
}

int svmm_n_pairs(int nr_class)
{
    return nr_class * (nr_class - 1) / 2;
}

/* Allocate a model with every array sized (node block of total_nodes
 * including terminators); has_* select the optional arrays. */
struct svm_model *svmm_model_alloc(int nr_class, int l, size_t total_nodes, int has_prob_a,
                                   int has_prob_b, int has_svi, int has_label, int has_nsv)
{
    struct svm_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    int np = svmm_n_pairs(nr_class);
    m->nr_class = nr_class;
    m->l = l;
    m->free_sv = 1;
    m->SV = calloc(l > 0 ? (size_t)l : 1, sizeof *m->SV);
    m->sv_coef = calloc((size_t)nr_class - 1, sizeof *m->sv_coef);
    m->rho = calloc((size_t)np, sizeof *m->rho);
    if (!m->SV || !m->sv_coef || !m->rho)
        goto fail;
    if (l > 0 && !(m->SV[0] = malloc(total_nodes * sizeof(struct svm_node))))
        goto fail;
    for (int i = 0; i < nr_class - 1; i++)
        if (!(m->sv_coef[i] = calloc(l > 0 ? (size_t)l : 1, sizeof(double))))
            goto fail;
    if ((has_prob_a && !(m->probA = calloc((size_t)np, sizeof(double)))) ||
        (has_prob_b && !(m->probB = calloc((size_t)np, sizeof(double)))) ||
        (has_svi && !(m->sv_indices = calloc(l > 0 ? (size_t)l : 1, sizeof(int)))) ||
        (has_label && !(m->label = calloc((size_t)nr_class, sizeof(int)))) ||
        (has_nsv && !(m->nSV = calloc((size_t)nr_class, sizeof(int)))))
        goto fail;
    return m;
fail:
    svmm_model_destroy(m);
    return NULL;
}

size_t svmm_row_len(const struct svm_node *x)
{
    size_t n = 0;
    while (x[n].index != -1)
        n++;
    return n;
}

/* Deep copy of a trained model (whose SVs point into the problem). */
static struct svm_model *svmm_copy(const struct svm_model *src)
{
    size_t total = 0;
    for (int i = 0; i < src->l; i++)
        total += svmm_row_len(src->SV[i]) + 1;
    struct svm_model *m =
        svmm_model_alloc(src->nr_class, src->l, total, src->probA != NULL, src->probB != NULL,
                         src->sv_indices != NULL, src->label != NULL, src->nSV != NULL);
    if (!m)
        return NULL;
    m->param = src->param;
    m->param.nr_weight = 0; /* weights are training-only and owned by the caller */
    m->param.weight_label = NULL;
    m->param.weight = NULL;
    size_t off = 0;
    for (int i = 0; i < src->l; i++) {
        size_t n = svmm_row_len(src->SV[i]) + 1;
        m->SV[i] = m->SV[0] + off;
        memcpy(m->SV[i], src->SV[i], n * sizeof(struct svm_node));
        off += n;
    }
    int np = svmm_n_pairs(src->nr_class);
    for (int c = 0; c < src->nr_class - 1; c++)
        memcpy(m->sv_coef[c], src->sv_coef[c], (size_t)src->l * sizeof(double));
    memcpy(m->rho, src->rho, (size_t)np * sizeof(double));
    if (src->probA)
        memcpy(m->probA, src->probA, (size_t)np * sizeof(double));
    if (src->probB)
        memcpy(m->probB, src->probB, (size_t)np * sizeof(double));
    if (src->sv_indices)
        memcpy(m->sv_indices, src->sv_indices, (size_t)src->l * sizeof(int));
    if (src->label)
        memcpy(m->label, src->label, (size_t)src->nr_class * sizeof(int));
    if (src->nSV)
        memcpy(m->nSV, src->nSV, (size_t)src->nr_class * sizeof(int));
    return m;
}

/* ---- training --------------------------------------------------------- */

int svmm_train(const svmm_problem *pb, const struct svmm_params *params, svmm_model **out,
               char *errstr, size_t errstr_size)
{
    pthread_once(&svmm_once, svmm_init);
    *out = NULL;
    struct svmm_params prm;
    if (params)
        prm = *params;
    else
        svmm_params_default(&prm);
    if (!pb || pb->n_rows == 0) {
        errbuf_printf(errstr, errstr_size, "svm: empty problem");
        return SVMM_E_EMPTY;
    }
    if (pb->n_rows > INT_MAX) {
        errbuf_printf(errstr, errstr_size, "svm: too many rows");
        return SVMM_E_INVALID;
    }
    if (prm.kernel != SVMM_LINEAR && prm.kernel != SVMM_RBF) {
        errbuf_printf(errstr, errstr_size, "svm: kernel must be linear or rbf");
        return SVMM_E_INVALID;
    }
    if (!isfinite(prm.C) || !isfinite(prm.gamma) || !isfinite(prm.eps) || !isfinite(prm.cache_mb)) {
        errbuf_printf(errstr, errstr_size, "svm: non-finite parameter");
        return SVMM_E_INVALID;
    }
    /* classes and their sizes */
    int labels[SVMM_MAX_CLASSES];
    size_t counts[SVMM_MAX_CLASSES];
    int nc = 0;
    for (size_t i = 0; i < pb->n_rows; i++) {
        int c;
        for (c = 0; c < nc; c++)
            if (labels[c] == pb->labels[i])
                break;
        if (c == nc) {
            if (nc == SVMM_MAX_CLASSES) {
                errbuf_printf(errstr, errstr_size, "svm: more than %d classes", SVMM_MAX_CLASSES);
                return SVMM_E_INVALID;
            }
            labels[nc] = pb->labels[i];
            counts[nc++] = 0;
        }
        counts[c]++;
    }
    if (nc < 2) {
        errbuf_printf(errstr, errstr_size, "svm: only one class (label %d) in %zu rows", labels[0],
                      pb->n_rows);
        return SVMM_E_ONE_CLASS;
    }
    if (prm.probability)
        for (int c = 0; c < nc; c++)
            if (counts[c] < SVMM_PROB_MIN_PER_CLASS) {
                errbuf_printf(errstr, errstr_size,
                              "svm: class %d has %zu rows, probability estimates need %d",
                              labels[c], counts[c], SVMM_PROB_MIN_PER_CLASS);
                return SVMM_E_TOO_FEW;
            }
    struct svm_parameter param;
    memset(&param, 0, sizeof param);
    param.svm_type = C_SVC;
    param.kernel_type = prm.kernel == SVMM_LINEAR ? LINEAR : RBF;
    param.degree = 3;
    param.gamma =
        prm.gamma > 0 ? prm.gamma : 1.0 / (pb->max_index > 0 ? (double)pb->max_index : 1.0);
    param.coef0 = 0;
    param.cache_size = prm.cache_mb;
    param.eps = prm.eps;
    param.C = prm.C;
    param.nr_weight = 0;
    param.nu = 0.5;
    param.p = 0.1;
    param.shrinking = prm.shrinking ? 1 : 0;
    param.probability = prm.probability ? 1 : 0;

    struct svm_problem prob;
    prob.l = (int)pb->n_rows;
    prob.y = malloc(pb->n_rows * sizeof *prob.y);
    prob.x = malloc(pb->n_rows * sizeof *prob.x);
    if (!prob.y || !prob.x) {
        free(prob.y);
        free(prob.x);
        errbuf_printf(errstr, errstr_size, "svm: out of memory");
        return SVMM_E_NOMEM;
    }
    for (size_t i = 0; i < pb->n_rows; i++) {
        prob.y[i] = pb->labels[i];
        prob.x[i] = pb->nodes + pb->row_off[i];
    }
    int rc = SVMM_OK;
    const char *perr = svm_check_parameter(&prob, &param);
    if (perr) {
        errbuf_printf(errstr, errstr_size, "svm: %s", perr);
        rc = SVMM_E_INVALID;
        goto out;
    }
    struct svm_model *trained = svm_train(&prob, &param);
    struct svm_model *own = trained ? svmm_copy(trained) : NULL;
    if (trained)
        svm_free_and_destroy_model(&trained); /* free_sv = 0: leaves the nodes */
    svmm_model *sm = own ? malloc(sizeof *sm) : NULL;
    if (!sm) {
        svmm_model_destroy(own);
        errbuf_printf(errstr, errstr_size, "svm: out of memory");
        rc = SVMM_E_NOMEM;
        goto out;
    }
    sm->m = own;
    *out = sm;
out:
    free(prob.y);
    free(prob.x);
    return rc;
}

void svmm_free(svmm_model *m)
{
    if (!m)
        return;
    svmm_model_destroy(m->m);
    free(m);
}

int svmm_n_classes(const svmm_model *m)
{
    return m->m->nr_class;
}
int svmm_n_sv(const svmm_model *m)
{
    return m->m->l;
}
const struct svm_model *svmm_libsvm(const svmm_model *m)
{
    return m->m;
}

void svmm_labels(const svmm_model *m, int *labels)
{
    svm_get_labels(m->m, labels);
}

int svmm_has_probability(const svmm_model *m)
{
    return svm_check_probability_model(m->m) ? 1 : 0;
}

/* ---- prediction ------------------------------------------------------- */

/* Room for a query of nnz nodes: the stack buffer or malloc'd. */
static struct svm_node *svmm_query_nodes(size_t nnz, struct svm_node *stack, int *rc, char *errstr,
                                         size_t errstr_size)
{
    struct svm_node *n = nnz + 1 <= SVMM_STACK_NODES ? stack : malloc((nnz + 1) * sizeof *n);
    if (!n) {
        errbuf_printf(errstr, errstr_size, "svm: out of memory");
        *rc = SVMM_E_NOMEM;
    }
    return n;
}

/* Nodes for a dense query: stack buffer or malloc'd. */
static struct svm_node *svmm_dense_nodes(const double *x, size_t dim, struct svm_node *stack,
                                         int *rc, char *errstr, size_t errstr_size)
{
    size_t nnz;
    if ((*rc = svmm_check_dense(x, dim, &nnz, errstr, errstr_size)) != SVMM_OK)
        return NULL;
    struct svm_node *n = svmm_query_nodes(nnz, stack, rc, errstr, errstr_size);
    if (n)
        svmm_fill_dense(x, dim, n);
    return n;
}

static struct svm_node *svmm_sparse_nodes(const int *index, const double *value, size_t nnz,
                                          struct svm_node *stack, int *rc, char *errstr,
                                          size_t errstr_size)
{
    if ((*rc = svmm_check_sparse(index, value, nnz, errstr, errstr_size)) != SVMM_OK)
        return NULL;
    struct svm_node *n = svmm_query_nodes(nnz, stack, rc, errstr, errstr_size);
    if (n)
        svmm_fill_sparse(index, value, nnz, n);
    return n;
}

static int svmm_decide(const svmm_model *m, const struct svm_node *x, double *dec, size_t n_dec,
                       int *label, char *errstr, size_t errstr_size)
{
    size_t need = (size_t)svmm_n_pairs(m->m->nr_class);
    if (n_dec < need) {
        errbuf_printf(errstr, errstr_size, "svm: need room for %zu decision values", need);
        return SVMM_E_INVALID;
    }
    double lab = svm_predict_values(m->m, x, dec);
    if (label)
        *label = (int)lab;
    return SVMM_OK;
}

static int svmm_prob(const svmm_model *m, const struct svm_node *x, double *probs, int *label,
                     char *errstr, size_t errstr_size)
{
    if (!svmm_has_probability(m)) {
        errbuf_printf(errstr, errstr_size, "svm: model was trained without probability estimates");
        return SVMM_E_NO_PROB;
    }
    double lab = svm_predict_probability(m->m, x, probs);
    if (label)
        *label = (int)lab;
    return SVMM_OK;
}

/* A query's input: dense (x, dim) or sparse (index, value, nnz). */
struct svmm_query {
    int dense;
    const double *x;
    size_t dim;
    const int *index;
    const double *value;
    size_t nnz;
};

/* Run a query: decision values (prob 0, into out[n_out]) or probabilities
 * (prob 1, into out). */
static int svmm_run(const svmm_model *m, const struct svmm_query *q, int prob, double *out,
                    size_t n_out, int *label, char *errstr, size_t errstr_size)
{
    struct svm_node stack[SVMM_STACK_NODES];
    int rc;
    struct svm_node *n =
        q->dense ? svmm_dense_nodes(q->x, q->dim, stack, &rc, errstr, errstr_size)
                 : svmm_sparse_nodes(q->index, q->value, q->nnz, stack, &rc, errstr, errstr_size);
    if (!n)
        return rc;
    rc = prob ? svmm_prob(m, n, out, label, errstr, errstr_size)
              : svmm_decide(m, n, out, n_out, label, errstr, errstr_size);
    if (n != stack)
        free(n);
    return rc;
}

int svmm_decision_dense(const svmm_model *m, const double *x, size_t dim, double *dec, size_t n_dec,
                        int *label, char *errstr, size_t errstr_size)
{
    const struct svmm_query q = { .dense = 1, .x = x, .dim = dim };
    return svmm_run(m, &q, 0, dec, n_dec, label, errstr, errstr_size);
}

int svmm_decision_sparse(const svmm_model *m, const int *index, const double *value, size_t nnz,
                         double *dec, size_t n_dec, int *label, char *errstr, size_t errstr_size)
{
    const struct svmm_query q = { .index = index, .value = value, .nnz = nnz };
    return svmm_run(m, &q, 0, dec, n_dec, label, errstr, errstr_size);
}

int svmm_predict_dense(const svmm_model *m, const double *x, size_t dim, int *label, char *errstr,
                       size_t errstr_size)
{
    double dec[SVMM_MAX_CLASSES * (SVMM_MAX_CLASSES - 1) / 2];
    return svmm_decision_dense(m, x, dim, dec, sizeof dec / sizeof dec[0], label, errstr,
                               errstr_size);
}

int svmm_predict_probability_dense(const svmm_model *m, const double *x, size_t dim, double *probs,
                                   int *label, char *errstr, size_t errstr_size)
{
    const struct svmm_query q = { .dense = 1, .x = x, .dim = dim };
    return svmm_run(m, &q, 1, probs, 0, label, errstr, errstr_size);
}

int svmm_predict_probability_sparse(const svmm_model *m, const int *index, const double *value,
                                    size_t nnz, double *probs, int *label, char *errstr,
                                    size_t errstr_size)
{
    const struct svmm_query q = { .index = index, .value = value, .nnz = nnz };
    return svmm_run(m, &q, 1, probs, 0, label, errstr, errstr_size);
}

/* ---- retraining policy ------------------------------------------------ */

void svmm_retrain_policy_default(struct svmm_retrain_policy *p)
{
    p->min_total = 10;
    p->min_new = 20;
    p->min_new_fraction = 0.1;
    p->min_new_floor = 2;
}

int svmm_should_retrain(size_t n_new_labels, size_t n_total,
                        const struct svmm_retrain_policy *policy)
{
    struct svmm_retrain_policy def;
    if (!policy) {
        svmm_retrain_policy_default(&def);
        policy = &def;
    }
    if (n_new_labels == 0 || n_total < policy->min_total || n_new_labels > n_total)
        return 0;
    if (n_new_labels == n_total)
        return 1; /* no model yet */
    if (n_new_labels < policy->min_new_floor)
        return 0;
    if (n_new_labels >= policy->min_new)
        return 1;
    return (double)n_new_labels >= policy->min_new_fraction * (double)n_total;
}
