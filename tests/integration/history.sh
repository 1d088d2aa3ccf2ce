#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The positive history in Redis (PREFIX:{u:ID}:hist) keeps the newest
# [models] history_max movies, newest first: recutd trims it only when it
# outgrows the limit, so the list must be right across batches, a restart
# (the length is learned again from Redis) and a forget.
. "$srcdir/helpers/harness.sh"
CONF=$H_TMP/recutd.conf
h_start_stack 2 "$CONF"
printf '[models]\nhistory_max = 3\n' >>"$CONF"
h_start_recutd "$CONF"
for m in $(seq 1 9); do
    h_put_movie "m$m" 1200 4 Drama
done

applied=0
like() { # USER MOVIE...: one batch per movie
    local u=$1 m
    shift
    for m in "$@"; do
        printf '%s\t%s\n' "$u" "$(h_event "$u" like "$m" "")" | h_produce recut.events
        applied=$((applied + 1))
        h_wait_metric recut_events_applied_total "$applied" || return 1
    done
}
hist() { h_viewer "$1" hist | sed '/^$/d' | paste -sd' '; }

case_trimmed() {
    like v1 m1 m2 || { h_check_failed "likes not applied"; return 1; }
    h_assert_eq "$(hist v1)" "m2 m1" "two likes, under the limit" || return 1
    like v1 m3 m4 m5 || { h_check_failed "likes not applied"; return 1; }
    h_assert_eq "$(hist v1)" "m5 m4 m3" "five likes keep the newest three"
}

case_after_restart() {
    h_stop_recutd
    h_start_recutd "$CONF"
    applied=0 # the counters start again with the process
    like v1 m6 || { h_check_failed "like after restart not applied"; return 1; }
    h_assert_eq "$(hist v1)" "m6 m5 m4" "a like after a restart" || return 1
    like v2 m7 || { h_check_failed "like not applied"; return 1; }
    h_assert_eq "$(hist v2)" "m7" "a new viewer's first like"
}

case_after_forget() {
    printf 'v1\t%s\n' "$(h_event v1 forget "" "")" | h_produce recut.events
    applied=$((applied + 1))
    h_wait_metric recut_events_applied_total "$applied" || { h_check_failed "forget not applied"; return 1; }
    h_assert_eq "$(hist v1)" "" "forgotten" || return 1
    like v1 m7 m8 m9 m1 || { h_check_failed "likes not applied"; return 1; }
    h_assert_eq "$(hist v1)" "m1 m9 m8" "likes after a forget"
}

h_case "the list keeps the newest history_max movies" case_trimmed
h_case "the limit holds after a restart" case_after_restart
h_case "the limit holds after a forget" case_after_forget
h_done
