/**
 * Decision trees against scikit-learn (test/fixtures/sklearn-tree.json,
 * from scripts/make-sklearn-tree-fixtures.py): on data without ties the
 * tree is scikit-learn's node for node, so structure, thresholds,
 * impurities, predictions, leaf ids, importances and the pruning path agree.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecisionTreeClassifier, DecisionTreeRegressor } from '../src/models/tree/index.js';
import { LimitError, NotFittedError, ShapeError, ValueError } from '../src/errors.js';
import { assertClose, camelKeys, loadFixture } from './helpers/fixtures.js';

interface TreeFixture {
  kind: 'classifier' | 'regressor';
  /** The tree does not depend on the order features are drawn in (no tied splits). */
  exact: boolean;
  params: Record<string, unknown>;
  X: number[][];
  y: number[];
  X_test: number[][];
  sample_weight: number[] | null;
  tree: {
    children_left: number[];
    children_right: number[];
    feature: number[];
    threshold: number[];
    impurity: number[];
    n_node_samples: number[];
    weighted_n_node_samples: number[];
    value: number[];
    max_depth: number;
    n_leaves: number;
  };
  predict: number[];
  apply: number[];
  feature_importances: number[];
  predict_proba?: number[];
  ccp_alphas?: number[];
  impurities?: number[];
}

const fixtures = loadFixture<Record<string, TreeFixture>>('sklearn-tree');

function make(fx: TreeFixture): DecisionTreeClassifier | DecisionTreeRegressor {
  const params = { ...camelKeys(fx.params), randomState: 0 };
  return fx.kind === 'classifier' ? new DecisionTreeClassifier(params) : new DecisionTreeRegressor(params);
}

describe('decision trees match scikit-learn', () => {
  for (const [name, fx] of Object.entries(fixtures)) {
    it(name, () => {
      const est = make(fx);
      est.fit(fx.X, fx.y, fx.sample_weight ?? undefined);
      const t = est.tree!;
      const e = fx.tree;
      // Where splits tie, the feature drawn first wins (scikit-learn and Frugal draw differently): only the root is compared then.
      assert.equal(t.feature[0], e.feature[0], 'root feature');
      assert.equal(t.threshold[0], e.threshold[0], 'root threshold');
      assertClose(t.impurity[0], e.impurity[0], 1e-12, 'root impurity');
      if (!fx.exact) {
        const [l, r] = [t.childrenLeft[0], t.childrenRight[0]];
        const [el, er] = [e.children_left[0], e.children_right[0]];
        assert.deepEqual([t.nNodeSamples[l], t.nNodeSamples[r]], [e.n_node_samples[el], e.n_node_samples[er]], 'root children sizes');
        assertClose([t.impurity[l], t.impurity[r]], [e.impurity[el], e.impurity[er]], 1e-9, 'root children impurities');
        return;
      }
      assert.equal(t.nodeCount, e.children_left.length, 'node count');
      assert.deepEqual(Array.from(t.childrenLeft), e.children_left);
      assert.deepEqual(Array.from(t.childrenRight), e.children_right);
      assert.deepEqual(Array.from(t.feature), e.feature);
      assertClose(t.threshold, e.threshold, 0, 'threshold');
      assertClose(t.impurity, e.impurity, 1e-9, 'impurity');
      assert.deepEqual(Array.from(t.nNodeSamples), e.n_node_samples);
      assertClose(t.weightedNNodeSamples, e.weighted_n_node_samples, 1e-12, 'weighted');
      assertClose(t.value, e.value, 1e-9, 'value');
      assert.equal(est.getDepth(), e.max_depth);
      assert.equal(est.getNLeaves(), e.n_leaves);
      assert.deepEqual(Array.from(est.apply(fx.X_test)), fx.apply);
      if (est instanceof DecisionTreeClassifier) {
        assert.deepEqual(est.predict(fx.X_test), fx.predict);
        assertClose(est.predictProba(fx.X_test).data, fx.predict_proba!, 1e-12, 'proba');
      } else {
        assertClose(est.predict(fx.X_test), fx.predict, 1e-9, 'predict');
      }
      assertClose(est.featureImportances, fx.feature_importances, 1e-9, 'importances');
      if (fx.ccp_alphas) {
        const unpruned = make({ ...fx, params: { ...fx.params, ccp_alpha: 0 } });
        const path = (unpruned as DecisionTreeClassifier).costComplexityPruningPath(fx.X, fx.y, fx.sample_weight ?? undefined);
        assertClose(path.ccpAlphas, fx.ccp_alphas, 1e-9, 'ccpAlphas');
        assertClose(path.impurities, fx.impurities!, 1e-9, 'impurities');
      }
    });
  }
});

