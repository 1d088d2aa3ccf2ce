/* SPDX-License-Identifier: Apache-2.0 */
/* catalog.c -- parsing, validation and lookup of catalog entries. */
#include "config.h"
#include "catalog.h"
#include "taste.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void catalog_init(struct catalog *c)
{
    memset(c, 0, sizeof *c);
    strmap_init(&c->by_id);
}

static void catalog_free_strv(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void catalog_movie_free(struct catalog_movie *cm)
{
    if (!cm)
        return;
    free((char *)cm->m.id);
    free((char *)cm->m.title);
    catalog_free_strv((char **)cm->m.genres, cm->m.n_genres);
    catalog_free_strv((char **)cm->m.tags, cm->m.n_tags);
    for (size_t i = 0; i < cm->m.n_scenes; i++) {
        struct recut_scene *s = (struct recut_scene *)&cm->m.scenes[i];
        catalog_free_strv((char **)s->labels, s->n_labels);
        catalog_free_strv((char **)s->emotions, s->n_emotions);
        free((double *)s->emotion_p);
    }
    free((struct recut_scene *)cm->m.scenes);
    if (cm->scene_tags)
        for (size_t i = 0; i < cm->m.n_scenes; i++)
            catalog_free_strv(cm->scene_tags[i], cm->scene_n_tags[i]);
    free(cm->scene_tags);
    free(cm->scene_n_tags);
    free(cm->taste_x);
    catalog_free_strv(cm->features, cm->n_features);
    free(cm->json);
    free(cm);
}

static void catalog_movie_free_v(void *p)
{
    catalog_movie_free(p);
}

void catalog_free(struct catalog *c)
{
    strmap_clear(&c->by_id, catalog_movie_free_v);
    free(c->list);
    memset(c, 0, sizeof *c);
}

int catalog_feature(char *out, size_t n, const char *kind, const char *value)
{
    int w = snprintf(out, n, "%s:", kind);
    if (w < 0 || (size_t)w >= n)
        return -1;
    size_t o = (size_t)w;
    for (const char *p = value; *p; p++) {
        if (o + 1 >= n)
            return -1;
        unsigned char ch = (unsigned char)*p;
        out[o++] = (char)(ch < 0x80 ? tolower(ch) : ch);
    }
    out[o] = '\0';
    return 0;
}

/* Array of strings -> heap vector; -1 on type error. */
static int catalog_strv(json_t *arr, const char *name, char ***out, size_t *n, char *errstr,
                        size_t errstr_size)
{
    *out = NULL;
    *n = 0;
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr)) {
        snprintf(errstr, errstr_size, "'%s' must be an array of strings", name);
        return -1;
    }
    size_t cnt = json_array_size(arr);
    if (cnt > 1000) {
        snprintf(errstr, errstr_size, "'%s' has more than 1000 entries", name);
        return -1;
    }
    char **v = calloc(cnt ? cnt : 1, sizeof *v);
    if (!v) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < cnt; i++) {
        json_t *s = json_array_get(arr, i);
        if (!json_is_string(s) || json_string_length(s) == 0 || json_string_length(s) > 256) {
            snprintf(errstr, errstr_size, "'%s'[%zu] must be a string of 1..256 bytes", name, i);
            catalog_free_strv(v, i);
            return -1;
        }
        v[i] = strdup(json_string_value(s));
        if (!v[i]) {
            catalog_free_strv(v, i);
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
    }
    *out = v;
    *n = cnt;
    return 0;
}

static int catalog_num(json_t *obj, const char *name, double *out, double lo, double hi,
                       int required, double def, const char *where, char *errstr,
                       size_t errstr_size)
{
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v)) {
        if (required) {
            snprintf(errstr, errstr_size, "%smissing '%s'", where, name);
            return -1;
        }
        *out = def;
        return 0;
    }
    if (!json_is_number(v)) {
        snprintf(errstr, errstr_size, "%s'%s' must be a number", where, name);
        return -1;
    }
    double d = json_number_value(v);
    if (!isfinite(d) || d < lo || d > hi) {
        snprintf(errstr, errstr_size, "%s'%s' = %g is outside [%g, %g]", where, name, d, lo, hi);
        return -1;
    }
    *out = d;
    return 0;
}

