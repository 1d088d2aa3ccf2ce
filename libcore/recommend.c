/* recommend.c -- blended scorer (see recommend.h). */
#include "config.h"
#include "recommend.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double recommend_sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

void recommend_mem_init(struct recommend_mem *g)
{
    strmap_init(&g->pop);
    strmap_init(&g->cooc);
    g->max_pop = 0;
}

static void recommend_free_map(void *p)
{
    strmap_clear(p, NULL);
    free(p);
}

void recommend_mem_free(struct recommend_mem *g)
{
    strmap_clear(&g->pop, NULL);
    strmap_clear(&g->cooc, recommend_free_map);
}

static int recommend_mem_bump(struct recommend_mem *g, const char *a, const char *b)
{
    struct strmap_entry *e = strmap_put(&g->cooc, a);
    if (!e)
        return -1;
    if (!e->ptr) {
        struct strmap *m = malloc(sizeof *m);
        if (!m)
            return -1;
        strmap_init(m);
        e->ptr = m;
    }
    struct strmap_entry *c = strmap_put(e->ptr, b);
    if (!c)
        return -1;
    c->num += 1;
    return 0;
}

int recommend_mem_positive(struct recommend_mem *g, const char *movie,
                           const char *const *partners, size_t n_partners)
{
    struct strmap_entry *e = strmap_put(&g->pop, movie);
    if (!e)
        return -1;
    e->num += 1;
    if (e->num > g->max_pop)
        g->max_pop = e->num;
    for (size_t i = 0; i < n_partners; i++) {
        if (strcmp(partners[i], movie) == 0)
            continue;
        if (recommend_mem_bump(g, movie, partners[i]) < 0 ||
            recommend_mem_bump(g, partners[i], movie) < 0)
            return -1;
    }
    return 0;
}

static double recommend_mem_pop(void *ctx, const char *movie)
{
    struct strmap_entry *e = strmap_get(&((struct recommend_mem *)ctx)->pop, movie);
    return e ? e->num : 0;
}

static const struct strmap *recommend_mem_cooc(void *ctx, const char *movie)
{
    struct strmap_entry *e = strmap_get(&((struct recommend_mem *)ctx)->cooc, movie);
    return e ? e->ptr : NULL;
}

void recommend_mem_globals(struct recommend_mem *g, struct recommend_globals *out)
{
    out->pop = recommend_mem_pop;
    out->cooc = recommend_mem_cooc;
    out->max_pop = g->max_pop;
    out->ctx = g;
}

/* NB part in 0..1: posterior of "like" from the movie's features, with the
 * feature evidence scaled by 1/sqrt(n) so movies with many tags are not
 * favoured for that alone. */
static double recommend_nb(const recut_viewer *v, const struct catalog_movie *cm)
{
    if (cm->n_features == 0 || (v->n_like + v->n_dislike) <= 0)
        return 0.5;
    double lo = 0;
    for (size_t i = 0; i < cm->n_features; i++)
        lo += viewer_feature(v, cm->features[i]);
    return recommend_sigmoid(lo / sqrt((double)cm->n_features));
}

/* Keep out[0..*len) sorted by score descending, ties by catalog index. */
static void recommend_insert(struct recommend_item *out, size_t *len, size_t n,
                             const struct recommend_item *it)
{
    size_t pos = *len;
    while (pos > 0 && (out[pos - 1].score < it->score ||
                       (out[pos - 1].score == it->score &&
                        out[pos - 1].movie->index > it->movie->index)))
        pos--;
    if (pos >= n)
        return;
    size_t last = *len < n ? *len : n - 1;
    memmove(out + pos + 1, out + pos, (last - pos) * sizeof *out);
    out[pos] = *it;
    if (*len < n)
        (*len)++;
}

