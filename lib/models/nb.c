/* SPDX-License-Identifier: Apache-2.0 */
/* nb.c -- multinomial naive Bayes over string-named features (see nb.h). */
#include "config.h"

#include "nb.h"
#include "errbuf.h"
#include "blob.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NB_BLOB_VERSION 1

struct nb_slot {
    uint64_t hash;
    size_t idx1; /* feature index + 1, 0 = empty */
};

struct nb_model {
    size_t n_classes;
    char **classes;
    double alpha, prior_alpha;
    double *samples; /* [n_classes] */
    double *totals;  /* [n_classes]: sum over features of counts */

    size_t n_feat, cap_feat;
    char **names;   /* [cap_feat] */
    double *counts; /* [cap_feat * n_classes], feature-major */

    struct nb_slot *slots; /* open addressing, linear probing */
    size_t n_slots;        /* power of two */
};

static uint64_t nb_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return h;
}

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

static int nb_feature_name_ok(const char *s)
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
    m->n_slots = 16;
    m->slots = calloc(m->n_slots, sizeof *m->slots);
    if (!m->classes || !m->samples || !m->totals || !m->slots)
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
    free(m->slots);
    free(m);
}

static int nb_reserve(nb_model *m, size_t need)
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

static void nb_slot_insert(struct nb_slot *slots, size_t n_slots, uint64_t h, size_t f)
{
    size_t i = (size_t)h & (n_slots - 1);
    while (slots[i].idx1)
        i = (i + 1) & (n_slots - 1);
    slots[i].hash = h;
    slots[i].idx1 = f + 1;
}

static int nb_find(const nb_model *m, const char *feature, uint64_t h, size_t *f)
{
    size_t i = (size_t)h & (m->n_slots - 1);
    while (m->slots[i].idx1) {
        if (m->slots[i].hash == h) {
            size_t g = m->slots[i].idx1 - 1;
            if (strcmp(m->names[g], feature) == 0) {
                *f = g;
                return 0;
            }
        }
        i = (i + 1) & (m->n_slots - 1);
    }
    return -1;
}

/* Index of feature, creating it (with zero counts) if needed; -1 on OOM. */
static int nb_intern(nb_model *m, const char *feature, size_t *f)
{
    uint64_t h = nb_hash(feature);
    if (nb_find(m, feature, h, f) == 0)
        return 0;
    if (nb_reserve(m, m->n_feat + 1) != 0)
        return -1;
    if ((m->n_feat + 1) * 2 > m->n_slots) {
        size_t n_slots = m->n_slots * 2;
        struct nb_slot *slots = calloc(n_slots, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t i = 0; i < m->n_slots; i++)
            if (m->slots[i].idx1)
                nb_slot_insert(slots, n_slots, m->slots[i].hash, m->slots[i].idx1 - 1);
        free(m->slots);
        m->slots = slots;
        m->n_slots = n_slots;
    }
    char *name = nb_strdup(feature);
    if (!name)
        return -1;
    size_t g = m->n_feat++;
    m->names[g] = name;
    for (size_t c = 0; c < m->n_classes; c++)
        m->counts[g * m->n_classes + c] = 0.0;
    nb_slot_insert(m->slots, m->n_slots, h, g);
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
    return nb_find(m, feature, nb_hash(feature), f);
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

static void nb_recompute_totals(nb_model *m)
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

int nb_field_format(const nb_model *m, size_t cls, const char *feature, char *buf, size_t size)
{
    if (cls >= m->n_classes)
        return -1;
    int n = feature ? snprintf(buf, size, "f|%s|%s", m->classes[cls], feature)
                    : snprintf(buf, size, "s|%s", m->classes[cls]);
    if (n < 0 || (size_t)n >= size)
        return -1;
    return n;
}

/* Parse one field name: kind 's' or 'f', class index, feature (pointer into
 * field, NULL for 's'). */
static int nb_parse_field(const nb_model *m, const char *field, int *kind, size_t *cls,
                          const char **feature)
{
    if (!field || (field[0] != 's' && field[0] != 'f') || field[1] != '|')
        return -1;
    const char *cname = field + 2;
    const char *bar = strchr(cname, '|');
    size_t clen = bar ? (size_t)(bar - cname) : strlen(cname);
    if (field[0] == 's' && bar)
        return -1;
    if (field[0] == 'f' && (!bar || !nb_feature_name_ok(bar + 1)))
        return -1;
    for (size_t c = 0; c < m->n_classes; c++)
        if (strlen(m->classes[c]) == clen && memcmp(m->classes[c], cname, clen) == 0) {
            *kind = field[0];
            *cls = c;
            *feature = field[0] == 'f' ? bar + 1 : NULL;
            return 0;
        }
    return -1;
}

static int nb_parse_number(const char *s, double *v)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !isfinite(d) || d < 0)
        return -1;
    *v = d;
    return 0;
}

