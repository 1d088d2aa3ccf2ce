/* SPDX-License-Identifier: Apache-2.0 */
/* confcheck.c -- the checks of the configuration that need the daemon's
 * libraries (libevent, librdkafka), so that `recutd -t` and a reload refuse
 * what start-up would refuse, each error as "file:line: reason".
 *
 * lib/core/conf.c checks types, ranges and the keys' relations without
 * those libraries (recutctl and the tests link it too); here the addresses
 * are parsed by the one parser http.c and the store use (lib/util/addr.h),
 * with the same rules, the HTTPS certificate and key are loaded as
 * http_tls.c loads them, [redis] password_file must be readable, and the
 * [librdkafka] pass-through keys are applied to a scratch librdkafka configuration,
 * which knows every property and its allowed values. */
#include "config.h"
#include "addr.h"
#include "confcheck.h"
#include "rcluster.h"
#include "http_tls.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <string.h>

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
    char at[600], host[256], why[256];
    int port;
    /* as http.c binds it: exactly host:port */
    if (cfg->http_listen[0] &&
        util_parse_hostport(cfg->http_listen, host, sizeof host, &port, why, sizeof why) < 0) {
        snprintf(errstr, errstr_size, "%s: http.listen: %s",
                 conf_where(cfg, "http", "listen", at, sizeof at), why);
        return -1;
    }
    /* the certificate and key as http.c loads them */
    if (http_tls_check(cfg, errstr, errstr_size) < 0)
        return -1;
    /* as the store connects: host[:port] (6379) or unix:/path, or a
     * cluster's seeds host:port,host:port */
    struct rcluster_seeds seeds;
    if (rcluster_address_parse(cfg->redis_address, &seeds, why, sizeof why) < 0) {
        snprintf(errstr, errstr_size, "%s: redis.address: %s",
                 conf_where(cfg, "redis", "address", at, sizeof at), why);
        return -1;
    }
    rcluster_seeds_free(&seeds);
    /* as the store reads it at start and on SIGHUP (the secret is not kept) */
    if (cfg->redis_password_file[0]) {
        FILE *f = fopen(cfg->redis_password_file, "r");
        if (!f) {
            snprintf(errstr, errstr_size, "%s: redis.password_file %s: %s",
                     conf_where(cfg, "redis", "password_file", at, sizeof at),
                     cfg->redis_password_file, strerror(errno));
            return -1;
        }
        fclose(f);
    }
    return confcheck_kafka(cfg, errstr, errstr_size);
}
