#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# HTTPS for the API ([http] tls_cert, tls_key): the test makes its own CA
# and a server certificate for 127.0.0.1 and localhost (openssl), and checks
# that curl and recutctl trusting that CA get health and recommendations,
# that plain HTTP on the port and a client not trusting the CA get nothing,
# that a bad key stops start-up and -t naming the key and its line, and
# that SIGHUP serves a rotated certificate to new connections (and keeps
# the running one when the new key is bad), that recutctl refuses a
# certificate for another host, and that a reload turns TLS off and on.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3 openssl
RECUTCTL=$top_builddir/ctl/recutctl
[ -x "$RECUTCTL" ] || h_fail "recutctl not built: $RECUTCTL"
H_NO_KAFKA=1

PKI=$H_TMP/pki
mkdir -p "$PKI"
# mkcert NAME CN: NAME.key and NAME.pem, signed by the test CA, for
# 127.0.0.1 and localhost
mkcert() {
    openssl req -newkey rsa:2048 -nodes -keyout "$PKI/$1.key" -out "$PKI/$1.csr" \
        -subj "/CN=$2" >"$PKI/openssl.log" 2>&1 &&
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$PKI/san.cnf" &&
        openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
            -CAcreateserial -days 2 -extfile "$PKI/san.cnf" -out "$PKI/$1.pem" \
            >>"$PKI/openssl.log" 2>&1 ||
        h_fail "openssl could not make the $1 certificate: $(cat "$PKI/openssl.log")"
}
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.pem" -days 2 \
    -subj "/CN=recut test CA" >"$PKI/openssl.log" 2>&1 || h_fail "openssl could not make the CA"
mkcert server "recut test server"
mkcert rotated "recut rotated server"
# signed by the CA, but for another host only
openssl req -newkey rsa:2048 -nodes -keyout "$PKI/elsewhere.key" -out "$PKI/elsewhere.csr" \
    -subj "/CN=elsewhere.example" >"$PKI/openssl.log" 2>&1 &&
    printf 'subjectAltName=DNS:elsewhere.example\n' >"$PKI/elsewhere.cnf" &&
    openssl x509 -req -in "$PKI/elsewhere.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
        -CAcreateserial -days 2 -extfile "$PKI/elsewhere.cnf" -out "$PKI/elsewhere.pem" \
        >>"$PKI/openssl.log" 2>&1 || h_fail "openssl could not make the elsewhere certificate"
# a key that is not the certificate's
openssl genrsa -out "$PKI/other.key" 2048 >/dev/null 2>&1 || h_fail "openssl genrsa failed"

h_start_redis
CONF=$H_TMP/recutd.conf
h_write_config "$CONF"
# the served files are copies, rotated in place like a certificate renewal
cp "$PKI/server.pem" "$H_TMP/cert.pem"
cp "$PKI/server.key" "$H_TMP/key.pem"
cat >>"$CONF" <<EOF
[http]
tls_cert = $H_TMP/cert.pem
tls_key = $H_TMP/key.pem
EOF
KEY_LINE=$(grep -n '^tls_key' "$CONF" | cut -d: -f1)

# the certificate recutd serves a new connection: its subject's CN
served_cn() {
    openssl s_client -connect "127.0.0.1:$H_HTTP_PORT" -CAfile "$PKI/ca.pem" </dev/null \
        2>/dev/null | openssl x509 -noout -subject -nameopt multiline 2>/dev/null |
        sed -n 's/^ *commonName *= *//p'
}

