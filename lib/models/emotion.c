/* SPDX-License-Identifier: Apache-2.0 */
/* emotion.c -- valence/arousal estimates with exponential decay (emotion.h). */
#include "config.h"

#include "emotion.h"
#include "errbuf.h"
#include "blob.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The table of emotion.h, sorted by label (lowercase) for bsearch. */
static const struct emotion_point emotion_points[] = {
    { "afraid", { -0.70, 0.80 } },     { "amusement", { 0.80, 0.65 } },
    { "anger", { -0.60, 0.85 } },      { "angry", { -0.60, 0.85 } },
    { "anxiety", { -0.70, 0.80 } },    { "awe", { 0.20, 0.85 } },
    { "bored", { -0.40, 0.10 } },      { "boredom", { -0.40, 0.10 } },
    { "calm", { 0.50, 0.15 } },        { "content", { 0.70, 0.30 } },
    { "contentment", { 0.70, 0.30 } }, { "disgust", { -0.70, 0.60 } },
    { "disgusted", { -0.70, 0.60 } },  { "excited", { 0.70, 0.90 } },
    { "excitement", { 0.70, 0.90 } },  { "fear", { -0.70, 0.80 } },
    { "grief", { -0.70, 0.25 } },      { "happiness", { 0.80, 0.65 } },
    { "happy", { 0.80, 0.65 } },       { "joy", { 0.80, 0.65 } },
    { "love", { 0.75, 0.45 } },        { "neutral", { 0.00, 0.50 } },
    { "rage", { -0.60, 0.85 } },       { "relaxed", { 0.50, 0.15 } },
    { "relief", { 0.70, 0.30 } },      { "sad", { -0.70, 0.25 } },
    { "sadness", { -0.70, 0.25 } },    { "scared", { -0.70, 0.80 } },
    { "serenity", { 0.50, 0.15 } },    { "surprise", { 0.20, 0.85 } },
    { "surprised", { 0.20, 0.85 } },   { "suspense", { -0.40, 0.75 } },
    { "tender", { 0.75, 0.45 } },      { "tenderness", { 0.75, 0.45 } },
    { "tense", { -0.40, 0.75 } },      { "tension", { -0.40, 0.75 } },
    { "thrill", { 0.70, 0.90 } },
};

#define EMOTION_N_POINTS (sizeof emotion_points / sizeof emotion_points[0])

const struct emotion_point *emotion_table(size_t *n)
{
    *n = EMOTION_N_POINTS;
    return emotion_points;
}

static int emotion_cmp(const void *key, const void *elem)
{
    return strcasecmp(key, ((const struct emotion_point *)elem)->label);
}

int emotion_lookup(const char *label, struct emotion_va *out)
{
    if (!label)
        return -1;
    const struct emotion_point *p =
        bsearch(label, emotion_points, EMOTION_N_POINTS, sizeof emotion_points[0], emotion_cmp);
    if (!p)
        return -1;
    *out = p->va;
    return 0;
}

int emotion_from_reading(const char *const *labels, const double *probs, size_t n,
                         struct emotion_va *out, double *mass, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(probs[i]) || probs[i] < 0) {
            errbuf_printf(errstr, errstr_size,
                          "emotion reading: probability of '%.40s' is not finite and >= 0",
                          labels[i] ? labels[i] : "(null)");
            return -1;
        }
    double m = 0, v = 0, a = 0;
    for (size_t i = 0; i < n; i++) {
        struct emotion_va p;
        if (probs[i] == 0 || emotion_lookup(labels[i], &p) != 0)
            continue;
        m += probs[i];
        v += probs[i] * p.valence;
        a += probs[i] * p.arousal;
    }
    if (m > 0) {
        out->valence = v / m;
        out->arousal = a / m;
    } else {
        out->valence = 0;
        out->arousal = EMOTION_NEUTRAL_AROUSAL;
    }
    *mass = m;
    return 0;
}

void emotion_config_default(struct emotion_config *cfg)
{
    cfg->half_life_s[EMOTION_SCOPE_VIEWER] = 30.0 * 86400;
    cfg->half_life_s[EMOTION_SCOPE_MOVIE] = 7.0 * 86400;
    cfg->half_life_s[EMOTION_SCOPE_SCENE] = 1.0 * 86400;
    cfg->reading_weight = 1.0;
    cfg->comment_weight = 1.0;
    cfg->behaviour_weight = 0.5;
    cfg->skip_valence = -0.5;
    cfg->dislike_valence = -0.8;
    cfg->rewatch_valence = 0.6;
    cfg->like_valence = 0.8;
}

