import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ShapeError, ValueError } from '../src/errors.js';
import { Generator } from '../src/tensor/random.js';
import { type Matrix, diag, eigh, eigvalsh, fromRows, identity, lstsq, matmul, matrix, matvec, pinv, qr, solve, svd, svdvals, toRows, transpose } from '../src/linalg/index.js';

import { randn, randVec, fro, sub, assertRelClose, assertVecClose, assertOrthonormalColumns, withDiag, randOrthogonal, SHAPES } from './helpers/linalg.js';

describe('eigh', () => {
  it('known small examples', () => {
    const r = eigh(
      fromRows([
        [2, 1],
        [1, 2],
      ]),
    );
    assertVecClose(r.values, [1, 3], 1e-15, 'values');
    const s = Math.SQRT1_2;
    // columns: [-s, s] → sign convention flips to the largest-magnitude entry positive (first on ties)
    assertVecClose(r.vectors.data.map(Math.abs), [s, s, s, s], 1e-15, 'vectors');
    const d = eigh(diag([3, -1, 2]));
    assert.deepEqual(Array.from(d.values), [-1, 2, 3]);
    assert.deepEqual(toRows(d.vectors), [
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    assert.deepEqual(Array.from(eigh(fromRows([[5]])).values), [5]);
    assert.equal(eigh(matrix(0, 0)).values.length, 0);
  });

  it('reconstructs random symmetric matrices with orthonormal vectors, ascending values', () => {
    const g = new Generator(7);
    for (const n of [1, 2, 3, 8, 17, 50]) {
      const X = randn(g, n, n);
      const A = matmul(X, transpose(X));
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A.data[i * n + j] -= 0.5 * (X.data[i * n + j] + X.data[j * n + i]); // indefinite
      const { values, vectors } = eigh(A);
      for (let i = 1; i < n; i++) assert.ok(values[i] >= values[i - 1], 'ascending');
      assertOrthonormalColumns(vectors, 1e-13, `V n=${n}`);
      assertRelClose(matmul(matmul(vectors, diag(values)), vectors, { transB: true }), A, 1e-13, `VΛVᵀ n=${n}`);
      assertRelClose(matmul(A, vectors), matmul(vectors, diag(values)), 1e-13, `AV = VΛ n=${n}`);
      assertVecClose(eigvalsh(A), values, 1e-14, 'eigvalsh');
      for (let c = 0; c < n; c++) {
        let big = 0;
        for (let i = 0; i < n; i++) if (Math.abs(vectors.data[i * n + c]) > Math.abs(vectors.data[big * n + c])) big = i;
        assert.ok(vectors.data[big * n + c] > 0, 'sign convention');
      }
    }
  });

  it('recovers a known spectrum to ~1e-12 relative, including repeated eigenvalues', () => {
    const g = new Generator(8);
    const n = 30;
    const Q = randOrthogonal(g, n);
    const lam = Array.from({ length: n }, (_, i) => (i < 5 ? 2 : i - 10.5)); // a 5-fold eigenvalue
    const A = matmul(matmul(Q, diag(lam)), Q, { transB: true });
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A.data[i * n + j] = A.data[j * n + i]; // exactly symmetric
    const { values, vectors } = eigh(A);
    const want = lam.slice().sort((a, b) => a - b);
    const scale = Math.max(...want.map(Math.abs));
    for (let i = 0; i < n; i++) assert.ok(Math.abs(values[i] - want[i]) <= 1e-13 * scale, `λ${i}: ${values[i]} vs ${want[i]}`);
    assertOrthonormalColumns(vectors, 1e-13, 'V with repeated eigenvalues');
    assertRelClose(matmul(matmul(vectors, diag(values)), vectors, { transB: true }), A, 1e-13, 'reconstruction');
    // Identity: every vector is an eigenvector.
    const I = eigh(identity(4));
    assert.deepEqual(Array.from(I.values), [1, 1, 1, 1]);
    assertOrthonormalColumns(I.vectors, 0, 'identity');
  });

  it('scales: huge and tiny entries', () => {
    for (const s of [1e-250, 1e250]) {
      const A = fromRows([
        [2 * s, s],
        [s, 2 * s],
      ]);
      assertVecClose(eigh(A).values, [s, 3 * s], 1e-14, `scale ${s}`);
    }
  });

  it('rejects non-symmetric, non-square and non-finite input', () => {
    assert.throws(
      () =>
        eigh(
          fromRows([
            [1, 2],
            [0, 1],
          ]),
        ),
      (e: unknown) => e instanceof ValueError && /eigh/.test(e.message) && /not symmetric/.test(e.message),
    );
    assert.throws(
      () => eigh(matrix(2, 3)),
      (e: unknown) => e instanceof ShapeError && /\[2, 3\]/.test(e.message),
    );
    assert.throws(() => eigvalsh(fromRows([[NaN]])), ValueError);
  });
});

describe('svd', () => {
  it('known small examples', () => {
    const r = svd(
      fromRows([
        [3, 0],
        [0, -2],
      ]),
    );
    assertVecClose(r.s, [3, 2], 1e-15, 's');
    assertRelClose(
      matmul(matmul(r.u, diag(r.s)), r.vt),
      fromRows([
        [3, 0],
        [0, -2],
      ]),
      1e-15,
      'UΣVᵀ',
    );
    assertVecClose(
      svdvals(
        fromRows([
          [1, 1],
          [1, 1],
        ]),
      ),
      [2, 0],
      1e-15,
      'rank 1',
    );
    assertVecClose(svdvals(fromRows([[3, 4]])), [5], 1e-15, '1×2');
    assertVecClose(svdvals(fromRows([[3], [4]])), [5], 1e-15, '2×1');
  });

  it('reconstructs all shapes, full and reduced; U, V orthonormal; S descending', () => {
    const g = new Generator(9);
    for (const [m, n] of SHAPES) {
      const A = randn(g, m, n);
      const k = Math.min(m, n);
      for (const fullMatrices of [true, false]) {
        const { u, s, vt } = svd(A, { fullMatrices });
        assert.equal(s.length, k);
        assert.equal(u.rows, m);
        assert.equal(u.cols, fullMatrices ? m : k);
        assert.equal(vt.rows, fullMatrices ? n : k);
        assert.equal(vt.cols, n);
        for (let i = 1; i < k; i++) assert.ok(s[i] <= s[i - 1] && s[i] >= 0, 'descending, non-negative');
        assertOrthonormalColumns(u, 1e-13, `U ${m}×${n} full=${fullMatrices}`);
        assertOrthonormalColumns(transpose(vt), 1e-13, `V ${m}×${n} full=${fullMatrices}`);
        assertRelClose(matmul(matmul(u, withDiag(u.cols, vt.rows, s)), vt), A, 1e-13, `UΣVᵀ ${m}×${n} full=${fullMatrices}`);
        for (let c = 0; c < k; c++) {
          let big = 0;
          for (let i = 0; i < m; i++) if (Math.abs(u.data[i * u.cols + c]) > Math.abs(u.data[big * u.cols + c])) big = i;
          assert.ok(u.data[big * u.cols + c] > 0, 'sign convention');
        }
      }
      assertVecClose(svdvals(A), svd(A).s, 1e-14, 'svdvals');
    }
  });

  it('singular values match a known spectrum with high relative accuracy', () => {
    const g = new Generator(10);
    const m = 23,
      n = 11;
    const U = qr(randn(g, m, n)).q;
    const V = randOrthogonal(g, n);
    const s0 = Array.from({ length: n }, (_, i) => 10 ** -i); // κ = 1e10
    const A = matmul(matmul(U, diag(s0)), V, { transB: true });
    const s = svdvals(A);
    // Relative accuracy of the small ones is limited by the rounding of A itself (≈ eps·κ·s_i).
    for (let i = 0; i < n; i++) assert.ok(Math.abs(s[i] - s0[i]) <= 1e-12 * s0[0] + 1e-6 * s0[i], `σ${i}: ${s[i]} vs ${s0[i]}`);
    for (let i = 0; i < 4; i++) assert.ok(Math.abs(s[i] - s0[i]) <= 1e-13 * s0[i], `σ${i} relative`);
    // Graded columns: one-sided Jacobi keeps every singular value to high relative accuracy.
    const D = diag([1, 1e-20, 1e-40]);
    assertVecClose(svdvals(D), [1, 1e-20, 1e-40], 0, 'diag');
    const s2 = svdvals(matmul(randOrthogonal(g, 3), D));
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(s2[i] - D.data[i * 4]) <= 1e-14 * D.data[i * 4], `graded σ${i}: ${s2[i]}`);
  });

  it('rank-deficient and empty matrices still give orthonormal factors', () => {
    const g = new Generator(12);
    for (const [m, n, r] of [
      [8, 5, 2],
      [5, 8, 1],
      [6, 6, 0],
      [7, 7, 3],
    ] as Array<[number, number, number]>) {
      const A = r === 0 ? matrix(m, n) : matmul(randn(g, m, r), randn(g, r, n));
      for (const fullMatrices of [true, false]) {
        const { u, s, vt } = svd(A, { fullMatrices });
        for (let i = r; i < Math.min(m, n); i++) assert.ok(s[i] <= 1e-14 * Math.max(s[0], 1), `s[${i}] = ${s[i]} should be ~0`);
        assertOrthonormalColumns(u, 1e-13, `U rank ${r} ${m}×${n}`);
        assertOrthonormalColumns(transpose(vt), 1e-13, `V rank ${r} ${m}×${n}`);
        const R = matmul(matmul(u, withDiag(u.cols, vt.rows, s)), vt);
        if (r > 0) assertRelClose(R, A, 1e-13, `reconstruction rank ${r}`);
        else assert.equal(fro(R), 0);
      }
    }
    for (const [m, n] of [
      [0, 0],
      [0, 3],
      [3, 0],
    ]) {
      const full = svd(matrix(m, n));
      assert.equal(full.s.length, 0);
      assert.deepEqual([full.u.rows, full.u.cols, full.vt.rows, full.vt.cols], [m, m, n, n]);
      assertOrthonormalColumns(full.u, 0, 'empty U');
      assertOrthonormalColumns(transpose(full.vt), 0, 'empty V');
      const red = svd(matrix(m, n), { fullMatrices: false });
      assert.deepEqual([red.u.rows, red.u.cols, red.vt.rows, red.vt.cols], [m, 0, 0, n]);
    }
  });

  it('survives huge and tiny scales', () => {
    for (const sc of [1e-300, 1e300]) {
      const A = fromRows([
        [3 * sc, 0],
        [0, 4 * sc],
        [0, 0],
      ]);
      assertVecClose(svdvals(A), [4 * sc, 3 * sc], 1e-15, `scale ${sc}`);
    }
  });

  it('rejects non-finite input and bad options', () => {
    assert.throws(
      () => svd(fromRows([[1, NaN]])),
      (e: unknown) => e instanceof ValueError && /svd/.test(e.message) && /NaN at \[0, 1\]/.test(e.message),
    );
    assert.throws(() => svd(identity(2), { fullMatrices: 'yes' as unknown as boolean }), ValueError);
  });
});

describe('pinv', () => {
  it('satisfies the Moore–Penrose conditions for all shapes and ranks', () => {
    const g = new Generator(13);
    const cases: Matrix[] = [];
    for (const [m, n] of SHAPES) cases.push(randn(g, m, n));
    cases.push(matmul(randn(g, 9, 2), randn(g, 2, 6)), matmul(randn(g, 4, 1), randn(g, 1, 7)));
    for (const A of cases) {
      const P = pinv(A);
      assert.equal(P.rows, A.cols);
      assert.equal(P.cols, A.rows);
      assertRelClose(matmul(matmul(A, P), A), A, 1e-12, 'A·A⁺·A = A');
      assertRelClose(matmul(matmul(P, A), P), P, 1e-12, 'A⁺·A·A⁺ = A⁺');
      const AP = matmul(A, P),
        PA = matmul(P, A);
      assertRelClose(AP, transpose(AP), 1e-12, 'A·A⁺ symmetric');
      assertRelClose(PA, transpose(PA), 1e-12, 'A⁺·A symmetric');
    }
  });

  it('known values, rcond and empty', () => {
    assertVecClose(
      pinv(
        fromRows([
          [1, 0],
          [0, 0],
        ]),
      ).data,
      [1, 0, 0, 0],
      0,
      'diag',
    );
    assertVecClose(
      pinv(
        fromRows([
          [1, 1],
          [1, 1],
        ]),
      ).data,
      [0.25, 0.25, 0.25, 0.25],
      1e-15,
      'ones',
    );
    assertVecClose(
      pinv(
        fromRows([
          [1, 0],
          [0, 1e-3],
        ]),
        { rcond: 1e-2 },
      ).data,
      [1, 0, 0, 0],
      0,
      'rcond cut',
    );
    assertVecClose(pinv(fromRows([[2], [0]])).data, [0.5, 0], 0, '2×1');
    const e = pinv(matrix(0, 3));
    assert.deepEqual([e.rows, e.cols], [3, 0]);
    assert.throws(() => pinv(identity(2), { rcond: -1 }), ValueError);
  });
});

describe('lstsq', () => {
  it('full-rank overdetermined: both solvers agree with pinv·b and report residuals', () => {
    const g = new Generator(14);
    for (const [m, n] of [
      [5, 3],
      [1, 1],
      [7, 1],
      [50, 7],
      [2003, 31],
    ] as Array<[number, number]>) {
      const A = randn(g, m, n);
      const b = randVec(g, m);
      const want = matvec(pinv(A), b);
      for (const method of ['auto', 'qr'] as const) {
        const r = lstsq(A, b, { method });
        assert.equal(r.solver, method === 'auto' ? 'normal' : 'qr');
        assert.equal(r.rank, n);
        assertVecClose(r.x, want, 1e-12, `x ${m}×${n} ${method}`);
        assertVecClose(r.singularValues, svdvals(A), 1e-13, `σ ${m}×${n} ${method}`);
        const res = matvec(A, r.x).map((v, i) => b[i] - v);
        if (m > n) {
          assert.equal(r.residuals.length, 1);
          assert.ok(Math.abs(r.residuals[0] - fro(res) ** 2) <= 1e-12 * fro(b) ** 2, `residual ${r.residuals[0]} vs ${fro(res) ** 2}`);
        } else assert.equal(r.residuals.length, 0);
      }
    }
  });

  it('matrix right-hand sides on both solvers', () => {
    const g = new Generator(18);
    const A = randn(g, 45, 6);
    const B = randn(g, 45, 3);
    const want = matmul(pinv(A), B);
    for (const method of ['auto', 'qr'] as const) {
      const r = lstsq(A, B, { method });
      assert.equal(r.solver, method === 'auto' ? 'normal' : 'qr');
      assert.equal(r.x.rows, 6);
      assert.equal(r.x.cols, 3);
      assertRelClose(r.x, want, 1e-13, `X (${method})`);
      const res = sub(B, matmul(A, r.x));
      for (let q = 0; q < 3; q++) {
        let ss = 0;
        for (let i = 0; i < 45; i++) ss += res.data[i * 3 + q] ** 2;
        assert.ok(Math.abs(r.residuals[q] - ss) <= 1e-12 * ss, `residual ${q}`);
      }
    }
  });

  it('consistent systems are solved exactly; square systems have no residuals', () => {
    const A = fromRows([
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
    const r = lstsq(A, Float64Array.of(6, 8, 10)); // y = 4 + 2x
    assertVecClose(r.x, [4, 2], 1e-14, 'x');
    assert.ok(r.residuals[0] < 1e-25);
    const r2 = lstsq(A, Float64Array.of(1, 2, 2)); // fit: slope 0.5, intercept 2/3
    assertVecClose(r2.x, [2 / 3, 0.5], 1e-14, 'line fit');
    assertVecClose(r2.residuals, [1 / 6], 1e-14, 'residual');
    const sq = lstsq(
      fromRows([
        [2, 0],
        [0, 4],
      ]),
      Float64Array.of(2, 2),
    );
    assertVecClose(sq.x, [1, 0.5], 1e-15, 'square');
    assert.equal(sq.residuals.length, 0);
  });

  it('rank-deficient tall: the minimum-norm solution, equal to pinv·b', () => {
    const g = new Generator(15);
    // Duplicate and zero columns.
    const base = randn(g, 40, 3);
    const A = matrix(40, 5);
    for (let i = 0; i < 40; i++) {
      A.data[i * 5 + 0] = base.data[i * 3];
      A.data[i * 5 + 1] = base.data[i * 3 + 1];
      A.data[i * 5 + 2] = base.data[i * 3];
      A.data[i * 5 + 3] = 0;
      A.data[i * 5 + 4] = base.data[i * 3 + 2] + base.data[i * 3 + 1];
    }
    const b = randVec(g, 40);
    for (const method of ['auto', 'qr'] as const) {
      const r = lstsq(A, b, { method });
      assert.equal(r.solver, 'qr');
      assert.equal(r.rank, 3);
      assert.equal(r.residuals.length, 0, 'no residuals when rank < n');
      assertVecClose(r.x, matvec(pinv(A), b), 1e-12, `min-norm x (${method})`);
      assert.ok(Math.abs(r.x[0] - r.x[2]) < 1e-12, 'duplicate columns share the weight');
      assert.ok(Math.abs(r.x[3]) < 1e-14, 'zero column gets zero weight');
    }
    // Low-rank product, many right-hand sides.
    const L = matmul(randn(g, 60, 4), randn(g, 4, 9));
    const B = randn(g, 60, 3);
    const r = lstsq(L, B);
    assert.equal(r.rank, 4);
    assertRelClose(r.x, matmul(pinv(L), B), 1e-11, 'low-rank multi-rhs');
  });

  it('underdetermined (wide): exact fit with minimum norm', () => {
    const g = new Generator(16);
    for (const [m, n] of [
      [1, 4],
      [3, 7],
      [10, 31],
    ] as Array<[number, number]>) {
      const A = randn(g, m, n);
      const b = randVec(g, m);
      const r = lstsq(A, b);
      assert.equal(r.rank, m);
      assert.equal(r.residuals.length, 0);
      assertVecClose(matvec(A, r.x), b, 1e-12, 'A·x = b');
      // Minimum norm: x lies in the row space, x = Aᵀ·(A·Aᵀ)⁻¹·b.
      const want = matvec(transpose(A), solve(matmul(A, A, { transB: true }), b));
      assertVecClose(r.x, want, 1e-11, 'minimum-norm x');
    }
    const r = lstsq(fromRows([[1, 1]]), Float64Array.of(2));
    assertVecClose(r.x, [1, 1], 1e-15, 'x1 + x2 = 2');
  });

  it('ill-conditioned problems fall back to the orthogonal solver and stay accurate', () => {
    // Polynomial features on [0, 1]: κ ≈ 1e7 after column scaling.
    const m = 200,
      n = 8;
    const A = matrix(m, n);
    const xTrue = Float64Array.from({ length: n }, (_, j) => (j % 2 ? -1 : 1) * (j + 1));
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) A.data[i * n + j] = (i / (m - 1)) ** j;
    const b = matvec(A, xTrue);
    const r = lstsq(A, b);
    assert.equal(r.solver, 'qr');
    assertVecClose(r.x, xTrue, 1e-7, 'ill-conditioned x');
    // A moderately conditioned problem (κ ≈ 3e3) stays on the fast path with QR-level accuracy.
    const g = new Generator(17);
    const U = qr(randn(g, 300, 6)).q;
    const M = matmul(matmul(U, diag([3000, 300, 30, 10, 3, 1])), randOrthogonal(g, 6));
    const xt = randVec(g, 6);
    const bm = matvec(M, xt);
    for (let i = 0; i < 300; i++) bm[i] += 1e-3 * g.normal();
    const fast = lstsq(M, bm),
      slow = lstsq(M, bm, { method: 'qr' });
    assert.equal(fast.solver, 'normal');
    assertVecClose(fast.x, slow.x, 1e-12, 'normal vs qr');
    assertVecClose(fast.residuals, slow.residuals, 1e-11, 'residuals');
  });

  it('rcond sets the rank', () => {
    const A = fromRows([
      [1, 0],
      [0, 1e-6],
      [0, 0],
    ]);
    const b = Float64Array.of(1, 1, 1);
    const r1 = lstsq(A, b);
    assert.equal(r1.rank, 2);
    assertVecClose(r1.x, [1, 1e6], 1e-12, 'full rank');
    const r2 = lstsq(A, b, { rcond: 1e-3 });
    assert.equal(r2.rank, 1);
    assertVecClose(r2.x, [1, 0], 0, 'truncated');
  });

  it('huge and tiny scales', () => {
    for (const s of [1e-200, 1e200]) {
      const A = fromRows([
        [s, 0],
        [0, s],
        [s, s],
      ]);
      const r = lstsq(A, Float64Array.of(s, 2 * s, 3 * s));
      assertVecClose(r.x, [1, 2], 1e-14, `x at scale ${s}`);
      assertVecClose(r.singularValues, [Math.sqrt(3) * s, s], 1e-14, `σ at scale ${s}`);
    }
  });

  it('empty problems', () => {
    const r = lstsq(matrix(3, 0), Float64Array.of(1, 2, 2));
    assert.equal(r.x.length, 0);
    assert.equal(r.rank, 0);
    assertVecClose(r.residuals, [9], 0, 'residual = ‖b‖²');
    const r2 = lstsq(matrix(0, 2), new Float64Array(0));
    assert.deepEqual(Array.from(r2.x), [0, 0]);
  });

  it('rejects mismatched, non-finite input and bad options', () => {
    const A = fromRows([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    assert.throws(
      () => lstsq(A, Float64Array.of(1, 2)),
      (e: unknown) => e instanceof ShapeError && /lstsq/.test(e.message) && /\[3, 2\]/.test(e.message) && /length 2/.test(e.message),
    );
    assert.throws(() => lstsq(A, matrix(2, 1)), ShapeError);
    for (const method of ['auto', 'qr'] as const) {
      const bad = fromRows([
        [1, 2],
        [3, NaN],
        [5, 6],
      ]);
      assert.throws(
        () => lstsq(bad, Float64Array.of(1, 2, 3), { method }),
        (e: unknown) => e instanceof ValueError && /NaN at \[1, 1\]/.test(e.message),
      );
      const inf = fromRows([
        [1, 2],
        [3, 4],
        [-Infinity, 6],
      ]);
      assert.throws(
        () => lstsq(inf, Float64Array.of(1, 2, 3), { method }),
        (e: unknown) => e instanceof ValueError && /-Infinity at \[2, 0\]/.test(e.message),
      );
    }
    assert.throws(() => lstsq(fromRows([[1, NaN, 3]]), Float64Array.of(1)), ValueError);
    assert.throws(
      () => lstsq(A, Float64Array.of(1, NaN, 3)),
      (e: unknown) => e instanceof ValueError && /b contains NaN/.test(e.message),
    );
    assert.throws(() => lstsq(A, Float64Array.of(1, 2, 3), { rcond: NaN }), ValueError);
    assert.throws(() => lstsq(A, Float64Array.of(1, 2, 3), { method: 'lu' as 'qr' }), ValueError);
  });
});
