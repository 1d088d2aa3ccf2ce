/* SPDX-License-Identifier: Apache-2.0 */
/*
 * viewer_fields.h -- the field names of a viewer's hashes in Redis (and of
 * struct recut_viewer's maps in memory): the naive Bayes counts
 * (PREFIX:{u:ID}:nb), scene feedback (:scenes) and emotion sums (:emo).
 *
 * The update rules write these fields, the viewer reads its counts from
 * them, and the HTTP profile and the viewer groups scan them; this is the
 * one place that spells them, so that the layout cannot drift between
 * writers and readers:
 *
 *   n:<class>              the class's sample weight (sum of event weights)
 *   t:<class>              the class's feature total (sum of its f: counts)
 *   f:<class>:<feature>    weight of one feature in the class
 *
 * <class> is "like" or "dislike".  A feature may itself hold ':'
 * ("genre:Comedy", "label:action"): it is everything after the second ':'.
 */
#ifndef RECUT_VIEWER_FIELDS_H
#define RECUT_VIEWER_FIELDS_H

#include "strmap.h"

#include <stddef.h>

enum viewer_class {
    VIEWER_DISLIKE = 0,
    VIEWER_LIKE = 1
};

enum viewer_field_kind {
    VIEWER_FIELD_SAMPLES = 'n', /* n:<class> */
    VIEWER_FIELD_TOTAL = 't',   /* t:<class> */
    VIEWER_FIELD_FEATURE = 'f'  /* f:<class>:<feature> */
};

/* Room for any field the update rules write (a feature of up to 280 bytes). */
#define VIEWER_FIELD_MAX 320

/* "like" or "dislike". */
const char *viewer_field_class_name(enum viewer_class cls);

/* The name of (kind, cls, feature) in buf (feature only for
 * VIEWER_FIELD_FEATURE, else ignored); returns its length, or -1 if it does
 * not fit in size or an argument is invalid. */
int viewer_field_format(char *buf, size_t size, enum viewer_field_kind kind, enum viewer_class cls,
                        const char *feature);

/* Split a field name of len bytes: 0 with *kind, *cls and *feature (a
 * pointer into field, NULL unless VIEWER_FIELD_FEATURE), or -1 if the name
 * is not of this layout. */
int viewer_field_parse(const char *field, size_t len, enum viewer_field_kind *kind,
                       enum viewer_class *cls, const char **feature);

/* The entry of (kind, cls, feature) in a viewer's nb map, or NULL. */
struct strmap_entry *viewer_field_get(const struct strmap *nb, enum viewer_field_kind kind,
                                      enum viewer_class cls, const char *feature);
/* Its value, 0 when absent. */
double viewer_field_value(const struct strmap *nb, enum viewer_field_kind kind,
                          enum viewer_class cls, const char *feature);

/* The scenes hash (PREFIX:{u:ID}:scenes): field <movie>:<scene index> ->
 * the viewer's feedback on that scene.  Writes the field into buf; returns
 * its length, or -1 if it does not fit. */
int viewer_field_scene(char *buf, size_t size, const char *movie, long scene);

/* The emo hash (PREFIX:{u:ID}:emo, kept only with consent): sums over the
 * viewer's emotion readings, each reduced to one point (valence, arousal)
 * on the circumplex (lib/models/emotion.h):
 *
 *   n, v, a                 readings, sum of valence, sum of arousal
 *   m:<movie>:n, m:<movie>:v              the same per movie (no arousal)
 *   s:<movie>:<scene>:n, s:<movie>:<scene>:v    per scene
 *   e:<label>               sum of one label's probability
 *
 * The formats below take printf arguments (movie, or movie and scene as
 * long, or label). */
#define VIEWER_EMO_COUNT "n"
#define VIEWER_EMO_VALENCE "v"
#define VIEWER_EMO_AROUSAL "a"
#define VIEWER_EMO_MOVIE_COUNT_FMT "m:%s:n"
#define VIEWER_EMO_MOVIE_VALENCE_FMT "m:%s:v"
#define VIEWER_EMO_SCENE_COUNT_FMT "s:%s:%ld:n"
#define VIEWER_EMO_SCENE_VALENCE_FMT "s:%s:%ld:v"
#define VIEWER_EMO_LABEL_FMT "e:%s"

#endif
