/* SPDX-License-Identifier: Apache-2.0 */
/* addr.c -- util_parse_addr (addr.h).  Uses snprintf rather than errbuf so
 * that a plugin can compile this file alone. */
#include "config.h"
#include "addr.h"

#include <event2/util.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define ADDR_UNIX_PREFIX "unix:"

static int addr_fail(char *errstr, size_t errstr_size, const char *s, const char *why)
{
    if (errstr && errstr_size)
        snprintf(errstr, errstr_size, "address '%s': %s", s, why);
    return -1;
}

/* A port: 1 to 5 digits, 1..65535; -1 if not. */
static int addr_port(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || n > 5 || strspn(p, "0123456789") != n)
        return -1;
    long v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (p[i] - '0');
    return v >= 1 && v <= 65535 ? (int)v : -1;
}

/* Only digits and dots: meant as an IPv4 literal, so checked as one. */
static int addr_looks_ipv4(const char *h)
{
    return h[0] && strspn(h, "0123456789.") == strlen(h);
}

static int addr_name_ok(const char *h)
{
    return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") ==
           strlen(h);
}

int util_parse_addr(const char *s, int flags, int default_port, char *host, size_t hostsz,
                    int *port, char *errstr, size_t errstr_size)
{
    if (!s || !*s)
        return addr_fail(errstr, errstr_size, "", "empty");
    if ((flags & UTIL_ADDR_UNIX) && strncmp(s, ADDR_UNIX_PREFIX, 5) == 0) {
        const char *path = s + 5;
        if (!*path)
            return addr_fail(errstr, errstr_size, s, "no socket path after 'unix:'");
        if (strlen(path) >= hostsz)
            return addr_fail(errstr, errstr_size, s, "socket path too long");
        memcpy(host, path, strlen(path) + 1);
        *port = -1;
        return 0;
    }
    if (!(flags & UTIL_ADDR_UNIX) && strncmp(s, ADDR_UNIX_PREFIX, 5) == 0)
        return addr_fail(errstr, errstr_size, s, "a unix socket is not accepted here");
    const char *hs, *he, *ps;
    int v6 = 0;
    if (s[0] == '[') {
        hs = s + 1;
        he = strchr(hs, ']');
        if (!he)
            return addr_fail(errstr, errstr_size, s, "'[' without ']'");
        if (he[1] == ':')
            ps = he + 2;
        else if (he[1] == '\0')
            ps = NULL;
        else
            return addr_fail(errstr, errstr_size, s, "expected ':' after ']'");
        v6 = 1;
    } else {
        const char *colon = strrchr(s, ':');
        if (colon && memchr(s, ':', (size_t)(colon - s)))
            return addr_fail(errstr, errstr_size, s,
                             "an IPv6 address needs brackets, as in [::1]:8080");
        hs = s;
        he = colon ? colon : s + strlen(s);
        ps = colon ? colon + 1 : NULL;
    }
    if (he == hs)
        return addr_fail(errstr, errstr_size, s, "no host");
    int p;
    if (!ps) {
        if (default_port <= 0)
            return addr_fail(errstr, errstr_size, s, "no port (expected host:port)");
        p = default_port;
    } else if (!*ps) {
        return addr_fail(errstr, errstr_size, s, "no port after ':'");
    } else if ((p = addr_port(ps)) < 0) {
        return addr_fail(errstr, errstr_size, s, "the port is not a number from 1 to 65535");
    }
    size_t hl = (size_t)(he - hs);
    if (hl >= hostsz)
        return addr_fail(errstr, errstr_size, s, "host too long");
    memcpy(host, hs, hl);
    host[hl] = '\0';
    if (v6 || addr_looks_ipv4(host)) {
        /* an IP literal: libevent knows the syntax (and v6 needs its brackets) */
        char lit[INET6_ADDRSTRLEN + 16];
        struct sockaddr_storage ss;
        int sl = (int)sizeof ss;
        if (hl >= INET6_ADDRSTRLEN ||
            snprintf(lit, sizeof lit, v6 ? "[%s]:%d" : "%s:%d", host, p) >= (int)sizeof lit ||
            evutil_parse_sockaddr_port(lit, (struct sockaddr *)&ss, &sl) < 0 ||
            ss.ss_family != (v6 ? AF_INET6 : AF_INET))
            return addr_fail(errstr, errstr_size, s,
                             v6 ? "not an IPv6 address in the brackets" : "not an IPv4 address");
    } else if (!addr_name_ok(host)) {
        return addr_fail(errstr, errstr_size, s,
                         "the host name may have only letters, digits, '-', '.' and '_'");
    }
    *port = p;
    return 0;
}

int util_parse_hostport(const char *s, char *host, size_t hostsz, int *port, char *errstr,
                        size_t errstr_size)
{
    return util_parse_addr(s, 0, 0, host, hostsz, port, errstr, errstr_size);
}
