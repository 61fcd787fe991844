/**
 * Every estimator exported by src/index.ts passes the shared conformance
 * suite (test/helpers/check-estimator.ts). The list of estimators is not
 * kept by hand: the exports are walked, and an estimator class without an
 * entry in CONFORMANCE fails the test, so a new estimator cannot skip it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as frugal from '../src/index.js';
import { BaseClassifier, BaseEstimator, BaseRegressor, BaseTransformer, type Estimator } from '../src/models/base.js';
import {
  ColumnTransformer,
  ElasticNet,
  ElasticNetCV,
  GridSearchCV,
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
  Lasso,
  LassoCV,
  LinearRegression,
  LinearSVC,
  LogisticRegression,
  MaxAbsScaler,
  MinMaxScaler,
  MLPClassifier,
  MLPRegressor,
  Normalizer,
  OneHotEncoder,
  OrdinalEncoder,
  Pipeline,
  PolynomialFeatures,
  RandomizedSearchCV,
  Ridge,
  RidgeCV,
  RobustScaler,
  SGDClassifier,
  SGDRegressor,
  SimpleImputer,
  StandardScaler,
  SVC,
  SVR,
  makePipeline,
  PCA,
  TruncatedSVD,
  KMeans,
  MiniBatchKMeans,
} from '../src/index.js';
import {
  BernoulliNB,
  fRegression,
  FunctionTransformer,
  GaussianNB,
  KNeighborsClassifier,
  KNeighborsRegressor,
  MultinomialNB,
  NearestNeighbors,
  SelectKBest,
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  RandomForestClassifier,
  RandomForestRegressor,
  ExtraTreesClassifier,
  ExtraTreesRegressor,
} from '../src/index.js';
import { checkEstimator, type CheckEstimatorOptions } from './helpers/check-estimator.js';
import { ToyCentroidClassifier, ToyRidge } from './helpers/toy-estimators.js';

interface ConformanceEntry {
  /** Builds the estimator (with any parameters it needs). */
  make: () => Estimator;
  /** Data kind and options of `checkEstimator`. */
  options: CheckEstimatorOptions;
}

type EstimatorClass = abstract new (...args: never[]) => Estimator;

const transformer = { kind: 'transformer' } as const;
const regressor = { kind: 'regressor' } as const;
const classifier = { kind: 'classifier' } as const;

/** Counts for MultinomialNB, which rejects negative features (the first column >= the last: the refit check appends their difference). */
const NONNEGATIVE_X = Array.from({ length: 30 }, (_, i) => [4 + (i % 3), (i * 7) % 5, i % 3 === 0 ? 4 : 1]);
const NONNEGATIVE_Y = Array.from({ length: 30 }, (_, i) => i % 3);

