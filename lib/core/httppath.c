/* SPDX-License-Identifier: Apache-2.0 */
/* httppath.c -- the HTTP API's request target, decoded and checked (see
 * httppath.h).
 *
 * Why a decoder of its own: evhttp_uridecode() returns a C string, so a
 * %00 in an id silently cut it ("csrfw%00junk" erased viewer "csrfw").
 * Here every segment and parameter is decoded with its length, and what a
 * handler receives is refused (400) unless it is exactly what was sent:
 * no NUL, no control byte, valid UTF-8, an id within VEVENT_ID_MAX. */
#include "config.h"
#include "httppath.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void httppath_err(char *errstr, size_t errstr_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void httppath_err(char *errstr, size_t errstr_size, const char *fmt, ...)
{
    if (!errstr || !errstr_size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errstr, errstr_size, fmt, ap);
    va_end(ap);
}

static int httppath_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode the N bytes at S into OUT (room for OUT_SIZE bytes, the last for
 * a NUL; what does not fit is counted, not written).  PLUS: '+' is a space
 * (query strings).  Returns the decoded length, or -1 on a bad escape. */
static long httppath_decode(const char *s, size_t n, int plus, char *out, size_t out_size)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (n - i < 3) /* fewer than two bytes follow */
                return -1;
            int a = httppath_hex(s[i + 1]), b = httppath_hex(s[i + 2]);
            if (a < 0 || b < 0)
                return -1;
            c = (char)(a * 16 + b);
            i += 2;
        } else if (plus && c == '+') {
            c = ' ';
        }
        if (o + 1 < out_size)
            out[o] = c;
        o++;
    }
    if (out_size)
        out[o < out_size ? o : out_size - 1] = '\0';
    return (long)o;
}

/* Why the LEN bytes at S are not clean text (a NUL, a control byte,
 * invalid UTF-8), or NULL. */
static const char *httppath_dirty(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0)
            return "holds a NUL byte";
        if (c < 0x20 || c == 0x7f)
            return "holds a control character";
    }
    if (!vevent_utf8_valid(s, len))
        return "is not valid UTF-8";
    return NULL;
}

int httppath_check_id(const char *s, size_t len, const char *what, char *errstr, size_t errstr_size)
{
    if (len == 0) {
        httppath_err(errstr, errstr_size, "invalid %s: empty", what);
        return -1;
    }
    if (len > VEVENT_ID_MAX) {
        httppath_err(errstr, errstr_size, "invalid %s: longer than %d bytes", what, VEVENT_ID_MAX);
        return -1;
    }
    const char *why = httppath_dirty(s, len);
    if (why) {
        httppath_err(errstr, errstr_size, "invalid %s: it %s", what, why);
        return -1;
    }
    return 0;
}

/* ---- the path ------------------------------------------------------------ */
#define HTTPPATH_SEGS_MAX 6

struct httppath_seg {
    const char *raw; /* as sent */
    size_t raw_len;
    long len; /* decoded */
    char dec[VEVENT_ID_MAX + 2];
};

static int httppath_is(const struct httppath_seg *s, const char *name)
{
    return (size_t)s->len == strlen(name) && memcmp(s->dec, name, (size_t)s->len) == 0;
}

/* Copy segment S into DST (VEVENT_ID_MAX + 1 bytes) if it is a valid id. */
static int httppath_take_id(const struct httppath_seg *s, char *dst, const char *what, char *errstr,
                            size_t errstr_size)
{
    if (httppath_check_id(s->dec, (size_t)s->len, what, errstr, errstr_size) < 0)
        return -1;
    memcpy(dst, s->dec, (size_t)s->len);
    dst[s->len] = '\0';
    return 0;
}

