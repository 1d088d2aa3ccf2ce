#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Loudness agrees with FFmpeg's EBU R128 meter: on tones made here (1 kHz
# sine at -20 and -30 dBFS, stereo; stereo pink noise; 5.1 with sound on
# the LFE and surround channels), the integrated
# loudness of each scene recut-analyze reports must be within 0.1 LU of
# what `ffmpeg -af ebur128` measures on the same file.  Whichever meter
# recut-analyze uses, an independent one checks it.
. "${srcdir:-.}/video-lib.sh"

# make NAME AUDIO-GRAPH: 6 s of a still grey picture with the given sound,
# as 16-bit PCM so that both meters read the very same samples
make() {
	"$FFMPEG" -nostdin -hide_banner -loglevel error -y \
		-f lavfi -i "color=c=gray:s=160x90:r=25:d=6" -f lavfi -i "$2" \
		-map 0:v -map 1:a -c:v mpeg4 -c:a pcm_s16le -ac 2 -t 6 "$work/$1.mkv"
}
# ebur128 FILE: FFmpeg's integrated loudness at full precision (the value of
# the last frame's lavfi.r128.I; the summary only prints one decimal)
ebur128() {
	"$FFMPEG" -nostdin -hide_banner -loglevel error -i "$1" -map 0:a \
		-af "ebur128=metadata=1,ametadata=mode=print:key=lavfi.r128.I:file=-" -f null - |
		sed -n 's/^lavfi\.r128\.I=//p' | tail -n 1
}

make sine20 "aevalsrc=0.1*sin(2*PI*1000*t)|0.1*sin(2*PI*1000*t):s=48000:d=6"
make sine30 "aevalsrc=0.0316227766*sin(2*PI*1000*t)|0.0316227766*sin(2*PI*1000*t):s=48000:d=6"
make pink "anoisesrc=c=pink:a=0.2:r=48000:d=6:s=7"

# 5.1: the tone on the surround pair (weighted 1.41) and on the LFE (not
# counted), so a meter that ignores the layout is off by 1.5 LU or more
"$FFMPEG" -nostdin -hide_banner -loglevel error -y \
	-f lavfi -i "color=c=gray:s=160x90:r=25:d=6" \
	-f lavfi -i "aevalsrc=0|0|0|0.3*sin(2*PI*1000*t)|0.1*sin(2*PI*1000*t)|0.1*sin(2*PI*1000*t):c=5.1(side):s=48000:d=6" \
	-map 0:v -map 1:a -c:v mpeg4 -c:a pcm_s16le -t 6 "$work/surround.mkv"

for t in sine20 sine30 pink surround; do
	ref=$(ebur128 "$work/$t.mkv")
	echo "# $t: ffmpeg ebur128 I = $ref LUFS"
	check "ffmpeg measures $t" test -n "$ref"
	analyze "$work/$t.mkv" --id "$t" -o "$work/$t.json" --quiet
	check "analyze $t" test -s "$work/$t.json"
	check "$t: every scene's loudness within 0.1 LU of ffmpeg ebur128 ($ref)" py '
f = j(1)["features"]
print("#", [x["loudness"] for x in f])
len(f) >= 1 and all(abs(x["loudness"] - float(sys.argv[2])) <= 0.1 for x in f)' \
		"$work/$t.json" "${ref:-nan}"
done
# two scenes at different levels (a hard cut from red at -20 dBFS to blue at
# -30 dBFS): each scene against ffmpeg on the same span of the file
"$FFMPEG" -nostdin -hide_banner -loglevel error -y \
	-f lavfi -i "color=c=red:s=160x90:r=25:d=4,format=yuv420p[a];color=c=blue:s=160x90:r=25:d=4,format=yuv420p[b];[a][b]concat=n=2:v=1:a=0" \
	-f lavfi -i "aevalsrc=if(lt(t\,4)\,0.1\,0.0316227766)*sin(2*PI*1000*t):c=stereo:s=48000:d=8" \
	-map 0:v -map 1:a -c:v mpeg4 -c:a pcm_s16le -t 8 "$work/steps.mkv"
analyze "$work/steps.mkv" --id steps -o "$work/steps.json" --min-scene 1 --quiet
check "analyze steps" test -s "$work/steps.json"
check "steps: two scenes, cut at 4 s" py '
s = j(1)["scenes"]
len(s) == 2 and abs(s[1]["start"] - 4) <= 0.05' "$work/steps.json"
"$PYTHON" -c 'import json, sys
for s in json.load(open(sys.argv[1]))["scenes"]: print(s["start"], s["end"])' \
	"$work/steps.json" > "$work/spans"
i=0
while read -r t0 t1; do
	"$FFMPEG" -nostdin -hide_banner -loglevel error -y -i "$work/steps.mkv" -map 0:a \
		-af "atrim=$t0:$t1" -c:a pcm_s16le "$work/span$i.wav"
	ref=$(ebur128 "$work/span$i.wav")
	check "steps scene $i ($t0..$t1): within 0.1 LU of ffmpeg ebur128 ($ref)" py '
x = j(1)["features"][int(sys.argv[2])]["loudness"]
print("#", x)
abs(x - float(sys.argv[3])) <= 0.1' "$work/steps.json" "$i" "${ref:-nan}"
	i=$((i + 1))
done < "$work/spans"
check "steps: both scenes compared" test "$i" -eq 2

# the references themselves are what BS.1770 says a tone is
check "ffmpeg: -20 dBFS stereo 1 kHz is -20 LUFS, -30 dBFS is -30" py '
abs(float(sys.argv[1]) + 20) <= 0.1 and abs(float(sys.argv[2]) + 30) <= 0.1' \
	"$(ebur128 "$work/sine20.mkv")" "$(ebur128 "$work/sine30.mkv")"
finish
