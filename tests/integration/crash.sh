#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Crash and fault exactness (issue 8): a seeded stream of events with ids
# (likes, dislikes and ratings, so co-occurrence moves) runs once
# uninterrupted, then again through every fault at random points: recutd
# killed with SIGKILL and restarted (CRASH_KILLS times), its Redis
# connections killed (CLIENT KILL), Redis stalled longer than timeout_ms
# (DEBUG SLEEP), every Kafka broker taken down and up, and Redis restarted
# from its AOF while it is still LOADING.  The final state -- every viewer's
# fields, histories, ids and counts, popularity and co-occurrence -- must
# equal the uninterrupted run's exactly (tests/helpers/redis_state.py).  One
# viewer has a key of the wrong type planted in both runs: its events are
# dead-lettered as bad_viewer_state and the others go on.
#
# CRASH_EVENTS, CRASH_VIEWERS, CRASH_MOVIES, CRASH_KILLS and CRASH_SEED
# change the stream (bench/crash-bench.sh runs it bigger).
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli kcat curl python3
h_require_mockkafka

EVENTS=${CRASH_EVENTS:-50000}
VIEWERS=${CRASH_VIEWERS:-2000}
MOVIES=${CRASH_MOVIES:-300}
KILLS=${CRASH_KILLS:-5}
SEED=${CRASH_SEED:-$RANDOM}
h_log "seed $SEED: $EVENTS events, $VIEWERS viewers, $MOVIES movies, $KILLS kill points"

REDIS_ARGS=(--appendonly yes --appendfsync everysec --enable-debug-command local)
h_start_redis "${REDIS_ARGS[@]}"
h_start_kafka recut.events:8 recut.faults:8 recut.catalog recut.published recut.deadletter
CONF=$H_TMP/recutd.conf
h_write_config "$CONF"
# no publishers: what they publish depends on when, not on what was counted
sed -i 's/^load = .*/load = highlights/' "$CONF"
sed -i '/^\[redis\]$/a timeout_ms = 1000' "$CONF"
# small batches: more of them in flight when a fault lands
sed -i '/^\[kafka\]$/a batch_size = 50' "$CONF"
sed -i 's/^session.timeout.ms = .*/session.timeout.ms = 3000/' "$CONF"
grep -q '^timeout_ms = 1000' "$CONF" || h_fail "config: timeout_ms not set"

# the stream: KEY<TAB>EVENT lines, ids unique, time stamps increasing; the
# viewer "wt" (its seen key planted as a string) has WT events
"$SYS_PYTHON3" - "$EVENTS" "$VIEWERS" "$MOVIES" "$SEED" >"$H_TMP/events.tsv" <<'EOF'
import json, random, sys
n, nv, nm, seed = map(int, sys.argv[1:5])
rnd = random.Random(seed)
ts = 1700000000000
for i in range(n):
    ts += 7
    heavy = rnd.random() < 0.4
    u = "wt" if i % 997 == 5 else "c%d" % (int(rnd.paretovariate(1.2) * 7) % nv if heavy else rnd.randrange(nv))
    m = "m%d" % (int(rnd.paretovariate(1.1) * 3) % nm + 1)
    r = rnd.random()
    ev = {"user": u, "movie": m, "ts": ts, "id": "e%d" % i}
    if r < 0.45:
        ev["type"] = "like"
    elif r < 0.55:
        ev["type"] = "dislike"
    else:
        ev["type"] = "rating"
        ev["value"] = rnd.choice([1, 2, 2.5, 3, 3.5, 4, 4.5, 5])
    print("%s\t%s" % (u, json.dumps(ev, separators=(",", ":"))))
EOF
N_WT=$(grep -c '^wt	' "$H_TMP/events.tsv")

plant() { h_redis HSET 'recut:{u:wt}:state' planted 1 >/dev/null; }
catalog() {
    local k
    for k in $(seq 1 "$MOVIES"); do
        printf '%s\t%s\n' "m$k" "$(h_movie_json "m$k" 1800 4 "G$((k % 5))")"
    done | h_produce recut.catalog
}

