/* SPDX-License-Identifier: Apache-2.0 */
/* nb_io.c -- a naive Bayes model in and out of storage (see nb.h): the
 * field/value pairs of a Redis hash (nb_field_format, nb_load_fields) and
 * the checksummed blob (nb_serialize, nb_deserialize, blob.h type BLOB_NB).
 * Kept apart from nb.c, the model and its math, which stays under the size
 * of one readable file. */
#include "config.h"

#include "nb.h"
#include "nb_impl.h"
#include "blob.h"
#include "errbuf.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- storage fields --------------------------------------------------- */

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
static int nb_io_parse_field(const nb_model *m, const char *field, int *kind, size_t *cls,
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

static int nb_io_parse_number(const char *s, double *v)
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
        if (nb_io_parse_field(m, fields[i], &kind, &cls, &feature) != 0) {
            errbuf_printf(errstr, errstr_size, "naive bayes: bad count field '%.80s'",
                          fields[i] ? fields[i] : "(null)");
            return -1;
        }
        if (nb_io_parse_number(values[i], &v) != 0) {
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
        nb_io_parse_field(m, fields[i], &kind, &cls, &feature);
        nb_io_parse_number(values[i], &v);
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
        if (!name || !nb_feature_name_ok(name) || nb_feature_lookup(m, name, &g) == 0) {
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
