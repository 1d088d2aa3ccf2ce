/* SPDX-License-Identifier: Apache-2.0 */
/* update.c -- event -> model operations (see update.h). */
#include "config.h"
#include "update.h"
#include "viewer_fields.h"
#include "taste.h"
#include "emotion.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void update_init(struct update *u)
{
    memset(u, 0, sizeof *u);
}

void update_free(struct update *u)
{
    free(u->ops);
    memset(u, 0, sizeof *u);
}

static int update_op(struct update *u, char code, double value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A new op at the end of u (not yet counted), or NULL without memory. */
static struct update_op *update_op_slot(struct update *u)
{
    if (u->n_ops == u->cap) {
        size_t ncap = u->cap ? u->cap * 2 : 16;
        struct update_op *n = realloc(u->ops, ncap * sizeof *n);
        if (!n)
            return NULL;
        u->ops = n;
        u->cap = ncap;
    }
    return &u->ops[u->n_ops];
}

static int update_op(struct update *u, char code, double value, const char *fmt, ...)
{
    struct update_op *op = update_op_slot(u);
    if (!op)
        return -1;
    op->code = code;
    op->value = value;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(op->field, sizeof op->field, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= sizeof op->field)
        return 0; /* over-long feature name: skipped, not an error */
    u->n_ops++;
    return 0;
}

/* The same for a field of the viewer's NB hash (viewer_fields.h) -- the ops
 * of every event, without printf. */
static int update_op_nb(struct update *u, enum viewer_field_kind kind, enum viewer_class cls,
                        const char *feature, double value)
{
    struct update_op *op = update_op_slot(u);
    if (!op)
        return -1;
    if (viewer_field_format(op->field, sizeof op->field, kind, cls, feature) < 0)
        return 0; /* over-long feature name: skipped, as update_op does */
    u->n_ops++;
    op->code = UPD_NB;
    op->value = value;
    return 0;
}

double update_weight(const struct recut_config *cfg, const struct vevent *ev,
                     update_sentiment_fn sentiment, void *ctx)
{
    switch (ev->type) {
    case VEVENT_VIEW:
        return cfg->weight[CFG_EV_VIEW] * (ev->has_value ? ev->value : 1.0);
    case VEVENT_SKIP:
        return cfg->weight[CFG_EV_SKIP];
    case VEVENT_REWATCH:
        return cfg->weight[CFG_EV_REWATCH];
    case VEVENT_LIKE:
        return cfg->weight[CFG_EV_LIKE];
    case VEVENT_DISLIKE:
        return cfg->weight[CFG_EV_DISLIKE];
    case VEVENT_SHARE:
        return cfg->weight[CFG_EV_SHARE];
    case VEVENT_RATING: {
        double d = ev->value - cfg->like_threshold;
        return cfg->weight[CFG_EV_RATING] * (d >= 0 ? d + 0.5 : d - 0.5);
    }
    case VEVENT_COMMENT: {
        double s = (sentiment && ev->text) ? sentiment(ev->text, ctx) : 0.0;
        return cfg->weight[CFG_EV_COMMENT] * s;
    }
    default:
        return 0;
    }
}

int update_compute(struct update *u, const struct recut_config *cfg, const struct catalog *cat,
                   const struct vevent *ev, update_sentiment_fn sentiment, void *sentiment_ctx)
{
    u->n_ops = 0;
    u->ev = ev;
    u->weight = 0;
    u->has_seen = u->positive = 0;

    if (ev->type == VEVENT_FORGET)
        return update_op(u, UPD_FORGET, 1, "all");
    if (ev->type == VEVENT_CONSENT)
        return update_op(u, UPD_CONSENT, ev->value, "consent");

    const struct catalog_movie *cm = ev->movie[0] ? catalog_get(cat, ev->movie) : NULL;
    long scene = ev->scene;
    if (scene < 0 && ev->t >= 0 && cm)
        scene = catalog_scene_at(&cm->m, ev->t);
    if (cm && scene >= (long)cm->m.n_scenes)
        scene = -1;

    if (ev->type == VEVENT_EMOTION) {
        /* viewer's affective response: overall and per movie/scene, the
         * reading's mean point on the circumplex (lib/models/emotion.h) */
        const char *labels[VEVENT_EMOTIONS_MAX];
        double probs[VEVENT_EMOTIONS_MAX];
        for (size_t i = 0; i < ev->n_emotions; i++) {
            labels[i] = ev->emotions[i].label;
            probs[i] = ev->emotions[i].p;
        }
        struct emotion_va va;
        double mass;
        if (emotion_from_reading(labels, probs, ev->n_emotions, &va, &mass, NULL, 0) < 0 ||
            mass <= 0)
            return 0; /* no known label (the parser admits only probabilities) */
        double v = va.valence, a = va.arousal;
        if (update_op(u, UPD_EMO, 1, VIEWER_EMO_COUNT) ||
            update_op(u, UPD_EMO, v, VIEWER_EMO_VALENCE) ||
            update_op(u, UPD_EMO, a, VIEWER_EMO_AROUSAL) ||
            update_op(u, UPD_EMO, v, VIEWER_EMO_MOVIE_VALENCE_FMT, ev->movie) ||
            update_op(u, UPD_EMO, 1, VIEWER_EMO_MOVIE_COUNT_FMT, ev->movie))
            return -1;
        if (scene >= 0 &&
            (update_op(u, UPD_EMO, v, VIEWER_EMO_SCENE_VALENCE_FMT, ev->movie, scene) ||
             update_op(u, UPD_EMO, 1, VIEWER_EMO_SCENE_COUNT_FMT, ev->movie, scene)))
            return -1;
        for (size_t i = 0; i < ev->n_emotions; i++)
            if (update_op(u, UPD_EMO, ev->emotions[i].p, VIEWER_EMO_LABEL_FMT,
                          ev->emotions[i].label))
                return -1;
        return 0;
    }

    double w = update_weight(cfg, ev, sentiment, sentiment_ctx);
    u->weight = w;
    int scene_level = cm && scene >= 0 &&
                      (ev->type == VEVENT_SKIP || ev->type == VEVENT_REWATCH ||
                       ev->type == VEVENT_LIKE || ev->type == VEVENT_DISLIKE);
    if (scene_level) {
        /* feedback on one scene: the scene's labels learn, the movie as a
         * whole is not judged by it */
        double fb = w > 0 ? 1.0 : (w < 0 ? -1.0 : 0.0);
        char sf[sizeof u->ops[0].field];
        if (fb != 0 && viewer_field_scene(sf, sizeof sf, ev->movie, scene) >= 0 &&
            update_op(u, UPD_SCENE, fb, "%s", sf))
            return -1;
        if (w == 0)
            return 0;
        enum viewer_class cls = w > 0 ? VIEWER_LIKE : VIEWER_DISLIKE;
        double aw = fabs(w);
        const struct recut_scene *s = &cm->m.scenes[scene];
        if (s->n_labels && update_op_nb(u, VIEWER_FIELD_SAMPLES, cls, NULL, aw))
            return -1;
        for (size_t i = 0; i < s->n_labels; i++) {
            char f[280];
            if (catalog_feature(f, sizeof f, "label", s->labels[i]) < 0)
                continue;
            if (update_op_nb(u, VIEWER_FIELD_FEATURE, cls, f, aw) ||
                update_op_nb(u, VIEWER_FIELD_TOTAL, cls, NULL, aw))
                return -1;
        }
        /* and the taste for what is in it (taste.h), labels or not */
        if (cm->taste_x) {
            struct taste_term t[TASTE_TERMS];
            size_t nt = taste_terms(cm->taste_x + (size_t)scene * TASTE_DIM, aw, w > 0 ? 1 : -1, t);
            for (size_t i = 0; i < nt; i++)
                if (update_op(u, UPD_NB, t[i].value, "%s", t[i].field))
                    return -1;
        }
        return 0;
    }

    /* a comment with no sentiment says nothing about the movie: it must not
     * overwrite an earlier like or dislike */
    u->has_seen = !(ev->type == VEVENT_COMMENT && w == 0);
    if (w == 0)
        return 0;
    u->positive = w > 0;
    enum viewer_class cls = w > 0 ? VIEWER_LIKE : VIEWER_DISLIKE;
    double aw = fabs(w);
    if (update_op_nb(u, VIEWER_FIELD_SAMPLES, cls, NULL, aw))
        return -1;
    if (cm) {
        for (size_t i = 0; i < cm->n_features; i++)
            if (update_op_nb(u, VIEWER_FIELD_FEATURE, cls, cm->features[i], aw))
                return -1;
        if (cm->n_features &&
            update_op_nb(u, VIEWER_FIELD_TOTAL, cls, NULL, aw * (double)cm->n_features))
            return -1;
    }
    return 0;
}
