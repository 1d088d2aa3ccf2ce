/* SPDX-License-Identifier: Apache-2.0 */
/* experiment.c -- [experiment.NAME] sections and the assignment of viewers
 * to arms (see experiment.h).
 *
 * conf.c keeps the keys of these sections as free-form entries with their
 * lines (its table has fixed sections only); they are checked here, so a
 * misspelt key or override stops recutd at start-up with "FILE:LINE: why"
 * like any other key.  An override's value goes through the very table row
 * it names (conf_set on a scratch configuration), so its type and range are
 * those of the key it overrides. */
#include "config.h"
#include "experiment.h"
#include "abstats.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPERIMENT_DEFAULT_TOPIC "recut.exposures"
#define EXPERIMENT_DEFAULT_WINDOW 86400

/* What an arm may change: the settings read per request. */
static const char *const experiment_keys[] = {
    "models.blend_nb",  "models.blend_cooc",  "models.blend_popularity",  "models.blend_svm",
    "models.diversity", "models.scorer_pool", "models.cold_start_events", "cuts.editor",
    "cuts.budget",      "cuts.min_fragment",  "cuts.spoiler_tail",
};

int experiment_overridable(const char *section, const char *key)
{
    size_t sl = strlen(section);
    for (size_t i = 0; i < sizeof experiment_keys / sizeof experiment_keys[0]; i++) {
        const char *k = experiment_keys[i];
        if (strncmp(k, section, sl) == 0 && k[sl] == '.' && strcmp(k + sl + 1, key) == 0)
            return 1;
    }
    return 0;
}

static const struct conf_row *experiment_row(const char *section, const char *key)
{
    for (size_t i = 0; i < conf_table_len; i++)
        if (strcmp(conf_table[i].section, section) == 0 && strcmp(conf_table[i].key, key) == 0)
            return &conf_table[i];
    return NULL;
}

static int experiment_name_ok(const char *s, size_t len)
{
    if (len == 0 || len > EXPERIMENT_NAME_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

static struct experiment *experiment_get(struct experiment_set *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->x[i].name, name) == 0)
            return &set->x[i];
    struct experiment *n = realloc(set->x, (set->n + 1) * sizeof *n);
    if (!n)
        return NULL;
    set->x = n;
    struct experiment *x = &n[set->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->name, sizeof x->name, "%s", name);
    x->window_s = EXPERIMENT_DEFAULT_WINDOW;
    return x;
}

const struct experiment *experiment_find(const struct experiment_set *set, const char *name)
{
    for (size_t i = 0; set && i < set->n; i++)
        if (strcmp(set->x[i].name, name) == 0)
            return &set->x[i];
    return NULL;
}

static int experiment_fail(char *errstr, size_t n, const struct recut_config *cfg,
                           const struct conf_kv *kv, const char *why)
{
    char at[600];
    snprintf(errstr, n, "%s: %s", conf_where(cfg, kv->section, kv->key, at, sizeof at), why);
    return -1;
}

/* "control:50, diverse:50" */
static int experiment_parse_arms(struct experiment *x, const char *v, char *why, size_t n)
{
    char *dup = strdup(v), *save = NULL;
    if (!dup) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    double sum = 0;
    x->n_arms = 0;
    int rc = 0;
    for (char *t = strtok_r(dup, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*t))
            t++;
        char *end = t + strlen(t);
        while (end > t && isspace((unsigned char)end[-1]))
            *--end = '\0';
        char *colon = strchr(t, ':');
        if (!colon) {
            snprintf(why, n, "arms: '%s' is not NAME:SHARE", t);
            rc = -1;
            break;
        }
        *colon = '\0';
        char *e;
        errno = 0;
        double share = strtod(colon + 1, &e);
        if (!experiment_name_ok(t, strlen(t))) {
            snprintf(why, n, "arms: arm name '%s' must be 1 to %d letters, digits, '_' or '-'", t,
                     EXPERIMENT_NAME_MAX);
            rc = -1;
        } else if (errno || e == colon + 1 || *e || !(share > 0) || share > 100) {
            snprintf(why, n, "arms: share '%s' of arm '%s' must be a number in (0, 100]", colon + 1,
                     t);
            rc = -1;
        } else if (x->n_arms == EXPERIMENT_ARMS_MAX) {
            snprintf(why, n, "arms: at most %d arms", EXPERIMENT_ARMS_MAX);
            rc = -1;
        } else {
            for (size_t i = 0; i < x->n_arms; i++)
                if (strcmp(x->arms[i].name, t) == 0) {
                    snprintf(why, n, "arms: arm '%s' is listed twice", t);
                    rc = -1;
                }
            if (rc == 0) {
                struct experiment_arm *a = &x->arms[x->n_arms++];
                snprintf(a->name, sizeof a->name, "%s", t);
                a->share = share;
                sum += share;
            }
        }
    }
    free(dup);
    if (rc == 0 && x->n_arms < 2) {
        snprintf(why, n, "arms: an experiment needs at least two arms (NAME:SHARE, ...)");
        rc = -1;
    }
    if (rc == 0 && fabs(sum - 100) > 1e-6) {
        snprintf(why, n, "arms: the shares sum to %g, not 100", sum);
        rc = -1;
    }
    return rc;
}

