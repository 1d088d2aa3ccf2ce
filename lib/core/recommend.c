/* SPDX-License-Identifier: Apache-2.0 */
/* recommend.c -- blended scorer (see recommend.h). */
#include "config.h"
#include "recommend.h"
#include "svm_viewer.h"
#include "taste.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double recommend_sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

void recommend_mem_init(struct recommend_mem *g)
{
    memset(g, 0, sizeof *g);
    strmap_init(&g->pop);
    strmap_init(&g->cooc);
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
    free(g->rank);
    free(g->pop_by_index);
    memset(g, 0, sizeof *g);
}

int recommend_mem_use_catalog(struct recommend_mem *g, const struct catalog *cat)
{
    double *p = calloc(cat->n ? cat->n : 1, sizeof *p);
    if (!p)
        return -1;
    free(g->pop_by_index);
    g->pop_by_index = p;
    g->cat = cat;
    return 0;
}

/* e's count went up by one: move it up the popularity ranking. */
static int recommend_mem_rerank(struct recommend_mem *g, struct strmap_entry *e)
{
    size_t pos;
    if (!e->ptr) {
        if (g->n_rank == g->cap_rank) {
            size_t ncap = g->cap_rank ? 2 * g->cap_rank : 256;
            const char **n = realloc(g->rank, ncap * sizeof *n);
            if (!n)
                return -1;
            g->rank = n;
            g->cap_rank = ncap;
        }
        pos = g->n_rank++;
    } else {
        pos = (size_t)(uintptr_t)e->ptr - 1;
    }
    const char *id = e->key;
    double c = e->num;
    while (pos > 0) {
        struct strmap_entry *p = strmap_get(&g->pop, g->rank[pos - 1]);
        if (p->num > c || (p->num == c && strcmp(p->key, id) < 0))
            break;
        g->rank[pos] = p->key;
        p->ptr = (void *)(uintptr_t)(pos + 1);
        pos--;
    }
    g->rank[pos] = id;
    e->ptr = (void *)(uintptr_t)(pos + 1);
    return 0;
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
    if (c->num == 0 && g->cat)
        c->ptr = (void *)catalog_get(g->cat, b);
    c->num += 1;
    return 0;
}

