/**
 * KNeighborsClassifier, KNeighborsRegressor and NearestNeighbors against
 * scikit-learn 1.2.1 (test/fixtures/sklearn-knn.json, written by
 * scripts/make-sklearn-knn-fixtures.py), for every metric, both search
 * methods and both weightings; then the brute-force GEMM path against the
 * KD-tree on larger, tied and blocked inputs, and hostile inputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LimitError, NumericalError, ValueError } from '../src/errors.js';
import { KNeighborsClassifier, KNeighborsRegressor, NearestNeighbors } from '../src/models/neighbors/index.js';
import { MAX_RADIUS_PAIRS, radiusNeighborsOf } from '../src/models/neighbors/search.js';
import { Generator } from '../src/tensor/random.js';
import { assertClose, loadFixture } from './helpers/fixtures.js';

interface KnnCase {
  params: Record<string, unknown>;
  distances: number[][];
  indices: number[][];
  selfDistances: number[][];
  selfIndices: number[][];
  proba: number[][];
  predict: number[];
  regression: number[];
}
interface KnnFixture {
  X: number[][];
  y: number[];
  yr: number[];
  Q: number[][];
  cases: KnnCase[];
  radius: { radius: number; distances: number[][]; indices: number[][] };
}

const fx = loadFixture<{ neighbors: KnnFixture }>('sklearn-knn').neighbors;

function rows(t: { data: ArrayLike<number>; shape: readonly number[] }): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < t.shape[0]; r++) out.push(Array.from(t.data).slice(r * t.shape[1], (r + 1) * t.shape[1]));
  return out;
}

function randomMatrix(rng: Generator, n: number, d: number, scale = 1, integer = false): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: d }, () => (integer ? Math.floor(rng.random() * scale) : rng.normal() * scale)));
}

describe('neighbours match scikit-learn', () => {
  for (const c of fx.cases) {
    const name = `${c.params.metric}(p=${c.params.p}) ${c.params.algorithm} ${c.params.weights}`;
    it(name, () => {
      const clf = new KNeighborsClassifier(c.params).fit(fx.X, fx.y);
      const found = clf.kneighbors(fx.Q);
      assert.deepEqual(rows(found.indices), c.indices);
      assertClose(rows(found.distances), c.distances, 1e-12);
      const self = clf.kneighbors();
      assert.deepEqual(rows(self.indices), c.selfIndices);
      assertClose(rows(self.distances), c.selfDistances, 1e-12);
      assertClose(rows(clf.predictProba(fx.Q)), c.proba, 1e-12);
      assert.deepEqual(clf.predict(fx.Q), c.predict);
      const reg = new KNeighborsRegressor(c.params).fit(fx.X, fx.yr);
      assertClose(reg.predict(fx.Q), c.regression, 1e-12);
    });
  }
  it('radiusNeighbors (sorted)', () => {
    for (const algorithm of ['brute', 'kd_tree'] as const) {
      const nn = new NearestNeighbors({ radius: fx.radius.radius, algorithm }).fit(fx.X);
      const got = nn.radiusNeighbors(fx.Q, { sortResults: true });
      assert.deepEqual(
        got.indices.map((a) => Array.from(a)),
        fx.radius.indices,
      );
      assertClose(got.distances, fx.radius.distances, 1e-12);
    }
  });
});

describe('brute force (GEMM) and KD-tree agree', () => {
  it('over several training and query blocks', () => {
    const rng = new Generator(1);
    const X = randomMatrix(rng, 4500, 3);
    const Q = randomMatrix(rng, 2100, 3);
    const brute = new NearestNeighbors({ nNeighbors: 6, algorithm: 'brute' }).fit(X).kneighbors(Q);
    const tree = new NearestNeighbors({ nNeighbors: 6, algorithm: 'kd_tree', leafSize: 7 }).fit(X).kneighbors(Q);
    assert.deepEqual(Array.from(brute.indices.data), Array.from(tree.indices.data));
    assertClose(brute.distances, tree.distances, 1e-9);
  });
  it('brute force decides in float64 where float32 cannot tell the candidates apart', () => {
    const rng = new Generator(4);
    const d = 50;
    const centre = Array.from({ length: d }, () => 10 + rng.random());
    // 300 points within 0.05 of the centre (float32 sees ||y||² - 2x·y to about 1e-3 here) and 300 far away
    const X = Array.from({ length: 600 }, (_, i) => centre.map((c) => c + (i < 300 ? 0.05 : 3) * rng.normal()));
    const expected = X.map((row, j) => [row.reduce((s, v, f) => s + (v - centre[f]) ** 2, 0), j]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const { indices } = new NearestNeighbors({ nNeighbors: 20, algorithm: 'brute' }).fit(X).kneighbors([centre]);
    assert.deepEqual(
      Array.from(indices.data),
      expected.slice(0, 20).map((e) => e[1]),
    );
    const tree = new NearestNeighbors({ nNeighbors: 20, algorithm: 'kd_tree' }).fit(X).kneighbors([centre]);
    assert.deepEqual(Array.from(tree.indices.data), Array.from(indices.data));
  });
  it('huge values skip the float32 screen and still find the neighbours', () => {
    const X = [
      [1e20, 0],
      [0, 1e20],
      [3e19, 3e19],
      [-1e20, 0],
    ];
    const { indices } = new NearestNeighbors({ nNeighbors: 2, algorithm: 'brute' }).fit(X).kneighbors([[4e19, 4e19]]);
    assert.deepEqual(Array.from(indices.data), [2, 0]);
  });
  it('ties go to the smaller index, whatever the method and metric', () => {
    const rng = new Generator(2);
    // a small integer grid: many points at exactly the same distance, and duplicates
    const X = randomMatrix(rng, 200, 2, 5, true);
    const Q = randomMatrix(rng, 40, 2, 5, true);
    for (const metric of ['euclidean', 'manhattan', 'chebyshev'] as const) {
      const results = (['brute', 'kd_tree'] as const).map((algorithm) => new NearestNeighbors({ nNeighbors: 9, algorithm, metric, leafSize: 3 }).fit(X).kneighbors(Q));
      assert.deepEqual(Array.from(results[0].indices.data), Array.from(results[1].indices.data), metric);
      const d = results[0].distances.data;
      const idx = results[0].indices.data;
      for (let t = 1; t < idx.length; t++) {
        if (t % 9 !== 0 && d[t] === d[t - 1]) assert.ok(idx[t] > idx[t - 1], `${metric}: tie at ${t} not ordered by index`);
      }
    }
  });
  it("'auto' picks the KD-tree for few features and brute force for many", () => {
    const rng = new Generator(3);
    assert.equal(new NearestNeighbors().fit(randomMatrix(rng, 50, 3)).index!.method, 'kd_tree');
    assert.equal(new NearestNeighbors().fit(randomMatrix(rng, 50, 16)).index!.method, 'brute');
    assert.equal(new NearestNeighbors({ nNeighbors: 30 }).fit(randomMatrix(rng, 50, 3)).index!.method, 'brute');
  });
  it("changing the caller's training buffer after fit changes nothing", () => {
    const data = Float64Array.of(0, 0, 1, 1, 5, 5);
    const nn = new NearestNeighbors({ nNeighbors: 1, algorithm: 'brute' }).fit({ data, shape: [3, 2] });
    data.fill(100);
    assert.deepEqual(Array.from(nn.kneighbors([[4, 4]]).indices.data), [2]);
  });
  it('a duplicate of a training point may take its place when querying the training set', () => {
    const X = [[0], [0], [5], [9]];
    const { indices } = new NearestNeighbors({ nNeighbors: 1, algorithm: 'brute' }).fit(X).kneighbors();
    assert.deepEqual(Array.from(indices.data), [1, 0, 3, 2]);
  });
});

describe('neighbours on hostile input', () => {
  const X = [
    [0, 0],
    [1, 1],
    [2, 2],
  ];
  it('more neighbours than points is a ValueError', () => {
    assert.throws(() => new KNeighborsClassifier({ nNeighbors: 4 }).fit(X, [0, 1, 1]).predict(X), ValueError);
    assert.throws(() => new NearestNeighbors({ nNeighbors: 3 }).fit(X).kneighbors(), ValueError);
  });
  it('bad parameters are ValueErrors', () => {
    assert.throws(() => new KNeighborsClassifier({ metric: 'cosine' as never }).fit(X, [0, 1, 1]), ValueError);
    assert.throws(() => new KNeighborsClassifier({ p: 0.5 }).fit(X, [0, 1, 1]), ValueError);
    assert.throws(() => new KNeighborsClassifier({ nNeighbors: 0 }).fit(X, [0, 1, 1]).predict(X), ValueError);
    assert.throws(() => new KNeighborsClassifier({ algorithm: 'fast' as never }).fit(X, [0, 1, 1]), ValueError);
    assert.throws(() => new KNeighborsClassifier({ leafSize: 0 }).fit(X, [0, 1, 1]), ValueError);
    assert.throws(() => new KNeighborsRegressor({ weights: 'inverse' as never }).fit(X, [0, 1, 1]), ValueError);
    assert.throws(() => new KNeighborsClassifier({ n_neighbors: 3 } as never), /nNeighbors/);
    assert.throws(() => new NearestNeighbors().fit(X).kneighbors(X, { k: 2 } as never), ValueError);
    assert.throws(() => new NearestNeighbors().fit(X).radiusNeighbors(X, { radius: -1 }), ValueError);
    assert.throws(() => new NearestNeighbors().fit(X).radiusNeighbors(X, { radius: Number.NaN }), ValueError);
  });
  it('distances that overflow are a NumericalError, not garbage indices', () => {
    const big = [
      [1e200, -1e200],
      [-1e200, 1e200],
      [1e200, 1e200],
    ];
    for (const algorithm of ['brute', 'kd_tree'] as const) {
      assert.throws(() => new NearestNeighbors({ nNeighbors: 2, algorithm }).fit(big).kneighbors([[-1e200, -1e200]]), NumericalError, algorithm);
    }
  });
  it('a radius query returning too many pairs is a LimitError', () => {
    const pts = Array.from({ length: 60 }, (_, i) => [i * 1e-3]);
    for (const algorithm of ['brute', 'kd_tree'] as const) {
      const nn = new NearestNeighbors({ algorithm }).fit(pts);
      assert.equal(nn.radiusNeighbors(pts, { radius: 1 }).indices[0].length, 60);
      // the same search under a lower bound than the 3600 pairs it finds
      assert.throws(() => radiusNeighborsOf('test', nn.index!, { data: new Float64Array(pts.flat()), rows: 60, cols: 1 }, 1, false, 3599), LimitError);
    }
    assert.ok(MAX_RADIUS_PAIRS <= 2 ** 24);
  });
});
