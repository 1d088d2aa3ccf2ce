/* SPDX-License-Identifier: Apache-2.0 */
/* recutctl.c -- command-line client of recutd's HTTP API (see recutctl(1)).
 *
 * One libevent evhttp connection, one request at a time, each with a timeout.
 * Exit status: 0 success, 1 the server answered an error (or rejected events,
 * or a local file could not be read or written), 2 the server could not be
 * reached, 64 usage error. */
#include "config.h"
#include "addr.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECUTCTL_EXIT_SERVER 1
#define RECUTCTL_EXIT_CONNECT 2
#define RECUTCTL_EXIT_USAGE 64
#define RECUTCTL_DEFAULT_SERVER "127.0.0.1:8080"
#define RECUTCTL_CHUNK_BYTES (1024 * 1024) /* NDJSON sent in pieces of about this size */

struct recutctl {
    char host[256];
    int port;
    double timeout;       /* seconds */
    const char *out_path; /* -o FILE, or NULL for stdout */
    struct event_base *base;
    struct evhttp_connection *conn;
};

/* One exchange: what the server answered, or why there is no answer. */
struct recutctl_resp {
    int done;
    int status; /* 0: no response */
    enum evhttp_request_error err;
    int have_err;
    char *body;
    size_t len;
    char ctype[128];
};

static const char recutctl_usage_text[] =
    "Usage: recutctl [-s HOST:PORT] [-T SECONDS] [-o FILE] COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  health                          daemon status (GET /v1/health)\n"
    "  metrics                         Prometheus metrics (GET /metrics)\n"
    "  recs USER [-n N] [--exclude A,B] [--include-seen]\n"
    "                                  recommendations for a viewer\n"
    "  cut USER MOVIE [--budget SECONDS|PCT%] [--editor NAME]\n"
    "      [--format json|edl|ffconcat] [--source PATH] [--fps N]\n"
    "      [--min-fragment S] [--spoiler-tail F] [--arousal A] [--valence V]\n"
    "                                  a personal cut of a movie\n"
    "  profile USER                    what the models learned about a viewer\n"
    "  forget USER                     erase every key of a viewer\n"
    "  event JSON | event --file FILE.ndjson|-\n"
    "                                  post events (POST /v1/events)\n"
    "  put-movie FILE.json [--id ID]   store a catalog entry\n"
    "  get-movie ID                    print a catalog entry\n"
    "  plugins                         list the loaded plugins\n"
    "\n"
    "Options:\n"
    "  -s, --server HOST:PORT   recutd's HTTP API (default $RECUT_SERVER "
    "or " RECUTCTL_DEFAULT_SERVER ")\n"
    "  -T, --timeout SECONDS    give up on a request after this long (default 30)\n"
    "  -o, --output FILE        write the body to FILE (atomically) instead of stdout\n"
    "  -h, --help               this text\n"
    "  -V, --version            print the version\n"
    "\n"
    "Exit status: 0 success, 1 error reported by the server, 2 server unreachable,\n"
    "64 usage error. See recutctl(1).\n";

static void recutctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void recutctl_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("recutctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* getopt has printed what is wrong; add the hint. */
static int recutctl_bad_option(void)
{
    fputs("Try 'recutctl --help'.\n", stderr);
    return RECUTCTL_EXIT_USAGE;
}

static int recutctl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int recutctl_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("recutctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'recutctl --help'.\n", stderr);
    va_end(ap);
    return RECUTCTL_EXIT_USAGE;
}

/* ---- server address ------------------------------------------------------ */

/* "HOST:PORT", "[V6]:PORT", "HOST" (port 8080), optionally "http://" and a
 * trailing "/".  -1 with a reason. */
static int recutctl_parse_server(struct recutctl *c, const char *spec, char *errstr,
                                 size_t errstr_size)
{
    const char *s = spec;
    if (strncmp(s, "http://", 7) == 0)
        s += 7;
    size_t len = strlen(s);
    while (len && s[len - 1] == '/')
        len--;
    char addr[300], why[256];
    if (len >= sizeof addr) {
        snprintf(errstr, errstr_size, "server '%s': too long", spec);
        return -1;
    }
    memcpy(addr, s, len);
    addr[len] = '\0';
    if (util_parse_addr(addr, 0, 8080, c->host, sizeof c->host, &c->port, why, sizeof why) < 0) {
        snprintf(errstr, errstr_size, "server: %s", why);
        return -1;
    }
    return 0;
}

