#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# recut-render --hls DIR / --hls-prepare DIR: an HLS playlist of the kept
# ranges whose whole GOPs are the source's own packets (their decoded
# frames bit-identical to the source's) and whose cut points fall in short
# re-encoded segments; ffmpeg reads it back with the edit list's duration;
# EXT-X-DISCONTINUITY wherever the timeline jumps; bad input leaves no DIR.
. "${srcdir:-.}/video-lib.sh"

src="$MEDIA/cuts.mp4"
facts() { "$PYTHON" "$srcdir/hls-facts.py" --ffmpeg "$FFMPEG" --ffprobe "$FFPROBE" --source "$@"; }

# 9.1-12 touches 6.0-9.1: one range; 0.5, 5.3, 6.0, ... fall between keyframes
cut=0.5-5.3,6.0-9.1,9.1-12,15.2-20
render --source "$src" --segments "$cut" --hls "$work/h" 2> "$work/h.log"
check "--hls writes index.m3u8 and hls.json" test -s "$work/h/index.m3u8" -a -s "$work/h/hls.json"
facts "$src" "$work/h" > "$work/h.facts"
check "the playlist has the VOD tags" py '
t = j(1)["tags"]
(t[0] == "#EXTM3U" and "#EXT-X-VERSION:3" in t and "#EXT-X-PLAYLIST-TYPE:VOD" in t and
t[-1] == "#EXT-X-ENDLIST" and any(x.startswith("#EXT-X-TARGETDURATION:") for x in t))' "$work/h.facts"
check "EXT-X-TARGETDURATION >= every EXTINF" py '
d = j(1); td = int([x for x in d["tags"] if x.startswith("#EXT-X-TARGETDURATION:")][0].split(":")[1])
all(round(s["extinf"]) <= td for s in d["segments"])' "$work/h.facts"
check "ffmpeg reads the playlist back without an error" py '
d = j(1); d["ffmpeg_rc"] == 0 and d["ffmpeg_err"].strip() == ""' "$work/h.facts"
check "ffprobe's duration = the edit list's total (one frame per range boundary)" py '
cut = [(0.5, 5.3), (6.0, 12), (15.2, 20)]
abs(j(1)["duration"] - sum(e - s for s, e in cut)) <= 2 * len(cut) * 0.5 / 25 + 1e-6' "$work/h.facts"
check "the frames read back are the edit list's frames" py '
cut = [(0.5, 5.3), (6.0, 12), (15.2, 20)]
want = sum(1 for i in range(int(26.4 * 25)) for s, e in cut if s - 0.02 <= i / 25 < e - 0.02)
d = j(1)
d["frames_read_back"] == want == sum(s["frames"] for s in d["segments"])' "$work/h.facts"
check "each EXTINF is its segment's frames" py '
all(abs(s["extinf"] - s["frames"] / 25) < 1e-6 for s in j(1)["segments"])' "$work/h.facts"
check "touching segments of the edit list are one range" py '
[(r["start"], r["end"]) for r in j(1)["manifest"]["ranges"]] == [(0.5, 5.3), (6.0, 12), (15.2, 20)]' \
	"$work/h.facts"
check "every copied segment decodes to the source's own frames" py '
c = [s for s in j(1)["segments"] if s["uri"] in
     {g["uri"] for r in j(1)["manifest"]["ranges"] for g in r["segments"] if g["copied"]}]
len(c) >= 3 and all(s["identical"] for s in c)' "$work/h.facts"
check "most frames are copied: at most a GOP re-encoded at each cut point" py '
m = j(1)["manifest"]; s = {x["uri"]: x for x in j(1)["segments"]}
enc = [g for r in m["ranges"] for g in r["segments"] if not g["copied"]]
cp = sum(s[g["uri"]]["frames"] for r in m["ranges"] for g in r["segments"] if g["copied"])
(len(enc) <= 2 * len(m["ranges"]) and all(g["duration"] <= 2.0 + 1e-6 for g in enc) and
cp > 0.6 * sum(x["frames"] for x in s.values()))' "$work/h.facts"
check "re-encoded segments are not the source's frames (the check can tell)" py '
m = j(1)["manifest"]; enc = {g["uri"] for r in m["ranges"] for g in r["segments"] if not g["copied"]}
enc and not any(s["identical"] for s in j(1)["segments"] if s["uri"] in enc)' "$work/h.facts"
check "EXT-X-DISCONTINUITY wherever the timeline jumps, and the jumps are the range joins" py '
g = j(1)["segments"]
jumps = [i for i in range(1, len(g)) if abs(g[i]["first"] - (g[i-1]["first"] + g[i-1]["extinf"])) > 1e-3]
(jumps == [i for i in range(1, len(g)) if g[i]["uri"].endswith("-00.ts")] and len(jumps) == 2 and
all(g[i]["disc"] for i in jumps) and not g[0]["disc"])' "$work/h.facts"
check "the summary counts the frames copied and re-encoded" py '
m = j(1)["manifest"]; s = {x["uri"]: x["frames"] for x in j(1)["segments"]}
cp = sum(s[g["uri"]] for r in m["ranges"] for g in r["segments"] if g["copied"])
line = open(sys.argv[2]).read()
"video frames copied %d, re-encoded %d" % (cp, sum(s.values()) - cp) in line' "$work/h.facts" "$work/h.log"
check "every segment carries video and audio" py '
all(s["streams"] == ["audio", "video"] for s in j(1)["segments"])' "$work/h.facts"

