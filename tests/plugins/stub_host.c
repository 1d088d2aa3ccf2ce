/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stub_host.c -- in-memory host for plugin tests (see stub_host.h).
 */
#include "stub_host.h"
#include "plugin_stamp.h"

#include <dlfcn.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PLUGIN_DIR
#error "PLUGIN_DIR must name the directory of the built plugins"
#endif

#define STUB_HOST_MAX_CONFIG 32
#define STUB_HOST_FEEDBACK_WEIGHT 4.0

static struct {
    char plugin[32], key[64], value[128];
} stub_host_config[STUB_HOST_MAX_CONFIG];
static size_t stub_host_n_config;
static size_t stub_host_n_log;
static char stub_host_log_buf[512];

void stub_host_viewer_init(struct recut_viewer *v, const char *id)
{
    memset(v, 0, sizeof *v);
    snprintf(v->id, sizeof v->id, "%s", id);
}

int stub_host_viewer_set_feature(struct recut_viewer *v, const char *name, double weight)
{
    for (size_t i = 0; i < v->n_features; i++) {
        if (strcmp(v->features[i].name, name) == 0) {
            v->features[i].weight = weight;
            return 0;
        }
    }
    if (v->n_features == STUB_HOST_MAX_FEATURES)
        return -1;
    snprintf(v->features[v->n_features].name, sizeof v->features[0].name, "%s", name);
    v->features[v->n_features++].weight = weight;
    return 0;
}

int stub_host_viewer_add_feedback(struct recut_viewer *v, const char *movie, size_t scene,
                                  double value)
{
    for (size_t i = 0; i < v->n_feedback; i++) {
        if (strcmp(v->feedback[i].movie, movie) == 0 && v->feedback[i].scene == scene) {
            v->feedback[i].value = value;
            return 0;
        }
    }
    if (v->n_feedback == STUB_HOST_MAX_FEEDBACK)
        return -1;
    snprintf(v->feedback[v->n_feedback].movie, sizeof v->feedback[0].movie, "%s", movie);
    v->feedback[v->n_feedback].scene = scene;
    v->feedback[v->n_feedback++].value = value;
    return 0;
}

void stub_host_viewer_set_affect(struct recut_viewer *v, double arousal, double valence)
{
    v->affect_known = 1;
    v->arousal = arousal;
    v->valence = valence;
}

static void stub_host_log(const char *plugin, int level, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(stub_host_log_buf, sizeof stub_host_log_buf, "%s: %s", plugin ? plugin : "?", msg);
    stub_host_n_log++;
    if (getenv("STUB_HOST_VERBOSE"))
        fprintf(stderr, "[%d] %s\n", level, stub_host_log_buf);
}

static const char *stub_host_config_get(const char *plugin, const char *key)
{
    for (size_t i = 0; i < stub_host_n_config; i++)
        if (strcmp(stub_host_config[i].plugin, plugin) == 0 &&
            strcmp(stub_host_config[i].key, key) == 0)
            return stub_host_config[i].value;
    return NULL;
}

static const char *stub_host_viewer_id(const recut_viewer *v)
{
    return v->id;
}

static double stub_host_viewer_feature(const recut_viewer *v, const char *feature)
{
    for (size_t i = 0; i < v->n_features; i++)
        if (strcmp(v->features[i].name, feature) == 0)
            return v->features[i].weight;
    return 0.0;
}

static int stub_host_viewer_affect(const recut_viewer *v, double *arousal, double *valence)
{
    if (!v->affect_known) {
        *arousal = 0.5;
        *valence = 0.0;
        return -1;
    }
    *arousal = v->arousal;
    *valence = v->valence;
    return 0;
}

static double stub_host_viewer_scene_feedback(const recut_viewer *v, const char *movie,
                                              size_t scene)
{
    for (size_t i = 0; i < v->n_feedback; i++)
        if (strcmp(v->feedback[i].movie, movie) == 0 && v->feedback[i].scene == scene)
            return v->feedback[i].value;
    return 0.0;
}

static int stub_host_viewer_has_seen(const recut_viewer *v, const char *movie)
{
    return 0;
}

static const struct recut_host_api stub_host_the_api = {
    .version = 1,
    .size = sizeof(struct recut_host_api),
    .log = stub_host_log,
    .config_get = stub_host_config_get,
    .viewer_id = stub_host_viewer_id,
    .viewer_feature = stub_host_viewer_feature,
    .viewer_affect = stub_host_viewer_affect,
    .viewer_scene_feedback = stub_host_viewer_scene_feedback,
    .viewer_has_seen = stub_host_viewer_has_seen,
};

