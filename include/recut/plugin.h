/* SPDX-License-Identifier: Apache-2.0 */
/*
 * recut/plugin.h -- the one header a recut plugin needs.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * recut_plugin_entry, a function returning a pointer to a static
 * struct recut_plugin.  The struct opens with a stamp (RECUT_PLUGIN_V1) that
 * recutd checks before it reads anything else: a plugin built against
 * another ABI version or with an incompatible build signature, or whose
 * struct is smaller than recutd's, is refused ("not binary compatible") and
 * the daemon goes on without it.  A larger struct of the same ABI (a newer
 * header that appended fields) is accepted.
 *
 *     static const struct recut_plugin me = {
 *         RECUT_PLUGIN_V1,
 *         .name = "highlights", .kind = RECUT_PLUGIN_EDITOR,
 *         .description = "best-scoring scenes that fit the budget",
 *         .u.editor = { .edit = my_edit },
 *     };
 *     RECUT_PLUGIN_EXPORT const struct recut_plugin *recut_plugin_entry(void)
 *     { return &me; }
 *
 * Build:  cc -shared -fPIC $(pkg-config --cflags recut-plugin) x.c -o x.so
 * Install into $(pkg-config --variable=plugindir recut-plugin) and name it
 * in recutd.conf, [plugins] load = x.  See recut-plugin(3).
 *
 * Everything the host offers (logging, configuration, the viewer's learned
 * preferences) comes through struct recut_host_api, handed to init().  The
 * host never frees what a plugin allocates and vice versa.  Structs that may
 * grow carry a version / size field; read a newer field only when the
 * version says it exists.
 */
#ifndef RECUT_PLUGIN_H
#define RECUT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version: bumped on any incompatible change to this header. */
#define RECUT_PLUGIN_ABI_VERSION 1
#define RECUT_PLUGIN_MAGIC 0x52435554u /* "RCUT" */

/* Build signature: things that must match between host and plugin beyond
 * the ABI number (pointer and double size, byte order). */
#define RECUT_PLUGIN_STR_(x) #x
#define RECUT_PLUGIN_STR(x) RECUT_PLUGIN_STR_(x)
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define RECUT_PLUGIN_ENDIAN_ "B"
#else
#define RECUT_PLUGIN_ENDIAN_ "L"
#endif
#define RECUT_PLUGIN_SIGNATURE                                                                     \
    "recut:" RECUT_PLUGIN_STR(RECUT_PLUGIN_ABI_VERSION) ":p" RECUT_PLUGIN_STR(                     \
        __SIZEOF_POINTER__) ":d" RECUT_PLUGIN_STR(__SIZEOF_DOUBLE__) ":" RECUT_PLUGIN_ENDIAN_

/* The stamp every struct recut_plugin starts with. */
#define RECUT_PLUGIN_V1                                                                            \
    .magic = RECUT_PLUGIN_MAGIC, .abi_version = RECUT_PLUGIN_ABI_VERSION,                          \
    .signature = RECUT_PLUGIN_SIGNATURE, .struct_size = sizeof(struct recut_plugin)

#if defined(__GNUC__)
#define RECUT_PLUGIN_EXPORT __attribute__((visibility("default")))
#define RECUT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define RECUT_PLUGIN_EXPORT
#define RECUT_PRINTF(f, a)
#endif

/* ------------------------------------------------------------------------
 * Data a plugin reads.  All pointers are owned by the host and valid for the
 * duration of the call only.
 * --------------------------------------------------------------------- */

/* One scene of a movie: a contiguous span the editors never cut inside. */
struct recut_scene {
    double start, end;         /* seconds from the start of the movie */
    double arousal;            /* 0 (calm) .. 1 (intense) */
    double valence;            /* -1 (negative) .. 1 (positive) */
    const char *const *labels; /* e.g. "action", "dialogue" */
    size_t n_labels;
    const char *const *emotions; /* emotion labels ... */
    const double *emotion_p;     /* ... and their probabilities */
    size_t n_emotions;
};

struct recut_movie {
    const char *id;
    const char *title;
    double duration; /* seconds */
    const char *const *genres;
    size_t n_genres;
    const char *const *tags;
    size_t n_tags;
    const struct recut_scene *scenes; /* in story order, non-overlapping */
    size_t n_scenes;
};

/* A viewer, as the host's models know them.  Opaque: read it through the
 * host API (viewer_*). */
typedef struct recut_viewer recut_viewer;

/* Log levels, syslog numbering. */
enum recut_log_level {
    RECUT_LOG_ERR = 3,
    RECUT_LOG_WARNING = 4,
    RECUT_LOG_NOTICE = 5,
    RECUT_LOG_INFO = 6,
    RECUT_LOG_DEBUG = 7
};

/* What the host offers.  Fields after 'size' are appended over time; test
 * `api->version >= N` before using a field documented as "since N". */
