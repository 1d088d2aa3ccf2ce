#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Speech, music, silence and subtitles per scene, on movies made here whose
# soundtrack is known by construction: espeak-ng speaks lines into some
# scenes, synthetic music (a melody and held chords with harmonics) plays
# in others, one is silent.  Subtitles come muxed in (mov_text in MP4;
# SubRip, ASS and WebVTT in Matroska) and as sidecar .srt/.vtt/.ass files;
# bad subtitle input and a movie without audio are handled as
# recut-analyze(1) says.
. "${srcdir:-.}/video-lib.sh"

if ! command -v espeak-ng > /dev/null 2>&1; then
	echo "SKIP: espeak-ng not installed (scripts/install-deps.sh installs it)"
	exit 77
fi
MODEL="$srcdir/../../lib/models/comment-sentiment.nbm"
ff() { "$FFMPEG" -nostdin -hide_banner -loglevel error -y "$@"; }

# the soundtrack: five 8 s scenes
espeak-ng -w "$work/s1.wav" "Hello there. I wanted to tell you something important about \
the weather. It has been raining all morning, and the river is rising fast."
espeak-ng -v en-us+f3 -w "$work/s2.wav" "Yes, of course. We should leave before the storm \
comes. Take the blue car, the keys are on the table by the door."
# a melody of harmonic notes, two a second, and three held chords
f='(220*pow(2,floor(mod(t*2,8))/6))'
melody="0.2*(sin(2*PI*$f*t)+0.4*sin(4*PI*$f*t)+0.2*sin(6*PI*$f*t))"
chord="0.1*(sin(2*PI*262*t)+sin(2*PI*330*t)+sin(2*PI*392*t)+0.5*sin(2*PI*524*t))"
chords="if(lt(mod(t,8),3),$chord,if(lt(mod(t,8),6),0.1*(sin(2*PI*220*t)+sin(2*PI*277*t)+sin(2*PI*330*t)),0.1*(sin(2*PI*196*t)+sin(2*PI*247*t)+sin(2*PI*294*t))))"
ff -i "$work/s1.wav" -i "$work/s2.wav" \
	-f lavfi -i "aevalsrc='$melody':s=48000:d=8" -f lavfi -i "aevalsrc='$chords':s=48000:d=8" \
	-f lavfi -i "anullsrc=r=48000:cl=mono" \
	-filter_complex "[0:a]aresample=48000,apad=whole_dur=8,atrim=0:8[a0];[2:a]atrim=0:8[a1];\
[4:a]atrim=0:8[a2];[3:a]atrim=0:8[a3];[1:a]aresample=48000,apad=whole_dur=8,atrim=0:8[a4];\
[a0][a1][a2][a3][a4]concat=n=5:v=0:a=1[a]" -map "[a]" -c:a pcm_s16le "$work/sound.wav"
# the picture: one colour per scene
ff -f lavfi -i "color=c=red:s=160x90:r=25:d=8" -f lavfi -i "color=c=blue:s=160x90:r=25:d=8" \
	-f lavfi -i "color=c=green:s=160x90:r=25:d=8" -f lavfi -i "color=c=yellow:s=160x90:r=25:d=8" \
	-f lavfi -i "color=c=purple:s=160x90:r=25:d=8" \
	-filter_complex "[0:v][1:v][2:v][3:v][4:v]concat=n=5:v=1:a=0,format=yuv420p[v]" \
	-map "[v]" -c:v mpeg4 -q:v 5 "$work/picture.mkv"
ff -i "$work/picture.mkv" -i "$work/sound.wav" -map 0:v -map 1:a -c:v copy -c:a aac -b:a 128k \
	-shortest "$work/talk.mp4"
ff -i "$work/picture.mkv" -map 0:v -c:v copy "$work/mute.mp4"
check "test movies made" test -s "$work/talk.mp4" -a -s "$work/mute.mp4"

# subtitles (SubRip; converted to WebVTT and ASS): an obviously positive line in scene 0, a negative one in
# scene 1, plain words in scene 3
cat > "$work/subs.srt" << 'EOF'
1
00:00:01,000 --> 00:00:04,500
<i>What a wonderful, beautiful day.</i>
I love this funny story!

