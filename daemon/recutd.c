/* SPDX-License-Identifier: Apache-2.0 */
/* recutd.c -- the daemon: configuration, start-up, signals, shutdown, and
 * the wiring.  This is the one file that knows every module: the store's
 * hooks (what happens after a batch was applied or a viewer loaded) are
 * connected here to the SVM trainer and to publishing, so the store never
 * calls up. */
#include "config.h"
#include "confcheck.h"
#include "daemon.h"
#include "experiment.h"
#include "experiments.h"
#include "groups.h"
#include "http.h"
#include "looplag.h"
#include "http_auth.h"
#include "ingest.h"
#include "kafka_in.h"
#include "metrics.h"
#include "notify.h"
#include "plugin.h"
#include "publish.h"
#include "store.h"
#include "svm_scorer.h"
#include "nbtext.h"
#include "seal.h"

#include <event2/event.h>
#include <event2/thread.h>
#include <jansson.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the store's hooks ----------------------------------------------------- */
static void recutd_on_event(void *ctx, const recut_viewer *v, const struct update *u)
{
    struct recutd *d = ctx;
    svm_scorer_applied(d->svm, v, u);
    experiments_event(d->experiments, v, u);
    if (d->http)
        http_users_forget(d->http, viewer_id(v));
}

static void recutd_on_events_done(void *ctx)
{
    struct recutd *d = ctx;
    svm_scorer_kick(d->svm);
}

static void recutd_on_applied(void *ctx, const char *user)
{
    struct recutd *d = ctx;
    publish_viewer_changed(d->publish, user);
}

/* An event the store could not apply (its viewer's keys are damaged): it
 * goes to the dead-letter topic, rebuilt from what the store kept (the
 * original message is gone by now; a comment's text and the emotions are
 * not kept). */
static void recutd_on_rejected(void *ctx, void *batch, const struct vevent *ev, const char *detail)
{
    struct recutd *d = ctx;
    metrics_dead_letter(VEVENT_E_BAD_VIEWER_STATE);
    if (!d->kafka)
        return;
    json_t *o = json_object();
    if (!o)
        return;
    json_object_set_new(o, "user", json_string(ev->user));
    json_object_set_new(o, "type", json_string(vevent_type_name(ev->type)));
    json_object_set_new(o, "ts", json_integer(ev->ts));
    if (ev->id[0])
        json_object_set_new(o, "id", json_string(ev->id));
    if (ev->movie[0])
        json_object_set_new(o, "movie", json_string(ev->movie));
    if (ev->scene >= 0)
        json_object_set_new(o, "scene", json_integer(ev->scene));
    if (ev->t >= 0)
        json_object_set_new(o, "t", json_real(ev->t));
    if (ev->has_value)
        json_object_set_new(o, "value", json_real(ev->value));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    /* a batch from Kafka is held until its dead letters are delivered;
     * one from HTTP is not (its client was told) */
    const char *why = vevent_error_name(VEVENT_E_BAD_VIEWER_STATE);
    if (s &&
        ingest_batch_dead_letter(batch, s, strlen(s), ev->user, strlen(ev->user), why, detail) < 0)
        kafka_in_dead_letter(d->kafka, s, strlen(s), ev->user, strlen(ev->user), why, detail);
    free(s);
}

static void recutd_on_loaded(void *ctx, recut_viewer *v, const char *value, size_t len)
{
    struct recutd *d = ctx;
    svm_scorer_attach(d->svm, v, value, len);
}

static void recutd_wire_store(struct recutd *d)
{
    struct store_hooks h = {
        .ctx = d,
        .on_event = recutd_on_event,
        .on_events_done = recutd_on_events_done,
        .on_applied = recutd_on_applied,
        .on_rejected = recutd_on_rejected,
        .extra_key = svm_scorer_enabled(d->svm) ? "svm" : NULL,
        .on_loaded = recutd_on_loaded,
    };
    store_set_hooks(d->store, &h);
}

