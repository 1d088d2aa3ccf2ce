# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the peer tests: locate the check programs, write data,
run commands, compare numbers, report.  A test exits 77 (skip) only when a
reference tool (Debian's python3-sklearn, libsvm-tools) is not installed."""
import os
import shlex
import subprocess
import sys

failures = 0
checks = 0


def skip(msg):
    print("SKIP: " + msg)
    sys.exit(77)


def need_sklearn():
    try:
        import numpy  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError as e:
        skip("scikit-learn/numpy not importable by %s (%s); install python3-sklearn"
             % (sys.executable, e))


def prog(name):
    """Path of a check program built in this directory."""
    d = os.environ.get("PEER_BUILDDIR") or os.getcwd()
    p = os.path.join(d, name)
    if not os.path.exists(p):
        print("FAIL: check program %s not built" % p)
        sys.exit(1)
    return p


def run(args, **kw):
    """Run a command; our check programs go through $PEER_WRAPPER if set
    (e.g. PEER_WRAPPER="valgrind -q --error-exitcode=9 --leak-check=full")."""
    wrapper = os.environ.get("PEER_WRAPPER")
    if wrapper and args[0].startswith(os.environ.get("PEER_BUILDDIR") or os.getcwd()):
        args = shlex.split(wrapper) + list(args)
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, **kw)
    if r.returncode != 0:
        print("FAIL: %s exited %d\n%s" % (" ".join(args), r.returncode, r.stderr))
        sys.exit(1)
    return r.stdout


def write_matrix(path, X):
    with open(path, "w") as f:
        f.write("%d %d\n" % (len(X), len(X[0])))
        for row in X:
            f.write(" ".join(repr(float(v)) for v in row) + "\n")


def check(cond, what):
    global failures, checks
    checks += 1
    if not cond:
        failures += 1
        print("FAIL: " + what)


def close(a, b, tol):
    """|a - b| <= tol * max(1, |b|); also True for equal infinities."""
    if a == b:
        return True
    return abs(a - b) <= tol * max(1.0, abs(b))


def hexf(s):
    return float.fromhex(s)


def done():
    print("%d checks, %d failed" % (checks, failures))
    sys.exit(1 if failures else 0)
