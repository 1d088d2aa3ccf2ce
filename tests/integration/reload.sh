#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Reloadable means reloaded: keys the config table marks "reloads on SIGHUP"
# take effect in the running process, seen from outside (committed offsets,
# what gets published, metrics, HTTP answers, the log), not only in
# --dump-config.  sighup.sh covers [publish] n and reloading under load.
# Covered here: kafka.commit_interval_ms, publish.delay_ms, daemon.log_level,
# kafka.max_message_bytes, redis.ids_max, plugins.load, cuts.editor,
# cuts.budget, publish.recommendations, weights.like, models.groups_interval_s;
# https.sh reloads http.tls_cert and http.tls_key (a rotated certificate);
# scorer.sh reloads models.scorer_pool (it needs a scorer plugin loaded);
# front.sh reloads http.thread_slice_us (the HTTP thread's se.slice).
# The other reloadable keys are read from the running configuration at each
# use (lib/core/update.c, recommend.c, daemon/store, svm_scorer_reload), the
# same path as weights.like and ids_max.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli kcat curl python3
h_require_mockkafka

h_start_redis
h_start_kafka recut.events:2 recut.catalog recut.published recut.deadletter
CONF=$H_TMP/recutd.conf
h_write_config "$CONF"
cp "$CONF" "$H_TMP/base.conf"
# start with the slowest commits and a publish delay of an hour: what the
# reloads change is then unmistakable
printf '[kafka]\ncommit_interval_ms = 60000\n[publish]\ndelay_ms = 3600000\n' >>"$CONF"
cp "$CONF" "$H_TMP/start.conf"
h_start_recutd "$CONF"
STARTED=$SECONDS
PID=$H_RECUTD_PID
GROUP=recutd-$H_NAME
for m in 1 2 3 4 5 6; do h_put_movie "m$m" 1800 9 Drama; done
h_put_movie m7 1800 60 Drama # 30 s scenes, for cuts

# reload TEXT: the starting file plus TEXT (later keys win); SIGHUP, and
# wait until the reload is counted
RELOADS=0
reload() {
    { cat "$H_TMP/start.conf"; printf '%s\n' "$1"; } >"$CONF.new"
    mv "$CONF.new" "$CONF"
    RELOADS=$((RELOADS + 1))
    kill -HUP "$PID"
    h_wait_metric recut_reloads_total "$RELOADS" || h_check_failed "reload $RELOADS not counted"
}

committed_all_() {
    local c
    c=$(h_committed "$GROUP" recut.events) || return 1
    set -- $c
    [ "$1" -ge 40 ] && [ "$1" = "$2" ]
}
recs_of_r1_() { [ -n "$(h_redis GET 'recut:{u:r1}:recs')" ]; }

case_commit_and_delay() {
    local i c
    for i in $(seq 1 40); do
        printf 'r%d\t%s\n' $((i % 4)) "$(h_event "r$((i % 4))" rating "m$((i % 5 + 1))" "r-$i" "\"value\":4")"
    done | h_produce recut.events
    h_wait_metric recut_events_applied_total 40 || { h_check_failed "events not applied"; return 1; }
    # commit_interval_ms = 60000 since start: nothing committed yet (the
    # check is only meaningful within the first minute)
    c=$(h_committed "$GROUP" recut.events) || { h_check_failed "no committed offsets"; return 1; }
    if [ $((SECONDS - STARTED)) -lt 50 ]; then
        set -- $c
        h_assert_num "$1" "<" "$2" "committed offsets before the reload (commit_interval_ms = 60000)" || return 1
    else
        h_log "more than 50 s since start: not checking that nothing was committed yet"
    fi
    # delay_ms = 3600000: nothing published yet
    h_assert_eq "$(h_redis EXISTS 'recut:{u:r1}:recs')" 0 "r1's recommendations published before the reload" || return 1
    reload $'[kafka]\ncommit_interval_ms = 100\n[publish]\ndelay_ms = 100'
    # both must now happen well before the old intervals would have
    h_wait_for 20 "every offset committed after commit_interval_ms = 100" committed_all_ ||
        h_check_failed "committed/end after reloading commit_interval_ms: $(h_committed "$GROUP" recut.events)"
    h_wait_for 20 "r1's recommendations published after delay_ms = 100" recs_of_r1_ ||
        { h_check_failed "nothing published after reloading delay_ms = 100"; return 1; }
    grep -q 'committing offsets every 100 ms' "$H_RECUTD_LOG" ||
        h_check_failed "no log line for the new commit interval"
}

