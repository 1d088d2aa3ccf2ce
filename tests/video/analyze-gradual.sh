#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# recut-analyze on dissolves, fades through black, fade-out/fade-in, plus a
# fade in from black at the start and out to black at the end (which are
# not boundaries); a dissolve between two pictures too flat for a luma
# pattern, and light coming up on one of them (not a boundary).
. "${srcdir:-.}/video-lib.sh"

analyze "$MEDIA/gradual.mp4" --id gradual -o "$work/gradual.json" --quiet
check "analyze gradual.mp4" "$PYTHON" "$srcdir/video-check.py" "$work/gradual.json"
check "gradual F1 >= 0.9 and hard F1 >= 0.98" "$PYTHON" "$srcdir/video-eval.py" \
	"$MEDIA/gradual.gt.json" "$work/gradual.json" --min-hard-f1 0.98 --min-grad-f1 0.9
check "gradual boundaries are marked as such" py '
sum(1 for s in j(1)["shots"] if s.get("transition") == "gradual") >= 0.9 * len(j(2)["gradual"])' \
	"$work/gradual.json" "$MEDIA/gradual.gt.json"
check "no boundary in the fades at the ends" py '
all(1.2 < s["start"] < j(1)["duration"] - 1.2 for s in j(1)["shots"][1:])' "$work/gradual.json"
# pictures too flat for a luma pattern: a dissolve that turns the hue is a
# boundary, light that comes up on the same hues is not
analyze "$MEDIA/flat.mp4" --id flat -o "$work/flat.json" --quiet
check "flat pictures: the dissolve and the cut, and nothing where the light changes" \
	"$PYTHON" "$srcdir/video-eval.py" "$MEDIA/flat.gt.json" "$work/flat.json" \
	--min-hard-f1 1 --min-grad-f1 1
finish
