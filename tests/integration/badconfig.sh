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
h_case "out-of-range and ill-typed values are refused with FILE:LINE:" case_range
h_case "--check-config refuses a bad file" case_check_config_bad
h_case "--set errors and a missing file are refused" case_set_and_missing
h_case "--version" case_version
h_done