/* ---- one HTTP exchange --------------------------------------------------- */

static void recutctl_on_error(enum evhttp_request_error e, void *arg)
{
    struct recutctl_resp *r = arg;
    r->err = e;
    r->have_err = 1;
}

static void recutctl_on_done(struct evhttp_request *req, void *arg)
{
    struct recutctl_resp *r = arg;
    r->done = 1;
    if (!req || evhttp_request_get_response_code(req) == 0)
        return;
    r->status = evhttp_request_get_response_code(req);
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
    snprintf(r->ctype, sizeof r->ctype, "%s", ct ? ct : "");
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(in);
    r->body = malloc(n + 1);
    if (r->body) {
        evbuffer_remove(in, r->body, n);
        r->body[n] = '\0';
        r->len = n;
    }
}

static void recutctl_resp_free(struct recutctl_resp *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* libevent does not say why a connection failed: connect once more by hand
 * to find out.  Returns 0 if the server accepts connections, else an errno
 * (or -1 with *gai set when the name does not resolve). */
static int recutctl_probe(const struct recutctl *c, int *gai)
{
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", c->port);
    *gai = getaddrinfo(c->host, port, &hints, &res);
    if (*gai)
        return -1;
    int err = ECONNREFUSED;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            err = 0;
        } else if (errno != EINPROGRESS) {
            err = errno;
        } else {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            int n = poll(&p, 1, (int)(c->timeout * 1000));
            socklen_t sl = sizeof err;
            if (n == 0)
                err = ETIMEDOUT;
            else if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) < 0)
                err = errno;
        }
        close(fd);
        if (err == 0)
            break;
    }
    freeaddrinfo(res);
    return err;
}

/* Send one request and wait for the answer.  Returns 0 when the server
 * answered (any status), or RECUTCTL_EXIT_CONNECT after printing why not. */
static int recutctl_request(struct recutctl *c, enum evhttp_cmd_type method, const char *uri,
                            const char *body, size_t len, const char *ctype,
                            struct recutctl_resp *r)
{
    memset(r, 0, sizeof *r);
    if (!c->conn) {
        c->conn = evhttp_connection_base_new(c->base, NULL, c->host, (unsigned short)c->port);
        if (!c->conn) {
            recutctl_err("cannot create a connection to %s:%d", c->host, c->port);
            return RECUTCTL_EXIT_CONNECT;
        }
        struct timeval tv = { (time_t)c->timeout,
                              (suseconds_t)((c->timeout - floor(c->timeout)) * 1e6) };
        evhttp_connection_set_timeout_tv(c->conn, &tv);
        evhttp_connection_set_retries(c->conn, 0);
    }
    struct evhttp_request *req = evhttp_request_new(recutctl_on_done, r);
    if (!req) {
        recutctl_err("out of memory");
        return RECUTCTL_EXIT_CONNECT;
    }
    evhttp_request_set_error_cb(req, recutctl_on_error);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    char hostport[300];
    snprintf(hostport, sizeof hostport, strchr(c->host, ':') ? "[%s]:%d" : "%s:%d", c->host,
             c->port);
    evhttp_add_header(h, "Host", hostport);
    evhttp_add_header(h, "User-Agent", "recutctl/" PACKAGE_VERSION);
    evhttp_add_header(h, "Accept", "application/json, text/plain");
    if (body) {
        evhttp_add_header(h, "Content-Type", ctype);
        evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
    }
    if (evhttp_make_request(c->conn, req, method, uri) < 0) {
        recutctl_err("cannot send the request to %s", hostport);
        return RECUTCTL_EXIT_CONNECT;
    }
    while (!r->done)
        if (event_base_loop(c->base, EVLOOP_ONCE) < 0)
            break;
    if (r->status > 0)
        return 0;
    int gai = 0, perr = 0;
    if (r->have_err && r->err == EVREQ_HTTP_TIMEOUT) {
        recutctl_err("%s: no answer within %g s", hostport, c->timeout);
    } else if ((perr = recutctl_probe(c, &gai)) == ECONNREFUSED) {
        recutctl_err(
            "cannot connect to %s: connection refused (is recutd running? see -s and RECUT_SERVER)",
            hostport);
    } else if (perr < 0) {
        recutctl_err("cannot resolve %s: %s", c->host, gai_strerror(gai));
    } else if (perr > 0) {
        recutctl_err("cannot connect to %s: %s", hostport, strerror(perr));
    } else {
        recutctl_err("%s closed the connection without an answer", hostport);
    }
    /* a failed connection is not reused */
    evhttp_connection_free(c->conn);
    c->conn = NULL;
    return RECUTCTL_EXIT_CONNECT;
}

