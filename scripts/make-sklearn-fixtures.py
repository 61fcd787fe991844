#!/usr/bin/env python3
"""Reference values from scikit-learn for frugal-ml's tests.

Run with Debian's scikit-learn (apt-get install python3-sklearn):

    /usr/bin/python3 scripts/make-sklearn-fixtures.py            # every set
    /usr/bin/python3 scripts/make-sklearn-fixtures.py metrics    # one set

Each set writes test/fixtures/sklearn-<set>.json. Inputs are small fixed
arrays written here, so the fixtures are deterministic. JSON cannot hold
NaN or infinity: they are written as the strings "__nan__", "__inf__" and
"__-inf__" (test/helpers/fixtures.ts turns them back into numbers).

Metric cases are generic: {"fn": sklearn function name, "args": [...],
"kwargs": {...}, "expected": ...}; the TypeScript test maps the function
name to frugal's (snake_case -> camelCase) and the kwargs to options.

Differences between the installed scikit-learn and the current one that
frugal follows are normalised here (see `modernise_roc_curve`).

To add fixtures for an estimator, extend `estimator_fixtures()` at the
bottom (or register a new set in SETS).
"""
import json
import math
import os
import sys

import numpy as np
import sklearn
from sklearn import metrics as M
from sklearn import preprocessing as P
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold, LeaveOneOut, ParameterGrid, StratifiedKFold, train_test_split
from sklearn import datasets as D

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "test", "fixtures")


