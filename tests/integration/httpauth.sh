#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Who may use the HTTP API (recutd(8), AUTHENTICATION; daemon/http_auth.c).
# Without any configuration: a web page cannot reach recutd through DNS
# rebinding (Host checked, 421), cross-site (Origin checked, 403) or with a
# form or "simple" request (JSON content type required, 415).  With [http]
# tokens_file: every endpoint class without a token, with a wrong one and
# with each scope; the file re-read on SIGHUP; a bad line refused with
# FILE:LINE; a non-loopback listen address refused without tokens; recutctl
# with RECUT_TOKEN and recutctl token-hash.  HTTP only, no Kafka.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3 sha256sum

RECUTCTL=$top_builddir/ctl/recutctl
[ -x "$RECUTCTL" ] || h_fail "recutctl not built: $RECUTCTL"

h_start_redis
H_NO_KAFKA=1
CONF=$H_TMP/recutd.conf
h_write_config "$CONF"
printf '[plugins]\nload = highlights,redis\n[publish]\ndelay_ms = 0\n' >>"$CONF"
cp "$CONF" "$H_TMP/base.conf"
h_start_recutd "$CONF"
PID=$H_RECUTD_PID
h_put_movie m1 600 30 Drama # 20 s scenes: a 60 s cut keeps some
h_http_body POST /v1/events "$(h_event v rating m1 v-1 '"value":4')"
h_assert_eq "$H_STATUS" 200 "a first event for viewer v" || h_fail "cannot set up viewer v"

# req [-H HEADER]... METHOD PATH [BODY]: curl with exactly these headers
# (and no Content-Type unless given); status in H_STATUS, body in H_BODY,
# answer headers in $H_TMP/hdr.
req() {
    local hdrs=()
    while [ "$1" = -H ]; do
        hdrs+=(-H "$2")
        shift 2
    done
    local method=$1 path=$2
    local args=(-sS -m 30 -X "$method" -o "$H_BODY" -D "$H_TMP/hdr" -w '%{http_code}' -H 'Expect:')
    [ $# -ge 3 ] && args+=(--data-binary "$3")
    H_STATUS=$(curl "${args[@]}" "${hdrs[@]}" "http://127.0.0.1:$H_HTTP_PORT$path" 2>"$H_TMP/curl.err")
    [ -n "$H_STATUS" ] || H_STATUS=000
}

# expect STATUS WHAT: the last answer's status, and a JSON error for a 4xx
expect() {
    if [ "$H_STATUS" != "$1" ]; then
        h_check_failed "$2: status $H_STATUS, expected $1 (body: $(head -c 200 "$H_BODY"))"
        return 1
    fi
    case $1 in
    4??)
        [ "$(h_json "$H_BODY" 'isinstance(d["error"], str) and len(d["error"]) > 0')" = true ] ||
            h_check_failed "$2: body is not {\"error\": \"...\"}: $(head -c 200 "$H_BODY")"
        ;;
    esac
}

v_events() { h_viewer 'v' meta events; }

case_exact_curl() {
    local before
    before=$(v_events)
    h_assert_ne "$before" "" "viewer v exists before the attack" || return 1
    # the request a web page at evil.example can make through DNS rebinding
    H_STATUS=$(curl -sS -m 30 -o "$H_BODY" -w '%{http_code}' -H 'Content-Type: text/plain' \
        -H 'Origin: http://evil.example' -H 'Host: evil.example' \
        --data '{"user":"v","type":"forget","ts":9}' "http://127.0.0.1:$H_HTTP_PORT/v1/events")
    expect 421 "the rebinding page's forget" || return 1
    h_assert_eq "$(h_json "$H_BODY" '"accepted" in d')" false "nothing accepted" || return 1
    h_assert_eq "$(v_events)" "$before" "viewer v untouched" || return 1
    h_assert_eq "$(h_redis EXISTS 'recut:{u:v}:state')" 1 "viewer v not erased"
}

