#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Answers from memory (issue 8): the instance that applies a viewer's events
# answers that viewer from its own cache and its in-memory co-occurrence
# rows, without reading Redis, and gives exactly what an instance reading
# everything from Redis gives; a kept answer ([http] answer_cache_ms) is
# given again only until the viewer's next event, their erasure, a catalog
# change or a reload (which can turn it off).  experiments.sh checks that
# nothing is kept while an experiment runs.  GET /v1/movies/ID/neighbours
# equals a count made from the raw events.
#
# Instance A consumes the stream (answers kept for a minute, so that only an
# event or an erasure can drop them); instance B has no Kafka and keeps no
# answers, so it reads every viewer from Redis.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli kcat curl python3
h_start_stack 2 "$H_TMP/recutd.conf"
# 5 neighbours a movie: fewer than most movies have, so the trimming shows
# (rows and popularity read again after 1 s: case 1 waits that long)
{ cat "$H_TMP/recutd.conf"; printf '[http]\nanswer_cache_ms = 60000\n[models]\nneighbours = 5\nitem_ttl_ms = 1000\n'; } >"$H_TMP/a.conf"
h_start_recutd "$H_TMP/a.conf"
A_PORT=$H_HTTP_PORT A_PID=$H_RECUTD_PID
on() { H_HTTP_PORT=$1; }

genres=(Drama Comedy Thriller Horror Romance Animation)
for m in $(seq 1 30); do h_put_movie "m$m" 1200 6 "${genres[$((m % 6))]}"; done

# 60 viewers, 6 to 14 distinct movies each, rated 1..5 or liked (seeded)
"$SYS_PYTHON3" - "$H_TMP/events" <<'EOF'
import json, random, sys
rng = random.Random(8)
out = open(sys.argv[1], "w")
n = 0
for u in range(60):
    user = "s%d" % u
    for m in rng.sample(range(1, 31), rng.randint(6, 14)):
        n += 1
        ev = {"user": user, "movie": "m%d" % m, "id": "e%d" % n, "ts": 1700000000000 + 1000 * n}
        if rng.random() < 0.3:
            ev["type"] = "like"
        else:
            ev["type"] = "rating"
            ev["value"] = rng.randint(1, 5)
        out.write("%s\t%s\n" % (user, json.dumps(ev)))
print(n, file=sys.stderr)
EOF
N=$(wc -l <"$H_TMP/events")
h_produce recut.events <"$H_TMP/events"
h_wait_metric recut_events_applied_total "$N" || h_fail "A applied $(h_metric recut_events_applied_total) of $N events"
# the global counts are folded once every outbox is empty
outboxes_empty_() { [ -z "$(h_redis_scan 'recut:{gd*')" ]; }
h_wait_for 30 "every outbox folded" outboxes_empty_ || h_fail "outboxes left: $(h_redis_scan 'recut:{gd*')"

B_PORT=$(h_free_port) || h_fail "no free port"
H_HTTP_PORT=$B_PORT
h_start_recutd "$H_TMP/recutd.conf" --set kafka.brokers= --set "http.listen=127.0.0.1:$B_PORT" \
    --set http.answer_cache_ms=0 --set models.neighbours=5 --set models.item_ttl_ms=1000
B_PORT=$H_HTTP_PORT B_PID=$H_RECUTD_PID

# items, scores and reasons, without what the reader's path may not change
recs_() { # FILE
    h_json "$1" '[(i["movie"], round(i["score"], 9), i["reasons"]) for i in d["items"]]'
}

