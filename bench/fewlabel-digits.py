#!/usr/bin/env python3
"""The scikit-learn side of `fewlabel-digits` (bench/fewlabel-digits.ts):
the same digits split, the same 5 labels per class per draw (positions
5s..5s+4 of each class's train rows in file order), the same three methods.

    OMP_NUM_THREADS=1 /usr/bin/python3 bench/fewlabel-digits.py [--quick] [--data DIR]

Prints SPEC-style JSON lines with "impl": "sklearn".
"""
import json
import os
import statistics
import sys
import time
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.semi_supervised import LabelSpreading, SelfTrainingClassifier

HERE = os.path.dirname(os.path.abspath(__file__))


def digits_split(data_dir):
    raw = np.loadtxt(os.path.join(data_dir, "digits.csv"), delimiter=",", skiprows=1)
    with open(os.path.join(data_dir, "digits.csv")) as f:
        header = f.readline().strip().split(",")
    ycol = header.index("digit")
    X = np.delete(raw, ycol, axis=1) / 16
    y = raw[:, ycol].astype(int)
    test = np.arange(len(y)) % 5 == 0
    return X[~test], y[~test], X[test], y[test]


def few_labels(y, draw, per_class=5):
    out = np.full_like(y, -1)
    seen = {}
    for i, label in enumerate(y):
        pos = seen.get(label, 0)
        seen[label] = pos + 1
        if per_class * draw <= pos < per_class * (draw + 1):
            out[i] = label
    return out


def predict_with(method, Xtr, partial, Xte):
    if method == "supervised":
        keep = partial != -1
        return LogisticRegression(C=10, max_iter=1000).fit(Xtr[keep], partial[keep]).predict(Xte)
    if method == "label_spreading":
        return LabelSpreading(kernel="knn", n_neighbors=7, alpha=0.2, max_iter=100).fit(Xtr, partial).predict(Xte)
    return SelfTrainingClassifier(LogisticRegression(C=10, max_iter=1000), threshold=0.7).fit(Xtr, partial).predict(Xte)


def main():
    quick = "--quick" in sys.argv
    data_dir = sys.argv[sys.argv.index("--data") + 1] if "--data" in sys.argv else os.path.join(HERE, "..", "..", "shared", "data")
    Xtr, ytr, Xte, yte = digits_split(data_dir)
    draws = 2 if quick else 5
    warnings.simplefilter("ignore")
    for method in ["supervised", "label_spreading", "self_training"]:
        values, seconds = [], []
        for draw in range(draws):
            t0 = time.perf_counter()
            pred = predict_with(method, Xtr, few_labels(ytr, draw), Xte)
            seconds.append(time.perf_counter() - t0)
            values.append(float(np.mean(pred == yte)))
        base = {"workload": "fewlabel-digits", "impl": "sklearn", "threads": 1, "method": method}  # run with OMP_NUM_THREADS=1 (the docstring)
        print(json.dumps({**base, "metric": "test_acc", "value": statistics.fmean(values), "std": statistics.pstdev(values), "values": values}))
        print(json.dumps({**base, "metric": "fit_s", "value": statistics.median(seconds)}))


if __name__ == "__main__":
    main()
