#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Scale-out: two recutd instances in one consumer group split the partitions,
# every event is applied exactly once across them, and a movie stored through
# one instance reaches the other.
. "$srcdir/helpers/harness.sh"
h_start_stack 4 "$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf"
A_PORT=$H_HTTP_PORT A_PID=$H_RECUTD_PID
B_PORT=$(h_free_port) || h_fail "no free port"
H_HTTP_PORT=$B_PORT
h_start_recutd "$H_TMP/recutd.conf" --set "http.listen=127.0.0.1:$B_PORT"
B_PORT=$H_HTTP_PORT B_PID=$H_RECUTD_PID
on() { H_HTTP_PORT=$1; }

case_catalog() {
    on "$A_PORT"
    h_put_movie m1 1200 6 Drama
    on "$B_PORT"
    h_wait_for 20 "m1 known to the second instance" h_http_ok_ GET /v1/movies/m1 ||
        { h_check_failed "the second instance never saw m1"; return 1; }
}
h_http_ok_() { h_http "$1" "$2" >/dev/null 2>&1; [ "$H_STATUS" = 200 ]; }

case_split() {
    local n=400 u
    for i in $(seq 1 $n); do
        u=v$((i % 40))
        printf '%s\t%s\n' "$u" "$(h_event "$u" rating m1 "e$i" '"value":4')"
    done | h_produce recut.events
    local deadline=$((SECONDS + 60)) a b
    while :; do
        on "$A_PORT"; a=$(h_metric recut_events_applied_total)
        on "$B_PORT"; b=$(h_metric recut_events_applied_total)
        [ $((a + b)) -ge $n ] && break
        [ "$SECONDS" -ge "$deadline" ] && { h_check_failed "applied $a + $b of $n"; return 1; }
        sleep 0.2
    done
    h_log "instance A applied $a, instance B applied $b"
    h_assert_eq $((a + b)) $n "events applied across the two instances" || return 1
    [ "$a" -gt 0 ] && [ "$b" -gt 0 ] || { h_check_failed "one instance got every partition ($a/$b)"; return 1; }
    local total=0
    for i in $(seq 0 39); do
        e=$(h_viewer "v$i" meta events)
        total=$((total + ${e:-0}))
    done
    h_assert_eq "$total" $n "sum of meta.events over the viewers"
}

h_case "a movie stored through one instance reaches the other" case_catalog
h_case "two instances split the partitions and apply every event once" case_split
h_done
