#!/usr/bin/python3
"""Writes test/fixtures/sklearn-svm.json: scikit-learn's SVC / SVR / LinearSVC
results on small data sets, so the TypeScript tests compare against them
without Python.

Run with Debian's interpreter (python3-sklearn, scikit-learn 1.2.1):
    /usr/bin/python3 scripts/make-sklearn-svm-fixtures.py

The data (iris from ../shared/data or the copy written here, a
make_classification set, XOR-like points, regression sets) is written into the
JSON next to each result.
"""
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.calibration import _sigmoid_calibration
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import SVC, SVR, LinearSVC

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "sklearn-svm.json")
IRIS = os.path.join(HERE, "..", "..", "shared", "data", "iris.csv")

warnings.simplefilter("ignore", ConvergenceWarning)


def r(a, digits=17):
    """Plain lists of floats (repr round-trips exactly)."""
    a = np.asarray(a)
    if a.dtype.kind in "iu":
        return a.tolist()
    return [float(x) for x in a.ravel()] if a.ndim == 1 else [r(row) for row in a]


def load_iris():
    rows = []
    with open(IRIS) as f:
        header = f.readline()
        for line in f:
            p = line.strip().split(",")
            if len(p) == 5:
                rows.append(p)
    X = np.array([[float(v) for v in p[:4]] for p in rows])
    names = sorted(set(p[4] for p in rows))
    y = np.array([names.index(p[4]) for p in rows])
    return X, y


def datasets():
    X, y = load_iris()
    out = {}
    out["iris3"] = (X, y)
    keep = y > 0  # versicolor vs virginica: overlapping classes
    out["iris2"] = (X[keep][:, [0, 1, 2, 3]], y[keep])
    Xc, yc = make_classification(n_samples=120, n_features=5, n_informative=3, n_redundant=1,
                                 n_classes=3, n_clusters_per_class=1, class_sep=1.0, random_state=0)
    out["mc3"] = (Xc, yc)
    rs = np.random.RandomState(0)
    Xx = rs.randn(80, 2)
    yx = (np.logical_xor(Xx[:, 0] > 0, Xx[:, 1] > 0)).astype(int)
    out["xor"] = (Xx, yx)
    Xb, yb = make_classification(n_samples=90, n_features=4, n_informative=2, n_redundant=0,
                                 weights=[0.7, 0.3], flip_y=0.05, random_state=3)
    out["imb2"] = (Xb, yb)
    return out


def probe_points(X, seed):
    rs = np.random.RandomState(seed)
    idx = rs.choice(len(X), size=min(15, len(X)), replace=False)
    return X[idx] + rs.randn(len(idx), X.shape[1]) * X.std(axis=0) * 0.3


def svc_case(name, data, X, y, **params):
    m = SVC(**params).fit(X, y)
    T = probe_points(X, 7)
    Z = np.vstack([X, T])
    case = {
        "name": name, "data": data, "params": params,
        "gamma": float(m._gamma),
        "support": r(m.support_), "nSupport": r(m.n_support_),
        "dualCoef": r(m.dual_coef_), "intercept": r(m.intercept_),
        "classes": r(m.classes_),
        "probe": r(T),
        "predict": r(m.predict(Z)),
        "decision": r(m.decision_function(Z)),
        "nIter": r(m.n_iter_),
    }
    if len(m.classes_) > 2:
        m2 = SVC(**{**params, "decision_function_shape": "ovo"}).fit(X, y)
        case["decisionOvo"] = r(m2.decision_function(Z))
    if params.get("probability"):
        case["probA"] = r(m.probA_)
        case["probB"] = r(m.probB_)
        case["proba"] = r(m.predict_proba(Z))
    return case


def svr_case(name, X, y, **params):
    m = SVR(**params).fit(X, y)
    T = probe_points(X, 11)
    Z = np.vstack([X, T])
    return {
        "name": name, "params": params, "X": r(X), "y": r(y), "probe": r(T),
        "gamma": float(m._gamma),
        "support": r(m.support_), "dualCoef": r(m.dual_coef_[0]), "intercept": float(m.intercept_[0]),
        "predict": r(m.predict(Z)), "nIter": int(np.ravel(m.n_iter_)[0]),
    }


def linsvc_case(name, data, X, y, **params):
    m = LinearSVC(**params).fit(X, y)
    T = probe_points(X, 5)
    Z = np.vstack([X, T])
    dec = m.decision_function(Z)
    return {
        "name": name, "data": data, "params": params, "probe": r(T),
        "coef": r(m.coef_), "intercept": r(np.ravel(m.intercept_)),
        "predict": r(m.predict(Z)), "decision": r(dec), "nIter": int(m.n_iter_),
    }


