#!/usr/bin/env python3
"""Reference trees and forests from scikit-learn for frugal-ml's tree tests.

    /usr/bin/python3 scripts/make-sklearn-tree-fixtures.py

Writes test/fixtures/sklearn-tree.json (single trees) and
sklearn-tree-forest.json (forests: mean scores over seeds). Data are continuous random
features rounded to float32 so both sides see the same numbers. A case is
"exact" when its tree does not depend on the order features are drawn in
(refits with other seeds give the same tree: no two splits tie); fully
grown trees tie in small nodes (any feature separating two samples is as
good), and only their top and their fit are compared.
"""
import json
import os

import numpy as np
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def tree_dict(est):
    t = est.tree_
    return {
        "children_left": t.children_left.tolist(),
        "children_right": t.children_right.tolist(),
        "feature": t.feature.tolist(),
        "threshold": t.threshold.tolist(),
        "impurity": t.impurity.tolist(),
        "n_node_samples": t.n_node_samples.tolist(),
        "weighted_n_node_samples": t.weighted_n_node_samples.tolist(),
        "value": t.value[:, 0, :].ravel().tolist(),
        "max_depth": int(t.max_depth),
        "n_leaves": int(t.n_leaves),
    }


def case(kind, params, X, y, Xt, sample_weight=None, path=False):
    Est = DecisionTreeClassifier if kind == "classifier" else DecisionTreeRegressor
    est = Est(random_state=0, **params).fit(X, y, sample_weight=sample_weight)
    # Exact: the tree does not depend on the order features are drawn in (no tied splits).
    # (Impurities may differ in the last bits between seeds: sums run in the order samples were sorted.)
    def shape(e):
        t = e.tree_
        return [t.children_left.tolist(), t.feature.tolist(), t.threshold.tolist(), t.n_node_samples.tolist()]

    exact = all(shape(Est(random_state=seed, **params).fit(X, y, sample_weight=sample_weight)) == shape(est) for seed in range(1, 12))
    out = {
        "kind": kind,
        "exact": exact,
        "params": params,
        "X": X.tolist(),
        "y": y.tolist(),
        "X_test": Xt.tolist(),
        "sample_weight": None if sample_weight is None else sample_weight.tolist(),
        "tree": tree_dict(est),
        "predict": est.predict(Xt).tolist(),
        "apply": est.apply(Xt).tolist(),
        "feature_importances": est.feature_importances_.tolist(),
    }
    if kind == "classifier":
        out["predict_proba"] = est.predict_proba(Xt).ravel().tolist()
    if path:
        p = Est(random_state=0, **{k: v for k, v in params.items() if k != "ccp_alpha"}).cost_complexity_pruning_path(X, y, sample_weight=sample_weight)
        out["ccp_alphas"] = p.ccp_alphas.tolist()
        out["impurities"] = p.impurities.tolist()
    return out


