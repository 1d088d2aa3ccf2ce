#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The console (/ui) end to end.  A live recutd with a tokens_file, fed a
# MovieLens subset over the API (../shared/data/ml-latest-small when it is
# there, else a generated MovieLens-like set) and a catalog entry with
# scenes for a movie whose video ffmpeg makes here (WebM, in media_dir).
# curl checks the static serving (deep links answer index.html, ETag/304,
# the Content-Security-Policy, no token needed, traversal refused, Host
# checked) and the media route (Range 206/416, HEAD, read scope); then
# Debian's chromium driven by playwright-core (tests/browser/console.mjs)
# checks what a person sees: the viewer page shows the top recommendation's
# title and reasons, the movie page highlights the cut's scenes and its
# <video> plays, deep links reload, each page load stays under 200 KB and no
# request leaves 127.0.0.1; the experiments page says none is configured.
# Then the same data served without tokens and with an [experiment.blend]:
# the video streams with byte ranges, the viewer page shows the viewer's arm
# and the experiments page the arms' counts, intervals and comparison.
# Screenshots: build/tests/console-*.png (and docs/console.png when
# RECUT_SCREENSHOT_OUT names it).  Skips (77) only when chromium or node is
# not installed.
# RECUT_MOVIELENS=DIR reads another MovieLens directory (a missing one: the
# generated set).
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3 ffmpeg sha256sum
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || h_skip "chromium is not installed ($CHROMIUM)"
command -v node >/dev/null 2>&1 || h_skip "node is not installed"

# playwright-core: tests/browser/node_modules (install-deps.sh runs npm ci
# there), else an offline npm ci from npm's cache into the temp dir
BROWSER_DIR=$srcdir/browser
if [ ! -d "$BROWSER_DIR/node_modules/playwright-core" ]; then
    mkdir -p "$H_TMP/browser"
    cp "$BROWSER_DIR/package.json" "$BROWSER_DIR/package-lock.json" "$BROWSER_DIR/console.mjs" "$H_TMP/browser/"
    (cd "$H_TMP/browser" && npm ci --offline --no-audit --no-fund >npm.log 2>&1) ||
        h_skip "playwright-core is not installed (scripts/install-deps.sh runs npm ci in tests/browser)"
    BROWSER_DIR=$H_TMP/browser
fi

# ---- data --------------------------------------------------------------------
MOVIE=console-film
mkdir -p "$H_TMP/media"
ffmpeg -hide_banner -loglevel error -f lavfi -i "testsrc=duration=24:size=320x180:rate=25" \
    -c:v libvpx -b:v 300k -deadline realtime -cpu-used 8 -g 25 "$H_TMP/media/$MOVIE.webm" ||
    h_fail "ffmpeg could not make the test video"
MEDIA_SIZE=$(stat -c %s "$H_TMP/media/$MOVIE.webm")

