# SPDX-License-Identifier: Apache-2.0
# video-lib.sh -- sourced by the tests in tests/video.
# Environment (set by Makefile.am's TESTS_ENVIRONMENT): srcdir, ANALYZE,
# RENDER, FFMPEG, FFPROBE, PYTHON, MEDIA; VIDEO_WRAPPER runs the tools under
# a wrapper (e.g. "valgrind -q --error-exitcode=99").
set -u
: "${srcdir:=.}"
: "${PYTHON:=/usr/bin/python3}"
: "${FFMPEG:=ffmpeg}"
: "${FFPROBE:=ffprobe}"
: "${VIDEO_WRAPPER:=}"
MEDIA=${MEDIA:-media}
failures=0
work=$(mktemp -d "${TMPDIR:-/tmp}/recut-video.XXXXXX")
trap 'rm -rf "$work"' EXIT

analyze() { $VIDEO_WRAPPER "$ANALYZE" "$@"; }
render() { $VIDEO_WRAPPER "$RENDER" "$@"; }

ok() { echo "ok - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
# check DESCRIPTION COMMAND...: the command must succeed
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
# check_fails DESCRIPTION COMMAND...: the command must fail (non-zero)
check_fails() { local what=$1; shift; if "$@"; then fail "$what (succeeded)"; else ok "$what"; fi; }
# py CODE [FILES...]: run Python code whose last statement is an expression;
# true -> exit 0.  sys.argv holds the files, j(i) loads file i as JSON.
py() {
	local code=$1; shift
	"$PYTHON" -c "import ast, json, sys
def j(i): return json.load(open(sys.argv[i]))
tree = ast.parse(sys.argv[1].strip())
last = tree.body.pop()
code = sys.argv[1]
sys.argv = sys.argv[1:]
exec(compile(tree, 'check', 'exec'))
sys.exit(0 if eval(compile(ast.Expression(last.value), 'check', 'eval')) else 1)" "$code" "$@"
}
probe() { # probe FILE ENTRIES -> compact key=value lines
	"$FFPROBE" -v error -show_entries "$2" -of compact=p=0:nk=0 "$1"
}
finish() {
	if [ "$failures" -ne 0 ]; then
		echo "$failures check(s) failed"
		exit 1
	fi
	exit 0
}