/* The server's {"error": ...} message (or the status line) on stderr. */
static void recutctl_report_status(const struct recutctl_resp *r)
{
    json_t *doc = r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
    const char *msg = json_string_value(json_object_get(doc, "error"));
    const char *status = json_string_value(json_object_get(doc, "status"));
    if (msg)
        recutctl_err("error %d: %s", r->status, msg);
    else if (status)
        recutctl_err("error %d: %s", r->status, status);
    else if (r->len && r->len < 512 && strncmp(r->ctype, "text/", 5) == 0)
        recutctl_err("error %d: %.*s", r->status, (int)r->len, r->body);
    else
        recutctl_err("error %d from the server", r->status);
    json_decref(doc);
}

/* ---- output -------------------------------------------------------------- */

/* Write all of buf to fd; -1 on error (errno set). */
static int recutctl_write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Write to a temporary file next to path, then rename over it: a reader
 * sees the old file or the whole new one, never a part. */
static int recutctl_write_file(const char *path, const char *buf, size_t len)
{
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp) {
        recutctl_err("out of memory");
        return RECUTCTL_EXIT_SERVER;
    }
    memcpy(tmp, path, pl);
    memcpy(tmp + pl, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        recutctl_err("%s: cannot create a temporary file: %s", path, strerror(errno));
        free(tmp);
        return RECUTCTL_EXIT_SERVER;
    }
    mode_t mask = umask(0);
    umask(mask);
    int rc = fchmod(fd, 0666 & ~mask);
    if (rc == 0)
        rc = recutctl_write_all(fd, buf, len);
    if (rc == 0)
        rc = fsync(fd);
    int saved = errno;
    if (close(fd) < 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0 && rename(tmp, path) < 0) {
        rc = -1;
        saved = errno;
    }
    if (rc < 0) {
        recutctl_err("%s: %s", path, strerror(saved));
        unlink(tmp);
    }
    free(tmp);
    return rc < 0 ? RECUTCTL_EXIT_SERVER : 0;
}

/* Deliver a body: to -o FILE exactly as received; to stdout with a final
 * newline, JSON pretty-printed when stdout is a terminal. */
static int recutctl_emit(const struct recutctl *c, const char *body, size_t len, int is_json)
{
    if (c->out_path)
        return recutctl_write_file(c->out_path, body, len);
    char *pretty = NULL;
    if (is_json && isatty(STDOUT_FILENO)) {
        json_t *doc = json_loadb(body, len, JSON_DECODE_ANY, NULL);
        if (doc)
            pretty = json_dumps(doc, JSON_INDENT(2) | JSON_ENCODE_ANY);
        json_decref(doc);
        if (pretty) {
            body = pretty;
            len = strlen(pretty);
        }
    }
    int rc = fwrite(body, 1, len, stdout) == len ? 0 : -1;
    if (rc == 0 && (len == 0 || body[len - 1] != '\n'))
        rc = fputc('\n', stdout) == EOF ? -1 : 0;
    if (fflush(stdout) != 0)
        rc = -1;
    free(pretty);
    if (rc < 0) {
        recutctl_err("writing to stdout: %s", strerror(errno));
        return RECUTCTL_EXIT_SERVER;
    }
    return 0;
}

/* A simple exchange: request, then the body or the server's error.  With
 * body_on_error (health), the body of an error answer is printed too. */
static int recutctl_exchange(struct recutctl *c, enum evhttp_cmd_type method, const char *uri,
                             const char *body, size_t len, const char *ctype, int body_on_error)
{
    struct recutctl_resp r;
    int rc = recutctl_request(c, method, uri, body, len, ctype, &r);
    if (rc)
        return rc;
    int is_json = strncmp(r.ctype, "application/json", 16) == 0;
    if (r.status >= 400) {
        recutctl_report_status(&r);
        if (body_on_error && r.body && !c->out_path)
            recutctl_emit(c, r.body, r.len, is_json);
        recutctl_resp_free(&r);
        return RECUTCTL_EXIT_SERVER;
    }
    rc = recutctl_emit(c, r.body ? r.body : "", r.len, is_json);
    recutctl_resp_free(&r);
    return rc;
}

