/* SPDX-License-Identifier: Apache-2.0 */
/* http_front.c -- the HTTP front thread: connections, TLS, parsing, tokens,
 * and the answers kept in memory, off the event loop that applies events.
 *
 * Why a thread: a home screen asks for the same list many times, and the
 * answer is usually kept (http_cache.c).  While Kafka ingest, publishing
 * and Redis replies keep the main loop busy for milliseconds at a time, a
 * kept answer waiting behind them would take as long as they do.  So the
 * front thread owns evhttp and every connection; it answers what needs
 * nothing of the main loop's state (a kept answer, a malformed or refused
 * request) and hands every other request to the main loop, whose reply it
 * sends.  Nothing else changes for a request handed over: the handlers run
 * on the main loop as before and answer through http_send, which queues
 * the reply for the front thread when called elsewhere.
 *
 * The handover is two queues, each a list under a mutex with an event made
 * active on the other side's base (libevent's pthreads locking is on, so
 * event_active may be called from any thread).  While a request is with
 * the main loop the front thread does not touch it; if its client goes
 * away meanwhile, libevent keeps the request until the reply frees it.
 * One HTTP server per process: http_send finds it without a handle. */
#include "config.h"
#include "http_front.h"
#include "http_timing.h"
#include "log.h"
#include "metrics.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct http_job {
    struct http_job *next;
    struct evhttp_request *req;
    enum evhttp_cmd_type cmd;
    char peer[64];
    struct httppath q;
};

struct http_out {
    struct http_out *next;
    struct evhttp_request *req;
    int code;
    const char *reason; /* static */
    struct evbuffer *body;
};

struct http_front {
    void *arg;
    pthread_t thread;
    int running;
    pthread_mutex_t lock;
    struct http_job *jobs, **jobs_tail; /* to the main loop */
    struct http_out *outs, **outs_tail; /* to the front thread */
    struct event *to_main, *to_front;
    http_front_route_fn *route;
    struct event_base *front_base; /* the front thread's loop */
    struct event *reslice;         /* on the front thread: apply slice_us */
    int slice_us;                  /* [http] thread_slice_us (atomic) */
};

static struct http_front *http_front_self;
static void http_front_reslice(evutil_socket_t fd, short what, void *arg);
static _Thread_local int http_front_here;

static void http_front_deliver(struct evhttp_request *req, int code, const char *reason,
                               struct evbuffer *body)
{
    evhttp_send_reply(req, code, reason, body);
    http_timing_end(req);
}

void http_send(struct evhttp_request *req, int code, const char *reason, struct evbuffer *body)
{
    metrics_http_status(code);
    struct http_front *f = http_front_self;
    if (http_front_here || !f || !f->running) {
        http_front_deliver(req, code, reason, body);
        return;
    }
    struct http_out *o = calloc(1, sizeof *o);
    struct evbuffer *b = o ? evbuffer_new() : NULL;
    if (!b) {
        /* nothing to queue it with: the client's connection times out */
        free(o);
        log_err("http: out of memory queueing a reply");
        return;
    }
    if (body)
        evbuffer_add_buffer(b, body);
    *o = (struct http_out){ NULL, req, code, reason, b };
    pthread_mutex_lock(&f->lock);
    *f->outs_tail = o;
    f->outs_tail = &o->next;
    pthread_mutex_unlock(&f->lock);
    event_active(f->to_front, EV_READ, 0);
}

/* Front thread: send the replies the main loop queued. */
static void http_front_outs(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct http_front *f = arg;
    pthread_mutex_lock(&f->lock);
    struct http_out *o = f->outs;
    f->outs = NULL;
    f->outs_tail = &f->outs;
    pthread_mutex_unlock(&f->lock);
    while (o) {
        struct http_out *next = o->next;
        http_front_deliver(o->req, o->code, o->reason, o->body);
        evbuffer_free(o->body);
        free(o);
        o = next;
    }
}

/* Main loop: route the requests the front thread handed over. */
static void http_front_jobs(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct http_front *f = arg;
    pthread_mutex_lock(&f->lock);
    struct http_job *j = f->jobs;
    f->jobs = NULL;
    f->jobs_tail = &f->jobs;
    pthread_mutex_unlock(&f->lock);
    while (j) {
        struct http_job *next = j->next;
        f->route(f->arg, j->req, j->cmd, &j->q, j->peer);
        httppath_clear(&j->q);
        free(j);
        j = next;
    }
}

int http_front_hand_over(struct http_front *f, struct evhttp_request *req, enum evhttp_cmd_type cmd,
                         struct httppath *q, const char *peer)
{
    struct http_job *j = calloc(1, sizeof *j);
    if (!j)
        return -1;
    j->req = req;
    j->cmd = cmd;
    snprintf(j->peer, sizeof j->peer, "%s", peer);
    j->q = *q; /* the parameters' storage moves with it */
    q->store = NULL;
    q->n_params = 0;
    pthread_mutex_lock(&f->lock);
    *f->jobs_tail = j;
    f->jobs_tail = &j->next;
    pthread_mutex_unlock(&f->lock);
    event_active(f->to_main, EV_READ, 0);
    return 0;
}

