/* SPDX-License-Identifier: Apache-2.0 */
/* av_cut.c -- load and check edit lists. */
#include "av_cut.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int av_cut_push(struct av_cut *cut, size_t *cap, double start, double end, char *errstr,
                       size_t errstr_size)
{
    if (cut->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        struct av_cut_seg *s = realloc(cut->seg, ncap * sizeof *s);
        if (!s) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        cut->seg = s;
        *cap = ncap;
    }
    cut->seg[cut->n].start = start;
    cut->seg[cut->n].end = end;
    cut->n++;
    return 0;
}

int av_cut_load_json(const char *path, struct av_cut *cut, char *errstr, size_t errstr_size)
{
    memset(cut, 0, sizeof *cut);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        snprintf(errstr, errstr_size, "%s: invalid cut JSON: %s (line %d)", path, jerr.text,
                 jerr.line);
        return -1;
    }
    json_t *scenes = json_is_object(root) ? json_object_get(root, "scenes") : NULL;
    if (!json_is_array(scenes)) {
        snprintf(errstr, errstr_size, "%s: cut JSON has no \"scenes\" array", path);
        json_decref(root);
        return -1;
    }
    size_t cap = 0;
    for (size_t i = 0; i < json_array_size(scenes); i++) {
        json_t *sc = json_array_get(scenes, i);
        json_t *js = json_is_object(sc) ? json_object_get(sc, "start") : NULL;
        json_t *je = json_is_object(sc) ? json_object_get(sc, "end") : NULL;
        if (!json_is_number(js) || !json_is_number(je)) {
            snprintf(errstr, errstr_size, "%s: scenes[%zu] needs numeric \"start\" and \"end\"",
                     path, i);
            av_cut_free(cut);
            json_decref(root);
            return -1;
        }
        if (av_cut_push(cut, &cap, json_number_value(js), json_number_value(je), errstr,
                        errstr_size) != 0) {
            av_cut_free(cut);
            json_decref(root);
            return -1;
        }
    }
    json_decref(root);
    if (cut->n == 0) {
        snprintf(errstr, errstr_size, "%s: cut has no scenes", path);
        return -1;
    }
    return 0;
}

/* Parse one number (seconds, or [[h:]m:]s) from s; set *end past it. */
static int av_cut_number(const char *s, const char **endp, double *out)
{
    double total = 0.0;
    int parts = 0;
    for (;;) {
        char *e;
        errno = 0;
        double v = strtod(s, &e);
        if (e == s || errno != 0 || !isfinite(v) || *s == '-' || *s == '+')
            return -1;
        total = total * 60.0 + v;
        parts++;
        s = e;
        if (*s != ':' || parts == 3)
            break;
        s++;
    }
    *endp = s;
    *out = total;
    return 0;
}

int av_cut_parse_segments(const char *spec, struct av_cut *cut, char *errstr, size_t errstr_size)
{
    memset(cut, 0, sizeof *cut);
    size_t cap = 0;
    const char *p = spec;
    while (*p) {
        double a, b;
        const char *q;
        if (av_cut_number(p, &q, &a) != 0 || *q != '-' || av_cut_number(q + 1, &q, &b) != 0 ||
            (*q != ',' && *q != '\0')) {
            snprintf(errstr, errstr_size,
                     "bad --segments \"%s\": expected START-END[,START-END...] in seconds", spec);
            av_cut_free(cut);
            return -1;
        }
        if (av_cut_push(cut, &cap, a, b, errstr, errstr_size) != 0) {
            av_cut_free(cut);
            return -1;
        }
        p = *q == ',' ? q + 1 : q;
    }
    if (cut->n == 0) {
        snprintf(errstr, errstr_size, "--segments is empty");
        return -1;
    }
    return 0;
}

int av_cut_validate(const struct av_cut *cut, double duration, double tolerance, char *errstr,
                    size_t errstr_size)
{
    for (size_t i = 0; i < cut->n; i++) {
        const struct av_cut_seg *s = &cut->seg[i];
        if (!(s->start >= 0.0) || !(s->end > s->start)) {
            snprintf(errstr, errstr_size, "segment %zu (%.3f-%.3f) is empty or negative", i + 1,
                     s->start, s->end);
            return -1;
        }
        if (i > 0 && s->start < cut->seg[i - 1].end) {
            snprintf(errstr, errstr_size,
                     "segment %zu (%.3f-%.3f) overlaps or comes before segment %zu "
                     "(%.3f-%.3f): segments must be sorted and non-overlapping",
                     i + 1, s->start, s->end, i, cut->seg[i - 1].start, cut->seg[i - 1].end);
            return -1;
        }
        if (duration > 0 && s->end > duration + tolerance) {
            snprintf(errstr, errstr_size,
                     "segment %zu (%.3f-%.3f) ends beyond the source duration %.3f s", i + 1,
                     s->start, s->end, duration);
            return -1;
        }
    }
    return 0;
}

double av_cut_total(const struct av_cut *cut)
{
    double t = 0.0;
    for (size_t i = 0; i < cut->n; i++)
        t += cut->seg[i].end - cut->seg[i].start;
    return t;
}

void av_cut_free(struct av_cut *cut)
{
    free(cut->seg);
    cut->seg = NULL;
    cut->n = 0;
}