static void recutd_usage(FILE *out)
{
    fprintf(out, "Usage: recutd [-c FILE] [--set SECTION.KEY=VALUE]... [--check-config]\n"
                 "       recutd --dump-config | --version | --help\n"
                 "\n"
                 "  -c, --config FILE     configuration file (INI, see recutd.conf(5))\n"
                 "  -s, --set S.K=V       override a key (repeatable; wins over the file)\n"
                 "  -t, --check-config    validate the configuration and exit\n"
                 "  -d, --dump-config     print every key with its doc, default and value\n"
                 "  -V, --version         print the version and exit\n"
                 "\n"
                 "recutd runs in the foreground and logs to stderr. SIGTERM drains and\n"
                 "exits 0; SIGHUP re-reads the configuration and the plugins.\n");
}

/* Read file + overrides into cfg; -1 with "file:line: reason". */
static int recutd_read_config(struct recutd *d, struct recut_config *cfg, char *errstr,
                              size_t errstr_size)
{
    if (conf_init(cfg) < 0) {
        snprintf(errstr, errstr_size, "internal error in the defaults");
        return -1;
    }
    if (d->config_path && conf_load_file(cfg, d->config_path, errstr, errstr_size) < 0)
        return -1;
    for (int i = 0; i < d->n_set_args; i++)
        if (conf_set_arg(cfg, d->set_args[i], errstr, errstr_size) < 0)
            return -1;
    if (conf_validate(cfg, errstr, errstr_size) < 0)
        return -1;
    if (confcheck_run(cfg, errstr, errstr_size) < 0)
        return -1;
    struct experiment_set xs; /* [experiment.NAME]: read at start-up only */
    if (experiment_set_load(&xs, cfg, errstr, errstr_size) < 0)
        return -1;
    experiment_set_free(&xs);
    /* the tokens file and the listen rule, as http_new will apply them */
    struct http_auth *a = http_auth_new(cfg, errstr, errstr_size);
    if (!a)
        return -1;
    http_auth_free(a);
    return 0;
}

static struct event *recutd_drain_ev; /* polls for the end of a drain */

static void recutd_check_drained(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct recutd *d = arg;
    if (d->kafka && !kafka_in_drained(d->kafka))
        return;
    if (store_pending(d->store) > 0)
        return;
    log_info("drained; exiting");
    event_base_loopbreak(d->base);
}

static void recutd_on_term(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct recutd *d = arg;
    if (d->draining) {
        log_warn("second signal %d: exiting without draining", (int)sig);
        d->exit_code = 1;
        event_base_loopbreak(d->base);
        return;
    }
    log_notice("signal %d: draining", (int)sig);
    d->draining = 1;
    notify_stopping();
    if (d->kafka)
        kafka_in_drain(d->kafka);
    recutd_drain_ev = event_new(d->base, -1, EV_PERSIST, recutd_check_drained, d);
    struct timeval tv = { 0, 50000 };
    if (recutd_drain_ev)
        event_add(recutd_drain_ev, &tv);
}

/* Swap in the reloadable keys of `fresh`, keep the others. */
static void recutd_apply_reloadable(struct recut_config *cur, struct recut_config *fresh)
{
    for (size_t i = 0; i < conf_table_len; i++) {
        const struct conf_row *r = &conf_table[i];
        if (!r->reloadable)
            continue;
        char *a = (char *)cur + r->offset, *b = (char *)fresh + r->offset;
        size_t sz = r->type == CFG_STRING   ? sizeof(char *)
                    : r->type == CFG_DOUBLE ? sizeof(double)
                                            : sizeof(int);
        char tmp[sizeof(double) > sizeof(char *) ? sizeof(double) : sizeof(char *)];
        memcpy(tmp, a, sz);
        memcpy(a, b, sz);
        memcpy(b, tmp, sz);
    }
    struct conf_kv *e = cur->extra;
    size_t n = cur->n_extra;
    cur->extra = fresh->extra;
    cur->n_extra = fresh->n_extra;
    fresh->extra = e;
    fresh->n_extra = n;
}

