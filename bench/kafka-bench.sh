#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# kafka-bench.sh -- recutd's Kafka ingest rate against the raw read rate of
# the same topic, in one run.
#
#   (a) baseline: kcat -C -e -o beginning -q > /dev/null reading the topic
#       (best of $KCAT_RUNS runs, each timed from kcat's start to its exit);
#   (b) recutd with a fresh Redis (holding only the catalog, loaded by an
#       earlier recutd run from recut.catalog) consuming, applying and
#       committing all N events: timed from the first event read (so the mock cluster's
#       3 s consumer-group join delay and the process start are not counted;
#       the time from process start is printed too) until
#       recut_events_applied_total = N and the group's committed offsets
#       reach the end of the topic.
# Prints both rates (events/s) and the ratio (b)/(a); target >= 0.5.
# Then the same for a stream of the same size whose events come in
# sessions (kafka-produce --sessions $SESSION: 64 viewers in a session at
# once, $SESSION events a session on average), as real streams do, on a
# Redis restarted from the catalog alone.
#
# Environment: N (events, default 1000000), MOVIES (catalog size, 3000),
# PARTITIONS (of the events topic, 32), KCAT_RUNS (2), PUBLISH (1, the
# shipped default: each changed viewer's recommendations are published to
# the redis and kafka publishers; 0: off), EXTRA_CONF (config lines
# appended to recutd's file), RECUT_TEST_TIMEOUT (seconds
# any single wait may take; default scales with N), SESSION (events a
# session, 20; 0: no sessions stream).
# Run from the build tree: make -C bench bench-kafka (sets top_builddir,
# top_srcdir, REDIS_SERVER, SYS_PYTHON3).
: "${N:=1000000}" "${MOVIES:=3000}" "${PARTITIONS:=32}" "${KCAT_RUNS:=2}" "${PUBLISH:=1}" "${SESSION:=20}"
: "${RECUT_TEST_TIMEOUT:=$((60 + N / 2000))}"
export RECUT_TEST_TIMEOUT
. "$top_srcdir/tests/helpers/harness.sh"
h_require_tools redis-server redis-cli kcat curl python3
h_require_mockkafka
h_require_recutd
PRODUCE=$top_builddir/bench/kafka-produce
[ -x "$PRODUCE" ] || h_fail "kafka-produce not built: $PRODUCE"

