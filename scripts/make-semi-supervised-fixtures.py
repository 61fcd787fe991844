#!/usr/bin/env python3
"""Reference values from scikit-learn 1.2.1 for the semi-supervised estimators.

    /usr/bin/python3 scripts/make-semi-supervised-fixtures.py

Writes test/fixtures/sklearn-semi-supervised.json: for each case the data
(X with -1 for unlabelled rows in y, a query set), the estimator's params
(camelCase, as frugal names them) and what scikit-learn fitted:
transduction_, label_distributions_, n_iter_, predict and predict_proba on
the query rows (LabelPropagation / LabelSpreading), or transduction_,
labeled_iter_, n_iter_, termination_condition_ and predict
(SelfTrainingClassifier around GaussianNB, whose fit is closed-form).

Digits rows get a tiny jitter so that no two k-NN distances tie (scikit-
learn's KD-tree and brute force break ties differently).
"""
import json
import os
import warnings

import numpy as np
from sklearn import datasets as D
from sklearn.naive_bayes import GaussianNB
from sklearn.semi_supervised import LabelPropagation, LabelSpreading, SelfTrainingClassifier

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "sklearn-semi-supervised.json")


def mask_labels(y, labelled_per_class, rng):
    y = np.asarray(y).copy()
    keep = np.zeros(len(y), dtype=bool)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        keep[rng.choice(idx, labelled_per_class, replace=False)] = True
    y[~keep] = -1
    return y


def datasets():
    rng = np.random.RandomState(0)
    iris = D.load_iris()
    iris_idx = rng.permutation(150)
    Xi = iris.data[iris_idx[:120]] + rng.normal(0, 1e-4, (120, 4))
    yi = mask_labels(iris.target[iris_idx[:120]], 5, rng)
    Qi = iris.data[iris_idx[120:]]
    digits = D.load_digits()
    didx = rng.permutation(len(digits.target))[:120]
    Xd = digits.data[didx] / 16 + rng.normal(0, 1e-4, (120, 64))
    yd = mask_labels(digits.target[didx], 3, rng)
    Qd = digits.data[rng.permutation(len(digits.target))[:20]] / 16
    Xm, ym = D.make_moons(160, noise=0.1, random_state=0)
    ym = mask_labels(ym, 4, rng)
    Qm, _ = D.make_moons(20, noise=0.1, random_state=1)
    return {"iris": (Xi, yi, Qi), "digits": (Xd, yd, Qd), "moons": (Xm, ym, Qm)}


def nan_to_none(rows):
    """JSON has no NaN: scikit-learn's NaN probabilities (a query whose neighbours carry no label mass) become null."""
    return [[None if v != v else v for v in row] for row in rows]


def graph_case(name, cls, params, data_name, data):
    X, y, Q = data
    sk_params = {"n_neighbors" if k == "nNeighbors" else ("max_iter" if k == "maxIter" else k): v for k, v in params.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = cls(**sk_params).fit(X, y)
    return {
        "name": name,
        "estimator": cls.__name__,
        "params": params,
        "data": data_name,
        "transduction": est.transduction_.tolist(),
        "labelDistributions": est.label_distributions_.tolist(),
        "nIter": int(est.n_iter_),
        "predict": est.predict(Q).tolist(),
        "predictProba": nan_to_none(est.predict_proba(Q).tolist()),
    }


def self_training_case(name, params, X, y):
    sk = {"threshold": params.get("threshold", 0.75), "criterion": params.get("criterion", "threshold"),
          "k_best": params.get("kBest", 10), "max_iter": params.get("maxIter", 10)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = SelfTrainingClassifier(GaussianNB(), **sk).fit(X, y)
    return {
        "name": name,
        "params": params,
        "X": X.tolist(),
        "y": y.tolist(),
        "transduction": est.transduction_.tolist(),
        "labeledIter": est.labeled_iter_.tolist(),
        "nIter": int(est.n_iter_),
        "terminationCondition": est.termination_condition_,
        "predict": est.predict(X).tolist(),
        "predictProba": est.predict_proba(X).tolist(),
    }


def main():
    data = datasets()
    graph = [
        graph_case("iris LabelPropagation rbf", LabelPropagation, {"kernel": "rbf", "gamma": 2}, "iris", data["iris"]),
        graph_case("iris LabelSpreading rbf", LabelSpreading, {"kernel": "rbf", "gamma": 2, "alpha": 0.2}, "iris", data["iris"]),
        graph_case("iris LabelPropagation knn", LabelPropagation, {"kernel": "knn", "nNeighbors": 7}, "iris", data["iris"]),
        graph_case("iris LabelSpreading knn", LabelSpreading, {"kernel": "knn", "nNeighbors": 7, "alpha": 0.5}, "iris", data["iris"]),
        graph_case("digits LabelSpreading rbf", LabelSpreading, {"kernel": "rbf", "gamma": 0.25, "alpha": 0.2}, "digits", data["digits"]),
        graph_case("digits LabelSpreading knn", LabelSpreading, {"kernel": "knn", "nNeighbors": 10, "alpha": 0.2}, "digits", data["digits"]),
        graph_case("digits LabelPropagation knn", LabelPropagation, {"kernel": "knn", "nNeighbors": 5}, "digits", data["digits"]),
        graph_case("moons LabelSpreading rbf", LabelSpreading, {"kernel": "rbf", "gamma": 20, "alpha": 0.1}, "moons", data["moons"]),
        graph_case("moons LabelPropagation rbf (maxIter 5)", LabelPropagation, {"kernel": "rbf", "gamma": 20, "maxIter": 5}, "moons", data["moons"]),
        graph_case("moons LabelSpreading knn", LabelSpreading, {"kernel": "knn", "nNeighbors": 7, "alpha": 0.2}, "moons", data["moons"]),
        graph_case("moons LabelSpreading knn alpha 0.9", LabelSpreading, {"kernel": "knn", "nNeighbors": 7, "alpha": 0.9, "maxIter": 100}, "moons", data["moons"]),
    ]
    # Self-training: overlapping Gaussian blobs keep GaussianNB's probabilities below 1 and distinct (k_best has no ties).
    Xb, yb = D.make_blobs(150, centers=3, cluster_std=2.5, random_state=3)
    yb = mask_labels(yb, 4, np.random.RandomState(1))
    Xi, yi, _ = data["iris"]
    self_training = [
        self_training_case("blobs threshold 0.9", {"threshold": 0.9}, Xb, yb),
        self_training_case("blobs k_best 7", {"criterion": "k_best", "kBest": 7, "maxIter": 6}, Xb, yb),
        self_training_case("iris threshold 0.75", {}, Xi, yi),
        self_training_case("blobs threshold 0.999 maxIter 2", {"threshold": 0.999, "maxIter": 2}, Xb, yb),
    ]
    with open(OUT, "w") as f:
        sets = {k: {"X": X.tolist(), "y": y.tolist(), "query": Q.tolist()} for k, (X, y, Q) in data.items()}
        json.dump({"sklearn": __import__("sklearn").__version__, "datasets": sets, "graph": graph, "selfTraining": self_training}, f, allow_nan=False)
        f.write("\n")
    for c in graph:
        print(c["name"], "n_iter", c["nIter"])
    for c in self_training:
        print(c["name"], "n_iter", c["nIter"], c["terminationCondition"])


if __name__ == "__main__":
    main()
