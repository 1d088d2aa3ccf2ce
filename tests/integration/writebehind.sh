#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Write-behind ([redis] write_interval_ms, store_batch.c): Kafka events are
# applied in memory at once (the instance answers with them) and their
# viewers are written later, each once however many batches changed it; a
# batch's offsets are committed only after that write is acknowledged.
# Checked from outside: what Redis holds, what MONITOR saw, the committed
# offsets, a reload of the interval, HTTP events written before the answer,
# SIGKILL in the middle of an interval (nothing lost, nothing twice) and a
# SIGTERM drain that writes what was held.
. "$srcdir/helpers/harness.sh"
CONF=$H_TMP/recutd.conf
h_start_stack 2 "$CONF"
GROUP=recutd-$H_NAME
# one-event batches, room for 128 held ones (half of max_inflight): only
# the interval (a minute) writes, unless something asks for it
cp "$CONF" "$H_TMP/base.conf"
start_conf() { # INTERVAL_MS
    { cat "$H_TMP/base.conf"; printf '[kafka]\nbatch_size = 1\nmax_inflight = 256\n[redis]\nwrite_interval_ms = %s\n' "$1"; } >"$CONF"
}
start_conf 60000
h_start_recutd "$CONF"
for m in 1 2 3 4 5 6; do h_put_movie "m$m" 1800 9 Drama; done

# produce ROUND: 10 rated events for each of w1..w5, ids ROUND-w-i
produce() {
    local u i
    for u in w1 w2 w3 w4 w5; do
        for i in $(seq 1 10); do
            printf '%s\t%s\n' "$u" "$(h_event "$u" rating "m$((i % 6 + 1))" "$1-$u-$i" "\"value\":$((i % 5 + 1))")"
        done
    done | h_produce recut.events
}
# events of USER as this instance answers (memory first), and in Redis
served() { h_http GET "/v1/users/$1/profile" && h_json "$H_BODY" 'd["events"]'; }
stored() { h_viewer "$1" meta events; }
served_all_() { # N [N_W1]: every w has N events in the instance's answers (w1 N_W1)
    local u
    [ "$(served w1)" = "${2:-$1}" ] || return 1
    for u in w2 w3 w4 w5; do [ "$(served "$u")" = "$1" ] || return 1; done
}
stored_all_() { # N
    local u
    for u in w1 w2 w3 w4 w5; do [ "$(stored "$u")" = "$1" ] || return 1; done
}
committed_() { [ "$(h_committed "$GROUP" recut.events)" = "$1 $1" ]; }
reloads=0
reload_interval() { # MS
    start_conf "$1"
    reloads=$((reloads + 1))
    kill -HUP "$H_RECUTD_PID"
    h_wait_metric recut_reloads_total "$reloads" || h_check_failed "reload $reloads not counted"
}

case_held() {
    produce a
    h_wait_for "$H_TIMEOUT" "50 events served from memory" served_all_ 10 ||
        { h_check_failed "served: w1 $(served w1), w5 $(served w5)"; return 1; }
    sleep 1 # (a write would have had time to land)
    h_assert_eq "$(h_redis EXISTS 'recut:{u:w1}:state')" 0 "w1 written before the interval" || return 1
    h_assert_eq "$(h_metric recut_events_applied_total)" 0 "events acknowledged by Redis" || return 1
    h_assert_eq "$(h_committed "$GROUP" recut.events)" "0 50" "committed/end offsets" || return 1
    h_assert_eq "$(h_metric recut_write_flushes_total)" 0 "flushes" || return 1
}

