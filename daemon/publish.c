/* SPDX-License-Identifier: Apache-2.0 */
/* publish.c -- publishing a viewer's recommendations through the publisher
 * plugins after their events are applied.  Changes are coalesced: a viewer
 * changed many times within delay_ms is published once. */
#include "config.h"
#include "publish.h"
#include "clock.h"
#include "experiments.h"
#include "groups.h"
#include "metrics.h"
#include "plugin.h"
#include "store.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

struct publish {
    struct recutd *d;
    struct strmap pending; /* viewers changed since the last tick */
    struct event *timer;
    struct event *more; /* the rest of a tick, after the loop's other work */
    int delay_ms;       /* the interval timer is armed with */
    int inflight;
};

#define PUBLISH_MAX_INFLIGHT 64
/* A viewer held in memory is published at once, on the loop that also
 * answers requests and applies events: a tick stops after this much time
 * and goes on once the loop has done the rest of its work. */
#define PUBLISH_SLICE_US 500

struct publish_ranked {
    struct recommend_item it;
    double plugin;
    double cluster; /* cold start: the group's liking, 0..1 */
    char reason[160];
};

static int publish_ranked_cmp(const void *a, const void *b)
{
    const struct publish_ranked *x = a, *y = b;
    if (x->it.score != y->it.score)
        return x->it.score < y->it.score ? 1 : -1;
    return strcmp(x->it.movie->m.id, y->it.movie->m.id);
}

char *publish_recs_json(struct recutd *d, const recut_viewer *v, const struct recommend_globals *g,
                        size_t n, const struct strmap *exclude, int include_seen)
{
    /* with scorer plugins: re-rank a candidate pool whose size does not
     * depend on n, so the first k items are the same for every n >= k (a
     * pool that grew with n let a boosted item in only for larger n); asked
     * for more than the pool, the pool grows to n */
    /* a viewer in an experiment is served with their arms' settings */
    struct recut_config xc = d->cfg;
    experiments_config(d->experiments, viewer_id(v), &xc);
    const struct recut_config *cfg = &xc;
    int scorers = d->plugins && plugins_count(d->plugins, RECUT_PLUGIN_SCORER) > 0;
    size_t pool = cfg->scorer_pool > 0 ? (size_t)cfg->scorer_pool : 1;
    size_t want = scorers ? (n > pool ? n : pool) : n;
    /* cold start: a viewer with few events also gets the most liked movies
     * of their group (groups.c), weighted down as their own events grow */
    size_t n_cold = 0;
    const double *cold_w = NULL;
    const char *const *cold = NULL;
    double cold_blend = 0;
    if (v->events < cfg->cold_start_events) {
        cold = groups_cold_movies(d->groups, v, &cold_w, &n_cold);
        cold_blend = 1.0 - (double)v->events / cfg->cold_start_events;
    }
    struct recommend_item *items = calloc(want ? want : 1, sizeof *items);
    struct publish_ranked *ranked = calloc(want + n_cold + 1, sizeof *ranked);
    if (!items || !ranked) {
        free(items);
        free(ranked);
        return NULL;
    }
    size_t got = recommend_top(cfg, &d->catalog, v, g, exclude, include_seen, items, want);
    for (size_t i = 0; i < got; i++) {
        ranked[i].it = items[i];
        if (scorers) {
            ranked[i].plugin = plugins_score_movie(d->plugins, v, &items[i].movie->m,
                                                   ranked[i].reason, sizeof ranked[i].reason);
            ranked[i].it.score += ranked[i].plugin;
        }
    }
    for (size_t c = 0; cold && c < n_cold && cold_w[0] > 0; c++) {
        const struct catalog_movie *cm = catalog_get(&d->catalog, cold[c]);
        if (!cm || (exclude && strmap_get(exclude, cold[c])) ||
            (!include_seen && viewer_has_seen(v, cold[c])))
            continue;
        size_t i = 0;
        while (i < got && ranked[i].it.movie != cm)
            i++;
        if (i == got) {
            memset(&ranked[got], 0, sizeof ranked[got]);
            ranked[got].it.svm = -1;
            ranked[got++].it.movie = cm;
        }
        ranked[i].cluster = cold_blend * cold_w[c] / cold_w[0];
        ranked[i].it.score += ranked[i].cluster;
    }
    if (scorers || n_cold)
        qsort(ranked, got, sizeof *ranked, publish_ranked_cmp);
    if (got > n)
        got = n;
    json_t *arr = json_array();
    const char **ids = calloc(got ? got : 1, sizeof *ids);
    for (size_t i = 0; i < got; i++) {
        items[i] = ranked[i].it;
        if (ids)
            ids[i] = items[i].movie->m.id;
        char reasons[6][160];
        size_t nr;
        recommend_reasons(&items[i], v, &d->catalog, reasons, &nr, 4);
        if (ranked[i].reason[0])
            snprintf(reasons[nr++], 160, "%s", ranked[i].reason);
        if (ranked[i].cluster > 0)
            snprintf(reasons[nr++], 160, "popular with viewers like you");
        json_t *jr = json_array();
        for (size_t k = 0; k < nr; k++)
            json_array_append_new(jr, json_string(reasons[k]));
        json_t *comp = json_pack("{s:f,s:f,s:f}", "nb", items[i].nb, "cooc", items[i].cooc,
                                 "popularity", items[i].pop);
        if (items[i].svm >= 0)
            json_object_set_new(comp, "svm", json_real(items[i].svm));
        if (items[i].diversity > 0)
            json_object_set_new(comp, "diversity", json_real(-items[i].diversity));
        if (scorers)
            json_object_set_new(comp, "plugins", json_real(ranked[i].plugin));
        if (ranked[i].cluster > 0)
            json_object_set_new(comp, "cluster", json_real(ranked[i].cluster));
        json_array_append_new(arr, json_pack("{s:s,s:s,s:f,s:o,s:o}", "movie", items[i].movie->m.id,
                                             "title", items[i].movie->m.title, "score",
                                             items[i].score, "components", comp, "reasons", jr));
    }
    json_t *doc = json_pack("{s:s,s:I,s:o}", "user", viewer_id(v), "events", (json_int_t)v->events,
                            "items", arr);
    json_t *tags = experiments_tags(d->experiments, viewer_id(v));
    if (doc && tags)
        json_object_set_new(doc, "experiments", tags);
    else
        json_decref(tags);
    char *s = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (s && ids)
        experiments_exposed(d->experiments, v, "recommendations", ids, got, NULL, 0);
    free(ids);
    free(items);
    free(ranked);
    return s;
}

