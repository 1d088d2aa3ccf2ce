#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# redis_state.py -- what recut keeps in Redis, as one canonical JSON
# document, so two runs of the same stream can be compared key by key
# whatever their topology: a standalone Redis or every master of a Redis
# Cluster (found with CLUSTER NODES; each master scanned on its own).
#
# Values are normalised so that equal state prints equal: hashes as sorted
# maps, sorted sets as maps, lists as lists, and a movie's co-occurrence
# row blob and its append log (PREFIX:{i:M}:co / :col) as one map of
# partner -> count, because how counts are split between the two depends
# on when compactions ran, not on what was counted.  Other strings are
# printed as text when they are UTF-8, else as their SHA-256.
#
# Usage: redis_state.py PORT PREFIX [--exclude REGEX]... > state.json
# Also: redis_state.py PORT PREFIX --keys  (only the key names, one a line)
# As a module: Conn(PORT).cmd(ARG...), the RESP client (cooc.sh uses it).
import hashlib, json, re, socket, struct, sys, zlib


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.f = self.sock.makefile("rb")

    def cmd(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.reply()

    def reply(self):
        line = self.f.readline()[:-2]
        t, rest = line[:1], line[1:]
        if t in (b"+", b":"):
            return rest.decode()
        if t == b"-":
            raise SystemExit("redis: " + rest.decode())
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2]
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise SystemExit("bad reply %r" % line)


def masters(port):
    c = Conn(port)
    info = c.cmd("INFO", "cluster").decode()
    if "cluster_enabled:1" not in info:
        return [port]
    ports = []
    for line in c.cmd("CLUSTER", "NODES").decode().splitlines():
        f = line.split()
        if "master" in f[2].split(",") and "fail" not in f[2]:
            ports.append(int(f[1].split("@")[0].rsplit(":", 1)[1]))
    # (a node that just handed over in a failover may still be listed as a
    # master by the others: ask each one itself)
    return sorted(p for p in ports if Conn(p).cmd("ROLE")[0] == b"master")


def records(b, out):
    pos = 0
    while pos < len(b):
        l = b[pos]
        pid = b[pos + 1:pos + 1 + l].decode()
        (n,) = struct.unpack_from("<I", b, pos + 1 + l)
        out[pid] = out.get(pid, 0) + n
        pos += 1 + l + 4
    if pos != len(b):
        raise SystemExit("a partial co-occurrence record")


def row_counts(b, out):
    magic, btype, ver, plen, crc = struct.unpack_from("<4sHHII", b, 0)
    payload = b[16:]
    if magic != b"RCMB" or len(payload) != plen or zlib.crc32(payload) != crc:
        raise SystemExit("a damaged co-occurrence row")
    records(payload[12:], out)


def text(b):
    try:
        return b.decode()
    except UnicodeDecodeError:
        return "sha256:" + hashlib.sha256(b).hexdigest()


def main():
    port, prefix = int(sys.argv[1]), sys.argv[2]
    rest = sys.argv[3:]
    only_keys = "--keys" in rest
    excl = [re.compile(rest[i + 1]) for i, a in enumerate(rest) if a == "--exclude"]
    state, cooc = {}, {}
    for p in masters(port):
        c = Conn(p)
        cur = "0"
        keys = []
        while True:
            cur, ks = c.cmd("SCAN", cur, "MATCH", prefix + ":*", "COUNT", "1000")
            cur = cur.decode()
            keys += [k.decode() for k in ks]
            if cur == "0":
                break
        for k in keys:
            if any(x.search(k) for x in excl):
                continue
            if only_keys:
                state[k] = p
                continue
            t = c.cmd("TYPE", k)
            m = re.match(r".*:\{i:(.*)\}:(co|col)$", k)
            if m and t == "string":
                counts = cooc.setdefault("cooc:" + m.group(1), {})
                v = c.cmd("GET", k)
                (row_counts if m.group(2) == "co" else records)(v, counts)
            elif t == "hash":
                h = c.cmd("HGETALL", k)
                state[k] = {text(h[i]): text(h[i + 1]) for i in range(0, len(h), 2)}
            elif t == "zset":
                z = c.cmd("ZRANGE", k, "0", "-1", "WITHSCORES")
                state[k] = {text(z[i]): float(z[i + 1]) for i in range(0, len(z), 2)}
            elif t == "list":
                state[k] = [text(x) for x in c.cmd("LRANGE", k, "0", "-1")]
            elif t == "set":
                state[k] = sorted(text(x) for x in c.cmd("SMEMBERS", k))
            elif t == "string":
                state[k] = text(c.cmd("GET", k))
            else:
                state[k] = t
    if only_keys:
        for k in sorted(state):
            print(k)
        return
    for k, v in cooc.items():
        state[k] = {p: n for p, n in v.items() if n}
    json.dump(state, sys.stdout, sort_keys=True, indent=1)
    print()


if __name__ == "__main__":
    main()