struct event_base *http_front_base_new(void)
{
    struct event_config *c = event_config_new();
    if (!c)
        return NULL;
    event_config_set_flag(c, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    struct event_base *b = event_base_new_with_config(c);
    event_config_free(c);
    return b;
}

struct http_front *http_front_new(void *arg, struct event_base *main_base,
                                  struct event_base *front_base, http_front_route_fn *route)
{
    struct http_front *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->arg = arg;
    f->route = route;
    f->jobs_tail = &f->jobs;
    f->outs_tail = &f->outs;
    f->front_base = front_base;
    pthread_mutex_init(&f->lock, NULL);
    f->to_main = event_new(main_base, -1, 0, http_front_jobs, f);
    f->to_front = event_new(front_base, -1, 0, http_front_outs, f);
    f->reslice = event_new(front_base, -1, 0, http_front_reslice, f);
    if (!f->to_main || !f->to_front || !f->reslice) {
        http_front_free(f);
        return NULL;
    }
    http_front_self = f;
    return f;
}

/* ---- the thread's time slice ---------------------------------------------------
 * Under EEVDF (Linux 6.12+) a fair-class thread may ask for its own slice
 * (sched_attr.sched_runtime); one shorter than the running thread's lets it
 * preempt at wakeup.  The front thread mostly sleeps and runs for tens of
 * microseconds a request, so a short slice costs nothing and spares a
 * request the wait for the ingest thread's, Redis' or a client's slice.
 * glibc has no wrapper: the kernel's struct, by its size, and syscall(2). */
struct http_front_sched_attr {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t sched_util_min, sched_util_max;
};

/* What the kernel shows as this thread's slice (se.slice, ns), or -1. */
static long long http_front_slice_shown(void)
{
    FILE *f = fopen("/proc/thread-self/sched", "r");
    char line[256];
    long long ns = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "se.slice", 8) == 0) {
            const char *c = strchr(line, ':');
            ns = c ? strtoll(c + 1, NULL, 10) : -1;
            break;
        }
    if (f)
        fclose(f);
    return ns;
}

/* On the front thread: ask for slice_us (0: the kernel's default),
 * keeping the policy, nice value and flags. */
static void http_front_slice_apply(struct http_front *f)
{
    int us = __atomic_load_n(&f->slice_us, __ATOMIC_RELAXED);
    struct http_front_sched_attr at;
    memset(&at, 0, sizeof at);
    if (syscall(SYS_sched_getattr, 0, &at, (unsigned)sizeof at, 0U) < 0) {
        log_warn("http: cannot read the thread's scheduling attributes: %s", strerror(errno));
        return;
    }
    if (at.sched_policy != SCHED_OTHER && at.sched_policy != SCHED_BATCH) {
        log_notice(
            "http: the thread runs under scheduling policy %u: thread_slice_us does not apply",
            at.sched_policy);
        return;
    }
    at.size = sizeof at;
    at.sched_runtime = (uint64_t)us * 1000;
    at.sched_flags &= ~(uint64_t)0x60; /* not SCHED_FLAG_UTIL_CLAMP: leave them */
    if (syscall(SYS_sched_setattr, 0, &at, 0U) < 0) {
        log_warn("http: cannot set the thread's time slice to %d us: %s", us, strerror(errno));
        return;
    }
    long long ns = http_front_slice_shown();
    if (ns >= 0)
        log_info("http: the thread's time slice is %lld us (thread_slice_us %d)", ns / 1000, us);
    else
        log_info("http: asked for a %d us time slice (the kernel does not show it)", us);
}

static void http_front_reslice(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    http_front_slice_apply(arg);
}

void http_front_set_slice(struct http_front *f, int us)
{
    if (!f || __atomic_exchange_n(&f->slice_us, us, __ATOMIC_RELAXED) == us)
        return;
    if (f->running)
        event_active(f->reslice, 0, 0);
}

static void *http_front_main(void *arg)
{
    struct http_front *f = arg;
    http_front_here = 1;
    pthread_setname_np(pthread_self(), "recutd-http"); /* top -H, perf */
    http_front_slice_apply(f);
    event_base_loop(f->front_base, EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

int http_front_start(struct http_front *f, char *errstr, size_t errstr_size)
{
    f->running = 1;
    int e = pthread_create(&f->thread, NULL, http_front_main, f);
    if (e) {
        f->running = 0;
        snprintf(errstr, errstr_size, "cannot start the HTTP thread: %s", strerror(e));
        return -1;
    }
    return 0;
}

void http_front_stop(struct http_front *f)
{
    if (!f || !f->running)
        return;
    event_base_loopbreak(f->front_base);
    pthread_join(f->thread, NULL);
    f->running = 0;
    http_front_outs(-1, 0, f); /* queued replies go out from this thread now */
}

void http_front_free(struct http_front *f)
{
    if (!f)
        return;
    /* the thread is stopped: what is still queued goes with the
     * connections evhttp_free closes (it frees their requests) */
    for (struct http_job *j = f->jobs, *n; j; j = n) {
        n = j->next;
        httppath_clear(&j->q);
        free(j);
    }
    for (struct http_out *o = f->outs, *n; o; o = n) {
        n = o->next;
        evbuffer_free(o->body);
        free(o);
    }
    if (f->to_main)
        event_free(f->to_main);
    if (f->to_front)
        event_free(f->to_front);
    if (f->reslice)
        event_free(f->reslice);
    pthread_mutex_destroy(&f->lock);
    if (http_front_self == f)
        http_front_self = NULL;
    free(f);
}