static int httppath_route(struct httppath *p, struct httppath_seg *seg, int n, char *errstr,
                          size_t errstr_size)
{
    p->route = HTTPPATH_NOT_FOUND;
    if (n == 1 && httppath_is(&seg[0], "metrics")) {
        p->route = HTTPPATH_METRICS;
        return 0;
    }
    /* the console: its own handler decodes and checks the whole path */
    if (n >= 1 && httppath_is(&seg[0], "ui")) {
        p->route = HTTPPATH_UI;
        return 0;
    }
    if (n < 2 || !httppath_is(&seg[0], "v1"))
        return 0;
    if (n == 2) {
        if (httppath_is(&seg[1], "health"))
            p->route = HTTPPATH_HEALTH;
        else if (httppath_is(&seg[1], "events"))
            p->route = HTTPPATH_EVENTS;
        else if (httppath_is(&seg[1], "plugins"))
            p->route = HTTPPATH_PLUGINS;
        else if (httppath_is(&seg[1], "experiments"))
            p->route = HTTPPATH_EXPERIMENTS;
        return 0;
    }
    if ((n == 3 ||
         (n == 4 && (httppath_is(&seg[3], "media") || httppath_is(&seg[3], "neighbours")))) &&
        httppath_is(&seg[1], "movies")) {
        if (httppath_take_id(&seg[2], p->movie, "movie id", errstr, errstr_size) < 0)
            return -1;
        p->route = n == 3                          ? HTTPPATH_MOVIE
                   : httppath_is(&seg[3], "media") ? HTTPPATH_MOVIE_MEDIA
                                                   : HTTPPATH_MOVIE_NEIGHBOURS;
        return 0;
    }
    if (!httppath_is(&seg[1], "users"))
        return 0;
    /* users/ID...: the viewer id is checked first, whatever follows */
    if (httppath_take_id(&seg[2], p->user, "viewer id", errstr, errstr_size) < 0)
        return -1;
    if (n == 3) {
        p->route = HTTPPATH_USER;
    } else if (n == 4 && httppath_is(&seg[3], "recommendations")) {
        p->route = HTTPPATH_USER_RECS;
    } else if (n == 4 && httppath_is(&seg[3], "profile")) {
        p->route = HTTPPATH_USER_PROFILE;
    } else if ((n == 5 || (n == 6 && httppath_is(&seg[5], "publish"))) &&
               httppath_is(&seg[3], "cuts")) {
        if (httppath_take_id(&seg[4], p->movie, "movie id", errstr, errstr_size) < 0)
            return -1;
        p->route = n == 5 ? HTTPPATH_USER_CUT : HTTPPATH_USER_PUBLISH;
    }
    if (p->route == HTTPPATH_NOT_FOUND)
        p->user[0] = '\0';
    return 0;
}

static int httppath_parse_path(struct httppath *p, const char *path, char *errstr,
                               size_t errstr_size)
{
    struct httppath_seg seg[HTTPPATH_SEGS_MAX + 1];
    int n = 0;
    /* empty segments ("//") are skipped, as they always were */
    for (const char *s = path; *s;) {
        if (*s == '/') {
            s++;
            continue;
        }
        size_t l = strcspn(s, "/");
        if (n > HTTPPATH_SEGS_MAX)
            return 0; /* more segments than any route: 404 */
        struct httppath_seg *g = &seg[n++];
        g->raw = s;
        g->raw_len = l;
        g->len = httppath_decode(s, l, 0, g->dec, sizeof g->dec);
        if (g->len < 0) {
            httppath_err(errstr, errstr_size, "invalid path: bad %%-escape in segment %d", n);
            return -1;
        }
        s += l;
    }
    if (n > HTTPPATH_SEGS_MAX)
        return 0;
    /* an id says what is wrong with it; then any other segment that is not
     * clean text is refused too (a long one is a 404: no route has it) */
    if (httppath_route(p, seg, n, errstr, errstr_size) < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        const char *why =
            seg[i].len <= VEVENT_ID_MAX ? httppath_dirty(seg[i].dec, (size_t)seg[i].len) : NULL;
        if (why) {
            httppath_err(errstr, errstr_size, "invalid path: segment %d %s", i + 1, why);
            p->route = HTTPPATH_NOT_FOUND;
            return -1;
        }
    }
    return 0;
}

