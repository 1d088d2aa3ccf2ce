#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Latency you can see: GET /metrics has a request duration histogram per
# route (a bounded label set), the standard process_* metrics and queue
# depths, in a text exposition a Prometheus parser accepts.
. "$srcdir/helpers/harness.sh"
h_require_tools redis-server redis-cli curl python3

H_NO_KAFKA=1
h_start_redis
h_write_config "$H_TMP/recutd.conf"
h_start_recutd "$H_TMP/recutd.conf"
PY=${SYS_PYTHON3:-python3}

# The exposition, checked as a parser would (names, labels, values, TYPE
# before samples, histograms cumulative with +Inf = _count); prints the
# samples as NAME{LABELS} VALUE lines, sorted labels, for the cases.
check_exposition() { # FILE
    "$PY" - "$1" <<'PYEOF'
import math, re, sys
name_re = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
label_re = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
sample = re.compile(r"^(%s)(\{(?:%s(?:,%s)*)?\})? (\S+)$" % (name_re, label_re, label_re))
types, samples, bad = {}, [], []
for n, line in enumerate(open(sys.argv[1], encoding="utf-8").read().split("\n"), 1):
    if not line:
        continue
    if line.startswith("# TYPE "):
        parts = line.split(" ")
        if len(parts) != 4 or parts[3] not in ("counter", "gauge", "histogram", "summary", "untyped"):
            bad.append("line %d: bad TYPE" % n)
        elif parts[2] in types:
            bad.append("line %d: second TYPE for %s" % (n, parts[2]))
        types[parts[2]] = parts[3]
        continue
    if line.startswith("#"):
        continue
    m = sample.match(line)
    if not m:
        bad.append("line %d: not a sample: %r" % (n, line))
        continue
    name, labels, value = m.group(1), m.group(2) or "", m.group(3)
    try:
        v = float(value)
    except ValueError:
        bad.append("line %d: bad value %r" % (n, value))
        continue
    base = re.sub(r"_(bucket|sum|count)$", "", name)
    if name not in types and not (base in types and types[base] == "histogram"):
        bad.append("line %d: %s sampled before its TYPE" % (n, name))
    lab = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', labels))
    samples.append((name, lab, v))
# histograms: buckets ascending in le, counts monotone, +Inf equal to _count
hist = {}
for name, lab, v in samples:
    if name.endswith("_bucket") and types.get(name[:-7]) == "histogram":
        key = (name[:-7], tuple(sorted((k, x) for k, x in lab.items() if k != "le")))
        hist.setdefault(key, []).append((float(lab["le"]), v))
counts = {(n[:-6], tuple(sorted(l.items()))): v for n, l, v in samples if n.endswith("_count")}
for key, bs in hist.items():
    les = [le for le, _ in bs]
    if les != sorted(les) or les[-1] != math.inf:
        bad.append("%s: le not ascending to +Inf" % (key,))
    if any(b[1] > c[1] for b, c in zip(bs, bs[1:])):
        bad.append("%s: buckets not cumulative" % (key,))
    if counts.get(key) != bs[-1][1]:
        bad.append("%s: +Inf bucket %s != _count %s" % (key, bs[-1][1], counts.get(key)))
if bad:
    print("\n".join(bad))
    sys.exit(1)
for name, lab, v in samples:
    print("%s{%s} %r" % (name, ",".join('%s="%s"' % kv for kv in sorted(lab.items())), v))
PYEOF
}

metrics_() { # FILE: GET /metrics into FILE, checked and flattened into FILE.samples
    h_http GET /metrics
    [ "$H_STATUS" = 200 ] || { h_check_failed "GET /metrics: $H_STATUS"; return 1; }
    cp "$H_BODY" "$1"
    check_exposition "$1" >"$1.samples" || { h_check_failed "exposition: $(head -5 "$1.samples")"; return 1; }
}

val_() { # FILE SERIES: the value of SERIES (as flattened) in FILE.samples
    awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print "none" }' "$1.samples"
}

