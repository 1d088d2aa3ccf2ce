#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# GET /v1/users/{id}/cuts/{movie}?format=hls: a movie made here by ffmpeg
# (H.264 + AAC, a keyframe every second, scenes that start between
# keyframes) is prepared once with recut-render --hls-prepare into
# [http] media_dir/MOVIE.hls; recutd then answers the playlist of a viewer's
# cut without decoding anything: the kept scenes' segments, served by
# GET /v1/movies/{id}/media?segment=NAME, with EXT-X-DISCONTINUITY between
# scenes.  ffmpeg plays the playlist over HTTP with a read token (both the
# playlist and the segments answer 401 without one) and its duration is the
# cut's (one frame per scene boundary).  404 with a JSON error before the movie is
# prepared and after its scenes change; segment names that could leave the
# directory are refused.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3 ffmpeg ffprobe cmp sha256sum
RENDER=$top_builddir/video/recut-render
[ -x "$RENDER" ] || h_skip "recut-render was not built (no FFmpeg libraries)"

mkdir -p "$H_TMP/media"
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25:duration=12 \
    -f lavfi -i sine=frequency=440:sample_rate=48000:duration=12 \
    -c:v libx264 -preset veryfast -g 25 -keyint_min 25 -sc_threshold 0 -pix_fmt yuv420p \
    -c:a aac -shortest "$H_TMP/hm.mp4" || h_fail "ffmpeg cannot make the test movie"
movie_json() { # START,... : a catalog entry for hm with scenes cut at those times
    "$SYS_PYTHON3" - "$1" <<'EOF'
import json, sys
cuts = [0.0] + [float(x) for x in sys.argv[1].split(",")] + [12.0]
labels = ["action", "dialogue", "landscape", "chase", "romance"]
scenes = [{"start": cuts[i], "end": cuts[i + 1], "labels": [labels[i % 5]],
           "arousal": round(0.1 + 0.8 * ((i * 37) % 10) / 10, 2),
           "valence": round(((i * 53) % 20) / 10 - 1, 2)} for i in range(len(cuts) - 1)]
print(json.dumps({"id": "hm", "title": "HLS movie", "duration": 12.0, "genres": ["Drama"],
                  "scenes": scenes}))
EOF
}
movie_json 1.6,3.5,5.2,7.9,10.3 >"$H_TMP/hm.json"

# a player reads the playlist and its segments with a read token
T_ALL=cuthls-all-$RANDOM$RANDOM
T_READ=cuthls-read-$RANDOM$RANDOM
{
    printf '%s read,write,admin\n' "$(printf %s "$T_ALL" | sha256sum | cut -d' ' -f1)"
    printf '%s read\n' "$(printf %s "$T_READ" | sha256sum | cut -d' ' -f1)"
} >"$H_TMP/tokens"
h_start_redis
H_NO_KAFKA=1
CONF=$H_TMP/recutd.conf
h_write_config "$CONF"
sed -i '/^\[http\]$/a media_dir = '"$H_TMP/media"'\ntokens_file = '"$H_TMP/tokens" "$CONF"
H_TOKEN=$T_ALL
sed -i 's/^load = .*/load = highlights/' "$CONF"
h_start_recutd "$CONF"
h_http PUT /v1/movies/hm "$H_TMP/hm.json"
h_assert_eq "$H_STATUS" 200 "PUT /v1/movies/hm" || h_fail "cannot put the movie"
BASE=http://127.0.0.1:$H_HTTP_PORT
RD=(-H "Authorization: Bearer $T_READ")
CUT="/v1/users/u1/cuts/hm?budget=6"

case_not_prepared() {
    h_http GET "$CUT&format=hls"
    h_assert_eq "$H_STATUS" 404 "format=hls before --hls-prepare" || return 1
    h_assert_true "a JSON error saying so" \
        grep -q '"error":"movie .hm. was not prepared for HLS' "$H_BODY"
}

case_prepare() {
    "$RENDER" --source "$H_TMP/hm.mp4" --cut "$H_TMP/hm.json" --hls-prepare "$H_TMP/media/hm.hls" \
        --quiet || { h_check_failed "recut-render --hls-prepare failed"; return 1; }
    h_assert_true "hls.json lists the six scenes" test \
        "$(h_json "$H_TMP/media/hm.hls/hls.json" 'len(d["ranges"])')" = 6
}

