/* SPDX-License-Identifier: Apache-2.0 */
/* rcluster.h -- Redis Cluster slot routing for every Redis client of recut.
 *
 * hiredis 0.14 (Debian 12) knows nothing of Redis Cluster, so recut
 * routes by itself: a key's slot (CRC16 of the key or of its {hash tag},
 * mod 16384), which master serves a slot (CLUSTER SLOTS, kept current by
 * -MOVED), and what an error reply asks of the client (-MOVED: the map
 * changed, go there; -ASK: send ASKING then the command there, once;
 * -TRYAGAIN / -CLUSTERDOWN: retry later).  Everything here is pure
 * parsing and bookkeeping, with no connection, so it is unit-tested on
 * its own (tests/unit/test_rcluster.c). */
#ifndef RECUTD_RCLUSTER_H
#define RECUTD_RCLUSTER_H

#include <hiredis/hiredis.h>
#include <stddef.h>
#include <stdint.h>

#define RCLUSTER_SLOTS 16384
#define RCLUSTER_HOST_MAX 256

/* CRC16-CCITT (XMODEM: polynomial 0x1021, initial 0), as Redis Cluster. */
unsigned rcluster_crc16(const char *buf, size_t len);
/* The slot of a key: of the text between the first '{' and the next '}'
 * when that is not empty, else of the whole key. */
unsigned rcluster_slot(const char *key, size_t len);

struct rcluster_node {
    char host[RCLUSTER_HOST_MAX];
    int port;
};

/* Which master serves each slot. */
struct rcluster_map {
    struct rcluster_node *nodes; /* every master seen, never shrinks */
    size_t n_nodes, cap;
    uint16_t owner[RCLUSTER_SLOTS]; /* index into nodes + 1; 0: unknown */
};

void rcluster_map_init(struct rcluster_map *m);
void rcluster_map_fini(struct rcluster_map *m);
/* The index of node host:port, added when new; -1 when out of memory. */
int rcluster_map_node_index(struct rcluster_map *m, const char *host, int port);
/* Slots first..last are served by host:port.  0 or -1. */
int rcluster_map_set(struct rcluster_map *m, unsigned first, unsigned last, const char *host,
                     int port);
/* The master serving slot, or NULL when unknown. */
const struct rcluster_node *rcluster_map_get(const struct rcluster_map *m, unsigned slot);
/* Slots with no known master. */
size_t rcluster_map_unknown(const struct rcluster_map *m);
/* Replace the map with a CLUSTER SLOTS reply; an empty host in it means
 * the node that answered (self_host).  0, or -1 with errstr (the map is
 * then unchanged). */
int rcluster_map_load(struct rcluster_map *m, const redisReply *r, const char *self_host,
                      char *errstr, size_t errstr_size);

enum rcluster_redirect {
    RCLUSTER_NONE,        /* not a cluster redirection */
    RCLUSTER_MOVED,       /* the slot moved for good: update the map, retry there */
    RCLUSTER_ASK,         /* being migrated: ASKING + the command there, once */
    RCLUSTER_TRYAGAIN,    /* a multi-key command during a migration: retry later */
    RCLUSTER_CLUSTERDOWN, /* the cluster cannot serve now: retry later */
};
/* What the error text err (without the '-') asks; for MOVED and ASK the
 * slot and the node, an empty host meaning self_host. */
enum rcluster_redirect rcluster_redirect(const char *err, size_t len, const char *self_host,
                                         unsigned *slot, char *host, size_t host_size, int *port);
/* The same for a reply: RCLUSTER_NONE unless it is an error reply. */
enum rcluster_redirect rcluster_reply_redirect(const redisReply *r, const char *self_host,
                                               unsigned *slot, char *host, size_t host_size,
                                               int *port);

/* Commands as hiredis formats them (*N\r\n$L\r\narg\r\n...), the way both of
 * recut's clients hold them: argument i (its length in *alen), or NULL. */
const char *rcluster_cmd_arg(const char *cmd, size_t len, size_t i, size_t *alen);
/* 1 when the command's name is name (any case). */
int rcluster_cmd_is(const char *cmd, size_t len, const char *name);
/* The slot of the command's first key (EVAL, EVALSHA, FCALL: the first of
 * their keys), or -1 when it has none. */
int rcluster_cmd_slot(const char *cmd, size_t len);

/* 1 when an INFO cluster reply says cluster_enabled:1, else 0. */
int rcluster_enabled(const char *info, size_t len);

/* The seeds of a comma-separated "host:port,host:port" list. */
struct rcluster_seeds {
    struct rcluster_node *v;
    size_t n;
};
int rcluster_seeds_parse(const char *list, struct rcluster_seeds *out, char *errstr,
                         size_t errstr_size);
void rcluster_seeds_free(struct rcluster_seeds *s);
/* [redis] address as every client of recut reads it: one server
 * (host[:port], port 6379 by default, or unix:/path with port -1) or a
 * cluster's seeds host:port,host:port.  0, or -1 with errstr. */
int rcluster_address_parse(const char *address, struct rcluster_seeds *out, char *errstr,
                           size_t errstr_size);

#endif
