/**
 * Every options-taking function and class of metrics/, preprocessing/,
 * model_selection/, linalg/ and the input converters rejects an unknown
 * snake_case key, lists the valid keys and suggests the camelCase name.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError } from '../src/errors.js';
import * as la from '../src/linalg/index.js';
import {
  accuracyScore,
  averagePrecisionScore,
  balancedAccuracyScore,
  classificationReport,
  cohenKappaScore,
  confusionMatrix,
  explainedVarianceScore,
  f1Score,
  fbetaScore,
  logLoss,
  makeScorer,
  matthewsCorrcoef,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  precisionRecallCurve,
  precisionRecallFscoreSupport,
  precisionScore,
  r2Score,
  recallScore,
  rocAucScore,
  rocCurve,
  rootMeanSquaredError,
  topKAccuracyScore,
  zeroOneLoss,
} from '../src/metrics/index.js';
import {
  crossValidate,
  crossValPredict,
  crossValScore,
  GridSearchCV,
  KFold,
  learningCurve,
  RandomizedSearchCV,
  RepeatedKFold,
  RepeatedStratifiedKFold,
  ShuffleSplit,
  StratifiedKFold,
  StratifiedShuffleSplit,
  trainTestSplit,
  validationCurve,
} from '../src/model_selection/index.js';
import { LinearRegression } from '../src/models/linear/index.js';
import {
  ColumnTransformer,
  LabelEncoder,
  MaxAbsScaler,
  MinMaxScaler,
  Normalizer,
  OneHotEncoder,
  OrdinalEncoder,
  Pipeline,
  PolynomialFeatures,
  RobustScaler,
  SimpleImputer,
  StandardScaler,
} from '../src/preprocessing/index.js';
import { checkSampleWeight, checkXLabels, checkXy, toLabels, toMatrix, toVector } from '../src/utils/validation.js';

// Hostile callers pass what the types forbid: the casts below are the point.
type Loose = Record<string, unknown> & any; // eslint-disable-line @typescript-eslint/no-explicit-any

const yt = [0, 1, 1, 0];
const yp = [0, 1, 0, 0];
const X = [[0], [1], [2], [3], [4], [5]];
const y = [0, 1, 2, 3, 4, 5];
const A = la.fromRows([
  [2, 1],
  [1, 3],
]);
const est = new LinearRegression();

/** [what, call with { [snakeKey]: value }, snakeKey, the camelCase key it must suggest]. */
const CASES: Array<[string, (o: Loose) => unknown, string, string]> = [
  // metrics
  ['accuracyScore', (o) => accuracyScore(yt, yp, o), 'sample_weight', 'sampleWeight'],
  ['zeroOneLoss', (o) => zeroOneLoss(yt, yp, o), 'sample_weight', 'sampleWeight'],
  ['confusionMatrix', (o) => confusionMatrix(yt, yp, o), 'sample_weight', 'sampleWeight'],
  ['precisionRecallFscoreSupport', (o) => precisionRecallFscoreSupport(yt, yp, o), 'zero_division', 'zeroDivision'],
  ['precisionScore', (o) => precisionScore(yt, yp, o), 'pos_label', 'posLabel'],
  ['recallScore', (o) => recallScore(yt, yp, o), 'pos_label', 'posLabel'],
  ['f1Score', (o) => f1Score(yt, yp, o), 'zero_division', 'zeroDivision'],
  ['fbetaScore', (o) => fbetaScore(yt, yp, { beta: 2, ...o }), 'pos_label', 'posLabel'],
  ['balancedAccuracyScore', (o) => balancedAccuracyScore(yt, yp, o), 'sample_weight', 'sampleWeight'],
  ['matthewsCorrcoef', (o) => matthewsCorrcoef(yt, yp, o), 'sample_weight', 'sampleWeight'],
  ['cohenKappaScore', (o) => cohenKappaScore(yt, yp, o), 'sample_weight', 'sampleWeight'],
  ['logLoss', (o) => logLoss(yt, [0.1, 0.9, 0.8, 0.3], o), 'sample_weight', 'sampleWeight'],
  ['classificationReport', (o) => classificationReport(yt, yp, o), 'target_names', 'targetNames'],
  ['rocCurve', (o) => rocCurve(yt, [0.1, 0.9, 0.8, 0.3], o), 'drop_intermediate', 'dropIntermediate'],
  ['precisionRecallCurve', (o) => precisionRecallCurve(yt, [0.1, 0.9, 0.8, 0.3], o), 'pos_label', 'posLabel'],
  ['rocAucScore', (o) => rocAucScore(yt, [0.1, 0.9, 0.8, 0.3], o), 'max_fpr', 'maxFpr'],
  ['averagePrecisionScore', (o) => averagePrecisionScore(yt, [0.1, 0.9, 0.8, 0.3], o), 'sample_weight', 'sampleWeight'],
  [
    'topKAccuracyScore',
    (o) =>
      topKAccuracyScore(
        [0, 1, 2],
        [
          [0.5, 0.3, 0.2],
          [0.1, 0.8, 0.1],
          [0.2, 0.2, 0.6],
        ],
        o,
      ),
    'sample_weight',
    'sampleWeight',
  ],
  ['meanSquaredError', (o) => meanSquaredError([1, 2], [1, 3], o), 'sample_weight', 'sampleWeight'],
  ['rootMeanSquaredError', (o) => rootMeanSquaredError([1, 2], [1, 3], o), 'sample_weight', 'sampleWeight'],
  ['meanAbsoluteError', (o) => meanAbsoluteError([1, 2], [1, 3], o), 'sample_weight', 'sampleWeight'],
  ['meanAbsolutePercentageError', (o) => meanAbsolutePercentageError([1, 2], [1, 3], o), 'sample_weight', 'sampleWeight'],
  ['r2Score', (o) => r2Score([1, 2], [1, 3], o), 'force_finite', 'forceFinite'],
  ['explainedVarianceScore', (o) => explainedVarianceScore([1, 2], [1, 3], o), 'force_finite', 'forceFinite'],
  ['makeScorer', (o) => makeScorer(meanSquaredError, o), 'greater_is_better', 'greaterIsBetter'],
  // model selection
  ['KFold', (o) => new KFold(o), 'n_splits', 'nSplits'],
  ['StratifiedKFold', (o) => new StratifiedKFold(o), 'random_state', 'randomState'],
  ['RepeatedKFold', (o) => new RepeatedKFold(o), 'n_repeats', 'nRepeats'],
  ['RepeatedStratifiedKFold', (o) => new RepeatedStratifiedKFold(o), 'n_repeats', 'nRepeats'],
  ['ShuffleSplit', (o) => new ShuffleSplit(o), 'test_size', 'testSize'],
  ['StratifiedShuffleSplit', (o) => new StratifiedShuffleSplit(o), 'train_size', 'trainSize'],
  ['trainTestSplit', (o) => trainTestSplit(X, y, o), 'test_size', 'testSize'],
  ['crossValidate', (o) => crossValidate(est, X, y, o), 'return_train_score', 'returnTrainScore'],
  ['crossValScore', (o) => crossValScore(est, X, y, o), 'error_score', 'errorScore'],
  ['crossValPredict', (o) => crossValPredict(est, X, y, o), 'fit_params', 'fitParams'],
  ['learningCurve', (o) => learningCurve(est, X, y, o), 'train_sizes', 'trainSizes'],
  ['validationCurve', (o) => validationCurve(est, X, y, { paramName: 'fitIntercept', paramRange: [true], ...o }), 'error_score', 'errorScore'],
  ['GridSearchCV', (o) => new GridSearchCV(est, { fitIntercept: [true] }, o), 'return_train_score', 'returnTrainScore'],
  ['GridSearchCV({...})', (o) => new GridSearchCV({ estimator: est, ...o }), 'param_grid', 'paramGrid'],
  ['RandomizedSearchCV', (o) => new RandomizedSearchCV(est, { fitIntercept: [true] }, o), 'n_iter', 'nIter'],
  ['RandomizedSearchCV({...})', (o) => new RandomizedSearchCV({ estimator: est, ...o }), 'param_distributions', 'paramDistributions'],
  // preprocessing with their own constructor shapes
  ['ColumnTransformer', (o) => new ColumnTransformer([['s', new StandardScaler(), [0]]], o), 'remain_der', 'remainder'],
  ['ColumnTransformer({...})', (o) => new ColumnTransformer({ transformers: [], ...o }), 'transformer_s', 'transformers'],
  ['Pipeline({...})', (o) => new Pipeline({ steps: [['m', est]], ...o }), 'step_s', 'steps'],
  ['LabelEncoder', (o) => new LabelEncoder(o), 'classes_', 'none'],
  // linear algebra
  ['qr', (o) => la.qr(A, o), 'mo_de', 'mode'],
  ['svd', (o) => la.svd(A, o), 'full_matrices', 'fullMatrices'],
  ['pinv', (o) => la.pinv(A, o), 'r_cond', 'rcond'],
  ['lstsq', (o) => la.lstsq(A, Float64Array.of(1, 2), o), 'r_cond', 'rcond'],
  ['solveTriangular', (o) => la.solveTriangular(A, Float64Array.of(1, 2), { lower: true, ...o }), 'unit_diagonal', 'unitDiagonal'],
  ['matmul', (o) => la.matmul(A, A, o), 'trans_a', 'transA'],
  // input converters
  ['toMatrix', (o) => toMatrix(X, o), 'allow_nan', 'allowNaN'],
  ['toVector', (o) => toVector(y, o), 'min_length', 'minLength'],
  ['toLabels', (o) => toLabels(y, o), 'min_length', 'minLength'],
  ['checkSampleWeight', (o) => checkSampleWeight([1, 1], 2, o), 'non_negative', 'nonNegative'],
  ['checkXy', (o) => checkXy(X, y, o), 'allow_nan', 'allowNaN'],
  ['checkXLabels', (o) => checkXLabels(X, y, 'test', o), 'min_classes', 'minClasses'],
];

