# SPDX-License-Identifier: Apache-2.0
# tests/helpers/harness.sh -- helpers for recut's integration tests (bash).
#
# Source it from a test script:
#
#     . "$srcdir/helpers/harness.sh"          # creates $H_TMP, installs the trap
#     h_start_stack 4 "$H_TMP/recutd.conf"  # Redis, Kafka, config (or skip)
#     h_start_recutd "$H_TMP/recutd.conf"
#     h_case "events are applied" case_events
#     h_done
#
# The Makefile (tests/Makefile.am) exports top_builddir, top_srcdir, srcdir
# (all absolute), REDIS_SERVER, SYS_PYTHON3 and CC.  Every process a test
# starts is killed, and its temp dir removed, when the script exits (set
# H_KEEP=1 to keep the temp dir).  Nothing listens on a fixed port: Redis,
# the mock Kafka cluster and recutd get free loopback ports.
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip (only for a missing
# tool, never because the daemon misbehaves), 99 hard error.

: "${top_builddir:?top_builddir must be set (run through make check)}"
: "${top_srcdir:?top_srcdir must be set (run through make check)}"
: "${REDIS_SERVER:=redis-server}"
: "${SYS_PYTHON3:=/usr/bin/python3}"
: "${CC:=cc}"
: "${H_TIMEOUT:=${RECUT_TEST_TIMEOUT:-60}}"   # seconds any single wait may take

H_NAME=$(basename "$0" .sh)
H_RECUTD=${RECUTD:-$top_builddir/daemon/recutd}
H_MOCKKAFKA=${RECUT_MOCKKAFKA:-$top_builddir/tests/helpers/recut-mockkafka}
H_PLUGIN_DIR=${RECUT_PLUGIN_DIR:-$top_builddir/plugins/.libs}
H_PIDS=""
H_FAILS=0
H_CASES=0
H_CASE_FAILED=0
H_RECUTD_PID=""
H_RECUTD_LOG=""
H_RECUTD_N=0
H_STATUS=""
H_TMP=$(mktemp -d "${TMPDIR:-/tmp}/recut-$H_NAME.XXXXXX") || {
    echo "harness: cannot create a temp dir" >&2
    exit 99
}
H_BODY=$H_TMP/http.body

# ---------------------------------------------------------------------------
# reporting

h_log() { printf '# %s\n' "$*"; }

h_skip() {
    printf 'SKIP: %s\n' "$*"
    exit 77
}

# Dump what helps diagnose a failure: the daemon's stderr, Redis' log.
h_dump_logs() {
    local f
    for f in "$H_TMP"/recutd.*.log; do
        [ -f "$f" ] || continue
        printf '%s\n' "----- $(basename "$f") (last 60 lines) -----"
        tail -n 60 "$f"
    done
    for f in "$H_TMP"/redis/redis.log "$H_TMP"/kafka.log; do
        [ -s "$f" ] || continue
        printf '%s\n' "----- $(basename "$f") (last 15 lines) -----"
        tail -n 15 "$f"
    done
}

# Fatal: the test cannot go on.
h_fail() {
    printf 'FAIL: %s\n' "$*"
    h_dump_logs
    exit 1
}

# Non-fatal failed check inside a case; returns 1 so callers can `|| return 1`.
h_check_failed() {
    printf '  not ok: %s\n' "$*"
    H_CASE_FAILED=1
    return 1
}

h_assert_eq() { # GOT EXPECTED WHAT
    if [ "$1" = "$2" ]; then return 0; fi
    h_check_failed "$3: got '$1', expected '$2'"
}

h_assert_ne() { # GOT UNEXPECTED WHAT
    if [ "$1" != "$2" ]; then return 0; fi
    h_check_failed "$3: got '$1', which it must not be"
}

h_assert_true() { # WHAT CMD...
    local what=$1
    shift
    if "$@"; then return 0; fi
    h_check_failed "$what"
}

# Numeric comparison with awk (handles floats): h_assert_num A OP B WHAT
h_assert_num() {
    if awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
            if (a !~ /^-?[0-9.eE+-]+$/ || b !~ /^-?[0-9.eE+-]+$/) exit 1
            a += 0; b += 0
            if (op == "<") exit !(a < b); if (op == "<=") exit !(a <= b)
            if (op == ">") exit !(a > b); if (op == ">=") exit !(a >= b)
            if (op == "==") exit !(a == b); if (op == "!=") exit !(a != b)
            exit 1 }'; then
        return 0
    fi
    h_check_failed "$4: expected $1 $2 $3"
}

