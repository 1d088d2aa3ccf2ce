/* SPDX-License-Identifier: Apache-2.0 */
/*
 * emotion.h -- a viewer's emotional response, on Russell's circumplex.
 *
 * Every emotion label is a point (valence, arousal): valence -1 (unpleasant)
 * .. +1 (pleasant), arousal 0 (deactivated, calm) .. 1 (activated, intense)
 * -- the scales of recut/plugin.h.  The table (emotion_table()) places each
 * label near its place on the circumplex of Russell (1980), "A circumplex model
 * of affect", J. Pers. Soc. Psych. 39(6), with the arousal axis mapped from
 * -1..1 to 0..1.  The numbers are our rounded reading of the figure's
 * angles (not measured data); synonyms share a point.  The paper's abstract
 * fixes eight anchors on the unit circle -- pleasure 0 deg, excitement 45,
 * arousal 90, distress 135, displeasure 180, depression 225, sleepiness 270,
 * relaxation 315 -- so excitement and relaxation have valence cos 45 = 0.71,
 * distress (fear) -0.71, and "neutral" is the centre, arousal 0.5; the
 * table follows them.  This is recut's one emotion table: recutd's update
 * rules (lib/core/update.c) read emotion readings through it.
 *
 *   label                          valence  arousal
 *   excitement, excited, thrill     +0.70    0.90
 *   joy, happiness, happy, amusement+0.80    0.65
 *   love, tender, tenderness        +0.75    0.45
 *   contentment, content, relief    +0.70    0.30
 *   calm, relaxed, serenity         +0.50    0.15
 *   surprise, surprised, awe        +0.20    0.85
 *   neutral                          0.00    0.50
 *   boredom, bored                  -0.40    0.10
 *   sadness, sad, grief             -0.70    0.25
 *   disgust, disgusted              -0.70    0.60
 *   tension, tense, suspense        -0.40    0.75
 *   fear, afraid, scared, anxiety   -0.70    0.80
 *   anger, angry, rage              -0.60    0.85
 *
 * Labels are matched case-insensitively; unknown labels are ignored.
 *
 * State: struct emotion_state is a handful of numbers (valence and its
 * weight, arousal and its weight, timestamp of the last update) that the
 * daemon keeps per viewer, per (viewer, movie) and per (viewer, movie,
 * scene).  Each observation is merged with exponential decay: weights of
 * older evidence are multiplied by 2^(-dt / half_life) before the new
 * observation is added; an observation older than the state is decayed
 * instead, so the result does not depend on arrival order.  Sources:
 *   - a reading (label -> probability, computed on the viewer's device):
 *     the probability-weighted mean of the known labels' points, weighted by
 *     reading_weight * (sum of their probabilities);
 *   - comment sentiment s in -1..1: valence s, weight comment_weight * |conf|
 *     (arousal untouched);
 *   - behaviour: skip / dislike -> negative valence, rewatch / like ->
 *     positive valence (see struct emotion_config), arousal untouched.
 * A viewer's preferred affect (what the editors aim a cut at) is the mean
 * (valence, arousal) of scenes weighted by the viewer's positive response to
 * them: emotion_pref_observe().
 *
 * All functions are pure (no globals) and thread-safe.
 */
#ifndef RECUT_EMOTION_H
#define RECUT_EMOTION_H

#include <stddef.h>
#include <stdint.h>

struct emotion_va {
    double valence; /* -1..1 */
    double arousal; /* 0..1 */
};

struct emotion_point {
    const char *label;
    struct emotion_va va;
};

/* The arousal of no evidence: the centre of the circumplex. */
#define EMOTION_NEUTRAL_AROUSAL 0.5

/* The table above; *n = number of entries. */
const struct emotion_point *emotion_table(size_t *n);
/* 0 and *out if the label is known, -1 otherwise. */
int emotion_lookup(const char *label, struct emotion_va *out);

/* Probability-weighted mean point of a reading.  Probabilities must be
 * finite and >= 0 (else -1 with a message).  Returns 0 with *out and *mass
 * (sum of the known labels' probabilities); if no label is known, *mass = 0
 * and *out is neutral (0, 0.5). */
int emotion_from_reading(const char *const *labels, const double *probs, size_t n,
                         struct emotion_va *out, double *mass, char *errstr, size_t errstr_size);

#define EMOTION_STATE_NUMBERS 5

