#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# crash-bench.sh -- run the fault test (tests/integration/crash.sh) at bench
# scale and print its verdict: what 20 SIGKILL points, a CLIENT KILL, a
# Redis stall past timeout_ms, a broker outage and a Redis restart from AOF
# lost or doubled in the global counts, against the same stream applied
# without faults.  Run through `make bench-crash`.
set -u
export CRASH_EVENTS=${CRASH_EVENTS:-200000} CRASH_VIEWERS=${CRASH_VIEWERS:-20000}
export CRASH_MOVIES=${CRASH_MOVIES:-500} CRASH_KILLS=${CRASH_KILLS:-20}
export H_TIMEOUT=${H_TIMEOUT:-60}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$SECONDS
bash "$srcdir/integration/crash.sh" >"$out" 2>&1
rc=$?
echo "crash bench: $CRASH_EVENTS events, $CRASH_VIEWERS viewers, $CRASH_MOVIES movies," \
    "$CRASH_KILLS kill points + client-kill, stall, broker outage, Redis restart" \
    "($((SECONDS - start)) s)"
grep -E '^# (seed|fault:|popularity|co-occurrence|[0-9]+ of [0-9]+ keys)' "$out" | sed 's/^# /  /'
lost=$(awk '/^# (popularity|co-occurrence):/ { l += $(NF-3) } END { print l + 0 }' "$out")
doubled=$(awk '/^# (popularity|co-occurrence):/ { d += $(NF-1) } END { print d + 0 }' "$out")
if grep -qE '^# (popularity|co-occurrence):' "$out"; then
    echo "result: $lost lost, $doubled doubled"
else
    echo "result: no comparison (the run failed before it):"
    tail -30 "$out"
fi
exit "$rc"
