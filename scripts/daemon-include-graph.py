#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The include graph between recutd's modules, to keep its arrows one way.

Usage: scripts/daemon-include-graph.py [DAEMON_DIR]   (default: daemon/)

Module A -> B when a file of A includes a header of B, directly or through
its own headers.  A module is a file name without extension and
"-internal" (store_*, svm_*, groups* collapse to store, svm_scorer,
groups).  recutd.c is the wiring and may include everything; nothing
includes it.  recutd-internal.h, the compatibility header, is followed
through.  Prints the edges, then any cycle; exits 1 when there is one.
"""
import os
import re
import sys


def module(f):
    b = f.rsplit(".", 1)[0].replace("-internal", "")
    if f == "recutd-internal.h":
        return "compat"
    for pfx, m in (("store", "store"), ("svm_", "svm_scorer"), ("groups", "groups")):
        if b.startswith(pfx):
            return m
    return b


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "daemon"
    files = {}
    for d, _, fs in os.walk(root):
        for f in fs:
            if f.endswith((".c", ".h")):
                files[f] = os.path.join(d, f)
    inc = {}
    for f, p in files.items():
        with open(p, encoding="utf-8") as fh:
            inc[f] = [h for h in re.findall(r'^#include "([^"]+)"', fh.read(), re.M) if h in files]

    def closure(f, seen):
        for h in inc[f]:
            if h not in seen:
                seen.add(h)
                closure(h, seen)
        return seen

    edges = {}
    for f in files:
        if not f.endswith(".c"):
            continue
        m = module(f)
        for h in closure(f, set()):
            n = module(h)
            if n not in (m, "recutd", "compat"):
                edges.setdefault(m, set()).add(n)
    for m in sorted(edges):
        print("%-12s -> %s" % (m, " ".join(sorted(edges[m]))))
    g = {m: e for m, e in edges.items() if m != "recutd"}
    cycles, state = [], {}

    def dfs(u, path):
        state[u] = 1
        path.append(u)
        for v in sorted(g.get(u, ())):
            if state.get(v) == 1:
                cycles.append(path[path.index(v):] + [v])
            elif not state.get(v):
                dfs(v, path)
        path.pop()
        state[u] = 2

    for m in sorted(g):
        if not state.get(m):
            dfs(m, [])
    for c in cycles:
        print("cycle: " + " -> ".join(c))
    if not cycles:
        print("no cycle outside recutd.c")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
