#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Viewer groups (daemon/groups.c): two planted groups of viewers -- one that
# likes comedies, one that likes horror films -- must land in two different
# clusters, each group in one; a new viewer with one comedy like joins the
# comedy group and gets its favourites as "popular with viewers like you";
# the models are stored in Redis as checksummed blobs, and damaged ones are
# ignored and refitted.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3

H_NO_KAFKA=1
h_start_redis
h_write_config "$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf" --set models.groups_interval_s=1 --set models.clusters=2 \
    --set models.factors=2

for m in 1 2 3 4 5 6; do h_put_movie "c$m" 1200 4 Comedy; done
for m in 1 2 3 4 5 6; do h_put_movie "h$m" 1200 4 Horror; done
h_put_movie d1 1200 4 Drama
h_put_movie d2 1200 4 Drama Comedy

# Each viewer likes three or four movies of their genre (which ones varies
# with the viewer), has seen one drama, and dislikes one film of the other
# genre.  Comedy fans all like c1 and c2, so those are the comedy group's
# favourites.
: >"$H_TMP/events"
for i in 0 1 2 3 4 5 6 7 8 9; do
    for g in c h; do
        o=$([ $g = c ] && echo h || echo c)
        u=$g-fan-$i
        a=$(( (i % 4) + 3 ))
        {
            h_event "$u" like "${g}1" "$u-1"
            h_event "$u" like "${g}2" "$u-2"
            h_event "$u" like "${g}$a" "$u-3"
            [ $((i % 2)) = 0 ] && h_event "$u" rating "${g}6" "$u-4" '"value":4.5'
            h_event "$u" view d1 "$u-5" '"value":0.5'
            h_event "$u" dislike "${o}$(( (i % 3) + 1 ))" "$u-6"
        } >>"$H_TMP/events"
    done
done
h_http POST /v1/events "$H_TMP/events"
case $H_STATUS in 2??) ;; *) h_fail "POST /v1/events answered $H_STATUS: $(head -c 300 "$H_BODY")" ;; esac

cluster_of() { # USER: the cluster id in the profile, or null
    h_http GET "/v1/users/$1/profile"
    [ "$H_STATUS" = 200 ] || { echo "status-$H_STATUS"; return; }
    h_json "$H_BODY" 'd["cluster"]["id"] if d["cluster"] is not None else None'
}
clustered_() { # USER
    local c
    c=$(cluster_of "$1")
    [ "$c" != null ] && [ "${c#status}" = "$c" ]
}
sizes_sum_() {
    local s=0 u
    for u in c-fan-0 h-fan-0; do
        h_http GET "/v1/users/$u/profile"
        s=$((s + $(h_json "$H_BODY" 'd["cluster"]["size"] if d["cluster"] else 0')))
    done
    [ "$s" = 20 ]
}

same_cluster_() { # USER USER
    local a
    a=$(cluster_of "$1")
    [ "$a" != null ] && [ "${a#status}" = "$a" ] && [ "$a" = "$(cluster_of "$2")" ]
}

case_two_groups() {
    h_wait_for "$H_TIMEOUT" "the profiles to show clusters over all 20 viewers" sizes_sum_ ||
        { h_check_failed "no clustering of the 20 viewers: $(cat "$H_BODY")"; return 1; }
    local cc hc u c
    cc=$(cluster_of c-fan-0)
    hc=$(cluster_of h-fan-0)
    h_assert_ne "$cc" "$hc" "cluster of the comedy fans vs the horror fans" || return 1
    for i in 0 1 2 3 4 5 6 7 8 9; do
        h_assert_eq "$(cluster_of "c-fan-$i")" "$cc" "cluster of c-fan-$i" || return 1
        h_assert_eq "$(cluster_of "h-fan-$i")" "$hc" "cluster of h-fan-$i" || return 1
    done
    h_http GET /v1/users/c-fan-3/profile
    h_assert_eq "$(h_json "$H_BODY" 'd["cluster"]["size"]')" 10 "size of the comedy cluster" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'd["cluster"]["top_genres"][0]')" comedy \
        "top genre of the comedy cluster" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'len(d["factors"])')" 2 "factor scores of c-fan-3" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'all(len(f["top_genres"]) >= 1 and isinstance(f["top_genres"][0]["genre"], str) for f in d["factors"])')" \
        true "factors name their genres" || return 1
    h_http GET /v1/users/h-fan-3/profile
    h_assert_eq "$(h_json "$H_BODY" 'd["cluster"]["top_genres"][0]')" horror \
        "top genre of the horror cluster" || return 1
    # the first factor separates the groups: opposite signs
    local fc fh
    h_http GET /v1/users/c-fan-3/profile
    fc=$(h_json "$H_BODY" 'd["factors"][0]["score"]')
    h_http GET /v1/users/h-fan-3/profile
    fh=$(h_json "$H_BODY" 'd["factors"][0]["score"]')
    h_assert_num "$(awk -v a="$fc" -v b="$fh" 'BEGIN { print a * b }')" "<" 0 \
        "first factor scores of a comedy fan ($fc) and a horror fan ($fh) have opposite signs"
}

