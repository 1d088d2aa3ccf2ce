/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_faces.h -- the face detector of recut-analyze behind a C header.
 *
 * OpenCV's object detection is C++ only, so one small C++ translation unit
 * (analyze_faces_cv.cc) wraps it: load the cascades, find frontal faces in
 * one grey frame, look for a smile inside each, and describe each face by
 * an appearance histogram so that analyze_people.c can tell people apart.
 * Everything else stays C. */
#ifndef ANALYZE_FACES_H
#define ANALYZE_FACES_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Default cascade directory (Debian's opencv-data). */
#define ANALYZE_FACES_DIR "/usr/share/opencv4/haarcascades"
#define ANALYZE_FACES_FACE "haarcascade_frontalface_alt2.xml"
#define ANALYZE_FACES_SMILE "haarcascade_smile.xml"

/* Descriptor: uniform LBP(8,1) histograms (59 bins) on a 4x4 grid of the
 * face crop, each cell normalised to sum 1. */
#define ANALYZE_FACES_BINS 59
#define ANALYZE_FACES_CELLS 16
#define ANALYZE_FACES_DESC (ANALYZE_FACES_BINS * ANALYZE_FACES_CELLS)
#define ANALYZE_FACES_MAX 16 /* faces kept per frame, largest first */

struct analyze_faces_hit {
    float x, y, w, h; /* box, fractions of the frame width and height */
    int smile;
    float desc[ANALYZE_FACES_DESC];
};

struct analyze_faces;

/* Load the face and smile cascades from dir.  Fails with a message naming
 * the missing or unreadable file. */
int analyze_faces_open(struct analyze_faces **out, const char *dir, char *errstr,
                       size_t errstr_size);
/* Find faces in an 8-bit grey image (w x h, row stride).  Writes at most
 * ANALYZE_FACES_MAX hits, largest first; returns their number or -1. */
int analyze_faces_detect(struct analyze_faces *fd, const uint8_t *grey, int w, int h, int stride,
                         struct analyze_faces_hit *out, char *errstr, size_t errstr_size);
void analyze_faces_close(struct analyze_faces *fd);

/* Chi-square distance between two descriptors, averaged over the cells
 * (0 same, 1 disjoint). */
double analyze_faces_distance(const float *a, const float *b);

#ifdef __cplusplus
}
#endif
#endif
