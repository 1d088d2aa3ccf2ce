/* SPDX-License-Identifier: Apache-2.0 */
/*
 * editlist.c -- JSON, CMX 3600 EDL and ffconcat exports of a cut.
 */
#include "editlist.h"
#include "strbuf.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EDITLIST_MAX_EVENTS 999
#define EDITLIST_TITLE_MAX 70
#define EDITLIST_REEL_MAX 8

/* The text built in b (strbuf.h), or NULL with the reason; frees b. */
static char *editlist_buf_take(struct strbuf *b, char *errstr, size_t errstr_size)
{
    char *s = strbuf_take(b, NULL);
    if (!s)
        snprintf(errstr, errstr_size, "out of memory");
    return s;
}

/* Common checks: ids present, scene indices in range and ascending, scene
 * times finite, budget and score finite. */
static int editlist_check(const struct editlist *el, char *errstr, size_t errstr_size)
{
    if (el == NULL || el->movie == NULL) {
        snprintf(errstr, errstr_size, "edit list without a movie");
        return -1;
    }
    const struct recut_movie *m = el->movie;
    if (el->viewer == NULL || el->editor == NULL || m->id == NULL) {
        snprintf(errstr, errstr_size, "edit list without a viewer, editor or movie id");
        return -1;
    }
    if (el->n_scenes > 0 && el->scenes == NULL) {
        snprintf(errstr, errstr_size, "edit list of %zu scenes without the scene array",
                 el->n_scenes);
        return -1;
    }
    if (!isfinite(el->budget) || !isfinite(el->score)) {
        snprintf(errstr, errstr_size, "budget (%g) and score (%g) must be finite", el->budget,
                 el->score);
        return -1;
    }
    for (size_t k = 0; k < el->n_scenes; k++) {
        size_t i = el->scenes[k];
        if (i >= m->n_scenes || m->scenes == NULL) {
            snprintf(errstr, errstr_size, "scene index %zu out of range (movie %s has %zu scenes)",
                     i, m->id, m->n_scenes);
            return -1;
        }
        if (k > 0 && i <= el->scenes[k - 1]) {
            snprintf(errstr, errstr_size,
                     "scene indices must be strictly ascending (story order): %zu after %zu", i,
                     el->scenes[k - 1]);
            return -1;
        }
        const struct recut_scene *s = &m->scenes[i];
        if (!isfinite(s->start) || !isfinite(s->end) || s->start < 0.0 || s->end < s->start) {
            snprintf(errstr, errstr_size, "scene %zu of movie %s has an invalid span %g..%g", i,
                     m->id, s->start, s->end);
            return -1;
        }
    }
    return 0;
}

double editlist_duration(const struct editlist *el)
{
    char err[8];
    if (editlist_check(el, err, sizeof err) < 0)
        return -1.0;
    double t = 0.0;
    for (size_t k = 0; k < el->n_scenes; k++) {
        const struct recut_scene *s = &el->movie->scenes[el->scenes[k]];
        t += s->end - s->start;
    }
    return t;
}

/* json_object_set_new that reports a NULL value (invalid UTF-8, NaN). */
static int editlist_set(json_t *obj, const char *key, json_t *value)
{
    if (value == NULL)
        return -1;
    return json_object_set_new(obj, key, value);
}

