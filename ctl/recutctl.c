/* SPDX-License-Identifier: Apache-2.0 */
/* recutctl.c -- command-line client of recutd's HTTP API (see recutctl(1)).
 *
 * One libevent evhttp connection, one request at a time, each with a timeout.
 * This file holds the usage, the commands (their options and URIs) and
 * main; the HTTP client is ctl_http.c, output and files ctl_out.c, URIs
 * ctl_uri.c (ctl.h).
 * Exit status: 0 success, 1 the server answered an error (or rejected
 * events, or a local file could not be read or written), 2 the server could
 * not be reached, 64 usage error. */
#include "config.h"
#include "ctl.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/http.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char recutctl_usage_text[] =
    "Usage: recutctl [-s [https://]HOST:PORT] [--cacert FILE] [-k] [-T SECONDS] [-o FILE]\n"
    "                COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  health                          daemon status (GET /v1/health)\n"
    "  metrics                         Prometheus metrics (GET /metrics)\n"
    "  recs USER [-n N] [--exclude A,B] [--include-seen]\n"
    "                                  recommendations for a viewer\n"
    "  cut USER MOVIE [--budget SECONDS|PCT%] [--editor NAME]\n"
    "      [--format json|edl|ffconcat|hls] [--source PATH] [--fps N]\n"
    "      [--min-fragment S] [--spoiler-tail F] [--arousal A] [--valence V]\n"
    "                                  a personal cut of a movie\n"
    "  profile USER                    what the models learned about a viewer\n"
    "  forget USER                     erase every key of a viewer\n"
    "  event JSON | event --file FILE.ndjson|-\n"
    "                                  post events (POST /v1/events)\n"
    "  put-movie FILE.json [--id ID]   store a catalog entry\n"
    "  get-movie ID                    print a catalog entry\n"
    "  plugins                         list the loaded plugins\n"
    "  token-hash [SCOPE[,SCOPE...]]   the tokens-file line of the token read\n"
    "                                  from stdin (scopes: read, write, admin)\n"
    "  rotate-key [--config FILE] [--redis ADDR] [--prefix P] [--key-file FILE]\n"
    "                                  re-seal stored emotion data with the key\n"
    "                                  file's first key (straight to Redis)\n"
    "\n"
    "Options:\n"
    "  -s, --server HOST:PORT   recutd's HTTP API (default $RECUT_SERVER "
    "or " RECUTCTL_DEFAULT_SERVER ");\n"
    "                           https://HOST:PORT speaks TLS, checking the server's\n"
    "                           certificate against the system's CA store\n"
    "      --cacert FILE        trust the CA certificate(s) in FILE (PEM) instead\n"
    "  -k, --insecure           do not check the server's certificate at all: anyone\n"
    "                           on the path can read and change the traffic\n"
    "  -T, --timeout SECONDS    give up on a request after this long (default 30)\n"
    "  -o, --output FILE        write the body to FILE (atomically) instead of stdout\n"
    "  -h, --help               this text\n"
    "  -V, --version            print the version\n"
    "\n"
    "With RECUT_TOKEN set, every request carries \"Authorization: Bearer $RECUT_TOKEN\".\n"
    "\n"
    "Exit status: 0 success, 1 error reported by the server, 2 server unreachable,\n"
    "64 usage error. See recutctl(1).\n";

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
                ctl_out_err("out of memory");
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
    struct ctl_uri u = { 0 };
    ctl_uri_raw(&u, "/v1/users");
    ctl_uri_seg(&u, argv[optind]);
    ctl_uri_raw(&u, "/recommendations");
    ctl_uri_query(&u, "n", n);
    ctl_uri_query(&u, "exclude", exclude);
    ctl_uri_query(&u, "include_seen", include_seen ? "1" : NULL);
    free(exclude);
    int rc = ctl_uri_ok(&u) ? ctl_http_simple(c, EVHTTP_REQ_GET, u.s, NULL, 0, NULL)
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
            if (strcmp(optarg, "json") && strcmp(optarg, "edl") && strcmp(optarg, "ffconcat") &&
                strcmp(optarg, "hls"))
                return recutctl_usage_error("cut: --format must be json, edl, ffconcat or hls");
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
            "[--format json|edl|ffconcat|hls] [--source PATH] [-o FILE]");
    struct ctl_uri u = { 0 };
    ctl_uri_raw(&u, "/v1/users");
    ctl_uri_seg(&u, argv[optind]);
    ctl_uri_raw(&u, "/cuts");
    ctl_uri_seg(&u, argv[optind + 1]);
    ctl_uri_query(&u, "budget", budget);
    ctl_uri_query(&u, "editor", editor);
    ctl_uri_query(&u, "format", format);
    ctl_uri_query(&u, "source", source);
    for (int i = 1; i <= 5; i++)
        ctl_uri_query(&u, numeric[i].query, num[i]);
    int rc = ctl_uri_ok(&u) ? ctl_http_simple(c, EVHTTP_REQ_GET, u.s, NULL, 0, NULL)
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
    struct ctl_uri u = { 0 };
    ctl_uri_raw(&u, prefix);
    ctl_uri_seg(&u, argv[optind]);
    ctl_uri_raw(&u, suffix);
    rc = ctl_uri_ok(&u) ? ctl_http_simple(c, method, u.s, NULL, 0, NULL) : RECUTCTL_EXIT_SERVER;
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
    return ctl_http_exchange(c, EVHTTP_REQ_GET, uri, NULL, 0, NULL, strcmp(argv[0], "health") == 0);
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
    char *body = ctl_out_slurp(path, &len);
    if (!body)
        return RECUTCTL_EXIT_SERVER;
    json_error_t jerr;
    json_t *doc = json_loadb(body, len, 0, &jerr);
    if (!json_is_object(doc)) {
        if (doc)
            ctl_out_err("%s: a catalog entry must be a JSON object", path);
        else
            ctl_out_err("%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        json_decref(doc);
        free(body);
        return RECUTCTL_EXIT_SERVER;
    }
    char *idbuf = NULL;
    if (!id) {
        const char *fid = json_string_value(json_object_get(doc, "id"));
        if (!fid || !*fid) {
            ctl_out_err("%s: no \"id\" in the entry; give one with --id", path);
            json_decref(doc);
            free(body);
            return RECUTCTL_EXIT_SERVER;
        }
        idbuf = strdup(fid);
        id = idbuf;
    }
    json_decref(doc);
    int rc = RECUTCTL_EXIT_SERVER;
    struct ctl_uri u = { 0 };
    ctl_uri_raw(&u, "/v1/movies");
    ctl_uri_seg(&u, id ? id : "");
    if (id && ctl_uri_ok(&u))
        rc = ctl_http_simple(c, EVHTTP_REQ_PUT, u.s, body, len, "application/json");
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
        struct ctl_answer r;
        rc = ctl_http_request(c, EVHTTP_REQ_POST, "/v1/events", buf + off, end - off,
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
            ctl_http_report_status(&r);
            if (json_is_integer(acc) && json_integer_value(acc) > 0)
                ctl_out_err("%lld events of this request were accepted but not confirmed as stored",
                            (long long)json_integer_value(acc));
            rc = RECUTCTL_EXIT_SERVER;
        }
        json_decref(doc);
        ctl_http_answer_free(&r);
        line_base += lines;
        off = end;
    }
    if (rc == 0) {
        size_t i;
        json_t *item;
        json_array_foreach(rejected, i, item)
            ctl_out_err("line %lld rejected (%s): %s",
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
            ctl_out_err("out of memory");
            rc = RECUTCTL_EXIT_SERVER;
        } else {
            rc = ctl_out_emit(c, out, strlen(out), 1);
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
            ctl_out_err("event: %s", doc ? "the event must be a JSON object" : jerr.text);
            return RECUTCTL_EXIT_SERVER;
        }
        return recutctl_post_events(c, js, strlen(js));
    }
    size_t len;
    char *buf = ctl_out_slurp(file, &len);
    if (!buf)
        return RECUTCTL_EXIT_SERVER;
    size_t i = 0;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
        i++;
    int rc;
    if (i == len) {
        ctl_out_err("%s: no event in the file", file);
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
    if (strcmp(cmd, "token-hash") == 0)
        return ctl_token_hash(argc, argv);
    if (strcmp(cmd, "rotate-key") == 0)
        return ctl_rotate_main(argc, argv);
    return recutctl_usage_error("unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "server", required_argument, NULL, 's' }, { "timeout", required_argument, NULL, 'T' },
        { "output", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },      { "cacert", required_argument, NULL, 'C' },
        { "insecure", no_argument, NULL, 'k' },     { NULL, 0, NULL, 0 },
    };
    struct recutctl c = { .timeout = 30 };
    const char *server = getenv("RECUT_SERVER");
    if (!server || !*server)
        server = RECUTCTL_DEFAULT_SERVER;
    int o;
    /* '+': stop at the command; its own options are parsed by the command */
    while ((o = getopt_long(argc, argv, "+s:T:o:khV", opts, NULL)) != -1) {
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
        case 'C':
            c.cacert = optarg;
            break;
        case 'k':
            c.insecure = 1;
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
    c.token = getenv("RECUT_TOKEN");
    if (c.token && !*c.token)
        c.token = NULL;
    for (const char *p = c.token; p && *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || p - c.token > 4000)
            return recutctl_usage_error("RECUT_TOKEN must be one word of printable characters");
    char err[512];
    if (ctl_http_parse_server(&c, server, err, sizeof err) < 0)
        return recutctl_usage_error("%s", err);
    signal(SIGPIPE, SIG_IGN);
    c.base = event_base_new();
    if (!c.base) {
        ctl_out_err("cannot create an event loop");
        return RECUTCTL_EXIT_SERVER;
    }
    int rc = recutctl_dispatch(&c, argc - optind, argv + optind);
    if (c.conn)
        evhttp_connection_free(c.conn);
    ctl_tls_free(c.tls);
    event_base_free(c.base);
    return rc;
}
