# SPDX-License-Identifier: Apache-2.0
"""Peer test: recut's multinomial naive Bayes vs scikit-learn MultinomialNB.

For three generated data sets (2, 4 and 3 classes; integer, fractional and
very sparse weights; alpha 1, 0.5, 0.01) the joint log-likelihoods and
log-probabilities must equal sklearn's predict_joint_log_proba /
predict_log_proba within 1e-9 (relative, absolute below 1), predictions must
be identical, the online stream must give exactly the batch counts, and the
counts rebuilt from storage fields and from a blob must be identical."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as pc  # noqa: E402

pc.need_sklearn()
import numpy as np  # noqa: E402
from sklearn.naive_bayes import MultinomialNB  # noqa: E402

TOL = 1e-9


def dataset(seed, n, m, d, k, kind):
    rng = np.random.RandomState(seed)
    y = rng.randint(0, k, size=n)
    centers = rng.gamma(1.0, 1.0, size=(k, d))

    def draw(rows, labels):
        if kind == "counts":
            return rng.poisson(centers[labels] * 2.0).astype(float)
        if kind == "fractional":
            mask = rng.rand(rows, d) < 0.4
            return np.round(rng.gamma(2.0, centers[labels]) * mask, 6)
        mask = rng.rand(rows, d) < 0.05
        return rng.poisson(centers[labels] * 5.0).astype(float) * mask

    X = draw(n, y)
    for j in np.where(X.sum(axis=0) == 0)[0]:  # every feature seen once
        X[j % n, j] += 1.0
    Q = draw(m, rng.randint(0, k, size=m))
    Q[0, :] = 0.0  # an empty query vector: the prior alone
    return X, y, Q


def run_case(tmp, name, seed, n, m, d, k, alpha, kind):
    X, y, Q = dataset(seed, n, m, d, k, kind)
    train = os.path.join(tmp, name + "-train.txt")
    query = os.path.join(tmp, name + "-query.txt")
    pc.write_matrix(train, np.column_stack([y.astype(float), X]))
    pc.write_matrix(query, Q)
    out = pc.run([pc.prog("run_nb"), train, query, str(k), repr(alpha)])
    ref = MultinomialNB(alpha=alpha).fit(X, y)
    jll_ref = ref.predict_joint_log_proba(Q)
    lp_ref = ref.predict_log_proba(Q)
    pred_ref = ref.predict(Q)
    flp = ref.feature_log_prob_
    worst = 0.0
    seen = {"jll": 0, "lp": 0, "pred": 0, "count": 0, "logodds": 0}
    for line in out.splitlines():
        t = line.split()
        if t[0] in ("online_equal", "stored_equal", "loaded_equal", "loaded_same_answers"):
            pc.check(t[1] == "1", "%s: %s" % (name, line))
        elif t[0] == "n_features":
            pc.check(int(t[1]) == d, "%s: n_features %s != %d" % (name, t[1], d))
        elif t[0] == "samples":
            c = int(t[1])
            pc.check(pc.hexf(t[2]) == ref.class_count_[c], "%s: samples of class %d" % (name, c))
        elif t[0] == "count":
            c, j, v = int(t[1]), int(t[2]), pc.hexf(t[3])
            seen["count"] += 1
            pc.check(pc.close(v, ref.feature_count_[c, j], 1e-12),
                     "%s: count[%d,%d] %r vs %r" % (name, c, j, v, ref.feature_count_[c, j]))
        elif t[0] in ("jll", "lp"):
            i = int(t[1])
            vals = [pc.hexf(s) for s in t[2:]]
            refv = (jll_ref if t[0] == "jll" else lp_ref)[i]
            seen[t[0]] += 1
            for c in range(k):
                worst = max(worst, abs(vals[c] - refv[c]) / max(1.0, abs(refv[c])))
                pc.check(pc.close(vals[c], refv[c], TOL),
                         "%s: %s[%d][%d] %r vs sklearn %r" % (name, t[0], i, c, vals[c], refv[c]))
        elif t[0] == "pred":
            i = int(t[1])
            seen["pred"] += 1
            pc.check(int(t[2]) == pred_ref[i],
                     "%s: prediction %d: %s vs sklearn %d" % (name, i, t[2], pred_ref[i]))
        elif t[0] == "logodds":
            j = int(t[1])
            seen["logodds"] += 1
            pc.check(pc.close(pc.hexf(t[2]), flp[1, j] - flp[0, j], TOL),
                     "%s: log-odds of f%d" % (name, j))
    pc.check(seen == {"jll": m, "lp": m, "pred": m, "count": k * d, "logodds": d},
             "%s: output incomplete: %r" % (name, seen))
    print("%s: %d classes, %d features, alpha %g: max relative difference %.2e"
          % (name, k, d, alpha, worst))


with tempfile.TemporaryDirectory() as tmp:
    run_case(tmp, "counts", 1, 300, 60, 40, 2, 1.0, "counts")
    run_case(tmp, "fractional", 2, 500, 80, 60, 4, 0.5, "fractional")
    run_case(tmp, "sparse", 3, 200, 50, 100, 3, 0.01, "sparse")
pc.done()
