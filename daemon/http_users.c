/* SPDX-License-Identifier: Apache-2.0 */
/* http_users.c -- the routes of one viewer: recommendations, cuts (and
 * their publishing), the profile, erasure.
 *
 * These are the requests a home screen makes on every load, so they are
 * answered without waiting whenever that is right: from the answer cache
 * (http_cache.c) when the same request was answered moments ago and
 * nothing about the viewer changed since, else from the viewer as this
 * instance holds it (store_load_viewer's fast path), else from Redis. */
#include "config.h"
#include "http.h"
#include "http-internal.h"
#include "audit.h"
#include "daemon.h"
#include "editlist.h"
#include "experiments.h"
#include "http_cache.h"
#include "http_hls.h"
#include "http_profile.h"
#include "metrics.h"
#include "plugin.h"
#include "publish.h"
#include "store.h"
#include "taste.h"

#include <event2/buffer.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    int cache;   /* keep the answer (http_cache.c) */
};

/* What makes every kept answer stale. */
static struct http_cache_stamp http_answer_stamp(const struct recutd *d)
{
    return (struct http_cache_stamp){ d->catalog.changes, metrics_get(M_RELOADS) };
}

/* Answers vary with nothing but the viewer, the URI and the stamp unless an
 * experiment is on (its arms, its exposure log): answer_ttl_ms is 0 then
 * (http.c), and the one place that says it. */
static int http_answer_cacheable(struct http *h)
{
    return atomic_load(&h->answer_ttl_ms) > 0;
}

static void http_answer_reply(struct http_user *u, const char *user, const char *ctype,
                              const char *body)
{
    size_t len = strlen(body);
    if (u->cache) {
        struct http_cache_stamp st = http_answer_stamp(u->h->d);
        http_cache_put(u->h->answers, user, evhttp_request_get_uri(u->req), &st, ctype, body, len,
                       (size_t)u->h->d->cfg.http_answer_cache_bytes);
    }
    http_reply(u->req, 200, ctype, body, len);
}

void http_users_forget(struct http *h, const char *user)
{
    http_cache_forget(h->answers, user);
}

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
        http_answer_reply(u, viewer_id(v), ctype, out);
    free(out);
}

static void http_user_loaded(void *arg, int ok, const recut_viewer *v,
                             const struct recommend_globals *g, int known)
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
            http_answer_reply(u, viewer_id(v), "application/json", json);
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

int http_users_kept(struct http *h, struct evhttp_request *req, const struct httppath *q)
{
    int ttl = atomic_load(&h->answer_ttl_ms);
    if (ttl <= 0)
        return 0;
    struct http_cache_stamp st = http_answer_stamp(h->d);
    struct evbuffer *b = evbuffer_new();
    const char *ctype =
        b ? http_cache_give(h->answers, q->user, evhttp_request_get_uri(req), &st, ttl, b) : NULL;
    if (ctype) {
        metrics_inc(M_ANSWERS_CACHED, 1);
        http_reply_buffer(req, 200, ctype, b);
    }
    if (b)
        evbuffer_free(b);
    return ctype != NULL;
}

void http_users(struct http *h, struct evhttp_request *req, enum evhttp_cmd_type cmd,
                const struct httppath *q, const char *peer)
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
        snprintf(f->peer, sizeof f->peer, "%s", peer);
        http_cache_forget(h->answers, user);
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
    /* the front thread gave a kept answer if there was one (http_users_kept) */
    u->cache = u->op != HU_PROFILE && !publish && http_answer_cacheable(h);
    store_load_viewer(h->d->store, user, u->op == HU_PROFILE ? 0 : publish_load_flags(h->d),
                      http_user_loaded, u);
    return;
fail_replied:
    http_user_free(u);
}

/* ---- GET /v1/experiments ------------------------------------------------- */

/* ---- a movie's neighbours ------------------------------------------------ */
struct http_nb {
    struct evhttp_request *req;
    char movie[VEVENT_ID_MAX + 1];
    size_t n;
};

static void http_neighbours_done(void *arg, int ok, const struct store_neighbour *nb, size_t n)
{
    struct http_nb *x = arg;
    if (!ok) {
        http_error(x->req, 503, "Redis is not available");
        free(x);
        return;
    }
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n && i < x->n; i++)
        json_array_append_new(arr,
                              json_pack("{s:s,s:f}", "movie", nb[i].movie, "count", nb[i].count));
    http_json(
        x->req, 200,
        json_pack("{s:s,s:I,s:o*}", "movie", x->movie, "kept", (json_int_t)n, "neighbours", arr));
    free(x);
}

void http_neighbours(struct http *h, struct evhttp_request *req, enum evhttp_cmd_type cmd,
                     const struct httppath *q)
{
    if (cmd != EVHTTP_REQ_GET) {
        http_error(req, 405, "use GET");
        return;
    }
    if (!catalog_get(&h->d->catalog, q->movie)) {
        http_error(req, 404, "no movie '%s' in the catalog", q->movie);
        return;
    }
    double dn;
    if (http_query_double(req, q, "n", 20, 1, 1000000, &dn) < 0)
        return;
    struct http_nb *x = calloc(1, sizeof *x);
    if (!x) {
        http_error(req, 500, "out of memory");
        return;
    }
    x->req = req;
    x->n = (size_t)dn;
    snprintf(x->movie, sizeof x->movie, "%s", q->movie);
    store_neighbours(h->d->store, q->movie, http_neighbours_done, x);
}
