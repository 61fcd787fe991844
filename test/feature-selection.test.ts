/**
 * fClassif, fRegression and chi2 (scores and p-values) and SelectKBest
 * against scikit-learn 1.2.1 (test/fixtures/sklearn-knn.json); the
 * distribution tails against known values; hostile inputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShapeError, ValueError } from '../src/errors.js';
import { chi2, fClassif, fRegression, SelectKBest } from '../src/feature_selection/index.js';
import { betaIncomplete, chi2Survival, fSurvival, gammaUpper, logGamma } from '../src/feature_selection/special.js';
import { assertClose, loadFixture } from './helpers/fixtures.js';

interface FsFixture {
  X: number[][];
  y: number[];
  yr: number[];
  C: number[][];
  fClassif: [number[], number[]];
  fRegression: [number[], number[]];
  fRegressionNoCenter: [number[], number[]];
  chi2: [number[], number[]];
  selectK3Support: number[];
}

const fx = loadFixture<{ featureSelection: FsFixture }>('sklearn-knn').featureSelection;

describe('univariate scores match scikit-learn', () => {
  it('fClassif', () => {
    const { scores, pvalues } = fClassif(fx.X, fx.y);
    assertClose(scores, fx.fClassif[0], 1e-10);
    assertClose(pvalues, fx.fClassif[1], 1e-10);
  });
  it('fRegression, centred and not', () => {
    const a = fRegression(fx.X, fx.yr);
    assertClose(a.scores, fx.fRegression[0], 1e-10);
    assertClose(a.pvalues, fx.fRegression[1], 1e-10);
    const b = fRegression(fx.X, fx.yr, { center: false });
    assertClose(b.scores, fx.fRegressionNoCenter[0], 1e-10);
    assertClose(b.pvalues, fx.fRegressionNoCenter[1], 1e-10);
  });
  it('chi2', () => {
    const { scores, pvalues } = chi2(fx.C, fx.y);
    assertClose(scores, fx.chi2[0], 1e-10);
    assertClose(pvalues, fx.chi2[1], 1e-10);
  });
  it('SelectKBest keeps the k best columns', () => {
    const sel = new SelectKBest({ k: 3 }).fit(fx.X, fx.y);
    assert.deepEqual(Array.from(sel.getSupport({ indices: true })), fx.selectK3Support);
    const T = sel.transform(fx.X);
    assert.deepEqual(T.shape, [50, 3]);
    assert.equal(T.data[1], fx.X[0][fx.selectK3Support[1]]);
    assert.equal(new SelectKBest({ k: 'all', scoreFunc: chi2 }).fit(fx.C, fx.y).transform(fx.C).shape[1], 6);
  });
  it('ties at the cut keep the later feature; NaN scores rank last', () => {
    const scoreFunc = () => ({ scores: Float64Array.of(Number.NaN, 2, 1, 2), pvalues: null });
    const sel = new SelectKBest({ k: 2, scoreFunc }).fit([[1, 2, 3, 4]], [0]);
    assert.deepEqual(Array.from(sel.getSupport({ indices: true })), [1, 3]);
    assert.deepEqual(Array.from(new SelectKBest({ k: 1, scoreFunc }).fit([[1, 2, 3, 4]], [0]).getSupport()), [0, 0, 0, 1]);
    assert.deepEqual(Array.from(new SelectKBest({ k: 4, scoreFunc }).fit([[1, 2, 3, 4]], [0]).getSupport()), [1, 1, 1, 1]);
  });
});

describe('distribution tails', () => {
  it('agree with known values', () => {
    assertClose(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14);
    assertClose(logGamma(10), Math.log(362880), 1e-14);
    assertClose(betaIncomplete(2, 3, 0.4), 0.5248, 1e-13); // 1 - (1-x)^3 (1 + 3x), x = 0.4 -> 0.5248
    assertClose(gammaUpper(1, 2), Math.exp(-2), 1e-14);
    assertClose(chi2Survival(2, 3), Math.exp(-1.5), 1e-14);
    // F(1, d) tail = two-sided t tail; F(2, 2) tail = 1 / (1 + f)
    assertClose(fSurvival(2, 2, 3), 0.25, 1e-14);
    assert.equal(fSurvival(3, 5, 0), 1);
    assert.equal(fSurvival(3, 5, Number.POSITIVE_INFINITY), 0);
    assert.ok(Number.isNaN(fSurvival(3, 5, Number.NaN)));
  });
});

describe('feature selection on hostile input', () => {
  it('rejects bad k, a missing y, negative chi2 counts and a bad score function', () => {
    assert.throws(() => new SelectKBest({ k: 7 }).fit(fx.X, fx.y), /k should be <= nFeatures/);
    assert.throws(() => new SelectKBest({ k: -1 }).fit(fx.X, fx.y), ValueError);
    assert.throws(() => new SelectKBest({ k: 2 }).fit(fx.X), ValueError);
    assert.throws(() => chi2([[1, -2]], [0]), /non-negative/);
    assert.throws(() => new SelectKBest({ k: 1, scoreFunc: (() => ({ scores: [1] })) as never }).fit([[1, 2]], [0]), ValueError);
    assert.throws(() => new SelectKBest({ score_func: fClassif } as never), /scoreFunc/);
    assert.throws(() => fRegression(fx.X, fx.yr, { centre: false } as never), /center/);
    assert.throws(() => fClassif(fx.X, fx.y.slice(1)), ShapeError);
  });
  it('constant features score NaN in fClassif and 0 (p 1) in fRegression, as in scikit-learn', () => {
    const X = [
      [1, 0],
      [1, 1],
      [1, 2],
      [1, 5],
    ];
    const a = fClassif(X, [0, 0, 1, 1]);
    assert.ok(Number.isNaN(a.scores[0]));
    const b = fRegression(X, [1, 2, 3, 4]);
    assert.equal(b.scores[0], 0);
    assert.equal(b.pvalues![0], 1);
  });
});
