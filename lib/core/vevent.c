/* SPDX-License-Identifier: Apache-2.0 */
/* vevent.c -- JSON viewer events, strictly validated. */
#include "config.h"
#include "vevent.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const vevent_type_names[VEVENT_N_TYPES] = {
    "view",    "skip",  "rewatch", "like",    "dislike", "rating",
    "comment", "share", "emotion", "consent", "forget",
};

static const char *const vevent_error_names[VEVENT_N_ERRORS] = {
    "ok",           "empty",         "too_large",      "bad_json",       "bad_utf8",
    "not_object",   "missing_field", "bad_field_type", "field_too_long", "unknown_type",
    "out_of_range", "key_mismatch",  "out_of_memory",  "unknown_movie",  "bad_viewer_state",
};

static void *(*vevent_alloc)(size_t) = malloc;

void vevent_set_alloc_hook(void *(*alloc)(size_t))
{
    vevent_alloc = alloc ? alloc : malloc;
}

const char *vevent_type_name(enum vevent_type t)
{
    return (unsigned)t < VEVENT_N_TYPES ? vevent_type_names[t] : "?";
}

int vevent_type_parse(const char *s)
{
    for (int i = 0; i < VEVENT_N_TYPES; i++)
        if (strcmp(s, vevent_type_names[i]) == 0)
            return i;
    return -1;
}

const char *vevent_error_name(enum vevent_error e)
{
    return (unsigned)e < VEVENT_N_ERRORS ? vevent_error_names[e] : "?";
}

int vevent_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}

void vevent_clear(struct vevent *ev)
{
    free(ev->text);
    memset(ev, 0, sizeof *ev);
    ev->scene = -1;
    ev->t = -1;
}

#define FAIL(code, ...)                                                                            \
    do {                                                                                           \
        snprintf(errstr, errstr_size, __VA_ARGS__);                                                \
        rc = (code);                                                                               \
        goto out;                                                                                  \
    } while (0)

/* Copy a string field; 0 ok, else error code. */
static enum vevent_error vevent_str(json_t *obj, const char *name, char *dst, size_t cap,
                                    int required, char *errstr, size_t errstr_size)
{
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v)) {
        if (required) {
            snprintf(errstr, errstr_size, "missing required field '%s'", name);
            return VEVENT_E_MISSING;
        }
        dst[0] = '\0';
        return VEVENT_OK;
    }
    if (!json_is_string(v)) {
        snprintf(errstr, errstr_size, "field '%s' must be a string", name);
        return VEVENT_E_TYPE;
    }
    size_t len = json_string_length(v);
    if (len == 0) {
        snprintf(errstr, errstr_size, "field '%s' must not be empty", name);
        return required ? VEVENT_E_MISSING : VEVENT_E_RANGE;
    }
    if (len >= cap) {
        snprintf(errstr, errstr_size, "field '%s' is longer than %zu bytes", name, cap - 1);
        return VEVENT_E_TOO_LONG;
    }
    const char *s = json_string_value(v);
    if (memchr(s, '\0', len)) {
        snprintf(errstr, errstr_size, "field '%s' contains a NUL character", name);
        return VEVENT_E_RANGE;
    }
    memcpy(dst, s, len + 1);
    return VEVENT_OK;
}

/* The per-type requirements, once the fields are read. */
static enum vevent_error vevent_check(const struct vevent *ev, const char *type, char *errstr,
                                      size_t errstr_size)
{
    enum vevent_error rc = VEVENT_OK;
    switch (ev->type) {
    case VEVENT_CONSENT:
        if (!ev->has_value || (ev->value != 0 && ev->value != 1))
            FAIL(ev->has_value ? VEVENT_E_RANGE : VEVENT_E_MISSING, "consent needs 'value' 0 or 1");
        break;
    case VEVENT_FORGET:
        break;
    default:
        if (!ev->movie[0])
            FAIL(VEVENT_E_MISSING, "%s event needs field 'movie'", type);
        break;
    }
    if (ev->type == VEVENT_RATING) {
        if (!ev->has_value)
            FAIL(VEVENT_E_MISSING, "rating event needs field 'value'");
        if (ev->value < 0 || ev->value > 10)
            FAIL(VEVENT_E_RANGE, "rating 'value' must be in [0, 10]");
    }
    if (ev->type == VEVENT_VIEW && ev->has_value && (ev->value < 0 || ev->value > 1))
        FAIL(VEVENT_E_RANGE, "view 'value' (watched fraction) must be in [0, 1]");
    if (ev->type == VEVENT_COMMENT && !ev->text)
        FAIL(VEVENT_E_MISSING, "comment event needs field 'text'");
    if (ev->type == VEVENT_EMOTION && ev->n_emotions == 0)
        FAIL(VEVENT_E_MISSING, "emotion event needs a non-empty field 'emotion'");

out:
    return rc;
}

