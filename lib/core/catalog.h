/* SPDX-License-Identifier: Apache-2.0 */
/* catalog.h -- movies and their scenes (docs/events.md, "Catalog entries"). */
#ifndef RECUT_CATALOG_H
#define RECUT_CATALOG_H

#include <recut/plugin.h>
#include "strmap.h"

struct catalog_movie {
    struct recut_movie m; /* what plugins see */
    char *json;           /* the canonical JSON text */
    /* NB features of the movie: "genre:x", "tag:y" */
    char **features;
    size_t n_features;
    size_t index; /* dense index in the catalog */
    double fps;   /* "source": {"fps"} as recut-analyze writes it, 0 if absent */
    int audio;    /* "source": {"audio"}: 1 has a track, 0 none, -1 unknown */
    /* per scene: its "tags" (recut-analyze's subtitle words), kept here
     * rather than in struct recut_scene (the plugin ABI); NULL when no
     * scene has tags */
    char ***scene_tags;
    size_t *scene_n_tags;
    /* per scene, the content vector of the viewer taste model (taste.h):
     * n_scenes x TASTE_DIM */
    double *taste_x;
};

struct catalog {
    struct strmap by_id; /* id -> struct catalog_movie* */
    struct catalog_movie **list;
    size_t n, cap;
    /* catalog_put calls so far (what was computed from it may be stale);
     * atomic: the HTTP thread reads it */
    _Atomic uint64_t changes;
};

void catalog_init(struct catalog *c);
void catalog_free(struct catalog *c);
/* Parse and validate one entry; `want_id`, if set, must match "id" (PUT). */
struct catalog_movie *catalog_movie_parse(const char *buf, size_t len, const char *want_id,
                                          char *errstr, size_t errstr_size);
void catalog_movie_free(struct catalog_movie *cm);
/* Takes ownership; replaces an entry with the same id. */
int catalog_put(struct catalog *c, struct catalog_movie *cm);
const struct catalog_movie *catalog_get(const struct catalog *c, const char *id);
/* The same, for an id of len bytes whose strmap hash is known (a key of
 * another strmap: its entry's hash). */
const struct catalog_movie *catalog_geth(const struct catalog *c, const char *id, size_t len,
                                         uint32_t hash);
/* Scene index containing second t, or -1. */
long catalog_scene_at(const struct recut_movie *m, double t);
/* Normalise a genre or tag into a feature name: "genre:" + lower-case. */
int catalog_feature(char *out, size_t n, const char *kind, const char *value);

#endif
