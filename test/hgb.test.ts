/**
 * HistGradientBoostingClassifier / HistGradientBoostingRegressor against
 * scikit-learn 1.2 (test/fixtures/sklearn-hgb.json, written by
 * scripts/make-sklearn-hgb-fixtures.py), and their behaviour on hostile input.
 *
 * Tolerances: the bins are sklearn's to the bit (thresholds compared
 * exactly), and the trees are the same: gradients and hessians are float32
 * as sklearn's, histogram sums float64 in the same order, so split gains
 * agree except where sklearn's root sums run in parallel (a different
 * order of float64 additions, ~1e-16 relative). Predictions therefore agree
 * to float64 rounding; 1e-9 leaves room for that rounding to accumulate
 * over a few hundred trees while still failing on any different split.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrugalError, LimitError, NotFittedError, ShapeError, ValueError } from '../src/errors.js';
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from '../src/index.js';
import { binData, fitBinMapper, type BinMapper } from '../src/models/ensemble/binning.js';
import { Generator } from '../src/tensor/random.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { assertClose, loadFixture } from './helpers/fixtures.js';

const TOL = 1e-9;

interface Case {
  name: string;
  kind: 'regressor' | 'classifier';
  params: Record<string, unknown>;
  X: number[][];
  y: number[];
  Xtest: number[][];
  /** Fitted with these sample weights (the weighted cases). */
  sampleWeight?: number[];
  nIter: number;
  baseline: number[];
  trainScore: number[];
  thresholds: number[][];
  predict: number[];
  staged?: number[][];
  proba?: number[][];
  decision?: number[] | number[][];
}

interface Fixture {
  cases: Case[];
  binning: { X: number[][]; results: { maxBins: number; thresholds: number[][]; binned: number[][] }[] };
}

const fixture = loadFixture<Fixture>('sklearn-hgb');

function fitCase(c: Case): HistGradientBoostingClassifier | HistGradientBoostingRegressor {
  const w = c.sampleWeight ?? null;
  return c.kind === 'regressor' ? new HistGradientBoostingRegressor(c.params).fit(c.X, c.y, w) : new HistGradientBoostingClassifier(c.params).fit(c.X, c.y, w);
}

function matrix(X: number[][]): { data: Float64Array; rows: number; cols: number } {
  return { data: Float64Array.from(X.flat()), rows: X.length, cols: X[0].length };
}

describe('HistGradientBoosting matches scikit-learn', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const est = fitCase(c);
      const model = est.boosted!;
      model.binMapper.thresholds.forEach((t, f) => assert.deepEqual(Array.from(t), c.thresholds[f], `thresholds of feature ${f}`));
      assertClose(Array.from(model.baselinePrediction), c.baseline, TOL, 'baseline');
      assert.equal(est.nIter, c.nIter, 'nIter');
      assertClose(Array.from(model.trainScore), c.trainScore, TOL, 'trainScore');
      if (est instanceof HistGradientBoostingRegressor) {
        assertClose(est.predict(c.Xtest), c.predict, TOL, 'predict');
        const staged = [...est.stagedPredict(c.Xtest)];
        assert.equal(staged.length, c.nIter);
        assertClose(staged.slice(0, 3), c.staged, TOL, 'stagedPredict');
        assert.deepEqual(staged[staged.length - 1], est.predict(c.Xtest));
      } else {
        assert.deepEqual(est.predict(c.Xtest), c.predict, 'predict');
        assertClose(est.predictProba(c.Xtest), c.proba, TOL, 'predictProba');
        assertClose(est.decisionFunction(c.Xtest), c.decision, TOL, 'decisionFunction');
      }
    });
  }

  it('the weighted fixtures hold zero weights and fit trees other than the unweighted ones', () => {
    const weighted = fixture.cases.filter((c) => c.sampleWeight);
    assert.equal(weighted.length, 5);
    for (const c of weighted) {
      assert.ok(c.sampleWeight!.includes(0), `${c.name}: no zero weight`);
      const unweighted = fitCase({ ...c, sampleWeight: undefined });
      assert.notDeepEqual(unweighted.predict(c.Xtest), c.predict, `${c.name}: the weights change nothing`);
    }
  });

  it('the categorical fixtures do split on their categorical feature', () => {
    for (const c of fixture.cases.filter((c) => c.params.categoricalFeatures)) {
      const est = fitCase(c);
      const categoricalSplits = est.boosted!.predictors.flat().reduce((s, tree) => s + tree.bitset.filter((b) => b >= 0).length, 0);
      assert.ok(categoricalSplits > 0, `${c.name}: no categorical split`);
    }
  });

  it("bins as sklearn's _BinMapper (midpoints, NumPy's midpoint percentiles, NaN in its own bin)", () => {
    const X = matrix(fixture.binning.X);
    for (const r of fixture.binning.results) {
      const mapper = fitBinMapper(X, r.maxBins, new Uint8Array(X.cols), new Generator(0), 'test');
      mapper.thresholds.forEach((t, f) => assert.deepEqual(Array.from(t), r.thresholds[f], `maxBins ${r.maxBins}, feature ${f}`));
      const binned = binData(mapper, { data: X.data.subarray(0, 50 * X.cols), rows: 50, cols: X.cols });
      // sklearn's missing bin is maxBins for every feature; ours is the feature's number of non-missing bins.
      for (let i = 0; i < 50; i++) {
        for (let f = 0; f < X.cols; f++) {
          const expected = r.binned[i][f] === r.maxBins ? mapper.nBinsNonMissing[f] : r.binned[i][f];
          assert.equal(binned[f * 50 + i], expected, `maxBins ${r.maxBins}, row ${i}, feature ${f}`);
        }
      }
    }
  });
});