case_memory_equals_redis() {
    on "$A_PORT"
    local u n=0 mem0 red0 a b bad=0
    # every row the viewers need is read once (and the popularity again,
    # now that the folds are done); the next answers come from memory
    sleep 1.2
    for u in $(seq 0 19); do h_http GET "/v1/users/s$u/recommendations?n=7"; done
    sleep 0.5
    mem0=$(h_metric recut_viewer_reads_memory_total)
    red0=$(h_metric recut_viewer_reads_redis_total)
    for u in $(seq 0 19); do
        on "$A_PORT"
        h_http GET "/v1/users/s$u/recommendations?n=8"
        [ "$H_STATUS" = 200 ] || { h_check_failed "A: s$u: $H_STATUS $(cat "$H_BODY")"; return 1; }
        a=$(recs_ "$H_BODY")
        on "$B_PORT"
        h_http GET "/v1/users/s$u/recommendations?n=8"
        [ "$H_STATUS" = 200 ] || { h_check_failed "B: s$u: $H_STATUS $(cat "$H_BODY")"; return 1; }
        b=$(recs_ "$H_BODY")
        [ -n "$a" ] && [ "$a" != "[]" ] || { h_check_failed "A: s$u has no recommendations"; return 1; }
        if [ "$a" != "$b" ]; then
            h_log "s$u from memory: $a"
            h_log "s$u from Redis:  $b"
            bad=$((bad + 1))
        fi
        n=$((n + 1))
    done
    h_assert_eq "$bad" 0 "viewers answered differently from memory and from Redis" || return 1
    on "$A_PORT"
    h_assert_num "$(($(h_metric recut_viewer_reads_memory_total) - mem0))" ">=" "$n" \
        "A's answers read from memory" || return 1
    h_assert_eq "$(($(h_metric recut_viewer_reads_redis_total) - red0))" 0 \
        "A's answers read from Redis" || return 1
    on "$B_PORT"
    h_assert_eq "$(h_metric recut_viewer_reads_memory_total)" 0 "B's answers read from memory" || return 1
    h_assert_num "$(h_metric recut_viewer_reads_redis_total)" ">=" "$n" "B's answers read from Redis"
}

case_cut_memory_equals_redis() {
    local a b
    on "$A_PORT"
    h_http GET "/v1/users/s3/cuts/m1?budget=600"
    [ "$H_STATUS" = 200 ] || { h_check_failed "A: $H_STATUS $(cat "$H_BODY")"; return 1; }
    a=$(h_json "$H_BODY" 'd')
    on "$B_PORT"
    h_http GET "/v1/users/s3/cuts/m1?budget=600"
    [ "$H_STATUS" = 200 ] || { h_check_failed "B: $H_STATUS $(cat "$H_BODY")"; return 1; }
    b=$(h_json "$H_BODY" 'd')
    h_assert_eq "$a" "$b" "s3's cut of m1 from memory and from Redis"
}

case_kept_answer() {
    on "$A_PORT"
    local first again after hits liked
    h_http GET "/v1/users/s5/recommendations?n=5"
    first=$(cat "$H_BODY")
    hits=$(h_metric recut_http_answers_cached_total)
    h_http GET "/v1/users/s5/recommendations?n=5"
    again=$(cat "$H_BODY")
    h_assert_eq "$again" "$first" "the same request answered again" || return 1
    h_assert_eq "$(h_metric recut_http_answers_cached_total)" $((hits + 1)) "answers given again" || return 1
    # the viewer likes their first recommendation: the next answer is new
    # (that movie is seen now) although the kept one would live a minute
    liked=$(h_json "$H_BODY" 'd["items"][0]["movie"]')
    local applied
    applied=$(h_metric recut_events_applied_total)
    h_http_body POST /v1/events "$(h_event s5 like "$liked" s5-like)"
    [ "${H_STATUS:0:1}" = 2 ] || { h_check_failed "POST /v1/events: $H_STATUS $(cat "$H_BODY")"; return 1; }
    h_wait_metric recut_events_applied_total $((applied + 1)) || { h_check_failed "the like was not applied"; return 1; }
    hits=$(h_metric recut_http_answers_cached_total)
    h_http GET "/v1/users/s5/recommendations?n=5"
    after=$(cat "$H_BODY")
    h_assert_eq "$(h_metric recut_http_answers_cached_total)" "$hits" \
        "answers given again after the viewer's event" || return 1
    h_assert_eq "$(h_json "$H_BODY" "'$liked' in [i['movie'] for i in d['items']]")" false \
        "the liked movie ($liked) still recommended" || return 1
    h_assert_ne "$after" "$first" "the answer after the event"
}

case_erased() {
    on "$A_PORT"
    local hits
    h_http GET "/v1/users/s7/recommendations?n=5"
    h_assert_eq "$(h_json "$H_BODY" 'd["events"] > 0')" true "s7 known before the erasure" || return 1
    h_http DELETE /v1/users/s7
    [ "$H_STATUS" = 200 ] || { h_check_failed "DELETE: $H_STATUS $(cat "$H_BODY")"; return 1; }
    hits=$(h_metric recut_http_answers_cached_total)
    h_http GET "/v1/users/s7/recommendations?n=5"
    h_assert_eq "$(h_metric recut_http_answers_cached_total)" "$hits" \
        "answers given again after the erasure" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'd["events"]')" 0 "s7's events after the erasure"
}

