#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test-recutctl.sh -- recutctl against a real recutd (HTTP only, no Kafka)
# and a private redis-server: every command, its output and its exit code.
#
# Run through `make check` (tests/Makefile.am exports top_builddir, srcdir,
# REDIS_SERVER, SYS_PYTHON3).  Exit 0 pass, 1 fail, 77 skip (a tool is
# missing), 99 hard error.  RECUTCTL_TEST_KEEP=1 keeps the temp dir.

set -u

: "${top_builddir:?run through make check}"
: "${REDIS_SERVER:=redis-server}"
: "${SYS_PYTHON3:=/usr/bin/python3}"

RECUTD=$top_builddir/daemon/recutd
RECUTCTL=$top_builddir/ctl/recutctl
PLUGINS=$top_builddir/plugins/.libs

command -v "$REDIS_SERVER" >/dev/null 2>&1 || { echo "SKIP: no redis-server"; exit 77; }
command -v "$SYS_PYTHON3" >/dev/null 2>&1 || { echo "SKIP: no $SYS_PYTHON3"; exit 77; }
for f in "$RECUTD" "$RECUTCTL" "$PLUGINS/highlights.so"; do
    [ -e "$f" ] || { echo "ERROR: $f is not built (make -C daemon, make -C plugins)"; exit 99; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/test-recutctl.XXXXXX") || exit 99
PIDS=""
cleanup() {
    for p in $PIDS; do
        kill "$p" 2>/dev/null
    done
    for p in $PIDS; do
        wait "$p" 2>/dev/null
    done
    if [ "${RECUTCTL_TEST_KEEP:-0}" = 1 ]; then
        echo "# kept $T"
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT
trap 'exit 99' INT TERM HUP

FAILS=0
CHECKS=0
ok() { CHECKS=$((CHECKS + 1)); printf 'ok %d - %s\n' "$CHECKS" "$1"; }
not_ok() {
    CHECKS=$((CHECKS + 1))
    FAILS=$((FAILS + 1))
    printf 'not ok %d - %s\n' "$CHECKS" "$1"
    if [ -s "$T/out" ]; then echo "#   stdout: $(head -c 600 "$T/out")"; fi
    if [ -s "$T/err" ]; then echo "#   stderr: $(head -c 600 "$T/err")"; fi
}
dump_logs() {
    echo "----- recutd log (last 40 lines) -----"
    tail -n 40 "$T/recutd.log" 2>/dev/null
}
hard_fail() {
    echo "ERROR: $*"
    dump_logs
    exit 99
}

# ctl ARGS...: run recutctl against the test daemon; stdout in $T/out,
# stderr in $T/err, exit status in $RC.
# A daemon that dies is a failure; it is restarted (same Redis) so that the
# remaining checks still run.
ctl() {
    "$RECUTCTL" -s "127.0.0.1:$HTTP_PORT" -T 20 "$@" >"$T/out" 2>"$T/err"
    RC=$?
    if [ -n "${RECUTD_PID:-}" ] && ! kill -0 "$RECUTD_PID" 2>/dev/null; then
        wait "$RECUTD_PID" 2>/dev/null
        local st=$?
        CHECKS=$((CHECKS + 1))
        FAILS=$((FAILS + 1))
        printf 'not ok %d - recutd died (exit status %d) serving: recutctl %s\n' "$CHECKS" "$st" "$*"
        dump_logs
        cp "$T/recutd.log" "$T/recutd.died.$CHECKS.log" 2>/dev/null
        start_recutd || hard_fail "recutd did not restart"
    fi
}

# expect_rc WANT DESCRIPTION
expect_rc() {
    if [ "$RC" = "$1" ]; then ok "$2 (exit $1)"; else not_ok "$2: exit $RC, expected $1"; fi
}

# pycheck DESCRIPTION PYTHON-EXPR: the expression, with `d` the JSON
# document in $T/out, must be true.
pycheck() {
    if "$SYS_PYTHON3" - "$T/out" "$2" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("#   not JSON: %s" % e)
    sys.exit(1)
ok = eval(sys.argv[2], {"d": d})
sys.exit(0 if ok else 1)
EOF
    then ok "$1"; else not_ok "$1 [$2]"; fi
}

# grep_check DESCRIPTION FILE PATTERN (fixed string)
grep_check() {
    if grep -qF -- "$3" "$2"; then ok "$1"; else not_ok "$1 (no '$3' in $(basename "$2"))"; fi
}

free_port() {
    "$SYS_PYTHON3" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ---- redis ---------------------------------------------------------------
mkdir -p "$T/redis"
"$REDIS_SERVER" --port 0 --unixsocket "$T/redis/redis.sock" --unixsocketperm 700 \
    --dir "$T/redis" --save '' --appendonly no --daemonize no \
    --logfile "$T/redis/redis.log" &
REDIS_PID=$!
PIDS="$PIDS $REDIS_PID"
for _ in $(seq 1 100); do
    [ -S "$T/redis/redis.sock" ] && break
    sleep 0.1
done
[ -S "$T/redis/redis.sock" ] || hard_fail "redis-server did not start"

# ---- recutd ----------------------------------------------------------------
start_recutd() {
    HTTP_PORT=$(free_port) || hard_fail "no free port"
    cat >"$T/recutd.conf" <<EOF
[daemon]
log_level = info
[kafka]
brokers =
[redis]
address = unix:$T/redis/redis.sock
prefix = ctltest
[http]
listen = 127.0.0.1:$HTTP_PORT
[plugins]
dir = $PLUGINS
load = highlights,redis
[publish]
delay_ms = 0
EOF
    "$RECUTD" -c "$T/recutd.conf" >"$T/recutd.log" 2>&1 &
    RECUTD_PID=$!
    PIDS="$PIDS $RECUTD_PID"
    for _ in $(seq 1 100); do
        if ! kill -0 "$RECUTD_PID" 2>/dev/null; then
            return 1
        fi
        if "$RECUTCTL" -s "127.0.0.1:$HTTP_PORT" -T 2 health >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}
started=0
for _ in 1 2 3; do # another process may take the port first
    if start_recutd; then started=1; break; fi
done
[ "$started" = 1 ] || hard_fail "recutd did not start"

# ---- test data -------------------------------------------------------------
# Four movies of 10 scenes of 60 s; scene i has arousal i/10.
"$SYS_PYTHON3" - "$T" <<'EOF'
import json, sys
t = sys.argv[1]
movies = {
    "m1": ("Heist One", ["Action", "Thriller"], ["heist"]),
    "m2": ("Heist Two", ["Action", "Thriller"], ["heist", "sequel"]),
    "m3": ("Quiet Drama", ["Drama"], ["family"]),
    "m4": ("Funny Thing", ["Comedy"], ["satire"]),
    "m/5 x?&=%": ("Odd Id", ["Action"], []),
}
for n, (mid, (title, genres, tags)) in enumerate(sorted(movies.items())):
    scenes = [{"start": 60.0 * i, "end": 60.0 * (i + 1), "labels": ["action" if i % 2 else "dialogue"],
               "arousal": i / 10.0, "valence": (i - 5) / 10.0} for i in range(10)]
    doc = {"id": mid, "title": title, "duration": 600.0, "genres": genres, "tags": tags, "scenes": scenes}
    json.dump(doc, open("%s/movie%d.json" % (t, n), "w"))
# the odd id sorts first: movie0.json
EOF
[ -s "$T/movie4.json" ] || hard_fail "cannot write the test movies"

# ---- general ---------------------------------------------------------------
"$RECUTCTL" --version >"$T/out" 2>"$T/err"; RC=$?
expect_rc 0 "--version"
grep_check "--version names recutctl" "$T/out" "recutctl "

"$RECUTCTL" --help >"$T/out" 2>"$T/err"; RC=$?
expect_rc 0 "--help"
grep_check "--help lists put-movie" "$T/out" "put-movie"

"$RECUTCTL" >"$T/out" 2>"$T/err"; RC=$?
expect_rc 64 "no command is a usage error"
ctl frobnicate
expect_rc 64 "an unknown command is a usage error"
ctl recs
expect_rc 64 "recs without a user"
ctl recs u1 -n zero
expect_rc 64 "recs -n must be a number"
ctl cut u1 m1 --budget 10x
expect_rc 64 "cut --budget must be seconds or a percentage"
ctl cut u1 m1 --format avi
expect_rc 64 "cut --format is checked"
ctl recs u1 --no-such-option
expect_rc 64 "an unknown option is a usage error"
"$RECUTCTL" -s 'host:notaport' health >"$T/out" 2>"$T/err"; RC=$?
expect_rc 64 "a malformed --server"

# ---- health, plugins, metrics ----------------------------------------------
ctl health
expect_rc 0 "health"
pycheck "health says ok, Redis up, no Kafka" 'd["status"] == "ok" and d["redis"] is True and d["kafka"] is False'

RECUT_SERVER="127.0.0.1:$HTTP_PORT" "$RECUTCTL" health >"$T/out" 2>"$T/err"; RC=$?
expect_rc 0 "RECUT_SERVER names the server"

ctl plugins
expect_rc 0 "plugins"
pycheck "plugins lists the highlights editor" 'any(p["name"] == "highlights" and p["kind"] == "editor" for p in d)'

# ---- movies ----------------------------------------------------------------
for n in 1 2 3 4; do
    ctl put-movie "$T/movie$n.json"
    expect_rc 0 "put-movie movie$n.json"
done
pycheck "put-movie answers the stored id and scene count" 'd["id"] == "m4" and d["scenes"] == 10'

ctl put-movie "$T/movie0.json"
expect_rc 0 "put-movie with an id that needs URL encoding"
ctl get-movie 'm/5 x?&=%'
expect_rc 0 "get-movie with an id that needs URL encoding"
pycheck "get-movie returns that entry" 'd["id"] == "m/5 x?&=%" and d["title"] == "Odd Id"'

ctl get-movie m2
expect_rc 0 "get-movie m2"
pycheck "get-movie m2 returns m2" 'd["id"] == "m2" and len(d["scenes"]) == 10'

ctl get-movie no-such-movie
expect_rc 1 "get-movie of an unknown id"
grep_check "the server's error is on stderr" "$T/err" "no movie 'no-such-movie'"

ctl put-movie "$T/movie1.json" --id other
expect_rc 1 "put-movie --id differing from the entry's id"
[ -s "$T/err" ] && ok "... with a message on stderr" || not_ok "put-movie mismatch: no message"

printf '{"id": "bad", "duration": ' >"$T/bad.json"
ctl put-movie "$T/bad.json"
expect_rc 1 "put-movie of a file that is not JSON"
grep_check "... names the file" "$T/err" "bad.json"

printf '{"id": "m9", "duration": -5, "scenes": []}' >"$T/invalid.json"
ctl put-movie "$T/invalid.json"
expect_rc 1 "put-movie of an invalid entry (negative duration)"
grep_check "... the server says why" "$T/err" "invalid catalog entry"

ctl put-movie "$T/no-such-file.json"
expect_rc 1 "put-movie of a missing file"

# ---- events ----------------------------------------------------------------
ctl event '{"user":"u1","type":"rating","ts":1700000000000,"id":"e1","movie":"m1","value":5}'
expect_rc 0 "event JSON"
pycheck "one event accepted" 'd["accepted"] == 1 and d["rejected"] == []'

ctl event '{"user":"u1","type":"rating"'
expect_rc 1 "event with broken JSON is refused before sending"

ctl event '{"user":"u1","type":"teleport","ts":1}'
expect_rc 1 "event of an unknown type"
grep_check "... the reason is on stderr" "$T/err" "unknown_type"

cat >"$T/events.ndjson" <<'EOF'
{"user":"u1","type":"like","ts":1700000001000,"id":"e2","movie":"m1"}
{"user":"u1","type":"view","ts":1700000002000,"id":"e3","movie":"m4","value":1.0}

{"user":"u1","type":"skip","ts":1700000003000,"id":"e4"}
{"user":"u2","type":"rating","ts":1700000004000,"id":"e5","movie":"m1","value":4.5}
{"user":"u2","type":"rating","ts":1700000005000,"id":"e6","movie":"m2","value":5}
{"user":"a b/c?d","type":"like","ts":1700000006000,"id":"e7","movie":"m3"}
EOF
ctl event --file "$T/events.ndjson"
expect_rc 1 "event --file with one malformed line exits 1"
pycheck "five events accepted, line 4 rejected" \
    'd["accepted"] == 5 and [r["line"] for r in d["rejected"]] == [4] and d["rejected"][0]["reason"] == "missing_field"'
grep_check "the rejected line is reported on stderr" "$T/err" "line 4 rejected"

ctl event --file "$T/events.ndjson"
pycheck "re-sent events are accepted by the API (Redis skips them by id)" 'd["accepted"] == 5'

grep -v '"e4"' "$T/events.ndjson" | "$RECUTCTL" -s "127.0.0.1:$HTTP_PORT" event --file - >"$T/out" 2>"$T/err"; RC=$?
expect_rc 0 "event --file - reads stdin"

: >"$T/empty.ndjson"
ctl event --file "$T/empty.ndjson"
expect_rc 1 "event --file of an empty file"

# ---- recommendations ---------------------------------------------------------
ctl recs u1
expect_rc 0 "recs u1"
pycheck "recs never offers a movie u1 rated or watched" \
    'd["user"] == "u1" and len(d["items"]) > 0 and not ({"m1", "m4"} & {i["movie"] for i in d["items"]})'
pycheck "recs offers m2 (same genres as the liked m1)" '"m2" in [i["movie"] for i in d["items"]]'

ctl recs u1 -n 1
expect_rc 0 "recs -n 1"
pycheck "recs -n 1 returns one item" 'len(d["items"]) == 1'

ctl recs u1 --exclude m2,m3
expect_rc 0 "recs --exclude"
pycheck "--exclude m2,m3 removes both" 'not ({"m2", "m3"} & {i["movie"] for i in d["items"]})'

ctl recs u1 --exclude 'm/5 x?&=%'
pycheck "--exclude of an id that needs URL encoding" '"m/5 x?&=%" not in [i["movie"] for i in d["items"]] and "m2" in [i["movie"] for i in d["items"]]'

ctl recs u1 --include-seen -n 50
expect_rc 0 "recs --include-seen"
pycheck "--include-seen may offer the rated m1" '"m1" in [i["movie"] for i in d["items"]]'

# ---- cuts -----------------------------------------------------------------
ctl cut u1 m2 --budget 150
expect_rc 0 "cut --budget 150"
pycheck "the cut keeps scenes of m2 within 150 s" \
    'd["movie"] == "m2" and d["viewer"] == "u1" and d["budget"] == 150 and 0 < len(d["scenes"]) and sum(s["end"] - s["start"] for s in d["scenes"]) <= 150 + 1e-6'

ctl cut u1 m2 --budget 25%
expect_rc 0 "cut --budget 25%"
pycheck "a 25% budget of a 600 s movie is 150 s" 'abs(d["budget"] - 150) < 1e-6 and sum(s["end"] - s["start"] for s in d["scenes"]) <= 150 + 1e-6'

ctl cut u1 m2 --budget 60 --format edl -o "$T/cut.edl"
expect_rc 0 "cut --format edl -o FILE"
if [ ! -s "$T/out" ] && grep -q '^TITLE:' "$T/cut.edl" && grep -q 'FCM: NON-DROP FRAME' "$T/cut.edl"; then
    ok "the EDL went to the file, not stdout"
else
    not_ok "cut -o: EDL not in the file"
fi
ls "$T"/cut.edl.tmp.* >/dev/null 2>&1 && not_ok "a temporary file was left behind" || ok "no temporary file left behind"

ctl cut u1 m2 --format ffconcat --source '/media/movies/m 2.mp4'
expect_rc 0 "cut --format ffconcat --source"
grep_check "ffconcat script" "$T/out" "ffconcat version 1.0"
grep_check "... playing the --source file" "$T/out" "m 2.mp4"

cp "$T/cut.edl" "$T/cut.edl.before"
ctl cut u1 m2 --editor no-such-editor -o "$T/cut.edl"
expect_rc 1 "cut with an editor that is not loaded"
grep_check "... says so" "$T/err" "no-such-editor"
cmp -s "$T/cut.edl" "$T/cut.edl.before" && ok "a failed request leaves the -o file untouched" || not_ok "-o file changed by a failed request"

ctl cut u1 no-such-movie -o "$T/never.json"
expect_rc 1 "cut of an unknown movie"
[ -e "$T/never.json" ] && not_ok "a failed request created the -o file" || ok "a failed request creates no -o file"

ctl cut u1 m2 --budget 60 -o "$T/nodir/cut.json"
expect_rc 1 "-o into a missing directory"

# ---- profile, forget -------------------------------------------------------
ctl profile u1
expect_rc 0 "profile u1"
pycheck "the profile counts u1's 3 events once each (re-sent ids skipped) and has learned a like" \
    'd["user"] == "u1" and d["events"] == 3 and d["movies_seen"] == 2 and len(d["likes"]) > 0'

ctl profile 'a b/c?d'
expect_rc 0 "profile of a user id that needs URL encoding"
pycheck "... is that user" 'd["user"] == "a b/c?d"'

ctl profile nobody
expect_rc 1 "profile of an unknown viewer"
grep_check "... the server's message" "$T/err" "no viewer 'nobody'"

ctl forget u1
expect_rc 0 "forget u1"
pycheck "forget deleted keys" 'd["deleted"] is True and d["keys"] > 0'
ctl profile u1
expect_rc 1 "u1 is unknown after forget"
ctl forget u1
pycheck "forgetting again deletes nothing" 'd["deleted"] is False'

# ---- metrics -------------------------------------------------------------
ctl metrics
expect_rc 0 "metrics"
if awk '$1 == "recut_events_applied_total" && $2 >= 5 { found = 1 } END { exit !found }' "$T/out"; then
    ok "metrics count the applied events"
else
    not_ok "metrics: recut_events_applied_total < 5"
fi
if awk '$1 == "recut_events_duplicate_total" && $2 >= 5 { found = 1 } END { exit !found }' "$T/out"; then
    ok "metrics count the re-sent events as duplicates"
else
    not_ok "metrics: recut_events_duplicate_total < 5"
fi
grep_check "metrics are Prometheus text" "$T/out" "# TYPE recut_http_requests_total counter"

# ---- Redis down: health answers 503 -----------------------------------------
kill "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null
for _ in $(seq 1 100); do # wait until recutd has noticed
    ctl health
    [ "$RC" = 0 ] || break
    sleep 0.1
done
expect_rc 1 "health while Redis is down"
grep_check "... says Redis is unavailable" "$T/err" "redis unavailable"
pycheck "... and prints the body" 'd["redis"] is False'

# ---- transport errors -----------------------------------------------------
kill "$RECUTD_PID"
wait "$RECUTD_PID" 2>/dev/null
RECUTD_PID=
ctl health
expect_rc 2 "server down: exit 2"
grep_check "... connection refused is said" "$T/err" "connection refused"

if [ "$FAILS" -gt 0 ]; then
    dump_logs
    echo "FAIL: $FAILS of $CHECKS checks failed"
    exit 1
fi
echo "PASS: $CHECKS checks"
exit 0
