/* SPDX-License-Identifier: Apache-2.0 */
/* rcluster.c -- Redis Cluster slots, the slot map and redirections
 * (see rcluster.h for why recut routes by itself).  No I/O here:
 * the connection code feeds replies in and asks where a key goes. */
#include "config.h"
#include "rcluster.h"
#include "addr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

unsigned rcluster_crc16(const char *buf, size_t len)
{
    unsigned crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= (unsigned)(unsigned char)buf[i] << 8;
        for (int b = 0; b < 8; b++)
            crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
        crc &= 0xffff;
    }
    return crc;
}

unsigned rcluster_slot(const char *key, size_t len)
{
    const char *open = memchr(key, '{', len);
    if (open) {
        size_t rest = len - (size_t)(open - key) - 1;
        const char *close = memchr(open + 1, '}', rest);
        if (close && close > open + 1) /* "{}" is no tag: the whole key counts */
            return rcluster_crc16(open + 1, (size_t)(close - open - 1)) % RCLUSTER_SLOTS;
    }
    return rcluster_crc16(key, len) % RCLUSTER_SLOTS;
}

/* ---- the slot map ------------------------------------------------------ */
void rcluster_map_init(struct rcluster_map *m)
{
    memset(m, 0, sizeof *m);
}

void rcluster_map_fini(struct rcluster_map *m)
{
    free(m->nodes);
    memset(m, 0, sizeof *m);
}

int rcluster_map_node_index(struct rcluster_map *m, const char *host, int port)
{
    for (size_t i = 0; i < m->n_nodes; i++)
        if (m->nodes[i].port == port && strcmp(m->nodes[i].host, host) == 0)
            return (int)i;
    if (strlen(host) >= RCLUSTER_HOST_MAX || m->n_nodes >= UINT16_MAX - 1)
        return -1;
    if (m->n_nodes == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 8;
        struct rcluster_node *n = realloc(m->nodes, nc * sizeof *n);
        if (!n)
            return -1;
        m->nodes = n;
        m->cap = nc;
    }
    struct rcluster_node *n = &m->nodes[m->n_nodes];
    snprintf(n->host, sizeof n->host, "%s", host);
    n->port = port;
    return (int)m->n_nodes++;
}

int rcluster_map_set(struct rcluster_map *m, unsigned first, unsigned last, const char *host,
                     int port)
{
    if (first > last || last >= RCLUSTER_SLOTS)
        return -1;
    int idx = rcluster_map_node_index(m, host, port);
    if (idx < 0)
        return -1;
    for (unsigned s = first; s <= last; s++)
        m->owner[s] = (uint16_t)(idx + 1);
    return 0;
}

const struct rcluster_node *rcluster_map_get(const struct rcluster_map *m, unsigned slot)
{
    if (slot >= RCLUSTER_SLOTS || !m->owner[slot])
        return NULL;
    return &m->nodes[m->owner[slot] - 1];
}

size_t rcluster_map_unknown(const struct rcluster_map *m)
{
    size_t n = 0;
    for (unsigned s = 0; s < RCLUSTER_SLOTS; s++)
        n += !m->owner[s];
    return n;
}

/* A node entry of CLUSTER SLOTS: [host, port, id, ...]. */
static int rcluster_node_reply(const redisReply *e, const char *self_host, char *host, size_t hn,
                               int *port)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
        e->element[0]->type != REDIS_REPLY_STRING || e->element[1]->type != REDIS_REPLY_INTEGER)
        return -1;
    const char *h = e->element[0]->str;
    if (!h[0] || strcmp(h, "?") == 0)
        h = self_host; /* "the node you asked" */
    long long p = e->element[1]->integer;
    if (p <= 0 || p > 65535 || strlen(h) >= hn)
        return -1;
    snprintf(host, hn, "%s", h);
    *port = (int)p;
    return 0;
}

int rcluster_map_load(struct rcluster_map *m, const redisReply *r, const char *self_host,
                      char *errstr, size_t errstr_size)
{
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        snprintf(errstr, errstr_size, "CLUSTER SLOTS: %s",
                 r && r->type == REDIS_REPLY_ERROR ? r->str : "not an array");
        return -1;
    }
    struct rcluster_map next;
    rcluster_map_init(&next);
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *e = r->element[i];
        char host[RCLUSTER_HOST_MAX];
        int port;
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 ||
            e->element[0]->type != REDIS_REPLY_INTEGER ||
            e->element[1]->type != REDIS_REPLY_INTEGER ||
            rcluster_node_reply(e->element[2], self_host, host, sizeof host, &port) < 0 ||
            e->element[0]->integer < 0 || e->element[1]->integer < e->element[0]->integer ||
            e->element[1]->integer >= RCLUSTER_SLOTS) {
            snprintf(errstr, errstr_size, "CLUSTER SLOTS: entry %zu is malformed", i);
            rcluster_map_fini(&next);
            return -1;
        }
        if (rcluster_map_set(&next, (unsigned)e->element[0]->integer,
                             (unsigned)e->element[1]->integer, host, port) < 0) {
            snprintf(errstr, errstr_size, "out of memory");
            rcluster_map_fini(&next);
            return -1;
        }
    }
    rcluster_map_fini(m);
    *m = next;
    return 0;
}