# the outbox key of a viewer's slot: PREFIX:{gdN}:gd with gdN the first such
# tag in the viewer's slot (CRC16/XMODEM mod 16384, as daemon/store/store_outbox.c)
outbox_key() { # VIEWER
    "$SYS_PYTHON3" - "$1" <<'EOF'
import sys
def crc16(b):
    c = 0
    for x in b:
        c ^= x << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) & 0xFFFF if c & 0x8000 else (c << 1) & 0xFFFF
    return c
want = crc16(("u:" + sys.argv[1]).encode()) % 16384
seen = set()
n = 0
while True:
    t = "gd%d" % n
    s = crc16(t.encode()) % 16384
    if s not in seen:
        seen.add(s)
        if s == want:
            print("recut:{%s}:gd" % t)
            break
    n += 1
EOF
}

# outboxes and folds not yet folded (not the planted key set aside)
outboxes_() { h_redis --scan --pattern 'recut:{gd*' | grep -v ':damaged$'; }

catalog_loaded() { [ "$(h_redis SCARD 'recut:{catalog}:movies')" = "$MOVIES" ]; }

# until the group committed every event of TOPIC and every outbox is folded
settle() { # GROUP TOPIC
    local deadline=$((SECONDS + 300)) c
    while [ "$SECONDS" -lt "$deadline" ]; do
        c=$(h_committed "$1" "$2")
        if [ "${c% *}" = "${c#* }" ] && [ "${c% *}" -ge "$EVENTS" ] &&
            [ -z "$(outboxes_)" ]; then
            return 0
        fi
        sleep 0.5
    done
    h_check_failed "not settled: committed/end $(h_committed "$1" "$2"), $(outboxes_ | wc -l) outboxes/folds left"
    return 1
}

redis_up_() { [ "$(h_metric recut_redis_up)" = 1 ]; }
lag_zero_() { [ "$(h_metric recut_kafka_consumer_lag)" = 0 ]; }

progress_() { # COMMITTED-BEFORE (or all of it is)
    local c
    c=$(h_committed faults recut.faults) && { [ "${c% *}" -gt "$1" ] || [ "${c% *}" -ge "$EVENTS" ]; }
}

# not compared: what workers make on their own clock (the groups' models,
# the viewers' SVMs and their index), the catalog's write counter, and the
# fold markers a kill left behind (recutd(8): removed after a day)
state() { # OUT
    "$SYS_PYTHON3" "$srcdir/helpers/redis_state.py" "$H_REDIS_PORT" recut \
        --exclude '\{models\}' --exclude ':svm$' --exclude ':keys$' \
        --exclude '\{catalog\}:version$' --exclude ':mk$' --exclude ':damaged$' >"$1"
}

start() { # GROUP TOPIC
    h_start_recutd "$CONF" --set "kafka.group=$1" --set "kafka.topics=$2"
}

case_reference() {
    plant
    catalog
    start ref recut.events
    # events for movies not yet in the catalog would be dead-lettered
    h_wait_for 60 "the catalog in Redis" catalog_loaded || return 1
    h_produce recut.events <"$H_TMP/events.tsv"
    settle ref recut.events || return 1
    # every one of wt's events is on the dead-letter topic; dead letters
    # are at least once (recutd(8)): a rebalance under load (valgrind)
    # delivers uncommitted events again, and they are dead-lettered again
    h_consume recut.deadletter "$H_TMP/dl.ref" || return 1
    h_assert_eq "$(awk -F '\t' '$1 == "wt"' "$H_TMP/dl.ref" | sort -u | wc -l)" "$N_WT" \
        "wt's events on the dead-letter topic" || return 1
    h_assert_num "$(h_metric 'recut_events_dead_letter_total{reason="bad_viewer_state"}')" ">=" \
        "$N_WT" "wt's events dead-lettered as bad_viewer_state" || return 1
    h_assert_eq "$(awk -F '\t' '$1 != "wt"' "$H_TMP/dl.ref" | wc -l)" 0 \
        "other viewers' events on the dead-letter topic" || return 1
    h_stop_recutd
    h_assert_eq "${H_RC:-0}" 0 "recutd's drain" || return 1
    state "$H_TMP/ref.json"
    h_assert_num "$(grep -c '"recut:{u:c[0-9]*}:meta"' "$H_TMP/ref.json")" ">=" $((VIEWERS / 4)) \
        "viewers in the reference" || return 1
    h_assert_num "$(grep -c '"cooc:m[0-9]*"' "$H_TMP/ref.json")" ">=" 10 \
        "co-occurrence rows in the reference" || return 1
}

