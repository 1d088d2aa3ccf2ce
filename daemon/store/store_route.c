/* SPDX-License-Identifier: Apache-2.0 */
/* store_route.c -- where each of the store's commands goes.
 *
 * On one standalone Redis every command goes down the one asynchronous
 * connection (s->ac), as it always did.  On a Redis Cluster hiredis 0.14
 * cannot help, so this file routes: every command, or every MULTI..EXEC
 * transaction as a whole, is a "unit" bound to the slot of its first key
 * (every key the store writes carries a hash tag, so a unit never spans
 * slots) and is sent to the master serving that slot, on a connection of
 * its own per master, opened on first use and through the same handshake
 * (AUTH, the scripts, PING) as a standalone one.
 *
 * The cluster may move a slot at any time (resharding, failover).  A
 * -MOVED answer updates that slot in the map and sends the unit again to
 * the new owner (pausing first when the nodes keep disagreeing); -ASK sends ASKING
 * and the unit to the importing node, once; -TRYAGAIN and -CLUSTERDOWN
 * retry after a short, growing pause.  Inside a transaction the redirect
 * shows in the queued replies and EXEC answers -EXECABORT: nothing of it
 * ran, so the whole unit is sent again.  Nothing is lost and nothing runs
 * twice, and order within a slot is kept: units carry a sequence number,
 * and a slot whose units are still in flight on one node holds every
 * later unit (and every redirected one, in sequence order) until those
 * have answered -- the store's writes to one viewer or one counter
 * shard therefore reach Redis in the order they were made.
 *
 * Losing any node's connection is handled as the standalone store loses
 * its one connection: every unanswered callback gets NULL, every node is
 * dropped and the store reconnects with backoff (store_conn.c), starting
 * again from the seed nodes of [redis] address. */
#include "config.h"
#include "store-internal.h"
#include "rcluster.h"
#include "log.h"

#include <hiredis/adapters/libevent.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STORE_ROUTE_TRIES 16      /* redirects of one unit before its error is delivered */
#define STORE_ROUTE_RETRY_MS 20   /* TRYAGAIN / CLUSTERDOWN: first pause */
#define STORE_ROUTE_RETRY_MAX 500 /* ... growing to this */

struct store_unit {
    uint64_t seq;
    uint64_t gen; /* the route's generation when sent (store_route_drop bumps it) */
    int slot;     /* -1: no key (any node) */
    char *buf;    /* the commands in RESP, NUL-terminated */
    size_t len;
    size_t *off; /* command i is buf[off[i] .. off[i + 1]) */
    size_t ncmd;
    int tx; /* MULTI .. EXEC */
    redisCallbackFn *fn;
    void *priv;
    int tries;
    int ask_node; /* >= 0: send ASKING and the unit there, once */
    int node;     /* where it was sent */
    /* a redirect seen in a transaction's queued replies */
    enum rcluster_redirect redirect;
    unsigned rslot;
    char rhost[RCLUSTER_HOST_MAX];
    int rport;
    struct store_unit *next;
};

struct store_rnode {
    redisAsyncContext *ac;
    int up; /* through the handshake */
};

struct store_rslot {
    uint32_t inflight; /* units sent and not yet answered */
    int node;          /* ... all on this node */
    int listed;        /* in r->listed (has held units) */
    struct store_unit *held_head;
};

struct store_route {
    struct store *s;
    struct rcluster_map map;
    struct rcluster_seeds seeds;
    size_t next_seed;
    struct store_rnode *nodes; /* parallel to map.nodes */
    size_t n_nodes;
    redisAsyncContext *boot; /* the seed connection: CLUSTER SLOTS */
    char boot_host[RCLUSTER_HOST_MAX];
    int boot_up, refreshing, refresh_again;
    int dropped; /* everything was dropped; a reconnect is scheduled */
    struct store_rslot slots[RCLUSTER_SLOTS + 1]; /* [RCLUSTER_SLOTS]: keyless units */
    int *listed;
    size_t n_listed;
    struct store_unit *tx; /* a MULTI being collected */
    uint64_t seq, gen;
    int paused; /* a TRYAGAIN pause is running */
    int retry_ms;
    struct event *retry_ev;
    redisAsyncContext nullac; /* what callbacks get with a NULL reply: data = s */
};

