#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Redis over TLS, the deployment recipe of recutd(8): a redis-server with a
# TLS port and no plain one (--port 0), Debian's stunnel4 in client mode on
# a loopback port, and recutd's [redis] address naming that port.  stunnel
# runs the shipped conf/stunnel-redis.conf.example itself (paths and ports
# replaced), with certificates the test makes (openssl).  Checked: events
# are applied and recommendations served through the tunnel, Redis has no
# plain port, and a tunnel that does not trust Redis's CA carries nothing.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3 openssl
STUNNEL=$(command -v stunnel4 || command -v stunnel) || h_skip "stunnel4 is not installed"
H_NO_KAFKA=1
EXAMPLE=$top_srcdir/conf/stunnel-redis.conf.example
[ -r "$EXAMPLE" ] || h_fail "no $EXAMPLE"

PKI=$H_TMP/pki
mkdir -p "$PKI"
# sign NAME CN SAN: NAME.key and NAME.pem signed by the CA ca.pem
sign() {
    openssl req -newkey rsa:2048 -nodes -keyout "$PKI/$1.key" -out "$PKI/$1.csr" \
        -subj "/CN=$2" >>"$PKI/openssl.log" 2>&1 &&
        printf '%s\n' "$3" >"$PKI/$1.ext" &&
        openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
            -CAcreateserial -days 2 -extfile "$PKI/$1.ext" -out "$PKI/$1.pem" \
            >>"$PKI/openssl.log" 2>&1 ||
        h_fail "openssl could not make $1: $(cat "$PKI/openssl.log")"
}
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.pem" -days 2 \
    -subj "/CN=recut test CA" >>"$PKI/openssl.log" 2>&1 || h_fail "openssl could not make the CA"
sign redis "recut test redis" "subjectAltName=DNS:localhost,IP:127.0.0.1"
sign client "recut test stunnel" "extendedKeyUsage=clientAuth"
# another CA, which did not sign Redis's certificate
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/other-ca.key" -out "$PKI/other-ca.pem" \
    -days 2 -subj "/CN=other CA" >>"$PKI/openssl.log" 2>&1 || h_fail "openssl: other CA"

# redis-server: TLS only
TLS_PORT=$(h_free_port) || h_fail "no free port"
mkdir -p "$H_TMP/redis"
"$REDIS_SERVER" --port 0 --tls-port "$TLS_PORT" --bind 127.0.0.1 \
    --tls-cert-file "$PKI/redis.pem" --tls-key-file "$PKI/redis.key" \
    --tls-ca-cert-file "$PKI/ca.pem" --tls-auth-clients yes \
    --save '' --appendonly no --dir "$H_TMP/redis" --daemonize no \
    --logfile "$H_TMP/redis/redis.log" --databases 1 >/dev/null 2>&1 &
h_track $!
REDIS_PID=$!

# start_stunnel NAME CAFILE: the shipped example on a free local port;
# sets LOCAL_PORT
start_stunnel() {
    LOCAL_PORT=$(h_free_port) || h_fail "no free port"
    sed -e "s|^accept = 127.0.0.1:6380|accept = 127.0.0.1:$LOCAL_PORT|" \
        -e "s|^connect = redis.example.net:6379|connect = 127.0.0.1:$TLS_PORT|" \
        -e "s|^checkHost = redis.example.net|checkHost = localhost|" \
        -e "s|^CAfile = .*|CAfile = $2|" \
        -e "s|/etc/stunnel/recut-redis/|$PKI/|g" "$EXAMPLE" >"$H_TMP/$1.conf"
    # every line the test replaces must be in the example as shipped
    local n
    n=$(grep -c -e "^accept = 127.0.0.1:$LOCAL_PORT\$" -e "^connect = 127.0.0.1:$TLS_PORT\$" \
        -e '^checkHost = localhost$' -e "^CAfile = $2\$" -e "^cert = $PKI/client.pem\$" \
        -e "^key = $PKI/client.key\$" "$H_TMP/$1.conf")
    [ "$n" = 6 ] || h_fail "the example's lines changed: cannot adapt $EXAMPLE ($n of 6)"
    "$STUNNEL" "$H_TMP/$1.conf" >"$H_TMP/$1.log" 2>&1 &
    h_track $!
    h_wait_for 20 "stunnel $1 to listen" \
        bash -c "exec 3<>/dev/tcp/127.0.0.1/$LOCAL_PORT" 2>/dev/null ||
        h_fail "stunnel $1 did not start: $(tail -5 "$H_TMP/$1.log")"
}

