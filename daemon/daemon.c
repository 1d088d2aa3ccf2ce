/* SPDX-License-Identifier: Apache-2.0 */
/* daemon.c -- what daemon.h promises besides the shared struct: the
 * instance name, which logs, metrics, /health and the Kafka client id all
 * use, so it lives below every module rather than in recutd.c. */
#include "config.h"
#include "daemon.h"

#include <stdio.h>
#include <unistd.h>

const char *recutd_instance(struct recutd *d)
{
    static char host[256];
    if (d->cfg.instance && d->cfg.instance[0])
        return d->cfg.instance;
    if (!host[0] && gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "recutd");
    return host;
}
