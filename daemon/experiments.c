/* SPDX-License-Identifier: Apache-2.0 */
/* experiments.c -- exposures, outcomes and reports of A/B experiments
 * (experiments.h).
 *
 * Exposure memory is shared by every instance: PREFIX:{u:ID}:xp, a hash in
 * the viewer's hash tag (so one script reads and writes it atomically, on
 * Redis Cluster too) of "EXPERIMENT<TAB>ITEM" -> "ARM TS FLAGS", expiring a
 * window after the last exposure and listed in the viewer's :keys set so
 * that erasing the viewer erases it.  An item counts as one exposure while
 * its window runs (a list served twice does not count twice), and at most
 * once as a conversion (flag c) and once as a negative (flag n): the rate is
 * a proportion of exposed items, which the Wilson interval and the z-test
 * need.  The arms' totals are a hash per experiment in its own hash tag,
 * PREFIX:{xp:NAME}:counts:SALT (a new salt starts new counts). */
#include "config.h"
#include "experiments.h"
#include "experiment.h"
#include "kafka_in.h"
#include "store.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* KEYS: xp, keys, state, meta (the layout before the state blob).  ARGV:
 * now, window, expire, experiment, arm, known, item... -> how many items
 * are newly exposed.  A viewer who had events when the list was computed
 * (known 1) but has neither :state nor :meta now was
 * erased meanwhile: nothing is written, so a DELETE racing a request
 * cannot bring the viewer's keys back. */
static const char experiments_lua_expose[] =
    "if ARGV[6] == '1' and redis.call('EXISTS', KEYS[3], KEYS[4]) == 0 then return 0 end\n"
    "local now, win = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
    "local n = 0\n"
    "for i = 7, #ARGV do\n"
    "  local f = ARGV[4] .. '\\t' .. ARGV[i]\n"
    "  local v = redis.call('HGET', KEYS[1], f)\n"
    "  local t = v and tonumber(string.match(v, '^%S+ (%d+) '))\n"
    "  if not t or now - t >= win then\n"
    "    redis.call('HSET', KEYS[1], f, ARGV[5] .. ' ' .. ARGV[1] .. ' -')\n"
    "    n = n + 1\n"
    "  end\n"
    "end\n"
    "redis.call('EXPIRE', KEYS[1], ARGV[3])\n"
    "redis.call('SADD', KEYS[2], KEYS[1])\n"
    "return n\n";

/* KEYS: xp.  ARGV: now, flag (c or n), item, then experiment window ... ->
 * {experiment, arm, ...} of the exposures this outcome counts for. */
static const char experiments_lua_outcome[] =
    "local now, flag = tonumber(ARGV[1]), ARGV[2]\n"
    "local out = {}\n"
    "for i = 4, #ARGV, 2 do\n"
    "  local f = ARGV[i] .. '\\t' .. ARGV[3]\n"
    "  local v = redis.call('HGET', KEYS[1], f)\n"
    "  if v then\n"
    "    local arm, t, flags = string.match(v, '^(%S+) (%d+) (%S+)$')\n"
    "    if arm and now - tonumber(t) < tonumber(ARGV[i + 1]) and\n"
    "       not string.find(flags, flag, 1, true) then\n"
    "      if flags == '-' then flags = '' end\n"
    "      redis.call('HSET', KEYS[1], f, arm .. ' ' .. t .. ' ' .. flags .. flag)\n"
    "      out[#out + 1] = ARGV[i]\n"
    "      out[#out + 1] = arm\n"
    "    end\n"
    "  end\n"
    "end\n"
    "return out\n";

struct experiments {
    struct recutd *d;
    struct experiment_set set;
    int expire_s;                              /* the longest window */
    uint64_t (*count)[EXPERIMENT_ARMS_MAX][3]; /* this instance's, per experiment */
};

struct experiments *experiments_new(struct recutd *d, char *errstr, size_t errstr_size)
{
    errstr[0] = '\0';
    struct experiments *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    e->d = d;
    if (experiment_set_load(&e->set, &d->cfg, errstr, errstr_size) < 0) {
        free(e);
        return NULL;
    }
    if (e->set.n == 0) {
        free(e);
        return NULL;
    }
    e->count = calloc(e->set.n, sizeof *e->count);
    if (!e->count) {
        experiments_free(e);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < e->set.n; i++) {
        const struct experiment *x = &e->set.x[i];
        if (x->window_s > e->expire_s)
            e->expire_s = x->window_s;
        char arms[512];
        size_t off = 0;
        for (size_t a = 0; a < x->n_arms && off < sizeof arms; a++)
            off += (size_t)snprintf(arms + off, sizeof arms - off, "%s%s %g%%", a ? ", " : "",
                                    x->arms[a].name, x->arms[a].share);
        log_notice("experiment %s: arms %s, window %ds, exposures to %s", x->name, arms,
                   x->window_s, d->kafka || d->cfg.brokers[0] ? x->exposure_topic : "Redis only");
    }
    return e;
}

