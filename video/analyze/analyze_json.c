/* SPDX-License-Identifier: Apache-2.0 */
/* analyze_json.c -- build the catalog entry with jansson. */
#include "analyze_json.h"
#include "analyze_affect.h"

#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *analyze_json_num(double x, double scale)
{
    return json_real(round(x * scale) / scale);
}

static json_t *analyze_json_list(const char *csv)
{
    json_t *a = json_array();
    if (!a || !csv)
        return a;
    const char *p = csv;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len > 0 && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len > 0)
            json_array_append_new(a, json_stringn(p, len));
        if (!e)
            break;
        p = e + 1;
    }
    return a;
}

static json_t *analyze_json_scene(const struct analyze_movie *m, const struct analyze_scene *sc)
{
    json_t *o = json_object();
    json_object_set_new(o, "start", analyze_json_num(sc->start, 1000));
    json_object_set_new(o, "end", analyze_json_num(sc->end, 1000));
    json_t *labels = json_array();
    for (int i = 0; i < sc->nlabels; i++)
        json_array_append_new(labels, json_string(sc->labels[i]));
    json_object_set_new(o, "labels", labels);
    if (sc->ntags) {
        json_t *tags = json_array();
        for (int i = 0; i < sc->ntags; i++)
            json_array_append_new(tags, json_string(sc->tags[i]));
        json_object_set_new(o, "tags", tags);
    }
    json_t *emo = json_object();
    for (int q = 0; q < 4; q++)
        json_object_set_new(emo, analyze_affect_emotions[q],
                            analyze_json_num(sc->emotion[q], 1000));
    json_object_set_new(o, "emotion", emo);
    json_object_set_new(o, "arousal", analyze_json_num(sc->arousal, 1000));
    json_object_set_new(o, "valence", analyze_json_num(sc->valence, 1000));
    (void)m;
    return o;
}

static json_t *analyze_json_features(const struct analyze_movie *m, const struct analyze_feat *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "duration", analyze_json_num(f->duration, 1000));
    json_object_set_new(o, "motion", analyze_json_num(f->motion, 1e5));
    json_object_set_new(o, "cut_rate", analyze_json_num(f->cut_rate, 1e4));
    json_object_set_new(o, "shots", json_integer(f->shots));
    json_object_set_new(o, "luminance", analyze_json_num(f->luminance, 1e4));
    json_object_set_new(o, "saturation", analyze_json_num(f->saturation, 1e4));
    json_object_set_new(o, "colorfulness", analyze_json_num(f->colorfulness, 1e4));
    if (m->has_audio) {
        json_object_set_new(o, "loudness", analyze_json_num(f->loudness, 100));
        json_object_set_new(o, "loudness_var", analyze_json_num(f->loudness_var, 100));
    }
    json_object_set_new(o, "alternation", analyze_json_num(f->alternation, 1000));
    if (m->people) {
        json_object_set_new(o, "faces", json_integer(f->faces));
        json_object_set_new(o, "face_share", analyze_json_num(f->face_share, 1e4));
        json_object_set_new(o, "smile", analyze_json_num(f->smile, 1000));
    }
    /* dialogue: analyze_sound.c, analyze_subs.c */
    const struct analyze_scene *sc =
        (const struct analyze_scene *)((const char *)f - offsetof(struct analyze_scene, feat));
    if (m->nsnd) {
        json_object_set_new(o, "speech", analyze_json_num(sc->speech, 1000));
        json_object_set_new(o, "music", analyze_json_num(sc->music, 1000));
        json_object_set_new(o, "silence", analyze_json_num(sc->silence, 1000));
    }
    if (sc->subtitle)
        json_object_set_new(o, "subtitle", json_string(sc->subtitle));
    if (sc->has_sentiment)
        json_object_set_new(o, "sentiment", analyze_json_num(sc->sentiment, 1000));
    return o;
}

char *analyze_json_dump(const struct analyze_movie *m, const struct analyze_json_meta *meta,
                        char *errstr, size_t errstr_size)
{
    json_t *root = json_object();
    if (!root)
        goto oom;
    json_object_set_new(root, "id", json_string(meta->id));
    json_object_set_new(root, "title", json_string(meta->title ? meta->title : meta->id));
    json_object_set_new(root, "duration", analyze_json_num(m->duration, 1000));
    json_object_set_new(root, "genres", analyze_json_list(meta->genres));
    json_object_set_new(root, "tags", analyze_json_list(meta->tags));
    json_t *scenes = json_array(), *shots = json_array(), *feats = json_array();
    json_object_set_new(root, "scenes", scenes);
    json_object_set_new(root, "shots", shots);
    json_object_set_new(root, "features", feats);
    for (size_t i = 0; i < m->nscenes; i++) {
        json_array_append_new(scenes, analyze_json_scene(m, &m->scenes[i]));
        json_array_append_new(feats, analyze_json_features(m, &m->scenes[i].feat));
    }
    for (size_t i = 0; i < m->nshots; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "start", analyze_json_num(m->shots[i].start, 1000));
        json_object_set_new(s, "end", analyze_json_num(m->shots[i].end, 1000));
        if (i > 0 && m->cuts[i - 1].gradual)
            json_object_set_new(s, "transition", json_string("gradual"));
        json_array_append_new(shots, s);
    }
    json_t *src = json_object();
    json_object_set_new(src, "width", json_integer(m->width));
    json_object_set_new(src, "height", json_integer(m->height));
    json_object_set_new(src, "rotation", json_integer(m->rotation));
    json_object_set_new(src, "fps", analyze_json_num(m->fps, 1000));
    json_object_set_new(src, "vfr", json_boolean(m->vfr));
    json_object_set_new(src, "audio", json_boolean(m->has_audio));
    json_object_set_new(src, "frames", json_integer((json_int_t)m->nf));
    if (m->truncated)
        json_object_set_new(src, "truncated", json_true());
    if (m->corrupt || m->decode_errors)
        json_object_set_new(src, "skipped_errors", json_integer(m->corrupt + m->decode_errors));
    json_object_set_new(root, "source", src);
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (!text)
        goto oom;
    size_t len = strlen(text);
    char *out = malloc(len + 2);
    if (!out) {
        free(text);
        goto oom;
    }
    memcpy(out, text, len);
    out[len] = '\n';
    out[len + 1] = '\0';
    free(text);
    return out;
oom:
    snprintf(errstr, errstr_size, "out of memory building JSON");
    return NULL;
}