describe('decision tree behaviour', () => {
  const X = [
    [0, 0],
    [1, 1],
    [0, 1],
    [1, 0],
    [2, 2],
    [2, 0],
  ];
  const y = ['a', 'b', 'a', 'b', 'c', 'c'];

  it('fits the training set exactly when grown fully, with string labels', () => {
    const est = new DecisionTreeClassifier({ randomState: 0 }).fit(X, y);
    assert.deepEqual(est.predict(X), y);
    assert.equal(est.score(X, y), 1);
  });

  it('depth-limited tree: one split', () => {
    const est = new DecisionTreeRegressor({ maxDepth: 1 }).fit([[0], [1], [2], [3]], [0, 0, 10, 10]);
    assert.equal(est.getNLeaves(), 2);
    assert.equal(est.tree!.threshold[0], 1.5);
    assert.deepEqual(Array.from(est.predict([[0.5], [2.5]])), [0, 10]);
  });

  it('zero sample weights drop samples', () => {
    const est = new DecisionTreeRegressor().fit([[0], [1], [2]], [1, 100, 3], [1, 0, 1]);
    assert.equal(est.tree!.nNodeSamples[0], 2);
  });

  it('a constant feature gives a single leaf', () => {
    const est = new DecisionTreeClassifier().fit([[1], [1], [1], [1]], [0, 1, 0, 1]);
    assert.equal(est.getNLeaves(), 1);
    assertClose(est.predictProba([[1]]).data, [0.5, 0.5]);
  });

  it('rejects bad parameters with ValueError', () => {
    const bad: Record<string, unknown>[] = [
      { criterion: 'mse' },
      { splitter: 'worst' },
      { maxDepth: 0 },
      { maxDepth: 1.5 },
      { minSamplesSplit: 0 },
      { minSamplesSplit: 1.5 },
      { minSamplesLeaf: 0 },
      { minSamplesLeaf: 0.7 },
      { minWeightFractionLeaf: 0.6 },
      { maxFeatures: 0 },
      { maxFeatures: 5 },
      { maxFeatures: 'half' },
      { maxLeafNodes: 1 },
      { minImpurityDecrease: -1 },
      { ccpAlpha: -0.1 },
      { ccpAlpha: Number.NaN },
    ];
    for (const params of bad) assert.throws(() => new DecisionTreeClassifier(params).fit(X, y), ValueError, JSON.stringify(params));
    assert.throws(() => new DecisionTreeRegressor({ criterion: 'gini' as never }).fit(X, [1, 2, 3, 4, 5, 6]), ValueError);
    assert.throws(() => new DecisionTreeClassifier({ max_depth: 3 } as never), /maxDepth/);
  });

  it('rejects hostile inputs with typed errors', () => {
    assert.throws(() => new DecisionTreeClassifier().fit(X, y, [1, 1, 1]), ShapeError);
    assert.throws(() => new DecisionTreeClassifier().fit(X, y, [1, 1, 1, 1, 1, -1]), ValueError);
    assert.throws(() => new DecisionTreeClassifier().fit(X, y, [0, 0, 0, 0, 0, 0]), /sum to 0/);
    assert.throws(() => new DecisionTreeRegressor().fit([[1e300]], [1]), ValueError, 'beyond float32');
    assert.throws(() => new DecisionTreeRegressor().predict(X), NotFittedError);
    const est = new DecisionTreeRegressor().fit([[0], [1]], [0, 1]);
    assert.throws(() => est.predict([[1e39]]), ValueError);
    assert.throws(() => est.predict([[1, 2]]), ShapeError);
    void LimitError;
  });

  it('cost-complexity pruning with a large alpha leaves the root', () => {
    const est = new DecisionTreeClassifier({ ccpAlpha: 10 }).fit(X, y);
    assert.equal(est.tree!.nodeCount, 1);
    assert.equal(est.getDepth(), 0);
  });
});