case_log_level() {
    local n
    n=$(grep -c 'configuration reloaded' "$H_RECUTD_LOG")
    # at warning, the reload's own notice is not logged any more
    reload $'[daemon]\nlog_level = warning\n[kafka]\ncommit_interval_ms = 100\n[publish]\ndelay_ms = 100'
    h_assert_eq "$(grep -c 'configuration reloaded' "$H_RECUTD_LOG")" "$n" "notices logged at log_level = warning" || return 1
    reload $'[daemon]\nlog_level = notice\n[kafka]\ncommit_interval_ms = 100\n[publish]\ndelay_ms = 100'
    h_assert_eq "$(grep -c 'configuration reloaded' "$H_RECUTD_LOG")" $((n + 1)) "notices logged at log_level = notice"
}

# an event with a 300-byte comment, about 400 bytes in all
big_event() { h_event r9 comment m1 "$1" "\"text\":\"$(printf 'good %.0s' $(seq 1 60))\""; }

case_max_message_bytes() {
    local dl applied
    dl=$(h_metric 'recut_events_dead_letter_total{reason="too_large"}')
    applied=$(h_metric recut_events_applied_total)
    printf 'r9\t%s\n' "$(big_event big-1)" | h_produce recut.events
    h_wait_metric recut_events_applied_total $((applied + 1)) || { h_check_failed "a 400-byte event not applied"; return 1; }
    reload $'[kafka]\ncommit_interval_ms = 100\nmax_message_bytes = 256\n[publish]\ndelay_ms = 100'
    printf 'r9\t%s\n' "$(big_event big-2)" | h_produce recut.events
    h_wait_metric 'recut_events_dead_letter_total{reason="too_large"}' $((dl + 1)) ||
        { h_check_failed "a 400-byte event not refused after max_message_bytes = 256"; return 1; }
}

case_ids_max() {
    local dup applied e
    e=$(h_event r8 like m2 same-id)
    dup=$(h_metric recut_events_duplicate_total)
    applied=$(h_metric recut_events_applied_total)
    printf 'r8\t%s\nr8\t%s\n' "$e" "$e" | h_produce recut.events
    h_wait_metric recut_events_duplicate_total $((dup + 1)) || { h_check_failed "duplicate not skipped with ids_max = 10000"; return 1; }
    h_assert_eq "$(h_metric recut_events_applied_total)" $((applied + 1)) "applied with de-duplication" || return 1
    reload $'[kafka]\ncommit_interval_ms = 100\n[publish]\ndelay_ms = 100\n[redis]\nids_max = 0'
    printf 'r8\t%s\n' "$e" | h_produce recut.events
    h_wait_metric recut_events_applied_total $((applied + 2)) || { h_check_failed "the same id not applied again with ids_max = 0"; return 1; }
    h_assert_eq "$(h_metric recut_events_duplicate_total)" $((dup + 1)) "duplicates counted with ids_max = 0"
}

case_cuts_and_plugins() {
    h_http GET "/v1/users/r1/cuts/m7"
    h_assert_eq "$H_STATUS" 200 "GET cut ($(head -c 200 "$H_BODY"))" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'd["editor"]')" highlights "default editor before the reload" || return 1
    h_assert_num "$(h_json "$H_BODY" 'd["budget"]')" == 120 "default budget before the reload" || return 1
    h_http GET "/v1/users/r1/cuts/m7?editor=storyline"
    h_assert_ne "$H_STATUS" 200 "storyline editor before it is loaded" || return 1
    reload $'[kafka]\ncommit_interval_ms = 100\n[publish]\ndelay_ms = 100\n[plugins]\nload = highlights,storyline,redis,kafka\n[cuts]\neditor = storyline\nbudget = 300'
    h_http GET "/v1/users/r1/cuts/m7"
    h_assert_eq "$H_STATUS" 200 "GET cut after the reload ($(head -c 200 "$H_BODY"))" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'd["editor"]')" storyline "cuts.editor after the reload" || return 1
    h_assert_num "$(h_json "$H_BODY" 'd["budget"]')" == 300 "cuts.budget after the reload"
}

