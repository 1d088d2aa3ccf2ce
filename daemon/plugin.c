/* SPDX-License-Identifier: Apache-2.0 */
/* plugin.c -- loading plugins with dlopen, checking their stamp (ABI version,
 * build signature, struct size) before anything else, and the host API they
 * call back into. */
#include "config.h"
#include "daemon.h"
#include "metrics.h"
#include "plugin.h"
#include "plugin_stamp.h"

#include <dlfcn.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct plugin_slot {
    void *dl;
    const struct recut_plugin *p;
    void *state;
    double weight; /* scorers: blend weight */
};

struct plugins {
    struct recutd *d;
    struct plugin_slot *v;
    size_t n;
    char *list_json;
};

static struct recutd *plugin_host_d; /* the host API has no context argument */

static void plugin_host_log(const char *plugin, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char prefix[96];
    snprintf(prefix, sizeof prefix, "plugin %s", plugin ? plugin : "?");
    log_vmsg(level, prefix, fmt, ap);
    va_end(ap);
}

static const char *plugin_host_config_get(const char *plugin, const char *key)
{
    struct recutd *d = plugin_host_d;
    if (!d || !key)
        return NULL;
    const char *dot = strchr(key, '.');
    if (dot) { /* "section.key": a daemon key */
        static char buf[64];
        for (size_t i = 0; i < conf_table_len; i++) {
            const struct conf_row *r = &conf_table[i];
            size_t sl = strlen(r->section);
            if ((size_t)(dot - key) == sl && strncmp(key, r->section, sl) == 0 &&
                strcmp(dot + 1, r->key) == 0)
                return conf_value_str(&d->cfg, r, buf, sizeof buf);
        }
        return NULL;
    }
    char section[160];
    snprintf(section, sizeof section, "plugin.%s", plugin ? plugin : "");
    return conf_extra(&d->cfg, section, key);
}

static const struct recut_host_api plugin_host_api = {
    .version = 1,
    .size = sizeof(struct recut_host_api),
    .log = plugin_host_log,
    .config_get = plugin_host_config_get,
    .viewer_id = viewer_id,
    .viewer_feature = viewer_feature,
    .viewer_affect = viewer_affect,
    .viewer_scene_feedback = viewer_scene_feedback,
    .viewer_has_seen = viewer_has_seen,
};

const struct recut_host_api *plugins_host_api(void);
const struct recut_host_api *plugins_host_api(void)
{
    return &plugin_host_api;
}

/* Load one plugin file; -1 with the reason on refusal. */
static int plugin_load_one(struct plugins *ps, const char *dir, const char *name, char *errstr,
                           size_t errstr_size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.so", dir, name);
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        snprintf(errstr, errstr_size, "%s", dlerror());
        return -1;
    }
    recut_plugin_entry_fn entry;
    *(void **)&entry = dlsym(dl, RECUT_PLUGIN_ENTRY);
    if (!entry) {
        snprintf(errstr, errstr_size, "%s: no symbol %s: not a recut plugin", path,
                 RECUT_PLUGIN_ENTRY);
        dlclose(dl);
        return -1;
    }
    const struct recut_plugin *p = entry();
    char why[512];
    if (plugin_stamp_check(p, why, sizeof why) < 0) {
        snprintf(errstr, errstr_size, "%s: %s", path, why);
        dlclose(dl);
        return -1;
    }
    if (!p->name || (p->kind != RECUT_PLUGIN_SCORER && p->kind != RECUT_PLUGIN_EDITOR &&
                     p->kind != RECUT_PLUGIN_PUBLISHER)) {
        snprintf(errstr, errstr_size, "%s: no name or unknown kind %d", path, (int)p->kind);
        dlclose(dl);
        return -1;
    }
    if ((p->kind == RECUT_PLUGIN_EDITOR && !p->u.editor.edit) ||
        (p->kind == RECUT_PLUGIN_SCORER && !p->u.scorer.score_movie) ||
        (p->kind == RECUT_PLUGIN_PUBLISHER && !p->u.publisher.publish)) {
        snprintf(errstr, errstr_size, "%s: plugin %s lacks its %s function", path, p->name,
                 p->kind == RECUT_PLUGIN_EDITOR   ? "edit"
                 : p->kind == RECUT_PLUGIN_SCORER ? "score_movie"
                                                  : "publish");
        dlclose(dl);
        return -1;
    }
    for (size_t i = 0; i < ps->n; i++)
        if (ps->v[i].p->kind == p->kind && strcmp(ps->v[i].p->name, p->name) == 0) {
            snprintf(errstr, errstr_size, "%s: a plugin named %s is already loaded", path, p->name);
            dlclose(dl);
            return -1;
        }
    void *state = NULL;
    if (p->init) {
        char err[512] = "";
        if (p->init(&plugin_host_api, &state, err, sizeof err) < 0) {
            snprintf(errstr, errstr_size, "%s: init failed: %s", path,
                     err[0] ? err : "(no reason given)");
            dlclose(dl);
            return -1;
        }
    }
    struct plugin_slot *nv = realloc(ps->v, (ps->n + 1) * sizeof *nv);
    if (!nv) {
        if (p->fini)
            p->fini(state);
        dlclose(dl);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    ps->v = nv;
    double w = 1.0;
    const char *ws = plugin_host_config_get(p->name, "weight");
    if (ws)
        w = strtod(ws, NULL);
    nv[ps->n++] = (struct plugin_slot){ dl, p, state, w };
    static const char *const kinds[] = { "", "scorer", "editor", "publisher" };
    log_info("plugin %s loaded (%s, %s)", p->name, kinds[p->kind], path);
    return 0;
}

