/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_rcluster.c -- Redis Cluster routing (rcluster.c): key
 * slots against CLUSTER KEYSLOT answers recorded from redis-server 7.0,
 * CLUSTER SLOTS replies read from the wire, -MOVED/-ASK/-TRYAGAIN/
 * -CLUSTERDOWN, the map's updates, INFO cluster and the seed list.
 */
#include "config.h"
#include "rcluster.h"

#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

static void test_slots(void)
{
    /* recorded with redis-server --cluster-enabled yes; CLUSTER KEYSLOT KEY */
    static const struct {
        const char *key;
        unsigned slot;
    } cases[] = {
        { "foo", 12182 },
        { "bar", 5061 },
        { "123456789", 12739 },
        { "{user1000}.following", 3443 },
        { "{user1000}.followers", 3443 },
        { "foo{}{bar}", 8363 },    /* "{}" is no tag: the whole key */
        { "foo{{bar}}zap", 4015 }, /* the tag is "{bar" */
        { "foo{bar}{zap}", 5061 }, /* the first tag only: "bar" */
        { "{}foo", 9500 },
        { "recut:{u:42}:meta", 8980 },
        { "recut:{u:42}:ids", 8980 },
        { "recut:{catalog}:movies", 9113 },
        { "recut:pop", 10486 },
        { "recut:{pop:3}", 9436 },
        { "", 0 },
        { "a{", 14311 },
        { "}{b}", 3300 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned s = rcluster_slot(cases[i].key, strlen(cases[i].key));
        EXPECT(s == cases[i].slot, "slot of '%s': %u, want %u", cases[i].key, s, cases[i].slot);
    }
    /* the XMODEM check value */
    EXPECT(rcluster_crc16("123456789", 9) == 0x31c3, "crc16: %04x", rcluster_crc16("123456789", 9));
}

/* A reply parsed from RESP text, as hiredis would hand it over. */
static redisReply *parse(const char *resp)
{
    redisReader *r = redisReaderCreate();
    void *reply = NULL;
    redisReaderFeed(r, resp, strlen(resp));
    if (redisReaderGetReply(r, &reply) != REDIS_OK)
        reply = NULL;
    redisReaderFree(r);
    return reply;
}

#define ID "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca"
/* three masters with one replica each; the last range's master answered
 * with an empty host (the node asked); Redis 7 adds a metadata map */
static const char slots_reply[] =
    "*4\r\n"
    "*4\r\n:0\r\n:5460\r\n*4\r\n$9\r\n127.0.0.1\r\n:30001\r\n$40\r\n" ID "\r\n*0\r\n"
    "*4\r\n$9\r\n127.0.0.1\r\n:30004\r\n$40\r\n" ID "\r\n*0\r\n"
    "*4\r\n:5461\r\n:10922\r\n*4\r\n$9\r\n127.0.0.1\r\n:30002\r\n$40\r\n" ID "\r\n*0\r\n"
    "*4\r\n$9\r\n127.0.0.1\r\n:30005\r\n$40\r\n" ID "\r\n*0\r\n"
    "*4\r\n:10923\r\n:16000\r\n*3\r\n$0\r\n\r\n:30003\r\n$40\r\n" ID "\r\n"
    "*3\r\n$9\r\n127.0.0.1\r\n:30006\r\n$40\r\n" ID "\r\n"
    "*3\r\n:16001\r\n:16383\r\n*3\r\n$9\r\n127.0.0.1\r\n:30001\r\n$40\r\n" ID "\r\n";

static void test_map(void)
{
    struct rcluster_map m;
    rcluster_map_init(&m);
    EXPECT(rcluster_map_get(&m, 0) == NULL, "an empty map knows no slot");
    EXPECT(rcluster_map_unknown(&m) == RCLUSTER_SLOTS, "all unknown");
    redisReply *r = parse(slots_reply);
    EXPECT(r != NULL, "the reply parses");
    char err[200] = "";
    EXPECT(rcluster_map_load(&m, r, "10.0.0.9", err, sizeof err) == 0, "load: %s", err);
    freeReplyObject(r);
    static const struct {
        unsigned slot;
        const char *host;
        int port;
    } want[] = {
        { 0, "127.0.0.1", 30001 },     { 5460, "127.0.0.1", 30001 },  { 5461, "127.0.0.1", 30002 },
        { 10922, "127.0.0.1", 30002 }, { 10923, "10.0.0.9", 30003 },  { 16000, "10.0.0.9", 30003 },
        { 16001, "127.0.0.1", 30001 }, { 16383, "127.0.0.1", 30001 },
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct rcluster_node *n = rcluster_map_get(&m, want[i].slot);
        EXPECT(n && strcmp(n->host, want[i].host) == 0 && n->port == want[i].port,
               "slot %u: %s:%d, want %s:%d", want[i].slot, n ? n->host : "-", n ? n->port : 0,
               want[i].host, want[i].port);
    }
    EXPECT(m.n_nodes == 3, "three masters, replicas not routed to: %zu", m.n_nodes);
    EXPECT(rcluster_map_unknown(&m) == 0, "every slot known");
    /* a MOVED updates one slot */
    EXPECT(rcluster_map_set(&m, 8980, 8980, "10.0.0.9", 30003) == 0, "set");
    const struct rcluster_node *n = rcluster_map_get(&m, 8980);
    EXPECT(n && n->port == 30003, "slot 8980 moved to 30003");
    n = rcluster_map_get(&m, 8979);
    EXPECT(n && n->port == 30002, "slot 8979 stays on 30002");
    EXPECT(m.n_nodes == 3, "a known node is not added twice");
    EXPECT(rcluster_map_set(&m, 5, 16384, "x", 1) < 0, "slot 16384 refused");
    EXPECT(rcluster_map_set(&m, 9, 8, "x", 1) < 0, "an empty range refused");
    /* a bad reply leaves the map as it was */
    static const char *bad[] = {
        "-ERR This instance has cluster support disabled\r\n",
        "*1\r\n*3\r\n:0\r\n:16384\r\n*2\r\n$1\r\nh\r\n:1\r\n",
        "*1\r\n*3\r\n:9\r\n:8\r\n*2\r\n$1\r\nh\r\n:1\r\n",
        "*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n$1\r\nh\r\n:0\r\n",
        "*1\r\n*2\r\n:0\r\n:1\r\n",
        ":1\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = parse(bad[i]);
        EXPECT(rcluster_map_load(&m, r, "h", err, sizeof err) < 0, "bad reply %zu loaded", i);
        freeReplyObject(r);
    }
    n = rcluster_map_get(&m, 8980);
    EXPECT(n && n->port == 30003, "the map survived the bad replies");
    rcluster_map_fini(&m);
}

static void test_redirect(void)
{
    static const struct {
        const char *err;
        enum rcluster_redirect kind;
        unsigned slot;
        const char *host;
        int port;
    } cases[] = {
        { "MOVED 3999 127.0.0.1:6381", RCLUSTER_MOVED, 3999, "127.0.0.1", 6381 },
        { "ASK 3999 127.0.0.1:6381", RCLUSTER_ASK, 3999, "127.0.0.1", 6381 },
        { "MOVED 16383 :7000", RCLUSTER_MOVED, 16383, "self", 7000 },
        { "MOVED 1 ::1:7000", RCLUSTER_MOVED, 1, "::1", 7000 },
        { "MOVED 1 [::1]:7000", RCLUSTER_MOVED, 1, "::1", 7000 },
        { "ASK 0 redis-2.example:30002", RCLUSTER_ASK, 0, "redis-2.example", 30002 },
        { "TRYAGAIN Multiple keys request during rehashing of slot", RCLUSTER_TRYAGAIN, 0, NULL,
          0 },
        { "CLUSTERDOWN The cluster is down", RCLUSTER_CLUSTERDOWN, 0, NULL, 0 },
        { "CLUSTERDOWN", RCLUSTER_CLUSTERDOWN, 0, NULL, 0 },
        { "MOVED 16384 127.0.0.1:6381", RCLUSTER_NONE, 0, NULL, 0 },
        { "MOVED x 127.0.0.1:6381", RCLUSTER_NONE, 0, NULL, 0 },
        { "MOVED 12 127.0.0.1", RCLUSTER_NONE, 0, NULL, 0 },
        { "MOVED 12 127.0.0.1:0", RCLUSTER_NONE, 0, NULL, 0 },
        { "MOVED 12", RCLUSTER_NONE, 0, NULL, 0 },
        { "MOVEDX 12 h:1", RCLUSTER_NONE, 0, NULL, 0 },
        { "ASKING", RCLUSTER_NONE, 0, NULL, 0 },
        { "WRONGTYPE Operation against a key holding the wrong kind of value", RCLUSTER_NONE, 0,
          NULL, 0 },
        { "ERR unknown command", RCLUSTER_NONE, 0, NULL, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned slot = 99999;
        char host[64] = "";
        int port = 0;
        enum rcluster_redirect k = rcluster_redirect(cases[i].err, strlen(cases[i].err), "self",
                                                     &slot, host, sizeof host, &port);
        EXPECT(k == cases[i].kind, "'%s': kind %d, want %d", cases[i].err, (int)k,
               (int)cases[i].kind);
        if (k == cases[i].kind && cases[i].host)
            EXPECT(slot == cases[i].slot && strcmp(host, cases[i].host) == 0 &&
                       port == cases[i].port,
                   "'%s': %u %s:%d", cases[i].err, slot, host, port);
    }
}

static void test_info(void)
{
    static const char on[] = "# Cluster\r\ncluster_enabled:1\r\n";
    static const char off[] = "# Cluster\r\ncluster_enabled:0\r\n";
    static const char none[] = "# Server\r\nredis_version:7.0.15\r\n";
    EXPECT(rcluster_enabled(on, strlen(on)) == 1, "cluster_enabled:1");
    EXPECT(rcluster_enabled(off, strlen(off)) == 0, "cluster_enabled:0");
    EXPECT(rcluster_enabled(none, strlen(none)) == 0, "no cluster section");
}

static void test_seeds(void)
{
    struct rcluster_seeds s;
    char err[200] = "";
    EXPECT(rcluster_seeds_parse("10.0.0.1:7000, 10.0.0.2:7001,host3", &s, err, sizeof err) == 0,
           "seeds: %s", err);
    EXPECT(s.n == 3, "three seeds: %zu", s.n);
    if (s.n == 3) {
        EXPECT(strcmp(s.v[0].host, "10.0.0.1") == 0 && s.v[0].port == 7000, "seed 1");
        EXPECT(strcmp(s.v[1].host, "10.0.0.2") == 0 && s.v[1].port == 7001, "seed 2");
        EXPECT(strcmp(s.v[2].host, "host3") == 0 && s.v[2].port == 6379, "seed 3, default port");
    }
    rcluster_seeds_free(&s);
    static const char *bad[] = { "", "a:1,", ",a:1", "a:1,,b:2", "a:99999", "unix:/x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        EXPECT(rcluster_seeds_parse(bad[i], &s, err, sizeof err) < 0, "'%s' accepted", bad[i]);
        rcluster_seeds_free(&s);
    }
}

/* Formatted commands (as hiredis writes them): the slot of the first key,
 * the name, an argument; keyless and malformed commands have no slot. */
static void test_commands(void)
{
    static const struct {
        const char *argv[6];
        int argc;
        int slot; /* 8980: CLUSTER KEYSLOT recut:{u:42}:meta, test_slots */
    } t[] = {
        { { "GET", "recut:{u:42}:meta" }, 2, 8980 },
        { { "hgetall", "{u:42}x" }, 2, 8980 },
        { { "EVALSHA", "abc", "2", "recut:{u:42}:a", "recut:{u:42}:b", "x" }, 6, 8980 },
        { { "EVAL", "return 1", "0", "x" }, 4, -1 },
        { { "EVAL", "return 1", "x", "k" }, 4, -1 },
        { { "MULTI" }, 1, -1 },
        { { "ping" }, 1, -1 },
        { { "SCAN", "0", "MATCH", "recut:*" }, 4, -1 },
        { { "CLUSTER", "SLOTS" }, 2, -1 },
        { { "GET" }, 1, -1 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *cmd;
        /* (hiredis 0.14 takes const char **, not const char *const *) */
        int len = redisFormatCommandArgv(&cmd, t[i].argc, (const char **)t[i].argv, NULL);
        EXPECT(len > 0, "format %s", t[i].argv[0]);
        if (len <= 0)
            continue;
        EXPECT(rcluster_cmd_slot(cmd, (size_t)len) == t[i].slot, "slot of %s %s: %d", t[i].argv[0],
               t[i].argc > 1 ? t[i].argv[1] : "", rcluster_cmd_slot(cmd, (size_t)len));
        EXPECT(rcluster_cmd_is(cmd, (size_t)len, t[i].argv[0]), "name %s", t[i].argv[0]);
        /* cut anywhere, the command is never read past its end */
        for (int cut = 0; cut < len; cut++)
            (void)rcluster_cmd_slot(cmd, (size_t)cut);
        free(cmd);
    }
    char *cmd;
    int len = redisFormatCommand(&cmd, "SET %s %s", "k1", "value");
    size_t al = 0;
    const char *a = rcluster_cmd_arg(cmd, (size_t)len, 2, &al);
    EXPECT(a && al == 5 && memcmp(a, "value", 5) == 0, "argument 2 of SET");
    EXPECT(!rcluster_cmd_arg(cmd, (size_t)len, 3, &al), "no argument 3 of SET");
    EXPECT(rcluster_cmd_is(cmd, (size_t)len, "set") && !rcluster_cmd_is(cmd, (size_t)len, "SETNX"),
           "SET is set, not SETNX");
    EXPECT(rcluster_cmd_slot(cmd, (size_t)len) == (int)rcluster_slot("k1", 2), "slot of SET k1");
    EXPECT(!rcluster_cmd_arg(cmd, (size_t)len - 9, 2, &al), "a cut argument is not read");
    free(cmd);
    EXPECT(rcluster_cmd_slot("PING\r\n", 6) == -1, "an inline command has no slot");
}

/* [redis] address: one server (unix sockets too) or a list of seeds */
static void test_address(void)
{
    struct rcluster_seeds s;
    char err[200] = "";
    EXPECT(rcluster_address_parse("10.0.0.1", &s, err, sizeof err) == 0 && s.n == 1 &&
               strcmp(s.v[0].host, "10.0.0.1") == 0 && s.v[0].port == 6379,
           "one host, default port: %s", err);
    rcluster_seeds_free(&s);
    EXPECT(rcluster_address_parse("unix:/run/redis.sock", &s, err, sizeof err) == 0 && s.n == 1 &&
               strcmp(s.v[0].host, "/run/redis.sock") == 0 && s.v[0].port == -1,
           "a unix socket: %s", err);
    rcluster_seeds_free(&s);
    EXPECT(rcluster_address_parse("a:7000,b:7001", &s, err, sizeof err) == 0 && s.n == 2 &&
               s.v[1].port == 7001,
           "two seeds: %s", err);
    rcluster_seeds_free(&s);
    EXPECT(rcluster_address_parse("a:99999", &s, err, sizeof err) < 0 && s.n == 0 && err[0],
           "a bad port is refused with a reason");
    EXPECT(rcluster_address_parse("a:1,unix:/x", &s, err, sizeof err) < 0 && s.n == 0,
           "a unix socket in a list of seeds is refused");
    rcluster_seeds_free(&s);
}

int main(void)
{
    test_slots();
    test_map();
    test_redirect();
    test_info();
    test_seeds();
    test_commands();
    test_address();
    return expect_report();
}
