/* SPDX-License-Identifier: Apache-2.0 */
/* eval_state.c -- replay state and the methods' top-k (see eval_state.h). */
#include "config.h"
#include "eval_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int eval_state_init(struct eval_state *s, const struct eval_data *d, const struct recut_config *cfg,
                    uint64_t seed, char *errstr, size_t errstr_size)
{
    memset(s, 0, sizeof *s);
    s->d = d;
    s->cfg = cfg;
    s->rng = seed ^ 0x9E3779B97F4A7C15ULL;
    size_t n = d->cat.n;
    s->viewers = calloc(d->n_users ? d->n_users : 1, sizeof *s->viewers);
    s->count = calloc(n, sizeof *s->count);
    s->order = calloc(n, sizeof *s->order);
    s->pos = calloc(n, sizeof *s->pos);
    s->mark = calloc(n, 1);
    s->svm_new = calloc(d->n_users ? d->n_users : 1, sizeof *s->svm_new);
    recommend_svm_config(cfg, &s->svm);
    if (!s->viewers || !s->count || !s->order || !s->pos || !s->mark || !s->svm_new) {
        free(s->viewers);
        s->viewers = NULL;
        eval_state_free(s);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < d->n_users; i++)
        viewer_init(&s->viewers[i], d->user_ids[i], cfg->nb_alpha);
    for (size_t i = 0; i < n; i++)
        s->order[i] = s->pos[i] = (uint32_t)i;
    recommend_mem_init(&s->mem);
    update_init(&s->u);
    if (recommend_mem_use_catalog(&s->mem, &d->cat) < 0) {
        eval_state_free(s);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}

void eval_state_free(struct eval_state *s)
{
    if (s->viewers) {
        for (size_t i = 0; i < s->d->n_users; i++)
            viewer_free(&s->viewers[i]);
        recommend_mem_free(&s->mem);
        update_free(&s->u);
    }
    free(s->viewers);
    free(s->count);
    free(s->order);
    free(s->pos);
    free(s->mark);
    free(s->svm_new);
    free(s->svm_samples);
    memset(s, 0, sizeof *s);
}

/* One more positive event on item i: move it up the popularity order. */
static void eval_state_bump(struct eval_state *s, uint32_t i)
{
    s->count[i]++;
    uint32_t p = s->pos[i];
    while (p > 0) {
        uint32_t j = s->order[p - 1];
        if (s->count[j] > s->count[i] || (s->count[j] == s->count[i] && j < i))
            break;
        s->order[p] = j;
        s->pos[j] = p;
        p--;
    }
    s->order[p] = i;
    s->pos[i] = p;
}

static double eval_state_svm_score(const void *m, char *const *features, size_t n)
{
    return svmv_score(m, features, n);
}

static void eval_state_svm_free(void *m)
{
    svmv_free(m);
}

static double eval_state_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The viewer's samples (every seen movie in the catalog) and a training;
 * the model replaces the viewer's one when there is a model. */
static int eval_state_svm_train(struct eval_state *s, recut_viewer *v)
{
    if (s->svm_cap < v->seen.len) {
        struct svmv_sample *n = realloc(s->svm_samples, v->seen.len * sizeof *n);
        if (!n)
            return -1;
        s->svm_samples = n;
        s->svm_cap = v->seen.len;
    }
    size_t ns = 0, it = 0;
    struct strmap_entry *e;
    while ((e = strmap_next(&v->seen, &it))) {
        const struct catalog_movie *cm = catalog_get(&s->d->cat, e->key);
        if (cm)
            s->svm_samples[ns++] =
                (struct svmv_sample){ cm->m.id, cm->features, cm->n_features, e->num };
    }
    double t0 = eval_state_cpu();
    svmv_model *m = NULL;
    char err[256];
    int rc = svmv_train(s->svm_samples, ns, &s->svm, 0, &m, err, sizeof err);
    s->svm_seconds += eval_state_cpu() - t0;
    if (rc == SVMV_OK) {
        struct viewer_model vm = { m, eval_state_svm_score, eval_state_svm_free };
        viewer_set_model(v, &vm);
        s->svm_trained++;
    } else if (rc == SVMV_E_FEW_LABELS) {
        s->svm_few++;
    } else if (rc == SVMV_E_NOMEM) {
        return -1;
    }
    return 0;
}

int eval_state_learn(struct eval_state *s, const struct eval_event *ev, char *errstr,
                     size_t errstr_size)
{
    recut_viewer *v = &s->viewers[ev->user];
    const char *movie = s->d->cat.list[ev->movie]->m.id;
    struct vevent e;
    memset(&e, 0, sizeof e);
    snprintf(e.user, sizeof e.user, "%s", s->d->user_ids[ev->user]);
    snprintf(e.movie, sizeof e.movie, "%s", movie);
    e.ts = ev->ts * 1000;
    e.scene = -1;
    e.t = -1;
    if (ev->tag >= 0) {
        e.type = VEVENT_COMMENT;
        e.text = s->d->tags[ev->tag];
    } else {
        e.type = VEVENT_RATING;
        e.value = ev->value;
        e.has_value = 1;
    }
    if (update_compute(&s->u, s->cfg, &s->d->cat, &e, s->sentiment, s->sentiment_ctx) < 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    struct strmap_entry *old = strmap_get(&v->seen, movie);
    int was_positive = old && old->num > 0;
    const char **partners;
    size_t n_partners;
    if (viewer_apply(v, &s->u, s->cfg->history_max, s->cfg->cooc_window, &partners, &n_partners) <
        0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (s->u.has_seen && s->u.positive && !was_positive) {
        if (recommend_mem_positive(&s->mem, movie, partners, n_partners) < 0) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        eval_state_bump(s, ev->movie);
    }
    if (s->cfg->svm_enabled && s->cfg->w_svm > 0 && s->u.has_seen && svmv_label(s->u.weight) &&
        ++s->svm_new[ev->user] >= (uint32_t)s->cfg->svm_retrain_labels) {
        s->svm_new[ev->user] = 0;
        if (eval_state_svm_train(s, v) < 0) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
    }
    return 0;
}

size_t eval_state_recut(struct eval_state *s, uint32_t user, uint32_t *out, size_t k)
{
    struct recommend_item items[64];
    if (k > 64)
        k = 64;
    struct recommend_globals g;
    recommend_mem_globals(&s->mem, &g);
    size_t n = recommend_top(s->cfg, &s->d->cat, &s->viewers[user], &g, NULL, 0, items, k);
    for (size_t i = 0; i < n; i++)
        out[i] = (uint32_t)items[i].movie->index;
    return n;
}

size_t eval_state_popular(struct eval_state *s, uint32_t user, uint32_t *out, size_t k)
{
    const recut_viewer *v = &s->viewers[user];
    size_t n = 0;
    for (size_t p = 0; p < s->d->cat.n && n < k; p++) {
        uint32_t i = s->order[p];
        if (!viewer_has_seen(v, s->d->cat.list[i]->m.id))
            out[n++] = i;
    }
    return n;
}

static uint64_t eval_state_next(struct eval_state *s)
{
    /* splitmix64 */
    uint64_t z = (s->rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

size_t eval_state_random(struct eval_state *s, uint32_t user, uint32_t *out, size_t k)
{
    const recut_viewer *v = &s->viewers[user];
    size_t n_cat = s->d->cat.n, unseen = 0;
    for (size_t i = 0; i < n_cat && unseen <= 4 * k; i++)
        if (!viewer_has_seen(v, s->d->cat.list[i]->m.id))
            unseen++;
    size_t n = 0;
    if (unseen <= 4 * k) {
        /* few left: a reservoir sample of the unseen ones */
        size_t m = 0;
        for (size_t i = 0; i < n_cat; i++) {
            if (viewer_has_seen(v, s->d->cat.list[i]->m.id))
                continue;
            if (n < k) {
                out[n++] = (uint32_t)i;
            } else {
                size_t r = (size_t)(eval_state_next(s) % (m + 1));
                if (r < k)
                    out[r] = (uint32_t)i;
            }
            m++;
        }
        return n;
    }
    while (n < k) {
        uint32_t i = (uint32_t)(eval_state_next(s) % n_cat);
        if (s->mark[i] || viewer_has_seen(v, s->d->cat.list[i]->m.id))
            continue;
        s->mark[i] = 1;
        out[n++] = i;
    }
    for (size_t j = 0; j < n; j++)
        s->mark[out[j]] = 0;
    return n;
}
