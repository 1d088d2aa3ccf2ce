#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test-eval.sh -- recut-eval on generated data (make check; no MovieLens):
# JSON fields, recut beating the baselines on a planted structure, the CSV
# reader on quoted titles, and clear errors with a non-zero exit on bad input.
# Environment (set by tests/eval/Makefile.am): RECUT_EVAL, SYS_PYTHON3, srcdir.
NAME=test-eval
. "${srcdir:-.}/eval-lib.sh"

"$SYS_PYTHON3" "$srcdir/test-eval-gen.py" "$tmp/ml" 11 || { echo "generator failed"; exit 99; }

# 1. JSON output: every method, every field, sane ranges, same test cases
if "$RECUT_EVAL" --json "$tmp/ml" >"$tmp/out.json" 2>"$tmp/err"; then
    r=$(json "$tmp/out.json" '(sorted(d) == ["most_popular", "random", "recut"] and all(
        sorted(d[m]) == ["coverage", "gini", "hr@10", "ild", "n", "ndcg@10", "popularity"] and
        0 <= d[m]["hr@10"] <= 1 and 0 <= d[m]["ndcg@10"] <= d[m]["hr@10"] and
        0 < d[m]["coverage"] <= 1 and 0 <= d[m]["gini"] < 1 and
        0 <= d[m]["popularity"] <= 1 and 0 <= d[m]["ild"] <= 1 and
        d[m]["n"] == d["recut"]["n"] > 0 for m in d))')
    [ "$r" = true ] && ok "JSON has the three methods and their fields" ||
        fail "JSON fields or ranges: $(cat "$tmp/out.json")"
    # 2. the planted structure: recut must beat both baselines
    r=$(json "$tmp/out.json" '(d["recut"]["hr@10"] > d["most_popular"]["hr@10"] and
        d["recut"]["ndcg@10"] > d["most_popular"]["ndcg@10"] and
        d["recut"]["hr@10"] > d["random"]["hr@10"])')
    [ "$r" = true ] && ok "recut beats most_popular and random on planted clusters" ||
        fail "recut does not beat the baselines: $(cat "$tmp/out.json")"
    # exposure: most_popular shows the same few items to everyone, random
    # spreads its slots and picks items of every popularity
    r=$(json "$tmp/out.json" '(d["most_popular"]["gini"] > d["random"]["gini"] and
        d["most_popular"]["popularity"] > 0.9 and 0.3 < d["random"]["popularity"] < 0.7 and
        d["most_popular"]["coverage"] < d["random"]["coverage"])')
    [ "$r" = true ] && ok "gini and popularity order most_popular above random" ||
        fail "exposure metrics: $(cat "$tmp/out.json")"
    # the number of test cases is the number of ratings >= 4
    want=$(awk -F, 'NR > 1 && $3 >= 4.0 { n++ } END { print n }' "$tmp/ml/ratings.csv")
    r=$(json "$tmp/out.json" 'd["recut"]["n"]')
    [ "$r" = "$want" ] && ok "one test case per rating >= 4 ($want)" || fail "n = $r, expected $want"
else
    fail "recut-eval --json failed: $(cat "$tmp/err")"
fi

# 3. same seed, same output; the table names every method
"$RECUT_EVAL" --json "$tmp/ml" >"$tmp/out2.json" 2>/dev/null
cmp -s "$tmp/out.json" "$tmp/out2.json" && ok "deterministic" || fail "two runs differ"
"$RECUT_EVAL" --k 5 "$tmp/ml" >"$tmp/table" 2>&1
grep -q '^recut ' "$tmp/table" && grep -q '^most_popular ' "$tmp/table" &&
    grep -q '^random ' "$tmp/table" && ok "table output" || fail "table: $(cat "$tmp/table")"
"$RECUT_EVAL" --json --k 5 "$tmp/ml" >"$tmp/k5.json" 2>/dev/null
r=$(json "$tmp/k5.json" '"hr@5" in d["recut"] and d["recut"]["hr@5"] <= '"$(json "$tmp/out.json" 'd["recut"]["hr@10"]')")
[ "$r" = true ] && ok "--k 5: hr@5 <= hr@10" || fail "--k 5: $(cat "$tmp/k5.json")"

