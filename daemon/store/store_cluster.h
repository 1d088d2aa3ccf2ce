/* SPDX-License-Identifier: Apache-2.0 */
/* store_cluster.h -- Redis Cluster slot routing for the store.
 *
 * hiredis 0.14 (Debian 12) knows nothing of Redis Cluster, so the store
 * routes by itself: a key's slot (CRC16 of the key or of its {hash tag},
 * mod 16384), which master serves a slot (CLUSTER SLOTS, kept current by
 * -MOVED), and what an error reply asks of the client (-MOVED: the map
 * changed, go there; -ASK: send ASKING then the command there, once;
 * -TRYAGAIN / -CLUSTERDOWN: retry later).  Everything here is pure
 * parsing and bookkeeping, with no connection, so it is unit-tested on
 * its own (tests/unit/test_store_cluster.c). */
#ifndef RECUTD_STORE_CLUSTER_H
#define RECUTD_STORE_CLUSTER_H

#include <hiredis/hiredis.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_CLUSTER_SLOTS 16384
#define STORE_CLUSTER_HOST_MAX 256

/* CRC16-CCITT (XMODEM: polynomial 0x1021, initial 0), as Redis Cluster. */
unsigned store_cluster_crc16(const char *buf, size_t len);
/* The slot of a key: of the text between the first '{' and the next '}'
 * when that is not empty, else of the whole key. */
unsigned store_cluster_slot(const char *key, size_t len);

struct store_cluster_node {
    char host[STORE_CLUSTER_HOST_MAX];
    int port;
};

/* Which master serves each slot. */
struct store_cluster_map {
    struct store_cluster_node *nodes; /* every master seen, never shrinks */
    size_t n_nodes, cap;
    uint16_t owner[STORE_CLUSTER_SLOTS]; /* index into nodes + 1; 0: unknown */
};

void store_cluster_map_init(struct store_cluster_map *m);
void store_cluster_map_fini(struct store_cluster_map *m);
/* The index of node host:port, added when new; -1 when out of memory. */
int store_cluster_map_node_index(struct store_cluster_map *m, const char *host, int port);
/* Slots first..last are served by host:port.  0 or -1. */
int store_cluster_map_set(struct store_cluster_map *m, unsigned first, unsigned last,
                          const char *host, int port);
/* The master serving slot, or NULL when unknown. */
const struct store_cluster_node *store_cluster_map_get(const struct store_cluster_map *m,
                                                       unsigned slot);
/* Slots with no known master. */
size_t store_cluster_map_unknown(const struct store_cluster_map *m);
/* Replace the map with a CLUSTER SLOTS reply; an empty host in it means
 * the node that answered (self_host).  0, or -1 with errstr (the map is
 * then unchanged). */
int store_cluster_map_load(struct store_cluster_map *m, const redisReply *r, const char *self_host,
                           char *errstr, size_t errstr_size);

enum store_cluster_redirect {
    STORE_CLUSTER_NONE,        /* not a cluster redirection */
    STORE_CLUSTER_MOVED,       /* the slot moved for good: update the map, retry there */
    STORE_CLUSTER_ASK,         /* being migrated: ASKING + the command there, once */
    STORE_CLUSTER_TRYAGAIN,    /* a multi-key command during a migration: retry later */
    STORE_CLUSTER_CLUSTERDOWN, /* the cluster cannot serve now: retry later */
};
/* What the error text err (without the '-') asks; for MOVED and ASK the
 * slot and the node, an empty host meaning self_host. */
enum store_cluster_redirect store_cluster_redirect(const char *err, size_t len,
                                                   const char *self_host, unsigned *slot,
                                                   char *host, size_t host_size, int *port);
/* 1 when an INFO cluster reply says cluster_enabled:1, else 0. */
int store_cluster_enabled(const char *info, size_t len);

/* The seeds of a comma-separated "host:port,host:port" list. */
struct store_cluster_seeds {
    struct store_cluster_node *v;
    size_t n;
};
int store_cluster_seeds_parse(const char *list, struct store_cluster_seeds *out, char *errstr,
                              size_t errstr_size);
void store_cluster_seeds_free(struct store_cluster_seeds *s);

#endif