struct recut_host_api {
    uint32_t version; /* 1 */
    uint32_t size;    /* sizeof(struct recut_host_api) of the host */

    /* Log through recutd's logger, prefixed with the plugin's name. */
    void (*log)(const char *plugin, int level, const char *fmt, ...) RECUT_PRINTF(3, 4);

    /* Configuration: value of `key` in the plugin's own section
     * [plugin.<name>] of recutd.conf, or NULL. */
    const char *(*config_get)(const char *plugin, const char *key);

    /* The viewer's id. */
    const char *(*viewer_id)(const recut_viewer *v);
    /* Learned preference for a feature, in log-odds (0 = neutral, >0 likes).
     * Features are "genre:<g>", "tag:<t>", "label:<l>", "emotion:<e>". */
    double (*viewer_feature)(const recut_viewer *v, const char *feature);
    /* The viewer's preferred arousal (0..1) and valence (-1..1); returns 0 if
     * known, -1 if the host has no estimate yet (defaults are filled). */
    int (*viewer_affect)(const recut_viewer *v, double *arousal, double *valence);
    /* Explicit feedback on one scene: -1 (disliked/skipped) .. 1 (liked,
     * rewatched); 0 when there is none. */
    double (*viewer_scene_feedback)(const recut_viewer *v, const char *movie, size_t scene);
    /* Non-zero if the viewer has already watched or rated the movie. */
    int (*viewer_has_seen)(const recut_viewer *v, const char *movie);
};

/* ------------------------------------------------------------------------
 * The three kinds of plugin.
 * --------------------------------------------------------------------- */

enum recut_plugin_kind {
    RECUT_PLUGIN_SCORER = 1,
    RECUT_PLUGIN_EDITOR = 2,
    RECUT_PLUGIN_PUBLISHER = 3
};

/* Scorer: scores movies and scenes for one viewer. Higher is better; any
 * finite scale (the host normalises across scorers). Return 0, or -1 with a
 * message in errstr. */
struct recut_scorer {
    int (*score_movie)(void *state, const recut_viewer *v, const struct recut_movie *m,
                       double *score, char *reason, size_t reason_size, char *errstr,
                       size_t errstr_size);
    /* Optional: one score per scene into scores[m->n_scenes]. */
    int (*score_scenes)(void *state, const recut_viewer *v, const struct recut_movie *m,
                        double *scores, char *errstr, size_t errstr_size);
};

/* What an editor is asked for. */
struct recut_edit_request {
    uint32_t version; /* 1 */
    const struct recut_movie *movie;
    const recut_viewer *viewer;
    const double *scene_scores; /* one per scene, in 0..1, higher = better */
    double budget;              /* seconds the cut may last at most */
    double min_fragment;        /* no kept scene shorter than this (seconds) */
    double target_arousal;      /* for mood-like editors: 0..1 */
    double target_valence;      /* -1..1 */
    double spoiler_tail;        /* fraction of the movie's end to avoid: 0..1 (0: none);
                                   < 0: the editor's own default */
};

/* What an editor answers: indices of kept scenes, ascending (story order),
 * written into the host's array of capacity movie->n_scenes. */
struct recut_edit_result {
    size_t *scenes;
    size_t n_scenes;
    double score; /* the editor's own quality measure */
};

struct recut_editor {
    int (*edit)(void *state, const struct recut_edit_request *req, struct recut_edit_result *out,
                char *errstr, size_t errstr_size);
};

/* Publisher: sends results somewhere.  `kind` is "recommendations" or "cut";
 * `json` is the document the HTTP API would return for it. */
struct recut_publisher {
    int (*publish)(void *state, const char *viewer, const char *kind, const char *key,
                   const char *json, size_t json_len, char *errstr, size_t errstr_size);
};

struct recut_plugin {
    /* The stamp: fill with RECUT_PLUGIN_V1. */
    uint32_t magic;
    uint32_t abi_version;
    const char *signature;
    size_t struct_size;

    const char *name; /* unique per kind, [a-z0-9_-] */
    const char *description;
    enum recut_plugin_kind kind;

    /* Optional: called once after load; *state is passed to every call. */
    int (*init)(const struct recut_host_api *api, void **state, char *errstr, size_t errstr_size);
    /* Optional: called before unload (shutdown, reload). */
    void (*fini)(void *state);

    union {
        struct recut_scorer scorer;
        struct recut_editor editor;
        struct recut_publisher publisher;
    } u;
};

/* The one symbol a plugin exports. */
typedef const struct recut_plugin *(*recut_plugin_entry_fn)(void);
#define RECUT_PLUGIN_ENTRY "recut_plugin_entry"
RECUT_PLUGIN_EXPORT const struct recut_plugin *recut_plugin_entry(void);

#ifdef __cplusplus
}
#endif
#endif /* RECUT_PLUGIN_H */
