/* SPDX-License-Identifier: Apache-2.0 */
/* viewer.c -- in-memory viewer state and its NB read-out. */
#include "config.h"
#include "viewer.h"
#include "emotion.h"
#include "nb.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char viewer_dirty_mark;

void viewer_changes_init(struct viewer_changes *c)
{
    memset(c, 0, sizeof *c);
}

void viewer_changes_free(struct viewer_changes *c)
{
    free(c->nb.keys);
    free(c->seen.keys);
    free(c->scenes.keys);
    free(c->emo.keys);
    memset(c, 0, sizeof *c);
}

void viewer_changes_reset(struct viewer_changes *c)
{
    /* keep the arrays: a cached viewer changes again soon */
    struct viewer_dirty *d[] = { &c->nb, &c->seen, &c->scenes, &c->emo };
    for (size_t i = 0; i < 4; i++)
        d[i]->n = 0;
    c->pushed = 0;
    c->forgot = c->emo_cleared = c->meta = c->emotion_dropped = 0;
}

/* Record that entry e of a viewer's map changed. */
static int viewer_mark(struct viewer_dirty *d, struct strmap_entry *e)
{
    if (e->ptr == VIEWER_DIRTY)
        return 0;
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 16;
        struct viewer_dirty_key *k = realloc(d->keys, nc * sizeof *k);
        if (!k)
            return -1;
        d->keys = k;
        d->cap = nc;
    }
    d->keys[d->n++] = (struct viewer_dirty_key){ e->key, e->len, e->hash };
    e->ptr = VIEWER_DIRTY;
    return 0;
}

static void viewer_which(struct recut_viewer *v, char which, struct strmap **m,
                         struct viewer_dirty **d)
{
    struct viewer_changes *c = v->chg;
    switch (which) {
    case 'N':
        *m = &v->nb;
        *d = &c->nb;
        break;
    case 'S':
        *m = &v->seen;
        *d = &c->seen;
        break;
    case 'C':
        *m = &v->scenes;
        *d = &c->scenes;
        break;
    default:
        *m = &v->emo;
        *d = &c->emo;
        break;
    }
}

size_t viewer_changes_count(const struct recut_viewer *v, char which)
{
    struct strmap *m;
    struct viewer_dirty *d;
    if (!v->chg)
        return 0;
    viewer_which((struct recut_viewer *)v, which, &m, &d);
    return d->n;
}

size_t viewer_changes_take(struct recut_viewer *v, char which,
                           void (*fn)(void *arg, const char *field, size_t len, double value),
                           void *arg)
{
    struct strmap *m;
    struct viewer_dirty *d;
    if (!v->chg)
        return 0;
    viewer_which(v, which, &m, &d);
    size_t n = d->n;
    for (size_t i = 0; i < n; i++) {
        const struct viewer_dirty_key *k = &d->keys[i];
        struct strmap_entry *e = strmap_geth(m, k->key, k->len, k->hash);
        if (e)
            e->ptr = NULL;
        fn(arg, k->key, k->len, e ? e->num : 0);
    }
    d->n = 0;
    return n;
}

void viewer_init(struct recut_viewer *v, const char *id, double alpha)
{
    memset(v, 0, sizeof *v);
    snprintf(v->id, sizeof v->id, "%s", id);
    strmap_init(&v->nb);
    strmap_init(&v->seen);
    strmap_init(&v->scenes);
    strmap_init(&v->emo);
    v->alpha = alpha;
}

void viewer_free(struct recut_viewer *v)
{
    strmap_clear(&v->nb, NULL);
    strmap_clear(&v->seen, NULL);
    strmap_clear(&v->scenes, NULL);
    strmap_clear(&v->emo, NULL);
    for (size_t i = 0; i < v->n_hist; i++)
        free(v->hist[i]);
    free(v->hist);
    if (v->svm.state && v->svm.free)
        v->svm.free(v->svm.state);
    memset(v, 0, sizeof *v);
}

void viewer_set_model(struct recut_viewer *v, const struct viewer_model *m)
{
    if (v->svm.state && v->svm.free)
        v->svm.free(v->svm.state);
    memset(&v->svm, 0, sizeof v->svm);
    if (m)
        v->svm = *m;
}

int viewer_load_field(struct recut_viewer *v, char which, const char *field, size_t field_len,
                      const char *value)
{
    struct strmap *m = which == 'N'   ? &v->nb
                       : which == 'S' ? &v->seen
                       : which == 'C' ? &v->scenes
                                      : &v->emo;
    struct strmap_entry *e = strmap_putn(m, field, field_len);
    if (!e)
        return -1;
    e->num = strtod(value, NULL);
    return 0;
}