/** One or more conformance entries per exported estimator class. */
const CONFORMANCE = new Map<EstimatorClass, ConformanceEntry[]>([
  [
    LinearRegression,
    [
      { make: () => new LinearRegression(), options: regressor },
      { make: () => new LinearRegression({ positive: true }), options: { ...regressor, name: 'LinearRegression(positive)' } },
    ],
  ],
  [
    Ridge,
    [
      { make: () => new Ridge({ alpha: 0.5 }), options: regressor },
      { make: () => new Ridge({ solver: 'svd' }), options: { ...regressor, name: 'Ridge(svd)' } },
      { make: () => new Ridge({ solver: 'lsqr' }), options: { ...regressor, name: 'Ridge(lsqr)', tolerance: 1e-9 } },
    ],
  ],
  [
    RidgeCV,
    [
      { make: () => new RidgeCV(), options: regressor },
      { make: () => new RidgeCV({ cv: 3 }), options: { ...regressor, name: 'RidgeCV(cv=3)' } },
    ],
  ],
  [Lasso, [{ make: () => new Lasso({ alpha: 0.1 }), options: regressor }]],
  [ElasticNet, [{ make: () => new ElasticNet({ alpha: 0.1, selection: 'random', randomState: 0 }), options: regressor }]],
  [LassoCV, [{ make: () => new LassoCV({ nAlphas: 10, cv: 3 }), options: regressor }]],
  [ElasticNetCV, [{ make: () => new ElasticNetCV({ nAlphas: 10, cv: 3, l1Ratio: [0.3, 0.8] }), options: regressor }]],
  [SGDRegressor, [{ make: () => new SGDRegressor({ randomState: 0 }), options: regressor }]],
  [
    LogisticRegression,
    [
      { make: () => new LogisticRegression(), options: classifier },
      { make: () => new LogisticRegression(), options: { ...classifier, nClasses: 2, name: 'LogisticRegression(binary)' } },
      { make: () => new LogisticRegression({ multiClass: 'ovr', classWeight: 'balanced' }), options: { ...classifier, name: 'LogisticRegression(ovr)' } },
      { make: () => new LogisticRegression({ penalty: 'l1', solver: 'saga', randomState: 0 }), options: { ...classifier, name: 'LogisticRegression(saga l1)' } },
    ],
  ],
  [
    SGDClassifier,
    [
      { make: () => new SGDClassifier({ randomState: 0 }), options: classifier },
      { make: () => new SGDClassifier({ loss: 'log_loss', randomState: 0 }), options: { ...classifier, name: 'SGDClassifier(log_loss)' } },
    ],
  ],
  [LinearSVC, [{ make: () => new LinearSVC(), options: classifier }]],
  [MLPClassifier, [{ make: () => new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 30, randomState: 0 }), options: classifier }]],
  [MLPRegressor, [{ make: () => new MLPRegressor({ hiddenLayerSizes: [8], maxIter: 30, randomState: 0 }), options: regressor }]],
  [
    SVC,
    [
      { make: () => new SVC(), options: classifier },
      { make: () => new SVC({ probability: true, kernel: 'linear' }), options: { ...classifier, name: 'SVC(probability)' } },
      { make: () => new SVC({ kernel: 'poly', decisionFunctionShape: 'ovo' }), options: { ...classifier, name: 'SVC(poly, ovo)' } },
    ],
  ],
  [
    SVR,
    [
      { make: () => new SVR(), options: regressor },
      { make: () => new SVR({ kernel: 'linear', C: 3 }), options: { ...regressor, name: 'SVR(linear)' } },
    ],
  ],
  [
    DecisionTreeClassifier,
    [
      { make: () => new DecisionTreeClassifier({ randomState: 0 }), options: classifier },
      {
        make: () => new DecisionTreeClassifier({ maxLeafNodes: 4, classWeight: 'balanced', splitter: 'random', randomState: 0 }),
        options: { ...classifier, name: 'DecisionTreeClassifier(random, leaves)' },
      },
    ],
  ],
  [DecisionTreeRegressor, [{ make: () => new DecisionTreeRegressor({ maxDepth: 4, ccpAlpha: 0.1, randomState: 0 }), options: regressor }]],
  [
    RandomForestClassifier,
    [
      { make: () => new RandomForestClassifier({ nEstimators: 10, randomState: 0 }), options: classifier },
      {
        make: () => new RandomForestClassifier({ nEstimators: 8, oobScore: true, classWeight: 'balanced_subsample', maxSamples: 0.8, randomState: 0 }),
        options: { ...classifier, name: 'RandomForestClassifier(oob, balanced_subsample)' },
      },
    ],
  ],
  [RandomForestRegressor, [{ make: () => new RandomForestRegressor({ nEstimators: 10, oobScore: true, randomState: 0 }), options: regressor }]],
  [ExtraTreesClassifier, [{ make: () => new ExtraTreesClassifier({ nEstimators: 10, randomState: 0 }), options: classifier }]],
  [ExtraTreesRegressor, [{ make: () => new ExtraTreesRegressor({ nEstimators: 10, maxFeatures: 'log2', randomState: 0 }), options: regressor }]],
  [
    HistGradientBoostingClassifier,
    [
      { make: () => new HistGradientBoostingClassifier({ maxIter: 15, minSamplesLeaf: 5 }), options: { ...classifier, allowNaN: true } },
      {
        make: () => new HistGradientBoostingClassifier({ maxIter: 15, minSamplesLeaf: 5 }),
        options: { ...classifier, allowNaN: true, nClasses: 2, name: 'HistGradientBoostingClassifier(binary)' },
      },
      {
        make: () => new HistGradientBoostingClassifier({ maxIter: 50, minSamplesLeaf: 3, earlyStopping: true, validationFraction: 0.2, randomState: 0 }),
        options: { ...classifier, allowNaN: true, name: 'HistGradientBoostingClassifier(early stopping)' },
      },
    ],
  ],
  [
    HistGradientBoostingRegressor,
    [
      { make: () => new HistGradientBoostingRegressor({ maxIter: 15, minSamplesLeaf: 5 }), options: { ...regressor, allowNaN: true } },
      {
        make: () => new HistGradientBoostingRegressor({ loss: 'absolute_error', maxIter: 15, minSamplesLeaf: 5 }),
        options: { ...regressor, allowNaN: true, name: 'HistGradientBoostingRegressor(absolute_error)' },
      },
    ],
  ],
  [StandardScaler, [{ make: () => new StandardScaler(), options: { ...transformer, allowNaN: true } }]],
  [MinMaxScaler, [{ make: () => new MinMaxScaler({ featureRange: [-1, 1] }), options: { ...transformer, allowNaN: true } }]],
  [MaxAbsScaler, [{ make: () => new MaxAbsScaler(), options: { ...transformer, allowNaN: true } }]],
  [RobustScaler, [{ make: () => new RobustScaler(), options: { ...transformer, allowNaN: true } }]],
  [Normalizer, [{ make: () => new Normalizer({ norm: 'l1' }), options: transformer }]],
  [PolynomialFeatures, [{ make: () => new PolynomialFeatures({ degree: 3 }), options: { ...transformer } }]],
  [SimpleImputer, [{ make: () => new SimpleImputer({ strategy: 'median', addIndicator: true }), options: { ...transformer, allowNaN: true } }]],
  [OneHotEncoder, [{ make: () => new OneHotEncoder({ handleUnknown: 'ignore' }), options: { ...transformer, allowNaN: true } }]],
  [OrdinalEncoder, [{ make: () => new OrdinalEncoder(), options: { ...transformer, allowNaN: true } }]],
  [
    PCA,
    [
      { make: () => new PCA({ nComponents: 2 }), options: transformer },
      { make: () => new PCA({ nComponents: 2, svdSolver: 'randomized', whiten: true }), options: { ...transformer, name: 'PCA(randomized, whiten)' } },
    ],
  ],
  [TruncatedSVD, [{ make: () => new TruncatedSVD(), options: transformer }]],
  [KMeans, [{ make: () => new KMeans({ nClusters: 3 }), options: transformer }]],
  [MiniBatchKMeans, [{ make: () => new MiniBatchKMeans({ nClusters: 3, batchSize: 16 }), options: transformer }]],
  [
    ColumnTransformer,
    [
      {
        make: () =>
          new ColumnTransformer(
            [
              ['a', new StandardScaler(), [0]],
              ['b', new Normalizer(), [1, 2]],
            ],
            { remainder: 'passthrough' },
          ),
        options: { ...transformer, allowNaN: true },
      },
    ],
  ],
  [
    Pipeline,
    [
      { make: () => makePipeline(new StandardScaler(), new ToyRidge({ alpha: 0.1 })), options: { ...regressor, name: 'Pipeline(regressor)' } },
      { make: () => makePipeline(new MinMaxScaler(), new ToyCentroidClassifier()), options: { ...classifier, name: 'Pipeline(classifier)' } },
    ],
  ],
  [
    KNeighborsClassifier,
    [
      { make: () => new KNeighborsClassifier(), options: classifier },
      {
        make: () => new KNeighborsClassifier({ algorithm: 'brute', weights: 'distance', metric: 'manhattan' }),
        options: { ...classifier, name: 'KNeighborsClassifier(brute, distance)' },
      },
    ],
  ],
  [
    KNeighborsRegressor,
    [
      { make: () => new KNeighborsRegressor({ nNeighbors: 3, weights: 'distance' }), options: regressor },
      { make: () => new KNeighborsRegressor({ algorithm: 'brute' }), options: { ...regressor, name: 'KNeighborsRegressor(brute)' } },
    ],
  ],
  [
    NearestNeighbors,
    [
      {
        make: () => new NearestNeighbors({ nNeighbors: 3 }),
        options: { kind: 'transformer', output: (e, X) => (e as NearestNeighbors).kneighbors(X as number[][]).distances, skip: ['output types and lengths'] },
      },
    ],
  ],
  [SelectKBest, [{ make: () => new SelectKBest({ k: 2, scoreFunc: fRegression }), options: transformer }]],
  [
    FunctionTransformer,
    [
      {
        make: () =>
          new FunctionTransformer({ func: (X) => ({ data: Float64Array.from((X as frugal.Tensor).data, Math.tanh), shape: (X as frugal.Tensor).shape }), validate: true }),
        options: transformer,
      },
    ],
  ],
  [GaussianNB, [{ make: () => new GaussianNB(), options: classifier }]],
  [
    frugal.LabelSpreading,
    [
      { make: () => new frugal.LabelSpreading({ gamma: 1 }), options: classifier },
      { make: () => new frugal.LabelSpreading({ kernel: 'knn', nNeighbors: 5 }), options: { ...classifier, name: 'LabelSpreading(knn)' } },
    ],
  ],
  [frugal.LabelPropagation, [{ make: () => new frugal.LabelPropagation({ gamma: 1 }), options: classifier }]],
  [frugal.SelfTrainingClassifier, [{ make: () => new frugal.SelfTrainingClassifier({ baseEstimator: new GaussianNB() }), options: classifier }]],
  [MultinomialNB, [{ make: () => new MultinomialNB(), options: { ...classifier, X: NONNEGATIVE_X, y: NONNEGATIVE_Y } }]],
  [BernoulliNB, [{ make: () => new BernoulliNB({ binarize: 0.5 }), options: classifier }]],
  [GridSearchCV, [{ make: () => new GridSearchCV(new ToyRidge(), { alpha: [0.01, 10] }, { cv: 3 }), options: regressor }]],
  [
    RandomizedSearchCV,
    [
      {
        make: () =>
          new RandomizedSearchCV(
            makePipeline(new StandardScaler(), new ToyCentroidClassifier()),
            { toycentroidclassifier__temperature: [0.5, 2] },
            { cv: 3, nIter: 2, randomState: 0 },
          ),
        options: classifier,
      },
    ],
  ],
]);