/** A small problem: y depends on features 0 and 1; feature 2 is a category in 0..4. */
function problem(n: number, seed: number): { X: number[][]; y: number[]; labels: number[] } {
  const g = new Generator(seed);
  const X: number[][] = [];
  const y: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [g.normal(), g.normal(), g.randint(0, 5)];
    X.push(row);
    y.push(2 * row[0] - row[1] + (row[2] === 3 ? 2 : 0) + 0.1 * g.normal());
    labels.push(row[0] + (row[2] === 1 ? 1 : 0) > 0.3 ? 1 : row[1] > 0 ? 2 : 0);
  }
  return { X, y, labels };
}

describe('HistGradientBoosting behaviour', () => {
  const { X, y, labels } = problem(300, 1);

  it('early stopping on a validation fraction stops, records scores and is repeatable with randomState', () => {
    const make = () => new HistGradientBoostingRegressor({ earlyStopping: true, maxIter: 500, learningRate: 0.5, nIterNoChange: 3, randomState: 3 });
    const a = make().fit(X, y);
    const b = make().fit(X, y);
    assert.ok(a.nIter! < 500, `ran ${a.nIter} iterations`);
    assert.equal(a.boosted!.validationScore.length, a.nIter! + 1);
    assert.equal(a.boosted!.trainScore.length, a.nIter! + 1);
    assert.deepEqual(a.predict(X), b.predict(X));
    // Without early stopping there are no scores.
    assert.equal(new HistGradientBoostingRegressor({ maxIter: 3 }).fit(X, y).boosted!.trainScore.length, 0);
  });

  it("earlyStopping 'auto' turns on above 10 000 samples only", () => {
    const many = Array.from({ length: 10_001 }, (_, i) => [i % 7, (i * 13) % 11]);
    const target = many.map((r) => r[0] - r[1]);
    const est = new HistGradientBoostingRegressor({ maxIter: 2 }).fit(many, target);
    assert.equal(est.boosted!.doEarlyStopping, true);
    assert.equal(new HistGradientBoostingRegressor({ maxIter: 2 }).fit(X, y).boosted!.doEarlyStopping, false);
  });

  it('staged outputs end at the final ones; classifier stages give labels and probabilities', () => {
    const clf = new HistGradientBoostingClassifier({ maxIter: 7 }).fit(X, labels);
    const probas = [...clf.stagedPredictProba(X)];
    assert.equal(probas.length, 7);
    assert.deepEqual(probas[6].data, clf.predictProba(X).data);
    assert.deepEqual([...clf.stagedPredict(X)][6], clf.predict(X));
    const decisions = [...clf.stagedDecisionFunction(X)];
    assert.deepEqual((decisions[6] as Tensor).data, (clf.decisionFunction(X) as Tensor).data);
    assert.ok(clf.score(X, labels) > 0.9);
  });

  it('binary classification: decisionFunction is one score per row, probabilities its sigmoid', () => {
    const binary = labels.map((l) => (l === 1 ? 'yes' : 'no'));
    const clf = new HistGradientBoostingClassifier({ maxIter: 10 }).fit(X, binary);
    const d = clf.decisionFunction(X) as Float64Array;
    const p = clf.predictProba(X).data as Float64Array;
    assert.ok(d instanceof Float64Array && d.length === X.length);
    for (let i = 0; i < d.length; i++) assert.ok(Math.abs(p[2 * i + 1] - 1 / (1 + Math.exp(-d[i]))) < 1e-12);
    assert.deepEqual(clf.classes, ['no', 'yes']);
  });

  it('missing values: NaN at fit learns a direction; NaN at predict without NaN at fit follows the larger child', () => {
    const withNaN = X.map((r, i) => (i % 4 === 0 ? [Number.NaN, r[1], r[2]] : r));
    const est = new HistGradientBoostingRegressor({ maxIter: 20 }).fit(withNaN, y);
    const p = est.predict([[Number.NaN, 0, 0]]);
    assert.ok(Number.isFinite(p[0]));
    const clean = new HistGradientBoostingRegressor({ maxIter: 5 }).fit(X, y);
    assert.ok(Number.isFinite(clean.predict([[Number.NaN, Number.NaN, Number.NaN]])[0]));
  });

  it('categorical features: indices and boolean mask agree; an unknown category goes where NaN goes', () => {
    const a = new HistGradientBoostingRegressor({ maxIter: 10, categoricalFeatures: [2] }).fit(X, y);
    const b = new HistGradientBoostingRegressor({ maxIter: 10, categoricalFeatures: [false, false, true] }).fit(X, y);
    assert.deepEqual(a.predict(X), b.predict(X));
    const unknown = a.predict([
      [0.1, 0.2, 9],
      [0.1, 0.2, Number.NaN],
      [0.1, 0.2, 2.5],
    ]);
    assert.equal(unknown[0], unknown[1]);
    assert.equal(unknown[2], unknown[1]);
    // The category split helps: category 3 adds 2 to y.
    const numeric = new HistGradientBoostingRegressor({ maxIter: 10 }).fit(X, y);
    assert.ok(a.score(X, y) >= numeric.score(X, y) - 1e-3);
  });

  it('absolute_error is robust to outliers', () => {
    const outliers = y.map((v, i) => (i % 10 === 0 ? v + 1000 : v));
    const l1 = new HistGradientBoostingRegressor({ loss: 'absolute_error', maxIter: 30 }).fit(X, outliers);
    const l2 = new HistGradientBoostingRegressor({ maxIter: 30 }).fit(X, outliers);
    const clean = (est: HistGradientBoostingRegressor): number => est.predict(X).reduce((s, v, i) => s + (i % 10 ? Math.abs(v - y[i]) : 0), 0);
    assert.ok(clean(l1) < clean(l2));
  });

  it('maxDepth, maxLeafNodes and minSamplesLeaf bound every tree', () => {
    const est = new HistGradientBoostingRegressor({ maxIter: 5, maxDepth: 2, maxLeafNodes: null, minSamplesLeaf: 30 }).fit(X, y);
    for (const tree of est.boosted!.predictors.flat()) {
      const leaves = tree.feature.filter((f) => f < 0).length;
      assert.ok(leaves <= 4, `${leaves} leaves at depth 2`);
      tree.feature.forEach((f, i) => f < 0 && assert.ok(tree.count[i] >= 30));
    }
    const wide = new HistGradientBoostingRegressor({ maxIter: 3, maxLeafNodes: 5, minSamplesLeaf: 1 }).fit(X, y);
    for (const tree of wide.boosted!.predictors.flat()) assert.equal(tree.feature.filter((f) => f < 0).length, 5);
  });

  it('monotonic constraints hold: predictions rise with feature 0 and fall with feature 1 when the others are fixed', () => {
    const est = new HistGradientBoostingRegressor({ maxIter: 30, monotonicCst: [1, -1, 0] }).fit(X, y);
    const grid = Array.from({ length: 41 }, (_, i) => -2 + i * 0.1);
    for (const other of [-1, 0, 1]) {
      const up = est.predict(grid.map((v) => [v, other, 1]));
      const down = est.predict(grid.map((v) => [other, v, 1]));
      for (let i = 1; i < grid.length; i++) {
        assert.ok(up[i] >= up[i - 1], `feature 0 at ${grid[i]}: ${up[i]} < ${up[i - 1]}`);
        assert.ok(down[i] <= down[i - 1], `feature 1 at ${grid[i]}: ${down[i]} > ${down[i - 1]}`);
      }
    }
  });

  it('fitted state is plain data (typed arrays and plain objects)', () => {
    const est = new HistGradientBoostingClassifier({ maxIter: 2 }).fit(X, labels);
    const visit = (v: unknown, path: string): void => {
      if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return;
      const proto = Object.getPrototypeOf(v);
      assert.ok(proto === Object.prototype || proto === Array.prototype, `${path} is a ${proto?.constructor?.name}`);
      for (const [k, x] of Object.entries(v)) visit(x, `${path}.${k}`);
    };
    visit(est.boosted, 'boosted');
  });
});