2
00:00:09,000 --> 00:00:12,500
This is boring. So boring and annoying.

3
00:00:25,000 --> 00:00:28,500
The treasure map is hidden under the lighthouse.
EOF
ff -i "$work/subs.srt" "$work/subs.vtt"
ff -i "$work/subs.srt" "$work/subs.ass"
ff -i "$work/talk.mp4" -i "$work/subs.srt" -map 0 -map 1 -c:v copy -c:a copy -c:s mov_text \
	"$work/movtext.mp4"
ff -i "$work/talk.mp4" -i "$work/subs.srt" -map 0 -map 1 -c:v copy -c:a copy -c:s srt \
	"$work/subrip.mkv"
ff -i "$work/talk.mp4" -i "$work/subs.ass" -map 0 -map 1 -c:v copy -c:a copy -c:s ass \
	"$work/ass.mkv"
ff -i "$work/talk.mp4" -i "$work/subs.vtt" -map 0 -map 1 -c:v copy -c:a copy -c:s webvtt \
	"$work/webvtt.mkv"

A="--min-scene 3 --text-model $MODEL --quiet"
# shellcheck disable=SC2086
analyze "$work/talk.mp4" --id talk $A -o "$work/talk.json" --plot "$work/talk.svg"
check "talk: analysed" test -s "$work/talk.json"
check "talk: five scenes at 8 s steps" py '
s = j(1)["scenes"]
len(s) == 5 and all(abs(x["start"] - 8 * i) < 0.1 for i, x in enumerate(s))' "$work/talk.json"
check "talk: speech, music, silence shares in 0..1, summing to <= 1" py '
f = j(1)["features"]
print("#", [(x["speech"], x["music"], x["silence"]) for x in f])
(all(0 <= x[k] <= 1 for x in f for k in ("speech", "music", "silence")) and
 all(x["speech"] + x["music"] + x["silence"] <= 1.001 for x in f))' "$work/talk.json"
# expected labels: scene -> (dialogue, music, quiet)
check "talk: dialogue / music / quiet per scene" py '
want = [(1, 0, 0), (0, 1, 0), (0, 0, 1), (0, 1, 0), (1, 0, 0)]
s = j(1)["scenes"]
got = [tuple(int(l in x["labels"]) for l in ("dialogue", "music", "quiet")) for x in s]
print("#", got)
got == want' "$work/talk.json"
check "talk: speech scenes mostly speech, music scenes mostly music, silent one silent" py '
f = j(1)["features"]
(f[0]["speech"] > 0.6 and f[4]["speech"] > 0.6 and f[1]["music"] > 0.9 and
 f[3]["music"] > 0.9 and f[2]["silence"] > 0.95)' "$work/talk.json"
check "talk: no subtitles, no subtitle features or tags" py '
d = j(1)
(all("subtitle" not in f and "sentiment" not in f for f in d["features"]) and
 all("tags" not in s for s in d["scenes"]))' "$work/talk.json"
check "talk: the plot has the sound lane (speech and music runs)" sh -c \
	"grep -q 'fill=\"#2a9d8f\"' '$work/talk.svg' && grep -q 'fill=\"#e76f51\"' '$work/talk.svg'"

