#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Smoke test of the whole pipeline: catalog over HTTP, events over Kafka for
# three viewers, models in Redis, recommendations and cuts over HTTP, and
# recommendations published to Kafka and Redis.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli kcat curl python3
h_require_mockkafka

h_start_redis
h_start_kafka recut.events:4 recut.catalog recut.published:2 recut.deadletter
h_write_config "$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf"

# Catalog: six movies of 3600 s, 20 scenes of 180 s each.
h_put_movie m1 3600 20 Action
h_put_movie m2 3600 20 Action Thriller
h_put_movie m3 3600 20 Drama
h_put_movie m4 3600 20 Drama Romance
h_put_movie m5 3600 20 Comedy
h_put_movie m6 3600 20 Action Adventure

# Events (key = viewer).  SEEN_<user> lists what each viewer rated or watched.
{
    for e in \
        "u1 rating m1 u1-1 \"value\":5" \
        "u1 rating m2 u1-2 \"value\":4.5" \
        "u1 view m3 u1-3 \"value\":0.9" \
        "u1 like m1 u1-4 \"scene\":2" \
        "u1 skip m5 u1-5 \"t\":400.0" \
        "u2 rating m3 u2-1 \"value\":5" \
        "u2 rating m4 u2-2 \"value\":4" \
        "u2 view m1 u2-3 \"value\":0.3" \
        "u3 share m5 u3-1" \
        "u3 like m6 u3-2" \
        "u3 rating m2 u3-3 \"value\":2" \
        "u3 comment m5 u3-4 \"text\":\"great fun, loved it\""; do
        # shellcheck disable=SC2086
        set -- $e
        user=$1 type=$2 movie=$3 id=$4
        shift 4
        printf '%s\t%s' "$user" "$(h_event "$user" "$type" "$movie" "$id" "$*")"
        printf '\n'
    done
} >"$H_TMP/events.tsv"
N_EVENTS=$(wc -l <"$H_TMP/events.tsv" | tr -d ' ')
SEEN_u1="m1 m2 m3"
SEEN_u2="m3 m4 m1"
SEEN_u3="m2"

case_catalog() {
    h_http GET /v1/movies/m2
    h_assert_eq "$H_STATUS" 200 "GET /v1/movies/m2" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'd["id"]')" m2 "movie id" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'len(d["scenes"])')" 20 "scenes kept" || return 1
    h_redis EXISTS recut:{catalog}:movie:m2 >"$H_TMP/x" && h_assert_eq "$(cat "$H_TMP/x")" 1 "recut:{catalog}:movie:m2 in Redis" || return 1
    h_assert_eq "$(h_redis SISMEMBER recut:{catalog}:movies m6)" 1 "m6 in recut:{catalog}:movies"
}

case_apply() {
    h_produce recut.events <"$H_TMP/events.tsv"
    h_wait_metric recut_events_applied_total "$N_EVENTS" || { h_check_failed "events not applied"; return 1; }
    h_assert_eq "$(h_metric recut_events_applied_total)" "$N_EVENTS" "recut_events_applied_total" || return 1
    h_assert_eq "$(h_metric recut_events_dead_letter_total)" 0 "no dead letters" || return 1
    local u want
    for u in u1 u2 u3; do
        want=$(awk -F'\t' -v u="$u" '$1 == u' "$H_TMP/events.tsv" | wc -l | tr -d ' ')
        h_assert_eq "$(h_viewer "$u" meta events)" "$want" "meta.events of $u" || return 1
    done
    [ -n "$(h_viewer 'u1' nb)" ] || h_check_failed "recut:{u:u1}:nb missing"
}

