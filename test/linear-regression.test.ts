import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinearRegression } from '../src/models/linear/least-squares.js';
import { Ridge, RidgeCV } from '../src/models/linear/ridge.js';
import { clone } from '../src/models/base.js';
import { NotFittedError, ShapeError, ValueError } from '../src/errors.js';
import { assertClose, assertNear, fixtures, type Json } from './helpers/linear.js';

test('LinearRegression matches scikit-learn (coef, intercept, rank, singular values)', () => {
  for (const c of fixtures.linear_regression as Json[]) {
    const m = new LinearRegression(c.params).fit(c.X, c.y, c.sw ?? undefined);
    assertClose(m.coef!, c.coef, 1e-6, `${c.name} coef`);
    assertNear(m.intercept!, c.intercept, 1e-6, `${c.name} intercept`);
    if (c.rank !== undefined) {
      assert.equal(m.rank, c.rank, `${c.name} rank`);
      assertClose(m.singular!, c.singular, 1e-6, `${c.name} singular`);
    }
  }
});

test('LinearRegression: predict, score, conventions and errors', () => {
  const X = [
    [1, 2],
    [2, 1],
    [3, 5],
    [4, 3],
    [5, 8],
  ];
  const y = [4, 4, 9, 8, 14]; // 1 + x0 + x1
  const m = new LinearRegression();
  assert.throws(() => m.predict(X), NotFittedError);
  assert.equal(m.fit(X, y), m);
  const p = m.predict(X);
  assert.ok(p instanceof Float64Array && p.length === 5);
  assertClose(p, y, 1e-10, 'exact fit');
  assertNear(m.score(X, y), 1, 1e-12, 'score');
  assert.throws(() => m.predict([[1, 2, 3]]), ShapeError);
  assert.throws(
    () =>
      m.fit(
        [
          [1, NaN],
          [2, 3],
        ],
        [1, 2],
      ),
    ValueError,
  );
  assert.throws(() => m.fit([[1, 2], [2]], [1, 2]), ShapeError);
  assert.throws(() => m.fit(X, [1, 2]), ShapeError);
  assert.throws(() => m.fit(X, y, [1, 1, 1, -1, 1]), ValueError);
  assert.throws(() => new LinearRegression({ fitIntercept: 'yes' as unknown as boolean }).fit(X, y), ValueError);
  assert.throws(() => new LinearRegression({ bogus: 1 } as never), ValueError);
  const c = clone(m);
  assert.equal(c.isFitted, false);
  assert.deepEqual(c.getParams(), { fitIntercept: true, positive: false });
});

test('Ridge matches scikit-learn (cholesky, svd, lsqr, weights, wide X)', () => {
  for (const c of fixtures.ridge as Json[]) {
    const m = new Ridge(c.params).fit(c.X, c.y, c.sw ?? undefined);
    assertClose(m.coef!, c.coef, c.params.solver === 'lsqr' ? 1e-8 : 1e-6, `${c.name} coef`);
    assertNear(m.intercept!, c.intercept, 1e-6, `${c.name} intercept`);
  }
});

test('Ridge solvers agree with each other', () => {
  const c = (fixtures.ridge as Json[])[0];
  const a = new Ridge({ alpha: 3, solver: 'cholesky' }).fit(c.X, c.y);
  const b = new Ridge({ alpha: 3, solver: 'svd' }).fit(c.X, c.y);
  const l = new Ridge({ alpha: 3, solver: 'lsqr', tol: 1e-14, maxIter: 1000 }).fit(c.X, c.y);
  assertClose(a.coef!, b.coef!, 1e-10, 'cholesky vs svd');
  assertClose(l.coef!, b.coef!, 1e-8, 'lsqr vs svd');
  assert.throws(() => new Ridge({ alpha: -1 }).fit(c.X, c.y), ValueError);
  assert.throws(() => new Ridge({ solver: 'sag' as never }).fit(c.X, c.y), ValueError);
});

test('RidgeCV matches scikit-learn (leave-one-out via SVD / eigen, weights, K-fold)', () => {
  for (const c of fixtures.ridge_cv as Json[]) {
    const m = new RidgeCV(c.params).fit(c.X, c.y, c.sw ?? undefined);
    assert.equal(m.alpha, c.alpha, `${c.name} alpha`);
    assertNear(m.bestScore!, c.best_score, 1e-6, `${c.name} best score`);
    assertClose(m.coef!, c.coef, 1e-6, `${c.name} coef`);
    assertNear(m.intercept!, c.intercept, 1e-6, `${c.name} intercept`);
    if (c.cv_values) {
      const flatCv = (c.cv_values as number[][]).flat();
      assertClose(m.cvValues!, flatCv, 1e-6, `${c.name} cv values`);
    }
  }
});