ML=${RECUT_MOVIELENS:-$top_srcdir/../shared/data/ml-latest-small}
"$SYS_PYTHON3" - "$ML" "$H_TMP" "$MOVIE" <<'EOF' || h_fail "cannot prepare the data"
import csv, json, os, random, sys
ml, out, film = sys.argv[1:4]
catalog, events = {}, []
if os.path.isfile(os.path.join(ml, "ratings.csv")):
    users = {str(u) for u in range(1, 31)}       # a subset: the first 30 viewers
    with open(os.path.join(ml, "ratings.csv"), encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["userId"] in users]
    rated = {r["movieId"] for r in rows}
    with open(os.path.join(ml, "movies.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["movieId"] in rated:
                g = [x for x in r["genres"].split("|") if x and x != "(no genres listed)"]
                catalog[r["movieId"]] = {"id": r["movieId"], "title": r["title"],
                                         "duration": 6000.0, "genres": g, "scenes": []}
    for r in rows:
        events.append({"user": "u" + r["userId"], "type": "rating",
                       "ts": int(r["timestamp"]) * 1000, "id": "r-%s-%s" % (r["userId"], r["movieId"]),
                       "movie": r["movieId"], "value": float(r["rating"])})
    source = "MovieLens " + ml
else:                                            # MovieLens-like, generated
    rnd = random.Random(11)
    genres = ["Action", "Comedy", "Drama", "Romance", "Horror", "Sci-Fi", "Thriller"]
    for i in range(1, 301):
        catalog[str(i)] = {"id": str(i), "title": "Generated Movie %d (%d)" % (i, 1950 + i % 70),
                           "duration": 6000.0, "genres": rnd.sample(genres, 2), "scenes": []}
    ts = 1_500_000_000_000
    for u in range(1, 31):
        fav = rnd.choice(genres)
        for _ in range(60):
            m = str(rnd.randint(1, 300))
            ts += 1000
            likes = fav in catalog[m]["genres"]
            events.append({"user": "u%d" % u, "type": "rating", "ts": ts, "id": "g-%d-%d" % (u, ts),
                           "movie": m, "value": rnd.choice([4.0, 4.5, 5.0]) if likes else rnd.choice([1.0, 2.0, 2.5])})
    source = "generated"
events.sort(key=lambda e: e["ts"])
# the movie with scenes and a video: 8 scenes over 24 s
scenes = []
for i in range(8):
    sc = {"start": 3.0 * i, "end": 3.0 * (i + 1), "labels": [["action", "dialogue", "calm", "chase"][i % 4]],
          "arousal": [0.2, 0.5, 0.9, 0.4, 0.7, 0.3, 0.95, 0.6][i], "valence": [0.1, -0.4, 0.6, 0.2, -0.8, 0.5, 0.3, -0.1][i]}
    if i % 3 == 0:
        sc["faces"] = 1
    scenes.append(sc)
for odd in ("../" + film, ".hidden"):  # ids that must not name files (case_media)
    catalog[odd] = {"id": odd, "title": "odd id", "duration": 24.0, "genres": ["Drama"], "scenes": []}
catalog[film] = {"id": film, "title": "Console Test Film", "duration": 24.0,
                 "genres": ["Drama", "Action"], "tags": ["test"], "scenes": scenes}
with open(os.path.join(out, "catalog.json"), "w") as f:
    json.dump(list(catalog.values()), f)
with open(os.path.join(out, "events.ndjson"), "w") as f:
    for e in events:
        f.write(json.dumps(e) + "\n")
print("# data: %s, %d movies, %d events" % (source, len(catalog), len(events)))
EOF

# ---- recutd with tokens ------------------------------------------------------
T_ALL=console-all-$RANDOM$RANDOM
T_READ=console-read-$RANDOM$RANDOM
T_CONSOLE=console-page-$RANDOM$RANDOM
{
    printf '%s read,write,admin\n' "$(printf %s "$T_ALL" | sha256sum | cut -d' ' -f1)"
    printf '%s read\n' "$(printf %s "$T_READ" | sha256sum | cut -d' ' -f1)"
    printf '%s read,admin\n' "$(printf %s "$T_CONSOLE" | sha256sum | cut -d' ' -f1)"
} >"$H_TMP/tokens"
h_start_redis
H_NO_KAFKA=1
CONF=$H_TMP/recutd.conf
h_write_config "$CONF"
sed -i '/^\[http\]$/a ui_dir = '"$top_srcdir/ui"'\nmedia_dir = '"$H_TMP/media"'\ntokens_file = '"$H_TMP/tokens" "$CONF"
sed -i 's/^load = .*/load = highlights,storyline,trailer,mood/' "$CONF"
h_start_recutd "$CONF"
BASE=http://127.0.0.1:$H_HTTP_PORT

"$SYS_PYTHON3" - "$BASE" "$T_ALL" "$H_TMP" <<'EOF' || h_fail "cannot load the data into recutd"
import http.client, json, sys, urllib.parse
base, tok, d = sys.argv[1:4]
hdr = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
conn = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=60)
def call(method, path, body):  # one kept-alive connection for all
    conn.request(method, path, body=body, headers=hdr)
    r = conn.getresponse()
    got = r.read()
    if r.status != 200:
        sys.exit("%s %s: %d %s" % (method, path, r.status, got[:200]))
    return got
for m in json.load(open(d + "/catalog.json")):
    call("PUT", "/v1/movies/" + urllib.parse.quote(m["id"], safe=""), json.dumps(m).encode())
lines = open(d + "/events.ndjson").read().splitlines()
for i in range(0, len(lines), 500):
    hdr["Content-Type"] = "application/x-ndjson"
    call("POST", "/v1/events", ("\n".join(lines[i:i + 500]) + "\n").encode())
    hdr["Content-Type"] = "application/json"
EOF

H_TOKEN=$T_ALL
VIEWER=u1
h_http GET "/v1/users/$VIEWER/recommendations?n=10"
[ "$H_STATUS" = 200 ] || h_fail "recommendations for $VIEWER: $H_STATUS $(cat "$H_BODY")"
cp "$H_BODY" "$H_TMP/recs.json"
TOP_TITLE=$(h_json "$H_TMP/recs.json" 'd["items"][0]["title"]') || h_fail "no recommendation for $VIEWER"
TOP_REASONS=$(h_json "$H_TMP/recs.json" 'd["items"][0]["reasons"]')
h_log "top recommendation for $VIEWER: $TOP_TITLE $TOP_REASONS"
h_http GET "/v1/users/$VIEWER/cuts/$MOVIE?editor=highlights&budget=40%25"
[ "$H_STATUS" = 200 ] || h_fail "cut for $VIEWER: $H_STATUS $(cat "$H_BODY")"
CUT_SCENES=$(h_json "$H_BODY" '",".join(str(s["index"]) for s in d["scenes"])')
h_log "the highlights cut of $MOVIE for $VIEWER: scenes $CUT_SCENES"
H_TOKEN=

# ---- static serving (curl) ---------------------------------------------------
# get PATH [CURL ARGS]: status, content type and size; headers in $H_TMP/hdr
get() {
    local p=$1
    shift
    curl -sS -m 10 --path-as-is -D "$H_TMP/hdr" -o "$H_TMP/got" -w '%{http_code} %{content_type} %{size_download}' "$@" "$BASE$p"
}
hdr() { tr -d '\r' <"$H_TMP/hdr" | awk -v k="$1" 'BEGIN { k = tolower(k) } { split($0, a, ": "); if (tolower(a[1]) == k) { sub(/^[^:]*: /, ""); print; exit } }'; }

case_pages() {
    local p r index
    index=$(stat -c %s "$top_srcdir/ui/index.html")
    for p in /ui/ /ui/viewers/u1 /ui/viewers/u%201 /ui/movies/$MOVIE /ui/experiments /ui/index.html; do
        r=$(get "$p")
        h_assert_eq "$r" "200 text/html; charset=utf-8 $index" "GET $p (no token)" || return 1
        cmp -s "$H_TMP/got" "$top_srcdir/ui/index.html" || { h_check_failed "$p is not index.html"; return 1; }
        case $(hdr Content-Security-Policy) in
        "default-src 'self'; script-src 'self';"*) ;;
        *) h_check_failed "$p: Content-Security-Policy is '$(hdr Content-Security-Policy)'"; return 1 ;;
        esac
    done
    h_assert_eq "$(get /ui/console.js | cut -d' ' -f1-3)" "200 text/javascript; charset=utf-8" "console.js" || return 1
    h_assert_eq "$(get /ui/console.css | cut -d' ' -f1-3)" "200 text/css; charset=utf-8" "console.css" || return 1
    h_assert_eq "$(get /ui/favicon.svg | cut -d' ' -f1-2)" "200 image/svg+xml" "favicon.svg" || return 1
    h_assert_eq "$(get /ui/nope.js | cut -d' ' -f1)" 404 "a missing file" || return 1
    h_assert_eq "$(get /ui | cut -d' ' -f1)" 301 "/ui redirects" || return 1
    h_assert_eq "$(hdr Location)" /ui/ "/ui redirects to /ui/" || return 1
    h_assert_eq "$(get /ui/ -I | awk '{ print $1, $NF }')" "200 0" "HEAD /ui/ has no body" || return 1
    h_assert_eq "$(hdr Content-Length)" "$index" "HEAD /ui/ says the length" || return 1
}