case_host() {
    req -H 'Host: evil.example' GET /v1/users/v/profile
    expect 421 "a rebinding page reading a profile" || return 1
    req -H "Host: evil.example:$H_HTTP_PORT" GET /v1/health
    expect 421 "Host evil.example:PORT, even for health" || return 1
    req -H 'Host: localhost.evil.example' GET /v1/health
    expect 421 "Host localhost.evil.example" || return 1
    req -H 'Host: 127.0.0.1.nip.io' GET /v1/health
    expect 421 "Host 127.0.0.1.nip.io" || return 1
    req -H 'Host:' GET /v1/health
    expect 400 "no Host header" || return 1
    req -H 'Host: a b' GET /v1/health
    expect 400 "a malformed Host header" || return 1
    local h
    for h in localhost "localhost:1" "LocalHost:$H_HTTP_PORT" 127.0.0.1 "127.0.0.1:$H_HTTP_PORT" '[::1]' "[::1]:$H_HTTP_PORT"; do
        req -H "Host: $h" GET /v1/users/v/profile
        expect 200 "Host $h (a loopback name, any port)" || return 1
    done
}

case_origin() {
    req -H 'Origin: http://evil.example' -H 'Content-Type: application/json' POST /v1/events \
        "$(h_event v forget '' o-1)"
    expect 403 "a JSON POST from a foreign Origin" || return 1
    req -H 'Origin: http://evil.example' DELETE /v1/users/v
    expect 403 "DELETE from a foreign Origin" || return 1
    req -H "Origin: http://127.0.0.1:$H_HTTP_PORT" GET /v1/users/v/profile
    expect 403 "an Origin, even this server's, when allowed_origins is empty" || return 1
    req -H 'Origin: null' GET /v1/users/v/profile
    expect 403 "Origin: null (a sandboxed page)" || return 1
    h_assert_eq "$(h_redis EXISTS 'recut:{u:v}:state')" 1 "viewer v not erased"
}

case_content_type() {
    local ev
    ev=$(h_event v forget '' ct-1)
    req -H 'Content-Type: text/plain' POST /v1/events "$ev"
    expect 415 "a text/plain POST (no Origin)" || return 1
    req -H 'Content-Type: application/x-www-form-urlencoded' POST /v1/events "$ev"
    expect 415 "a form POST" || return 1
    req -H 'Content-Type: multipart/form-data; boundary=x' PUT /v1/movies/m9 '{}'
    expect 415 "a multipart PUT" || return 1
    req POST /v1/events "$ev"
    expect 415 "a POST with a body and no Content-Type" || return 1
    req -H 'Content-Type: application/x-www-form-urlencoded' POST "/v1/users/v/cuts/m1/publish?budget=60"
    expect 415 "an empty form POST to publish" || return 1
    h_assert_eq "$(h_redis EXISTS 'recut:{u:v}:state')" 1 "viewer v not erased" || return 1
    # what is accepted
    req -H 'Content-Type: application/json; charset=utf-8' POST /v1/events "$(h_event v rating m1 ct-2 '"value":4')"
    expect 200 "application/json; charset=utf-8" || return 1
    req -H 'Content-Type: application/x-ndjson' POST /v1/events \
        "$(h_event v rating m1 ct-3 '"value":4')"$'\n'"$(h_event v rating m1 ct-4 '"value":4')"
    expect 200 "application/x-ndjson" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'd["accepted"]')" 2 "two NDJSON events" || return 1
    req POST "/v1/users/v/cuts/m1/publish?budget=60"
    expect 200 "a POST without body and Content-Type (publish)" || return 1
    req DELETE /v1/users/nobody
    expect 200 "DELETE without body"
}

# reload TEXT: the base config plus TEXT; SIGHUP; wait until counted
RELOADS=0
reload() {
    { cat "$H_TMP/base.conf"; printf '%s\n' "$1"; } >"$CONF.new"
    mv "$CONF.new" "$CONF"
    RELOADS=$((RELOADS + 1))
    kill -HUP "$PID"
    h_wait_metric recut_reloads_total "$RELOADS" || h_check_failed "reload $RELOADS not counted"
}

