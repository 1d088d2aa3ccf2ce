/* SPDX-License-Identifier: Apache-2.0 */
/* http.c -- the HTTP API (libevent evhttp), bound to 127.0.0.1 by default.
 * Every error is a JSON object {"error": "..."} with a 4xx/5xx status.
 * This file serves, routes and answers the routes of the whole instance;
 * a viewer's routes are in http_users.c (see http-internal.h). */
#include "config.h"
#include "http.h"
#include "http-internal.h"
#include "http_cache.h"
#include "daemon.h"
#include "experiments.h"
#include "http_auth.h"
#include "http_tls.h"
#include "http_static.h"
#include "http_timing.h"
#include "http_events.h"
#include "http_listen.h"
#include "kafka_in.h"
#include "metrics.h"
#include "plugin.h"
#include "publish.h"
#include "store.h"
#include "svm_scorer.h"
#include "httppath.h"
#include "addr.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *http_reason(int code)
{
    static const char *const reasons[] = { [200] = "OK",
                                           [201] = "Created",
                                           [202] = "Accepted",
                                           [400] = "Bad Request",
                                           [401] = "Unauthorized",
                                           [403] = "Forbidden",
                                           [404] = "Not Found",
                                           [405] = "Method Not Allowed",
                                           [409] = "Conflict",
                                           [413] = "Payload Too Large",
                                           [415] = "Unsupported Media Type",
                                           [421] = "Misdirected Request",
                                           [500] = "Internal Server Error",
                                           [502] = "Bad Gateway",
                                           [503] = "Service Unavailable" };
    return code >= 0 && code < (int)(sizeof reasons / sizeof reasons[0]) && reasons[code]
               ? reasons[code]
               : "";
}

void http_reply_buffer(struct evhttp_request *req, int code, const char *ctype,
                       struct evbuffer *body)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", ctype);
    evhttp_add_header(h, "Cache-Control", "no-store");
    http_send(req, code, http_reason(code), body);
}

void http_reply(struct evhttp_request *req, int code, const char *ctype, const char *body,
                size_t len)
{
    struct evbuffer *b = evbuffer_new();
    if (b && body)
        evbuffer_add(b, body, len);
    http_reply_buffer(req, code, ctype, b);
    if (b)
        evbuffer_free(b);
}

void http_json(struct evhttp_request *req, int code, json_t *doc)
{
    char *s = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!s) {
        http_reply(req, 500, "application/json", "{\"error\":\"out of memory\"}", 25);
        return;
    }
    http_reply(req, code, "application/json", s, strlen(s));
    free(s);
}

void http_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    http_json(req, code, json_pack("{s:s}", "error", msg));
}

/* ---- query strings ------------------------------------------------------- */
const char *http_query(const struct httppath *q, const char *name)
{
    return httppath_param(q, name);
}

int http_query_double(struct evhttp_request *req, const struct httppath *q, const char *name,
                      double def, double lo, double hi, double *out)
{
    const char *v = http_query(q, name);
    if (!v) {
        *out = def;
        return 0;
    }
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !isfinite(d) || d < lo || d > hi) {
        http_error(req, 400, "query parameter '%s' must be a number in [%g, %g]", name, lo, hi);
        return -1;
    }
    *out = d;
    return 0;
}

/* ---- body ---------------------------------------------------------------- */
static char *http_body(struct evhttp_request *req, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    *len = evbuffer_get_length(in);
    char *buf = malloc(*len + 1);
    if (!buf)
        return NULL;
    evbuffer_copyout(in, buf, *len);
    buf[*len] = '\0';
    return buf;
}

/* ---- POST /v1/events ----------------------------------------------------- */
/* At most [http] max_active_bodies request bodies (events, catalog entries)
 * are being applied at once: each holds a store batch until Redis answers. */
static int http_body_admit(struct http *h, struct evhttp_request *req)
{
    if (h->bodies_active >= (size_t)h->d->cfg.http_max_active_bodies) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Retry-After", "1");
        http_error(req, 503,
                   "too many request bodies being applied at once (max_active_bodies = %d); "
                   "retry later",
                   h->d->cfg.http_max_active_bodies);
        return -1;
    }
    h->bodies_active++;
    return 0;
}

struct http_body_req {
    struct http *h;
    struct evhttp_request *req;
};

static void http_events_replied(void *arg, int status, json_t *doc)
{
    struct http_body_req *x = arg;
    x->h->bodies_active--;
    if (doc)
        http_json(x->req, status, doc);
    else
        http_error(x->req, 500, "out of memory");
    free(x);
}

