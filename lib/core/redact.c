/* SPDX-License-Identifier: Apache-2.0 */
/*
 * redact.c -- dead letters without emotion readings (see redact.h).
 *
 * Why a rule on the message and not on consent: the consumer refuses a
 * message before it knows whose it is or whether that viewer consented,
 * and an operator reading the dead-letter topic must not learn a reading
 * that recutd itself would have dropped.  Over-redacting (a comment whose
 * text says "emotional") costs a replay; under-redacting leaks.
 */
#include "config.h"
#include "redact.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Whether the bytes hold needle (lower case ASCII), ignoring ASCII case. */
static int redact_has_ci(const char *p, size_t len, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; i + nl <= len; i++) {
        size_t j = 0;
        while (j < nl) {
            char c = p[i + j];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if (c != needle[j])
                break;
            j++;
        }
        if (j == nl)
            return 1;
    }
    return 0;
}

/* Copy the metadata members of ev that are present and plain into out. */
static int redact_copy_meta(json_t *out, json_t *ev)
{
    static const char *const meta[] = { "user", "type", "ts", "id", "movie", "scene" };
    for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++) {
        json_t *v = json_object_get(ev, meta[i]);
        if (!v)
            continue;
        if (json_is_string(v) && json_string_length(v) > 128)
            continue; /* the parser would refuse it anyway: not metadata */
        if (!json_is_string(v) && !json_is_integer(v) && !json_is_real(v))
            continue;
        if (json_object_set(out, meta[i], v) < 0)
            return -1;
    }
    return 0;
}

int redact_dead_letter(const char *payload, size_t len, char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (!redact_has_ci(payload, len, "emotion") && !redact_has_ci(payload, len, "\\u"))
        return 0;
    json_t *ev = json_loadb(payload, len, JSON_REJECT_DUPLICATES, NULL);
    if (ev && json_is_object(ev)) {
        json_t *type = json_object_get(ev, "type");
        int emotion = json_object_get(ev, "emotion") != NULL ||
                      (json_is_string(type) && strcmp(json_string_value(type), "emotion") == 0);
        if (!emotion) {
            json_decref(ev);
            return 0;
        }
    }
    json_t *r = json_object();
    int rc = -1;
    if (!r || json_object_set_new(r, "redacted", json_string(REDACT_NOTE)) < 0 ||
        json_object_set_new(r, "bytes", json_integer((json_int_t)len)) < 0)
        goto out;
    if (ev && json_is_object(ev) && redact_copy_meta(r, ev) < 0)
        goto out;
    *out = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
    if (!*out)
        goto out;
    *out_len = strlen(*out);
    rc = 1;
out:
    json_decref(r);
    json_decref(ev);
    return rc;
}