/* ---- the fast path ----------------------------------------------------------
 * Most events are a flat object of the known fields, plain strings and
 * numbers.  vevent_fast reads exactly those in one pass without building a
 * tree; anything else (an escape, null, true/false, an unknown or repeated
 * key, nesting, an emotion object, a field that would fail validation)
 * returns 0 and the message goes through jansson, which then also gives
 * the precise error.  What the fast path accepts it reads exactly as the
 * jansson path would (tests/test_vevent.c compares the two). */
struct vevent_cur {
    const char *p, *end;
};

static void vevent_ws(struct vevent_cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* A string without escapes or control characters: its bytes in [*s, +*n). */
static int vevent_fast_str(struct vevent_cur *c, const char **s, size_t *n)
{
    if (c->p >= c->end || *c->p != '"')
        return 0;
    const char *b = ++c->p;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p;
        if (ch == '"') {
            *s = b;
            *n = (size_t)(c->p - b);
            c->p++;
            return 1;
        }
        if (ch == '\\' || ch < 0x20)
            return 0;
        c->p++;
    }
    return 0;
}

/* A JSON number; *is_int when it has neither fraction nor exponent. */
static int vevent_fast_num(struct vevent_cur *c, double *d, long long *ll, int *is_int)
{
    const char *b = c->p, *q = c->p;
    if (q < c->end && *q == '-')
        q++;
    if (q >= c->end || *q < '0' || *q > '9')
        return 0;
    if (*q == '0') {
        q++;
    } else {
        while (q < c->end && *q >= '0' && *q <= '9')
            q++;
    }
    size_t int_digits = (size_t)(q - b) - (*b == '-');
    *is_int = 1;
    if (q < c->end && *q == '.') {
        *is_int = 0;
        q++;
        if (q >= c->end || *q < '0' || *q > '9')
            return 0;
        while (q < c->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < c->end && (*q == 'e' || *q == 'E')) {
        *is_int = 0;
        q++;
        if (q < c->end && (*q == '+' || *q == '-'))
            q++;
        if (q >= c->end || *q < '0' || *q > '9')
            return 0;
        while (q < c->end && *q >= '0' && *q <= '9')
            q++;
    }
    char tmp[64];
    size_t len = (size_t)(q - b);
    if (len >= sizeof tmp || (*is_int && int_digits > 18))
        return 0; /* long numbers: jansson's range checks decide */
    memcpy(tmp, b, len);
    tmp[len] = '\0';
    if (*is_int) {
        *ll = strtoll(tmp, NULL, 10);
        *d = (double)*ll;
    } else {
        *d = strtod(tmp, NULL);
        if (!isfinite(*d))
            return 0;
    }
    c->p = q;
    return 1;
}

static int vevent_fast_copy(char *dst, size_t cap, const char *s, size_t n)
{
    if (n == 0 || n >= cap)
        return 0;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 1;
}

enum {
    VF_USER = 1,
    VF_TYPE = 2,
    VF_TS = 4,
    VF_ID = 8,
    VF_MOVIE = 16,
    VF_SCENE = 32,
    VF_T = 64,
    VF_VALUE = 128,
    VF_TEXT = 256
};

static int vevent_fast(struct vevent *ev, const char *buf, size_t len, char *type, size_t type_cap)
{
    struct vevent_cur c = { buf, buf + len };
    unsigned seen = 0;
    vevent_ws(&c);
    if (c.p >= c.end || *c.p++ != '{')
        return 0;
    for (;;) {
        vevent_ws(&c);
        const char *k, *s;
        size_t kn, sn;
        if (!vevent_fast_str(&c, &k, &kn))
            return 0;
        vevent_ws(&c);
        if (c.p >= c.end || *c.p++ != ':')
            return 0;
        vevent_ws(&c);
        static const struct {
            const char *name;
            unsigned bit;
        } keys[] = {
            { "user", VF_USER }, { "type", VF_TYPE },   { "ts", VF_TS },
            { "id", VF_ID },     { "movie", VF_MOVIE }, { "scene", VF_SCENE },
            { "t", VF_T },       { "value", VF_VALUE }, { "text", VF_TEXT },
        };
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (strlen(keys[i].name) == kn && memcmp(keys[i].name, k, kn) == 0)
                bit = keys[i].bit;
        if (!bit || (seen & bit))
            return 0; /* unknown, repeated, or "emotion" */
        seen |= bit;
        double d;
        long long ll;
        int is_int;
        switch (bit) {
        case VF_USER:
        case VF_TYPE:
        case VF_ID:
        case VF_MOVIE:
        case VF_TEXT:
            if (!vevent_fast_str(&c, &s, &sn))
                return 0;
            if (bit == VF_USER && !vevent_fast_copy(ev->user, sizeof ev->user, s, sn))
                return 0;
            if (bit == VF_TYPE && !vevent_fast_copy(type, type_cap, s, sn))
                return 0;
            if (bit == VF_ID && !vevent_fast_copy(ev->id, sizeof ev->id, s, sn))
                return 0;
            if (bit == VF_MOVIE && !vevent_fast_copy(ev->movie, sizeof ev->movie, s, sn))
                return 0;
            if (bit == VF_TEXT) {
                if (sn > VEVENT_TEXT_MAX || !(ev->text = vevent_alloc(sn + 1)))
                    return 0;
                memcpy(ev->text, s, sn);
                ev->text[sn] = '\0';
            }
            break;
        default:
            if (!vevent_fast_num(&c, &d, &ll, &is_int))
                return 0;
            if (bit == VF_TS) {
                if (!is_int || ll < 0)
                    return 0;
                ev->ts = ll;
            } else if (bit == VF_SCENE) {
                if (!is_int || ll < 0 || ll > 100000)
                    return 0;
                ev->scene = (long)ll;
            } else if (bit == VF_T) {
                if (!(d >= 0))
                    return 0;
                ev->t = d;
            } else {
                ev->value = d;
                ev->has_value = 1;
            }
            break;
        }
        vevent_ws(&c);
        if (c.p >= c.end)
            return 0;
        if (*c.p == ',') {
            c.p++;
            continue;
        }
        if (*c.p++ != '}')
            return 0;
        break;
    }
    vevent_ws(&c);
    if (c.p != c.end)
        return 0;
    return (seen & (VF_USER | VF_TYPE | VF_TS)) == (VF_USER | VF_TYPE | VF_TS);
}

static enum vevent_error vevent_parse_impl(struct vevent *ev, const char *buf, size_t len,
                                           const char *key, size_t key_len, size_t max_bytes,
                                           char *errstr, size_t errstr_size, int fast)
{
    enum vevent_error rc = VEVENT_OK;
    json_t *root = NULL;
    memset(ev, 0, sizeof *ev);
    ev->scene = -1;
    ev->t = -1;

    if (!buf || len == 0)
        FAIL(VEVENT_E_EMPTY, "empty message");
    if (len > max_bytes)
        FAIL(VEVENT_E_TOO_LARGE, "message of %zu bytes exceeds the limit of %zu", len, max_bytes);
    if (!vevent_utf8_valid(buf, len))
        FAIL(VEVENT_E_UTF8, "message is not valid UTF-8");
    char type[32];
    if (fast && vevent_fast(ev, buf, len, type, sizeof type)) {
        int t = vevent_type_parse(type);
        if (t >= 0 &&
            (!key || (key_len == strlen(ev->user) && memcmp(key, ev->user, key_len) == 0))) {
            ev->type = (enum vevent_type)t;
            if ((rc = vevent_check(ev, type, errstr, errstr_size)) != VEVENT_OK)
                vevent_clear(ev);
            return rc;
        }
    }
    /* the full path: jansson, and every error precisely */
    vevent_clear(ev);
    json_error_t jerr;
    root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    /* jansson says "out of memory", or, when even its lexer could not be
     * set up, returns no document with no error text at all */
    if (!root && (json_error_code(&jerr) == json_error_out_of_memory || !jerr.text[0]))
        FAIL(VEVENT_E_NOMEM, "out of memory while parsing the event");
    if (!root)
        FAIL(VEVENT_E_JSON, "invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
             jerr.text);
    if (!json_is_object(root))
        FAIL(VEVENT_E_NOT_OBJECT, "event must be a JSON object");

    if ((rc = vevent_str(root, "user", ev->user, sizeof ev->user, 1, errstr, errstr_size)))
        goto out;
    if (key && (key_len != strlen(ev->user) || memcmp(key, ev->user, key_len) != 0))
        FAIL(VEVENT_E_KEY, "message key does not match field 'user'");
    if ((rc = vevent_str(root, "type", type, sizeof type, 1, errstr, errstr_size))) {
        if (rc == VEVENT_E_TOO_LONG)
            rc = VEVENT_E_UNKNOWN_TYPE;
        goto out;
    }
    int t = vevent_type_parse(type);
    if (t < 0)
        FAIL(VEVENT_E_UNKNOWN_TYPE, "unknown event type '%s'", type);
    ev->type = (enum vevent_type)t;

    json_t *ts = json_object_get(root, "ts");
    if (!ts)
        FAIL(VEVENT_E_MISSING, "missing required field 'ts'");
    if (!json_is_integer(ts))
        FAIL(VEVENT_E_TYPE, "field 'ts' must be an integer (ms since epoch)");
    ev->ts = (int64_t)json_integer_value(ts);
    if (ev->ts < 0)
        FAIL(VEVENT_E_RANGE, "field 'ts' must not be negative");

    if ((rc = vevent_str(root, "id", ev->id, sizeof ev->id, 0, errstr, errstr_size)))
        goto out;
    if ((rc = vevent_str(root, "movie", ev->movie, sizeof ev->movie, 0, errstr, errstr_size)))
        goto out;

    json_t *scene = json_object_get(root, "scene");
    if (scene && !json_is_null(scene)) {
        if (!json_is_integer(scene))
            FAIL(VEVENT_E_TYPE, "field 'scene' must be an integer");
        json_int_t s = json_integer_value(scene);
        if (s < 0 || s > 100000)
            FAIL(VEVENT_E_RANGE, "field 'scene' out of range");
        ev->scene = (long)s;
    }
    json_t *tt = json_object_get(root, "t");
    if (tt && !json_is_null(tt)) {
        if (!json_is_number(tt))
            FAIL(VEVENT_E_TYPE, "field 't' must be a number");
        ev->t = json_number_value(tt);
        if (!(ev->t >= 0) || !isfinite(ev->t))
            FAIL(VEVENT_E_RANGE, "field 't' must be >= 0");
    }
    json_t *val = json_object_get(root, "value");
    if (val && !json_is_null(val)) {
        if (!json_is_number(val))
            FAIL(VEVENT_E_TYPE, "field 'value' must be a number");
        ev->value = json_number_value(val);
        if (!isfinite(ev->value))
            FAIL(VEVENT_E_RANGE, "field 'value' must be finite");
        ev->has_value = 1;
    }
    json_t *text = json_object_get(root, "text");
    if (text && !json_is_null(text)) {
        if (!json_is_string(text))
            FAIL(VEVENT_E_TYPE, "field 'text' must be a string");
        size_t tl = json_string_length(text);
        if (tl > VEVENT_TEXT_MAX)
            FAIL(VEVENT_E_TOO_LONG, "field 'text' is longer than %d bytes", VEVENT_TEXT_MAX);
        ev->text = vevent_alloc(tl + 1);
        if (!ev->text)
            FAIL(VEVENT_E_NOMEM, "out of memory while parsing the event");
        memcpy(ev->text, json_string_value(text), tl + 1);
    }
    json_t *emo = json_object_get(root, "emotion");
    if (emo && !json_is_null(emo)) {
        if (!json_is_object(emo))
            FAIL(VEVENT_E_TYPE, "field 'emotion' must be an object of label: probability");
        const char *label;
        json_t *p;
        json_object_foreach(emo, label, p)
        {
            if (ev->n_emotions == VEVENT_EMOTIONS_MAX)
                FAIL(VEVENT_E_TOO_LONG, "field 'emotion' has more than %d labels",
                     VEVENT_EMOTIONS_MAX);
            size_t ll = strlen(label);
            if (ll == 0 || ll >= sizeof ev->emotions[0].label)
                FAIL(VEVENT_E_TOO_LONG, "emotion label must be 1..32 bytes");
            if (!json_is_number(p))
                FAIL(VEVENT_E_TYPE, "an emotion reading must be a number");
            double pv = json_number_value(p);
            if (!(pv >= 0 && pv <= 1))
                FAIL(VEVENT_E_RANGE, "an emotion reading must be a probability in [0,1]");
            memcpy(ev->emotions[ev->n_emotions].label, label, ll + 1);
            ev->emotions[ev->n_emotions].p = pv;
            ev->n_emotions++;
        }
    }

    rc = vevent_check(ev, type, errstr, errstr_size);

out:
    json_decref(root);
    if (rc != VEVENT_OK)
        vevent_clear(ev);
    return rc;
}

enum vevent_error vevent_parse(struct vevent *ev, const char *buf, size_t len, const char *key,
                               size_t key_len, size_t max_bytes, char *errstr, size_t errstr_size)
{
    return vevent_parse_impl(ev, buf, len, key, key_len, max_bytes, errstr, errstr_size, 1);
}

enum vevent_error vevent_parse_full(struct vevent *ev, const char *buf, size_t len, const char *key,
                                    size_t key_len, size_t max_bytes, char *errstr,
                                    size_t errstr_size)
{
    return vevent_parse_impl(ev, buf, len, key, key_len, max_bytes, errstr, errstr_size, 0);
}