void experiments_free(struct experiments *e)
{
    if (!e)
        return;
    experiment_set_free(&e->set);
    free(e->count);
    free(e);
}

void experiments_config(const struct experiments *e, const char *viewer, struct recut_config *out)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->set.n; i++) {
        const struct experiment *x = &e->set.x[i];
        experiment_apply(&x->arms[experiment_assign(x, viewer)], out);
    }
}

json_t *experiments_tags(const struct experiments *e, const char *viewer)
{
    if (!e)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; a && i < e->set.n; i++) {
        const struct experiment *x = &e->set.x[i];
        json_array_append_new(a, json_pack("{s:s,s:s}", "name", x->name, "arm",
                                           x->arms[experiment_assign(x, viewer)].name));
    }
    return a;
}

/* ---- counters ------------------------------------------------------------ */
static void experiments_counted(void *arg, int ok, long long integer, const char *const *strs,
                                const size_t *lens, size_t n)
{
    (void)arg;
    (void)integer;
    (void)strs;
    (void)lens;
    (void)n;
    if (!ok)
        log_warn("experiments: a counter was not incremented (Redis)");
}

static void experiments_add(struct experiments *e, size_t xi, size_t arm, enum experiment_count c,
                            long long by)
{
    const struct experiment *x = &e->set.x[xi];
    e->count[xi][arm][c] += (uint64_t)by;
    static const char *const names[] = { "exposures", "conversions", "negatives" };
    char key[512], field[128], num[24];
    snprintf(key, sizeof key, "%s:{xp:%s}:counts:%s", e->d->cfg.redis_prefix, x->name, x->salt);
    snprintf(field, sizeof field, "%s:%s", x->arms[arm].name, names[c]);
    snprintf(num, sizeof num, "%lld", by);
    const char *argv[] = { "HINCRBY", key, field, num };
    if (store_command(e->d->store, 4, argv, experiments_counted, NULL) < 0)
        log_warn("experiments: %s %s not counted (Redis unavailable)", x->name, field);
}

static size_t experiments_arm_index(const struct experiment *x, const char *name, size_t len)
{
    for (size_t a = 0; a < x->n_arms; a++)
        if (strlen(x->arms[a].name) == len && memcmp(x->arms[a].name, name, len) == 0)
            return a;
    return (size_t)-1;
}

/* ---- exposures ----------------------------------------------------------- */
struct experiments_exposure {
    struct experiments *e;
    size_t xi, arm;
};

static void experiments_exposure_done(void *arg, int ok, long long integer, const char *const *strs,
                                      const size_t *lens, size_t n)
{
    (void)strs;
    (void)lens;
    (void)n;
    struct experiments_exposure *x = arg;
    if (ok && integer > 0)
        experiments_add(x->e, x->xi, x->arm, EXPERIMENT_EXPOSURES, integer);
    else if (!ok)
        log_warn("experiments: exposure not recorded in Redis");
    free(x);
}

static void experiments_record(struct experiments *e, const struct experiment *x, const char *arm,
                               const char *viewer, const char *kind, const char *const *items,
                               size_t n_items, const size_t *scenes, size_t n_scenes, time_t now)
{
    if (!e->d->kafka)
        return;
    json_t *ji = json_array(), *doc;
    for (size_t i = 0; ji && i < n_items; i++)
        json_array_append_new(ji, json_string(items[i]));
    doc = json_pack("{s:s,s:s,s:s,s:s,s:o,s:I}", "viewer", viewer, "experiment", x->name, "arm",
                    arm, "kind", kind, "items", ji, "ts", (json_int_t)now);
    if (doc && scenes) {
        json_t *js = json_array();
        for (size_t i = 0; js && i < n_scenes; i++)
            json_array_append_new(js, json_integer((json_int_t)scenes[i]));
        json_object_set_new(doc, "scenes", js);
    }
    char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    if (s)
        kafka_in_produce(e->d->kafka, x->exposure_topic, s, strlen(s), viewer, strlen(viewer));
    free(s);
}