char *editlist_json(const struct editlist *el, char *errstr, size_t errstr_size)
{
    if (editlist_check(el, errstr, errstr_size) < 0)
        return NULL;
    json_t *root = json_object(), *scenes = json_array();
    if (root == NULL || scenes == NULL) {
        json_decref(root);
        json_decref(scenes);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    json_t *viewer = json_string(el->viewer), *movie = json_string(el->movie->id),
           *editor = json_string(el->editor);
    if (viewer == NULL || movie == NULL || editor == NULL) {
        json_decref(viewer);
        json_decref(movie);
        json_decref(editor);
        json_decref(root);
        json_decref(scenes);
        snprintf(errstr, errstr_size, "viewer, movie and editor ids must be valid UTF-8");
        return NULL;
    }
    int bad = editlist_set(root, "viewer", viewer) | editlist_set(root, "movie", movie) |
              editlist_set(root, "editor", editor) |
              editlist_set(root, "budget", json_real(el->budget)) |
              editlist_set(root, "duration", json_real(editlist_duration(el))) |
              editlist_set(root, "score", json_real(el->score));
    for (size_t k = 0; k < el->n_scenes && !bad; k++) {
        const struct recut_scene *s = &el->movie->scenes[el->scenes[k]];
        json_t *o = json_object();
        if (o == NULL) {
            bad = 1;
            break;
        }
        bad |= editlist_set(o, "index", json_integer((json_int_t)el->scenes[k])) |
               editlist_set(o, "start", json_real(s->start)) |
               editlist_set(o, "end", json_real(s->end));
        bad |= json_array_append_new(scenes, o);
    }
    bad |= editlist_set(root, "scenes", scenes);
    char *out = bad ? NULL : json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(root);
    if (out == NULL) {
        snprintf(errstr, errstr_size, "out of memory writing the JSON edit list");
        return NULL;
    }
    /* json_dumps allocates with jansson's allocator (malloc by default);
     * hand back a plain malloc'd copy so callers can always free() it. */
    size_t n = strlen(out);
    char *copy = malloc(n + 1);
    if (copy != NULL)
        memcpy(copy, out, n + 1);
    else
        snprintf(errstr, errstr_size, "out of memory");
    free(out);
    return copy;
}

/* ASCII-only copy for EDL header/comment fields: control characters and
 * non-ASCII bytes become '_', at most max bytes. */
static void editlist_ascii(const char *in, char *out, size_t max)
{
    size_t n = 0;
    for (; in && in[n] && n < max; n++) {
        unsigned char c = (unsigned char)in[n];
        out[n] = (c < 0x20 || c >= 0x7f) ? '_' : (char)c;
    }
    out[n] = '\0';
}

/* Timecode of a frame count at `base` frames per second: HH:MM:SS:FF, or
 * with drop > 0 drop-frame HH:MM:SS;FF, where the labels ;00 .. ;drop-1
 * are skipped at the start of every minute except minutes 0, 10, 20, ...
 * (2 labels at 29.97, 4 at 59.94), so that the label tracks the clock to
 * within a frame every ten minutes. */
static int editlist_timecode(long long frames, int base, int drop, char *out, size_t size)
{
    long long per_min = 60LL * base - drop, per_10min = 600LL * base - 9LL * drop;
    if (frames < 0 || frames >= 24 * 6 * per_10min)
        return -1;
    if (drop > 0) {
        /* frame count -> label count: add back the skipped labels */
        long long tens = frames / per_10min, rest = frames % per_10min;
        /* the first minute of a block skips nothing; C division truncates
         * toward zero, so rest < drop adds nothing either */
        frames += 9LL * drop * tens + drop * ((rest - drop) / per_min);
    }
    long long per_hour = 3600LL * base;
    /* all parts are small now: h < 24, m < 60, s < 60, f < base <= 240 */
    int h = (int)(frames / per_hour);
    int r = (int)(frames % per_hour);
    int m = r / (60 * base);
    r %= 60 * base;
    snprintf(out, size, "%02d:%02d:%02d%c%02d", h, m, r / base, drop > 0 ? ';' : ':', r % base);
    return 0;
}

/* Frame rate: nominal timecode base, the real rate, and the labels dropped
 * per minute (29.97 and 59.94 count in drop-frame, as broadcast does; the
 * other NTSC rate, 23.976, has no drop-frame form). */
static int editlist_rate(double fps, int *base, double *rate, int *drop, char *errstr,
                         size_t errstr_size)
{
    if (!isfinite(fps) || fps < 1.0 || fps > 240.0) {
        snprintf(errstr, errstr_size, "fps must be between 1 and 240, got %g", fps);
        return -1;
    }
    double nominal = round(fps);
    double ntsc = ceil(fps) * 1000.0 / 1001.0;
    *drop = 0;
    if (fabs(fps - nominal) < 1e-6) {
        *base = (int)nominal;
        *rate = nominal;
    } else if (fabs(fps - ntsc) < 0.005) {
        *base = (int)ceil(fps);
        *rate = ntsc;
        if (*base == 30 || *base == 60)
            *drop = *base / 15;
    } else {
        snprintf(errstr, errstr_size,
                 "fps %g is neither a whole rate nor an NTSC rate (23.976, 29.97, 59.94)", fps);
        return -1;
    }
    return 0;
}

double editlist_fps_snap(double fps)
{
    if (!isfinite(fps) || fps < 1.0 || fps > 240.0)
        return 0.0;
    double whole = round(fps), ntsc = round(fps * 1.001) * 1000.0 / 1001.0;
    double best = fabs(fps - whole) <= fabs(fps - ntsc) ? whole : ntsc;
    return fabs(fps - best) <= 3e-4 * fps ? best : 0.0;
}

static int editlist_reel_ok(const char *reel)
{
    size_t n = strlen(reel);
    if (n == 0 || n > EDITLIST_REEL_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = reel[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return 0;
    }
    return 1;
}

char *editlist_edl(const struct editlist *el, double fps, const char *reel, char *errstr,
                   size_t errstr_size)
{
    if (editlist_check(el, errstr, errstr_size) < 0)
        return NULL;
    int base, drop;
    double rate;
    if (editlist_rate(fps, &base, &rate, &drop, errstr, errstr_size) < 0)
        return NULL;
    if (reel == NULL)
        reel = "AX";
    if (!editlist_reel_ok(reel)) {
        snprintf(errstr, errstr_size, "reel name \"%s\" must be 1..8 characters [A-Za-z0-9_]",
                 reel);
        return NULL;
    }
    if (el->n_scenes > EDITLIST_MAX_EVENTS) {
        snprintf(errstr, errstr_size, "a CMX 3600 EDL holds at most %d events, the cut has %zu",
                 EDITLIST_MAX_EVENTS, el->n_scenes);
        return NULL;
    }
    const struct recut_movie *m = el->movie;
    char title[EDITLIST_TITLE_MAX + 1], full[256], clip[EDITLIST_TITLE_MAX + 1];
    snprintf(full, sizeof full, "%s - %s cut for %s", m->title && m->title[0] ? m->title : m->id,
             el->editor, el->viewer);
    editlist_ascii(full, title, EDITLIST_TITLE_MAX);
    editlist_ascii(m->title && m->title[0] ? m->title : m->id, clip, EDITLIST_TITLE_MAX);

    struct strbuf *b = strbuf_new();
    strbuf_printf(b, "TITLE: %s\nFCM: %s\n\n", title, drop ? "DROP FRAME" : "NON-DROP FRAME");
    /* record starts at 01:00:00:00 (01:00:00;00: six ten-minute blocks) */
    long long rec = drop ? 6 * (600LL * base - 9LL * drop) : 3600LL * base;
    size_t event = 0;
    for (size_t k = 0; k < el->n_scenes; k++) {
        const struct recut_scene *s = &m->scenes[el->scenes[k]];
        long long in = llround(s->start * rate), out = llround(s->end * rate);
        if (out <= in)
            continue;
        char tc[4][48];
        if (editlist_timecode(in, base, drop, tc[0], sizeof tc[0]) < 0 ||
            editlist_timecode(out, base, drop, tc[1], sizeof tc[1]) < 0 ||
            editlist_timecode(rec, base, drop, tc[2], sizeof tc[2]) < 0 ||
            editlist_timecode(rec + (out - in), base, drop, tc[3], sizeof tc[3]) < 0) {
            strbuf_free(b);
            snprintf(errstr, errstr_size, "scene %zu: timecode beyond 23:59:59:%02d", el->scenes[k],
                     base - 1);
            return NULL;
        }
        /* AA/V: picture and audio channels 1 and 2 in one event, the
         * audio following the video (see editlist.h) */
        strbuf_printf(b, "%03zu  %-8s %-4s  C        %s %s %s %s\n", ++event, reel,
                      el->video_only ? "V" : "AA/V", tc[0], tc[1], tc[2], tc[3]);
        strbuf_printf(b, "* FROM CLIP NAME: %s\n* COMMENT: RECUT SCENE %zu\n\n", clip,
                      el->scenes[k]);
        rec += out - in;
    }
    return editlist_buf_take(b, errstr, errstr_size);
}

char *editlist_ffconcat(const struct editlist *el, const char *source_path, char *errstr,
                        size_t errstr_size)
{
    if (editlist_check(el, errstr, errstr_size) < 0)
        return NULL;
    if (source_path == NULL || source_path[0] == '\0') {
        snprintf(errstr, errstr_size, "ffconcat needs the path of the movie's file");
        return NULL;
    }
    if (strpbrk(source_path, "\n\r") != NULL) {
        snprintf(errstr, errstr_size, "the movie's path must not contain a line break");
        return NULL;
    }
    if (el->n_scenes == 0) {
        snprintf(errstr, errstr_size, "the cut is empty: nothing for ffconcat to play");
        return NULL;
    }
    /* Inside '...' the concat demuxer takes every byte literally, so a quote
     * is written as '\'' (close, escaped quote, reopen). */
    struct strbuf *q = strbuf_new();
    strbuf_printf(q, "'");
    for (const char *p = source_path; *p; p++) {
        if (*p == '\'')
            strbuf_printf(q, "'\\''");
        else
            strbuf_printf(q, "%c", *p);
    }
    strbuf_printf(q, "'");
    char *quoted = editlist_buf_take(q, errstr, errstr_size);
    if (quoted == NULL)
        return NULL;
    char who[200];
    char raw[256];
    snprintf(raw, sizeof raw, "%s cut of %s for %s", el->editor, el->movie->id, el->viewer);
    editlist_ascii(raw, who, sizeof who - 1);

    struct strbuf *b = strbuf_new();
    strbuf_printf(b, "ffconcat version 1.0\n# recut: %s\n", who);
    /* Consecutive kept scenes that touch (scene i ends where i + 1 starts)
     * become one inpoint/outpoint span: every entry makes the concat demuxer
     * seek and restart the timestamps, and an entry whose inpoint is the
     * previous outpoint hands the muxer non-monotonic DTS for nothing. */
    const struct recut_scene *sc = el->movie->scenes;
    for (size_t k = 0; k < el->n_scenes;) {
        size_t j = k;
        while (j + 1 < el->n_scenes && el->scenes[j + 1] == el->scenes[j] + 1 &&
               fabs(sc[el->scenes[j + 1]].start - sc[el->scenes[j]].end) < 1e-6)
            j++;
        if (j == k)
            strbuf_printf(b, "# scene %zu\n", el->scenes[k]);
        else
            strbuf_printf(b, "# scenes %zu-%zu\n", el->scenes[k], el->scenes[j]);
        strbuf_printf(b, "file %s\ninpoint %.6f\noutpoint %.6f\n", quoted, sc[el->scenes[k]].start,
                      sc[el->scenes[j]].end);
        k = j + 1;
    }
    free(quoted);
    return editlist_buf_take(b, errstr, errstr_size);
}
