#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# recut-analyze on awkward input: variable frame rate, rotation metadata,
# truncated and corrupt files, and files that are not movies.
. "${srcdir:-.}/video-lib.sh"

analyze "$MEDIA/vfr.mp4" --id vfr -o "$work/vfr.json" --quiet
check "variable frame rate: valid entry" "$PYTHON" "$srcdir/video-check.py" "$work/vfr.json"
check "variable frame rate: cuts at the right times" \
	"$PYTHON" "$srcdir/video-eval.py" "$MEDIA/vfr.gt.json" "$work/vfr.json" --min-hard-f1 0.98
check "variable frame rate reported" py 'j(1)["source"]["vfr"] is True' "$work/vfr.json"

analyze "$MEDIA/rotated.mp4" --id rot -o "$work/rot.json" 2> "$work/rot.err"
check "rotation reported in the entry" py 'j(1)["source"]["rotation"] == 90' "$work/rot.json"
check "rotation reported on stderr" grep -q "rotated by 90" "$work/rot.err"

analyze "$MEDIA/truncated.mp4" --id trunc -o "$work/trunc.json" 2> "$work/trunc.err"
check "truncated file: analysed" "$PYTHON" "$srcdir/video-check.py" "$work/trunc.json"
check "truncated file: warned" grep -q "truncated" "$work/trunc.err"
check "truncated file: shorter duration" py '5 < j(1)["duration"] < 26' "$work/trunc.json"

analyze "$MEDIA/corrupt.mp4" --id corrupt -o "$work/corrupt.json" 2> "$work/corrupt.err"
check "corrupt file: analysed" "$PYTHON" "$srcdir/video-check.py" "$work/corrupt.json"
check "corrupt file: most cuts still found" \
	"$PYTHON" "$srcdir/video-eval.py" "$MEDIA/cuts.gt.json" "$work/corrupt.json" --tol 3 \
	--min-hard-f1 0.7

for bad in audio-only.m4a text.txt garbage.mp4 missing.mp4; do
	echo old > "$work/keep.json"
	analyze "$MEDIA/$bad" --id x -o "$work/keep.json" 2> "$work/bad.err"
	rc=$?
	check "$bad: non-zero exit" test "$rc" -ne 0
	check "$bad: an error message" test -s "$work/bad.err"
	check "$bad: output untouched" grep -qx old "$work/keep.json"
	analyze "$MEDIA/$bad" --id x -o "$work/new.json" 2> /dev/null
	check "$bad: no output file" test ! -e "$work/new.json"
done
analyze "$MEDIA/audio-only.m4a" --id x -o "$work/a.json" 2> "$work/a.err"
check "audio-only: 'no video stream'" grep -q "no video stream" "$work/a.err"
check "no temp files left" sh -c "! ls '$work' | grep -q tmp-"

# a target that is not a regular file (a FIFO here, /dev/null in real
# life) is written into, never renamed over
mkfifo "$work/fifo"
cat "$work/fifo" > "$work/from-fifo.json" &
analyze "$MEDIA/noaudio.mp4" --id fifo -o "$work/fifo" --quiet
wait
check "FIFO target stays a FIFO" test -p "$work/fifo"
check "FIFO target got the entry" py 'j(1)["id"] == "fifo"' "$work/from-fifo.json"
check_fails "a directory is not an output file" analyze "$MEDIA/noaudio.mp4" --id x -o "$work" --quiet

check_fails "missing --id is a usage error" analyze "$MEDIA/cuts.mp4" -o "$work/x.json" --quiet
check_fails "--cut without --plot is a usage error" \
	analyze "$MEDIA/cuts.mp4" --id x --cut /dev/null --quiet
check_fails "unwritable output directory" \
	analyze "$MEDIA/noaudio.mp4" --id x -o "$work/no/such/dir.json" --quiet
finish
