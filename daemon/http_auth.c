/* SPDX-License-Identifier: Apache-2.0 */
/* http_auth.c -- who may use the HTTP API, decided before any route runs.
 *
 * The API erases viewers and publishes cuts.  It listens on loopback by
 * default, but loopback is reachable from every web page a local browser
 * opens, so three checks hold even with no configuration: the Host header
 * must name this server (a DNS-rebinding page sends its own name); a request
 * carrying an Origin header must come from a listed origin (browsers send
 * Origin with every cross-site write, curl and recutctl send none); and a
 * request that changes state and carries a body or a Content-Type must say
 * it is JSON (an HTML form or a "simple" cross-site fetch cannot).
 *
 * Beyond that, bearer tokens with scopes (read, write, admin) say who may
 * do what; they are required when the API listens beyond loopback.  The
 * tokens file holds only each token's SHA-256, so reading it reveals no
 * token; a presented token is hashed and compared with every entry in
 * constant time, so the answer's timing does not tell how close a guess
 * was. */
#include "config.h"
#include "http_auth.h"
#include "addr.h"
#include "log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTP_AUTH_READ 1u
#define HTTP_AUTH_WRITE 2u
#define HTTP_AUTH_ADMIN 4u
#define HTTP_AUTH_HASH_LEN 32 /* SHA-256 */

struct http_auth_host {
    char name[256]; /* lower case; an IPv6 literal without brackets */
    int port;       /* -1: any */
};

struct http_auth_token {
    unsigned char hash[HTTP_AUTH_HASH_LEN];
    unsigned scopes;
    int line;
};

struct http_auth {
    int any_host;
    struct http_auth_host *hosts;
    size_t n_hosts;
    char **origins; /* lower case, no trailing '/' */
    size_t n_origins;
    int have_tokens; /* tokens_file is set (even if it lists none) */
    struct http_auth_token *tokens;
    size_t n_tokens;
};

/* ---- names --------------------------------------------------------------- */

/* "name", "name:port", "[v6]" or "[v6]:port" into name (lower case) and
 * *port (-1 when absent).  -1 if it is none of these. */
static int http_auth_split_host(const char *s, char *name, size_t namesz, int *port)
{
    const char *end, *rest;
    int v6 = *s == '[';
    *port = -1;
    if (v6) {
        s++;
        end = strchr(s, ']');
        if (!end)
            return -1;
        rest = end + 1;
    } else {
        end = strchr(s, ':');
        if (!end)
            end = s + strlen(s);
        rest = end;
    }
    size_t len = (size_t)(end - s);
    if (len == 0 || len >= namesz)
        return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || c == '-' || c == '.' || c == '_' || (v6 && c == ':')))
            return -1;
        name[i] = (char)tolower(c);
    }
    name[len] = '\0';
    if (*rest == '\0')
        return 0;
    if (*rest != ':' || rest[1] == '\0')
        return -1;
    long p = 0;
    for (const char *q = rest + 1; *q; q++)
        if (!isdigit((unsigned char)*q) || (p = p * 10 + (*q - '0')) > 65535)
            return -1;
    if (p == 0)
        return -1;
    *port = (int)p;
    return 0;
}

static int http_auth_is_loopback(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (strcasecmp(host, "localhost") == 0)
        return 1;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
    return 0;
}

static int http_auth_is_wildcard(const char *host)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1)
        return a4.s_addr == htonl(INADDR_ANY);
    if (inet_pton(AF_INET6, host, &a6) == 1)
        return IN6_IS_ADDR_UNSPECIFIED(&a6);
    return 0;
}

