/* SPDX-License-Identifier: Apache-2.0 */
/* ctl_http.c -- recutctl's HTTP client: the server address, one libevent
 * evhttp connection, one request at a time with a timeout, and why a
 * request got no answer (libevent does not say: a probe connects again).
 * Kept apart from the commands so that each command is only its options
 * and its URI. */
#include "config.h"
#include "addr.h"
#include "ctl.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* "HOST:PORT", "[V6]:PORT", "HOST" (port 8080), optionally "http://" or
 * "https://" and a trailing "/"; the address itself is read by lib/util's
 * one parser.  -1 with a reason. */
int ctl_http_parse_server(struct recutctl *c, const char *spec, char *errstr, size_t errstr_size)
{
    const char *s = spec;
    c->https = 0;
    if (strncmp(s, "http://", 7) == 0) {
        s += 7;
    } else if (strncmp(s, "https://", 8) == 0) {
        s += 8;
        c->https = 1;
    }
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

static void ctl_http_on_error(enum evhttp_request_error e, void *arg)
{
    struct ctl_answer *r = arg;
    r->err = e;
    r->have_err = 1;
}

static void ctl_http_on_done(struct evhttp_request *req, void *arg)
{
    struct ctl_answer *r = arg;
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

void ctl_http_answer_free(struct ctl_answer *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* libevent does not say why a connection failed: connect once more by hand
 * to find out.  Returns 0 if the server accepts connections, else an errno
 * (or -1 with *gai set when the name does not resolve). */
static int ctl_http_probe(const struct recutctl *c, int *gai)
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

/* c->conn, over TLS with -s https://; -1 after printing why not (a NULL
 * c->conn is reported by the caller). */
static int ctl_http_connect(struct recutctl *c)
{
    if (!c->https) {
        c->conn = evhttp_connection_base_new(c->base, NULL, c->host, (unsigned short)c->port);
        return 0;
    }
    char err[512];
    if (!c->tls && !(c->tls = ctl_tls_new(c->cacert, c->insecure, err, sizeof err))) {
        ctl_out_err("%s", err);
        return -1;
    }
    struct bufferevent *bev = ctl_tls_bev(c->tls, c->base, c->host, err, sizeof err);
    if (!bev) {
        ctl_out_err("%s", err);
        return -1;
    }
    c->conn = evhttp_connection_base_bufferevent_new(c->base, NULL, bev, c->host,
                                                     (unsigned short)c->port);
    if (!c->conn)
        bufferevent_free(bev);
    return 0;
}

/* Send one request and wait for the answer.  Returns 0 when the server
 * answered (any status), or RECUTCTL_EXIT_CONNECT after printing why not. */
int ctl_http_request(struct recutctl *c, enum evhttp_cmd_type method, const char *uri,
                     const char *body, size_t len, const char *ctype, struct ctl_answer *r)
{
    memset(r, 0, sizeof *r);
    /* a TLS session is not reconnected by evhttp: one connection a request */
    if (c->conn && c->https) {
        evhttp_connection_free(c->conn);
        c->conn = NULL;
    }
    if (!c->conn) {
        if (ctl_http_connect(c) < 0)
            return RECUTCTL_EXIT_CONNECT;
        if (!c->conn) {
            ctl_out_err("cannot create a connection to %s:%d", c->host, c->port);
            return RECUTCTL_EXIT_CONNECT;
        }
        struct timeval tv = { (time_t)c->timeout,
                              (suseconds_t)((c->timeout - floor(c->timeout)) * 1e6) };
        evhttp_connection_set_timeout_tv(c->conn, &tv);
        evhttp_connection_set_retries(c->conn, 0);
    }
    struct evhttp_request *req = evhttp_request_new(ctl_http_on_done, r);
    if (!req) {
        ctl_out_err("out of memory");
        return RECUTCTL_EXIT_CONNECT;
    }
    evhttp_request_set_error_cb(req, ctl_http_on_error);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    char hostport[300];
    snprintf(hostport, sizeof hostport, strchr(c->host, ':') ? "[%s]:%d" : "%s:%d", c->host,
             c->port);
    evhttp_add_header(h, "Host", hostport);
    evhttp_add_header(h, "User-Agent", "recutctl/" PACKAGE_VERSION);
    evhttp_add_header(h, "Accept", "application/json, text/plain");
    if (c->token) {
        char auth[4200];
        snprintf(auth, sizeof auth, "Bearer %s", c->token);
        evhttp_add_header(h, "Authorization", auth);
    }
    if (body) {
        evhttp_add_header(h, "Content-Type", ctype);
        evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
    }
    if (evhttp_make_request(c->conn, req, method, uri) < 0) {
        ctl_out_err("cannot send the request to %s", hostport);
        return RECUTCTL_EXIT_CONNECT;
    }
    while (!r->done)
        if (event_base_loop(c->base, EVLOOP_ONCE) < 0)
            break;
    if (r->status > 0)
        return 0;
    int gai = 0, perr = 0;
    char why[512];
    const char *tls_why =
        c->https ? ctl_tls_why(c->tls, evhttp_connection_get_bufferevent(c->conn), why, sizeof why)
                 : NULL;
    if (tls_why) {
        ctl_out_err("%s: TLS %s", hostport, tls_why);
    } else if (r->have_err && r->err == EVREQ_HTTP_TIMEOUT) {
        ctl_out_err("%s: no answer within %g s", hostport, c->timeout);
    } else if ((perr = ctl_http_probe(c, &gai)) == ECONNREFUSED) {
        ctl_out_err(
            "cannot connect to %s: connection refused (is recutd running? see -s and RECUT_SERVER)",
            hostport);
    } else if (perr < 0) {
        ctl_out_err("cannot resolve %s: %s", c->host, gai_strerror(gai));
    } else if (perr > 0) {
        ctl_out_err("cannot connect to %s: %s", hostport, strerror(perr));
    } else {
        ctl_out_err("%s closed the connection without an answer%s", hostport,
                    c->https ? "" : " (if it serves HTTPS: -s https://...)");
    }
    /* a failed connection is not reused */
    evhttp_connection_free(c->conn);
    c->conn = NULL;
    return RECUTCTL_EXIT_CONNECT;
}

/* The server's {"error": ...} message (or the status line) on stderr. */
void ctl_http_report_status(const struct ctl_answer *r)
{
    json_t *doc = r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
    const char *msg = json_string_value(json_object_get(doc, "error"));
    const char *status = json_string_value(json_object_get(doc, "status"));
    if (msg)
        ctl_out_err("error %d: %s", r->status, msg);
    else if (status)
        ctl_out_err("error %d: %s", r->status, status);
    else if (r->len && r->len < 512 && strncmp(r->ctype, "text/", 5) == 0)
        ctl_out_err("error %d: %.*s", r->status, (int)r->len, r->body);
    else
        ctl_out_err("error %d from the server", r->status);
    json_decref(doc);
}

/* A simple exchange: request, then the body or the server's error.  With
 * body_on_error (health), the body of an error answer is printed too. */
int ctl_http_exchange(struct recutctl *c, enum evhttp_cmd_type method, const char *uri,
                      const char *body, size_t len, const char *ctype, int body_on_error)
{
    struct ctl_answer r;
    int rc = ctl_http_request(c, method, uri, body, len, ctype, &r);
    if (rc)
        return rc;
    int is_json = strncmp(r.ctype, "application/json", 16) == 0;
    if (r.status >= 400) {
        ctl_http_report_status(&r);
        if (body_on_error && r.body && !c->out_path)
            ctl_out_emit(c, r.body, r.len, is_json);
        ctl_http_answer_free(&r);
        return RECUTCTL_EXIT_SERVER;
    }
    rc = ctl_out_emit(c, r.body ? r.body : "", r.len, is_json);
    ctl_http_answer_free(&r);
    return rc;
}

int ctl_http_simple(struct recutctl *c, enum evhttp_cmd_type method, const char *uri,
                    const char *body, size_t len, const char *ctype)
{
    return ctl_http_exchange(c, method, uri, body, len, ctype, 0);
}
