#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# docs/openapi.yaml against a live recutd: without tokens, real requests
# cover every operation of the spec and some errors (400, 404, 405, 415,
# 403 for a foreign Origin, 421 for a foreign Host); with [http] tokens_file,
# 401 and 403 and each scope.  Every answer's path, method, status,
# Content-Type and JSON body are checked against the spec
# (tests/helpers/openapi_check.py), and every path the daemon routes must be
# in the spec; a JSON body the daemon took must conform to the request
# schema.  Copies of the spec broken on purpose must fail those checks, so
# the checks can fail at all.  The client examples (docs/examples) run
# against the same daemon and their output is checked.  HTTP only, no Kafka.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3 sha256sum
"$SYS_PYTHON3" -c 'import yaml, jsonschema' 2>/dev/null ||
    h_skip "$SYS_PYTHON3 lacks yaml or jsonschema (python3-yaml, python3-jsonschema)"

SPEC=$top_srcdir/docs/openapi.yaml
CHECK=("$SYS_PYTHON3" "$srcdir/helpers/openapi_check.py")
HTTPPATH_H=$top_srcdir/lib/core/httppath.h

h_start_redis
H_NO_KAFKA=1
CONF=$H_TMP/recutd.conf
h_write_config "$CONF"
printf '[plugins]\nload = highlights,redis\n[publish]\ndelay_ms = 0\n' >>"$CONF"
# an experiment, so answers carry arms and GET /v1/experiments has a body
printf '[experiment.demo]\narms = a:50, b:50\nb.models.blend_popularity = 0.1\n' >>"$CONF"
cp "$CONF" "$H_TMP/base.conf"
h_start_recutd "$CONF"
BASE=http://127.0.0.1:$H_HTTP_PORT

# run_check WHAT ARGS...: the checker's lines go to the log; status kept
run_check() {
    local what=$1
    shift
    "${CHECK[@]}" "$@" >"$H_TMP/check.out" 2>&1
    local rc=$?
    sed 's/^/    /' "$H_TMP/check.out"
    return $rc
}

case_routes() {
    run_check routes routes "$SPEC" "$HTTPPATH_H" || h_check_failed "routed paths and spec paths differ"
}

case_open() {
    run_check open open "$SPEC" "$BASE" || h_check_failed "answers without tokens do not match the spec"
}

# break SED_EXPR FILE: a copy of the spec with one edit (which must apply)
break_spec() {
    sed "$1" "$SPEC" >"$2"
    ! cmp -s "$SPEC" "$2" || h_fail "the edit '$1' changed nothing in the spec"
}

case_broken_spec_fails() {
    break_spec 's/index: {type: integer, minimum: 0}/index: {type: string}/' "$H_TMP/bad-type.yaml"
    if run_check open open "$H_TMP/bad-type.yaml" "$BASE"; then
        h_check_failed "a spec with the wrong type for a cut's scene index passed"
        return 1
    fi
    grep -q "not ok: GET /v1/users/v/cuts/m1?budget=120: body does not conform" "$H_TMP/check.out" ||
        { h_check_failed "the wrong type was not the reported failure"; return 1; }
    break_spec '/^  \/v1\/plugins:$/s/plugins/pluginz/' "$H_TMP/bad-path.yaml"
    if run_check routes routes "$H_TMP/bad-path.yaml" "$HTTPPATH_H"; then
        h_check_failed "a spec without /v1/plugins passed the route check"
        return 1
    fi
    grep -q "the daemon routes /v1/plugins but the spec has no such path" "$H_TMP/check.out" ||
        { h_check_failed "the missing path was not reported"; return 1; }
    break_spec '/^  \/v1\/users\/{id}\/profile:/,/^  \/v1\/users\/{id}\/cuts/s/"404": /"410": /' "$H_TMP/bad-status.yaml"
    if run_check open open "$H_TMP/bad-status.yaml" "$BASE"; then
        h_check_failed "a spec without 404 for the profile passed"
        return 1
    fi
    grep -q "status 404 is not documented for GET /v1/users/{id}/profile" "$H_TMP/check.out" ||
        { h_check_failed "the undocumented status was not reported"; return 1; }
    break_spec 's/duration: {type: number, minimum: 0.001, maximum: 10000000,/duration: {type: number, maximum: 100,/' "$H_TMP/bad-request.yaml"
    if run_check open open "$H_TMP/bad-request.yaml" "$BASE"; then
        h_check_failed "a spec refusing the catalog entries the daemon takes passed"
        return 1
    fi
    grep -q "not ok: PUT /v1/movies/m1: a body the daemon took breaks the spec: duration" "$H_TMP/check.out" ||
        h_check_failed "the request body outside the spec was not reported"
}

