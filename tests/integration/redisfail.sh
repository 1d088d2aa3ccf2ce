#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Redis failures: whatever ends recutd's Redis connection -- an error reply
# (OOM on every write), a Redis that stops answering for longer than
# [redis] timeout_ms (DEBUG SLEEP) -- recutd reports Redis down, reconnects
# on its own with backoff, applies every event once when Redis is back, and
# still drains on SIGTERM.  A viewer whose keys hold the wrong type (a
# planted WRONGTYPE key) is dead-lettered as bad_viewer_state while the
# other viewers go on.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli kcat curl python3
h_require_mockkafka

h_start_redis --enable-debug-command yes
h_start_kafka recut.events:2 recut.catalog recut.published recut.deadletter
CONF=$H_TMP/recutd.conf
h_write_config "$CONF"
GROUP=recutd-$H_NAME
h_start_recutd "$CONF" --set redis.timeout_ms=1000

for m in 1 2 3 4; do h_put_movie "m$m" 2400 12 Drama; done

produce() { # USER ID MOVIE
    printf '%s\t%s\n' "$1" "$(h_event "$1" rating "$3" "$2" '"value":5')" | h_produce recut.events
}
events_of() { h_viewer "$1" meta events; }
events_are() { [ "$(events_of "$1")" = "$2" ]; }
health_down() { ! h_health_ok; }
up_is() { [ "$(h_metric recut_redis_up)" = "$1" ]; }

dlq_reasons_of() { # USER: the reason headers of USER's dead letters
    h_consume recut.deadletter "$H_TMP/dlq" '%k\t%h\n'
    awk -F'\t' -v u="$1" '$1 == u { print $2 }' "$H_TMP/dlq"
}

case_wrongtype() {
    produce good g-1 m1
    h_wait_for "$H_TIMEOUT" "good's first event" events_are good 1 || return 1
    local errs
    errs=$(h_metric recut_redis_errors_total)
    h_redis HSET 'recut:{u:bad}:state' x 1 >/dev/null
    produce bad b-1 m2
    produce good g-2 m3
    h_wait_for "$H_TIMEOUT" "good's event behind bad's applied" events_are good 2 || return 1
    h_assert_eq "$(h_metric 'recut_events_dead_letter_total{reason="bad_viewer_state"}')" 1 \
        "bad's event dead-lettered as bad_viewer_state" || return 1
    h_assert_num "$(h_metric recut_redis_errors_total)" ">=" $((errs + 1)) "the WRONGTYPE counted" || return 1
    grep -q 'WRONGTYPE' "$H_RECUTD_LOG" || { h_check_failed "no WRONGTYPE in the log"; return 1; }
    h_wait_for "$H_TIMEOUT" "bad's dead letter on the topic" dlq_has bad || return 1
    h_assert_eq "$(h_redis TYPE 'recut:{u:bad}:state')" hash "bad's key left alone" || return 1
    # the key is repaired: bad's next event is applied
    h_redis DEL 'recut:{u:bad}:state' >/dev/null
    produce bad b-2 m1
    h_wait_for "$H_TIMEOUT" "bad's event after the repair" events_are bad 1 || return 1
    h_assert_eq "$(h_viewer bad seen)" m1 "bad's seen map written, without the dead-lettered event" ||
        return 1
    h_wait_for "$H_TIMEOUT" "health 200" h_health_ok
}
dlq_has() { dlq_reasons_of "$1" | grep -q 'reason=bad_viewer_state'; }

case_oom() {
    # every write refused (OOM): recutd drops the connection, reconnects
    # with backoff and keeps trying; once Redis takes writes, it catches up
    local errs
    errs=$(h_metric recut_redis_errors_total)
    h_redis CONFIG SET maxmemory 1 >/dev/null
    produce good g-3 m4
    local ok=0
    h_wait_metric recut_redis_errors_total $((errs + 2)) &&
        h_assert_eq "$(events_of good)" 2 "nothing written while Redis refuses" && ok=1
    h_redis CONFIG SET maxmemory 0 >/dev/null
    [ "$ok" = 1 ] || return 1
    grep -q 'EXECABORT\|OOM' "$H_RECUTD_LOG" || { h_check_failed "no refused write in the log"; return 1; }
    h_wait_for "$H_TIMEOUT" "good's event once Redis takes writes" events_are good 3 || return 1
    h_wait_for "$H_TIMEOUT" "health 200" h_health_ok || return 1
    h_assert_eq "$(h_metric recut_redis_up)" 1 "recut_redis_up" || return 1
    grep -q 'reconnecting in' "$H_RECUTD_LOG" || { h_check_failed "no reconnect logged"; return 1; }
}

case_timeout() {
    # Redis answers nothing for 6 s, timeout_ms is 1 s
    h_redis DEBUG SLEEP 6 >/dev/null &
    local sleeper=$!
    h_wait_for 5 "Redis asleep" h_redis_asleep || return 1
    produce good g-4 m2
    produce sleepy s-1 m1
    h_wait_metric recut_redis_timeouts_total 1 || return 1
    h_wait_for "$H_TIMEOUT" "health not 200 while Redis sleeps" health_down || return 1
    up_is 0 || { h_check_failed "recut_redis_up is $(h_metric recut_redis_up) while Redis sleeps"; return 1; }
    wait "$sleeper"
    h_wait_for "$H_TIMEOUT" "health 200 after the sleep" h_health_ok || return 1
    h_wait_for "$H_TIMEOUT" "good's event after the sleep" events_are good 4 || return 1
    h_wait_for "$H_TIMEOUT" "sleepy's event after the sleep" events_are sleepy 1 || return 1
    grep -q 'no reply for' "$H_RECUTD_LOG" || { h_check_failed "no timeout logged"; return 1; }
}

# A PING that does not answer at once: DEBUG SLEEP has started.
h_redis_asleep() { ! timeout 0.5 redis-cli -h 127.0.0.1 -p "$H_REDIS_PORT" ping >/dev/null 2>&1; }

case_drain() {
    local errs
    errs=$(h_metric recut_redis_errors_total)
    h_redis CONFIG SET maxmemory 1 >/dev/null
    produce late l-1 m2
    h_wait_metric recut_redis_errors_total $((errs + 1)) || return 1
    kill -TERM "$H_RECUTD_PID"
    h_redis CONFIG SET maxmemory 0 >/dev/null
    h_wait_exit "$H_RECUTD_PID" "$H_TIMEOUT" || { h_check_failed "recutd did not drain"; return 1; }
    h_untrack "$H_RECUTD_PID"
    H_RECUTD_PID=""
    h_assert_eq "$H_RC" 0 "exit status after SIGTERM" || return 1
    h_assert_eq "$(events_of late)" 1 "late's event applied before exiting" || return 1
    local c
    c=$(h_committed "$GROUP" recut.events)
    h_assert_eq "${c% *}" "${c#* }" "committed offsets at the end of the topic" || return 1
    h_assert_eq "$(events_of good) $(events_of bad) $(events_of sleepy)" "4 1 1" \
        "every event applied once"
}

h_case "a viewer whose keys hold the wrong type is dead-lettered, the others go on" case_wrongtype
h_case "refused writes (OOM): recutd reconnects with backoff and catches up on its own" case_oom
h_case "a Redis silent beyond timeout_ms is reported down, then caught up" case_timeout
h_case "SIGTERM drains once Redis takes the writes again" case_drain
h_done