static void store_route_release_all(struct store_route *r);
static void store_route_refresh(struct store_route *r);

/* ---- units ------------------------------------------------------------- */
static void store_unit_free(struct store_unit *u)
{
    if (!u)
        return;
    free(u->buf);
    free(u->off);
    free(u);
}

/* Append one command (RESP) to u. */
static int store_unit_add(struct store_unit *u, const char *cmd, size_t len)
{
    char *nb = realloc(u->buf, u->len + len + 1);
    if (!nb)
        return -1;
    u->buf = nb;
    size_t *no = realloc(u->off, (u->ncmd + 2) * sizeof *no);
    if (!no)
        return -1;
    u->off = no;
    if (u->ncmd == 0)
        u->off[0] = 0;
    memcpy(u->buf + u->len, cmd, len);
    u->len += len;
    u->buf[u->len] = '\0';
    u->ncmd++;
    u->off[u->ncmd] = u->len;
    return 0;
}

/* ---- nodes ------------------------------------------------------------- */
static int store_route_sync_nodes(struct store_route *r)
{
    if (r->n_nodes >= r->map.n_nodes)
        return 0;
    struct store_rnode *n = realloc(r->nodes, r->map.n_nodes * sizeof *n);
    if (!n)
        return -1;
    memset(n + r->n_nodes, 0, (r->map.n_nodes - r->n_nodes) * sizeof *n);
    r->nodes = n;
    r->n_nodes = r->map.n_nodes;
    return 0;
}

static int store_route_node_of(struct store_route *r, redisAsyncContext *ac)
{
    for (size_t i = 0; i < r->n_nodes; i++)
        if (r->nodes[i].ac == ac)
            return (int)i;
    return -1;
}

/* ac is gone (hiredis frees it): forget it, then drop every node. */
static void store_route_lost(const redisAsyncContext *ac, const char *what)
{
    struct store *s = ac->data;
    struct store_route *r = s->route;
    if (what) {
        log_warn("redis: %s: %s", what, ac->errstr);
        store_count_error(s);
    }
    if (r->boot == ac)
        r->boot = NULL;
    int i = store_route_node_of(r, (redisAsyncContext *)ac);
    if (i >= 0)
        r->nodes[i].ac = NULL;
    store_route_drop(s);
}

static void store_route_on_connect(const redisAsyncContext *ac, int status)
{
    if (status != REDIS_OK) /* (else up once the handshake is answered) */
        store_route_lost(ac, "cannot connect to a cluster node");
}

static void store_route_on_disconnect(const redisAsyncContext *ac, int status)
{
    store_route_lost(ac, status != REDIS_OK ? "connection to a cluster node lost" : NULL);
}

static redisAsyncContext *store_route_open(struct store_route *r, const char *host, int port)
{
    struct store *s = r->s;
    redisAsyncContext *ac = redisAsyncConnect(host, port);
    if (!ac || ac->err) {
        log_warn("redis: %s:%d: %s", host, port, ac ? ac->errstr : "out of memory");
        if (ac)
            redisAsyncFree(ac);
        return NULL;
    }
    ac->data = s;
    redisLibeventAttach(ac, s->d->base);
    redisAsyncSetConnectCallback(ac, store_route_on_connect);
    redisAsyncSetDisconnectCallback(ac, store_route_on_disconnect);
    store_handshake(s, ac);
    return ac;
}

/* Node i's connection is being opened, or is up: 0; -1 when it cannot be. */
static int store_route_node_want(struct store_route *r, int i)
{
    if (r->nodes[i].ac)
        return 0;
    const struct rcluster_node *n = &r->map.nodes[i];
    r->nodes[i].up = 0;
    r->nodes[i].ac = store_route_open(r, n->host, n->port);
    return r->nodes[i].ac ? 0 : -1;
}

/* ---- sending ----------------------------------------------------------- */
static void store_route_deliver(struct store_route *r, struct store_unit *u, redisReply *reply)
{
    if (u->fn)
        u->fn(&r->nullac, reply, u->priv);
    store_unit_free(u);
}

static struct store_rslot *store_route_slot(struct store_route *r, const struct store_unit *u)
{
    return &r->slots[u->slot < 0 ? RCLUSTER_SLOTS : u->slot];
}