case_bad_key() {
    local bad=$H_TMP/bad.conf rc
    sed "s|^tls_key = .*|tls_key = $PKI/other.key|" "$CONF" >"$bad"
    "$H_RECUTD" -t -c "$bad" >"$H_TMP/t.out" 2>"$H_TMP/t.err"
    rc=$?
    h_assert_eq "$rc" 1 "recutd -t with a key that is not the certificate's" || return 1
    grep -q "^recutd: $bad:$KEY_LINE: http.tls_key: $PKI/other.key" "$H_TMP/t.err" ||
        { h_check_failed "-t does not name $bad:$KEY_LINE and http.tls_key: $(cat "$H_TMP/t.err")"; return 1; }
    # start-up refuses the same way (before serving anything)
    timeout 30 "$H_RECUTD" -c "$bad" >"$H_TMP/s.out" 2>"$H_TMP/s.err"
    rc=$?
    h_assert_eq "$rc" 1 "recutd start-up with a bad key" || return 1
    grep -q "$bad:$KEY_LINE: http.tls_key: .*other.key" "$H_TMP/s.err" ||
        { h_check_failed "start-up error does not name the key: $(cat "$H_TMP/s.err")"; return 1; }
    # a file that is no PEM at all, and one key without the other
    sed "s|^tls_key = .*|tls_key = $CONF|" "$CONF" >"$bad"
    "$H_RECUTD" -t -c "$bad" 2>"$H_TMP/t.err" >/dev/null
    grep -q "$bad:$KEY_LINE: http.tls_key: $CONF: not the PEM private key" "$H_TMP/t.err" ||
        { h_check_failed "-t with a non-PEM key: $(cat "$H_TMP/t.err")"; return 1; }
    sed '/^tls_key = /d' "$CONF" >"$bad"
    "$H_RECUTD" -t -c "$bad" 2>"$H_TMP/t.err" >/dev/null
    grep -q 'http.tls_cert is set but http.tls_key is empty' "$H_TMP/t.err" ||
        { h_check_failed "-t with tls_cert alone: $(cat "$H_TMP/t.err")"; return 1; }
    "$H_RECUTD" -t -c "$CONF" >/dev/null 2>"$H_TMP/t.err" ||
        h_check_failed "-t refuses the good certificate: $(cat "$H_TMP/t.err")"
}
h_case "a bad key stops -t and start-up, naming file:line and http.tls_key" case_bad_key

H_SCHEME=https
H_CURL_TLS=(--cacert "$PKI/ca.pem")
h_start_recutd "$CONF"

case_health() {
    h_http GET /v1/health
    h_assert_eq "$H_STATUS" 200 "GET /v1/health over HTTPS (curl --cacert)" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'd["status"]')" ok "health status"
    grep -q 'listening on .* (HTTPS)' "$H_RECUTD_LOG" || h_check_failed "no 'listening ... (HTTPS)' in the log"
}

case_recs() {
    local m
    for m in 1 2 3 4; do h_put_movie "m$m" 1800 9 Drama; done
    { h_event v1 like m1 e1; h_event v2 like m1 e2; h_event v2 like m2 e3; } >"$H_TMP/ev.ndjson"
    h_http POST /v1/events "$H_TMP/ev.ndjson"
    h_assert_eq "$H_STATUS" 200 "POST /v1/events over HTTPS ($(head -c 200 "$H_BODY"))" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'd["accepted"]')" 3 "events accepted" || return 1
    h_http GET "/v1/users/v1/recommendations?n=3"
    h_assert_eq "$H_STATUS" 200 "recommendations over HTTPS" || return 1
    # v1 liked m1 as v2 did, who also liked m2
    h_assert_true "m2 among v1's recommendations ($(head -c 300 "$H_BODY"))" \
        grep -q '"m2"' "$H_BODY"
}

case_plain_refused() {
    local code
    code=$(curl -s -m 10 -o "$H_TMP/plain.body" -w '%{http_code}' \
        "http://127.0.0.1:$H_HTTP_PORT/v1/health" 2>/dev/null)
    h_assert_eq "$code" 000 "plain HTTP to the HTTPS port gets no HTTP answer" || return 1
    h_assert_eq "$(cat "$H_TMP/plain.body" 2>/dev/null | wc -c)" 0 "bytes of a plain HTTP answer" || return 1
    kill -0 "$H_RECUTD_PID" 2>/dev/null || h_check_failed "recutd died of a plain HTTP request"
}

