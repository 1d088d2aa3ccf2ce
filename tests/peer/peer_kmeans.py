# SPDX-License-Identifier: Apache-2.0
"""Peer test: recut's k-means vs scikit-learn KMeans (Lloyd, k-means++,
n_init=10) on three generated data sets: well-separated clusters (the
partitions must match exactly up to a permutation of labels), overlapping
clusters and structureless uniform data (inertia within 1%)."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402

pc.need_sklearn()
import numpy as np  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402

N_INIT = 10


def dataset(kind):
    rng = np.random.RandomState({"separated": 21, "overlapping": 22, "uniform": 23}[kind])
    if kind == "separated":
        centres = np.array([[0, 0, 0], [15, 0, 0], [0, 15, 0], [0, 0, 15], [15, 15, 15]], float)
        y = rng.randint(0, len(centres), 600)
        return centres[y] + rng.randn(600, 3) * 0.6, len(centres)
    if kind == "overlapping":
        centres = rng.uniform(-6, 6, size=(5, 5))
        y = rng.randint(0, 5, 700)
        return centres[y] + rng.randn(700, 5) * 2.0, 5
    return rng.rand(800, 4), 6


def run_case(tmp, kind):
    X, k = dataset(kind)
    path = os.path.join(tmp, kind + ".txt")
    pc.write_matrix(path, X)
    out = pc.run([pc.prog("run_kmeans"), path, str(k), str(N_INIT), "0"])
    inertia = recomputed = None
    labels = []
    for line in out.splitlines():
        t = line.split()
        if t[0] == "inertia":
            inertia = pc.hexf(t[1])
        elif t[0] == "recomputed":
            recomputed = pc.hexf(t[1])
        elif t[0] == "label":
            labels.append(int(t[1]))
    ref = KMeans(n_clusters=k, n_init=N_INIT, random_state=0, algorithm="lloyd").fit(X)
    rel = (inertia - ref.inertia_) / ref.inertia_
    pc.check(abs(rel) <= 0.01, "%s: inertia %.6g vs sklearn %.6g (%+.3f%%)"
             % (kind, inertia, ref.inertia_, 100 * rel))
    pc.check(pc.close(recomputed, inertia, 1e-9), "%s: kmeans_inertia disagrees with the fit"
             % kind)
    pc.check(len(labels) == len(X), "%s: %d labels for %d rows" % (kind, len(labels), len(X)))
    # our inertia must also be what our labels imply
    labels = np.array(labels)
    cost = sum(((X[labels == c] - X[labels == c].mean(axis=0)) ** 2).sum()
               for c in range(k) if (labels == c).any())
    pc.check(cost <= inertia * (1 + 1e-9), "%s: labels imply inertia %.6g > %.6g"
             % (kind, cost, inertia))
    if kind == "separated":
        pairs = set(zip(labels.tolist(), ref.labels_.tolist()))
        ours = {a for a, _ in pairs}
        theirs = {b for _, b in pairs}
        pc.check(len(pairs) == k and len(ours) == k and len(theirs) == k,
                 "%s: partitions differ (label pairs %s)" % (kind, sorted(pairs)))
    print("%s: k=%d inertia %.6g, sklearn %.6g (%+.4f%%)"
          % (kind, k, inertia, ref.inertia_, 100 * rel))


with tempfile.TemporaryDirectory() as tmp:
    for kind in ("separated", "overlapping", "uniform"):
        run_case(tmp, kind)
pc.done()