struct emotion_state {
    double valence, v_weight;
    double arousal, a_weight;
    int64_t ts_ms; /* time of the newest evidence; 0 = none yet */
};

enum emotion_scope {
    EMOTION_SCOPE_VIEWER = 0,
    EMOTION_SCOPE_MOVIE = 1,
    EMOTION_SCOPE_SCENE = 2
};

enum emotion_behaviour {
    EMOTION_SKIP = 0,
    EMOTION_REWATCH = 1,
    EMOTION_LIKE = 2,
    EMOTION_DISLIKE = 3
};

struct emotion_config {
    double half_life_s[3];   /* per scope: viewer 30 d, movie 7 d, scene 1 d */
    double reading_weight;   /* 1 */
    double comment_weight;   /* 1 */
    double behaviour_weight; /* 0.5 */
    double skip_valence;     /* -0.5 */
    double dislike_valence;  /* -0.8 */
    double rewatch_valence;  /* +0.6 */
    double like_valence;     /* +0.8 */
};

void emotion_config_default(struct emotion_config *cfg);

void emotion_state_init(struct emotion_state *st);
/* 2^(-(to - from) / half_life), 1 when to <= from or half_life <= 0 is
 * treated as "no decay". */
double emotion_decay(int64_t from_ms, int64_t to_ms, double half_life_s);

/* Merge one observation; v_weight / a_weight 0 leaves that axis alone.
 * Values are clamped to their ranges; non-finite input is rejected (-1). */
int emotion_state_observe(struct emotion_state *st, int64_t ts_ms, double valence, double v_weight,
                          double arousal, double a_weight, double half_life_s);
int emotion_observe_reading(struct emotion_state *st, const struct emotion_config *cfg,
                            enum emotion_scope scope, int64_t ts_ms, const char *const *labels,
                            const double *probs, size_t n, char *errstr, size_t errstr_size);
/* The same from a reading already reduced by emotion_from_reading() (so
 * one reading can update the viewer, movie and scene states cheaply). */
int emotion_observe_va(struct emotion_state *st, const struct emotion_config *cfg,
                       enum emotion_scope scope, int64_t ts_ms, const struct emotion_va *va,
                       double mass);
/* sentiment -1..1 (e.g. nbtext_sentiment()), confidence 0..1. */
int emotion_observe_sentiment(struct emotion_state *st, const struct emotion_config *cfg,
                              enum emotion_scope scope, int64_t ts_ms, double sentiment,
                              double confidence);
int emotion_observe_behaviour(struct emotion_state *st, const struct emotion_config *cfg,
                              enum emotion_scope scope, int64_t ts_ms, enum emotion_behaviour b);
/* Preferred affect: scene's point weighted by max(0, response) (-1..1). */
int emotion_pref_observe(struct emotion_state *pref, const struct emotion_config *cfg,
                         int64_t ts_ms, const struct emotion_va *scene, double response);

/* Current estimate; returns 0 if both axes have evidence, 1 if only one
 * (the other is neutral), -1 if none (out = neutral 0, 0.5).  now_ms is not
 * needed: decay scales both numerator and weight alike. */
int emotion_state_estimate(const struct emotion_state *st, struct emotion_va *out);
/* Decayed evidence weight of the valence axis at now_ms (confidence). */
double emotion_state_weight(const struct emotion_state *st, int64_t now_ms, double half_life_s);

/* As EMOTION_STATE_NUMBERS doubles (e.g. one Redis hash field each):
 * valence, v_weight, arousal, a_weight, ts_ms.  unpack validates. */
void emotion_state_pack(const struct emotion_state *st, double out[EMOTION_STATE_NUMBERS]);
int emotion_state_unpack(struct emotion_state *st, const double in[EMOTION_STATE_NUMBERS]);

/* Blob (type BLOB_EMOTION).  Version 2 is written; version 1 (valence,
 * arousal, one weight shared by both axes, ts) is still read and migrated
 * (both weights = the shared one).  Return 0 or a negative BLOB_E_* code. */
#define EMOTION_BLOB_VERSION 2
int emotion_serialize(const struct emotion_state *st, unsigned char **buf, size_t *len,
                      char *errstr, size_t errstr_size);
int emotion_deserialize(const void *buf, size_t len, struct emotion_state *st, char *errstr,
                        size_t errstr_size);

#endif