# reload_refused TEXT: like reload, for a configuration recutd refuses:
# wait for one more "reload refused" in the log
refusals_() { [ "$(grep -c 'reload refused' "$H_RECUTD_LOG")" -gt "$1" ]; }
reload_refused() {
    local n
    n=$(grep -c 'reload refused' "$H_RECUTD_LOG")
    { cat "$H_TMP/base.conf"; printf '%s\n' "$1"; } >"$CONF.new"
    mv "$CONF.new" "$CONF"
    kill -HUP "$PID"
    h_wait_for 20 "a refused reload in the log" refusals_ "$n" || h_check_failed "reload not refused"
}

case_reload_hosts_origins() {
    req -H 'Host: recut.internal' GET /v1/users/v/profile
    expect 421 "Host recut.internal before the reload" || return 1
    reload $'[http]\nallowed_hosts = recut.internal, [::1]:1\nallowed_origins = https://dash.example:8443/'
    req -H 'Host: recut.internal' GET /v1/users/v/profile
    expect 200 "Host recut.internal after the reload" || return 1
    req -H 'Host: [::1]:1' GET /v1/users/v/profile
    expect 200 "Host [::1]:1 (listed with its port)" || return 1
    req -H 'Host: [::1]:2' GET /v1/users/v/profile
    expect 421 "Host [::1]:2 (another port)" || return 1
    req -H 'Host: localhost' GET /v1/users/v/profile
    expect 421 "localhost, no longer listed" || return 1
    req GET /v1/users/v/profile
    expect 200 "the listen address 127.0.0.1:PORT is always accepted" || return 1
    req -H 'Origin: https://dash.example:8443' -H 'Content-Type: application/json' POST /v1/events \
        "$(h_event v rating m1 or-1 '"value":4')"
    expect 200 "a listed Origin" || return 1
    req -H 'Origin: https://dash.example' GET /v1/users/v/profile
    expect 403 "the listed origin's host on another port" || return 1
    # a bad list is refused with its line, and the running lists stay
    reload_refused $'[http]\nallowed_origins = dash.example'
    grep -q "reload refused.*http.allowed_origins: 'dash.example' is not an origin" "$H_RECUTD_LOG" ||
        h_check_failed "no log line refusing allowed_origins = dash.example" || return 1
    req -H 'Origin: https://dash.example:8443' GET /v1/users/v/profile
    expect 200 "the listed Origin after a refused reload" || return 1
    reload ''
    req -H 'Host: recut.internal' GET /v1/health
    expect 421 "Host recut.internal after going back to the defaults"
}

# ---- tokens ---------------------------------------------------------------
T_READ=read-token-$RANDOM$RANDOM
T_WRITE=write-token-$RANDOM$RANDOM
T_ADMIN=admin-token-$RANDOM$RANDOM
T_ALL=all-token-$RANDOM$RANDOM
T_NEW=new-token-$RANDOM$RANDOM
sha() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
TOKENS=$H_TMP/tokens
write_tokens() {
    {
        echo "# recutd bearer tokens (httpauth.sh)"
        echo
        echo "$(sha "$T_READ") read   # a reader"
        echo "$(sha "$T_WRITE") write"
        echo "  $(sha "$T_ADMIN")	admin"
        echo "$(sha "$T_ALL") read,write,admin"
        printf '%s\n' "$@"
    } >"$TOKENS.new"
    mv "$TOKENS.new" "$TOKENS"
}

