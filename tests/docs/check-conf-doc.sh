#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# check-conf-doc.sh -- recutd's configuration table, recutd.conf(5) and the
# shipped recutd.conf must agree.
#
# The table comes from `recutd --dump-config` (section, key, doc, default,
# whether it reloads).  Checked:
#   recutd.conf.5: every table key is documented once, in its [section],
#     as ".TP" + "\fBKEY\fR = \fIDEFAULT\fR" with the table's default, and its
#     paragraph holds the table's doc and "reloads on SIGHUP" or "needs a
#     restart" as the table says; every key documented in a [section] is in
#     the table.
#   recutd.conf: every table key appears once in its [section] as
#     "#KEY = DEFAULT" (or uncommented), preceded by "# DOC" and
#     "# default: DEFAULT; reloads on SIGHUP|needs a restart"; no other key.
# The plugin directory's default depends on the build: the man page writes
# it PKGLIBDIR.
#
# Environment (set by man/Makefile.am): RECUTD, MAN5, CONF, PKGLIBDIR.
# Exit 0 when all agree, 1 with one line per disagreement, 99 on a hard
# error.

: "${RECUTD:?}" "${MAN5:?}" "${CONF:?}" "${PKGLIBDIR:?}" "${PKGDATADIR:?}"
for f in "$MAN5" "$CONF"; do
    [ -r "$f" ] || { echo "ERROR: cannot read $f"; exit 99; }
done
[ -x "$RECUTD" ] || { echo "ERROR: $RECUTD is not built"; exit 99; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-conf-doc.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

# The table, one key a line: section TAB key TAB default TAB reload TAB doc.
"$RECUTD" --dump-config >"$tmp/dump" 2>"$tmp/dump.err" || {
    echo "ERROR: $RECUTD --dump-config failed: $(cat "$tmp/dump.err")"
    exit 99
}
awk '
    /^\[[a-z_]+\]$/ { sec = substr($0, 2, length($0) - 2); doc = ""; def = ""; next }
    /^# default: / {
        s = substr($0, 12)
        n = length(s)
        # "DEFAULT; reloads on SIGHUP" or "DEFAULT; needs a restart"
        if (s ~ /; reloads on SIGHUP$/) { rl = "reloads on SIGHUP"; def = substr(s, 1, n - 19) }
        else if (s ~ /; needs a restart$/) { rl = "needs a restart"; def = substr(s, 1, n - 17) }
        else { print "ERROR: cannot parse: " $0 > "/dev/stderr"; bad = 1 }
        next
    }
    /^# / { doc = substr($0, 3); next }
    /^[a-z_]+ = ?/ {
        key = $0; sub(/ = ?.*/, "", key)
        printf "%s\t%s\t%s\t%s\t%s\n", sec, key, def, rl, doc
        n++
        next
    }
    END { if (bad || n == 0) exit 1 }
' "$tmp/dump" >"$tmp/table" || { echo "ERROR: cannot parse recutd --dump-config"; exit 99; }