# Run one case (a shell function): h_case "what it checks" FUNCTION [ARGS]
h_case() {
    local what=$1
    shift
    H_CASES=$((H_CASES + 1))
    H_CASE_FAILED=0
    printf '%s\n' "case $H_CASES: $what"
    # With H_RESTART_ON_CRASH=1 a daemon that died in an earlier case is
    # started again (same config and arguments), so one crash does not
    # hide what the later cases would find.
    [ -n "${H_RESTART_ON_CRASH:-}" ] && h_recutd_gone_note
    if [ -n "${H_RESTART_ON_CRASH:-}" ] && [ -n "${H_RECUTD_ARGS:-}" ] && [ -z "$H_RECUTD_PID" ]; then
        h_log "starting recutd again after its crash"
        eval "h_start_recutd $H_RECUTD_ARGS"
    fi
    "$@" || H_CASE_FAILED=1
    if [ "$H_CASE_FAILED" -ne 0 ]; then
        H_FAILS=$((H_FAILS + 1))
        h_recutd_gone_note
        printf '%s\n' "FAIL case $H_CASES: $what"
    else
        printf '%s\n' "ok case $H_CASES: $what"
    fi
}

# After a failure: say so if the daemon died (a crash explains every
# "status 000" that follows).
h_recutd_gone_note() {
    [ -n "$H_RECUTD_PID" ] || return 0
    kill -0 "$H_RECUTD_PID" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$H_RECUTD_PID/stat" 2>/dev/null)" != Z ] && return 0
    wait "$H_RECUTD_PID" 2>/dev/null
    local rc=$?
    h_untrack "$H_RECUTD_PID"
    H_RECUTD_PID=""
    if [ "$rc" -gt 128 ]; then
        printf '  recutd died: killed by signal %d (%s)\n' $((rc - 128)) "$(kill -l $((rc - 128)) 2>/dev/null)"
    else
        printf '  recutd died: exit status %d\n' "$rc"
    fi
}

# End of the test: exit 0 if every case passed.
h_done() {
    if [ "$H_FAILS" -ne 0 ]; then
        printf '%s\n' "$H_NAME: $H_FAILS of $H_CASES case(s) failed"
        h_dump_logs
        exit 1
    fi
    printf '%s\n' "$H_NAME: all $H_CASES case(s) passed"
    exit 0
}

# ---------------------------------------------------------------------------
# prerequisites

# Skip the test (exit 77) if a tool is not installed.
h_require_tools() {
    local t path
    for t in "$@"; do
        case $t in
        redis-server) path=$REDIS_SERVER ;;
        python3) path=$SYS_PYTHON3 ;;
        cc) path=${CC%% *} ;;
        *) path=$t ;;
        esac
        command -v "$path" >/dev/null 2>&1 || h_skip "$t is not installed"
    done
}

# The mock Kafka helper is only built when librdkafka ships rdkafka_mock.h.
h_require_mockkafka() {
    [ -x "$H_MOCKKAFKA" ] ||
        h_skip "recut-mockkafka was not built (librdkafka without rdkafka_mock.h?)"
}

# The daemon must exist; its absence is a failure, not a skip.
h_require_recutd() {
    [ -x "$H_RECUTD" ] || h_fail "recutd not built: $H_RECUTD"
}

# ---------------------------------------------------------------------------
# processes and cleanup

h_track() { H_PIDS="$H_PIDS $1"; }

h_untrack() {
    local p keep=""
    for p in $H_PIDS; do [ "$p" = "$1" ] || keep="$keep $p"; done
    H_PIDS=$keep
}

