#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# HTTP API bad input: clear 4xx answers with a JSON {"error": "..."} body, and
# the daemon goes on serving.  Runs without Kafka (empty brokers).
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3

H_RESTART_ON_CRASH=1
h_start_redis
H_NO_KAFKA=1
h_write_config "$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf" --set plugins.load=highlights,redis
h_put_movie m1 1200 6 Drama
h_http_body POST /v1/events "$(h_event u1 rating m1 ok-1 '"value":4')"
case $H_STATUS in 2??) ;; *) h_fail "a valid event was refused: $H_STATUS $(cat "$H_BODY")" ;; esac

# expect_error STATUS_PATTERN WHAT: the last answer has that status and a
# JSON object body with a non-empty string "error".
expect_error() {
    # shellcheck disable=SC2254
    case $H_STATUS in
    $1) ;;
    *) h_check_failed "$2: status $H_STATUS, expected $1 (body: $(head -c 200 "$H_BODY"))"; return 1 ;;
    esac
    [ "$(h_json "$H_BODY" 'isinstance(d["error"], str) and len(d["error"]) > 0')" = true ] ||
        h_check_failed "$2: body is not {\"error\": \"...\"}: $(head -c 200 "$H_BODY")"
}

case_bad_json() {
    h_http_body POST /v1/events '{"user":"u1","type":"view",'
    expect_error 400 "truncated JSON event" || return 1
    h_http_body POST /v1/events 'hello'
    expect_error 400 "non-JSON body" || return 1
    h_http_body POST /v1/events ''
    expect_error 4?? "empty body" || return 1
    h_http_body PUT /v1/movies/m9 '{"id":"m9","duration":'
    expect_error 400 "truncated catalog entry"
}

case_bad_event() {
    h_http_body POST /v1/events '{"user":"u1","ts":1700000000000,"movie":"m1"}'
    expect_error 4?? "event without type" || return 1
    h_http_body POST /v1/events '{"user":"u1","type":"teleport","ts":1700000000000}'
    expect_error 4?? "event of unknown type" || return 1
    h_http_body PUT /v1/movies/m9 '{"id":"m9","duration":100,"scenes":[{"start":0,"end":60},{"start":30,"end":90}]}'
    expect_error 4?? "catalog entry with overlapping scenes" || return 1
    h_http_body PUT /v1/movies/m9 '{"id":"m9","scenes":[]}'
    expect_error 4?? "catalog entry without duration" || return 1
    # nothing of the refused entries was stored
    h_http GET /v1/movies/m9
    h_assert_eq "$H_STATUS" 404 "refused movie m9 must not exist"
}

case_unknown() {
    h_http GET /v1/nope
    expect_error 404 "unknown route /v1/nope" || return 1
    h_http GET /nope
    h_assert_eq "$H_STATUS" 404 "unknown route /nope" || return 1
    h_http GET /v1/movies/no-such-movie
    expect_error 404 "unknown movie" || return 1
    h_http GET "/v1/users/u1/cuts/no-such-movie?budget=60"
    expect_error 404 "cut of an unknown movie" || return 1
    # an unknown viewer has no profile: 404, or an empty one
    h_http GET /v1/users/nobody-here/profile
    case $H_STATUS in
    404) expect_error 404 "profile of an unknown viewer" ;;
    200) h_json "$H_BODY" 'd' >/dev/null || h_check_failed "profile of an unknown viewer is not JSON" ;;
    *) h_check_failed "profile of an unknown viewer: status $H_STATUS" ;;
    esac
}

case_bad_params() {
    h_http GET "/v1/users/u1/cuts/m1?budget=abc"
    expect_error 400 "budget=abc" || return 1
    h_http GET "/v1/users/u1/cuts/m1?budget=-5"
    expect_error 400 "budget=-5" || return 1
    h_http GET "/v1/users/u1/cuts/m1?budget=60&editor=no-such-editor"
    expect_error 4?? "unknown editor" || return 1
    h_http GET "/v1/users/u1/recommendations?n=abc"
    expect_error 400 "n=abc" || return 1
    h_http DELETE /v1/health
    expect_error 4?? "DELETE /v1/health"
}

case_nul_ids() {
    # an id is taken on its decoded length: %00 (or a control byte, or bad
    # UTF-8, or a long id) is refused, never cut to the id before it
    h_http DELETE /v1/users/u1%00junk
    expect_error 400 "DELETE /v1/users/u1%00junk" || return 1
    h_assert_eq "$(h_json "$H_BODY" '"NUL" in d["error"]')" true "the error names the NUL" || return 1
    h_assert_eq "$(h_viewer 'u1' meta events)" 1 "viewer u1 must not be erased" || return 1
    h_http GET /v1/users/u1%00x/profile
    expect_error 400 "GET /v1/users/u1%00x/profile" || return 1
    h_http GET /v1/movies/m1%00x
    expect_error 400 "GET /v1/movies/m1%00x" || return 1
    h_http GET "/v1/users/u1/cuts/m1%0Ax?budget=60"
    expect_error 400 "a newline in a movie id" || return 1
    h_http GET /v1/users/u1%ff/profile
    expect_error 400 "invalid UTF-8 in a viewer id" || return 1
    h_http GET "/v1/users/$(head -c 129 /dev/zero | tr '\0' x)/profile"
    expect_error 400 "a 129-byte viewer id" || return 1
    h_http GET "/v1/users/u1/recommendations?exclude=m1%00x"
    expect_error 400 "exclude=m1%00x" || return 1
    h_http GET "/v1/users/u1/cuts/m1?budget=60&source=a%0Ab"
    expect_error 400 "a newline in source=" || return 1
    h_http GET "/v1/users/u1/profile"
    h_assert_eq "$H_STATUS" 200 "the clean id still answers"
}

case_huge_body() {
    # 9 MiB, over the default [http] max_body_bytes of 8 MiB.  curl sends
    # "Expect: 100-continue", so the server can refuse before the body.
    head -c $((9 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$H_TMP/huge.json"
    H_STATUS=$(curl -sS -m 60 -X POST -o "$H_BODY" -w '%{http_code}' \
        -H 'Content-Type: application/json' -H 'Expect: 100-continue' \
        --data-binary "@$H_TMP/huge.json" "http://127.0.0.1:$H_HTTP_PORT/v1/events" 2>"$H_TMP/curl.err")
    h_assert_eq "$H_STATUS" 413 "9 MiB body (curl: $(cat "$H_TMP/curl.err"))"
}

case_still_fine() {
    h_http GET /v1/health
    h_assert_eq "$H_STATUS" 200 "health after bad requests" || return 1
    h_http GET /v1/users/u1/profile
    h_assert_eq "$H_STATUS" 200 "profile of u1" || return 1
    h_assert_eq "$(h_viewer 'u1' meta events)" 1 "only the valid event was applied"
}

h_case "malformed JSON bodies get 400 with a JSON error" case_bad_json
h_case "invalid events and catalog entries get 4xx and are not stored" case_bad_event
h_case "unknown routes, movies and viewers" case_unknown
h_case "bad query parameters get 400" case_bad_params
h_case "ids with %00, control bytes, bad UTF-8 or over 128 bytes get 400" case_nul_ids
h_case "a body over max_body_bytes gets 413" case_huge_body
h_case "the daemon is fine afterwards" case_still_fine
h_done
