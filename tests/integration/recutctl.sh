#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# recutctl against a real recutd (HTTP only, no Kafka) and a private
# redis-server reached over its unix socket: every command, its output and
# its exit code; then Redis down (health fails) and recutd down (exit 2).
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server curl python3

RECUTCTL=$top_builddir/ctl/recutctl
[ -x "$RECUTCTL" ] || h_fail "recutctl not built: $RECUTCTL"
[ -e "$H_PLUGIN_DIR/highlights.so" ] || h_fail "plugins not built: $H_PLUGIN_DIR/highlights.so"

h_start_redis
H_NO_KAFKA=1
CONF=$H_TMP/recutd.conf
h_write_config "$CONF"
cat >>"$CONF" <<EOF
[redis]
address = unix:$H_REDIS_SOCK
prefix = ctltest
[plugins]
load = highlights,redis
[publish]
delay_ms = 0
EOF
# a daemon that dies in one case is a failure there, and is started again
# (same Redis) for the next, so the remaining checks still run
H_RESTART_ON_CRASH=1
h_start_recutd "$CONF"

OUT=$H_TMP/out
ERR=$H_TMP/err

# ctl ARGS...: recutctl against the test daemon; stdout in $OUT, stderr in
# $ERR, exit status in $RC.  The daemon dying meanwhile is a failure.
ctl() {
    "$RECUTCTL" -s "127.0.0.1:$H_HTTP_PORT" -T 20 "$@" >"$OUT" 2>"$ERR"
    RC=$?
    if [ -n "$H_RECUTD_PID" ] && ! kill -0 "$H_RECUTD_PID" 2>/dev/null; then
        h_check_failed "recutd died serving: recutctl $*"
    fi
}