def clean(x):
    """numpy -> plain JSON values, NaN/inf -> marker strings."""
    if isinstance(x, dict):
        return {str(k): clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return clean(x.tolist())
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        v = float(x)
        if math.isnan(v):
            return "__nan__"
        if math.isinf(v):
            return "__inf__" if v > 0 else "__-inf__"
        return v
    if isinstance(x, np.str_):
        return str(x)
    return x


def case(cases, name, fn, args, kwargs=None, expected=None, call=None):
    kwargs = kwargs or {}
    try:
        result = (call or getattr(M, fn))(*args, **kwargs)
    except Exception as e:  # record errors too: frugal must reject the same inputs
        cases.append({"name": name, "fn": fn, "args": clean(args), "kwargs": clean(kwargs), "error": type(e).__name__, "message": str(e)})
        return
    cases.append({"name": name, "fn": fn, "args": clean(args), "kwargs": clean(kwargs), "expected": clean(result if expected is None else expected(result))})


def modernise_roc_curve(result):
    """sklearn < 1.3 starts thresholds at max(score) + 1; current sklearn (and frugal) at +inf."""
    fpr, tpr, thr = result
    thr = np.array(thr, dtype=float)
    thr[0] = np.inf
    return [fpr, tpr, thr]


# --------------------------------------------------------------- metrics

def metrics_fixtures():
    cases = []
    # regression
    yt = [3.0, -0.5, 2.0, 7.0, 4.25, 1.0, 0.0, 9.5]
    yp = [2.5, 0.0, 2.0, 8.0, 3.5, 1.5, -0.25, 8.0]
    w = [1.0, 2.0, 0.5, 1.0, 3.0, 0.25, 1.0, 2.0]
    for fn in ["mean_squared_error", "mean_absolute_error", "r2_score", "explained_variance_score", "mean_absolute_percentage_error"]:
        case(cases, f"{fn}", fn, [yt, yp])
        case(cases, f"{fn} weighted", fn, [yt, yp], {"sample_weight": w})
    case(cases, "root_mean_squared_error", "root_mean_squared_error", [yt, yp], call=lambda a, b: M.mean_squared_error(a, b, squared=False))
    case(cases, "root_mean_squared_error weighted", "root_mean_squared_error", [yt, yp], {"sample_weight": w},
         call=lambda a, b, sample_weight: M.mean_squared_error(a, b, sample_weight=sample_weight, squared=False))
    case(cases, "max_error", "max_error", [yt, yp])
    case(cases, "median_absolute_error", "median_absolute_error", [yt, yp])
    case(cases, "r2 constant y exact", "r2_score", [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]])
    case(cases, "r2 constant y inexact", "r2_score", [[2.0, 2.0, 2.0], [2.0, 2.5, 2.0]])
    case(cases, "r2 constant y not forced", "r2_score", [[2.0, 2.0, 2.0], [2.0, 2.5, 2.0]], {"force_finite": False})
    case(cases, "explained variance constant", "explained_variance_score", [[1.0, 1.0, 1.0], [1.0, 2.0, 1.0]])
    case(cases, "r2 negative", "r2_score", [[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])

    # classification
    label_sets = {
        "binary": ([0, 1, 1, 0, 1, 1, 0, 0, 1, 1], [0, 1, 0, 0, 1, 1, 1, 0, 1, 0]),
        "multiclass": ([0, 1, 2, 0, 1, 2, 2, 1, 0, 2, 2, 1], [0, 2, 1, 0, 0, 2, 2, 1, 0, 1, 2, 1]),
        "strings": (["cat", "dog", "ant", "cat", "ant", "dog", "dog"], ["cat", "ant", "ant", "dog", "ant", "dog", "cat"]),
        "missing class in pred": ([0, 1, 2, 3, 3, 2, 1], [0, 1, 1, 1, 3, 2, 1]),
        "label only in pred": ([1, 1, 2, 2, 1], [1, 3, 2, 2, 1]),
        "negative labels": ([-1, 1, 1, -1, 1], [-1, -1, 1, -1, 1]),
    }
    weights = {"binary": [1, 2, 1, 1, 0.5, 1, 3, 1, 1, 2], "multiclass": [1, 1, 2, 1, 0.5, 1, 1, 2, 1, 1, 3, 1]}
    for key, (t, p) in label_sets.items():
        binary = len(set(t) | set(p)) <= 2
        case(cases, f"accuracy {key}", "accuracy_score", [t, p])
        case(cases, f"accuracy {key} count", "accuracy_score", [t, p], {"normalize": False})
        case(cases, f"confusion {key}", "confusion_matrix", [t, p])
        for norm in ["true", "pred", "all"]:
            case(cases, f"confusion {key} normalize {norm}", "confusion_matrix", [t, p], {"normalize": norm})
        case(cases, f"balanced accuracy {key}", "balanced_accuracy_score", [t, p])
        case(cases, f"balanced accuracy {key} adjusted", "balanced_accuracy_score", [t, p], {"adjusted": True})
        case(cases, f"mcc {key}", "matthews_corrcoef", [t, p])
        case(cases, f"kappa {key}", "cohen_kappa_score", [t, p])
        case(cases, f"zero_one_loss {key}", "zero_one_loss", [t, p])
        for zd in [0, 1]:
            for avg in (["binary"] if binary else []) + ["micro", "macro", "weighted", None]:
                kw = {"average": avg, "zero_division": zd}
                if avg == "binary" and key == "negative labels":
                    kw["pos_label"] = 1
                for fn in ["precision_score", "recall_score", "f1_score"]:
                    case(cases, f"{fn} {key} {avg} zd={zd}", fn, [t, p], kw)
                case(cases, f"fbeta 0.5 {key} {avg} zd={zd}", "fbeta_score", [t, p], {**kw, "beta": 0.5})
                case(cases, f"fbeta 2 {key} {avg} zd={zd}", "fbeta_score", [t, p], {**kw, "beta": 2.0})
                case(cases, f"prfs {key} {avg} zd={zd}", "precision_recall_fscore_support", [t, p], kw)
        case(cases, f"report {key}", "classification_report", [t, p])
        case(cases, f"report {key} digits 4", "classification_report", [t, p], {"digits": 4})
        case(cases, f"report {key} dict", "classification_report", [t, p], {"output_dict": True})
        if key in weights:
            sw = weights[key]
            case(cases, f"accuracy {key} weighted", "accuracy_score", [t, p], {"sample_weight": sw})
            case(cases, f"confusion {key} weighted", "confusion_matrix", [t, p], {"sample_weight": sw})
            case(cases, f"balanced accuracy {key} weighted", "balanced_accuracy_score", [t, p], {"sample_weight": sw})
            case(cases, f"mcc {key} weighted", "matthews_corrcoef", [t, p], {"sample_weight": sw})
            case(cases, f"prfs {key} weighted macro", "precision_recall_fscore_support", [t, p], {"average": "macro", "sample_weight": sw})
            case(cases, f"prfs {key} weighted None", "precision_recall_fscore_support", [t, p], {"average": None, "sample_weight": sw})
            case(cases, f"report {key} weighted", "classification_report", [t, p], {"sample_weight": sw})
    t, p = label_sets["multiclass"]
    case(cases, "confusion labels subset", "confusion_matrix", [t, p], {"labels": [2, 0]})
    case(cases, "confusion labels extra", "confusion_matrix", [t, p], {"labels": [0, 1, 2, 5]})
    case(cases, "prfs labels subset", "precision_recall_fscore_support", [t, p], {"labels": [2, 0], "average": None})
    case(cases, "prfs labels subset macro", "precision_recall_fscore_support", [t, p], {"labels": [2, 0], "average": "macro"})
    case(cases, "f1 labels with absent", "f1_score", [t, p], {"labels": [0, 1, 7], "average": "macro", "zero_division": 1})
    case(cases, "report labels subset", "classification_report", [t, p], {"labels": [2, 0]})
    case(cases, "report target names", "classification_report", [t, p], {"target_names": ["zero", "one", "two"]})
    case(cases, "kappa linear", "cohen_kappa_score", [t, p], {"weights": "linear"})
    case(cases, "kappa quadratic", "cohen_kappa_score", [t, p], {"weights": "quadratic"})
    ts, ps = label_sets["strings"]
    case(cases, "binary strings pos_label", "f1_score", [["y", "n", "y", "y", "n"], ["y", "y", "n", "y", "n"]], {"pos_label": "y"})
    case(cases, "binary strings pos_label n", "precision_score", [["y", "n", "y", "y", "n"], ["y", "y", "n", "y", "n"]], {"pos_label": "n"})
    case(cases, "binary all negative zd=1", "precision_recall_fscore_support", [[0, 0, 0], [0, 0, 0]], {"average": "binary", "zero_division": 1})
    case(cases, "binary all negative zd=0", "precision_recall_fscore_support", [[0, 0, 0], [0, 0, 0]], {"average": "binary", "zero_division": 0})
    case(cases, "binary no positive predicted", "precision_recall_fscore_support", [[0, 1, 1], [0, 0, 0]], {"average": "binary", "zero_division": 1})
    case(cases, "report tie rounding", "classification_report", [[0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1, 1]], {"digits": 2})
    case(cases, "report tie rounding 3", "classification_report", [[0, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 0]], {"digits": 3})

    # log loss (probabilities sum to one and stay away from the clip)
    yb = [0, 1, 1, 0, 1]
    pb = [0.1, 0.8, 0.65, 0.3, 0.99]
    case(cases, "log_loss binary vector", "log_loss", [yb, pb])
    case(cases, "log_loss binary weighted", "log_loss", [yb, pb], {"sample_weight": [1, 2, 1, 0.5, 1]})
    case(cases, "log_loss binary sum", "log_loss", [yb, pb], {"normalize": False})
    ym = ["b", "a", "c", "c", "a", "b"]
    pm = [[0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4], [0.8, 0.1, 0.1], [0.25, 0.5, 0.25]]
    case(cases, "log_loss multiclass", "log_loss", [ym, pm])
    case(cases, "log_loss labels", "log_loss", [["a", "a", "c"], [[0.5, 0.25, 0.25], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6]]], {"labels": ["a", "b", "c"]})
    case(cases, "log_loss matrix binary", "log_loss", [yb, [[1 - v, v] for v in pb]])

    # ranking
    yr = [0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1]
    sr = [0.1, 0.4, 0.35, 0.8, 0.4, 0.7, 0.2, 0.55, 0.9, 0.05, 0.4, 0.62]
    wr = [1, 2, 1, 1, 0.5, 1, 3, 1, 1, 2, 1, 0]
    case(cases, "roc_curve", "roc_curve", [yr, sr], expected=modernise_roc_curve)
    case(cases, "roc_curve all thresholds", "roc_curve", [yr, sr], {"drop_intermediate": False}, expected=modernise_roc_curve)
    case(cases, "roc_curve weighted", "roc_curve", [yr, sr], {"sample_weight": wr}, expected=modernise_roc_curve)
    case(cases, "roc_curve pos_label", "roc_curve", [[1, 1, 2, 2], [0.1, 0.4, 0.35, 0.8]], {"pos_label": 2}, expected=modernise_roc_curve)
    case(cases, "roc_curve many ties", "roc_curve", [[0, 1, 0, 1, 1, 0, 1, 0], [0.5, 0.5, 0.5, 0.2, 0.9, 0.2, 0.9, 0.5]], expected=modernise_roc_curve)
    case(cases, "roc_auc", "roc_auc_score", [yr, sr])
    case(cases, "roc_auc weighted", "roc_auc_score", [yr, sr], {"sample_weight": wr})
    case(cases, "roc_auc max_fpr", "roc_auc_score", [yr, sr], {"max_fpr": 0.3})
    case(cases, "roc_auc strings", "roc_auc_score", [["no", "yes", "yes", "no"], [0.2, 0.9, 0.4, 0.5]])
    case(cases, "pr_curve", "precision_recall_curve", [yr, sr])
    case(cases, "pr_curve weighted", "precision_recall_curve", [yr, sr], {"sample_weight": wr})
    case(cases, "average_precision", "average_precision_score", [yr, sr])
    case(cases, "average_precision weighted", "average_precision_score", [yr, sr], {"sample_weight": wr})
    case(cases, "auc", "auc", [[0.0, 0.1, 0.4, 0.4, 1.0], [0.0, 0.5, 0.6, 0.8, 1.0]])
    case(cases, "auc decreasing", "auc", [[1.0, 0.5, 0.0], [1.0, 0.7, 0.0]])
    ymc = [0, 1, 2, 2, 1, 0, 2, 1, 0, 2]
    smc = [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4], [0.3, 0.4, 0.3],
           [0.5, 0.25, 0.25], [0.2, 0.2, 0.6], [0.1, 0.8, 0.1], [0.4, 0.4, 0.2], [0.35, 0.35, 0.3]]
    wmc = [1, 2, 1, 1, 0.5, 1, 3, 1, 1, 2]
    for mc in ["ovr", "ovo"]:
        for avg in ["macro", "weighted"]:
            case(cases, f"roc_auc {mc} {avg}", "roc_auc_score", [ymc, smc], {"multi_class": mc, "average": avg})
    case(cases, "roc_auc ovr micro", "roc_auc_score", [ymc, smc], {"multi_class": "ovr", "average": "micro"})
    case(cases, "roc_auc ovr weighted samples", "roc_auc_score", [ymc, smc], {"multi_class": "ovr", "sample_weight": wmc})
    case(cases, "roc_auc ovr labels", "roc_auc_score", [[0, 1, 0, 1], [[0.5, 0.3, 0.2], [0.2, 0.6, 0.2], [0.7, 0.2, 0.1], [0.1, 0.8, 0.1]]], {"multi_class": "ovr", "labels": [0, 1, 2]})
    for avg in ["macro", "weighted", "micro"]:
        # sklearn >= 1.3 binarises multiclass y itself; older versions need the indicator matrix
        case(cases, f"average_precision multiclass {avg}", "average_precision_score", [ymc, smc], {"average": avg},
             call=lambda y, s, average: M.average_precision_score(P.label_binarize(y, classes=sorted(set(y))), s, average=average))
    case(cases, "top_k_accuracy", "top_k_accuracy_score", [ymc, smc], {"k": 2})
    case(cases, "top_k_accuracy k1", "top_k_accuracy_score", [ymc, smc], {"k": 1})
    return {"cases": cases}


