/* SPDX-License-Identifier: Apache-2.0 */
/*
 * taste.h -- a viewer's taste for what is *in* scenes (issue 10): how much
 * they like intensity (arousal), mood (valence), pace (cut rate), faces and
 * dialogue, learned from their skips, rewatches and likes on scenes.
 *
 * Why a model of its own: the naive Bayes counts learn labels, so a viewer
 * who skips the intense scenes of four movies learns nothing about a fifth
 * whose intense scenes carry no "intense"/"action" label.  Every scene has
 * numbers (arousal, valence, features[]), so a small regression on them
 * carries the taste from movie to movie.
 *
 * The model is ridge regression of the action (+1 rewatch/like, -1
 * skip/dislike, weighted by |event weight|) on the scene's vector x =
 * (1, arousal, valence, pace, faces, speech) below.  What is stored are its
 * sufficient statistics, A = sum w x x' (upper triangle) and b = sum w y x,
 * as fields of the viewer's nb hash ("x:Aij", "x:bi"): an event only adds to
 * them (HINCRBYFLOAT, like every other update op), so the daemon's batched
 * Redis writes, recut-eval and the tests share update.c unchanged and the
 * result does not depend on the order of events.  At most 21 + 6 fields per
 * viewer; one event writes only the non-zero products.
 *
 * Reading it solves (A + L) theta = b with L = diag(TASTE_PRIOR_BIAS,
 * TASTE_PRIOR, ...): the prior shrinks every taste toward 0 ("no opinion")
 * until the viewer's actions outweigh it, so a few noisy skips move the
 * cut little and many consistent ones move it a lot.  The bias (the
 * viewer's general rate of skipping) is learned but not used in scene
 * scores: it is the same for every scene of a movie.
 */
#ifndef RECUT_TASTE_H
#define RECUT_TASTE_H

#include <stddef.h>

#include "catalog.h"
#include "viewer.h"

/* x[0] is the bias (1); x[1..5] the scene's content in -1..1, 0 = absent
 * or neutral:
 *   TASTE_AROUSAL  2 arousal - 1                   (catalog "arousal")
 *   TASTE_VALENCE  valence                         (catalog "valence")
 *   TASTE_PACE     min(cut_rate / 0.5, 2) - 1      (features[].cut_rate,
 *                  shots per second: 0.5 is neutral, 1 or more is +1)
 *   TASTE_FACES    min(faces, 2) - 1               (features[].faces; else
 *                  2 min(face_share / 0.2, 1) - 1 from features[].face_share)
 *   TASTE_SPEECH   2 speech - 1                    (features[].speech) */
enum taste_dim {
    TASTE_BIAS = 0,
    TASTE_AROUSAL,
    TASTE_VALENCE,
    TASTE_PACE,
    TASTE_FACES,
    TASTE_SPEECH,
    TASTE_DIM
};

/* Ridge prior of the content weights (in units of one action of weight 1)
 * and of the bias. */
#define TASTE_PRIOR 4.0
#define TASTE_PRIOR_BIAS 0.5
/* How much the taste counts in a scene score: z += TASTE_BLEND * sum over
 * the content dimensions of theta_k x_k (recommend_scene_scores). */
#define TASTE_BLEND 3.0

/* The names of the dimensions ("arousal", ...), for reports. */
extern const char *const taste_dim_names[TASTE_DIM];

/* Fill x[TASTE_DIM] for one scene from its arousal/valence and its
 * features[] object (a jansson json_t *, may be NULL). */
void taste_scene_vector(const struct recut_scene *s, const void *features_json, double *x);

/* The vectors of every scene of cm into cm->taste_x (catalog.c calls it
 * with the entry's "features" array, may be NULL).  0, or -1 without
 * memory. */
int taste_catalog_vectors(struct catalog_movie *cm, const void *features_json);

/* One HINCRBYFLOAT of the nb hash. */
struct taste_term {
    char field[8];
    double value;
};
#define TASTE_TERMS (TASTE_DIM * (TASTE_DIM + 1) / 2 + TASTE_DIM)

/* The additions one scene action makes: x the scene's vector, w > 0 the
 * sample weight, y +1 (liked) or -1 (disliked).  Returns how many terms
 * were written to t[TASTE_TERMS] (products that are 0 are left out). */
size_t taste_terms(const double *x, double w, double y, struct taste_term *t);

/* The viewer's taste theta[TASTE_DIM] with the given prior on the content
 * weights.  Returns the weight of the actions it rests on (0: none, theta
 * all 0). */
double taste_theta(const recut_viewer *v, double prior, double *theta);

/* theta . x over the content dimensions (no bias): the viewer's expected
 * action on a scene, roughly -1..1. */
double taste_predict(const double *theta, const double *x);

#endif