case_etag() {
    get /ui/console.js >/dev/null
    local etag
    etag=$(hdr ETag)
    [ -n "$etag" ] || { h_check_failed "no ETag"; return 1; }
    h_assert_eq "$(get /ui/console.js -H "If-None-Match: $etag" | cut -d' ' -f1,3)" "304 0" "If-None-Match with the ETag" || return 1
    h_assert_eq "$(get /ui/console.js -H 'If-None-Match: "other"' | cut -d' ' -f1)" 200 "If-None-Match with another ETag" || return 1
}

case_refused() {
    local p
    for p in /ui/../etc/passwd /ui/%2e%2e/%2e%2e/etc/passwd /ui/a/%2E%2E/%2E%2E/x /ui/.hidden /ui/a%5c..%5cb; do
        h_assert_eq "$(get "$p" | cut -d' ' -f1)" 400 "GET $p" || return 1
    done
    # a path that does not decode is refused before any route: with a token
    h_assert_eq "$(get /ui/%zz -H "Authorization: Bearer $T_READ" | cut -d' ' -f1)" 400 "GET /ui/%zz" || return 1
    h_assert_eq "$(get /ui/ -H 'Host: evil.example' | cut -d' ' -f1)" 421 "a foreign Host" || return 1
    h_assert_eq "$(get /ui/ -H 'Origin: https://evil.example' | cut -d' ' -f1)" 403 "a foreign Origin" || return 1
    h_assert_eq "$(get /ui/ -X POST | cut -d' ' -f1)" 401 "POST needs a token" || return 1
    h_assert_eq "$(get /ui/ -X POST -H "Authorization: Bearer $T_ALL" | cut -d' ' -f1)" 405 "POST with a token" || return 1
}

