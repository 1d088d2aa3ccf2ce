/* SPDX-License-Identifier: Apache-2.0 */
/* viewer_fields.c -- builds and splits the field names of a viewer's hashes
 * (viewer_fields.h), so that update.c, viewer.c, the HTTP profile and the
 * viewer groups share one spelling of the layout. */
#include "config.h"
#include "viewer_fields.h"

#include <stdio.h>
#include <string.h>

static const char *const viewer_field_classes[2] = { "dislike", "like" };

const char *viewer_field_class_name(enum viewer_class cls)
{
    return cls == VIEWER_LIKE ? viewer_field_classes[1] : viewer_field_classes[0];
}

int viewer_field_format(char *buf, size_t size, enum viewer_field_kind kind, enum viewer_class cls,
                        const char *feature)
{
    if ((kind != VIEWER_FIELD_SAMPLES && kind != VIEWER_FIELD_TOTAL &&
         kind != VIEWER_FIELD_FEATURE) ||
        (cls != VIEWER_LIKE && cls != VIEWER_DISLIKE) || (kind == VIEWER_FIELD_FEATURE && !feature))
        return -1;
    const char *cname = viewer_field_class_name(cls);
    size_t cl = strlen(cname), fl = kind == VIEWER_FIELD_FEATURE ? strlen(feature) + 1 : 0;
    size_t n = 2 + cl + fl;
    if (n >= size)
        return -1;
    char *p = buf;
    *p++ = (char)kind;
    *p++ = ':';
    memcpy(p, cname, cl);
    p += cl;
    if (fl) {
        *p++ = ':';
        memcpy(p, feature, fl - 1);
        p += fl - 1;
    }
    *p = '\0';
    return (int)n;
}

int viewer_field_parse(const char *field, size_t len, enum viewer_field_kind *kind,
                       enum viewer_class *cls, const char **feature)
{
    if (len < 3 || field[1] != ':' ||
        (field[0] != VIEWER_FIELD_SAMPLES && field[0] != VIEWER_FIELD_TOTAL &&
         field[0] != VIEWER_FIELD_FEATURE))
        return -1;
    const char *rest = field + 2;
    size_t rl = len - 2;
    for (int c = 0; c < 2; c++) {
        const char *cname = viewer_field_classes[c];
        size_t cl = strlen(cname);
        if (rl < cl || memcmp(rest, cname, cl) != 0)
            continue;
        if (field[0] == VIEWER_FIELD_FEATURE) {
            if (rl == cl || rest[cl] != ':')
                continue;
            *feature = rest + cl + 1;
        } else {
            if (rl != cl)
                continue;
            *feature = NULL;
        }
        *kind = (enum viewer_field_kind)field[0];
        *cls = (enum viewer_class)c;
        return 0;
    }
    return -1;
}

struct strmap_entry *viewer_field_get(const struct strmap *nb, enum viewer_field_kind kind,
                                      enum viewer_class cls, const char *feature)
{
    char k[VIEWER_FIELD_MAX];
    int n = viewer_field_format(k, sizeof k, kind, cls, feature);
    return n < 0 ? NULL : strmap_getn(nb, k, (size_t)n);
}

double viewer_field_value(const struct strmap *nb, enum viewer_field_kind kind,
                          enum viewer_class cls, const char *feature)
{
    struct strmap_entry *e = viewer_field_get(nb, kind, cls, feature);
    return e ? e->num : 0;
}

int viewer_field_scene(char *buf, size_t size, const char *movie, long scene)
{
    int n = snprintf(buf, size, "%s:%ld", movie, scene);
    return n < 0 || (size_t)n >= size ? -1 : n;
}