static int http_auth_add_host(struct http_auth *a, const char *name, int port)
{
    struct http_auth_host *n = realloc(a->hosts, (a->n_hosts + 1) * sizeof *n);
    if (!n)
        return -1;
    a->hosts = n;
    snprintf(n[a->n_hosts].name, sizeof n[a->n_hosts].name, "%s", name);
    for (char *p = n[a->n_hosts].name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    n[a->n_hosts].port = port;
    a->n_hosts++;
    return 0;
}

/* Calls fn on each item of a comma list, blanks around items trimmed,
 * empty items skipped; stops at fn's first -1. */
static int http_auth_each(const char *list, struct http_auth *a,
                          int (*fn)(struct http_auth *a, const char *item, char *errstr,
                                    size_t errstr_size),
                          char *errstr, size_t errstr_size)
{
    char *dup = strdup(list), *save = NULL;
    if (!dup) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    int rc = 0;
    for (char *t = strtok_r(dup, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ' || *t == '\t')
            t++;
        size_t l = strlen(t);
        while (l && (t[l - 1] == ' ' || t[l - 1] == '\t'))
            t[--l] = '\0';
        if (l)
            rc = fn(a, t, errstr, errstr_size);
    }
    free(dup);
    return rc;
}

static int http_auth_host_item(struct http_auth *a, const char *item, char *errstr,
                               size_t errstr_size)
{
    char name[256];
    int port;
    if (strcmp(item, "*") == 0) {
        a->any_host = 1;
        return 0;
    }
    if (http_auth_split_host(item, name, sizeof name, &port) < 0) {
        snprintf(errstr, errstr_size,
                 "http.allowed_hosts: '%s' is not host, host:port, [v6] or [v6]:port", item);
        return -1;
    }
    if (http_auth_add_host(a, name, port) < 0) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    return 0;
}

static int http_auth_origin_item(struct http_auth *a, const char *item, char *errstr,
                                 size_t errstr_size)
{
    char name[256];
    int port;
    size_t l = strlen(item);
    while (l && item[l - 1] == '/')
        l--;
    const char *host = strncasecmp(item, "http://", 7) == 0    ? item + 7
                       : strncasecmp(item, "https://", 8) == 0 ? item + 8
                                                               : NULL;
    char *o = strndup(item, l);
    if (!o) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (host)
        host = o + (host - item);
    if (!host || host >= o + l || http_auth_split_host(host, name, sizeof name, &port) < 0) {
        snprintf(errstr, errstr_size,
                 "http.allowed_origins: '%s' is not an origin (http[s]://host[:port])", item);
        free(o);
        return -1;
    }
    for (char *p = o; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    char **n = realloc(a->origins, (a->n_origins + 1) * sizeof *n);
    if (!n) {
        free(o);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    a->origins = n;
    n[a->n_origins++] = o;
    return 0;
}

/* ---- the tokens file ----------------------------------------------------- */

static int http_auth_hex(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* One line's words (comment stripped) into a->tokens.  0, 1 for a line
 * without a token, or -1 with the reason in why. */
static int http_auth_token_line(struct http_auth *a, char *line, int lineno, char *why,
                                size_t whysz)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *save = NULL;
    char *w1 = strtok_r(line, " \t\r\n", &save);
    if (!w1)
        return 1;
    char *w2 = strtok_r(NULL, " \t\r\n", &save);
    if (!w2 || strtok_r(NULL, " \t\r\n", &save)) {
        snprintf(why, whysz, "expected SHA256HEX SCOPE[,SCOPE...]");
        return -1;
    }
    struct http_auth_token t = { .line = lineno };
    size_t l = strlen(w1);
    for (size_t i = 0; l == 2 * HTTP_AUTH_HASH_LEN && i < HTTP_AUTH_HASH_LEN; i++) {
        int hi = http_auth_hex(w1[2 * i]), lo = http_auth_hex(w1[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            l = 0;
            break;
        }
        t.hash[i] = (unsigned char)(hi << 4 | lo);
    }
    if (l != 2 * HTTP_AUTH_HASH_LEN) {
        snprintf(why, whysz,
                 "'%.80s' is not 64 hex digits (the SHA-256 of the token, as recutctl "
                 "token-hash prints it)",
                 w1);
        return -1;
    }
    if (w2[0] == ',' || w2[strlen(w2) - 1] == ',' || strstr(w2, ",,")) {
        snprintf(why, whysz, "expected SHA256HEX SCOPE[,SCOPE...]");
        return -1;
    }
    char *ssave = NULL;
    for (char *s = strtok_r(w2, ",", &ssave); s; s = strtok_r(NULL, ",", &ssave)) {
        if (strcmp(s, "read") == 0)
            t.scopes |= HTTP_AUTH_READ;
        else if (strcmp(s, "write") == 0)
            t.scopes |= HTTP_AUTH_WRITE;
        else if (strcmp(s, "admin") == 0)
            t.scopes |= HTTP_AUTH_ADMIN;
        else {
            snprintf(why, whysz, "unknown scope '%.40s' (read, write or admin)", s);
            return -1;
        }
    }
    for (size_t i = 0; i < a->n_tokens; i++)
        if (memcmp(a->tokens[i].hash, t.hash, sizeof t.hash) == 0) {
            snprintf(why, whysz, "the same token as line %d", a->tokens[i].line);
            return -1;
        }
    struct http_auth_token *n = realloc(a->tokens, (a->n_tokens + 1) * sizeof *n);
    if (!n) {
        snprintf(why, whysz, "out of memory");
        return -1;
    }
    a->tokens = n;
    n[a->n_tokens++] = t;
    return 0;
}

static int http_auth_load_tokens(struct http_auth *a, const struct recut_config *cfg, char *errstr,
                                 size_t errstr_size)
{
    const char *path = cfg->http_tokens_file;
    char at[600];
    conf_where(cfg, "http", "tokens_file", at, sizeof at);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errstr, errstr_size, "%s: http.tokens_file: %s: %s", at, path, strerror(errno));
        return -1;
    }
    char *line = NULL, why[256];
    size_t cap = 0;
    ssize_t got;
    int lineno = 0, rc = 0;
    while (rc == 0 && (got = getline(&line, &cap, f)) != -1) {
        lineno++;
        if (memchr(line, '\0', (size_t)got)) {
            snprintf(why, sizeof why, "a NUL byte");
            rc = -1;
        } else if (http_auth_token_line(a, line, lineno, why, sizeof why) < 0) {
            rc = -1;
        }
        if (rc < 0)
            snprintf(errstr, errstr_size, "%s:%d: %s", path, lineno, why);
    }
    if (rc == 0 && ferror(f)) {
        snprintf(errstr, errstr_size, "%s: http.tokens_file: %s: read error", at, path);
        rc = -1;
    }
    if (line)
        OPENSSL_cleanse(line, cap);
    free(line);
    fclose(f);
    a->have_tokens = 1;
    return rc;
}

/* ---- building it --------------------------------------------------------- */

struct http_auth *http_auth_new(const struct recut_config *cfg, char *errstr, size_t errstr_size)
{
    struct http_auth *a = calloc(1, sizeof *a);
    char at[600], host[256], why[256];
    int port;
    if (!a) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    if (http_auth_each(cfg->http_allowed_hosts, a, http_auth_host_item, why, sizeof why) < 0 ||
        http_auth_each(cfg->http_allowed_origins, a, http_auth_origin_item, why, sizeof why) < 0) {
        snprintf(errstr, errstr_size, "%s: %s",
                 conf_where(cfg, "http",
                            strstr(why, "origins") ? "allowed_origins" : "allowed_hosts", at,
                            sizeof at),
                 why);
        http_auth_free(a);
        return NULL;
    }
    /* the listen address names this server too (a wildcard names nothing) */
    if (cfg->http_listen[0] &&
        util_parse_hostport(cfg->http_listen, host, sizeof host, &port, why, sizeof why) == 0) {
        if (!http_auth_is_wildcard(host) && http_auth_add_host(a, host, -1) < 0) {
            snprintf(errstr, errstr_size, "out of memory");
            http_auth_free(a);
            return NULL;
        }
        if (!cfg->http_tokens_file[0] && !http_auth_is_loopback(host)) {
            snprintf(errstr, errstr_size,
                     "%s: http.listen = %s is not a loopback address and http.tokens_file is "
                     "not set: anyone who reaches it could read and erase viewers; set "
                     "[http] tokens_file (see recutd(8), AUTHENTICATION)",
                     conf_where(cfg, "http", "listen", at, sizeof at), cfg->http_listen);
            http_auth_free(a);
            return NULL;
        }
    }
    if (cfg->http_tokens_file[0] && http_auth_load_tokens(a, cfg, errstr, errstr_size) < 0) {
        http_auth_free(a);
        return NULL;
    }
    return a;
}

void http_auth_free(struct http_auth *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_origins; i++)
        free(a->origins[i]);
    free(a->origins);
    free(a->hosts);
    if (a->tokens)
        OPENSSL_cleanse(a->tokens, a->n_tokens * sizeof *a->tokens);
    free(a->tokens);
    free(a);
}

void http_auth_log(const struct http_auth *a, const struct recut_config *cfg)
{
    if (!a->have_tokens)
        log_notice("http: no [http] tokens_file: any local process may use the API");
    else if (a->n_tokens == 0)
        log_warn("http: %s lists no token: only GET /v1/health is answered", cfg->http_tokens_file);
    else
        log_info("http: %zu token(s) from %s", a->n_tokens, cfg->http_tokens_file);
}

/* ---- checking a request -------------------------------------------------- */

/* The value of header name and how many times it is present. */
static const char *http_auth_header(struct evkeyvalq *h, const char *name, int *count)
{
    const char *v = NULL;
    *count = 0;
    for (struct evkeyval *kv = h->tqh_first; kv; kv = kv->next.tqe_next)
        if (strcasecmp(kv->key, name) == 0) {
            if (!v)
                v = kv->value;
            (*count)++;
        }
    return v;
}

static int http_auth_host_ok(const struct http_auth *a, const char *name, int port)
{
    for (size_t i = 0; i < a->n_hosts; i++)
        if (strcmp(a->hosts[i].name, name) == 0 &&
            (a->hosts[i].port < 0 || a->hosts[i].port == port))
            return 1;
    return 0;
}

static int http_auth_check_host(const struct http_auth *a, struct evhttp_request *req, char *msg,
                                size_t msgsz)
{
    int n, port;
    char name[256];
    const char *host = http_auth_header(evhttp_request_get_input_headers(req), "Host", &n);
    if (n != 1) {
        snprintf(msg, msgsz, n ? "more than one Host header" : "the request has no Host header");
        return 400;
    }
    if (http_auth_split_host(host, name, sizeof name, &port) < 0) {
        snprintf(msg, msgsz, "malformed Host header");
        return 400;
    }
    if (!http_auth_host_ok(a, name, port)) {
        snprintf(msg, msgsz, "host '%s' is not served here (see [http] allowed_hosts)", name);
        return 421;
    }
    /* an absolute request URI names a host too */
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *uhost = uri ? evhttp_uri_get_host(uri) : NULL;
    if (uhost && (http_auth_split_host(uhost, name, sizeof name, &port) < 0 ||
                  !http_auth_host_ok(a, name, evhttp_uri_get_port(uri)))) {
        snprintf(msg, msgsz, "the request URI names a host not served here");
        return 421;
    }
    return 0;
}

static int http_auth_check_origin(const struct http_auth *a, struct evhttp_request *req, char *msg,
                                  size_t msgsz)
{
    int n;
    const char *origin = http_auth_header(evhttp_request_get_input_headers(req), "Origin", &n);
    if (n == 0)
        return 0;
    if (n == 1) {
        size_t l = strlen(origin);
        while (l && origin[l - 1] == '/')
            l--;
        for (size_t i = 0; i < a->n_origins; i++)
            if (strlen(a->origins[i]) == l && strncasecmp(a->origins[i], origin, l) == 0)
                return 0;
    }
    snprintf(msg, msgsz, "cross-site request refused: its Origin is not in [http] allowed_origins");
    return 403;
}

/* The scope a request needs, 0 for none. */
static unsigned http_auth_needed(enum evhttp_cmd_type cmd, enum httppath_route route)
{
    if (route == HTTPPATH_HEALTH && (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD))
        return 0;
    /* the console's files: the page asks for a token and sends it itself */
    if (route == HTTPPATH_UI && (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD))
        return 0;
    if (route == HTTPPATH_METRICS)
        return HTTP_AUTH_ADMIN;
    if (cmd == EVHTTP_REQ_DELETE)
        return HTTP_AUTH_ADMIN;
    if (cmd == EVHTTP_REQ_POST || cmd == EVHTTP_REQ_PUT)
        return HTTP_AUTH_WRITE;
    return HTTP_AUTH_READ;
}

/* The scopes of the token, or 0 with *found 0 when no entry has its hash.
 * Every entry is compared, in constant time. */
static unsigned http_auth_lookup(const struct http_auth *a, const char *tok, size_t len, int *found)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0, scopes = 0;
    int hit = 0;
    *found = 0;
    if (!EVP_Digest(tok, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != HTTP_AUTH_HASH_LEN)
        return 0;
    for (size_t i = 0; i < a->n_tokens; i++) {
        unsigned eq = CRYPTO_memcmp(md, a->tokens[i].hash, HTTP_AUTH_HASH_LEN) == 0;
        scopes |= a->tokens[i].scopes & (0u - eq);
        hit |= (int)eq;
    }
    OPENSSL_cleanse(md, sizeof md);
    *found = hit;
    return scopes;
}

static int http_auth_check_token(const struct http_auth *a, struct evhttp_request *req,
                                 unsigned need, char *msg, size_t msgsz)
{
    int n, found = 0;
    unsigned scopes = 0;
    const char *v = http_auth_header(evhttp_request_get_input_headers(req), "Authorization", &n);
    if (n == 1) {
        while (*v == ' ' || *v == '\t')
            v++;
        if (strncasecmp(v, "Bearer", 6) == 0 && (v[6] == ' ' || v[6] == '\t')) {
            v += 6;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t l = strlen(v);
            while (l && (v[l - 1] == ' ' || v[l - 1] == '\t'))
                l--;
            if (l)
                scopes = http_auth_lookup(a, v, l, &found);
        }
    }
    if (!found) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
                          "Bearer realm=\"recut\"");
        snprintf(msg, msgsz,
                 n == 0 ? "this request needs a token (Authorization: Bearer TOKEN)"
                        : "the token is not valid");
        return 401;
    }
    if (!(scopes & need)) {
        snprintf(msg, msgsz, "the token lacks the %s scope",
                 need == HTTP_AUTH_READ    ? "read"
                 : need == HTTP_AUTH_WRITE ? "write"
                                           : "admin");
        return 403;
    }
    return 0;
}