describe('options of the classical functions reject unknown keys', () => {
  for (const [what, call, snake, camel] of CASES) {
    it(`${what} rejects '${snake}'`, () => {
      assert.throws(
        () => call({ [snake]: 1 }),
        (e: unknown) => {
          assert.ok(e instanceof ValueError, `${what}: expected a ValueError, got ${String(e)}`);
          assert.match(e.message, new RegExp(`unknown option '${snake}'`));
          if (camel === 'none') assert.match(e.message, /takes no options/);
          else {
            assert.match(e.message, new RegExp(`did you mean '${camel}'\\?`));
            assert.match(e.message, new RegExp(`valid options are: .*\\b${camel}\\b`));
          }
          return true;
        },
      );
    });
  }

  it('a valid call with the camelCase key still works', () => {
    assert.equal(accuracyScore(yt, yp, { sampleWeight: [1, 1, 1, 1] }), 0.75);
    assert.equal(new KFold({ nSplits: 3 }).getNSplits(), 3);
    assert.equal(trainTestSplit(X, y, { testSize: 2, randomState: 0 })[1].length, 2);
  });
});

describe('estimator-style preprocessing params reject unknown keys', () => {
  // These go through BaseEstimator's parameter check, which lists the valid
  // names (its did-you-mean hint comes from models/base.ts).
  const ESTIMATORS: Array<[string, (p: Loose) => unknown, string, string]> = [
    ['StandardScaler', (p) => new StandardScaler(p), 'with_mean', 'withMean'],
    ['MinMaxScaler', (p) => new MinMaxScaler(p), 'feature_range', 'featureRange'],
    ['MaxAbsScaler', (p) => new MaxAbsScaler(p), 'copy_', ''],
    ['RobustScaler', (p) => new RobustScaler(p), 'quantile_range', 'quantileRange'],
    ['Normalizer', (p) => new Normalizer(p), 'norm_', 'norm'],
    ['OneHotEncoder', (p) => new OneHotEncoder(p), 'handle_unknown', 'handleUnknown'],
    ['OrdinalEncoder', (p) => new OrdinalEncoder(p), 'unknown_value', 'unknownValue'],
    ['SimpleImputer', (p) => new SimpleImputer(p), 'fill_value', 'fillValue'],
    ['PolynomialFeatures', (p) => new PolynomialFeatures(p), 'include_bias', 'includeBias'],
  ];
  for (const [what, make, snake, camel] of ESTIMATORS) {
    it(`${what} rejects '${snake}'`, () => {
      assert.throws(
        () => make({ [snake]: 1 }),
        (e: unknown) => e instanceof ValueError && e.message.includes(`'${snake}'`) && e.message.includes(camel),
      );
    });
  }
});
