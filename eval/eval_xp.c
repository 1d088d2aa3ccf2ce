/* SPDX-License-Identifier: Apache-2.0 */
/* eval_xp.c -- offline replay of experiment arms (eval_xp.h).
 *
 * The point is to try arms before they meet viewers: the same assignment
 * (experiment.h), the same per-arm settings and the same attribution as
 * daemon/experiments.c, so an arm that wins here has a chance to win live.
 * MovieLens has ratings only: a rating at or above like_threshold plays a
 * like, one below a dislike.  Exposure memory is an open-addressing table
 * per experiment keyed by (viewer, movie), standing in for the viewer's
 * Redis hash. */
#include "config.h"
#include "eval_xp.h"
#include "eval_state.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct eval_xp_slot {
    uint64_t key; /* (viewer + 1) << 32 | movie; 0: empty */
    int64_t ts;
    uint8_t arm, flags; /* 1: converted, 2: negative */
};

struct eval_xp_table {
    struct eval_xp_slot *s;
    size_t cap, used;
};

static uint64_t eval_xp_mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static struct eval_xp_slot *eval_xp_find(struct eval_xp_table *t, uint64_t key, int add)
{
    if (add && 2 * (t->used + 1) > t->cap) {
        size_t ncap = t->cap ? 2 * t->cap : 1024;
        struct eval_xp_slot *n = calloc(ncap, sizeof *n);
        if (!n)
            return NULL;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->s[i].key)
                continue;
            size_t j = eval_xp_mix(t->s[i].key) & (ncap - 1);
            while (n[j].key)
                j = (j + 1) & (ncap - 1);
            n[j] = t->s[i];
        }
        free(t->s);
        t->s = n;
        t->cap = ncap;
    }
    if (!t->cap)
        return NULL;
    size_t j = eval_xp_mix(key) & (t->cap - 1);
    while (t->s[j].key && t->s[j].key != key)
        j = (j + 1) & (t->cap - 1);
    if (t->s[j].key == key)
        return &t->s[j];
    if (!add)
        return NULL;
    t->s[j].key = key;
    t->used++;
    return &t->s[j];
}

int eval_xp_run(const struct eval_data *d, const struct recut_config *cfg,
                const struct experiment_set *set, const struct eval_opts *o, int json, FILE *out,
                char *errstr, size_t errstr_size)
{
    if (set->n == 0) {
        snprintf(errstr, errstr_size, "--experiment: the file has no [experiment.NAME] section");
        return -1;
    }
    struct eval_state s;
    if (eval_state_init(&s, d, cfg, o->seed, errstr, errstr_size) < 0)
        return -1;
    s.sentiment = o->sentiment;
    s.sentiment_ctx = o->sentiment_ctx;
    struct recut_config(*armcfg)[EXPERIMENT_ARMS_MAX] = calloc(set->n, sizeof *armcfg);
    uint64_t(*count)[EXPERIMENT_ARMS_MAX][3] = calloc(set->n, sizeof *count);
    struct eval_xp_table *tab = calloc(set->n, sizeof *tab);
    uint8_t *arm_of = calloc(set->n * (d->n_users ? d->n_users : 1), 1);
    int rc = armcfg && count && tab && arm_of ? 0 : -1;
    for (size_t x = 0; rc == 0 && x < set->n; x++) {
        for (size_t a = 0; a < set->x[x].n_arms; a++) {
            armcfg[x][a] = *cfg;
            experiment_apply(&set->x[x].arms[a], &armcfg[x][a]);
        }
        for (size_t u = 0; u < d->n_users; u++)
            arm_of[x * d->n_users + u] = (uint8_t)experiment_assign(&set->x[x], d->user_ids[u]);
    }
    size_t ratings = 0;
    uint32_t top[64];
    for (size_t i = 0; rc == 0 && i < d->n_events; i++) {
        const struct eval_event *ev = &d->events[i];
        if (o->limit && ratings >= o->limit)
            break;
        if (ev->tag >= 0) {
            if (o->comments)
                rc = eval_state_learn(&s, ev, errstr, errstr_size);
            continue;
        }
        ratings++;
        for (size_t x = 0; rc == 0 && x < set->n; x++) {
            const struct experiment *xp = &set->x[x];
            size_t arm = arm_of[x * d->n_users + ev->user];
            /* served before the rating, under the arm's settings */
            s.cfg = &armcfg[x][arm];
            size_t n = eval_state_recut(&s, ev->user, top, o->k);
            s.cfg = cfg;
            for (size_t j = 0; rc == 0 && j < n; j++) {
                uint64_t key = ((uint64_t)ev->user + 1) << 32 | top[j];
                struct eval_xp_slot *sl = eval_xp_find(&tab[x], key, 0);
                if (sl && ev->ts - sl->ts < xp->window_s)
                    continue;
                if (!sl && !(sl = eval_xp_find(&tab[x], key, 1))) {
                    rc = -1;
                    break;
                }
                sl->ts = ev->ts;
                sl->arm = (uint8_t)arm;
                sl->flags = 0;
                count[x][arm][EXPERIMENT_EXPOSURES]++;
            }
            /* the rating as the outcome of an exposure of its movie */
            uint64_t key = ((uint64_t)ev->user + 1) << 32 | ev->movie;
            struct eval_xp_slot *sl = eval_xp_find(&tab[x], key, 0);
            if (sl && ev->ts - sl->ts < xp->window_s) {
                int like = ev->value >= cfg->like_threshold;
                uint8_t flag = like ? 1 : 2;
                if (!(sl->flags & flag)) {
                    sl->flags |= flag;
                    count[x][sl->arm][like ? EXPERIMENT_CONVERSIONS : EXPERIMENT_NEGATIVES]++;
                }
            }
        }
        if (rc == 0)
            rc = eval_state_learn(&s, ev, errstr, errstr_size);
    }
    if (rc < 0 && !errstr[0])
        snprintf(errstr, errstr_size, "out of memory");
    json_t *list = rc == 0 ? json_array() : NULL;
    for (size_t x = 0; list && x < set->n; x++)
        json_array_append_new(list, experiment_report(&set->x[x], (const uint64_t(*)[3])count[x]));
    if (rc == 0 && !list) {
        snprintf(errstr, errstr_size, "out of memory");
        rc = -1;
    }
    if (rc == 0 && json) {
        json_t *doc = json_pack("{s:o}", "experiments", list);
        json_dumpf(doc, out, JSON_COMPACT);
        fputc('\n', out);
        json_decref(doc);
    } else if (rc == 0) {
        fprintf(out, "ratings replayed %zu, viewers %zu, catalog %zu, top %zu\n", ratings,
                d->n_users, d->cat.n, o->k);
        size_t idx;
        json_t *r;
        json_array_foreach(list, idx, r)
        {
            fputc('\n', out);
            experiment_report_print(out, r);
        }
        json_decref(list);
    }
    for (size_t x = 0; tab && x < set->n; x++)
        free(tab[x].s);
    free(tab);
    free(arm_of);
    free(count);
    free(armcfg);
    eval_state_free(&s);
    return rc;
}