void experiments_exposed(struct experiments *e, const recut_viewer *v, const char *kind,
                         const char *const *items, size_t n_items, const size_t *scenes,
                         size_t n_scenes)
{
    if (!e || n_items == 0)
        return;
    const char *viewer = viewer_id(v);
    time_t now = time(NULL);
    char xp[512], keys[512], state[512], meta[512], snow[24], win[24], expire[24];
    snprintf(xp, sizeof xp, "%s:{u:%s}:xp", e->d->cfg.redis_prefix, viewer);
    snprintf(keys, sizeof keys, "%s:{u:%s}:keys", e->d->cfg.redis_prefix, viewer);
    snprintf(state, sizeof state, "%s:{u:%s}:state", e->d->cfg.redis_prefix, viewer);
    snprintf(meta, sizeof meta, "%s:{u:%s}:meta", e->d->cfg.redis_prefix, viewer);
    snprintf(snow, sizeof snow, "%lld", (long long)now);
    snprintf(expire, sizeof expire, "%d", e->expire_s);
    const char **argv = calloc(13 + n_items, sizeof *argv);
    if (!argv)
        return;
    for (size_t i = 0; i < e->set.n; i++) {
        const struct experiment *x = &e->set.x[i];
        size_t arm = experiment_assign(x, viewer);
        experiments_record(e, x, x->arms[arm].name, viewer, kind, items, n_items, scenes, n_scenes,
                           now);
        snprintf(win, sizeof win, "%d", x->window_s);
        int argc = 0;
        argv[argc++] = "EVAL";
        argv[argc++] = experiments_lua_expose;
        argv[argc++] = "4";
        argv[argc++] = xp;
        argv[argc++] = keys;
        argv[argc++] = state;
        argv[argc++] = meta;
        argv[argc++] = snow;
        argv[argc++] = win;
        argv[argc++] = expire;
        argv[argc++] = x->name;
        argv[argc++] = x->arms[arm].name;
        argv[argc++] = v->events > 0 ? "1" : "0";
        for (size_t k = 0; k < n_items; k++)
            argv[argc++] = items[k];
        struct experiments_exposure *ex = malloc(sizeof *ex);
        if (!ex)
            break;
        *ex = (struct experiments_exposure){ e, i, arm };
        if (store_command(e->d->store, argc, argv, experiments_exposure_done, ex) < 0) {
            free(ex);
            log_warn("experiments: exposure of %s not recorded (Redis unavailable)", viewer);
        }
    }
    free(argv);
}

/* ---- outcomes ------------------------------------------------------------ */
struct experiments_outcome {
    struct experiments *e;
    enum experiment_count c;
};

static void experiments_outcome_done(void *arg, int ok, long long integer, const char *const *strs,
                                     const size_t *lens, size_t n)
{
    (void)integer;
    struct experiments_outcome *o = arg;
    for (size_t i = 0; ok && i + 1 < n; i += 2) {
        if (!strs[i] || !strs[i + 1])
            continue;
        for (size_t xi = 0; xi < o->e->set.n; xi++) {
            const struct experiment *x = &o->e->set.x[xi];
            if (strlen(x->name) != lens[i] || memcmp(x->name, strs[i], lens[i]) != 0)
                continue;
            size_t arm = experiments_arm_index(x, strs[i + 1], lens[i + 1]);
            if (arm != (size_t)-1)
                experiments_add(o->e, xi, arm, o->c, 1);
        }
    }
    free(o);
}

void experiments_event(struct experiments *e, const recut_viewer *v, const struct update *u)
{
    (void)v;
    if (!e || !u->ev || !u->ev->movie[0])
        return;
    enum experiment_count c;
    switch (u->ev->type) {
    case VEVENT_VIEW:
    case VEVENT_LIKE:
    case VEVENT_REWATCH:
    case VEVENT_SHARE:
        c = EXPERIMENT_CONVERSIONS;
        break;
    case VEVENT_SKIP:
    case VEVENT_DISLIKE:
        c = EXPERIMENT_NEGATIVES;
        break;
    default:
        return;
    }
    char xp[512], snow[24];
    snprintf(xp, sizeof xp, "%s:{u:%s}:xp", e->d->cfg.redis_prefix, u->ev->user);
    snprintf(snow, sizeof snow, "%lld", (long long)time(NULL));
    const char **argv = calloc(7 + 2 * e->set.n, sizeof *argv);
    char(*win)[24] = calloc(e->set.n, sizeof *win);
    struct experiments_outcome *o = malloc(sizeof *o);
    if (argv && win && o) {
        int argc = 0;
        argv[argc++] = "EVAL";
        argv[argc++] = experiments_lua_outcome;
        argv[argc++] = "1";
        argv[argc++] = xp;
        argv[argc++] = snow;
        argv[argc++] = c == EXPERIMENT_CONVERSIONS ? "c" : "n";
        argv[argc++] = u->ev->movie;
        for (size_t i = 0; i < e->set.n; i++) {
            snprintf(win[i], sizeof win[i], "%d", e->set.x[i].window_s);
            argv[argc++] = e->set.x[i].name;
            argv[argc++] = win[i];
        }
        *o = (struct experiments_outcome){ e, c };
        if (store_command(e->d->store, argc, argv, experiments_outcome_done, o) == 0)
            o = NULL;
        else
            log_warn("experiments: outcome of %s not attributed (Redis unavailable)", u->ev->user);
    }
    free(o);
    free(win);
    free(argv);
}

