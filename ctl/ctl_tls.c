/* SPDX-License-Identifier: Apache-2.0 */
/* ctl_tls.c -- recutctl's side of HTTPS (-s https://HOST:PORT): an OpenSSL
 * client context that verifies recutd's certificate and its name (the
 * system's CA store, or --cacert FILE for a private CA; -k turns checking
 * off), and the TLS bufferevent each evhttp connection runs over.  Kept
 * apart so that ctl_http.c stays one HTTP exchange and this file is all of
 * recutctl that knows OpenSSL; when a handshake fails it says why
 * (libevent only says the connection closed). */
#include "config.h"
#include "ctl.h"

#include <arpa/inet.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ctl_tls {
    SSL_CTX *ctx;
    int insecure;
};

static const char *ctl_tls_reason(unsigned long e, const char *fallback)
{
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    return r ? r : fallback;
}

struct ctl_tls *ctl_tls_new(const char *cacert, int insecure, char *errstr, size_t errstr_size)
{
    struct ctl_tls *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    t->insecure = insecure;
    ERR_clear_error();
    t->ctx = SSL_CTX_new(TLS_client_method());
    if (!t->ctx || SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION) != 1) {
        snprintf(errstr, errstr_size, "TLS: %s",
                 ctl_tls_reason(ERR_get_error(), "cannot create a context"));
        ctl_tls_free(t);
        return NULL;
    }
    if (cacert) {
        if (SSL_CTX_load_verify_locations(t->ctx, cacert, NULL) != 1) {
            snprintf(errstr, errstr_size, "--cacert %s: cannot load the CA certificate: %s", cacert,
                     ctl_tls_reason(ERR_get_error(), "unreadable"));
            ctl_tls_free(t);
            return NULL;
        }
    } else if (SSL_CTX_set_default_verify_paths(t->ctx) != 1) {
        snprintf(errstr, errstr_size, "TLS: cannot load the system's CA certificates: %s",
                 ctl_tls_reason(ERR_get_error(), "unknown error"));
        ctl_tls_free(t);
        return NULL;
    }
    SSL_CTX_set_verify(t->ctx, insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
    return t;
}

struct bufferevent *ctl_tls_bev(struct ctl_tls *t, struct event_base *base, const char *host,
                                char *errstr, size_t errstr_size)
{
    SSL *ssl = SSL_new(t->ctx);
    if (!ssl) {
        snprintf(errstr, errstr_size, "TLS: out of memory");
        return NULL;
    }
    /* the certificate must name the host as given: an IP address is
     * checked against the IP SANs, a name against the DNS names (and is
     * sent as SNI) */
    unsigned char ip[16];
    int is_ip = inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1;
    X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
    int ok =
        is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host)
              : X509_VERIFY_PARAM_set1_host(param, host, 0) && SSL_set_tlsext_host_name(ssl, host);
    if (!ok) {
        SSL_free(ssl);
        snprintf(errstr, errstr_size, "TLS: cannot check the server's name '%s'", host);
        return NULL;
    }
    struct bufferevent *bev = bufferevent_openssl_socket_new(
        base, -1, ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
    if (!bev) {
        SSL_free(ssl);
        snprintf(errstr, errstr_size, "TLS: out of memory");
    }
    return bev;
}

const char *ctl_tls_why(const struct ctl_tls *t, struct bufferevent *bev, char *buf, size_t n)
{
    SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
    if (!ssl)
        return NULL;
    long v = SSL_get_verify_result(ssl);
    if (!t->insecure && v != X509_V_OK) {
        snprintf(buf, n, "certificate verification failed: %s (see --cacert)",
                 X509_verify_cert_error_string(v));
        return buf;
    }
    /* libevent saves OpenSSL's errors and its own SSL_get_error() codes
     * (small numbers, no reason): the first with a reason says why */
    unsigned long e;
    const char *reason = NULL;
    int any = 0;
    while ((e = bufferevent_get_openssl_error(bev)) != 0) {
        any = 1;
        if (!reason)
            reason = ERR_reason_error_string(e);
    }
    if (!any)
        return NULL;
    snprintf(buf, n, "handshake failed: %s%s", reason ? reason : "connection closed",
             reason && strstr(reason, "wrong version number")
                 ? " (the server speaks plain HTTP? then -s http://...)"
                 : "");
    return buf;
}

void ctl_tls_free(struct ctl_tls *t)
{
    if (!t)
        return;
    SSL_CTX_free(t->ctx);
    free(t);
}
