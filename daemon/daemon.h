/* SPDX-License-Identifier: Apache-2.0 */
/* daemon.h -- the state every part of recutd is handed: the configuration,
 * the catalog, the event loop and the handles of the modules.
 *
 * It exists so that a module can reach the configuration without knowing
 * the other modules: the handles are opaque pointers here, and a module
 * includes the header of another only when it calls it (store.h, publish.h,
 * ...).  recutd.c creates the modules and wires them together; the layers
 * below it never call up (the store tells the daemon what happened through
 * the hooks of store.h). */
#ifndef RECUTD_DAEMON_H
#define RECUTD_DAEMON_H

#include <event2/event.h>

#include "catalog.h"
#include "conf.h"
#include "log.h"

struct store;
struct kafka_in;
struct http;
struct plugins;
struct publish;
struct groups;
struct seal_ring;
struct svm_scorer;
struct nbtext_model;
struct experiments;

struct recutd {
    struct event_base *base;
    struct recut_config cfg;
    const char *config_path;
    char **set_args; /* --set overrides, re-applied on reload */
    int n_set_args;
    struct catalog catalog;
    struct store *store;
    struct kafka_in *kafka;
    struct http *http;
    struct plugins *plugins;
    struct publish *publish;
    struct groups *groups;           /* viewer groups (groups.c), or NULL */
    struct svm_scorer *svm;          /* the viewers' SVMs (svm_scorer.c), or NULL */
    struct nbtext_model *sentiment;  /* comment sentiment, or NULL */
    struct experiments *experiments; /* [experiment.NAME] (experiments.c), or NULL: none */
    struct seal_ring *seal;          /* [privacy] key_file's keys, or NULL: no emotion data kept */
    int draining;
    int exit_code;
    double started;
};

/* The instance name: [daemon] instance, else the host name. */
const char *recutd_instance(struct recutd *d);

#endif
