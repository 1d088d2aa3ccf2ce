# SPDX-License-Identifier: Apache-2.0
"""Peer test: recut's factor analysis vs scikit-learn FactorAnalysis
(svd_method="lapack", both iterated to a log-likelihood gain below 1e-10).
The fitted covariances L L^T + diag(psi) must agree within 1e-6 relative to
the largest entry; loadings must agree up to the sign of each factor within
1e-4 (relative to the largest loading) and so must the factor scores of the
first rows.  (Near-Heywood data, where a noise variance goes to 0, converge
too slowly for either implementation to be compared at this precision.)"""
import os
import sys
import tempfile
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402

pc.need_sklearn()
import numpy as np  # noqa: E402
from sklearn.decomposition import FactorAnalysis  # noqa: E402

COV_TOL = 1e-6
LOAD_TOL = 1e-4
TOL = 1e-10
MAX_ITER = 100000


def dataset(kind):
    rng = np.random.RandomState({"factors": 31, "mixed": 32, "wide": 33}[kind])
    if kind == "factors":  # a true 3-factor model, p = 8
        L = rng.randn(8, 3)
        psi = rng.uniform(0.2, 1.0, 8)
        Z = rng.randn(600, 3)
        return Z @ L.T + rng.randn(600, 8) * np.sqrt(psi) + rng.randn(8) * 3, 3
    if kind == "mixed":  # 2 factors on variables of very different scales
        L = rng.randn(6, 2) * np.array([1, 10, 0.1, 5, 1, 2])[:, None]
        Z = rng.randn(400, 2)
        return Z @ L.T + rng.randn(400, 6) * np.array([0.5, 3, 0.05, 1, 0.7, 1]), 2
    # 4 factors of uneven strength on 12 variables with uneven noise
    L = rng.randn(12, 4) * rng.uniform(0.3, 2, size=(12, 1))
    Z = rng.randn(300, 4)
    return Z @ L.T + rng.randn(300, 12) * rng.uniform(0.3, 1.5, 12), 4


def run_case(tmp, kind):
    X, k = dataset(kind)
    path = os.path.join(tmp, kind + ".txt")
    pc.write_matrix(path, X)
    out = pc.run([pc.prog("run_fa"), path, str(k), repr(TOL), str(MAX_ITER)])
    p = X.shape[1]
    cov = np.zeros((p, p))
    load = np.zeros((p, k))
    scores = {}
    for line in out.splitlines():
        t = line.split()
        if t[0] == "cov":
            cov[int(t[1]), int(t[2])] = pc.hexf(t[3])
        elif t[0] == "loading":
            load[int(t[1]), int(t[2])] = pc.hexf(t[3])
        elif t[0] == "score":
            scores[(int(t[1]), int(t[2]))] = pc.hexf(t[3])
        elif t[0] == "iterations":
            iters = int(t[1])
            pc.check(t[3] == "1", "%s: did not converge in %s iterations" % (kind, t[1]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = FactorAnalysis(n_components=k, svd_method="lapack", tol=TOL,
                             max_iter=MAX_ITER).fit(X)
    rcov = ref.get_covariance()
    cov_err = np.abs(cov - rcov).max() / np.abs(rcov).max()
    pc.check(cov_err <= COV_TOL, "%s: covariance differs by %.2e (relative)" % (kind, cov_err))
    rload = ref.components_.T
    signs = np.sign((load * rload).sum(axis=0))
    load_err = np.abs(load - rload * signs).max() / np.abs(rload).max()
    pc.check(load_err <= LOAD_TOL, "%s: loadings differ by %.2e (relative)" % (kind, load_err))
    rscores = ref.transform(X[:10]) * signs
    s_err = max(abs(scores[(i, r)] - rscores[i, r]) for i in range(10) for r in range(k))
    pc.check(s_err <= LOAD_TOL * max(1.0, np.abs(rscores).max()),
             "%s: factor scores differ by %.2e" % (kind, s_err))
    print("%s: n=%d p=%d k=%d, %d iterations (sklearn %d): covariance %.1e, loadings %.1e, "
          "scores %.1e" % (kind, X.shape[0], p, k, iters, ref.n_iter_, cov_err, load_err, s_err))


with tempfile.TemporaryDirectory() as tmp:
    for kind in ("factors", "mixed", "wide"):
        run_case(tmp, kind)
pc.done()
