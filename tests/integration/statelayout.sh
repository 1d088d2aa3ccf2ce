#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A viewer's state is one value, PREFIX:{u:ID}:state (lib/core/viewer_blob.h).
# A viewer that recut 0.1 wrote (meta, nb, seen, scenes, hist and ids keys)
# is read from those keys, served, de-duplicated against its old ids, and
# moved to the one value by its next write, which deletes the old keys.  A
# value that does not decode dead-letters that viewer's events only; an old
# key next to a good value is a left-over and stops nothing.
. "$srcdir/helpers/harness.sh"
h_start_stack 2 "$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf"
for m in 1 2 3 4 5 6; do h_put_movie "m$m" 1800 10 Drama; done

post() {
    h_http_body POST /v1/events "$1"
    case $H_STATUS in 2??) ;; *) h_check_failed "POST of $1 answered $H_STATUS"; return 1 ;; esac
}
old_keys() { for k in meta nb seen hist ids scenes; do h_redis EXISTS "recut:{u:$1}:$k"; done | paste -sd' '; }

case_upgrade() {
    # as recut 0.1 left it: 3 events, two likes, one dislike
    h_redis HSET 'recut:{u:old}:meta' events 3 last_ts 300 consent 0 >/dev/null
    h_redis HSET 'recut:{u:old}:nb' n:like 2 t:like 2 f:like:genre:Drama 2 n:dislike 1 >/dev/null
    h_redis HSET 'recut:{u:old}:seen' m1 1 m2 1 m3 -1 >/dev/null
    h_redis HSET 'recut:{u:old}:scenes' m1:3 0.25 >/dev/null
    h_redis RPUSH 'recut:{u:old}:hist' m2 m1 >/dev/null
    h_redis ZADD 'recut:{u:old}:ids' 100 old-1 200 old-2 300 old-3 >/dev/null
    h_http GET '/v1/users/old/recommendations?n=10'
    h_assert_eq "$H_STATUS" 200 "recommendations of a 0.1 viewer" || return 1
    local items
    items=$(h_json "$H_BODY" "' '.join(i['movie'] for i in d['items'])")
    h_log "old's recommendations: $items"
    case " $items " in *" m1 "* | *" m2 "* | *" m3 "*)
        h_check_failed "a movie old has seen was recommended: $items"; return 1 ;; esac
    h_assert_ne "$items" "" "old gets recommendations" || return 1
    # an id from the old ids sorted set is a duplicate; a new one is applied
    local dup
    dup=$(h_metric recut_events_duplicate_total)
    post '{"user":"old","type":"like","ts":400,"movie":"m5","id":"old-2"}' || return 1
    h_wait_metric recut_events_duplicate_total $((dup + 1)) || { h_check_failed "old-2 not a duplicate"; return 1; }
    post '{"user":"old","type":"like","ts":500,"movie":"m4","id":"old-4"}' || return 1
    h_wait_for "$H_TIMEOUT" "old's state written" h_redis_true_ EXISTS 'recut:{u:old}:state' || return 1
    h_assert_eq "$(old_keys old)" "0 0 0 0 0 0" "the 0.1 keys deleted by the first write" || return 1
    h_assert_eq "$(h_viewer old meta events)" 4 "events carried over and counted" || return 1
    h_assert_eq "$(h_viewer old meta last_ts)" 500 "last_ts" || return 1
    h_assert_eq "$(h_viewer old hist | paste -sd' ')" "m4 m2 m1" "the history, newest first" || return 1
    h_assert_eq "$(h_viewer old seen m3)" -1 "the dislike kept" || return 1
    h_assert_eq "$(h_viewer old seen m5)" "" "the duplicate not applied" || return 1
    h_assert_eq "$(h_viewer old scenes m1:3)" 0.25 "the scene feedback kept" || return 1
    h_assert_eq "$(h_viewer old nb n:dislike)" 1 "the dislike weight kept" || return 1
    h_assert_eq "$(h_viewer old ids | paste -sd' ')" "old-1 old-2 old-3 old-4" "the ids, oldest first" ||
        return 1
    # the ids still de-duplicate once they live in the value
    post '{"user":"old","type":"like","ts":600,"movie":"m6","id":"old-1"}' || return 1
    h_wait_metric recut_events_duplicate_total $((dup + 2)) || { h_check_failed "old-1 not a duplicate"; return 1; }
    h_assert_eq "$(h_viewer old meta events)" 4 "events after a duplicate"
}
h_redis_true_() { [ "$(h_redis "$@")" = 1 ]; }

