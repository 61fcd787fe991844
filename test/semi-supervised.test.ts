/**
 * LabelPropagation, LabelSpreading and SelfTrainingClassifier against
 * scikit-learn 1.2.1 (test/fixtures/sklearn-semi-supervised.json, written
 * by scripts/make-semi-supervised-fixtures.py) on iris, digits and moons
 * subsets with -1 for unlabelled rows; then label handling and hostile input.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LimitError, NotFittedError, ShapeError, ValueError } from '../src/errors.js';
import { GaussianNB, LogisticRegression, SVC } from '../src/index.js';
import { LabelPropagation, LabelSpreading, SelfTrainingClassifier } from '../src/models/semi_supervised/index.js';
import { MAX_DENSE_GRAPH_ENTRIES } from '../src/models/semi_supervised/graph.js';
import { assertClose, loadFixture } from './helpers/fixtures.js';

interface DataSet {
  X: number[][];
  y: number[];
  query: number[][];
}
interface GraphCase {
  name: string;
  estimator: 'LabelPropagation' | 'LabelSpreading';
  params: Record<string, unknown>;
  data: string;
  transduction: number[];
  labelDistributions: number[][];
  nIter: number;
  predict: number[];
  predictProba: (number | null)[][];
}
interface SelfTrainingCase {
  name: string;
  params: Record<string, unknown>;
  X: number[][];
  y: number[];
  transduction: number[];
  labeledIter: number[];
  nIter: number;
  terminationCondition: string;
  predict: number[];
  predictProba: number[][];
}
const fixture = loadFixture<{ datasets: Record<string, DataSet>; graph: GraphCase[]; selfTraining: SelfTrainingCase[] }>('sklearn-semi-supervised');

describe('LabelPropagation and LabelSpreading match scikit-learn 1.2.1', () => {
  for (const c of fixture.graph) {
    it(c.name, () => {
      const { X, y, query } = fixture.datasets[c.data];
      const est = c.estimator === 'LabelPropagation' ? new LabelPropagation(c.params) : new LabelSpreading(c.params);
      est.fit(X, y);
      assert.equal(est.nIter, c.nIter);
      assertClose(est.labelDistributions, c.labelDistributions, 1e-10);
      assert.deepEqual(est.transduction, c.transduction);
      assert.deepEqual(est.predict(query), c.predict);
      // scikit-learn's NaN (no neighbour carries label mass) is a uniform row here
      const nClasses = est.classes!.length;
      const expected = c.predictProba.map((row) => row.map((v) => v ?? 1 / nClasses));
      assertClose(est.predictProba(query), expected, 1e-10);
    });
  }
});

describe('SelfTrainingClassifier matches scikit-learn 1.2.1 around GaussianNB', () => {
  for (const c of fixture.selfTraining) {
    it(c.name, () => {
      const est = new SelfTrainingClassifier({ baseEstimator: new GaussianNB(), ...c.params }).fit(c.X, c.y);
      assert.deepEqual(est.transduction, c.transduction);
      assert.deepEqual(Array.from(est.labeledIter!), c.labeledIter);
      assert.equal(est.nIter, c.nIter);
      assert.equal(est.terminationCondition, c.terminationCondition);
      assert.deepEqual(est.predict(c.X), c.predict);
      assertClose(est.predictProba(c.X), c.predictProba, 1e-9);
    });
  }
});

/** Two separated blobs, one labelled row each, the rest -1. */
function twoBlobs(): { X: number[][]; y: number[] } {
  const X: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 20; i++) {
    const side = i < 10 ? 0 : 1;
    X.push([side * 5 + Math.sin(i) * 0.3, Math.cos(i * 1.7) * 0.3]);
    y.push(i === 0 ? 0 : i === 10 ? 1 : -1);
  }
  return { X, y };
}