int recommend_mem_positive(struct recommend_mem *g, const char *movie, const char *const *partners,
                           size_t n_partners)
{
    struct strmap_entry *e = strmap_put(&g->pop, movie);
    if (!e)
        return -1;
    e->num += 1;
    if (e->num > g->max_pop)
        g->max_pop = e->num;
    if (recommend_mem_rerank(g, e) < 0)
        return -1;
    if (g->cat) {
        const struct catalog_movie *m = catalog_get(g->cat, movie);
        if (m)
            g->pop_by_index[m->index] = e->num;
    }
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

static const char *recommend_mem_popular_at(void *ctx, size_t rank, double *pop)
{
    struct recommend_mem *g = ctx;
    if (rank >= g->n_rank)
        return NULL;
    *pop = strmap_get(&g->pop, g->rank[rank])->num;
    return g->rank[rank];
}

static double recommend_mem_pop_index(void *ctx, size_t index)
{
    return ((struct recommend_mem *)ctx)->pop_by_index[index];
}

void recommend_mem_globals(struct recommend_mem *g, struct recommend_globals *out)
{
    memset(out, 0, sizeof *out);
    out->cooc_cat = g->cat;
    out->pop_index = g->cat ? recommend_mem_pop_index : NULL;
    out->popular_at = recommend_mem_popular_at;
    out->pop = recommend_mem_pop;
    out->cooc = recommend_mem_cooc;
    out->max_pop = g->max_pop;
    out->ctx = g;
}

/* Co-occurrence scoring, tuned with recut-eval on MovieLens (recut-eval(1)):
 * the viewer's positive h places back in the history weighs exp(-h / TAU),
 * positives whose weight would be under CUT are not read at all, and a
 * count c(i, j) is normalised by sqrt((pop_i + 1) (pop_j + 1)) (cosine). */
#define RECOMMEND_RECENCY_TAU 4.0
#define RECOMMEND_RECENCY_CUT 0.02
/* The most popular movies are candidates besides the co-occurring ones. */
#define RECOMMEND_POPULAR_CANDIDATES 200
/* diversity > 0: the pool re-ranked is n * POOL items, at most n + EXTRA */
#define RECOMMEND_MMR_POOL 4
#define RECOMMEND_MMR_EXTRA 100

size_t recommend_cooc_reads(const struct recut_config *cfg)
{
    size_t w = (size_t)(-log(RECOMMEND_RECENCY_CUT) * RECOMMEND_RECENCY_TAU) + 1;
    return cfg->cooc_window > 0 && (size_t)cfg->cooc_window < w ? (size_t)cfg->cooc_window : w;
}

/* Per-query NB read-out: viewer_feature() of the features met so far. */
struct recommend_nbq {
    const recut_viewer *v;
    struct strmap memo; /* feature -> viewer_feature() */
};

/* NB part in 0..1: posterior of "like" from the movie's features, with the
 * feature evidence scaled by 1/sqrt(n) so movies with many tags are not
 * favoured for that alone. */
static double recommend_nbq(struct recommend_nbq *q, const struct catalog_movie *cm)
{
    const recut_viewer *v = q->v;
    if (cm->n_features == 0 || (v->n_like + v->n_dislike) <= 0)
        return 0.5;
    double lo = 0;
    for (size_t i = 0; i < cm->n_features; i++) {
        struct strmap_entry *d = strmap_put(&q->memo, cm->features[i]);
        if (!d) {
            lo += viewer_feature(v, cm->features[i]);
            continue;
        }
        if (!d->ptr) {
            d->ptr = d; /* computed */
            d->num = viewer_feature(v, cm->features[i]);
        }
        lo += d->num;
    }
    return recommend_sigmoid(lo / sqrt((double)cm->n_features));
}

/* SVM part: P(like) from the viewer's attached model, -1 without one. */
static double recommend_svm(const recut_viewer *v, double w_svm, const struct catalog_movie *cm)
{
    if (w_svm <= 0 || !v->svm.state || !v->svm.score)
        return -1;
    double p = v->svm.score(v->svm.state, cm->features, cm->n_features);
    return p >= 0 && p <= 1 ? p : -1;
}

static double recommend_svm_part(double w_svm, double p)
{
    return w_svm * (p >= 0 ? p : 0.5);
}

/* Ranking order: score descending, then movie id ascending (independent of
 * the catalog's insertion order, so recutd and recut-eval agree). */
static int recommend_before(const struct recommend_item *a, const struct recommend_item *b)
{
    if (a->score != b->score)
        return a->score > b->score;
    return strcmp(a->movie->m.id, b->movie->m.id) < 0;
}

/* Keep out[0..*len) sorted, at most n. */
static void recommend_insert(struct recommend_item *out, size_t *len, size_t n,
                             const struct recommend_item *it)
{
    if (*len == n && !recommend_before(it, &out[n - 1]))
        return;
    size_t pos = *len < n ? *len : n - 1;
    while (pos > 0 && recommend_before(it, &out[pos - 1])) {
        out[pos] = out[pos - 1];
        pos--;
    }
    out[pos] = *it;
    if (*len < n)
        (*len)++;
}

struct recommend_pc {
    const struct catalog_movie *m;
    double pop;
};

/* pc[0] is the least popular of the kept ones (min-heap by pop, then id desc) */
static int recommend_pc_less(const struct recommend_pc *a, const struct recommend_pc *b)
{
    if (a->pop != b->pop)
        return a->pop < b->pop;
    return strcmp(a->m->m.id, b->m->m.id) > 0;
}

static void recommend_pc_sift(struct recommend_pc *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && recommend_pc_less(&h[l], &h[m]))
            m = l;
        if (r < n && recommend_pc_less(&h[r], &h[m]))
            m = r;
        if (m == i)
            return;
        struct recommend_pc t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

struct recommend_cand {
    double partial; /* score without the NB part */
    size_t i;       /* catalog index */
};

static void recommend_cand_sift(struct recommend_cand *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && h[l].partial > h[m].partial)
            m = l;
        if (r < n && h[r].partial > h[m].partial)
            m = r;
        if (m == i)
            return;
        struct recommend_cand t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* Scratch of one recommend_top call, sized for a catalog of n movies.
 * Between calls it is clean: co, because_w and skip are 0, because NULL
 * and popc -1 for every movie. */
struct recommend_scratch {
    size_t n;
    double *co, *popc, *norm, *because_w;
    const char **because;
    size_t *cand, *skipped;
    unsigned char *skip;
    struct recommend_pc *heap;
    struct recommend_cand *order;
};

struct recommend_work {
    struct recommend_scratch x; /* x.n == 0: none yet */
};

static void recommend_scratch_free(struct recommend_scratch *x)
{
    free(x->co);
    free(x->popc);
    free(x->because);
    free(x->cand);
    free(x->skipped);
    free(x->skip);
    free(x->heap);
    free(x->order);
    memset(x, 0, sizeof *x);
}

static int recommend_scratch_alloc(struct recommend_scratch *x, size_t n)
{
    memset(x, 0, sizeof *x);
    x->co = calloc(2 * n, sizeof *x->co);
    x->popc = malloc(2 * n * sizeof *x->popc);
    x->because = calloc(n, sizeof *x->because);
    x->cand = malloc(n * sizeof *x->cand);
    x->skipped = malloc(n * sizeof *x->skipped);
    x->skip = calloc(n, 1);
    x->heap = malloc(RECOMMEND_POPULAR_CANDIDATES * sizeof *x->heap);
    x->order = malloc(n * sizeof *x->order);
    if (!x->co || !x->popc || !x->because || !x->cand || !x->skipped || !x->skip || !x->heap ||
        !x->order) {
        recommend_scratch_free(x);
        return -1;
    }
    x->n = n;
    x->because_w = x->co + n;
    x->norm = x->popc + n;
    for (size_t i = 0; i < n; i++)
        x->popc[i] = -1;
    return 0;
}

/* Make x clean again: only the candidates and the skipped movies were
 * touched. */
static void recommend_scratch_reset(struct recommend_scratch *x, size_t n_cand, size_t n_skipped)
{
    for (size_t c = 0; c < n_cand; c++) {
        size_t i = x->cand[c];
        x->co[i] = x->because_w[i] = 0;
        x->because[i] = NULL;
        x->popc[i] = -1;
    }
    for (size_t k = 0; k < n_skipped; k++)
        x->skip[x->skipped[k]] = 0;
}

struct recommend_work *recommend_work_new(void)
{
    return calloc(1, sizeof(struct recommend_work));
}

void recommend_work_free(struct recommend_work *w)
{
    if (!w)
        return;
    recommend_scratch_free(&w->x);
    free(w);
}

static size_t recommend_rank(const struct recut_config *cfg, const struct catalog *cat,
                             const recut_viewer *v, const struct recommend_globals *g,
                             const struct strmap *exclude, int include_seen,
                             struct recommend_item *out, size_t n)
{
    if (n == 0 || cat->n == 0)
        return 0;
    size_t n_pc = RECOMMEND_POPULAR_CANDIDATES;
    struct recommend_scratch own, *xp = &own;
    if (g->work) {
        xp = &g->work->x;
        if (xp->n != cat->n) { /* the catalog grew: new scratch */
            recommend_scratch_free(xp);
            if (recommend_scratch_alloc(xp, cat->n) < 0)
                return 0;
        }
    } else if (recommend_scratch_alloc(xp, cat->n) < 0) {
        return 0;
    }
    struct recommend_scratch x = *xp; /* (the arrays are shared) */
    size_t n_cand = 0, n_skipped = 0;
    /* co-occurrence with the viewer's recent positives, newer ones count more */
    size_t window = recommend_cooc_reads(cfg);
    if (window > v->n_hist)
        window = v->n_hist;
    double co_max = 0;
    const int indexed = g->cooc_cat == cat;
    const int packed = indexed && g->pop_index && g->cooc_row;
    for (size_t h = 0; h < window && (g->cooc || packed); h++) {
        const struct strmap *cm = NULL;
        const struct recommend_partner *row = NULL;
        size_t n_row = 0;
        if (packed)
            row = g->cooc_row(g->ctx, v->hist[h], &n_row);
        if (!row && g->cooc) /* (no row, or it has no array: the map) */
            cm = g->cooc(g->ctx, v->hist[h]);
        if (!cm && !row)
            continue;
        double pj = g->pop ? g->pop(g->ctx, v->hist[h]) : 1;
        double recency = exp(-(double)h / RECOMMEND_RECENCY_TAU);
        double nj = sqrt(pj + 1);
        size_t it = 0;
        struct strmap_entry *e = NULL;
        for (size_t k = 0;; k++) {
            size_t i;
            double count;
            if (row) {
                if (k == n_row)
                    break;
                i = row[k].index;
                count = row[k].count;
            } else {
                if (!(e = strmap_next(cm, &it)))
                    break;
                const struct catalog_movie *m = indexed ? e->ptr : catalog_get(cat, e->key);
                if (!m)
                    continue;
                i = m->index;
                count = e->num;
            }
            if (x.popc[i] < 0) {
                x.popc[i] = indexed && g->pop_index ? g->pop_index(g->ctx, i)
                            : g->pop                ? g->pop(g->ctx, e->key)
                                                    : 1;
                x.norm[i] = sqrt(x.popc[i] + 1);
                x.cand[n_cand++] = i;
            }
            double s = recency * count / (x.norm[i] * nj);
            x.co[i] += s;
            if (s > x.because_w[i]) {
                x.because_w[i] = s;
                x.because[i] = v->hist[h];
            }
            if (x.co[i] > co_max)
                co_max = x.co[i];
        }
    }
    /* the most popular items are candidates too (cold start) */
    size_t hn = 0;
    if (g->popular_at) {
        double p;
        const char *id;
        for (size_t r = 0; hn < n_pc && (id = g->popular_at(g->ctx, r, &p)); r++) {
            const struct catalog_movie *m = catalog_get(cat, id);
            if (m)
                x.heap[hn++] = (struct recommend_pc){ m, p };
        }
    }
    for (size_t i = 0; i < cat->n && n_pc && !g->popular_at; i++) {
        const struct catalog_movie *m = cat->list[i];
        double p = x.popc[i] >= 0 ? x.popc[i] : (g->pop ? g->pop(g->ctx, m->m.id) : 0);
        if (!(p > 0))
            continue;
        struct recommend_pc c = { m, p };
        if (hn < n_pc) {
            x.heap[hn++] = c;
            if (hn == n_pc)
                for (size_t k = hn / 2; k-- > 0;)
                    recommend_pc_sift(x.heap, hn, k);
        } else if (recommend_pc_less(&x.heap[0], &c)) {
            x.heap[0] = c;
            recommend_pc_sift(x.heap, hn, 0);
        }
    }
    for (size_t k = 0; k < hn; k++) {
        size_t i = x.heap[k].m->index;
        if (x.popc[i] < 0) {
            x.popc[i] = x.heap[k].pop;
            x.cand[n_cand++] = i;
        }
    }
    /* the viewer's seen movies (fewer than the candidates, as a rule) */
    if (!include_seen) {
        size_t it = 0;
        struct strmap_entry *e;
        while ((e = strmap_next(&v->seen, &it))) {
            const struct catalog_movie *m = catalog_get(cat, e->key);
            if (m && !x.skip[m->index]) {
                x.skip[m->index] = 1;
                x.skipped[n_skipped++] = m->index;
            }
        }
    }
    /* candidates by score without NB; NB (< 1) is computed only while it
     * can still lift a candidate into the top n */
    double lmax = log1p(g->max_pop > 0 ? g->max_pop : 1);
    size_t n_order = 0;
    for (size_t c = 0; c < n_cand; c++) {
        size_t i = x.cand[c];
        if (x.skip[i])
            continue;
        x.co[i] = co_max > 0 ? x.co[i] / co_max : 0;
        x.popc[i] = log1p(x.popc[i] > 0 ? x.popc[i] : 0) / lmax;
        x.order[n_order++] =
            (struct recommend_cand){ cfg->w_cooc * x.co[i] + cfg->w_pop * x.popc[i], i };
    }
    for (size_t k = n_order / 2; k-- > 0;)
        recommend_cand_sift(x.order, n_order, k);
    struct recommend_nbq q = { .v = v };
    strmap_init(&q.memo);
    double w_svm = v->svm.state ? cfg->w_svm : 0;
    size_t len = 0;
    while (n_order > 0) {
        struct recommend_cand c = x.order[0];
        if (len == n && cfg->w_nb + w_svm + c.partial < out[n - 1].score)
            break;
        x.order[0] = x.order[--n_order];
        recommend_cand_sift(x.order, n_order, 0);
        const struct catalog_movie *m = cat->list[c.i];
        if (exclude && strmap_get(exclude, m->m.id))
            continue;
        struct recommend_item it = {
            .movie = m, .cooc = x.co[c.i], .pop = x.popc[c.i], .because = x.because[c.i]
        };
        it.nb = recommend_nbq(&q, m);
        it.svm = recommend_svm(v, w_svm, m);
        it.score = cfg->w_nb * it.nb + c.partial + recommend_svm_part(w_svm, it.svm);
        recommend_insert(out, &len, n, &it);
    }
    /* too few candidates (a young catalog or few positives so far): the
     * rest of the catalog, by NB and popularity */
    for (size_t i = 0, fill = len < n; fill && i < cat->n; i++) {
        const struct catalog_movie *m = cat->list[i];
        if (x.popc[i] >= 0 || x.skip[i] || (exclude && strmap_get(exclude, m->m.id)))
            continue;
        double p = g->pop ? g->pop(g->ctx, m->m.id) : 0;
        struct recommend_item it = { .movie = m, .pop = log1p(p > 0 ? p : 0) / lmax };
        it.nb = recommend_nbq(&q, m);
        it.svm = recommend_svm(v, w_svm, m);
        it.score = cfg->w_nb * it.nb + cfg->w_pop * it.pop + recommend_svm_part(w_svm, it.svm);
        recommend_insert(out, &len, n, &it);
    }
    strmap_clear(&q.memo, NULL);
    if (g->work)
        recommend_scratch_reset(&x, n_cand, n_skipped);
    else
        recommend_scratch_free(&x);
    return len;
}

/* Jaccard similarity of two movies' genre features (0 when neither has any). */
static double recommend_genre_sim(const struct catalog_movie *a, const struct catalog_movie *b)
{
    size_t na = 0, nb = 0, both = 0;
    for (size_t i = 0; i < a->n_features; i++) {
        if (strncmp(a->features[i], "genre:", 6) != 0)
            continue;
        na++;
        for (size_t j = 0; j < b->n_features; j++)
            if (strcmp(a->features[i], b->features[j]) == 0) {
                both++;
                break;
            }
    }
    for (size_t j = 0; j < b->n_features; j++)
        nb += strncmp(b->features[j], "genre:", 6) == 0;
    size_t u = na + nb - both;
    return u ? (double)both / (double)u : 0;
}

/* Maximal marginal relevance over pool[0..n_pool) (ranked by score): pick
 * n greedily, each time the item with the highest score - diversity * best
 * * (its largest genre similarity to the items already picked), where best
 * is the top item's score; that value becomes the item's score (its
 * `diversity` part holds what was taken off), so the list stays sorted by
 * score.  Only reorders the pool: nothing filtered out comes back. */
static size_t recommend_mmr(double lambda, struct recommend_item *pool, size_t n_pool,
                            struct recommend_item *out, size_t n)
{
    double *sim = calloc(n_pool ? n_pool : 1, sizeof *sim);
    if (!sim) {
        size_t k = n_pool < n ? n_pool : n;
        memcpy(out, pool, k * sizeof *out);
        return k;
    }
    double scale = lambda * (pool[0].score > 0 ? pool[0].score : 1);
    size_t len = 0;
    while (len < n && len < n_pool) {
        size_t best = len;
        double bv = pool[len].score - scale * sim[len];
        for (size_t j = len + 1; j < n_pool; j++) {
            double vj = pool[j].score - scale * sim[j];
            if (vj > bv || (vj == bv && strcmp(pool[j].movie->m.id, pool[best].movie->m.id) < 0)) {
                best = j;
                bv = vj;
            }
        }
        /* move the pick to position len (pool and sim alike) */
        struct recommend_item it = pool[best];
        double sb = sim[best];
        pool[best] = pool[len];
        sim[best] = sim[len];
        pool[len] = it;
        sim[len] = sb;
        it.diversity = scale * sb;
        it.score = bv;
        out[len++] = it;
        for (size_t j = len; j < n_pool; j++) {
            double sj = recommend_genre_sim(pool[j].movie, it.movie);
            if (sj > sim[j])
                sim[j] = sj;
        }
    }
    free(sim);
    return len;
}

size_t recommend_top(const struct recut_config *cfg, const struct catalog *cat,
                     const recut_viewer *v, const struct recommend_globals *g,
                     const struct strmap *exclude, int include_seen, struct recommend_item *out,
                     size_t n)
{
    if (!(cfg->diversity > 0) || n == 0)
        return recommend_rank(cfg, cat, v, g, exclude, include_seen, out, n);
    size_t n_pool = n * RECOMMEND_MMR_POOL;
    if (n_pool > n + RECOMMEND_MMR_EXTRA)
        n_pool = n + RECOMMEND_MMR_EXTRA;
    struct recommend_item *pool = calloc(n_pool, sizeof *pool);
    if (!pool)
        return 0;
    size_t got = recommend_rank(cfg, cat, v, g, exclude, include_seen, pool, n_pool);
    got = got ? recommend_mmr(cfg->diversity, pool, got, out, n) : 0;
    free(pool);
    return got;
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
    if (it->svm >= 0 && *n_reasons < max_reasons)
        snprintf(reasons[(*n_reasons)++], 160, "SVM: %.2f %s", it->svm,
                 it->svm >= 0.5 ? "like" : "dislike");
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
                            const struct catalog_movie *cm, const double *taste_x,
                            double taste_blend, double *scores)
{
    const struct recut_movie *m = &cm->m;
    double pa, pv;
    int has_affect = viewer_affect(v, &pa, &pv) == 0;
    double theta[TASTE_DIM];
    int has_taste = taste_x && taste_blend > 0 && taste_theta(v, TASTE_PRIOR, theta) > 0;
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
        /* the scene's words (recut-analyze's subtitle tags), learned as
         * tag:WORD on scene feedback (update.c) */
        for (size_t k = 0; cm->scene_tags && k < cm->scene_n_tags[i]; k++) {
            char f[300];
            if (catalog_feature(f, sizeof f, "tag", cm->scene_tags[i][k]) == 0)
                z += viewer_feature(v, f);
        }
        if (has_affect) {
            double d = hypot(s->arousal - pa, (s->valence - pv) / 2.0);
            z += cfg->w_affect * (1.0 - 2.0 * d);
        }
        if (has_taste)
            z += taste_blend * taste_predict(theta, taste_x + i * TASTE_DIM);
        z += 3.0 * viewer_scene_feedback(v, m->id, i);
        scores[i] = recommend_sigmoid(z);
    }
}

void recommend_svm_config(const struct recut_config *cfg, struct svmv_config *c)
{
    svmv_config_default(c);
    c->kernel = strcmp(cfg->svm_kernel, "linear") == 0 ? SVMM_LINEAR : SVMM_RBF;
    c->C = cfg->svm_c;
    c->gamma = cfg->svm_gamma;
    c->probability = cfg->svm_probability;
    c->min_labels = (size_t)cfg->svm_min_labels;
    c->max_train = (size_t)cfg->svm_max_train;
}