/* ---- the report ---------------------------------------------------------- */
struct experiments_read {
    struct experiments *e;
    void (*cb)(void *arg, int status, json_t *doc);
    void *arg;
    size_t waiting;
    int failed;
    uint64_t (*count)[EXPERIMENT_ARMS_MAX][3];
};

struct experiments_read_one {
    struct experiments_read *r;
    size_t xi;
};

static void experiments_read_done(struct experiments_read *r)
{
    json_t *list = json_array();
    for (size_t i = 0; list && !r->failed && i < r->e->set.n; i++)
        json_array_append_new(
            list, experiment_report(&r->e->set.x[i], (const uint64_t(*)[3])r->count[i]));
    if (r->failed || !list) {
        json_decref(list);
        r->cb(r->arg, 503, NULL);
    } else {
        r->cb(r->arg, 200, json_pack("{s:o}", "experiments", list));
    }
    free(r->count);
    free(r);
}

static void experiments_read_reply(void *arg, int ok, long long integer, const char *const *strs,
                                   const size_t *lens, size_t n)
{
    (void)integer;
    struct experiments_read_one *one = arg;
    struct experiments_read *r = one->r;
    const struct experiment *x = &r->e->set.x[one->xi];
    if (!ok)
        r->failed = 1;
    static const char *const names[] = { "exposures", "conversions", "negatives" };
    for (size_t i = 0; ok && i + 1 < n; i += 2) {
        const char *colon = strs[i] ? memchr(strs[i], ':', lens[i]) : NULL;
        if (!colon || !strs[i + 1])
            continue;
        size_t arm = experiments_arm_index(x, strs[i], (size_t)(colon - strs[i]));
        for (int c = 0; c < 3 && arm != (size_t)-1; c++)
            if (strlen(names[c]) == lens[i] - (size_t)(colon + 1 - strs[i]) &&
                memcmp(colon + 1, names[c], strlen(names[c])) == 0)
                r->count[one->xi][arm][c] = strtoull(strs[i + 1], NULL, 10);
    }
    free(one);
    if (--r->waiting == 0)
        experiments_read_done(r);
}

void experiments_report(struct experiments *e, void (*cb)(void *arg, int status, json_t *doc),
                        void *arg)
{
    struct experiments_read *r = calloc(1, sizeof *r);
    if (!r || !(r->count = calloc(e->set.n, sizeof *r->count))) {
        free(r);
        cb(arg, 503, NULL);
        return;
    }
    *r = (struct experiments_read){ e, cb, arg, 1, 0, r->count };
    for (size_t i = 0; i < e->set.n; i++) {
        const struct experiment *x = &e->set.x[i];
        char key[512];
        snprintf(key, sizeof key, "%s:{xp:%s}:counts:%s", e->d->cfg.redis_prefix, x->name, x->salt);
        const char *argv[] = { "HGETALL", key };
        struct experiments_read_one *one = malloc(sizeof *one);
        if (one)
            *one = (struct experiments_read_one){ r, i };
        r->waiting++;
        if (!one || store_command(e->d->store, 2, argv, experiments_read_reply, one) < 0) {
            free(one);
            r->failed = 1;
            r->waiting--;
        }
    }
    if (--r->waiting == 0)
        experiments_read_done(r);
}

char *experiments_metrics(const struct experiments *e)
{
    if (!e)
        return NULL;
    struct strbuf *b = strbuf_new();
    if (!b)
        return NULL;
    static const char *const names[] = { "exposures", "conversions", "negatives" };
    static const char *const help[] = {
        "Items served to viewers of an experiment's arm by this instance (once per window).",
        "Exposed items viewed, liked, rewatched or shared within the window, by arm.",
        "Exposed items skipped or disliked within the window, by arm.",
    };
    for (int c = 0; c < 3; c++) {
        strbuf_printf(b,
                      "# HELP recut_experiment_%s_total %s\n# TYPE recut_experiment_%s_total "
                      "counter\n",
                      names[c], help[c], names[c]);
        for (size_t i = 0; i < e->set.n; i++)
            for (size_t a = 0; a < e->set.x[i].n_arms; a++)
                strbuf_printf(b, "recut_experiment_%s_total{experiment=\"%s\",arm=\"%s\"} %llu\n",
                              names[c], e->set.x[i].name, e->set.x[i].arms[a].name,
                              (unsigned long long)e->count[i][a][c]);
    }
    size_t len;
    return strbuf_take(b, &len);
}