case_playlist() {
    local ct
    ct=$(curl -sS "${RD[@]}" -o "$H_TMP/cut.m3u8" -w '%{http_code} %{content_type}' "$BASE$CUT&format=hls")
    h_assert_eq "$ct" "200 application/vnd.apple.mpegurl" "status and Content-Type" || return 1
    h_http GET "$CUT"
    cp "$H_BODY" "$H_TMP/cut.json"
    "$SYS_PYTHON3" - "$H_TMP/cut.m3u8" "$H_TMP/cut.json" "$H_TMP/media/hm.hls/hls.json" <<'EOF' ||
import json, math, sys
lines = open(sys.argv[1]).read().splitlines()
cut, prep = json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
kept = [s["index"] for s in cut["scenes"]]
assert len(kept) >= 2, "the cut keeps %d scenes" % len(kept)
assert lines[0] == "#EXTM3U" and lines[-1] == "#EXT-X-ENDLIST", "head or tail"
for t in ("#EXT-X-VERSION:3", "#EXT-X-PLAYLIST-TYPE:VOD"):
    assert t in lines, t
scenes = [int(l.split()[2]) for l in lines if l.startswith("# scene ")]
assert scenes == kept, "scenes %s, cut %s" % (scenes, kept)
# the segments of each kept scene, in order, each after a discontinuity
# when it starts a scene (but the first) or hls.json says so
want, i = [], 0
for n, k in enumerate(kept):
    for m, g in enumerate(prep["ranges"][k]["segments"]):
        want.append((g["uri"], g["duration"], (m == 0 and n > 0) or (m > 0 and g["discontinuity"])))
got, disc = [], False
for l in lines:
    if l == "#EXT-X-DISCONTINUITY":
        disc = True
    elif l.startswith("#EXTINF:"):
        dur = float(l[8:].rstrip(","))
    elif not l.startswith("#"):
        assert l.startswith("/v1/movies/hm/media?segment="), l
        got.append((l.split("=", 1)[1], dur, disc))
        disc = False
assert [(u, round(d, 6), x) for u, d, x in got] == [(u, round(d, 6), x) for u, d, x in want], got
td = int([l for l in lines if l.startswith("#EXT-X-TARGETDURATION:")][0].split(":")[1])
assert all(round(d) <= td for _, d, _ in got), "target duration"
EOF
    { h_check_failed "the playlist is not the cut's scenes' segments"; return 1; }
}

case_ffmpeg_reads_it() {
    local hdr="Authorization: Bearer $T_READ"$'\r\n'
    ffmpeg -nostdin -v error -headers "$hdr" -i "$BASE$CUT&format=hls" -f null - 2>"$H_TMP/ff.err"
    h_assert_eq "$?:$(head -c 300 "$H_TMP/ff.err")" "0:" "ffmpeg -i the playlist -f null -" || return 1
    local dur want n
    dur=$(ffprobe -v error -headers "$hdr" -show_entries format=duration -of csv=p=0 "$BASE$CUT&format=hls")
    want=$(h_json "$H_TMP/cut.json" 'd["duration"]')
    n=$(h_json "$H_TMP/cut.json" 'len(d["scenes"])')
    h_assert_true "ffprobe's duration $dur = the cut's $want (one frame per scene boundary)" \
        "$SYS_PYTHON3" -c "import sys; sys.exit(abs($dur - $want) > 2 * $n * 0.04 + 1e-6)"
}

case_segments() {
    local seg ct
    seg=$(grep -m1 -o 'segment=.*' "$H_TMP/cut.m3u8" | cut -d= -f2)
    ct=$(curl -sS "${RD[@]}" -o "$H_TMP/seg.ts" -w '%{http_code} %{content_type}' "$BASE/v1/movies/hm/media?segment=$seg")
    h_assert_eq "$ct" "200 video/mp2t" "GET of segment $seg" || return 1
    h_assert_true "the segment's bytes are the file's" cmp -s "$H_TMP/seg.ts" "$H_TMP/media/hm.hls/$seg" ||
        return 1
    h_assert_eq "$(curl -sS -o /dev/null -w '%{http_code}' "$BASE/v1/movies/hm/media?segment=$seg")" \
        401 "a segment without a token" || return 1
    h_assert_eq "$(curl -sS -o /dev/null -w '%{http_code}' "$BASE$CUT&format=hls")" \
        401 "the playlist without a token" || return 1
    cp "$H_TMP/media/hm.hls/$seg" "$H_TMP/media/outside.ts"
    local bad
    for bad in "..%2Foutside.ts" "../outside.ts" ".hidden.ts" "hls.json" "nosuch.ts"; do
        h_assert_eq "$(curl -sS "${RD[@]}" -o /dev/null -w '%{http_code}' "$BASE/v1/movies/hm/media?segment=$bad")" \
            404 "segment=$bad" || return 1
    done
    # a NUL in a parameter is refused before any handler sees it
    h_assert_eq "$(curl -sS "${RD[@]}" -o /dev/null -w '%{http_code}' "$BASE/v1/movies/hm/media?segment=$seg%00")" \
        400 "segment=$seg%00"
}

case_scenes_changed() {
    movie_json 2,3.5,5.2,7.9,10.3 >"$H_TMP/hm2.json"
    h_http PUT /v1/movies/hm "$H_TMP/hm2.json"
    h_assert_eq "$H_STATUS" 200 "PUT of hm with other scenes" || return 1
    h_http GET "$CUT&format=hls"
    h_assert_eq "$H_STATUS" 404 "format=hls after the scenes changed" || return 1
    h_assert_true "a JSON error saying to prepare again" grep -q 'prepare again\|--hls-prepare again' "$H_BODY"
}

h_case "404 before the movie is prepared" case_not_prepared
h_case "recut-render --hls-prepare into media_dir" case_prepare
h_case "the playlist lists the kept scenes' segments" case_playlist
h_case "ffmpeg plays it over HTTP, duration of the cut" case_ffmpeg_reads_it
h_case "segments served, bad names refused" case_segments
h_case "404 once the scenes change" case_scenes_changed
h_done
