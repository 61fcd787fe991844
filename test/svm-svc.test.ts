/**
 * SVC and SVR against scikit-learn 1.2.1 (test/fixtures/sklearn-svm.json,
 * written by scripts/make-sklearn-svm-fixtures.py), plus behaviour checks.
 *
 * On these small problems the kernel dot products are float64, so the SMO
 * iterations are libsvm's: the same support vectors, dual coefficients and
 * intercepts (checked to 1e-6 relative, observed ~1e-13), the same iteration
 * counts. With the float32 kernel path (used for large problems) the
 * solution differs within the solver tolerance; predictions still agree.
 * Platt probabilities use this library's random folds, so they are compared
 * loosely (0.05); with scikit-learn's probA/probB they agree to 1e-9.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SVC, SVR } from '../src/models/svm/index.js';
import { setKernelPrecision } from '../src/models/svm/kernel-functions.js';
import { sigmoidTrain } from '../src/models/svm/platt.js';
import { ShapeError, ValueError, NotFittedError } from '../src/errors.js';
import { Tensor } from '../src/tensor/tensor.js';
import { loadFixture, camelKeys } from './helpers/fixtures.js';

interface SvcCase {
  name: string;
  data: string;
  params: Record<string, unknown>;
  gamma: number;
  support: number[];
  nSupport: number[];
  dualCoef: number[][];
  intercept: number[];
  classes: number[];
  probe: number[][];
  predict: number[];
  decision: number[] | number[][];
  nIter: number[];
  decisionOvo?: number[][];
  probA?: number[];
  probB?: number[];
  proba?: number[][];
}
interface SvrCase {
  name: string;
  params: Record<string, unknown>;
  X: number[][];
  y: number[];
  probe: number[][];
  gamma: number;
  support: number[];
  dualCoef: number[];
  intercept: number;
  predict: number[];
  nIter: number;
}
interface Fixture {
  data: Record<string, { X: number[][]; y: number[] }>;
  svc: SvcCase[];
  svr: SvrCase[];
  sigmoid: { dec: number[]; y: number[]; A: number; B: number }[];
}

const fx = loadFixture<Fixture>('sklearn-svm');

function flat(a: number[] | number[][]): number[] {
  return (a as unknown[]).flat() as number[];
}

function values(x: Float64Array | Tensor | ArrayLike<number>): number[] {
  return Array.from(x instanceof Tensor ? (x.data as Float64Array) : x);
}

/** |a − e| ≤ rtol·|e| + atol, elementwise. */
function close(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    assert.ok(Math.abs(a - e) <= rtol * Math.abs(e) + atol, `${what}[${i}]: got ${a}, scikit-learn ${e}`);
  }
}

function svcParams(c: SvcCase): Record<string, unknown> {
  return camelKeys(c.params);
}

describe('SVC matches scikit-learn (libsvm)', () => {
  for (const c of fx.svc) {
    it(c.name, () => {
      const { X, y } = fx.data[c.data];
      const m = new SVC(svcParams(c)).fit(X, y);
      const Z = X.concat(c.probe);
      assert.deepEqual(Array.from(m.support!), c.support, 'support');
      assert.deepEqual(Array.from(m.nSupport!), c.nSupport, 'nSupport');
      assert.deepEqual(m.classes, c.classes);
      assert.equal(m.fittedGamma, c.gamma, 'gamma');
      assert.deepEqual([...m.dualCoef!.shape], [c.dualCoef.length, c.support.length]);
      close(values(m.dualCoef!), flat(c.dualCoef), 1e-6, 1e-9, 'dualCoef');
      close(m.intercept!, c.intercept, 1e-6, 1e-9, 'intercept');
      assert.deepEqual(Array.from(m.nIter!), c.nIter, 'iterations');
      assert.deepEqual(m.predict(Z), c.predict, 'predict');
      close(values(m.decisionFunction(Z)), flat(c.decision), 1e-6, 1e-9, 'decisionFunction');
      if (c.decisionOvo) {
        const o = new SVC({ ...svcParams(c), decisionFunctionShape: 'ovo', breakTies: false }).fit(X, y);
        const D = o.decisionFunction(Z) as Tensor;
        assert.deepEqual([...D.shape], [Z.length, (c.classes.length * (c.classes.length - 1)) / 2]);
        close(values(D), flat(c.decisionOvo), 1e-6, 1e-9, 'ovo decisionFunction');
      }
      if (c.proba) {
        // Platt's A, B come from 5-fold CV with different random folds: loose agreement
        const P = m.predictProba(Z);
        close(values(P), flat(c.proba), 0, 0.06, 'predictProba (own folds)');
        close(m.probA!, c.probA!, 0.25, 0.05, 'probA (own folds)');
        // with scikit-learn's sigmoids, the probability computation itself is exact
        m.probA = Float64Array.from(c.probA!);
        m.probB = Float64Array.from(c.probB!);
        close(values(m.predictProba(Z)), flat(c.proba), 1e-9, 1e-12, 'predictProba with sklearn probA/probB');
      }
    });
  }
});

