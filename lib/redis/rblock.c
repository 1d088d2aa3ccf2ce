/* SPDX-License-Identifier: Apache-2.0 */
/* rblock.c -- the blocking Redis client of rblock.h: connections per
 * master opened on demand, commands routed by slot, redirections followed.
 * Commands are formatted once (hiredis's RESP formatter) and the key is
 * read back from the formatted text, so the printf-style, va_list and argv
 * entry points share one path and a command can be sent again elsewhere
 * as it is. */
#include "config.h"
#include "rblock.h"
#include "rcluster.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RBLOCK_TRIES 16      /* redirections and retries of one command */
#define RBLOCK_BACKOFF_MS 10 /* TRYAGAIN / CLUSTERDOWN: 10, 20, 40 ... ms */
#define RBLOCK_BACKOFF_MAX_MS 200

struct rblock_conn {
    char host[RCLUSTER_HOST_MAX];
    int port; /* -1: a unix socket */
    redisContext *ctx;
};

struct rblock {
    struct rcluster_seeds seeds;
    int cluster, timeout_ms;
    struct rcluster_map map;
    struct rblock_conn *conns;
    size_t n_conns, cap_conns;
    rblock_auth_fn auth;
    void *auth_arg;
    char *user, *password;
    struct rblock_stats st;
    char err[512];
};

struct rblock_cmd {
    char *buf; /* RESP */
    int len, slot;
    redisReply *reply;
};

struct rblock_pipe {
    struct rblock *c;
    int slot, flags;
    struct rblock_cmd *v;
    size_t n, cap;
};

static void rblock_sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void rblock_name(const char *host, int port, char *out, size_t n)
{
    if (port < 0)
        snprintf(out, n, "unix:%s", host);
    else if (strchr(host, ':'))
        snprintf(out, n, "[%s]:%d", host, port);
    else
        snprintf(out, n, "%s:%d", host, port);
}

/* ---- connections --------------------------------------------------------- */
static void rblock_wipe(char *s)
{
    if (s) {
        volatile char *p = s;
        while (*p)
            *p++ = '\0';
        free(s);
    }
}

static int rblock_builtin_auth(struct rblock *c, redisContext *ctx, const char *name)
{
    if (!c->password)
        return 0;
    const char *argv[3] = { "AUTH", c->user, c->password };
    redisReply *r = c->user
                        ? redisCommandArgv(ctx, 3, argv, NULL)
                        : redisCommandArgv(ctx, 2, (const char *[]){ "AUTH", c->password }, NULL);
    int ok = r && r->type != REDIS_REPLY_ERROR;
    if (!ok)
        snprintf(c->err, sizeof c->err, "Redis refused the password of user '%s' at %s: %s",
                 c->user ? c->user : "default", name, r ? r->str : ctx->errstr);
    if (r)
        freeReplyObject(r);
    return ok ? 0 : -1;
}

static void rblock_drop(struct rblock_conn *k)
{
    if (k->ctx)
        redisFree(k->ctx);
    k->ctx = NULL;
}

/* The index of the open connection to host:port, opened (and
 * authenticated) now when needed; -1 with c->err. */
static int rblock_conn(struct rblock *c, const char *host, int port)
{
    size_t i;
    for (i = 0; i < c->n_conns; i++)
        if (c->conns[i].port == port && strcmp(c->conns[i].host, host) == 0)
            break;
    if (i == c->n_conns) {
        if (c->n_conns == c->cap_conns) {
            size_t nc = c->cap_conns ? c->cap_conns * 2 : 8;
            struct rblock_conn *v = realloc(c->conns, nc * sizeof *v);
            if (!v) {
                snprintf(c->err, sizeof c->err, "out of memory");
                return -1;
            }
            c->conns = v;
            c->cap_conns = nc;
        }
        memset(&c->conns[i], 0, sizeof c->conns[i]);
        snprintf(c->conns[i].host, sizeof c->conns[i].host, "%s", host);
        c->conns[i].port = port;
        c->n_conns++;
    }
    struct rblock_conn *k = &c->conns[i];
    if (k->ctx && !k->ctx->err)
        return (int)i;
    rblock_drop(k);
    char name[RCLUSTER_HOST_MAX + 16];
    rblock_name(host, port, name, sizeof name);
    struct timeval tv = { c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000 };
    redisContext *ctx =
        port < 0 ? redisConnectUnixWithTimeout(host, tv) : redisConnectWithTimeout(host, port, tv);
    if (!ctx || ctx->err) {
        snprintf(c->err, sizeof c->err, "cannot connect to Redis at %s: %s", name,
                 ctx ? ctx->errstr : "out of memory");
        if (ctx)
            redisFree(ctx);
        return -1;
    }
    redisSetTimeout(ctx, tv);
    int rc = c->auth ? c->auth(c->auth_arg, ctx, name, c->err, sizeof c->err)
                     : rblock_builtin_auth(c, ctx, name);
    if (rc < 0) {
        redisFree(ctx);
        return -1;
    }
    k->ctx = ctx;
    return (int)i;
}

