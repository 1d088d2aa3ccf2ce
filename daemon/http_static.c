/* SPDX-License-Identifier: Apache-2.0 */
/* http_static.c -- files recutd serves as they are on disk: the web console
 * under /ui/ ([http] ui_dir) and a movie's video for the console's player
 * (GET /v1/movies/{id}/media from [http] media_dir).
 *
 * Why in recutd and not behind a separate web server: the console is a
 * handful of hand-written files that talk only to recutd's own API, so
 * serving them from the same origin keeps the browser's same-origin rules
 * (and recutd's Host and Origin checks) doing the work, and a deployment
 * needs nothing else.  The console's pages are routes of the page itself
 * (/ui/viewers/ID, ...), so every such path answers index.html and a deep
 * link survives a reload.  Files are sent with evbuffer_add_file (the
 * kernel copies them), with an ETag for the console and byte ranges for
 * the video, which a <video> element needs to seek. */
#include "config.h"
#include "http_static.h"
#include "http_front.h"
#include "http_hls.h"
#include "http_timing.h"
#include "metrics.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Only this origin: no inline script or style, no other host. */
#define HTTP_STATIC_CSP                                                                            \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "                    \
    "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "             \
    "form-action 'none'; frame-ancestors 'none'"

static void http_static_send(struct evhttp_request *req, int code, const char *reason,
                             struct evbuffer *body)
{
    http_send(req, code, reason, body);
}

static void http_static_error(struct evhttp_request *req, int code, const char *reason,
                              const char *msg)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_remove_header(h, "Content-Type");
    evhttp_add_header(h, "Content-Type", "application/json");
    evhttp_add_header(h, "Cache-Control", "no-store");
    struct evbuffer *b = evbuffer_new();
    if (b)
        evbuffer_add_printf(b, "{\"error\":\"%s\"}", msg); /* msg: our own text, no quotes */
    http_static_send(req, code, reason, b);
    if (b)
        evbuffer_free(b);
}

static const char *http_static_ctype(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        { ".html", "text/html; charset=utf-8" },
        { ".js", "text/javascript; charset=utf-8" },
        { ".mjs", "text/javascript; charset=utf-8" },
        { ".css", "text/css; charset=utf-8" },
        { ".svg", "image/svg+xml" },
        { ".png", "image/png" },
        { ".ico", "image/x-icon" },
        { ".json", "application/json" },
        { ".txt", "text/plain; charset=utf-8" },
        { ".webm", "video/webm" },
        { ".mp4", "video/mp4" },
        { ".ts", "video/mp2t" },
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

static int http_static_hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The part of the path after "/ui/", percent-decoded into out.  -1 if it
 * could name something outside ui_dir or is not clean: a "." or ".."
 * segment, a hidden name, a backslash, a NUL or control byte, a bad
 * escape. */
static int http_static_ui_name(const char *rest, char *out, size_t out_size)
{
    size_t o = 0;
    for (const char *s = rest; *s; s++) {
        char c = *s;
        if (c == '%') {
            int a = http_static_hex(s[1]), b = a < 0 ? -1 : http_static_hex(s[2]);
            if (a < 0 || b < 0)
                return -1;
            c = (char)(a * 16 + b);
            s += 2;
        }
        if ((unsigned char)c < 0x20 || c == 0x7f || c == '\\')
            return -1;
        if (o + 1 >= out_size)
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    /* no segment may start with '.' (covers ".", ".." and hidden files) */
    for (const char *p = out; *p;) {
        size_t l = strcspn(p, "/");
        if (l > 0 && p[0] == '.')
            return -1;
        p += l;
        if (*p == '/')
            p++;
    }
    return 0;
}

/* Is NAME (decoded, after /ui/) one of the console's own pages? */
static int http_static_is_page(const char *name)
{
    size_t l = strlen(name);
    while (l && name[l - 1] == '/')
        l--;
    if (l == 0)
        return 1;
    if (l == 11 && strncmp(name, "experiments", 11) == 0)
        return 1;
    return (strncmp(name, "viewers/", 8) == 0 && l > 8) ||
           (strncmp(name, "movies/", 7) == 0 && l > 7);
}

/* Opens a regular file; -1 (errno set) otherwise. */
static int http_static_open(const char *path, struct stat *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        errno = ENOENT;
        return -1;
    }
    return fd;
}

static void http_static_etag(const struct stat *st, char *out, size_t out_size)
{
    snprintf(out, out_size, "\"%jx-%jx-%lx\"", (uintmax_t)st->st_size, (uintmax_t)st->st_mtime,
             (unsigned long)st->st_mtim.tv_nsec);
}

/* Does If-None-Match name etag (or "*")? */
static int http_static_not_modified(struct evhttp_request *req, const char *etag)
{
    const char *inm = evhttp_find_header(evhttp_request_get_input_headers(req), "If-None-Match");
    if (!inm)
        return 0;
    if (strcmp(inm, "*") == 0)
        return 1;
    size_t el = strlen(etag);
    for (const char *p = inm; (p = strstr(p, etag)) != NULL; p += el) {
        char after = p[el];
        if (after == '\0' || after == ',' || after == ' ')
            return 1;
    }
    return 0;
}

/* Sends LEN bytes of fd from OFF (fd is taken) with status code. */
static void http_static_file(struct evhttp_request *req, int code, const char *reason, int fd,
                             off_t off, off_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    char cl[32];
    snprintf(cl, sizeof cl, "%jd", (intmax_t)len);
    evhttp_remove_header(h, "Content-Length");
    evhttp_add_header(h, "Content-Length", cl);
    struct evbuffer *b = evbuffer_new();
    if (!b) {
        close(fd);
        http_static_error(req, 500, "Internal Server Error", "out of memory");
        return;
    }
    if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD || len == 0) {
        close(fd);
    } else if (evbuffer_add_file(b, fd, off, len) < 0) { /* takes fd, even on error */
        evbuffer_free(b);
        http_static_error(req, 500, "Internal Server Error", "cannot read the file");
        return;
    }
    http_static_send(req, code, reason, b);
    evbuffer_free(b);
}