size_t publish_pending(const struct publish *p)
{
    return p ? p->pending.len : 0;
}

unsigned publish_load_flags(const struct recutd *d)
{
    return d->cfg.w_svm > 0 || d->experiments ? 0 : STORE_LOAD_NO_EXTRA;
}

static void publish_loaded(void *arg, int ok, const recut_viewer *v,
                           const struct recommend_globals *g, int known)
{
    struct publish *p = arg;
    p->inflight--;
    if (!ok || !v || !known)
        return;
    char *json = publish_recs_json(p->d, v, g, (size_t)p->d->cfg.publish_n, NULL, 0);
    if (json) {
        plugins_publish(p->d->plugins, viewer_id(v), "recommendations", viewer_id(v), json,
                        strlen(json));
        free(json);
    }
}

static void publish_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct publish *p = arg;
    if (!p->pending.len || !store_connected(p->d->store))
        return;
    int64_t until = clock_mono_us() + PUBLISH_SLICE_US;
    size_t it = 0, n = 0;
    struct strmap_entry *e;
    size_t want = p->pending.len < PUBLISH_MAX_INFLIGHT ? p->pending.len : PUBLISH_MAX_INFLIGHT;
    char **users = malloc(want * sizeof *users);
    while (users && n < want && p->inflight + (int)n < PUBLISH_MAX_INFLIGHT &&
           (e = strmap_next(&p->pending, &it)))
        users[n++] = strdup(e->key);
    for (size_t i = 0; i < n; i++) {
        if (users[i] && clock_mono_us() < until) { /* (the rest wait for the next turn) */
            strmap_del(&p->pending, users[i], NULL);
            p->inflight++;
            store_load_viewer(p->d->store, users[i], publish_load_flags(p->d), publish_loaded, p);
        }
        free(users[i]);
    }
    free(users);
    if (p->pending.len && p->inflight < PUBLISH_MAX_INFLIGHT) {
        struct timeval now = { 0, 0 };
        evtimer_add(p->more, &now);
    }
}

/* (Re-)arm the tick every delay_ms (at least 10 ms). */
static int publish_arm(struct publish *p)
{
    int want = p->d->cfg.publish_delay_ms, ms = want > 10 ? want : 10;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    if (event_add(p->timer, &tv) < 0)
        return -1;
    p->delay_ms = want;
    return 0;
}

struct publish *publish_new(struct recutd *d)
{
    struct publish *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->d = d;
    strmap_init(&p->pending);
    p->timer = event_new(d->base, -1, EV_PERSIST, publish_tick, p);
    p->more = evtimer_new(d->base, publish_tick, p);
    if (!p->timer || !p->more || publish_arm(p) < 0) {
        publish_free(p);
        return NULL;
    }
    return p;
}

void publish_reload(struct publish *p)
{
    if (!p || p->delay_ms == p->d->cfg.publish_delay_ms)
        return;
    if (publish_arm(p) < 0) {
        log_err("publish: cannot re-arm the timer; keeping delay_ms %d", p->delay_ms);
        return;
    }
    log_info("publish: coalescing for %d ms", p->delay_ms);
}

void publish_free(struct publish *p)
{
    if (!p)
        return;
    if (p->timer)
        event_free(p->timer);
    if (p->more)
        event_free(p->more);
    strmap_clear(&p->pending, NULL);
    free(p);
}

void publish_viewer_changed(struct publish *p, const char *user)
{
    if (!p || !p->d->cfg.publish_recs || !p->d->plugins ||
        !plugins_count(p->d->plugins, RECUT_PLUGIN_PUBLISHER))
        return;
    strmap_put(&p->pending, user);
}
