/**
 * MLPClassifier / MLPRegressor (their conformance entries are in
 * estimator-conformance.test.ts): scikit-learn's training runs reproduced
 * from the same initial weights, what they learn, their training curves and early stopping, the checks of hostile
 * hyper-parameters, and the gradient of the loss they minimise against
 * finite differences in float64.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MLPClassifier, MLPRegressor, NumericalError, ValueError, loadIris, makeRegression, StandardScaler, Tensor } from '../src/index.js';
import { bceWithLogits, crossEntropy } from '../src/nn/losses/classification.js';
import { assertClose, camelKeys, loadFixture } from './helpers/fixtures.js';

const SMALL = { hiddenLayerSizes: [8], maxIter: 30 } as const;

interface SklearnMLPCase {
  name: string;
  estimator: 'MLPClassifier' | 'MLPRegressor';
  params: Record<string, unknown>;
  X: number[][];
  y: (number | string)[];
  initialCoefs: number[][];
  initialIntercepts: number[][];
  coefs: number[][];
  intercepts: number[][];
  lossCurve: number[];
  nIter: number;
  bestLoss: number;
  predictProba?: number[];
  predict: (number | string)[];
}

/** The layers' weights [W₀, b₀, W₁, b₁, …] as trainable tensors. */
function weightTensors(coefs: number[][], intercepts: number[][], units: readonly number[]): Tensor[] {
  return coefs.flatMap((w, l) => [
    new Tensor(Float64Array.from(w), [units[l], units[l + 1]], { requiresGrad: true }),
    new Tensor(Float64Array.from(intercepts[l]), [units[l + 1]], { requiresGrad: true }),
  ]);
}

/** Estimators that start from given weights (scikit-learn's, from the fixture) instead of drawing their own. */
class ClassifierFrom extends MLPClassifier {
  start: [number[][], number[][]] = [[], []];
  protected override initialWeights(units: readonly number[]): Tensor[] {
    return weightTensors(...this.start, units);
  }
}
class RegressorFrom extends MLPRegressor {
  start: [number[][], number[][]] = [[], []];
  protected override initialWeights(units: readonly number[]): Tensor[] {
    return weightTensors(...this.start, units);
  }
}

describe('MLPClassifier / MLPRegressor reproduce scikit-learn from the same initial weights (solver adam, shuffle off)', () => {
  // scripts/make-sklearn-mlp-fixtures.py; early stopping is left out: scikit-learn's validation split comes from NumPy's generator.
  const { cases } = loadFixture<{ cases: SklearnMLPCase[] }>('sklearn-mlp');
  for (const c of cases) {
    it(`${c.estimator}: ${c.name}`, () => {
      const params = { ...camelKeys(c.params), shuffle: false };
      const model = c.estimator === 'MLPClassifier' ? new ClassifierFrom(params) : new RegressorFrom(params);
      model.start = [c.initialCoefs, c.initialIntercepts];
      model.fit(c.X, c.y as never);
      assert.equal(model.nIter, c.nIter);
      assertClose(model.lossCurve, c.lossCurve, 1e-10, 'lossCurve');
      assertClose(model.bestLoss, c.bestLoss, 1e-10, 'bestLoss');
      assertClose(model.coefs, c.coefs, 1e-10, 'coefs');
      assertClose(model.intercepts, c.intercepts, 1e-10, 'intercepts');
      if (model instanceof MLPClassifier) {
        assertClose(model.predictProba(c.X).data, c.predictProba, 1e-10, 'predictProba');
        assert.deepEqual(model.predict(c.X), c.predict);
      } else {
        assertClose(model.predict(c.X), c.predict, 1e-10, 'predict');
      }
    });
  }
});

function iris(): { X: Tensor; y: number[] } {
  const { data, target } = loadIris({ dtype: 'float64' });
  return { X: new StandardScaler().fitTransform(data), y: Array.from(target.data) };
}

