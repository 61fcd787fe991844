#!/usr/bin/python3
"""Writes test/fixtures/sklearn-linear.json: scikit-learn's results for the
linear models on small deterministic data sets, so the TypeScript tests can
compare against them without Python.

    /usr/bin/python3 scripts/make-sklearn-linear-fixtures.py

Needs Debian's python3-sklearn (scikit-learn 1.2). Every case stores its
inputs (X, y, sample weights, parameters) and scikit-learn's outputs.
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import (
    ElasticNet, ElasticNetCV, Lasso, LassoCV, LinearRegression, LogisticRegression, Ridge, RidgeCV,
    SGDClassifier, SGDRegressor, enet_path, lasso_path,
)

warnings.simplefilter("ignore", ConvergenceWarning)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "sklearn-linear.json")
DATA = os.path.join(HERE, "..", "..", "shared", "data")


def L(a):
    """JSON-friendly nested lists with full float64 precision."""
    return np.asarray(a, dtype=np.float64).tolist()


def reg_data(seed, n, p, noise=0.5, sparse=False):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, size=p) + rng.normal(size=p)
    w = rng.normal(size=p) * 2
    if sparse:
        w[rng.permutation(p)[: p // 2]] = 0
    y = X @ w + 1.5 + noise * rng.normal(size=n)
    return X, y


def clf_data(seed, n, p, k, sep=1.5):
    rng = np.random.RandomState(seed)
    centers = rng.normal(size=(k, p)) * sep
    y = rng.randint(0, k, size=n)
    X = centers[y] + rng.normal(size=(n, p))
    return X, y


def logistic_objective(m, X, y, C, penalty, l1_ratio, sw=None):
    """C·Σ sw·logloss + penalty (½‖W‖² for l2, l1r‖W‖₁ + (1-l1r)/2‖W‖² for elasticnet)."""
    P = m.predict_proba(X)
    idx = np.searchsorted(m.classes_, y)
    ll = -np.log(P[np.arange(len(y)), idx])
    if sw is None:
        sw = np.ones(len(y))
    W = m.coef_
    data = float(np.sum(sw * ll))
    if penalty is None or penalty == "none":
        return data
    if penalty == "l2":
        return C * data + 0.5 * float(np.sum(W * W))
    r = 1.0 if penalty == "l1" else l1_ratio
    return C * data + r * float(np.abs(W).sum()) + 0.5 * (1 - r) * float(np.sum(W * W))


cases = {"sklearn_version": sklearn.__version__}

# ---------------------------------------------------------------- LinearRegression
lin = []
X, y = reg_data(0, 50, 5)
m = LinearRegression().fit(X, y)
lin.append(dict(name="basic", X=L(X), y=L(y), params={}, coef=L(m.coef_), intercept=float(m.intercept_), rank=int(m.rank_), singular=L(m.singular_)))
m = LinearRegression(fit_intercept=False).fit(X, y)
lin.append(dict(name="no-intercept", X=L(X), y=L(y), params={"fitIntercept": False}, coef=L(m.coef_), intercept=0.0, rank=int(m.rank_), singular=L(m.singular_)))
rng = np.random.RandomState(1)
Xr = rng.normal(size=(30, 6))
Xr[:, 4] = 2 * Xr[:, 2]
Xr[:, 5] = Xr[:, 0] + Xr[:, 1]
yr = Xr @ rng.normal(size=6) + 0.1 * rng.normal(size=30)
m = LinearRegression().fit(Xr, yr)
lin.append(dict(name="rank-deficient", X=L(Xr), y=L(yr), params={}, coef=L(m.coef_), intercept=float(m.intercept_), rank=int(m.rank_), singular=L(m.singular_)))
Xc = np.hstack([Xr[:, :3], np.zeros((30, 1))])
m = LinearRegression().fit(Xc, yr)
lin.append(dict(name="zero-column", X=L(Xc), y=L(yr), params={}, coef=L(m.coef_), intercept=float(m.intercept_), rank=int(m.rank_), singular=L(m.singular_)))
sw = np.random.RandomState(2).uniform(0.2, 3.0, size=50)
sw[[3, 7]] = 0
m = LinearRegression().fit(X, y, sample_weight=sw)
lin.append(dict(name="sample-weights", X=L(X), y=L(y), sw=L(sw), params={}, coef=L(m.coef_), intercept=float(m.intercept_), rank=int(m.rank_), singular=L(m.singular_)))
Xw, yw = reg_data(3, 6, 10)
m = LinearRegression().fit(Xw, yw)
lin.append(dict(name="wide", X=L(Xw), y=L(yw), params={}, coef=L(m.coef_), intercept=float(m.intercept_), rank=int(m.rank_), singular=L(m.singular_)))
Xp, yp = reg_data(4, 40, 6)
m = LinearRegression(positive=True).fit(Xp, yp)
lin.append(dict(name="positive", X=L(Xp), y=L(yp), params={"positive": True}, coef=L(m.coef_), intercept=float(m.intercept_)))
cases["linear_regression"] = lin

# ---------------------------------------------------------------- Ridge
ridge = []
X, y = reg_data(5, 60, 8)
sw = np.random.RandomState(6).uniform(0.1, 2.0, size=60)
for solver in ["cholesky", "svd"]:
    for alpha in [0.5, 10.0]:
        m = Ridge(alpha=alpha, solver=solver).fit(X, y)
        ridge.append(dict(name=f"{solver}-a{alpha}", X=L(X), y=L(y), params={"alpha": alpha, "solver": solver}, coef=L(m.coef_), intercept=float(m.intercept_)))
    m = Ridge(alpha=2.0, solver=solver).fit(X, y, sample_weight=sw)
    ridge.append(dict(name=f"{solver}-weights", X=L(X), y=L(y), sw=L(sw), params={"alpha": 2.0, "solver": solver}, coef=L(m.coef_), intercept=float(m.intercept_)))
m = Ridge(alpha=1.0, fit_intercept=False).fit(X, y)
ridge.append(dict(name="no-intercept", X=L(X), y=L(y), params={"alpha": 1.0, "fitIntercept": False}, coef=L(m.coef_), intercept=0.0))
Xw, yw = reg_data(7, 12, 30)
m = Ridge(alpha=0.3).fit(Xw, yw)
ridge.append(dict(name="wide", X=L(Xw), y=L(yw), params={"alpha": 0.3}, coef=L(m.coef_), intercept=float(m.intercept_)))
m = Ridge(alpha=0.7, solver="lsqr", tol=1e-12).fit(X, y)
ridge.append(dict(name="lsqr", X=L(X), y=L(y), params={"alpha": 0.7, "solver": "lsqr", "tol": 1e-12}, coef=L(m.coef_), intercept=float(m.intercept_)))
cases["ridge"] = ridge

rcv = []
alphas = [0.01, 0.1, 1.0, 10.0, 100.0]
X, y = reg_data(8, 80, 6, noise=3.0)
m = RidgeCV(alphas=alphas, store_cv_values=True).fit(X, y)
rcv.append(dict(name="gcv-svd", X=L(X), y=L(y), params={"alphas": alphas, "storeCvValues": True}, alpha=float(m.alpha_), best_score=float(m.best_score_), coef=L(m.coef_), intercept=float(m.intercept_), cv_values=L(m.cv_values_)))
sw = np.random.RandomState(9).uniform(0.2, 2.0, size=80)
m = RidgeCV(alphas=alphas).fit(X, y, sample_weight=sw)
rcv.append(dict(name="gcv-weights", X=L(X), y=L(y), sw=L(sw), params={"alphas": alphas}, alpha=float(m.alpha_), best_score=float(m.best_score_), coef=L(m.coef_), intercept=float(m.intercept_)))
Xw, yw = reg_data(10, 15, 25, noise=2.0)
m = RidgeCV(alphas=alphas).fit(Xw, yw)
rcv.append(dict(name="gcv-eigen", X=L(Xw), y=L(yw), params={"alphas": alphas}, alpha=float(m.alpha_), best_score=float(m.best_score_), coef=L(m.coef_), intercept=float(m.intercept_)))
m = RidgeCV(alphas=alphas, cv=5).fit(X, y)
rcv.append(dict(name="kfold", X=L(X), y=L(y), params={"alphas": alphas, "cv": 5}, alpha=float(m.alpha_), best_score=float(m.best_score_), coef=L(m.coef_), intercept=float(m.intercept_)))
cases["ridge_cv"] = rcv

# ---------------------------------------------------------------- Lasso / ElasticNet
def enet_obj(X, y, coef, b, alpha, l1, sw=None):
    r = y - X @ coef - b
    if sw is None:
        sw = np.ones(len(y))
    sw = sw * len(y) / sw.sum()
    return float(0.5 * np.sum(sw * r * r) / len(y) + alpha * l1 * np.abs(coef).sum() + 0.5 * alpha * (1 - l1) * coef @ coef)


cd = []
X, y = reg_data(11, 100, 20, noise=1.0, sparse=True)
sw = np.random.RandomState(12).uniform(0.2, 2.0, size=100)
specs = [
    ("lasso-0.1", Lasso, dict(alpha=0.1), None),
    ("lasso-1", Lasso, dict(alpha=1.0), None),
    ("lasso-positive", Lasso, dict(alpha=0.2, positive=True), None),
    ("lasso-no-intercept", Lasso, dict(alpha=0.3, fit_intercept=False), None),
    ("lasso-weights", Lasso, dict(alpha=0.2), sw),
    ("lasso-tight", Lasso, dict(alpha=0.05, tol=1e-10, max_iter=100000), None),
    ("enet-0.7", ElasticNet, dict(alpha=0.3, l1_ratio=0.7), None),
    ("enet-0.2", ElasticNet, dict(alpha=0.5, l1_ratio=0.2), None),
    ("enet-tight", ElasticNet, dict(alpha=0.1, l1_ratio=0.5, tol=1e-10, max_iter=100000), None),
    ("enet-maxiter", ElasticNet, dict(alpha=0.01, l1_ratio=0.9, max_iter=3), None),
]
camel = {"fit_intercept": "fitIntercept", "l1_ratio": "l1Ratio", "max_iter": "maxIter"}
for name, cls, kw, w in specs:
    m = cls(**kw).fit(X, y, sample_weight=w)
    l1 = kw.get("l1_ratio", 1.0)
    cd.append(dict(
        name=name, model=cls.__name__, X=L(X), y=L(y), sw=None if w is None else L(w),
        params={camel.get(k, k): v for k, v in kw.items()},
        coef=L(m.coef_), intercept=float(m.intercept_), n_iter=int(m.n_iter_), dual_gap=float(m.dual_gap_),
        objective=enet_obj(X, y, m.coef_, m.intercept_, kw["alpha"], l1, w),
    ))
cases["coordinate_descent"] = cd

paths = []
Xp, yp = reg_data(13, 60, 8, noise=1.0, sparse=True)
Xp = Xp - Xp.mean(0)
yp = yp - yp.mean()
a, c, g = lasso_path(Xp, yp, n_alphas=20)
paths.append(dict(name="lasso-gram", X=L(Xp), y=L(yp), params={"nAlphas": 20}, alphas=L(a), coefs=L(c), dual_gaps=L(g)))
a, c, g = lasso_path(Xp, yp, n_alphas=15, eps=1e-2, precompute=False)
paths.append(dict(name="lasso-nogram", X=L(Xp), y=L(yp), params={"nAlphas": 15, "eps": 1e-2, "precompute": False}, alphas=L(a), coefs=L(c), dual_gaps=L(g)))
a, c, g = enet_path(Xp, yp, l1_ratio=0.5, n_alphas=10)
paths.append(dict(name="enet", X=L(Xp), y=L(yp), params={"nAlphas": 10, "l1Ratio": 0.5}, alphas=L(a), coefs=L(c), dual_gaps=L(g)))
a, c, g = enet_path(Xp, yp, l1_ratio=0.8, alphas=[0.5, 0.05, 1.0])
paths.append(dict(name="enet-alphas", X=L(Xp), y=L(yp), params={"alphas": [0.5, 0.05, 1.0], "l1Ratio": 0.8}, alphas=L(a), coefs=L(c), dual_gaps=L(g)))
cases["paths"] = paths

cvs = []
X, y = reg_data(14, 120, 10, noise=2.0, sparse=True)
m = LassoCV(cv=5, n_alphas=30).fit(X, y)
cvs.append(dict(name="lassocv", model="LassoCV", X=L(X), y=L(y), params={"cv": 5, "nAlphas": 30}, alpha=float(m.alpha_), alphas=L(m.alphas_), mse_path=L(m.mse_path_), coef=L(m.coef_), intercept=float(m.intercept_)))
m = ElasticNetCV(cv=3, l1_ratio=[0.2, 0.7], n_alphas=20).fit(X, y)
cvs.append(dict(name="enetcv", model="ElasticNetCV", X=L(X), y=L(y), params={"cv": 3, "l1Ratio": [0.2, 0.7], "nAlphas": 20}, alpha=float(m.alpha_), l1_ratio=float(m.l1_ratio_), alphas=L(m.alphas_), mse_path=L(m.mse_path_), coef=L(m.coef_), intercept=float(m.intercept_)))
cases["cd_cv"] = cvs

# ---------------------------------------------------------------- LogisticRegression
logi = []
iris = np.loadtxt(os.path.join(DATA, "iris.csv"), delimiter=",", skiprows=1, usecols=(0, 1, 2, 3))
with open(os.path.join(DATA, "iris.csv")) as f:
    f.readline()
    iris_y = [line.strip().split(",")[-1] for line in f if line.strip()]
iris_y = np.array(iris_y)
Xb, yb = clf_data(15, 200, 6, 2, sep=0.8)
Xm, ym = clf_data(16, 240, 5, 4, sep=1.0)
swm = np.random.RandomState(17).uniform(0.2, 2.0, size=240)
lspecs = [
    ("binary-l2", Xb, yb, dict(), None),
    ("binary-C0.05", Xb, yb, dict(C=0.05), None),
    ("binary-no-intercept", Xb, yb, dict(fit_intercept=False), None),
    ("binary-balanced", Xb[:150], np.where(np.arange(150) < 30, 1, 0) ^ (yb[:150] * 0), dict(class_weight="balanced"), None),
    ("multinomial", Xm, ym, dict(), None),
    ("multinomial-weights", Xm, ym, dict(C=0.5), swm),
    ("multinomial-classweight", Xm, ym, dict(class_weight={0: 2.0, 3: 0.5}), None),
    ("ovr", Xm, ym, dict(multi_class="ovr"), None),
    ("iris", iris, iris_y, dict(max_iter=1000), None),
    ("none", Xm, ym, dict(penalty=None, max_iter=1000, C=1.0), None),
    ("l1-binary", Xb, yb, dict(penalty="l1", solver="saga", C=0.1, tol=1e-10, max_iter=100000), None),
    ("l1-multinomial", Xm, ym, dict(penalty="l1", solver="saga", C=0.05, tol=1e-10, max_iter=100000), None),
    ("enet-multinomial", Xm, ym, dict(penalty="elasticnet", l1_ratio=0.5, solver="saga", C=0.1, tol=1e-10, max_iter=100000), None),
]
def logistic_optimum(X, y, classes, C, penalty, fit_intercept, sw, class_weight, binary):
    """The exact optimum of C·Σ sw·logloss + ½‖W‖² (L2 / none), by L-BFGS run to round-off."""
    from scipy.optimize import minimize
    from scipy.special import logsumexp
    n, d = X.shape
    codes = np.searchsorted(classes, y)
    sw = np.ones(n) if sw is None else np.asarray(sw, dtype=float).copy()
    if class_weight == "balanced":
        counts = np.bincount(codes, minlength=len(classes))
        sw = sw * (n / (len(classes) * counts))[codes]
    elif isinstance(class_weight, dict):
        sw = sw * np.array([class_weight.get(c, 1.0) for c in classes])[codes]
    Cc = 1.0 if penalty is None else C
    lam = 0.0 if penalty is None else 1.0
    K = 1 if binary else len(classes)

    def f(p):
        W = p[: K * d].reshape(K, d)
        b = p[K * d:] if fit_intercept else np.zeros(K)
        Z = X @ W.T + b
        if binary:
            z = Z[:, 0]
            t = (codes == 1).astype(float)
            loss = np.logaddexp(0, z) - t * z
            R = (1 / (1 + np.exp(-z)) - t)[:, None]
        else:
            lse = logsumexp(Z, axis=1)
            loss = lse - Z[np.arange(n), codes]
            R = np.exp(Z - lse[:, None])
            R[np.arange(n), codes] -= 1
        R = R * (Cc * sw)[:, None]
        val = Cc * np.sum(sw * loss) + 0.5 * lam * np.sum(W * W)
        g = [(R.T @ X + lam * W).ravel()]
        if fit_intercept:
            g.append(R.sum(0))
        return val, np.concatenate(g)

    x = np.zeros(K * d + (K if fit_intercept else 0))
    for _ in range(5):
        r = minimize(f, x, jac=True, method="L-BFGS-B", options=dict(maxiter=100000, maxfun=100000, ftol=0, gtol=1e-12, maxcor=50))
        x = r.x
    return float(r.fun)


lcamel = {"fit_intercept": "fitIntercept", "class_weight": "classWeight", "multi_class": "multiClass", "max_iter": "maxIter", "l1_ratio": "l1Ratio"}
def effective_weights(y, classes, sw, class_weight, multinomial):
    """Sample weight × class weight, as the multinomial / binary objective uses them."""
    n = len(y)
    codes = np.searchsorted(classes, y)
    out = np.ones(n) if sw is None else np.asarray(sw, dtype=float).copy()
    if class_weight == "balanced":
        counts = np.bincount(codes, minlength=len(classes))
        out = out * (n / (len(classes) * counts))[codes]
    elif isinstance(class_weight, dict):
        out = out * np.array([class_weight.get(c, 1.0) for c in classes])[codes]
    return out


for name, X, y, kw, w in lspecs:
    m = LogisticRegression(**kw).fit(X, y, sample_weight=w)
    sw_eff = effective_weights(y, m.classes_, w, kw.get("class_weight"), True)
    params = {lcamel.get(k, k): v for k, v in kw.items()}
    if params.get("penalty") == "none":
        params["penalty"] = None
    if isinstance(params.get("classWeight"), dict):
        params["classWeight"] = {str(k): v for k, v in params["classWeight"].items()}
    C = kw.get("C", 1.0)
    logi.append(dict(
        name=name, X=L(X), y=[str(v) if isinstance(v, str) else int(v) for v in y.tolist()], sw=None if w is None else L(w),
        params=params, classes=[str(c) if isinstance(c, str) else int(c) for c in m.classes_.tolist()],
        coef=L(m.coef_), intercept=L(m.intercept_), n_iter=[int(v) for v in m.n_iter_],
        proba=L(m.predict_proba(X[:5])), decision=L(m.decision_function(X[:5])),
        sw_eff=L(sw_eff),
        objective=logistic_objective(m, X, y, C, kw.get("penalty", "l2"), kw.get("l1_ratio"), sw_eff),
        optimum=None if kw.get("solver") == "saga" or kw.get("multi_class") == "ovr" else logistic_optimum(
            X, y, m.classes_, C, kw.get("penalty", "l2"), kw.get("fit_intercept", True), w, kw.get("class_weight"), len(m.classes_) == 2),
        score=float(m.score(X, y)),
    ))
cases["logistic"] = logi

# ---------------------------------------------------------------- SGD (ranges only: different RNGs; means over seeds 0-4)
sgd = []
X, y = reg_data(18, 400, 8, noise=1.0)
X = (X - X.mean(0)) / X.std(0)
Xte, yte = X[300:], y[300:]
for kw in [dict(), dict(penalty="l1", alpha=0.001), dict(loss="huber"), dict(loss="epsilon_insensitive", learning_rate="constant", eta0=0.01), dict(learning_rate="adaptive", eta0=0.05), dict(average=True)]:
    ms = [SGDRegressor(random_state=s, **kw).fit(X[:300], y[:300]) for s in range(5)]
    sgd.append(dict(name="reg-" + "-".join(f"{k}={v}" for k, v in kw.items()), kind="regressor", params={{"learning_rate": "learningRate"}.get(k, k): v for k, v in kw.items()},
                    r2=float(np.mean([m.score(Xte, yte) for m in ms])), n_iter=float(np.mean([m.n_iter_ for m in ms]))))
Xc, yc = clf_data(19, 400, 6, 3, sep=1.2)
Xc = (Xc - Xc.mean(0)) / Xc.std(0)
for kw in [dict(), dict(loss="log_loss"), dict(loss="modified_huber"), dict(penalty="elasticnet", l1_ratio=0.3), dict(average=True)]:
    ms = [SGDClassifier(random_state=s, **kw).fit(Xc[:300], yc[:300]) for s in range(5)]
    sgd.append(dict(name="clf-" + "-".join(f"{k}={v}" for k, v in kw.items()), kind="classifier", params={{"l1_ratio": "l1Ratio"}.get(k, k): v for k, v in kw.items()},
                    acc=float(np.mean([m.score(Xc[300:], yc[300:]) for m in ms])), n_iter=float(np.mean([m.n_iter_ for m in ms]))))
cases["sgd"] = sgd
cases["sgd_data"] = dict(reg_X=L(X), reg_y=L(y), clf_X=L(Xc), clf_y=[int(v) for v in yc])

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump(cases, f, separators=(",", ":"))
print(f"wrote {OUT} ({os.path.getsize(OUT) // 1024} KiB)")
