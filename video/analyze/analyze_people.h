/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_people.h -- faces and recurring people per scene: sample frames
 * during the decoding pass, then (once shots and scenes are known) track
 * faces within shots, group the tracks into people across the movie, and
 * give each scene its face features and labels. */
#ifndef ANALYZE_PEOPLE_H
#define ANALYZE_PEOPLE_H
#include <stddef.h>
#include <stdio.h>

#include "analyze.h"

struct AVFrame;
struct analyze_people;

/* Load the cascades from dir (see analyze_faces.h). */
int analyze_people_open(struct analyze_people **out, const char *dir, char *errstr,
                        size_t errstr_size);
/* Offer a decoded frame shown at time t (already pushed to m->f): it is
 * analysed when it is due (about one frame per second, and one shortly
 * after each likely cut). */
int analyze_people_frame(struct analyze_people *p, const struct AVFrame *fr, double t,
                         const struct analyze_movie *m, char *errstr, size_t errstr_size);
/* After shots, scenes and affect: tracks, people, per-scene features and
 * labels (appended to the scene's labels). */
int analyze_people_scenes(struct analyze_people *p, struct analyze_movie *m, char *errstr,
                          size_t errstr_size);
/* --plot: the faces lane, a strip at y of height h between x0 and x1. */
void analyze_people_plot(const struct analyze_people *p, const struct analyze_movie *m, FILE *fp,
                         double x0, double x1, double y, double h);
void analyze_people_free(struct analyze_people *p);

#endif
