/* SPDX-License-Identifier: Apache-2.0 */
/* av_cut.h -- edit lists for recut-render and recut-analyze --plot: a cut
 * JSON as recutd serves it ({"scenes":[{"start":..,"end":..},..]}) or a
 * "--segments 12.0-18.5,40-52" string. */
#ifndef AV_CUT_H
#define AV_CUT_H
#include <stddef.h>

struct av_cut_seg {
    double start, end; /* seconds on the source's timeline */
};

struct av_cut {
    struct av_cut_seg *seg;
    size_t n;
};

int av_cut_load_json(const char *path, struct av_cut *cut, char *errstr, size_t errstr_size);
int av_cut_parse_segments(const char *spec, struct av_cut *cut, char *errstr, size_t errstr_size);
/* Segments non-empty, sorted, non-overlapping, start >= 0 and, when
 * duration > 0, end <= duration + tolerance. */
int av_cut_validate(const struct av_cut *cut, double duration, double tolerance, char *errstr,
                    size_t errstr_size);
double av_cut_total(const struct av_cut *cut);
void av_cut_free(struct av_cut *cut);

#endif
