#!/usr/bin/env python3
"""Reference values from scikit-learn's histogram gradient boosting.

Run with Debian's scikit-learn (1.2):

    /usr/bin/python3 scripts/make-sklearn-hgb-fixtures.py

Writes test/fixtures/sklearn-hgb.json: small generated data sets (written
into the fixture, so the TypeScript test needs no Python), the parameters
of each fit, and sklearn's outputs: predictions / probabilities on test
rows, n_iter_, train_score_, and the bin thresholds of _BinMapper.
NaN is written as the string "__nan__" (test/helpers/fixtures.ts reads it).
Early stopping uses validation_fraction=None (scores on the training data),
which draws no random numbers, so the trees are deterministic.
"""
import json
import os

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "sklearn-hgb.json")


def clean(x):
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, (float, np.floating)):
        return "__nan__" if np.isnan(x) else float(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    return x


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(w.capitalize() for w in rest)


def params_camel(params):
    return {camel(k): v for k, v in params.items()}


def regression_data(rng, n, d, nan_fraction=0.0):
    X = np.round(rng.normal(size=(n, d)), 4)  # rounded: a shorter fixture
    X[:, 1] = np.round(X[:, 1] * 3)  # few distinct values: midpoint thresholds
    y = np.round(X[:, 0] * 2 + np.sin(3 * X[:, 2]) + 0.5 * X[:, 1] + rng.normal(scale=0.3, size=n), 4)
    if nan_fraction:
        X[rng.random(size=X.shape) < nan_fraction] = np.nan
    return X, y


def classification_data(rng, n, d, n_classes, nan_fraction=0.0, categorical=None):
    X = np.round(rng.normal(size=(n, d)), 4)
    scores = np.stack([X[:, k % d] * (1 + k) - X[:, (k + 1) % d] for k in range(n_classes)], axis=1)
    if categorical is not None:
        cats = rng.integers(0, 6, size=n)
        X[:, categorical] = cats
        scores[:, 0] += (cats % 3 == 0) * 1.5
    y = np.argmax(scores + rng.normal(scale=0.7, size=scores.shape), axis=1)
    if nan_fraction:
        X[rng.random(size=X.shape) < nan_fraction] = np.nan
    return X, y


def case(name, kind, params, X, y, Xtest, sample_weight=None):
    Est = HistGradientBoostingRegressor if kind == "regressor" else HistGradientBoostingClassifier
    est = Est(**params).fit(X, y, sample_weight=sample_weight)
    out = {
        "name": name,
        "kind": kind,
        "params": params_camel(params),
        "X": clean(X),
        "y": clean(y),
        "Xtest": clean(Xtest),
        "nIter": int(est.n_iter_),
        "baseline": clean(np.ravel(est._baseline_prediction)),
        "trainScore": clean(est.train_score_),
        "thresholds": clean(est._bin_mapper.bin_thresholds_),
    }
    if kind == "regressor":
        out["predict"] = clean(est.predict(Xtest))
        out["staged"] = [clean(p) for p in list(est.staged_predict(Xtest))[:3]]
    else:
        out["predict"] = clean(est.predict(Xtest))
        out["proba"] = clean(est.predict_proba(Xtest))
        out["decision"] = clean(est.decision_function(Xtest))
    if sample_weight is not None:
        out["sampleWeight"] = clean(sample_weight)
    return out


def weighted_cases():
    """Fits with sample_weight (its own generator, so the cases above keep their data)."""
    rng = np.random.default_rng(1)
    cases = []
    common = dict(early_stopping=False)
    weights = lambda n: np.round(rng.uniform(0, 3, size=n), 3) * (rng.random(size=n) > 0.1)  # some zero weights
    X, y = regression_data(rng, 300, 5, nan_fraction=0.05)
    Xt, _ = regression_data(rng, 40, 5, nan_fraction=0.05)
    w = weights(300)
    cases.append(case("weighted regression", "regressor", dict(max_iter=20, **common), X, y, Xt, w))
    cases.append(case("weighted regression absolute_error", "regressor", dict(loss="absolute_error", max_iter=15, **common), X, y, Xt, w))
    cases.append(
        case("weighted regression early stopping on training loss", "regressor", dict(max_iter=200, early_stopping=True, validation_fraction=None, n_iter_no_change=5, tol=1e-2), X, y, Xt, w)
    )
    X, y = classification_data(rng, 300, 4, 2, categorical=3)
    Xt, _ = classification_data(rng, 40, 4, 2, categorical=3)
    cases.append(case("weighted binary with a categorical feature", "classifier", dict(max_iter=20, categorical_features=[3], **common), X, y, Xt, weights(300)))
    X, y = classification_data(rng, 300, 4, 3)
    Xt, _ = classification_data(rng, 40, 4, 3)
    cases.append(case("weighted multinomial", "classifier", dict(max_iter=15, **common), X, y, Xt, weights(300)))
    return cases


def main():
    rng = np.random.default_rng(0)
    cases = []
    common = dict(early_stopping=False)

    X, y = regression_data(rng, 400, 5)
    Xt, _ = regression_data(rng, 60, 5)
    cases.append(case("regression", "regressor", dict(max_iter=30, **common), X, y, Xt))
    cases.append(case("regression shallow l2", "regressor", dict(max_iter=20, max_depth=3, l2_regularization=1.0, min_samples_leaf=5, max_bins=32, learning_rate=0.3, **common), X, y, Xt))
    cases.append(case("regression absolute_error", "regressor", dict(loss="absolute_error", max_iter=15, **common), X, y, Xt))

    cases.append(case("regression monotonic", "regressor", dict(max_iter=20, monotonic_cst=[1, 0, -1, 0, 0], **common), X, y, Xt))

    X, y = regression_data(rng, 400, 5, nan_fraction=0.1)
    Xt, _ = regression_data(rng, 60, 5, nan_fraction=0.1)
    cases.append(case("regression with NaN", "regressor", dict(max_iter=25, max_leaf_nodes=15, **common), X, y, Xt))
    cases.append(
        case("regression early stopping on training loss", "regressor", dict(max_iter=200, early_stopping=True, validation_fraction=None, n_iter_no_change=5, tol=1e-2), X, y, Xt)
    )

    X, y = classification_data(rng, 400, 4, 2)
    Xt, _ = classification_data(rng, 60, 4, 2)
    cases.append(case("binary", "classifier", dict(max_iter=30, **common), X, y, Xt))

    cases.append(case("binary monotonic", "classifier", dict(max_iter=20, monotonic_cst=[1, -1, 0, 0], **common), X, y, Xt))

    X, y = classification_data(rng, 400, 4, 2, nan_fraction=0.1, categorical=3)
    Xt, _ = classification_data(rng, 60, 4, 2, nan_fraction=0.1, categorical=3)
    cases.append(case("binary with NaN and a categorical feature", "classifier", dict(max_iter=30, categorical_features=[3], **common), X, y, Xt))

    X, y = classification_data(rng, 450, 5, 3, categorical=4)
    Xt, _ = classification_data(rng, 60, 5, 3, categorical=4)
    cases.append(case("multinomial with a categorical feature", "classifier", dict(max_iter=25, categorical_features=[False, False, False, False, True], **common), X, y, Xt))
    cases.append(
        case("multinomial early stopping on training loss", "classifier", dict(max_iter=300, early_stopping=True, validation_fraction=None, n_iter_no_change=3, tol=1e-2), X, y, Xt)
    )

    # Binning alone: a column with more distinct values than bins (NumPy's midpoint percentiles), NaN, ties.
    col = np.concatenate([np.round(rng.normal(size=997), 5), [np.nan, 0.5, 0.5]])
    cols = np.stack([col, np.round(col * 4), np.round(rng.exponential(size=1000), 5)], axis=1)
    binning = []
    for max_bins in (255, 16, 3):
        mapper = _BinMapper(n_bins=max_bins + 1).fit(cols)
        binning.append({"maxBins": max_bins, "thresholds": clean(mapper.bin_thresholds_), "binned": clean(mapper.transform(cols[:50]))})
    cases += weighted_cases()
    with open(OUT, "w") as f:
        json.dump({"sklearn": __import__("sklearn").__version__, "cases": cases, "binning": {"X": clean(cols), "results": binning}}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