static int experiment_parse_int(const char *v, long lo, long hi, int *out)
{
    char *e;
    errno = 0;
    long l = strtol(v, &e, 10);
    if (errno || e == v || *e || l < lo || l > hi)
        return -1;
    *out = (int)l;
    return 0;
}

static int experiment_set_str(char **dst, const char *v)
{
    char *d = strdup(v);
    if (!d)
        return -1;
    free(*dst);
    *dst = d;
    return 0;
}

/* ARM.SECTION.KEY = VALUE, validated by the row it names. */
static int experiment_parse_override(struct experiment *x, const char *spec, const char *value,
                                     struct recut_config *scratch, char *why, size_t n)
{
    const char *d1 = strchr(spec, '.');
    const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    if (!d1 || !d2 || strchr(d2 + 1, '.')) {
        snprintf(why, n,
                 "unknown key '%s' (expected arms, salt, window_s, exposure_topic or "
                 "ARM.SECTION.KEY)",
                 spec);
        return -1;
    }
    char arm[EXPERIMENT_NAME_MAX + 1], section[32], key[64];
    size_t al = (size_t)(d1 - spec), sl = (size_t)(d2 - d1 - 1);
    if (al >= sizeof arm || sl >= sizeof section || strlen(d2 + 1) >= sizeof key) {
        snprintf(why, n, "unknown override '%s'", spec);
        return -1;
    }
    memcpy(arm, spec, al);
    arm[al] = '\0';
    memcpy(section, d1 + 1, sl);
    section[sl] = '\0';
    snprintf(key, sizeof key, "%s", d2 + 1);
    struct experiment_arm *a = NULL;
    for (size_t i = 0; i < x->n_arms; i++)
        if (strcmp(x->arms[i].name, arm) == 0)
            a = &x->arms[i];
    if (!a) {
        snprintf(why, n, "override of arm '%s', which is not in arms", arm);
        return -1;
    }
    const struct conf_row *row = experiment_row(section, key);
    if (!row || !experiment_overridable(section, key)) {
        snprintf(why, n,
                 "%s.%s cannot be overridden by an arm (models.blend_*, diversity, scorer_pool, "
                 "cold_start_events; cuts.editor, budget, min_fragment, spoiler_tail)",
                 section, key);
        return -1;
    }
    if (conf_set(scratch, section, key, value, why, n) < 0)
        return -1;
    for (size_t i = 0; i < a->n_ov; i++)
        if (a->ov[i].row == row) {
            snprintf(why, n, "%s.%s of arm '%s' is set twice", section, key, arm);
            return -1;
        }
    struct experiment_override *ov = realloc(a->ov, (a->n_ov + 1) * sizeof *ov);
    if (!ov) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    a->ov = ov;
    struct experiment_override *o = &ov[a->n_ov];
    memset(o, 0, sizeof *o);
    o->row = row;
    const char *base = (const char *)scratch + row->offset;
    if (row->type == CFG_DOUBLE)
        o->d = *(const double *)base;
    else if (row->type == CFG_STRING)
        o->s = strdup(*(char *const *)base);
    else
        o->i = *(const int *)base;
    if (row->type == CFG_STRING && !o->s) {
        snprintf(why, n, "out of memory");
        return -1;
    }
    a->n_ov++;
    return 0;
}