case_new_viewer() {
    h_http_body POST /v1/events "$(h_event newbie like c3 newbie-1)"
    case $H_STATUS in 2??) ;; *) h_check_failed "POST answered $H_STATUS"; return 1 ;; esac
    # (the groups are refitted every second, and a refit may number the
    # clusters the other way round between two reads: read until a pair
    # of reads agrees)
    h_wait_for "$H_TIMEOUT" "newbie in the comedy fans' cluster" same_cluster_ newbie c-fan-0 ||
        { h_check_failed "cluster of a viewer with one comedy like: $(cluster_of newbie), comedy fans $(cluster_of c-fan-0)"; return 1; }
    h_http GET "/v1/users/newbie/recommendations?n=5"
    h_assert_eq "$H_STATUS" 200 "recommendations status" || return 1
    cp "$H_BODY" "$H_TMP/newbie.recs"
    h_assert_eq "$(h_json "$H_TMP/newbie.recs" 'any("popular with viewers like you" in i["reasons"] for i in d["items"])')" \
        true "a 'viewers like you' reason in $(head -c 600 "$H_TMP/newbie.recs")" || return 1
    h_assert_eq "$(h_json "$H_TMP/newbie.recs" 'd["items"][0]["movie"] in ("c1", "c2")')" true \
        "the comedy group's favourites come first" || return 1
    h_assert_eq "$(h_json "$H_TMP/newbie.recs" 'all(i["movie"][0] != "h" for i in d["items"] if "popular with viewers like you" in i["reasons"])')" \
        true "no horror film is recommended as liked by viewers like the newbie" || return 1
    # a viewer nobody knows gets the biggest group's favourites
    h_http GET "/v1/users/stranger/recommendations?n=5"
    h_assert_eq "$(h_json "$H_BODY" 'any("popular with viewers like you" in i["reasons"] for i in d["items"])')" \
        true "an unknown viewer gets a group's favourites" || return 1
    # a known viewer without genre preferences has no cluster
    h_http_body POST /v1/events "$(h_event neutral consent "" neutral-1 '"value":1')"
    h_http GET /v1/users/neutral/profile
    h_assert_eq "$H_STATUS" 200 "profile of a viewer with one consent event" || return 1
    h_assert_eq "$(h_json "$H_BODY" '[d["cluster"], d["factors"]]')" "[null, null]" \
        "cluster and factors of a viewer without preferences"
}

blob_bytes() { redis-cli -h 127.0.0.1 -p "$H_REDIS_PORT" STRLEN "$1"; }

case_stored() {
    local k f c
    k=$(blob_bytes 'recut:{models}:kmeans')
    f=$(blob_bytes 'recut:{models}:fa')
    c=$(blob_bytes 'recut:{models}:clusters')
    h_log "stored blobs: kmeans $k bytes, fa $f bytes, clusters $c bytes"
    h_assert_num "$k" ">" 16 "size of the kmeans blob" || return 1
    h_assert_num "$f" ">" 16 "size of the fa blob" || return 1
    h_assert_eq "$(h_redis GETRANGE 'recut:{models}:kmeans' 0 3)" RCMB "kmeans blob magic" || return 1
    h_assert_eq "$(h_redis GETRANGE 'recut:{models}:fa' 0 3)" RCMB "fa blob magic" || return 1
    # the 20 fans and the newbie (once a fit has seen the newbie); the
    # viewer with a consent event only has no genre preference and is left out
    doc21_() {
        h_redis GET 'recut:{models}:clusters' | cut -c10- >"$H_TMP/clusters.json"
        [ "$(h_json "$H_TMP/clusters.json" 'd["viewers"]')" = 21 ]
    }
    h_wait_for "$H_TIMEOUT" "a fit that includes the newbie" doc21_
    h_assert_eq "$(h_json "$H_TMP/clusters.json" '[d["viewers"], sorted(c["size"] for c in d["clusters"])]')" \
        "[21, [10, 11]]" "viewers and cluster sizes in the stored document" || return 1
    h_assert_eq "$(h_json "$H_TMP/clusters.json" 'd["genres"]')" '["comedy", "drama", "horror"]' \
        "genre vocabulary in the stored document"
}

case_restart_uses_stored() {
    # a restarted daemon that does not fit (interval 0) uses the stored models
    h_stop_recutd
    h_start_recutd "$H_TMP/recutd.conf" --set models.groups_interval_s=0
    has_cluster_() { clustered_ c-fan-1; }
    h_wait_for "$H_TIMEOUT" "the stored models to be loaded" has_cluster_ ||
        { h_check_failed "no cluster after a restart with fitting off"; return 1; }
    h_assert_true "no refit with groups_interval_s = 0" \
        grep -q 'stored models of 2 clusters' "$H_RECUTD_LOG"
}

