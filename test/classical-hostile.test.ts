/**
 * Hostile arguments to the public classical functions (metrics,
 * model_selection, preprocessing, linalg, converters): each call below once
 * escaped as a bare TypeError / RangeError, hung, or gave a silent wrong
 * result; now it is a typed library error (or, for null options, works).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LimitError, ShapeError, ValueError } from '../src/errors.js';
import {
  accuracyScore,
  averagePrecisionScore,
  classificationReport,
  confusionMatrix,
  logLoss,
  meanSquaredError,
  precisionScore,
  r2Score,
  rocAucScore,
} from '../src/metrics/index.js';
import {
  checkCv,
  crossValidate,
  crossValScore,
  GridSearchCV,
  KFold,
  learningCurve,
  RandomizedSearchCV,
  ShuffleSplit,
  trainTestSplit,
  trainTestSplitIndices,
  uniformDistribution,
} from '../src/model_selection/index.js';
import { LinearRegression } from '../src/models/linear/index.js';
import { ColumnTransformer, LabelEncoder, MinMaxScaler, OneHotEncoder, PolynomialFeatures, RobustScaler, StandardScaler } from '../src/preprocessing/index.js';
import { linalg } from '../src/index.js';
import * as la from '../src/linalg/index.js';
import { Tensor } from '../src/tensor/tensor.js';
import { checkNFeatures, numSamples, toMatrix, toVector } from '../src/utils/validation.js';

// Hostile callers pass what the types forbid: the casts are the point.
type Loose = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const h = (v: unknown): Loose => v;

const yt = [0, 1, 1, 0];
const yp = [0, 1, 0, 0];
const X = [[0], [1], [2], [3], [4], [5]];
const y = [0, 1, 2, 3, 4, 5];

describe('null options mean no options', () => {
  it('metrics, splitters, cross-validation and linalg accept null', () => {
    assert.equal(accuracyScore(yt, yp, h(null)), 0.75);
    assert.equal(precisionScore(yt, yp, h(null)), 1);
    assert.equal(meanSquaredError([1, 2], [1, 3], h(null)), 0.5);
    assert.equal(r2Score([1, 2, 3], [1, 2, 3], h(null)), 1);
    assert.equal(new KFold(h(null)).getNSplits(), 5);
    assert.equal(new ShuffleSplit(h(null)).getNSplits(), 10);
    assert.equal(crossValScore(new LinearRegression(), X, y, h({ cv: 2, scoring: null })).length, 2);
    assert.equal(new ColumnTransformer([['s', new StandardScaler(), [0]]], h(null)).getParams().remainder, 'drop');
    assert.deepEqual(new ColumnTransformer(h(null)).getParams().transformers, []);
    assert.equal(
      linalg.svd(
        toTensor([
          [2, 1],
          [1, 3],
        ]),
        h(null),
      ).s.shape[0],
      2,
    );
  });
});

function toTensor(rows: number[][]): Tensor {
  const m = toMatrix(rows);
  return new Tensor(m.data, [m.rows, m.cols]);
}

describe('hostile inputs give typed errors', () => {
  const isValue = (e: unknown): boolean => e instanceof ValueError;
  const isShape = (e: unknown): boolean => e instanceof ShapeError;
  const isLimit = (e: unknown): boolean => e instanceof LimitError;

  it('a declared shape is not trusted without the data: no 4 GB allocation from {shape: [1e9, 1e9]}', () => {
    const t0 = Date.now();
    assert.throws(() => [...new KFold({ nSplits: 2 }).split(h({ data: [1, 2], shape: [1e9, 1e9] }))], isShape);
    assert.throws(() => numSamples(h({ data: [1, 2], shape: [-1] })), isShape);
    assert.throws(() => numSamples(h({ data: [1, 2, 3, 4], rows: 2, cols: 3 })), isShape);
    assert.throws(() => numSamples(h({ length: 1e12 })), isLimit);
    assert.throws(() => numSamples(h({ length: -3 })), isValue);
    assert.throws(() => numSamples(h(null)), isValue);
    assert.throws(() => numSamples(h('abc')), isValue);
    assert.throws(() => trainTestSplit(h({ length: 1e12 }), [1]), isLimit);
    assert.ok(Date.now() - t0 < 1000);
  });

  it('{data: null, shape} and a non-array shape option', () => {
    assert.throws(() => accuracyScore(h({ data: null, shape: [2, 1] }), yp), isValue);
    assert.throws(() => meanSquaredError([1, 2], h({ data: null, shape: [2] })), isValue);
    assert.throws(() => toVector(h({ data: [1, 2], shape: 'ab' })), isShape);
    assert.throws(() => toMatrix(new Float64Array(4), h({ shape: 42 })), isShape);
  });

  it('labels / targetNames / digits of the classification metrics', () => {
    assert.throws(() => confusionMatrix(yt, yp, h({ labels: 1.5 })), isValue);
    assert.throws(() => precisionScore(yt, yp, h({ labels: -1 })), isValue);
    assert.throws(() => classificationReport(yt, yp, h({ digits: -1 })), isValue);
    assert.throws(() => classificationReport(yt, yp, h({ digits: 1.5 })), isValue);
    assert.throws(() => classificationReport(yt, yp, h({ targetNames: 42 })), isValue);
    assert.throws(() => classificationReport(yt, yp, h({ targetNames: [1, 2] })), isValue);
    assert.throws(() => classificationReport(yt, yp, h({ labels: 'ab' })), isValue);
  });

  it('missing score arrays', () => {
    assert.throws(() => logLoss(yt, h(null)), isValue);
    assert.throws(() => rocAucScore(yt, h(undefined)), isValue);
    assert.throws(() => averagePrecisionScore(yt, h(null)), isValue);
  });

  it('cv as a string or with bad index pairs; out-of-range fold indices', () => {
    assert.throws(() => checkCv(h('abc')), isValue);
    assert.throws(() => checkCv(h([[[0, 1.5], [2]]])), isValue);
    assert.throws(() => checkCv(h([[0, 1]])), isValue);
    // an index past the data used to read zeros silently
    assert.throws(
      () =>
        crossValidate(new LinearRegression(), X, y, {
          cv: [
            [
              [0, 1, 99],
              [2, 3],
            ],
          ],
        }),
      isValue,
    );
  });

  it('fitParams that is not an array', () => {
    assert.throws(() => crossValidate(new LinearRegression(), X, y, h({ cv: 2, fitParams: 'x' })), isValue);
    assert.throws(() => crossValidate(new LinearRegression(), X, y, h({ cv: 2, fitParams: 3 })), isValue);
  });

  it('learningCurve trainSizes that are not numbers', () => {
    assert.throws(() => learningCurve(new LinearRegression(), X, y, h({ cv: 2, trainSizes: 'abc' })), isValue);
    assert.throws(() => learningCurve(new LinearRegression(), X, y, h({ cv: 2, trainSizes: [0.5, NaN] })), isValue);
  });

  it('trainTestSplitIndices sizes', () => {
    assert.throws(() => trainTestSplitIndices(-1), isValue);
    assert.throws(() => trainTestSplitIndices(1.5), isValue);
    assert.throws(() => trainTestSplitIndices(1e300), isLimit);
  });

  it('searches refuse absurd candidate counts instead of listing them', () => {
    const big = Array.from({ length: 1001 }, (_, i) => i);
    const t0 = Date.now();
    assert.throws(() => new GridSearchCV(new LinearRegression(), h({ fitIntercept: big, positive: big }), { cv: 2 }).fit(X, y), isLimit);
    assert.throws(() => new RandomizedSearchCV(new LinearRegression(), { fitIntercept: [true, false] }, { nIter: 1e7, cv: 2 }).fit(X, y), isLimit);
    assert.ok(Date.now() - t0 < 2000);
    assert.throws(() => uniformDistribution(Number.NaN, 1), isValue);
    assert.throws(() => uniformDistribution(0, Infinity), isValue);
  });

  it('preprocessing parameters of the wrong kind', () => {
    assert.throws(() => new MinMaxScaler(h({ featureRange: null })).fit(X), isValue);
    assert.throws(() => new MinMaxScaler(h({ featureRange: -1 })).fit(X), isValue);
    assert.throws(() => new RobustScaler(h({ quantileRange: 'ab' })).fit(X), isValue);
    assert.throws(() => new PolynomialFeatures(h({ degree: null })).fit(X), isValue);
    assert.throws(() => new OneHotEncoder(h({ categories: [null] })).fit(X), isValue);
    assert.throws(() => new LabelEncoder().fit([1, 2]).inverseTransform(h(null)), isValue);
    assert.throws(() => checkNFeatures(h(null), 2, 'test'), isValue);
  });

  it('PolynomialFeatures refuses an output it cannot hold, without trying', () => {
    const t0 = Date.now();
    assert.throws(() => new PolynomialFeatures({ degree: 1e300 }).fit(X), isLimit);
    assert.throws(() => new PolynomialFeatures({ degree: 8 }).fit([Array.from({ length: 40 }, (_, i) => i)]), isLimit);
    assert.ok(Date.now() - t0 < 2000);
    // a large but reasonable plan still works
    assert.equal(new PolynomialFeatures({ degree: 2 }).fit([[1, 2, 3]]).nOutputFeatures, 10);
  });

  it('float64 linalg helpers with null rows or a huge size', () => {
    assert.throws(() => la.fromRows(h(null)), isValue);
    assert.throws(() => la.fromRows(h([[1, 2], null])), isValue);
    assert.throws(() => la.fromRows(h([null])), isValue);
    assert.throws(() => la.diag(h(undefined)), isValue);
    assert.throws(() => la.diag(h({ length: 1e12 })), isValue);
    assert.throws(
      () => la.matrix(1e6, 1e6),
      (e: unknown) => e instanceof LimitError,
    );
  });

  it('tensor linalg with a missing or non-tensor argument', () => {
    assert.throws(() => linalg.cholesky(h(null)), isValue);
    assert.throws(() => linalg.solve(h('abc'), h(undefined)), isValue);
    assert.throws(
      () =>
        linalg.lstsq(
          toTensor([
            [1, 0],
            [0, 1],
          ]),
          h([1, 2]),
        ),
      isValue,
    );
  });
});
