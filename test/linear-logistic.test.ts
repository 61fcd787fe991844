import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogisticRegression } from '../src/models/linear/logistic.js';
import { minimizeLbfgs } from '../src/models/linear/lbfgs.js';
import { LogisticLoss } from '../src/models/linear/logistic-loss.js';
import { Tensor } from '../src/tensor/tensor.js';
import { NotFittedError, ValueError } from '../src/errors.js';
import { assertClose, assertNear, fixtures, flat, type Json } from './helpers/linear.js';

/** C·Σ sw·logloss + penalty (sw: sample × class weights), from predicted probabilities (as the fixture script computes it). */
function objective(m: LogisticRegression, c: Json): number {
  const P = m.predictProba(c.X);
  const classes = m.classes!;
  const nc = classes.length;
  let data = 0;
  c.y.forEach((label: number | string, i: number) => {
    const k = classes.indexOf(label);
    data += c.sw_eff[i] * -Math.log(P.data[i * nc + k] as number);
  });
  const pen = 'penalty' in c.params ? c.params.penalty : 'l2';
  const C = c.params.C ?? 1;
  const W = m.coef!.data as Float64Array;
  let l1 = 0,
    l2 = 0;
  for (const v of W) {
    l1 += Math.abs(v);
    l2 += v * v;
  }
  if (pen === null || pen === 'none') return data;
  if (pen === 'l2') return C * data + 0.5 * l2;
  const r = pen === 'l1' ? 1 : c.params.l1Ratio;
  return C * data + r * l1 + 0.5 * (1 - r) * l2;
}

test('LogisticRegression (lbfgs) matches scikit-learn: binary, multinomial, ovr, class and sample weights', () => {
  for (const c of (fixtures.logistic as Json[]).filter((c) => (c.params.solver ?? 'lbfgs') === 'lbfgs')) {
    const m = new LogisticRegression(c.params).fit(c.X, c.y, c.sw ?? undefined);
    assert.deepEqual(m.classes, c.classes, c.name);
    assert.deepEqual(m.coef!.shape, [c.coef.length, c.coef[0].length], `${c.name} coef shape`);
    const obj = objective(m, c);
    // Both stop at tol 1e-4 (or a relative decrease of 2.2e-9), so both are
    // near, not at, the optimum: compare with scikit-learn and with the exact optimum.
    assertNear(obj, c.objective, 5e-6, `${c.name} objective vs scikit-learn`);
    if (c.optimum !== null) {
      assert.ok((obj - c.optimum) / c.optimum <= 5e-6, `${c.name}: objective ${obj} vs optimum ${c.optimum}`);
    }
    assertClose(m.coef!.data, flat(c.coef), 2e-3, `${c.name} coef`);
    assertClose(m.predictProba(c.X.slice(0, 5)).data, flat(c.proba), 5e-4, `${c.name} proba`);
    assertNear(m.score(c.X, c.y), c.score, 0.011, `${c.name} accuracy`);
  }
});

test("LogisticRegression (saga) reaches scikit-learn's objective with L1 and elastic-net", () => {
  for (const c of (fixtures.logistic as Json[]).filter((c) => c.params.solver === 'saga')) {
    const m = new LogisticRegression({ ...c.params, maxIter: 20000, randomState: 0 }).fit(c.X, c.y, c.sw ?? undefined);
    const obj = objective(m, c);
    assertNear(obj, c.objective, 1e-6, `${c.name} objective`);
    assertClose(m.coef!.data, flat(c.coef), 1e-3, `${c.name} coef`);
    // the L1 penalty zeroes the same coefficients
    const zerosMine = Array.from(m.coef!.data as Float64Array, (v) => Math.abs(v) < 1e-8);
    const zerosRef = Array.from(flat(c.coef), (v) => Math.abs(v) < 1e-8);
    assert.deepEqual(zerosMine, zerosRef, `${c.name} sparsity pattern`);
  }
});

test('LogisticRegression: outputs follow the classifier convention', () => {
  const c = (fixtures.logistic as Json[]).find((c) => c.name === 'iris');
  const m = new LogisticRegression({ maxIter: 1000 });
  assert.throws(() => m.predict(c.X), NotFittedError);
  m.fit(c.X, c.y);
  assert.deepEqual(m.classes, ['setosa', 'versicolor', 'virginica']);
  const pred = m.predict(c.X);
  assert.ok(typeof pred[0] === 'string');
  const P = m.predictProba(c.X);
  assert.ok(P instanceof Tensor && P.dtype === 'float64');
  assert.deepEqual(P.shape, [150, 3]);
  const LP = m.predictLogProba(c.X);
  assertClose(LP.data, Array.from(P.data as Float64Array).map(Math.log), 1e-12, 'log proba');
  const D = m.decisionFunction(c.X);
  assert.ok(D instanceof Tensor && D.shape[1] === 3);
  assert.deepEqual(m.nIter!.length, 1);
  const b = (fixtures.logistic as Json[]).find((c) => c.name === 'binary-l2');
  const mb = new LogisticRegression().fit(b.X, b.y);
  const db = mb.decisionFunction(b.X);
  assert.ok(db instanceof Float64Array && db.length === b.X.length);
  assertClose(db.slice(0, 5), b.decision, 1e-4, 'binary decision function');
  assert.throws(
    () =>
      new LogisticRegression().fit(
        b.X,
        b.y.map(() => 1),
      ),
    ValueError,
  );
  assert.throws(() => new LogisticRegression({ penalty: 'l1' }).fit(b.X, b.y), ValueError);
  assert.throws(() => new LogisticRegression({ C: 0 }).fit(b.X, b.y), ValueError);
  assert.throws(() => new LogisticRegression({ classWeight: { 7: 1 } }).fit(b.X, b.y), ValueError);
  assert.throws(
    () =>
      new LogisticRegression().fit(
        b.X,
        b.y.map((v: number, i: number) => (i === 0 ? 'a' : v)),
      ),
    ValueError,
  );
});

