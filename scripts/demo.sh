#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The README demo: installs, builds, starts its own Redis and mock Kafka
# cluster and recutd, replays a real event stream (MovieLens ratings and tags,
# or a small synthetic stream), and prints one viewer's recommendations and a
# personal cut.  Stops everything it started.
# Usage: scripts/demo.sh [MOVIELENS_DIR]    (default ../shared/data/ml-latest-small)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh" >/dev/null
cd "$top"
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
mkdir -p build && cd build
[ -f Makefile ] || ../configure --enable-silent-rules >/dev/null
make -j"$(nproc)" >/dev/null
cd "$top"

ml=${1:-}
if [ -z "$ml" ] && [ -d "$top/../shared/data/ml-latest-small" ]; then
  ml="$top/../shared/data/ml-latest-small"
fi

export top_builddir="$top/build" top_srcdir="$top" srcdir="$top/tests"
export REDIS_SERVER=${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}
export H_TIMEOUT=${H_TIMEOUT:-900}   # the MovieLens replay takes a while
# shellcheck source=../tests/helpers/harness.sh
. "$top/tests/helpers/harness.sh"
out="$top/demo-out"
mkdir -p "$out"
py=/usr/bin/python3

h_log "starting Redis, a mock Kafka cluster and recutd"
h_start_redis
# the mock cluster keeps 5 MiB a partition: spread the replay over 16
h_start_kafka recut.events:16 recut.catalog:4 recut.published:4 recut.deadletter
h_write_config "$H_TMP/recutd.conf"
# comments get their sentiment from the model shipped in the source tree
printf '[models]\ncomment_model = %s\n' "$top/lib/models/comment-sentiment.nbm" >>"$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf"
ctl() { "$top/build/ctl/recutctl" -s "127.0.0.1:$H_HTTP_PORT" "$@"; }

if [ -n "$ml" ]; then
  h_log "catalog and events from MovieLens at $ml"
  "$py" "$top/scripts/movielens-stream.py" "$ml" "$H_TMP"
else
  h_log "no MovieLens directory: using a small synthetic stream"
  "$py" "$top/scripts/movielens-stream.py" --synthetic "$H_TMP"
fi
n_events=$(wc -l <"$H_TMP/events.kv")
# the catalog first: recutd dead-letters an event for a movie it does not
# know yet (unknown_movie), and the two topics are not ordered
kcat -b "$H_KAFKA" -P -t recut.catalog -K$'\t' -l "$H_TMP/catalog.kv"
h_wait_metric recut_catalog_movies "$(wc -l <"$H_TMP/catalog.kv")"
kcat -b "$H_KAFKA" -P -t recut.events -K$'\t' -l "$H_TMP/events.kv"
kept=$(h_topic_count recut.events)
[ "$kept" = "$n_events" ] || h_fail "the mock cluster kept $kept of $n_events events"
h_log "produced $n_events events; waiting for recutd to apply them"
h_wait_metric recut_events_applied_total "$n_events"

# a movie of our own, with scenes found by recut-analyze when it is built
movie=demo-movie
if [ -x "$top/build/video/recut-analyze" ] && command -v ffmpeg >/dev/null; then
  h_log "making a short movie from scikit-image's photographs and analysing it"
  # seven shots of 6 s, stills panned and zoomed: the astronaut (wide, then
  # a close-up of her face, then wide again), coffee, the cat, three faces
  # of the LFW subset side by side, the cameraman; a tone for sound
  "$top/scripts/demo-photos.sh" "$out/movie.mp4"
  "$top/build/video/recut-analyze" "$out/movie.mp4" --id "$movie" --title "Demo movie" \
    --genres Action,Drama --min-scene 4 --scene-sim 0.95 --quiet -o "$out/catalog.json" \
    --plot "$out/timeline.svg"
  echo "(scene timeline with the faces lane: demo-out/timeline.svg)"
else
  "$py" - "$out/catalog.json" <<'PY'
import json, sys
scenes = [{"start": i * 30.0, "end": i * 30.0 + 30.0, "labels": [l],
           "arousal": a, "valence": v} for i, (l, a, v) in enumerate(
    [("dialogue", .2, .1), ("action", .9, .2), ("romance", .3, .7), ("action", .8, -.2),
     ("dark", .5, -.6), ("action", .95, .4)])]