# 3b. [models] diversity: lists spread over more genres, no rated movie
# comes back, and diversity 0 is the default
"$RECUT_EVAL" --json --set models.diversity=0.5 "$tmp/ml" >"$tmp/div.json" 2>"$tmp/err" ||
    fail "--set models.diversity=0.5: $(cat "$tmp/err")"
r=$(json "$tmp/div.json" 'd["recut"]["ild"] > '"$(json "$tmp/out.json" 'd["recut"]["ild"]')"' + 0.05')
[ "$r" = true ] && ok "diversity 0.5 raises recut's intra-list diversity" ||
    fail "diversity 0.5: $(cat "$tmp/div.json") vs $(cat "$tmp/out.json")"
"$RECUT_EVAL" --json --set models.diversity=0 "$tmp/ml" >"$tmp/div0.json" 2>/dev/null
cmp -s "$tmp/out.json" "$tmp/div0.json" && ok "diversity 0 is the default" || fail "diversity 0 differs"
"$RECUT_EVAL" --set models.diversity=0.5 --dump-recs 1,2,3 "$tmp/ml" >"$tmp/ddump" 2>"$tmp/err"
bad=$(awk -F, 'NR == FNR { if (FNR > 1) seen["u" $1 "," $2] = 1; next }
    { split($0, f, "\t"); n = split(f[2], a, ",");
      for (i = 1; i <= n; i++) if (("" f[1] "," a[i]) in seen) print f[1] ":" a[i] }' \
    "$tmp/ml/ratings.csv" "$tmp/ddump")
[ -z "$bad" ] && [ "$(wc -l <"$tmp/ddump")" -eq 3 ] && ok "diversity 0.5: no rated movie in --dump-recs" ||
    fail "diversity 0.5 recommended rated movies: $bad $(cat "$tmp/err")"

# 3c. --diversity-sweep: a row per value, the first equal to the plain run;
# --plot writes an SVG with a point per value
if "$RECUT_EVAL" --diversity-sweep 0,0.5 --plot "$tmp/sweep.svg" "$tmp/ml" >"$tmp/sweep" 2>"$tmp/err"; then
    row0=$(awk '$1 == "0" { print $2, $3, $4, $7 }' "$tmp/sweep")
    want0=$(json "$tmp/out.json" '"%.4f %.4f %.4f %.4f" % (d["recut"]["ndcg@10"], d["recut"]["hr@10"], d["recut"]["coverage"], d["recut"]["ild"])')
    [ "$row0" = "$want0" ] && grep -q '^0.5 ' "$tmp/sweep" && grep -q '^most_popular ' "$tmp/sweep" &&
        ok "--diversity-sweep rows (0: $row0)" || fail "sweep: $(cat "$tmp/sweep") (want 0: $want0)"
    r=$("$SYS_PYTHON3" -c 'import sys, xml.etree.ElementTree as E
t = E.parse(sys.argv[1]).getroot()
c = t.findall("{http://www.w3.org/2000/svg}circle")
x = [e.text for e in t.iter("{http://www.w3.org/2000/svg}text")]
print(len(c) == 4 and "d=0" in x and "d=0.5" in x and "random" in x)' "$tmp/sweep.svg" 2>&1)
    [ "$r" = True ] && ok "--plot: an SVG with recut at each value and the baselines" ||
        fail "--plot: $r"
else
    fail "--diversity-sweep: $(cat "$tmp/err")"
fi
if "$RECUT_EVAL" --diversity-sweep 0,2 "$tmp/ml" >/dev/null 2>"$tmp/err"; then
    fail "--diversity-sweep 0,2 accepted"
else
    ok "--diversity-sweep out of range: $(cat "$tmp/err")"
fi
"$RECUT_EVAL" --plot "$tmp/x.svg" "$tmp/ml" >/dev/null 2>&1 && fail "--plot without a sweep accepted" ||
    ok "--plot needs --diversity-sweep"

# 4. quoted titles survive (through --export-kv's catalog)
if "$RECUT_EVAL" --export-kv "$tmp" "$tmp/ml" 2>"$tmp/err"; then
    r=$("$SYS_PYTHON3" -c 'import json, sys
t = [json.loads(l.split("\t", 1)[1])["title"] for l in open(sys.argv[1], encoding="utf-8")]
print("Two\nlines, \"quoted\"" in t and any(", the \"" in x for x in t))' "$tmp/catalog.kv")
    [ "$r" = True ] && ok "quoted titles with commas, quotes and a newline" ||
        fail "titles not parsed: $(head -c 300 "$tmp/catalog.kv")"
    nr=$(($(wc -l <"$tmp/ml/ratings.csv") - 1))
    [ "$(wc -l <"$tmp/events.kv")" -eq "$nr" ] && ok "--export-kv: one event per rating" ||
        fail "--export-kv wrote $(wc -l <"$tmp/events.kv") events, expected $nr"
else
    fail "--export-kv failed: $(cat "$tmp/err")"
fi

# 5. --dump-recs: ten unseen movies for a viewer; unknown viewer is an error
if "$RECUT_EVAL" --dump-recs u1,2 "$tmp/ml" >"$tmp/dump" 2>"$tmp/err"; then
    r=$(awk -F'\t' '{ n = split($2, a, ","); print $1 ":" n }' "$tmp/dump" | tr '\n' ' ')
    [ "$r" = "u1:10 u2:10 " ] && ok "--dump-recs lists 10 per viewer" || fail "--dump-recs: $r"
    seen=$(awk -F, '$1 == 1 { print $2 }' "$tmp/ml/ratings.csv")
    bad=0
    for m in $(awk -F'\t' '$1 == "u1" { gsub(",", " ", $2); print $2 }' "$tmp/dump"); do
        for s in $seen; do [ "$m" = "$s" ] && bad=1; done
    done
    [ "$bad" -eq 0 ] && ok "--dump-recs excludes rated movies" || fail "u1 got a rated movie"
else
    fail "--dump-recs failed: $(cat "$tmp/err")"
fi
"$RECUT_EVAL" --dump-recs u99999 "$tmp/ml" >"$tmp/o" 2>"$tmp/err" &&
    fail "unknown viewer accepted" || { grep -q "u99999" "$tmp/err" && ok "unknown viewer: $(cat "$tmp/err")" ||
        fail "unknown viewer message: $(cat "$tmp/err")"; }

# 6. bad input: non-zero exit, a message naming file and line, nothing on stdout
bad_case() { # WHAT FILE EXPECTED-IN-MESSAGE [extra args]
    what=$1 file=$2 expect=$3
    shift 3
    if "$RECUT_EVAL" --json "$@" "$tmp/bad" >"$tmp/o" 2>"$tmp/err"; then
        fail "$what: exit status 0"
    elif [ -s "$tmp/o" ]; then
        fail "$what: partial output on stdout"
    elif ! grep -q -- "$expect" "$tmp/err"; then
        fail "$what: message '$(cat "$tmp/err")' lacks '$expect'"
    else
        ok "$what: $(cat "$tmp/err")"
    fi
}
fresh() { rm -rf "$tmp/bad"; cp -r "$tmp/ml" "$tmp/bad"; }

fresh
printf '7,"unterminated title,Drama\n' >>"$tmp/bad/movies.csv"
line=$(($(wc -l <"$tmp/bad/movies.csv")))
bad_case "unterminated quote" movies.csv "movies.csv:$line: quoted field never closed"
fresh
printf '1,8,4.0\n' >>"$tmp/bad/ratings.csv"
line=$(wc -l <"$tmp/bad/ratings.csv")
bad_case "short ratings row" ratings.csv "ratings.csv:$line: expected 4 fields"
fresh
printf '1,8,high,1500000000\n' >>"$tmp/bad/ratings.csv"
bad_case "non-numeric rating" ratings.csv "ratings.csv:$line: rating 'high'"
fresh
printf '1,999999,4.0,1500000000\n' >>"$tmp/bad/ratings.csv"
bad_case "unknown movie" ratings.csv "movie '999999' is not in movies.csv"
fresh
printf '1,8,4.0,15"00\n' >>"$tmp/bad/ratings.csv"
bad_case "quote in unquoted field" ratings.csv "quote inside an unquoted field"
fresh
rm "$tmp/bad/ratings.csv"
bad_case "missing ratings.csv" ratings.csv "ratings.csv: No such file"
fresh
sed -i '1s/rating/score/' "$tmp/bad/ratings.csv"
bad_case "header without rating" ratings.csv "no 'rating' column"
fresh
bad_case "bad option value" ratings.csv "--k must be" --k 0

# 7. --skip-bad: bad rows are counted and skipped, the run goes on
fresh
printf '1,999999,4.0,1500000000\n1,8,4.0\n' >>"$tmp/bad/ratings.csv"
if "$RECUT_EVAL" --skip-bad "$tmp/bad" >"$tmp/o" 2>"$tmp/err"; then
    grep -q 'skipped rows 2' "$tmp/o" && ok "--skip-bad counts 2 skipped rows" ||
        fail "--skip-bad: $(head -1 "$tmp/o")"
else
    fail "--skip-bad failed: $(cat "$tmp/err")"
fi

# 8. --experiment: arms replayed offline.  Flat weights (every score 0:
# lists in id order) must lose clearly to recut's own; an A/A split must
# show no difference; the JSON is GET /v1/experiments'; the table says the
# same; a bad section names its file and line.
cat >"$tmp/xp.conf" <<'EOF'
[experiment.weights]
arms = control:50, flat:50
salt = eval-1
window_s = 2592000
flat.models.blend_nb = 0
flat.models.blend_cooc = 0
flat.models.blend_popularity = 0

[experiment.aa]
arms = a:50, b:50
salt = eval-aa
EOF
if "$RECUT_EVAL" --json --experiment "$tmp/xp.conf" "$tmp/ml" >"$tmp/xp.json" 2>"$tmp/err"; then
    r=$(json "$tmp/xp.json" '[x["name"] for x in d["experiments"]] == ["weights", "aa"] and all(
        sorted(a) == ["ci", "conversions", "exposures", "name", "negatives", "rate", "share"] and
        a["exposures"] > 0 and a["conversions"] + a["negatives"] <= a["exposures"] and
        a["ci"][0] <= a["rate"] <= a["ci"][1] for x in d["experiments"] for a in x["arms"])')
    [ "$r" = true ] && ok "--experiment --json: both experiments, every arm's fields" ||
        fail "--experiment JSON: $(cat "$tmp/xp.json")"
    r=$(json "$tmp/xp.json" '[c for c in d["experiments"][0]["comparisons"] if c["arm"] == "flat"
        and c["vs"] == "control" and c["diff"] < 0 and c["ci"][1] < 0 and c["p"] < 0.001]')
    [ "$r" != "[]" ] && ok "--experiment: flat weights lose to control (p < 0.001)" ||
        fail "flat vs control: $(json "$tmp/xp.json" 'd["experiments"][0]["comparisons"]')"
    r=$(json "$tmp/xp.json" 'd["experiments"][1]["comparisons"][0]["p"] > 0.05')
    [ "$r" = true ] && ok "--experiment: the A/A split shows no difference" ||
        fail "A/A: $(json "$tmp/xp.json" 'd["experiments"][1]["comparisons"]')"
    if "$RECUT_EVAL" --experiment "$tmp/xp.conf" "$tmp/ml" >"$tmp/xp.txt" 2>"$tmp/err"; then
        want=$(json "$tmp/xp.json" '"flat vs control: diff %+.4f" % d["experiments"][0]["comparisons"][0]["diff"]')
        grep -q "^$want " "$tmp/xp.txt" && grep -q "^experiment aa " "$tmp/xp.txt" &&
            ok "--experiment table: the same numbers" || fail "table: $(cat "$tmp/xp.txt")"
    else
        fail "--experiment failed: $(cat "$tmp/err")"
    fi
else
    fail "--experiment --json failed: $(cat "$tmp/err")"
fi
printf '[experiment.bad]\narms = a:50, b:50\nb.models.nosuch = 1\n' >"$tmp/xp-bad.conf"
if "$RECUT_EVAL" --experiment "$tmp/xp-bad.conf" "$tmp/ml" >/dev/null 2>"$tmp/err"; then
    fail "a bad experiment file was accepted"
else
    grep -q "xp-bad.conf:3: models.nosuch cannot be overridden" "$tmp/err" &&
        ok "--experiment: a bad override names FILE:3" || fail "bad override: $(cat "$tmp/err")"
fi

[ "$fails" -eq 0 ] || { echo "$fails check(s) failed"; exit 1; }
exit 0