# run_client NAME CMD...: a client example against the live daemon; its
# output must show the catalog entries stored, the three events accepted,
# recommendations naming demo-2 (another viewer rated it, demo-viewer has
# not), and the very cut the daemon answers right after.
run_client() {
    local name=$1 out=$H_TMP/$1.out
    shift
    "$@" "$BASE" >"$out" 2>"$out.err" || { h_check_failed "$name exited $?: $(cat "$out.err")"; return 1; }
    sed 's/^/    /' "$out"
    grep -qx 'stored movie demo-1: 12 scenes, 1200 s' "$out" || { h_check_failed "$name: demo-1 not stored"; return 1; }
    grep -qx 'stored movie demo-2: 12 scenes, 1200 s' "$out" || { h_check_failed "$name: demo-2 not stored"; return 1; }
    grep -qx 'events: 3 accepted, 0 rejected' "$out" || { h_check_failed "$name: events not accepted"; return 1; }
    grep -Eq '^recommendations for demo-viewer: (.* )?demo-2\([0-9.]+\)' "$out" ||
        { h_check_failed "$name: demo-2 not recommended"; return 1; }
    h_http GET '/v1/users/demo-viewer/cuts/demo-1?budget=25%25'
    h_assert_eq "$H_STATUS" 200 "the cut, asked directly" || return 1
    h_json "$H_BODY" '"cut of %s for %s by %s: %d scenes, %s s of a %s s budget" % (d["movie"], d["viewer"], d["editor"], len(d["scenes"]), "%g" % d["duration"], "%g" % d["budget"])' >"$H_TMP/want"
    h_json "$H_BODY" '"\n".join("  scene %d: %g-%g" % (s["index"], s["start"], s["end"]) for s in d["scenes"])' >>"$H_TMP/want"
    grep -A1000 '^cut of ' "$out" >"$H_TMP/got"
    [ "$(grep -c '^  scene' "$H_TMP/want")" -gt 0 ] || { h_check_failed "the cut keeps no scene"; return 1; }
    diff -u "$H_TMP/want" "$H_TMP/got" || { h_check_failed "$name printed another cut than the daemon's"; return 1; }
}

case_client_py() {
    run_client client.py "$SYS_PYTHON3" "$top_srcdir/docs/examples/client.py"
}

case_client_mjs() {
    command -v node >/dev/null || { h_log "no node: client.mjs not run"; return 0; }
    run_client client.mjs node "$top_srcdir/docs/examples/client.mjs"
}

sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }

case_tokens() {
    local r=read-$RANDOM$RANDOM w=write-$RANDOM$RANDOM a=admin-$RANDOM$RANDOM
    {
        echo "$(sha "$r") read"
        echo "$(sha "$w") write"
        echo "$(sha "$a") admin"
    } >"$H_TMP/tokens"
    chmod 600 "$H_TMP/tokens"
    cp "$H_TMP/base.conf" "$H_TMP/tokens.conf"
    printf '[http]\ntokens_file = %s\n' "$H_TMP/tokens" >>"$H_TMP/tokens.conf"
    h_stop_recutd
    h_start_recutd "$H_TMP/tokens.conf"
    run_check tokens tokens "$SPEC" "http://127.0.0.1:$H_HTTP_PORT" "$r" "$w" "$a" ||
        h_check_failed "answers with tokens do not match the spec"
}

h_case "every routed path is in the spec" case_routes
h_case "answers without tokens conform to the spec" case_open
h_case "a broken spec fails the checks" case_broken_spec_fails
h_case "docs/examples/client.py against the daemon" case_client_py
h_case "docs/examples/client.mjs against the daemon" case_client_mjs
h_case "answers with tokens conform to the spec" case_tokens
h_done
