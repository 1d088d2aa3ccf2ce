#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# ABI mismatch: a plugin built against another ABI version (or with another
# build signature) and named in [plugins] load is refused with a log line
# saying "not binary compatible"; recutd keeps running and serves cuts with
# the other plugins.  A control plugin with a good stamp, built the same
# way, is loaded and usable (so the refusal is about the stamp).
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli kcat curl python3 cc
h_require_mockkafka

# Plugins dir: the build's plugins plus three test builds.
PDIR=$H_TMP/plugins
mkdir -p "$PDIR"
for so in "$H_PLUGIN_DIR"/*.so; do
    [ -e "$so" ] || h_fail "no plugins built in $H_PLUGIN_DIR"
    ln -s "$so" "$PDIR/"
done
build_plugin() { # NAME CFLAGS...
    local name=$1
    shift
    # shellcheck disable=SC2086
    $CC -std=c11 -shared -fPIC -I"$top_srcdir/include" -DABI_PLUGIN_NAME="\"$name\"" "$@" \
        "$srcdir/integration/abi_bad_plugin.c" -o "$PDIR/$name.so" 2>"$H_TMP/cc.err" ||
        h_fail "cannot build the test plugin $name: $(cat "$H_TMP/cc.err")"
}
build_plugin abibad -DABI_BAD_VERSION
build_plugin abisig -DABI_BAD_SIGNATURE
build_plugin abigood

h_start_redis
h_start_kafka recut.events recut.catalog recut.published recut.deadletter
h_write_config "$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf" --set "plugins.dir=$PDIR" \
    --set plugins.load=highlights,abibad,abisig,abigood,redis,kafka
h_put_movie m1 3000 10 Drama
h_http_body POST /v1/events "$(h_event u1 rating m1 abi-1 '"value":4')"

case_refused() {
    local name
    for name in abibad abisig; do
        grep 'not binary compatible' "$H_RECUTD_LOG" | grep -q "$name" ||
            h_check_failed "no 'not binary compatible' line naming $name in the log"
    done
    grep 'not binary compatible' "$H_RECUTD_LOG" | grep -q abigood &&
        h_check_failed "the good control plugin was refused"
    kill -0 "$H_RECUTD_PID" 2>/dev/null || h_check_failed "recutd is not running"
}

case_other_plugins_serve() {
    h_http GET "/v1/users/u1/cuts/m1?budget=900&editor=highlights"
    h_assert_eq "$H_STATUS" 200 "cut with highlights" || return 1
    h_assert_num "$(h_json "$H_BODY" 'len(d["scenes"])')" ">=" 1 "scenes in the highlights cut" || return 1
    h_assert_num "$(h_json "$H_BODY" 'd["duration"]')" "<=" 900 "highlights cut duration"
}

case_refused_not_usable() {
    local name
    for name in abibad abisig; do
        h_http GET "/v1/users/u1/cuts/m1?budget=900&editor=$name"
        case $H_STATUS in
        4??) h_json "$H_BODY" 'd["error"]' >/dev/null ||
                h_check_failed "editor=$name: 4xx without a JSON error" ;;
        *) h_check_failed "editor=$name (refused plugin) answered $H_STATUS" ;;
        esac
    done
}

case_control_usable() {
    h_http GET "/v1/users/u1/cuts/m1?budget=900&editor=abigood"
    h_assert_eq "$H_STATUS" 200 "cut with the control plugin" || return 1
    # abigood keeps the first scenes that fit: 3 scenes of 300 s
    h_assert_eq "$(h_json "$H_BODY" '[s["index"] for s in d["scenes"]]')" "[0, 1, 2]" "control plugin's cut"
}

h_case "plugins with a wrong ABI version or signature are refused" case_refused
h_case "the other plugins still serve cuts" case_other_plugins_serve
h_case "a refused editor cannot be asked for" case_refused_not_usable
h_case "a plugin with a good stamp built the same way works" case_control_usable
h_done