case_reload_writes_once() {
    redis-cli -h 127.0.0.1 -p "$H_REDIS_PORT" MONITOR >"$H_TMP/monitor.txt" 2>/dev/null &
    local mon=$!
    h_track "$mon"
    sleep 0.3
    reload_interval 100
    h_wait_for "$H_TIMEOUT" "50 events in Redis" stored_all_ 10 ||
        { h_check_failed "stored: w1 '$(stored w1)', w5 '$(stored w5)'"; kill "$mon"; return 1; }
    h_wait_for "$H_TIMEOUT" "every offset committed" committed_ 50 ||
        { h_check_failed "committed/end: $(h_committed "$GROUP" recut.events)"; kill "$mon"; return 1; }
    h_wait_metric recut_events_applied_total 50 || { h_check_failed "applied metric"; kill "$mon"; return 1; }
    sleep 0.3
    kill "$mon"
    wait "$mon" 2>/dev/null
    h_untrack "$mon"
    # 50 batches of one event, 5 viewers: 5 writes of a state, one each
    local u n
    for u in w1 w2 w3 w4 w5; do
        n=$(grep -c "\"SET\" \"recut:{u:$u}:state\"" "$H_TMP/monitor.txt")
        h_assert_eq "$n" 1 "writes of $u's state for its 10 batches" || return 1
    done
    h_assert_eq "$(h_metric recut_batches_total)" 50 "batches done" || return 1
}

case_http_at_once() {
    reload_interval 60000
    printf 'w1\t%s\n' "$(h_event w1 rating m2 b-w1-1 '"value":5')" | h_produce recut.events
    h_wait_for "$H_TIMEOUT" "w1's 11th event served" eval '[ "$(served w1)" = 11 ]' || return 1
    h_assert_eq "$(stored w1)" 10 "w1 in Redis before the interval" || return 1
    h_event h1 rating m3 h-1 '"value":4' >"$H_TMP/h1.json"
    h_http POST /v1/events "$H_TMP/h1.json"
    case $H_STATUS in 2??) ;; *) h_check_failed "POST answered $H_STATUS"; return 1 ;; esac
    # no waiting: the answer came after the write
    h_assert_eq "$(stored h1)" 1 "h1 in Redis when the POST is answered" || return 1
    # what was held went with it
    h_assert_eq "$(stored w1)" 11 "w1 written with the posted event" || return 1
}

case_kill_mid_interval() {
    h_wait_for "$H_TIMEOUT" "the posted batch's offset committed" committed_ 51 ||
        { h_check_failed "committed/end: $(h_committed "$GROUP" recut.events)"; return 1; }
    produce c
    h_wait_for "$H_TIMEOUT" "the new events served" served_all_ 20 21 ||
        { h_check_failed "served: w1 $(served w1), w5 $(served w5)"; return 1; }
    kill -KILL "$H_RECUTD_PID"
    wait "$H_RECUTD_PID" 2>/dev/null
    h_untrack "$H_RECUTD_PID"
    H_RECUTD_PID=""
    h_assert_eq "$(stored w2)" 10 "w2 in Redis after the kill" || return 1
    h_assert_eq "$(h_committed "$GROUP" recut.events)" "51 101" "committed/end after the kill" || return 1
    # started again (with the minute-long interval): the uncommitted events
    # are delivered again and applied once; a drain writes them
    h_start_recutd "$CONF"
    h_wait_for "$H_TIMEOUT" "the redelivered events served" served_all_ 20 21 ||
        { h_check_failed "served again: w1 $(served w1), w2 $(served w2)"; return 1; }
    h_stop_recutd
    h_assert_eq "$H_RC" 0 "exit status after SIGTERM" || return 1
    h_assert_eq "$(stored w1)" 21 "w1 after the drain" || return 1
    local u
    for u in w2 w3 w4 w5; do h_assert_eq "$(stored "$u")" 20 "$u after the drain" || return 1; done
    h_assert_eq "$(h_committed "$GROUP" recut.events)" "101 101" "committed/end after the drain" || return 1
}

h_case "Kafka events are served at once and held from Redis until the interval" case_held
h_case "reloading write_interval_ms writes each viewer once for all its batches, then commits" case_reload_writes_once
h_case "events over HTTP are written before the answer, with what was held" case_http_at_once
h_case "SIGKILL mid-interval loses nothing, applies nothing twice; SIGTERM writes what is held" case_kill_mid_interval
h_done