const struct recut_host_api *stub_host_api(void)
{
    return &stub_host_the_api;
}

int stub_host_config_set(const char *plugin, const char *key, const char *value)
{
    for (size_t i = 0; i < stub_host_n_config; i++) {
        if (strcmp(stub_host_config[i].plugin, plugin) == 0 &&
            strcmp(stub_host_config[i].key, key) == 0) {
            snprintf(stub_host_config[i].value, sizeof stub_host_config[i].value, "%s", value);
            return 0;
        }
    }
    if (stub_host_n_config == STUB_HOST_MAX_CONFIG)
        return -1;
    size_t i = stub_host_n_config++;
    snprintf(stub_host_config[i].plugin, sizeof stub_host_config[i].plugin, "%s", plugin);
    snprintf(stub_host_config[i].key, sizeof stub_host_config[i].key, "%s", key);
    snprintf(stub_host_config[i].value, sizeof stub_host_config[i].value, "%s", value);
    return 0;
}

void stub_host_config_clear(void)
{
    stub_host_n_config = 0;
}

size_t stub_host_log_count(void)
{
    return stub_host_n_log;
}

const char *stub_host_last_log(void)
{
    return stub_host_log_buf;
}

void stub_host_scene_scores(const struct recut_viewer *v, const struct recut_movie *m,
                            double *scores)
{
    const struct recut_host_api *api = stub_host_api();
    for (size_t i = 0; i < m->n_scenes; i++) {
        const struct recut_scene *s = &m->scenes[i];
        double logit = 0.0;
        char feature[96];
        for (size_t k = 0; k < s->n_labels; k++) {
            snprintf(feature, sizeof feature, "label:%s", s->labels[k]);
            logit += api->viewer_feature(v, feature);
        }
        for (size_t k = 0; k < s->n_emotions; k++) {
            snprintf(feature, sizeof feature, "emotion:%s", s->emotions[k]);
            logit += s->emotion_p[k] * api->viewer_feature(v, feature);
        }
        logit += STUB_HOST_FEEDBACK_WEIGHT * api->viewer_scene_feedback(v, m->id, i);
        scores[i] = 1.0 / (1.0 + exp(-logit));
    }
}

void stub_host_plugin_path(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s.so", PLUGIN_DIR, name);
}

int stub_host_load(const char *path, struct stub_host_plugin *pl, char *errstr, size_t errstr_size)
{
    memset(pl, 0, sizeof *pl);
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (dl == NULL) {
        snprintf(errstr, errstr_size, "%s: %s", path, dlerror());
        return -1;
    }
    recut_plugin_entry_fn entry;
    void *sym = dlsym(dl, RECUT_PLUGIN_ENTRY);
    /* POSIX: function pointers round-trip through void *. */
    memcpy(&entry, &sym, sizeof entry);
    const struct recut_plugin *p = entry ? entry() : NULL;
    char why[512];
    if (entry == NULL) {
        snprintf(errstr, errstr_size, "%s: no %s()", path, RECUT_PLUGIN_ENTRY);
        dlclose(dl);
        return -1;
    }
    /* recutd's own check (lib/core/plugin_stamp.c) */
    if (plugin_stamp_check(p, why, sizeof why) < 0) {
        snprintf(errstr, errstr_size, "%s: %s", path, why);
    } else if (p->kind == RECUT_PLUGIN_EDITOR && p->u.editor.edit == NULL) {
        snprintf(errstr, errstr_size, "%s: editor without an edit function", path);
    } else {
        pl->dl = dl;
        pl->p = p;
        if (p->init && p->init(stub_host_api(), &pl->state, errstr, errstr_size) < 0) {
            pl->dl = NULL;
            pl->p = NULL;
            dlclose(dl);
            return -1;
        }
        return 0;
    }
    dlclose(dl);
    return -1;
}

void stub_host_unload(struct stub_host_plugin *pl)
{
    if (pl->p && pl->p->fini)
        pl->p->fini(pl->state);
    if (pl->dl)
        dlclose(pl->dl);
    memset(pl, 0, sizeof *pl);
}

int stub_host_edit(const struct stub_host_plugin *pl, const struct recut_edit_request *req,
                   size_t *scenes, size_t *n_scenes, double *score, char *errstr,
                   size_t errstr_size)
{
    struct recut_edit_result out = { .scenes = scenes, .n_scenes = 0, .score = 0.0 };
    errstr[0] = '\0';
    int rc = pl->p->u.editor.edit(pl->state, req, &out, errstr, errstr_size);
    *n_scenes = out.n_scenes;
    *score = out.score;
    return rc;
}
