#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# SIGHUP: reloading the configuration (reloadable keys changed, then a broken
# file) while events stream in loses no event and keeps the same process.
. "$srcdir/helpers/harness.sh"
CONF=$H_TMP/recutd.conf
h_start_stack 4 "$CONF"
cp "$CONF" "$H_TMP/base.conf"
h_start_recutd "$CONF"
PID=$H_RECUTD_PID
# events rate m1..m5 only, so m6..m12 are there to recommend
for m in $(seq 1 12); do h_put_movie "m$m" 1800 9 Drama; done

# gen USER_PREFIX FROM TO: one rating per index, 25 viewers
gen() {
    local i
    for i in $(seq "$2" "$3"); do
        printf '%s%d\t%s\n' "$1" $((i % 25)) "$(h_event "$1$((i % 25))" rating "m$((i % 5 + 1))" "h-$i" "\"value\":$((i % 5 + 1))")"
    done
}

# Produce events from..to in chunks of 50 in the background, so reloads
# happen while messages arrive.
produce_bg() {
    (
        local a
        for a in $(seq "$1" 50 "$2"); do
            gen u "$a" $((a + 49)) | kcat -P -b "$H_KAFKA" -t recut.events -K '\t' -q
            sleep 0.05
        done
    ) &
    BG=$!
}

# number of items in u1's published recommendations (Redis publisher)
u1_recs_n() { h_redis GET 'recut:{u:u1}:recs' >"$H_TMP/recs.json" && h_json "$H_TMP/recs.json" 'len(d["items"])'; }
u1_recs_ge4_() { [ "$(u1_recs_n)" -ge 4 ] 2>/dev/null; }
u1_recs_le3_() { [ "$(u1_recs_n)" -le 3 ] 2>/dev/null; }

case_reload_keys() {
    gen u 1 100 | h_produce recut.events
    h_wait_metric recut_events_applied_total 100 || { h_check_failed "first events not applied"; return 1; }
    # [publish] n is 10 before the reload: 7 candidates get published
    h_wait_for "$H_TIMEOUT" "u1's recommendations published" u1_recs_ge4_ ||
        { h_check_failed "u1's published recommendations: $(u1_recs_n) items"; return 1; }
    produce_bg 101 1100
    # reloadable keys: log level, weights, publish settings
    { sed 's/^log_level = info$/log_level = debug/' "$H_TMP/base.conf"
      printf '[weights]\nrating = 2.0\nlike = 3.0\n[publish]\nn = 3\n'; } >"$CONF.new"
    mv "$CONF.new" "$CONF"
    kill -HUP "$PID"
    sleep 0.3
    kill -HUP "$PID"
    wait "$BG"
    h_wait_metric recut_events_applied_total 1100 || { h_check_failed "events lost across reloads"; return 1; }
    h_assert_eq "$(h_metric recut_events_applied_total)" 1100 "applied after reloads" || return 1
    # the reloaded [publish] n = 3 applies to what is published after it
    h_wait_for "$H_TIMEOUT" "u1's recommendations published with n = 3" u1_recs_le3_ ||
        h_check_failed "after reloading [publish] n = 3, u1's published recommendations have $(u1_recs_n) items"
    kill -0 "$PID" 2>/dev/null || { h_check_failed "recutd died"; return 1; }
    h_assert_eq "$H_RECUTD_PID" "$PID" "same process" || return 1
    h_health_ok || h_check_failed "not healthy after reloads"
}

case_reload_broken() {
    # a broken file on SIGHUP: keep running with the previous configuration
    cp "$CONF" "$H_TMP/last-good.conf"
    printf 'this is = \n[not closed\n' >>"$CONF"
    produce_bg 1101 1500
    kill -HUP "$PID"
    wait "$BG"
    h_wait_metric recut_events_applied_total 1500 || { h_check_failed "events lost after a bad reload"; return 1; }
    kill -0 "$PID" 2>/dev/null || { h_check_failed "recutd died on a broken config"; return 1; }
    h_health_ok || { h_check_failed "not healthy after a bad reload"; return 1; }
    # and a later good reload works again
    cp "$H_TMP/last-good.conf" "$CONF"
    kill -HUP "$PID"
    gen u 1501 1600 | h_produce recut.events
    h_wait_metric recut_events_applied_total 1600 || h_check_failed "events not applied after reloading a good file"
}

case_counts() {
    local u want sum=0 bad=0
    for u in $(seq 0 24); do
        want=$(seq 1 1600 | awk -v u="$u" '$1 % 25 == u' | wc -l | tr -d ' ')
        got=$(h_viewer "u$u" meta events)
        [ "$got" = "$want" ] || { bad=$((bad + 1)); h_log "u$u: meta.events $got, expected $want"; }
        sum=$((sum + ${got:-0}))
    done
    h_assert_eq "$bad" 0 "viewers with wrong meta.events" || return 1
    h_assert_eq "$sum" 1600 "sum of meta.events"
}

case_stop() {
    h_stop_recutd
    h_assert_eq "$H_RC" 0 "exit status after SIGTERM"
}

h_case "reloading reloadable keys while consuming loses nothing" case_reload_keys
h_case "a broken file on SIGHUP keeps the old configuration" case_reload_broken
h_case "every event applied exactly once" case_counts
h_case "exit 0 on SIGTERM after reloads" case_stop
h_done
