/* SPDX-License-Identifier: Apache-2.0 */
/* confcheck.c -- the checks of the configuration that need the daemon's
 * libraries (libevent, librdkafka), so that `recutd -t` and a reload refuse
 * what start-up would refuse, each error as "file:line: reason".
 *
 * lib/core/conf.c checks types, ranges and the keys' relations without
 * those libraries (recutctl and the tests link it too); here the addresses
 * are parsed as http.c and the store will use them, and the [librdkafka]
 * pass-through keys are applied to a scratch librdkafka configuration,
 * which knows every property and its allowed values. */
#include "config.h"
#include "recutd-internal.h"

#include <event2/util.h>
#include <librdkafka/rdkafka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* A host name as getaddrinfo takes it: letters, digits, '-', '_', '.'. */
static int confcheck_hostname(const char *h, size_t n)
{
    if (n == 0 || n > 253)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)h[i]) || h[i] == '-' || h[i] == '_' || h[i] == '.'))
            return 0;
    return 1;
}

/* host:port, [v6]:port or name:port with a port in [min_port, 65535]
 * (http.listen may take port 0: any free port). */
static int confcheck_hostport(const char *addr, int min_port)
{
    const char *colon = strrchr(addr, ':');
    if (!colon || !isdigit((unsigned char)colon[1]))
        return 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < min_port || port > 65535)
        return 0;
    /* the host, as evutil_parse_sockaddr_port sees it with a valid port */
    char probe[300];
    size_t hl = (size_t)(colon - addr);
    if (hl == 0 || hl + 3 > sizeof probe)
        return 0;
    memcpy(probe, addr, hl);
    memcpy(probe + hl, ":1", 3);
    struct sockaddr_storage ss;
    int len = (int)sizeof ss;
    if (evutil_parse_sockaddr_port(probe, (struct sockaddr *)&ss, &len) == 0)
        return 1;
    return confcheck_hostname(addr, hl);
}

static int confcheck_kafka(const struct recut_config *cfg, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    int rc = 0;
    for (size_t i = 0; i < cfg->n_extra && rc == 0; i++) {
        const struct conf_kv *kv = &cfg->extra[i];
        char why[256], at[600];
        if (strcmp(kv->section, "librdkafka") != 0)
            continue;
        if (rd_kafka_conf_set(c, kv->key, kv->value, why, sizeof why) != RD_KAFKA_CONF_OK) {
            snprintf(errstr, errstr_size, "%s: [librdkafka] %s = %s: %s",
                     conf_where(cfg, kv->section, kv->key, at, sizeof at), kv->key, kv->value, why);
            rc = -1;
        }
    }
    rd_kafka_conf_destroy(c);
    return rc;
}

int confcheck_run(const struct recut_config *cfg, char *errstr, size_t errstr_size)
{
    char at[600];
    if (cfg->http_listen[0] && !confcheck_hostport(cfg->http_listen, 0)) {
        snprintf(errstr, errstr_size, "%s: http.listen '%s' is not host:port",
                 conf_where(cfg, "http", "listen", at, sizeof at), cfg->http_listen);
        return -1;
    }
    const char *ra = cfg->redis_address;
    if (strncmp(ra, "unix:", 5) == 0 ? !ra[5] : !confcheck_hostport(ra, 1)) {
        snprintf(errstr, errstr_size, "%s: redis.address '%s' is not host:port or unix:/path",
                 conf_where(cfg, "redis", "address", at, sizeof at), ra);
        return -1;
    }
    return confcheck_kafka(cfg, errstr, errstr_size);
}