case_untrusted() {
    local rc
    # the system's CA store does not hold the test CA: verification fails
    curl -s -m 10 -o /dev/null "https://127.0.0.1:$H_HTTP_PORT/v1/health" 2>/dev/null
    rc=$?
    h_assert_eq "$rc" 60 "curl exit status without the test CA (60: peer certificate not trusted)" || return 1
    "$RECUTCTL" -s "https://127.0.0.1:$H_HTTP_PORT" -T 20 health >"$H_TMP/ctl.out" 2>"$H_TMP/ctl.err"
    rc=$?
    h_assert_eq "$rc" 2 "recutctl exit status without --cacert" || return 1
    grep -q 'certificate verification failed' "$H_TMP/ctl.err" ||
        { h_check_failed "recutctl does not say why: $(cat "$H_TMP/ctl.err")"; return 1; }
    h_assert_eq "$(wc -c <"$H_TMP/ctl.out")" 0 "recutctl output without --cacert" || return 1
    # -k: no check at all (documented as unsafe)
    "$RECUTCTL" -s "https://127.0.0.1:$H_HTTP_PORT" -k -T 20 health >"$H_TMP/ctl.out" 2>"$H_TMP/ctl.err"
    h_assert_eq "$?" 0 "recutctl -k without --cacert ($(cat "$H_TMP/ctl.err"))"
}

case_recutctl() {
    local rc host
    for host in 127.0.0.1 localhost; do
        "$RECUTCTL" -s "https://$host:$H_HTTP_PORT" --cacert "$PKI/ca.pem" -T 20 health \
            >"$H_TMP/ctl.out" 2>"$H_TMP/ctl.err"
        rc=$?
        h_assert_eq "$rc" 0 "recutctl -s https://$host --cacert health ($(cat "$H_TMP/ctl.err"))" || return 1
        h_assert_eq "$(h_json "$H_TMP/ctl.out" 'd["status"]')" ok "health via recutctl ($host)" || return 1
    done
    # several requests in one run (a connection each) and recommendations
    "$RECUTCTL" -s "https://127.0.0.1:$H_HTTP_PORT" --cacert "$PKI/ca.pem" -T 20 \
        event "$(h_event v3 like m3 e4)" >"$H_TMP/ctl.out" 2>"$H_TMP/ctl.err"
    h_assert_eq "$?" 0 "recutctl event over HTTPS ($(cat "$H_TMP/ctl.err"))" || return 1
    "$RECUTCTL" -s "https://127.0.0.1:$H_HTTP_PORT" --cacert "$PKI/ca.pem" -T 20 \
        recs v1 -n 3 >"$H_TMP/ctl.out" 2>"$H_TMP/ctl.err"
    h_assert_eq "$?" 0 "recutctl recs over HTTPS ($(cat "$H_TMP/ctl.err"))" || return 1
    grep -q '"m2"' "$H_TMP/ctl.out" || h_check_failed "recutctl recs: $(head -c 300 "$H_TMP/ctl.out")"
    # plain recutctl against the HTTPS port gets no answer, and a hint
    "$RECUTCTL" -s "127.0.0.1:$H_HTTP_PORT" -T 20 health >"$H_TMP/ctl.out" 2>"$H_TMP/ctl.err"
    h_assert_eq "$?" 2 "plain recutctl against the HTTPS port" || return 1
    grep -q 'https://' "$H_TMP/ctl.err" || h_check_failed "no HTTPS hint: $(cat "$H_TMP/ctl.err")"
}

case_rotate() {
    h_assert_eq "$(served_cn)" "recut test server" "certificate served before the reload" || return 1
    local reloads
    reloads=$(h_metric recut_reloads_total)
    cp "$PKI/rotated.pem" "$H_TMP/cert.pem"
    cp "$PKI/rotated.key" "$H_TMP/key.pem"
    kill -HUP "$H_RECUTD_PID"
    h_wait_metric recut_reloads_total $((reloads + 1)) || { h_check_failed "reload not counted"; return 1; }
    h_assert_eq "$(served_cn)" "recut rotated server" "certificate served after the reload" || return 1
    h_http GET /v1/health
    h_assert_eq "$H_STATUS" 200 "health over HTTPS after the rotation" || return 1
    # a rotation gone wrong (the key is not the certificate's): refused,
    # the running certificate stays
    cp "$PKI/server.pem" "$H_TMP/cert.pem"
    local refused
    refused=$(grep -c 'reload refused' "$H_RECUTD_LOG")
    kill -HUP "$H_RECUTD_PID"
    h_wait_for "$H_TIMEOUT" "the reload to be refused" \
        eval '[ "$(grep -c "reload refused.*http.tls_key" "$H_RECUTD_LOG")" -gt "$refused" ]' ||
        { h_check_failed "no 'reload refused ... http.tls_key' in the log"; return 1; }
    h_assert_eq "$(served_cn)" "recut rotated server" "certificate served after a refused reload" || return 1
    h_http GET /v1/health
    h_assert_eq "$H_STATUS" 200 "health over HTTPS after a refused reload"
}