size_t recommend_top(const struct recut_config *cfg, const struct catalog *cat,
                     const recut_viewer *v, const struct recommend_globals *g,
                     const struct strmap *exclude, int include_seen,
                     struct recommend_item *out, size_t n)
{
    if (n == 0 || cat->n == 0)
        return 0;
    double *co = calloc(cat->n, sizeof *co);
    const char **because = calloc(cat->n, sizeof *because);
    double *because_w = calloc(cat->n, sizeof *because_w);
    if (!co || !because || !because_w) {
        free(co);
        free(because);
        free(because_w);
        return 0;
    }
    /* co-occurrence with the viewer's recent positives, newer ones count more */
    size_t window = v->n_hist < (size_t)cfg->cooc_window ? v->n_hist : (size_t)cfg->cooc_window;
    double co_max = 0;
    for (size_t h = 0; h < window && g->cooc; h++) {
        const struct strmap *cm = g->cooc(g->ctx, v->hist[h]);
        if (!cm)
            continue;
        double pj = g->pop ? g->pop(g->ctx, v->hist[h]) : 1;
        double recency = 1.0 / (1.0 + 0.05 * (double)h);
        size_t it = 0;
        struct strmap_entry *e;
        while ((e = strmap_next(cm, &it))) {
            const struct catalog_movie *m = catalog_get(cat, e->key);
            if (!m)
                continue;
            double pm = g->pop ? g->pop(g->ctx, e->key) : 1;
            double s = recency * e->num / sqrt((pm + 1) * (pj + 1));
            co[m->index] += s;
            if (s > because_w[m->index]) {
                because_w[m->index] = s;
                because[m->index] = v->hist[h];
            }
            if (co[m->index] > co_max)
                co_max = co[m->index];
        }
    }
    double lmax = log1p(g->max_pop > 0 ? g->max_pop : 1);
    size_t len = 0;
    for (size_t i = 0; i < cat->n; i++) {
        const struct catalog_movie *m = cat->list[i];
        if (!include_seen && viewer_has_seen(v, m->m.id))
            continue;
        if (exclude && strmap_get(exclude, m->m.id))
            continue;
        struct recommend_item it = { .movie = m };
        it.nb = recommend_nb(v, m);
        it.cooc = co_max > 0 ? co[i] / co_max : 0;
        it.pop = g->pop ? log1p(g->pop(g->ctx, m->m.id)) / lmax : 0;
        it.score = cfg->w_nb * it.nb + cfg->w_cooc * it.cooc + cfg->w_pop * it.pop;
        it.because = because[i];
        recommend_insert(out, &len, n, &it);
    }
    free(co);
    free(because);
    free(because_w);
    return len;
}

void recommend_reasons(const struct recommend_item *it, const recut_viewer *v,
                       const struct catalog *cat, char reasons[][160], size_t *n_reasons,
                       size_t max_reasons)
{
    *n_reasons = 0;
    const struct catalog_movie *m = it->movie;
    if (it->because && it->cooc > 0.05 && *n_reasons < max_reasons) {
        const struct catalog_movie *b = catalog_get(cat, it->because);
        snprintf(reasons[(*n_reasons)++], 160, "viewers who liked %s also liked this",
                 b && b->m.title[0] ? b->m.title : it->because);
    }
    /* the two features the viewer likes most */
    double best[2] = { 0.1, 0.1 };
    const char *bf[2] = { NULL, NULL };
    for (size_t i = 0; i < m->n_features; i++) {
        double lo = viewer_feature(v, m->features[i]);
        if (lo > best[0]) {
            best[1] = best[0];
            bf[1] = bf[0];
            best[0] = lo;
            bf[0] = m->features[i];
        } else if (lo > best[1]) {
            best[1] = lo;
            bf[1] = m->features[i];
        }
    }
    for (int k = 0; k < 2 && *n_reasons < max_reasons; k++)
        if (bf[k])
            snprintf(reasons[(*n_reasons)++], 160, "you like %s (%+.2f)", bf[k], best[k]);
    if (it->pop > 0.5 && *n_reasons < max_reasons)
        snprintf(reasons[(*n_reasons)++], 160, "popular with other viewers");
}

void recommend_scene_scores(const struct recut_config *cfg, const recut_viewer *v,
                            const struct recut_movie *m, double *scores)
{
    double pa, pv;
    int has_affect = viewer_affect(v, &pa, &pv) == 0;
    for (size_t i = 0; i < m->n_scenes; i++) {
        const struct recut_scene *s = &m->scenes[i];
        double z = 0;
        for (size_t k = 0; k < s->n_labels; k++) {
            char f[300];
            if (catalog_feature(f, sizeof f, "label", s->labels[k]) == 0)
                z += viewer_feature(v, f);
        }
        for (size_t k = 0; k < s->n_emotions; k++) {
            char f[300];
            if (catalog_feature(f, sizeof f, "emotion", s->emotions[k]) == 0)
                z += s->emotion_p[k] * viewer_feature(v, f);
        }
        if (has_affect) {
            double d = hypot(s->arousal - pa, (s->valence - pv) / 2.0);
            z += cfg->w_affect * (1.0 - 2.0 * d);
        }
        z += 3.0 * viewer_scene_feedback(v, m->id, i);
        scores[i] = recommend_sigmoid(z);
    }
}