REC='recut_http_request_duration_seconds_count{route="recommendations"}'

case_histogram() {
    h_http_body PUT /v1/movies/m1 '{"title":"One","duration":600,"genres":["Drama"],"scenes":[{"start":0,"end":600,"arousal":0.5,"valence":0}]}'
    h_assert_eq "$H_STATUS" 200 "PUT m1" || return 1
    h_http_body POST /v1/events "$(h_event u1 like m1 e1)"
    h_assert_eq "$H_STATUS" 200 "POST an event" || return 1
    metrics_ "$H_TMP/m0" || return 1
    local before i N=7
    before=$(val_ "$H_TMP/m0" "$REC")
    h_assert_ne "$before" none "a recommendations series before any request" || return 1
    for i in $(seq $N); do
        h_http GET "/v1/users/u1/recommendations?n=5"
        h_assert_eq "$H_STATUS" 200 "recommendations $i" || return 1
    done
    metrics_ "$H_TMP/m1" || return 1
    h_assert_num "$(val_ "$H_TMP/m1" "$REC")" == "$(awk -v b="$before" -v n=$N 'BEGIN { print b + n }')" \
        "_count of route recommendations grew by $N" || return 1
    h_assert_num "$(val_ "$H_TMP/m1" 'recut_http_request_duration_seconds_sum{route="recommendations"}')" '>' 0 \
        "_sum of route recommendations" || return 1
    h_assert_num "$(val_ "$H_TMP/m1" 'recut_http_request_duration_seconds_bucket{le="10",route="recommendations"}')" \
        == "$(val_ "$H_TMP/m1" "$REC")" "every request within 10 s" || return 1
    h_assert_num "$(val_ "$H_TMP/m1" 'recut_http_request_duration_seconds_count{route="events"}')" '>=' 1 \
        "POST /v1/events timed as route events" || return 1
    # the first GET /metrics is timed once it is answered: seen by the second
    h_assert_num "$(val_ "$H_TMP/m1" 'recut_http_request_duration_seconds_count{route="metrics"}')" '>=' 1 \
        "GET /metrics timed as route metrics" || return 1
    # never the raw path as a label
    h_assert_eq "$(grep -c 'u1' "$H_TMP/m1.samples")" 0 "no viewer id in any label" || return 1
}

case_process() {
    metrics_ "$H_TMP/m2" || return 1
    h_assert_num "$(val_ "$H_TMP/m2" 'process_resident_memory_bytes{}')" '>' 0 "process_resident_memory_bytes" || return 1
    h_assert_num "$(val_ "$H_TMP/m2" 'process_open_fds{}')" '>' 2 "process_open_fds" || return 1
    h_assert_num "$(val_ "$H_TMP/m2" 'process_max_fds{}')" '>=' "$(val_ "$H_TMP/m2" 'process_open_fds{}')" "process_max_fds" || return 1
    h_assert_num "$(val_ "$H_TMP/m2" 'process_cpu_seconds_total{}')" '>=' 0 "process_cpu_seconds_total" || return 1
    local start now
    start=$(val_ "$H_TMP/m2" 'process_start_time_seconds{}')
    now=$(date +%s)
    h_assert_num "$start" '>' $((now - 3600)) "process_start_time_seconds after an hour ago" || return 1
    h_assert_num "$start" '<=' $((now + 5)) "process_start_time_seconds not in the future" || return 1
    h_assert_num "$(val_ "$H_TMP/m2" 'recut_publish_pending{}')" '>=' 0 "recut_publish_pending" || return 1
    h_assert_num "$(val_ "$H_TMP/m2" 'recut_svm_queue_depth{}')" '>=' 0 "recut_svm_queue_depth" || return 1
    h_assert_num "$(val_ "$H_TMP/m2" 'recut_redis_pending{}')" '>=' 0 "recut_redis_pending"
}

h_case "request durations per route: counts, cumulative buckets, sums" case_histogram
h_case "process_* metrics and queue depths" case_process
h_done