static int experiment_load_kv(struct experiment_set *set, const struct recut_config *cfg,
                              const struct conf_kv *kv, int pass, char **topic,
                              struct recut_config *scratch, char *errstr, size_t errstr_size)
{
    char why[512];
    if (strcmp(kv->section, "experiment") == 0) {
        if (pass == 1)
            return 0;
        if (strcmp(kv->key, "exposure_topic") != 0) {
            snprintf(why, sizeof why, "unknown key '%s' in section [experiment]", kv->key);
            return experiment_fail(errstr, errstr_size, cfg, kv, why);
        }
        if (experiment_set_str(topic, kv->value) < 0)
            return experiment_fail(errstr, errstr_size, cfg, kv, "out of memory");
        return 0;
    }
    const char *name = kv->section + 11;
    if (!experiment_name_ok(name, strlen(name))) {
        snprintf(why, sizeof why,
                 "experiment name '%s' must be 1 to %d letters, digits, '_' or '-'", name,
                 EXPERIMENT_NAME_MAX);
        return experiment_fail(errstr, errstr_size, cfg, kv, why);
    }
    struct experiment *x = experiment_get(set, name);
    if (!x)
        return experiment_fail(errstr, errstr_size, cfg, kv, "out of memory");
    int rc = 0;
    why[0] = '\0';
    if (pass == 0) {
        if (strcmp(kv->key, "arms") == 0)
            rc = experiment_parse_arms(x, kv->value, why, sizeof why);
        else if (strcmp(kv->key, "window_s") == 0) {
            if (experiment_parse_int(kv->value, 60, 90 * 86400, &x->window_s) < 0) {
                snprintf(why, sizeof why, "window_s: '%s' is not an integer in [60, %d]", kv->value,
                         90 * 86400);
                rc = -1;
            }
        } else if (strcmp(kv->key, "salt") == 0)
            rc = experiment_set_str(&x->salt, kv->value);
        else if (strcmp(kv->key, "exposure_topic") == 0)
            rc = experiment_set_str(&x->exposure_topic, kv->value);
        else if (!strchr(kv->key, '.')) {
            snprintf(why, sizeof why,
                     "unknown key '%s' in section [%s] (expected arms, salt, window_s, "
                     "exposure_topic or ARM.SECTION.KEY)",
                     kv->key, kv->section);
            rc = -1;
        }
    } else if (strchr(kv->key, '.')) {
        rc = experiment_parse_override(x, kv->key, kv->value, scratch, why, sizeof why);
    }
    if (rc < 0)
        return experiment_fail(errstr, errstr_size, cfg, kv, why[0] ? why : "out of memory");
    return 0;
}

int experiment_set_load(struct experiment_set *set, const struct recut_config *cfg, char *errstr,
                        size_t errstr_size)
{
    memset(set, 0, sizeof *set);
    struct recut_config scratch;
    if (sodium_init() < 0 || conf_init(&scratch) < 0) {
        snprintf(errstr, errstr_size, "cannot initialise the experiments");
        return -1;
    }
    char *topic = NULL;
    int rc = 0;
    /* pass 0: arms and plain keys; pass 1: overrides, once every arm is known */
    for (int pass = 0; pass < 2 && rc == 0; pass++)
        for (size_t i = 0; i < cfg->n_extra && rc == 0; i++) {
            const struct conf_kv *kv = &cfg->extra[i];
            if (strcmp(kv->section, "experiment") == 0 ||
                strncmp(kv->section, "experiment.", 11) == 0)
                rc = experiment_load_kv(set, cfg, kv, pass, &topic, &scratch, errstr, errstr_size);
        }
    conf_free(&scratch);
    for (size_t i = 0; i < set->n && rc == 0; i++) {
        struct experiment *x = &set->x[i];
        if (x->n_arms == 0) {
            snprintf(errstr, errstr_size, "%s: [experiment.%s] has no arms = NAME:SHARE, ...",
                     cfg->path ? cfg->path : "configuration", x->name);
            rc = -1;
            break;
        }
        if (!x->salt && experiment_set_str(&x->salt, "") < 0)
            rc = -1;
        if (!x->exposure_topic &&
            experiment_set_str(&x->exposure_topic, topic ? topic : EXPERIMENT_DEFAULT_TOPIC) < 0)
            rc = -1;
        if (rc == 0)
            crypto_generichash(x->key, sizeof x->key, (const unsigned char *)x->salt,
                               strlen(x->salt), NULL, 0);
        else
            snprintf(errstr, errstr_size, "out of memory");
    }
    free(topic);
    if (rc < 0)
        experiment_set_free(set);
    return rc;
}

void experiment_set_free(struct experiment_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        struct experiment *x = &set->x[i];
        for (size_t a = 0; a < x->n_arms; a++) {
            for (size_t k = 0; k < x->arms[a].n_ov; k++)
                free(x->arms[a].ov[k].s);
            free(x->arms[a].ov);
        }
        free(x->salt);
        free(x->exposure_topic);
    }
    free(set->x);
    memset(set, 0, sizeof *set);
}

double experiment_point(const struct experiment *x, const char *viewer)
{
    size_t nl = strlen(x->name), vl = strlen(viewer);
    unsigned char stack[256], *msg = nl + 1 + vl <= sizeof stack ? stack : malloc(nl + 1 + vl);
    if (!msg)
        return 0;
    memcpy(msg, x->name, nl);
    msg[nl] = '\0';
    memcpy(msg + nl + 1, viewer, vl);
    unsigned char h[crypto_shorthash_BYTES];
    crypto_shorthash(h, msg, nl + 1 + vl, x->key);
    if (msg != stack)
        free(msg);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | h[i];
    return (double)(v >> 11) * 0x1p-53;
}