# hup_and_wait: SIGHUP, and wait until the reload is logged (the log, not
# /metrics: curl may not trust the certificate being tried)
hup_and_wait() {
    local n
    n=$(grep -c 'configuration reloaded' "$H_RECUTD_LOG")
    kill -HUP "$H_RECUTD_PID"
    h_wait_for "$H_TIMEOUT" "reload $((n + 1)) in the log" \
        eval '[ "$(grep -c "configuration reloaded" "$H_RECUTD_LOG")" -gt "$n" ]'
}

case_wrong_name() {
    # a certificate the CA signed for another host: recutctl refuses it
    cp "$PKI/elsewhere.pem" "$H_TMP/cert.pem"
    cp "$PKI/elsewhere.key" "$H_TMP/key.pem"
    hup_and_wait || { h_check_failed "reload not counted"; return 1; }
    h_assert_eq "$(served_cn)" elsewhere.example "certificate served" || return 1
    local host rc
    for host in 127.0.0.1 localhost; do
        "$RECUTCTL" -s "https://$host:$H_HTTP_PORT" --cacert "$PKI/ca.pem" -T 20 health \
            >"$H_TMP/ctl.out" 2>"$H_TMP/ctl.err"
        rc=$?
        h_assert_eq "$rc" 2 "recutctl to $host with a certificate for elsewhere.example" || return 1
        grep -q 'certificate verification failed:.*mismatch' "$H_TMP/ctl.err" ||
            { h_check_failed "recutctl to $host: $(cat "$H_TMP/ctl.err")"; return 1; }
    done
}

case_tls_off_on() {
    # emptying both keys and reloading serves new connections plain HTTP;
    # setting them again, HTTPS
    cp "$CONF" "$H_TMP/tls.conf"
    sed -i '/^tls_cert = /d; /^tls_key = /d' "$CONF"
    hup_and_wait || { h_check_failed "reload not counted"; return 1; }
    H_SCHEME=http
    h_http GET /v1/health
    h_assert_eq "$H_STATUS" 200 "plain HTTP after emptying tls_cert and tls_key" || return 1
    # recutctl speaking TLS to it says why it gets nothing
    "$RECUTCTL" -s "https://127.0.0.1:$H_HTTP_PORT" --cacert "$PKI/ca.pem" -T 20 health \
        >"$H_TMP/ctl.out" 2>"$H_TMP/ctl.err"
    h_assert_eq "$?" 2 "recutctl -s https:// to a plain HTTP port" || return 1
    grep -q 'TLS handshake failed: wrong version number (the server speaks plain HTTP' "$H_TMP/ctl.err" ||
        { h_check_failed "recutctl to a plain port: $(cat "$H_TMP/ctl.err")"; return 1; }
    cp "$PKI/server.pem" "$H_TMP/cert.pem"
    cp "$PKI/server.key" "$H_TMP/key.pem"
    cp "$H_TMP/tls.conf" "$CONF"
    hup_and_wait || { h_check_failed "reload not counted"; return 1; }
    h_http GET /v1/health
    h_assert_eq "$H_STATUS" 000 "plain HTTP after setting them again" || return 1
    H_SCHEME=https
    h_http GET /v1/health
    h_assert_eq "$H_STATUS" 200 "HTTPS after setting them again"
}

h_case "health over HTTPS with curl --cacert" case_health
h_case "events and recommendations over HTTPS" case_recs
h_case "plain HTTP to the HTTPS port gets nothing" case_plain_refused
h_case "a client that does not trust the CA fails verification" case_untrusted
h_case "recutctl -s https://... --cacert" case_recutctl
h_case "SIGHUP serves a rotated certificate to new connections" case_rotate
h_case "recutctl refuses a certificate for another host" case_wrong_name
h_case "a reload turns TLS off and on again" case_tls_off_on
h_done
