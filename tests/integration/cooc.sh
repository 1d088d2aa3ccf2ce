#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Co-occurrence rows and logs (daemon/store_cooc.c): the counts in Redis are
# exactly the pairs the viewers liked, across many flushes, compactions, a
# row left as a hash by an earlier version, and corrupt rows.
. "$srcdir/helpers/harness.sh"

NM=12        # movies m1..m12 (and m13, corrupt from the start)
ROUNDS=8     # rounds of likes, each waited for (so each is its own flush)
NV=40        # viewers

h_start_stack 4 "$H_TMP/recutd.conf"
# A row written as a hash by an earlier version, before recutd starts:
# its counts must be kept.
h_redis HSET "recut:{i:m1}:co" m2 5 m3 2 >/dev/null
printf '[redis]\ncooc_log_max = 64\n' >>"$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf"
for i in $(seq 1 $NM); do
    h_put_movie "m$i" 1800 4 "G$((i % 3))"
done

# Viewer v likes, in round r, movie 1 + (v * 7 + r * (v % 5 + 1)) % NM,
# unless it liked it already: every viewer likes distinct movies, at most
# ROUNDS of them (fewer than cooc_window), so it pairs all of them.
# The expected counts are every ordered pair of a viewer's likes, plus the
# hash row's.
# gen PREFIX EXTRA_HASH: rounds PREFIX-round*.kv and PREFIX-expected.json
gen() {
    "$SYS_PYTHON3" - "$NV" "$ROUNDS" "$NM" "$H_TMP" "$1" "$2" <<'EOF'
import json, sys
nv, rounds, nm, tmp, pre, extra = (int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]),
                                   sys.argv[4], sys.argv[5], sys.argv[6] == "1")
liked = {v: [] for v in range(nv)}
ts = 1700000000000
for r in range(rounds):
    with open(f"{tmp}/{pre}-round{r}.kv", "w") as f:
        for v in range(nv):
            m = "m%d" % (1 + (v * 7 + r * (v % 5 + 1)) % nm)
            ts += 1000
            if m in liked[v]:
                continue
            liked[v].append(m)
            ev = {"user": f"{pre}{v}", "type": "like", "ts": ts, "movie": m}
            f.write(f"{pre}{v}\t{json.dumps(ev)}\n")
pairs = {}
for v, ms in liked.items():
    for a in ms:
        for b in ms:
            if a != b:
                pairs[(a, b)] = pairs.get((a, b), 0) + 1
if extra:
    pairs[("m1", "m2")] = pairs.get(("m1", "m2"), 0) + 5
    pairs[("m1", "m3")] = pairs.get(("m1", "m3"), 0) + 2
with open(f"{tmp}/{pre}-expected.json", "w") as f:
    json.dump({f"{a} {b}": n for (a, b), n in sorted(pairs.items())}, f)
EOF
}
gen v 1
gen w 0
gen x 0

# The Python checks read the binary values with tests/helpers/redis_state.py's
# RESP client: cmd(ARG...) with str or bytes arguments; replies as str
# (status, integer), bytes, None or lists.  Port: the first argument.

