import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeBlobs, makeClassification, makeRegression } from '../src/datasets/generators.js';
import { NotFittedError, ValueError } from '../src/errors.js';
import { clone } from '../src/models/base.js';
import {
  checkCv,
  crossValidate,
  crossValPredict,
  crossValScore,
  GridSearchCV,
  KFold,
  learningCurve,
  LeaveOneOut,
  logUniformDistribution,
  ParameterGrid,
  ParameterSampler,
  RandomizedSearchCV,
  RepeatedKFold,
  RepeatedStratifiedKFold,
  ShuffleSplit,
  StratifiedKFold,
  StratifiedShuffleSplit,
  trainTestSplit,
  validationCurve,
} from '../src/model_selection/index.js';
import { makePipeline, StandardScaler } from '../src/preprocessing/index.js';
import { Generator } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { checkEstimator } from './helpers/check-estimator.js';
import { assertClose, loadFixture } from './helpers/fixtures.js';
import { ToyCentroidClassifier, ToyRidge } from './helpers/toy-estimators.js';

const lists = (splits: Iterable<[Int32Array, Int32Array]>): number[][][] => [...splits].map(([a, b]) => [Array.from(a), Array.from(b)]);

interface MsFixture {
  kfold: Array<{ n: number; n_splits: number; splits: number[][][] }>;
  stratified: Array<{ y: (number | string)[]; n_splits: number; splits: number[][][] }>;
  loo: Array<{ n: number; splits: number[][][] }>;
  train_test_sizes: Array<{ n: number; test_size: number | null; train_size: number | null; n_train: number; n_test: number; no_shuffle: number[][] }>;
  grid: Array<{ grid: Record<string, unknown[]> | Record<string, unknown[]>[]; candidates: Record<string, unknown>[] }>;
}

describe('splitters match scikit-learn (fixtures)', () => {
  const fx = loadFixture<MsFixture>('sklearn-model-selection');
  for (const c of fx.kfold) {
    it(`KFold n=${c.n} k=${c.n_splits}`, () => {
      assert.deepEqual(lists(new KFold({ nSplits: c.n_splits }).split({ length: c.n } as never)), c.splits);
    });
  }
  for (const c of fx.stratified) {
    it(`StratifiedKFold k=${c.n_splits} y=${JSON.stringify(c.y)}`, () => {
      assert.deepEqual(lists(new StratifiedKFold({ nSplits: c.n_splits }).split(c.y, c.y)), c.splits);
    });
  }
  it('LeaveOneOut', () => {
    for (const c of fx.loo) assert.deepEqual(lists(new LeaveOneOut().split(new Float64Array(c.n))), c.splits);
  });
  for (const c of fx.train_test_sizes) {
    it(`trainTestSplit sizes n=${c.n} test=${c.test_size} train=${c.train_size}`, () => {
      const idx = Array.from({ length: c.n }, (_, i) => i);
      const [a, b] = trainTestSplit(idx, { testSize: c.test_size, trainSize: c.train_size, randomState: 0 });
      assert.equal(a.length, c.n_train);
      assert.equal(b.length, c.n_test);
      const [ns, nt] = trainTestSplit(idx, { testSize: c.test_size, trainSize: c.train_size, shuffle: false });
      assert.deepEqual([ns, nt], c.no_shuffle);
    });
  }
  it('ParameterGrid order', () => {
    for (const c of fx.grid) {
      const g = new ParameterGrid(c.grid as never);
      assert.deepEqual([...g], c.candidates);
      assert.equal(g.size, c.candidates.length);
      c.candidates.forEach((cand, i) => assert.deepEqual(g.at(i), cand));
    }
  });
});