static void recutd_on_hup(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    struct recutd *d = arg;
    notify_reloading();
    struct recut_config fresh;
    char err[1024];
    if (recutd_read_config(d, &fresh, err, sizeof err) < 0) {
        log_err("reload refused, keeping the running configuration: %s", err);
        conf_free(&fresh);
        notify_ready();
        return;
    }
    char diff[1024];
    if (conf_diff_nonreloadable(&d->cfg, &fresh, diff, sizeof diff) > 0)
        log_warn("reload: these keys need a restart and keep their running values: %s", diff);
    recutd_apply_reloadable(&d->cfg, &fresh);
    conf_free(&fresh);
    log_set_level(d->cfg.log_level);
    if (http_reload(d->http, err, sizeof err) < 0)
        log_err("reload: %s; keeping the tokens, hosts and origins in use", err);
    if (store_creds_set(d->cfg.redis_user, d->cfg.redis_password_file, err, sizeof err) < 0)
        log_err("reload: %s; keeping the Redis password read before", err);
    groups_reload(d->groups);
    svm_scorer_reload(d->svm);
    kafka_in_reload(d->kafka);
    publish_reload(d->publish);
    struct plugins *np = plugins_load(d, err, sizeof err);
    if (!np) {
        log_err("reload: plugins: %s; keeping the loaded ones", err);
    } else {
        struct plugins *old = d->plugins;
        d->plugins = np;
        plugins_free(old);
    }
    metrics_inc(M_RELOADS, 1);
    log_notice("configuration reloaded from %s", d->config_path ? d->config_path : "(defaults)");
    notify_ready();
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "set", required_argument, NULL, 's' },
        { "check-config", no_argument, NULL, 't' },
        { "dump-config", no_argument, NULL, 'd' },
        { "version", no_argument, NULL, 'V' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct recutd d;
    memset(&d, 0, sizeof d);
    int check = 0, dump = 0, c;
    d.set_args = calloc((size_t)argc + 1, sizeof *d.set_args);
    if (!d.set_args)
        return 1;
    while ((c = getopt_long(argc, argv, "c:s:tdVh", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            d.config_path = optarg;
            break;
        case 's':
            d.set_args[d.n_set_args++] = optarg;
            break;
        case 't':
            check = 1;
            break;
        case 'd':
            dump = 1;
            break;
        case 'V':
            printf("recutd %s (plugin ABI %u, %s)\n", PACKAGE_VERSION, RECUT_PLUGIN_ABI_VERSION,
                   RECUT_PLUGIN_SIGNATURE);
            free(d.set_args);
            return 0;
        case 'h':
            recutd_usage(stdout);
            free(d.set_args);
            return 0;
        default:
            recutd_usage(stderr);
            free(d.set_args);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "recutd: unexpected argument '%s'\n", argv[optind]);
        recutd_usage(stderr);
        free(d.set_args);
        return 2;
    }
    char err[1024];
    if (recutd_read_config(&d, &d.cfg, err, sizeof err) < 0) {
        fprintf(stderr, "recutd: %s\n", err);
        conf_free(&d.cfg);
        free(d.set_args);
        return 1;
    }
    if (!dump && d.cfg.privacy_key_file[0] &&
        !(d.seal = seal_ring_load(d.cfg.privacy_key_file, err, sizeof err))) {
        fprintf(stderr, "recutd: privacy.key_file: %s\n", err);
        conf_free(&d.cfg);
        free(d.set_args);
        return 1;
    }
    if (dump) {
        conf_dump(&d.cfg, stdout);
        conf_free(&d.cfg);
        free(d.set_args);
        return 0;
    }
    if (check) {
        printf("%s: configuration OK\n", d.config_path ? d.config_path : "(defaults)");
        seal_ring_free(d.seal);
        conf_free(&d.cfg);
        free(d.set_args);
        return 0;
    }
    log_set_level(d.cfg.log_level);
    if (d.seal)
        log_notice("emotion data is sealed in Redis with key '%s'", seal_ring_write_id(d.seal));
    else
        log_notice("no [privacy] key_file: emotion readings are not stored");
    signal(SIGPIPE, SIG_IGN);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    d.started = (double)ts.tv_sec + ts.tv_nsec / 1e9;
    catalog_init(&d.catalog);
    /* the HTTP front thread (http_front.c) hands requests over with
     * event_active across threads: libevent's locking must be on before
     * any base exists */
    if (evthread_use_pthreads() < 0) {
        log_err("cannot turn on libevent's thread support");
        return 1;
    }
    d.base = event_base_new();
    int rc = 1;
    struct event *sigterm = NULL, *sigint = NULL, *sighup = NULL;
    if (!d.base) {
        log_err("cannot create the event loop");
        goto out;
    }
    d.store = store_new(&d, err, sizeof err);
    if (!d.store) {
        log_err("%s", err);
        goto out;
    }
    if (store_load_catalog(d.store, &d.catalog, err, sizeof err) < 0) {
        log_err("%s", err);
        goto out;
    }
    store_catalog_watch(d.store, 2000);
    if (d.cfg.comment_model[0]) {
        d.sentiment = nbtext_load(d.cfg.comment_model, err, sizeof err);
        if (!d.sentiment) {
            if (strcmp(d.cfg.comment_model, PKGDATADIR "/comment-sentiment.nbm") != 0) {
                log_err("models.comment_model: %s", err);
                goto out;
            }
            log_notice("no comment sentiment model (%s): comments carry no preference", err);
        }
    }
    d.plugins = plugins_load(&d, err, sizeof err);
    if (!d.plugins) {
        log_err("plugins: %s", err);
        goto out;
    }
    d.publish = publish_new(&d);
    if (looplag_start(d.base) < 0)
        log_warn("cannot time the event loop: no recut_event_loop_lag_seconds");
    if (!(d.groups = groups_new(&d, err, sizeof err))) {
        log_err("%s", err);
        goto out;
    }
    if (!(d.svm = svm_scorer_new(&d, err, sizeof err)) && err[0]) {
        log_err("%s", err);
        goto out;
    }
    if (!(d.experiments = experiments_new(&d, err, sizeof err)) && err[0]) {
        log_err("%s", err);
        goto out;
    }
    recutd_wire_store(&d);
    if (d.cfg.http_listen[0] && !(d.http = http_new(&d, err, sizeof err))) {
        log_err("%s", err);
        goto out;
    }
    if (d.cfg.brokers[0] && !(d.kafka = kafka_in_new(&d, err, sizeof err))) {
        log_err("%s", err);
        goto out;
    }
    sigterm = evsignal_new(d.base, SIGTERM, recutd_on_term, &d);
    sigint = evsignal_new(d.base, SIGINT, recutd_on_term, &d);
    sighup = evsignal_new(d.base, SIGHUP, recutd_on_hup, &d);
    if (!sigterm || !sigint || !sighup || evsignal_add(sigterm, NULL) ||
        evsignal_add(sigint, NULL) || evsignal_add(sighup, NULL)) {
        log_err("cannot install signal handlers");
        goto out;
    }
    notify_watchdog_start(&d);
    notify_ready();
    log_notice("recutd %s ready (instance %s)", PACKAGE_VERSION, recutd_instance(&d));
    event_base_dispatch(d.base);
    rc = d.exit_code;
out:
    if (sigterm)
        event_free(sigterm);
    if (sigint)
        event_free(sigint);
    if (sighup)
        event_free(sighup);
    if (recutd_drain_ev)
        event_free(recutd_drain_ev);
    kafka_in_free(d.kafka);
    http_free(d.http);
    groups_free(d.groups);
    svm_scorer_free(d.svm);
    publish_free(d.publish);
    looplag_stop();
    plugins_free(d.plugins);
    store_free(d.store);
    experiments_free(d.experiments);
    catalog_free(&d.catalog);
    if (d.sentiment)
        nbtext_free(d.sentiment);
    if (d.base)
        event_base_free(d.base);
    seal_ring_free(d.seal);
    conf_free(&d.cfg);
    free(d.set_args);
    return rc;
}