/* ---- redirections --------------------------------------------------------- */
static int rcluster_word(const char *err, size_t len, const char *w)
{
    size_t wl = strlen(w);
    return len >= wl && memcmp(err, w, wl) == 0 && (len == wl || err[wl] == ' ');
}

enum rcluster_redirect rcluster_redirect(const char *err, size_t len, const char *self_host,
                                         unsigned *slot, char *host, size_t host_size, int *port)
{
    if (rcluster_word(err, len, "TRYAGAIN"))
        return RCLUSTER_TRYAGAIN;
    if (rcluster_word(err, len, "CLUSTERDOWN"))
        return RCLUSTER_CLUSTERDOWN;
    enum rcluster_redirect kind;
    size_t skip;
    if (rcluster_word(err, len, "MOVED")) {
        kind = RCLUSTER_MOVED;
        skip = 6;
    } else if (rcluster_word(err, len, "ASK")) {
        kind = RCLUSTER_ASK;
        skip = 4;
    } else {
        return RCLUSTER_NONE;
    }
    /* "MOVED 3999 127.0.0.1:6381" (the host may be empty or an IPv6
     * address: the port is after the last colon) */
    char buf[RCLUSTER_HOST_MAX + 32];
    if (len <= skip || len - skip >= sizeof buf)
        return RCLUSTER_NONE;
    memcpy(buf, err + skip, len - skip);
    buf[len - skip] = '\0';
    char *sp = strchr(buf, ' '), *end;
    if (!sp)
        return RCLUSTER_NONE;
    *sp = '\0';
    unsigned long s = strtoul(buf, &end, 10);
    if (end == buf || *end || s >= RCLUSTER_SLOTS)
        return RCLUSTER_NONE;
    char *ep = sp + 1, *colon = strrchr(ep, ':');
    if (!colon)
        return RCLUSTER_NONE;
    *colon = '\0';
    long p = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end || p <= 0 || p > 65535)
        return RCLUSTER_NONE;
    const char *h = ep;
    if (h[0] == '[' && strlen(h) > 2 && h[strlen(h) - 1] == ']') {
        h++;
        ep[strlen(ep) - 1] = '\0';
    }
    if (!h[0])
        h = self_host;
    if (strlen(h) >= host_size)
        return RCLUSTER_NONE;
    snprintf(host, host_size, "%s", h);
    *slot = (unsigned)s;
    *port = (int)p;
    return kind;
}

int rcluster_enabled(const char *info, size_t len)
{
    static const char k[] = "cluster_enabled:";
    for (size_t i = 0; i + sizeof k - 1 < len; i++)
        if ((i == 0 || info[i - 1] == '\n') && memcmp(info + i, k, sizeof k - 1) == 0)
            return info[i + sizeof k - 1] == '1';
    return 0;
}

/* ---- seeds ---------------------------------------------------------------------- */
int rcluster_seeds_parse(const char *list, struct rcluster_seeds *out, char *errstr,
                         size_t errstr_size)
{
    out->v = NULL;
    out->n = 0;
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        char one[RCLUSTER_HOST_MAX + 16], why[200];
        while (l && (*p == ' ' || *p == '\t'))
            p++, l--;
        while (l && (p[l - 1] == ' ' || p[l - 1] == '\t'))
            l--;
        if (!l || l >= sizeof one) {
            snprintf(errstr, errstr_size, "%s seed in \"%s\"", l ? "too long a" : "an empty", list);
            rcluster_seeds_free(out);
            return -1;
        }
        memcpy(one, p, l);
        one[l] = '\0';
        struct rcluster_node *v = realloc(out->v, (out->n + 1) * sizeof *v);
        if (!v) {
            snprintf(errstr, errstr_size, "out of memory");
            rcluster_seeds_free(out);
            return -1;
        }
        out->v = v;
        if (util_parse_addr(one, 0, 6379, v[out->n].host, sizeof v[out->n].host, &v[out->n].port,
                            why, sizeof why) < 0) {
            snprintf(errstr, errstr_size, "seed %s: %s", one, why);
            rcluster_seeds_free(out);
            return -1;
        }
        out->n++;
        p += (comma ? (size_t)(comma - p) + 1 : strlen(p));
        if (comma && !*p) {
            snprintf(errstr, errstr_size, "an empty seed in \"%s\"", list);
            rcluster_seeds_free(out);
            return -1;
        }
    }
    if (!out->n) {
        snprintf(errstr, errstr_size, "no seed");
        return -1;
    }
    return 0;
}