describe('splitters', () => {
  it('KFold shuffle is seeded and partitions the samples', () => {
    const a = lists(new KFold({ nSplits: 4, shuffle: true, randomState: 3 }).split(new Float64Array(10)));
    const b = lists(new KFold({ nSplits: 4, shuffle: true, randomState: 3 }).split(new Float64Array(10)));
    assert.deepEqual(a, b);
    const tests = a.flatMap(([, t]) => t).sort((x, y) => x - y);
    assert.deepEqual(
      tests,
      Array.from({ length: 10 }, (_, i) => i),
    );
    for (const [tr, te] of a) {
      assert.deepEqual(
        tr,
        [...tr].sort((x, y) => x - y),
      );
      assert.deepEqual(
        te,
        [...te].sort((x, y) => x - y),
      );
    }
  });
  it('rejects bad configurations with sklearn-like messages', () => {
    assert.throws(() => new KFold({ nSplits: 1 }), /at least one train\/test split/);
    assert.throws(() => new KFold({ nSplits: 3, randomState: 1 }), /shuffle is false/);
    assert.throws(() => [...new KFold({ nSplits: 5 }).split(new Float64Array(3))], /greater than the number of samples/);
    assert.throws(() => [...new StratifiedKFold({ nSplits: 3 }).split([0, 1], [0, 1])], ValueError);
    assert.throws(() => [...new LeaveOneOut().split([1])], /nSamples=1/);
  });
  it('StratifiedKFold with shuffle keeps class counts per fold', () => {
    const y = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2];
    for (const [, te] of new StratifiedKFold({ nSplits: 3, shuffle: true, randomState: 0 }).split(y, y)) {
      const counts = [0, 0, 0];
      for (const i of te) counts[y[i]]++;
      assert.deepEqual(counts, [2, 2, 1]);
    }
  });
  it('repeated splitters', () => {
    const y = Array.from({ length: 12 }, (_, i) => i % 2);
    assert.equal([...new RepeatedStratifiedKFold({ nSplits: 3, nRepeats: 4, randomState: 1 }).split(y, y)].length, 12);
    assert.equal(new RepeatedKFold({ nSplits: 2, nRepeats: 3 }).getNSplits(), 6);
    const a = lists(new RepeatedStratifiedKFold({ nSplits: 3, nRepeats: 2, randomState: 5 }).split(y, y));
    assert.notDeepEqual(a.slice(0, 3), a.slice(3), 'repeats differ');
  });
  it('StratifiedShuffleSplit sizes and proportions', () => {
    const y = [...Array(30).fill('a'), ...Array(10).fill('b')];
    for (const [tr, te] of new StratifiedShuffleSplit({ nSplits: 3, testSize: 0.25, randomState: 0 }).split(y, y)) {
      assert.equal(te.length, 10);
      assert.equal(tr.length, 30);
      const nb = [...te].filter((i) => y[i] === 'b').length;
      assert.ok(nb === 2 || nb === 3, `2.5 'b' expected in the test part, rounded either way; got ${nb}`);
    }
    const ss = [...new ShuffleSplit({ nSplits: 2, testSize: 3, randomState: 1 }).split(new Float64Array(10))];
    assert.equal(ss[0][1].length, 3);
    assert.equal(ss[0][0].length, 7);
  });
});

describe('trainTestSplit', () => {
  it('README flow: makeRegression then an 80/20 split', () => {
    const { X, y } = makeRegression({ nSamples: 100, nFeatures: 4, noise: 0.1, randomState: 0 });
    const [XTrain, XTest, yTrain, yTest] = trainTestSplit(X, y, { testSize: 0.2, randomState: 42 });
    assert.ok(XTrain instanceof Tensor && XTest instanceof Tensor);
    assert.deepEqual(XTrain.shape, [80, 4]);
    assert.deepEqual(XTest.shape, [20, 4]);
    assert.ok(yTrain instanceof Float64Array && yTest instanceof Float64Array);
    assert.equal(yTest.length, 20);
    const model = new ToyRidge({ alpha: 1e-6 }).fit(XTrain, yTrain);
    assert.ok(model.score(XTest, yTest) > 0.999);
  });
  it('keeps the kind of every input and is seeded', () => {
    const X = Array.from({ length: 10 }, (_, i) => [i, i * 2]);
    const y = Array.from({ length: 10 }, (_, i) => `c${i % 2}`);
    const w = new Int32Array(10).map((_, i) => i);
    const [a, b, c, d, e, f] = trainTestSplit(X, y, w, { testSize: 0.3, randomState: 1 });
    assert.equal(b.length, 3);
    assert.ok(Array.isArray(a) && typeof c[0] === 'string' && e instanceof Int32Array);
    for (let i = 0; i < a.length; i++) assert.equal(a[i][0], e[i]);
    const again = trainTestSplit(X, y, w, { testSize: 0.3, randomState: 1 });
    assert.deepEqual(again[0], a);
    assert.deepEqual(d.length + f.length, 6);
    const [sa] = trainTestSplit({ data: new Float32Array(20), shape: [10, 2] }, { testSize: 2 });
    assert.deepEqual(sa.shape, [8, 2]);
  });
  it('stratify keeps class proportions', () => {
    const y: number[] = [...Array<number>(40).fill(0), ...Array<number>(10).fill(1)];
    const [, , yTr, yTe] = trainTestSplit(new Float64Array(50), y, { testSize: 0.2, stratify: y, randomState: 0 });
    assert.equal(yTe.filter((v) => v === 1).length, 2);
    assert.equal(yTr.filter((v) => v === 1).length, 8);
    assert.throws(() => trainTestSplit(y, { shuffle: false, stratify: y }), /shuffle=false/);
  });
  it('validates sizes', () => {
    assert.throws(() => trainTestSplit([1, 2, 3], [1, 2]), /inconsistent numbers of samples/);
    assert.throws(() => trainTestSplit([1, 2, 3], { testSize: 1.5 }), ValueError);
    assert.throws(() => trainTestSplit([1, 2, 3], { testSize: 0.6, trainSize: 0.6 }), /sum of testSize and trainSize/);
    assert.throws(() => trainTestSplit([1], { testSize: 0.5 }), /train set will be empty/);
  });
});

