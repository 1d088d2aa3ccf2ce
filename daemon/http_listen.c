/* SPDX-License-Identifier: Apache-2.0 */
/* http_listen.c -- the HTTP listener's accept() errors.
 *
 * Why: when recutd runs out of file descriptors (EMFILE, ENFILE), the
 * pending connection stays in the listen queue, so the listening socket
 * stays readable and libevent calls accept() again at once: with 1,200
 * idle connections under `ulimit -n 1024` the loop spun at 100% CPU and
 * logged ~800k lines a second, and health was unreachable.  Here such an
 * error disables the listener and a timer enables it again after
 * HL_BACKOFF_MS: while descriptors are short it costs a few failed
 * accept() calls a second, and as soon as connections close (the idle
 * timeout reclaims them) new ones are taken.  Errors are logged at most
 * once a second, with how many were not.
 *
 * It also bounds the connections open at once ([http] max_connections):
 * libevent 2.1 has no such limit and tells nothing when a server
 * connection closes, so every connection's bufferevent (made here, through
 * evhttp's bufferevent callback) is kept with a reference of ours.  When
 * evhttp frees a connection it has already sent the FIN and cleared the
 * bufferevent's callbacks; a sweep every HL_SWEEP_MS sees that, drops our
 * reference (which closes the socket) and counts the connection gone.  At
 * the limit the listener is disabled: new connections wait in the
 * kernel's listen queue, costing no descriptor, until one closes. */
#include "config.h"
#include "http_listen.h"
#include "log.h"

#include <errno.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HL_BACKOFF_MS 250
#define HL_SWEEP_MS 100

struct http_listen {
    struct evconnlistener *l;
    struct event *resume, *sweep;
    int paused; /* out of descriptors: backing off */
    struct log_ratelimit rl;
    size_t max_conns;
    struct bufferevent **conns; /* open connections, each with our reference */
    size_t n_conns, cap_conns;
};

/* Accept when neither out of descriptors nor at max_connections. */
static void hl_update(struct http_listen *hl)
{
    if (hl->paused || hl->n_conns >= hl->max_conns)
        evconnlistener_disable(hl->l);
    else
        evconnlistener_enable(hl->l);
}

/* libevent hands the error callback the listener's own argument (the evhttp
 * that accepts from it), not ours: the listeners are looked up here. */
#define HL_MAX 8
static struct http_listen *hl_all[HL_MAX];

static struct http_listen *hl_find(const struct evconnlistener *l)
{
    for (size_t i = 0; i < HL_MAX; i++)
        if (hl_all[i] && hl_all[i]->l == l)
            return hl_all[i];
    return NULL;
}

static void hl_resume(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct http_listen *hl = arg;
    hl->paused = 0;
    hl_update(hl);
}

/* Drop the connections evhttp has freed (their callbacks are cleared). */
static void hl_sweep(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct http_listen *hl = arg;
    size_t k = 0;
    for (size_t i = 0; i < hl->n_conns; i++) {
        bufferevent_data_cb readcb = NULL;
        bufferevent_getcb(hl->conns[i], &readcb, NULL, NULL, NULL);
        if (readcb)
            hl->conns[k++] = hl->conns[i];
        else
            bufferevent_decref(hl->conns[i]);
    }
    hl->n_conns = k;
    hl_update(hl);
    if (hl->n_conns > 0) {
        static const struct timeval every = { 0, HL_SWEEP_MS * 1000 };
        evtimer_add(hl->sweep, &every);
    }
}

struct bufferevent *http_listen_track(struct http_listen *hl, struct bufferevent *bev)
{
    if (!bev)
        return NULL;
    if (hl->n_conns == hl->cap_conns) {
        size_t cap = hl->cap_conns ? 2 * hl->cap_conns : 64;
        struct bufferevent **c = realloc(hl->conns, cap * sizeof *c);
        if (!c)
            return bev; /* not counted: better than refusing it */
        hl->conns = c;
        hl->cap_conns = cap;
    }
    bufferevent_incref(bev);
    hl->conns[hl->n_conns++] = bev;
    if (hl->n_conns == 1) {
        static const struct timeval every = { 0, HL_SWEEP_MS * 1000 };
        evtimer_add(hl->sweep, &every);
    }
    if (hl->n_conns >= hl->max_conns) {
        log_limited(&hl->rl, LOG_LVL_NOTICE,
                    "http: %zu connections open (max_connections); new ones wait", hl->n_conns);
        hl_update(hl);
    }
    return bev;
}

static void hl_error(struct evconnlistener *l, void *arg)
{
    (void)arg;
    int err = EVUTIL_SOCKET_ERROR();
    struct http_listen *hl = hl_find(l);
    if (!hl)
        return;
    int out_of_fds = err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
    if (out_of_fds) {
        log_limited(&hl->rl, LOG_LVL_WARNING,
                    "http: cannot accept a connection: %s; not accepting for %d ms", strerror(err),
                    HL_BACKOFF_MS);
        if (!hl->paused) {
            static const struct timeval backoff = { 0, HL_BACKOFF_MS * 1000 };
            evconnlistener_disable(l);
            hl->paused = 1;
            evtimer_add(hl->resume, &backoff);
        }
    } else {
        log_limited(&hl->rl, LOG_LVL_WARNING, "http: cannot accept a connection: %s",
                    strerror(err));
    }
}

struct http_listen *http_listen_new(struct event_base *base, struct evconnlistener *l,
                                    size_t max_connections, char *errstr, size_t errstr_size)
{
    size_t slot = 0;
    while (slot < HL_MAX && hl_all[slot])
        slot++;
    if (slot == HL_MAX) {
        snprintf(errstr, errstr_size, "more than %d HTTP listeners", HL_MAX);
        return NULL;
    }
    struct http_listen *hl = calloc(1, sizeof *hl);
    if (!hl || !(hl->resume = evtimer_new(base, hl_resume, hl)) ||
        !(hl->sweep = evtimer_new(base, hl_sweep, hl))) {
        if (hl && hl->resume)
            event_free(hl->resume);
        free(hl);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    hl_all[slot] = hl;
    hl->l = l;
    hl->max_conns = max_connections ? max_connections : 1;
    hl->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(1, 1);
    evconnlistener_set_error_cb(l, hl_error);
    return hl;
}

void http_listen_free(struct http_listen *hl)
{
    if (!hl)
        return;
    for (size_t i = 0; i < HL_MAX; i++)
        if (hl_all[i] == hl)
            hl_all[i] = NULL;
    event_free(hl->resume);
    event_free(hl->sweep);
    for (size_t i = 0; i < hl->n_conns; i++)
        bufferevent_decref(hl->conns[i]);
    free(hl->conns);
    free(hl);
}