# ---------------------------------------------------------- preprocessing

def preprocessing_fixtures():
    X = np.array([[1.0, -2.0, 3.0, 5.0], [4.0, 0.5, -1.0, 5.0], [2.5, 3.0, 0.0, 5.0], [-3.0, 1.0, 2.0, 5.0], [0.0, -1.5, 7.0, 5.0], [6.0, 2.0, -4.0, 5.0]])
    Xnan = X.copy()
    Xnan[1, 0] = np.nan
    Xnan[3, 2] = np.nan
    Xnan[4, 2] = np.nan
    Xt = np.array([[0.5, 1.0, 2.0, 4.0], [10.0, -3.0, 1.0, 6.0]])
    w = np.array([1.0, 2.0, 0.5, 1.0, 3.0, 1.5])
    out = {"X": X, "Xt": Xt, "w": w, "Xnan": Xnan, "cases": []}

    def tr(name, est, fit_X=X, transform_X=Xt, attrs=(), fit_kwargs=None, inverse=False, names=False):
        est.fit(fit_X, **(fit_kwargs or {}))
        c = {"name": name, "class": type(est).__name__, "params": {k: v for k, v in est.get_params().items()},
             "fit_X": fit_X, "transform_X": transform_X, "fit_kwargs": fit_kwargs or {},
             "fit_out": est.transform(fit_X), "out": est.transform(transform_X),
             "attrs": {a: getattr(est, a) for a in attrs}}
        if inverse:
            c["inverse"] = est.inverse_transform(est.transform(transform_X))
        if names:
            c["feature_names"] = list(est.get_feature_names_out())
        out["cases"].append(c)

    tr("standard", P.StandardScaler(), attrs=["mean_", "var_", "scale_"], inverse=True)
    tr("standard no mean", P.StandardScaler(with_mean=False), attrs=["scale_"])
    tr("standard no std", P.StandardScaler(with_std=False), attrs=["mean_"])
    tr("standard weighted", P.StandardScaler(), attrs=["mean_", "var_", "scale_"], fit_kwargs={"sample_weight": w})
    tr("standard nan", P.StandardScaler(), fit_X=Xnan, transform_X=Xnan, attrs=["mean_", "var_", "scale_"])
    tr("minmax", P.MinMaxScaler(), attrs=["data_min_", "data_max_", "scale_", "min_"], inverse=True)
    tr("minmax range", P.MinMaxScaler(feature_range=(-1, 2)), attrs=["scale_", "min_"])
    tr("minmax clip", P.MinMaxScaler(clip=True))
    tr("minmax nan", P.MinMaxScaler(), fit_X=Xnan, transform_X=Xnan)
    tr("maxabs", P.MaxAbsScaler(), attrs=["max_abs_", "scale_"], inverse=True)
    tr("robust", P.RobustScaler(), attrs=["center_", "scale_"], inverse=True)
    tr("robust range", P.RobustScaler(quantile_range=(10.0, 90.0)), attrs=["scale_"])
    tr("robust no centering", P.RobustScaler(with_centering=False))
    tr("robust nan", P.RobustScaler(), fit_X=Xnan, transform_X=Xnan, attrs=["center_", "scale_"])
    for norm in ["l1", "l2", "max"]:
        tr(f"normalizer {norm}", P.Normalizer(norm=norm), transform_X=np.vstack([Xt, np.zeros((1, 4))]))
    Xp = X[:, :3]
    Xpt = Xt[:, :3]
    for name, kw in [("poly 2", {}), ("poly 3", {"degree": 3}), ("poly interaction", {"degree": 3, "interaction_only": True}),
                     ("poly no bias", {"include_bias": False}), ("poly range", {"degree": (2, 3)}), ("poly range no bias", {"degree": (2, 3), "include_bias": False}),
                     ("poly 0", {"degree": 0})]:
        tr(name, P.PolynomialFeatures(**kw), fit_X=Xp, transform_X=Xpt, attrs=["powers_", "n_output_features_"], names=True)
    for strat, kw in [("mean", {}), ("median", {}), ("most_frequent", {}), ("constant", {"fill_value": 7.0})]:
        tr(f"imputer {strat}", SimpleImputer(strategy=strat, **kw), fit_X=Xnan, transform_X=Xnan, attrs=["statistics_"])
    Xempty = Xnan.copy()
    Xempty[:, 1] = np.nan
    tr("imputer empty column", SimpleImputer(), fit_X=Xempty, transform_X=Xempty, attrs=["statistics_"])
    tr("imputer indicator", SimpleImputer(add_indicator=True), fit_X=Xnan, transform_X=Xnan)
    Xmode = np.array([[1.0, 2.0], [2.0, np.nan], [2.0, 3.0], [1.0, 3.0], [np.nan, 2.0]])
    tr("imputer mode ties", SimpleImputer(strategy="most_frequent"), fit_X=Xmode, transform_X=Xmode, attrs=["statistics_"])

    # encoders on categorical rows
    cat = [["red", 1, "s"], ["blue", 3, "m"], ["red", 2, "m"], ["green", 3, "s"], ["blue", 1, "s"]]
    cat_t = [["green", 2, "m"], ["red", 3, "s"]]
    cat_obj = np.array(cat, dtype=object)
    enc = []

    def ohe(name, **kw):
        e = P.OneHotEncoder(sparse_output=False, **kw) if "sparse_output" in P.OneHotEncoder().get_params() else P.OneHotEncoder(sparse=False, **kw)
        e.fit(cat_obj)
        enc.append({"name": name, "class": "OneHotEncoder", "kwargs": kw, "fit_out": e.transform(cat_obj), "out": e.transform(np.array(cat_t, dtype=object)),
                    "categories": [list(c) for c in e.categories_], "feature_names": list(e.get_feature_names_out()),
                    "drop_idx": None if e.drop_idx_ is None else [None if d is None else int(d) for d in e.drop_idx_]})

    ohe("onehot")
    ohe("onehot drop first", drop="first")
    ohe("onehot drop if_binary", drop="if_binary")
    ohe("onehot drop list", drop=["blue", 3, "s"])
    e = P.OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    e.fit(cat_obj)
    unk = np.array([["purple", 1, "s"], ["red", 9, "m"]], dtype=object)
    enc.append({"name": "onehot ignore unknown", "class": "OneHotEncoder", "kwargs": {"handle_unknown": "ignore"}, "transform_X": unk,
                "out": e.transform(unk), "inverse": e.inverse_transform(e.transform(unk))})
    o = P.OrdinalEncoder().fit(cat_obj)
    enc.append({"name": "ordinal", "class": "OrdinalEncoder", "kwargs": {}, "fit_out": o.transform(cat_obj), "out": o.transform(np.array(cat_t, dtype=object)),
                "categories": [list(c) for c in o.categories_]})
    o = P.OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1).fit(cat_obj)
    enc.append({"name": "ordinal unknown", "class": "OrdinalEncoder", "kwargs": {"handle_unknown": "use_encoded_value", "unknown_value": -1},
                "transform_X": unk, "out": o.transform(unk)})
    num = np.array([[3.0, 10.0], [1.0, 20.0], [np.nan, 10.0], [3.0, 30.0]])
    o = P.OrdinalEncoder().fit(num)
    enc.append({"name": "ordinal numeric nan", "class": "OrdinalEncoder", "kwargs": {}, "fit_X": num, "fit_out": o.transform(num),
                "categories": [list(c) for c in o.categories_]})
    e = P.OneHotEncoder(sparse_output=False).fit(num)
    enc.append({"name": "onehot numeric nan", "class": "OneHotEncoder", "kwargs": {}, "fit_X": num, "fit_out": e.transform(num),
                "feature_names": list(e.get_feature_names_out())})
    out["categorical"] = {"X": cat, "Xt": cat_t, "cases": enc}
    le = P.LabelEncoder().fit(["tokyo", "paris", "amsterdam", "paris"])
    out["label_encoder"] = {"fit": ["tokyo", "paris", "amsterdam", "paris"], "classes": list(le.classes_),
                            "transform": ["paris", "tokyo"], "out": le.transform(["paris", "tokyo"])}
    return out


