/* SPDX-License-Identifier: Apache-2.0 */
/* http_tls.c -- HTTPS for the HTTP API.  The API carries viewers' events
 * and profiles, so off a loopback address it must be encrypted; libevent's
 * evhttp does TLS when each new connection gets an OpenSSL bufferevent
 * (through http.c's evhttp_set_bevcb callback, which also counts the
 * connection), which is all this file adds to http.c.
 *
 * The certificate and key are one SSL_CTX: a reload (certificates rotate)
 * builds a new one from the files and swaps it in, so new connections get
 * the new certificate while open ones keep the context they hold a
 * reference to; a file that does not load leaves the running one in place.
 * TLS 1.2 is the oldest version offered.  The same loading serves the
 * checks of start-up, `recutd -t` and reload (http_tls_check), so each
 * refuses a bad file with the same "file:line: key: reason" message.
 *
 * evhttp falls back to a plain bufferevent when the callback cannot make a
 * TLS one (out of memory): http_tls_request_ok lets http.c refuse to
 * answer such a connection, so a TLS port never serves plain HTTP. */
#include "config.h"
#include "http_tls.h"
#include "log.h"

#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct http_tls {
    struct evhttp *eh;
    SSL_CTX *ctx; /* NULL: plain HTTP */
    pthread_mutex_t
        lock; /* ctx: sessions start on the HTTP thread, reloads swap on the main loop */
};

/* The first OpenSSL error's reason (the cause: "no start line", not the
 * "PEM lib" it led to), or a fallback; clears the error queue. */
static const char *http_tls_ssl_reason(const char *fallback)
{
    unsigned long e = ERR_peek_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    ERR_clear_error();
    return r ? r : fallback;
}

/* A file recutd cannot even open: say why in the system's words. */
static int http_tls_readable(const char *path, const char *at, const char *key, char *errstr,
                             size_t errstr_size)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errstr, errstr_size, "%s: http.%s: %s: %s", at, key, path, strerror(errno));
        return -1;
    }
    fclose(f);
    return 0;
}

/* A server context holding cfg's certificate (chain) and key, or NULL with
 * the reason. */
static SSL_CTX *http_tls_ctx(const struct recut_config *cfg, char *errstr, size_t errstr_size)
{
    char atc[600], atk[600];
    conf_where(cfg, "http", "tls_cert", atc, sizeof atc);
    conf_where(cfg, "http", "tls_key", atk, sizeof atk);
    if (http_tls_readable(cfg->http_tls_cert, atc, "tls_cert", errstr, errstr_size) < 0 ||
        http_tls_readable(cfg->http_tls_key, atk, "tls_key", errstr, errstr_size) < 0)
        return NULL;
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        snprintf(errstr, errstr_size, "TLS: %s", http_tls_ssl_reason("cannot create a context"));
        return NULL;
    }
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
        snprintf(errstr, errstr_size, "TLS: cannot require TLS 1.2: %s",
                 http_tls_ssl_reason("unknown error"));
        goto fail;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->http_tls_cert) != 1) {
        snprintf(errstr, errstr_size, "%s: http.tls_cert: %s: not a PEM certificate: %s", atc,
                 cfg->http_tls_cert, http_tls_ssl_reason("unreadable"));
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, cfg->http_tls_key, SSL_FILETYPE_PEM) != 1) {
        snprintf(errstr, errstr_size,
                 "%s: http.tls_key: %s: not the PEM private key of the certificate: %s", atk,
                 cfg->http_tls_key, http_tls_ssl_reason("unreadable"));
        goto fail;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        snprintf(errstr, errstr_size, "%s: http.tls_key: %s does not match the certificate %s: %s",
                 atk, cfg->http_tls_key, cfg->http_tls_cert, http_tls_ssl_reason("mismatch"));
        goto fail;
    }
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}

/* Both keys or neither: -1 with the reason when one is missing. */
static int http_tls_pair(const struct recut_config *cfg, char *errstr, size_t errstr_size)
{
    char at[600];
    int c = cfg->http_tls_cert[0] != '\0', k = cfg->http_tls_key[0] != '\0';
    if (c == k)
        return 0;
    snprintf(errstr, errstr_size, "%s: http.%s is set but http.%s is empty (set both or neither)",
             conf_where(cfg, "http", c ? "tls_cert" : "tls_key", at, sizeof at),
             c ? "tls_cert" : "tls_key", c ? "tls_key" : "tls_cert");
    return -1;
}

