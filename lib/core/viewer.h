/* SPDX-License-Identifier: Apache-2.0 */
/* viewer.h -- one viewer's learned state in memory: built from the Redis
 * hashes (daemon) or by applying updates (recut-eval, tests); read by the
 * scorers and editors through the plugin host API. */
#ifndef RECUT_VIEWER_H
#define RECUT_VIEWER_H

#include "strmap.h"
#include "update.h"
#include "viewer_fields.h"

/* Fields of one map changed since the last write: the entries' keys
 * (borrowed from the viewer's map, each once: a changed entry's ptr is
 * VIEWER_DIRTY until viewer_changes_take clears it). */
struct viewer_dirty {
    struct viewer_dirty_key {
        const char *key;
        uint32_t len, hash;
    } * keys;
    size_t n, cap;
};
extern char viewer_dirty_mark;
#define VIEWER_DIRTY ((void *)&viewer_dirty_mark)

/* An attached per-viewer classifier (recutd's and recut-eval's SVM,
 * svm_viewer.h): owned by the viewer, freed with it. */
struct viewer_model {
    void *state;
    /* P(like) of a movie with these features in [0, 1], or < 0 when the
     * model cannot say (no features) */
    double (*score)(const void *state, char *const *features, size_t n);
    void (*free)(void *state);
};

/* What viewer_apply changed since the recorder was last reset: the daemon
 * writes exactly these fields back to Redis. */
struct viewer_changes {
    struct viewer_dirty nb, seen, scenes, emo; /* changed fields */
    size_t pushed;                             /* items pushed at the front of hist */
    int forgot;                                /* the viewer was erased (write: DEL first) */
    int emo_cleared;                           /* consent withdrawn: emo erased */
    int meta;                                  /* events/consent changed */
    int emotion_dropped;                       /* emotion data refused for lack of consent */
};
void viewer_changes_init(struct viewer_changes *c);
/* Forget the record (the viewer's marks must be gone: taken, or the maps
 * freed). */
void viewer_changes_reset(struct viewer_changes *c);
void viewer_changes_free(struct viewer_changes *c);
struct recut_viewer;
/* Hand the changed fields of one map (which: 'N' nb, 'S' seen, 'C' scenes,
 * 'E' emo) with their current values to fn, in the order they first
 * changed, and clear their marks.  Returns how many. */
size_t viewer_changes_take(struct recut_viewer *v, char which,
                           void (*fn)(void *arg, const char *field, size_t len, double value),
                           void *arg);
/* How many fields of that map changed. */
size_t viewer_changes_count(const struct recut_viewer *v, char which);

struct recut_viewer {
    char id[VEVENT_ID_MAX + 1];
    struct strmap nb;     /* Redis field -> count, named by viewer_fields.h */
    struct strmap seen;   /* movie -> signed weight */
    struct strmap scenes; /* "movie:scene" -> feedback (viewer_field_scene) */
    struct strmap emo;    /* emotion sums, named by viewer_fields.h */
    char **hist;          /* positive movies, newest first */
    size_t n_hist, cap_hist;
    long long events;
    int consent;
    double alpha;               /* NB smoothing */
    struct viewer_changes *chg; /* optional change recorder */
    struct viewer_model svm;    /* state NULL: none */
    /* derived NB sums, refreshed by viewer_finish() and kept by viewer_apply */
    double n_like, n_dislike, t_like, t_dislike, vocab;
};

void viewer_init(struct recut_viewer *v, const char *id, double alpha);
void viewer_free(struct recut_viewer *v);
/* Add a hash field read from Redis (which: 'N' nb, 'S' seen, 'C' scenes, 'E' emo). */
int viewer_load_field(struct recut_viewer *v, char which, const char *field, size_t field_len,
                      const char *value);
int viewer_push_hist(struct recut_viewer *v, const char *movie, int at_end);
/* Attach a classifier (the previous one is freed). */
void viewer_set_model(struct recut_viewer *v, const struct viewer_model *m);
/* Recompute derived sums after loading or updating. */
void viewer_finish(struct recut_viewer *v);
/* Apply an update in memory, exactly as the Redis script does.  Returns 1 if
 * applied, and fills partners (borrowed pointers into hist, newest first, up
 * to `window`) for a new positive item. */
int viewer_apply(struct recut_viewer *v, const struct update *u, int history_max, int window,
                 const char ***partners, size_t *n_partners);

/* The host API accessors (recut/plugin.h). */
const char *viewer_id(const recut_viewer *v);
double viewer_feature(const recut_viewer *v, const char *feature);
int viewer_affect(const recut_viewer *v, double *arousal, double *valence);
double viewer_scene_feedback(const recut_viewer *v, const char *movie, size_t scene);
int viewer_has_seen(const recut_viewer *v, const char *movie);
/* log P(like | features) - log P(dislike | features), NB with priors. */
double viewer_nb_logodds(const recut_viewer *v, char *const *features, size_t n);

#endif