/* Where u goes now: a node index, or -1 when no node is known. */
static int store_route_target(struct store_route *r, const struct store_unit *u)
{
    if (u->ask_node >= 0)
        return u->ask_node;
    if (u->slot < 0) {
        for (size_t i = 0; i < r->n_nodes; i++)
            if (r->nodes[i].up)
                return (int)i;
        return r->n_nodes ? 0 : -1;
    }
    unsigned o = r->map.owner[u->slot];
    return o ? (int)o - 1 : -1;
}

static void store_route_hold(struct store_route *r, struct store_unit *u)
{
    struct store_rslot *sl = store_route_slot(r, u);
    struct store_unit **p = &sl->held_head;
    while (*p && (*p)->seq < u->seq)
        p = &(*p)->next;
    u->next = *p;
    *p = u;
    if (!sl->listed) {
        sl->listed = 1;
        r->listed[r->n_listed++] = (int)(sl - r->slots);
    }
}

static void store_route_unit_cb(redisAsyncContext *ac, void *reply, void *priv);
static void store_route_queued_cb(redisAsyncContext *ac, void *reply, void *priv);

/* Send u to node t.  0, or -1 (the connection is going away). */
static int store_route_send_to(struct store_route *r, struct store_unit *u, int t)
{
    redisAsyncContext *ac = r->nodes[t].ac;
    if (u->ask_node >= 0 && redisAsyncCommand(ac, NULL, NULL, "ASKING") != REDIS_OK)
        return -1;
    u->ask_node = -1;
    u->redirect = RCLUSTER_NONE;
    u->node = t;
    u->gen = r->gen;
    for (size_t i = 0; i < u->ncmd; i++) {
        int last = i + 1 == u->ncmd;
        /* hiredis reads the command name up to the next '$': each piece is
         * followed by more RESP or by the buffer's NUL */
        if (redisAsyncFormattedCommand(ac, last ? store_route_unit_cb : store_route_queued_cb, u,
                                       u->buf + u->off[i], u->off[i + 1] - u->off[i]) != REDIS_OK)
            return -1; /* (the ones already queued get NULL with the connection) */
    }
    struct store_rslot *sl = store_route_slot(r, u);
    sl->inflight++;
    sl->node = t;
    return 0;
}

/* Send u now if nothing before it in its slot is elsewhere or held: 1 sent,
 * 0 must wait. */
static int store_route_try(struct store_route *r, struct store_unit *u)
{
    struct store *s = r->s;
    if (!s->connected || r->paused)
        return 0;
    int t = store_route_target(r, u);
    if (t < 0) {
        store_route_refresh(r);
        return 0;
    }
    if (store_route_node_want(r, t) < 0 || !r->nodes[t].up)
        return 0;
    struct store_rslot *sl = store_route_slot(r, u);
    if (sl->inflight > 0 && sl->node != t)
        return 0;
    if (store_route_send_to(r, u, t) < 0) {
        store_route_deliver(r, u, NULL);
        return 1;
    }
    return 1;
}

static void store_route_release(struct store_route *r, struct store_rslot *sl)
{
    while (sl->held_head) {
        struct store_unit *u = sl->held_head;
        sl->held_head = u->next;
        u->next = NULL;
        if (!store_route_try(r, u)) {
            u->next = sl->held_head;
            sl->held_head = u;
            return;
        }
    }
}

static void store_route_release_all(struct store_route *r)
{
    size_t k = 0;
    for (size_t i = 0; i < r->n_listed; i++) {
        struct store_rslot *sl = &r->slots[r->listed[i]];
        store_route_release(r, sl);
        if (sl->held_head)
            r->listed[k++] = r->listed[i];
        else
            sl->listed = 0;
    }
    r->n_listed = k;
}

static void store_route_submit(struct store_route *r, struct store_unit *u)
{
    u->seq = ++r->seq;
    struct store_rslot *sl = store_route_slot(r, u);
    if (sl->held_head || !store_route_try(r, u))
        store_route_hold(r, u);
}

/* ---- replies ----------------------------------------------------------- */
/* The node that answered names itself with an empty host in a redirect. */
static enum rcluster_redirect store_route_redirect_of(struct store_route *r, int node,
                                                      const redisReply *e, unsigned *slot,
                                                      char *host, size_t hs, int *port)
{
    const char *self =
        node >= 0 && (size_t)node < r->map.n_nodes ? r->map.nodes[node].host : "127.0.0.1";
    return rcluster_reply_redirect(e, self, slot, host, hs, port);
}