static void http_post_events(struct http *h, struct evhttp_request *req)
{
    if (http_body_admit(h, req) < 0)
        return;
    struct http_body_req *x = malloc(sizeof *x);
    char err[128] = "out of memory";
    if (!x || http_events_start(h->d, evhttp_request_get_input_buffer(req), http_events_replied, x,
                                err, sizeof err) < 0) {
        free(x);
        h->bodies_active--;
        http_error(req, 500, "%s", err);
        return;
    }
    *x = (struct http_body_req){ h, req };
}

/* ---- movies -------------------------------------------------------------- */
struct http_put_movie {
    struct http *h;
    struct evhttp_request *req;
    struct recutd *d;
    struct catalog_movie *cm;
};

static void http_put_movie_done(void *arg, int ok)
{
    struct http_put_movie *x = arg;
    x->h->bodies_active--;
    if (!ok) {
        catalog_movie_free(x->cm);
        http_error(x->req, 503, "Redis did not store the movie");
    } else {
        json_t *doc = json_pack("{s:s,s:I,s:f}", "id", x->cm->m.id, "scenes",
                                (json_int_t)x->cm->m.n_scenes, "duration", x->cm->m.duration);
        if (catalog_put(&x->d->catalog, x->cm) < 0) {
            catalog_movie_free(x->cm);
            json_decref(doc);
            http_error(x->req, 500, "out of memory");
        } else {
            metrics_inc(M_CATALOG_UPDATES, 1);
            http_json(x->req, 200, doc);
        }
    }
    free(x);
}

static void http_put_movie(struct http *h, struct evhttp_request *req, const char *id)
{
    size_t len;
    char *body = http_body(req, &len);
    if (!body) {
        http_error(req, 500, "out of memory");
        return;
    }
    char err[512];
    struct catalog_movie *cm = catalog_movie_parse(body, len, id, err, sizeof err);
    free(body);
    if (!cm) {
        http_error(req, 400, "invalid catalog entry: %s", err);
        return;
    }
    struct http_put_movie *x = malloc(sizeof *x);
    if (!x) {
        catalog_movie_free(cm);
        http_error(req, 500, "out of memory");
        return;
    }
    if (http_body_admit(h, req) < 0) {
        catalog_movie_free(cm);
        free(x);
        return;
    }
    *x = (struct http_put_movie){ h, req, h->d, cm };
    store_put_movie(h->d->store, cm, http_put_movie_done, x);
}

static void http_experiments_done(void *arg, int status, json_t *doc)
{
    if (doc)
        http_json(arg, status, doc);
    else
        http_error(arg, 503, "Redis is not available");
}

/* ---- routing ------------------------------------------------------------- */
/* Front thread: every request starts here.  Refused, malformed and kept
 * answers are given here; the rest goes to the main loop (http_route). */
static void http_front_route(struct evhttp_request *req, void *arg)
{
    struct http *h = arg;
    if (!http_tls_request_ok(h->tls, req)) {
        http_error(req, 400, "this port speaks HTTPS only");
        return;
    }
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (!path) {
        http_error(req, 400, "bad request URI");
        return;
    }
    /* path and query decoded and checked: ids on their decoded length; who
     * may ask comes first, then whether the path holds up */
    struct httppath q;
    char why[256], bad[256];
    int malformed = httppath_parse(&q, path, evhttp_uri_get_query(uri), bad, sizeof bad) < 0;
    http_timing_begin(req, malformed ? HTTPPATH_NOT_FOUND : (int)q.route, cmd == EVHTTP_REQ_DELETE);
    pthread_mutex_lock(&h->auth_lock);
    int denied =
        http_auth_check(h->auth, req, malformed ? HTTPPATH_NOT_FOUND : q.route, why, sizeof why);
    pthread_mutex_unlock(&h->auth_lock);
    if (denied) {
        http_error(req, denied, "%s", why);
    } else if (malformed) {
        http_error(req, 400, "%s", bad);
    } else if (cmd == EVHTTP_REQ_GET &&
               (q.route == HTTPPATH_USER_RECS || q.route == HTTPPATH_USER_CUT) &&
               http_users_kept(h, req, &q)) {
        ; /* given again from memory */
    } else {
        struct evhttp_connection *conn = evhttp_request_get_connection(req);
        const char *addr = NULL;
        ev_uint16_t port = 0;
        if (conn)
            evhttp_connection_get_peer(conn, (char **)&addr, &port);
        char peer[64];
        snprintf(peer, sizeof peer, "%s:%u", addr ? addr : "?", (unsigned)port);
        if (http_front_hand_over(h->front, req, cmd, &q, peer) < 0)
            http_error(req, 500, "out of memory");
    }
    httppath_clear(&q);
}

