#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# recut-render, re-encoding: exact durations, stream layout, A/V sync
# (beeps with a white frame at known source times), crossfades, cut JSON,
# video-only sources, variable frame rate.
. "${srcdir:-.}/video-lib.sh"
fps=25

# beeps (and flashes) in the source at 1.0 2.6 4.0 6.2 8.8
render --source "$MEDIA/beeps.mp4" --segments 0.5-3.0,5.5-9.5 -o "$work/a.mp4" --quiet
check "render two segments" test -s "$work/a.mp4"
probe "$work/a.mp4" stream=codec_name,codec_type > "$work/a.streams"
check "H.264 video + AAC audio" sh -c "grep -q 'codec_name=h264|codec_type=video' '$work/a.streams' &&
	grep -q 'codec_name=aac|codec_type=audio' '$work/a.streams' && test \$(wc -l < '$work/a.streams') -eq 2"
"$FFPROBE" -v error -show_entries format=duration:stream=duration -of json "$work/a.mp4" > "$work/a.probe"
check "duration 6.5 s within one frame" py '
p = j(1); t = 6.5
abs(float(p["format"]["duration"]) - t) <= 1/25 and all(abs(float(s["duration"]) - t) <= 1/25 for s in p["streams"])' \
	"$work/a.probe"
"$PYTHON" "$srcdir/video-sync.py" --ffmpeg "$FFMPEG" --ffprobe "$FFPROBE" "$work/a.mp4" > "$work/a.sync"
check "beeps where the edit list puts them (+-5 ms)" py '
b = j(1)["beeps"]; want = [0.5, 2.1, 3.2, 5.8]
len(b) == len(want) and all(abs(x - y) <= 0.005 for x, y in zip(b, want))' "$work/a.sync"
check "each beep with its flash frame (within one frame)" py '
s = j(1)
len(s["flashes"]) == len(s["beeps"]) and all(abs(f - b) <= 1/25 + 0.001 for f, b in zip(s["flashes"], s["beeps"]))' \
	"$work/a.sync"

# a segment that runs to the end of the movie keeps its last frames
render --source "$MEDIA/beeps.mp4" --segments 8-10 -o "$work/end.mp4" --quiet
"$FFPROBE" -v error -count_frames -select_streams v -show_entries stream=nb_read_frames -of json "$work/end.mp4" > "$work/end.frames"
check "segment to the end: all 50 frames" py 'int(j(1)["streams"][0]["nb_read_frames"]) == 50' "$work/end.frames"

# the same through a cut JSON as recutd serves it, with a crossfade
cat > "$work/cut.json" <<'JSON'
{"viewer":"u1","movie":"m1","editor":"highlights","budget":60.0,"duration":6.5,"score":0.82,
 "scenes":[{"index":2,"start":0.5,"end":3.0},{"index":5,"start":5.5,"end":9.5}]}
JSON
render --source "$MEDIA/beeps.mp4" --cut "$work/cut.json" --crossfade 0.5 -o "$work/x.mp4" --quiet
"$FFPROBE" -v error -show_entries format=duration:stream=duration -of json "$work/x.mp4" > "$work/x.probe"
check "crossfade: 6.5 - 0.5 s" py '
p = j(1)
abs(float(p["format"]["duration"]) - 6.0) <= 1/25 and all(abs(float(s["duration"]) - 6.0) <= 1/25 for s in p["streams"])' \
	"$work/x.probe"
"$PYTHON" "$srcdir/video-sync.py" --ffmpeg "$FFMPEG" --ffprobe "$FFPROBE" "$work/x.mp4" > "$work/x.sync"
check "crossfade: second segment moved up by 0.5 s" py '
b = j(1)["beeps"]; want = [0.5, 2.1, 2.7, 5.3]
len(b) == len(want) and all(abs(x - y) <= 0.005 for x, y in zip(b, want))' "$work/x.sync"

# video-only source -> video-only output
render --source "$MEDIA/noaudio.mp4" --segments 1-2,3-5 -o "$work/v.mp4" --quiet
probe "$work/v.mp4" stream=codec_type > "$work/v.streams"
check "no audio in, no audio out" sh -c "test \$(wc -l < '$work/v.streams') -eq 1 && grep -q video '$work/v.streams'"
"$FFPROBE" -v error -show_entries format=duration -of json "$work/v.mp4" > "$work/v.probe"
check "video-only: 3 s" py 'abs(float(j(1)["format"]["duration"]) - 3.0) <= 1/25' "$work/v.probe"
"$FFPROBE" -v error -count_frames -select_streams v -show_entries stream=nb_read_frames -of json "$work/v.mp4" > "$work/v.frames"
check "video-only: exactly 75 frames" py 'int(j(1)["streams"][0]["nb_read_frames"]) == 75' "$work/v.frames"

# variable frame rate source (25 / 10 fps shots)
render --source "$MEDIA/vfr.mp4" --segments 1-3,5-9 -o "$work/f.mp4" --quiet
"$FFPROBE" -v error -show_entries format=duration:stream=duration -of json "$work/f.mp4" > "$work/f.probe"
check "variable frame rate: 6 s within one (slowest) frame" py '
p = j(1)
all(abs(float(s["duration"]) - 6.0) <= 0.1 for s in p["streams"])' "$work/f.probe"

# rotation metadata is kept
render --source "$MEDIA/rotated.mp4" --segments 0.2-1.4 -o "$work/r.mp4" --quiet
check "rotation kept" sh -c "'$FFPROBE' -v error -show_entries stream_side_data=rotation -of compact '$work/r.mp4' | grep -q 'rotation=90'"
finish
