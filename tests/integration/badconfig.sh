#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Bad configuration: recutd refuses to start, exits non-zero, and names
# FILE:LINE: and the reason; --check-config accepts a good file.
. "$srcdir/helpers/harness.sh"
h_require_tools python3

h_require_recutd
# A good file.  Nothing needs to run: recutd must not get past the config.
GOOD=$H_TMP/good.conf
H_REDIS_ADDR=127.0.0.1:1
H_NO_KAFKA=1
h_write_config "$GOOD"

# run_recutd ARGS...: bounded run; output in $H_TMP/out, status in $RC
run_recutd() {
    timeout 30 "$H_RECUTD" "$@" >"$H_TMP/out" 2>&1
    RC=$?
}

# bad_file NAME TEXT: the good file with TEXT appended; echoes the path.
# Lines of TEXT are numbered from $((BASE + 1)).
BASE=$(wc -l <"$GOOD" | tr -d ' ')
bad_file() {
    local f=$H_TMP/$1.conf
    { cat "$GOOD"; printf '%s\n' "$2"; } >"$f"
    printf '%s\n' "$f"
}

# expect_refused FILE LINE WORD [--check-config]
expect_refused() {
    local f=$1 line=$2 word=$3
    shift 3
    run_recutd -c "$f" "$@"
    if [ "$RC" = 0 ] || [ "$RC" = 124 ]; then
        h_check_failed "recutd -c $(basename "$f") $*: status $RC (expected a refusal): $(head -c 400 "$H_TMP/out")"
        return 1
    fi
    grep -qF "$f:$line:" "$H_TMP/out" ||
        { h_check_failed "no '$f:$line:' in: $(head -c 400 "$H_TMP/out")"; return 1; }
    local msg reason
    msg=$(grep -F "$f:$line:" "$H_TMP/out" | head -n 1)
    reason=${msg#*"$f:$line:"}
    case $reason in *[[:alnum:]]*) ;; *) h_check_failed "no reason after $f:$line: in '$msg'"; return 1 ;; esac
    [ -z "$word" ] || printf '%s\n' "$reason" | grep -qiF "$word" ||
        h_check_failed "the $f:$line: message does not mention '$word': $msg"
}

case_good() {
    run_recutd -c "$GOOD" --check-config
    h_assert_eq "$RC" 0 "--check-config on a good file (output: $(head -c 300 "$H_TMP/out"))"
}

case_syntax() {
    local f
    f=$(bad_file syntax 'this line is not ini')
    expect_refused "$f" $((BASE + 1)) "" || return 1
    f=$(bad_file section '[daemon')
    expect_refused "$f" $((BASE + 1)) ""
}

