/**
 * TimeSeriesSplit, GroupKFold and StratifiedGroupKFold give scikit-learn
 * 1.2.1's folds (test/fixtures/sklearn-knn.json), and groups flow through
 * crossValidate, crossValPredict and GridSearchCV.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValueError } from '../src/errors.js';
import {
  crossValidate,
  crossValPredict,
  crossValScore,
  GridSearchCV,
  learningCurve,
  validationCurve,
  GroupKFold,
  KFold,
  StratifiedGroupKFold,
  TimeSeriesSplit,
} from '../src/model_selection/index.js';
import { KNeighborsClassifier } from '../src/models/neighbors/index.js';
import type { Split } from '../src/model_selection/split.js';
import { loadFixture } from './helpers/fixtures.js';

interface SplitFixture {
  timeSeries: { n: number; options: Record<string, number>; folds: [number[], number[]][] }[];
  groupKFold: { nSplits: number; groups: number[]; folds: [number[], number[]][] }[];
  stratifiedGroupKFold: { nSplits: number; groups: number[]; y: number[]; folds: [number[], number[]][] }[];
}

const fx = loadFixture<{ splits: SplitFixture }>('sklearn-knn').splits;
const plain = (splits: Iterable<Split>): [number[], number[]][] => [...splits].map(([a, b]) => [Array.from(a), Array.from(b)]);

describe('group and time-series splitters match scikit-learn', () => {
  it('TimeSeriesSplit', () => {
    for (const c of fx.timeSeries) assert.deepEqual(plain(new TimeSeriesSplit(c.options).split(new Array(c.n).fill(0))), c.folds, JSON.stringify(c.options));
  });
  it('GroupKFold', () => {
    for (const c of fx.groupKFold) assert.deepEqual(plain(new GroupKFold({ nSplits: c.nSplits }).split(new Array(40).fill(0), null, c.groups)), c.folds, `k=${c.nSplits}`);
  });
  it('StratifiedGroupKFold', () => {
    for (const c of fx.stratifiedGroupKFold) {
      assert.deepEqual(plain(new StratifiedGroupKFold({ nSplits: c.nSplits }).split(new Array(40).fill(0), c.y, c.groups)), c.folds, `k=${c.nSplits}`);
    }
  });
  it('StratifiedGroupKFold with shuffle keeps groups whole and is repeatable', () => {
    const c = fx.stratifiedGroupKFold[1];
    const s = new StratifiedGroupKFold({ nSplits: 3, shuffle: true, randomState: 4 });
    const a = plain(s.split(c.y, c.y, c.groups));
    assert.deepEqual(plain(s.split(c.y, c.y, c.groups)), a);
    for (const [train, test] of a) for (const i of test) assert.ok(!train.some((j) => c.groups[j] === c.groups[i]));
  });
});

describe('groups flow through model selection', () => {
  const c = fx.stratifiedGroupKFold[0];
  const X = c.y.map((v, i) => [v + (i % 5) * 0.1, i % 3]);
  it('crossValidate and crossValPredict split by the groups given', () => {
    const out = crossValidate(new KNeighborsClassifier({ nNeighbors: 3 }), X, c.y, { cv: new GroupKFold({ nSplits: 3 }), groups: c.groups, returnIndices: true });
    const expected = plain(new GroupKFold({ nSplits: 3 }).split(X, c.y, c.groups));
    assert.deepEqual(
      out.indices!.test.map((t) => Array.from(t)),
      expected.map((f) => f[1]),
    );
    const pred = crossValPredict(new KNeighborsClassifier({ nNeighbors: 3 }), X, c.y, { cv: new GroupKFold({ nSplits: 3 }), groups: c.groups });
    assert.equal((pred as unknown[]).length, 40);
  });
  it('GridSearchCV takes { groups } as its last fit argument', () => {
    const search = new GridSearchCV(new KNeighborsClassifier(), { nNeighbors: [1, 3] }, { cv: new StratifiedGroupKFold({ nSplits: 2 }) });
    search.fit(X, c.y, { groups: c.groups });
    assert.equal(search.cvResults!.params.length, 2);
    assert.throws(() => new GridSearchCV(new KNeighborsClassifier(), { nNeighbors: [1] }, { cv: new GroupKFold({ nSplits: 2 }) }).fit(X, c.y), /groups/);
  });
  it('learningCurve and validationCurve split by the groups given', () => {
    const cv = new GroupKFold({ nSplits: 3 });
    const curve = learningCurve(new KNeighborsClassifier({ nNeighbors: 1 }), X, c.y, { cv, groups: c.groups, trainSizes: [1] });
    const scores = crossValScore(new KNeighborsClassifier({ nNeighbors: 1 }), X, c.y, { cv, groups: c.groups });
    assert.deepEqual(Array.from(curve.testScores[0]), Array.from(scores));
    const validation = validationCurve(new KNeighborsClassifier(), X, c.y, { paramName: 'nNeighbors', paramRange: [1], cv, groups: c.groups });
    assert.deepEqual(Array.from(validation.testScores[0]), Array.from(scores));
    assert.throws(() => learningCurve(new KNeighborsClassifier({ nNeighbors: 1 }), X, c.y, { cv, trainSizes: [1] }), /groups/);
  });
  it('a splitter that ignores groups is unaffected by them', () => {
    const a = crossValidate(new KNeighborsClassifier({ nNeighbors: 3 }), X, c.y, { cv: new KFold({ nSplits: 4 }), groups: c.groups });
    const b = crossValidate(new KNeighborsClassifier({ nNeighbors: 3 }), X, c.y, { cv: new KFold({ nSplits: 4 }) });
    assert.deepEqual(Array.from(a.testScore), Array.from(b.testScore));
  });
});

describe('group splitters on hostile input', () => {
  it('rejects missing or mismatched groups and impossible splits', () => {
    const X = new Array(10).fill(0);
    assert.throws(() => [...new GroupKFold({ nSplits: 2 }).split(X)], ValueError);
    assert.throws(() => [...new GroupKFold({ nSplits: 2 }).split(X, null, [0, 1])], ValueError);
    assert.throws(() => [...new GroupKFold({ nSplits: 3 }).split(X, null, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1])], /number of groups/);
    assert.throws(() => [...new StratifiedGroupKFold({ nSplits: 2 }).split(X, null, X)], ValueError);
    assert.throws(
      () => [
        ...new StratifiedGroupKFold({ nSplits: 2 }).split(
          X,
          X.map((_, i) => i * 0.5),
          X,
        ),
      ],
      /continuous/,
    );
    assert.throws(() => new StratifiedGroupKFold({ randomState: 1 }), ValueError);
    assert.throws(() => new GroupKFold({ n_splits: 3 } as never), /nSplits/);
    assert.throws(() => new TimeSeriesSplit({ nSplits: 1 }), ValueError);
    assert.throws(() => new TimeSeriesSplit({ gap: -1 }), ValueError);
    assert.throws(() => [...new TimeSeriesSplit({ nSplits: 5 }).split(new Array(5).fill(0))], /folds/);
    assert.throws(() => [...new TimeSeriesSplit({ nSplits: 3, testSize: 3, gap: 2 }).split(new Array(10).fill(0))], /Too many splits/);
  });
});
