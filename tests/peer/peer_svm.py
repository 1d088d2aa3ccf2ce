# SPDX-License-Identifier: Apache-2.0
"""Peer test: recut's SVM wrapper (LibSVM C-SVC) vs LibSVM's own svm-train /
svm-predict on the same problems: linear, RBF, and 3-class RBF with
probability estimates.  Labels and accuracy must equal svm-predict's, the
decision values must equal those of the model svm-train wrote (within 1e-9;
data are written with 6 significant digits so the model file, which keeps
8, holds them exactly), and a serialize -> deserialize round trip must give
bit-identical decision values."""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402

pc.need_sklearn()  # numpy, for the data
import numpy as np  # noqa: E402

SVM_TRAIN = shutil.which("svm-train") or "/usr/bin/svm-train"
SVM_PREDICT = shutil.which("svm-predict") or "/usr/bin/svm-predict"
if not (os.access(SVM_TRAIN, os.X_OK) and os.access(SVM_PREDICT, os.X_OK)):
    pc.skip("svm-train / svm-predict not installed (Debian: libsvm-tools)")


def write_libsvm(path, X, y):
    with open(path, "w") as f:
        for row, label in zip(X, y):
            feats = " ".join("%d:%s" % (j + 1, "%.6g" % v) for j, v in enumerate(row) if v != 0)
            f.write("%d %s\n" % (label, feats))


def dataset(kind, seed):
    rng = np.random.RandomState(seed)
    if kind == "linear":
        n, d = 300, 5
        y = np.where(rng.rand(n) < 0.5, -1, 1)
        X = rng.randn(n, d) + np.outer(y, [1.0, 0.5, 0, 0, -0.5])
    elif kind == "rbf":
        n = 300
        r = np.where(rng.rand(n) < 0.5, 1.0, 2.5)
        t = rng.rand(n) * 2 * np.pi
        X = np.column_stack([r * np.cos(t), r * np.sin(t)]) + 0.3 * rng.randn(n, 2)
        y = np.where(r < 2, 1, 2)
    else:  # three classes, sparse-ish
        n, d = 300, 8
        y = rng.randint(0, 3, n)
        X = rng.randn(n, d) * 0.8
        X[np.arange(n), y] += 2.0
        X[rng.rand(n, d) < 0.3] = 0.0
        y = y * 2 - 1  # labels -1, 1, 3
    X = np.array([[float("%.6g" % v) for v in row] for row in X])
    return X[:200], y[:200], X[200:], y[200:]


def run_case(tmp, name, kernel, C, gamma, prob, seed):
    Xtr, ytr, Xte, yte = dataset(name, seed)
    train = os.path.join(tmp, name + ".train")
    test = os.path.join(tmp, name + ".test")
    model = os.path.join(tmp, name + ".model")
    pred = os.path.join(tmp, name + ".pred")
    write_libsvm(train, Xtr, ytr)
    write_libsvm(test, Xte, yte)
    t = "0" if kernel == "linear" else "2"
    pc.run([SVM_TRAIN, "-q", "-s", "0", "-t", t, "-c", repr(C), "-g", repr(gamma),
            "-b", str(prob), train, model])
    acc_out = pc.run([SVM_PREDICT, "-b", str(prob), test, model, pred])
    m = re.search(r"Accuracy = [0-9.]+% \((\d+)/(\d+)\)", acc_out)
    ref_correct = int(m.group(1))
    with open(pred) as f:
        lines = f.read().split("\n")
    ref_prob_labels = None
    if prob:
        ref_prob_labels = [int(v) for v in lines[0].split()[1:]]
        lines = lines[1:]
    ref_pred = [ln.split() for ln in lines if ln.strip()]
    out = pc.run([pc.prog("run_svm"), train, test, kernel, repr(C), repr(gamma),
                  str(prob), model])
    rows = 0
    correct = 0
    worst = 0.0
    worst_p = 0.0
    for line in out.splitlines():
        tok = line.split()
        if tok[0] == "classes":
            pc.check(tok[1] == tok[3], "%s: %s" % (name, line))
        elif tok[0] == "labels":
            pc.check(all(a == b for a, b in (x.split("/") for x in tok[1:])),
                     "%s: label order %s" % (name, line))
        elif tok[0] == "nsv":
            pc.check(tok[1] == tok[3], "%s: support vectors %s" % (name, line))
        elif tok[0] == "row":
            i = int(tok[1])
            lab, lab_ref, lab_rt = int(tok[2]), int(tok[3]), int(tok[4])
            ref_label = int(float(ref_pred[i][0]))
            pc.check(lab == lab_ref == lab_rt, "%s: row %d labels %s" % (name, i, tok[2:5]))
            sec = {}
            key = None
            for s in tok[5:]:
                if s in ("dec", "ref", "rt", "prob", "pref", "plab"):
                    key = s
                    sec[key] = []
                else:
                    sec[key].append(s)
            if prob:  # with -b 1 svm-predict labels by probability
                lab = int(sec["plab"][0])
            pc.check(lab == ref_label, "%s: row %d: ours %d, svm-predict %d"
                     % (name, i, lab, ref_label))
            correct += lab == yte[i]
            pc.check(sec["dec"] == sec["rt"], "%s: row %d round trip not bit-identical"
                     % (name, i))
            for a, b in zip(sec["dec"], sec["ref"]):
                a, b = pc.hexf(a), pc.hexf(b)
                worst = max(worst, abs(a - b) / max(1.0, abs(b)))
                pc.check(pc.close(a, b, 1e-9), "%s: row %d decision %r vs svm-train's %r"
                         % (name, i, a, b))
            if prob:
                ours = [pc.hexf(s) for s in sec["prob"]]
                theirs = [float(v) for v in ref_pred[i][1:]]
                # svm-predict prints probabilities with %g (6 digits), in the
                # order of its "labels" line, which is the model's order.
                for a, b in zip(ours, theirs):
                    worst_p = max(worst_p, abs(a - b))
                    pc.check(abs(a - b) <= 1e-5, "%s: row %d probability %r vs %r"
                             % (name, i, a, b))
                pc.check(int(float(ref_pred[i][0])) ==
                         ref_prob_labels[int(np.argmax(theirs))],
                         "%s: row %d svm-predict output inconsistent" % (name, i))
            rows += 1
    pc.check(rows == len(yte), "%s: %d rows of output for %d test rows" % (name, rows, len(yte)))
    pc.check(correct == ref_correct, "%s: accuracy %d/%d vs svm-predict %d/%d"
             % (name, correct, rows, ref_correct, len(yte)))
    print("%s: accuracy %d/%d (svm-predict %d/%d), max decision difference %.2e%s"
          % (name, correct, rows, ref_correct, len(yte), worst,
             ", max probability difference %.1e" % worst_p if prob else ""))


with tempfile.TemporaryDirectory() as tmp:
    run_case(tmp, "linear", "linear", 1.0, 0.2, 0, 11)
    run_case(tmp, "rbf", "rbf", 10.0, 0.5, 0, 12)
    run_case(tmp, "multi", "rbf", 2.0, 0.125, 1, 13)
pc.done()