/* Main loop: the requests the front thread handed over. */
static void http_route(void *arg, struct evhttp_request *req, enum evhttp_cmd_type cmd,
                       const struct httppath *q, const char *peer)
{
    struct http *h = arg;
    struct recutd *d = h->d;
    if (q->route == HTTPPATH_METRICS && cmd == EVHTTP_REQ_GET) {
        size_t len, cache_bytes = 0;
        size_t cached = d->store ? store_cache_size(d->store, &cache_bytes) : 0;
        struct metrics_gauges g = {
            .catalog_movies = d->catalog.n,
            .redis_pending = d->store ? store_pending(d->store) : 0,
            .publish_pending = publish_pending(d->publish),
            .viewers_cached = cached,
            .viewer_cache_bytes = cache_bytes,
            .svm_queued = svm_scorer_queued(d->svm),
            .redis_up = d->store ? store_connected(d->store) : 0,
            .have_kafka = d->kafka != NULL,
            .kafka_lag = d->kafka ? kafka_in_lag(d->kafka) : 0,
            .instance = recutd_instance(d),
        };
        char *xm = experiments_metrics(d->experiments);
        g.extra = xm;
        for (int k = 1; k <= 3; k++)
            g.plugins[k] = d->plugins ? plugins_count(d->plugins, k) : 0;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        g.uptime = (double)ts.tv_sec + ts.tv_nsec / 1e9 - d->started;
        char *m = metrics_render(&g, &len);
        free(xm);
        if (m)
            http_reply(req, 200, "text/plain; version=0.0.4", m, len);
        else
            http_error(req, 500, "out of memory");
        free(m);
    } else if (q->route == HTTPPATH_HEALTH && cmd == EVHTTP_REQ_GET) {
        int up = store_connected(d->store);
        http_json(req, up ? 200 : 503,
                  json_pack("{s:s,s:s,s:b,s:b,s:I,s:s,s:o}", "status",
                            up ? (d->draining ? "draining" : "ok") : "redis unavailable",
                            "instance", recutd_instance(d), "redis", up, "kafka", d->kafka != NULL,
                            "movies", (json_int_t)d->catalog.n, "version", PACKAGE_VERSION,
                            "plugins", json_loads(plugins_list_json(d->plugins), 0, NULL)));
    } else if (q->route == HTTPPATH_EVENTS) {
        if (cmd != EVHTTP_REQ_POST)
            http_error(req, 405, "use POST");
        else
            http_post_events(h, req);
    } else if (q->route == HTTPPATH_MOVIE) {
        if (cmd == EVHTTP_REQ_PUT) {
            http_put_movie(h, req, q->movie);
        } else if (cmd == EVHTTP_REQ_GET) {
            const struct catalog_movie *cm = catalog_get(&d->catalog, q->movie);
            if (cm)
                http_reply(req, 200, "application/json", cm->json, strlen(cm->json));
            else
                http_error(req, 404, "no movie '%s' in the catalog", q->movie);
        } else {
            http_error(req, 405, "use GET or PUT");
        }
    } else if (q->route == HTTPPATH_UI) {
        http_static_ui(req, d->cfg.http_ui_dir,
                       evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req)));
    } else if (q->route == HTTPPATH_MOVIE_MEDIA) {
        if (!catalog_get(&d->catalog, q->movie))
            http_error(req, 404, "no movie '%s' in the catalog", q->movie);
        else
            http_static_media(req, d->cfg.http_media_dir, q->movie, http_query(q, "segment"));
    } else if (q->route == HTTPPATH_MOVIE_NEIGHBOURS) {
        http_neighbours(h, req, cmd, q);
    } else if (q->route == HTTPPATH_PLUGINS && cmd == EVHTTP_REQ_GET) {
        const char *l = plugins_list_json(d->plugins);
        http_reply(req, 200, "application/json", l, strlen(l));
    } else if (q->route == HTTPPATH_EXPERIMENTS) {
        if (cmd != EVHTTP_REQ_GET)
            http_error(req, 405, "use GET");
        else if (!d->experiments)
            http_error(req, 404, "no experiment is configured ([experiment.NAME] in recutd.conf)");
        else
            experiments_report(d->experiments, http_experiments_done, req);
    } else if (q->route >= HTTPPATH_USER && q->route <= HTTPPATH_USER_PUBLISH) {
        http_users(h, req, cmd, q, peer);
    } else {
        http_error(req, 404, "no such resource");
    }
}

/* What the front thread may give again: nothing while an experiment runs
 * (arms and exposures are per request). */
