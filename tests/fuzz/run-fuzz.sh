#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# run-fuzz.sh -- `make fuzz`: build each harness with libFuzzer (clang),
# run it for FUZZ_SECONDS on a copy of its seed corpus, and print one line
# per harness: executions per second, coverage (edges), corpus size and
# crashes.  Crash inputs are kept in FUZZ_WORK/NAME/crashes/.  With
# FUZZ_MERGE=1 the inputs that add coverage are merged into the committed
# corpus (corpus/NAME/).  Exit 1 when any harness crashed.
set -u
: "${FUZZ_CC:=clang}" "${FUZZ_SECONDS:=60}" "${FUZZ_MERGE:=}"
command -v "$FUZZ_CC" >/dev/null 2>&1 || { echo "fuzz: $FUZZ_CC not found (Debian: clang)"; exit 1; }
mkdir -p "$FUZZ_WORK"
lib="$FUZZ_WORK/lib"
mkdir -p "$lib"
flags="-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE -std=c11"
# the library sources (every .c of lib/ but the offline trainers),
# instrumented for coverage once
objs=""
for s in $(find "$top_srcdir/lib" -name "*.c" ! -name "*-train.c" | sort); do
    o="$lib/$(basename "$s" .c).o"
    # shellcheck disable=SC2086
    $FUZZ_CC $flags $FUZZ_CPPFLAGS -c "$s" -o "$o" || exit 1
    objs="$objs $o"
done
total_crash=0
printf '%-8s %10s %8s %8s %8s\n' harness "exec/s" edges corpus crashes
for h in $FUZZ_HARNESSES; do
    w="$FUZZ_WORK/$h"
    rm -rf "$w" && mkdir -p "$w/corpus" "$w/crashes"
    cp "$FUZZ_SRCDIR/corpus/$h"/* "$w/corpus/" 2>/dev/null
    # shellcheck disable=SC2086
    $FUZZ_CC -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE \
        -std=c11 $FUZZ_CPPFLAGS "$FUZZ_SRCDIR/fuzz_$h.c" $objs $FUZZ_LIBS -o "$w/fuzz_$h" || exit 1
    (cd "$w" && ASAN_OPTIONS=detect_leaks=1 ./fuzz_$h -max_total_time="$FUZZ_SECONDS" \
        -print_final_stats=1 -artifact_prefix="$w/crashes/" -max_len=65536 \
        -timeout=10 -rss_limit_mb=2048 corpus >"$w/log" 2>&1)
    execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$w/log" | tail -n 1)
    edges=$(grep -o 'cov: [0-9]*' "$w/log" | tail -n 1 | cut -d' ' -f2)
    crashes=$(find "$w/crashes" -type f | wc -l)
    printf '%-8s %10s %8s %8s %8s\n' "$h" "${execs:-?}" "${edges:-?}" \
        "$(find "$w/corpus" -type f | wc -l)" "$crashes"
    if [ "$crashes" -gt 0 ]; then
        total_crash=$((total_crash + crashes))
        grep -m 5 -A 12 'ERROR:\|runtime error\|fuzz_' "$w/log" | head -n 40
    fi
    if [ -n "$FUZZ_MERGE" ] && [ "$crashes" -eq 0 ]; then
        mkdir -p "$FUZZ_SRCDIR/corpus/$h"
        (cd "$w" && ./fuzz_$h -merge=1 "$FUZZ_SRCDIR/corpus/$h" corpus >/dev/null 2>&1)
    fi
done
[ "$total_crash" -eq 0 ]