recs_of_() { [ -n "$(h_redis GET "recut:{u:$1}:recs")" ]; }

case_publish_recommendations() {
    local applied
    applied=$(h_metric recut_events_applied_total)
    reload $'[kafka]\ncommit_interval_ms = 100\n[publish]\ndelay_ms = 100\nrecommendations = no'
    printf 'r5\t%s\n' "$(h_event r5 like m3 p-5)" | h_produce recut.events
    h_wait_metric recut_events_applied_total $((applied + 1)) || { h_check_failed "r5's event not applied"; return 1; }
    reload $'[kafka]\ncommit_interval_ms = 100\n[publish]\ndelay_ms = 100\nrecommendations = yes'
    printf 'r6\t%s\n' "$(h_event r6 like m3 p-6)" | h_produce recut.events
    h_wait_for 20 "r6's recommendations published with recommendations = yes" recs_of_ r6 ||
        { h_check_failed "nothing published for r6 after publish.recommendations = yes"; return 1; }
    # r6 was published by a tick after r5's event: r5, changed while
    # publishing was off, was never queued
    h_assert_eq "$(h_redis EXISTS 'recut:{u:r5}:recs')" 0 "r5 published although publish.recommendations was no"
}

like_weight_of() { # USER: the weight of the likes the viewer's model learned
    h_http GET "/v1/users/$1/profile"
    [ "$H_STATUS" = 200 ] && h_json "$H_BODY" 'd["naive_bayes"]["like_weight"]'
}

case_weights() {
    local applied
    applied=$(h_metric recut_events_applied_total)
    # weights.like = 0: a like teaches nothing
    reload $'[kafka]\ncommit_interval_ms = 100\n[publish]\ndelay_ms = 100\n[weights]\nlike = 0'
    printf 'r7\t%s\n' "$(h_event r7 like m2 w-7)" | h_produce recut.events
    h_wait_metric recut_events_applied_total $((applied + 1)) || { h_check_failed "r7's like not applied"; return 1; }
    h_assert_num "$(like_weight_of r7)" == 0 "r7's like weight after a like weighted 0" || return 1
    reload $'[kafka]\ncommit_interval_ms = 100\n[publish]\ndelay_ms = 100\n[weights]\nlike = 2.0'
    printf 'r8w\t%s\n' "$(h_event r8w like m2 w-8)" | h_produce recut.events
    h_wait_metric recut_events_applied_total $((applied + 2)) || { h_check_failed "r8w's like not applied"; return 1; }
    h_assert_num "$(like_weight_of r8w)" == 2 "r8w's like weight after a like weighted 2.0"
}

case_groups_interval() {
    reload $'[kafka]\ncommit_interval_ms = 100\n[publish]\ndelay_ms = 100\n[models]\ngroups_interval_s = 0'
    grep -q 'groups: fitting every 0 s (off)' "$H_RECUTD_LOG" ||
        h_check_failed "no log line for groups_interval_s = 0"
}

case_same_process() {
    kill -0 "$PID" 2>/dev/null || { h_check_failed "recutd died"; return 1; }
    h_assert_eq "$H_RECUTD_PID" "$PID" "same process" || return 1
    h_stop_recutd
    h_assert_eq "$H_RC" 0 "exit status after SIGTERM"
}

h_case "commit_interval_ms and delay_ms take effect on SIGHUP" case_commit_and_delay
h_case "log_level takes effect on SIGHUP" case_log_level
h_case "max_message_bytes takes effect on SIGHUP" case_max_message_bytes
h_case "ids_max takes effect on SIGHUP" case_ids_max
h_case "plugins.load, cuts.editor and cuts.budget take effect on SIGHUP" case_cuts_and_plugins
h_case "publish.recommendations takes effect on SIGHUP" case_publish_recommendations
h_case "weights.like takes effect on SIGHUP" case_weights
h_case "models.groups_interval_s takes effect on SIGHUP" case_groups_interval
h_case "one process throughout, exit 0 on SIGTERM" case_same_process
h_done
