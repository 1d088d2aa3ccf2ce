#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A Redis Cluster over TLS, the recipe of recutd(8) (REDIS CLUSTER): three
# masters with a TLS port and no plain one (TLS on the cluster bus too),
# one stunnel client service per node on recutd's host, and each node
# announcing its tunnel's port (cluster-announce-tls-port), so that the
# slot map recutd reads through a tunnel names the tunnels.  recutd gets
# the tunnels as seeds.  Checked: the map names only tunnel ports, events
# are applied through the tunnels to every master, recommendations are
# served, and the nodes have no plain port.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3 openssl
STUNNEL=$(command -v stunnel4 || command -v stunnel) || h_skip "stunnel4 is not installed"
H_NO_KAFKA=1

PKI=$H_TMP/pki
mkdir -p "$PKI"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.pem" -days 2 \
    -subj "/CN=recut test CA" >>"$PKI/openssl.log" 2>&1 || h_fail "openssl could not make the CA"
openssl req -newkey rsa:2048 -nodes -keyout "$PKI/redis.key" -out "$PKI/redis.csr" \
    -subj "/CN=recut test redis" >>"$PKI/openssl.log" 2>&1 &&
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$PKI/redis.ext" &&
    openssl x509 -req -in "$PKI/redis.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
        -CAcreateserial -days 2 -extfile "$PKI/redis.ext" -out "$PKI/redis.pem" \
        >>"$PKI/openssl.log" 2>&1 || h_fail "openssl: $(tail -3 "$PKI/openssl.log")"
TLS="--tls --cacert $PKI/ca.pem"

# three masters, TLS only (client port and bus)
TLS_PORTS="" LOCAL_PORTS=""
for i in 1 2 3; do
    port=$(h_cluster_port) || h_fail "no free port pair"
    dir=$H_TMP/node$i
    mkdir -p "$dir"
    "$REDIS_SERVER" --port 0 --tls-port "$port" --bind 127.0.0.1 --tls-cluster yes \
        --tls-cert-file "$PKI/redis.pem" --tls-key-file "$PKI/redis.key" \
        --tls-ca-cert-file "$PKI/ca.pem" --tls-auth-clients no \
        --cluster-enabled yes --cluster-config-file "$dir/nodes.conf" \
        --cluster-node-timeout 3000 --save '' --appendonly no --dir "$dir" \
        --daemonize no --logfile "$dir/redis.log" >/dev/null 2>&1 &
    h_track $!
    TLS_PORTS="$TLS_PORTS $port"
done
for port in $TLS_PORTS; do
    # shellcheck disable=SC2086
    h_wait_for 20 "node $port" bash -c "[ \"\$(redis-cli $TLS -p $port ping 2>/dev/null)\" = PONG ]" ||
        h_fail "node $port did not start"
done
# shellcheck disable=SC2086
redis-cli $TLS --cluster create $(printf '127.0.0.1:%s ' $TLS_PORTS) --cluster-yes \
    >"$H_TMP/create.log" 2>&1 || h_fail "cluster create: $(tail -3 "$H_TMP/create.log")"

# the tunnels: one service per node, as the shipped example's one
{
    printf 'foreground = yes\npid =\n'
    for port in $TLS_PORTS; do
        lp=$(h_free_port) || h_fail "no free port"
        LOCAL_PORTS="$LOCAL_PORTS $lp"
        printf '[node-%s]\nclient = yes\naccept = 127.0.0.1:%s\nconnect = 127.0.0.1:%s\n' \
            "$port" "$lp" "$port"
        printf 'CAfile = %s\nverifyChain = yes\ncheckHost = localhost\nsslVersionMin = TLSv1.2\n' \
            "$PKI/ca.pem"
        # each node names its tunnel as its address in the slot map
        # shellcheck disable=SC2086
        redis-cli $TLS -p "$port" config set cluster-announce-tls-port "$lp" >/dev/null ||
            h_fail "config set on $port"
    done
} >"$H_TMP/stunnel.conf"
"$STUNNEL" "$H_TMP/stunnel.conf" >"$H_TMP/stunnel.log" 2>&1 &
h_track $!
LOCAL_PORTS=${LOCAL_PORTS# }
for lp in $LOCAL_PORTS; do
    h_wait_for 30 "cluster_state:ok through $lp" \
        bash -c "redis-cli -p $lp cluster info 2>/dev/null | grep -q '^cluster_state:ok'" ||
        h_fail "no cluster through the tunnel $lp: $(tail -5 "$H_TMP/stunnel.log")"
done
H_REDIS_PORT=${LOCAL_PORTS%% *}
H_REDIS_ADDR=$(printf '127.0.0.1:%s,' $LOCAL_PORTS)
H_REDIS_ADDR=${H_REDIS_ADDR%,}

case_map_names_tunnels() {
    local lp got
    for lp in $LOCAL_PORTS; do
        h_wait_for 20 "the slot map through $lp to name the tunnels" bash -c \
            "[ \"\$(redis-cli -p $lp --raw cluster slots | grep -xE '[0-9]+' | awk '\$1 > 16383' | sort -u | tr '\n' ' ')\" = \"$(printf '%s\n' $LOCAL_PORTS | sort | tr '\n' ' ')\" ]" ||
            { h_check_failed "CLUSTER SLOTS through $lp: $(redis-cli -p "$lp" --raw cluster slots | tr '\n' ' ')"; return 1; }
    done
    for got in $TLS_PORTS; do
        # shellcheck disable=SC2086
        h_assert_eq "$(redis-cli $TLS -p "$got" config get port | tail -1)" 0 "plain port of node $got" || return 1
    done
}

case_events_through_tunnels() {
    h_write_config "$H_TMP/recutd.conf"
    printf '[plugins]\nload = highlights\n' >>"$H_TMP/recutd.conf"
    h_start_recutd "$H_TMP/recutd.conf"
    local v k p n=0
    for k in 1 2 3 4 5 6; do h_put_movie "m$k" 1800 6 "G$((k % 3))"; done
    for v in $(seq 1 30); do
        for k in 1 2 3; do h_event "t$v" like "m$(((v + k) % 6 + 1))" "t$v-$k"; done
    done >"$H_TMP/events.ndjson"
    h_http POST /v1/events "$H_TMP/events.ndjson"
    h_assert_eq "$H_STATUS" 200 "POST of 90 events ($(head -c 200 "$H_BODY"))" || return 1
    h_wait_metric recut_events_applied_total 90 || return 1
    for p in $LOCAL_PORTS; do
        [ -n "$(redis-cli -p "$p" --scan --pattern 'recut:{u:t*' | head -1)" ] && n=$((n + 1))
    done
    h_assert_eq "$n" 3 "masters holding viewers, reached through their tunnels" || return 1
    h_assert_eq "$(redis-cli -c -p "$H_REDIS_PORT" get 'recut:{u:t7}:state' | h_viewer_blob meta events)" 3 "events of t7" || return 1
    h_http GET "/v1/users/t7/recommendations?n=3"
    h_assert_eq "$H_STATUS" 200 "recommendations of t7" || return 1
    h_stop_recutd
}

h_case "the slot map read through a tunnel names the tunnels; no plain port" case_map_names_tunnels
h_case "events applied on every master through the tunnels" case_events_through_tunnels
h_done