/* Any open connection, else the first seed or known master that answers. */
static int rblock_any(struct rblock *c)
{
    for (size_t i = 0; i < c->n_conns; i++)
        if (c->conns[i].ctx && !c->conns[i].ctx->err)
            return (int)i;
    for (size_t i = 0; i < c->seeds.n; i++) {
        int k = rblock_conn(c, c->seeds.v[i].host, c->seeds.v[i].port);
        if (k >= 0)
            return k;
    }
    for (size_t i = 0; i < c->map.n_nodes; i++) {
        int k = rblock_conn(c, c->map.nodes[i].host, c->map.nodes[i].port);
        if (k >= 0)
            return k;
    }
    return -1;
}

/* Read the slot map again from the first node that gives it. */
static int rblock_refresh(struct rblock *c)
{
    char why[256] = "no node reachable";
    for (int pass = 0; pass < 2; pass++) {
        int k = rblock_any(c);
        if (k < 0)
            break;
        struct rblock_conn *n = &c->conns[k];
        redisReply *r = redisCommand(n->ctx, "CLUSTER SLOTS");
        if (!r) {
            snprintf(why, sizeof why, "%s", n->ctx->errstr);
            rblock_drop(n);
            continue;
        }
        int rc = rcluster_map_load(&c->map, r, n->host, why, sizeof why);
        freeReplyObject(r);
        if (rc == 0)
            return 0;
        break;
    }
    snprintf(c->err, sizeof c->err, "cannot read the cluster's slot map: %s", why);
    return -1;
}

/* The connection of slot's master (-1: any node). */
static int rblock_route(struct rblock *c, int slot)
{
    if (!c->cluster || slot < 0)
        return rblock_any(c);
    const struct rcluster_node *n = rcluster_map_get(&c->map, (unsigned)slot);
    if (!n && (rblock_refresh(c) < 0 || !(n = rcluster_map_get(&c->map, (unsigned)slot)))) {
        snprintf(c->err, sizeof c->err, "no master serves slot %d", slot);
        return -1;
    }
    char host[RCLUSTER_HOST_MAX];
    snprintf(host, sizeof host, "%s", n->host);
    return rblock_conn(c, host, n->port);
}

/* ---- commands --------------------------------------------------------------- */
static int rblock_cmd_is(const struct rblock_cmd *cmd, const char *name)
{
    return rcluster_cmd_is(cmd->buf, (size_t)cmd->len, name);
}

/* Send cmds[0..n) on one connection (after ASKING when asking) and read
 * every reply into cmds[i].reply; -1 (connection dropped) on I/O error. */
