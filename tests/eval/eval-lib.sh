# SPDX-License-Identifier: Apache-2.0
# eval-lib.sh -- what the recut-eval tests share, sourced after setting
# NAME: the environment's defaults (tests/eval/Makefile.am sets RECUT_EVAL,
# SYS_PYTHON3 and srcdir), a scratch directory $tmp removed on exit, and
# the ok/fail tally.
: "${RECUT_EVAL:=./recut-eval}"
: "${SYS_PYTHON3:=/usr/bin/python3}"
: "${srcdir:=.}"

command -v "$SYS_PYTHON3" >/dev/null 2>&1 || { echo "SKIP: no $SYS_PYTHON3"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "not ok: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# json FILE EXPR: a Python expression over the document d
json() {
    "$SYS_PYTHON3" -c 'import json, sys
d = json.load(open(sys.argv[1]))
v = eval(sys.argv[2])
print(("true" if v else "false") if isinstance(v, bool) else v)' "$1" "$2"
}