static int recutctl_simple(struct recutctl *c, enum evhttp_cmd_type method, const char *uri,
                           const char *body, size_t len, const char *ctype)
{
    return recutctl_exchange(c, method, uri, body, len, ctype, 0);
}

/* ---- URIs ---------------------------------------------------------------- */

struct recutctl_uri {
    char *s;
    size_t len, cap;
    int nquery;
    int oom;
};

static void recutctl_uri_raw(struct recutctl_uri *u, const char *s)
{
    size_t l = strlen(s);
    if (u->oom)
        return;
    if (u->len + l + 1 > u->cap) {
        size_t ncap = (u->len + l + 1) * 2;
        char *n = realloc(u->s, ncap);
        if (!n) {
            u->oom = 1;
            return;
        }
        u->s = n;
        u->cap = ncap;
    }
    memcpy(u->s + u->len, s, l + 1);
    u->len += l;
}

/* "/" + the percent-encoded segment. */
static void recutctl_uri_seg(struct recutctl_uri *u, const char *seg)
{
    char *e = evhttp_uriencode(seg, -1, 0);
    recutctl_uri_raw(u, "/");
    if (!e)
        u->oom = 1;
    else
        recutctl_uri_raw(u, e);
    free(e);
}

static void recutctl_uri_query(struct recutctl_uri *u, const char *name, const char *value)
{
    if (!value)
        return;
    char *e = evhttp_uriencode(value, -1, 0);
    recutctl_uri_raw(u, u->nquery++ ? "&" : "?");
    recutctl_uri_raw(u, name);
    recutctl_uri_raw(u, "=");
    if (!e)
        u->oom = 1;
    else
        recutctl_uri_raw(u, e);
    free(e);
}

static int recutctl_uri_ok(struct recutctl_uri *u)
{
    if (u->oom || !u->s) {
        recutctl_err("out of memory");
        return 0;
    }
    return 1;
}

/* ---- files --------------------------------------------------------------- */

/* Read a whole file ("-": stdin); NULL after printing why. */
static char *recutctl_slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        recutctl_err("%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
        }
        buf = nb;
    }
    int failed = !buf || ferror(f);
    if (!buf)
        recutctl_err("%s: out of memory", path);
    else if (ferror(f))
        recutctl_err("%s: read error", path);
    if (f != stdin)
        fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* ---- option helpers ------------------------------------------------------ */

static int recutctl_is_number(const char *s, double lo, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    return end != s && *end == '\0' && !errno && isfinite(v) && v >= lo && v <= hi;
}

/* Append "a,b" to a comma list. */
static int recutctl_list_add(char **list, const char *item)
{
    size_t ol = *list ? strlen(*list) : 0, il = strlen(item);
    char *n = realloc(*list, ol + il + 2);
    if (!n)
        return -1;
    if (ol)
        n[ol++] = ',';
    memcpy(n + ol, item, il + 1);
    *list = n;
    return 0;
}

/* ---- commands ------------------------------------------------------------ */

