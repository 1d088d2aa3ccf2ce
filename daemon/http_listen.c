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
 * once a second, with how many were not. */
#include "config.h"
#include "http_listen.h"
#include "log.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HL_BACKOFF_MS 250

struct http_listen {
    struct evconnlistener *l;
    struct event *resume;
    int paused;
    struct log_ratelimit rl;
};

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
    evconnlistener_enable(hl->l);
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

struct http_listen *http_listen_new(struct event_base *base, struct evconnlistener *l, char *errstr,
                                    size_t errstr_size)
{
    size_t slot = 0;
    while (slot < HL_MAX && hl_all[slot])
        slot++;
    if (slot == HL_MAX) {
        snprintf(errstr, errstr_size, "more than %d HTTP listeners", HL_MAX);
        return NULL;
    }
    struct http_listen *hl = calloc(1, sizeof *hl);
    if (!hl || !(hl->resume = evtimer_new(base, hl_resume, hl))) {
        free(hl);
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    hl_all[slot] = hl;
    hl->l = l;
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
    free(hl);
}
