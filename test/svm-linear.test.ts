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