# Wait for PID to exit within SECONDS; sets H_RC to its exit status.
# Returns 1 (and leaves it running) on timeout.
h_wait_exit() { # PID SECONDS
    local pid=$1 deadline=$((SECONDS + $2))
    while kill -0 "$pid" 2>/dev/null; do
        # a zombie child still answers kill -0: check its state
        if [ -r "/proc/$pid/stat" ] &&
            [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then
            break
        fi
        [ "$SECONDS" -ge "$deadline" ] && return 1
        sleep 0.1
    done
    wait "$pid" 2>/dev/null
    H_RC=$?
    return 0
}

h_kill() { # PID: TERM, then KILL after 10 s
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    if ! h_wait_exit "$pid" 10; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
}

h_cleanup() {
    local rc=$? p
    trap - EXIT INT TERM HUP
    for p in $H_PIDS; do h_kill "$p"; done
    if [ -n "${H_KEEP:-}" ]; then
        echo "# temp dir kept: $H_TMP"
    else
        rm -rf "$H_TMP"
    fi
    exit "$rc"
}
trap h_cleanup EXIT
trap 'exit 99' INT TERM HUP

# Poll: h_wait_for SECONDS "what" CMD... (every 0.2 s).  Returns 1 on
# timeout, and at once if recutd was started and has died meanwhile.
h_wait_for() {
    local start=$SECONDS deadline=$((SECONDS + $1)) what=$2
    shift 2
    while :; do
        "$@" && return 0
        if [ -n "$H_RECUTD_PID" ] && { ! kill -0 "$H_RECUTD_PID" 2>/dev/null ||
            [ "$(awk '{print $3}' "/proc/$H_RECUTD_PID/stat" 2>/dev/null)" = Z ]; }; then
            printf '  gave up waiting for %s: recutd is gone\n' "$what"
            return 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            printf '  timed out after %ss waiting for %s\n' "$((SECONDS - start))" "$what"
            return 1
        fi
        sleep 0.2
    done
}

# A free TCP port on 127.0.0.1 (the kernel picks it; a port already handed
# out by this script is never returned twice).  Callers that bind it retry
# on "address in use" because another process may grab it meanwhile.
H_PORTS_USED=" "
h_free_port() {
    local port i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        port=$("$SYS_PYTHON3" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()') || return 1
        case $H_PORTS_USED in *" $port "*) continue ;; esac
        H_PORTS_USED="$H_PORTS_USED$port "
        printf '%s\n' "$port"
        return 0
    done
    return 1
}

# ---------------------------------------------------------------------------
# Redis

# Start a private redis-server on a free loopback port (and a unix socket
# in the temp dir); ARGS go to redis-server (e.g. --enable-debug-command
# yes).  Sets H_REDIS_PORT, H_REDIS_ADDR (host:port), H_REDIS_SOCK,
# H_REDIS_PID.  H_REDIS_CLI_ARGS are given to every h_redis call (e.g.
# --user U --pass P).
h_start_redis() { # [ARGS...]
    local dir=$H_TMP/redis try port pid
    mkdir -p "$dir"
    for try in 1 2 3 4 5; do
        port=$(h_free_port) || h_fail "no free port for redis"
        : >"$dir/redis.log"
        "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
            --dir "$dir" --daemonize no --logfile "$dir/redis.log" \
            --unixsocket "$dir/redis.sock" --unixsocketperm 700 \
            --databases 1 "$@" >/dev/null 2>&1 &
        pid=$!
        h_track "$pid"
        local deadline=$((SECONDS + 15))
        while [ "$SECONDS" -lt "$deadline" ]; do
            # shellcheck disable=SC2086
            if [ "$(redis-cli -h 127.0.0.1 -p "$port" ${H_REDIS_CLI_ARGS:-} ping 2>/dev/null)" = PONG ]; then
                H_REDIS_PORT=$port H_REDIS_ADDR=127.0.0.1:$port
                H_REDIS_SOCK=$dir/redis.sock H_REDIS_PID=$pid
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        h_kill "$pid"
        h_untrack "$pid"
        grep -qi 'in use' "$dir/redis.log" || break
    done
    h_fail "redis-server did not answer PING"
}

# shellcheck disable=SC2086
h_redis() { redis-cli -h 127.0.0.1 -p "$H_REDIS_PORT" ${H_REDIS_CLI_ARGS:-} --raw "$@"; }

# One part of a viewer's state blob (recut:{u:USER}:state) as
# redis_state.py --viewer prints it: h_viewer USER PART [FIELD], e.g.
# h_viewer u1 meta events; nothing when the viewer has no state.
# h_viewer_blob PART [FIELD] decodes a blob read some other way from stdin.
h_viewer_blob() { "${SYS_PYTHON3:-python3}" "$top_srcdir/tests/helpers/redis_state.py" --viewer "$@"; }
h_viewer() {
    _hv_u=$1
    shift
    h_redis GET "recut:{u:$_hv_u}:state" | h_viewer_blob "$@"
}

# Every key matching PATTERN, sorted, one a line.
# shellcheck disable=SC2086
h_redis_scan() { redis-cli -h 127.0.0.1 -p "$H_REDIS_PORT" ${H_REDIS_CLI_ARGS:-} --raw --scan --pattern "$1" | sort; }

# A free port P on 127.0.0.1 below 55535 whose cluster bus port P+10000 is
# free too (a Redis Cluster node listens on both).
h_cluster_port() {
    local port i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        port=$("$SYS_PYTHON3" -c 'import random, socket
for _ in range(200):
    p = random.randint(20000, 45000)
    ok = True
    for q in (p, p + 10000):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", q))
        except OSError:
            ok = False
        s.close()
    if ok:
        print(p)
        break') || return 1
        [ -n "$port" ] || continue
        case $H_PORTS_USED in *" $port "* | *" $((port + 10000)) "*) continue ;; esac
        H_PORTS_USED="$H_PORTS_USED$port $((port + 10000)) "
        printf '%s\n' "$port"
        return 0
    done
    return 1
}

h_cluster_state_ok() { # PORT
    redis-cli -h 127.0.0.1 -p "$1" ${H_REDIS_CLI_ARGS:-} cluster info 2>/dev/null |
        grep -q '^cluster_state:ok'
}

# Start a Redis Cluster of three masters and three replicas (Debian's
# redis-server, --cluster-enabled yes, on free loopback ports below 55535
# with their bus ports free too), join it with redis-cli --cluster create
# and wait until every node says cluster_state:ok.  ARGS go to every
# redis-server.  Sets H_CLUSTER_PORTS (space-separated), H_CLUSTER_ADDR
# (host:port,host:port,...), H_REDIS_PORT and H_REDIS_ADDR (the first node).
h_start_redis_cluster() { # [ARGS...]
    local i port pid dir nodes="" deadline
    H_CLUSTER_PORTS=""
    for i in 1 2 3 4 5 6; do
        port=$(h_cluster_port) || h_fail "no free port pair for a cluster node"
        dir=$H_TMP/cluster/$port
        mkdir -p "$dir"
        "$REDIS_SERVER" --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
            --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 3000 \
            --save '' --appendonly no --dir "$dir" --daemonize no \
            --logfile "$dir/redis.log" "$@" >/dev/null 2>&1 &
        pid=$!
        h_track "$pid"
        deadline=$((SECONDS + 15))
        # shellcheck disable=SC2086
        until [ "$(redis-cli -h 127.0.0.1 -p "$port" ${H_REDIS_CLI_ARGS:-} ping 2>/dev/null)" = PONG ]; do
            kill -0 "$pid" 2>/dev/null || h_fail "cluster node on $port exited: $(tail -3 "$dir/redis.log")"
            [ "$SECONDS" -ge "$deadline" ] && h_fail "cluster node on $port did not answer PING"
            sleep 0.1
        done
        H_CLUSTER_PORTS="$H_CLUSTER_PORTS${H_CLUSTER_PORTS:+ }$port"
        nodes="$nodes 127.0.0.1:$port"
    done
    # shellcheck disable=SC2086
    redis-cli ${H_REDIS_CLI_ARGS:-} --cluster create $nodes --cluster-replicas 1 --cluster-yes \
        >"$H_TMP/cluster/create.log" 2>&1 ||
        h_fail "redis-cli --cluster create failed: $(tail -5 "$H_TMP/cluster/create.log")"
    for port in $H_CLUSTER_PORTS; do
        h_wait_for "$H_TIMEOUT" "cluster_state:ok on $port" h_cluster_state_ok "$port" ||
            h_fail "the cluster did not come up"
    done
    H_CLUSTER_ADDR=$(printf '127.0.0.1:%s,' $H_CLUSTER_PORTS)
    H_CLUSTER_ADDR=${H_CLUSTER_ADDR%,}
    H_REDIS_PORT=${H_CLUSTER_PORTS%% *}
    H_REDIS_ADDR=127.0.0.1:$H_REDIS_PORT
}

# ---------------------------------------------------------------------------
# Kafka (recut-mockkafka)

# The stack most integration tests run on: skip unless redis-server,
# redis-cli, kcat, curl, python3 and recut-mockkafka are there, start Redis
# and a mock Kafka cluster with recut.events in PARTITIONS partitions plus
# recut.catalog, recut.published and recut.deadletter, and write recutd's
# configuration for them to CONF.
h_start_stack() { # PARTITIONS CONF
    h_require_tools redis-server redis-cli kcat curl python3
    h_require_mockkafka
    h_start_redis
    h_start_kafka "recut.events:$1" recut.catalog recut.published recut.deadletter
    h_write_config "$2"
}

# h_start_kafka TOPIC[:PARTITIONS]...: sets H_KAFKA (bootstrap list).
h_start_kafka() {
    local args="" t pid
    h_require_mockkafka
    for t in "$@"; do args="$args --topic $t"; done
    rm -f "$H_TMP/kafka.boot"
    # shellcheck disable=SC2086
    "$H_MOCKKAFKA" $args --bootstraps-file "$H_TMP/kafka.boot" \
        >"$H_TMP/kafka.out" 2>"$H_TMP/kafka.log" &
    pid=$!
    h_track "$pid"
    H_KAFKA_PID=$pid
    local deadline=$((SECONDS + 20))
    while [ ! -s "$H_TMP/kafka.boot" ]; do
        kill -0 "$pid" 2>/dev/null || h_fail "recut-mockkafka exited: $(cat "$H_TMP/kafka.log")"
        [ "$SECONDS" -ge "$deadline" ] && h_fail "recut-mockkafka did not come up"
        sleep 0.1
    done
    H_KAFKA=$(cat "$H_TMP/kafka.boot")
}

# Producer options shared by the helpers: big messages allowed, fast flush.
H_KCAT_P_OPTS="-X message.max.bytes=4000000 -X linger.ms=5"

# Produce "KEY<TAB>VALUE" lines from stdin to TOPIC (VALUE may contain tabs).
h_produce() { # TOPIC
    # shellcheck disable=SC2086
    kcat -P -b "$H_KAFKA" -t "$1" -K '\t' $H_KCAT_P_OPTS -q ||
        h_fail "kcat -P to $1 failed"
}

# Produce framed records from stdin: KEY \x1f VALUE \x1e ... (VALUE may hold
# any byte but \x1e, newlines included; an empty VALUE is an empty message).
h_produce_framed() { # TOPIC
    # shellcheck disable=SC2086
    kcat -P -b "$H_KAFKA" -t "$1" -D '\x1e' -K '\x1f' $H_KCAT_P_OPTS -q ||
        h_fail "kcat -P to $1 failed"
}

# Produce one message with key KEY, value = the bytes of FILE.
h_produce_file() { # TOPIC KEY FILE
    # shellcheck disable=SC2086
    kcat -P -b "$H_KAFKA" -t "$1" -k "$2" $H_KCAT_P_OPTS -q "$3" ||
        h_fail "kcat -P of $3 to $1 failed"
}

# Read TOPIC from the beginning to its current end into OUT, one line a
# message formatted with FORMAT (kcat -f; default "%k\t%s\n").
h_consume() { # TOPIC OUT [FORMAT]
    kcat -C -b "$H_KAFKA" -t "$1" -e -o beginning -q \
        -X fetch.message.max.bytes=4000000 -f "${3:-%k\t%s\n}" >"$2" 2>"$H_TMP/kcat-c.err"
}

# Number of messages now in TOPIC.
h_topic_count() { # TOPIC
    h_consume "$1" "$H_TMP/count.$1" '%o\n' || { echo -1; return 1; }
    wc -l <"$H_TMP/count.$1" | tr -d ' '
}

# Committed offsets of GROUP on TOPIC summed over partitions (a partition
# without a commit counts 0), and the topic's end offsets summed: prints
# "COMMITTED END".  Read-only: does not join the group.
h_committed() { # GROUP TOPIC
    "$H_MOCKKAFKA" offsets "$H_KAFKA" "$1" "$2" 2>>"$H_TMP/offsets.err" |
        awk '$1 == "total" { print $2, $3; found = 1 } END { exit !found }'
}

# ---------------------------------------------------------------------------
# HTTP (curl)

# With H_TOKEN set, h_http, h_metric and h_metric_series send it as a bearer
# token ([http] tokens_file); GET /v1/health needs none.
h_auth_args() {
    H_AUTH_ARGS=()
    [ -n "${H_TOKEN:-}" ] && H_AUTH_ARGS=(-H "Authorization: Bearer $H_TOKEN")
    return 0
}

# recutd's API is reached at $H_SCHEME://127.0.0.1:$H_HTTP_PORT with curl
# and H_CURL_TLS: a test serving HTTPS sets H_SCHEME=https and
# H_CURL_TLS=(--cacert CA.pem) before h_start_recutd.
H_SCHEME=http
H_CURL_TLS=()

# h_http METHOD PATH [BODY_FILE]: body in $H_BODY, status in $H_STATUS.
# A body is sent as Content-Type: application/json.
h_http() {
    local method=$1 path=$2 data=${3:-}
    local url="$H_SCHEME://127.0.0.1:$H_HTTP_PORT$path"
    h_auth_args
    if [ -n "$data" ]; then
        H_STATUS=$(curl -sS -m 30 "${H_CURL_TLS[@]}" -X "$method" -o "$H_BODY" -w '%{http_code}' \
            -H 'Content-Type: application/json' -H 'Expect:' "${H_AUTH_ARGS[@]}" \
            --data-binary "@$data" "$url" 2>"$H_TMP/curl.err")
    else
        H_STATUS=$(curl -sS -m 30 "${H_CURL_TLS[@]}" -X "$method" -o "$H_BODY" -w '%{http_code}' \
            "${H_AUTH_ARGS[@]}" "$url" 2>"$H_TMP/curl.err")
    fi
    [ -n "$H_STATUS" ] || H_STATUS=000
}

# h_http_body METHOD PATH 'BODY TEXT': like h_http with the body inline.
h_http_body() {
    printf '%s' "$3" >"$H_TMP/http.req"
    h_http "$1" "$2" "$H_TMP/http.req"
}

# Value of a Python expression over the JSON document in FILE, bound to d.
# Strings print bare, booleans as true/false, everything else as JSON.
# Exit status 1 if FILE is not JSON or the expression fails.
h_json() { # FILE EXPR
    "$SYS_PYTHON3" - "$1" "$2" <<'EOF'
import json, sys
try:
    with open(sys.argv[1], "rb") as f:
        d = json.loads(f.read().decode("utf-8"))
    v = eval(sys.argv[2], {"d": d, "len": len, "sum": sum, "all": all,
                           "any": any, "set": set, "sorted": sorted,
                           "isinstance": isinstance, "str": str,
                           "float": float, "int": int, "abs": abs})
except Exception as e:
    print("h_json: %s: %s" % (sys.argv[2], e), file=sys.stderr)
    sys.exit(1)
if isinstance(v, str):
    print(v)
elif isinstance(v, bool):
    print("true" if v else "false")
else:
    print(json.dumps(v, sort_keys=True))
EOF
}

# ---------------------------------------------------------------------------
# recutd

# Write a config for the running Redis/Kafka and a fresh HTTP port.  Extra
# sections may be appended by the caller afterwards.  With H_NO_KAFKA=1 the
# brokers list is empty (HTTP only).
h_write_config() { # FILE
    H_HTTP_PORT=$(h_free_port) || h_fail "no free port for recutd"
    local brokers=${H_KAFKA:-}
    [ -n "${H_NO_KAFKA:-}" ] && brokers=""
    cat >"$1" <<EOF
# written by tests/helpers/harness.sh for $H_NAME
[daemon]
log_level = info

[kafka]
brokers = $brokers
topics = recut.events
group = recutd-$H_NAME
catalog_topic = recut.catalog
publish_topic = recut.published
dead_letter_topic = recut.deadletter
commit_interval_ms = 100

[redis]
address = ${H_REDIS_ADDR:-127.0.0.1:1}
prefix = recut

[http]
listen = 127.0.0.1:$H_HTTP_PORT

[plugins]
dir = $H_PLUGIN_DIR
load = highlights,redis,kafka

[publish]
delay_ms = 100

# recut-mockkafka keeps a consumer group waiting session.timeout.ms after a
# member left; keep it short so restarts rejoin in seconds.
[librdkafka]
session.timeout.ms = 6000
EOF
}

# h_key_file FILE ID...: a [privacy] key_file with one fresh random key per
# ID (the first seals), mode 600.
h_key_file() { # FILE ID...
    local f=$1 id
    shift
    : >"$f" && chmod 600 "$f" || h_fail "cannot write $f"
    for id in "$@"; do
        printf '%s %s\n' "$id" "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >>"$f"
    done
}

# h_config_keys CONFIG FILE: append a [privacy] section naming FILE.
h_config_keys() { # CONFIG FILE
    printf '\n[privacy]\nkey_file = %s\n' "$2" >>"$1"
}

h_health_ok() {
    [ "$(curl -s -m 5 "${H_CURL_TLS[@]}" -o /dev/null -w '%{http_code}' \
        "$H_SCHEME://127.0.0.1:$H_HTTP_PORT/v1/health" 2>/dev/null)" = 200 ]
}

# h_start_recutd CONFIG [ARGS...]: start the daemon, wait until
# GET /v1/health answers 200.  Sets H_RECUTD_PID and H_RECUTD_LOG.
h_start_recutd() {
    local conf=$1 try pid
    H_RECUTD_ARGS=$(printf '%q ' "$@")
    shift
    h_require_recutd
    for try in 1 2 3; do
        H_RECUTD_N=$((H_RECUTD_N + 1))
        H_RECUTD_LOG=$H_TMP/recutd.$H_RECUTD_N.log
        if [ "$try" -gt 1 ]; then
            H_HTTP_PORT=$(h_free_port) || h_fail "no free port for recutd"
            set -- "$@" --set "http.listen=127.0.0.1:$H_HTTP_PORT"
        fi
        "$H_RECUTD" -c "$conf" "$@" 2>"$H_RECUTD_LOG" >"$H_RECUTD_LOG.out" &
        pid=$!
        h_track "$pid"
        H_RECUTD_PID=$pid
        local deadline=$((SECONDS + H_TIMEOUT))
        while [ "$SECONDS" -lt "$deadline" ]; do
            h_health_ok && return 0
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            h_fail "recutd did not answer GET /v1/health with 200 within ${H_TIMEOUT}s"
        fi
        wait "$pid" 2>/dev/null
        local rc=$?
        h_untrack "$pid"
        grep -qi 'in use' "$H_RECUTD_LOG" || h_fail "recutd exited with status $rc at start"
        h_log "HTTP port taken meanwhile, retrying on another one"
    done
    h_fail "recutd could not bind an HTTP port"
}

# SIGTERM the daemon, wait (bounded) for it; H_RC = its exit status.
h_stop_recutd() {
    local pid=$H_RECUTD_PID
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    if ! h_wait_exit "$pid" "$H_TIMEOUT"; then
        h_log "recutd did not exit within ${H_TIMEOUT}s of SIGTERM; killing it"
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        H_RC=timeout
    fi
    h_untrack "$pid"
    H_RECUTD_PID=""
}

# The /proc directory of the running recutd's thread named NAME (its comm,
# e.g. recutd-http); nothing when there is none.
h_recutd_thread() { # NAME
    local t
    for t in /proc/"$H_RECUTD_PID"/task/*; do
        [ "$(cat "$t/comm" 2>/dev/null)" = "$1" ] && echo "$t"
    done
    return 0
}

# Prometheus metric from GET /metrics: the sum over every series of NAME
# (any labels), or the one series given with labels, e.g.
# 'recut_events_dead_letter_total{reason="bad_json"}'.  0 when absent.
h_metric() { # NAME[{labels}]
    h_auth_args
    curl -s -m 10 "${H_CURL_TLS[@]}" "${H_AUTH_ARGS[@]}" "$H_SCHEME://127.0.0.1:$H_HTTP_PORT/metrics" 2>/dev/null |
        awk -v want="$1" '
            /^#/ { next }
            {
                series = $1; name = series; sub(/\{.*/, "", name)
                if (want ~ /\{/) { if (series == want) s += $2 }
                else if (name == want) s += $2
            }
            END { printf "%.0f\n", s + 0 }'
}

# Series of metric NAME, one "series value" a line.
h_metric_series() { # NAME
    h_auth_args
    curl -s -m 10 "${H_CURL_TLS[@]}" "${H_AUTH_ARGS[@]}" "$H_SCHEME://127.0.0.1:$H_HTTP_PORT/metrics" 2>/dev/null |
        awk -v want="$1" '!/^#/ { n = $1; sub(/\{.*/, "", n); if (n == want) print }'
}

h_metric_ge_() { [ "$(h_metric "$1")" -ge "$2" ] 2>/dev/null; }

# Wait until metric NAME >= N (bounded by H_TIMEOUT); returns 1 on timeout.
h_wait_metric() { # NAME N
    h_wait_for "$H_TIMEOUT" "$1 >= $2 (now $(h_metric "$1"))" h_metric_ge_ "$1" "$2" ||
        { h_log "$1 is $(h_metric "$1"), wanted $2"; return 1; }
}

# ---------------------------------------------------------------------------
# test data

# A catalog entry: h_movie_json ID DURATION NSCENES GENRE [GENRE...]
# Scenes split the movie evenly; their labels, arousal and valence vary
# with the index so editors have something to choose from.
h_movie_json() {
    "$SYS_PYTHON3" - "$@" <<'EOF'
import json, sys
mid, dur, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
genres = sys.argv[4:]
labels = ["action", "dialogue", "landscape", "chase", "romance"]
step = dur / n
scenes = []
for i in range(n):
    scenes.append({"start": round(i * step, 3),
                   "end": round(dur if i == n - 1 else (i + 1) * step, 3),
                   "labels": [labels[i % len(labels)]],
                   "emotion": {"calm": round(0.2 + 0.6 * ((i * 7) % 10) / 10, 2)},
                   "arousal": round(((i * 37) % 100) / 100.0, 2),
                   "valence": round((((i * 53) % 200) - 100) / 100.0, 2)})
print(json.dumps({"id": mid, "title": "Movie " + mid, "duration": dur,
                  "genres": genres, "tags": ["t-" + g.lower() for g in genres],
                  "scenes": scenes}, separators=(",", ":")))
EOF
}

# PUT a catalog entry over HTTP; fatal unless 2xx.
h_put_movie() { # ID DURATION NSCENES GENRE...
    h_movie_json "$@" >"$H_TMP/movie.json"
    h_http PUT "/v1/movies/$1" "$H_TMP/movie.json"
    case $H_STATUS in
    2??) ;;
    *) h_fail "PUT /v1/movies/$1 answered $H_STATUS: $(head -c 300 "$H_BODY")" ;;
    esac
}

# One event as a compact JSON line: h_event USER TYPE MOVIE ID [EXTRA]
# EXTRA is raw JSON members, e.g. '"value":4.5'.
H_TS=1700000000000
h_event() {
    H_TS=$((H_TS + 1000))
    local extra=${5:+,$5} movie=${3:+,\"movie\":\"$3\"} id=${4:+,\"id\":\"$4\"}
    printf '{"user":"%s","type":"%s","ts":%s%s%s%s}\n' "$1" "$2" "$H_TS" "$movie" "$id" "$extra"
}