describe('cross-validation', () => {
  const { X, y } = makeRegression({ nSamples: 60, nFeatures: 3, noise: 5, randomState: 1 });
  const blobs = makeBlobs({ nSamples: 60, centers: 3, nFeatures: 2, clusterStd: 3, randomState: 2 });
  it('crossValScore uses the estimator score and clones', () => {
    const est = new ToyRidge();
    const scores = crossValScore(est, X, y, { cv: 5 });
    assert.equal(scores.length, 5);
    for (const s of scores) assert.ok(s > 0.9);
    assert.throws(() => est.predict(X), NotFittedError, 'the estimator passed in stays unfitted');
    const manual = [...new KFold({ nSplits: 5 }).split(X)].map(([tr, te]) => {
      const m = new ToyRidge().fit(
        rowsOf(X, tr),
        Array.from(tr, (i) => y[i]),
      );
      return m.score(
        rowsOf(X, te),
        Array.from(te, (i) => y[i]),
      );
    });
    assertClose(scores, manual, 1e-12);
  });
  it('crossValidate with several metrics, train scores and estimators', () => {
    const r = crossValidate(new ToyRidge(), X, y, { cv: 3, scoring: ['r2', 'neg_mean_squared_error'], returnTrainScore: true, returnEstimator: true, returnIndices: true });
    assert.deepEqual(Object.keys(r.testScores), ['r2', 'neg_mean_squared_error']);
    assert.equal(r.testScore, r.testScores.r2);
    for (const v of r.testScores.neg_mean_squared_error) assert.ok(v < 0);
    assert.equal(r.trainScores!.r2.length, 3);
    assert.equal(r.estimators!.length, 3);
    assert.equal(r.fitTime.length, 3);
    for (const t of r.fitTime) assert.ok(t >= 0);
    assert.equal(r.indices!.test.length, 3);
  });
  it('classifiers get stratified folds and string scorers', () => {
    const cv = checkCv(4, blobs.y, true);
    assert.ok(cv instanceof StratifiedKFold);
    const acc = crossValScore(new ToyCentroidClassifier(), blobs.X, blobs.y, { cv: 4, scoring: 'accuracy' });
    assert.equal(acc.length, 4);
    const f1 = crossValScore(new ToyCentroidClassifier(), blobs.X, blobs.y, { cv: 4, scoring: 'f1_macro' });
    const auc = crossValScore(new ToyCentroidClassifier(), blobs.X, blobs.y, { cv: 4, scoring: 'roc_auc_ovr' });
    const ll = crossValScore(new ToyCentroidClassifier(), blobs.X, blobs.y, { cv: 4, scoring: 'neg_log_loss' });
    for (const v of [...f1, ...auc]) assert.ok(v > 0.5 && v <= 1);
    for (const v of ll) assert.ok(v < 0);
  });
  it('errorScore replaces failed fits; raise rethrows', () => {
    const bad = new ToyRidge({ alpha: -1 });
    assert.throws(() => crossValScore(bad, X, y), /alpha must be >= 0/);
    const grid = new GridSearchCV(new ToyRidge(), { alpha: [-1, 1] }, { errorScore: Number.NaN }).fit(X, y);
    assert.ok(Number.isNaN(grid.cvResults!.meanTestScore[0]));
    assert.deepEqual(Array.from(grid.cvResults!.rankTestScore), [2, 1]);
    assert.throws(() => crossValScore(bad, X, y, { errorScore: Number.NaN }), /All the 5 fits failed/);
  });
  it('crossValPredict returns out-of-fold predictions in sample order', () => {
    const p = crossValPredict(new ToyRidge(), X, y, { cv: 4 }) as Float64Array;
    assert.ok(p instanceof Float64Array && p.length === 60);
    const [tr, te] = [...new KFold({ nSplits: 4 }).split(X)][2];
    const m = new ToyRidge().fit(
      rowsOf(X, tr),
      Array.from(tr, (i) => y[i]),
    );
    assertClose(
      Array.from(te, (i) => p[i]),
      m.predict(rowsOf(X, te)),
      1e-12,
    );
    const labels = crossValPredict(new ToyCentroidClassifier(), blobs.X, blobs.y, { cv: 3 });
    assert.ok(Array.isArray(labels) && labels.length === 60);
    const proba = crossValPredict(new ToyCentroidClassifier(), blobs.X, blobs.y, { cv: 3, method: 'predictProba' }) as Tensor;
    assert.deepEqual(proba.shape, [60, 3]);
    assert.throws(() => crossValPredict(new ToyRidge(), X, y, { cv: new ShuffleSplit({ nSplits: 2, randomState: 0 }) }), /partitions/);
  });
  it('learning and validation curves', () => {
    const lc = learningCurve(new ToyRidge(), X, y, { cv: 3, trainSizes: [0.25, 0.5, 1] });
    assert.deepEqual(Array.from(lc.trainSizes), [10, 20, 40]);
    assert.equal(lc.testScores.length, 3);
    assert.equal(lc.testScores[0].length, 3);
    const lc2 = learningCurve(new ToyRidge(), X, y, { cv: 3, trainSizes: [5, 40], shuffle: true, randomState: 0 });
    assert.deepEqual(Array.from(lc2.trainSizes), [5, 40]);
    assert.throws(() => learningCurve(new ToyRidge(), X, y, { cv: 3, trainSizes: [0, 0.5] }), /fractions/);
    const vc = validationCurve(makePipeline(new StandardScaler(), new ToyRidge()), X, y, { paramName: 'toyridge__alpha', paramRange: [0.1, 1000], cv: 3 });
    assert.equal(vc.testScores.length, 2);
    assert.ok(vc.testScores[0][0] > vc.testScores[1][0], 'huge alpha underfits');
  });
});