case_damaged_value() {
    local bad applied
    bad=$(h_metric 'recut_events_dead_letter_total{reason="bad_viewer_state"}')
    post "$(h_event dv like m1 dv-1)" || return 1
    h_wait_for "$H_TIMEOUT" "dv's state" h_redis_true_ EXISTS 'recut:{u:dv}:state' || return 1
    # one byte of the value changed: the checksum no longer matches
    h_redis GET 'recut:{u:dv}:state' | head -c -1 >"$H_TMP/dv.blob"
    "$SYS_PYTHON3" -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[-1] ^= 1; open(sys.argv[1], "wb").write(b)' "$H_TMP/dv.blob"
    h_redis -x SET 'recut:{u:dv}:state' <"$H_TMP/dv.blob" >/dev/null
    h_stop_recutd
    h_start_recutd "$H_TMP/recutd.conf" # (a fresh cache: dv is read from Redis)
    applied=$(h_metric recut_events_applied_total)
    post "$(h_event dv like m2 dv-2)" || return 1
    post "$(h_event ok like m2 ok-1)" || return 1
    h_wait_metric recut_events_applied_total $((applied + 1)) || { h_check_failed "ok's event not applied"; return 1; }
    h_wait_metric 'recut_events_dead_letter_total{reason="bad_viewer_state"}' $((bad + 1)) ||
        { h_check_failed "dv's event not dead-lettered"; return 1; }
    grep -q 'viewer dv cannot be read: .*checksum' "$H_RECUTD_LOG" ||
        { h_check_failed "no reason in the log: $(grep 'viewer dv' "$H_RECUTD_LOG" | tail -2)"; return 1; }
    h_assert_eq "$(h_viewer ok meta events)" 1 "ok's event applied" || return 1
    # the damaged value was left as it was; deleted, the viewer starts again
    h_assert_eq "$(h_redis GET 'recut:{u:dv}:state' | head -c -1 | cmp -s - "$H_TMP/dv.blob" && echo same)" same \
        "dv's value left alone" || return 1
    h_redis DEL 'recut:{u:dv}:state' >/dev/null
    post "$(h_event dv like m3 dv-3)" || return 1
    h_wait_for "$H_TIMEOUT" "dv's state again" h_redis_true_ EXISTS 'recut:{u:dv}:state' || return 1
    h_assert_eq "$(h_viewer dv hist | paste -sd' ')" m3 "dv after the repair"
}

case_leftover() {
    post "$(h_event lo like m1 lo-1)" || return 1
    h_wait_for "$H_TIMEOUT" "lo's state" h_redis_true_ EXISTS 'recut:{u:lo}:state' || return 1
    # a key of the old layout, of the wrong type, next to a good value
    h_redis SET 'recut:{u:lo}:seen' junk >/dev/null
    h_stop_recutd
    h_start_recutd "$H_TMP/recutd.conf" # (a fresh cache: lo is read from Redis)
    post "$(h_event lo like m2 lo-2)" || return 1
    h_wait_for "$H_TIMEOUT" "lo's second event" lo_has_2_ || return 1
    h_assert_eq "$(h_redis EXISTS 'recut:{u:lo}:seen')" 0 "the left-over deleted" || return 1
    h_assert_eq "$(h_viewer lo seen | sort | paste -sd' ')" "m1 m2" "lo's seen movies"
}
lo_has_2_() { [ "$(h_viewer lo meta events)" = 2 ]; }

h_case "a viewer of recut 0.1 is read, served and moved to one value" case_upgrade
h_case "a damaged value dead-letters that viewer's events only" case_damaged_value
h_case "an old key next to a good value is a left-over" case_leftover
h_done