start_stunnel stunnel "$PKI/ca.pem"
H_REDIS_PORT=$LOCAL_PORT
H_REDIS_ADDR=127.0.0.1:$LOCAL_PORT
h_wait_for 20 "Redis through the tunnel" \
    bash -c "[ \"\$(redis-cli -h 127.0.0.1 -p $LOCAL_PORT ping 2>/dev/null)\" = PONG ]" ||
    h_fail "no PONG through stunnel: $(tail -5 "$H_TMP/stunnel.log") $(tail -5 "$H_TMP/redis/redis.log")"

CONF=$H_TMP/recutd.conf
h_write_config "$CONF"
grep -q "^address = 127.0.0.1:$LOCAL_PORT\$" "$CONF" || h_fail "recutd.conf does not name the tunnel"
h_start_recutd "$CONF"

case_no_plain_port() {
    h_assert_eq "$(h_redis CONFIG GET port | tail -1)" 0 "Redis's plain port (CONFIG GET port)" || return 1
    h_assert_eq "$(h_redis CONFIG GET tls-port | tail -1)" "$TLS_PORT" "Redis's TLS port" || return 1
    # a plain client on the TLS port gets no answer
    h_assert_ne "$(timeout 10 redis-cli -h 127.0.0.1 -p "$TLS_PORT" ping 2>/dev/null)" PONG \
        "plain PING on Redis's TLS port" || return 1
    # nothing else of Redis's listens: its only socket is the TLS port
    local ports
    ports=$(ss -Hltnp 2>/dev/null | grep "pid=$REDIS_PID," | awk '{print $4}' | sed 's/.*://' | sort -u | tr '\n' ' ')
    [ -z "$ports" ] || h_assert_eq "$ports" "$TLS_PORT " "ports redis-server listens on"
}

case_events_and_recs() {
    local m
    for m in 1 2 3 4; do h_put_movie "m$m" 1800 9 Drama; done
    { h_event v1 like m1 e1; h_event v2 like m1 e2; h_event v2 like m2 e3; } >"$H_TMP/ev.ndjson"
    h_http POST /v1/events "$H_TMP/ev.ndjson"
    h_assert_eq "$H_STATUS" 200 "POST /v1/events ($(head -c 200 "$H_BODY"))" || return 1
    h_assert_eq "$(h_json "$H_BODY" 'd["accepted"]')" 3 "events accepted" || return 1
    h_assert_ne "$(h_redis_scan 'recut:{u:v2}:*')" "" "v2's keys in Redis, read through the tunnel" || return 1
    h_http GET "/v1/users/v1/recommendations?n=3"
    h_assert_eq "$H_STATUS" 200 "recommendations through the tunnel" || return 1
    h_assert_true "m2 among v1's recommendations ($(head -c 300 "$H_BODY"))" grep -q '"m2"' "$H_BODY" || return 1
    h_http GET /v1/health
    h_assert_eq "$(h_json "$H_BODY" 'd["redis"]')" true "health says Redis is up"
}

case_untrusted_redis() {
    # the same recipe trusting another CA: stunnel refuses Redis's
    # certificate, and nothing gets through
    start_stunnel untrusted "$PKI/other-ca.pem"
    h_assert_ne "$(timeout 10 redis-cli -h 127.0.0.1 -p "$LOCAL_PORT" ping 2>/dev/null)" PONG \
        "PING through a tunnel that does not trust Redis's CA" || return 1
    h_wait_for 10 "stunnel to log the refused certificate" \
        grep -qi 'certificate verify failed\|CERT: Verification error\|Rejected by CERT' "$H_TMP/untrusted.log" ||
        h_check_failed "stunnel log: $(tail -5 "$H_TMP/untrusted.log")"
}

case_documented() {
    # recutd(8) shows the example's settings, each as shipped
    local line missing=""
    while IFS= read -r line; do
        grep -qFx -- "$line" "$top_srcdir/man/recutd.8" || missing="$missing [$line]"
    done < <(grep -v -e '^;' -e '^$' "$EXAMPLE")
    h_assert_eq "$missing" "" "settings of the example missing from recutd(8)"
}

h_case "recutd(8) shows the shipped stunnel configuration" case_documented
h_case "Redis has no plain port" case_no_plain_port
h_case "events applied and recommendations served through the tunnel" case_events_and_recs
h_case "a tunnel that does not trust Redis's CA carries nothing" case_untrusted_redis
h_done