/* scenes[idx].tags, an optional array of strings, into cm->scene_tags. */
static int catalog_scene_tags(struct catalog_movie *cm, json_t *js, size_t idx, size_t ns,
                              char *errstr, size_t errstr_size)
{
    json_t *tags = json_object_get(js, "tags");
    if (!tags || json_is_null(tags))
        return 0;
    char name[48], **v;
    size_t n;
    snprintf(name, sizeof name, "scenes[%zu].tags", idx);
    if (catalog_strv(tags, name, &v, &n, errstr, errstr_size) < 0)
        return -1;
    if (!cm->scene_tags) {
        cm->scene_tags = calloc(ns, sizeof *cm->scene_tags);
        cm->scene_n_tags = calloc(ns, sizeof *cm->scene_n_tags);
        if (!cm->scene_tags || !cm->scene_n_tags) {
            catalog_free_strv(v, n);
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
    }
    cm->scene_tags[idx] = v;
    cm->scene_n_tags[idx] = n;
    return 0;
}

static int catalog_scene_parse(json_t *js, struct recut_scene *s, size_t idx, double duration,
                               char *errstr, size_t errstr_size)
{
    char where[48];
    snprintf(where, sizeof where, "scenes[%zu]: ", idx);
    if (!json_is_object(js)) {
        snprintf(errstr, errstr_size, "%smust be an object", where);
        return -1;
    }
    if (catalog_num(js, "start", &s->start, 0, duration, 1, 0, where, errstr, errstr_size) < 0 ||
        catalog_num(js, "end", &s->end, 0, duration, 1, 0, where, errstr, errstr_size) < 0 ||
        catalog_num(js, "arousal", &s->arousal, 0, 1, 0, 0.5, where, errstr, errstr_size) < 0 ||
        catalog_num(js, "valence", &s->valence, -1, 1, 0, 0, where, errstr, errstr_size) < 0)
        return -1;
    if (!(s->end > s->start)) {
        snprintf(errstr, errstr_size, "%s'end' must be after 'start'", where);
        return -1;
    }
    char **labels;
    if (catalog_strv(json_object_get(js, "labels"), "labels", &labels, &s->n_labels, errstr,
                     errstr_size) < 0)
        return -1;
    s->labels = (const char *const *)labels;
    json_t *emo = json_object_get(js, "emotion");
    if (emo && !json_is_null(emo)) {
        if (!json_is_object(emo) || json_object_size(emo) > 64) {
            snprintf(errstr, errstr_size, "%s'emotion' must be an object label: probability",
                     where);
            return -1;
        }
        size_t n = json_object_size(emo);
        char **names = calloc(n ? n : 1, sizeof *names);
        double *p = calloc(n ? n : 1, sizeof *p);
        s->emotions = (const char *const *)names;
        s->emotion_p = p;
        if (!names || !p) {
            snprintf(errstr, errstr_size, "out of memory");
            return -1;
        }
        const char *k;
        json_t *v;
        json_object_foreach(emo, k, v)
        {
            if (!json_is_number(v) || !(json_number_value(v) >= 0 && json_number_value(v) <= 1)) {
                snprintf(errstr, errstr_size, "%semotion '%s' must be a probability", where, k);
                return -1;
            }
            names[s->n_emotions] = strdup(k);
            if (!names[s->n_emotions]) {
                snprintf(errstr, errstr_size, "out of memory");
                return -1;
            }
            p[s->n_emotions++] = json_number_value(v);
        }
    }
    return 0;
}

static int catalog_add_feature(struct catalog_movie *cm, const char *kind, const char *val)
{
    char f[300];
    if (catalog_feature(f, sizeof f, kind, val) < 0)
        return 0; /* over-long: not a feature */
    for (size_t i = 0; i < cm->n_features; i++)
        if (strcmp(cm->features[i], f) == 0)
            return 0;
    char **nf = realloc(cm->features, (cm->n_features + 1) * sizeof *nf);
    if (!nf)
        return -1;
    cm->features = nf;
    if (!(nf[cm->n_features] = strdup(f)))
        return -1;
    cm->n_features++;
    return 0;
}

struct catalog_movie *catalog_movie_parse(const char *buf, size_t len, const char *want_id,
                                          char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(errstr, errstr_size, "invalid JSON at line %d column %d: %s", jerr.line,
                 jerr.column, jerr.text);
        return NULL;
    }
    struct catalog_movie *cm = calloc(1, sizeof *cm);
    if (!cm) {
        snprintf(errstr, errstr_size, "out of memory");
        json_decref(root);
        return NULL;
    }
    if (!json_is_object(root)) {
        snprintf(errstr, errstr_size, "a catalog entry must be a JSON object");
        goto fail;
    }
    json_t *id = json_object_get(root, "id");
    if (want_id && !id) {
        json_object_set_new(root, "id", json_string(want_id));
        id = json_object_get(root, "id");
    }
    if (!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) > 128) {
        snprintf(errstr, errstr_size, "'id' must be a string of 1..128 bytes");
        goto fail;
    }
    if (want_id && strcmp(want_id, json_string_value(id)) != 0) {
        snprintf(errstr, errstr_size, "'id' in the body does not match the URL");
        goto fail;
    }
    cm->m.id = strdup(json_string_value(id));
    json_t *title = json_object_get(root, "title");
    if (title && !json_is_null(title) && !json_is_string(title)) {
        snprintf(errstr, errstr_size, "'title' must be a string");
        goto fail;
    }
    cm->m.title = strdup(json_is_string(title) ? json_string_value(title) : "");
    if (!cm->m.id || !cm->m.title) {
        snprintf(errstr, errstr_size, "out of memory");
        goto fail;
    }
    if (catalog_num(root, "duration", &cm->m.duration, 1e-3, 1e7, 1, 0, "", errstr, errstr_size) <
        0)
        goto fail;
    /* the file's frame rate and audio, for the EDL (optional) */
    cm->audio = -1;
    json_t *src = json_object_get(root, "source");
    if (json_is_object(src)) {
        /* "source" is kept as given: an odd fps is only not used */
        json_t *fps = json_object_get(src, "fps");
        double f = json_is_number(fps) ? json_number_value(fps) : 0.0;
        cm->fps = isfinite(f) && f >= 1.0 && f <= 240.0 ? f : 0.0;
        json_t *audio = json_object_get(src, "audio");
        if (json_is_boolean(audio))
            cm->audio = json_is_true(audio);
    }
    char **genres, **tags;
    if (catalog_strv(json_object_get(root, "genres"), "genres", &genres, &cm->m.n_genres, errstr,
                     errstr_size) < 0)
        goto fail;
    cm->m.genres = (const char *const *)genres;
    if (catalog_strv(json_object_get(root, "tags"), "tags", &tags, &cm->m.n_tags, errstr,
                     errstr_size) < 0)
        goto fail;
    cm->m.tags = (const char *const *)tags;
    json_t *scenes = json_object_get(root, "scenes");
    if (!json_is_array(scenes)) {
        snprintf(errstr, errstr_size, "'scenes' must be an array");
        goto fail;
    }
    size_t ns = json_array_size(scenes);
    if (ns > 100000) {
        snprintf(errstr, errstr_size, "too many scenes");
        goto fail;
    }
    struct recut_scene *sv = calloc(ns ? ns : 1, sizeof *sv);
    if (!sv) {
        snprintf(errstr, errstr_size, "out of memory");
        goto fail;
    }
    cm->m.scenes = sv;
    for (size_t i = 0; i < ns; i++) {
        cm->m.n_scenes = i + 1;
        if (catalog_scene_parse(json_array_get(scenes, i), &sv[i], i, cm->m.duration, errstr,
                                errstr_size) < 0 ||
            catalog_scene_tags(cm, json_array_get(scenes, i), i, ns, errstr, errstr_size) < 0)
            goto fail;
        if (i > 0 && sv[i].start < sv[i - 1].end - 1e-9) {
            snprintf(errstr, errstr_size, "scenes[%zu] starts before scenes[%zu] ends", i, i - 1);
            goto fail;
        }
    }
    /* "features" stays as given; the taste model reads some of its keys */
    if (taste_catalog_vectors(cm, json_object_get(root, "features")) < 0)
        goto oom;
    for (size_t i = 0; i < cm->m.n_genres; i++)
        if (catalog_add_feature(cm, "genre", cm->m.genres[i]) < 0)
            goto oom;
    for (size_t i = 0; i < cm->m.n_tags; i++)
        if (catalog_add_feature(cm, "tag", cm->m.tags[i]) < 0)
            goto oom;
    cm->json = json_dumps(root, JSON_COMPACT);
    if (!cm->json)
        goto oom;
    json_decref(root);
    return cm;