refitted_() { [ "$(h_redis GETRANGE 'recut:{models}:kmeans' 0 3)" = RCMB ]; }

case_corrupt() {
    h_stop_recutd
    # garbage instead of the k-means blob
    h_redis SET 'recut:{models}:kmeans' 'this is not a model' >/dev/null
    h_start_recutd "$H_TMP/recutd.conf" --set models.groups_interval_s=2 --set models.clusters=2
    h_assert_true "healthy with a corrupt blob in Redis" h_health_ok || return 1
    h_wait_for "$H_TIMEOUT" "the damaged models to be refitted" refitted_ ||
        { h_check_failed "kmeans blob not rewritten"; return 1; }
    h_assert_true "the damaged blob was logged" grep -q 'stored models in recut:{models} ignored' "$H_RECUTD_LOG" || return 1
    h_wait_for "$H_TIMEOUT" "a cluster after the refit" clustered_ c-fan-0 ||
        { h_check_failed "no cluster after the refit"; return 1; }
    # truncated: keep the first 40 bytes of the fa blob
    h_redis EVAL "return redis.call('SET', KEYS[1], string.sub(redis.call('GET', KEYS[1]), 1, 40))" \
        1 'recut:{models}:fa' >/dev/null
    h_assert_eq "$(blob_bytes 'recut:{models}:fa')" 40 "length of the truncated fa blob" || return 1
    fa_refitted_() { [ "$(blob_bytes 'recut:{models}:fa')" -gt 40 ]; }
    h_wait_for "$H_TIMEOUT" "the truncated fa blob to be refitted" fa_refitted_ ||
        { h_check_failed "fa blob not rewritten"; return 1; }
    h_assert_true "the truncated blob was logged" grep -q 'ignored (refitting): fa: .*truncated' "$H_RECUTD_LOG" || return 1
    h_assert_true "healthy after a truncated blob" h_health_ok || return 1
    # a clusters document whose checksum does not match
    h_redis SET 'recut:{models}:clusters' '0badc0de {"version":1}' >/dev/null
    h_wait_for "$H_TIMEOUT" "the clusters document to be rewritten" \
        eval '[ "$(h_redis GET "recut:{models}:clusters" | cut -c1-8)" != 0badc0de ]' ||
        { h_check_failed "clusters document not rewritten"; return 1; }
    h_assert_eq "$(cluster_of c-fan-0)" "$(cluster_of c-fan-5)" "the comedy fans still share a cluster"
}

case_nonfinite_and_few() {
    # a viewer whose counts are NaN is left out of the fit, not fatal
    h_redis HSET 'recut:{u:broken}:nb' n:like nan 'f:like:genre:comedy' inf >/dev/null
    h_redis DEL 'recut:{models}:kmeans' >/dev/null
    h_wait_for "$H_TIMEOUT" "a refit with a NaN viewer present" refitted_ ||
        { h_check_failed "no refit with a NaN viewer"; return 1; }
    h_assert_true "the NaN viewer was logged" grep -q 'non-finite counts left out' "$H_RECUTD_LOG" || return 1
    h_redis GET 'recut:{models}:clusters' | cut -c10- >"$H_TMP/clusters.json"
    h_assert_eq "$(h_json "$H_TMP/clusters.json" 'd["viewers"]')" 21 "viewers in the fit (20 fans and the newbie)"
}

case_clamped_k() {
    # more clusters than viewers: fitted with k = number of viewers
    h_stop_recutd
    h_redis --scan --pattern 'recut:{u:*' | grep -v -e 'c-fan-0' -e 'h-fan-0' |
        while read -r k; do h_redis DEL "$k" >/dev/null; done
    h_redis DEL 'recut:{models}:kmeans' 'recut:{models}:fa' 'recut:{models}:clusters' >/dev/null
    h_start_recutd "$H_TMP/recutd.conf" --set models.groups_interval_s=1 --set models.clusters=5
    h_wait_for "$H_TIMEOUT" "a fit on two viewers" refitted_ ||
        { h_check_failed "no fit with k > viewers"; return 1; }
    h_assert_true "k clamped and logged" grep -q 'fewer than clusters = 5: fitting 2 clusters' "$H_RECUTD_LOG" || return 1
    h_assert_ne "$(cluster_of c-fan-0)" "$(cluster_of h-fan-0)" "two viewers, two clusters" || return 1
    h_stop_recutd
    h_assert_eq "$H_RC" 0 "exit status after SIGTERM with the job running"
}

h_case "two planted groups land in two clusters" case_two_groups
h_case "a new viewer joins their group and gets its favourites" case_new_viewer
h_case "the models are stored as checksummed blobs" case_stored
h_case "a restarted daemon uses the stored models" case_restart_uses_stored
h_case "corrupt or truncated models are ignored and refitted" case_corrupt
h_case "non-finite counts are filtered" case_nonfinite_and_few
h_case "more clusters than viewers" case_clamped_k
h_done