function rowsOf(X: Tensor, idx: ArrayLike<number>): number[][] {
  const d = X.shape[1];
  return Array.from(idx, (i) => Array.from(X.data.subarray(i * d, (i + 1) * d)));
}

describe('GridSearchCV and RandomizedSearchCV', () => {
  const { X, y } = makeRegression({ nSamples: 50, nFeatures: 3, noise: 20, randomState: 3 });
  it('finds the best parameters and refits', () => {
    const pipe = makePipeline(new StandardScaler(), new ToyRidge());
    const search = new GridSearchCV(pipe, { toyridge__alpha: [1e-3, 1, 1e4], standardscaler__withMean: [true, false] }, { cv: 4, returnTrainScore: true });
    assert.equal(search.fit(X, y), search);
    const r = search.cvResults!;
    assert.equal(r.params.length, 6);
    assert.deepEqual(r.paramValues.toyridge__alpha, [1e-3, 1, 1e4, 1e-3, 1, 1e4]);
    assert.deepEqual(r.paramValues.standardscaler__withMean, [true, true, true, false, false, false]);
    assert.equal(r.splitTestScores.length, 4);
    assert.equal(r.meanTrainScore!.length, 6);
    const best = search.bestIndex!;
    assert.equal(r.rankTestScore[best], 1);
    assert.equal(search.bestScore, Math.max(...r.meanTestScore));
    assert.deepEqual(search.bestParams, r.params[best]);
    assert.notEqual(search.bestParams!.toyridge__alpha, 1e4);
    const manual = crossValScore(clone(pipe).setParams(search.bestParams!), X, y, { cv: 4 });
    assertClose(search.bestScore, manual.reduce((a, b) => a + b, 0) / 4, 1e-12);
    const p: Float64Array = search.predict(X);
    assertClose(p, clone(pipe).setParams(search.bestParams!).fit(X, y).predict(X), 1e-12);
    assert.equal(typeof search.score(X, y), 'number');
    assert.equal(search.predictProba, undefined);
    assert.throws(() => pipe.predict(X), NotFittedError, 'the base estimator stays unfitted');
  });
  it('multi-metric search needs refit by name', () => {
    assert.throws(() => new GridSearchCV(new ToyRidge(), { alpha: [1] }, { scoring: ['r2', 'neg_mean_absolute_error'] }).fit(X, y), /refit must be set/);
    const s = new GridSearchCV(new ToyRidge(), { alpha: [0.1, 100] }, { scoring: ['r2', 'neg_mean_absolute_error'], refit: 'neg_mean_absolute_error', cv: 3 }).fit(X, y);
    assert.deepEqual(Object.keys(s.cvResults!.metrics), ['r2', 'neg_mean_absolute_error']);
    assert.equal(s.bestScore, Math.max(...s.cvResults!.metrics.neg_mean_absolute_error.meanTestScore));
    assert.ok(s.score(X, y) < 0);
  });
  it('validates grids', () => {
    assert.throws(() => new GridSearchCV(new ToyRidge(), { alpha: 1 } as never), /needs to be a list/);
    assert.throws(() => new GridSearchCV(new ToyRidge(), { alpha: [] }), /non-empty/);
    assert.throws(() => new GridSearchCV(new ToyRidge(), { beta: [1] }).fit(X, y), /Invalid parameter 'beta' for estimator ToyRidge/);
  });
  it('is an estimator: clone, nested params, checkEstimator', () => {
    const s = new GridSearchCV(new ToyRidge(), { alpha: [0.1, 1] }, { cv: 3 });
    assert.equal(s.getParams().estimator__alpha, 1);
    const c = clone(s);
    assert.notEqual(c.getParams().estimator, s.getParams().estimator);
    assert.deepEqual(c.getParams().paramGrid, { alpha: [0.1, 1] });
  });
  it('RandomizedSearchCV samples lists without replacement and distributions with rvs', () => {
    const grid = [...new ParameterSampler({ a: [1, 2, 3], b: ['x', 'y'] }, 6, 0)];
    assert.equal(new Set(grid.map((g) => JSON.stringify(g))).size, 6);
    const d = [...new ParameterSampler({ alpha: logUniformDistribution(1e-3, 1e3) }, 20, new Generator(1))];
    for (const p of d) assert.ok((p.alpha as number) >= 1e-3 && (p.alpha as number) <= 1e3);
    const s = new RandomizedSearchCV(new ToyRidge(), { alpha: logUniformDistribution(1e-3, 1e3) }, { nIter: 5, randomState: 0, cv: 3 }).fit(X, y);
    const s2 = new RandomizedSearchCV(new ToyRidge(), { alpha: logUniformDistribution(1e-3, 1e3) }, { nIter: 5, randomState: 0, cv: 3 }).fit(X, y);
    assert.deepEqual(s.cvResults!.params, s2.cvResults!.params);
    assert.equal(s.cvResults!.params.length, 5);
  });
  it('classifier search exposes classes and predictProba', () => {
    const { X: Xc, y: yc } = makeClassification({ nSamples: 60, nFeatures: 4, randomState: 0 });
    const s = new GridSearchCV(new ToyCentroidClassifier(), { temperature: [0.1, 1, 10] }, { scoring: 'roc_auc', cv: 3 }).fit(Xc, yc);
    assert.deepEqual(s.classes, [0, 1]);
    assert.deepEqual(s.predictProba!(Xc).shape, [60, 2]);
    assert.equal(s.estimatorType, 'classifier');
  });
});

checkEstimator(() => new GridSearchCV(new ToyRidge(), { alpha: [0.01, 10] }, { cv: 3 }), { kind: 'regressor' });
checkEstimator(
  () =>
    new RandomizedSearchCV(makePipeline(new StandardScaler(), new ToyCentroidClassifier()), { toycentroidclassifier__temperature: [0.5, 2] }, { cv: 3, nIter: 2, randomState: 0 }),
  { kind: 'classifier' },
);
checkEstimator(() => new ToyRidge({ alpha: 0.5 }), { kind: 'regressor' });
checkEstimator(() => new ToyCentroidClassifier({ jitter: 0.1 }), { kind: 'classifier' });