def main():
    ds = datasets()
    fx = {"sklearn": sklearn.__version__, "numpy": np.__version__, "data": {}, "svc": [], "svr": [], "linearsvc": [], "sigmoid": []}
    for k, (X, y) in ds.items():
        fx["data"][k] = {"X": r(X), "y": r(y)}

    S = fx["svc"]
    for data in ["iris2", "iris3", "mc3", "xor", "imb2"]:
        X, y = ds[data]
        S.append(svc_case(f"{data}-rbf", data, X, y, kernel="rbf", C=1.0))
        S.append(svc_case(f"{data}-rbf-C10", data, X, y, kernel="rbf", C=10.0, gamma="scale"))
        S.append(svc_case(f"{data}-linear", data, X, y, kernel="linear", C=0.5))
        S.append(svc_case(f"{data}-poly", data, X, y, kernel="poly", C=1.0, degree=3, gamma="scale", coef0=1.0))
    for data in ["iris2", "iris3", "mc3"]:
        X, y = ds[data]
        S.append(svc_case(f"{data}-poly2-auto", data, X, y, kernel="poly", C=2.0, degree=2, gamma="auto", coef0=0.5))
        S.append(svc_case(f"{data}-sigmoid", data, X, y, kernel="sigmoid", C=1.0, gamma=0.01, coef0=0.0))
        S.append(svc_case(f"{data}-rbf-g0.5", data, X, y, kernel="rbf", C=3.0, gamma=0.5))
        S.append(svc_case(f"{data}-rbf-noshrink", data, X, y, kernel="rbf", C=1.0, shrinking=False))
        S.append(svc_case(f"{data}-rbf-balanced", data, X, y, kernel="rbf", C=1.0, class_weight="balanced"))
        S.append(svc_case(f"{data}-rbf-breakties", data, X, y, kernel="rbf", C=1.0, break_ties=True))
    X, y = ds["iris3"]
    S.append(svc_case("iris3-rbf-cw", "iris3", X, y, kernel="rbf", C=1.0, class_weight={1: 3.0, 2: 0.5}))
    X, y = ds["imb2"]
    S.append(svc_case("imb2-rbf-cw", "imb2", X, y, kernel="rbf", C=1.0, class_weight={1: 4.0}))
    S.append(svc_case("imb2-rbf-tol", "imb2", X, y, kernel="rbf", C=100.0, tol=1e-5))
    for data in ["iris2", "iris3", "mc3", "imb2"]:
        X, y = ds[data]
        S.append(svc_case(f"{data}-rbf-proba", data, X, y, kernel="rbf", C=1.0, probability=True, random_state=0))

    # Platt's sigmoid fit on given decision values (sklearn's own implementation of the same
    # regularized-target model, minimized with BFGS).
    rs = np.random.RandomState(1)
    for i, n in enumerate([40, 200]):
        yy = (rs.rand(n) < 0.4).astype(int)
        f = rs.randn(n) * 1.5 + (yy * 2 - 1) * 1.0
        a, b = _sigmoid_calibration(f, yy)
        fx["sigmoid"].append({"dec": r(f), "y": r(yy), "A": float(a), "B": float(b)})

    V = fx["svr"]
    rs = np.random.RandomState(2)
    Xs = np.sort(rs.rand(60, 1) * 6, axis=0)
    ys = np.sin(Xs[:, 0]) + rs.randn(60) * 0.1
    Xr, yr = make_regression(n_samples=70, n_features=4, noise=5.0, random_state=1)
    yr = yr / 50
    V.append(svr_case("sin-rbf", Xs, ys, kernel="rbf", C=1.0, epsilon=0.1))
    V.append(svr_case("sin-rbf-C10", Xs, ys, kernel="rbf", C=10.0, epsilon=0.05, gamma=2.0))
    V.append(svr_case("reg-linear", Xr, yr, kernel="linear", C=0.3, epsilon=0.1))
    V.append(svr_case("reg-rbf", Xr, yr, kernel="rbf", C=5.0, epsilon=0.2))
    V.append(svr_case("reg-poly", Xr, yr, kernel="poly", C=1.0, degree=2, coef0=1.0, epsilon=0.1))
    V.append(svr_case("reg-rbf-noshrink", Xr, yr, kernel="rbf", C=5.0, epsilon=0.2, shrinking=False))

    L = fx["linearsvc"]
    tight = dict(tol=1e-9, max_iter=200000)
    for data in ["iris2", "iris3", "mc3", "imb2"]:
        X, y = ds[data]
        L.append(linsvc_case(f"{data}-dual-sqhinge", data, X, y, dual=True, loss="squared_hinge", C=1.0, **tight))
        L.append(linsvc_case(f"{data}-dual-hinge", data, X, y, dual=True, loss="hinge", C=0.5, **tight))
        L.append(linsvc_case(f"{data}-primal", data, X, y, dual=False, loss="squared_hinge", C=1.0, **tight))
        L.append(linsvc_case(f"{data}-l1", data, X, y, dual=False, penalty="l1", loss="squared_hinge", C=1.0, **tight))
    for data in ["iris3", "imb2"]:
        X, y = ds[data]
        L.append(linsvc_case(f"{data}-nointercept", data, X, y, dual=True, C=1.0, fit_intercept=False, **tight))
        L.append(linsvc_case(f"{data}-iscale", data, X, y, dual=False, C=1.0, intercept_scaling=3.0, **tight))
        L.append(linsvc_case(f"{data}-balanced", data, X, y, dual=True, C=1.0, class_weight="balanced", **tight))
        L.append(linsvc_case(f"{data}-cs", data, X, y, multi_class="crammer_singer", C=1.0, **tight))
    X, y = ds["mc3"]
    L.append(linsvc_case("mc3-default", "mc3", X, y, dual=True, C=1.0))

    with open(OUT, "w") as f:
        json.dump(fx, f, separators=(",", ":"))
    print(f"wrote {OUT}: {os.path.getsize(OUT)} bytes, {len(S)} SVC, {len(V)} SVR, {len(L)} LinearSVC cases")


if __name__ == "__main__":
    main()
