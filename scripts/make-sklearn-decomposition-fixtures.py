#!/usr/bin/env python3
"""Reference values from scikit-learn for PCA, TruncatedSVD, KMeans and
MiniBatchKMeans (test/decomposition.test.ts, test/cluster.test.ts).

    /usr/bin/python3 scripts/make-sklearn-decomposition-fixtures.py

writes test/fixtures/sklearn-decomposition.json. Inputs are generated here
from fixed seeds, so the output is deterministic.

Sign convention: frugal follows scikit-learn >= 1.5, whose PCA and
TruncatedSVD flip signs with svd_flip(u_based_decision=False) (the largest
|entry| of each component positive). When the installed scikit-learn is
older, that same flip is applied here to its components (and to the
matching transform columns), which is what 1.5 does after the same SVD.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA, TruncatedSVD

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "sklearn-decomposition.json")


def flip_components(components, transformed=None):
    """svd_flip(u_based_decision=False): the largest |entry| of each row of components made positive."""
    components = components.copy()
    transformed = None if transformed is None else transformed.copy()
    for c in range(components.shape[0]):
        big = np.argmax(np.abs(components[c]))
        if components[c, big] < 0:
            components[c] *= -1
            if transformed is not None:
                transformed[:, c] *= -1
    return components, transformed


def correlated(n, d, seed):
    rng = np.random.RandomState(seed)
    latent = rng.randn(n, d) * np.linspace(3.0, 0.3, d)
    mixing = rng.randn(d, d)
    return latent @ mixing + rng.randn(d) * 2


def pca_case(name, X, **kwargs):
    m = PCA(**kwargs).fit(X)
    Z = m.transform(X)
    comps, Z = flip_components(m.components_, Z)
    case = {
        "name": name,
        "params": kwargs,
        "X": X.tolist(),
        "nComponents": int(m.n_components_),
        "components": comps.tolist(),
        "explainedVariance": m.explained_variance_.tolist(),
        "explainedVarianceRatio": m.explained_variance_ratio_.tolist(),
        "singularValues": m.singular_values_.tolist(),
        "mean": m.mean_.tolist(),
        "noiseVariance": float(m.noise_variance_),
        "transform": Z.tolist(),
    }
    if m.n_components_ < min(X.shape) or m.noise_variance_ > 0:
        case["score"] = float(m.score(X))
    return case


def tsvd_case(name, X, **kwargs):
    m = TruncatedSVD(**kwargs)
    Z = m.fit_transform(X)
    comps, Z = flip_components(m.components_, Z)
    return {
        "name": name,
        "params": kwargs,
        "X": X.tolist(),
        "components": comps.tolist(),
        "explainedVariance": m.explained_variance_.tolist(),
        "explainedVarianceRatio": m.explained_variance_ratio_.tolist(),
        "singularValues": m.singular_values_.tolist(),
        "transform": Z.tolist(),
    }


def kmeans_case(name, X, init, sample_weight=None, **kwargs):
    m = KMeans(n_clusters=len(init), init=np.asarray(init), n_init=1, algorithm="lloyd", **kwargs).fit(X, sample_weight=sample_weight)
    return {
        "name": name,
        "params": kwargs,
        "X": X.tolist(),
        "init": np.asarray(init).tolist(),
        "sampleWeight": None if sample_weight is None else list(sample_weight),
        "labels": m.labels_.tolist(),
        "inertia": float(m.inertia_),
        "clusterCenters": m.cluster_centers_.tolist(),
        "nIter": int(m.n_iter_),
        "transform": m.transform(X[:5]).tolist(),
    }


def main():
    X = correlated(40, 6, 0)
    wide = correlated(8, 12, 1)
    pca = [
        pca_case("full 3", X, n_components=3, svd_solver="full"),
        pca_case("full all", X, svd_solver="full"),
        pca_case("full fraction", X, n_components=0.9, svd_solver="full"),
        pca_case("full mle", X, n_components="mle", svd_solver="full"),
        pca_case("full whiten", X, n_components=4, svd_solver="full", whiten=True),
        pca_case("wide full", wide, n_components=5, svd_solver="full"),
        pca_case("randomized 3", X, n_components=3, svd_solver="randomized", random_state=0),
    ]
    # Low-rank plus noise, larger: the randomized solver must match the exact spectrum.
    rng = np.random.RandomState(3)
    lowrank = rng.randn(100, 5) @ rng.randn(5, 30) + 0.01 * rng.randn(100, 30)
    pca.append(pca_case("randomized lowrank", lowrank, n_components=5, svd_solver="randomized", random_state=0))
    tsvd = [
        tsvd_case("arpack 3", X, n_components=3, algorithm="arpack"),
        tsvd_case("randomized 2", X, n_components=2, algorithm="randomized", n_iter=5, random_state=0),
        tsvd_case("randomized lowrank", lowrank, n_components=5, random_state=0),
    ]
    blobs, _ = make_blobs(n_samples=90, centers=4, n_features=3, cluster_std=2.5, random_state=7)
    kmeans = [
        kmeans_case("blobs, first rows", blobs, blobs[:4]),
        kmeans_case("blobs, tol 0", blobs, blobs[10:14], tol=0.0),
        kmeans_case("blobs, weighted", blobs, blobs[:4], sample_weight=np.linspace(0.5, 2.0, len(blobs)).tolist()),
        # A centre far from every sample: its cluster is empty at the first step and relocated.
        kmeans_case("empty cluster relocated", blobs, np.vstack([blobs[:3], [[1e3, 1e3, 1e3]]])),
        kmeans_case("max_iter 2", blobs, blobs[20:24], max_iter=2),
    ]
    # k-means++: inertia of the best of n_init runs over several seeds, for a statistical comparison.
    big, _ = make_blobs(n_samples=600, centers=8, n_features=5, cluster_std=3.0, random_state=11)
    plusplus = {
        "X": big.tolist(),
        "nClusters": 8,
        "nInit": 3,
        "inertias": [float(KMeans(n_clusters=8, n_init=3, random_state=s).fit(big).inertia_) for s in range(20)],
        "minibatchInertias": [
            float(MiniBatchKMeans(n_clusters=8, n_init=3, batch_size=100, random_state=s).fit(big).inertia_) for s in range(20)
        ],
    }
    # partial_fit: 5 passes over the data in batches of 100 samples, scored on all of it.
    partial = []
    for s in range(10):
        m = MiniBatchKMeans(n_clusters=8, random_state=s, n_init=1)
        for _ in range(5):
            for start in range(0, len(big), 100):
                m.partial_fit(big[start : start + 100])
        partial.append(float(-m.score(big)))
    plusplus["partialFitInertias"] = partial
    out = {"sklearn": sklearn.__version__, "pca": pca, "truncatedSVD": tsvd, "kmeans": kmeans, "kmeansPlusPlus": plusplus}
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
