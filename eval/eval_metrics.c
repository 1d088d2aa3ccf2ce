/* SPDX-License-Identifier: Apache-2.0 */
/* eval_metrics.c -- exposure and diversity metrics (see eval_metrics.h). */
#include "config.h"
#include "eval_metrics.h"

#include <stdlib.h>
#include <string.h>

static int eval_metrics_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

double eval_metrics_gini(uint64_t *x, size_t n)
{
    if (n == 0)
        return 0;
    qsort(x, n, sizeof *x, eval_metrics_cmp_u64);
    /* G = sum_i (2i - n - 1) x_(i) / (n sum x), i = 1..n ascending */
    double num = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        num += (2.0 * (double)(i + 1) - (double)n - 1.0) * (double)x[i];
        sum += (double)x[i];
    }
    return sum > 0 ? num / ((double)n * sum) : 0;
}

double eval_metrics_pop_percentile(size_t rank, size_t n)
{
    if (n <= 1)
        return 1;
    return 1.0 - (double)rank / (double)(n - 1);
}

static unsigned eval_metrics_bits(uint64_t v)
{
    unsigned c = 0;
    for (; v; v &= v - 1)
        c++;
    return c;
}

double eval_metrics_genre_distance(uint64_t a, uint64_t b)
{
    unsigned u = eval_metrics_bits(a | b);
    if (u == 0)
        return 0;
    return 1.0 - (double)eval_metrics_bits(a & b) / (double)u;
}

double eval_metrics_ild(const uint64_t *genres, const uint32_t *list, size_t n)
{
    if (n < 2)
        return -1;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            sum += eval_metrics_genre_distance(genres[list[i]], genres[list[j]]);
    return sum / ((double)n * (double)(n - 1) / 2.0);
}

size_t eval_metrics_genre_masks(const struct catalog *c, uint64_t *out)
{
    const char *names[64];
    size_t n_names = 0;
    for (size_t i = 0; i < c->n; i++) {
        const struct catalog_movie *cm = c->list[i];
        out[i] = 0;
        for (size_t f = 0; f < cm->n_features; f++) {
            const char *g = cm->features[f];
            if (strncmp(g, "genre:", 6) != 0)
                continue;
            size_t b = 0;
            while (b < n_names && strcmp(names[b], g) != 0)
                b++;
            if (b == n_names && n_names < 64)
                names[n_names++] = g;
            out[i] |= (uint64_t)1 << (b < 64 ? b : 63);
        }
    }
    return n_names;
}