# What Redis holds: row blob (or hash) plus log, summed per movie m1..mN
# and compared with the expected pairs.
redis_counts() { # N EXPECTED.json...
    PYTHONPATH=$srcdir/helpers "$SYS_PYTHON3" - "$H_REDIS_PORT" "$@" <<'EOF'
import json, struct, sys, zlib
from redis_state import Conn
cmd = Conn(int(sys.argv[1])).cmd
nm, expected = int(sys.argv[2]), sys.argv[3:]
def records(b, out, row):
    pos = 0
    while pos < len(b):
        l = b[pos]
        pid = b[pos + 1:pos + 1 + l].decode()
        (n,) = struct.unpack_from("<I", b, pos + 1 + l)
        out[(row, pid)] = out.get((row, pid), 0) + n
        pos += 1 + l + 4
    assert pos == len(b), f"{row}: a partial record"
got = {}
# Row and log in one script, as recutd reads them: a compaction may still
# be running, and it changes both at once.
READ = """local t = redis.call('TYPE', KEYS[1]).ok
local row = false
if t == 'hash' then row = redis.call('HGETALL', KEYS[1])
elseif t == 'string' then row = redis.call('GET', KEYS[1]) end
return {t, row, redis.call('GET', KEYS[2])}"""
for i in range(1, nm + 1):
    movie = f"m{i}"
    typ, row, log = cmd("EVAL", READ, "2", "recut:{i:%s}:co" % movie, "recut:{i:%s}:col" % movie)
    typ = typ.decode()
    if typ == "hash":
        h = row
        for k in range(0, len(h), 2):
            got[(movie, h[k].decode())] = got.get((movie, h[k].decode()), 0) + int(h[k + 1])
    elif typ == "string":
        b = row
        magic, btype, ver, plen, crc = struct.unpack_from("<4sHHII", b, 0)
        assert magic == b"RCMB" and btype == 7 and ver == 1, (movie, magic, btype, ver)
        payload = b[16:]
        assert len(payload) == plen, f"{movie}: payload {len(payload)} bytes, header says {plen}"
        assert zlib.crc32(payload) == crc, f"{movie}: bad checksum"
        gen, n = struct.unpack_from("<QI", payload, 0)
        part = {}
        records(payload[12:], part, movie)
        assert len(part) == n, f"{movie}: {len(part)} records, header says {n}"
        for k, v in part.items():
            got[k] = got.get(k, 0) + v
    if log:
        records(log, got, movie)
want = {}
for e in expected:
    for k, v in json.load(open(e)).items():
        want[tuple(k.split())] = want.get(tuple(k.split()), 0) + v
bad = [(k, got.get(k), want.get(k)) for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)]
for k, g, w in bad[:10]:
    print(f"# {k[0]} -> {k[1]}: Redis {g}, expected {w}")
print(f"# {len(want)} pairs expected, {len(bad)} differ")
sys.exit(1 if bad else 0)
EOF
}

case_counts_exact() {
    local r applied=0
    for r in $(seq 0 $((ROUNDS - 1))); do
        h_produce recut.events <"$H_TMP/v-round$r.kv"
        applied=$((applied + $(wc -l <"$H_TMP/v-round$r.kv")))
        h_wait_metric recut_events_applied_total "$applied" || { h_check_failed "round $r not applied"; return 1; }
    done
    # the last flush is acknowledged before the batch counts as applied
    h_assert_true "co-occurrence counts in Redis equal the liked pairs" redis_counts $NM "$H_TMP/v-expected.json" || return 1
    h_assert_true "logs were compacted" h_metric_ge_ recut_cooc_compactions_total 1 || return 1
    h_assert_eq "$(h_redis TYPE 'recut:{i:m1}:co')" string "the hash row of an earlier version, after compaction"
}

# Wait until the group committed every event of recut.events: a commit
# follows Redis' acknowledgement of the events' changes and of their counts.
wait_committed() {
    local deadline=$((SECONDS + H_TIMEOUT)) c
    while :; do
        c=$(h_committed "recutd-$H_NAME" recut.events)
        set -- $c
        [ -n "${1:-}" ] && [ "$1" = "$2" ] && return 0
        [ "$SECONDS" -ge "$deadline" ] && { h_check_failed "committed/end offsets stuck at $c"; return 1; }
        sleep 0.3
    done
}

# The second instance holds partitions of recut.events once its log says
# so (the first instance has given them up by then: the group assigns only
# when every member has rejoined).
b_assigned_() { grep -q 'kafka: assigned [1-9][0-9]* partition' "$B_LOG"; }