int viewer_push_hist(struct recut_viewer *v, const char *movie, int at_end)
{
    if (v->n_hist == v->cap_hist) {
        size_t ncap = v->cap_hist ? v->cap_hist * 2 : 16;
        char **n = realloc(v->hist, ncap * sizeof *n);
        if (!n)
            return -1;
        v->hist = n;
        v->cap_hist = ncap;
    }
    char *dup = strdup(movie);
    if (!dup)
        return -1;
    if (at_end) {
        v->hist[v->n_hist++] = dup;
    } else {
        memmove(v->hist + 1, v->hist, v->n_hist * sizeof *v->hist);
        v->hist[0] = dup;
        v->n_hist++;
    }
    return 0;
}

void viewer_finish(struct recut_viewer *v)
{
    const struct strmap *nb = &v->nb;
    v->n_like = viewer_field_value(nb, VIEWER_FIELD_SAMPLES, VIEWER_LIKE, NULL);
    v->n_dislike = viewer_field_value(nb, VIEWER_FIELD_SAMPLES, VIEWER_DISLIKE, NULL);
    v->t_like = viewer_field_value(nb, VIEWER_FIELD_TOTAL, VIEWER_LIKE, NULL);
    v->t_dislike = viewer_field_value(nb, VIEWER_FIELD_TOTAL, VIEWER_DISLIKE, NULL);
    /* vocabulary: distinct features in either class */
    size_t vocab = 0, it = 0;
    struct strmap_entry *e;
    while ((e = strmap_next(nb, &it))) {
        enum viewer_field_kind kind;
        enum viewer_class cls;
        const char *f;
        if (viewer_field_parse(e->key, e->len, &kind, &cls, &f) < 0 || kind != VIEWER_FIELD_FEATURE)
            continue;
        /* a feature of both classes counts once, at its like field */
        if (cls == VIEWER_LIKE || !viewer_field_get(nb, VIEWER_FIELD_FEATURE, VIEWER_LIKE, f))
            vocab++;
    }
    v->vocab = (double)vocab;
}

static void viewer_trim_hist(struct recut_viewer *v, int history_max)
{
    while (v->n_hist > (size_t)history_max)
        free(v->hist[--v->n_hist]);
}

/* Keep the NB sums current when entry e of the nb map changes by d. */
static void viewer_nb_changed(struct recut_viewer *v, const struct strmap_entry *e, double d,
                              int created)
{
    enum viewer_field_kind kind;
    enum viewer_class cls;
    const char *f;
    if (viewer_field_parse(e->key, e->len, &kind, &cls, &f) < 0)
        return;
    switch (kind) {
    case VIEWER_FIELD_SAMPLES:
        *(cls == VIEWER_LIKE ? &v->n_like : &v->n_dislike) += d;
        break;
    case VIEWER_FIELD_TOTAL:
        *(cls == VIEWER_LIKE ? &v->t_like : &v->t_dislike) += d;
        break;
    case VIEWER_FIELD_FEATURE: {
        /* a feature new to this class is new to the vocabulary unless the
         * other class has it */
        enum viewer_class other = cls == VIEWER_LIKE ? VIEWER_DISLIKE : VIEWER_LIKE;
        if (created && !viewer_field_get(&v->nb, VIEWER_FIELD_FEATURE, other, f))
            v->vocab += 1;
        break;
    }
    }
}

