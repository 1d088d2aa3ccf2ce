#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Publishing cuts: GET /v1/users/{id}/cuts/{movie} only computes and answers
# (the publishers' outputs stay untouched); POST .../cuts/{movie}/publish
# hands the same cut to every publisher and answers what it published.  The
# redis publisher may write to a Redis Cluster ([plugin.redis] address a
# list of seeds) while recutd keeps its own standalone Redis.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli kcat curl python3
h_require_mockkafka

h_start_redis
h_start_kafka recut.events recut.catalog recut.published recut.deadletter
h_write_config "$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf"
h_put_movie m1 1800 10 Drama
h_put_movie m2 1200 8 Comedy
h_put_movie m3 900 6 Action

cut_key() { echo "recut:{u:u1}:cut:$1"; }
key_exists_() { [ "$(h_redis EXISTS "$1")" = 1 ]; }
cut_query="budget=600&editor=highlights"

case_setup() {
    printf '%s\n%s\n' "$(h_event u1 rating m1 cp-1 '"value":5')" \
        "$(h_event u1 like m2 cp-2)" >"$H_TMP/ev.json"
    h_http POST /v1/events "$H_TMP/ev.json"
    h_assert_eq "$H_STATUS" 200 "POST /v1/events" || return 1
    h_wait_metric recut_events_applied_total 2 || { h_check_failed "events not applied"; return 1; }
}

case_get_publishes_nothing() {
    h_http GET "/v1/users/u1/cuts/m1?$cut_query"
    h_assert_eq "$H_STATUS" 200 "GET of the cut of m1" || return 1
    cp "$H_BODY" "$H_TMP/get-m1.json"
    h_http GET "/v1/users/u1/cuts/m1?$cut_query&format=edl"
    h_assert_eq "$H_STATUS" 200 "GET of the cut of m1 as EDL" || return 1
    # a barrier: the redis publisher writes in order on one thread, so once
    # the explicitly published cut of m3 is there, a cut of m1 handed over
    # by the GETs before it would be there too
    h_http POST "/v1/users/u1/cuts/m3/publish?$cut_query"
    h_assert_eq "$H_STATUS" 200 "POST publish of m3" || return 1
    h_wait_for "$H_TIMEOUT" "$(cut_key m3) in Redis" key_exists_ "$(cut_key m3)" ||
        { h_check_failed "the published cut of m3 never reached Redis"; return 1; }
    h_assert_eq "$(h_redis EXISTS "$(cut_key m1)")" 0 "$(cut_key m1) after two GETs" || return 1
    h_consume recut.published "$H_TMP/pub.txt" '%s\n' || { h_check_failed "kcat -C"; return 1; }
    h_assert_eq "$(grep -c '"movie":"m1"' "$H_TMP/pub.txt")" 0 \
        "cuts of m1 on recut.published after two GETs"
}

case_post_publishes() {
    h_http POST "/v1/users/u1/cuts/m1/publish?$cut_query"
    h_assert_eq "$H_STATUS" 200 "POST publish of m1" || return 1
    cp "$H_BODY" "$H_TMP/post-m1.json"
    h_assert_eq "$(h_json "$H_TMP/post-m1.json" 'd["published"]')" 2 "publishers that took it" || return 1
    h_assert_eq "$(h_json "$H_TMP/post-m1.json" 'd["failed"]')" 0 "publishers that failed" || return 1
    h_assert_eq "$(h_json "$H_TMP/post-m1.json" '[d["kind"], d["user"], d["key"]]')" \
        '["cut", "u1", "m1"]' "kind, user, key" || return 1
    # what was published is what the GET answers
    h_assert_eq "$(h_json "$H_TMP/post-m1.json" 'd["document"]')" \
        "$(h_json "$H_TMP/get-m1.json" 'd')" "the published document" || return 1
    h_wait_for "$H_TIMEOUT" "$(cut_key m1) in Redis" key_exists_ "$(cut_key m1)" ||
        { h_check_failed "the published cut of m1 never reached Redis"; return 1; }
    h_redis GET "$(cut_key m1)" >"$H_TMP/redis-m1.json"
    h_assert_eq "$(h_json "$H_TMP/redis-m1.json" 'd')" "$(h_json "$H_TMP/get-m1.json" 'd')" \
        "the cut stored by the redis publisher"
}