# Every movie's neighbours equal a count made here from the raw events:
# a viewer's positives are their likes and ratings of 4 or 5 (like_threshold
# 3.5), each viewer has fewer than cooc_window (20) of them, so a pair's count
# is the number of viewers positive on both; the 5 strongest are kept, equal
# counts by id.
case_neighbours() {
    on "$A_PORT"
    local m
    for m in $(seq 1 30); do
        h_http GET "/v1/movies/m$m/neighbours?n=100"
        [ "$H_STATUS" = 200 ] || { h_check_failed "m$m: $H_STATUS $(cat "$H_BODY")"; return 1; }
        cp "$H_BODY" "$H_TMP/nb.m$m"
    done
    "$SYS_PYTHON3" - "$H_TMP/events" "$H_TMP" <<'EOF'
import collections, itertools, json, sys
pos = collections.defaultdict(set)
for line in open(sys.argv[1]):
    ev = json.loads(line.split("\t", 1)[1])
    if ev["type"] == "like" or (ev["type"] == "rating" and ev["value"] >= 3.5):
        pos[ev["user"]].add(ev["movie"])
count = collections.Counter()
for ms in pos.values():
    for a, b in itertools.permutations(ms, 2):
        count[(a, b)] += 1
bad = 0
for k in range(1, 31):
    m = "m%d" % k
    partners = sorted(((c, b) for (a, b), c in count.items() if a == m), key=lambda x: (-x[0], x[1]))
    want = [{"movie": b, "count": c} for c, b in partners[:5]]
    got = json.load(open("%s/nb.%s" % (sys.argv[2], m)))
    if got["neighbours"] != want or got["kept"] != min(5, len(partners)):
        print("%s: recutd %s (kept %d), raw events %s (of %d)" % (m, got["neighbours"], got["kept"], want, len(partners)))
        bad += 1
print("%d of 30 movies differ" % bad)
sys.exit(1 if bad else 0)
EOF
}

# GET URI twice; prints how many of the two were answered again from memory
answered_again_() { # URI
    local hits
    hits=$(h_metric recut_http_answers_cached_total)
    h_http GET "$1"
    h_http GET "$1"
    echo $(($(h_metric recut_http_answers_cached_total) - hits))
}

case_catalog_change() {
    on "$A_PORT"
    h_assert_eq "$(answered_again_ "/v1/users/s9/recommendations?n=4")" 1 "kept before the change" || return 1
    local hits
    hits=$(h_metric recut_http_answers_cached_total)
    h_put_movie m31 1200 6 Drama
    h_http GET "/v1/users/s9/recommendations?n=4"
    h_assert_eq "$(h_metric recut_http_answers_cached_total)" "$hits" \
        "answers given again after a catalog change"
}

case_reload() {
    on "$A_PORT"
    h_assert_eq "$(answered_again_ "/v1/users/s11/cuts/m2?budget=600")" 1 "a cut kept" || return 1
    local n
    n=$(h_metric recut_reloads_total)
    printf '[http]\nanswer_cache_ms = 0\n' >>"$H_TMP/a.conf"
    kill -HUP "$A_PID"
    h_wait_metric recut_reloads_total $((n + 1)) || { h_check_failed "the reload was not counted"; return 1; }
    h_assert_eq "$(answered_again_ "/v1/users/s11/cuts/m2?budget=600")" 0 \
        "answers given again with answer_cache_ms = 0"
}