test('LogisticRegression: warm start continues from the previous solution', () => {
  const c = (fixtures.logistic as Json[]).find((c) => c.name === 'multinomial');
  const m = new LogisticRegression({ warmStart: true }).fit(c.X, c.y);
  const first = m.nIter![0];
  m.fit(c.X, c.y);
  assert.ok(m.nIter![0] < first / 2, `warm refit took ${m.nIter![0]} iterations after ${first}`);
});

test('minimizeLbfgs solves the Rosenbrock function', () => {
  const r = minimizeLbfgs(
    (x, g) => {
      const a = 1 - x[0],
        b = x[1] - x[0] * x[0];
      g[0] = -2 * a - 400 * x[0] * b;
      g[1] = 200 * b;
      return a * a + 100 * b * b;
    },
    Float64Array.of(-1.2, 1),
    { gtol: 1e-10, ftol: 0 },
  );
  assert.ok(r.converged, r.stop);
  assertClose(r.x, [1, 1], 1e-7, 'minimum');
  assert.ok(r.nIter < 60, `${r.nIter} iterations`);
});

test('the logistic loss and its gradient are exact: L-BFGS run to round-off reaches the optimum', () => {
  for (const c of (fixtures.logistic as Json[]).filter((c) => c.optimum !== null && c.optimum !== undefined)) {
    const X = { data: flat(c.X), rows: c.X.length, cols: c.X[0].length };
    const classes = [...new Set(c.y as (number | string)[])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const binary = classes.length === 2;
    const codes = Int32Array.from(c.y, (v: number | string) => classes.indexOf(v));
    const sw = Float64Array.from(c.sw_eff);
    const C = c.params.C ?? 1;
    const none = 'penalty' in c.params && c.params.penalty === null;
    const fitIntercept = c.params.fitIntercept ?? true;
    const loss = new LogisticLoss(X, codes, sw, { K: binary ? 1 : classes.length, fitIntercept, l2: none ? 0 : 1 / C, center: null });
    // gradient against central differences at a random point
    const x = Float64Array.from({ length: loss.nParams }, (_, i) => 0.1 * Math.sin(3 * i + 1));
    const g = new Float64Array(loss.nParams),
      tmp = new Float64Array(loss.nParams);
    loss.evaluate(x, g);
    for (const i of [0, 1, loss.nParams - 1]) {
      const h = 1e-6,
        xp = x.slice(),
        xm = x.slice();
      xp[i] += h;
      xm[i] -= h;
      const fd = (loss.evaluate(xp, tmp) - loss.evaluate(xm, tmp)) / (2 * h);
      assertNear(g[i], fd, 1e-5, `${c.name} gradient[${i}]`);
    }
    const r = minimizeLbfgs((p, gr) => loss.evaluate(p, gr), new Float64Array(loss.nParams), { gtol: 1e-9, ftol: 0, m: 30, maxIter: 20000 });
    const obj = none ? r.f : C * r.f;
    assertNear(obj, c.optimum, 1e-10, `${c.name} optimum`);
  }
});

test('float32 products agree with float64 to ~1e-7; L-BFGS continues from handed-over pairs', () => {
  const c = (fixtures.logistic as Json[]).find((c) => c.name === 'multinomial');
  const X = { data: flat(c.X), rows: c.X.length, cols: c.X[0].length };
  const codes = Int32Array.from(c.y as number[]);
  const loss = new LogisticLoss(X, codes, new Float64Array(X.rows).fill(1), { K: 4, fitIntercept: true, l2: 1, center: null });
  const x = Float64Array.from({ length: loss.nParams }, (_, i) => 0.3 * Math.cos(i));
  const g64 = new Float64Array(loss.nParams),
    g32 = new Float64Array(loss.nParams);
  const f64 = loss.evaluate(x, g64);
  if (loss.float32Available) {
    loss.setPrecision('float32');
    const f32 = loss.evaluate(x, g32);
    loss.setPrecision('float64');
    assertNear(f32, f64, 1e-6, 'float32 objective');
    assertClose(g32, g64, 1e-5, 'float32 gradient');
  }
  // two runs with the pairs handed over reach the same optimum as one
  const fg = (p: Float64Array, gr: Float64Array): number => loss.evaluate(p, gr);
  const one = minimizeLbfgs(fg, new Float64Array(loss.nParams), { gtol: 1e-9, ftol: 0, m: 20 });
  const first = minimizeLbfgs(fg, new Float64Array(loss.nParams), { maxIter: 8, m: 20 });
  const second = minimizeLbfgs(fg, first.x, { gtol: 1e-9, ftol: 0, m: 20, memory: first.memory });
  assert.ok(first.memory.S.length >= 7, `${first.memory.S.length} pairs`);
  assertNear(second.f, one.f, 1e-12, 'continued run');
  assert.ok(second.nIter < one.nIter, `continued run took ${second.nIter} more iterations after 8 (one run: ${one.nIter})`);
});
