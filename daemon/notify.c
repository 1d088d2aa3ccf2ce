/* SPDX-License-Identifier: Apache-2.0 */
/* notify.c -- systemd notifications (READY, STOPPING, RELOADING, STATUS,
 * WATCHDOG), as Redis does; compiled to no-ops without libsystemd. */
#include "config.h"
#include "notify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

void notify_ready(void)
{
#ifdef HAVE_SYSTEMD
    sd_notify(0, "READY=1\nSTATUS=consuming");
#endif
}

void notify_stopping(void)
{
#ifdef HAVE_SYSTEMD
    sd_notify(0, "STOPPING=1\nSTATUS=draining");
#endif
}

void notify_reloading(void)
{
#ifdef HAVE_SYSTEMD
    sd_notify(0, "RELOADING=1");
#endif
}

void notify_status(const char *fmt, ...)
{
#ifdef HAVE_SYSTEMD
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    sd_notifyf(0, "STATUS=%s", buf);
#else
    (void)fmt;
#endif
}

#ifdef HAVE_SYSTEMD
static void notify_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    sd_notify(0, "WATCHDOG=1");
}
#endif

int notify_watchdog_start(struct recutd *d)
{
#ifdef HAVE_SYSTEMD
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0) {
        if (d->cfg.watchdog_sec <= 0)
            return 0;
        usec = (uint64_t)d->cfg.watchdog_sec * 1000000u;
    }
    struct timeval tv = { (time_t)(usec / 2 / 1000000u), (suseconds_t)((usec / 2) % 1000000u) };
    struct event *ev = event_new(d->base, -1, EV_PERSIST, notify_watchdog_cb, d);
    if (!ev)
        return -1;
    event_add(ev, &tv);
    log_info("systemd watchdog every %.1fs", (double)usec / 2e6);
    return 0;
#else
    (void)d;
    return 0;
#endif
}
