/**
 * LinearSVC against scikit-learn 1.2.1 (liblinear). The fixtures were fitted
 * with tol 1e-9, so every solver is compared at its converged solution
 * (coefficients to 1e-5 relative); the dual solvers' random sample order
 * differs from liblinear's, which only matters before convergence.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LinearSVC } from '../src/models/svm/index.js';
import { classWeights } from '../src/models/class-weight.js';
import { solveTron, TRON_F32_ELEMENTS } from '../src/models/svm/liblinear-tron.js';
import { ShapeError, ValueError } from '../src/errors.js';
import { Tensor } from '../src/tensor/tensor.js';
import { loadFixture, camelKeys } from './helpers/fixtures.js';
import { checkEstimator } from './helpers/check-estimator.js';

interface LinCase {
  name: string;
  data: string;
  params: Record<string, unknown>;
  probe: number[][];
  coef: number[][];
  intercept: number[];
  predict: number[];
  decision: number[] | number[][];
  nIter: number;
}
interface Fixture {
  data: Record<string, { X: number[][]; y: number[] }>;
  linearsvc: LinCase[];
}
const fx = loadFixture<Fixture>('sklearn-svm');

function values(x: Float64Array | Tensor): number[] {
  return Array.from(x instanceof Tensor ? (x.data as Float64Array) : x);
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= rtol * Math.abs(expected[i]) + atol, `${what}[${i}]: got ${actual[i]}, scikit-learn ${expected[i]}`);
  }
}

describe('LinearSVC matches scikit-learn (liblinear)', () => {
  for (const c of fx.linearsvc) {
    it(c.name, () => {
      const { X, y } = fx.data[c.data];
      const tight = c.params.tol === 1e-9;
      const m = new LinearSVC({ ...camelKeys(c.params), randomState: 0 }).fit(X, y);
      const rtol = tight ? 1e-5 : 1e-3;
      close(values(m.coef!), (c.coef as number[][]).flat(), rtol, rtol * 1e-2, 'coef');
      // (scikit-learn's intercept_ is the scalar 0.0 without fitIntercept; here one zero per row)
      const expectedIntercept = c.params.fit_intercept === false ? new Array(m.intercept!.length).fill(0) : c.intercept;
      close(m.intercept!, expectedIntercept, rtol, rtol * 1e-2, 'intercept');
      const Z = X.concat(c.probe);
      assert.deepEqual(m.predict(Z), c.predict, 'predict');
      close(values(m.decisionFunction(Z)), (c.decision as number[]).flat() as number[], rtol, rtol * 1e-1, 'decisionFunction');
      if (c.params.dual === false && c.params.penalty !== 'l1') assert.ok(Math.abs(m.nIter! - c.nIter) <= 1, `Newton iterations ${m.nIter} vs ${c.nIter}`);
    });
  }
});

describe('LinearSVC behaviour', () => {
  const { X, y } = fx.data.iris3;

  it("dual: 'auto' picks the primal when nSamples > nFeatures, the dual otherwise", () => {
    assert.equal(new LinearSVC().fit(X, y).dualUsed, false);
    assert.equal(new LinearSVC({ loss: 'hinge' }).fit(X, y).dualUsed, true);
    const wide = X.slice(0, 3).map((r) => [...r, ...r]);
    assert.equal(new LinearSVC().fit(wide, [0, 1, 1]).dualUsed, true);
    assert.equal(new LinearSVC({ penalty: 'l1' }).fit(wide, [0, 1, 1]).dualUsed, false);
  });

  it('rejects unsupported combinations and bad values', () => {
    assert.throws(() => new LinearSVC({ penalty: 'l1', loss: 'hinge' }).fit(X, y), /not supported/);
    assert.throws(() => new LinearSVC({ loss: 'hinge', dual: false }).fit(X, y), /not supported when dual=false/);
    assert.throws(() => new LinearSVC({ penalty: 'l1', dual: true }).fit(X, y), /not supported when dual=true/);
    for (const p of [{ C: 0 }, { tol: -1 }, { maxIter: 1.5 }, { interceptScaling: 0 }, { multiClass: 'ovo' }, { penalty: 'l3' }, { dual: 'yes' }]) {
      assert.throws(() => new LinearSVC(p as never).fit(X, y), ValueError, JSON.stringify(p));
    }
    assert.throws(() => new LinearSVC().fit(X, y).predict([[1, 2]]), ShapeError);
  });

  it('the dual solver is repeatable with a seed and stops at maxIter', () => {
    const a = new LinearSVC({ dual: true, randomState: 4, maxIter: 5 }).fit(X, y);
    const b = new LinearSVC({ dual: true, randomState: 4, maxIter: 5 }).fit(X, y);
    assert.deepEqual(values(a.coef!), values(b.coef!));
    assert.equal(a.converged, false);
    assert.equal(a.nIter, 5);
  });

  it('binary problems: one row of coef, positive decision favours classes[1]', () => {
    const { X: Xb, y: yb } = fx.data.imb2;
    const m = new LinearSVC().fit(
      Xb,
      yb.map((v) => (v ? 'yes' : 'no')),
    );
    assert.deepEqual([...m.coef!.shape], [1, 4]);
    const d = m.decisionFunction(Xb) as Float64Array;
    const p = m.predict(Xb);
    for (let i = 0; i < d.length; i++) assert.equal(p[i], d[i] > 0 ? 'yes' : 'no');
  });
});

describe('LinearSVC primal solver on large X (float32 streaming)', () => {
  // just above the size where the primal solver streams a float32 copy of X
  const d = 64;
  const n = Math.ceil(TRON_F32_ELEMENTS / d) + 3;
  const X = new Float64Array(n * d);
  const labels = new Int32Array(n);
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  for (let i = 0; i < n; i++) {
    labels[i] = i % 3;
    for (let j = 0; j < d; j++) X[i * d + j] = next() + (j % 3 === labels[i] ? 0.3 : 0);
  }
  const maxIter = 1;

  it('one-vs-rest shares one float32 copy: the same weights as each class solved alone with its own', () => {
    const m = new LinearSVC({ dual: false, maxIter }).fit({ data: X, rows: n, cols: d }, labels);
    const coef = m.coef!.data as Float64Array;
    const intercept = m.intercept!;
    for (let c = 0; c < 3; c++) {
      const y = Int8Array.from(labels, (l) => (l === c ? 1 : -1));
      const pos = y.filter((v) => v > 0).length;
      const r = solveTron({ X, n, d, bias: 1, y, C: new Float64Array(n).fill(1) }, (1e-4 * pos) / n, maxIter);
      assert.deepEqual(Array.from(coef.subarray(c * d, c * d + d)), Array.from(r.w.subarray(0, d)), `class ${c}`);
      assert.equal(intercept[c], r.w[d]);
    }
  });

  it('refuses features of another size than n·d', () => {
    const y = new Int8Array(4).fill(1);
    const p = { X: new Float64Array(8), n: 4, d: 2, bias: 1, y, C: new Float64Array(4).fill(1) };
    assert.throws(() => solveTron(p, 1e-4, 10, new Float32Array(7)), ShapeError);
  });
});

checkEstimator(() => new LinearSVC(), { kind: 'classifier' });
checkEstimator(() => new LinearSVC({ dual: true, loss: 'hinge' }), { kind: 'classifier', name: 'LinearSVC(dual, hinge)' });
checkEstimator(() => new LinearSVC({ penalty: 'l1' }), { kind: 'classifier', name: 'LinearSVC(l1)' });
checkEstimator(() => new LinearSVC({ multiClass: 'crammer_singer' }), { kind: 'classifier', name: 'LinearSVC(crammer_singer)' });

describe('classWeights errors', () => {
  it('name the caller, or the function when none is given', () => {
    const y = Int32Array.from([0, 1]);
    assert.throws(
      () => classWeights('nope' as never, ['a', 'b'], y),
      (e: unknown) => e instanceof ValueError && e.message.startsWith('classWeights: classWeight must be'),
    );
    assert.throws(
      () => new LinearSVC({ classWeight: 'nope' as never }).fit([[0], [1]], ['a', 'b']),
      (e: unknown) => e instanceof ValueError && e.message.startsWith('LinearSVC: '),
    );
  });
});