/* Files are read with GET or HEAD: 1, else 405 with Allow sent and 0. */
static int http_static_readable(struct evhttp_request *req, const char *msg)
{
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    if (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD)
        return 1;
    evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
    http_static_error(req, 405, "Method Not Allowed", msg);
    return 0;
}

void http_static_ui(struct evhttp_request *req, const char *ui_dir, const char *path)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    if (!http_static_readable(req, "the console is read with GET or HEAD"))
        return;
    if (!ui_dir[0]) {
        http_static_error(req, 404, "Not Found", "no console ([http] ui_dir is empty)");
        return;
    }
    if (strcmp(path, "/ui") == 0) { /* relative links need the slash */
        evhttp_add_header(h, "Location", "/ui/");
        http_static_error(req, 301, "Moved Permanently", "the console is at /ui/");
        return;
    }
    char name[1024], file[4096];
    if (strncmp(path, "/ui/", 4) != 0 || http_static_ui_name(path + 4, name, sizeof name) < 0) {
        http_static_error(req, 400, "Bad Request", "invalid console path");
        return;
    }
    const char *rel = http_static_is_page(name) ? "index.html" : name;
    if ((size_t)snprintf(file, sizeof file, "%s/%s", ui_dir, rel) >= sizeof file) {
        http_static_error(req, 400, "Bad Request", "console path too long");
        return;
    }
    struct stat st;
    int fd = http_static_open(file, &st);
    if (fd < 0) {
        http_static_error(req, 404, "Not Found", "no such console file");
        return;
    }
    char etag[96];
    http_static_etag(&st, etag, sizeof etag);
    evhttp_add_header(h, "ETag", etag);
    evhttp_add_header(h, "Cache-Control", "no-cache");
    evhttp_add_header(h, "Content-Security-Policy", HTTP_STATIC_CSP);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Referrer-Policy", "no-referrer");
    if (http_static_not_modified(req, etag)) {
        close(fd);
        http_static_send(req, 304, "Not Modified", NULL);
        return;
    }
    evhttp_add_header(h, "Content-Type", http_static_ctype(rel));
    http_static_file(req, 200, "OK", fd, 0, st.st_size);
}

/* "bytes=A-B", "bytes=A-" or "bytes=-N" against a file of size: 0 with the
 * range, 1 to ignore the header (not one plain range), -1 unsatisfiable. */