case_listen_needs_tokens() {
    local port
    port=$(h_free_port)
    "$H_RECUTD" -c "$H_TMP/base.conf" --set "http.listen=0.0.0.0:$port" -t >"$H_TMP/out" 2>&1
    h_assert_eq "$?" 1 "-t with listen 0.0.0.0 and no tokens_file" || return 1
    grep -q 'http.listen = 0.0.0.0:[0-9]* is not a loopback address and http.tokens_file is not set' "$H_TMP/out" ||
        h_check_failed "the refusal does not name the keys: $(cat "$H_TMP/out")" || return 1
    timeout 30 "$H_RECUTD" -c "$H_TMP/base.conf" --set "http.listen=0.0.0.0:$port" >"$H_TMP/out" 2>&1
    h_assert_eq "$?" 1 "start-up with listen 0.0.0.0 and no tokens_file" || return 1
    grep -q 'http.tokens_file is not set' "$H_TMP/out" ||
        h_check_failed "start-up refusal does not name http.tokens_file: $(cat "$H_TMP/out")" || return 1
    write_tokens
    "$H_RECUTD" -c "$H_TMP/base.conf" --set "http.listen=0.0.0.0:$port" \
        --set "http.tokens_file=$TOKENS" -t >"$H_TMP/out" 2>&1
    h_assert_eq "$?" 0 "-t with listen 0.0.0.0 and a tokens_file ($(cat "$H_TMP/out"))" || return 1
    local lo
    for lo in "127.0.0.2:$port" "localhost:$port" "[::1]:$port"; do
        "$H_RECUTD" -c "$H_TMP/base.conf" --set "http.listen=$lo" -t >"$H_TMP/out" 2>&1
        h_assert_eq "$?" 0 "-t with the loopback listen $lo and no tokens ($(cat "$H_TMP/out"))" || return 1
    done
}

# bad_tokens LINE REASON: a tokens file whose 3rd line is LINE is refused
# by -t with "FILE:3: ...REASON"
bad_tokens() {
    printf '# ok\n%s read\n%s\n' "$(sha x)" "$1" >"$H_TMP/bad.tokens"
    "$H_RECUTD" -c "$H_TMP/base.conf" --set "http.tokens_file=$H_TMP/bad.tokens" -t >"$H_TMP/out" 2>&1
    h_assert_eq "$?" 1 "-t with tokens line '$1'" || return 1
    grep -qF "$H_TMP/bad.tokens:3: $2" "$H_TMP/out" ||
        h_check_failed "tokens line '$1': expected '$H_TMP/bad.tokens:3: $2', got: $(cat "$H_TMP/out")"
}

case_bad_tokens_file() {
    bad_tokens "$(sha y)" "expected SHA256HEX SCOPE" || return 1
    bad_tokens "$(sha y) read write" "expected SHA256HEX SCOPE" || return 1
    bad_tokens "$(sha y) read," "expected SHA256HEX SCOPE" || return 1
    bad_tokens "$(sha y) root" "unknown scope 'root'" || return 1
    bad_tokens "abc123 read" "'abc123' is not 64 hex digits" || return 1
    local nothex
    nothex=$(sha y | tr 0-9 g-p)
    bad_tokens "$nothex read" "'$nothex' is not 64 hex digits" || return 1
    bad_tokens "$(sha x) write" "the same token as line 2" || return 1
    "$H_RECUTD" -c "$H_TMP/base.conf" --set "http.tokens_file=$H_TMP/no-such-file" -t >"$H_TMP/out" 2>&1
    h_assert_eq "$?" 1 "-t with a missing tokens file" || return 1
    grep -q "http.tokens_file: $H_TMP/no-such-file: No such file" "$H_TMP/out" ||
        h_check_failed "missing tokens file: $(cat "$H_TMP/out")"
}

# The endpoint classes: "SCOPE METHOD PATH [BODY]", one a line.
endpoints() {
    cat <<EOF
read GET /v1/users/u1/recommendations
read GET /v1/users/u1/cuts/m1?budget=60
read GET /v1/users/v/profile
read GET /v1/movies/m1
read GET /v1/plugins
write POST /v1/events $(h_event u1 rating m1 "tk-$RANDOM$RANDOM" '"value":4')
write PUT /v1/movies/m2 $(h_movie_json m2 600 3 Comedy)
write POST /v1/users/u1/cuts/m1/publish?budget=60
admin DELETE /v1/users/gone
admin GET /metrics
EOF
}

