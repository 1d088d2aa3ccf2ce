/* SPDX-License-Identifier: Apache-2.0 */
/* looplag.h -- how late recutd's event loop runs, and why.
 *
 * One loop answers requests, applies the stream and publishes, so a request
 * waits for whatever the loop is doing, and for the CPU when the machine is
 * busy.  A timer asks to run every 10 ms; how late it runs is the wait a
 * request arriving then would have had.  Each late tick's lateness is split
 * by what the loop's thread did meanwhile: running (recutd's own work held
 * it) or waiting for a CPU (other processes or threads had it). */
#ifndef RECUTD_LOOPLAG_H
#define RECUTD_LOOPLAG_H

#include <event2/event.h>

#include "strbuf.h"

/* Start ticking on base (the loop's thread); 0, or -1. */
int looplag_start(struct event_base *base);
void looplag_stop(void);
/* Appends recut_event_loop_lag_seconds and the split of its lateness. */
void looplag_render(struct strbuf *b);

#endif