void emotion_state_init(struct emotion_state *st)
{
    st->valence = 0;
    st->v_weight = 0;
    st->arousal = EMOTION_NEUTRAL_AROUSAL;
    st->a_weight = 0;
    st->ts_ms = 0;
}

double emotion_decay(int64_t from_ms, int64_t to_ms, double half_life_s)
{
    if (to_ms <= from_ms || !(half_life_s > 0) || !isfinite(half_life_s))
        return 1.0;
    double dt = (double)(to_ms - from_ms) / 1000.0;
    return exp2(-dt / half_life_s);
}

static double emotion_clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

static void emotion_merge(double *mean, double *weight, double value, double w_old_factor,
                          double w_new)
{
    double wo = *weight * w_old_factor;
    double wt = wo + w_new;
    if (wt > 0)
        *mean = (*mean * wo + value * w_new) / wt;
    *weight = wt;
}

int emotion_state_observe(struct emotion_state *st, int64_t ts_ms, double valence, double v_weight,
                          double arousal, double a_weight, double half_life_s)
{
    if (!isfinite(valence) || !isfinite(arousal) || !isfinite(v_weight) || !isfinite(a_weight) ||
        v_weight < 0 || a_weight < 0)
        return -1;
    valence = emotion_clamp(valence, -1, 1);
    arousal = emotion_clamp(arousal, 0, 1);
    double old_f = 1.0, new_f = 1.0;
    if (st->v_weight == 0 && st->a_weight == 0 && st->ts_ms == 0) {
        st->ts_ms = ts_ms;
    } else if (ts_ms >= st->ts_ms) {
        old_f = emotion_decay(st->ts_ms, ts_ms, half_life_s);
        st->ts_ms = ts_ms;
    } else {
        new_f = emotion_decay(ts_ms, st->ts_ms, half_life_s);
    }
    emotion_merge(&st->valence, &st->v_weight, valence, old_f, v_weight * new_f);
    emotion_merge(&st->arousal, &st->a_weight, arousal, old_f, a_weight * new_f);
    return 0;
}

int emotion_observe_reading(struct emotion_state *st, const struct emotion_config *cfg,
                            enum emotion_scope scope, int64_t ts_ms, const char *const *labels,
                            const double *probs, size_t n, char *errstr, size_t errstr_size)
{
    if ((unsigned)scope > EMOTION_SCOPE_SCENE) {
        errbuf_printf(errstr, errstr_size, "emotion: invalid scope %d", (int)scope);
        return -1;
    }
    struct emotion_va va;
    double mass;
    if (emotion_from_reading(labels, probs, n, &va, &mass, errstr, errstr_size) != 0)
        return -1;
    return emotion_observe_va(st, cfg, scope, ts_ms, &va, mass); /* mass 0: no-op */
}

int emotion_observe_va(struct emotion_state *st, const struct emotion_config *cfg,
                       enum emotion_scope scope, int64_t ts_ms, const struct emotion_va *va,
                       double mass)
{
    if ((unsigned)scope > EMOTION_SCOPE_SCENE || !isfinite(mass) || mass < 0)
        return -1;
    if (mass == 0)
        return 0;
    double w = cfg->reading_weight * fmin(mass, 1.0);
    return emotion_state_observe(st, ts_ms, va->valence, w, va->arousal, w,
                                 cfg->half_life_s[scope]);
}

int emotion_observe_sentiment(struct emotion_state *st, const struct emotion_config *cfg,
                              enum emotion_scope scope, int64_t ts_ms, double sentiment,
                              double confidence)
{
    if ((unsigned)scope > EMOTION_SCOPE_SCENE || !isfinite(sentiment) || !isfinite(confidence))
        return -1;
    double w = cfg->comment_weight * emotion_clamp(fabs(confidence), 0, 1);
    return emotion_state_observe(st, ts_ms, sentiment, w, 0, 0, cfg->half_life_s[scope]);
}

int emotion_observe_behaviour(struct emotion_state *st, const struct emotion_config *cfg,
                              enum emotion_scope scope, int64_t ts_ms, enum emotion_behaviour b)
{
    double v;
    switch (b) {
    case EMOTION_SKIP:
        v = cfg->skip_valence;
        break;
    case EMOTION_REWATCH:
        v = cfg->rewatch_valence;
        break;
    case EMOTION_LIKE:
        v = cfg->like_valence;
        break;
    case EMOTION_DISLIKE:
        v = cfg->dislike_valence;
        break;
    default:
        return -1;
    }
    if ((unsigned)scope > EMOTION_SCOPE_SCENE)
        return -1;
    return emotion_state_observe(st, ts_ms, v, cfg->behaviour_weight, 0, 0,
                                 cfg->half_life_s[scope]);
}

