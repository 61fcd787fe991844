/**
 * KMeans and MiniBatchKMeans against scikit-learn (fixtures from
 * scripts/make-sklearn-decomposition-fixtures.py): with the same initial
 * centres Lloyd's algorithm gives its labels, inertia, centres and
 * iteration count; with k-means++ the inertia is compared over seeds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFittedError, ShapeError, ValueError } from '../src/errors.js';
import { KMeans, MiniBatchKMeans } from '../src/models/cluster/index.js';
import { sameClustering } from '../src/models/cluster/kmeans-base.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { assertClose, camelKeys, loadFixture } from './helpers/fixtures.js';

interface KMeansCase {
  name: string;
  params: Record<string, unknown>;
  X: number[][];
  init: number[][];
  sampleWeight: number[] | null;
  labels: number[];
  inertia: number;
  clusterCenters: number[][];
  nIter: number;
  transform: number[][];
}

interface PlusPlus {
  X: number[][];
  nClusters: number;
  nInit: number;
  inertias: number[];
  minibatchInertias: number[];
  partialFitInertias: number[];
}

const fixture = loadFixture<{ kmeans: KMeansCase[]; kmeansPlusPlus: PlusPlus }>('sklearn-decomposition');

const mean = (a: readonly number[]): number => a.reduce((s, v) => s + v, 0) / a.length;

describe('KMeans (Lloyd) with given initial centres matches scikit-learn', () => {
  for (const c of fixture.kmeans) {
    for (const algorithm of ['lloyd', 'elkan'] as const) {
      it(`${c.name} (${algorithm})`, () => {
        const m = new KMeans({ nClusters: c.init.length, init: c.init, nInit: 1, algorithm, ...camelKeys(c.params) }).fit(c.X, undefined, c.sampleWeight ?? undefined);
        assert.deepEqual(Array.from(m.labels!), c.labels, 'labels');
        assertClose(m.inertia, c.inertia, 1e-10, 'inertia');
        assertClose(m.clusterCenters, c.clusterCenters, 1e-10, 'clusterCenters');
        assert.equal(m.nIter, c.nIter, 'nIter');
        assertClose(m.transform(c.X.slice(0, 5)), c.transform, 1e-10, 'transform');
        assert.deepEqual(Array.from(m.predict(c.X)), c.labels, 'predict on the training data');
        assertClose(m.score(c.X, undefined, c.sampleWeight ?? undefined), -c.inertia, 1e-10, 'score');
      });
    }
  }
});

describe("'elkan' gives Lloyd's clustering", () => {
  it('random initialisations on 600 samples, 8 clusters: the same labels, centres, inertia and iterations', () => {
    const { X } = fixture.kmeansPlusPlus;
    for (let seed = 0; seed < 5; seed++) {
      const options = { nClusters: 8, init: 'random' as const, nInit: 1, tol: 0, randomState: seed };
      const a = new KMeans({ ...options, algorithm: 'lloyd' }).fit(X);
      const b = new KMeans({ ...options, algorithm: 'elkan' }).fit(X);
      assert.ok(a.nIter! > 3, `seed ${seed}: ${a.nIter} iterations exercise few bound updates`);
      assert.deepEqual(b.labels, a.labels, `seed ${seed}: labels`);
      assert.equal(b.nIter, a.nIter, `seed ${seed}: iterations`);
      assertClose(b.inertia, a.inertia!, 1e-10, `seed ${seed}: inertia`);
      assertClose(b.clusterCenters, a.clusterCenters!, 1e-10, `seed ${seed}: centres`);
    }
  });
});

describe("'elkan' on data large enough for gathered blocks", () => {
  it("12 000 overlapping samples: the open samples are recomputed in several gathered blocks, with Lloyd's result", () => {
    // Six overlapping clusters in 5 dimensions (a fixed linear congruential sequence): thousands of samples stay open in the early iterations.
    let state = 12345;
    const uniform = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const n = 12_000;
    const d = 5;
    const X = Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => (((i % 6) * (j + 1)) % 4) + 3 * (uniform() + uniform() - 1)));
    const options = { nClusters: 6, init: 'random' as const, nInit: 1, tol: 0, randomState: 3 };
    const a = new KMeans({ ...options, algorithm: 'lloyd' }).fit(X);
    const b = new KMeans({ ...options, algorithm: 'elkan' }).fit(X);
    assert.ok(a.nIter! > 5, `${a.nIter} iterations exercise few bound updates`);
    assert.deepEqual(b.labels, a.labels);
    assert.equal(b.nIter, a.nIter);
    assertClose(b.clusterCenters, a.clusterCenters!, 1e-10, 'centres');
  });
});

describe('k-means++ compared with scikit-learn over 20 seeds', () => {
  const { X, nClusters, nInit, inertias, minibatchInertias } = fixture.kmeansPlusPlus;
  it('KMeans: mean best-of-3 inertia within 2 % of scikit-learn, no run worse than its worst by 5 %', () => {
    const ours = Array.from({ length: 20 }, (_, s) => new KMeans({ nClusters, nInit, randomState: s }).fit(X).inertia!);
    const ratio = mean(ours) / mean(inertias);
    assert.ok(Math.abs(ratio - 1) < 0.02, `mean inertia ${mean(ours)} vs scikit-learn ${mean(inertias)}`);
    assert.ok(Math.max(...ours) <= 1.05 * Math.max(...inertias), `worst ${Math.max(...ours)} vs ${Math.max(...inertias)}`);
  });
  it('MiniBatchKMeans: mean inertia within 5 % of scikit-learn', () => {
    const ours = Array.from({ length: 20 }, (_, s) => new MiniBatchKMeans({ nClusters, nInit, batchSize: 100, randomState: s }).fit(X).inertia!);
    const ratio = mean(ours) / mean(minibatchInertias);
    assert.ok(Math.abs(ratio - 1) < 0.05, `mean inertia ${mean(ours)} vs scikit-learn ${mean(minibatchInertias)}`);
  });
  it("init 'random' with nInit 'auto' runs 10 initialisations and keeps the best", () => {
    const auto = new KMeans({ nClusters, init: 'random', randomState: 3 }).fit(X).inertia!;
    const single = new KMeans({ nClusters, init: 'random', nInit: 1, randomState: 3 }).fit(X).inertia!;
    assert.ok(auto <= single);
  });
});

describe('KMeans and MiniBatchKMeans behaviour', () => {
  const c = fixture.kmeans[0];
  it('fitPredict returns the labels; transform is the distance to every centre', () => {
    const m = new KMeans({ nClusters: 4, randomState: 0 });
    const labels = m.fitPredict(c.X);
    assert.deepEqual(labels, m.labels);
    const dist = m.transform(c.X) as Tensor;
    assert.deepEqual(dist.shape, [c.X.length, 4]);
    for (let i = 0; i < c.X.length; i++) {
      const row = Array.from(dist.data.subarray(i * 4, i * 4 + 4));
      assert.equal(row.indexOf(Math.min(...row)), labels[i]);
    }
  });
  it('a seed makes k-means++ repeatable', () => {
    const a = new KMeans({ nClusters: 4, randomState: 5 }).fit(c.X);
    const b = new KMeans({ nClusters: 4, randomState: 5 }).fit(c.X);
    assert.deepEqual(a.clusterCenters!.data, b.clusterCenters!.data);
  });
  it('partialFit: 5 passes of batches of 100 give the inertia of scikit-learn on average over 10 seeds (within 10 %)', () => {
    const { X, nClusters, partialFitInertias } = fixture.kmeansPlusPlus;
    const ours = Array.from({ length: 10 }, (_, seed) => {
      const m = new MiniBatchKMeans({ nClusters, randomState: seed });
      for (let epoch = 0; epoch < 5; epoch++) for (let s = 0; s < X.length; s += 100) m.partialFit(X.slice(s, s + 100));
      assert.equal(m.nSteps, 30);
      return -m.score(X);
    });
    const ratio = mean(ours) / mean(partialFitInertias);
    assert.ok(Math.abs(ratio - 1) < 0.1, `partialFit inertia ${mean(ours)} vs scikit-learn ${mean(partialFitInertias)}`);
  });
  it('partialFit checks the width of later batches', () => {
    const m = new MiniBatchKMeans({ nClusters: 2, randomState: 0 }).partialFit(fixture.kmeans[0].X);
    assert.throws(() => m.partialFit([[1, 2]]), ShapeError);
  });
  it('partialFit resumes its random stream across calls', () => {
    const { X, nClusters } = fixture.kmeansPlusPlus;
    const run = (): Float64Array => {
      const m = new MiniBatchKMeans({ nClusters, randomState: 1, reassignmentRatio: 0.5 });
      for (let s = 0; s < 300; s += 50) m.partialFit(X.slice(s, s + 50));
      return m.clusterCenters!.data as Float64Array;
    };
    assert.deepEqual(run(), run());
  });
  it('sameClustering compares partitions up to renaming', () => {
    assert.ok(sameClustering(Int32Array.from([0, 0, 1, 2]), Int32Array.from([2, 2, 0, 1]), 3));
    assert.ok(!sameClustering(Int32Array.from([0, 0, 1, 2]), Int32Array.from([2, 1, 0, 1]), 3));
  });
});

describe('hostile parameters and data', () => {
  const X = fixture.kmeans[0].X;
  const throwsValue = (fn: () => unknown, re?: RegExp): void => {
    assert.throws(fn, (e: unknown) => e instanceof ValueError && (!re || re.test((e as Error).message)));
  };
  it('rejects bad parameters with ValueError', () => {
    throwsValue(() => new KMeans({ nClusters: 0 }).fit(X));
    throwsValue(() => new KMeans({ nClusters: 200 }).fit(X), /at least 200 samples/);
    throwsValue(() => new KMeans({ nInit: 0 }).fit(X));
    throwsValue(() => new KMeans({ maxIter: 0 }).fit(X));
    throwsValue(() => new KMeans({ tol: -1 }).fit(X));
    throwsValue(() => new KMeans({ init: 'kmeans++' as never }).fit(X));
    throwsValue(() => new KMeans({ algorithm: 'full' as never }).fit(X));
    throwsValue(() => new KMeans({ n_clusters: 3 } as never), /nClusters/);
    throwsValue(() => new MiniBatchKMeans({ batchSize: 0 }).fit(X));
    throwsValue(() => new MiniBatchKMeans({ reassignmentRatio: -0.1 }).fit(X));
    throwsValue(() => new MiniBatchKMeans({ maxNoImprovement: 1.5 }).fit(X));
  });
  it('rejects initial centres of the wrong shape or with NaN', () => {
    throwsValue(() => new KMeans({ nClusters: 2, init: [[0, 0, 0]] }).fit(X), /shape \[1, 3\]/);
    throwsValue(
      () =>
        new KMeans({
          nClusters: 2,
          init: [
            [0, 0],
            [1, 1],
          ],
        }).fit(X),
      /expected \[2, 3\]/,
    );
    throwsValue(
      () =>
        new KMeans({
          nClusters: 2,
          init: [
            [0, 0, Number.NaN],
            [1, 1, 1],
          ],
        }).fit(X),
      /NaN/,
    );
  });
  it('rejects negative or wrongly sized sample weights', () => {
    throwsValue(
      () =>
        new KMeans({ nClusters: 2 }).fit(
          X,
          undefined,
          X.map((_, i) => (i === 3 ? -1 : 1)),
        ),
      />= 0/,
    );
    assert.throws(() => new KMeans({ nClusters: 2 }).fit(X, undefined, [1, 2]), ShapeError);
  });
  it('predict before fit throws NotFittedError', () => {
    assert.throws(() => new KMeans().predict(X), NotFittedError);
    assert.throws(() => new MiniBatchKMeans().transform(X), NotFittedError);
  });
  it('all samples identical: one cluster found, finite results', () => {
    const same = Array.from({ length: 10 }, () => [1, 2, 3]);
    const m = new KMeans({ nClusters: 3, randomState: 0 }).fit(same);
    assert.equal(m.inertia, 0);
    assert.ok(Array.from(m.clusterCenters!.data).every(Number.isFinite));
  });
});