static int recutctl_cmd_recs(struct recutctl *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "n", required_argument, NULL, 'n' },
        { "exclude", required_argument, NULL, 'x' },
        { "include-seen", no_argument, NULL, 'a' },
        { "output", required_argument, NULL, 'o' },
        { NULL, 0, NULL, 0 },
    };
    const char *n = NULL;
    char *exclude = NULL;
    int include_seen = 0, o;
    optind = 0;
    while ((o = getopt_long(argc, argv, "n:x:o:", opts, NULL)) != -1) {
        switch (o) {
        case 'n':
            if (!recutctl_is_number(optarg, 1, 1000) || strchr(optarg, '.')) {
                free(exclude);
                return recutctl_usage_error("recs: -n must be an integer 1..1000");
            }
            n = optarg;
            break;
        case 'x':
            if (recutctl_list_add(&exclude, optarg) < 0) {
                free(exclude);
                recutctl_err("out of memory");
                return RECUTCTL_EXIT_SERVER;
            }
            break;
        case 'a':
            include_seen = 1;
            break;
        case 'o':
            c->out_path = optarg;
            break;
        default:
            free(exclude);
            return recutctl_bad_option();
        }
    }
    if (argc - optind != 1) {
        free(exclude);
        return recutctl_usage_error(
            "usage: recutctl recs USER [-n N] [--exclude A,B] [--include-seen]");
    }
    struct recutctl_uri u = { 0 };
    recutctl_uri_raw(&u, "/v1/users");
    recutctl_uri_seg(&u, argv[optind]);
    recutctl_uri_raw(&u, "/recommendations");
    recutctl_uri_query(&u, "n", n);
    recutctl_uri_query(&u, "exclude", exclude);
    recutctl_uri_query(&u, "include_seen", include_seen ? "1" : NULL);
    free(exclude);
    int rc = recutctl_uri_ok(&u) ? recutctl_simple(c, EVHTTP_REQ_GET, u.s, NULL, 0, NULL)
                                 : RECUTCTL_EXIT_SERVER;
    free(u.s);
    return rc;
}

static int recutctl_valid_budget(const char *b)
{
    size_t l = strlen(b);
    if (l > 1 && b[l - 1] == '%') {
        char num[64];
        if (l - 1 >= sizeof num)
            return 0;
        memcpy(num, b, l - 1);
        num[l - 1] = '\0';
        return recutctl_is_number(num, 1e-9, 100);
    }
    return recutctl_is_number(b, 1e-9, 86400);
}

static int recutctl_cmd_cut(struct recutctl *c, int argc, char **argv)
{
    /* long options map to query parameters of the same meaning */
    static const struct option opts[] = {
        { "budget", required_argument, NULL, 'b' },
        { "editor", required_argument, NULL, 'e' },
        { "format", required_argument, NULL, 'f' },
        { "source", required_argument, NULL, 'S' },
        { "output", required_argument, NULL, 'o' },
        { "fps", required_argument, NULL, 1 },
        { "min-fragment", required_argument, NULL, 2 },
        { "spoiler-tail", required_argument, NULL, 3 },
        { "arousal", required_argument, NULL, 4 },
        { "valence", required_argument, NULL, 5 },
        { NULL, 0, NULL, 0 },
    };
    static const struct {
        const char *query;
        double lo, hi;
    } numeric[] = {
        [1] = { "fps", 1, 240 },           [2] = { "min_fragment", 0, 3600 },
        [3] = { "spoiler_tail", 0, 0.99 }, [4] = { "arousal", 0, 1 },
        [5] = { "valence", -1, 1 },
    };
    const char *budget = NULL, *editor = NULL, *format = NULL, *source = NULL;
    const char *num[6] = { 0 };
    int o, idx;
    optind = 0;
    while ((o = getopt_long(argc, argv, "b:e:f:S:o:", opts, &idx)) != -1) {
        switch (o) {
        case 'b':
            if (!recutctl_valid_budget(optarg))
                return recutctl_usage_error(
                    "cut: --budget takes seconds (0 < s <= 86400) or a percentage (e.g. 15%%)");
            budget = optarg;
            break;
        case 'e':
            editor = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "json") && strcmp(optarg, "edl") && strcmp(optarg, "ffconcat"))
                return recutctl_usage_error("cut: --format must be json, edl or ffconcat");
            format = optarg;
            break;
        case 'S':
            source = optarg;
            break;
        case 'o':
            c->out_path = optarg;
            break;
        case 1:
        case 2:
        case 3:
        case 4:
        case 5:
            if (!recutctl_is_number(optarg, numeric[o].lo, numeric[o].hi))
                return recutctl_usage_error("cut: --%s must be a number in [%g, %g]",
                                            opts[idx].name, numeric[o].lo, numeric[o].hi);
            num[o] = optarg;
            break;
        default:
            return recutctl_bad_option();
        }
    }
    if (argc - optind != 2)
        return recutctl_usage_error(
            "usage: recutctl cut USER MOVIE [--budget SECONDS|PCT%%] [--editor NAME] "
            "[--format json|edl|ffconcat] [--source PATH] [-o FILE]");
    struct recutctl_uri u = { 0 };
    recutctl_uri_raw(&u, "/v1/users");
    recutctl_uri_seg(&u, argv[optind]);
    recutctl_uri_raw(&u, "/cuts");
    recutctl_uri_seg(&u, argv[optind + 1]);
    recutctl_uri_query(&u, "budget", budget);
    recutctl_uri_query(&u, "editor", editor);
    recutctl_uri_query(&u, "format", format);
    recutctl_uri_query(&u, "source", source);
    for (int i = 1; i <= 5; i++)
        recutctl_uri_query(&u, numeric[i].query, num[i]);
    int rc = recutctl_uri_ok(&u) ? recutctl_simple(c, EVHTTP_REQ_GET, u.s, NULL, 0, NULL)
                                 : RECUTCTL_EXIT_SERVER;
    free(u.s);
    return rc;
}