/* ---- the query string ---------------------------------------------------- */
/* exclude=a,b,c: every non-empty item must be a valid movie id */
static int httppath_check_list(const char *name, const char *v, char *errstr, size_t errstr_size)
{
    for (const char *s = v; *s;) {
        size_t l = strcspn(s, ",");
        if (l > 0) {
            char what[64];
            snprintf(what, sizeof what, "id in '%s'", name);
            if (httppath_check_id(s, l, what, errstr, errstr_size) < 0)
                return -1;
        }
        s += l;
        if (*s == ',')
            s++;
    }
    return 0;
}

static int httppath_parse_query(struct httppath *p, const char *query, char *errstr,
                                size_t errstr_size)
{
    size_t qlen = strlen(query);
    /* decoded text is never longer than encoded: one buffer holds all */
    p->store = malloc(qlen + 2 * HTTPPATH_PARAMS_MAX + 2);
    if (!p->store) {
        httppath_err(errstr, errstr_size, "out of memory");
        return -1;
    }
    char *o = p->store;
    for (const char *s = query; *s;) {
        size_t l = strcspn(s, "&");
        if (l == 0) {
            s++;
            continue;
        }
        if (p->n_params == HTTPPATH_PARAMS_MAX) {
            httppath_err(errstr, errstr_size, "more than %d query parameters", HTTPPATH_PARAMS_MAX);
            return -1;
        }
        const char *eq = memchr(s, '=', l);
        size_t nl = eq ? (size_t)(eq - s) : l;
        const char *v = eq ? eq + 1 : s + l;
        size_t vl = eq ? l - nl - 1 : 0;
        char *name = o;
        long dn = httppath_decode(s, nl, 1, name, nl + 1);
        if (dn < 0 || dn == 0) {
            httppath_err(errstr, errstr_size,
                         dn < 0 ? "bad %%-escape in a query parameter's name"
                                : "query parameter without a name");
            return -1;
        }
        const char *why = httppath_dirty(name, (size_t)dn);
        if (why) {
            httppath_err(errstr, errstr_size, "a query parameter's name %s", why);
            return -1;
        }
        char *value = name + dn + 1;
        long dv = httppath_decode(v, vl, 1, value, vl + 1);
        if (dv < 0) {
            httppath_err(errstr, errstr_size, "query parameter '%s': bad %%-escape", name);
            return -1;
        }
        if (dv > HTTPPATH_VALUE_MAX) {
            httppath_err(errstr, errstr_size, "query parameter '%s' is longer than %d bytes", name,
                         HTTPPATH_VALUE_MAX);
            return -1;
        }
        why = httppath_dirty(value, (size_t)dv);
        if (why) {
            httppath_err(errstr, errstr_size, "query parameter '%s' %s", name, why);
            return -1;
        }
        if (strcmp(name, "exclude") == 0 &&
            httppath_check_list(name, value, errstr, errstr_size) < 0)
            return -1;
        p->params[p->n_params++] = (struct httppath_param){ name, value };
        o = value + dv + 1;
        s += l;
    }
    return 0;
}

int httppath_parse(struct httppath *p, const char *path, const char *query, char *errstr,
                   size_t errstr_size)
{
    memset(p, 0, sizeof *p);
    if (errstr && errstr_size)
        errstr[0] = '\0';
    if (httppath_parse_path(p, path ? path : "", errstr, errstr_size) < 0)
        return -1;
    if (query && httppath_parse_query(p, query, errstr, errstr_size) < 0)
        return -1;
    return 0;
}

void httppath_clear(struct httppath *p)
{
    free(p->store);
    p->store = NULL;
    p->n_params = 0;
}

const char *httppath_param(const struct httppath *p, const char *name)
{
    for (size_t i = 0; i < p->n_params; i++)
        if (strcmp(p->params[i].name, name) == 0)
            return p->params[i].value;
    return NULL;
}