# treq TOKEN METHOD PATH [BODY]: req with the token ("-": none); a body is
# sent as JSON
treq() {
    local tok=$1
    shift
    local h=()
    [ "$tok" != - ] && h=(-H "Authorization: Bearer $tok")
    [ $# -ge 3 ] && h+=(-H 'Content-Type: application/json')
    req "${h[@]}" "$@"
}

www_auth_ok() { tr -d '\r' <"$H_TMP/hdr" | grep -qx 'WWW-Authenticate: Bearer realm="recut"'; }

case_token_matrix() {
    cp "$H_TMP/base.conf" "$H_TMP/tokens.conf"
    printf '[http]\ntokens_file = %s\n' "$TOKENS" >>"$H_TMP/tokens.conf"
    cp "$H_TMP/tokens.conf" "$H_TMP/base.conf"
    write_tokens
    req GET /v1/movies/m1
    expect 200 "no token needed before tokens_file is set" || return 1
    H_TOKEN=$T_ALL # for h_wait_metric's GET /metrics
    reload ''      # tokens_file, from empty to set
    local scope method path body tok tscope
    req GET /v1/health
    expect 200 "GET /v1/health without a token" || return 1
    while read -r scope method path body; do
        treq - "$method" "$path" ${body:+"$body"}
        expect 401 "$method $path without a token" || return 1
        www_auth_ok || h_check_failed "$method $path without a token: no WWW-Authenticate: Bearer realm=\"recut\"" || return 1
        treq "wrong-$T_ALL" "$method" "$path" ${body:+"$body"}
        expect 401 "$method $path with a wrong token" || return 1
        www_auth_ok || h_check_failed "$method $path with a wrong token: no WWW-Authenticate" || return 1
        req -H "Authorization: Basic $(printf 'x:%s' "$T_ALL" | base64)" "$method" "$path"
        expect 401 "$method $path with Basic credentials" || return 1
        for tscope in read write admin; do
            case $tscope in read) tok=$T_READ ;; write) tok=$T_WRITE ;; admin) tok=$T_ADMIN ;; esac
            treq "$tok" "$method" "$path" ${body:+"$body"}
            if [ "$tscope" = "$scope" ]; then
                case $H_STATUS in
                2??) ;;
                *) h_check_failed "$method $path with a $tscope token: status $H_STATUS ($(head -c 200 "$H_BODY"))"; return 1 ;;
                esac
            else
                expect 403 "$method $path with a $tscope token (needs $scope)" || return 1
            fi
        done
        treq "$T_ALL" "$method" "$path" ${body:+"$body"}
        case $H_STATUS in
        2??) ;;
        *) h_check_failed "$method $path with a read,write,admin token: status $H_STATUS"; return 1 ;;
        esac
    done < <(endpoints)
    # the scheme is case-insensitive
    req -H "Authorization: bearer $T_READ" GET /v1/movies/m1
    expect 200 "'bearer' in lower case"
}

case_tokens_reload() {
    treq "$T_NEW" GET /v1/movies/m1
    expect 401 "a token not yet in the file" || return 1
    # T_WRITE removed, T_NEW added
    {
        echo "$(sha "$T_READ") read"
        echo "$(sha "$T_ADMIN") admin"
        echo "$(sha "$T_ALL") read,write,admin"
        echo "$(sha "$T_NEW") read"
    } >"$TOKENS.new"
    mv "$TOKENS.new" "$TOKENS"
    reload ''
    treq "$T_NEW" GET /v1/movies/m1
    expect 200 "the added token after SIGHUP" || return 1
    treq "$T_WRITE" POST /v1/events "$(h_event u1 rating m1 rl-1 '"value":4')"
    expect 401 "the removed token after SIGHUP" || return 1
    # a bad file: the reload is refused, the tokens in use stay
    printf '%s read\nthis is not a token line\n' "$(sha "$T_WRITE")" >>"$TOKENS"
    reload_refused ''
    grep -q "reload refused.*$TOKENS:6: expected SHA256HEX SCOPE" "$H_RECUTD_LOG" ||
        h_check_failed "no log line refusing the bad tokens file" || return 1
    treq "$T_NEW" GET /v1/movies/m1
    expect 200 "the tokens in use after a refused reload" || return 1
    treq "$T_WRITE" POST /v1/events "$(h_event u1 rating m1 rl-2 '"value":4')"
    expect 401 "the bad file's token is not taken"
}