/* A request that changes state and carries a body or a Content-Type must
 * be JSON: HTML forms and cross-site "simple" requests cannot send that. */
static int http_auth_check_ctype(struct evhttp_request *req, enum evhttp_cmd_type cmd, char *msg,
                                 size_t msgsz)
{
    if (cmd != EVHTTP_REQ_POST && cmd != EVHTTP_REQ_PUT && cmd != EVHTTP_REQ_DELETE)
        return 0;
    int n;
    const char *ct = http_auth_header(evhttp_request_get_input_headers(req), "Content-Type", &n);
    size_t body = evbuffer_get_length(evhttp_request_get_input_buffer(req));
    if (n == 0 && body == 0)
        return 0;
    if (n == 1) {
        while (*ct == ' ' || *ct == '\t')
            ct++;
        size_t l = strcspn(ct, ";");
        while (l && (ct[l - 1] == ' ' || ct[l - 1] == '\t'))
            l--;
        if ((l == 16 && strncasecmp(ct, "application/json", l) == 0) ||
            (l == 20 && strncasecmp(ct, "application/x-ndjson", l) == 0))
            return 0;
    }
    snprintf(msg, msgsz,
             "a %s with a body needs Content-Type: application/json or application/x-ndjson",
             cmd == EVHTTP_REQ_POST  ? "POST"
             : cmd == EVHTTP_REQ_PUT ? "PUT"
                                     : "DELETE");
    return 415;
}

int http_auth_check(const struct http_auth *a, struct evhttp_request *req,
                    enum httppath_route route, char *msg, size_t msgsz)
{
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    int code = 0;
    if (!a->any_host)
        code = http_auth_check_host(a, req, msg, msgsz);
    if (!code)
        code = http_auth_check_origin(a, req, msg, msgsz);
    unsigned need = http_auth_needed(cmd, route);
    if (!code && a->have_tokens && need)
        code = http_auth_check_token(a, req, need, msg, msgsz);
    if (!code)
        code = http_auth_check_ctype(req, cmd, msg, msgsz);
    return code;
}