describe('MLPClassifier', () => {
  it('learns iris (three classes, softmax output) and gives probabilities that sum to 1', () => {
    const { X, y } = iris();
    const model = new MLPClassifier({ hiddenLayerSizes: [16], learningRateInit: 0.01, maxIter: 200, randomState: 0 }).fit(X, y);
    assert.ok(model.score(X, y) > 0.95, `accuracy ${model.score(X, y)}`);
    assert.equal(model.outActivation, 'softmax');
    const P = model.predictProba(X);
    assert.deepEqual(P.shape, [150, 3]);
    for (let i = 0; i < 150; i++) assert.ok(Math.abs(P.data[3 * i] + P.data[3 * i + 1] + P.data[3 * i + 2] - 1) < 1e-12);
  });

  it('uses one logistic unit for two classes, and keeps string labels', () => {
    const { X, y } = iris();
    const rows = y.map((c, i) => (c < 2 ? i : -1)).filter((i) => i >= 0);
    const Xb = new Tensor(Float64Array.from(rows.flatMap((i) => Array.from(X.data.subarray(4 * i, 4 * i + 4)))), [rows.length, 4]);
    const yb = rows.map((i) => (y[i] === 0 ? 'setosa' : 'versicolor'));
    const model = new MLPClassifier({ hiddenLayerSizes: [4], learningRateInit: 0.01, randomState: 1 }).fit(Xb, yb);
    assert.equal(model.outActivation, 'logistic');
    assert.deepEqual(
      model.coefs!.map((w) => w.length),
      [4 * 4, 4 * 1],
    );
    assert.deepEqual(model.classes, ['setosa', 'versicolor']);
    assert.equal(model.score(Xb, yb), 1);
  });

  it('with earlyStopping keeps per-epoch validation scores, losses and train scores, and the best weights', () => {
    const { X, y } = iris();
    const model = new MLPClassifier({ hiddenLayerSizes: [16], learningRateInit: 0.01, earlyStopping: true, nIterNoChange: 5, randomState: 3 }).fit(X, y);
    const n = model.nIter!;
    assert.equal(model.lossCurve!.length, n);
    assert.equal(model.validationScores!.length, n);
    assert.equal(model.validationLossCurve!.length, n);
    assert.equal(model.trainScores!.length, n);
    assert.equal(model.bestValidationScore, Math.max(...model.validationScores!));
    assert.ok(n < 200, `stopped after ${n} epochs`);
  });

  it('is repeatable with a seed and differs with another', () => {
    const { X, y } = iris();
    const a = new MLPClassifier({ ...SMALL, randomState: 5 }).fit(X, y);
    const b = new MLPClassifier({ ...SMALL, randomState: 5 }).fit(X, y);
    const c = new MLPClassifier({ ...SMALL, randomState: 6 }).fit(X, y);
    assert.deepEqual(a.coefs, b.coefs);
    assert.notDeepEqual(a.coefs, c.coefs);
  });
});

describe('MLPRegressor', () => {
  it('fits a linear target with R² > 0.99', () => {
    const { X, y } = makeRegression({ nSamples: 200, nFeatures: 5, noise: 0.1, randomState: 0 });
    const model = new MLPRegressor({ hiddenLayerSizes: [32], learningRateInit: 0.01, maxIter: 500, randomState: 0 }).fit(X, y);
    assert.ok(model.score(X, y) > 0.99, `R² ${model.score(X, y)}`);
    assert.equal(model.lossCurve!.length, model.nIter);
    assert.equal(model.bestLoss, Math.min(...model.lossCurve!));
  });

  it('stops on a loss plateau before maxIter', () => {
    const X = [[0], [1], [2], [3]];
    const model = new MLPRegressor({ hiddenLayerSizes: [2], maxIter: 5000, tol: 1e-2, randomState: 0 }).fit(X, [0, 0, 0, 0]);
    assert.ok(model.nIter! < 5000);
  });
});