describe('HistGradientBoosting rejects hostile input with typed errors', () => {
  const { X, y, labels } = problem(60, 2);
  const cases: [string, () => unknown][] = [
    ['maxBins 256', () => new HistGradientBoostingRegressor({ maxBins: 256 }).fit(X, y)],
    ['maxBins 1', () => new HistGradientBoostingRegressor({ maxBins: 1 }).fit(X, y)],
    ['learningRate 0', () => new HistGradientBoostingRegressor({ learningRate: 0 }).fit(X, y)],
    ['maxIter 0', () => new HistGradientBoostingRegressor({ maxIter: 0 }).fit(X, y)],
    ['maxIter 1e9 (an unbounded loop)', () => new HistGradientBoostingRegressor({ maxIter: 1e9 }).fit(X, y)],
    ['maxLeafNodes 1', () => new HistGradientBoostingRegressor({ maxLeafNodes: 1 }).fit(X, y)],
    ['maxDepth 0', () => new HistGradientBoostingRegressor({ maxDepth: 0 }).fit(X, y)],
    ['minSamplesLeaf 0.5', () => new HistGradientBoostingRegressor({ minSamplesLeaf: 0.5 }).fit(X, y)],
    ['l2Regularization NaN', () => new HistGradientBoostingRegressor({ l2Regularization: Number.NaN }).fit(X, y)],
    ['validationFraction 1.5', () => new HistGradientBoostingRegressor({ earlyStopping: true, validationFraction: 1.5 }).fit(X, y)],
    ['nIterNoChange 0', () => new HistGradientBoostingRegressor({ nIterNoChange: 0 }).fit(X, y)],
    ['tol -1', () => new HistGradientBoostingRegressor({ tol: -1 }).fit(X, y)],
    ["scoring 'r2'", () => new HistGradientBoostingRegressor({ scoring: 'r2' as 'loss' }).fit(X, y)],
    ["earlyStopping 'yes'", () => new HistGradientBoostingRegressor({ earlyStopping: 'yes' as 'auto' }).fit(X, y)],
    ["loss 'poisson'", () => new HistGradientBoostingRegressor({ loss: 'poisson' as 'squared_error' }).fit(X, y)],
    ["loss 'hinge'", () => new HistGradientBoostingClassifier({ loss: 'hinge' as 'log_loss' }).fit(X, labels)],
    ["loss 'constructor' (no prototype lookup)", () => new HistGradientBoostingRegressor({ loss: 'constructor' as 'squared_error' }).fit(X, y)],
    ['snake_case option', () => new HistGradientBoostingRegressor({ max_iter: 3 } as never)],
    ['categoricalFeatures index out of range', () => new HistGradientBoostingRegressor({ categoricalFeatures: [3] }).fit(X, y)],
    ['categoricalFeatures mask of the wrong length', () => new HistGradientBoostingRegressor({ categoricalFeatures: [true] }).fit(X, y)],
    ['categoricalFeatures not an array', () => new HistGradientBoostingRegressor({ categoricalFeatures: 2 as never }).fit(X, y)],
    ['a negative category', () => new HistGradientBoostingRegressor({ categoricalFeatures: [0] }).fit(X, y)],
    ['a category >= maxBins', () => new HistGradientBoostingRegressor({ categoricalFeatures: [2], maxBins: 3 }).fit(X, y)],
    ['a non-integer category', () => new HistGradientBoostingRegressor({ categoricalFeatures: [1] }).fit(X, y)],
    ['monotonicCst of the wrong length', () => new HistGradientBoostingRegressor({ monotonicCst: [1] }).fit(X, y)],
    ['monotonicCst of 2', () => new HistGradientBoostingRegressor({ monotonicCst: [2, 0, 0] }).fit(X, y)],
    ['monotonicCst on a categorical feature', () => new HistGradientBoostingRegressor({ monotonicCst: [0, 0, 1], categoricalFeatures: [2] }).fit(X, y)],
    ['monotonicCst with more than two classes', () => new HistGradientBoostingClassifier({ monotonicCst: [1, 0, 0] }).fit(X, labels)],
    ['infinity in X', () => new HistGradientBoostingRegressor().fit([[Number.POSITIVE_INFINITY, 1, 1], ...X.slice(1)], y)],
    ['NaN in y', () => new HistGradientBoostingRegressor().fit(X, [Number.NaN, ...y.slice(1)])],
    ['a negative sample weight', () => new HistGradientBoostingRegressor({ maxIter: 2 }).fit(X, y, [-1, ...y.slice(1).map(() => 1)])],
    ['a NaN sample weight', () => new HistGradientBoostingClassifier({ maxIter: 2 }).fit(X, labels, [Number.NaN, ...y.slice(1).map(() => 1)])],
    ['an infinite sample weight', () => new HistGradientBoostingRegressor({ maxIter: 2 }).fit(X, y, [Number.POSITIVE_INFINITY, ...y.slice(1).map(() => 1)])],
    [
      'sample weights all zero (0/0 baselines)',
      () =>
        new HistGradientBoostingClassifier({ maxIter: 2 }).fit(
          X,
          labels,
          y.map(() => 0),
        ),
    ],
  ];
  for (const [what, run] of cases) {
    it(what, () => assert.throws(run, ValueError));
  }

  it('sample weights of the wrong length give a ShapeError', () => {
    assert.throws(() => new HistGradientBoostingRegressor({ maxIter: 2 }).fit(X, y, [1, 2, 3]), ShapeError);
  });

  it('sample weights beyond float range give a typed error, not NaN trees', () => {
    assert.throws(
      () =>
        new HistGradientBoostingRegressor({ maxIter: 2 }).fit(
          X,
          y,
          y.map(() => 1e308),
        ),
      FrugalError,
    );
  });

  it('targets beyond float32 give a typed error, not NaN trees', () => {
    assert.throws(
      () =>
        new HistGradientBoostingRegressor({ maxIter: 2 }).fit(
          X,
          y.map((v) => v * 1e300),
        ),
      FrugalError,
    );
  });

  it('rows × classes beyond the gradient limit give a LimitError before any allocation', () => {
    const n = 20_000; // 20 000 classes of one row each: 4e8 gradients per iteration
    const rows = Array.from({ length: n }, (_, i) => [i]);
    assert.throws(
      () =>
        new HistGradientBoostingClassifier({ maxIter: 1 }).fit(
          rows,
          rows.map((r) => r[0]),
        ),
      LimitError,
    );
  });

  it('predict before fit and staged outputs before fit throw NotFittedError', () => {
    assert.throws(() => new HistGradientBoostingRegressor().predict(X), NotFittedError);
    assert.throws(() => [...new HistGradientBoostingRegressor().stagedPredict(X)], NotFittedError);
    assert.throws(() => [...new HistGradientBoostingClassifier().stagedPredictProba(X)], NotFittedError);
  });

  it('a bin mapper fitted on one column bins NaN into its missing slot', () => {
    const mapper: BinMapper = fitBinMapper(matrix([[1], [Number.NaN], [2]]), 255, new Uint8Array(1), new Generator(0), 'test');
    assert.deepEqual(Array.from(binData(mapper, matrix([[Number.NaN], [1], [5]]))), [2, 0, 1]);
  });
});
