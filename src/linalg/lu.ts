/** LU factorisation with partial pivoting; solve, det, slogdet, inv. */
import { ShapeError, ValueError } from '../errors.js';
import { EPS, checkInput, rhsAsMatrix, shapeOf, solutionLike, type SolutionOf } from './check.js';
import type { Matrix } from './matrix.js';
import { triSolveInPlace } from './triangular.js';

export interface LU {
  /** L (unit lower, diagonal not stored) and U (upper) packed in one n×n matrix. */
  lu: Matrix;
  /** Row i of P·A is row `pivots[i]` of A, and P·A = L·U. */
  pivots: Int32Array;
  /** The determinant of P: +1 or -1. */
  sign: number;
}

/**
 * P·A = L·U with partial pivoting (the largest |entry| of each column is the
 * pivot). Works for singular A too (a zero column just gets a zero pivot), so
 * `det` can use it; `solve` and `inv` reject singular matrices.
 */
export function lu(A: Matrix): LU {
  checkInput('lu', A, { square: true });
  return luRaw(A);
}

function luRaw(A: Matrix): LU {
  const n = A.rows;
  const a = A.data.slice();
  const piv = new Int32Array(n);
  for (let i = 0; i < n; i++) piv[i] = i;
  let sign = 1;
  for (let k = 0; k < n; k++) {
    let p = k,
      best = Math.abs(a[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (p !== k) {
      const rk = k * n,
        rp = p * n;
      for (let j = 0; j < n; j++) {
        const t = a[rk + j];
        a[rk + j] = a[rp + j];
        a[rp + j] = t;
      }
      const t = piv[k];
      piv[k] = piv[p];
      piv[p] = t;
      sign = -sign;
    }
    if (best === 0) continue;
    const rk = k * n;
    const inv = 1 / a[rk + k];
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const l = a[ri + k] * inv;
      a[ri + k] = l;
      if (l === 0) continue;
      for (let j = k + 1; j < n; j++) a[ri + j] -= l * a[rk + j];
    }
  }
  return { lu: { data: a, rows: n, cols: n }, pivots: piv, sign };
}

/**
 * The first pivot that is zero to working precision: |U[k, k]| <= eps ·
 * max_i |A[i, k]| (a pivot below the round-off of its own column), or -1.
 */
function singularPivot(A: Matrix, f: LU): number {
  const n = A.rows,
    a = A.data,
    u = f.lu.data;
  for (let k = 0; k < n; k++) {
    let colMax = 0;
    for (let i = 0; i < n; i++) {
      const v = Math.abs(a[i * n + k]);
      if (v > colMax) colMax = v;
    }
    const p = Math.abs(u[k * n + k]);
    if (p === 0 || p <= EPS * colMax) return k;
  }
  return -1;
}

function singularError(fn: string, A: Matrix, f: LU, k: number): ValueError {
  const u = f.lu.data[k * A.rows + k];
  return new ValueError(
    `${fn}: A ${shapeOf(A)} is singular: LU pivot ${k} is ${u === 0 ? '0' : `${u}, zero to working precision`} (use lstsq or pinv for singular or rank-deficient systems)`,
  );
}

function luSolveRaw(f: LU, b: Matrix): Float64Array {
  const n = f.lu.rows,
    k = b.cols;
  const x = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const src = f.pivots[i] * k;
    for (let c = 0; c < k; c++) x[i * k + c] = b.data[src + c];
  }
  triSolveInPlace(f.lu.data, n, x, k, true, false, true);
  triSolveInPlace(f.lu.data, n, x, k, false, false);
  return x;
}

/** X with A·X = B from a factorisation `lu(A)`; B a vector or a matrix. */
export function luSolve<Rhs extends Float64Array | Matrix>(f: LU, B: Rhs): SolutionOf<Rhs> {
  const fn = 'luSolve';
  if (f === null || typeof f !== 'object' || !(f.pivots instanceof Int32Array)) {
    throw new ValueError(`${fn}: expected the result of lu(A)`);
  }
  checkInput(fn, f.lu, { square: true, name: 'lu' });
  const n = f.lu.rows;
  if (f.pivots.length !== n) throw new ShapeError(`${fn}: lu is ${shapeOf(f.lu)} but pivots has length ${f.pivots.length}`);
  for (let i = 0; i < n; i++) {
    if (f.lu.data[i * n + i] === 0) throw new ValueError(`${fn}: the factorised matrix is singular: U[${i}, ${i}] is 0`);
  }
  const rhs = rhsAsMatrix(fn, B, n, shapeOf(f.lu), 'B');
  return solutionLike(luSolveRaw(f, rhs.mat), rhs);
}

/**
 * X with A·X = B for square, non-singular A (LU with partial pivoting); B a
 * vector (length n) or a matrix (n rows), X of the same kind. Throws a
 * ValueError naming the pivot when A is singular to working precision.
 */
export function solve<Rhs extends Float64Array | Matrix>(A: Matrix, B: Rhs): SolutionOf<Rhs> {
  const fn = 'solve';
  checkInput(fn, A, { square: true });
  const rhs = rhsAsMatrix(fn, B, A.rows, shapeOf(A), 'B');
  const f = luRaw(A);
  const k = singularPivot(A, f);
  if (k >= 0) throw singularError(fn, A, f, k);
  return solutionLike(luSolveRaw(f, rhs.mat), rhs);
}

/** A⁻¹ (LU with partial pivoting); throws for singular A like `solve`. */
export function inv(A: Matrix): Matrix {
  const fn = 'inv';
  checkInput(fn, A, { square: true });
  const n = A.rows;
  const f = luRaw(A);
  const k = singularPivot(A, f);
  if (k >= 0) throw singularError(fn, A, f, k);
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return { data: luSolveRaw(f, { data: I, rows: n, cols: n }), rows: n, cols: n };
}

/** det(A) from the LU factorisation (0 for a matrix with an exactly zero pivot; 1 for 0×0). */
export function det(A: Matrix): number {
  checkInput('det', A, { square: true });
  const f = luRaw(A);
  const n = A.rows;
  let d = f.sign;
  for (let i = 0; i < n; i++) d *= f.lu.data[i * n + i];
  return d === 0 ? 0 : d; // no -0
}

/**
 * det(A) as sign · exp(logAbsDet), which neither overflows nor underflows.
 * A singular matrix gives sign 0 and logAbsDet -Infinity.
 */
export function slogdet(A: Matrix): { sign: number; logAbsDet: number } {
  checkInput('slogdet', A, { square: true });
  const f = luRaw(A);
  const n = A.rows;
  let sign = f.sign,
    log = 0;
  for (let i = 0; i < n; i++) {
    const u = f.lu.data[i * n + i];
    if (u === 0) return { sign: 0, logAbsDet: -Infinity };
    if (u < 0) sign = -sign;
    log += Math.log(Math.abs(u));
  }
  return { sign, logAbsDet: log };
}
