#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Scorer plugins: the "affect" scorer is blended into recommendations and
# scene scores, explains itself, and has no opinion without consented
# emotion readings.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3

H_NO_KAFKA=1
h_start_redis
h_write_config "$H_TMP/recutd.conf"
# emotion readings are kept only with a key to seal them
h_key_file "$H_TMP/keys" k1
h_config_keys "$H_TMP/recutd.conf" "$H_TMP/keys"
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

h_case "the affect scorer re-ranks recommendations and explains itself" case_blend
h_case "viewers without consent get no affect opinion" case_no_consent
h_case "scene scores of scorer plugins shape the cut" case_scenes
h_done