void rcluster_seeds_free(struct rcluster_seeds *s)
{
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

int rcluster_address_parse(const char *address, struct rcluster_seeds *out, char *errstr,
                           size_t errstr_size)
{
    if (strchr(address, ','))
        return rcluster_seeds_parse(address, out, errstr, errstr_size);
    out->n = 0;
    if (!(out->v = calloc(1, sizeof *out->v))) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    if (util_parse_addr(address, UTIL_ADDR_UNIX, 6379, out->v[0].host, sizeof out->v[0].host,
                        &out->v[0].port, errstr, errstr_size) < 0) {
        rcluster_seeds_free(out);
        return -1;
    }
    out->n = 1;
    return 0;
}

enum rcluster_redirect rcluster_reply_redirect(const redisReply *r, const char *self_host,
                                               unsigned *slot, char *host, size_t host_size,
                                               int *port)
{
    if (!r || r->type != REDIS_REPLY_ERROR)
        return RCLUSTER_NONE;
    return rcluster_redirect(r->str, r->len, self_host, slot, host, host_size, port);
}

/* ---- formatted commands ------------------------------------------------ */
const char *rcluster_cmd_arg(const char *cmd, size_t len, size_t i, size_t *alen)
{
    const char *p = cmd, *end = cmd + len;
    char *e;
    if (p >= end || *p != '*')
        return NULL;
    long n = strtol(p + 1, &e, 10);
    if (n < 0 || (size_t)n <= i || e + 2 > end || e[0] != '\r')
        return NULL;
    p = e + 2;
    for (size_t k = 0; p < end && *p == '$'; k++) {
        long l = strtol(p + 1, &e, 10);
        if (l < 0 || e + 2 > end || e[0] != '\r')
            return NULL;
        p = e + 2;
        if (l + 2 > end - p)
            return NULL;
        if (k == i) {
            *alen = (size_t)l;
            return p;
        }
        p += l + 2;
    }
    return NULL;
}

static int rcluster_word_is(const char *a, size_t l, const char *w)
{
    return l == strlen(w) && strncasecmp(a, w, l) == 0;
}

int rcluster_cmd_is(const char *cmd, size_t len, const char *name)
{
    size_t l;
    const char *a = rcluster_cmd_arg(cmd, len, 0, &l);
    return a && rcluster_word_is(a, l, name);
}

int rcluster_cmd_slot(const char *cmd, size_t len)
{
    /* commands whose first argument is not a key */
    static const char *const keyless[] = {
        "MULTI", "EXEC",    "DISCARD",  "UNWATCH", "PING",   "INFO",      "SCRIPT",
        "SCAN",  "CLUSTER", "AUTH",     "ASKING",  "DBSIZE", "FLUSHALL",  "FLUSHDB",
        "KEYS",  "SELECT",  "CLIENT",   "CONFIG",  "TIME",   "ACL",       "HELLO",
        "ECHO",  "QUIT",    "READONLY", "COMMAND", "WAIT",   "RANDOMKEY", "FUNCTION",
    };
    size_t l0, l, at = 1;
    const char *a0 = rcluster_cmd_arg(cmd, len, 0, &l0);
    if (!a0)
        return -1;
    for (size_t i = 0; i < sizeof keyless / sizeof keyless[0]; i++)
        if (rcluster_word_is(a0, l0, keyless[i]))
            return -1;
    if (rcluster_word_is(a0, l0, "EVAL") || rcluster_word_is(a0, l0, "EVALSHA") ||
        rcluster_word_is(a0, l0, "FCALL")) {
        const char *nk = rcluster_cmd_arg(cmd, len, 2, &l);
        if (!nk || l == 0 || nk[0] < '1' || nk[0] > '9')
            return -1; /* no key (0, or not a count) */
        at = 3;
    }
    const char *k = rcluster_cmd_arg(cmd, len, at, &l);
    return k ? (int)rcluster_slot(k, l) : -1;
}
