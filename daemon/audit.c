/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.c -- one log line per erased viewer.
 *
 * Why: an operator must be able to show that an erasure request was
 * carried out, and when, without the log itself keeping anything about the
 * person but the id they asked to have erased.  The line holds the viewer
 * id, the UTC time, the way the request came and the peer; never data.
 */
#include "config.h"
#include "audit.h"
#include "log.h"

#include <stdio.h>
#include <time.h>

void audit_erased(const char *user, const char *via, const char *who, long long keys)
{
    time_t now = time(NULL);
    struct tm tm;
    char ts[32] = "?";
    if (gmtime_r(&now, &tm))
        strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char n[48] = "";
    if (keys >= 0)
        snprintf(n, sizeof n, " (%lld keys deleted)", keys);
    log_notice("audit: viewer '%s' erased at %s via %s%s%s%s", user, ts, via, who ? " by " : "",
               who ? who : "", n);
}