/* The options of the simple commands: --output/-o, which every command has,
 * and, when name is given, one more string option (--name/-letter) into
 * *value.  0, or the exit status of a bad option. */
static int recutctl_getopt(struct recutctl *c, int argc, char **argv, const char *name, int letter,
                           const char **value)
{
    struct option opts[3] = { { "output", required_argument, NULL, 'o' } };
    char shortopts[5] = "o:";
    if (name) {
        opts[1] = (struct option){ name, required_argument, NULL, letter };
        snprintf(shortopts, sizeof shortopts, "%c:o:", letter);
    }
    int o;
    optind = 0;
    while ((o = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
        if (o == 'o')
            c->out_path = optarg;
        else if (name && o == letter)
            *value = optarg;
        else
            return recutctl_bad_option();
    }
    return 0;
}

/* profile USER, forget USER, get-movie ID: one path argument. */
static int recutctl_cmd_one(struct recutctl *c, int argc, char **argv, enum evhttp_cmd_type method,
                            const char *prefix, const char *suffix)
{
    int rc = recutctl_getopt(c, argc, argv, NULL, 0, NULL);
    if (rc != 0)
        return rc;
    if (argc - optind != 1)
        return recutctl_usage_error("usage: recutctl %s %s", argv[0],
                                    strcmp(prefix, "/v1/movies") == 0 ? "ID" : "USER");
    struct recutctl_uri u = { 0 };
    recutctl_uri_raw(&u, prefix);
    recutctl_uri_seg(&u, argv[optind]);
    recutctl_uri_raw(&u, suffix);
    rc =
        recutctl_uri_ok(&u) ? recutctl_simple(c, method, u.s, NULL, 0, NULL) : RECUTCTL_EXIT_SERVER;
    free(u.s);
    return rc;
}

/* health, metrics, plugins: no argument. */
static int recutctl_cmd_none(struct recutctl *c, int argc, char **argv, const char *uri)
{
    int rc = recutctl_getopt(c, argc, argv, NULL, 0, NULL);
    if (rc != 0)
        return rc;
    if (optind != argc)
        return recutctl_usage_error("%s takes no argument", argv[0]);
    return recutctl_exchange(c, EVHTTP_REQ_GET, uri, NULL, 0, NULL, strcmp(argv[0], "health") == 0);
}

static int recutctl_cmd_put_movie(struct recutctl *c, int argc, char **argv)
{
    const char *id = NULL;
    int orc = recutctl_getopt(c, argc, argv, "id", 'i', &id);
    if (orc != 0)
        return orc;
    if (argc - optind != 1)
        return recutctl_usage_error("usage: recutctl put-movie FILE.json [--id ID]");
    const char *path = argv[optind];
    size_t len;
    char *body = recutctl_slurp(path, &len);
    if (!body)
        return RECUTCTL_EXIT_SERVER;
    json_error_t jerr;
    json_t *doc = json_loadb(body, len, 0, &jerr);
    if (!json_is_object(doc)) {
        if (doc)
            recutctl_err("%s: a catalog entry must be a JSON object", path);
        else
            recutctl_err("%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        json_decref(doc);
        free(body);
        return RECUTCTL_EXIT_SERVER;
    }
    char *idbuf = NULL;
    if (!id) {
        const char *fid = json_string_value(json_object_get(doc, "id"));
        if (!fid || !*fid) {
            recutctl_err("%s: no \"id\" in the entry; give one with --id", path);
            json_decref(doc);
            free(body);
            return RECUTCTL_EXIT_SERVER;
        }
        idbuf = strdup(fid);
        id = idbuf;
    }
    json_decref(doc);
    int rc = RECUTCTL_EXIT_SERVER;
    struct recutctl_uri u = { 0 };
    recutctl_uri_raw(&u, "/v1/movies");
    recutctl_uri_seg(&u, id ? id : "");
    if (id && recutctl_uri_ok(&u))
        rc = recutctl_simple(c, EVHTTP_REQ_PUT, u.s, body, len, "application/json");
    free(u.s);
    free(idbuf);
    free(body);
    return rc;
}

/* Post NDJSON in pieces that end at a newline, so big files stay below the
 * server's body limit; rejections are renumbered to lines of the whole input
 * and the answers summed into one {"accepted": N, "rejected": [...]}. */
static int recutctl_post_events(struct recutctl *c, const char *buf, size_t len)
{
    json_t *rejected = json_array();
    json_int_t accepted = 0;
    size_t line_base = 0;
    int rc = 0;
    for (size_t off = 0; off < len && rc == 0;) {
        size_t end = off + RECUTCTL_CHUNK_BYTES < len ? off + RECUTCTL_CHUNK_BYTES : len;
        if (end < len) {
            const char *nl = memchr(buf + end, '\n', len - end);
            end = nl ? (size_t)(nl - buf) + 1 : len;
        }
        size_t lines = 0;
        for (size_t i = off; i < end; i++)
            lines += buf[i] == '\n';
        if (end > off && buf[end - 1] != '\n')
            lines++;
        struct recutctl_resp r;
        rc = recutctl_request(c, EVHTTP_REQ_POST, "/v1/events", buf + off, end - off,
                              "application/x-ndjson", &r);
        if (rc)
            break;
        json_t *doc = r.body ? json_loadb(r.body, r.len, 0, NULL) : NULL;
        json_t *rej = json_object_get(doc, "rejected");
        json_t *acc = json_object_get(doc, "accepted");
        if (r.status < 400 || (r.status == 400 && json_is_array(rej))) {
            accepted += json_integer_value(acc);
            size_t i;
            json_t *item;
            json_array_foreach(rej, i, item)
            {
                json_t *copy = json_deep_copy(item);
                json_t *ln = json_object_get(copy, "line");
                if (json_is_integer(ln))
                    json_object_set_new(
                        copy, "line", json_integer(json_integer_value(ln) + (json_int_t)line_base));
                json_array_append_new(rejected, copy);
            }
        } else {
            recutctl_report_status(&r);
            if (json_is_integer(acc) && json_integer_value(acc) > 0)
                recutctl_err(
                    "%lld events of this request were accepted but not confirmed as stored",
                    (long long)json_integer_value(acc));
            rc = RECUTCTL_EXIT_SERVER;
        }
        json_decref(doc);
        recutctl_resp_free(&r);
        line_base += lines;
        off = end;
    }
    if (rc == 0) {
        size_t i;
        json_t *item;
        json_array_foreach(rejected, i, item)
            recutctl_err("line %lld rejected (%s): %s",
                         (long long)json_integer_value(json_object_get(item, "line")),
                         json_string_value(json_object_get(item, "reason"))
                             ? json_string_value(json_object_get(item, "reason"))
                             : "?",
                         json_string_value(json_object_get(item, "error"))
                             ? json_string_value(json_object_get(item, "error"))
                             : "");
        int any_rejected = json_array_size(rejected) > 0;
        json_t *sum = json_pack("{s:I,s:O}", "accepted", accepted, "rejected", rejected);
        char *out = sum ? json_dumps(sum, JSON_COMPACT) : NULL;
        json_decref(sum);
        if (!out) {
            recutctl_err("out of memory");
            rc = RECUTCTL_EXIT_SERVER;
        } else {
            rc = recutctl_emit(c, out, strlen(out), 1);
            free(out);
        }
        if (rc == 0 && any_rejected)
            rc = RECUTCTL_EXIT_SERVER;
    }
    json_decref(rejected);
    return rc;
}

static int recutctl_cmd_event(struct recutctl *c, int argc, char **argv)
{
    const char *file = NULL;
    int orc = recutctl_getopt(c, argc, argv, "file", 'f', &file);
    if (orc != 0)
        return orc;
    if ((file && optind != argc) || (!file && argc - optind != 1))
        return recutctl_usage_error(
            "usage: recutctl event JSON | recutctl event --file FILE.ndjson");
    if (!file) {
        const char *js = argv[optind];
        json_error_t jerr;
        json_t *doc = json_loads(js, 0, &jerr);
        int ok = json_is_object(doc);
        json_decref(doc);
        if (!ok) {
            recutctl_err("event: %s", doc ? "the event must be a JSON object" : jerr.text);
            return RECUTCTL_EXIT_SERVER;
        }
        return recutctl_post_events(c, js, strlen(js));
    }
    size_t len;
    char *buf = recutctl_slurp(file, &len);
    if (!buf)
        return RECUTCTL_EXIT_SERVER;
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
        i++;
    int rc;
    if (i == len) {
        recutctl_err("%s: no event in the file", file);
        rc = RECUTCTL_EXIT_SERVER;
    } else {
        rc = recutctl_post_events(c, buf, len);
    }
    free(buf);
    return rc;
}

/* ---- main ---------------------------------------------------------------- */

static int recutctl_dispatch(struct recutctl *c, int argc, char **argv)
{
    const char *cmd = argv[0];
    if (strcmp(cmd, "health") == 0)
        return recutctl_cmd_none(c, argc, argv, "/v1/health");
    if (strcmp(cmd, "metrics") == 0)
        return recutctl_cmd_none(c, argc, argv, "/metrics");
    if (strcmp(cmd, "plugins") == 0)
        return recutctl_cmd_none(c, argc, argv, "/v1/plugins");
    if (strcmp(cmd, "recs") == 0)
        return recutctl_cmd_recs(c, argc, argv);
    if (strcmp(cmd, "cut") == 0)
        return recutctl_cmd_cut(c, argc, argv);
    if (strcmp(cmd, "profile") == 0)
        return recutctl_cmd_one(c, argc, argv, EVHTTP_REQ_GET, "/v1/users", "/profile");
    if (strcmp(cmd, "forget") == 0)
        return recutctl_cmd_one(c, argc, argv, EVHTTP_REQ_DELETE, "/v1/users", "");
    if (strcmp(cmd, "get-movie") == 0)
        return recutctl_cmd_one(c, argc, argv, EVHTTP_REQ_GET, "/v1/movies", "");
    if (strcmp(cmd, "put-movie") == 0)
        return recutctl_cmd_put_movie(c, argc, argv);
    if (strcmp(cmd, "event") == 0)
        return recutctl_cmd_event(c, argc, argv);
    return recutctl_usage_error("unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "server", required_argument, NULL, 's' }, { "timeout", required_argument, NULL, 'T' },
        { "output", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },      { NULL, 0, NULL, 0 },
    };
    struct recutctl c = { .timeout = 30 };
    const char *server = getenv("RECUT_SERVER");
    if (!server || !*server)
        server = RECUTCTL_DEFAULT_SERVER;
    int o;
    /* '+': stop at the command; its own options are parsed by the command */
    while ((o = getopt_long(argc, argv, "+s:T:o:hV", opts, NULL)) != -1) {
        switch (o) {
        case 's':
            server = optarg;
            break;
        case 'T':
            if (!recutctl_is_number(optarg, 0.001, 86400))
                return recutctl_usage_error("--timeout must be seconds in (0, 86400]");
            c.timeout = strtod(optarg, NULL);
            break;
        case 'o':
            c.out_path = optarg;
            break;
        case 'h':
            fputs(recutctl_usage_text, stdout);
            return 0;
        case 'V':
            printf("recutctl %s\n", PACKAGE_VERSION);
            return 0;
        default:
            return recutctl_bad_option();
        }
    }
    if (optind >= argc)
        return recutctl_usage_error("no command given");
    for (int i = optind + 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0)
            break;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(recutctl_usage_text, stdout);
            return 0;
        }
    char err[512];
    if (recutctl_parse_server(&c, server, err, sizeof err) < 0)
        return recutctl_usage_error("%s", err);
    signal(SIGPIPE, SIG_IGN);
    c.base = event_base_new();
    if (!c.base) {
        recutctl_err("cannot create an event loop");
        return RECUTCTL_EXIT_SERVER;
    }
    int rc = recutctl_dispatch(&c, argc - optind, argv + optind);
    if (c.conn)
        evhttp_connection_free(c.conn);
    event_base_free(c.base);
    return rc;
}