# inih reads at most 200 bytes of a line: a longer comment is a comment
# (it used to end as an "unknown key" named after its tail), the lines
# after it keep their numbers, and a longer key line is refused, not cut
case_long_lines() {
    local long f
    long=$(printf 'x%.0s' $(seq 1 300))
    f=$(bad_file longcomment "# $long
  ; $long
[daemon]
log_level = info")
    run_recutd -c "$f" --check-config
    h_assert_eq "$RC" 0 "--check-config with 300-byte comments (output: $(head -c 300 "$H_TMP/out"))" || return 1
    f=$(bad_file longcomment2 "# $long
[daemon]
no_such_key = 1")
    expect_refused "$f" $((BASE + 3)) no_such_key || return 1
    f=$(bad_file longvalue "[http]
allowed_hosts = localhost,$long")
    expect_refused "$f" $((BASE + 2)) "reads at most 198" || return 1
    run_recutd -c "$f" --check-config
    [ "$RC" != 0 ] || { h_check_failed "--check-config accepted a 320-byte line"; return 1; }
}

case_unknown_key() {
    local f
    f=$(bad_file unknown_key $'[daemon]\nlog_levle = debug')
    expect_refused "$f" $((BASE + 2)) log_levle
}

case_range() {
    local f
    f=$(bad_file range $'[kafka]\nbatch_size = 0')
    expect_refused "$f" $((BASE + 2)) batch_size || return 1
    f=$(bad_file notint $'[kafka]\ncommit_interval_ms = soon')
    expect_refused "$f" $((BASE + 2)) commit_interval_ms || return 1
    f=$(bad_file level $'[daemon]\nlog_level = chatty')
    expect_refused "$f" $((BASE + 2)) log_level
}

case_two_errors() {
    # two errors: the first is reported, with its own line and its own message
    local f
    f=$(bad_file two_errors $'[daemon]\nbogus = 1\n[kafka]\nbatch_size = 0')
    expect_refused "$f" $((BASE + 2)) bogus --check-config || return 1
    if grep -q batch_size "$H_TMP/out"; then
        h_check_failed "the first error's line carries another error's message: $(cat "$H_TMP/out")"
        return 1
    fi
    # a syntax error before a bad key: the syntax error's line and message
    f=$(bad_file syntax_then_key $'this line is not ini\n[daemon]\nbogus = 1')
    expect_refused "$f" $((BASE + 1)) syntax --check-config || return 1
    if grep -q bogus "$H_TMP/out"; then
        h_check_failed "a syntax error reported with a later key's message: $(cat "$H_TMP/out")"
        return 1
    fi
    # a bad key before a syntax error: the key's line and message
    f=$(bad_file key_then_syntax $'[daemon]\nbogus = 1\nthis line is not ini')
    expect_refused "$f" $((BASE + 2)) bogus --check-config
}

case_addresses() {
    local f
    f=$(bad_file listen_nohost $'[http]\nlisten = nohost')
    expect_refused "$f" $((BASE + 2)) http.listen --check-config || return 1
    f=$(bad_file listen_port $'[http]\nlisten = 127.0.0.1:70000')
    expect_refused "$f" $((BASE + 2)) http.listen --check-config || return 1
    f=$(bad_file redis_addr $'[redis]\naddress = 127.0.0.1:notaport')
    expect_refused "$f" $((BASE + 2)) redis.address --check-config || return 1
    f=$(bad_file redis_unix $'[redis]\naddress = unix:')
    expect_refused "$f" $((BASE + 2)) redis.address --check-config || return 1
    # and what start-up takes is accepted: names, IPv6, unix sockets
    f=$(bad_file good_addrs $'[http]\nlisten = localhost:8080\n[redis]\naddress = unix:/run/redis.sock')
    run_recutd -c "$f" --check-config
    h_assert_eq "$RC" 0 "--check-config with localhost:8080 and unix:/path ($(head -c 300 "$H_TMP/out"))" || return 1
    run_recutd -c "$GOOD" --check-config --set 'http.listen=[::1]:8080' --set redis.address=redis.example:6380
    h_assert_eq "$RC" 0 "--check-config with [::1]:8080 and a redis host name ($(head -c 300 "$H_TMP/out"))"
}

case_librdkafka() {
    local f
    f=$(bad_file rdk_unknown $'[librdkafka]\nno.such.property = 1')
    expect_refused "$f" $((BASE + 2)) no.such.property --check-config || return 1
    f=$(bad_file rdk_value $'[librdkafka]\nsession.timeout.ms = soon')
    expect_refused "$f" $((BASE + 2)) session.timeout.ms --check-config || return 1
    # without -t too: start-up refuses it the same way
    expect_refused "$f" $((BASE + 2)) session.timeout.ms || return 1
    # a valid pass-through key is accepted, from the file and from --set
    run_recutd -c "$GOOD" --check-config --set librdkafka.fetch.wait.max.ms=50
    h_assert_eq "$RC" 0 "--check-config with --set librdkafka.fetch.wait.max.ms=50 ($(head -c 300 "$H_TMP/out"))" || return 1
    run_recutd -c "$GOOD" --check-config --set librdkafka.no.such.property=1
    h_assert_ne "$RC" 0 "--set librdkafka.no.such.property=1 accepted" || return 1
    grep -q no.such.property "$H_TMP/out" || h_check_failed "--set error does not name the property: $(cat "$H_TMP/out")"
}

case_check_config_bad() {
    local f
    f=$(bad_file check_bad $'[daemon]\nlog_levle = debug')
    expect_refused "$f" $((BASE + 2)) log_levle --check-config
}

case_set_and_missing() {
    run_recutd -c "$GOOD" --set kafka.batch_size=0 --check-config
    h_assert_ne "$RC" 0 "--set kafka.batch_size=0 accepted" || return 1
    grep -q batch_size "$H_TMP/out" || h_check_failed "--set error does not name batch_size: $(cat "$H_TMP/out")"
    run_recutd -c "$H_TMP/no-such.conf" --check-config
    h_assert_ne "$RC" 0 "missing config file accepted" || return 1
    grep -qF "$H_TMP/no-such.conf" "$H_TMP/out" || h_check_failed "error does not name the file: $(cat "$H_TMP/out")"
}

case_version() {
    run_recutd --version
    h_assert_eq "$RC" 0 "--version status" || return 1
    grep -q '[0-9]\.[0-9]' "$H_TMP/out" || h_check_failed "--version prints no version: $(cat "$H_TMP/out")"
}

h_case "--check-config accepts a good file" case_good
h_case "a syntax error is refused with FILE:LINE:" case_syntax
h_case "an unknown key is refused with FILE:LINE: and its name" case_unknown_key
h_case "a comment longer than inih's line is a comment; a longer key line is refused" case_long_lines
h_case "out-of-range and ill-typed values are refused with FILE:LINE:" case_range
h_case "--check-config refuses a bad file" case_check_config_bad
h_case "of two errors the first is named, with its own line" case_two_errors
h_case "bad http.listen and redis.address are refused with FILE:LINE:" case_addresses
h_case "unknown or bad [librdkafka] keys are refused with FILE:LINE:" case_librdkafka
case_key_file() {
    # [privacy] key_file: the key file's own FILE:LINE:, never the key
    local keys=$H_TMP/keys f
    printf '# keys\nk1 %s\nk2 %s\n' "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
        "fedcba9876543210fedcba98765432" >"$keys"
    chmod 600 "$keys"
    f=$(bad_file key_file "[privacy]
key_file = $keys")
    local args
    for args in --check-config ""; do
        # shellcheck disable=SC2086
        run_recutd -c "$f" $args
        h_assert_ne "$RC" 0 "recutd $args with a bad key file" || return 1
        grep -qF "$keys:3: the key must be 64 hex digits" "$H_TMP/out" ||
            { h_check_failed "no '$keys:3: ...' in: $(cat "$H_TMP/out")"; return 1; }
    done
    if grep -q "0123456789abcdef\|fedcba98" "$H_TMP/out"; then
        h_check_failed "a key is in the message: $(cat "$H_TMP/out")"
        return 1
    fi
    sed -i 's/^k2 .*/k2 fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210/' "$keys"
    run_recutd -c "$f" --check-config
    h_assert_eq "$RC" 0 "--check-config with a good key file ($(cat "$H_TMP/out"))" || return 1
    chmod 644 "$keys"
    run_recutd -c "$f" --check-config
    h_assert_ne "$RC" 0 "--check-config with a key file others may read" || return 1
    grep -q "readable or writable by others" "$H_TMP/out" ||
        { h_check_failed "no reason: $(cat "$H_TMP/out")"; return 1; }
    # --dump-config names the file, not a key
    run_recutd -c "$f" --dump-config
    grep -q "0123456789abcdef" "$H_TMP/out" && { h_check_failed "--dump-config shows a key"; return 1; }
    grep -qF "key_file = $keys" "$H_TMP/out" || { h_check_failed "--dump-config lacks key_file"; return 1; }
}

h_case "a bad [privacy] key_file is refused with its FILE:LINE:, the key unsaid" case_key_file
h_case "--set errors and a missing file are refused" case_set_and_missing
h_case "--version" case_version
h_done