int http_tls_check(const struct recut_config *cfg, char *errstr, size_t errstr_size)
{
    if (http_tls_pair(cfg, errstr, errstr_size) < 0)
        return -1;
    if (!cfg->http_tls_cert[0])
        return 0;
    SSL_CTX *ctx = http_tls_ctx(cfg, errstr, errstr_size);
    if (!ctx)
        return -1;
    SSL_CTX_free(ctx);
    return 0;
}

struct bufferevent *http_tls_bev(struct http_tls *t, struct event_base *base)
{
    if (!t)
        return NULL;
    pthread_mutex_lock(&t->lock);
    int on = t->ctx != NULL;
    SSL *ssl = on ? SSL_new(t->ctx) : NULL;
    pthread_mutex_unlock(&t->lock);
    if (!on)
        return NULL;
    if (!ssl) {
        log_err("http: cannot start a TLS session: %s", http_tls_ssl_reason("out of memory"));
        return NULL;
    }
    struct bufferevent *bev = bufferevent_openssl_socket_new(
        base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        SSL_free(ssl);
        log_err("http: cannot start a TLS session: out of memory");
    }
    return bev;
}

/* Log what is being served: the certificate's subject and expiry. */
static void http_tls_log_cert(SSL_CTX *ctx, const char *path)
{
    X509 *x = SSL_CTX_get0_certificate(ctx);
    char subject[256] = "?", until[64] = "?";
    if (x) {
        X509_NAME_oneline(X509_get_subject_name(x), subject, sizeof subject);
        BIO *b = BIO_new(BIO_s_mem());
        if (b && ASN1_TIME_print(b, X509_get0_notAfter(x)) == 1) {
            int n = BIO_read(b, until, (int)sizeof until - 1);
            until[n > 0 ? n : 0] = '\0';
        }
        BIO_free(b);
    }
    log_info("http: TLS certificate %s (%s), valid until %s", path, subject, until);
}

/* Serve what cfg says from now on: TLS with a fresh context, or plain. */
static int http_tls_apply(struct http_tls *t, const struct recut_config *cfg, char *errstr,
                          size_t errstr_size)
{
    if (http_tls_pair(cfg, errstr, errstr_size) < 0)
        return -1;
    SSL_CTX *ctx = NULL;
    if (cfg->http_tls_cert[0] && !(ctx = http_tls_ctx(cfg, errstr, errstr_size)))
        return -1;
    pthread_mutex_lock(&t->lock);
    SSL_CTX *old = t->ctx;
    t->ctx = ctx; /* open connections hold references to the old one */
    pthread_mutex_unlock(&t->lock);
    SSL_CTX_free(old);
    if (ctx)
        http_tls_log_cert(ctx, cfg->http_tls_cert);
    return 0;
}

struct http_tls *http_tls_new(struct evhttp *eh, const struct recut_config *cfg, char *errstr,
                              size_t errstr_size)
{
    struct http_tls *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    t->eh = eh;
    pthread_mutex_init(&t->lock, NULL);
    if (http_tls_apply(t, cfg, errstr, errstr_size) < 0) {
        pthread_mutex_destroy(&t->lock);
        free(t);
        return NULL;
    }
    return t;
}

int http_tls_reload(struct http_tls *t, const struct recut_config *cfg, char *errstr,
                    size_t errstr_size)
{
    int was = http_tls_on(t);
    if (http_tls_apply(t, cfg, errstr, errstr_size) < 0)
        return -1;
    int now = http_tls_on(t);
    if (was != now)
        log_notice("http: new connections are served over %s", now ? "HTTPS" : "plain HTTP");
    return 0;
}

int http_tls_on(struct http_tls *t)
{
    if (!t)
        return 0;
    pthread_mutex_lock(&t->lock);
    int on = t->ctx != NULL;
    pthread_mutex_unlock(&t->lock);
    return on;
}

int http_tls_request_ok(struct http_tls *t, struct evhttp_request *req)
{
    if (!http_tls_on(t))
        return 1;
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
    return bev && bufferevent_openssl_get_ssl(bev) != NULL;
}

void http_tls_free(struct http_tls *t)
{
    if (!t)
        return;
    SSL_CTX_free(t->ctx);
    pthread_mutex_destroy(&t->lock);
    free(t);
}