/** The abstract bases estimators extend: exported, but not estimators themselves. */
const BASES: ReadonlySet<unknown> = new Set([BaseEstimator, BaseRegressor, BaseClassifier, BaseTransformer]);

/** Every BaseEstimator subclass among the exports of src/index.ts (one namespace level deep, e.g. `nn`). */
function exportedEstimatorClasses(): Map<string, EstimatorClass> {
  const found = new Map<string, EstimatorClass>();
  const visit = (exports: Record<string, unknown>, prefix: string): void => {
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === 'function' && value.prototype instanceof BaseEstimator && !BASES.has(value)) {
        found.set(prefix + name, value as EstimatorClass);
      } else if (prefix === '' && value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === null) {
        visit(value as Record<string, unknown>, `${name}.`); // a namespace export (`export * as nn`)
      }
    }
  };
  visit(frugal as unknown as Record<string, unknown>, '');
  return found;
}

describe('conformance covers every exported estimator', () => {
  const exported = exportedEstimatorClasses();
  it('finds the estimators among the exports', () => {
    for (const name of ['LinearRegression', 'SVC', 'StandardScaler', 'Pipeline', 'GridSearchCV']) assert.ok(exported.has(name), `${name} not found among the exports`);
  });
  it('every exported estimator class has a conformance entry', () => {
    const missing = [...exported].filter(([, cls]) => !CONFORMANCE.has(cls)).map(([name]) => name);
    assert.deepEqual(missing, [], `estimators without a conformance entry (add them to CONFORMANCE with their data kind and any required params): ${missing.join(', ')}`);
  });
  it('every entry builds an instance of its class', () => {
    for (const [cls, entries] of CONFORMANCE) {
      for (const e of entries) assert.ok(e.make() instanceof cls, `an entry for ${cls.name} builds a ${e.make().constructor.name}`);
    }
  });
});

for (const entries of CONFORMANCE.values()) for (const e of entries) checkEstimator(e.make, e.options);