awk -F '\t' -v man="$MAN5" -v conf="$CONF" -v pkglibdir="$PKGLIBDIR" -v pkgdatadir="$PKGDATADIR" '
function norm(s) {
    gsub(/[ \t]+/, " ", s)
    sub(/^ /, "", s)
    sub(/ $/, "", s)
    return s
}
# groff source -> plain text
function unroff(s) {
    gsub(/\\f[BIRP]/, "", s)
    gsub(/\\-/, "-", s)
    gsub(/\\&/, "", s)
    gsub(/\\\(dq/, "\"", s)
    gsub(/\\\(aq/, "\047", s)
    gsub(/\\c/, "", s)
    gsub(/\\e/, "\\", s)
    return s
}
function problem(msg) { print msg; nbad++ }
function flush_par() {
    if (pkey != "") mpar[pkey] = norm(par)
    pkey = ""; par = ""
}
BEGIN {
    # ---- the table (stdin) ----
    while ((getline line < "/dev/stdin") > 0) {
        split(line, f, "\t")
        k = f[1] SUBSEP f[2]
        tdef[k] = f[3]; trl[k] = f[4]; tdoc[k] = f[5]
        order[++nt] = k
    }
    # ---- recutd.conf.5 ----
    sec = ""; prev = ""; ln = 0
    while ((getline line < man) > 0) {
        ln++
        if (line ~ /^\.(TP|SS|SH|PP|P|LP|IP)( |$)/) flush_par()
        if (line ~ /^\.S[SH] /) {
            sec = ""
            if (line ~ /^\.SS "?\[[a-z_]+\]"?$/) {
                sec = line
                sub(/^\.SS "?\[/, "", sec)
                sub(/\]"?$/, "", sec)
            }
        } else if (prev ~ /^\.TP/ && sec != "" && line ~ /^\\fB[a-z_]+\\fR =/) {
            key = line
            sub(/^\\fB/, "", key)
            sub(/\\fR =.*/, "", key)
            def = line
            sub(/^\\fB[a-z_]+\\fR =/, "", def)
            def = unroff(def)
            sub(/^ /, "", def)
            if (def == "PKGLIBDIR") def = pkglibdir
            sub(/^PKGDATADIR/, pkgdatadir, def)
            k = sec SUBSEP key
            if (k in mdef) problem(man ":" ln ": [" sec "] " key " is documented twice")
            mdef[k] = def; mline[k] = ln
            pkey = k; par = ""
        } else if (pkey != "") {
            t = line
            if (t ~ /^\./) { sub(/^\.[A-Za-z]+ ?/, "", t); gsub(/"/, "", t) }
            par = par " " unroff(t)
        }
        prev = line
    }
    flush_par()
    # ---- recutd.conf ----
    sec = ""; block = ""; ln = 0
    while ((getline line < conf) > 0) {
        ln++
        sub(/[ \t]+$/, "", line)
        if (line ~ /^\[[a-z_]+\]$/) { sec = substr(line, 2, length(line) - 2); block = ""; continue }
        if (line ~ /^\[/) { sec = ""; block = ""; continue }
        if (line == "") { block = ""; continue }
        if (line ~ /^#?[a-z_]+ =/) {
            key = line
            sub(/^#/, "", key)
            sub(/ =.*/, "", key)
            val = line
            sub(/^#?[a-z_]+ =/, "", val)
            sub(/^ /, "", val)
            k = sec SUBSEP key
            if (sec == "") { problem(conf ":" ln ": key " key " outside a table section"); continue }
            if (k in cval) problem(conf ":" ln ": [" sec "] " key " appears twice")
            cval[k] = val; cblock[k] = block; cline[k] = ln
            block = ""
            continue
        }
        if (line ~ /^#/) block = block "\n" line
    }
    # ---- compare ----
    for (i = 1; i <= nt; i++) {
        k = order[i]
        split(k, p, SUBSEP)
        name = "[" p[1] "] " p[2]
        if (!(k in mdef)) {
            problem(man ": " name " is not documented")
        } else {
            if (mdef[k] != tdef[k])
                problem(man ":" mline[k] ": " name ": default \"" mdef[k] "\", the table says \"" tdef[k] "\"")
            if (index(mpar[k], trl[k]) == 0)
                problem(man ":" mline[k] ": " name ": does not say \"" trl[k] "\"")
            if (index(mpar[k], norm(tdoc[k])) == 0)
                problem(man ":" mline[k] ": " name ": the description lacks the table doc \"" tdoc[k] "\"")
        }
        if (!(k in cval)) {
            problem(conf ": " name " is missing")
        } else {
            if (cval[k] != tdef[k])
                problem(conf ":" cline[k] ": " name ": value \"" cval[k] "\", the default is \"" tdef[k] "\"")
            if (index(cblock[k] "\n", "\n# " tdoc[k] "\n") == 0)
                problem(conf ":" cline[k] ": " name ": no comment \"# " tdoc[k] "\" above it")
            want = "# default: " tdef[k] "; " trl[k]
            if (index(cblock[k] "\n", "\n" want "\n") == 0)
                problem(conf ":" cline[k] ": " name ": no comment \"" want "\" above it")
        }
    }
    for (k in mdef)
        if (!(k in tdef)) {
            split(k, p, SUBSEP)
            problem(man ":" mline[k] ": [" p[1] "] " p[2] " is documented but recutd has no such key")
        }
    for (k in cval)
        if (!(k in tdef)) {
            split(k, p, SUBSEP)
            problem(conf ":" cline[k] ": [" p[1] "] " p[2] " is not a recutd key")
        }
    if (nbad) { print "FAIL: " nbad " disagreement(s) between recutd, " man " and " conf; exit 1 }
    print "PASS: " nt " keys agree in recutd --dump-config, " man " and " conf
    exit 0
}
' <"$tmp/table"
