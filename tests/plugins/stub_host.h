/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stub_host.h -- a tiny stand-in for recutd when testing plugins (tests
 * only): implements struct recut_host_api over an in-memory viewer, loads a
 * plugin .so with plain dlopen, checks its stamp the way the daemon does,
 * and scores scenes from the viewer's feature weights as the host would.
 */
#ifndef STUB_HOST_H
#define STUB_HOST_H

#include <stddef.h>

#include "recut/plugin.h"

#define STUB_HOST_MAX_FEATURES 32
#define STUB_HOST_MAX_FEEDBACK 64

/* The in-memory viewer (the daemon's is opaque to plugins; so is this one). */
struct recut_viewer {
    char id[64];
    struct {
        char name[64];
        double weight;
    } features[STUB_HOST_MAX_FEATURES];
    size_t n_features;
    int affect_known;
    double arousal, valence;
    struct {
        char movie[64];
        size_t scene;
        double value;
    } feedback[STUB_HOST_MAX_FEEDBACK];
    size_t n_feedback;
};

void stub_host_viewer_init(struct recut_viewer *v, const char *id);
int stub_host_viewer_set_feature(struct recut_viewer *v, const char *name, double weight);
int stub_host_viewer_add_feedback(struct recut_viewer *v, const char *movie, size_t scene,
                                  double value);
void stub_host_viewer_set_affect(struct recut_viewer *v, double arousal, double valence);

/* The host API handed to plugins. */
const struct recut_host_api *stub_host_api(void);

/* Plugin configuration ([plugin.<name>] key = value); clear removes all. */
int stub_host_config_set(const char *plugin, const char *key, const char *value);
void stub_host_config_clear(void);

/* Number of messages plugins logged, and the last one. */
size_t stub_host_log_count(void);
const char *stub_host_last_log(void);

/* Scene scores in 0..1 as the host derives them: logistic of the sum of the
 * viewer's weights for each scene label ("label:<l>"), each emotion
 * ("emotion:<e>", times its probability), plus 4 x explicit feedback. */
void stub_host_scene_scores(const struct recut_viewer *v, const struct recut_movie *m,
                            double *scores);

/* A loaded plugin. */
struct stub_host_plugin {
    void *dl;
    const struct recut_plugin *p;
    void *state;
};

/* Path of a built plugin: <PLUGIN_DIR>/<name>.so */
void stub_host_plugin_path(const char *name, char *buf, size_t size);

/* dlopen + stamp check + init.  The stamp is checked by recutd's own
 * plugin_stamp_check (lib/core/plugin_stamp.h): wrong magic, ABI version or
 * signature, or a smaller struct, is refused ("... not binary compatible").
 * Returns 0 or -1 with a message. */
int stub_host_load(const char *path, struct stub_host_plugin *pl, char *errstr, size_t errstr_size);
void stub_host_unload(struct stub_host_plugin *pl);

/* Runs an editor; scenes[] must hold movie->n_scenes entries. */
int stub_host_edit(const struct stub_host_plugin *pl, const struct recut_edit_request *req,
                   size_t *scenes, size_t *n_scenes, double *score, char *errstr,
                   size_t errstr_size);

#endif
