/** Random matrices, norms and closeness checks shared by the linear-algebra tests (linalg-factor, linalg-spectral). */
import assert from 'node:assert/strict';
import type { Generator } from '../../src/tensor/random.js';
import { type Matrix, identity, matmul, matrix, qr } from '../../src/linalg/index.js';

// ---------------------------------------------------------------------------
// helpers

export function randn(g: Generator, m: number, n: number): Matrix {
  const A = matrix(m, n);
  for (let i = 0; i < A.data.length; i++) A.data[i] = g.normal();
  return A;
}

export function randVec(g: Generator, n: number): Float64Array {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = g.normal();
  return v;
}

export function fro(A: Matrix | Float64Array): number {
  const d = A instanceof Float64Array ? A : A.data;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  return Math.sqrt(s);
}

export function sub(A: Matrix, B: Matrix): Matrix {
  assert.equal(A.rows, B.rows, 'rows differ');
  assert.equal(A.cols, B.cols, 'cols differ');
  return { data: A.data.map((v, i) => v - B.data[i]), rows: A.rows, cols: A.cols };
}

/** ‖A - B‖_F / max(‖B‖_F, tiny) <= tol */
export function assertRelClose(A: Matrix, B: Matrix, tol: number, what: string): void {
  const err = fro(sub(A, B)) / Math.max(fro(B), 1e-300);
  assert.ok(err <= tol, `${what}: relative error ${err} > ${tol}`);
}

export function assertVecClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: lengths ${a.length} vs ${b.length}`);
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i] - b[i]);
    assert.ok(err <= tol * Math.max(scale, 1e-300) || err === 0, `${what}[${i}]: ${a[i]} vs ${b[i]} (err ${err}, tol ${tol}·${scale})`);
  }
}

/** ‖QᵀQ - I‖_max <= tol (columns orthonormal). */
export function assertOrthonormalColumns(Q: Matrix, tol: number, what: string): void {
  const QtQ = matmul(Q, Q, { transA: true });
  const I = identity(Q.cols);
  for (let i = 0; i < QtQ.data.length; i++) {
    const e = Math.abs(QtQ.data[i] - I.data[i]);
    assert.ok(e <= tol, `${what}: QᵀQ deviates from I by ${e} at ${i}`);
  }
}

export function withDiag(rows: number, cols: number, s: ArrayLike<number>): Matrix {
  const S = matrix(rows, cols);
  for (let i = 0; i < s.length; i++) S.data[i * cols + i] = s[i];
  return S;
}

/** A random orthogonal n×n matrix (Q of a Gaussian matrix). */
export function randOrthogonal(g: Generator, n: number): Matrix {
  return qr(randn(g, n, n)).q;
}

export const SHAPES: Array<[number, number]> = [
  [1, 1],
  [1, 5],
  [5, 1],
  [2, 2],
  [3, 7],
  [7, 3],
  [13, 11],
  [11, 13],
  [17, 17],
  [31, 5],
  [5, 31],
  [40, 23],
];

// ---------------------------------------------------------------------------
