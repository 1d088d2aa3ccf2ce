/* SPDX-License-Identifier: Apache-2.0 */
/* nb.c -- multinomial naive Bayes over string-named features (see nb.h). */
#include "config.h"

#include "nb.h"
#include "nb_impl.h"
#include "errbuf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int nb_class_name_ok(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return 0;
    for (const char *p = s; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

int nb_feature_name_ok(const char *s)
{
    return s && *s && strnlen(s, NB_MAX_NAME + 1) <= NB_MAX_NAME;
}

static char *nb_strdup(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

nb_model *nb_new(const char *const *classes, size_t n_classes, double alpha, char *errstr,
                 size_t errstr_size)
{
    if (n_classes < 2 || n_classes > NB_MAX_CLASSES) {
        errbuf_printf(errstr, errstr_size, "naive bayes: need 2..%d classes, got %zu",
                      NB_MAX_CLASSES, n_classes);
        return NULL;
    }
    if (!(alpha > 0) || !isfinite(alpha)) {
        errbuf_printf(errstr, errstr_size, "naive bayes: alpha must be finite and > 0");
        return NULL;
    }
    for (size_t i = 0; i < n_classes; i++) {
        if (!nb_class_name_ok(classes[i])) {
            errbuf_printf(errstr, errstr_size,
                          "naive bayes: class name %zu invalid (1..64 chars of [A-Za-z0-9_.-])", i);
            return NULL;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(classes[i], classes[j]) == 0) {
                errbuf_printf(errstr, errstr_size, "naive bayes: duplicate class '%s'", classes[i]);
                return NULL;
            }
    }
    nb_model *m = calloc(1, sizeof *m);
    if (!m)
        goto nomem;
    m->n_classes = n_classes;
    m->alpha = alpha;
    m->classes = calloc(n_classes, sizeof *m->classes);
    m->samples = calloc(n_classes, sizeof *m->samples);
    m->totals = calloc(n_classes, sizeof *m->totals);
    strmap_init(&m->index);
    if (!m->classes || !m->samples || !m->totals)
        goto nomem;
    for (size_t i = 0; i < n_classes; i++)
        if (!(m->classes[i] = nb_strdup(classes[i])))
            goto nomem;
    return m;
nomem:
    nb_free(m);
    errbuf_printf(errstr, errstr_size, "naive bayes: out of memory");
    return NULL;
}

void nb_free(nb_model *m)
{
    if (!m)
        return;
    if (m->classes)
        for (size_t i = 0; i < m->n_classes; i++)
            free(m->classes[i]);
    for (size_t f = 0; f < m->n_feat; f++)
        free(m->names[f]);
    free(m->classes);
    free(m->samples);
    free(m->totals);
    free(m->names);
    free(m->counts);
    strmap_clear(&m->index, NULL);
    free(m);
}

int nb_reserve(nb_model *m, size_t need)
{
    if (need <= m->cap_feat)
        return 0;
    size_t cap = m->cap_feat ? m->cap_feat * 2 : 16;
    while (cap < need)
        cap *= 2;
    char **names = realloc(m->names, cap * sizeof *names);
    if (!names)
        return -1;
    m->names = names;
    double *counts = realloc(m->counts, cap * m->n_classes * sizeof *counts);
    if (!counts)
        return -1;
    m->counts = counts;
    m->cap_feat = cap;
    return 0;
}

/* Index of feature, creating it (with zero counts) if needed; -1 on OOM. */
int nb_intern(nb_model *m, const char *feature, size_t *f)
{
    size_t len = strlen(feature);
    struct strmap_entry *e = strmap_getn(&m->index, feature, len);
    if (e) {
        *f = (size_t)e->num;
        return 0;
    }
    if (nb_reserve(m, m->n_feat + 1) != 0)
        return -1;
    char *name = nb_strdup(feature);
    if (!name)
        return -1;
    if (!(e = strmap_putn(&m->index, feature, len))) {
        free(name);
        return -1;
    }
    size_t g = m->n_feat++;
    m->names[g] = name;
    for (size_t c = 0; c < m->n_classes; c++)
        m->counts[g * m->n_classes + c] = 0.0;
    e->num = (double)g;
    *f = g;
    return 0;
}

nb_model *nb_clone(const nb_model *m)
{
    nb_model *c = nb_new((const char *const *)m->classes, m->n_classes, m->alpha, NULL, 0);
    if (!c)
        return NULL;
    c->prior_alpha = m->prior_alpha;
    memcpy(c->samples, m->samples, m->n_classes * sizeof *c->samples);
    for (size_t f = 0; f < m->n_feat; f++) {
        size_t g;
        if (nb_intern(c, m->names[f], &g) != 0) {
            nb_free(c);
            return NULL;
        }
        memcpy(c->counts + g * m->n_classes, m->counts + f * m->n_classes,
               m->n_classes * sizeof *c->counts);
    }
    memcpy(c->totals, m->totals, m->n_classes * sizeof *c->totals);
    return c;
}

int nb_set_prior_alpha(nb_model *m, double prior_alpha)
{
    if (!(prior_alpha >= 0) || !isfinite(prior_alpha))
        return -1;
    m->prior_alpha = prior_alpha;
    return 0;
}

size_t nb_n_classes(const nb_model *m)
{
    return m->n_classes;
}
double nb_alpha(const nb_model *m)
{
    return m->alpha;
}
size_t nb_n_features(const nb_model *m)
{
    return m->n_feat;
}

const char *nb_class_name(const nb_model *m, size_t cls)
{
    return cls < m->n_classes ? m->classes[cls] : NULL;
}

int nb_class_index(const nb_model *m, const char *name)
{
    for (size_t c = 0; c < m->n_classes; c++)
        if (strcmp(m->classes[c], name) == 0)
            return (int)c;
    return -1;
}

const char *nb_feature_name(const nb_model *m, size_t f)
{
    return f < m->n_feat ? m->names[f] : NULL;
}

int nb_feature_lookup(const nb_model *m, const char *feature, size_t *f)
{
    if (!feature)
        return -1;
    struct strmap_entry *e = strmap_get(&m->index, feature);
    if (!e)
        return -1;
    *f = (size_t)e->num;
    return 0;
}

/* ---- learning --------------------------------------------------------- */

static int nb_check_weight(double w, const char *what, char *errstr, size_t errstr_size)
{
    if (!isfinite(w) || w < 0) {
        errbuf_printf(errstr, errstr_size, "naive bayes: %s must be finite and >= 0", what);
        return -1;
    }
    return 0;
}

static int nb_check_class(const nb_model *m, size_t cls, char *errstr, size_t errstr_size)
{
    if (cls >= m->n_classes) {
        errbuf_printf(errstr, errstr_size, "naive bayes: class %zu out of range (%zu classes)", cls,
                      m->n_classes);
        return -1;
    }
    return 0;
}

int nb_add(nb_model *m, size_t cls, const char *feature, double weight, char *errstr,
           size_t errstr_size)
{
    if (nb_check_class(m, cls, errstr, errstr_size) != 0 ||
        nb_check_weight(weight, "feature weight", errstr, errstr_size) != 0)
        return -1;
    if (!nb_feature_name_ok(feature)) {
        errbuf_printf(errstr, errstr_size,
                      "naive bayes: feature name empty or longer than %d bytes", NB_MAX_NAME);
        return -1;
    }
    size_t f;
    if (nb_intern(m, feature, &f) != 0) {
        errbuf_printf(errstr, errstr_size, "naive bayes: out of memory");
        return -1;
    }
    m->counts[f * m->n_classes + cls] += weight;
    m->totals[cls] += weight;
    return 0;
}

int nb_add_samples(nb_model *m, size_t cls, double n, char *errstr, size_t errstr_size)
{
    if (nb_check_class(m, cls, errstr, errstr_size) != 0 ||
        nb_check_weight(n, "sample count", errstr, errstr_size) != 0)
        return -1;
    m->samples[cls] += n;
    return 0;
}

int nb_add_sample(nb_model *m, size_t cls, const char *const *features, const double *weights,
                  size_t n, char *errstr, size_t errstr_size)
{
    if (nb_check_class(m, cls, errstr, errstr_size) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!nb_feature_name_ok(features[i])) {
            errbuf_printf(errstr, errstr_size,
                          "naive bayes: feature %zu empty or longer than %d bytes", i, NB_MAX_NAME);
            return -1;
        }
        if (weights && nb_check_weight(weights[i], "feature weight", errstr, errstr_size) != 0)
            return -1;
    }
    /* Intern first so that an allocation failure leaves the counts alone. */
    size_t stack_idx[64];
    size_t *idx = n <= 64 ? stack_idx : malloc(n * sizeof *idx);
    if (!idx) {
        errbuf_printf(errstr, errstr_size, "naive bayes: out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (nb_intern(m, features[i], &idx[i]) != 0) {
            if (idx != stack_idx)
                free(idx);
            errbuf_printf(errstr, errstr_size, "naive bayes: out of memory");
            return -1;
        }
    for (size_t i = 0; i < n; i++) {
        double w = weights ? weights[i] : 1.0;
        m->counts[idx[i] * m->n_classes + cls] += w;
        m->totals[cls] += w;
    }
    m->samples[cls] += 1.0;
    if (idx != stack_idx)
        free(idx);
    return 0;
}

int nb_fit_matrix(nb_model *m, const double *X, size_t n_rows, size_t n_cols,
                  const char *const *names, const size_t *y, char *errstr, size_t errstr_size)
{
    for (size_t j = 0; j < n_cols; j++)
        if (!nb_feature_name_ok(names[j])) {
            errbuf_printf(errstr, errstr_size, "naive bayes: column %zu has an invalid name", j);
            return -1;
        }
    for (size_t i = 0; i < n_rows; i++) {
        if (nb_check_class(m, y[i], errstr, errstr_size) != 0)
            return -1;
        for (size_t j = 0; j < n_cols; j++)
            if (nb_check_weight(X[i * n_cols + j], "matrix entry", errstr, errstr_size) != 0)
                return -1;
    }
    size_t *idx = malloc((n_cols ? n_cols : 1) * sizeof *idx);
    if (!idx) {
        errbuf_printf(errstr, errstr_size, "naive bayes: out of memory");
        return -1;
    }
    for (size_t j = 0; j < n_cols; j++)
        if (nb_intern(m, names[j], &idx[j]) != 0) {
            free(idx);
            errbuf_printf(errstr, errstr_size, "naive bayes: out of memory");
            return -1;
        }
    for (size_t i = 0; i < n_rows; i++) {
        size_t c = y[i];
        for (size_t j = 0; j < n_cols; j++) {
            double w = X[i * n_cols + j];
            m->counts[idx[j] * m->n_classes + c] += w;
            m->totals[c] += w;
        }
        m->samples[c] += 1.0;
    }
    free(idx);
    return 0;
}

void nb_recompute_totals(nb_model *m)
{
    for (size_t c = 0; c < m->n_classes; c++)
        m->totals[c] = 0.0;
    for (size_t f = 0; f < m->n_feat; f++)
        for (size_t c = 0; c < m->n_classes; c++)
            m->totals[c] += m->counts[f * m->n_classes + c];
}

int nb_scale(nb_model *m, double factor)
{
    if (!(factor > 0 && factor <= 1))
        return -1;
    for (size_t i = 0; i < m->n_feat * m->n_classes; i++)
        m->counts[i] *= factor;
    for (size_t c = 0; c < m->n_classes; c++)
        m->samples[c] *= factor;
    nb_recompute_totals(m);
    return 0;
}

/* ---- raw counts, storage ---------------------------------------------- */

double nb_count(const nb_model *m, size_t cls, size_t f)
{
    if (cls >= m->n_classes || f >= m->n_feat)
        return 0.0;
    return m->counts[f * m->n_classes + cls];
}

double nb_class_samples(const nb_model *m, size_t cls)
{
    return cls < m->n_classes ? m->samples[cls] : 0.0;
}

double nb_class_total(const nb_model *m, size_t cls)
{
    return cls < m->n_classes ? m->totals[cls] : 0.0;
}

int nb_set_count(nb_model *m, size_t cls, const char *feature, double count, char *errstr,
                 size_t errstr_size)
{
    if (nb_check_class(m, cls, errstr, errstr_size) != 0 ||
        nb_check_weight(count, "count", errstr, errstr_size) != 0)
        return -1;
    if (!nb_feature_name_ok(feature)) {
        errbuf_printf(errstr, errstr_size, "naive bayes: feature name empty or too long");
        return -1;
    }
    size_t f;
    if (nb_intern(m, feature, &f) != 0) {
        errbuf_printf(errstr, errstr_size, "naive bayes: out of memory");
        return -1;
    }
    double *slot = &m->counts[f * m->n_classes + cls];
    m->totals[cls] += count - *slot;
    *slot = count;
    return 0;
}

int nb_set_class_samples(nb_model *m, size_t cls, double n, char *errstr, size_t errstr_size)
{
    if (nb_check_class(m, cls, errstr, errstr_size) != 0 ||
        nb_check_weight(n, "sample count", errstr, errstr_size) != 0)
        return -1;
    m->samples[cls] = n;
    return 0;
}

/* ---- queries ---------------------------------------------------------- */

double nb_log_prob_counts(double count, double class_total, double alpha, double n_features)
{
    return log(count + alpha) - log(class_total + alpha * n_features);
}

double nb_log_prior_counts(double samples, double samples_sum, double prior_alpha, size_t n_classes)
{
    double k = (double)n_classes;
    if (samples_sum + prior_alpha * k <= 0)
        return -log(k);
    return log(samples + prior_alpha) - log(samples_sum + prior_alpha * k);
}

double nb_class_log_prior(const nb_model *m, size_t cls)
{
    if (cls >= m->n_classes)
        return NAN;
    double sum = 0;
    for (size_t c = 0; c < m->n_classes; c++)
        sum += m->samples[c];
    return nb_log_prior_counts(m->samples[cls], sum, m->prior_alpha, m->n_classes);
}

static double nb_log_denominator(const nb_model *m, size_t cls)
{
    return log(m->totals[cls] + m->alpha * (double)m->n_feat);
}

double nb_feature_log_prob(const nb_model *m, size_t cls, const char *feature)
{
    if (cls >= m->n_classes)
        return NAN;
    size_t f;
    double cnt = nb_feature_lookup(m, feature, &f) == 0 ? m->counts[f * m->n_classes + cls] : 0.0;
    return nb_log_prob_counts(cnt, m->totals[cls], m->alpha, (double)m->n_feat);
}

double nb_feature_log_odds(const nb_model *m, const char *feature, size_t class_a, size_t class_b)
{
    if (class_a >= m->n_classes || class_b >= m->n_classes)
        return NAN;
    return nb_feature_log_prob(m, class_a, feature) - nb_feature_log_prob(m, class_b, feature);
}

int nb_joint_log_likelihood(const nb_model *m, const char *const *features, const double *weights,
                            size_t n, double *out, char *errstr, size_t errstr_size)
{
    if (weights)
        for (size_t i = 0; i < n; i++)
            if (nb_check_weight(weights[i], "query weight", errstr, errstr_size) != 0)
                return -1;
    double wsum = 0;
    for (size_t c = 0; c < m->n_classes; c++)
        out[c] = 0.0;
    for (size_t i = 0; i < n; i++) {
        size_t f;
        if (nb_feature_lookup(m, features[i], &f) != 0)
            continue;
        double w = weights ? weights[i] : 1.0;
        wsum += w;
        for (size_t c = 0; c < m->n_classes; c++)
            out[c] += w * log(m->counts[f * m->n_classes + c] + m->alpha);
    }
    for (size_t c = 0; c < m->n_classes; c++)
        out[c] += nb_class_log_prior(m, c) - (wsum > 0 ? wsum * nb_log_denominator(m, c) : 0);
    return 0;
}

int nb_joint_log_likelihood_dense(const nb_model *m, const double *x, size_t n_features,
                                  double *out, char *errstr, size_t errstr_size)
{
    if (n_features > m->n_feat) {
        errbuf_printf(errstr, errstr_size, "naive bayes: vector has %zu features, model %zu",
                      n_features, m->n_feat);
        return -1;
    }
    for (size_t j = 0; j < n_features; j++)
        if (nb_check_weight(x[j], "query weight", errstr, errstr_size) != 0)
            return -1;
    for (size_t c = 0; c < m->n_classes; c++) {
        double lden = nb_log_denominator(m, c);
        double s = 0;
        for (size_t j = 0; j < n_features; j++)
            if (x[j] != 0)
                s += x[j] * (log(m->counts[j * m->n_classes + c] + m->alpha) - lden);
        out[c] = s + nb_class_log_prior(m, c);
    }
    return 0;
}

void nb_normalize_log(double *v, size_t n)
{
    double mx = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (v[i] > mx)
            mx = v[i];
    if (!isfinite(mx))
        return;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += exp(v[i] - mx);
    double lse = mx + log(s);
    for (size_t i = 0; i < n; i++)
        v[i] -= lse;
}

int nb_log_proba(const nb_model *m, const char *const *features, const double *weights, size_t n,
                 double *out, char *errstr, size_t errstr_size)
{
    if (nb_joint_log_likelihood(m, features, weights, n, out, errstr, errstr_size) != 0)
        return -1;
    nb_normalize_log(out, m->n_classes);
    return 0;
}

int nb_predict(const nb_model *m, const char *const *features, const double *weights, size_t n,
               size_t *cls, char *errstr, size_t errstr_size)
{
    double jll[NB_MAX_CLASSES];
    if (nb_joint_log_likelihood(m, features, weights, n, jll, errstr, errstr_size) != 0)
        return -1;
    size_t best = 0;
    for (size_t c = 1; c < m->n_classes; c++)
        if (jll[c] > jll[best])
            best = c;
    *cls = best;
    return 0;
}

int nb_foreach_feature(const nb_model *m, nb_feature_cb cb, void *userdata)
{
    for (size_t f = 0; f < m->n_feat; f++) {
        int rc = cb(m->names[f], m->counts + f * m->n_classes, m->n_classes, userdata);
        if (rc != 0)
            return rc;
    }
    return 0;
}

size_t nb_top_features(const nb_model *m, size_t class_a, size_t class_b, size_t k,
                       size_t *features, double *log_odds)
{
    if (class_a >= m->n_classes || class_b >= m->n_classes)
        return 0;
    double V = (double)m->n_feat;
    size_t got = 0;
    for (size_t f = 0; f < m->n_feat; f++) {
        const double *cn = m->counts + f * m->n_classes;
        double lo = nb_log_prob_counts(cn[class_a], m->totals[class_a], m->alpha, V) -
                    nb_log_prob_counts(cn[class_b], m->totals[class_b], m->alpha, V);
        if (got == k && (k == 0 || lo <= log_odds[k - 1]))
            continue;
        size_t pos = got < k ? got++ : k - 1;
        while (pos > 0 && log_odds[pos - 1] < lo) {
            log_odds[pos] = log_odds[pos - 1];
            features[pos] = features[pos - 1];
            pos--;
        }
        log_odds[pos] = lo;
        features[pos] = f;
    }
    return got;
}