aof_rewritten_() {
    h_redis INFO persistence | grep -q '^aof_rewrite_in_progress:0' &&
        h_redis INFO persistence | grep -q '^aof_rewrite_scheduled:0'
}

redis_restart_loading() {
    local port=$H_REDIS_PORT dir=$H_TMP/redis
    # a compact AOF first (its base holds each key once), so that LOADING
    # lasts about keys x key-load-delay
    h_redis BGREWRITEAOF >/dev/null
    h_wait_for 60 "the AOF rewrite" aof_rewritten_ || return 1
    h_redis SHUTDOWN >/dev/null 2>&1
    h_wait_exit "$H_REDIS_PID" 30 || return 1
    h_untrack "$H_REDIS_PID"
    # key-load-delay keeps it LOADING for a while (microseconds per key)
    "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save '' --appendonly yes \
        --appendfsync everysec --enable-debug-command local --dir "$dir" --daemonize no \
        --logfile "$dir/redis.log" --databases 1 --key-load-delay 100 >/dev/null 2>&1 &
    H_REDIS_PID=$!
    h_track "$H_REDIS_PID"
    local deadline=$((SECONDS + 60)) loading=0
    while [ "$SECONDS" -lt "$deadline" ]; do
        case "$(h_redis PING 2>&1)" in
        PONG) break ;;
        *LOADING*) loading=1 ;;
        esac
        sleep 0.05
    done
    h_assert_eq "$(h_redis PING)" PONG "redis back after the restart" || return 1
    h_log "redis restarted from its AOF (seen LOADING: $loading)"
}

