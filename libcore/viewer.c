/* viewer.c -- in-memory viewer state and its NB read-out. */
#include "config.h"
#include "viewer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    memset(v, 0, sizeof *v);
}

int viewer_load_field(struct recut_viewer *v, char which, const char *field,
                      size_t field_len, const char *value)
{
    struct strmap *m = which == 'N' ? &v->nb : which == 'S' ? &v->seen
                     : which == 'C' ? &v->scenes : &v->emo;
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
    struct strmap_entry *e;
    v->n_like = (e = strmap_get(&v->nb, "n:like")) ? e->num : 0;
    v->n_dislike = (e = strmap_get(&v->nb, "n:dislike")) ? e->num : 0;
    v->t_like = (e = strmap_get(&v->nb, "t:like")) ? e->num : 0;
    v->t_dislike = (e = strmap_get(&v->nb, "t:dislike")) ? e->num : 0;
    /* vocabulary: distinct features in either class */
    size_t vocab = 0, it = 0;
    while ((e = strmap_next(&v->nb, &it))) {
        if (strncmp(e->key, "f:like:", 7) == 0) {
            vocab++;
        } else if (strncmp(e->key, "f:dislike:", 10) == 0) {
            char k[320];
            snprintf(k, sizeof k, "f:like:%s", e->key + 10);
            if (!strmap_get(&v->nb, k))
                vocab++;
        }
    }
    v->vocab = (double)vocab;
}

static void viewer_trim_hist(struct recut_viewer *v, int history_max)
{
    while (v->n_hist > (size_t)history_max)
        free(v->hist[--v->n_hist]);
}

int viewer_apply(struct recut_viewer *v, const struct update *u, int history_max,
                 int window, const char ***partners, size_t *n_partners)
{
    *partners = NULL;
    *n_partners = 0;
    const struct vevent *ev = u->ev;
    for (size_t i = 0; i < u->n_ops; i++) {
        const struct update_op *op = &u->ops[i];
        struct strmap_entry *e = NULL;
        switch (op->code) {
        case UPD_NB:
            e = strmap_put(&v->nb, op->field);
            break;
        case UPD_SCENE:
            e = strmap_put(&v->scenes, op->field);
            break;
        case UPD_EMO:
            if (v->consent)
                e = strmap_put(&v->emo, op->field);
            else
                continue;
            break;
        case UPD_CONSENT:
            v->consent = op->value == 1;
            if (!v->consent)
                strmap_clear(&v->emo, NULL);
            continue;
        case UPD_FORGET: {
            char id[sizeof v->id];
            memcpy(id, v->id, sizeof id);
            double alpha = v->alpha;
            viewer_free(v);
            viewer_init(v, id, alpha);
            return 1;
        }
        }
        if (!e)
            return -1;
        e->num += op->value;
    }
    if (u->has_seen && ev->movie[0]) {
        struct strmap_entry *old = strmap_get(&v->seen, ev->movie);
        int was_positive = old && old->num > 0;
        struct strmap_entry *s = strmap_put(&v->seen, ev->movie);
        if (!s)
            return -1;
        s->num = u->weight;
        if (u->positive && !was_positive) {
            if (viewer_push_hist(v, ev->movie, 0) < 0)
                return -1;
            viewer_trim_hist(v, history_max);
            *partners = (const char **)(v->hist + 1);
            *n_partners = v->n_hist - 1 < (size_t)window ? v->n_hist - 1 : (size_t)window;
        }
    }
    v->events++;
    viewer_finish(v);
    return 1;
}

const char *viewer_id(const recut_viewer *v)
{
    return v->id;
}

static double viewer_count(const recut_viewer *v, const char *cls, const char *feature)
{
    char k[320];
    snprintf(k, sizeof k, "f:%s:%s", cls, feature);
    struct strmap_entry *e = strmap_get(&v->nb, k);
    return e ? e->num : 0;
}

double viewer_feature(const recut_viewer *v, const char *feature)
{
    double a = v->alpha, V = v->vocab > 0 ? v->vocab : 1;
    double pl = (viewer_count(v, "like", feature) + a) / (v->t_like + a * V);
    double pd = (viewer_count(v, "dislike", feature) + a) / (v->t_dislike + a * V);
    return log(pl) - log(pd);
}

double viewer_nb_logodds(const recut_viewer *v, char *const *features, size_t n)
{
    /* class prior with add-one so a viewer with one class is not certain */
    double lo = log((v->n_like + 1) / (v->n_dislike + 1));
    for (size_t i = 0; i < n; i++)
        lo += viewer_feature(v, features[i]);
    return lo;
}

int viewer_affect(const recut_viewer *v, double *arousal, double *valence)
{
    struct strmap_entry *n = strmap_get(&v->emo, "n");
    if (!n || n->num <= 0) {
        *arousal = 0.5;
        *valence = 0.0;
        return -1;
    }
    struct strmap_entry *a = strmap_get(&v->emo, "a"), *vv = strmap_get(&v->emo, "v");
    *arousal = a ? a->num / n->num : 0.5;
    *valence = vv ? vv->num / n->num : 0.0;
    return 0;
}

double viewer_scene_feedback(const recut_viewer *v, const char *movie, size_t scene)
{
    char k[300];
    snprintf(k, sizeof k, "%s:%zu", movie, scene);
    struct strmap_entry *e = strmap_get(&v->scenes, k);
    if (!e)
        return 0;
    return e->num > 1 ? 1 : e->num < -1 ? -1 : e->num;
}

int viewer_has_seen(const recut_viewer *v, const char *movie)
{
    return strmap_get(&v->seen, movie) != NULL;
}
