/* SPDX-License-Identifier: Apache-2.0 */
/*
 * taste.c -- the scene-content taste of taste.h: scene vectors from the
 * catalog, the sufficient statistics an action adds, and the ridge solve
 * that reads them back.  Kept apart from update.c and viewer.c so that the
 * naive Bayes label model and this regression can change independently.
 */
#include "config.h"
#include "taste.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const taste_dim_names[TASTE_DIM] = { "bias", "arousal", "valence",
                                                 "pace", "faces",   "speech" };

static double taste_clamp(double v)
{
    return v < -1 ? -1 : v > 1 ? 1 : v;
}

/* A finite number >= 0 under key in obj, or -1 when absent or not one. */
static double taste_num(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        return -1;
    double d = json_number_value(v);
    return isfinite(d) && d >= 0 ? d : -1;
}

void taste_scene_vector(const struct recut_scene *s, const void *features_json, double *x)
{
    memset(x, 0, TASTE_DIM * sizeof *x);
    x[TASTE_BIAS] = 1;
    x[TASTE_AROUSAL] = taste_clamp(2 * s->arousal - 1);
    x[TASTE_VALENCE] = taste_clamp(s->valence);
    const json_t *f = features_json;
    if (!json_is_object(f))
        return;
    double cr = taste_num(f, "cut_rate");
    if (cr >= 0)
        x[TASTE_PACE] = taste_clamp((cr < 1 ? cr : 1) / 0.5 - 1);
    double faces = taste_num(f, "faces"), share = taste_num(f, "face_share");
    if (faces >= 0)
        x[TASTE_FACES] = taste_clamp((faces < 2 ? faces : 2) - 1);
    else if (share >= 0)
        x[TASTE_FACES] = taste_clamp(2 * (share < 0.2 ? share / 0.2 : 1) - 1);
    double sp = taste_num(f, "speech");
    if (sp >= 0)
        x[TASTE_SPEECH] = taste_clamp(2 * sp - 1);
}

int taste_catalog_vectors(struct catalog_movie *cm, const void *features_json)
{
    size_t n = cm->m.n_scenes;
    free(cm->taste_x);
    cm->taste_x = calloc(n ? n * TASTE_DIM : 1, sizeof *cm->taste_x);
    if (!cm->taste_x)
        return -1;
    const json_t *fa = features_json;
    for (size_t i = 0; i < n; i++) {
        const json_t *f = json_is_array(fa) ? json_array_get(fa, i) : NULL;
        taste_scene_vector(&cm->m.scenes[i], f, cm->taste_x + i * TASTE_DIM);
    }
    return 0;
}

size_t taste_terms(const double *x, double w, double y, struct taste_term *t)
{
    size_t n = 0;
    if (!(w > 0) || !isfinite(w))
        return 0;
    for (int i = 0; i < TASTE_DIM; i++) {
        for (int j = i; j < TASTE_DIM; j++) {
            double p = w * x[i] * x[j];
            if (p == 0)
                continue;
            snprintf(t[n].field, sizeof t[n].field, "x:A%d%d", i, j);
            t[n++].value = p;
        }
        double q = w * y * x[i];
        if (q == 0)
            continue;
        snprintf(t[n].field, sizeof t[n].field, "x:b%d", i);
        t[n++].value = q;
    }
    return n;
}

static double taste_field(const recut_viewer *v, const char *name)
{
    struct strmap_entry *e = strmap_get(&v->nb, name);
    return e && isfinite(e->num) ? e->num : 0;
}

/* Solve M theta = b for symmetric positive definite M (Cholesky, in place).
 * -1 if M is not positive definite. */
static int taste_solve(double M[TASTE_DIM][TASTE_DIM], const double *b, double *theta)
{
    double L[TASTE_DIM][TASTE_DIM] = { { 0 } };
    for (int i = 0; i < TASTE_DIM; i++) {
        for (int j = 0; j <= i; j++) {
            double s = M[i][j];
            for (int k = 0; k < j; k++)
                s -= L[i][k] * L[j][k];
            if (i == j) {
                if (!(s > 0))
                    return -1;
                L[i][i] = sqrt(s);
            } else {
                L[i][j] = s / L[j][j];
            }
        }
    }
    double z[TASTE_DIM];
    for (int i = 0; i < TASTE_DIM; i++) {
        double s = b[i];
        for (int k = 0; k < i; k++)
            s -= L[i][k] * z[k];
        z[i] = s / L[i][i];
    }
    for (int i = TASTE_DIM; i-- > 0;) {
        double s = z[i];
        for (int k = i + 1; k < TASTE_DIM; k++)
            s -= L[k][i] * theta[k];
        theta[i] = s / L[i][i];
    }
    return 0;
}

double taste_theta(const recut_viewer *v, double prior, double *theta)
{
    memset(theta, 0, TASTE_DIM * sizeof *theta);
    double M[TASTE_DIM][TASTE_DIM], b[TASTE_DIM];
    char f[8];
    for (int i = 0; i < TASTE_DIM; i++) {
        for (int j = i; j < TASTE_DIM; j++) {
            snprintf(f, sizeof f, "x:A%d%d", i, j);
            M[i][j] = M[j][i] = taste_field(v, f);
        }
        snprintf(f, sizeof f, "x:b%d", i);
        b[i] = taste_field(v, f);
    }
    double n = M[TASTE_BIAS][TASTE_BIAS];
    if (!(n > 0))
        return 0;
    M[0][0] += TASTE_PRIOR_BIAS;
    for (int i = 1; i < TASTE_DIM; i++)
        M[i][i] += prior > 0 ? prior : 1e-9;
    if (taste_solve(M, b, theta) < 0) {
        memset(theta, 0, TASTE_DIM * sizeof *theta);
        return 0;
    }
    for (int i = 0; i < TASTE_DIM; i++)
        if (!isfinite(theta[i])) {
            memset(theta, 0, TASTE_DIM * sizeof *theta);
            return 0;
        }
    return n;
}

double taste_predict(const double *theta, const double *x)
{
    double s = 0;
    for (int i = 1; i < TASTE_DIM; i++)
        s += theta[i] * x[i];
    return s;
}
