/* SPDX-License-Identifier: Apache-2.0 */
/* notify.h -- telling systemd how recutd is doing (sd_notify; no-ops when
 * recutd was built without libsystemd).  Only recutd.c reports states. */
#ifndef RECUTD_NOTIFY_H
#define RECUTD_NOTIFY_H

#include "daemon.h"

void notify_ready(void);
void notify_stopping(void);
void notify_reloading(void);
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Starts the watchdog timer if systemd (or watchdog_sec) asks for one. */
int notify_watchdog_start(struct recutd *d);

#endif