# subtitles muxed in, and the same file as a sidecar
for v in movtext.mp4 subrip.mkv ass.mkv webvtt.mkv talk.mp4:srt talk.mp4:vtt talk.mp4:ass; do
	movie=${v%%:*}
	side=${v#*:}
	set --
	[ "$side" = "$v" ] || set -- --subtitles "$work/subs.$side"
	# shellcheck disable=SC2086
	analyze "$work/$movie" --id subs $A -o "$work/subs.json" "$@"
	check "$v: per-scene subtitle text" py '
f = j(1)["features"]
print("#", [x.get("subtitle") for x in f])
[x.get("subtitle") for x in f] == ["What a wonderful, beautiful day. I love this funny story!",
 "This is boring. So boring and annoying.", None,
 "The treasure map is hidden under the lighthouse.", None]' "$work/subs.json"
	check "$v: tags are the scenes' words, without stop words" py '
s = j(1)["scenes"]
print("#", [x.get("tags") for x in s])
(set(s[0]["tags"]) <= {"wonderful", "beautiful", "day", "love", "funny", "story"} and
 len(s[0]["tags"]) == 5 and s[1]["tags"] == ["boring", "annoying"] and
 s[3]["tags"] == ["treasure", "map", "hidden", "lighthouse"] and
 "tags" not in s[2] and "tags" not in s[4])' "$work/subs.json"
	check "$v: sentiment positive on the happy line, negative on the boring one" py '
f = j(1)["features"]
print("#", [x.get("sentiment") for x in f])
f[0]["sentiment"] > 0.3 and f[1]["sentiment"] < -0.3' "$work/subs.json"
	check "$v: sentiment moves valence (against the movie without subtitles)" py '
a, b = j(1)["scenes"], j(2)["scenes"]
print("#", [x["valence"] for x in a], [x["valence"] for x in b])
a[0]["valence"] > b[0]["valence"] + 0.1 and a[1]["valence"] < b[1]["valence"] - 0.1' "$work/subs.json" "$work/talk.json"
	check "$v: subtitled scenes are dialogue" py '
s = j(1)["scenes"]
all("dialogue" in s[i]["labels"] for i in (0, 1, 3))' "$work/subs.json"
done
# a sidecar replaces the movie's own subtitles
printf '1\n00:00:17,000 --> 00:00:20,000\nNothing but the sea.\n' > "$work/other.srt"
analyze "$work/subrip.mkv" --id other --min-scene 3 --quiet --subtitles "$work/other.srt" \
	-o "$work/other.json"
check "sidecar replaces the embedded stream" py '
f = j(1)["features"]
[x.get("subtitle") for x in f] == [None, None, "Nothing but the sea.", None, None]' \
	"$work/other.json"

# bad subtitle input
printf 'this is not\na subtitle file\n' > "$work/bad.srt"
printf 'WEBVTT\n\n' > "$work/empty.vtt"
printf '1\n00:00:01,000 --> 00:00:02,000\nLatin-1 \351t\351 here\n' > "$work/latin1.srt"
for bad in bad.srt latin1.srt empty.vtt missing.srt; do
	analyze "$work/talk.mp4" --id bad --subtitles "$work/$bad" -o "$work/bad.json" \
		--plot "$work/bad.svg" 2> "$work/bad.err"
	rc=$?
	check "$bad: non-zero exit" test "$rc" -ne 0
	check "$bad: message names the file" grep -q "$bad" "$work/bad.err"
	check "$bad: no output written" test ! -e "$work/bad.json" -a ! -e "$work/bad.svg"
done
analyze "$work/talk.mp4" --id bad --subtitles "$work/subs.srt" --text-model "$work/bad.srt" \
	-o "$work/bad.json" 2> "$work/bad.err"
check "unreadable --text-model: non-zero exit, no output" test $? -ne 0 -a ! -e "$work/bad.json"
check "unreadable --text-model: said" grep -q "text-model" "$work/bad.err"

# a subtitle stream with a broken packet (a cue that is not UTF-8, copied
# into Matroska undecoded): a warning, the other cues kept
printf '1\n00:00:01,000 --> 00:00:04,000\nHello and welcome aboard.\n\n2\n00:00:09,000 --> 00:00:12,000\nbroken \377\376 cue\n\n3\n00:00:25,000 --> 00:00:28,000\nThe lighthouse keeper waves.\n' \
	> "$work/broken.srt"
ff -i "$work/talk.mp4" -i "$work/broken.srt" -map 0 -map 1 -c copy "$work/broken.mkv"
analyze "$work/broken.mkv" --id broken --min-scene 3 -o "$work/broken.json" 2> "$work/broken.err"
check "broken subtitle packet: exit 0" test $? -eq 0
check "broken subtitle packet: warned" grep -q "1 damaged subtitle packet skipped" "$work/broken.err"
check "without --text-model: the installed model's sentiment, or a warning that there is none" \
	sh -c "grep -q 'no text model' '$work/broken.err' || grep -q '\"sentiment\"' '$work/broken.json'"
check "broken subtitle packet: the other cues kept" py '
f = j(1)["features"]
[x.get("subtitle") for x in f] == ["Hello and welcome aboard.", None, None,
 "The lighthouse keeper waves.", None]' "$work/broken.json"

# steady noise is not speech: it counts as music
ff -f lavfi -i "color=c=gray:s=160x90:r=25:d=6" -f lavfi -i "anoisesrc=c=pink:a=0.2:r=48000:d=6:s=7" \
	-map 0:v -map 1:a -c:v mpeg4 -c:a pcm_s16le -t 6 "$work/noise.mkv"
analyze "$work/noise.mkv" --id noise --quiet -o "$work/noise.json"
check "pink noise: music, no speech" py '
f = j(1)["features"]
print("#", [(x["speech"], x["music"]) for x in f])
all(x["music"] > 0.9 and x["speech"] < 0.05 for x in f)' "$work/noise.json"

# speech over a quiet chord bed is still speech; chords with a slow
# tremolo are music
bed="0.05*(sin(2*PI*262*t)+sin(2*PI*330*t)+sin(2*PI*392*t))"
ff -f lavfi -i "color=c=gray:s=160x90:r=25:d=8" -i "$work/s1.wav" \
	-f lavfi -i "aevalsrc='$bed':s=22050:d=8" \
	-filter_complex "[1:a][2:a]amix=2:duration=longest,atrim=0:8[a]" \
	-map 0:v -map "[a]" -c:v mpeg4 -c:a pcm_s16le -t 8 "$work/bed.mkv"
ff -f lavfi -i "color=c=gray:s=160x90:r=25:d=8" \
	-f lavfi -i "aevalsrc='(0.5+0.3*sin(2*PI*0.5*t))*$bed':s=48000:d=8" \
	-map 0:v -map 1:a -c:v mpeg4 -c:a pcm_s16le -t 8 "$work/tremolo.mkv"
analyze "$work/bed.mkv" --id bed --quiet -o "$work/bed.json"
analyze "$work/tremolo.mkv" --id trem --quiet -o "$work/trem.json"
check "speech over a chord bed: speech, dialogue" py '
f, s = j(1)["features"][0], j(1)["scenes"][0]
print("#", f["speech"], f["music"], s["labels"])
f["speech"] > 0.6 and "dialogue" in s["labels"]' "$work/bed.json"
check "chords with tremolo: music, not dialogue" py '
f, s = j(1)["features"][0], j(1)["scenes"][0]
print("#", f["speech"], f["music"], s["labels"])
f["music"] > 0.9 and "dialogue" not in s["labels"] and "music" in s["labels"]' "$work/trem.json"

# no audio: no sound shares, no audio labels, and the plot says so
analyze "$work/mute.mp4" --id mute --min-scene 3 --quiet -o "$work/mute.json" \
	--plot "$work/mute.svg"
check "no audio: no speech/music/silence features" py '
all(k not in f for f in j(1)["features"] for k in ("speech", "music", "silence"))' \
	"$work/mute.json"
check "no audio: no dialogue/music/quiet labels" py '
all(l not in s["labels"] for s in j(1)["scenes"] for l in ("dialogue", "music", "quiet"))' \
	"$work/mute.json"
check "no audio: the plot's sound lane says so" grep -q ">no audio</text>" "$work/mute.svg"
# ... but subtitles still make dialogue
analyze "$work/mute.mp4" --id mute --min-scene 3 --quiet --subtitles "$work/subs.srt" \
	-o "$work/mutes.json"
check "no audio, sidecar subtitles: dialogue from the subtitles only" py '
s = j(1)["scenes"]
["dialogue" in x["labels"] for x in s] == [True, True, False, True, False]' "$work/mutes.json"
finish