static void http_answer_ttl_set(struct http *h)
{
    atomic_store(&h->answer_ttl_ms, h->d->experiments ? 0 : h->d->cfg.http_answer_cache_ms);
}

/* Every connection's bufferevent: counted against [http] max_connections. */
static struct bufferevent *http_new_bev(struct event_base *base, void *arg)
{
    struct http *h = arg;
    struct bufferevent *bev = http_tls_bev(h->tls, base); /* NULL: plain HTTP */
    if (!bev)
        bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    return h->listen ? http_listen_track(h->listen, bev) : bev;
}

struct http *http_new(struct recutd *d, char *errstr, size_t errstr_size)
{
    struct http *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    h->d = d;
    h->auth = http_auth_new(&d->cfg, errstr, errstr_size);
    if (!h->auth) {
        free(h);
        return NULL;
    }
    pthread_mutex_init(&h->auth_lock, NULL);
    http_answer_ttl_set(h);
    h->answers = http_cache_new();
    h->fbase = h->answers ? http_front_base_new() : NULL;
    h->front = h->fbase ? http_front_new(h, d->base, h->fbase, http_route) : NULL;
    h->eh = h->front ? evhttp_new(h->fbase) : NULL;
    if (!h->eh) {
        http_free(h);
        snprintf(errstr, errstr_size, "cannot start the HTTP server: out of memory");
        return NULL;
    }
    evhttp_set_max_body_size(h->eh, (ev_ssize_t)d->cfg.http_max_body);
    evhttp_set_max_headers_size(h->eh, (ev_ssize_t)d->cfg.http_max_header);
    evhttp_set_timeout(h->eh, d->cfg.http_idle_timeout_s);
    evhttp_set_allowed_methods(h->eh, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                          EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD);
    evhttp_set_gencb(h->eh, http_front_route, h);
    if (!(h->tls = http_tls_new(h->eh, &d->cfg, errstr, errstr_size))) {
        http_free(h);
        return NULL;
    }
    evhttp_set_bevcb(h->eh, http_new_bev, h);
    char host[256], why[256];
    int port;
    if (util_parse_hostport(d->cfg.http_listen, host, sizeof host, &port, why, sizeof why) < 0) {
        snprintf(errstr, errstr_size, "http.listen: %s", why);
        http_free(h);
        return NULL;
    }
    struct evhttp_bound_socket *bound =
        evhttp_bind_socket_with_handle(h->eh, host, (ev_uint16_t)port);
    if (!bound) {
        snprintf(errstr, errstr_size, "cannot listen on %s: %s", d->cfg.http_listen,
                 strerror(errno));
        http_free(h);
        return NULL;
    }
    h->listen = http_listen_new(h->fbase, evhttp_bound_socket_get_listener(bound),
                                (size_t)d->cfg.http_max_connections, errstr, errstr_size);
    http_front_set_slice(h->front, d->cfg.http_thread_slice_us);
    if (!h->listen || http_front_start(h->front, errstr, errstr_size) < 0) {
        http_free(h);
        return NULL;
    }
    log_info("http: listening on %s (%s)", d->cfg.http_listen,
             http_tls_on(h->tls) ? "HTTPS" : "plain HTTP");
    http_auth_log(h->auth, &h->d->cfg);
    return h;
}

int http_reload(struct http *h, char *errstr, size_t errstr_size)
{
    if (!h)
        return 0;
    /* the certificate first: a bad one is logged and the running one kept,
     * whatever happens to the tokens */
    char err[1024];
    if (http_tls_reload(h->tls, &h->d->cfg, err, sizeof err) < 0)
        log_err("reload: %s; new connections keep the running certificate", err);
    http_answer_ttl_set(h);
    http_front_set_slice(h->front, h->d->cfg.http_thread_slice_us);
    struct http_auth *a = http_auth_new(&h->d->cfg, errstr, errstr_size);
    if (!a)
        return -1;
    pthread_mutex_lock(&h->auth_lock);
    struct http_auth *old = h->auth;
    h->auth = a;
    pthread_mutex_unlock(&h->auth_lock);
    http_auth_free(old);
    http_auth_log(h->auth, &h->d->cfg);
    return 0;
}

void http_free(struct http *h)
{
    if (!h)
        return;
    http_front_stop(h->front); /* from here on, this thread owns evhttp */
    if (h->eh)
        evhttp_free(h->eh);
    http_front_free(h->front);
    http_auth_free(h->auth);
    http_tls_free(h->tls);
    http_listen_free(h->listen);
    http_cache_free(h->answers);
    if (h->fbase)
        event_base_free(h->fbase);
    pthread_mutex_destroy(&h->auth_lock);
    free(h);
}