int emotion_pref_observe(struct emotion_state *pref, const struct emotion_config *cfg,
                         int64_t ts_ms, const struct emotion_va *scene, double response)
{
    if (!isfinite(response) || !isfinite(scene->valence) || !isfinite(scene->arousal))
        return -1;
    double w = emotion_clamp(response, 0, 1);
    if (w == 0)
        return 0;
    return emotion_state_observe(pref, ts_ms, scene->valence, w, scene->arousal, w,
                                 cfg->half_life_s[EMOTION_SCOPE_VIEWER]);
}

int emotion_state_estimate(const struct emotion_state *st, struct emotion_va *out)
{
    int have_v = st->v_weight > 0, have_a = st->a_weight > 0;
    out->valence = have_v ? st->valence : 0.0;
    out->arousal = have_a ? st->arousal : EMOTION_NEUTRAL_AROUSAL;
    return have_v && have_a ? 0 : (have_v || have_a) ? 1 : -1;
}

double emotion_state_weight(const struct emotion_state *st, int64_t now_ms, double half_life_s)
{
    return st->v_weight * emotion_decay(st->ts_ms, now_ms, half_life_s);
}

void emotion_state_pack(const struct emotion_state *st, double out[EMOTION_STATE_NUMBERS])
{
    out[0] = st->valence;
    out[1] = st->v_weight;
    out[2] = st->arousal;
    out[3] = st->a_weight;
    out[4] = (double)st->ts_ms;
}

static int emotion_state_valid(const struct emotion_state *st)
{
    return isfinite(st->valence) && st->valence >= -1 && st->valence <= 1 &&
           isfinite(st->arousal) && st->arousal >= 0 && st->arousal <= 1 &&
           isfinite(st->v_weight) && st->v_weight >= 0 && isfinite(st->a_weight) &&
           st->a_weight >= 0 && st->ts_ms >= 0;
}

int emotion_state_unpack(struct emotion_state *st, const double in[EMOTION_STATE_NUMBERS])
{
    if (!isfinite(in[4]) || in[4] < 0 || in[4] > 9.0e15 || in[4] != floor(in[4]))
        return -1;
    struct emotion_state s = { in[0], in[1], in[2], in[3], (int64_t)in[4] };
    if (!emotion_state_valid(&s))
        return -1;
    *st = s;
    return 0;
}

int emotion_serialize(const struct emotion_state *st, unsigned char **buf, size_t *len,
                      char *errstr, size_t errstr_size)
{
    struct blob_writer w;
    blob_writer_init(&w, BLOB_EMOTION, EMOTION_BLOB_VERSION);
    blob_put_f64(&w, st->valence);
    blob_put_f64(&w, st->v_weight);
    blob_put_f64(&w, st->arousal);
    blob_put_f64(&w, st->a_weight);
    blob_put_u64(&w, (uint64_t)st->ts_ms);
    return blob_writer_finish(&w, buf, len, errstr, errstr_size) == BLOB_OK ? 0 : -1;
}

int emotion_deserialize(const void *buf, size_t len, struct emotion_state *st, char *errstr,
                        size_t errstr_size)
{
    struct blob_reader r;
    uint16_t version;
    int rc =
        blob_open(buf, len, BLOB_EMOTION, EMOTION_BLOB_VERSION, &version, &r, errstr, errstr_size);
    if (rc != BLOB_OK)
        return rc;
    struct emotion_state s;
    if (version == 1) {
        /* v1: valence, arousal, weight (shared), ts */
        s.valence = blob_get_f64(&r);
        s.arousal = blob_get_f64(&r);
        s.v_weight = s.a_weight = blob_get_f64(&r);
        s.ts_ms = (int64_t)blob_get_u64(&r);
    } else {
        s.valence = blob_get_f64(&r);
        s.v_weight = blob_get_f64(&r);
        s.arousal = blob_get_f64(&r);
        s.a_weight = blob_get_f64(&r);
        s.ts_ms = (int64_t)blob_get_u64(&r);
    }
    rc = blob_reader_finish(&r, "emotion", errstr, errstr_size);
    if (rc != BLOB_OK)
        return rc;
    if (!emotion_state_valid(&s)) {
        errbuf_printf(errstr, errstr_size, "emotion blob: values out of range");
        return BLOB_E_FORMAT;
    }
    *st = s;
    return 0;
}