case_publish_refusals() {
    h_http GET "/v1/users/u1/cuts/m1/publish?$cut_query"
    h_assert_eq "$H_STATUS" 405 "GET of .../publish" || return 1
    h_http POST "/v1/users/u1/cuts/m1?$cut_query"
    h_assert_eq "$H_STATUS" 405 "POST to the cut itself" || return 1
    h_http POST "/v1/users/u1/cuts/m1/publish?$cut_query&format=edl"
    h_assert_eq "$H_STATUS" 400 "publishing an EDL" || return 1
    h_http POST "/v1/users/u1/cuts/nosuch/publish?$cut_query"
    h_assert_eq "$H_STATUS" 404 "publishing the cut of an unknown movie"
}

case_publish_to_cluster() {
    local sp=$H_REDIS_PORT sa=$H_REDIS_ADDR ss=$H_REDIS_SOCK owner p seeds="" key
    h_start_redis_cluster
    H_REDIS_PORT=$sp H_REDIS_ADDR=$sa H_REDIS_SOCK=$ss
    key=$(cut_key m2)
    # the seed list starts with nodes that do not serve u1's slot
    owner=$(redis-cli -c -h 127.0.0.1 -p "${H_CLUSTER_PORTS%% *}" --raw set "$key.probe" x >/dev/null &&
        for p in $H_CLUSTER_PORTS; do
            [ "$(redis-cli -h 127.0.0.1 -p "$p" --raw exists "$key.probe")" = 1 ] && echo "$p"
        done | head -1)
    h_assert_ne "$owner" "" "the master of u1's slot" || return 1
    for p in $H_CLUSTER_PORTS; do [ "$p" = "$owner" ] || seeds="${seeds}127.0.0.1:$p,"; done
    seeds="${seeds}127.0.0.1:$owner"
    h_log "u1's slot on $owner; [plugin.redis] address = $seeds"
    # the publisher writes only for a viewer that exists there
    redis-cli -c -h 127.0.0.1 -p "$owner" hset 'recut:{u:u1}:meta' events 2 >/dev/null
    h_stop_recutd
    printf '\n[plugin.redis]\naddress = %s\n' "$seeds" >>"$H_TMP/recutd.conf"
    h_start_recutd "$H_TMP/recutd.conf"
    h_http POST "/v1/users/u1/cuts/m2/publish?$cut_query"
    h_assert_eq "$H_STATUS" 200 "POST publish of m2" || return 1
    cp "$H_BODY" "$H_TMP/post-m2.json"
    on_cluster_() { [ "$(redis-cli -h 127.0.0.1 -p "$owner" --raw exists "$key")" = 1 ]; }
    h_wait_for "$H_TIMEOUT" "$key on the cluster" on_cluster_ ||
        { h_check_failed "the cut never reached the cluster: $(grep -i redis "$H_RECUTD_LOG" | tail -3)"; return 1; }
    redis-cli -h 127.0.0.1 -p "$owner" --raw get "$key" >"$H_TMP/cluster-m2.json"
    h_assert_eq "$(h_json "$H_TMP/cluster-m2.json" 'd')" "$(h_json "$H_TMP/post-m2.json" 'd["document"]')" \
        "the cut stored on the master of u1's slot" || return 1
    h_assert_eq "$(redis-cli -h 127.0.0.1 -p "$owner" --raw sismember 'recut:{u:u1}:keys' "$key")" 1 \
        "the key in u1's index" || return 1
    h_assert_eq "$(h_redis EXISTS "$key")" 0 "nothing written to recutd's own Redis" || return 1
}

h_case "events of u1 are applied" case_setup
h_case "GET of a cut publishes nothing" case_get_publishes_nothing
h_case "POST .../publish publishes the cut and says what it published" case_post_publishes
h_case "publishing is POST-only, JSON-only, for catalog movies" case_publish_refusals
h_case "the redis publisher writes to a Redis Cluster given seeds" case_publish_to_cluster
h_done