describe('SVC with float32 kernel blocks (the large-problem path)', () => {
  const names = ['iris3-rbf', 'mc3-rbf-C10', 'xor-rbf', 'imb2-poly', 'iris2-linear', 'mc3-sigmoid'];
  for (const c of fx.svc.filter((k) => names.includes(k.name))) {
    it(c.name, () => {
      const old = setKernelPrecision('float32');
      try {
        const { X, y } = fx.data[c.data];
        const m = new SVC(svcParams(c)).fit(X, y);
        const Z = X.concat(c.probe);
        assert.deepEqual(m.predict(Z), c.predict, 'predict');
        // both solutions meet the KKT conditions to tol = 1e-3: decision values agree to that order
        const D = values(m.decisionFunction(Z));
        const E = flat(c.decision);
        const scale = Math.max(...E.map(Math.abs));
        close(D, E, 0, 0.02 * Math.max(1, scale), 'decisionFunction');
      } finally {
        setKernelPrecision(old);
      }
    });
  }
});

describe('SVR matches scikit-learn (libsvm epsilon-SVR)', () => {
  for (const c of fx.svr) {
    it(c.name, () => {
      const m = new SVR(camelKeys(c.params)).fit(c.X, c.y);
      assert.deepEqual(Array.from(m.support!), c.support, 'support');
      assert.equal(m.fittedGamma, c.gamma);
      close(values(m.dualCoef!), c.dualCoef, 1e-6, 1e-9, 'dualCoef');
      close(m.intercept!, [c.intercept], 1e-6, 1e-9, 'intercept');
      assert.equal(m.nIter, c.nIter, 'iterations');
      close(m.predict(c.X.concat(c.probe)), c.predict, 1e-6, 1e-9, 'predict');
    });
  }
});

describe('Platt scaling', () => {
  it('sigmoidTrain finds the minimum scikit-learn finds (its own BFGS fit of the same model)', () => {
    for (const s of fx.sigmoid) {
      const [A, B] = sigmoidTrain(
        s.dec,
        s.y.map((v) => v > 0),
      );
      assert.ok(Math.abs(A - s.A) <= 1e-3 * Math.abs(s.A) + 1e-4, `A ${A} vs ${s.A}`);
      assert.ok(Math.abs(B - s.B) <= 1e-3 * Math.abs(s.B) + 1e-4, `B ${B} vs ${s.B}`);
    }
  });

  it('probability: true is repeatable with a seed and rows sum to 1', () => {
    const { X, y } = fx.data.iris3;
    const a = new SVC({ probability: true, randomState: 3 }).fit(X, y).predictProba(X);
    const b = new SVC({ probability: true, randomState: 3 }).fit(X, y).predictProba(X);
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    for (let i = 0; i < X.length; i++) {
      const r = a.data.subarray(i * 3, i * 3 + 3) as Float64Array;
      assert.ok(Math.abs(r[0] + r[1] + r[2] - 1) < 1e-9);
    }
    const lp = new SVC({ probability: true, randomState: 3 }).fit(X, y).predictLogProba(X);
    assert.ok(Math.abs(Math.exp(lp.data[0]) - a.data[0]) < 1e-12);
  });

  it('predictProba without probability: true is a clear ValueError', () => {
    const { X, y } = fx.data.iris2;
    const m = new SVC().fit(X, y);
    assert.throws(
      () => m.predictProba(X),
      (e: Error) => e instanceof ValueError && /probability/.test(e.message),
    );
  });
});