int viewer_apply(struct recut_viewer *v, const struct update *u, int history_max, int window,
                 const char ***partners, size_t *n_partners)
{
    *partners = NULL;
    *n_partners = 0;
    const struct vevent *ev = u->ev;
    struct viewer_changes *chg = v->chg;
    for (size_t i = 0; i < u->n_ops; i++) {
        const struct update_op *op = &u->ops[i];
        struct strmap *m = NULL;
        struct viewer_dirty *dirty = NULL;
        switch (op->code) {
        case UPD_NB:
            m = &v->nb;
            dirty = chg ? &chg->nb : NULL;
            break;
        case UPD_SCENE:
            m = &v->scenes;
            dirty = chg ? &chg->scenes : NULL;
            break;
        case UPD_EMO:
            if (!v->consent) {
                if (chg)
                    chg->emotion_dropped = 1;
                continue;
            }
            m = &v->emo;
            dirty = chg ? &chg->emo : NULL;
            break;
        case UPD_CONSENT:
            v->consent = op->value == 1;
            if (!v->consent) {
                strmap_clear(&v->emo, NULL);
                if (chg) {
                    chg->emo_cleared = 1;
                    chg->emo.n = 0; /* the keys went with the map */
                }
            }
            if (chg)
                chg->meta = 1;
            continue;
        case UPD_FORGET: {
            char id[sizeof v->id];
            memcpy(id, v->id, sizeof id);
            double alpha = v->alpha;
            viewer_free(v);
            viewer_init(v, id, alpha);
            v->chg = chg;
            if (chg) {
                viewer_changes_reset(chg);
                chg->forgot = 1;
            }
            return 1;
        }
        }
        size_t before = m->len;
        struct strmap_entry *e = strmap_put(m, op->field);
        if (!e)
            return -1;
        e->num += op->value;
        if (m == &v->nb)
            viewer_nb_changed(v, e, op->value, m->len > before);
        if (dirty && viewer_mark(dirty, e) < 0)
            return -1;
    }
    if (u->has_seen && ev->movie[0]) {
        struct strmap_entry *old = strmap_get(&v->seen, ev->movie);
        int was_positive = old && old->num > 0;
        struct strmap_entry *s = strmap_put(&v->seen, ev->movie);
        if (!s)
            return -1;
        s->num = u->weight;
        if (chg && viewer_mark(&chg->seen, s) < 0)
            return -1;
        if (u->positive && !was_positive) {
            if (viewer_push_hist(v, ev->movie, 0) < 0)
                return -1;
            viewer_trim_hist(v, history_max);
            if (chg)
                chg->pushed++;
            *partners = (const char **)(v->hist + 1);
            *n_partners = v->n_hist - 1 < (size_t)window ? v->n_hist - 1 : (size_t)window;
        }
    }
    v->events++;
    if (chg)
        chg->meta = 1;
    return 1;
}

const char *viewer_id(const recut_viewer *v)
{
    return v->id;
}

/* The viewer's NB is lib/models/nb's multinomial model on counts held in
 * the nb map (nb_log_prob_counts, nb_log_prior_counts), with two choices of
 * its own: a feature the viewer never met counts as a smoothed zero in both
 * classes (nb_model queries ignore it), and the class prior is smoothed
 * with prior_alpha 1 so that a viewer with one class only is not certain. */
#define VIEWER_PRIOR_ALPHA 1.0

double viewer_feature(const recut_viewer *v, const char *feature)
{
    /* an empty vocabulary counts as one feature: keeps log(0) away */
    double a = v->alpha, V = v->vocab > 0 ? v->vocab : 1;
    double cl = viewer_field_value(&v->nb, VIEWER_FIELD_FEATURE, VIEWER_LIKE, feature);
    double cd = viewer_field_value(&v->nb, VIEWER_FIELD_FEATURE, VIEWER_DISLIKE, feature);
    return nb_log_prob_counts(cl, v->t_like, a, V) - nb_log_prob_counts(cd, v->t_dislike, a, V);
}

double viewer_nb_logodds(const recut_viewer *v, char *const *features, size_t n)
{
    double ns = v->n_like + v->n_dislike;
    double lo = nb_log_prior_counts(v->n_like, ns, VIEWER_PRIOR_ALPHA, 2) -
                nb_log_prior_counts(v->n_dislike, ns, VIEWER_PRIOR_ALPHA, 2);
    for (size_t i = 0; i < n; i++)
        lo += viewer_feature(v, features[i]);
    return lo;
}

int viewer_affect(const recut_viewer *v, double *arousal, double *valence)
{
    struct strmap_entry *n = strmap_get(&v->emo, VIEWER_EMO_COUNT);
    if (!n || n->num <= 0) {
        *arousal = EMOTION_NEUTRAL_AROUSAL;
        *valence = 0.0;
        return -1;
    }
    struct strmap_entry *a = strmap_get(&v->emo, VIEWER_EMO_AROUSAL);
    struct strmap_entry *vv = strmap_get(&v->emo, VIEWER_EMO_VALENCE);
    *arousal = a ? a->num / n->num : EMOTION_NEUTRAL_AROUSAL;
    *valence = vv ? vv->num / n->num : 0.0;
    return 0;
}

double viewer_scene_feedback(const recut_viewer *v, const char *movie, size_t scene)
{
    char k[VIEWER_FIELD_MAX];
    if (scene > (size_t)LONG_MAX || viewer_field_scene(k, sizeof k, movie, (long)scene) < 0)
        return 0;
    struct strmap_entry *e = strmap_get(&v->scenes, k);
    if (!e)
        return 0;
    return e->num > 1 ? 1 : e->num < -1 ? -1 : e->num;
}

int viewer_has_seen(const recut_viewer *v, const char *movie)
{
    return strmap_get(&v->seen, movie) != NULL;
}
