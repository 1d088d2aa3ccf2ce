/* SPDX-License-Identifier: Apache-2.0 */
/*
 * editor_chain.c -- budgeted monotone chain (see editor_chain.h).
 */
#include "editor_chain.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "editor_util.h"

struct editor_chain_rank {
    size_t pos;
    double priority;
};

static int editor_chain_cmp_rank(const void *a, const void *b)
{
    const struct editor_chain_rank *x = a, *y = b;
    if (x->priority != y->priority)
        return x->priority > y->priority ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int editor_chain_cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* Step 1: positions (ascending) of the candidates the DP works on. */
static size_t editor_chain_filter(const struct editor_chain_in *in, size_t *sel)
{
    size_t n = in->n;
    if (n <= EDITOR_CHAIN_MAX_CAND) {
        for (size_t i = 0; i < n; i++)
            sel[i] = i;
        return n;
    }
    struct editor_chain_rank *r = malloc(n * sizeof *r);
    if (r == NULL)
        return 0;
    for (size_t i = 0; i < n; i++)
        r[i] =
            (struct editor_chain_rank){ i, in->value[i] + in->start_bonus[i] + in->end_bonus[i] };
    qsort(r, n, sizeof *r, editor_chain_cmp_rank);
    for (size_t i = 0; i < EDITOR_CHAIN_MAX_CAND; i++)
        sel[i] = r[i].pos;
    free(r);
    qsort(sel, EDITOR_CHAIN_MAX_CAND, sizeof *sel, editor_chain_cmp_size);
    return EDITOR_CHAIN_MAX_CAND;
}

/* Step 2: DP over the selected candidates sel[0..m).  f[k][w]: best
 * objective (without the end bonus) of a chain ending at sel[k] that uses
 * exactly w grid cells. */
static int editor_chain_dp(const struct editor_chain_in *in, const size_t *sel, size_t m,
                           size_t *chain, size_t *n_chain)
{
    double max_cells = 1e6;
    double by_steps = 2e7 / (double)m;
    if (by_steps < max_cells)
        max_cells = by_steps;
    double q;
    size_t W = editor_util_grid(in->budget, m, 0.05, max_cells, &q);
    size_t stride = W + 1;
    double *f = malloc(m * stride * sizeof *f);
    int32_t *parent = malloc(m * stride * sizeof *parent);
    size_t *cost = malloc(m * sizeof *cost);
    if (f == NULL || parent == NULL || cost == NULL) {
        free(f);
        free(parent);
        free(cost);
        return -1;
    }
    for (size_t i = 0; i < m * stride; i++) {
        f[i] = -INFINITY;
        parent[i] = -1;
    }
    for (size_t k = 0; k < m; k++) {
        size_t ck = sel[k];
        size_t c = editor_util_cells(in->duration[ck], q);
        cost[k] = c == 0 ? 1 : c;
        if (cost[k] > W)
            continue;
        double *fk = f + k * stride;
        int32_t *pk = parent + k * stride;
        fk[cost[k]] = in->start_bonus[ck] + in->value[ck];
        double v = in->value[ck];
        size_t len = stride - cost[k];
        for (size_t j = 0; j < k; j++) {
            if (in->key[sel[j]] > in->key[ck])
                continue;
            /* -inf (unreachable) + v stays -inf and never wins */
            const double *fj = f + j * stride;
            double *dst = fk + cost[k];
            int32_t *pdst = pk + cost[k];
            for (size_t w = 0; w < len; w++) {
                double cand = fj[w] + v;
                int better = cand > dst[w];
                dst[w] = better ? cand : dst[w];
                pdst[w] = better ? (int32_t)j : pdst[w];
            }
        }
    }
    size_t bk = 0, bw = 0;
    double best = -INFINITY;
    for (size_t k = 0; k < m; k++) {
        for (size_t w = 0; w <= W; w++) {
            double v = f[k * stride + w];
            if (v == -INFINITY)
                continue;
            v += in->end_bonus[sel[k]];
            if (best == -INFINITY || v > best) {
                best = v;
                bk = k;
                bw = w;
            }
        }
    }
    size_t len = 0;
    if (best != -INFINITY) {
        for (size_t k = bk, w = bw;;) {
            chain[len++] = sel[k];
            int32_t j = parent[k * stride + w];
            if (j < 0)
                break;
            w -= cost[k];
            k = (size_t)j;
        }
        for (size_t a = 0, b = len - 1; a < b; a++, b--) {
            size_t t = chain[a];
            chain[a] = chain[b];
            chain[b] = t;
        }
    }
    *n_chain = len;
    free(f);
    free(parent);
    free(cost);
    return 0;
}

/* Step 3: insert candidates that fit and raise the objective. */
static void editor_chain_refill(const struct editor_chain_in *in, size_t *chain, size_t *n_chain)
{
    size_t m = *n_chain;
    if (m == 0)
        return;
    for (;;) {
        double total = 0.0;
        for (size_t k = 0; k < m; k++)
            total += in->duration[chain[k]];
        size_t best_x = in->n, best_p = 0;
        double best_gain = 1e-12;
        size_t p = 0;
        for (size_t x = 0; x < in->n; x++) {
            while (p < m && chain[p] < x)
                p++;
            if (p < m && chain[p] == x)
                continue;
            if (total + in->duration[x] > in->budget)
                continue;
            if ((p > 0 && in->key[chain[p - 1]] > in->key[x]) ||
                (p < m && in->key[x] > in->key[chain[p]]))
                continue;
            double gain = in->value[x];
            if (p == 0)
                gain += in->start_bonus[x] - in->start_bonus[chain[0]];
            if (p == m)
                gain += in->end_bonus[x] - in->end_bonus[chain[m - 1]];
            if (gain > best_gain) {
                best_gain = gain;
                best_x = x;
                best_p = p;
            }
        }
        if (best_x == in->n)
            break;
        memmove(chain + best_p + 1, chain + best_p, (m - best_p) * sizeof *chain);
        chain[best_p] = best_x;
        m++;
        /* the sum in story order must still fit exactly */
        double check = 0.0;
        for (size_t k = 0; k < m; k++)
            check += in->duration[chain[k]];
        if (check > in->budget) {
            memmove(chain + best_p, chain + best_p + 1, (m - best_p - 1) * sizeof *chain);
            m--;
            break;
        }
    }
    *n_chain = m;
}

int editor_chain_solve(const struct editor_chain_in *in, size_t *chain, size_t *n_chain,
                       double *best, char *errstr, size_t errstr_size)
{
    *n_chain = 0;
    *best = -INFINITY;
    if (in->n == 0)
        return 0;
    size_t *sel = malloc(in->n * sizeof *sel);
    size_t m = sel ? editor_chain_filter(in, sel) : 0;
    if (sel == NULL || m == 0 || editor_chain_dp(in, sel, m, chain, n_chain) < 0) {
        free(sel);
        snprintf(errstr, errstr_size, "out of memory (chain over %zu scenes)", in->n);
        return -1;
    }
    free(sel);
    editor_chain_refill(in, chain, n_chain);
    if (*n_chain > 0) {
        double v = in->start_bonus[chain[0]] + in->end_bonus[chain[*n_chain - 1]];
        for (size_t k = 0; k < *n_chain; k++)
            v += in->value[chain[k]];
        *best = v;
    }
    return 0;
}

int editor_chain_cands_init(struct editor_chain_cands *c, size_t n_scenes, char *errstr,
                            size_t errstr_size)
{
    memset(c, 0, sizeof *c);
    size_t n = n_scenes ? n_scenes : 1;
    c->scene = malloc(n * sizeof *c->scene);
    c->chain = malloc(n * sizeof *c->chain);
    c->buf = malloc(5 * n * sizeof *c->buf);
    if (c->scene == NULL || c->chain == NULL || c->buf == NULL) {
        editor_chain_cands_free(c);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    c->duration = c->buf;
    c->key = c->buf + n;
    c->value = c->buf + 2 * n;
    c->start_bonus = c->buf + 3 * n;
    c->end_bonus = c->buf + 4 * n;
    return 0;
}

void editor_chain_cands_free(struct editor_chain_cands *c)
{
    free(c->scene);
    free(c->chain);
    free(c->buf);
    memset(c, 0, sizeof *c);
}

void editor_chain_add(struct editor_chain_cands *c, size_t scene, double duration, double key,
                      double value, double start_bonus, double end_bonus)
{
    size_t k = c->n++;
    c->scene[k] = scene;
    c->duration[k] = duration;
    c->key[k] = key;
    c->value[k] = value;
    c->start_bonus[k] = start_bonus;
    c->end_bonus[k] = end_bonus;
}

int editor_chain_cut(struct editor_chain_cands *c, const struct recut_edit_request *req,
                     size_t **idx, size_t *n, double *best, char *errstr, size_t errstr_size)
{
    struct editor_chain_in in = {
        .n = c->n,
        .duration = c->duration,
        .key = c->key,
        .value = c->value,
        .start_bonus = c->start_bonus,
        .end_bonus = c->end_bonus,
        .budget = req->budget,
    };
    size_t n_chain = 0;
    if (editor_chain_solve(&in, c->chain, &n_chain, best, errstr, errstr_size) < 0)
        return -1;
    for (size_t k = 0; k < n_chain; k++)
        c->chain[k] = c->scene[c->chain[k]];
    size_t first = 0;
    while (first < n_chain &&
           editor_util_total(req, c->chain + first, n_chain - first) > req->budget)
        first++;
    *idx = c->chain + first;
    *n = n_chain - first;
    return 0;
}
