/** Cholesky factorisation A = L·Lᵀ of a symmetric positive definite matrix. */
import { ValueError } from '../errors.js';
import { checkInput, checkSymmetric, rhsAsMatrix, shapeOf, solutionLike, type SolutionOf } from './check.js';
import type { Matrix } from './matrix.js';
import { triSolveInPlace } from './triangular.js';

/**
 * Lower-triangular L (zeros above the diagonal, positive diagonal) with
 * A = L·Lᵀ. A must be square, finite, symmetric (within 1e-8·max|A|; the
 * lower triangle is used) and positive definite: a pivot that is not > 0
 * throws a ValueError naming it.
 */
export function cholesky(A: Matrix): Matrix {
  const fn = 'cholesky';
  checkInput(fn, A, { square: true });
  checkSymmetric(fn, A);
  const n = A.rows;
  const L = new Float64Array(n * n);
  const info = choleskyInPlace(A.data, L, n);
  if (info >= 0) {
    throw new ValueError(
      `${fn}: A ${shapeOf(A)} is not positive definite: pivot ${info} is ${pivotValue(A.data, L, n, info)} ` + `(the leading ${info + 1}×${info + 1} minor is not positive)`,
    );
  }
  return { data: L, rows: n, cols: n };
}

/**
 * Row-oriented Cholesky (dot products along contiguous rows of L) reading the
 * lower triangle of a into l. Returns -1 on success, else the index of the
 * first pivot that is not positive (l then holds a partial factor).
 */
export function choleskyInPlace(a: Float64Array, l: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const li = i * n;
    for (let j = 0; j < i; j++) {
      const lj = j * n;
      let s = a[li + j];
      for (let p = 0; p < j; p++) s -= l[li + p] * l[lj + p];
      l[li + j] = s / l[lj + j];
    }
    let d = a[li + i];
    for (let p = 0; p < i; p++) d -= l[li + p] * l[li + p];
    if (!(d > 0)) return i;
    l[li + i] = Math.sqrt(d);
  }
  return -1;
}

function pivotValue(a: Float64Array, l: Float64Array, n: number, i: number): number {
  let d = a[i * n + i];
  for (let p = 0; p < i; p++) d -= l[i * n + p] * l[i * n + p];
  return d;
}

/** X with (L·Lᵀ)·X = B, given the Cholesky factor L; B a vector or matrix. */
export function choleskySolve<Rhs extends Float64Array | Matrix>(L: Matrix, B: Rhs): SolutionOf<Rhs> {
  const fn = 'choleskySolve';
  checkInput(fn, L, { square: true, name: 'L' });
  const n = L.rows;
  for (let i = 0; i < n; i++) {
    const d = L.data[i * n + i];
    if (!(d > 0)) throw new ValueError(`${fn}: L ${shapeOf(L)} is not a Cholesky factor: L[${i}, ${i}] = ${d} (must be > 0)`);
  }
  const rhs = rhsAsMatrix(fn, B, n, shapeOf(L), 'B');
  const x = rhs.mat.data.slice();
  triSolveInPlace(L.data, n, x, rhs.mat.cols, true, false);
  triSolveInPlace(L.data, n, x, rhs.mat.cols, true, true);
  return solutionLike(x, rhs);
}
