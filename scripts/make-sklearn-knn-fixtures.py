#!/usr/bin/env python3
"""Reference values from scikit-learn for neighbours, naive Bayes, group
splitters and feature selection (frugal-ml's test/neighbors.test.ts,
test/naive-bayes.test.ts, test/group-splits.test.ts,
test/feature-selection.test.ts).

    /usr/bin/python3 scripts/make-sklearn-knn-fixtures.py

writes test/fixtures/sklearn-knn.json. Inputs are generated here from a
fixed seed (continuous values, so no two distances tie).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.feature_selection import SelectKBest, chi2, f_classif, f_regression
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold, TimeSeriesSplit
from sklearn.naive_bayes import BernoulliNB, GaussianNB, MultinomialNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor, NearestNeighbors

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "sklearn-knn.json")


def tl(a):
    return np.asarray(a).tolist()


def neighbors(rng):
    X = rng.normal(size=(40, 3))
    y = rng.integers(0, 3, size=40)
    yr = X[:, 0] * 2 - X[:, 1] + rng.normal(scale=0.1, size=40)
    Q = rng.normal(size=(12, 3))
    cases = []
    for metric, p in [("euclidean", 2), ("manhattan", 2), ("minkowski", 3), ("chebyshev", 2)]:
        for algorithm in ["brute", "kd_tree"]:
            for weights in ["uniform", "distance"]:
                c = KNeighborsClassifier(n_neighbors=4, weights=weights, algorithm=algorithm, metric=metric, p=p, leaf_size=5).fit(X, y)
                r = KNeighborsRegressor(n_neighbors=4, weights=weights, algorithm=algorithm, metric=metric, p=p, leaf_size=5).fit(X, yr)
                d, i = c.kneighbors(Q)
                d0, i0 = c.kneighbors()
                cases.append({
                    "params": {"nNeighbors": 4, "weights": weights, "algorithm": algorithm, "metric": metric, "p": p, "leafSize": 5},
                    "distances": tl(d), "indices": tl(i),
                    "selfDistances": tl(d0), "selfIndices": tl(i0),
                    "proba": tl(c.predict_proba(Q)), "predict": tl(c.predict(Q)),
                    "regression": tl(r.predict(Q)),
                })
    nn = NearestNeighbors(radius=1.2, algorithm="brute").fit(X)
    rd, ri = nn.radius_neighbors(Q, sort_results=True)
    return {"X": tl(X), "y": tl(y), "yr": tl(yr), "Q": tl(Q), "cases": cases,
            "radius": {"radius": 1.2, "distances": [tl(a) for a in rd], "indices": [tl(a) for a in ri]}}


def naive_bayes(rng):
    X = rng.normal(size=(30, 4)) + np.repeat(np.arange(3), 10)[:, None] * 0.7
    y = np.repeat(np.array([2, 5, 7]), 10)
    w = rng.uniform(0.2, 2, size=30)
    Q = rng.normal(size=(6, 4)) + 0.5
    out = {"X": tl(X), "y": tl(y), "w": tl(w), "Q": tl(Q)}
    g = GaussianNB().fit(X, y)
    out["gaussian"] = {"theta": tl(g.theta_), "var": tl(g.var_), "epsilon": g.epsilon_, "proba": tl(g.predict_proba(Q)), "logProba": tl(g.predict_log_proba(Q))}
    g = GaussianNB(priors=[0.2, 0.3, 0.5], var_smoothing=1e-3).fit(X, y, sample_weight=w)
    out["gaussianWeighted"] = {"theta": tl(g.theta_), "var": tl(g.var_), "proba": tl(g.predict_proba(Q))}
    g = GaussianNB()
    order = rng.permutation(30)
    for part in np.array_split(order, 3):
        g.partial_fit(X[part], y[part], classes=[2, 5, 7])
    out["gaussianPartial"] = {"order": tl(order), "theta": tl(g.theta_), "var": tl(g.var_), "proba": tl(g.predict_proba(Q))}
    C = rng.poisson(2.0, size=(30, 5)).astype(float)
    CQ = rng.poisson(2.0, size=(6, 5)).astype(float)
    out["C"] = tl(C)
    out["CQ"] = tl(CQ)
    m = MultinomialNB(alpha=0.5).fit(C, y, sample_weight=w)
    out["multinomial"] = {"featureLogProb": tl(m.feature_log_prob_), "classLogPrior": tl(m.class_log_prior_), "proba": tl(m.predict_proba(CQ))}
    m = MultinomialNB(fit_prior=False).fit(C, y)
    out["multinomialUniform"] = {"proba": tl(m.predict_proba(CQ))}
    b = BernoulliNB(alpha=1.0, binarize=1.5).fit(C, y)
    out["bernoulli"] = {"featureLogProb": tl(b.feature_log_prob_), "classLogPrior": tl(b.class_log_prior_), "proba": tl(b.predict_proba(CQ)), "logProba": tl(b.predict_log_proba(CQ))}
    b = BernoulliNB(class_prior=[0.5, 0.25, 0.25]).fit(C, y)
    out["bernoulliPrior"] = {"proba": tl(b.predict_proba(CQ))}
    return out


def splits(rng):
    out = {"timeSeries": [], "groupKFold": [], "stratifiedGroupKFold": []}
    for kw in [{}, {"n_splits": 3}, {"n_splits": 3, "max_train_size": 4}, {"n_splits": 3, "test_size": 2, "gap": 2}]:
        s = TimeSeriesSplit(**kw)
        camel = {"".join(w if i == 0 else w.capitalize() for i, w in enumerate(k.split("_"))): v for k, v in kw.items()}
        out["timeSeries"].append({"n": 14, "options": camel, "folds": [[tl(a), tl(b)] for a, b in s.split(np.zeros(14))]})
    groups = rng.integers(0, 9, size=40)
    y = rng.integers(0, 3, size=40)
    for k in [2, 3, 4]:
        out["groupKFold"].append({"nSplits": k, "groups": tl(groups), "folds": [[tl(a), tl(b)] for a, b in GroupKFold(n_splits=k).split(np.zeros(40), y, groups)]})
        out["stratifiedGroupKFold"].append({"nSplits": k, "groups": tl(groups), "y": tl(y), "folds": [[tl(a), tl(b)] for a, b in StratifiedGroupKFold(n_splits=k).split(np.zeros(40), y, groups)]})
    return out


def feature_selection(rng):
    X = rng.normal(size=(50, 6))
    y = (X[:, 0] + 0.5 * X[:, 2] > 0).astype(int) + (X[:, 1] > 1)
    yr = X[:, 3] * 3 + X[:, 4] + rng.normal(size=50)
    C = rng.poisson(3, size=(50, 6)).astype(float)
    Fc, pc = f_classif(X, y)
    Fr, pr = f_regression(X, yr)
    Fr2, pr2 = f_regression(X, yr, center=False)
    Cs, cp = chi2(C, y)
    sel = SelectKBest(f_classif, k=3).fit(X, y)
    return {"X": tl(X), "y": tl(y), "yr": tl(yr), "C": tl(C),
            "fClassif": [tl(Fc), tl(pc)], "fRegression": [tl(Fr), tl(pr)], "fRegressionNoCenter": [tl(Fr2), tl(pr2)],
            "chi2": [tl(Cs), tl(cp)], "selectK3Support": tl(sel.get_support(indices=True))}


def main():
    rng = np.random.default_rng(7)
    data = {"sklearn": sklearn.__version__, "neighbors": neighbors(rng), "naiveBayes": naive_bayes(rng), "splits": splits(rng), "featureSelection": feature_selection(rng)}
    with open(OUT, "w") as f:
        json.dump(data, f)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