case_two_instances() {
    # a second instance in the group: both append to and compact the same
    # rows, and the counts stay exact
    local a0 r total applied
    a0=$(h_metric recut_events_applied_total)
    A_PORT=$H_HTTP_PORT A_PID=$H_RECUTD_PID
    H_HTTP_PORT=$(h_free_port) || { h_check_failed "no free port"; return 1; }
    h_start_recutd "$H_TMP/recutd.conf" --set "http.listen=127.0.0.1:$H_HTTP_PORT"
    B_PORT=$H_HTTP_PORT B_PID=$H_RECUTD_PID B_LOG=$H_RECUTD_LOG
    # events produced before the rebalance would all go to the first
    # instance: wait until the second one holds its share of the partitions
    h_wait_for "$H_TIMEOUT" "partitions assigned to the second instance" b_assigned_ ||
        { h_check_failed "the second instance was assigned no partition"; return 1; }
    total=0
    for r in $(seq 0 $((ROUNDS - 1))); do
        h_produce recut.events <"$H_TMP/w-round$r.kv"
        total=$((total + $(wc -l <"$H_TMP/w-round$r.kv")))
        # each round applied (by both) before the next: many flushes, so
        # many compactions of the same rows by both instances.  Events
        # re-read after a rebalance are applied again: they carry no id,
        # but a like already in the history adds no pair.
        wait_committed || return 1
    done
    local a b
    H_HTTP_PORT=$A_PORT; a=$(h_metric recut_events_applied_total)
    H_HTTP_PORT=$B_PORT; b=$(h_metric recut_events_applied_total)
    h_log "instance A applied $((a - a0)), instance B applied $b of $total"
    [ "$b" -gt 0 ] || { h_check_failed "the second instance applied nothing"; return 1; }
    h_assert_true "counts in Redis equal the pairs of both instances' viewers" \
        redis_counts $NM "$H_TMP/v-expected.json" "$H_TMP/w-expected.json" || return 1
    # While both run, either may compact a row first and the other's
    # compaction of it is refused, so which one compacted is a race.  The
    # second instance alone now appends to the rows the first compacted: it
    # compacts them (asynchronously, after its flushes are acknowledged).
    H_RECUTD_PID=$A_PID
    h_stop_recutd
    H_RECUTD_PID=$B_PID
    applied=$b
    for r in $(seq 0 $((ROUNDS - 1))); do
        h_produce recut.events <"$H_TMP/x-round$r.kv"
        applied=$((applied + $(wc -l <"$H_TMP/x-round$r.kv")))
        h_wait_metric recut_events_applied_total "$applied" || { h_check_failed "round $r not applied"; return 1; }
    done
    wait_committed || return 1
    h_wait_for "$H_TIMEOUT" "a compaction by the second instance" \
        h_metric_ge_ recut_cooc_compactions_total 1 ||
        { h_check_failed "the second instance compacted"; return 1; }
    h_assert_true "counts in Redis equal the pairs of every viewer of both instances" \
        redis_counts $NM "$H_TMP/v-expected.json" "$H_TMP/w-expected.json" "$H_TMP/x-expected.json"
}

# Round r of viewers z: viewer zR_K likes m13 and then mK (K = 1..11).
gen_z() { # ROUNDS
    "$SYS_PYTHON3" - "$1" "$H_TMP" <<'EOF'
import json, sys
rounds, tmp = int(sys.argv[1]), sys.argv[2]
ts = 1800000000000
for r in range(rounds):
    with open(f"{tmp}/z-round{r}.kv", "w") as f:
        for k in range(1, 12):
            u = f"z{r}_{k}"
            for m in ("m13", f"m{k}"):
                ts += 1000
                f.write(f"{u}\t{json.dumps({'user': u, 'type': 'like', 'ts': ts, 'movie': m})}\n")
pairs = {}
for k in range(1, 12):
    pairs[f"m13 m{k}"] = rounds
    pairs[f"m{k} m13"] = rounds
with open(f"{tmp}/z-expected.json", "w") as f:
    json.dump(pairs, f)
EOF
}
m13_row_is_blob_() { [ "$(h_redis GETRANGE 'recut:{i:m13}:co' 0 3)" = RCMB ]; }