static int rblock_send(struct rblock *c, int k, struct rblock_cmd *cmds, size_t n, int asking)
{
    redisContext *ctx = c->conns[k].ctx;
    int multi = n > 1 && rblock_cmd_is(&cmds[0], "MULTI");
    int per = asking && !multi; /* ASKING before each, or once before MULTI */
    for (size_t i = 0; i < n; i++) {
        if (asking && (per || i == 0))
            redisAppendCommand(ctx, "ASKING");
        redisAppendFormattedCommand(ctx, cmds[i].buf, (size_t)cmds[i].len);
    }
    for (size_t i = 0; i < n; i++) {
        void *r = NULL;
        if (asking && (per || i == 0)) {
            if (redisGetReply(ctx, &r) != REDIS_OK)
                goto fail;
            freeReplyObject(r);
            r = NULL;
        }
        if (redisGetReply(ctx, &r) != REDIS_OK)
            goto fail;
        if (cmds[i].reply)
            freeReplyObject(cmds[i].reply);
        cmds[i].reply = r;
    }
    return 0;
fail : {
    char name[RCLUSTER_HOST_MAX + 16];
    rblock_name(c->conns[k].host, c->conns[k].port, name, sizeof name);
    snprintf(c->err, sizeof c->err, "Redis at %s: %s", name, ctx->errstr);
    rblock_drop(&c->conns[k]);
    c->st.reconnects++;
    return -1;
}
}

/* Run cmds[0..n) (one command, or a transaction) in slot, following
 * redirections; 0 with every reply set, or -1 with c->err.  With
 * no_move (a WATCHed transaction) a redirection is not followed. */
