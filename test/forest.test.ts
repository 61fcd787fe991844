/**
 * Forests: scores against scikit-learn's (test/fixtures/sklearn-tree-forest.json:
 * forests are random, so the reference is scikit-learn's mean test score
 * over five seeds, and Frugal's mean over five seeds must be close), out-of-bag
 * estimates, importances, the same forest on any number of threads, and
 * parameter checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor } from '../src/models/tree/index.js';
import { ValueError } from '../src/errors.js';
import { makeClassification } from '../src/datasets/generators.js';
import { camelKeys, loadFixture } from './helpers/fixtures.js';

interface ForestFixture {
  kind: 'classifier' | 'regressor';
  estimator: string;
  params: Record<string, unknown>;
  X_train: number[][];
  y_train: number[];
  X_test: number[][];
  y_test: number[];
  score_mean: number;
  score_std: number;
  oob_score_mean: number | null;
  feature_importances_mean: number[];
}

const fixtures = loadFixture<Record<string, ForestFixture>>('sklearn-tree-forest');
const CLASSES = { RandomForestClassifier, RandomForestRegressor, ExtraTreesClassifier, ExtraTreesRegressor } as const;

type AnyForest = RandomForestClassifier | RandomForestRegressor | ExtraTreesClassifier | ExtraTreesRegressor;

function make(fx: ForestFixture, seed: number, extra: Record<string, unknown> = {}): AnyForest {
  const Ctor = CLASSES[fx.estimator as keyof typeof CLASSES] as unknown as new (p: Record<string, unknown>) => AnyForest;
  return new Ctor({ ...camelKeys(fx.params), randomState: seed, ...extra });
}

const mean = (a: number[]): number => a.reduce((s, x) => s + x, 0) / a.length;

describe('forests score like scikit-learn', () => {
  for (const [name, fx] of Object.entries(fixtures)) {
    it(name, () => {
      const scores: number[] = [];
      const oobs: number[] = [];
      const importances = new Float64Array(fx.feature_importances_mean.length);
      for (let seed = 0; seed < 5; seed++) {
        const est = make(fx, seed).fit(fx.X_train, fx.y_train);
        scores.push(est.score(fx.X_test, fx.y_test));
        if (est.oobScore !== undefined) oobs.push(est.oobScore);
        est.featureImportances.forEach((v, f) => {
          importances[f] += v / 5;
        });
      }
      // Five seeds each side: means agree within a few of the reference's standard deviations (and an absolute floor).
      const tol = Math.max(0.03, 4 * fx.score_std);
      assert.ok(Math.abs(mean(scores) - fx.score_mean) <= tol, `mean score ${mean(scores)} vs scikit-learn's ${fx.score_mean} (tolerance ${tol})`);
      if (fx.oob_score_mean !== null) {
        assert.equal(oobs.length, 5);
        assert.ok(Math.abs(mean(oobs) - fx.oob_score_mean) <= 0.04, `mean oob score ${mean(oobs)} vs scikit-learn's ${fx.oob_score_mean}`);
      }
      const sum = importances.reduce((s, x) => s + x, 0);
      assert.ok(Math.abs(sum - 1) < 1e-9, `importances sum to ${sum}`);
      importances.forEach((v, f) => assert.ok(Math.abs(v - fx.feature_importances_mean[f]) <= 0.05, `importance of feature ${f}: ${v} vs ${fx.feature_importances_mean[f]}`));
    });
  }
});

describe('forest behaviour', () => {
  const { X, y } = makeClassification({ nSamples: 1200, nFeatures: 8, nInformative: 4, nClasses: 3, randomState: 1 });

  it('the same forest on one thread and on several (trees seeded one by one)', () => {
    // 1200 samples × 50 trees is above the size where workers start.
    const one = new RandomForestClassifier({ nEstimators: 50, maxDepth: 8, nJobs: 1, randomState: 3 }).fit(X, y);
    const two = new RandomForestClassifier({ nEstimators: 50, maxDepth: 8, nJobs: 2, randomState: 3 }).fit(X, y);
    assert.equal(one.trees!.length, 50);
    for (let t = 0; t < 50; t++) {
      assert.deepEqual(Array.from(two.trees![t].feature), Array.from(one.trees![t].feature), `tree ${t}`);
      assert.deepEqual(Array.from(two.trees![t].threshold), Array.from(one.trees![t].threshold), `tree ${t}`);
    }
    assert.deepEqual(Array.from(two.predictProba(X).data), Array.from(one.predictProba(X).data));
    const r1 = new ExtraTreesRegressor({ nEstimators: 50, nJobs: 1, randomState: 4 }).fit(X, Array.from(y, Number));
    const r2 = new ExtraTreesRegressor({ nEstimators: 50, nJobs: 2, randomState: 4 }).fit(X, Array.from(y, Number));
    assert.deepEqual(Array.from(r2.predict(X)), Array.from(r1.predict(X)));
  });

  it('a seed makes the forest repeatable; another seed changes it', () => {
    const a = new ExtraTreesClassifier({ nEstimators: 5, randomState: 1 }).fit(X, y);
    const b = new ExtraTreesClassifier({ nEstimators: 5, randomState: 1 }).fit(X, y);
    const c = new ExtraTreesClassifier({ nEstimators: 5, randomState: 2 }).fit(X, y);
    assert.deepEqual(Array.from(a.predictProba(X).data), Array.from(b.predictProba(X).data));
    assert.notDeepEqual(Array.from(a.predictProba(X).data), Array.from(c.predictProba(X).data));
  });

  it('out-of-bag decision function: rows of probabilities; oobScore their accuracy', () => {
    const est = new RandomForestClassifier({ nEstimators: 20, oobScore: true, randomState: 0 }).fit(X, y);
    const D = est.oobDecisionFunction!;
    assert.deepEqual(D.shape, [1200, 3]);
    let correct = 0;
    for (let i = 0; i < 1200; i++) {
      const row = Array.from(D.data.subarray(i * 3, i * 3 + 3));
      assert.ok(Math.abs(row[0] + row[1] + row[2] - 1) < 1e-9);
      if (row.indexOf(Math.max(...row)) === y[i]) correct++;
    }
    assert.equal(est.oobScore, correct / 1200);
  });

  it('maxSamples limits each bootstrap sample', () => {
    const est = new RandomForestRegressor({ nEstimators: 3, maxSamples: 100, randomState: 0 }).fit(X, Array.from(y, Number));
    for (const tree of est.trees!) assert.ok(tree.weightedNNodeSamples[0] === 100, `root weight ${tree.weightedNNodeSamples[0]}`);
  });

  it('rejects bad parameters with ValueError', () => {
    const bad: Record<string, unknown>[] = [
      { nEstimators: 0 },
      { nEstimators: 2.5 },
      { bootstrap: 'yes' },
      { bootstrap: false, oobScore: true },
      { bootstrap: false, maxSamples: 0.5 },
      { maxSamples: 5000 },
      { maxSamples: -1 },
      { nJobs: 0 },
      { nJobs: 1.5 },
      { maxFeatures: 'all' },
      { criterion: 'squared_error' },
      { classWeight: 'balanced_everything' },
    ];
    for (const params of bad) assert.throws(() => new RandomForestClassifier({ nEstimators: 2, ...params }).fit(X, y), ValueError, JSON.stringify(params));
    assert.throws(() => new RandomForestClassifier({ nEstimators: 2 }).fit(X, y, new Float64Array(1200)), /sum to 0/);
    assert.throws(() => new RandomForestRegressor({ criterion: 'gini' as never }).fit(X, Array.from(y, Number)), ValueError);
    assert.throws(() => new RandomForestClassifier({ n_estimators: 3 } as never), /nEstimators/);
  });
});