# [redis] cache_bytes bounds the viewers held in memory (reloaded here to
# its least, 1 MiB); a viewer dropped from memory is read from Redis again
# at its next event and loses nothing.
case_cache_bytes() {
    on "$A_PORT"
    local n applied i
    n=$(h_metric recut_reloads_total)
    printf '[redis]\ncache_bytes = 1048576\n' >>"$H_TMP/a.conf"
    kill -HUP "$A_PID"
    h_wait_metric recut_reloads_total $((n + 1)) || { h_check_failed "the reload was not counted"; return 1; }
    applied=$(h_metric recut_events_applied_total)
    for i in $(seq 0 3999); do
        printf 'c%s\t%s\n' "$i" "$(h_event "c$i" like "m$((i % 30 + 1))" "c$i-1")"
    done | h_produce recut.events
    h_wait_metric recut_events_applied_total $((applied + 4000)) ||
        { h_check_failed "applied $(($(h_metric recut_events_applied_total) - applied)) of 4000"; return 1; }
    h_log "held: $(h_metric recut_viewers_cached) viewers, $(h_metric recut_viewer_cache_bytes) bytes"
    h_assert_num "$(h_metric recut_viewer_cache_bytes)" "<=" 1048576 "bytes of the viewers held" || return 1
    h_assert_num "$(h_metric recut_viewers_cached)" "<" 4000 "viewers held" || return 1
    h_assert_num "$(h_metric recut_viewers_cached)" ">" 0 "viewers held" || return 1
    # c0 was dropped long ago: its second event finds its first in Redis
    printf 'c0\t%s\n' "$(h_event c0 like m30 c0-2)" | h_produce recut.events
    h_wait_metric recut_events_applied_total $((applied + 4001)) || { h_check_failed "c0's second event"; return 1; }
    h_assert_eq "$(h_viewer 'c0' meta events)" 2 "c0's events in Redis" || return 1
    h_assert_eq "$(h_viewer 'c0' hist | tr '\n' ' ')" "m30 m1 " "c0's positives in Redis"
}

# recut_event_loop_lag_seconds: a 10 ms timer's lateness, split by whether
# the loop's thread ran meanwhile.  B is idle: stopped for 0.6 s, its next
# tick is that late, and the thread was not running.
case_loop_lag() {
    on "$B_PORT"
    # one GET /metrics: ticks, ticks within 0.25 s, waiting seconds
    loop_() {
        curl -s -m 10 "http://127.0.0.1:$H_HTTP_PORT/metrics" >"$H_TMP/loop.m"
        awk '$1 == "recut_event_loop_lag_seconds_count" { c = $2 }
             $1 == "recut_event_loop_lag_seconds_bucket{le=\"0.25\"}" { b = $2 }
             $1 == "recut_event_loop_late_seconds_total{thread=\"waiting\"}" { w = $2 }
             END { print c + 0, b + 0, w + 0 }' "$H_TMP/loop.m"
    }
    local a b
    a=$(loop_)
    sleep 0.5
    b=$(loop_)
    h_assert_num $((${b%% *} - ${a%% *})) ">=" 20 "ticks in 0.5 s" || return 1
    kill -STOP "$B_PID"
    sleep 0.6
    kill -CONT "$B_PID"
    sleep 0.2
    a=$(loop_)
    # counts only grow: a tick is in the bucket or over it
    h_assert_true "a tick over 0.25 s late across the stop ($b -> $a)" \
        awk -v a="$b" -v b="$a" 'BEGIN { split(a, x, " "); split(b, y, " ")
            exit !((y[1] - x[1]) - (y[2] - x[2]) >= 1) }' || return 1
    h_assert_true "the stop counted as waiting ($b -> $a)" \
        awk -v a="$b" -v b="$a" 'BEGIN { split(a, x, " "); split(b, y, " ")
            exit !(y[3] - x[3] >= 0.4) }'
}

case_drains() {
    on "$A_PORT"
    pending_zero_() { [ "$(h_metric recut_redis_pending)" = 0 ]; }
    h_wait_for 20 "no Redis reply awaited" pending_zero_ ||
        { h_check_failed "recut_redis_pending stays at $(h_metric recut_redis_pending)"; return 1; }
    H_RECUTD_PID=$A_PID
    h_stop_recutd
    h_assert_eq "$H_RC" 0 "A's exit status after SIGTERM"
}

h_case "the owning instance answers from memory what Redis gives" case_memory_equals_redis
h_case "a cut from memory equals a cut from Redis" case_cut_memory_equals_redis
h_case "every movie's neighbours equal a count from the raw events" case_neighbours
h_case "a kept answer is given again until the viewer's next event" case_kept_answer
h_case "an erased viewer's kept answers go with them" case_erased
h_case "a catalog change drops the kept answers" case_catalog_change
h_case "answer_cache_ms reloads: 0 keeps nothing" case_reload
h_case "cache_bytes bounds the viewers held in memory" case_cache_bytes
h_case "the loop's lateness is measured and attributed" case_loop_lag
h_case "the background reads are all answered and SIGTERM drains" case_drains
h_done