int nb_load_fields(nb_model *m, const char *const *fields, const char *const *values, size_t n,
                   char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < n; i++) {
        int kind;
        size_t cls;
        const char *feature;
        double v;
        if (nb_parse_field(m, fields[i], &kind, &cls, &feature) != 0) {
            errbuf_printf(errstr, errstr_size, "naive bayes: bad count field '%.80s'",
                          fields[i] ? fields[i] : "(null)");
            return -1;
        }
        if (nb_parse_number(values[i], &v) != 0) {
            errbuf_printf(errstr, errstr_size,
                          "naive bayes: value of '%.80s' is not a finite number >= 0", fields[i]);
            return -1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int kind;
        size_t cls;
        const char *feature;
        double v;
        nb_parse_field(m, fields[i], &kind, &cls, &feature);
        nb_parse_number(values[i], &v);
        int rc = kind == 's' ? nb_set_class_samples(m, cls, v, errstr, errstr_size)
                             : nb_set_count(m, cls, feature, v, errstr, errstr_size);
        if (rc != 0)
            return -1;
    }
    nb_recompute_totals(m);
    return 0;
}

nb_model *nb_from_fields(const char *const *classes, size_t n_classes, double alpha,
                         const char *const *fields, const char *const *values, size_t n,
                         char *errstr, size_t errstr_size)
{
    nb_model *m = nb_new(classes, n_classes, alpha, errstr, errstr_size);
    if (m && nb_load_fields(m, fields, values, n, errstr, errstr_size) != 0) {
        nb_free(m);
        return NULL;
    }
    return m;
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

/* ---- serialization ---------------------------------------------------- */

int nb_serialize(const nb_model *m, unsigned char **buf, size_t *len, char *errstr,
                 size_t errstr_size)
{
    struct blob_writer w;
    blob_writer_init(&w, BLOB_NB, NB_BLOB_VERSION);
    blob_put_f64(&w, m->alpha);
    blob_put_f64(&w, m->prior_alpha);
    blob_put_u32(&w, (uint32_t)m->n_classes);
    for (size_t c = 0; c < m->n_classes; c++) {
        blob_put_str(&w, m->classes[c]);
        blob_put_f64(&w, m->samples[c]);
        blob_put_f64(&w, m->totals[c]);
    }
    blob_put_u32(&w, (uint32_t)m->n_feat);
    for (size_t f = 0; f < m->n_feat; f++) {
        blob_put_str(&w, m->names[f]);
        for (size_t c = 0; c < m->n_classes; c++)
            blob_put_f64(&w, m->counts[f * m->n_classes + c]);
    }
    return blob_writer_finish(&w, buf, len, errstr, errstr_size) == BLOB_OK ? 0 : -1;
}

nb_model *nb_deserialize(const void *buf, size_t len, char *errstr, size_t errstr_size)
{
    struct blob_reader r;
    uint16_t version;
    if (blob_open(buf, len, BLOB_NB, NB_BLOB_VERSION, &version, &r, errstr, errstr_size) != BLOB_OK)
        return NULL;
    nb_model *m = NULL;
    char *names[NB_MAX_CLASSES] = { 0 };
    double samples[NB_MAX_CLASSES], totals[NB_MAX_CLASSES];
    double alpha = blob_get_f64(&r), prior_alpha = blob_get_f64(&r);
    uint32_t nc = blob_get_u32(&r);
    if (r.failed || nc < 2 || nc > NB_MAX_CLASSES)
        goto corrupt;
    for (uint32_t c = 0; c < nc; c++) {
        names[c] = blob_get_str(&r);
        samples[c] = blob_get_f64(&r);
        totals[c] = blob_get_f64(&r);
        if (r.failed || !isfinite(samples[c]) || samples[c] < 0 || !isfinite(totals[c]) ||
            totals[c] < 0)
            goto corrupt;
    }
    m = nb_new((const char *const *)names, nc, alpha, NULL, 0);
    if (!m || nb_set_prior_alpha(m, prior_alpha) != 0)
        goto corrupt;
    memcpy(m->samples, samples, nc * sizeof *samples);
    uint32_t nf = blob_get_u32(&r);
    if (r.failed || nf > blob_remaining(&r) / (4 + 8 * (size_t)nc))
        goto corrupt;
    if (nb_reserve(m, nf) != 0)
        goto nomem;
    for (uint32_t f = 0; f < nf; f++) {
        char *name = blob_get_str(&r);
        size_t g;
        if (!name || !nb_feature_name_ok(name) || nb_find(m, name, nb_hash(name), &g) == 0) {
            free(name);
            goto corrupt;
        }
        int rc = nb_intern(m, name, &g);
        free(name);
        if (rc != 0)
            goto nomem;
        for (uint32_t c = 0; c < nc; c++) {
            double v = blob_get_f64(&r);
            if (r.failed || !isfinite(v) || v < 0)
                goto corrupt;
            m->counts[g * nc + c] = v;
        }
    }
    if (blob_reader_finish(&r, "naive-bayes", errstr, errstr_size) != BLOB_OK)
        goto fail;
    nb_recompute_totals(m);
    for (uint32_t c = 0; c < nc; c++) {
        if (fabs(m->totals[c] - totals[c]) > 1e-9 * fmax(1.0, totals[c]))
            goto corrupt;
        m->totals[c] = totals[c]; /* keep the exact incremental sums */
    }
    for (uint32_t c = 0; c < nc; c++)
        free(names[c]);
    return m;
nomem:
    errbuf_printf(errstr, errstr_size, "naive-bayes blob: out of memory");
    goto fail;
corrupt:
    errbuf_printf(errstr, errstr_size, "naive-bayes blob: corrupt payload");
fail:
    for (uint32_t c = 0; c < NB_MAX_CLASSES; c++)
        free(names[c]);
    nb_free(m);
    return NULL;
}