oom:
    snprintf(errstr, errstr_size, "out of memory");
fail:
    json_decref(root);
    catalog_movie_free(cm);
    return NULL;
}

int catalog_put(struct catalog *c, struct catalog_movie *cm)
{
    struct strmap_entry *e = strmap_put(&c->by_id, cm->m.id);
    if (!e)
        return -1;
    c->changes++;
    if (e->ptr) {
        struct catalog_movie *old = e->ptr;
        cm->index = old->index;
        c->list[cm->index] = cm;
        catalog_movie_free(old);
        e->ptr = cm;
        return 0;
    }
    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 64;
        struct catalog_movie **nl = realloc(c->list, ncap * sizeof *nl);
        if (!nl) {
            strmap_del(&c->by_id, cm->m.id, NULL);
            return -1;
        }
        c->list = nl;
        c->cap = ncap;
    }
    cm->index = c->n;
    c->list[c->n++] = cm;
    e->ptr = cm;
    return 0;
}

const struct catalog_movie *catalog_get(const struct catalog *c, const char *id)
{
    struct strmap_entry *e = strmap_get(&c->by_id, id);
    return e ? e->ptr : NULL;
}

const struct catalog_movie *catalog_geth(const struct catalog *c, const char *id, size_t len,
                                         uint32_t hash)
{
    struct strmap_entry *e = strmap_geth(&c->by_id, id, len, hash);
    return e ? e->ptr : NULL;
}

long catalog_scene_at(const struct recut_movie *m, double t)
{
    for (size_t i = 0; i < m->n_scenes; i++)
        if (t >= m->scenes[i].start && t < m->scenes[i].end)
            return (long)i;
    return -1;
}
