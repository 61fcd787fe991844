#!/usr/bin/env python3
"""Reference training runs of scikit-learn's MLPClassifier / MLPRegressor.

Run with Debian's scikit-learn (the `python3` of a pyenv may lack it):

    /usr/bin/python3 scripts/make-sklearn-mlp-fixtures.py

Writes test/fixtures/sklearn-mlp.json. Each case holds the training data,
the hyper-parameters, the initial weights scikit-learn drew (recorded by
overriding `_init_coef`, so frugal can start from the very same weights)
and what scikit-learn ends with: weights, loss curve, epochs run, best loss
and predictions. With solver='adam' and shuffle=False training is fully
deterministic, so frugal must agree to rounding (~1e-10).

Not compared: early stopping. scikit-learn draws its validation rows with
`train_test_split` (stratified, NumPy's generator), which frugal's
generator cannot reproduce; the held-out split is the only difference, so
the cases below run without it.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.datasets import load_iris
from sklearn.neural_network import MLPClassifier, MLPRegressor

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "sklearn-mlp.json")


def recording(cls):
    """A subclass of `cls` that keeps a copy of the initial weights it draws."""

    class Recording(cls):
        def _init_coef(self, fan_in, fan_out, dtype):
            coef, intercept = super()._init_coef(fan_in, fan_out, dtype)
            self.initial_.append((coef.copy(), intercept.copy()))
            return coef, intercept

    Recording.__name__ = cls.__name__
    return Recording


def run(name, cls, X, y, params, labels_as_strings=False):
    model = recording(cls)(solver="adam", shuffle=False, **params)
    model.initial_ = []
    model.fit(X, y)
    case = {
        "name": name,
        "estimator": cls.__name__,
        "params": params,
        "X": X.tolist(),
        "y": y.tolist(),
        "initialCoefs": [c.ravel().tolist() for c, _ in model.initial_],
        "initialIntercepts": [b.tolist() for _, b in model.initial_],
        "coefs": [c.ravel().tolist() for c in model.coefs_],
        "intercepts": [b.tolist() for b in model.intercepts_],
        "lossCurve": list(model.loss_curve_),
        "nIter": int(model.n_iter_),
        "bestLoss": float(model.best_loss_),
    }
    if cls is MLPClassifier:
        case["predictProba"] = model.predict_proba(X).ravel().tolist()
        case["predict"] = model.predict(X).tolist()
    else:
        case["predict"] = model.predict(X).tolist()
    return case


def main():
    iris = load_iris()
    X = (iris.data - iris.data.mean(axis=0)) / iris.data.std(axis=0)
    y = iris.target
    two = y > 0  # versicolor vs virginica: not separable, so the loss keeps moving
    rng = np.random.RandomState(0)
    Xr = rng.normal(size=(60, 3))
    yr = Xr @ np.array([1.5, -2.0, 0.5]) + np.sin(2 * Xr[:, 0]) + 0.1 * rng.normal(size=60)
    cases = [
        run("iris, 3 classes (softmax), tanh, batches of 32 with a short last one", MLPClassifier, X, y,
            dict(hidden_layer_sizes=[5], activation="tanh", alpha=1e-3, batch_size=32, learning_rate_init=0.01, max_iter=20, random_state=0)),
        run("iris 2 classes with string labels (one logistic unit), relu, two hidden layers", MLPClassifier, X[two],
            np.where(y[two] == 1, "versicolor", "virginica"),
            dict(hidden_layer_sizes=[6, 4], activation="relu", alpha=1e-4, batch_size=25, learning_rate_init=0.005, max_iter=15, random_state=1)),
        run("regression, logistic units, batches of 16 (the last one 12)", MLPRegressor, Xr, yr,
            dict(hidden_layer_sizes=[7], activation="logistic", alpha=1e-2, batch_size=16, learning_rate_init=0.02, max_iter=25, random_state=2)),
        run("regression, identity units, auto batch, stopped by a loss plateau (tol 0.05)", MLPRegressor, Xr, yr,
            dict(hidden_layer_sizes=[3], activation="identity", alpha=0.0, batch_size="auto", learning_rate_init=0.05, max_iter=500, tol=0.05, n_iter_no_change=3, random_state=3)),
    ]
    with open(OUT, "w") as f:
        json.dump({"sklearn": sklearn.__version__, "cases": cases}, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(cases)} cases, epochs {[c['nIter'] for c in cases]}")


if __name__ == "__main__":
    main()
