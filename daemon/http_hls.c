/* SPDX-License-Identifier: Apache-2.0 */
/* http_hls.c -- the HLS playlist of a personal cut (format=hls).
 *
 * Why prepared segments and not a render per request: a cut is computed in
 * microseconds, a render takes as long as decoding the movie.  So the movie
 * is cut once, by recut-render --hls-prepare, into MPEG-TS segments per
 * scene whose first frame is a keyframe (only the GOPs that straddle a
 * scene boundary are re-encoded, the rest is the source's own packets), and
 * hls.json lists them.  A request then only reads that small list, checks
 * that it was made for the catalog's current scenes, and writes the
 * playlist of the kept scenes: the segments are served by the media route
 * (GET /v1/movies/{id}/media?segment=NAME) under the same read scope.
 * Editors keep or drop whole scenes, so every kept scene is a run of
 * prepared segments.  EXT-X-DISCONTINUITY goes before every scene but the
 * first (the timeline jumps, or the encoding sequence changes where a
 * re-encoded GOP meets a copied one) and inside a scene where hls.json says
 * the encoding sequence changes. */
#include "config.h"
#include "http_hls.h"
#include "strbuf.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int http_hls_segment_name_ok(const char *name)
{
    size_t l = strlen(name);
    if (l < 4 || l > 64 || name[0] == '.' || strcmp(name + l - 3, ".ts") != 0)
        return 0;
    for (size_t i = 0; i < l; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

/* The movie id as a URL path segment. */
static void http_hls_pct(struct strbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~')
            strbuf_printf(b, "%c", *p);
        else
            strbuf_printf(b, "%%%02X", *p);
    }
}

/* hls.json's ranges, if they are the movie's scenes with valid segments. */
static json_t *http_hls_ranges(json_t *root, const struct recut_movie *m)
{
    json_t *ranges = json_object_get(root, "ranges");
    const char *kind = json_string_value(json_object_get(root, "kind"));
    if (!kind || strcmp(kind, "scenes") != 0 || !json_is_array(ranges) ||
        json_array_size(ranges) != m->n_scenes)
        return NULL;
    for (size_t i = 0; i < m->n_scenes; i++) {
        json_t *r = json_array_get(ranges, i);
        json_t *segs = json_object_get(r, "segments");
        double s = json_number_value(json_object_get(r, "start"));
        double e = json_number_value(json_object_get(r, "end"));
        if (!json_is_number(json_object_get(r, "start")) ||
            !json_is_number(json_object_get(r, "end")) || fabs(s - m->scenes[i].start) > 1e-3 ||
            fabs(e - m->scenes[i].end) > 1e-3 || !json_is_array(segs) || json_array_size(segs) == 0)
            return NULL;
        for (size_t k = 0; k < json_array_size(segs); k++) {
            json_t *g = json_array_get(segs, k);
            const char *uri = json_string_value(json_object_get(g, "uri"));
            json_t *d = json_object_get(g, "duration");
            if (!uri || !http_hls_segment_name_ok(uri) || !json_is_number(d) ||
                !(json_number_value(d) > 0 && json_number_value(d) < 3600))
                return NULL;
        }
    }
    return ranges;
}

char *http_hls_playlist(const char *media_dir, const struct recut_movie *m, const size_t *kept,
                        size_t n_kept, int *status, char *errstr, size_t errstr_size)
{
    *status = 404;
    if (!media_dir[0]) {
        snprintf(errstr, errstr_size, "no HLS: [http] media_dir is empty");
        return NULL;
    }
    if (m->id[0] == '.' || strchr(m->id, '/') || strchr(m->id, '\\')) {
        snprintf(errstr, errstr_size, "movie '%s' was not prepared for HLS", m->id);
        return NULL;
    }
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s.hls/hls.json", media_dir, m->id) >=
        sizeof path) {
        snprintf(errstr, errstr_size, "movie '%s' was not prepared for HLS", m->id);
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        snprintf(errstr, errstr_size,
                 "movie '%s' was not prepared for HLS (run recut-render --hls-prepare into "
                 "[http] media_dir/%s.hls)",
                 m->id, m->id);
        return NULL;
    }
    json_t *ranges = http_hls_ranges(root, m);
    if (!ranges) {
        json_decref(root);
        snprintf(errstr, errstr_size,
                 "the HLS segments of movie '%s' were not prepared for its current scenes "
                 "(run recut-render --hls-prepare again)",
                 m->id);
        return NULL;
    }
    if (n_kept == 0) {
        json_decref(root);
        *status = 400;
        snprintf(errstr, errstr_size, "the cut is empty: no scene to play");
        return NULL;
    }
    double longest = 0;
    for (size_t i = 0; i < n_kept; i++) {
        json_t *segs = json_object_get(json_array_get(ranges, kept[i]), "segments");
        for (size_t k = 0; k < json_array_size(segs); k++) {
            double d = json_number_value(json_object_get(json_array_get(segs, k), "duration"));
            if (d > longest)
                longest = d;
        }
    }
    struct strbuf *b = strbuf_new();
    strbuf_printf(b,
                  "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:%d\n"
                  "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n",
                  (int)ceil(longest - 1e-6));
    for (size_t i = 0; i < n_kept; i++) {
        json_t *segs = json_object_get(json_array_get(ranges, kept[i]), "segments");
        strbuf_printf(b, "# scene %zu\n", kept[i]);
        for (size_t k = 0; k < json_array_size(segs); k++) {
            json_t *g = json_array_get(segs, k);
            if ((k == 0 && i > 0) || (k > 0 && json_is_true(json_object_get(g, "discontinuity"))))
                strbuf_puts(b, "#EXT-X-DISCONTINUITY\n");
            strbuf_printf(b, "#EXTINF:%.6f,\n/v1/movies/",
                          json_number_value(json_object_get(g, "duration")));
            http_hls_pct(b, m->id);
            strbuf_printf(b, "/media?segment=%s\n", json_string_value(json_object_get(g, "uri")));
        }
    }
    strbuf_puts(b, "#EXT-X-ENDLIST\n");
    json_decref(root);
    char *out = strbuf_take(b, NULL);
    if (!out) {
        *status = 500;
        snprintf(errstr, errstr_size, "out of memory");
    }
    return out;
}