static int rblock_run(struct rblock *c, int slot, struct rblock_cmd *cmds, size_t n, int no_move)
{
    char host[RCLUSTER_HOST_MAX];
    int port = 0, ask = 0, asked = 0;
    long backoff = RBLOCK_BACKOFF_MS;
    for (int tries = 0; tries < RBLOCK_TRIES; tries++) {
        int k = ask ? rblock_conn(c, host, port) : rblock_route(c, slot);
        if (k < 0) {
            if (!c->cluster || ask)
                return -1;
            rblock_refresh(c); /* a master gone: a replica may have taken over */
            rblock_sleep_ms(backoff);
            backoff = backoff * 2 > RBLOCK_BACKOFF_MAX_MS ? RBLOCK_BACKOFF_MAX_MS : backoff * 2;
            continue;
        }
        int was_ask = ask;
        ask = 0;
        if (rblock_send(c, k, cmds, n, was_ask) < 0) {
            if (!c->cluster)
                return -1;
            continue; /* reconnect (and re-route) */
        }
        char self[RCLUSTER_HOST_MAX];
        snprintf(self, sizeof self, "%s", c->conns[k].host);
        enum rcluster_redirect kind = RCLUSTER_NONE;
        unsigned s = 0;
        for (size_t i = 0; i < n && kind == RCLUSTER_NONE; i++)
            kind = rcluster_reply_redirect(cmds[i].reply, self, &s, host, sizeof host, &port);
        if (kind == RCLUSTER_NONE || no_move)
            return 0;
        if (kind == RCLUSTER_MOVED) {
            c->st.moved++;
            if (rcluster_map_set(&c->map, s, s, host, port) < 0)
                return 0;
            if (!c->cluster) /* a node turned into a cluster under us: route from now on */
                c->cluster = rblock_refresh(c) == 0;
        } else if (kind == RCLUSTER_ASK) {
            if (asked)
                return 0; /* asked once already: the error reply is the answer */
            c->st.ask++;
            ask = asked = 1;
        } else {
            c->st.tryagain++;
            asked = 0; /* -TRYAGAIN of the importing node: ask again later */
            rblock_sleep_ms(backoff);
            backoff = backoff * 2 > RBLOCK_BACKOFF_MAX_MS ? RBLOCK_BACKOFF_MAX_MS : backoff * 2;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (!cmds[i].reply)
            return -1; /* out of tries with a connection down (c->err) */
    return 0;          /* out of tries: the last replies stand */
}

static redisReply *rblock_one(struct rblock *c, int slot, char *buf, int len)
{
    if (len < 0 || !buf) {
        snprintf(c->err, sizeof c->err, "cannot format the command (out of memory?)");
        return NULL;
    }
    struct rblock_cmd cmd = { buf, len, slot == -2 ? rcluster_cmd_slot(buf, (size_t)len) : slot,
                              NULL };
    int rc = rblock_run(c, cmd.slot, &cmd, 1, 0);
    free(buf);
    if (rc < 0 && cmd.reply) {
        freeReplyObject(cmd.reply);
        cmd.reply = NULL;
    }
    return cmd.reply;
}

redisReply *rblock_commandv(struct rblock *c, const char *fmt, va_list ap)
{
    char *buf = NULL;
    int len = redisvFormatCommand(&buf, fmt, ap);
    return rblock_one(c, -2, buf, len);
}

redisReply *rblock_command(struct rblock *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = rblock_commandv(c, fmt, ap);
    va_end(ap);
    return r;
}

redisReply *rblock_command_slot(struct rblock *c, int slot, const char *fmt, ...)
{
    char *buf = NULL;
    va_list ap;
    va_start(ap, fmt);
    int len = redisvFormatCommand(&buf, fmt, ap);
    va_end(ap);
    return rblock_one(c, slot < 0 ? -1 : slot, buf, len);
}

redisReply *rblock_command_argv(struct rblock *c, int argc, const char **argv,
                                const size_t *argvlen)
{
    char *buf = NULL;
    int len = redisFormatCommandArgv(&buf, argc, argv, argvlen);
    return rblock_one(c, -2, buf, len);
}

/* ---- pipelines ------------------------------------------------------------------ */
struct rblock_pipe *rblock_pipe_new(struct rblock *c, int slot, int flags)
{
    struct rblock_pipe *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(c->err, sizeof c->err, "out of memory");
        return NULL;
    }
    p->c = c;
    p->slot = slot < 0 ? -1 : slot;
    p->flags = flags;
    return p;
}

static int rblock_pipe_add(struct rblock_pipe *p, char *buf, int len)
{
    if (len < 0 || !buf || (p->n == p->cap && p->cap > ((size_t)-1) / 2 / sizeof *p->v)) {
        free(buf);
        snprintf(p->c->err, sizeof p->c->err, "cannot format the command (out of memory?)");
        return -1;
    }
    if (p->n == p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 16;
        struct rblock_cmd *v = realloc(p->v, nc * sizeof *v);
        if (!v) {
            free(buf);
            snprintf(p->c->err, sizeof p->c->err, "out of memory");
            return -1;
        }
        p->v = v;
        p->cap = nc;
    }
    p->v[p->n++] =
        (struct rblock_cmd){ buf, len, p->slot >= 0 ? p->slot : rcluster_cmd_slot(buf, (size_t)len),
                             NULL };
    return 0;
}

int rblock_pipe_appendv(struct rblock_pipe *p, const char *fmt, va_list ap)
{
    char *buf = NULL;
    int len = redisvFormatCommand(&buf, fmt, ap);
    return rblock_pipe_add(p, buf, len);
}

int rblock_pipe_append(struct rblock_pipe *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = rblock_pipe_appendv(p, fmt, ap);
    va_end(ap);
    return rc;
}

int rblock_pipe_append_argv(struct rblock_pipe *p, int argc, const char **argv,
                            const size_t *argvlen)
{
    char *buf = NULL;
    int len = redisFormatCommandArgv(&buf, argc, argv, argvlen);
    return rblock_pipe_add(p, buf, len);
}

/* Each command to its own slot's master: every node written first, then
 * read; what was redirected (or lost with a connection) is sent again on
 * its own. */
static int rblock_pipe_spread(struct rblock_pipe *p)
{
    struct rblock *c = p->c;
    int *at = malloc((p->n + 1) * sizeof *at);
    if (!at) {
        snprintf(c->err, sizeof c->err, "out of memory");
        return -1;
    }
    /* every route first: routing may read the slot map on a connection,
     * which must not have commands of ours waiting in it then */
    for (size_t i = 0; i < p->n; i++)
        at[i] = rblock_route(c, p->v[i].slot);
    for (size_t i = 0; i < p->n; i++)
        if (at[i] >= 0 && c->conns[at[i]].ctx)
            redisAppendFormattedCommand(c->conns[at[i]].ctx, p->v[i].buf, (size_t)p->v[i].len);
    for (size_t i = 0; i < p->n; i++) {
        if (at[i] < 0)
            continue;
        struct rblock_conn *k = &c->conns[at[i]];
        void *r = NULL;
        if (!k->ctx || redisGetReply(k->ctx, &r) != REDIS_OK) {
            if (k->ctx) {
                rblock_drop(k);
                c->st.reconnects++;
            }
            continue;
        }
        p->v[i].reply = r;
    }
    free(at);
    for (size_t i = 0; i < p->n; i++) {
        unsigned s;
        char host[RCLUSTER_HOST_MAX];
        int port;
        if (p->v[i].reply && rcluster_reply_redirect(p->v[i].reply, "", &s, host, sizeof host,
                                                     &port) == RCLUSTER_NONE)
            continue;
        if (!c->cluster && !p->v[i].reply)
            return -1;
        if (rblock_run(c, p->v[i].slot, &p->v[i], 1, 0) < 0)
            return -1;
    }
    return 0;
}

int rblock_pipe_exec(struct rblock_pipe *p)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->v[i].reply) {
            freeReplyObject(p->v[i].reply);
            p->v[i].reply = NULL;
        }
    if (!p->n)
        return 0;
    if (p->slot >= 0 && rblock_cmd_is(&p->v[0], "MULTI"))
        return rblock_run(p->c, p->slot, p->v, p->n, p->flags & RBLOCK_PIPE_WATCHED);
    return rblock_pipe_spread(p);
}

