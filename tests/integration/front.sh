#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The HTTP front thread (http_front.c): while recutd's main loop is held
# (a test editor plugin waits in edit() until the test releases it), a
# kept answer is still given, a malformed request is still refused, and
# requests that need the main loop (the held cut, /v1/health, /metrics)
# wait for it and are answered after.  The thread asks the kernel for a
# short time slice ([http] thread_slice_us), and a reload changes it.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3 cc

SLOW=$H_TMP/slow
PDIR=$H_TMP/plugins
mkdir -p "$SLOW" "$PDIR"
for so in "$H_PLUGIN_DIR"/*.so; do
    [ -e "$so" ] || h_fail "no plugins built in $H_PLUGIN_DIR"
    ln -s "$so" "$PDIR/"
done
$CC -std=c11 -shared -fPIC -I"$top_srcdir/include" -DSLOW_DIR="\"$SLOW\"" \
    "$srcdir/integration/slow_editor_plugin.c" -o "$PDIR/slowedit.so" 2>"$H_TMP/cc.err" ||
    h_fail "cannot build the test plugin: $(cat "$H_TMP/cc.err")"

H_NO_KAFKA=1
h_start_redis
h_write_config "$H_TMP/recutd.conf"
printf '[http]\nanswer_cache_ms = 600000\n' >>"$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf" --set "plugins.dir=$PDIR" --set plugins.load=highlights,slowedit
for m in m1 m2 m3; do
    h_put_movie "$m" 3000 10 Drama
done
h_http_body POST /v1/events "$(h_event u1 like m1 f-1)
$(h_event u2 like m1 f-2)
$(h_event u2 like m2 f-3)"
h_assert_eq "$H_STATUS" 200 "POST events" || h_fail "cannot post the events"

BASE=http://127.0.0.1:$H_HTTP_PORT
bg_get() { # OUT URL: GET in the background; OUT.code gets the status when done
    curl -s -m 90 -o "$1" -w '%{http_code}' "$2" >"$1.code" 2>/dev/null &
}

case_front_answers_while_held() {
    h_http GET "/v1/users/u1/recommendations?n=5"
    h_assert_eq "$H_STATUS" 200 "recommendations of u1" || return 1
    local first kept0 slow_pid health_pid metrics_pid
    first=$(cat "$H_BODY")
    kept0=$(h_metric recut_http_answers_cached_total)
    bg_get "$H_TMP/slow.out" "$BASE/v1/users/u2/cuts/m1?editor=slowedit&budget=600"
    slow_pid=$!
    h_wait_for 20 "the slow editor to hold the main loop" test -e "$SLOW/started" || return 1
    bg_get "$H_TMP/health.out" "$BASE/v1/health"
    health_pid=$!
    bg_get "$H_TMP/metrics.out" "$BASE/metrics"
    metrics_pid=$!
    # the main loop is held until $SLOW/release exists
    h_http GET "/v1/users/u1/recommendations?n=5"
    h_assert_eq "$H_STATUS" 200 "the kept answer while the main loop is held" || return 1
    h_assert_eq "$(cat "$H_BODY")" "$first" "the kept answer is the answer given before" || return 1
    h_http GET "/v1/users/%ZZ/recommendations"
    h_assert_eq "$H_STATUS" 400 "a malformed path while the main loop is held" || return 1
    kill -0 "$slow_pid" 2>/dev/null || h_check_failed "the held cut was answered before its release"
    kill -0 "$health_pid" 2>/dev/null || h_check_failed "health (main loop) was answered while the loop was held"
    kill -0 "$metrics_pid" 2>/dev/null || h_check_failed "/metrics (main loop) was answered while the loop was held"
    [ -e "$SLOW/release" ] && h_check_failed "released too early"
    touch "$SLOW/release"
    wait "$slow_pid" "$health_pid" "$metrics_pid"
    h_assert_eq "$(cat "$H_TMP/slow.out.code")" 200 "the held cut after its release" || return 1
    h_assert_eq "$(h_json "$H_TMP/slow.out" 'd["movie"]')" m1 "the held cut is m1's" || return 1
    h_assert_eq "$(cat "$H_TMP/health.out.code")" 200 "health after the release" || return 1
    h_assert_eq "$(cat "$H_TMP/metrics.out.code")" 200 "/metrics after the release" || return 1
    h_assert_num "$(h_metric recut_http_answers_cached_total)" ">=" "$((kept0 + 1))" \
        "the kept answer was counted"
}

case_event_drops_kept() {
    # the viewer's event is applied on the main loop, and drops what the
    # front thread would give again: the next answer no longer has m2
    h_http GET "/v1/users/u1/recommendations?n=5"
    h_assert_eq "$H_STATUS" 200 "recommendations of u1" || return 1
    h_assert_eq "$(h_json "$H_BODY" '"m2" in [i["movie"] for i in d["items"]]')" true \
        "m2 is recommended to u1 (u2 liked m1 and m2)" || return 1
    h_http_body POST /v1/events "$(h_event u1 like m2 f-4)"
    h_assert_eq "$H_STATUS" 200 "POST u1 likes m2" || return 1
    h_http GET "/v1/users/u1/recommendations?n=5"
    h_assert_eq "$(h_json "$H_BODY" '"m2" in [i["movie"] for i in d["items"]]')" false \
        "the answer after the event is new (m2 is seen)"
}

http_task_() { h_recutd_thread recutd-http; } # the HTTP thread's /proc dir

case_thread() {
    # recutd(8) Threads: the HTTP thread is named recutd-http (top -H)
    [ -n "$(http_task_)" ] || h_check_failed "no thread named recutd-http"
}

slice_of_() { awk -F: '$1 ~ /^se\.slice/ { gsub(/ /, "", $2); print $2 }' "$1/sched" 2>/dev/null; }
slice_is_() { [ "$(slice_of_ "$(http_task_)")" = "$1" ]; }

# [http] thread_slice_us: the thread asks the kernel for it (recutd.conf(5)),
# and a reload changes it.  Only kernels with EEVDF's custom slices (6.12
# and later) show the asked-for slice; older ones are told and keep theirs.
case_slice() {
    local t v main
    t=$(http_task_)
    grep -q "http: the thread's time slice is\|http: asked for a 100 us time slice" "$H_RECUTD_LOG" ||
        { h_check_failed "no word of the thread's slice: $(grep 'http:' "$H_RECUTD_LOG")"; return 1; }
    v=$(uname -r | awk -F. '{ printf "%d", $1 * 1000 + $2 }')
    if [ -z "$(slice_of_ "$t")" ] || [ "$v" -lt 6012 ]; then
        h_log "kernel $(uname -r) has no custom slices: only the log line is checked"
        return 0
    fi
    h_assert_eq "$(slice_of_ "$t")" 100000 "the HTTP thread's se.slice (ns), thread_slice_us = 100 (the default)" ||
        return 1
    main=$(slice_of_ "/proc/$H_RECUTD_PID/task/$H_RECUTD_PID")
    h_assert_eq "$(grep -c "time slice is 100 us" "$H_RECUTD_LOG")" 1 "log lines of the slice" || return 1
    local n
    n=$(h_metric recut_reloads_total)
    # the thread's nice value is kept when the slice is set again
    renice -n 5 -p "${t##*/}" >/dev/null || { h_check_failed "cannot renice the HTTP thread"; return 1; }
    printf '[http]\nthread_slice_us = 2500\n' >>"$H_TMP/recutd.conf"
    kill -HUP "$H_RECUTD_PID"
    h_wait_metric recut_reloads_total $((n + 1)) || return 1
    h_wait_for "$H_TIMEOUT" "se.slice 2500000" slice_is_ 2500000 ||
        { h_check_failed "se.slice after the reload: $(slice_of_ "$t")"; return 1; }
    h_assert_eq "$(awk '{ print $19 }' "$t/stat")" 5 "the HTTP thread's nice value after the reload" || return 1
    printf '[http]\nthread_slice_us = 0\n' >>"$H_TMP/recutd.conf"
    kill -HUP "$H_RECUTD_PID"
    h_wait_metric recut_reloads_total $((n + 2)) || return 1
    h_wait_for "$H_TIMEOUT" "se.slice $main (the main thread's, the kernel's default)" slice_is_ "$main" ||
        { h_check_failed "se.slice with thread_slice_us = 0: $(slice_of_ "$t")"; return 1; }
    # the main thread's is left alone
    h_assert_eq "$(slice_of_ "/proc/$H_RECUTD_PID/task/$H_RECUTD_PID")" "$main" "the main thread's se.slice"
}

case_sigterm() {
    h_stop_recutd
    h_assert_eq "$H_RC" 0 "SIGTERM: recutd stops its HTTP thread and exits 0"
}

h_case "the front thread answers while the main loop is held" case_front_answers_while_held
h_case "an event drops the answers the front thread keeps" case_event_drops_kept
h_case "the HTTP thread is named recutd-http" case_thread
h_case "the HTTP thread asks for [http] thread_slice_us, and a reload changes it" case_slice
h_case "SIGTERM exits 0" case_sigterm
h_done
