import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElasticNet, Lasso, enetObjective, enetPath, lassoPath } from '../src/models/linear/coordinate-descent.js';
import { ElasticNetCV, LassoCV } from '../src/models/linear/coordinate-descent-cv.js';
import { ValueError } from '../src/errors.js';
import { assertClose, assertNear, fixtures, flat, type Json } from './helpers/linear.js';

test('Lasso / ElasticNet match scikit-learn (objective, coef, nIter, dual gap)', () => {
  for (const c of fixtures.coordinate_descent as Json[]) {
    const Est = c.model === 'Lasso' ? Lasso : ElasticNet;
    const m = new Est(c.params).fit(c.X, c.y, c.sw ?? undefined);
    const X = { data: flat(c.X), rows: c.X.length, cols: c.X[0].length };
    const sw = c.sw as number[] | null;
    let obj: number;
    if (sw) {
      // weighted objective, weights rescaled to sum to n
      const n = c.y.length;
      const s = sw.reduce((a, b) => a + b, 0);
      let r2 = 0,
        l1 = 0;
      for (let i = 0; i < n; i++) {
        let p = m.intercept!;
        for (let j = 0; j < X.cols; j++) p += X.data[i * X.cols + j] * m.coef![j];
        r2 += ((sw[i] * n) / s) * (c.y[i] - p) ** 2;
      }
      for (const v of m.coef!) l1 += Math.abs(v);
      obj = r2 / (2 * n) + c.params.alpha * l1;
    } else {
      obj = enetObjective(X, Float64Array.from(c.y), m.coef!, m.intercept!, c.params.alpha, c.params.l1Ratio ?? 1);
    }
    const tight = c.name.endsWith('tight');
    assertNear(obj, c.objective, tight ? 1e-9 : 1e-6, `${c.name} objective`);
    assertClose(m.coef!, c.coef, tight ? 1e-7 : 1e-4, `${c.name} coef`);
    // Same algorithm, same order: the same number of sweeps (round-off can move it by one).
    assert.ok(Math.abs(m.nIter! - c.n_iter) <= 1, `${c.name} nIter ${m.nIter} vs ${c.n_iter}`);
    assert.ok(m.dualGap! >= 0 || Math.abs(m.dualGap!) < 1e-9, `${c.name} gap`);
  }
});

test('lassoPath / enetPath match scikit-learn', () => {
  for (const c of fixtures.paths as Json[]) {
    const fn = c.name.startsWith('lasso') ? lassoPath : enetPath;
    const r = fn(c.X, c.y, c.params);
    assertClose(r.alphas, c.alphas, 1e-12, `${c.name} alphas`);
    assert.deepEqual(r.coefs.shape, [c.X[0].length, c.alphas.length]);
    assertClose(r.coefs.data, flat(c.coefs), 1e-3, `${c.name} coefs`);
    // objectives along the path
    const X = { data: flat(c.X), rows: c.X.length, cols: c.X[0].length };
    const y = Float64Array.from(c.y);
    const K = c.alphas.length,
      p = X.cols;
    const l1r = c.params.l1Ratio ?? 1;
    for (let a = 0; a < K; a++) {
      const mine = new Float64Array(p),
        theirs = new Float64Array(p);
      for (let j = 0; j < p; j++) {
        mine[j] = r.coefs.data[j * K + a] as number;
        theirs[j] = c.coefs[j][a];
      }
      const o1 = enetObjective(X, y, mine, 0, c.alphas[a], l1r);
      const o2 = enetObjective(X, y, theirs, 0, c.alphas[a], l1r);
      assertNear(o1, o2, 1e-5, `${c.name} objective at alpha ${a}`);
    }
  }
});

test('LassoCV / ElasticNetCV match scikit-learn (alpha grid, mse path, chosen alpha)', () => {
  for (const c of fixtures.cd_cv as Json[]) {
    const m = c.model === 'LassoCV' ? new LassoCV(c.params).fit(c.X, c.y) : new ElasticNetCV(c.params).fit(c.X, c.y);
    assertNear(m.alpha!, c.alpha, 1e-12, `${c.name} alpha`);
    const alphas = m.alphas instanceof Float64Array ? m.alphas : m.alphas!.data;
    assertClose(alphas, (c.alphas as number[] | number[][]).flat(), 1e-12, `${c.name} alphas`);
    assertClose(m.msePath!.data, (c.mse_path as Json[]).flat(2), 1e-4, `${c.name} mse path`);
    assertClose(m.coef!, c.coef, 1e-4, `${c.name} coef`);
    assertNear(m.intercept!, c.intercept, 1e-4, `${c.name} intercept`);
    if (c.l1_ratio !== undefined) assert.equal((m as ElasticNetCV).l1Ratio, c.l1_ratio);
  }
});

test('coordinate descent: warm start, random selection, positive, errors', () => {
  const c = (fixtures.coordinate_descent as Json[])[0];
  const m = new Lasso({ alpha: 0.1, warmStart: true }).fit(c.X, c.y);
  const it1 = m.nIter!;
  m.fit(c.X, c.y);
  assert.ok(m.nIter! <= 2 && it1 > 2, `warm start refit took ${m.nIter} sweeps`);
  const r1 = new Lasso({ alpha: 0.1, selection: 'random', randomState: 3, tol: 1e-10, maxIter: 10000 }).fit(c.X, c.y);
  const r2 = new Lasso({ alpha: 0.1, selection: 'random', randomState: 3, tol: 1e-10, maxIter: 10000 }).fit(c.X, c.y);
  assert.deepEqual(Array.from(r1.coef!), Array.from(r2.coef!));
  assertClose(r1.coef!, c.coef, 1e-3, 'random selection reaches the same optimum');
  const pos = new ElasticNet({ alpha: 0.05, positive: true }).fit(c.X, c.y);
  assert.ok(pos.coef!.every((v) => v >= 0));
  assert.throws(() => new ElasticNet({ l1Ratio: 2 }).fit(c.X, c.y), ValueError);
  assert.throws(() => new Lasso({ alpha: -1 }).fit(c.X, c.y), ValueError);
  assert.throws(() => new Lasso({ l1Ratio: 0.5 } as never), ValueError);
  assert.throws(() => enetPath(c.X, c.y, { l1Ratio: 0 }), ValueError);
});

test('Lasso and LassoCV take the defaults of ElasticNet and ElasticNetCV, less l1Ratio', () => {
  const { l1Ratio: enetRatio, ...enet } = new ElasticNet().getParams();
  assert.equal(enetRatio, 0.5);
  assert.deepEqual(new Lasso().getParams(), enet);
  const { l1Ratio: cvRatio, ...enetCV } = new ElasticNetCV().getParams();
  assert.equal(cvRatio, 0.5);
  assert.deepEqual(new LassoCV().getParams(), enetCV);
  assert.throws(() => new LassoCV({ l1Ratio: 0.5 } as never), ValueError);
});
