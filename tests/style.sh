#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# style.sh -- every C file of recut matches .clang-format (four spaces,
# Linux braces).  Fix with: clang-format -i FILE.  Skips (77) only when
# clang-format is not installed.
: "${top_srcdir:?run through make check}"
command -v clang-format >/dev/null 2>&1 || { echo "SKIP: clang-format not installed"; exit 77; }
cd "$top_srcdir" || exit 99
files=$(find include lib daemon ctl video eval plugins tests bench -name '*.[ch]' | sort)
[ -n "$files" ] || { echo "FAIL: no C files found under $top_srcdir"; exit 1; }
bad=0; n=0
for f in $files; do
    n=$((n + 1))
    if ! clang-format --style=file --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "not formatted: $f (clang-format -i $f)"
        bad=$((bad + 1))
    fi
done
echo "$n files checked, $bad not formatted"
[ "$bad" -eq 0 ]