size_t rblock_pipe_len(const struct rblock_pipe *p)
{
    return p->n;
}

const redisReply *rblock_pipe_reply(const struct rblock_pipe *p, size_t i)
{
    return i < p->n ? p->v[i].reply : NULL;
}

void rblock_pipe_free(struct rblock_pipe *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].buf);
        if (p->v[i].reply)
            freeReplyObject(p->v[i].reply);
    }
    free(p->v);
    free(p);
}

/* ---- every master ---------------------------------------------------------------- */
/* The masters serving at least one slot (standalone: the one node), as
 * copies, since fn may change the map. */
static struct rcluster_node *rblock_masters(struct rblock *c, size_t *n)
{
    *n = 0;
    if (c->cluster && rblock_refresh(c) < 0)
        return NULL;
    struct rcluster_node *v = calloc(c->cluster ? c->map.n_nodes + 1 : 1, sizeof *v);
    if (!v) {
        snprintf(c->err, sizeof c->err, "out of memory");
        return NULL;
    }
    if (!c->cluster) {
        int k = rblock_any(c);
        if (k < 0) {
            free(v);
            return NULL;
        }
        v[0] = (struct rcluster_node){ .port = c->conns[k].port };
        snprintf(v[0].host, sizeof v[0].host, "%s", c->conns[k].host);
        *n = 1;
        return v;
    }
    for (size_t i = 0; i < c->map.n_nodes; i++)
        for (unsigned s = 0; s < RCLUSTER_SLOTS; s++)
            if (c->map.owner[s] == i + 1) {
                v[(*n)++] = c->map.nodes[i];
                break;
            }
    return v;
}

int rblock_for_each_master(struct rblock *c, rblock_node_fn fn, void *arg)
{
    size_t n;
    struct rcluster_node *v = rblock_masters(c, &n);
    if (!v)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        int k = rblock_conn(c, v[i].host, v[i].port);
        if (k < 0) {
            rc = -1;
            break;
        }
        char name[RCLUSTER_HOST_MAX + 16];
        rblock_name(v[i].host, v[i].port, name, sizeof name);
        rc = fn(arg, c->conns[k].ctx, name);
    }
    free(v);
    return rc;
}

int rblock_scan(struct rblock *c, const char *pattern, rblock_key_fn fn, void *arg)
{
    size_t n;
    struct rcluster_node *v = rblock_masters(c, &n);
    if (!v)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char cursor[32] = "0", name[RCLUSTER_HOST_MAX + 16];
        rblock_name(v[i].host, v[i].port, name, sizeof name);
        do {
            int k = rblock_conn(c, v[i].host, v[i].port);
            if (k < 0) {
                rc = -1;
                break;
            }
            redisContext *ctx = c->conns[k].ctx;
            redisReply *r = redisCommand(ctx, "SCAN %s MATCH %s COUNT 1000", cursor, pattern);
            if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
                r->element[0]->type != REDIS_REPLY_STRING ||
                r->element[1]->type != REDIS_REPLY_ARRAY) {
                snprintf(c->err, sizeof c->err, "SCAN at %s: %s", name,
                         r && r->type == REDIS_REPLY_ERROR ? r->str
                         : r                               ? "unexpected reply"
                                                           : ctx->errstr);
                if (r)
                    freeReplyObject(r);
                else
                    rblock_drop(&c->conns[k]);
                rc = -1;
                break;
            }
            snprintf(cursor, sizeof cursor, "%s", r->element[0]->str);
            const redisReply *keys = r->element[1];
            for (size_t j = 0; j < keys->elements && rc == 0; j++)
                if (keys->element[j]->type == REDIS_REPLY_STRING)
                    rc = fn(arg, keys->element[j]->str, keys->element[j]->len);
            freeReplyObject(r);
        } while (rc == 0 && strcmp(cursor, "0") != 0);
    }
    free(v);
    return rc;
}