def main():
    rng = np.random.RandomState(0)
    Xc, yc = make_classification(n_samples=120, n_features=5, n_informative=3, n_redundant=1, n_classes=3, random_state=1)
    Xc = f32(Xc)
    Xct = f32(rng.normal(size=(40, 5)) * 1.5)
    Xr, yr = make_regression(n_samples=100, n_features=4, noise=5.0, random_state=2)
    Xr = f32(Xr)
    yr = np.round(yr, 3)
    Xrt = f32(rng.normal(size=(30, 4)))
    sw = np.round(rng.uniform(0.5, 2.0, size=Xc.shape[0]), 3)
    # Larger sets where depth-limited trees have no ties.
    Xb, yb = make_classification(n_samples=400, n_features=6, n_informative=4, n_redundant=1, n_classes=3, random_state=3)
    Xb = f32(Xb)
    Xbt = f32(rng.normal(size=(50, 6)) * 1.5)
    swb = np.round(rng.uniform(0.5, 2.0, size=Xb.shape[0]), 3)
    Xq, yq = make_regression(n_samples=300, n_features=5, noise=10.0, random_state=4)
    Xq = f32(Xq)
    yq = np.round(yq, 3)
    Xqt = f32(rng.normal(size=(40, 5)))
    cases = {
        "gini": case("classifier", {}, Xc, yc, Xct),
        "entropy_depth3": case("classifier", {"criterion": "entropy", "max_depth": 3}, Xc, yc, Xct),
        "gini_min_leaf5_split12": case("classifier", {"min_samples_leaf": 5, "min_samples_split": 12}, Xc, yc, Xct),
        "gini_sample_weight": case("classifier", {"max_depth": 4}, Xc, yc, Xct, sample_weight=sw),
        "gini_balanced": case("classifier", {"class_weight": "balanced", "min_weight_fraction_leaf": 0.05}, Xc[:90], np.where(yc[:90] == 2, 1, 0), Xct),
        "gini_max_leaf_nodes": case("classifier", {"max_leaf_nodes": 7}, Xc, yc, Xct),
        "gini_min_impurity_decrease": case("classifier", {"min_impurity_decrease": 0.02}, Xc, yc, Xct),
        "gini_ccp": case("classifier", {"ccp_alpha": 0.015}, Xc, yc, Xct, path=True),
        "large_gini_depth5": case("classifier", {"max_depth": 5}, Xb, yb, Xbt),
        "large_entropy_leaf8": case("classifier", {"criterion": "entropy", "min_samples_leaf": 8}, Xb, yb, Xbt),
        "large_weighted_depth4": case("classifier", {"max_depth": 4}, Xb, yb, Xbt, sample_weight=swb),
        "large_balanced_depth4": case("classifier", {"max_depth": 4, "class_weight": "balanced"}, Xb, np.where(yb == 1, 1, 0), Xbt),
        "large_max_leaf_nodes": case("classifier", {"max_leaf_nodes": 12}, Xb, yb, Xbt),
        "large_ccp": case("classifier", {"ccp_alpha": 0.004, "min_samples_leaf": 4}, Xb, yb, Xbt, path=True),
        "large_mse_depth6": case("regressor", {"max_depth": 6}, Xq, yq, Xqt),
        "large_mse_weighted_leaf5": case("regressor", {"min_samples_leaf": 5, "max_depth": 7}, Xq, yq, Xqt, sample_weight=np.round(rng.uniform(0.5, 2.0, size=300), 3)),
        "large_mse_max_leaf_nodes": case("regressor", {"max_leaf_nodes": 20}, Xq, yq, Xqt),
        "large_mse_ccp": case("regressor", {"ccp_alpha": 30.0, "min_samples_leaf": 6}, Xq, yq, Xqt, path=True),
        "mse": case("regressor", {}, Xr, yr, Xrt),
        "mse_depth4_leaf3": case("regressor", {"max_depth": 4, "min_samples_leaf": 3}, Xr, yr, Xrt),
        "mse_max_leaf_nodes": case("regressor", {"max_leaf_nodes": 9}, Xr, yr, Xrt),
        "mse_ccp": case("regressor", {"ccp_alpha": 20.0, "min_samples_leaf": 2}, Xr, yr, Xrt, path=True),
    }
    write("sklearn-tree.json", cases)
    write("sklearn-tree-forest.json", forest_cases())


def write(name, cases):
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "test", "fixtures", name)
    with open(path, "w") as f:
        json.dump(cases, f)
    print("wrote", path)


def forest_cases():
    """Forests are random: their scores (averaged over seeds) are the reference, not their trees."""
    Xc, yc = make_classification(n_samples=600, n_features=10, n_informative=4, n_redundant=2, n_classes=3, class_sep=0.8, random_state=5)
    Xc = f32(Xc)
    Xr, yr = make_regression(n_samples=500, n_features=8, n_informative=4, noise=20.0, random_state=6)
    Xr = f32(Xr)
    yr = np.round(yr, 3)
    out = {}
    specs = [
        ("rf_classifier", RandomForestClassifier, {"n_estimators": 60}, "c"),
        ("rf_classifier_oob", RandomForestClassifier, {"n_estimators": 60, "oob_score": True, "max_samples": 0.7}, "c"),
        ("rf_classifier_balanced_subsample", RandomForestClassifier, {"n_estimators": 60, "class_weight": "balanced_subsample", "max_depth": 6}, "c"),
        ("et_classifier", ExtraTreesClassifier, {"n_estimators": 60}, "c"),
        ("rf_regressor_oob", RandomForestRegressor, {"n_estimators": 60, "oob_score": True}, "r"),
        ("et_regressor", ExtraTreesRegressor, {"n_estimators": 60, "max_features": 0.5}, "r"),
    ]
    for name, Est, params, kind in specs:
        X, y = (Xc, yc) if kind == "c" else (Xr, yr)
        Xtr, ytr, Xte, yte = X[:400], y[:400], X[400:], y[400:]
        scores, oobs, imps = [], [], []
        for seed in range(5):
            est = Est(random_state=seed, n_jobs=1, **params).fit(Xtr, ytr)
            scores.append(est.score(Xte, yte))
            if params.get("oob_score"):
                oobs.append(est.oob_score_)
            imps.append(est.feature_importances_)
        out[name] = {
            "kind": "classifier" if kind == "c" else "regressor",
            "estimator": Est.__name__,
            "params": params,
            "X_train": Xtr.tolist(),
            "y_train": ytr.tolist(),
            "X_test": Xte.tolist(),
            "y_test": yte.tolist(),
            "score_mean": float(np.mean(scores)),
            "score_std": float(np.std(scores)),
            "oob_score_mean": float(np.mean(oobs)) if oobs else None,
            "feature_importances_mean": np.mean(imps, axis=0).tolist(),
        }
    return out


if __name__ == "__main__":
    main()