case_faults() {
    local i=0 fault k sleeper="" lag_during=""
    h_stop_recutd # (one a failed case left)
    # everything but the catalog goes
    h_redis --scan --pattern '*' | grep -v '{catalog}' | xargs -r -n 500 redis-cli \
        -h 127.0.0.1 -p "$H_REDIS_PORT" DEL >/dev/null
    plant
    # and a key of the wrong type where the outbox of c1's slot goes: it is
    # set aside (KEY:damaged) and stops nobody
    local gd
    gd=$(outbox_key c1)
    h_redis HSET "$gd" planted 1 >/dev/null
    start faults recut.faults
    # the faults, in a seeded order
    # (the stall first: it must find events waiting)
    local faults="client-kill brokers restart"
    for k in $(seq 1 "$KILLS"); do faults="$faults kill"; done
    faults="sleep $(printf '%s\n' $faults | "$SYS_PYTHON3" -c "
import random, sys; f = sys.stdin.read().split(); random.Random($SEED).shuffle(f); print(' '.join(f))")"
    # the stream in as many parts as faults and one: each fault comes while
    # a part of its own is being applied (recutd takes the whole stream in
    # a few seconds, sooner than the faults come)
    local slices
    split -n "l/$(($(wc -w <<<"$faults") + 1))" -d -a 3 "$H_TMP/events.tsv" "$H_TMP/slice."
    slices=("$H_TMP"/slice.*)
    h_produce recut.faults <"${slices[0]}"
    local last=0
    for fault in $faults; do
        # each fault while the stream is being applied: its part produced
        # (the stall's during the stall), once more of it is committed
        # than at the last fault, after a short random delay
        [ "$fault" = sleep ] || h_produce recut.faults <"${slices[$((i + 1))]}"
        h_wait_for 120 "progress after $last" progress_ "$last" || return 1
        sleep "$("$SYS_PYTHON3" -c "import random; print(round(random.Random($SEED * 31 + $i).uniform(0, 0.15), 3))")"
        i=$((i + 1))
        last=$(h_committed faults recut.faults)
        h_log "fault: $fault at $last (committed, end)"
        last=${last% *}
        case $fault in
        kill)
            kill -KILL "$H_RECUTD_PID"
            wait "$H_RECUTD_PID" 2>/dev/null
            h_untrack "$H_RECUTD_PID"
            start faults recut.faults
            ;;
        client-kill)
            # one failure counts once, not once per command it failed
            local e0 e1
            # (right after a restart fault recutd may still be reconnecting:
            # a kill then finds no connection of its to kill)
            h_wait_for 30 "Redis up before the kill" redis_up_ || return 1
            e0=$(h_metric recut_redis_errors_total)
            h_redis CLIENT KILL TYPE normal SKIPME yes >/dev/null
            h_wait_for 30 "the killed connection counted" h_metric_ge_ recut_redis_errors_total \
                $((e0 + 1)) || { h_log "$(grep -i 'redis' "$H_RECUTD_LOG" | tail -5)"; return 1; }
            h_wait_for 30 "Redis up again" redis_up_ || return 1
            e1=$(h_metric recut_redis_errors_total)
            # (not one per command in flight: hundreds; a few reconnection
            # attempts, and the planted viewer's reads when its events come
            # meanwhile, count too)
            h_assert_num "$((e1 - e0))" "<=" 20 "errors counted for a killed connection" || return 1
            ;;
        sleep)
            # Redis stalls longer than timeout_ms while events wait
            h_redis DEBUG SLEEP 2.5 >/dev/null &
            sleeper=$!
            sleep 0.2
            h_produce recut.faults <"${slices[$i]}"
            sleep 0.8
            lag_during=$(h_metric recut_kafka_consumer_lag)
            wait "$sleeper"
            ;;
        brokers)
            kill -USR1 "$H_KAFKA_PID"
            sleep 3
            kill -USR2 "$H_KAFKA_PID"
            h_wait_for 30 "the brokers back" kcat -L -b "$H_KAFKA" -t recut.faults -m 2 -q || return 1
            ;;
        restart) redis_restart_loading || return 1 ;;
        esac
    done
    settle faults recut.faults || return 1
    h_assert_num "$lag_during" ">" 0 "consumer lag while Redis stalled" || return 1
    h_assert_eq "$(h_redis TYPE "$gd:damaged")" hash "the planted outbox key set aside" || return 1
    h_wait_for 30 "a consumer lag of 0 once all is committed" lag_zero_ || return 1
    h_stop_recutd
    state "$H_TMP/faults.json"
    # what the faults lost or doubled, printed either way (the bench reads it)
    "$SYS_PYTHON3" - "$H_TMP/ref.json" "$H_TMP/faults.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def counts(s, pick):
    out = {}
    for k, v in s.items():
        if pick(k) and isinstance(v, dict):
            for f, n in v.items():
                out[(k, f)] = float(n)
    return out
for what, pick in (("popularity", lambda k: k.startswith("recut:{pop:")),
                   ("co-occurrence", lambda k: k.startswith("cooc:"))):
    ra, rb = counts(a, pick), counts(b, pick)
    lost = sum(max(0, ra.get(x, 0) - rb.get(x, 0)) for x in set(ra) | set(rb))
    doubled = sum(max(0, rb.get(x, 0) - ra.get(x, 0)) for x in set(ra) | set(rb))
    print("# %s: %.0f counted, %.0f lost, %.0f doubled" % (what, sum(ra.values()), lost, doubled))
keys = sorted(set(a) | set(b))
diff = [k for k in keys if a.get(k) != b.get(k)]
print("# %d of %d keys differ%s" % (len(diff), len(keys), ", e.g.:" if diff else ""))
for k in diff[:8]:
    print("#  %s: %s / %s" % (k, json.dumps(a.get(k))[:160], json.dumps(b.get(k))[:160]))
EOF
    if ! cmp -s "$H_TMP/ref.json" "$H_TMP/faults.json"; then
        h_check_failed "the state after the faults differs from the uninterrupted run"
        return 1
    fi
    h_assert_true "timeout_ms fired during DEBUG SLEEP" \
        grep -q 'command timed out' "$H_TMP"/recutd.*.log || return 1
}

h_case reference case_reference
h_case faults case_faults
h_done
