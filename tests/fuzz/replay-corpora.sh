#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# replay-corpora.sh -- every seed corpus through its harness, built with
# ASan and UBSan (tests/fuzz/Makefile.am).  Fails on any sanitizer report,
# any abort() of a harness's own checks, or an empty corpus.
: "${FUZZ_BUILDDIR:?run through make check}"
: "${FUZZ_CORPUS:?run through make check}"
rc=0
for h in $FUZZ_HARNESSES; do
    dir=$FUZZ_CORPUS/$h
    n=$(find "$dir" -type f 2>/dev/null | wc -l)
    if [ "$n" -eq 0 ]; then
        echo "not ok: $h: no seed corpus in $dir"
        rc=1
        continue
    fi
    if "$FUZZ_BUILDDIR/replay_$h" "$dir" >"$FUZZ_BUILDDIR/replay_$h.out" 2>&1; then
        echo "ok: $h: $(tail -n 1 "$FUZZ_BUILDDIR/replay_$h.out")"
    else
        echo "not ok: $h"
        tail -n 40 "$FUZZ_BUILDDIR/replay_$h.out"
        rc=1
    fi
done
exit $rc
