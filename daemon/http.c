/* SPDX-License-Identifier: Apache-2.0 */
/* http.c -- the HTTP API (libevent evhttp), bound to 127.0.0.1 by default.
 * Every error is a JSON object {"error": "..."} with a 4xx/5xx status. */
#include "config.h"
#include "http.h"
#include "audit.h"
#include "daemon.h"
#include "experiments.h"
#include "http_auth.h"
#include "http_hls.h"
#include "groups.h"
#include "http_tls.h"
#include "http_profile.h"
#include "http_static.h"
#include "http_timing.h"
#include "http_events.h"
#include "http_listen.h"
#include "ingest.h"
#include "kafka_in.h"
#include "metrics.h"
#include "plugin.h"
#include "publish.h"
#include "store.h"
#include "svm_scorer.h"
#include "editlist.h"
#include "httppath.h"
#include "taste.h"
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

struct http {
    struct recutd *d;
    struct evhttp *eh;
    struct http_auth *auth; /* who may do what (http_auth.c) */
    struct http_tls *tls;   /* HTTPS ([http] tls_cert, tls_key) */
    size_t bodies_active;   /* POST /v1/events and PUT /v1/movies being applied */
    struct http_listen *listen;
};

static void http_reply(struct evhttp_request *req, int code, const char *ctype, const char *body,
                       size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", ctype);
    evhttp_add_header(h, "Cache-Control", "no-store");
    struct evbuffer *b = evbuffer_new();
    if (b && body)
        evbuffer_add(b, body, len);
    static const char *const reasons[] = { [200] = "OK",
                                           [201] = "Created",
                                           [202] = "Accepted",
                                           [400] = "Bad Request",
                                           [401] = "Unauthorized",
                                           [403] = "Forbidden",
                                           [404] = "Not Found",
                                           [405] = "Method Not Allowed",
                                           [413] = "Payload Too Large",
                                           [415] = "Unsupported Media Type",
                                           [421] = "Misdirected Request",
                                           [500] = "Internal Server Error",
                                           [503] = "Service Unavailable" };
    const char *reason =
        code < (int)(sizeof reasons / sizeof reasons[0]) && reasons[code] ? reasons[code] : "";
    evhttp_send_reply(req, code, reason, b);
    if (b)
        evbuffer_free(b);
    metrics_http_status(code);
    http_timing_end(req);
}

static void http_json(struct evhttp_request *req, int code, json_t *doc)
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

static void http_error(struct evhttp_request *req, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void http_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    http_json(req, code, json_pack("{s:s}", "error", msg));
}

/* ---- query strings ------------------------------------------------------- */
static const char *http_query(const struct httppath *q, const char *name)
{
    return httppath_param(q, name);
}

