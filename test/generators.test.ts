import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeBlobs, makeCircles, makeClassification, makeLowRankMatrix, makeMoons, makeRegression } from '../src/datasets/generators.js';
import { ValueError } from '../src/errors.js';
import { manualSeed } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { assertClose, loadFixture } from './helpers/fixtures.js';

function columnStats(X: Tensor): { mean: number[]; std: number[] } {
  const [n, d] = X.shape;
  const mean = new Array<number>(d).fill(0);
  const sq = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += X.data[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sq[j] += (X.data[i * d + j] - mean[j]) ** 2 / n;
  return { mean, std: sq.map(Math.sqrt) };
}

describe('moons and circles match scikit-learn (fixtures)', () => {
  const fx = loadFixture<{
    moons: Array<{ n_samples: number | [number, number]; X: number[][]; y: number[] }>;
    circles: Array<{ n_samples: number | [number, number]; factor: number; X: number[][]; y: number[] }>;
  }>('sklearn-datasets');
  for (const c of fx.moons) {
    it(`makeMoons ${JSON.stringify(c.n_samples)}`, () => {
      const { X, y } = makeMoons({ nSamples: c.n_samples, shuffle: false });
      assertClose(X, c.X, 1e-12);
      assert.deepEqual(Array.from(y), c.y);
    });
  }
  for (const c of fx.circles) {
    it(`makeCircles ${JSON.stringify(c.n_samples)}`, () => {
      const { X, y } = makeCircles({ nSamples: c.n_samples, shuffle: false, factor: c.factor });
      assertClose(X, c.X, 1e-12);
      assert.deepEqual(Array.from(y), c.y);
    });
  }
});

describe('makeRegression', () => {
  it('README call: shapes, linear target, seeded', () => {
    const a = makeRegression({ nSamples: 100, nFeatures: 4, noise: 0.1, randomState: 7 });
    const b = makeRegression({ nSamples: 100, nFeatures: 4, noise: 0.1, randomState: 7 });
    assert.deepEqual(a.X.shape, [100, 4]);
    assert.equal(a.X.dtype, 'float64');
    assert.ok(a.y instanceof Float64Array && a.y.length === 100);
    assert.deepEqual(a.X.data, b.X.data);
    assert.deepEqual(a.y, b.y);
    let maxResidual = 0;
    for (let i = 0; i < 100; i++) {
      let p = 0;
      for (let j = 0; j < 4; j++) p += a.X.data[i * 4 + j] * a.coef[j];
      maxResidual = Math.max(maxResidual, Math.abs(a.y[i] - p));
    }
    assert.ok(maxResidual < 0.6, `noise 0.1: residuals stay small (max ${maxResidual})`);
    const c = makeRegression({ nSamples: 100, nFeatures: 4, noise: 0.1, randomState: 8 });
    assert.notDeepEqual(a.y, c.y);
  });
  it('informative coefficients, bias, and standard normal features', () => {
    const { X, y, coef } = makeRegression({ nSamples: 2000, nFeatures: 6, nInformative: 2, bias: 5, randomState: 1 });
    assert.equal([...coef].filter((v) => v !== 0).length, 2);
    for (const v of coef) assert.ok(v >= 0 && v < 100);
    const { mean, std } = columnStats(X);
    for (let j = 0; j < 6; j++) {
      assert.ok(Math.abs(mean[j]) < 0.1, `feature ${j} mean ${mean[j]}`);
      assert.ok(Math.abs(std[j] - 1) < 0.1, `feature ${j} std ${std[j]}`);
    }
    let p = 0;
    for (let j = 0; j < 6; j++) p += X.data[j] * coef[j];
    assertClose(y[0], p + 5, 1e-12);
  });
  it('manualSeed makes unseeded calls repeatable', () => {
    manualSeed(11);
    const a = makeRegression({ nSamples: 5, nFeatures: 2 });
    manualSeed(11);
    const b = makeRegression({ nSamples: 5, nFeatures: 2 });
    assert.deepEqual(a.X.data, b.X.data);
  });
  it('effectiveRank gives a low-rank X', () => {
    const { X } = makeRegression({ nSamples: 30, nFeatures: 10, effectiveRank: 2, tailStrength: 0, randomState: 0 });
    assert.deepEqual(X.shape, [30, 10]);
    const L = makeLowRankMatrix({ nSamples: 20, nFeatures: 8, effectiveRank: 1, tailStrength: 0, randomState: 0 });
    // Frobenius norm² = Σ s_i² = Σ exp(-2 i²) for effectiveRank 1
    let fro = 0;
    for (const v of L.data) fro += v * v;
    let expected = 0;
    for (let i = 0; i < 8; i++) expected += Math.exp(-2 * i * i);
    assertClose(fro, expected, 1e-10);
  });
  it('validates options', () => {
    assert.throws(() => makeRegression({ nSamples: 0 }), ValueError);
    assert.throws(() => makeRegression({ nTargets: 2 }), /nTargets/);
    assert.throws(() => makeRegression({ noise: -1 }), ValueError);
  });
});

describe('makeClassification', () => {
  it('shapes, classes, balance and seeding', () => {
    const { X, y } = makeClassification({ nSamples: 200, nFeatures: 6, nInformative: 3, nRedundant: 1, nRepeated: 1, nClasses: 3, flipY: 0, randomState: 0 });
    assert.deepEqual(X.shape, [200, 6]);
    assert.ok(y instanceof Int32Array);
    const counts = [0, 0, 0];
    for (const v of y) counts[v]++;
    assert.deepEqual(counts, [67, 67, 66]);
    const again = makeClassification({ nSamples: 200, nFeatures: 6, nInformative: 3, nRedundant: 1, nRepeated: 1, nClasses: 3, flipY: 0, randomState: 0 });
    assert.deepEqual(again.X.data, X.data);
  });
  it('weights set the class proportions; repeated features are copies', () => {
    const { y } = makeClassification({ nSamples: 100, weights: [0.9], flipY: 0, randomState: 1 });
    assert.equal([...y].filter((v) => v === 0).length, 91, 'same rounding as sklearn (91 / 9)');
    const r = makeClassification({ nSamples: 50, nFeatures: 3, nInformative: 2, nRedundant: 0, nRepeated: 1, shuffle: false, randomState: 2 });
    const d = 3;
    const same = [0, 1].some((j) => Array.from({ length: 50 }, (_, i) => r.X.data[i * d + j] === r.X.data[i * d + 2]).every(Boolean));
    assert.ok(same, 'the repeated column equals one of the informative columns');
  });
  it('classes are separable with a large classSep', () => {
    const { X, y } = makeClassification({ nSamples: 100, nFeatures: 2, nInformative: 2, nRedundant: 0, nClustersPerClass: 1, classSep: 10, flipY: 0, randomState: 3 });
    const m = [
      [0, 0],
      [0, 0],
    ];
    const c = [0, 0];
    for (let i = 0; i < 100; i++) {
      c[y[i]]++;
      m[y[i]][0] += X.data[2 * i];
      m[y[i]][1] += X.data[2 * i + 1];
    }
    const dist = Math.hypot(m[0][0] / c[0] - m[1][0] / c[1], m[0][1] / c[0] - m[1][1] / c[1]);
    assert.ok(dist > 10, `class means ${dist} apart`);
  });
  it('validates like scikit-learn', () => {
    assert.throws(() => makeClassification({ nFeatures: 3, nInformative: 2, nRedundant: 2 }), /must sum to less than/);
    assert.throws(() => makeClassification({ nInformative: 1, nClasses: 3 }), /must be smaller or equal 2\*\*nInformative/);
    assert.throws(() => makeClassification({ weights: [0.1, 0.2, 0.3] }), /incompatible/);
  });
});

describe('makeBlobs', () => {
  it('centers, per-center sizes and stds', () => {
    const { X, y, centers } = makeBlobs({
      nSamples: [300, 200],
      centers: [
        [0, 0],
        [10, -5],
      ],
      clusterStd: [1, 0.5],
      randomState: 0,
    });
    assert.deepEqual(X.shape, [500, 2]);
    assert.deepEqual(centers.shape, [2, 2]);
    const pts: number[][][] = [[], []];
    for (let i = 0; i < 500; i++) pts[y[i]].push([X.data[2 * i], X.data[2 * i + 1]]);
    assert.equal(pts[0].length, 300);
    const s1 = columnStats(new Tensor(Float64Array.from(pts[1].flat()), [200, 2]));
    assert.ok(Math.abs(s1.mean[0] - 10) < 0.15 && Math.abs(s1.mean[1] + 5) < 0.15);
    assert.ok(Math.abs(s1.std[0] - 0.5) < 0.1);
  });
  it('random centers inside the box; even split of samples', () => {
    const { y, centers } = makeBlobs({ nSamples: 10, centers: 3, nFeatures: 4, centerBox: [-1, 1], randomState: 5 });
    for (const v of centers.data) assert.ok(v >= -1 && v <= 1);
    const counts = [0, 0, 0];
    for (const v of y) counts[v]++;
    assert.deepEqual(counts, [4, 3, 3]);
    assert.throws(() => makeBlobs({ nSamples: [1, 2], centers: [[0, 0]] }), /not consistent/);
  });
});

describe('moons and circles with noise', () => {
  it('shuffle and noise are seeded; labels balanced', () => {
    const a = makeMoons({ nSamples: 101, noise: 0.1, randomState: 4 });
    const b = makeMoons({ nSamples: 101, noise: 0.1, randomState: 4 });
    assert.deepEqual(a.X.data, b.X.data);
    assert.equal([...a.y].filter((v) => v === 1).length, 51);
    const c = makeCircles({ nSamples: 50, factor: 0.3, randomState: 0 });
    for (let i = 0; i < 50; i++) {
      const r = Math.hypot(c.X.data[2 * i], c.X.data[2 * i + 1]);
      assertClose(r, c.y[i] === 0 ? 1 : 0.3, 1e-12);
    }
    assert.throws(() => makeCircles({ factor: 1 }), /factor/);
  });
});
