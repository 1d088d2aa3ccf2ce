/* SPDX-License-Identifier: Apache-2.0 */
/* publisher_kafka.c -- the "kafka" publisher: produces each document to
 * kafka.publish_topic with the viewer id as key (so a viewer's documents stay
 * ordered in one partition) and headers kind and movie.
 *
 * [plugin.kafka] brokers = ...   (default: kafka.brokers)
 *                topic = ...     (default: kafka.publish_topic) */
#define _POSIX_C_SOURCE 200809L
#include <recut/plugin.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pubk {
    const struct recut_host_api *api;
    rd_kafka_t *rk;
    char topic[256];
};

static void pubk_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct pubk *p = opaque;
    if (m->err)
        p->api->log("kafka", RECUT_LOG_WARNING, "document not delivered to %s: %s", p->topic,
                    rd_kafka_err2str(m->err));
}

static int pubk_init(const struct recut_host_api *api, void **state, char *errstr,
                     size_t errstr_size)
{
    const char *brokers = api->config_get("kafka", "brokers");
    if (!brokers)
        brokers = api->config_get("kafka", "kafka.brokers");
    const char *topic = api->config_get("kafka", "topic");
    if (!topic)
        topic = api->config_get("kafka", "kafka.publish_topic");
    if (!brokers || !brokers[0] || !topic || !topic[0]) {
        snprintf(errstr, errstr_size, "needs kafka.brokers and kafka.publish_topic");
        return -1;
    }
    struct pubk *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    p->api = api;
    snprintf(p->topic, sizeof p->topic, "%s", topic);
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    char err[512];
    if (rd_kafka_conf_set(c, "bootstrap.servers", brokers, err, sizeof err) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(c, "linger.ms", "20", err, sizeof err) != RD_KAFKA_CONF_OK) {
        snprintf(errstr, errstr_size, "%s", err);
        rd_kafka_conf_destroy(c);
        free(p);
        return -1;
    }
    rd_kafka_conf_set_dr_msg_cb(c, pubk_dr);
    rd_kafka_conf_set_opaque(c, p);
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
    if (!p->rk) {
        snprintf(errstr, errstr_size, "%s", err);
        rd_kafka_conf_destroy(c);
        free(p);
        return -1;
    }
    *state = p;
    return 0;
}

static void pubk_fini(void *state)
{
    struct pubk *p = state;
    if (!p)
        return;
    if (rd_kafka_flush(p->rk, 5000))
        p->api->log("kafka", RECUT_LOG_WARNING, "%d documents not delivered at shutdown",
                    rd_kafka_outq_len(p->rk));
    rd_kafka_destroy(p->rk);
    free(p);
}

static int pubk_publish(void *state, const char *viewer, const char *kind, const char *key,
                        const char *json, size_t len, char *errstr, size_t errstr_size)
{
    struct pubk *p = state;
    rd_kafka_poll(p->rk, 0);
    rd_kafka_resp_err_t err = rd_kafka_producev(
        p->rk, RD_KAFKA_V_TOPIC(p->topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE((void *)json, len), RD_KAFKA_V_KEY(viewer, strlen(viewer)),
        RD_KAFKA_V_HEADER("kind", kind, -1), RD_KAFKA_V_HEADER("key", key, -1), RD_KAFKA_V_END);
    if (err) {
        snprintf(errstr, errstr_size, "%s", rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

static const struct recut_plugin pubk_plugin = {
    RECUT_PLUGIN_V1,
    .name = "kafka",
    .description = "produces recommendations and cuts to kafka.publish_topic, key = viewer",
    .kind = RECUT_PLUGIN_PUBLISHER,
    .init = pubk_init,
    .fini = pubk_fini,
    .u.publisher = { .publish = pubk_publish },
};

RECUT_PLUGIN_EXPORT const struct recut_plugin *recut_plugin_entry(void)
{
    return &pubk_plugin;
}
