#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# recut-analyze on hard cuts (with two white flashes that are not cuts) and
# on a video-only file: boundaries within one frame, valid catalog entries.
. "${srcdir:-.}/video-lib.sh"

analyze "$MEDIA/cuts.mp4" --id cuts --title "Cuts" --genres "Drama, Test" --tags a,b \
	-o "$work/cuts.json" --quiet
check "analyze cuts.mp4" test -s "$work/cuts.json"
check "catalog entry valid" "$PYTHON" "$srcdir/video-check.py" "$work/cuts.json" --duration 26.4
check "hard cuts F1 >= 0.98 at +-1 frame" \
	"$PYTHON" "$srcdir/video-eval.py" "$MEDIA/cuts.gt.json" "$work/cuts.json" --min-hard-f1 0.98
check "no boundary near a flash" py '
all(abs(s["start"] - f) > 0.2 for s in j(1)["shots"] for f in j(2)["flashes"])' \
	"$work/cuts.json" "$MEDIA/cuts.gt.json"
check "metadata copied" py '(j(1)["id"] == "cuts" and j(1)["title"] == "Cuts" and
j(1)["genres"] == ["Drama", "Test"] and j(1)["tags"] == ["a", "b"])' "$work/cuts.json"
check "audio features present" py '
j(1)["source"]["audio"] and all("loudness" in f for f in j(1)["features"])' "$work/cuts.json"

analyze "$MEDIA/noaudio.mp4" --id noaudio -o "$work/noaudio.json" --quiet
check "analyze a file without audio" "$PYTHON" "$srcdir/video-check.py" "$work/noaudio.json" --duration 6.4
check "no-audio cuts found" \
	"$PYTHON" "$srcdir/video-eval.py" "$MEDIA/noaudio.gt.json" "$work/noaudio.json" --min-hard-f1 0.98
check "no loudness without audio" py '
not j(1)["source"]["audio"] and all("loudness" not in f for f in j(1)["features"])' "$work/noaudio.json"

# stdout mode gives the same entry
analyze "$MEDIA/noaudio.mp4" --id noaudio --quiet > "$work/stdout.json"
check "JSON on standard output without -o" py 'j(1) == j(2)' "$work/stdout.json" "$work/noaudio.json"
finish