describe('semi-supervised labels', () => {
  it('string labels with -1 for unlabelled rows: the transduction gives each blob its label', () => {
    const { X, y } = twoBlobs();
    const ys = y.map((v) => (v === -1 ? -1 : v === 0 ? 'cat' : 'dog'));
    for (const est of [new LabelSpreading({ kernel: 'knn', nNeighbors: 3, alpha: 0.5, maxIter: 100 }), new LabelPropagation({ gamma: 1 })]) {
      est.fit(X, ys);
      assert.deepEqual(est.classes, ['cat', 'dog']);
      assert.deepEqual(est.transduction, [...Array(10).fill('cat'), ...Array(10).fill('dog')]);
      assert.deepEqual(
        est.predict([
          [0, 0],
          [5, 0],
        ]),
        ['cat', 'dog'],
      );
    }
  });

  it('SelfTrainingClassifier labels the unlabelled rows and records when', () => {
    const { X, y } = twoBlobs();
    const est = new SelfTrainingClassifier({ baseEstimator: new LogisticRegression(), threshold: 0.6 }).fit(X, y);
    assert.equal(est.terminationCondition, 'all_labeled');
    assert.deepEqual(est.transduction, [...Array(10).fill(0), ...Array(10).fill(1)]);
    assert.equal(est.labeledIter![0], 0);
    assert.ok(est.labeledIter!.every((it, i) => (i === 0 || i === 10 ? it === 0 : it >= 1)));
  });

  it('k_best adopts exactly kBest rows per iteration', () => {
    const { X, y } = twoBlobs();
    const est = new SelfTrainingClassifier({ baseEstimator: new GaussianNB(), criterion: 'k_best', kBest: 4, maxIter: 2 }).fit(X, y);
    assert.equal(est.terminationCondition, 'max_iter');
    const counts = [0, 1, 2].map((t) => est.labeledIter!.filter((v) => v === t).length);
    assert.deepEqual(counts, [2, 4, 4]);
  });

  it('fully labelled y works like the base classifier', () => {
    const { X } = twoBlobs();
    const y = X.map((_, i) => (i < 10 ? 0 : 1));
    const est = new LabelSpreading({ gamma: 1 }).fit(X, y);
    assert.deepEqual(est.transduction, y);
  });
});

describe('semi-supervised hostile input', () => {
  const { X, y } = twoBlobs();
  it('rejects bad parameters with ValueErrors', () => {
    assert.throws(() => new LabelSpreading({ alpha: 1 }).fit(X, y), ValueError);
    assert.throws(() => new LabelSpreading({ alpha: 0 }).fit(X, y), ValueError);
    assert.throws(() => new LabelPropagation({ kernel: 'poly' as never }).fit(X, y), ValueError);
    assert.throws(() => new LabelPropagation({ maxIter: 0 }).fit(X, y), ValueError);
    assert.throws(() => new LabelPropagation({ gamma: Number.NaN }).fit(X, y), ValueError);
    assert.throws(() => new LabelPropagation({ kernel: 'knn', nNeighbors: 1.5 }).fit(X, y), ValueError);
    assert.throws(() => new LabelPropagation({ kernel: 'knn', nNeighbors: 50 }).fit(X, y), ValueError);
    assert.throws(() => new LabelPropagation({ n_neighbors: 3 } as never), /nNeighbors/);
    assert.throws(() => new SelfTrainingClassifier().fit(X, y), /baseEstimator must be a classifier with predictProba/);
    assert.throws(() => new SelfTrainingClassifier({ baseEstimator: new SVC(), threshold: 1 }).fit(X, y), ValueError);
    assert.throws(() => new SelfTrainingClassifier({ baseEstimator: new GaussianNB(), criterion: 'best' as never }).fit(X, y), ValueError);
    assert.throws(() => new SelfTrainingClassifier({ baseEstimator: new GaussianNB(), kBest: 0 }).fit(X, y), ValueError);
    assert.throws(() => new SelfTrainingClassifier({ baseEstimator: new GaussianNB(), maxIter: -1 }).fit(X, y), ValueError);
  });

  it('rejects y with fewer than two labelled classes, a wrong length, NaN or mixed labels', () => {
    const allUnlabelled = y.map(() => -1);
    assert.throws(() => new LabelSpreading().fit(X, allUnlabelled), ValueError);
    assert.throws(() => new SelfTrainingClassifier({ baseEstimator: new GaussianNB() }).fit(X, allUnlabelled), ValueError);
    assert.throws(() => new LabelSpreading().fit(X, y.slice(1)), ShapeError);
    assert.throws(
      () =>
        new LabelSpreading().fit(
          X,
          y.map((v, i) => (i === 3 ? Number.NaN : v)),
        ),
      ValueError,
    );
    assert.throws(() => new LabelSpreading().fit(X, y.map((v, i) => (i === 3 ? 'a' : v)) as never), ValueError);
    assert.throws(() => new LabelSpreading().fit(X, y.map((v, i) => (i === 3 ? {} : v)) as never), ValueError);
  });

  it('refuses an rbf graph larger than its limit before allocating it', () => {
    const n = Math.ceil(Math.sqrt(MAX_DENSE_GRAPH_ENTRIES)) + 1;
    const big = { data: new Float64Array(n), shape: [n, 1] };
    const yb = Array.from({ length: n }, (_, i) => (i < 2 ? i : -1));
    assert.throws(() => new LabelSpreading().fit(big, yb), LimitError);
  });

  it('predict before fit throws NotFittedError', () => {
    assert.throws(() => new LabelSpreading().predict(X), NotFittedError);
    assert.throws(() => new SelfTrainingClassifier({ baseEstimator: new GaussianNB() }).predictProba(X), NotFittedError);
  });
});
