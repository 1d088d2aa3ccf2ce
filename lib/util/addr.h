/* SPDX-License-Identifier: Apache-2.0 */
/* addr.h -- the one parser of "host:port" addresses.
 *
 * recutd's Redis address and HTTP listen address, recutctl's -s and the
 * Redis publisher plugin all take an address from a person; each used to
 * split it at the last ':' in its own way, and one read the port with atoi.
 * This parser accepts "host:port", "[v6]:port" and, where asked, a bare host
 * (with a default port) or "unix:/path"; it refuses anything else with the
 * reason.  IP literals are checked with libevent's evutil_parse_sockaddr_port;
 * names must be DNS-like (letters, digits, '-', '.', '_').
 *
 * The plugins compile addr.c into their .so (it needs no other file of
 * lib/util), so they stay self-contained. */
#ifndef RECUT_UTIL_ADDR_H
#define RECUT_UTIL_ADDR_H

#include <stddef.h>

/* flags of util_parse_addr */
#define UTIL_ADDR_UNIX 1 /* accept "unix:/path": host gets the path, *port -1 */

/* Parse s.  A bare host (no port) is accepted only if default_port > 0, and
 * then gets it.  host receives the name, the IPv4 literal or the IPv6
 * literal without brackets; *port 1..65535 (-1 for a unix socket).
 * 0, or -1 with the reason in errstr. */
int util_parse_addr(const char *s, int flags, int default_port, char *host, size_t hostsz,
                    int *port, char *errstr, size_t errstr_size);

/* util_parse_addr(s, 0, 0, ...): exactly "host:port" or "[v6]:port". */
int util_parse_hostport(const char *s, char *host, size_t hostsz, int *port, char *errstr,
                        size_t errstr_size);

#endif