static int http_query_double(struct evhttp_request *req, const struct httppath *q, const char *name,
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

/* ---- users --------------------------------------------------------------- */
enum http_user_op {
    HU_RECS,
    HU_CUT,
    HU_PROFILE
};

struct http_user {
    struct http *h;
    struct evhttp_request *req;
    enum http_user_op op;
    char movie[VEVENT_ID_MAX + 1];
    size_t n;
    int include_seen;
    struct strmap exclude;
    double budget, budget_fraction, min_fragment, target_a, target_v, spoiler_tail, fps;
    char editor[64], format[16];
    char source[1024];
    int publish; /* POST .../cuts/MOVIE/publish: hand the cut to the publishers */
};

static void http_user_free(struct http_user *u)
{
    strmap_clear(&u->exclude, NULL);
    free(u);
}

/* POST .../publish: the cut (JSON) goes to every publisher; the answer
 * says what was published and how many publishers took it. */
static void http_cut_publish(struct http_user *u, const recut_viewer *v, const char *movie,
                             const char *json)
{
    struct recutd *d = u->h->d;
    size_t n = d->plugins ? plugins_count(d->plugins, RECUT_PLUGIN_PUBLISHER) : 0;
    json_t *doc = json_loads(json, 0, NULL);
    if (!doc) {
        http_error(u->req, 500, "cannot read back the cut");
        return;
    }
    if (n == 0) {
        json_decref(doc);
        http_error(u->req, 409, "no publisher plugin is loaded");
        return;
    }
    int failed = plugins_publish(d->plugins, viewer_id(v), "cut", movie, json, strlen(json));
    http_json(u->req, failed == 0 ? 200 : 502,
              json_pack("{s:s,s:s,s:s,s:I,s:I,s:o}", "kind", "cut", "user", viewer_id(v), "key",
                        movie, "published", (json_int_t)(n - (size_t)failed), "failed",
                        (json_int_t)failed, "document", doc));
}

/* A cut's JSON with the viewer's experiment arms added (json is freed). */
static char *http_cut_tag(struct recutd *d, const char *viewer, char *json)
{
    json_t *doc = json_loads(json, 0, NULL);
    free(json);
    if (!doc)
        return NULL;
    json_object_set_new(doc, "experiments", experiments_tags(d->experiments, viewer));
    char *s = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return s;
}

static void http_cut(struct http_user *u, const recut_viewer *v)
{
    struct recutd *d = u->h->d;
    const struct catalog_movie *cm = catalog_get(&d->catalog, u->movie);
    if (!cm) {
        http_error(u->req, 404, "no movie '%s' in the catalog", u->movie);
        return;
    }
    if (cm->m.n_scenes == 0) {
        http_error(u->req, 400, "movie '%s' has no scenes", u->movie);
        return;
    }
    void *state;
    const struct recut_plugin *ed = plugins_editor(d->plugins, u->editor, &state);
    if (!ed) {
        http_error(u->req, 404, "no editor plugin '%s' is loaded", u->editor);
        return;
    }
    double *scores = calloc(cm->m.n_scenes, sizeof *scores);
    size_t *kept = calloc(cm->m.n_scenes, sizeof *kept);
    if (!scores || !kept) {
        free(scores);
        free(kept);
        http_error(u->req, 500, "out of memory");
        return;
    }
    recommend_scene_scores(&d->cfg, v, cm, cm->taste_x, TASTE_BLEND, scores);
    plugins_score_scenes(d->plugins, v, &cm->m, scores);
    double budget = u->budget_fraction > 0 ? u->budget_fraction * cm->m.duration : u->budget;
    double pa, pv;
    viewer_affect(v, &pa, &pv);
    struct recut_edit_request rq = {
        .version = 1,
        .movie = &cm->m,
        .viewer = v,
        .scene_scores = scores,
        .budget = budget,
        .min_fragment = u->min_fragment,
        .target_arousal = u->target_a >= 0 ? u->target_a : pa,
        .target_valence = u->target_v > -2 ? u->target_v : pv,
        .spoiler_tail = u->spoiler_tail,
    };
    struct recut_edit_result res = { .scenes = kept };
    char err[512] = "";
    if (ed->u.editor.edit(state, &rq, &res, err, sizeof err) < 0) {
        free(scores);
        free(kept);
        http_error(u->req, 400, "editor %s: %s", u->editor, err[0] ? err : "failed");
        return;
    }
    struct editlist el = { .viewer = viewer_id(v),
                           .movie = &cm->m,
                           .editor = ed->name,
                           .budget = budget,
                           .score = res.score,
                           .scenes = kept,
                           .n_scenes = res.n_scenes,
                           .video_only = cm->audio == 0 };
    char *out = NULL;
    const char *ctype = "application/json";
    if (strcmp(u->format, "edl") == 0) {
        /* fps=N, else the rate recut-analyze measured in the file (snapped
         * to a timecode rate), else 25 */
        double snapped = editlist_fps_snap(cm->fps);
        double fps = u->fps > 0 ? u->fps : snapped > 0 ? snapped : 25;
        out = editlist_edl(&el, fps, "AX", err, sizeof err);
        ctype = "text/plain; charset=utf-8";
    } else if (strcmp(u->format, "ffconcat") == 0) {
        out = editlist_ffconcat(&el, u->source[0] ? u->source : cm->m.id, err, sizeof err);
        ctype = "text/plain; charset=utf-8";
    } else if (strcmp(u->format, "hls") == 0) {
        int status = 500;
        out = http_hls_playlist(d->cfg.http_media_dir, &cm->m, kept, res.n_scenes, &status, err,
                                sizeof err);
        ctype = "application/vnd.apple.mpegurl";
        if (!out) {
            free(scores);
            free(kept);
            http_error(u->req, status, "%s", err);
            return;
        }
    } else {
        out = editlist_json(&el, err, sizeof err);
        if (out && d->experiments)
            out = http_cut_tag(d, viewer_id(v), out);
    }
    if (out) {
        const char *id = cm->m.id;
        experiments_exposed(d->experiments, v, "cut", &id, 1, kept, res.n_scenes);
    }
    free(scores);
    free(kept);
    if (!out) {
        http_error(u->req, 500, "cannot export the cut: %s", err);
        return;
    }
    if (u->publish)
        http_cut_publish(u, v, cm->m.id, out);
    else
        http_reply(u->req, 200, ctype, out, strlen(out));
    free(out);
}

static void http_user_loaded(void *arg, int ok, const recut_viewer *v, const struct recommend_globals *g,
                             int known)
{
    struct http_user *u = arg;
    if (!ok || !v) {
        http_error(u->req, 503, "Redis is not available");
        http_user_free(u);
        return;
    }
    switch (u->op) {
    case HU_RECS: {
        char *json = publish_recs_json(u->h->d, v, g, u->n, &u->exclude, u->include_seen);
        if (!json)
            http_error(u->req, 500, "out of memory");
        else
            http_reply(u->req, 200, "application/json", json, strlen(json));
        free(json);
        break;
    }
    case HU_CUT:
        http_cut(u, v);
        break;
    case HU_PROFILE:
        if (!known)
            http_error(u->req, 404, "no viewer '%s'", viewer_id(v));
        else
            http_json(u->req, 200, http_profile_doc(u->h->d, v));
        break;
    }
    http_user_free(u);
}

struct http_forget { /* a DELETE /v1/users/{id} waiting for Redis */
    struct evhttp_request *req;
    char user[VEVENT_ID_MAX + 1];
    char peer[80];
};

static void http_forget_done(void *arg, int ok, long long n)
{
    struct http_forget *f = arg;
    if (!ok) {
        http_error(f->req, 503, "Redis is not available");
    } else {
        audit_erased(f->user, "DELETE /v1/users/{id}", f->peer, n);
        http_json(f->req, 200, json_pack("{s:b,s:I}", "deleted", n > 0, "keys", (json_int_t)n));
    }
    free(f);
}

static void http_users(struct http *h, struct evhttp_request *req, enum evhttp_cmd_type cmd,
                       const struct httppath *q)
{
    /* q->user is checked (httppath.c), and so is q->movie for a cut */
    const char *user = q->user;
    if (q->route == HTTPPATH_USER) {
        if (cmd != EVHTTP_REQ_DELETE) {
            http_error(req, 405, "use DELETE /v1/users/{id} to erase a viewer");
            return;
        }
        struct http_forget *f = calloc(1, sizeof *f);
        if (!f) {
            http_error(req, 500, "out of memory");
            return;
        }
        f->req = req;
        snprintf(f->user, sizeof f->user, "%s", user);
        struct evhttp_connection *conn = evhttp_request_get_connection(req);
        const char *addr = NULL;
        ev_uint16_t port = 0;
        if (conn)
            evhttp_connection_get_peer(conn, (char **)&addr, &port);
        snprintf(f->peer, sizeof f->peer, "%s:%u", addr ? addr : "?", (unsigned)port);
        store_forget(h->d->store, user, http_forget_done, f);
        return;
    }
    /* POST .../cuts/MOVIE/publish is the one request here that changes
     * something (publishers' outputs); every GET only computes and answers */
    int publish = q->route == HTTPPATH_USER_PUBLISH;
    if (publish && cmd != EVHTTP_REQ_POST) {
        http_error(req, 405, "use POST to publish a cut");
        return;
    }
    if (!publish && cmd != EVHTTP_REQ_GET) {
        http_error(req, 405, "method not allowed");
        return;
    }
    struct http_user *u = calloc(1, sizeof *u);
    if (!u) {
        http_error(req, 500, "out of memory");
        return;
    }
    u->h = h;
    u->req = req;
    strmap_init(&u->exclude);
    double dn;
    if (q->route == HTTPPATH_USER_RECS) {
        u->op = HU_RECS;
        if (http_query_double(req, q, "n", 10, 1, 1000, &dn) < 0)
            goto fail_replied;
        u->n = (size_t)dn;
        const char *inc = http_query(q, "include_seen");
        u->include_seen = inc && (strcmp(inc, "1") == 0 || strcmp(inc, "true") == 0);
        const char *ex = http_query(q, "exclude");
        if (ex) {
            char *dup = strdup(ex), *save = NULL;
            for (char *t = dup ? strtok_r(dup, ",", &save) : NULL; t;
                 t = strtok_r(NULL, ",", &save))
                strmap_put(&u->exclude, t);
            free(dup);
        }
    } else if (q->route == HTTPPATH_USER_CUT || publish) {
        u->op = HU_CUT;
        u->publish = publish;
        /* a viewer in an experiment gets their arms' defaults */
        struct recut_config xc = h->d->cfg;
        experiments_config(h->d->experiments, user, &xc);
        snprintf(u->movie, sizeof u->movie, "%s", q->movie);
        const char *b = http_query(q, "budget");
        u->budget = xc.cut_budget;
        if (b) {
            char *end;
            double bv = strtod(b, &end);
            if (end != b && *end == '%' && end[1] == '\0' && bv > 0 && bv <= 100) {
                u->budget_fraction = bv / 100.0;
            } else if (end != b && *end == '\0' && isfinite(bv) && bv > 0 && bv <= 86400) {
                u->budget = bv;
            } else {
                http_error(req, 400,
                           "budget must be seconds (0 < s <= 86400) or a percentage such as 15%%");
                goto fail_replied;
            }
        }
        const char *ed = http_query(q, "editor");
        if (ed && strlen(ed) >= sizeof u->editor) {
            http_error(req, 400, "query parameter 'editor' is longer than %zu bytes",
                       sizeof u->editor - 1);
            goto fail_replied;
        }
        snprintf(u->editor, sizeof u->editor, "%s", ed ? ed : xc.cut_editor);
        const char *fmt = http_query(q, "format");
        snprintf(u->format, sizeof u->format, "%s", fmt ? fmt : "json");
        if (strcmp(u->format, "json") && strcmp(u->format, "edl") &&
            strcmp(u->format, "ffconcat") && strcmp(u->format, "hls")) {
            http_error(req, 400, "format must be json, edl, ffconcat or hls");
            goto fail_replied;
        }
        if (publish && strcmp(u->format, "json") != 0) {
            http_error(req, 400, "only format=json is published");
            goto fail_replied;
        }
        const char *src = http_query(q, "source");
        if (src)
            snprintf(u->source, sizeof u->source, "%s", src);
        if (http_query_double(req, q, "min_fragment", xc.cut_min_fragment, 0, 3600,
                              &u->min_fragment) < 0 ||
            http_query_double(req, q, "arousal", -1, -1, 1, &u->target_a) < 0 ||
            http_query_double(req, q, "valence", -3, -3, 1, &u->target_v) < 0 ||
            http_query_double(req, q, "spoiler_tail", xc.cut_spoiler_tail, -1, 0.99,
                              &u->spoiler_tail) < 0 ||
            http_query_double(req, q, "fps", 0, 1, 240, &u->fps) < 0)
            goto fail_replied;
    } else if (q->route == HTTPPATH_USER_PROFILE) {
        u->op = HU_PROFILE;
    } else {
        http_error(req, 404, "no such resource");
        goto fail_replied;
    }
    store_load_viewer(h->d->store, user, u->op == HU_PROFILE ? 0 : publish_load_flags(h->d),
                      http_user_loaded, u);
    return;
fail_replied:
    http_user_free(u);
}

/* ---- GET /v1/experiments ------------------------------------------------- */
static void http_experiments_done(void *arg, int status, json_t *doc)
{
    if (doc)
        http_json(arg, status, doc);
    else
        http_error(arg, 503, "Redis is not available");
}

/* ---- routing ------------------------------------------------------------- */
static void http_route(struct evhttp_request *req, void *arg)
{
    struct http *h = arg;
    struct recutd *d = h->d;
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
    int denied =
        http_auth_check(h->auth, req, malformed ? HTTPPATH_NOT_FOUND : q.route, why, sizeof why);
    if (denied) {
        http_error(req, denied, "%s", why);
    } else if (malformed) {
        http_error(req, 400, "%s", bad);
    } else if (q.route == HTTPPATH_METRICS && cmd == EVHTTP_REQ_GET) {
        size_t len;
        struct metrics_gauges g = {
            .catalog_movies = d->catalog.n,
            .redis_pending = d->store ? store_pending(d->store) : 0,
            .publish_pending = publish_pending(d->publish),
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
    } else if (q.route == HTTPPATH_HEALTH && cmd == EVHTTP_REQ_GET) {
        int up = store_connected(d->store);
        http_json(req, up ? 200 : 503,
                  json_pack("{s:s,s:s,s:b,s:b,s:I,s:s,s:o}", "status",
                            up ? (d->draining ? "draining" : "ok") : "redis unavailable",
                            "instance", recutd_instance(d), "redis", up, "kafka", d->kafka != NULL,
                            "movies", (json_int_t)d->catalog.n, "version", PACKAGE_VERSION,
                            "plugins", json_loads(plugins_list_json(d->plugins), 0, NULL)));
    } else if (q.route == HTTPPATH_EVENTS) {
        if (cmd != EVHTTP_REQ_POST)
            http_error(req, 405, "use POST");
        else
            http_post_events(h, req);
    } else if (q.route == HTTPPATH_MOVIE) {
        if (cmd == EVHTTP_REQ_PUT) {
            http_put_movie(h, req, q.movie);
        } else if (cmd == EVHTTP_REQ_GET) {
            const struct catalog_movie *cm = catalog_get(&d->catalog, q.movie);
            if (cm)
                http_reply(req, 200, "application/json", cm->json, strlen(cm->json));
            else
                http_error(req, 404, "no movie '%s' in the catalog", q.movie);
        } else {
            http_error(req, 405, "use GET or PUT");
        }
    } else if (q.route == HTTPPATH_UI) {
        http_static_ui(req, d->cfg.http_ui_dir, path);
    } else if (q.route == HTTPPATH_MOVIE_MEDIA) {
        if (!catalog_get(&d->catalog, q.movie))
            http_error(req, 404, "no movie '%s' in the catalog", q.movie);
        else
            http_static_media(req, d->cfg.http_media_dir, q.movie, http_query(&q, "segment"));
    } else if (q.route == HTTPPATH_PLUGINS && cmd == EVHTTP_REQ_GET) {
        const char *l = plugins_list_json(d->plugins);
        http_reply(req, 200, "application/json", l, strlen(l));
    } else if (q.route == HTTPPATH_EXPERIMENTS) {
        if (cmd != EVHTTP_REQ_GET)
            http_error(req, 405, "use GET");
        else if (!d->experiments)
            http_error(req, 404, "no experiment is configured ([experiment.NAME] in recutd.conf)");
        else
            experiments_report(d->experiments, http_experiments_done, req);
    } else if (q.route >= HTTPPATH_USER && q.route <= HTTPPATH_USER_PUBLISH) {
        http_users(h, req, cmd, &q);
    } else {
        http_error(req, 404, "no such resource");
    }
    httppath_clear(&q);
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
    h->eh = evhttp_new(d->base);
    if (!h->eh) {
        http_auth_free(h->auth);
        free(h);
        snprintf(errstr, errstr_size, "evhttp_new failed");
        return NULL;
    }
    evhttp_set_max_body_size(h->eh, (ev_ssize_t)d->cfg.http_max_body);
    evhttp_set_max_headers_size(h->eh, (ev_ssize_t)d->cfg.http_max_header);
    evhttp_set_timeout(h->eh, d->cfg.http_idle_timeout_s);
    evhttp_set_allowed_methods(h->eh, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                          EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD);
    evhttp_set_gencb(h->eh, http_route, h);
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
    h->listen = http_listen_new(d->base, evhttp_bound_socket_get_listener(bound),
                                (size_t)d->cfg.http_max_connections, errstr, errstr_size);
    if (!h->listen) {
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
    struct http_auth *a = http_auth_new(&h->d->cfg, errstr, errstr_size);
    if (!a)
        return -1;
    http_auth_free(h->auth);
    h->auth = a;
    http_auth_log(h->auth, &h->d->cfg);
    return 0;
}

void http_free(struct http *h)
{
    if (!h)
        return;
    if (h->eh)
        evhttp_free(h->eh);
    http_auth_free(h->auth);
    http_tls_free(h->tls);
    http_listen_free(h->listen);
    free(h);
}
