/**
 * Contracts of code shared between estimators, layers and schedules: each
 * shared piece serves every user the same way.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
  NotFittedError,
  precisionRecallCurve,
  RandomForestClassifier,
  RandomForestRegressor,
  rocCurve,
  zeros,
} from '../src/index.js';
import { ExponentialLR, MultiStepLR, SGD, StepLR, type LRScheduler } from '../src/optim/index.js';

function lrSequence(make: (opt: SGD) => LRScheduler, steps: number): number[] {
  const opt = new SGD([zeros([1], { requiresGrad: true })], { lr: 0.3 });
  const sched = make(opt);
  const lrs = [opt.paramGroups[0].lr];
  for (let i = 0; i < steps; i++) {
    sched.step();
    lrs.push(opt.paramGroups[0].lr);
  }
  return lrs;
}

describe('the gamma-decay schedules', () => {
  it('StepLR with stepSize 1 is ExponentialLR, to the bit', () => {
    assert.deepEqual(
      lrSequence((opt) => new StepLR(opt, { stepSize: 1, gamma: 0.7 }), 12),
      lrSequence((opt) => new ExponentialLR(opt, { gamma: 0.7 }), 12),
    );
  });

  it('MultiStepLR multiplies by gamma once per listing of a milestone (as PyTorch counts them)', () => {
    const lrs = lrSequence((opt) => new MultiStepLR(opt, { milestones: [2, 2, 4], gamma: 0.5 }), 5);
    assert.deepEqual(lrs, [0.3, 0.3, 0.3 * 0.25, 0.3 * 0.25, 0.3 * 0.25 * 0.5, 0.3 * 0.25 * 0.5]);
  });

  it('every one of them checks gamma the same way', () => {
    const opt = new SGD([zeros([1], { requiresGrad: true })], { lr: 0.1 });
    for (const make of [
      () => new StepLR(opt, { stepSize: 2, gamma: -1 }),
      () => new MultiStepLR(opt, { milestones: [1], gamma: -1 }),
      () => new ExponentialLR(opt, { gamma: -1 }),
    ]) {
      assert.throws(make, /gamma must be a finite number >= 0/);
    }
  });
});

describe('tree models share their fitted members', () => {
  const X = [
    [0, 1],
    [1, 0],
    [2, 3],
    [3, 2],
    [4, 5],
    [5, 4],
  ];
  const labels = [0, 0, 1, 1, 0, 1];
  const targets = [0.5, 1, 2, 2.5, 4, 4.5];

  it('before fit, featureImportances is a NotFittedError for every tree and forest', () => {
    for (const est of [
      new DecisionTreeClassifier(),
      new DecisionTreeRegressor(),
      new RandomForestClassifier(),
      new RandomForestRegressor(),
      new ExtraTreesClassifier(),
      new ExtraTreesRegressor(),
    ]) {
      assert.throws(() => est.featureImportances, NotFittedError, est.constructor.name);
    }
  });

  it('random forests split at the best threshold, extra trees at a random one', () => {
    assert.equal(new RandomForestClassifier().splitter, 'best');
    assert.equal(new RandomForestRegressor().splitter, 'best');
    assert.equal(new ExtraTreesClassifier().splitter, 'random');
    assert.equal(new ExtraTreesRegressor().splitter, 'random');
  });

  it('the fitted accessors answer for the classifier and the regressor alike', () => {
    const clf = new DecisionTreeClassifier({ randomState: 0 }).fit(X, labels);
    const reg = new DecisionTreeRegressor({ randomState: 0 }).fit(X, targets);
    for (const est of [clf, reg]) {
      const leaves = est.apply(X);
      assert.equal(leaves.length, X.length);
      assert.equal(new Set(leaves).size, est.getNLeaves());
      assert.ok(est.getDepth() >= 1);
      assert.ok(Math.abs(est.featureImportances.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    }
    const forests = [new RandomForestClassifier({ nEstimators: 3, randomState: 0 }).fit(X, labels), new ExtraTreesRegressor({ nEstimators: 3, randomState: 0 }).fit(X, targets)];
    for (const est of forests) {
      assert.equal(est.trees!.length, 3);
      assert.equal(est.featureImportances.length, 2);
    }
  });

  it('histogram gradient boosting reports nIter only once fitted', () => {
    const clf = new HistGradientBoostingClassifier({ maxIter: 3, minSamplesLeaf: 1 });
    const reg = new HistGradientBoostingRegressor({ maxIter: 3, minSamplesLeaf: 1 });
    assert.equal(clf.nIter, undefined);
    assert.equal(reg.nIter, undefined);
    assert.equal(clf.fit(X, labels).nIter, 3);
    assert.equal(reg.fit(X, targets).nIter, 3);
  });
});

describe('curves without their intermediate points', () => {
  it('keep the first and the last point, and a curve of two points whole', () => {
    const yTrue = [0, 0, 1, 1, 0, 1, 1, 0];
    const score = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    const full = rocCurve(yTrue, score, { dropIntermediate: false });
    const kept = rocCurve(yTrue, score, { dropIntermediate: true });
    assert.ok(kept.fpr.length < full.fpr.length);
    for (const c of [full, kept]) {
      assert.equal(c.thresholds[0], Number.POSITIVE_INFINITY);
      assert.equal(c.fpr.at(-1), 1);
      assert.equal(c.tpr.at(-1), 1);
    }
    const two = rocCurve([0, 1], [0.2, 0.9], { dropIntermediate: true });
    assert.deepEqual([...two.thresholds], [Number.POSITIVE_INFINITY, 0.9, 0.2]);
    const pr = precisionRecallCurve(yTrue, score, { dropIntermediate: true });
    const prFull = precisionRecallCurve(yTrue, score);
    assert.equal(pr.thresholds[0], prFull.thresholds[0]);
    assert.equal(pr.thresholds.at(-1), prFull.thresholds.at(-1));
  });
});
