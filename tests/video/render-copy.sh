#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# recut-render --copy: stream copy cut at keyframes; each segment runs from
# the keyframe at or before its start to the keyframe at or after its end.
. "${srcdir:-.}/video-lib.sh"

src="$MEDIA/beeps.mp4"
"$FFPROBE" -v error -select_streams v -skip_frame nokey -show_entries frame=pts_time \
	-of csv=p=0 "$src" > "$work/keys"
render --source "$src" --segments 0.5-1.5,6.3-7.0 --copy -o "$work/c.mp4" --quiet
check "--copy writes a file" test -s "$work/c.mp4"
probe "$work/c.mp4" stream=codec_name > "$work/c.streams"
check "--copy keeps H.264 + AAC" sh -c "grep -q h264 '$work/c.streams' && grep -q aac '$work/c.streams'"
"$FFPROBE" -v error -show_entries format=duration -of json "$work/c.mp4" > "$work/c.probe"
"$FFPROBE" -v error -show_entries format=duration -of json "$src" > "$work/src.probe"
check "--copy duration = keyframe-aligned total (within one frame)" py '
keys = sorted(float(x.strip(",")) for x in open(sys.argv[3]).read().split() if x.strip(","))
dur = float(j(2)["format"]["duration"])
def ks(t): return max(k for k in keys if k <= t + 1e-6)
def ke(t): return min([k for k in keys if k >= t - 1e-6] + [dur])
want = sum(ke(e) - ks(s) for s, e in [(0.5, 1.5), (6.3, 7.0)])
abs(float(j(1)["format"]["duration"]) - want) <= 1/25 + 0.03' \
	"$work/c.probe" "$work/src.probe" "$work/keys"
"$PYTHON" "$srcdir/video-sync.py" --ffmpeg "$FFMPEG" --ffprobe "$FFPROBE" "$work/c.mp4" > "$work/c.sync"
check "--copy: beeps and flashes stay together" py '
s = j(1)
(len(s["beeps"]) >= 2 and len(s["flashes"]) == len(s["beeps"]) and
all(abs(f - b) <= 1/25 + 0.03 for f, b in zip(s["flashes"], s["beeps"])))' "$work/c.sync"
check_fails "--copy with --crossfade is refused" \
	render --source "$src" --segments 0.5-1.5 --copy --crossfade 0.2 -o "$work/d.mp4" --quiet
check "refused: no file" test ! -e "$work/d.mp4"
finish