size_t experiment_assign(const struct experiment *x, const char *viewer)
{
    double u = experiment_point(x, viewer) * 100, cum = 0;
    for (size_t i = 0; i < x->n_arms; i++) {
        cum += x->arms[i].share;
        if (u < cum)
            return i;
    }
    return x->n_arms - 1;
}

void experiment_apply(const struct experiment_arm *arm, struct recut_config *cfg)
{
    for (size_t i = 0; i < arm->n_ov; i++) {
        const struct experiment_override *o = &arm->ov[i];
        char *base = (char *)cfg + o->row->offset;
        if (o->row->type == CFG_DOUBLE)
            *(double *)base = o->d;
        else if (o->row->type == CFG_STRING)
            *(char **)base = o->s;
        else
            *(int *)base = o->i;
    }
}

json_t *experiment_report(const struct experiment *x, const uint64_t counts[][3])
{
    json_t *arms = json_array(), *cmps = json_array();
    for (size_t i = 0; arms && cmps && i < x->n_arms; i++) {
        const uint64_t *c = counts[i];
        struct abstats_rate r;
        abstats_rate(c[EXPERIMENT_CONVERSIONS], c[EXPERIMENT_EXPOSURES], &r);
        json_array_append_new(
            arms, json_pack("{s:s,s:f,s:I,s:I,s:I,s:f,s:[f,f]}", "name", x->arms[i].name, "share",
                            x->arms[i].share, "exposures", (json_int_t)c[EXPERIMENT_EXPOSURES],
                            "conversions", (json_int_t)c[EXPERIMENT_CONVERSIONS], "negatives",
                            (json_int_t)c[EXPERIMENT_NEGATIVES], "rate", r.rate, "ci", r.lo, r.hi));
        if (i == 0)
            continue;
        struct abstats_cmp m;
        abstats_compare(counts[0][EXPERIMENT_CONVERSIONS], counts[0][EXPERIMENT_EXPOSURES],
                        c[EXPERIMENT_CONVERSIONS], c[EXPERIMENT_EXPOSURES], &m);
        json_array_append_new(cmps, json_pack("{s:s,s:s,s:f,s:[f,f],s:f,s:f}", "arm",
                                              x->arms[i].name, "vs", x->arms[0].name, "diff",
                                              m.diff, "ci", m.lo, m.hi, "z", m.z, "p", m.p));
    }
    if (!arms || !cmps) {
        json_decref(arms);
        json_decref(cmps);
        return NULL;
    }
    return json_pack("{s:s,s:i,s:o,s:o}", "name", x->name, "window_s", x->window_s, "arms", arms,
                     "comparisons", cmps);
}

void experiment_report_print(FILE *out, const json_t *report)
{
    fprintf(out, "experiment %s (window %llds)\n",
            json_string_value(json_object_get(report, "name")),
            (long long)json_integer_value(json_object_get(report, "window_s")));
    fprintf(out, "%-16s %6s %10s %11s %9s %8s  %s\n", "arm", "share", "exposures", "conversions",
            "negatives", "rate", "95% CI");
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(report, "arms"), i, a)
    {
        json_t *ci = json_object_get(a, "ci");
        fprintf(out, "%-16s %6g %10lld %11lld %9lld %8.4f  [%.4f, %.4f]\n",
                json_string_value(json_object_get(a, "name")),
                json_real_value(json_object_get(a, "share")),
                (long long)json_integer_value(json_object_get(a, "exposures")),
                (long long)json_integer_value(json_object_get(a, "conversions")),
                (long long)json_integer_value(json_object_get(a, "negatives")),
                json_real_value(json_object_get(a, "rate")), json_real_value(json_array_get(ci, 0)),
                json_real_value(json_array_get(ci, 1)));
    }
    json_array_foreach(json_object_get(report, "comparisons"), i, a)
    {
        json_t *ci = json_object_get(a, "ci");
        fprintf(out, "%s vs %s: diff %+.4f [%+.4f, %+.4f], z %.3f, p %.4g\n",
                json_string_value(json_object_get(a, "arm")),
                json_string_value(json_object_get(a, "vs")),
                json_real_value(json_object_get(a, "diff")), json_real_value(json_array_get(ci, 0)),
                json_real_value(json_array_get(ci, 1)), json_real_value(json_object_get(a, "z")),
                json_real_value(json_object_get(a, "p")));
    }
}