# Recommendations: a JSON document for the viewer, at most n items, never a
# movie the viewer rated or watched.
check_recs() { # USER
    local u=$1 seen
    eval "seen=\$SEEN_$u"
    h_http GET "/v1/users/$u/recommendations?n=10"
    h_assert_eq "$H_STATUS" 200 "recommendations of $u" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'd["user"]')" "$u" "user field" || return 1
    h_log "$u (seen: $seen) gets: $(h_json "$H_BODY" '" ".join("%s:%.3f" % (i["movie"], i["score"]) for i in d["items"])')"
    "$SYS_PYTHON3" - "$H_BODY" "$seen" <<'EOF' || h_check_failed "recommendations of $u: see above"
import json, sys
d = json.load(open(sys.argv[1]))
seen = set(sys.argv[2].split())
items = d["items"]
assert isinstance(items, list), "items is not a list"
assert 1 <= len(items) <= 10, "expected 1..10 items, got %d" % len(items)
movies = [it["movie"] for it in items]
bad = seen.intersection(movies)
assert not bad, "already seen movies recommended: %s" % sorted(bad)
assert len(set(movies)) == len(movies), "duplicate items: %s" % movies
for it in items:
    assert isinstance(it["score"], (int, float)), "score not a number: %r" % it
    assert isinstance(it.get("reasons", []), list), "reasons not a list: %r" % it
scores = [it["score"] for it in items]
assert scores == sorted(scores, reverse=True), "items not sorted by score: %s" % scores
EOF
}

case_recs() {
    check_recs u1 && check_recs u2 && check_recs u3 || return 1
    h_http GET "/v1/users/u1/recommendations?n=1"
    h_assert_eq "$H_STATUS" 200 "recommendations n=1" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'len(d["items"])')" 1 "n=1 gives one item"
}

case_cut() {
    h_http GET "/v1/users/u1/cuts/m6?budget=600&editor=highlights"
    h_assert_eq "$H_STATUS" 200 "GET cut" || { cat "$H_BODY"; return 1; }
    h_log "cut: scenes $(h_json "$H_BODY" '[s["index"] for s in d["scenes"]]'), duration $(h_json "$H_BODY" 'd["duration"]')"
    "$SYS_PYTHON3" - "$H_BODY" <<'EOF' || h_check_failed "cut: see above"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["viewer"] == "u1" and d["movie"] == "m6", "viewer/movie: %r" % d
assert d["editor"] == "highlights", "editor: %r" % d["editor"]
assert abs(d["budget"] - 600) < 1e-9, "budget: %r" % d["budget"]
scenes = d["scenes"]
assert scenes, "empty cut"
total = 0.0
prev = -1
for s in scenes:
    i = s["index"]
    assert isinstance(i, int) and 0 <= i < 20, "bad index %r" % s
    assert i > prev, "scenes not in story order: %r" % scenes
    prev = i
    # the catalog cut m6 into 20 scenes of 180 s
    assert abs(s["start"] - 180 * i) < 1e-3 and abs(s["end"] - 180 * (i + 1)) < 1e-3, \
        "scene %d span %r does not match the catalog" % (i, s)
    total += s["end"] - s["start"]
assert total <= 600 + 1e-6, "cut lasts %.3f s, over the 600 s budget" % total
assert abs(d["duration"] - total) < 1e-3, "duration %r != sum of scenes %r" % (d["duration"], total)
EOF
}

published_users() { # prints the users that have recommendations on the topic
    h_consume recut.published "$H_TMP/published.txt" '%s\n' || return 1
    "$SYS_PYTHON3" - "$H_TMP/published.txt" <<'EOF'
import json, sys
users = set()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    try:
        d = json.loads(line)
    except ValueError:
        continue
    if isinstance(d, dict) and isinstance(d.get("items"), list) and "user" in d:
        users.add(d["user"])
print(" ".join(sorted(users)))
EOF
}

all_published_() { [ "$(published_users)" = "u1 u2 u3" ]; }
recs_in_redis_() { [ "$(h_redis EXISTS 'recut:{u:u3}:recs')" = 1 ]; }

