#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install the dependencies, build recut and run every test (make check);
# with DISTCHECK=1 also `make distcheck`.  Prints "N passed, N failed" last.
# Usage: scripts/run-tests.sh            (from a clone; builds in ./build)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
cd "$top"
[ -x configure ] || autoreconf -fi
mkdir -p build
cd build
[ -f Makefile ] || ../configure --enable-silent-rules
jobs=$(nproc 2>/dev/null || echo 2)
make -j"$jobs"
rc=0
make -j"$jobs" check || rc=$?
# one summary over every test directory
pass=0; fail=0; skip=0
for t in $(find . -path ./recut-\* -prune -o -name '*.trs' -print); do
  r=$(sed -n 's/^:test-result: //p' "$t" | head -n1)
  case "$r" in
    PASS|XFAIL) pass=$((pass + 1)) ;;
    SKIP) skip=$((skip + 1)) ;;
    *) fail=$((fail + 1)); echo "failed: $t" ;;
  esac
done
if [ "$rc" -ne 0 ]; then
  for log in $(find . -name test-suite.log); do
    grep -q '^FAIL\|^ERROR' "$log" && { echo "==== $log"; tail -n 80 "$log"; }
  done
fi
if [ "$rc" -eq 0 ] && [ "${DISTCHECK:-0}" = 1 ]; then
  make distcheck || rc=$?
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$rc" -eq 0 ] && [ "$fail" -eq 0 ]