case_corrupt_row_compacted() {
    # m13's row is garbage before it has any count: its log is counted, and
    # its next compaction replaces the row by one made of the log alone
    local r applied
    h_redis SET "recut:{i:m13}:co" "not a model blob either" >/dev/null
    h_put_movie m13 1800 4 G1
    gen_z 4
    applied=$(h_metric recut_events_applied_total)
    for r in 0 1 2 3; do
        h_produce recut.events <"$H_TMP/z-round$r.kv"
        applied=$((applied + $(wc -l <"$H_TMP/z-round$r.kv")))
        h_wait_metric recut_events_applied_total "$applied" || { h_check_failed "round $r not applied"; return 1; }
    done
    wait_committed || return 1
    h_wait_for "$H_TIMEOUT" "m13's row compacted" m13_row_is_blob_ ||
        { h_check_failed "the corrupt row of m13 was never replaced"; return 1; }
    h_assert_true "the corrupt row is counted" h_metric_ge_ recut_cooc_bad_rows_total 1 || return 1
    h_assert_true "counts in Redis equal the pairs, m13's from its log" \
        redis_counts $((NM + 1)) "$H_TMP/v-expected.json" "$H_TMP/w-expected.json" \
        "$H_TMP/x-expected.json" "$H_TMP/z-expected.json"
}

# The compaction script of daemon/store/store_lua.h run as two instances
# would: both read the same corrupt row and log, the first compacts, more is
# appended, then the second's compaction comes.  It names the row it read by
# its first bytes, as recutd does: the row changed, so it must be refused,
# and leave the first one's row and the log appended since as they are.
stale_compaction() {
    PYTHONPATH=$srcdir/helpers "$SYS_PYTHON3" - "$H_REDIS_PORT" "$top_srcdir/daemon/store/store_lua.h" <<'EOF'
import re, sys
from redis_state import Conn
cmd = Conn(int(sys.argv[1])).cmd
src = open(sys.argv[2]).read()
m = re.search(r'store_lua_cooc_compact\[\]\s*=((?:\s*"(?:[^"\\]|\\.)*")+)\s*;', src)
script = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))).encode().decode("unicode_escape")
def rec(pid, n):
    return bytes([len(pid)]) + pid.encode() + n.to_bytes(4, "little")
row, log = "recut:{i:stale}:co", "recut:{i:stale}:col"
bad = b"not a model blob, and stale"
cmd("SET", row, bad)
cmd("SET", log, rec("m1", 3))
used = str(len(rec("m1", 3)))
first = cmd("EVAL", script, "2", row, log, b"row of the first", bad[:24], used)
cmd("APPEND", log, rec("m2", 1))
second = cmd("EVAL", script, "2", row, log, b"row of the second", bad[:24], used)
got = (first, second, cmd("GET", row), cmd("GET", log))
want = ("1", "0", b"row of the first", rec("m2", 1))
print(f"# compactions answered {got[0]} and {got[1]}; row {got[2]!r}, log {got[3]!r}")
sys.exit(0 if got == want else 1)
EOF
}

case_stale_compaction() {
    h_assert_true "a stale compaction of a corrupt row is refused" stale_compaction
}

case_corrupt_row() {
    # m12's row is garbage now: reads count its log only and say so
    local v u="" bad0
    bad0=$(h_metric recut_cooc_bad_rows_total)
    h_redis SET "recut:{i:m12}:co" "not a model blob" >/dev/null
    for v in $(seq 0 $((NV - 1))); do
        grep -q "\"user\": \"v$v\", \"type\": \"like\", \"ts\": [0-9]*, \"movie\": \"m12\"" "$H_TMP"/v-round*.kv && { u=v$v; break; }
    done
    [ -n "$u" ] || { h_check_failed "no viewer liked m12"; return 1; }
    h_http GET "/v1/users/$u/recommendations?n=5"
    h_assert_eq "$H_STATUS" 200 "recommendations of $u with a corrupt row" || return 1
    h_assert_true "the corrupt row is counted" h_metric_ge_ recut_cooc_bad_rows_total $((bad0 + 1))
}

h_case "counts are exact across flushes and compactions" case_counts_exact
h_case "two instances append and compact the same rows exactly" case_two_instances
h_case "a corrupt row is counted and replaced at its next compaction" case_corrupt_row_compacted
h_case "a corrupt row is counted and ignored" case_corrupt_row
h_case "a stale compaction of a corrupt row is refused" case_stale_compaction
h_done