static void store_route_queued_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_unit *u = priv;
    struct store *s = ac->data;
    struct store_route *r = s->route;
    if (!reply || !r || u->gen != r->gen || u->redirect != RCLUSTER_NONE)
        return;
    u->redirect =
        store_route_redirect_of(r, u->node, reply, &u->rslot, u->rhost, sizeof u->rhost, &u->rport);
}

static void store_route_pause(struct store_route *r, int tries)
{
    int ms = STORE_ROUTE_RETRY_MS * tries;
    if (ms > STORE_ROUTE_RETRY_MAX)
        ms = STORE_ROUTE_RETRY_MAX;
    if (r->paused)
        return;
    r->paused = 1;
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    event_add(r->retry_ev, &tv);
}

static void store_route_unit_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    struct store_unit *u = priv;
    struct store *s = ac->data;
    struct store_route *r = s->route;
    redisReply *rep = reply;
    if (!r || u->gen != r->gen) { /* from before a drop: the slots were reset */
        if (u->fn)
            u->fn(ac, NULL, u->priv);
        store_unit_free(u);
        return;
    }
    struct store_rslot *sl = store_route_slot(r, u);
    if (sl->inflight)
        sl->inflight--;
    if (!rep) {
        store_route_deliver(r, u, NULL);
        return;
    }
    enum rcluster_redirect how;
    unsigned slot = 0;
    char host[RCLUSTER_HOST_MAX];
    int port = 0;
    if (u->tx && u->redirect != RCLUSTER_NONE && rep->type == REDIS_REPLY_ERROR) {
        how = u->redirect;
        slot = u->rslot;
        snprintf(host, sizeof host, "%s", u->rhost);
        port = u->rport;
    } else {
        how = store_route_redirect_of(r, u->node, rep, &slot, host, sizeof host, &port);
    }
    if (how == RCLUSTER_NONE || ++u->tries > STORE_ROUTE_TRIES) {
        if (how != RCLUSTER_NONE)
            log_warn("redis: gave up after %d cluster redirects: %s", STORE_ROUTE_TRIES, rep->str);
        store_route_deliver(r, u, rep);
        store_route_release(r, sl);
        return;
    }
    metrics_inc(M_REDIS_REDIRECTS, 1);
    int i;
    switch (how) {
    case RCLUSTER_MOVED:
        if (rcluster_map_set(&r->map, slot, slot, host, port) < 0 ||
            store_route_sync_nodes(r) < 0) {
            store_route_deliver(r, u, rep);
            return;
        }
        /* (not the whole map again: the node asked may not have heard of
         * the move yet, and its older map would send us back) */
        if (u->tries > 3)
            store_route_pause(r, u->tries); /* let the cluster agree first */
        break;
    case RCLUSTER_ASK:
        i = rcluster_map_node_index(&r->map, host, port);
        if (i < 0 || store_route_sync_nodes(r) < 0) {
            store_route_deliver(r, u, rep);
            return;
        }
        u->ask_node = i;
        break;
    default: /* TRYAGAIN, CLUSTERDOWN */
        store_route_pause(r, u->tries);
        break;
    }
    store_route_hold(r, u);
    store_route_release_all(r);
}

static void store_route_retry_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct store_route *r = arg;
    r->paused = 0;
    store_route_release_all(r);
}

/* ---- the slot map ------------------------------------------------------ */
static void store_route_slots_cb(redisAsyncContext *ac, void *reply, void *priv)
{
    (void)priv;
    struct store *s = ac->data;
    struct store_route *r = s->route;
    redisReply *rep = reply;
    store_replied(s);
    if (!r || !rep || ac != r->boot)
        return;
    r->refreshing = 0;
    char err[256];
    if (rcluster_map_load(&r->map, rep, r->boot_host, err, sizeof err) < 0 ||
        store_route_sync_nodes(r) < 0) {
        log_warn("redis: CLUSTER SLOTS: %s", err);
        store_count_error(s);
        store_route_drop(s);
        return;
    }
    if (!s->connected) {
        size_t unknown = rcluster_map_unknown(&r->map);
        s->connected = 1;
        s->err_counted = 0;
        log_info("redis: connected to the cluster through %s (%zu masters%s)", r->boot_host,
                 r->map.n_nodes, unknown ? ", some slots unserved" : "");
        if (!s->queue_head && !s->wait_head)
            store_backoff_reset(s);
        store_batch_connected(s);
    }
    if (r->refresh_again) {
        r->refresh_again = 0;
        store_route_refresh(r);
    }
    store_route_release_all(r);
}