case_publish() {
    h_wait_for "$H_TIMEOUT" "recommendations of u1 u2 u3 on recut.published" all_published_ ||
        { h_check_failed "published users: '$(published_users)'"; return 1; }
    h_wait_for "$H_TIMEOUT" "recut:{u:u3}:recs in Redis" recs_in_redis_ || { h_check_failed "no recs key"; return 1; }
    h_redis GET 'recut:{u:u3}:recs' >"$H_TMP/recs.json"
    h_assert_eq "$(h_json "$H_TMP/recs.json" 'isinstance(d["items"], list) and d["user"]')" u3 \
        "recs key holds u3's recommendations JSON"
}

# Events may name a movie the catalog does not know (yet): catalog entries
# and events come on different topics.  They must not take the daemon down,
# with or without a scene.
case_unknown_movie() {
    local before
    before=$(h_metric recut_events_applied_total)
    {
        printf 'u1\t%s\n' "$(h_event u1 like m-not-yet u1-x1 '"scene":3')"
        printf 'u1\t%s\n' "$(h_event u1 skip m-not-yet u1-x2 '"t":100.0')"
        printf 'u1\t%s\n' "$(h_event u1 rating m-not-yet u1-x3 '"value":4')"
        printf 'u2\t%s\n' "$(h_event u2 like m6 u2-x4)"
    } | h_produce recut.events
    # the last event is an ordinary one: wait until it is applied
    h_wait_metric recut_events_applied_total $((before + 1)) ||
        { h_check_failed "events after unknown-movie events not applied"; return 1; }
    u2_done_() { [ "$(h_viewer 'u2' meta events)" = 4 ]; }
    h_wait_for "$H_TIMEOUT" "u2's event" u2_done_ || { h_check_failed "u2's 4th event not applied"; return 1; }
    kill -0 "$H_RECUTD_PID" 2>/dev/null || { h_check_failed "recutd died"; return 1; }
    h_health_ok || h_check_failed "not healthy after events about an unknown movie"
}

# Popularity lives in recut:{pop:K} (one slot each on a Redis Cluster), a
# movie in one shard; a viewer nobody knows is recommended the popular ones.
case_pop_shards() {
    h_assert_eq "$(h_redis EXISTS recut:pop)" 0 "no unsharded recut:pop written" || return 1
    local shards k m n total
    shards=$(h_redis_scan 'recut:{pop:*}')
    [ -n "$shards" ] || { h_check_failed "no recut:{pop:*} key"; return 1; }
    for m in m1 m3; do
        n=0 total=0
        for k in $shards; do
            s=$(h_redis ZSCORE "$k" "$m")
            [ -n "$s" ] && n=$((n + 1)) total=$s
        done
        h_assert_eq "$n" 1 "shards holding $m" || return 1
        h_assert_eq "$total" 2 "popularity of $m (two viewers liked it)" || return 1
    done
    h_http GET "/v1/users/nobody-yet/recommendations?n=3"
    h_assert_eq "$H_STATUS" 200 "recommendations for an unknown viewer" || return 1
    h_assert_eq "$(h_json "$H_BODY" '[(i["movie"], i["components"]["popularity"]) for i in d["items"]][:2]')" \
        '[["m1", 1.0], ["m3", 1.0]]' "an unknown viewer gets the most popular movies first"
}

case_health_after() {
    h_http GET /v1/health
    h_assert_eq "$H_STATUS" 200 "health at the end" || return 1
    h_json "$H_BODY" 'd' >/dev/null || h_check_failed "health body is not JSON"
}

h_case "catalog entries PUT over HTTP are served and stored" case_catalog
h_case "Kafka events are applied, meta.events per viewer" case_apply
h_case "recommendations exclude rated/watched movies" case_recs
h_case "a cut respects the budget and the catalog scenes" case_cut
h_case "recommendations are published to Kafka and Redis" case_publish
h_case "events about a movie missing from the catalog do no harm" case_unknown_movie
h_case "popularity is sharded over hash tags and read back merged" case_pop_shards
h_case "daemon healthy at the end" case_health_after
h_done