case_media() {
    local a=(-H "Authorization: Bearer $T_READ") last=$((MEDIA_SIZE - 1))
    h_assert_eq "$(get /v1/movies/$MOVIE/media | cut -d' ' -f1)" 401 "media without a token" || return 1
    h_assert_eq "$(get /v1/movies/$MOVIE/media "${a[@]}")" "200 video/webm $MEDIA_SIZE" "the whole file" || return 1
    cmp -s "$H_TMP/got" "$H_TMP/media/$MOVIE.webm" || { h_check_failed "the file differs"; return 1; }
    h_assert_eq "$(hdr Accept-Ranges)" bytes "Accept-Ranges" || return 1
    h_assert_eq "$(get /v1/movies/$MOVIE/media "${a[@]}" -H 'Range: bytes=100-199')" "206 video/webm 100" "bytes=100-199" || return 1
    h_assert_eq "$(hdr Content-Range)" "bytes 100-199/$MEDIA_SIZE" "its Content-Range" || return 1
    cmp -s "$H_TMP/got" <(tail -c +101 "$H_TMP/media/$MOVIE.webm" | head -c 100) || { h_check_failed "the range's bytes differ"; return 1; }
    h_assert_eq "$(get /v1/movies/$MOVIE/media "${a[@]}" -H 'Range: bytes=-10' | cut -d' ' -f1,3)" "206 10" "bytes=-10" || return 1
    h_assert_eq "$(hdr Content-Range)" "bytes $((MEDIA_SIZE - 10))-$last/$MEDIA_SIZE" "its Content-Range" || return 1
    h_assert_eq "$(get /v1/movies/$MOVIE/media "${a[@]}" -H "Range: bytes=$MEDIA_SIZE-" | cut -d' ' -f1)" 416 "a range beyond the end" || return 1
    h_assert_eq "$(hdr Content-Range)" "bytes */$MEDIA_SIZE" "416's Content-Range" || return 1
    h_assert_eq "$(get /v1/movies/$MOVIE/media "${a[@]}" -I | cut -d' ' -f1,3)" "200 0" "HEAD" || return 1
    h_assert_eq "$(hdr Content-Length)" "$MEDIA_SIZE" "HEAD's Content-Length" || return 1
    h_assert_eq "$(get /v1/movies/1/media "${a[@]}" | cut -d' ' -f1)" 404 "a movie without a file" || return 1
    h_assert_eq "$(get /v1/movies/nope-nope/media "${a[@]}" | cut -d' ' -f1)" 404 "a movie not in the catalog" || return 1
    # an id that would name a file outside media_dir, or a hidden one, names none
    cp "$H_TMP/media/$MOVIE.webm" "$H_TMP/$MOVIE.webm"
    cp "$H_TMP/media/$MOVIE.webm" "$H_TMP/media/.hidden.webm"
    h_assert_eq "$(get "/v1/movies/..%2F$MOVIE/media" "${a[@]}" | cut -d' ' -f1)" 404 "the id ../$MOVIE" || return 1
    h_assert_eq "$(get "/v1/movies/.hidden/media" "${a[@]}" | cut -d' ' -f1)" 404 "the id .hidden" || return 1
}