json.dump({"id": "demo-movie", "title": "Demo movie", "duration": 180.0,
           "genres": ["Action", "Drama"], "scenes": scenes}, open(sys.argv[1], "w"))
PY
fi
ctl put-movie "$out/catalog.json" --id "$movie" >/dev/null

viewer=$(head -n1 "$H_TMP/events.kv" | cut -f1)
echo
echo "=== recommendations for viewer $viewer ==="
ctl recs "$viewer" -n 10 >"$out/recs.json"
"$py" - "$out/recs.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("(learned from %d events; full answer in demo-out/recs.json)" % d["events"])
for i, it in enumerate(d["items"], 1):
    why = "; ".join(it["reasons"][:2])
    print("%2d. %-45s %.3f  %s" % (i, it["title"][:45], it["score"], why))
PY
echo
echo "=== a personal cut of '$movie' for $viewer (highlights, 50% of the movie) ==="
ctl cut "$viewer" "$movie" --budget 50% --editor highlights -o "$out/cut.json"
"$py" - "$out/cut.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("editor %s, budget %.1f s, cut %.1f s:" % (d["editor"], d["budget"], d["duration"]))
for s in d["scenes"]:
    print("  scene %d  %6.1f s - %6.1f s" % (s["index"], s["start"], s["end"]))
PY
ctl cut "$viewer" "$movie" --budget 50% --format edl >"$out/cut.edl"
echo "(edit list: demo-out/cut.json; CMX 3600 EDL: demo-out/cut.edl)"
if [ -x "$top/build/video/recut-render" ] && [ -f "$out/movie.mp4" ]; then
  "$top/build/video/recut-render" --source "$out/movie.mp4" --cut "$out/cut.json" \
    -o "$out/cut.mp4" --quiet
  echo "rendered: $out/cut.mp4"
  "$top/build/video/recut-render" --source "$out/movie.mp4" --cut "$out/cut.json" \
    --hls "$out/cut-hls" --quiet
  echo "HLS playlist: $out/cut-hls/index.m3u8 (ffplay it)"
fi

# Two viewers who differ only in how they took the movie's close-ups (the
# scenes recut-analyze labelled close-up): one liked them, one skipped them.
closeups=$("$py" -c 'import json, sys
print(" ".join(str(i) for i, s in enumerate(json.load(open(sys.argv[1]))["scenes"])
               if "close-up" in s["labels"]))' "$out/catalog.json")
if [ -n "$closeups" ]; then
  echo
  echo "=== close-ups: cuts for a viewer who liked them and one who skipped them ==="
  n_close=0
  for i in $closeups; do
    h_event closeup-fan like "$movie" "fan-$i" "\"scene\":$i"
    h_event closeup-skipper skip "$movie" "skipper-$i" "\"scene\":$i"
    n_close=$((n_close + 2))
  done >"$H_TMP/closeups.json"
  h_http POST /v1/events "$H_TMP/closeups.json"
  [ "$H_STATUS" = 200 ] || h_fail "POST /v1/events answered $H_STATUS"
  h_wait_metric recut_events_applied_total $((n_events + n_close))
  for v in closeup-fan closeup-skipper; do
    ctl cut "$v" "$movie" --budget 50% --editor highlights -o "$out/cut-$v.json"
  done
  "$py" - "$out/catalog.json" "$out/cut-closeup-fan.json" "$out/cut-closeup-skipper.json" <<'PY'
import json, sys
cat = json.load(open(sys.argv[1]))
cuts = [json.load(open(f)) for f in sys.argv[2:]]
for who, d in zip(("liked close-ups  ", "skipped close-ups"), cuts):
    print("%s: %s" % (who, ", ".join("%d (%s)" % (s["index"], " ".join(
        l for l in cat["scenes"][s["index"]]["labels"] if l in ("close-up", "faces", "no-people")))
        for s in d["scenes"])))
a, b = ([s["index"] for s in d["scenes"]] for d in cuts)
if a == b:
    sys.exit("demo: the two viewers got the same cut")
print("(the cuts differ; demo-out/cut-closeup-fan.json, demo-out/cut-closeup-skipper.json)")
PY
fi
h_stop_recutd
echo "demo done; outputs in $out"