static void store_route_refresh(struct store_route *r)
{
    if (!r->boot || !r->boot_up) {
        return;
    }
    if (r->refreshing) {
        r->refresh_again = 1;
        return;
    }
    if (redisAsyncCommand(r->boot, store_route_slots_cb, NULL, "CLUSTER SLOTS") == REDIS_OK) {
        r->s->pending++;
        r->refreshing = 1;
    }
}

int store_route_knows(const struct store *s, const redisAsyncContext *ac)
{
    const struct store_route *r = s->route;
    if (ac == r->boot)
        return 1;
    for (size_t i = 0; i < r->n_nodes; i++)
        if (r->nodes[i].ac == ac)
            return 1;
    return 0;
}

void store_route_handshake_done(struct store *s, redisAsyncContext *ac)
{
    struct store_route *r = s->route;
    if (ac == r->boot) {
        r->boot_up = 1;
        store_route_refresh(r);
        return;
    }
    int i = store_route_node_of(r, ac);
    if (i < 0)
        return;
    r->nodes[i].up = 1;
    store_route_release_all(r);
}

/* ---- the store's side ------------------------------------------------- */
int store_route_new(struct store *s, const char *seeds, char *errstr, size_t errstr_size)
{
    struct store_route *r = calloc(1, sizeof *r);
    if (!r || !(r->listed = malloc((RCLUSTER_SLOTS + 1) * sizeof *r->listed))) {
        free(r);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (rcluster_seeds_parse(seeds, &r->seeds, errstr, errstr_size) < 0) {
        free(r->listed);
        free(r);
        return -1;
    }
    rcluster_map_init(&r->map);
    r->s = s;
    r->nullac.data = s;
    r->retry_ev = evtimer_new(s->d->base, store_route_retry_cb, r);
    if (!r->retry_ev) {
        store_route_free_route(r);
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    s->route = r;
    return 0;
}

void store_route_connect(struct store *s)
{
    struct store_route *r = s->route;
    const struct rcluster_node *seed = &r->seeds.v[r->next_seed++ % r->seeds.n];
    snprintf(r->boot_host, sizeof r->boot_host, "%s", seed->host);
    r->boot_up = 0;
    r->refreshing = r->refresh_again = 0;
    r->dropped = 0;
    r->boot = store_route_open(r, seed->host, seed->port);
    if (!r->boot) {
        r->dropped = 1;
        store_schedule_reconnect(s);
    }
}

static void store_route_close(redisAsyncContext *ac)
{
    redisAsyncSetDisconnectCallback(ac, NULL);
    if (ac->c.flags & (REDIS_DISCONNECTING | REDIS_FREEING))
        return;
    redisAsyncFree(ac); /* unanswered callbacks get NULL (now or after this callback) */
}

/* Fail everything held and close every connection; the store reconnects. */
void store_route_drop(struct store *s)
{
    struct store_route *r = s->route;
    int was = !r->dropped;
    r->dropped = 1;
    s->connected = 0;
    r->gen++;
    r->boot_up = 0;
    r->refreshing = r->refresh_again = 0;
    if (r->paused) {
        event_del(r->retry_ev);
        r->paused = 0;
    }
    store_unit_free(r->tx);
    r->tx = NULL;
    for (size_t i = 0; i < r->n_listed; i++) {
        struct store_rslot *sl = &r->slots[r->listed[i]];
        while (sl->held_head) {
            struct store_unit *u = sl->held_head;
            sl->held_head = u->next;
            store_route_deliver(r, u, NULL);
        }
        sl->listed = 0;
    }
    r->n_listed = 0;
    for (size_t i = 0; i <= RCLUSTER_SLOTS; i++)
        r->slots[i].inflight = 0;
    redisAsyncContext *boot = r->boot;
    r->boot = NULL;
    for (size_t i = 0; i < r->n_nodes; i++) {
        redisAsyncContext *ac = r->nodes[i].ac;
        r->nodes[i].ac = NULL;
        r->nodes[i].up = 0;
        if (ac)
            store_route_close(ac);
    }
    if (boot)
        store_route_close(boot);
    s->pending = 0;
    if (!was)
        return; /* (dropped already: the reconnect is scheduled) */
    store_batch_disconnected(s);
    store_schedule_reconnect(s);
}

void store_route_free_route(struct store_route *r)
{
    if (!r)
        return;
    if (r->retry_ev)
        event_free(r->retry_ev);
    rcluster_map_fini(&r->map);
    rcluster_seeds_free(&r->seeds);
    free(r->nodes);
    free(r->listed);
    free(r);
}

void store_route_free(struct store *s)
{
    struct store_route *r = s->route;
    if (!r)
        return;
    r->dropped = 1; /* (so the drop neither reconnects nor re-applies) */
    store_route_drop(s);
    s->route = NULL;
    store_route_free_route(r);
}

/* ---- the one way the store sends ---------------------------------------- */
int store_route_linked(const struct store *s)
{
    return s->route ? s->connected : s->ac != NULL;
}

int store_route_send(struct store *s, redisCallbackFn *fn, void *priv, const char *cmd, size_t len)
{
    struct store_route *r = s->route;
    if (!r)
        return s->ac && redisAsyncFormattedCommand(s->ac, fn, priv, cmd, len) == REDIS_OK ? 0 : -1;
    if (!s->connected)
        return -1;
    size_t nl;
    if (!rcluster_cmd_arg(cmd, len, 0, &nl))
        return -1; /* not a command */
    if (rcluster_cmd_is(cmd, len, "MULTI")) {
        store_unit_free(r->tx);
        r->tx = calloc(1, sizeof *r->tx);
        if (!r->tx || store_unit_add(r->tx, cmd, len) < 0) {
            store_unit_free(r->tx);
            r->tx = NULL;
            return -1;
        }
        r->tx->tx = 1;
        r->tx->slot = -1;
        r->tx->ask_node = -1;
        return 0;
    }
    if (r->tx && rcluster_cmd_is(cmd, len, "DISCARD")) {
        store_unit_free(r->tx);
        r->tx = NULL;
        return 0;
    }
    struct store_unit *u = r->tx;
    if (u) {
        if (store_unit_add(u, cmd, len) < 0)
            return -1;
        if (u->slot < 0)
            u->slot = rcluster_cmd_slot(cmd, len);
        if (!rcluster_cmd_is(cmd, len, "EXEC"))
            return 0; /* (a queued command's reply is its unit's business) */
        r->tx = NULL;
    } else {
        if (!(u = calloc(1, sizeof *u)) || store_unit_add(u, cmd, len) < 0) {
            store_unit_free(u);
            return -1;
        }
        u->slot = rcluster_cmd_slot(cmd, len);
        u->ask_node = -1;
    }
    u->fn = fn;
    u->priv = priv;
    store_route_submit(r, u);
    return 0;
}

int store_route_sendv(struct store *s, redisCallbackFn *fn, void *priv, const char *fmt, va_list ap)
{
    if (!s->route)
        return s->ac && redisvAsyncCommand(s->ac, fn, priv, fmt, ap) == REDIS_OK ? 0 : -1;
    char *cmd;
    int len = redisvFormatCommand(&cmd, fmt, ap);
    if (len < 0)
        return -1;
    int rc = store_route_send(s, fn, priv, cmd, (size_t)len);
    free(cmd);
    return rc;
}

int store_route_sendf(struct store *s, redisCallbackFn *fn, void *priv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = store_route_sendv(s, fn, priv, fmt, ap);
    va_end(ap);
    return rc;
}

int store_route_sendargv(struct store *s, redisCallbackFn *fn, void *priv, int argc,
                         const char **argv, const size_t *alen)
{
    if (!s->route)
        return s->ac && redisAsyncCommandArgv(s->ac, fn, priv, argc, argv, alen) == REDIS_OK ? 0
                                                                                             : -1;
    char *cmd;
    int len = redisFormatCommandArgv(&cmd, argc, argv, alen);
    if (len < 0)
        return -1;
    int rc = store_route_send(s, fn, priv, cmd, (size_t)len);
    free(cmd);
    return rc;
}