# --------------------------------------------------------- model selection

def model_selection_fixtures():
    out = {"kfold": [], "stratified": [], "loo": [], "train_test_sizes": [], "grid": []}
    for n, k in [(10, 3), (11, 5), (5, 5), (7, 2)]:
        out["kfold"].append({"n": n, "n_splits": k, "splits": [[tr.tolist(), te.tolist()] for tr, te in KFold(n_splits=k).split(np.zeros(n))]})
    ys = [
        [0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 0, 1, 2],
        [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
        ["b", "a", "b", "c", "a", "b", "c", "c", "a", "b", "a"],
        [2, 2, 2, 2, 2, 1, 1, 1, 0, 0],
    ]
    for y in ys:
        for k in [2, 3]:
            skf = StratifiedKFold(n_splits=k)
            out["stratified"].append({"y": y, "n_splits": k, "splits": [[tr.tolist(), te.tolist()] for tr, te in skf.split(np.zeros(len(y)), y)]})
    out["loo"].append({"n": 4, "splits": [[tr.tolist(), te.tolist()] for tr, te in LeaveOneOut().split(np.zeros(4))]})
    for n, test, train in [(100, 0.2, None), (10, 0.25, None), (10, None, None), (7, 0.33, None), (13, None, 0.5), (13, 0.3, 0.6), (10, 3, None), (10, None, 4), (10, 2, 5), (9, 0.5, 0.5), (101, 0.1, None)]:
        kw = {}
        if test is not None:
            kw["test_size"] = test
        if train is not None:
            kw["train_size"] = train
        a, b = train_test_split(np.arange(n), random_state=0, **kw)
        out["train_test_sizes"].append({"n": n, "test_size": test, "train_size": train, "n_train": len(a), "n_test": len(b)})
        a, b = train_test_split(np.arange(n), shuffle=False, **kw)
        out["train_test_sizes"][-1]["no_shuffle"] = [a.tolist(), b.tolist()]
    grids = [{"C": [1, 10, 100], "kernel": ["linear", "rbf"], "alpha": [0.5]}, [{"a": [1, 2]}, {"b": ["x", "y", "z"], "c": [True, False]}]]
    for g in grids:
        out["grid"].append({"grid": g, "candidates": list(ParameterGrid(g))})
    return out


# ---------------------------------------------------------------- datasets

def datasets_fixtures():
    out = {}
    for n in [7, 8, [3, 5]]:
        X, y = D.make_moons(n_samples=n if isinstance(n, int) else tuple(n), shuffle=False)
        out.setdefault("moons", []).append({"n_samples": n, "X": X, "y": y})
        X, y = D.make_circles(n_samples=n if isinstance(n, int) else tuple(n), shuffle=False, factor=0.5)
        out.setdefault("circles", []).append({"n_samples": n, "factor": 0.5, "X": X, "y": y})
    return out


# --------------------------------------------------------------- estimators

def estimator_fixtures():
    """Reference fits for estimators written on top of frugal's base.

    Add entries like
        out["ridge"] = {"X": X, "y": y, "params": {...}, "coef": est.coef_, "predict": est.predict(X)}
    and a test that reads test/fixtures/sklearn-estimators.json. Keep
    inputs small and written here (no downloads). Nothing is written while
    this returns an empty dict.
    """
    out = {}
    return out


SETS = {
    "metrics": metrics_fixtures,
    "preprocessing": preprocessing_fixtures,
    "model-selection": model_selection_fixtures,
    "datasets": datasets_fixtures,
    "estimators": estimator_fixtures,
}


def main(argv):
    names = argv[1:] or list(SETS)
    for name in names:
        if name not in SETS:
            raise SystemExit(f"unknown set {name!r}; sets are {', '.join(SETS)}")
        data = SETS[name]()
        if not data:
            continue
        data = clean({"sklearn_version": sklearn.__version__, "numpy_version": np.__version__, **data})
        path = os.path.join(OUT_DIR, f"sklearn-{name}.json")
        with open(path, "w") as f:
            json.dump(data, f, separators=(",", ":"), allow_nan=False)
            f.write("\n")
        print(f"wrote {os.path.relpath(path)}")


if __name__ == "__main__":
    main(sys.argv)
