/* SPDX-License-Identifier: Apache-2.0 */
/* ctl.h -- what the parts of recutctl share: the client's state, and the
 * functions of its HTTP client (ctl_http.c), output and files (ctl_out.c)
 * and URI builder (ctl_uri.c), and rotate-key, which talks to Redis
 * (ctl_rotate.c).  The other commands and main are in recutctl.c. */
#ifndef RECUT_CTL_H
#define RECUT_CTL_H

#include <event2/http.h>
#include <stddef.h>

#define RECUTCTL_EXIT_SERVER 1
#define RECUTCTL_EXIT_CONNECT 2
#define RECUTCTL_EXIT_USAGE 64
#define RECUTCTL_DEFAULT_SERVER "127.0.0.1:8080"
#define RECUTCTL_CHUNK_BYTES (1024 * 1024) /* NDJSON sent in pieces of about this size */

struct ctl_tls;
struct bufferevent;

struct recutctl {
    char host[256];
    int port;
    int https;            /* -s https://...: TLS (ctl_tls.c) */
    const char *cacert;   /* --cacert FILE, or NULL: the system's CA store */
    int insecure;         /* -k: no check of the server's certificate */
    struct ctl_tls *tls;  /* made at the first HTTPS request */
    double timeout;       /* seconds */
    const char *out_path; /* -o FILE, or NULL for stdout */
    const char *token;    /* $RECUT_TOKEN, sent as a bearer token, or NULL */
    struct event_base *base;
    struct evhttp_connection *conn;
};

/* One exchange: what the server answered, or why there is no answer. */

/* ---- ctl_http.c: one HTTP exchange at a time ---------------------------- */

/* One exchange: what the server answered, or why there is no answer
 * (filled by ctl_http_request; free the body with ctl_http_answer_free). */
struct ctl_answer {
    int done;
    int status; /* 0: no response */
    enum evhttp_request_error err;
    int have_err;
    char *body;
    size_t len;
    char ctype[128];
};

/* "HOST:PORT", "[V6]:PORT", "HOST" (port 8080), optionally "http://" or
 * "https://" (c->https) and a trailing "/", into c->host and c->port.  -1
 * with a reason. */
int ctl_http_parse_server(struct recutctl *c, const char *spec, char *errstr, size_t errstr_size);
/* Send one request and wait for the answer.  Returns 0 when the server
 * answered (any status), or RECUTCTL_EXIT_CONNECT after printing why not. */
int ctl_http_request(struct recutctl *c, enum evhttp_cmd_type method, const char *uri,
                     const char *body, size_t len, const char *ctype, struct ctl_answer *r);
void ctl_http_answer_free(struct ctl_answer *r);
/* The server's {"error": ...} message (or the status line) on stderr. */
void ctl_http_report_status(const struct ctl_answer *r);
/* A simple exchange: request, then the body or the server's error.  With
 * body_on_error (health), the body of an error answer is printed too. */
int ctl_http_exchange(struct recutctl *c, enum evhttp_cmd_type method, const char *uri,
                      const char *body, size_t len, const char *ctype, int body_on_error);
/* ctl_http_exchange without body_on_error. */
int ctl_http_simple(struct recutctl *c, enum evhttp_cmd_type method, const char *uri,
                    const char *body, size_t len, const char *ctype);

/* ---- ctl_tls.c: HTTPS ---------------------------------------------------- */

/* A client context verifying servers against cacert (NULL: the system's CA
 * store), or not at all (insecure).  NULL with the reason. */
struct ctl_tls *ctl_tls_new(const char *cacert, int insecure, char *errstr, size_t errstr_size);
/* A TLS bufferevent for one connection to host (whose name or IP address
 * the certificate must hold).  NULL with the reason. */
struct bufferevent *ctl_tls_bev(struct ctl_tls *t, struct event_base *base, const char *host,
                                char *errstr, size_t errstr_size);
/* Why the TLS session of bev failed (into buf), or NULL if it did not. */
const char *ctl_tls_why(const struct ctl_tls *t, struct bufferevent *bev, char *buf, size_t n);
void ctl_tls_free(struct ctl_tls *t);

/* ---- ctl_out.c: messages, output, files ---------------------------------- */

/* "recutctl: " + the message on stderr. */
void ctl_out_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Deliver a body: to -o FILE exactly as received (atomically); to stdout
 * with a final newline, JSON pretty-printed when stdout is a terminal. */
int ctl_out_emit(const struct recutctl *c, const char *body, size_t len, int is_json);
/* Read a whole file ("-": stdin); NULL after printing why. */
char *ctl_out_slurp(const char *path, size_t *len);

/* ---- ctl_uri.c: request URIs, percent-encoded ---------------------------- */

struct ctl_uri {
    char *s;
    size_t len, cap;
    int nquery;
    int oom;
};

/* Append s as it is. */
void ctl_uri_raw(struct ctl_uri *u, const char *s);
/* Append "/" + the percent-encoded segment. */
void ctl_uri_seg(struct ctl_uri *u, const char *seg);
/* Append "?name=value" or "&name=value" (value encoded); nothing if NULL. */
void ctl_uri_query(struct ctl_uri *u, const char *name, const char *value);
/* 1 if the URI was built, else 0 after printing "out of memory". */
int ctl_uri_ok(struct ctl_uri *u);

/* ---- ctl_token.c: token-hash ------------------------------------------- */

/* recutctl token-hash [SCOPES]: the token on stdin, its tokens-file line on
 * stdout.  Returns the exit status. */
int ctl_token_hash(int argc, char **argv);

/* ---- ctl_rotate.c: rotate-key, straight to Redis --------------------------- */

/* recutctl rotate-key ARGS (argv[0] is "rotate-key"): an exit status. */
int ctl_rotate_main(int argc, char **argv);

#endif
