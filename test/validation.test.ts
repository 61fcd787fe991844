import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NotFittedError, ShapeError, ValueError } from '../src/errors.js';
import { BaseEstimator, BaseRegressor, checkIsFitted, clone, paramsEqual } from '../src/models/base.js';
import { Generator } from '../src/tensor/random.js';
import { Tensor, tensor } from '../src/tensor/tensor.js';
import {
  checkConsistentLength,
  checkMinClasses,
  checkNFeatures,
  checkSampleWeight,
  checkXLabels,
  checkXy,
  encodeLabels,
  encodeWithClasses,
  sortLabels,
  takeRows,
  toLabels,
  toMatrix,
  toVector,
  type MatrixInput,
  type VectorInput,
} from '../src/utils/validation.js';
import { estimatorChecks, runEstimatorChecks } from './helpers/check-estimator.js';
import { ToyRidge } from './helpers/toy-estimators.js';

describe('toMatrix', () => {
  const expected = { data: Float64Array.from([1, 2, 3, 4, 5, 6]), rows: 3, cols: 2 };
  it('accepts every matrix form', () => {
    assert.deepEqual(
      toMatrix([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      expected,
    );
    assert.deepEqual(toMatrix({ data: [1, 2, 3, 4, 5, 6], shape: [3, 2] }), expected);
    assert.deepEqual(toMatrix({ data: new Int32Array([1, 2, 3, 4, 5, 6]), shape: [3, 2] }), expected);
    assert.deepEqual(toMatrix(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] }), expected);
    assert.deepEqual(
      toMatrix(
        tensor([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
      ),
      expected,
    );
    assert.deepEqual(toMatrix(expected), expected);
  });
  it('does not copy float64 data unless asked', () => {
    const data = new Float64Array(4);
    assert.equal(toMatrix({ data, shape: [2, 2] }).data, data);
    assert.notEqual(toMatrix({ data, shape: [2, 2] }, { copy: true }).data, data);
  });
  it('names NaN and infinity with row and column', () => {
    assert.throws(
      () =>
        toMatrix([
          [1, 2],
          [3, Number.NaN],
        ]),
      (e: Error) => e instanceof ValueError && /X contains NaN at row 1, column 1/.test(e.message),
    );
    assert.throws(() => toMatrix({ data: [1, Number.NEGATIVE_INFINITY], shape: [1, 2] }, { name: 'Xtest' }), /Xtest contains -infinity at row 0, column 1/);
    assert.throws(() => toMatrix(new Tensor(new Float32Array([0, Infinity, 0, 0]), [2, 2])), /infinity at row 0, column 1/);
    assert.equal(toMatrix([[Number.NaN]], { allowNaN: true }).data[0], Number.NaN);
    assert.throws(() => toMatrix([[Infinity]], { allowNaN: true }), ValueError);
  });
  it('reports ragged rows, 1-D input, wrong types and empty input', () => {
    assert.throws(
      () => toMatrix([[1, 2], [3]]),
      (e: Error) => e instanceof ShapeError && /row 1 has length 1, expected 2/.test(e.message),
    );
    assert.throws(
      () => toMatrix([1, 2, 3] as unknown as MatrixInput),
      (e: Error) => e instanceof ShapeError && /got a 1-D array of length 3/.test(e.message),
    );
    assert.throws(
      () => toMatrix(tensor([1, 2, 3])),
      (e: Error) => e instanceof ShapeError && /1-D array of shape \[3\]/.test(e.message),
    );
    assert.throws(() => toMatrix([[1, 'a' as unknown as number]]), /row 0, column 1 is a string \('a'\)/);
    assert.throws(
      () => toMatrix([]),
      (e: Error) => e instanceof ValueError && /found 0 sample/.test(e.message),
    );
    assert.throws(() => toMatrix([[]]), /0 feature/);
    assert.throws(() => toMatrix({ data: [1, 2, 3], shape: [2, 2] }), ShapeError);
    assert.throws(() => toMatrix(new Float64Array(4)), /has no shape/);
  });
});

describe('toVector and labels', () => {
  it('toVector accepts arrays, typed arrays and 1-D or column tensors', () => {
    const exp = Float64Array.from([1, 2, 3]);
    assert.deepEqual(toVector([1, 2, 3]), exp);
    assert.deepEqual(toVector(new Int32Array([1, 2, 3])), exp);
    assert.deepEqual(toVector(tensor([[1], [2], [3]])), exp);
    assert.throws(
      () =>
        toVector(
          tensor([
            [1, 2],
            [3, 4],
          ]),
        ),
      ShapeError,
    );
    assert.throws(() => toVector([1, Number.NaN]), /y\[1\] is NaN/);
    assert.throws(() => toVector([1, '2' as unknown as number]), ValueError);
    assert.throws(() => toVector([]), /empty/);
  });
  it('toLabels sorts like scikit-learn', () => {
    const n = toLabels([3, -1, 10, 3]);
    assert.deepEqual(n.classes, [-1, 3, 10]);
    assert.deepEqual(Array.from(n.codes), [1, 0, 2, 1]);
    const s = toLabels(['b', 'B', 'a', 'ä', 'b']);
    assert.deepEqual(s.classes, ['B', 'a', 'b', 'ä']);
    assert.equal(s.kind, 'string');
    assert.deepEqual(sortLabels(['\u{1F600}', '\uFF01']), ['\uFF01', '\u{1F600}'], 'code point order, not UTF-16 order');
  });
  it('rejects mixed and invalid labels', () => {
    assert.throws(
      () => toLabels([1, 'a'] as never),
      (e: Error) => e instanceof ValueError && /mixes label types/.test(e.message),
    );
    assert.throws(() => toLabels([1, Number.NaN]), /finite numbers or strings/);
    assert.throws(() => toLabels([null, 1] as never), ValueError);
    assert.throws(() => encodeLabels([['a'], [1]]), /Mix of label input types/);
  });
  it('encodeWithClasses reports unseen labels', () => {
    assert.deepEqual(Array.from(encodeWithClasses(['b', 'a'], ['a', 'b'])), [1, 0]);
    assert.throws(() => encodeWithClasses(['c'], ['a', 'b']), /previously unseen labels: \["c"\]/);
  });
});

describe('checks for estimators', () => {
  it('checkConsistentLength and checkXy', () => {
    assert.throws(
      () => checkConsistentLength(['X', 10], ['y', 9]),
      (e: Error) => e instanceof ShapeError && /X has 10, y has 9/.test(e.message),
    );
    assert.throws(() => checkXy([[1], [2]], [1]), ShapeError);
    const { X, y } = checkXy([[1], [2]], new Float32Array([3, 4]));
    assert.equal(X.rows, 2);
    assert.deepEqual(Array.from(y), [3, 4]);
  });
  it('classifiers need two classes', () => {
    assert.throws(
      () => checkXLabels([[1], [2]], ['a', 'a'], 'LogisticRegression'),
      (e: Error) => e instanceof ValueError && /LogisticRegression needs samples of at least 2 classes.*only one class: "a"/.test(e.message),
    );
    assert.throws(() => checkMinClasses([], 'SVC'), /no labels/);
    assert.deepEqual(checkXLabels([[1], [2]], [5, 3], 'SVC').classes, [3, 5]);
  });
  it('checkNFeatures, checkSampleWeight, takeRows', () => {
    assert.throws(() => checkNFeatures(toMatrix([[1, 2]]), 3, 'Ridge'), /X has 2 features, but Ridge is expecting 3 features as input/);
    assert.equal(checkSampleWeight(undefined, 3), null);
    assert.throws(() => checkSampleWeight([1, 2], 3), ShapeError);
    assert.throws(() => checkSampleWeight([1, -2], 2, { nonNegative: true }), /sampleWeight\[1\]/);
    assert.deepEqual(
      takeRows(
        toMatrix([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
        [2, 0],
      ),
      toMatrix([
        [5, 6],
        [1, 2],
      ]),
    );
  });
});

interface DemoParams {
  alpha: number;
  inner: ToyRidge | null;
  weights: number[];
  randomState: Generator | number | null;
}

class Demo extends BaseEstimator<DemoParams> {
  constructor(params: Partial<DemoParams> = {}) {
    super(params, { alpha: 1, inner: null, weights: [1, 2], randomState: null });
  }
  override fit(): this {
    this.markFitted();
    return this;
  }
  predict(): Float64Array {
    this.checkFitted();
    return new Float64Array(0);
  }
}

describe('BaseEstimator', () => {
  it('getParams lists defaults and nested params', () => {
    const d = new Demo({ inner: new ToyRidge({ alpha: 3 }) });
    assert.deepEqual(Object.keys(d.getParams({ deep: false })), ['alpha', 'inner', 'weights', 'randomState']);
    const deep = d.getParams();
    assert.equal(deep.inner__alpha, 3);
    assert.equal(deep.inner__fitIntercept, true);
  });
  it('setParams sets own and nested params, rejects unknown names', () => {
    const d = new Demo({ inner: new ToyRidge() });
    assert.equal(d.setParams({ alpha: 2, inner__alpha: 5 }), d);
    assert.equal(d.getParams().alpha, 2);
    assert.equal(d.getParams().inner__alpha, 5);
    assert.throws(() => d.setParams({ beta: 1 }), /Invalid parameter 'beta' for estimator Demo. Valid parameters are: alpha, inner, randomState, weights/);
    assert.throws(() => d.setParams({ alpha__x: 1 }), /'alpha' is not an estimator/);
    assert.throws(() => new Demo({ beta: 1 } as never), /Demo: unknown option 'beta'; valid options are: alpha, inner, randomState, weights/);
  });
  it('unknown parameters suggest the camelCase name', () => {
    assert.throws(
      () => new Demo({ random_state: 1 } as never),
      (e: Error) => e instanceof ValueError && /unknown option 'random_state' \(did you mean 'randomState'\?\)/.test(e.message),
    );
    assert.throws(
      () => new Demo().setParams({ random_state: 1 }),
      (e: Error) => e instanceof ValueError && /Invalid parameter 'random_state' for estimator Demo \(did you mean 'randomState'\?\)/.test(e.message),
    );
  });
  it('clone deep-copies params and gives an unfitted estimator', () => {
    const g = new Generator(5);
    const d = new Demo({ inner: new ToyRidge({ alpha: 7 }), randomState: g }).fit();
    const c = clone(d);
    assert.ok(c instanceof Demo);
    assert.equal(c.isFitted, false);
    assert.throws(
      () => c.predict(),
      (e: Error) => e instanceof NotFittedError && e.message === 'Demo is not fitted yet: call fit(X, y) first',
    );
    const p = c.getParams({ deep: false });
    assert.notEqual(p.inner, d.getParams({ deep: false }).inner);
    assert.notEqual(p.weights, d.getParams({ deep: false }).weights);
    assert.notEqual(p.randomState, g);
    assert.ok(paramsEqual(p, d.getParams({ deep: false })));
    assert.equal((p.randomState as Generator).random(), g.random(), 'a cloned Generator continues from the same state');
  });
  it('checkIsFitted with attributes', () => {
    assert.throws(() => checkIsFitted({ coef: undefined, predict() {} }, ['coef']), /call fit\(X, y\) first/);
    assert.throws(() => checkIsFitted({ mean: undefined }, ['mean']), /call fit\(X\) first/);
    checkIsFitted({ coef: 1 }, ['coef']);
  });
});

// checkEstimator must catch broken estimators, not only pass good ones.
class NoReturn extends ToyRidge {
  override fit(X: MatrixInput, y: VectorInput): this {
    super.fit(X, y);
    return undefined as unknown as this;
  }
}
class NoNaNCheck extends BaseRegressor<{ k: number }> {
  private m = 0;
  constructor(p: Partial<{ k: number }> = {}) {
    super(p, { k: 1 });
  }
  override fit(X: MatrixInput, y: VectorInput): this {
    const v = y as number[];
    this.m = v.reduce((a, b) => a + b, 0) / v.length;
    this.nFeaturesIn = (X as number[][])[0]?.length;
    this.markFitted();
    return this;
  }
  override predict(X: MatrixInput): Float64Array {
    this.checkFitted();
    return new Float64Array((X as number[][]).length).fill(this.m);
  }
}

/** ToyRidge without its finiteness check: on features of 1e300 it predicts NaN silently. */
class UncheckedToyRidge extends ToyRidge {
  protected override rejectsNonFinite = false;
}
/** A fit that spins on huge features (stands for an unbounded solver loop). */
class SpinsOnHugeFeatures extends ToyRidge {
  override fit(X: MatrixInput, y: VectorInput): this {
    if (Math.abs((X as number[][])[0][0]) > 1e50) {
      const until = performance.now() + 300;
      while (performance.now() < until) {
        /* spin */
      }
    }
    return super.fit(X, y);
  }
}

describe('checkEstimator', () => {
  it('passes a conforming estimator', () => {
    runEstimatorChecks(() => new ToyRidge(), { kind: 'regressor' });
  });
  it('catches fit not returning this', () => {
    const failing = estimatorChecks(() => new NoReturn(), { kind: 'regressor' }).find((c) => c.name === 'fit returns this')!;
    assert.throws(() => failing.run(), /must return the estimator itself/);
  });
  it('catches missing validation', () => {
    assert.throws(
      () => runEstimatorChecks(() => new NoNaNCheck(), { kind: 'regressor' }),
      (e: Error) => /rejects NaN and infinity/.test(e.message) && /validates shapes/.test(e.message),
    );
  });
  it('catches NaN predictions on huge features', () => {
    const check = estimatorChecks(() => new UncheckedToyRidge(), { kind: 'regressor' }).find((c) => c.name.startsWith('huge features'))!;
    assert.throws(() => check.run(), /features x1e\+300: element \d+ is NaN/);
  });
  it('catches a fit that runs past the time bound on huge features', () => {
    const check = estimatorChecks(() => new SpinsOnHugeFeatures(), { kind: 'regressor', hugeFeaturesSeconds: 0.2 }).find((c) => c.name.startsWith('huge features'))!;
    assert.throws(() => check.run(), /over the 0.2 s bound/);
  });
  it('rejects unknown check names in skip', () => {
    assert.throws(() => estimatorChecks(() => new ToyRidge(), { kind: 'regressor', skip: ['nope'] }), /unknown check 'nope'/);
  });
});