static void plugins_build_json(struct plugins *ps)
{
    static const char *const kinds[] = { "", "scorer", "editor", "publisher" };
    json_t *arr = json_array();
    for (size_t i = 0; i < ps->n; i++)
        json_array_append_new(arr,
                              json_pack("{s:s,s:s,s:s}", "name", ps->v[i].p->name, "kind",
                                        kinds[ps->v[i].p->kind], "description",
                                        ps->v[i].p->description ? ps->v[i].p->description : ""));
    free(ps->list_json);
    ps->list_json = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
}

struct plugins *plugins_load(struct recutd *d, char *errstr, size_t errstr_size)
{
    plugin_host_d = d;
    struct plugins *ps = calloc(1, sizeof *ps);
    if (!ps) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    ps->d = d;
    char *list = strdup(d->cfg.plugin_load), *save = NULL;
    if (!list) {
        free(ps);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    for (char *name = strtok_r(list, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
        char err[6144];
        if (strchr(name, '/') || strstr(name, "..")) {
            log_err("plugin %s refused: a plugin name must not contain '/'", name);
            continue;
        }
        /* a plugin that cannot load is logged and skipped: the daemon goes on */
        if (plugin_load_one(ps, d->cfg.plugin_dir, name, err, sizeof err) < 0)
            log_err("plugin %s refused: %s", name, err);
    }
    free(list);
    plugins_build_json(ps);
    return ps;
}

void plugins_free(struct plugins *ps)
{
    if (!ps)
        return;
    for (size_t i = ps->n; i-- > 0;) {
        if (ps->v[i].p->fini)
            ps->v[i].p->fini(ps->v[i].state);
        dlclose(ps->v[i].dl);
    }
    free(ps->v);
    free(ps->list_json);
    free(ps);
}

const struct recut_plugin *plugins_editor(const struct plugins *ps, const char *name, void **state)
{
    for (size_t i = 0; i < ps->n; i++)
        if (ps->v[i].p->kind == RECUT_PLUGIN_EDITOR && strcmp(ps->v[i].p->name, name) == 0) {
            *state = ps->v[i].state;
            return ps->v[i].p;
        }
    return NULL;
}

size_t plugins_count(const struct plugins *ps, int kind)
{
    size_t n = 0;
    for (size_t i = 0; i < ps->n; i++)
        n += (int)ps->v[i].p->kind == kind;
    return n;
}

int plugins_publish(struct plugins *ps, const char *viewer, const char *kind, const char *key,
                    const char *json, size_t len)
{
    int failures = 0;
    for (size_t i = 0; i < ps->n; i++) {
        const struct recut_plugin *p = ps->v[i].p;
        if (p->kind != RECUT_PLUGIN_PUBLISHER)
            continue;
        char err[512] = "";
        if (p->u.publisher.publish(ps->v[i].state, viewer, kind, key, json, len, err, sizeof err) <
            0) {
            static struct log_ratelimit rl = LOG_RATELIMIT_INIT(10, 5);
            log_limited(&rl, LOG_LVL_WARNING, "plugin %s: publish failed: %s", p->name, err);
            metrics_inc(M_PUBLISH_ERRORS, 1);
            failures++;
        } else {
            metrics_inc(M_PUBLISHED, 1);
        }
    }
    return failures;
}

double plugins_score_movie(struct plugins *ps, const recut_viewer *v, const struct recut_movie *m,
                           char *reason, size_t reason_size)
{
    double total = 0, best = 0;
    if (reason_size)
        reason[0] = '\0';
    for (size_t i = 0; i < ps->n; i++) {
        const struct recut_plugin *p = ps->v[i].p;
        if (p->kind != RECUT_PLUGIN_SCORER)
            continue;
        double sc = 0;
        char why[160] = "", err[256] = "";
        if (p->u.scorer.score_movie(ps->v[i].state, v, m, &sc, why, sizeof why, err, sizeof err) <
            0) {
            static struct log_ratelimit rl = LOG_RATELIMIT_INIT(10, 5);
            log_limited(&rl, LOG_LVL_WARNING, "plugin %s: score_movie: %s", p->name, err);
            continue;
        }
        if (sc != sc || sc > 1e9 || sc < -1e9)
            continue; /* NaN or absurd: ignored */
        total += ps->v[i].weight * sc;
        if (why[0] && ps->v[i].weight * sc > best && reason_size) {
            best = ps->v[i].weight * sc;
            snprintf(reason, reason_size, "%s", why);
        }
    }
    return total;
}

void plugins_score_scenes(struct plugins *ps, const recut_viewer *v, const struct recut_movie *m,
                          double *scores)
{
    double *tmp = calloc(m->n_scenes ? m->n_scenes : 1, sizeof *tmp);
    if (!tmp)
        return;
    double wsum = 1.0;
    for (size_t i = 0; i < ps->n; i++) {
        const struct recut_plugin *p = ps->v[i].p;
        if (p->kind != RECUT_PLUGIN_SCORER || !p->u.scorer.score_scenes || ps->v[i].weight <= 0)
            continue;
        char err[256] = "";
        if (p->u.scorer.score_scenes(ps->v[i].state, v, m, tmp, err, sizeof err) < 0)
            continue;
        int ok = 1;
        for (size_t k = 0; k < m->n_scenes; k++)
            if (!(tmp[k] >= 0 && tmp[k] <= 1))
                ok = 0;
        if (!ok)
            continue; /* out of range: ignored rather than trusted */
        for (size_t k = 0; k < m->n_scenes; k++)
            scores[k] = (scores[k] * wsum + ps->v[i].weight * tmp[k]) / (wsum + ps->v[i].weight);
        wsum += ps->v[i].weight;
    }
    free(tmp);
}

const char *plugins_list_json(const struct plugins *ps)
{
    return ps->list_json ? ps->list_json : "[]";
}