describe('MLP hyper-parameters are checked', () => {
  const X = [[0], [1], [2], [3]];
  const y = [0, 1, 0, 1];
  const bad: [string, Record<string, unknown>][] = [
    ['hiddenLayerSizes', { hiddenLayerSizes: [0] }],
    ['hiddenLayerSizes', { hiddenLayerSizes: [2.5] }],
    ['activation', { activation: 'softsign' }],
    ['alpha', { alpha: -1 }],
    ['batchSize', { batchSize: 0 }],
    ['learningRateInit', { learningRateInit: 0 }],
    ['maxIter', { maxIter: Number.POSITIVE_INFINITY }],
    ['validationFraction', { validationFraction: 1 }],
    ['nIterNoChange', { nIterNoChange: 0 }],
  ];
  for (const [name, params] of bad) {
    it(`rejects ${JSON.stringify(params)}`, () => {
      assert.throws(
        () => new MLPClassifier(params).fit(X, y),
        (e: unknown) => e instanceof ValueError && e.message.includes(name),
      );
    });
  }

  it('refuses a network of more weights than MAX_MLP_WEIGHTS before allocating it', () => {
    assert.throws(
      () => new MLPRegressor({ hiddenLayerSizes: [100_000, 100_000] }).fit(X, [0, 1, 2, 3]),
      (e: unknown) => e instanceof ValueError && /weights/.test(e.message),
    );
  });

  it('rejects an unknown option with the valid names', () => {
    assert.throws(
      () => new MLPClassifier({ hidden_layer_sizes: [3] } as never),
      (e: unknown) => e instanceof ValueError && /hiddenLayerSizes/.test(e.message),
    );
  });

  it('reports a diverging loss as a NumericalError instead of returning NaN weights', () => {
    assert.throws(
      () => new MLPRegressor({ hiddenLayerSizes: [4], learningRateInit: 1e6, maxIter: 50, randomState: 0 }).fit([[1e150], [2e150], [3e150]], [1e150, 2e150, 3e150]),
      (e: unknown) => e instanceof NumericalError && /loss became/.test(e.message),
    );
  });
});

describe('the MLP losses match finite differences (float64)', () => {
  // The estimators minimise crossEntropy / bceWithLogits / ½·MSE over x·W + b through autograd: check those gradients.
  const x = new Tensor(Float64Array.from([0.3, -1.2, 0.7, 0.5, 2.0, -0.4]), [3, 2]);
  const numeric = (f: (w: Float64Array) => number, w: Float64Array): Float64Array => {
    const h = 1e-6;
    return w.map((_, k) => {
      const plus = Float64Array.from(w);
      const minus = Float64Array.from(w);
      plus[k] += h;
      minus[k] -= h;
      return (f(plus) - f(minus)) / (2 * h);
    });
  };
  const cases: [string, number, (out: Tensor) => Tensor][] = [
    ['softmax cross-entropy', 3, (out) => crossEntropy(out, new Tensor(Int32Array.from([0, 2, 1]), [3]))],
    ['logistic', 1, (out) => bceWithLogits(out, new Tensor(Float64Array.from([1, 0, 1]), [3, 1]))],
    [
      'squared',
      1,
      (out) =>
        out
          .sub(new Tensor(Float64Array.from([0.5, -1, 2]), [3, 1]))
          .square()
          .mean()
          .mul(0.5),
    ],
  ];
  for (const [name, outputs, loss] of cases) {
    it(name, () => {
      const w0 = Float64Array.from({ length: 2 * outputs }, (_, k) => 0.1 * k - 0.2);
      const value = (w: Float64Array, grad = false): Tensor => {
        const W = new Tensor(w, [2, outputs], { requiresGrad: grad });
        const out = loss(x.matmul(W));
        if (grad) {
          out.backward();
          return W.grad!;
        }
        return out;
      };
      const analytic = value(Float64Array.from(w0), true).data;
      const expected = numeric((w) => value(w).item(), w0);
      for (let k = 0; k < w0.length; k++) assert.ok(Math.abs(analytic[k] - expected[k]) < 1e-7, `${name}[${k}]: ${analytic[k]} vs ${expected[k]}`);
    });
  }
});