# every file sent is closed once sent: no descriptor stays open
fds() { find "/proc/$H_RECUTD_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
fds_back_to() { [ "$(fds)" -le "$1" ]; }
case_no_fd_leak() {
    local before i a=(-H "Authorization: Bearer $T_READ")
    before=$(fds)
    for i in $(seq 40); do
        get /ui/console.js >/dev/null
        get /ui/viewers/u$i >/dev/null
        get /v1/movies/$MOVIE/media "${a[@]}" -H "Range: bytes=$i-$((i * 100))" >/dev/null
        get /v1/movies/$MOVIE/media "${a[@]}" -H "Range: bytes=$MEDIA_SIZE-" >/dev/null
        get /v1/movies/$MOVIE/media "${a[@]}" -I >/dev/null
    done
    get /ui/console.js >/dev/null
    get /ui/console.js -H "If-None-Match: $(hdr ETag)" >/dev/null
    h_wait_for 10 "recutd's descriptors back to $before (now $(fds))" fds_back_to "$before" ||
        { h_check_failed "recutd holds $(fds) descriptors, $before before 200 file requests"; return 1; }
}

case_timed() {
    local ui media
    H_TOKEN=$T_ALL
    ui=$(h_metric 'recut_http_request_duration_seconds_count{route="ui"}')
    media=$(h_metric 'recut_http_request_duration_seconds_count{route="media"}')
    H_TOKEN=
    h_assert_num "$ui" '>=' 80 "console requests timed as route ui" || return 1
    h_assert_num "$media" '>=' 120 "media requests timed as route media" || return 1
}

# ---- the browser ---------------------------------------------------------------
case_browser() {
    local out=$top_builddir/tests
    BASE=$BASE TOKEN=$T_CONSOLE VIEWER=$VIEWER MOVIE=$MOVIE EDITOR=highlights BUDGET=40%25 \
        TOP_TITLE=$TOP_TITLE TOP_REASONS=$TOP_REASONS CUT_SCENES=$CUT_SCENES \
        SHOT_DIR=$out MODE=${1:-} ARM=${ARM:-} DEBUG=${DEBUG:-} CHROMIUM=$CHROMIUM SCREENSHOT_OUT=${RECUT_SCREENSHOT_OUT:-} \
        node "$BROWSER_DIR/console.mjs" >"$H_TMP/browser.log" 2>&1
    local rc=$?
    sed 's/^/    /' "$H_TMP/browser.log"
    [ "$rc" = 0 ] || { h_check_failed "the browser checks failed"; return 1; }
}

h_case "console pages answer index.html without a token, with the CSP" case_pages
h_case "ETag and 304" case_etag
h_case "traversal, foreign hosts and writes are refused" case_refused
h_case "GET /v1/movies/{id}/media: ranges, HEAD, read scope" case_media
h_case "files sent leave no descriptor open" case_no_fd_leak
h_case "GET /metrics times them as routes ui and media" case_timed
h_case "chromium: viewer, movie (cut and video), experiments, deep links, weight" case_browser

# the same data served by a recutd without tokens_file
h_stop_recutd
sed -i '/^tokens_file = /d' "$CONF"
H_HTTP_PORT=$(h_free_port) || h_fail "no free port"
sed -i "s/^listen = .*/listen = 127.0.0.1:$H_HTTP_PORT/" "$CONF"
printf '\n[experiment.blend]\narms = a:50, b:50\nsalt = console\nwindow_s = 3600\n' >>"$CONF"
h_start_recutd "$CONF"
BASE=http://127.0.0.1:$H_HTTP_PORT
h_http GET "/v1/users/$VIEWER/recommendations"
ARM=$(h_json "$H_BODY" 'd["experiments"][0]["arm"]') || h_fail "no experiment arm for $VIEWER: $(cat "$H_BODY")"
h_log "$VIEWER is in arm $ARM of the experiment blend"
h_case "chromium without tokens: the video streams with byte ranges; an experiment" case_browser open
h_done