static int http_static_range(const char *v, off_t size, off_t *from, off_t *len)
{
    if (strncmp(v, "bytes=", 6) != 0 || strchr(v, ','))
        return 1;
    const char *p = v + 6, *dash = strchr(p, '-');
    if (!dash)
        return 1;
    char *end;
    if (dash == p) { /* the last N bytes */
        if (dash[1] < '0' || dash[1] > '9')
            return 1;
        unsigned long long n = strtoull(dash + 1, &end, 10);
        if (*end)
            return 1;
        if (n == 0 || size == 0)
            return -1;
        *len = n > (unsigned long long)size ? size : (off_t)n;
        *from = size - *len;
        return 0;
    }
    if (*p < '0' || *p > '9')
        return 1;
    unsigned long long a = strtoull(p, &end, 10), b;
    if (end != dash)
        return 1;
    if (dash[1] == '\0') {
        b = size > 0 ? (unsigned long long)size - 1 : 0;
    } else {
        if (dash[1] < '0' || dash[1] > '9')
            return 1;
        b = strtoull(dash + 1, &end, 10);
        if (*end || b < a)
            return 1;
    }
    if (a >= (unsigned long long)size)
        return -1;
    if (b >= (unsigned long long)size)
        b = (unsigned long long)size - 1;
    *from = (off_t)a;
    *len = (off_t)(b - a + 1);
    return 0;
}

void http_static_media(struct evhttp_request *req, const char *media_dir, const char *movie,
                       const char *segment)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    if (!http_static_readable(req, "use GET or HEAD"))
        return;
    if (!media_dir[0]) {
        http_static_error(req, 404, "Not Found", "no media ([http] media_dir is empty)");
        return;
    }
    /* the id names a file: nothing that leaves the directory or hides */
    if (movie[0] == '.' || strchr(movie, '/') || strchr(movie, '\\')) {
        http_static_error(req, 404, "Not Found", "no media file for this movie");
        return;
    }
    static const char *const exts[] = { ".webm", ".mp4" };
    char file[4096];
    struct stat st;
    int fd = -1;
    if (segment) { /* an HLS segment recut-render --hls-prepare wrote */
        if (!http_hls_segment_name_ok(segment)) {
            http_static_error(req, 404, "Not Found", "no such HLS segment");
            return;
        }
        if ((size_t)snprintf(file, sizeof file, "%s/%s.hls/%s", media_dir, movie, segment) <
            sizeof file)
            fd = http_static_open(file, &st);
        if (fd < 0) {
            http_static_error(req, 404, "Not Found", "no such HLS segment");
            return;
        }
    }
    for (size_t i = 0; fd < 0 && i < sizeof exts / sizeof exts[0]; i++) {
        if ((size_t)snprintf(file, sizeof file, "%s/%s%s", media_dir, movie, exts[i]) >=
            sizeof file)
            break;
        fd = http_static_open(file, &st);
    }
    if (fd < 0) {
        http_static_error(req, 404, "Not Found", "no media file for this movie");
        return;
    }
    char etag[96];
    http_static_etag(&st, etag, sizeof etag);
    evhttp_add_header(h, "ETag", etag);
    evhttp_add_header(h, "Accept-Ranges", "bytes");
    evhttp_add_header(h, "Cache-Control", "no-cache");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Content-Type", http_static_ctype(file));
    const char *rv = evhttp_find_header(evhttp_request_get_input_headers(req), "Range");
    const char *ifr = evhttp_find_header(evhttp_request_get_input_headers(req), "If-Range");
    off_t from = 0, len = st.st_size;
    int r =
        rv && (!ifr || strcmp(ifr, etag) == 0) ? http_static_range(rv, st.st_size, &from, &len) : 1;
    if (r < 0) {
        close(fd);
        char cr[64];
        snprintf(cr, sizeof cr, "bytes */%jd", (intmax_t)st.st_size);
        evhttp_add_header(h, "Content-Range", cr);
        http_static_error(req, 416, "Range Not Satisfiable", "the range is beyond the file");
        return;
    }
    if (r == 0) {
        char cr[96];
        snprintf(cr, sizeof cr, "bytes %jd-%jd/%jd", (intmax_t)from, (intmax_t)(from + len - 1),
                 (intmax_t)st.st_size);
        evhttp_add_header(h, "Content-Range", cr);
        http_static_file(req, 206, "Partial Content", fd, from, len);
        return;
    }
    if (http_static_not_modified(req, etag)) {
        close(fd);
        http_static_send(req, 304, "Not Modified", NULL);
        return;
    }
    http_static_file(req, 200, "OK", fd, 0, st.st_size);
}
