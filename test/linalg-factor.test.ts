import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, ValueError } from '../src/errors.js';
import { Generator } from '../src/tensor/random.js';
import {
  cholesky,
  choleskySolve,
  det,
  diag,
  fromRows,
  identity,
  inv,
  lu,
  luSolve,
  matmul,
  matrix,
  matvec,
  qr,
  slogdet,
  solve,
  solveTriangular,
  svd,
  toRows,
  transpose,
} from '../src/linalg/index.js';

import { randn, randVec, assertRelClose, assertVecClose, assertOrthonormalColumns, SHAPES } from './helpers/linalg.js';

describe('linalg helpers', () => {
  it('matmul, transpose, matvec agree with hand-computed values', () => {
    const A = fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const B = fromRows([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    assert.deepEqual(toRows(matmul(A, B)), [
      [58, 64],
      [139, 154],
    ]);
    assert.deepEqual(toRows(transpose(A)), [
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    assert.deepEqual(toRows(matmul(A, A, { transB: true })), [
      [14, 32],
      [32, 77],
    ]);
    assert.deepEqual(toRows(matmul(A, A, { transA: true })), [
      [17, 22, 27],
      [22, 29, 36],
      [27, 36, 45],
    ]);
    assert.deepEqual(Array.from(matvec(A, Float64Array.of(1, 0, -1))), [-2, -2]);
    assert.throws(
      () => matmul(A, A),
      (e: unknown) => e instanceof ShapeError && /matmul/.test(e.message) && /\[2, 3\]/.test(e.message),
    );
  });

  it('rejects malformed matrices', () => {
    assert.throws(() => matrix(2, 2, [1, 2, 3]), ShapeError);
    assert.throws(
      () => qr({ data: new Float64Array(3), rows: 2, cols: 2 }),
      (e: unknown) => e instanceof ShapeError && /qr/.test(e.message),
    );
    assert.throws(() => qr({ data: [1, 2, 3, 4] as unknown as Float64Array, rows: 2, cols: 2 }), ValueError);
    assert.throws(() => svd({ data: new Float64Array(0), rows: -1, cols: 0 }), ShapeError);
    assert.throws(() => fromRows([[1, 2], [3]]), ShapeError);
  });

  it('solveTriangular solves lower, upper and transposed systems', () => {
    const g = new Generator(11);
    for (const n of [1, 4, 9]) {
      const T = randn(g, n, n);
      for (let i = 0; i < n; i++) T.data[i * n + i] = 3 + Math.abs(T.data[i * n + i]);
      const Lw = matrix(n, n),
        Up = matrix(n, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) (j <= i ? Lw : Up).data[i * n + j] = T.data[i * n + j];
      for (let i = 0; i < n; i++) Up.data[i * n + i] = T.data[i * n + i];
      const B = randn(g, n, 3);
      // The other triangle of T is ignored.
      assertRelClose(matmul(Lw, solveTriangular(T, B, { lower: true })), B, 1e-13, 'lower');
      assertRelClose(matmul(Up, solveTriangular(T, B, { lower: false })), B, 1e-13, 'upper');
      assertRelClose(matmul(Lw, solveTriangular(T, B, { lower: true, transpose: true }), { transA: true }), B, 1e-13, 'lower^T');
      assertRelClose(matmul(Up, solveTriangular(T, B, { lower: false, transpose: true }), { transA: true }), B, 1e-13, 'upper^T');
      const b = randVec(g, n);
      const x = solveTriangular(T, b, { lower: true });
      assert.ok(x instanceof Float64Array);
      assertVecClose(matvec(Lw, x), b, 1e-13, 'vector');
    }
    assert.throws(
      () =>
        solveTriangular(
          fromRows([
            [1, 0],
            [1, 0],
          ]),
          Float64Array.of(1, 1),
          { lower: true },
        ),
      /singular.*T\[1, 1\]/,
    );
  });
});

describe('cholesky', () => {
  it('factors a known matrix exactly', () => {
    const A = fromRows([
      [4, 12, -16],
      [12, 37, -43],
      [-16, -43, 98],
    ]);
    assert.deepEqual(toRows(cholesky(A)), [
      [2, 0, 0],
      [6, 1, 0],
      [-8, 5, 3],
    ]);
    const x = choleskySolve(cholesky(A), Float64Array.of(1, 2, 3));
    assertVecClose(matvec(A, x), [1, 2, 3], 1e-13, 'choleskySolve');
  });

  it('reconstructs random SPD matrices; L is lower with a positive diagonal', () => {
    const g = new Generator(1);
    for (const n of [0, 1, 2, 5, 13, 40]) {
      const X = randn(g, n + 3, n);
      const A = matmul(X, X, { transA: true });
      for (let i = 0; i < n; i++) A.data[i * n + i] += 0.1;
      const L = cholesky(A);
      assert.equal(L.rows, n);
      for (let i = 0; i < n; i++) {
        assert.ok(L.data[i * n + i] > 0);
        for (let j = i + 1; j < n; j++) assert.equal(L.data[i * n + j], 0, 'L must be lower triangular');
      }
      if (n > 0) assertRelClose(matmul(L, L, { transB: true }), A, 1e-13, `LLᵀ n=${n}`);
      const B = randn(g, n, 2);
      const Xs = choleskySolve(L, B);
      if (n > 0) assertRelClose(matmul(A, Xs), B, 1e-10, `choleskySolve n=${n}`);
    }
  });

  it('rejects non-SPD, non-symmetric, non-square and non-finite input', () => {
    assert.throws(
      () =>
        cholesky(
          fromRows([
            [1, 2],
            [2, 1],
          ]),
        ),
      (e: unknown) => e instanceof ValueError && /positive definite/.test(e.message) && /pivot 1/.test(e.message),
    );
    assert.throws(
      () =>
        cholesky(
          fromRows([
            [0, 0],
            [0, 1],
          ]),
        ),
      (e: unknown) => e instanceof ValueError && /pivot 0/.test(e.message),
    );
    assert.throws(
      () =>
        cholesky(
          fromRows([
            [2, 1],
            [0, 2],
          ]),
        ),
      (e: unknown) => e instanceof ValueError && /not symmetric/.test(e.message),
    );
    assert.throws(
      () =>
        cholesky(
          fromRows([
            [1, 2, 3],
            [4, 5, 6],
          ]),
        ),
      (e: unknown) => e instanceof ShapeError && /cholesky/.test(e.message) && /\[2, 3\]/.test(e.message),
    );
    assert.throws(
      () =>
        cholesky(
          fromRows([
            [1, NaN],
            [NaN, 1],
          ]),
        ),
      (e: unknown) => e instanceof ValueError && /NaN/.test(e.message),
    );
    assert.throws(() => cholesky(fromRows([[Infinity]])), ValueError);
    assert.throws(() => choleskySolve(identity(2), Float64Array.of(1, 2, 3)), ShapeError);
  });
});

describe('qr', () => {
  it('known example', () => {
    const { q, r } = qr(fromRows([[3], [4]]));
    assertVecClose(q.data, [0.6, 0.8], 1e-15, 'Q');
    assertVecClose(r.data, [5], 1e-15, 'R');
    const c = qr(fromRows([[3], [4]]), { mode: 'complete' });
    assert.equal(c.q.rows, 2);
    assert.equal(c.q.cols, 2);
    assertVecClose(c.r.data, [5, 0], 1e-15, 'R complete');
  });

  it('reconstructs, is orthogonal and triangular for all shapes and modes', () => {
    const g = new Generator(2);
    for (const [m, n] of SHAPES) {
      const A = randn(g, m, n);
      for (const mode of ['reduced', 'complete'] as const) {
        const { q, r } = qr(A, { mode });
        const k = mode === 'complete' ? m : Math.min(m, n);
        assert.equal(q.rows, m);
        assert.equal(q.cols, k);
        assert.equal(r.rows, k);
        assert.equal(r.cols, n);
        assertRelClose(matmul(q, r), A, 1e-13, `QR ${m}×${n} ${mode}`);
        assertOrthonormalColumns(q, 1e-13, `Q ${m}×${n} ${mode}`);
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < Math.min(i, n); j++) assert.equal(r.data[i * n + j], 0, `R[${i},${j}] below the diagonal`);
          if (i < n) assert.ok(r.data[i * n + i] >= 0, 'non-negative diagonal');
        }
      }
    }
  });

  it('handles rank-deficient and empty matrices', () => {
    const g = new Generator(3);
    const u = randn(g, 6, 1),
      v = randn(g, 1, 4);
    const A = matmul(u, v); // rank 1
    const { q, r } = qr(A);
    assertRelClose(matmul(q, r), A, 1e-13, 'rank-1 QR');
    assertOrthonormalColumns(q, 1e-13, 'rank-1 Q');
    const e = qr(matrix(0, 3));
    assert.equal(e.q.rows, 0);
    assert.equal(e.r.cols, 3);
    const e2 = qr(matrix(3, 0), { mode: 'complete' });
    assert.deepEqual(toRows(e2.q), toRows(identity(3)));
    assert.throws(() => qr(A, { mode: 'full' as 'reduced' }), ValueError);
    assert.throws(() => qr(fromRows([[1, NaN]])), ValueError);
  });
});

describe('lu, solve, det, inv', () => {
  it('P·A = L·U for random matrices', () => {
    const g = new Generator(4);
    for (const n of [1, 2, 5, 13, 31]) {
      const A = randn(g, n, n);
      const f = lu(A);
      const Lm = matrix(n, n),
        U = matrix(n, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const v = f.lu.data[i * n + j];
          if (j < i) Lm.data[i * n + j] = v;
          else U.data[i * n + j] = v;
        }
        Lm.data[i * n + i] = 1;
      }
      const PA = matrix(n, n);
      for (let i = 0; i < n; i++) PA.data.set(A.data.subarray(f.pivots[i] * n, f.pivots[i] * n + n), i * n);
      assertRelClose(matmul(Lm, U), PA, 1e-14, `PLU n=${n}`);
      // partial pivoting: |L| <= 1
      for (let i = 0; i < n * n; i++) assert.ok(Math.abs(Lm.data[i]) <= 1);
      const sortedPiv = Array.from(f.pivots).sort((a, b) => a - b);
      assert.deepEqual(
        sortedPiv,
        Array.from({ length: n }, (_, i) => i),
      );
      const b = randVec(g, n);
      assertVecClose(matvec(A, luSolve(f, b)), b, 1e-11, 'luSolve');
    }
  });

  it('solves vector and matrix right-hand sides', () => {
    const g = new Generator(5);
    for (const n of [1, 3, 17, 60]) {
      const A = randn(g, n, n);
      const b = randVec(g, n);
      const x = solve(A, b);
      assert.ok(x instanceof Float64Array);
      assertVecClose(matvec(A, x), b, 1e-11, `solve n=${n}`);
      const B = randn(g, n, 4);
      const X = solve(A, B);
      assert.equal(X.rows, n);
      assert.equal(X.cols, 4);
      assertRelClose(matmul(A, X), B, 1e-11, `solve matrix n=${n}`);
    }
    assertVecClose(
      solve(
        fromRows([
          [2, 1],
          [1, 3],
        ]),
        Float64Array.of(3, 5),
      ),
      [0.8, 1.4],
      1e-15,
      'known 2×2',
    );
    assert.equal(solve(matrix(0, 0), new Float64Array(0)).length, 0);
  });

  it('det, slogdet and inv on known matrices', () => {
    assert.equal(
      det(
        fromRows([
          [1, 2],
          [3, 4],
        ]),
      ),
      -2,
    );
    assert.equal(
      det(
        fromRows([
          [0, 1],
          [1, 0],
        ]),
      ),
      -1,
    );
    assert.equal(
      det(
        fromRows([
          [2, 0, 0],
          [0, 3, 0],
          [0, 0, 4],
        ]),
      ),
      24,
    );
    assert.equal(det(matrix(0, 0)), 1);
    assert.ok(
      Math.abs(
        det(
          fromRows([
            [1, 2, 3],
            [4, 5, 6],
            [7, 8, 9],
          ]),
        ),
      ) < 1e-12,
    );
    assert.equal(
      det(
        fromRows([
          [1, 2],
          [2, 4],
        ]),
      ),
      0,
    );
    const sl = slogdet(
      fromRows([
        [1, 2],
        [3, 4],
      ]),
    );
    assert.equal(sl.sign, -1);
    assert.ok(Math.abs(sl.logAbsDet - Math.log(2)) < 1e-15);
    // det = 1e-400 underflows; slogdet does not.
    const tiny = diag(new Array(40).fill(1e-10));
    assert.equal(slogdet(tiny).sign, 1);
    assert.ok(Math.abs(slogdet(tiny).logAbsDet - 40 * Math.log(1e-10)) < 1e-10);
    assert.deepEqual(
      slogdet(
        fromRows([
          [1, 2],
          [2, 4],
        ]),
      ),
      { sign: 0, logAbsDet: -Infinity },
    );
    assertVecClose(
      inv(
        fromRows([
          [4, 7],
          [2, 6],
        ]),
      ).data,
      [0.6, -0.7, -0.2, 0.4],
      1e-15,
      'inv 2×2',
    );
    const g = new Generator(6);
    for (const n of [1, 7, 25]) {
      const A = randn(g, n, n);
      assertRelClose(matmul(A, inv(A)), identity(n), 1e-11, `A·inv(A) n=${n}`);
      const d = det(A);
      const { sign, logAbsDet } = slogdet(A);
      assert.ok(Math.abs(sign * Math.exp(logAbsDet) - d) <= 1e-12 * Math.abs(d));
    }
  });

  it('rejects singular, non-square, mismatched and non-finite input', () => {
    const S = fromRows([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    assert.throws(
      () => solve(S, Float64Array.of(1, 2, 3)),
      (e: unknown) => e instanceof ValueError && /singular/.test(e.message) && /pivot 2/.test(e.message),
    );
    assert.throws(
      () =>
        solve(
          fromRows([
            [1, 2],
            [2, 4],
          ]),
          Float64Array.of(1, 2),
        ),
      (e: unknown) => e instanceof ValueError && /pivot 1 is 0/.test(e.message),
    );
    assert.throws(() => solve(matrix(3, 3), Float64Array.of(1, 2, 3)), /pivot 0/);
    assert.throws(
      () => inv(S),
      (e: unknown) => e instanceof ValueError && /inv/.test(e.message),
    );
    assert.throws(
      () => solve(matrix(2, 3), Float64Array.of(1, 2)),
      (e: unknown) => e instanceof ShapeError && /solve/.test(e.message) && /\[2, 3\]/.test(e.message),
    );
    assert.throws(
      () => solve(identity(3), Float64Array.of(1, 2)),
      (e: unknown) => e instanceof ShapeError && /length 2/.test(e.message),
    );
    assert.throws(() => solve(identity(3), matrix(2, 2)), ShapeError);
    assert.throws(
      () => solve(identity(2), Float64Array.of(1, NaN)),
      (e: unknown) => e instanceof ValueError && /NaN/.test(e.message),
    );
    assert.throws(
      () =>
        det(
          fromRows([
            [1, Infinity],
            [0, 1],
          ]),
        ),
      (e: unknown) => e instanceof ValueError && /Infinity at \[0, 1\]/.test(e.message),
    );
    assert.throws(() => det(matrix(2, 3)), ShapeError);
    assert.throws(() => lu(matrix(1, 2)), ShapeError);
    // A badly scaled but regular matrix is not "singular".
    assertVecClose(solve(diag([1, 1e-300]), Float64Array.of(1, 1e-300)), [1, 1], 1e-15, 'diag(1, 1e-300)');
  });
});
