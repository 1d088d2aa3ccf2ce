/* SPDX-License-Identifier: Apache-2.0 */
/* procstat.h -- the standard Prometheus process_* metrics of recutd itself
 * (CPU, memory, file descriptors, start time), read from /proc/self,
 * getrusage and getrlimit, so the usual dashboards and alerts work without
 * an exporter. */
#ifndef RECUTD_PROCSTAT_H
#define RECUTD_PROCSTAT_H

#include "strbuf.h"

/* Appends the process_* metrics; a value that cannot be read is left out. */
void procstat_render(struct strbuf *b);

#endif
