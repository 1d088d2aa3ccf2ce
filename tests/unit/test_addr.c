/* SPDX-License-Identifier: Apache-2.0 */
/* test_addr.c -- the address parser: a table of good inputs with what they
 * parse to, and of bad ones with the reason each must be refused for. */
#include "config.h"

#include "addr.h"
#include "expect.h"

#include <string.h>

struct addr_case {
    const char *in;
    int flags, default_port;
    const char *host; /* NULL: refused */
    int port;         /* or a piece of the reason */
    const char *why;
};

static const struct addr_case cases[] = {
    /* good */
    { "127.0.0.1:80", 0, 0, "127.0.0.1", 80, NULL },
    { "[::1]:8080", 0, 0, "::1", 8080, NULL },
    { "localhost:6379", 0, 0, "localhost", 6379, NULL },
    { "redis-1.example_net:1", 0, 0, "redis-1.example_net", 1, NULL },
    { "0.0.0.0:65535", 0, 0, "0.0.0.0", 65535, NULL },
    { "[fe80::1:2]:443", 0, 0, "fe80::1:2", 443, NULL },
    { "nohost", 0, 6379, "nohost", 6379, NULL }, /* bare host, default port */
    { "[::1]", 0, 8080, "::1", 8080, NULL },     /* the same in brackets */
    { "unix:/tmp/r.sock", UTIL_ADDR_UNIX, 6379, "/tmp/r.sock", -1, NULL },
    { "localhost:6380", UTIL_ADDR_UNIX, 6379, "localhost", 6380, NULL },
    /* bad */
    { "nohost", 0, 0, NULL, 0, "no port" },
    { "host:99999", 0, 0, NULL, 0, "not a number from 1 to 65535" },
    { "host:0", 0, 0, NULL, 0, "not a number from 1 to 65535" },
    { "host:80x", 0, 0, NULL, 0, "not a number from 1 to 65535" },
    { "host:-1", 0, 0, NULL, 0, "not a number from 1 to 65535" },
    { "host:+80", 0, 0, NULL, 0, "not a number from 1 to 65535" },
    { "host:", 0, 0, NULL, 0, "no port after ':'" },
    { "host:", 0, 6379, NULL, 0, "no port after ':'" },
    { ":80", 0, 0, NULL, 0, "no host" },
    { "[]:80", 0, 0, NULL, 0, "no host" },
    { "", 0, 6379, NULL, 0, "empty" },
    { "unix:/tmp/r.sock", 0, 0, NULL, 0, "unix socket is not accepted" },
    { "unix:", UTIL_ADDR_UNIX, 0, NULL, 0, "no socket path" },
    { "::1:80", 0, 0, NULL, 0, "needs brackets" },
    { "[::1:80", 0, 0, NULL, 0, "without ']'" },
    { "[::1]80", 0, 0, NULL, 0, "expected ':' after ']'" },
    { "[nothex]:80", 0, 0, NULL, 0, "not an IPv6 address" },
    { "[127.0.0.1]:80", 0, 0, NULL, 0, "not an IPv6 address" },
    { "300.1.1.1:80", 0, 0, NULL, 0, "not an IPv4 address" },
    { "1.2.3:80", 0, 0, NULL, 0, "not an IPv4 address" },
    { "bad host:80", 0, 0, NULL, 0, "host name may have only" },
    { "a/b:80", 0, 0, NULL, 0, "host name may have only" },
};

static void test_table(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct addr_case *c = &cases[i];
        char host[64] = "", err[256] = "";
        int port = 12345;
        int rc = util_parse_addr(c->in, c->flags, c->default_port, host, sizeof host, &port, err,
                                 sizeof err);
        if (c->host) {
            EXPECT(rc == 0 && strcmp(host, c->host) == 0 && port == c->port,
                   "'%s': rc %d host '%s' port %d (%s), expected '%s' port %d", c->in, rc, host,
                   port, err, c->host, c->port);
        } else {
            EXPECT(rc == -1 && strstr(err, c->why) && strstr(err, c->in) && port == 12345,
                   "'%s': rc %d port %d, reason '%s', expected one with '%s'", c->in, rc, port, err,
                   c->why);
        }
    }
}

static void test_hostport(void)
{
    char host[16], err[128];
    int port = 0;
    /* util_parse_hostport is the strict form: no bare host, no unix socket */
    EXPECT_TRUE(util_parse_hostport("127.0.0.1:80", host, sizeof host, &port, err, sizeof err) ==
                    0 &&
                strcmp(host, "127.0.0.1") == 0 && port == 80);
    EXPECT_TRUE(util_parse_hostport("localhost", host, sizeof host, &port, err, sizeof err) == -1);
    EXPECT_TRUE(util_parse_hostport("unix:/x", host, sizeof host, &port, err, sizeof err) == -1);
    /* a host that does not fit the caller's buffer */
    EXPECT_TRUE(util_parse_hostport("a-rather-long-host-name:80", host, sizeof host, &port, err,
                                    sizeof err) == -1 &&
                strstr(err, "too long"));
    EXPECT_TRUE(util_parse_addr("unix:/a/rather/long/socket/path", UTIL_ADDR_UNIX, 0, host,
                                sizeof host, &port, err, sizeof err) == -1 &&
                strstr(err, "too long"));
    /* no error buffer is fine */
    EXPECT_TRUE(util_parse_hostport("x", host, sizeof host, &port, NULL, 0) == -1);
}

int main(void)
{
    test_table();
    test_hostport();
    return expect_report();
}
