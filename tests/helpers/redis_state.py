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
# A viewer's state blob (PREFIX:{u:ID}:state, lib/core/viewer_blob.h) is
# printed as the keys it replaced (meta, nb, seen, scenes, hist, ids), so
# a run is compared field by field.
#
# Usage: redis_state.py PORT PREFIX [--exclude REGEX]... > state.json
# Also: redis_state.py PORT PREFIX --keys  (only the key names, one a line)
# And: redis-cli GET PREFIX:{u:ID}:state | redis_state.py --viewer PART [FIELD]
#   one part of that viewer (meta, nb, seen, scenes, hist, ids): a field's
#   value, or without FIELD the fields (or hist's items) one a line;
#   nothing when the viewer has no state
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


def uv(b, pos):
    v, shift = 0, 0
    while True:
        c = b[pos]
        pos += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, pos


def unzz(u):
    return (u >> 1) ^ -(u & 1)


def num_text(v):
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def viewer_state(b):
    """The viewer blob b as {part: value}, every number as text."""
    magic, btype, ver, plen, crc = struct.unpack_from("<4sHHII", b, 0)
    p = b[16:]
    if magic != b"RCMB" or btype != 8 or ver != 1 or len(p) != plen or zlib.crc32(p) != crc:
        raise SystemExit("a damaged viewer blob")
    events, pos = uv(p, 0)
    ts, pos = uv(p, pos)
    consent = p[pos]
    pos += 1
    out = {"meta": {"events": str(events), "last_ts": str(unzz(ts)), "consent": str(consent)}}

    def string(pos):
        n, pos = uv(p, pos)
        return p[pos:pos + n].decode(), pos + n

    def key(prev, pos):  # front-coded against prev
        shared, pos = uv(p, pos)
        rest, pos = string(pos)
        return prev[:shared] + rest, pos

    def number(pos):
        h, pos = uv(p, pos)
        if h & 7 == 7:
            return struct.unpack_from("<d", p, pos)[0], pos + 8
        return unzz(h >> 3) / [1, 10, 100, 1e3, 1e4, 1e5, 1e6][h & 7], pos

    seen = []
    for part in ("nb", "seen", "scenes"):
        n, pos = uv(p, pos)
        m, k = {}, ""
        for _ in range(n):
            k, pos = key(k, pos)
            v, pos = number(pos)
            m[k] = num_text(v)
            if part == "seen":
                seen.append(k)
        out[part] = m
    n, pos = uv(p, pos)
    out["hist"] = []
    for _ in range(n):
        ref, pos = uv(p, pos)
        if ref:
            k = seen[ref - 1]
        else:
            k, pos = string(pos)
        out["hist"].append(k)
    n, pos = uv(p, pos)
    ids, prev, k = {}, 0, ""
    for _ in range(n):
        k, pos = key(k, pos)
        d, pos = uv(p, pos)
        prev += unzz(d)
        ids[k] = float(prev)
    out["ids"] = ids
    if pos != len(p):
        raise SystemExit("a viewer blob with bytes left over")
    return out


def viewer_main(args):
    b = sys.stdin.buffer.read()
    if b.endswith(b"\n"):
        b = b[:-1]  # redis-cli's
    if not b:
        return
    v = viewer_state(b)[args[0]]
    if len(args) > 1:
        if isinstance(v, dict) and args[1] in v:
            print(v[args[1]])
    else:
        for k in v:
            print(k)


def text(b):
    try:
        return b.decode()
    except UnicodeDecodeError:
        return "sha256:" + hashlib.sha256(b).hexdigest()


def main():
    if sys.argv[1] == "--viewer":
        return viewer_main(sys.argv[2:])
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
            if k.endswith(":state") and t == "string" and ":{u:" in k:
                for part, v in viewer_state(c.cmd("GET", k)).items():
                    state[k[:-len("state")] + part] = v
            elif m and t == "string":
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