now() { date +%s.%N; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# CPU seconds (user + system) a process has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }

TOPIC=bench.events
TOPIC_S=bench.sessions
h_start_kafka "$TOPIC:$PARTITIONS" "$TOPIC_S:$PARTITIONS" recut.catalog:4 recut.published:8 recut.deadletter:4
h_start_redis
CONF=$H_TMP/recutd.conf
publish=no
[ "$PUBLISH" = 1 ] && publish=yes
# write_conf TOPIC GROUP: recutd's file for one measured stream
write_conf() {
    h_write_config "$CONF"
    cat >>"$CONF" <<EOF
[daemon]
log_level = notice
[kafka]
topics = $1
group = $2
[publish]
recommendations = $publish
EOF
    # EXTRA_CONF: more config lines (e.g. $'[kafka]\nbatch_size = 10000')
    [ -n "${EXTRA_CONF:-}" ] && printf '%s\n' "$EXTRA_CONF" >>"$CONF"
    return 0
}
write_conf "$TOPIC" bench

# The catalog first: a recutd run reads it from recut.catalog into Redis
# (where the measured run loads it from at start), so the measured run
# sees every movie from its first event on.
h_log "loading a catalog of $MOVIES movies"
"$PRODUCE" -b "$H_KAFKA" -t recut.catalog --catalog "$MOVIES" || h_fail "catalog production failed"
h_start_recutd "$CONF"
catalog_loaded_() { [ "$(h_redis SCARD recut:{catalog}:movies)" = "$MOVIES" ]; }
h_wait_for "$RECUT_TEST_TIMEOUT" "the catalog in Redis" catalog_loaded_ ||
    h_fail "catalog not loaded: $(h_redis SCARD recut:{catalog}:movies) of $MOVIES movies"
h_stop_recutd
[ "$H_RC" = 0 ] || h_fail "the catalog run exited with $H_RC"
# the catalog alone, for the sessions stream's fresh Redis
h_redis SAVE >/dev/null || h_fail "redis SAVE failed"
cp "$H_TMP/redis/dump.rdb" "$H_TMP/catalog.rdb"

h_log "producing $N events ($PARTITIONS partitions)"
"$PRODUCE" -b "$H_KAFKA" -t "$TOPIC" -n "$N" --movies "$MOVIES" || h_fail "event production failed"
if [ "$SESSION" -gt 0 ]; then
    h_log "producing $N events in sessions of $SESSION on average"
    "$PRODUCE" -b "$H_KAFKA" -t "$TOPIC_S" -n "$N" --movies "$MOVIES" --sessions "$SESSION" --seed 7 ||
        h_fail "event production (sessions) failed"
fi

# (a) kcat raw read of a topic: best of $KCAT_RUNS; sets best_a
kcat_best() {
    local i t t0 t1
    best_a=""
    for i in $(seq 1 "$KCAT_RUNS"); do
        t0=$(now)
        kcat -C -b "$H_KAFKA" -t "$1" -e -o beginning -q >/dev/null 2>"$H_TMP/kcat.err" ||
            h_fail "kcat failed: $(cat "$H_TMP/kcat.err")"
        t1=$(now)
        t=$(secs "$t0" "$t1")
        h_log "kcat run $i ($1): $t s"
        if [ -z "$best_a" ] || awk -v a="$t" -v b="$best_a" 'BEGIN { exit !(a < b) }'; then best_a=$t; fi
    done
}

# (b) recutd on a Redis that holds only the catalog, consuming TOPIC as
# GROUP; adds the stream's lines to the report
measure() { # NAME TOPIC GROUP
    local name=$1 topic=$2 group=$3
    kcat_best "$topic"
    [ "$(h_redis DBSIZE)" -le $((MOVIES + 10)) ] || h_fail "Redis holds more than the catalog: $(h_redis DBSIZE) keys"
    local redis_cpu0 t_start t_first="" deadline applied received c t_end recutd_cpu redis_cpu dl bytes_per_viewer n_sampled ev_sampled
    redis_cpu0=$(cpu "$H_REDIS_PID")
    t_start=$(now)
    h_start_recutd "$CONF"
    deadline=$((SECONDS + RECUT_TEST_TIMEOUT))
    while :; do
        applied=$(h_metric recut_events_applied_total)
        if [ -z "$t_first" ]; then
            received=$(h_metric recut_events_received_total)
            [ "${received:-0}" -gt 0 ] && t_first=$(now)
        fi
        [ "${applied:-0}" -ge "$N" ] && break
        kill -0 "$H_RECUTD_PID" 2>/dev/null || h_fail "recutd exited during the run"
        [ "$SECONDS" -ge "$deadline" ] &&
            h_fail "recutd applied $applied of $N events in ${RECUT_TEST_TIMEOUT}s (dead letters: $(h_metric recut_events_dead_letter_total))"
        sleep 0.1
    done
    while :; do
        c=$(h_committed "$group" "$topic")
        [ "$c" = "$N $N" ] && break
        [ "$SECONDS" -ge "$deadline" ] && h_fail "committed/end offsets stuck at $c"
        sleep 0.1
    done
    t_end=$(now)
    recutd_cpu=$(cpu "$H_RECUTD_PID")
    redis_cpu=$(secs "$redis_cpu0" "$(cpu "$H_REDIS_PID")")
    dl=$(h_metric recut_events_dead_letter_total)
    [ "$dl" = 0 ] || h_log "warning: $dl events went to the dead-letter topic"
    # bytes a viewer takes in Redis: MEMORY USAGE of every key of v0..v199
    # (its state blob, emotion sums, and the keys of the layout before it),
    # averaged over those that have events (a sessions stream may leave
    # some out), with their mean event count
    local sampled
    sampled=$(for v in $(seq 0 199); do
        printf 'viewer %s\n' "$(h_viewer "v$v" meta events)"
        for k in state meta nb seen hist ids scenes emo; do
            h_redis MEMORY USAGE "recut:{u:v$v}:$k"
        done
    done | awk '$1 == "viewer" { if ($2 > 0) { n++; ev += $2; on = 1 } else on = 0; next }
                on && $1 ~ /^[0-9]+$/ { s += $1 }
                END { if (n) printf "%.0f %d %.1f", s / n, n, ev / n; else print "0 0 0" }')
    read -r bytes_per_viewer n_sampled ev_sampled <<<"$sampled"
    h_stop_recutd
    [ "$H_RC" = 0 ] || h_log "warning: recutd exited with $H_RC after SIGTERM"

    local tb tb_all ra rb
    tb=$(secs "$t_first" "$t_end")
    tb_all=$(secs "$t_start" "$t_end")
    ra=$(rate "$N" "$best_a")
    rb=$(rate "$N" "$tb")
    {
        echo
        echo "kafka-bench, $name: $N events, $PARTITIONS partitions, $MOVIES movies, publishing $publish"
        printf '  (a) kcat raw read            %10s events/s  (%s s, best of %s)\n' "$ra" "$best_a" "$KCAT_RUNS"
        printf '  (b) recutd apply + commit    %10s events/s  (%s s from the first event read; %s s from process start)\n' "$rb" "$tb" "$tb_all"
        printf '      CPU during (b): recutd %s s, redis-server %s s (of %s s wall from process start)\n' "$recutd_cpu" "$redis_cpu" "$tb_all"
        printf '  Redis bytes per viewer       %10s           (MEMORY USAGE of all keys of %s viewers, %s events each on average)\n' "$bytes_per_viewer" "$n_sampled" "$ev_sampled"
        printf '  ratio (b)/(a)                %10s           (target >= 0.5)\n' "$(awk -v a="$ra" -v b="$rb" 'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }')"
    } >>"$H_TMP/report"
}

: >"$H_TMP/report"
measure "uniform stream" "$TOPIC" bench
if [ "$SESSION" -gt 0 ]; then
    # a fresh Redis holding the catalog alone, for the sessions stream
    h_kill "$H_REDIS_PID"
    h_untrack "$H_REDIS_PID"
    cp "$H_TMP/catalog.rdb" "$H_TMP/redis/dump.rdb"
    h_start_redis
    write_conf "$TOPIC_S" bench-sessions
    measure "sessions of $SESSION events on average" "$TOPIC_S" bench-sessions
fi
cat "$H_TMP/report"