/* ---- the client ------------------------------------------------------------------ */
/* Parse the seeds, connect to the first that answers, find out whether it
 * is a cluster and load the map.  0, or -1 with errstr (c is freed). */
static struct rblock *rblock_open(struct rblock *c, const char *seeds, char *errstr,
                                  size_t errstr_size)
{
    char why[300];
    if (rcluster_address_parse(seeds, &c->seeds, why, sizeof why) < 0) {
        snprintf(errstr, errstr_size,
                 "address %s: %s (expected host:port, unix:/path or a list host:port,host:port)",
                 seeds, why);
        rblock_free(c);
        return NULL;
    }
    int k = -1;
    for (size_t i = 0; i < c->seeds.n && k < 0; i++)
        k = rblock_conn(c, c->seeds.v[i].host, c->seeds.v[i].port);
    redisReply *info = k >= 0 ? redisCommand(c->conns[k].ctx, "INFO cluster") : NULL;
    if (k >= 0 && !info)
        snprintf(c->err, sizeof c->err, "INFO cluster: %s", c->conns[k].ctx->errstr);
    /* a server that refuses INFO (an ACL) is taken for a standalone one */
    c->cluster = info && info->type == REDIS_REPLY_STRING && rcluster_enabled(info->str, info->len);
    if (info)
        freeReplyObject(info);
    if (!info || (c->cluster && rblock_refresh(c) < 0)) {
        snprintf(errstr, errstr_size, "%s", c->err);
        rblock_free(c);
        return NULL;
    }
    return c;
}

static struct rblock *rblock_new(int timeout_ms, char *errstr, size_t errstr_size)
{
    struct rblock *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(errstr, errstr_size, "out of memory");
        return NULL;
    }
    rcluster_map_init(&c->map);
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
    return c;
}

struct rblock *rblock_connect_auth(const char *seeds, rblock_auth_fn auth, void *auth_arg,
                                   int timeout_ms, char *errstr, size_t errstr_size)
{
    struct rblock *c = rblock_new(timeout_ms, errstr, errstr_size);
    if (!c)
        return NULL;
    c->auth = auth;
    c->auth_arg = auth_arg;
    return rblock_open(c, seeds, errstr, errstr_size);
}

struct rblock *rblock_connect(const char *seeds, const char *user, const char *password,
                              int timeout_ms, char *errstr, size_t errstr_size)
{
    struct rblock *c = rblock_new(timeout_ms, errstr, errstr_size);
    if (!c)
        return NULL;
    if ((user && user[0] && !(c->user = strdup(user))) ||
        (password && password[0] && !(c->password = strdup(password)))) {
        snprintf(errstr, errstr_size, "out of memory");
        rblock_free(c);
        return NULL;
    }
    return rblock_open(c, seeds, errstr, errstr_size);
}

void rblock_free(struct rblock *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_conns; i++)
        rblock_drop(&c->conns[i]);
    free(c->conns);
    rcluster_map_fini(&c->map);
    rcluster_seeds_free(&c->seeds);
    rblock_wipe(c->user);
    rblock_wipe(c->password);
    free(c);
}

int rblock_is_cluster(const struct rblock *c)
{
    return c->cluster;
}

const char *rblock_errstr(const struct rblock *c)
{
    return c->err;
}

int rblock_tag(const char *key)
{
    return (int)rcluster_slot(key, strlen(key));
}

void rblock_stats(const struct rblock *c, struct rblock_stats *out)
{
    *out = c->st;
}