# one range: the timeline is continuous, so beeps and flashes can be found
src2="$MEDIA/beeps.mp4"
render --source "$src2" --segments 0.7-7.3 --hls "$work/b" --hls-time 2 --quiet
"$FFMPEG" -nostdin -v error -i "$work/b/index.m3u8" -c copy "$work/b.mp4"
"$PYTHON" "$srcdir/video-sync.py" --ffmpeg "$FFMPEG" --ffprobe "$FFPROBE" "$work/b.mp4" > "$work/b.sync"
check "--hls: beeps and flashes stay together" py '
s = j(1)
(len(s["beeps"]) == 4 and len(s["flashes"]) == 4 and
all(abs(f - b) <= 1/25 + 0.03 for f, b in zip(s["flashes"], s["beeps"])))' "$work/b.sync"
check "--hls-time 2: copied runs of at most 2 s (one GOP is 2 s)" py '
all(g["duration"] <= 2.0 + 1e-6 for r in j(1)["ranges"] for g in r["segments"] if g["copied"])' \
	"$work/b/hls.json"

# open GOPs (HEVC from libx265: CRA keyframes with leading pictures shown
# before them): no frame lost where a copy ends on such a keyframe
if "$FFMPEG" -hide_banner -encoders 2> /dev/null | grep -q libx265; then
	"$FFMPEG" -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25:duration=10 \
		-f lavfi -i sine=duration=10 -c:v libx265 -x265-params log-level=error:keyint=25 \
		-c:a aac -shortest "$work/open.mp4"
	render --source "$work/open.mp4" --segments 0.5-3.3,5.1-8.7 --hls "$work/o" --hls-time 1 --quiet
	facts "$work/open.mp4" "$work/o" > "$work/o.facts"
	check "open GOPs: every frame of the edit list is read back, copies are the source's" py '
d = j(1)
want = sum(1 for i in range(250) for s, e in [(0.5, 3.3), (5.1, 8.7)] if s - 0.02 <= i / 25 < e - 0.02)
c = {g["uri"] for r in d["manifest"]["ranges"] for g in r["segments"] if g["copied"]}
(d["ffmpeg_rc"] == 0 and d["frames_read_back"] == want == sum(s["frames"] for s in d["segments"]) and
 len(c) >= 1 and all(s["identical"] for s in d["segments"] if s["uri"] in c))' "$work/o.facts"
else
	echo "ok - # SKIP no libx265 in $FFMPEG: open GOPs not checked"
fi

render --source "$MEDIA/rotated.mp4" --segments 0-2 --hls "$work/rot" 2> "$work/rot.log"
check "a rotated source: a warning that the rotation is lost" grep -q "cannot carry the source's rotation" "$work/rot.log"

# --hls-prepare: every range apart, even touching ones (scenes for recutd)
render --source "$src" --segments 0-2.4,2.4-4.4,4.4-7.2,9.0-11.4 --hls-prepare "$work/p" --quiet
facts "$src" "$work/p" > "$work/p.facts"
check "--hls-prepare keeps touching ranges apart" py '
len(j(1)["manifest"]["ranges"]) == 4 and j(1)["manifest"]["kind"] == "scenes"' "$work/p.facts"
check "--hls-prepare: ffmpeg reads it back, duration within a frame per boundary" py '
d = j(1); d["ffmpeg_rc"] == 0 and abs(d["duration"] - 9.6) <= 8 * 0.5 / 25 + 1e-6' "$work/p.facts"
check "--hls-prepare: each scene starts a new timeline or encoding (discontinuity)" py '
g = j(1)["segments"]; all(s["disc"] == (i > 0 and (s["uri"].endswith("-00.ts") or s["disc"]))
for i, s in enumerate(g)) and all(g[i]["disc"] for i in range(1, len(g)) if g[i]["uri"].endswith("-00.ts"))' \
	"$work/p.facts"
