/* SPDX-License-Identifier: Apache-2.0 */
/* eval_sweep.c -- the diversity sweep's table and SVG (see eval_sweep.h). */
#include "config.h"
#include "eval_sweep.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int eval_sweep_parse(const char *s, double *v, size_t *n, char *errstr, size_t errstr_size)
{
    *n = 0;
    const char *p = s;
    for (;;) {
        char *end;
        errno = 0;
        double x = strtod(p, &end);
        if (end == p || errno || !(x >= 0 && x <= 1) || (*end && *end != ',')) {
            snprintf(errstr, errstr_size,
                     "--diversity-sweep wants comma-separated numbers in 0..1, not '%s'", s);
            return -1;
        }
        if (*n == EVAL_SWEEP_MAX) {
            snprintf(errstr, errstr_size, "--diversity-sweep: at most %d values", EVAL_SWEEP_MAX);
            return -1;
        }
        v[(*n)++] = x;
        if (!*end)
            return 0;
        p = end + 1;
    }
}

static double eval_sweep_mean(double sum, size_t n)
{
    return n ? sum / (double)n : 0;
}

static void eval_sweep_row(FILE *f, const char *label, const struct eval_score *s, size_t catalog)
{
    fprintf(f, "%-14s %8.4f %8.4f %9.4f %7.4f %7.4f %7.4f\n", label, eval_sweep_mean(s->ndcg, s->n),
            eval_sweep_mean((double)s->hits, s->n), (double)s->distinct / (double)catalog, s->gini,
            eval_sweep_mean(s->pop, s->slots), eval_sweep_mean(s->ild, s->ild_n));
}

void eval_sweep_print(FILE *f, const double *v, const struct eval_result *r, size_t n, size_t k)
{
    if (n == 0)
        return;
    fprintf(f, "ratings replayed %zu, catalog %zu, test cases %zu, top %zu\n\n", r[0].ratings,
            r[0].catalog, r[0].m[EVAL_RECUT].n, k);
    fprintf(f, "%-14s %8s %8s %9s %7s %7s %7s\n", "diversity", "NDCG@k", "HR@k", "coverage", "gini",
            "pop", "ild");
    for (size_t i = 0; i < n; i++) {
        char label[32];
        snprintf(label, sizeof label, "%g", v[i]);
        eval_sweep_row(f, label, &r[i].m[EVAL_RECUT], r[i].catalog);
    }
    for (int m = EVAL_RECUT + 1; m < EVAL_N_METHODS; m++)
        eval_sweep_row(f, eval_method_names[m], &r[0].m[m], r[0].catalog);
}

/* plot area in SVG user units */
#define SW_W 640.0
#define SW_H 420.0
#define SW_L 70.0
#define SW_R 30.0
#define SW_T 40.0
#define SW_B 60.0

struct eval_sweep_axes {
    double x0, x1, y0, y1;
};

static double eval_sweep_px(const struct eval_sweep_axes *a, double x)
{
    return SW_L + (x - a->x0) / (a->x1 - a->x0) * (SW_W - SW_L - SW_R);
}

static double eval_sweep_py(const struct eval_sweep_axes *a, double y)
{
    return SW_H - SW_B - (y - a->y0) / (a->y1 - a->y0) * (SW_H - SW_T - SW_B);
}

static void eval_sweep_point(FILE *f, const struct eval_sweep_axes *a, const struct eval_score *s,
                             size_t catalog, const char *fill, const char *label)
{
    double x = eval_sweep_px(a, (double)s->distinct / (double)catalog);
    double y = eval_sweep_py(a, eval_sweep_mean(s->ndcg, s->n));
    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>\n", x, y, fill);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%s</text>\n", x + 6, y - 6, label);
}

int eval_sweep_svg(const char *path, const double *v, const struct eval_result *r, size_t n,
                   size_t k, char *errstr, size_t errstr_size)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    if (!tmp) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    snprintf(tmp, plen + 8, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(errstr, errstr_size, "%s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    /* coverage on 0..1; NDCG from 0 to a little above the largest */
    struct eval_sweep_axes a = { 0, 1, 0, 0 };
    for (size_t i = 0; i < n; i++)
        for (int m = 0; m < EVAL_N_METHODS; m++) {
            double y = eval_sweep_mean(r[i].m[m].ndcg, r[i].m[m].n);
            if (y > a.y1)
                a.y1 = y;
        }
    a.y1 = a.y1 > 0 ? a.y1 * 1.15 : 1;
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            SW_W, SW_H, SW_W, SW_H);
    fprintf(f,
            "<text x=\"%.0f\" y=\"24\" font-size=\"15\" text-anchor=\"middle\">recut-eval: "
            "NDCG@%zu against catalog coverage by [models] diversity</text>\n",
            SW_W / 2, k);
    /* axes, ticks and grid */
    fprintf(f, "<g stroke=\"#888\" stroke-width=\"1\">\n");
    for (int t = 0; t <= 5; t++) {
        double x = eval_sweep_px(&a, a.x0 + (a.x1 - a.x0) * t / 5.0);
        double y = eval_sweep_py(&a, a.y0 + (a.y1 - a.y0) * t / 5.0);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", x,
                SW_T, x, SW_H - SW_B);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                SW_L, y, SW_W - SW_R, y);
    }
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", SW_L, SW_H - SW_B,
            SW_W - SW_R, SW_H - SW_B);
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n</g>\n", SW_L, SW_T, SW_L,
            SW_H - SW_B);
    fprintf(f, "<g font-size=\"11\">\n");
    for (int t = 0; t <= 5; t++) {
        double xv = a.x0 + (a.x1 - a.x0) * t / 5.0, yv = a.y0 + (a.y1 - a.y0) * t / 5.0;
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.1f</text>\n",
                eval_sweep_px(&a, xv), SW_H - SW_B + 16, xv);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>\n", SW_L - 6,
                eval_sweep_py(&a, yv) + 4, yv);
    }
    fprintf(f,
            "</g>\n<text x=\"%.0f\" y=\"%.0f\" font-size=\"13\" text-anchor=\"middle\">catalog "
            "coverage</text>\n",
            (SW_L + SW_W - SW_R) / 2, SW_H - 18);
    fprintf(f,
            "<text transform=\"translate(18 %.0f) rotate(-90)\" font-size=\"13\" "
            "text-anchor=\"middle\">NDCG@%zu</text>\n",
            (SW_T + SW_H - SW_B) / 2, k);
    /* recut's curve through the sweep, each point labelled with its value */
    fprintf(f, "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"");
    for (size_t i = 0; i < n; i++) {
        const struct eval_score *s = &r[i].m[EVAL_RECUT];
        fprintf(f, "%s%.1f,%.1f", i ? " " : "",
                eval_sweep_px(&a, (double)s->distinct / (double)r[i].catalog),
                eval_sweep_py(&a, eval_sweep_mean(s->ndcg, s->n)));
    }
    fprintf(f, "\"/>\n");
    for (size_t i = 0; i < n; i++) {
        char label[48];
        snprintf(label, sizeof label, "d=%g", v[i]);
        eval_sweep_point(f, &a, &r[i].m[EVAL_RECUT], r[i].catalog, "#1f77b4", label);
    }
    for (int m = EVAL_RECUT + 1; n && m < EVAL_N_METHODS; m++)
        eval_sweep_point(f, &a, &r[0].m[m], r[0].catalog, "#d62728", eval_method_names[m]);
    fprintf(f, "</svg>\n");
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno ? errno : EIO));
        remove(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}
