#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Scorer plugins: the "affect" scorer is blended into recommendations and
# scene scores, explains itself, and has no opinion without consented
# emotion readings.  The pool scorers re-rank does not depend on n: a
# viewer's first k items are the same for every n >= k; models.scorer_pool
# is reloaded here (SIGHUP).
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3

H_NO_KAFKA=1
h_start_redis
h_write_config "$H_TMP/recutd.conf"
# emotion readings are kept only with a key to seal them
h_key_file "$H_TMP/keys" k1
h_config_keys "$H_TMP/recutd.conf" "$H_TMP/keys"
# no group favourites (cold start): the built-in ranking is popularity,
# ties broken by movie id
printf '[models]\ncold_start_events = 0\n' >>"$H_TMP/recutd.conf"
cp "$H_TMP/recutd.conf" "$H_TMP/start.conf"
h_start_recutd "$H_TMP/recutd.conf" --set plugins.load=highlights,affect

movie() { # ID AROUSAL VALENCE
    printf '{"title":"%s","duration":600,"genres":["Drama"],"scenes":[' "$1"
    printf '{"start":0,"end":300,"arousal":%s,"valence":%s,"labels":["x"]},' "$2" "$3"
    printf '{"start":300,"end":600,"arousal":%s,"valence":%s,"labels":["x"]}]}' "$2" "$3"
}
for m in "calm 0.1 0.6" "intense 0.9 -0.6" "seen 0.5 0.0"; do
    set -- $m
    h_http_body PUT "/v1/movies/$1" "$(movie "$@")"
    h_assert_eq "$H_STATUS" 200 "PUT $1" || h_fail "cannot store movie $1"
done

events() { # USER: consent (for u1 only), then calm emotion readings
    local u=$1 body=""
    [ "$u" = u1 ] && body=$(h_event u1 consent "" "" '"value":1')
    for i in 1 2 3; do
        body="$body
$(h_event "$u" emotion seen "" '"emotion":{"calm":0.9,"joy":0.1}')"
    done
    h_http_body POST /v1/events "$body"
}

case_blend() {
    events u1
    h_assert_eq "$H_STATUS" 200 "POST events of u1" || return 1
    h_http GET "/v1/users/u1/recommendations?n=5"
    h_assert_eq "$H_STATUS" 200 "recommendations of u1" || return 1
    h_assert_eq "$(h_json "$H_BODY" '[i["movie"] for i in d["items"] if i["movie"] != "seen"]')" '["calm", "intense"]' \
        "calm ranks above intense for a calm viewer" || return 1
    local by='{i["movie"]: i for i in d["items"]}'
    h_assert_eq "$(h_json "$H_BODY" "($by)['calm']['components']['plugins'] > 0 > ($by)['intense']['components']['plugins']")" true \
        "the affect score is positive for calm and negative for intense" || return 1
    h_assert_eq "$(h_json "$H_BODY" "any('suits you' in r for r in ($by)['calm']['reasons'])")" true \
        "the affect scorer explains itself" || return 1
}

case_no_consent() {
    events u2
    h_assert_eq "$H_STATUS" 200 "POST events of u2" || return 1
    h_assert_eq "$(h_metric recut_emotion_dropped_total)" 3 "readings without consent dropped" || return 1
    h_http GET "/v1/users/u2/recommendations?n=5"
    h_assert_eq "$(h_json "$H_BODY" 'all(i["components"]["plugins"] == 0 for i in d["items"])')" true \
        "no opinion without consented readings" || return 1
}

case_scenes() {
    # one calm and one intense scene: a calm viewer's 300 s cut keeps the calm one
    h_http_body PUT /v1/movies/mixed '{"duration":600,"scenes":[{"start":0,"end":300,"arousal":0.9,"valence":-0.6},{"start":300,"end":600,"arousal":0.1,"valence":0.6}]}'
    h_http GET "/v1/users/u1/cuts/mixed?budget=300&editor=highlights&min_fragment=1"
    h_assert_eq "$H_STATUS" 200 "cut for u1" || return 1
    h_assert_eq "$(h_json "$H_BODY" '[s["index"] for s in d["scenes"]]')" '[1]' "the calm scene is kept" || return 1
}

ids_() { # FILE: the answer's movie ids, comma-separated
    h_json "$1" '",".join(i["movie"] for i in d["items"])'
}

# the first k items of the answers for each n >= k agree
prefixes_agree_() { # USER
    local n k prev="" prev_n ids
    for n in 2 10 25 30 50; do
        h_http GET "/v1/users/$1/recommendations?n=$n"
        h_assert_eq "$H_STATUS" 200 "recommendations of $1 for n=$n" || return 1
        ids=$(ids_ "$H_BODY")
        if [ -n "$prev" ]; then
            k=$(printf '%s\n' "$prev" | awk -F, '{ print NF }')
            h_assert_eq "$(printf '%s' "$ids" | tr ',' '\n' | head -n "$k" | paste -sd,)" \
                "$(printf '%s' "$prev" | tr ',' '\n' | paste -sd,)" \
                "the first $k items for n=$n are those for n=$prev_n" || return 1
        fi
        prev=$ids prev_n=$n
    done
    printf '%s' "$prev" | tr ',' '\n' | head -n 2 | paste -sd,
}

case_pool() {
    # 60 intense movies (the affect scorer ranks them down) and zz-calm, as calm as
    # calm but last of the built-in ranking (its id sorts last): a pool
    # that grew with n (the top max(4n, 50)) let it in only from n=13 on
    local i
    for i in $(seq -w 0 59); do
        h_http_body PUT "/v1/movies/p$i" "$(movie "p$i" 0.9 -0.6)"
        h_assert_eq "$H_STATUS" 200 "PUT p$i" || return 1
    done
    h_http_body PUT /v1/movies/zz-calm "$(movie zz-calm 0.1 0.6)"
    h_assert_eq "$H_STATUS" 200 "PUT zz-calm" || return 1
    events u1
    local top
    top=$(prefixes_agree_ u1) || { printf '%s\n' "$top"; return 1; }
    h_assert_eq "$top" calm,zz-calm "the boosted movies lead for every n" || return 1
    # a pool of 5 on SIGHUP: zz-calm is no longer a candidate
    { cat "$H_TMP/start.conf"; printf 'scorer_pool = 5\n'; } >"$H_TMP/recutd.conf.new"
    mv "$H_TMP/recutd.conf.new" "$H_TMP/recutd.conf"
    kill -HUP "$H_RECUTD_PID"
    h_wait_metric recut_reloads_total 1 || { h_check_failed "reload not counted"; return 1; }
    h_http GET "/v1/users/u1/recommendations?n=3"
    h_assert_eq "$H_STATUS" 200 "recommendations of u1 after the reload" || return 1
    h_assert_eq "$(h_json "$H_BODY" '"zz-calm" in [i["movie"] for i in d["items"]]')" false \
        "zz-calm outside a pool of 5" || return 1
    # asked for more than the pool, the pool grows to n
    h_http GET "/v1/users/u1/recommendations?n=100"
    h_assert_eq "$(h_json "$H_BODY" '[i["movie"] for i in d["items"]][:2]')" '["calm", "zz-calm"]' \
        "n=100 ranks a pool of 100" || return 1
}

h_case "the affect scorer re-ranks recommendations and explains itself" case_blend
h_case "viewers without consent get no affect opinion" case_no_consent
h_case "scene scores of scorer plugins shape the cut" case_scenes
h_case "scorers re-rank a pool that does not depend on n (models.scorer_pool)" case_pool
h_done
