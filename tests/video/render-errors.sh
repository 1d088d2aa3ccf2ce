#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# recut-render refuses bad requests with a message, a non-zero exit and no
# (partial) output file; an existing output stays as it was.
. "${srcdir:-.}/video-lib.sh"

src="$MEDIA/beeps.mp4"
printf 'not json' > "$work/bad.json"
echo '{"scenes": []}' > "$work/empty.json"
echo '{"scenes": [{"start": 1}]}' > "$work/noend.json"
try() { # try NAME ARGS...: must fail, say why, leave out.mp4 alone
	local name=$1; shift
	echo old > "$work/out.mp4"
	render "$@" -o "$work/out.mp4" --quiet 2> "$work/err"
	rc=$?
	check "$name: non-zero exit" test "$rc" -ne 0
	check "$name: error message" grep -q "recut-render:" "$work/err"
	check "$name: output untouched" grep -qx old "$work/out.mp4"
	render "$@" -o "$work/new.mp4" --quiet 2> /dev/null
	check "$name: no new file" test ! -e "$work/new.mp4"
}
try "missing source" --source "$work/nope.mp4" --segments 1-2
try "not a movie" --source "$srcdir/video-lib.sh" --segments 1-2
try "audio only" --source "$MEDIA/audio-only.m4a" --segments 0.5-1
try "bad cut JSON" --source "$src" --cut "$work/bad.json"
try "cut without scenes" --source "$src" --cut "$work/empty.json"
try "scene without end" --source "$src" --cut "$work/noend.json"
try "segment beyond the end" --source "$src" --segments 1-2,8-30
try "overlapping segments" --source "$src" --segments 1-3,2.5-4
try "unsorted segments" --source "$src" --segments 5-6,1-2
try "empty segment" --source "$src" --segments 2-2
try "malformed segments" --source "$src" --segments 1-x
try "crossfade longer than a segment" --source "$src" --segments 1-1.5,3-5 --crossfade 0.5
check "no temp files left" sh -c "! ls '$work' | grep -q tmp-"
check_fails "no output option" render --source "$src" --segments 1-2 --quiet
finish