# ctl_bare ARGS...: recutctl without -s and -T (what is under test)
ctl_bare() {
    "$RECUTCTL" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

# expect_rc WANT WHAT: the exit status of the last run
expect_rc() {
    [ "$RC" = "$1" ] && return 0
    h_check_failed "$2: exit $RC, expected $1 (stdout: $(head -c 300 "$OUT"); stderr: $(head -c 300 "$ERR"))"
}

# pycheck WHAT EXPR: EXPR over the JSON document on stdout (d) is true
pycheck() {
    local v
    v=$(h_json "$OUT" "bool($2)") && [ "$v" = true ] && return 0
    h_check_failed "$1 [$2] (stdout: $(head -c 400 "$OUT"))"
}

# grep_check WHAT FILE STRING: FILE holds STRING
grep_check() {
    grep -qF -- "$3" "$2" && return 0
    h_check_failed "$1 (no '$3' in $(basename "$2"): $(head -c 300 "$2"))"
}

# Four movies of 10 scenes of 60 s; scene i has arousal i/10.
"$SYS_PYTHON3" - "$H_TMP" <<'EOF'
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
    if mid == "m3":  # what recut-analyze measured: NTSC video, no sound
        doc["source"] = {"fps": 29.971, "audio": False}
    json.dump(doc, open("%s/movie%d.json" % (t, n), "w"))
# the odd id sorts first: movie0.json
EOF
[ -s "$H_TMP/movie4.json" ] || h_fail "cannot write the test movies"

case_usage() {
    ctl_bare --version
    expect_rc 0 "--version"
    grep_check "--version names recutctl" "$OUT" "recutctl "
    ctl_bare --help
    expect_rc 0 "--help"
    grep_check "--help lists put-movie" "$OUT" "put-movie"
    ctl_bare
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
    ctl_bare -s 'host:notaport' health
    expect_rc 64 "a malformed --server"
}

case_health() {
    ctl health
    expect_rc 0 "health"
    pycheck "health says ok, Redis up, no Kafka" 'd["status"] == "ok" and d["redis"] is True and d["kafka"] is False'
    RECUT_SERVER="127.0.0.1:$H_HTTP_PORT" "$RECUTCTL" health >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 0 "RECUT_SERVER names the server"
    ctl plugins
    expect_rc 0 "plugins"
    pycheck "plugins lists the highlights editor" 'any(p["name"] == "highlights" and p["kind"] == "editor" for p in d)'
}

case_movies() {
    local n
    for n in 1 2 3 4; do
        ctl put-movie "$H_TMP/movie$n.json"
        expect_rc 0 "put-movie movie$n.json"
    done
    pycheck "put-movie answers the stored id and scene count" 'd["id"] == "m4" and d["scenes"] == 10'
    ctl put-movie "$H_TMP/movie0.json"
    expect_rc 0 "put-movie with an id that needs URL encoding"
    ctl get-movie 'm/5 x?&=%'
    expect_rc 0 "get-movie with an id that needs URL encoding"
    pycheck "get-movie returns that entry" 'd["id"] == "m/5 x?&=%" and d["title"] == "Odd Id"'
    ctl get-movie m2
    expect_rc 0 "get-movie m2"
    pycheck "get-movie m2 returns m2" 'd["id"] == "m2" and len(d["scenes"]) == 10'
    ctl get-movie no-such-movie
    expect_rc 1 "get-movie of an unknown id"
    grep_check "the server's error is on stderr" "$ERR" "no movie 'no-such-movie'"
    ctl put-movie "$H_TMP/movie1.json" --id other
    expect_rc 1 "put-movie --id differing from the entry's id"
    [ -s "$ERR" ] || h_check_failed "put-movie mismatch: no message"
    printf '{"id": "bad", "duration": ' >"$H_TMP/bad.json"
    ctl put-movie "$H_TMP/bad.json"
    expect_rc 1 "put-movie of a file that is not JSON"
    grep_check "... names the file" "$ERR" "bad.json"
    printf '{"id": "m9", "duration": -5, "scenes": []}' >"$H_TMP/invalid.json"
    ctl put-movie "$H_TMP/invalid.json"
    expect_rc 1 "put-movie of an invalid entry (negative duration)"
    grep_check "... the server says why" "$ERR" "invalid catalog entry"
    ctl put-movie "$H_TMP/no-such-file.json"
    expect_rc 1 "put-movie of a missing file"
}

case_events() {
    ctl event '{"user":"u1","type":"rating","ts":1700000000000,"id":"e1","movie":"m1","value":5}'
    expect_rc 0 "event JSON"
    pycheck "one event accepted" 'd["accepted"] == 1 and d["rejected"] == []'
    ctl event '{"user":"u1","type":"rating"'
    expect_rc 1 "event with broken JSON is refused before sending"
    ctl event '{"user":"u1","type":"teleport","ts":1}'
    expect_rc 1 "event of an unknown type"
    grep_check "... the reason is on stderr" "$ERR" "unknown_type"
    cat >"$H_TMP/events.ndjson" <<'EOF'
{"user":"u1","type":"like","ts":1700000001000,"id":"e2","movie":"m1"}
{"user":"u1","type":"view","ts":1700000002000,"id":"e3","movie":"m4","value":1.0}

{"user":"u1","type":"skip","ts":1700000003000,"id":"e4"}
{"user":"u2","type":"rating","ts":1700000004000,"id":"e5","movie":"m1","value":4.5}
{"user":"u2","type":"rating","ts":1700000005000,"id":"e6","movie":"m2","value":5}
{"user":"a b/c?d","type":"like","ts":1700000006000,"id":"e7","movie":"m3"}
EOF
    ctl event --file "$H_TMP/events.ndjson"
    expect_rc 1 "event --file with one malformed line exits 1"
    pycheck "five events accepted, line 4 rejected" \
        'd["accepted"] == 5 and [r["line"] for r in d["rejected"]] == [4] and d["rejected"][0]["reason"] == "missing_field"'
    grep_check "the rejected line is reported on stderr" "$ERR" "line 4 rejected"
    ctl event --file "$H_TMP/events.ndjson"
    pycheck "re-sent events are accepted by the API (Redis skips them by id)" 'd["accepted"] == 5'
    grep -v '"e4"' "$H_TMP/events.ndjson" |
        "$RECUTCTL" -s "127.0.0.1:$H_HTTP_PORT" event --file - >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 0 "event --file - reads stdin"
    : >"$H_TMP/empty.ndjson"
    ctl event --file "$H_TMP/empty.ndjson"
    expect_rc 1 "event --file of an empty file"
}

case_recs() {
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
    pycheck "--exclude of an id that needs URL encoding" \
        '"m/5 x?&=%" not in [i["movie"] for i in d["items"]] and "m2" in [i["movie"] for i in d["items"]]'
    ctl recs u1 --include-seen -n 50
    expect_rc 0 "recs --include-seen"
    pycheck "--include-seen may offer the rated m1" '"m1" in [i["movie"] for i in d["items"]]'
}

case_cuts() {
    ctl cut u1 m2 --budget 150
    expect_rc 0 "cut --budget 150"
    pycheck "the cut keeps scenes of m2 within 150 s" \
        'd["movie"] == "m2" and d["viewer"] == "u1" and d["budget"] == 150 and 0 < len(d["scenes"]) and sum(s["end"] - s["start"] for s in d["scenes"]) <= 150 + 1e-6'
    ctl cut u1 m2 --budget 25%
    expect_rc 0 "cut --budget 25%"
    pycheck "a 25% budget of a 600 s movie is 150 s" \
        'abs(d["budget"] - 150) < 1e-6 and sum(s["end"] - s["start"] for s in d["scenes"]) <= 150 + 1e-6'
    ctl cut u1 m2 --budget 60 --format edl -o "$H_TMP/cut.edl"
    expect_rc 0 "cut --format edl -o FILE"
    if [ -s "$OUT" ] || ! grep -q '^TITLE:' "$H_TMP/cut.edl" ||
        ! grep -q 'FCM: NON-DROP FRAME' "$H_TMP/cut.edl"; then
        h_check_failed "cut -o: the EDL is not in the file, or also on stdout"
    fi
    ! ls "$H_TMP"/cut.edl.tmp.* >/dev/null 2>&1 || h_check_failed "a temporary file was left behind"
    ctl cut u1 m3 --budget 120 --format edl
    expect_rc 0 "cut of m3 --format edl"
    grep_check "m3's EDL at its catalog rate, 29.97: drop-frame" "$OUT" "FCM: DROP FRAME"
    grep_check "... picture-only events (source.audio false)" "$OUT" " V     C        "
    ctl cut u1 m3 --budget 120 --format edl --fps 25
    expect_rc 0 "cut of m3 --format edl --fps 25"
    grep_check "--fps overrides the catalog's rate" "$OUT" "FCM: NON-DROP FRAME"
    ctl cut u1 m2 --budget 60 --format edl
    grep_check "m2 (no source) has sound events" "$OUT" " AA/V  C        "
    ctl cut u1 m2 --format ffconcat --source '/media/movies/m 2.mp4'
    expect_rc 0 "cut --format ffconcat --source"
    grep_check "ffconcat script" "$OUT" "ffconcat version 1.0"
    grep_check "... playing the --source file" "$OUT" "m 2.mp4"
    cp "$H_TMP/cut.edl" "$H_TMP/cut.edl.before"
    ctl cut u1 m2 --format hls
    expect_rc 1 "cut --format hls without [http] media_dir"
    grep_check "... says so" "$ERR" "no HLS: [http] media_dir is empty"
    ctl cut u1 m2 --editor no-such-editor -o "$H_TMP/cut.edl"
    expect_rc 1 "cut with an editor that is not loaded"
    grep_check "... says so" "$ERR" "no-such-editor"
    cmp -s "$H_TMP/cut.edl" "$H_TMP/cut.edl.before" || h_check_failed "-o file changed by a failed request"
    ctl cut u1 no-such-movie -o "$H_TMP/never.json"
    expect_rc 1 "cut of an unknown movie"
    [ ! -e "$H_TMP/never.json" ] || h_check_failed "a failed request created the -o file"
    ctl cut u1 m2 --budget 60 -o "$H_TMP/nodir/cut.json"
    expect_rc 1 "-o into a missing directory"
}

case_profile_forget() {
    ctl profile u1
    expect_rc 0 "profile u1"
    pycheck "the profile counts u1's 3 events once each (re-sent ids skipped) and has learned a like" \
        'd["user"] == "u1" and d["events"] == 3 and d["movies_seen"] == 2 and len(d["likes"]) > 0'
    ctl profile 'a b/c?d'
    expect_rc 0 "profile of a user id that needs URL encoding"
    pycheck "... is that user" 'd["user"] == "a b/c?d"'
    ctl profile nobody
    expect_rc 1 "profile of an unknown viewer"
    grep_check "... the server's message" "$ERR" "no viewer 'nobody'"
    ctl forget u1
    expect_rc 0 "forget u1"
    pycheck "forget deleted keys" 'd["deleted"] is True and d["keys"] > 0'
    ctl profile u1
    expect_rc 1 "u1 is unknown after forget"
    ctl forget u1
    pycheck "forgetting again deletes nothing" 'd["deleted"] is False'
}

case_metrics() {
    ctl metrics
    expect_rc 0 "metrics"
    awk '$1 == "recut_events_applied_total" && $2 >= 5 { found = 1 } END { exit !found }' "$OUT" ||
        h_check_failed "metrics: recut_events_applied_total < 5"
    awk '$1 == "recut_events_duplicate_total" && $2 >= 5 { found = 1 } END { exit !found }' "$OUT" ||
        h_check_failed "metrics: recut_events_duplicate_total < 5"
    grep_check "metrics are Prometheus text" "$OUT" "# TYPE recut_http_requests_total counter"
}

health_fails_() {
    ctl health
    [ "$RC" != 0 ]
}

case_redis_down() {
    h_kill "$H_REDIS_PID"
    h_untrack "$H_REDIS_PID"
    h_wait_for "$H_TIMEOUT" "recutd to notice that Redis is gone" health_fails_
    expect_rc 1 "health while Redis is down"
    grep_check "... says Redis is unavailable" "$ERR" "redis unavailable"
    pycheck "... and prints the body" 'd["redis"] is False'
}

case_server_down() {
    H_RESTART_ON_CRASH=
    h_stop_recutd
    h_assert_eq "$H_RC" 0 "recutd's exit status after SIGTERM"
    ctl health
    expect_rc 2 "server down: exit 2"
    grep_check "... connection refused is said" "$ERR" "connection refused"
}

h_case "version, help and usage errors (exit 64)" case_usage
h_case "health, RECUT_SERVER and plugins" case_health
h_case "put-movie and get-movie" case_movies
h_case "event: one, from a file, from stdin, rejected lines" case_events
h_case "recs and its options" case_recs
h_case "cut: budgets, formats, -o FILE written atomically" case_cuts
h_case "profile and forget" case_profile_forget
h_case "metrics" case_metrics
h_case "health while Redis is down: exit 1, the body printed" case_redis_down
h_case "recutd down: exit 2, connection refused" case_server_down
h_done