render --source "$src" --segments 1-3 --hls "$work/p" --quiet
check "a DIR recut-render wrote is replaced" py '
len(j(1)["ranges"]) == 1 and j(1)["kind"] == "cut"' "$work/p/hls.json"

none_exist() { for p in "$@"; do if [ -e "$p" ]; then return 1; fi; done; }

# a signal while writing: no DIR and no temp directory left
scenes=$("$PYTHON" -c 'print(",".join("%g-%g" % (i * 1.3 + 0.1, i * 1.3 + 1.3) for i in range(20)))')
"$RENDER" --source "$src" --segments "$scenes" --hls-prepare "$work/s" --quiet &
pid=$!
i=0
while [ $i -lt 3000 ] && ! ls -d "$work"/s.tmp-* > /dev/null 2>&1 && kill -0 $pid 2> /dev/null; do
	sleep 0.01
	i=$((i + 1))
done
if ls -d "$work"/s.tmp-* > /dev/null 2>&1 && kill -TERM $pid 2> /dev/null; then
	wait $pid
	check "SIGTERM while writing stops it" test $? -ne 0
	check "... leaving no DIR and no temp directory" none_exist "$work/s" "$work"/s.tmp-*
else
	wait $pid
	echo "ok - # SKIP it finished before the signal could be sent"
fi

# bad input: non-zero, a message, no DIR and no temp directory left
nothing_left() { none_exist "$work/x" "$work"/x.tmp-* "$work"/x.old-*; }
render --source "$work/missing.mp4" --segments 0-2 --hls "$work/x" 2> "$work/e1"
check "a missing source fails" test $? -ne 0
check "... saying so" grep -q "missing.mp4" "$work/e1"
check "... leaving no DIR" nothing_left
render --source "$src" --segments 20-30 --hls "$work/x" 2> "$work/e2"
check "an edit list beyond the movie fails" test $? -ne 0
check "... saying so" grep -q "beyond the source duration" "$work/e2"
check "... leaving no DIR" nothing_left
touch "$work/file"
render --source "$src" --segments 0-2 --hls "$work/file/x" 2> "$work/e3"
check "an unwritable DIR fails" test $? -ne 0
check "... saying so" grep -q "cannot create" "$work/e3"
mkdir "$work/x" && echo keep > "$work/x/mine.txt"
render --source "$src" --segments 0-2 --hls "$work/x" 2> "$work/e4"
check "a DIR holding other files is not replaced" test $? -ne 0 -a -f "$work/x/mine.txt"
check "... saying so" grep -q "did not write" "$work/e4"
rm -rf "$work/x"
ln -s "$work/h" "$work/x"
render --source "$src" --segments 0-2 --hls "$work/x" 2> "$work/e8"
check "a DIR that is a symbolic link is refused" test $? -ne 0 -a -L "$work/x" -a -f "$work/h/r0001-00.ts"
check "... saying so" grep -q "symbolic link" "$work/e8"
rm -f "$work/x"
render --source "$MEDIA/truncated.mp4" --segments 0-2 --hls "$work/x" 2> "$work/e5"
check "a source whose frames end before the edit list fails" test $? -ne 0
check "... saying so" grep -q "beyond the source's last frame" "$work/e5"
check "... leaving no DIR" nothing_left
render --source "$MEDIA/garbage.mp4" --segments 0-2 --hls "$work/x" 2> "$work/e6"
check "a source that is not a movie fails" test $? -ne 0 -a -s "$work/e6"
check "... leaving no DIR" nothing_left
"$FFMPEG" -nostdin -v error -f lavfi -i testsrc2=size=160x120:rate=25:duration=3 -f lavfi -i sine=duration=3 \
	-c:v libx264 -preset veryfast -c:a pcm_s16le -shortest "$work/pcm.mkv"
render --source "$work/pcm.mkv" --segments 0-2 --hls "$work/x" 2> "$work/e7"
check "audio MPEG-TS cannot carry (PCM) fails" test $? -ne 0
check "... saying so" grep -q "audio (pcm_s16le) cannot be copied into MPEG-TS" "$work/e7"
check "... leaving no DIR" nothing_left
check_fails "--hls with --copy is refused" render --source "$src" --segments 0-2 --hls "$work/x" --copy
check_fails "--hls with -o is refused" render --source "$src" --segments 0-2 --hls "$work/x" -o "$work/x.mp4"
check_fails "--hls-time 0.1 is refused" render --source "$src" --segments 0-2 --hls "$work/x" --hls-time 0.1
check "refused: no DIR" nothing_left
finish