describe('SVC behaviour', () => {
  const { X, y } = fx.data.iris3;

  it('string labels keep their order and values', () => {
    const names = ['setosa', 'versicolor', 'virginica'];
    const m = new SVC().fit(
      X,
      y.map((v) => names[v]),
    );
    const n = new SVC().fit(X, y);
    assert.deepEqual(m.classes, names);
    assert.deepEqual(
      m.predict(X),
      n.predict(X).map((v) => names[v as number]),
    );
  });

  it('a precomputed Gram matrix gives the RBF model', () => {
    const g = new SVC().fit(X, y).fittedGamma!;
    const K = (A: number[][], B: number[][]): number[][] => A.map((a) => B.map((b) => Math.exp(-g * a.reduce((s, v, j) => s + (v - b[j]) ** 2, 0))));
    const pre = new SVC({ kernel: 'precomputed' }).fit(K(X, X), y);
    const rbf = new SVC({ gamma: g }).fit(X, y);
    assert.deepEqual(Array.from(pre.support!), Array.from(rbf.support!));
    close(values(pre.dualCoef!), values(rbf.dualCoef!), 1e-5, 1e-8, 'dualCoef');
    const T = X.slice(0, 20);
    close(values(pre.decisionFunction(K(T, X))), values(rbf.decisionFunction(T)), 1e-5, 1e-7, 'decision');
    assert.throws(() => pre.predict(K(T, X.slice(0, 10))), ShapeError);
    assert.throws(() => new SVC({ kernel: 'precomputed' }).fit(X, y), ShapeError);
  });

  it('a kernel function gives the linear model', () => {
    const lin = (A: Tensor, B: Tensor): { data: Float64Array; shape: [number, number] } => {
      const [n, d] = A.shape;
      const m = B.shape[0];
      const out = new Float64Array(n * m);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let k = 0; k < d; k++) out[i * m + j] += (A.data[i * d + k] as number) * (B.data[j * d + k] as number);
      return { data: out, shape: [n, m] };
    };
    const f = new SVC({ kernel: lin, C: 0.5 }).fit(X, y);
    const l = new SVC({ kernel: 'linear', C: 0.5 }).fit(X, y);
    assert.deepEqual(Array.from(f.support!), Array.from(l.support!));
    close(values(f.decisionFunction(X)), values(l.decisionFunction(X)), 1e-5, 1e-7, 'decision');
    assert.throws(() => new SVC({ kernel: () => [[1]] }).fit(X, y), ShapeError);
  });

  it('sample weights: zero weight removes a sample, integer weights scale C per sample', () => {
    const w = y.map((_, i) => (i % 7 === 0 ? 0 : 1));
    const keep = X.map((_, i) => i).filter((i) => w[i] > 0);
    // (a fixed gamma: 'scale' is computed on all rows of X, whatever their weights, as in scikit-learn)
    const a = new SVC({ gamma: 0.1 }).fit(X, y, w);
    const b = new SVC({ gamma: 0.1 }).fit(
      keep.map((i) => X[i]),
      keep.map((i) => y[i]),
    );
    assert.deepEqual(
      Array.from(a.support!),
      Array.from(b.support!).map((i) => keep[i]),
    );
    close(values(a.dualCoef!), values(b.dualCoef!), 1e-12, 1e-12, 'dualCoef');
    // weight 2 on every sample = C doubled
    const c2 = new SVC({ C: 2 }).fit(X, y);
    const w2 = new SVC({ C: 1 }).fit(
      X,
      y,
      y.map(() => 2),
    );
    close(values(w2.dualCoef!), values(c2.dualCoef!), 1e-12, 1e-12, 'weights 2 vs C 2');
    assert.throws(
      () =>
        new SVC().fit(
          X,
          y,
          y.map((v) => (v === 1 ? 0 : 1)),
        ),
      ValueError,
    );
  });

  it('rejects bad parameters clearly', () => {
    const bad: Record<string, unknown>[] = [
      { C: 0 },
      { C: -1 },
      { kernel: 'cubic' },
      { gamma: -1 },
      { gamma: 'big' },
      { tol: 0 },
      { degree: -1 },
      { cacheSize: 0 },
      { maxIter: -2 },
      { decisionFunctionShape: 'ova' },
      { breakTies: true, decisionFunctionShape: 'ovo' },
      { classWeight: { 7: 2 } },
      { classWeight: { 1: -1 } },
    ];
    for (const p of bad) assert.throws(() => new SVC(p as never).fit(X, y), ValueError, JSON.stringify(p));
    assert.throws(() => new SVC({ nope: 1 } as never), ValueError);
    assert.throws(() => new SVC().predict(X), NotFittedError);
    assert.throws(() => new SVC().fit(X, y).predict([[1, 2, 3]]), ShapeError);
  });

  it('maxIter stops early and reports fitStatus 1', () => {
    const m = new SVC({ maxIter: 3 }).fit(X, y);
    assert.equal(m.fitStatus, 1);
    assert.ok(Array.from(m.nIter!).every((v) => v <= 3));
    assert.equal(new SVC().fit(X, y).fitStatus, 0);
  });

  it('a one-row predict is cheap and agrees with the batch', () => {
    const m = new SVC({ C: 10 }).fit(X, y);
    const all = values(m.decisionFunction(X));
    const one = values(m.decisionFunction([X[5]]));
    close(one, all.slice(15, 18), 1e-12, 1e-12, 'row 5');
  });

  it('a tiny cache still gives the same model (rows computed on demand)', () => {
    const { X: Xm, y: ym } = fx.data.mc3;
    const a = new SVC({ C: 10 }).fit(Xm, ym);
    const b = new SVC({ C: 10, cacheSize: 0.001 }).fit(Xm, ym);
    assert.deepEqual(Array.from(b.support!), Array.from(a.support!));
    close(values(b.dualCoef!), values(a.dualCoef!), 1e-9, 1e-12, 'dualCoef');
    assert.deepEqual(Array.from(b.nIter!), Array.from(a.nIter!));
  });
});
