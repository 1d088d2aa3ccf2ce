/* SPDX-License-Identifier: Apache-2.0 */
/* rblock.h -- a small blocking Redis client that works the same on one
 * standalone node and on a Redis Cluster.
 *
 * recut's worker threads (groups, SVM training), recutd's start-up,
 * recutctl rotate-key and the Redis publisher plugin talk to Redis with
 * blocking hiredis calls.  hiredis 0.14 (Debian 12) has no cluster support,
 * and each of them used to open and authenticate its own redisContext to
 * one address, so on a cluster they read -MOVED instead of data.  This
 * client hides the difference: it takes the seeds of [redis] address,
 * authenticates every connection, finds out whether the server is a
 * cluster (INFO cluster), and if so routes each command to the master of
 * its key's slot (CLUSTER SLOTS, kept current by -MOVED), follows -ASK
 * during a slot migration and retries -TRYAGAIN / -CLUSTERDOWN a bounded
 * number of times with a short, capped backoff.  Connections to masters
 * are opened when first needed.  The pure parts (slots, the map, parsing
 * redirections) are rcluster.h's.
 *
 * One struct rblock belongs to one thread at a time.  Replies are hiredis
 * replies: an error reply that is not a redirection (or one still standing
 * after the retries) is handed back as such; NULL means the command could
 * not be carried out, and rblock_errstr says why. */
#ifndef RECUT_RBLOCK_H
#define RECUT_RBLOCK_H

#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stddef.h>

struct rblock;

/* How a new connection authenticates: 0, or -1 with errstr.  address is
 * host:port (or the socket path) of the node, for messages. */
typedef int (*rblock_auth_fn)(void *arg, redisContext *c, const char *address, char *errstr,
                              size_t errstr_size);

/* Connect to seeds: one address (host:port, [v6]:port, a bare host, or
 * unix:/path) or a comma-separated list of host:port seeds.  AUTH as user
 * (NULL or "" for the default user) with password when password is
 * neither NULL nor "".  timeout_ms bounds connecting and every command.
 * NULL with the reason in errstr. */
struct rblock *rblock_connect(const char *seeds, const char *user, const char *password,
                              int timeout_ms, char *errstr, size_t errstr_size);
/* The same with an authentication callback run on every new connection
 * (NULL: none), for callers whose credentials may change meanwhile. */
struct rblock *rblock_connect_auth(const char *seeds, rblock_auth_fn auth, void *auth_arg,
                                   int timeout_ms, char *errstr, size_t errstr_size);
void rblock_free(struct rblock *c);

/* 1 on a Redis Cluster, 0 on a standalone node. */
int rblock_is_cluster(const struct rblock *c);
/* Why the last call failed. */
const char *rblock_errstr(const struct rblock *c);
/* The slot of a key or of a hash tag given as "{tag}" (0..16383). */
int rblock_tag(const char *key);

/* Redirections followed since rblock_connect (for tests and logs). */
struct rblock_stats {
    unsigned long moved, ask, tryagain, reconnects;
};
void rblock_stats(const struct rblock *c, struct rblock_stats *out);

/* One command, routed by the slot of its first key (EVAL/EVALSHA: the
 * first of KEYS; a command without keys goes to any node). */
redisReply *rblock_command(struct rblock *c, const char *fmt, ...);
redisReply *rblock_commandv(struct rblock *c, const char *fmt, va_list ap);
redisReply *rblock_command_argv(struct rblock *c, int argc, const char **argv,
                                const size_t *argvlen);
/* The same sent to the master of slot (-1: any node). */
redisReply *rblock_command_slot(struct rblock *c, int slot, const char *fmt, ...);

/* A pipeline.  With slot >= 0 every command goes to that slot's master;
 * when its first command is MULTI it is a transaction and is redirected
 * as a whole (ASKING once before MULTI), unless RBLOCK_PIPE_WATCHED says
 * that a WATCH was issued on the node it first goes to -- then a
 * redirected transaction is not sent again elsewhere (its EXEC reply stays
 * the error, and the caller starts again from WATCH).  With slot -1 each
 * command goes to the master of its own first key and the nodes are
 * written to before any reply is read; a command answered with a
 * redirection is sent again on its own, so a pipeline of writes should be
 * a transaction or a script. */
#define RBLOCK_PIPE_WATCHED 1
struct rblock_pipe;
struct rblock_pipe *rblock_pipe_new(struct rblock *c, int slot, int flags);
int rblock_pipe_append(struct rblock_pipe *p, const char *fmt, ...);
int rblock_pipe_appendv(struct rblock_pipe *p, const char *fmt, va_list ap);
int rblock_pipe_append_argv(struct rblock_pipe *p, int argc, const char **argv,
                            const size_t *argvlen);
/* Send every appended command and read every reply: 0, or -1 with
 * rblock_errstr (a connection failed). */
int rblock_pipe_exec(struct rblock_pipe *p);
size_t rblock_pipe_len(const struct rblock_pipe *p);
/* The reply of command i after rblock_pipe_exec (owned by the pipeline). */
const redisReply *rblock_pipe_reply(const struct rblock_pipe *p, size_t i);
void rblock_pipe_free(struct rblock_pipe *p);

/* SCAN MATCH pattern over every master (standalone: the one node); fn is
 * called once per key returned -- the same key may come twice while a
 * slot migrates -- and may use c; a non-zero return stops the scan and is
 * returned.  -1 with rblock_errstr when a SCAN failed. */
typedef int (*rblock_key_fn)(void *arg, const char *key, size_t len);
int rblock_scan(struct rblock *c, const char *pattern, rblock_key_fn fn, void *arg);

/* Run fn on the connection of every master (standalone: the one node),
 * name being its address; stops at the first non-zero return and gives it.
 * -1 with rblock_errstr when a master cannot be reached. */
typedef int (*rblock_node_fn)(void *arg, redisContext *node, const char *name);
int rblock_for_each_master(struct rblock *c, rblock_node_fn fn, void *arg);

#endif