case_recutctl() {
    local out=$H_TMP/ctl.out err=$H_TMP/ctl.err rc
    "$RECUTCTL" -s "127.0.0.1:$H_HTTP_PORT" get-movie m1 >"$out" 2>"$err"
    h_assert_eq "$?" 1 "recutctl without RECUT_TOKEN" || return 1
    grep -q 'error 401' "$err" || h_check_failed "recutctl without token: $(cat "$err")" || return 1
    RECUT_TOKEN=$T_READ "$RECUTCTL" -s "127.0.0.1:$H_HTTP_PORT" get-movie m1 >"$out" 2>"$err"
    h_assert_eq "$?" 0 "recutctl get-movie with a read token ($(cat "$err"))" || return 1
    h_assert_eq "$(h_json "$out" 'd["id"]')" m1 "the movie recutctl printed" || return 1
    RECUT_TOKEN=$T_READ "$RECUTCTL" -s "127.0.0.1:$H_HTTP_PORT" forget u1 >"$out" 2>"$err"
    h_assert_eq "$?" 1 "recutctl forget with a read token" || return 1
    grep -q 'error 403' "$err" || h_check_failed "recutctl forget with a read token: $(cat "$err")" || return 1
    RECUT_TOKEN=$T_ADMIN "$RECUTCTL" -s "127.0.0.1:$H_HTTP_PORT" metrics >"$out" 2>"$err"
    h_assert_eq "$?" 0 "recutctl metrics with an admin token ($(cat "$err"))" || return 1
    grep -q '^recut_http_requests_total ' "$out" || h_check_failed "no metrics printed" || return 1
    RECUT_TOKEN=$T_ALL "$RECUTCTL" -s "127.0.0.1:$H_HTTP_PORT" event "$(h_event u1 rating m1 ctl-1 '"value":4')" >"$out" 2>"$err"
    h_assert_eq "$?" 0 "recutctl event with a read,write,admin token ($(cat "$err"))" || return 1
    RECUT_TOKEN="two words" "$RECUTCTL" -s "127.0.0.1:$H_HTTP_PORT" health >"$out" 2>"$err"
    h_assert_eq "$?" 64 "RECUT_TOKEN with a blank" || return 1
    # token-hash prints the tokens-file line
    printf '%s\n' "$T_NEW" | "$RECUTCTL" token-hash read,admin >"$out" 2>"$err"
    rc=$?
    h_assert_eq "$rc" 0 "token-hash ($(cat "$err"))" || return 1
    h_assert_eq "$(cat "$out")" "$(sha "$T_NEW") read,admin" "token-hash's line" || return 1
    printf '%s' "$T_NEW" | "$RECUTCTL" token-hash >"$out" 2>"$err"
    h_assert_eq "$(cat "$out")" "$(sha "$T_NEW")" "token-hash without scopes, no newline on stdin" || return 1
    printf x | "$RECUTCTL" token-hash root >"$out" 2>"$err"
    h_assert_eq "$?" 64 "token-hash with an unknown scope"
}

h_case "the exact rebinding curl cannot erase a viewer" case_exact_curl
h_case "Host: loopback names and the listen address only (421, 400)" case_host
h_case "Origin: none accepted by default (403)" case_origin
h_case "state changes need a JSON content type (415)" case_content_type
h_case "allowed_hosts and allowed_origins reload on SIGHUP" case_reload_hosts_origins
h_case "a non-loopback listen address needs tokens_file" case_listen_needs_tokens
h_case "a bad tokens file is refused with FILE:LINE" case_bad_tokens_file
h_case "every endpoint class without, with a wrong and with each token" case_token_matrix
h_case "the tokens file is re-read on SIGHUP" case_tokens_reload
h_case "recutctl sends RECUT_TOKEN; token-hash" case_recutctl
h_done
