/** Input validation shared by the `linalg/` functions (internal). */
import { ShapeError, ValueError } from '../errors.js';
import type { Matrix } from './matrix.js';

export const EPS = 2.220446049250313e-16;

export function shapeOf(A: Matrix): string {
  return `[${A.rows}, ${A.cols}]`;
}

/** A well-formed Matrix: integer dimensions and a Float64Array of rows·cols elements. */
export function checkMatrix(fn: string, A: Matrix, name = 'A'): void {
  if (A === null || typeof A !== 'object') {
    throw new ValueError(`${fn}: ${name} must be a matrix {data, rows, cols}, got ${A === null ? 'null' : typeof A}`);
  }
  const { rows, cols, data } = A;
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new ShapeError(`${fn}: ${name} has invalid dimensions [${String(rows)}, ${String(cols)}]; sizes are integers >= 0`);
  }
  if (!(data instanceof Float64Array)) {
    throw new ValueError(`${fn}: ${name}.data must be a Float64Array, got ${data === null ? 'null' : ((data as object)?.constructor?.name ?? typeof data)}`);
  }
  if (data.length !== rows * cols) {
    throw new ShapeError(`${fn}: ${name} is [${rows}, ${cols}] (${rows * cols} elements) but its data has ${data.length}`);
  }
}

/** Throws ValueError naming the first NaN or infinite entry. */
export function checkFinite(fn: string, A: Matrix, name = 'A'): void {
  const d = A.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v - v !== 0) {
      const r = Math.floor(i / A.cols),
        c = i - r * A.cols;
      throw new ValueError(`${fn}: ${name} ${shapeOf(A)} contains ${v} at [${r}, ${c}]; all entries must be finite`);
    }
  }
}

export function checkVectorFinite(fn: string, v: Float64Array, name: string): void {
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x - x !== 0) throw new ValueError(`${fn}: ${name} contains ${x} at [${i}]; all entries must be finite`);
  }
}

export function checkSquare(fn: string, A: Matrix, name = 'A'): void {
  if (A.rows !== A.cols) throw new ShapeError(`${fn}: ${name} must be square, got ${shapeOf(A)}`);
}

/** checkMatrix + checkFinite (+ checkSquare). */
export function checkInput(fn: string, A: Matrix, opts: { square?: boolean; name?: string } = {}): void {
  const name = opts.name ?? 'A';
  checkMatrix(fn, A, name);
  if (opts.square) checkSquare(fn, A, name);
  checkFinite(fn, A, name);
}

/**
 * Symmetry within round-off: |a_ij - a_ji| <= 1e-8 · max|A| (a product such
 * as XᵀX computed in another order differs from symmetric by ~n·eps).
 */
export function checkSymmetric(fn: string, A: Matrix, name = 'A'): void {
  const n = A.rows,
    a = A.data;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > maxAbs) maxAbs = v;
  }
  const tol = 1e-8 * maxAbs;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const d = Math.abs(a[i * n + j] - a[j * n + i]);
      if (d > tol) {
        throw new ValueError(`${fn}: ${name} ${shapeOf(A)} is not symmetric: A[${i}, ${j}] = ${a[i * n + j]} but A[${j}, ${i}] = ${a[j * n + i]}`);
      }
    }
  }
}

/** A right-hand side: a vector (length m) or a matrix with m rows. Returns it as an m×k matrix view. */
export function rhsAsMatrix(fn: string, B: Float64Array | Matrix, m: number, aShape: string, name = 'b'): { mat: Matrix; vector: boolean } {
  if (B instanceof Float64Array) {
    if (B.length !== m) throw new ShapeError(`${fn}: A is ${aShape} but ${name} has length ${B.length} (expected ${m})`);
    const mat = { data: B, rows: m, cols: 1 };
    checkVectorFinite(fn, B, name);
    return { mat, vector: true };
  }
  checkMatrix(fn, B, name);
  if (B.rows !== m) throw new ShapeError(`${fn}: A is ${aShape} but ${name} is ${shapeOf(B)} (expected ${m} rows)`);
  checkFinite(fn, B, name);
  return { mat: B, vector: false };
}

/** What a solver returns for the right-hand side B: a vector for a vector B, a matrix for a matrix. */
export type SolutionOf<B extends Float64Array | Matrix> = B extends Float64Array ? Float64Array : Matrix;

/** The solution x (n × cols, row-major) shaped like the right-hand side that `rhsAsMatrix` read. */
export function solutionLike<B extends Float64Array | Matrix>(x: Float64Array, rhs: { mat: Matrix; vector: boolean }): SolutionOf<B> {
  return (rhs.vector ? x : { data: x, rows: rhs.mat.rows, cols: rhs.mat.cols }) as SolutionOf<B>;
}

export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m) m = v;
  }
  return m;
}

/**
 * A power of two that brings max|A| near 1 when it is far from it (so sums of
 * squares neither overflow nor underflow); 1 otherwise. Scaling by it is exact.
 */
export function pow2Scale(mx: number): number {
  if (mx === 0 || (mx > 2 ** -400 && mx < 2 ** 400)) return 1;
  return 2 ** -Math.round(Math.log2(mx));
}

export function checkRcond(fn: string, rcond: number | undefined, fallback: number): number {
  if (rcond === undefined) return fallback;
  if (typeof rcond !== 'number' || !Number.isFinite(rcond) || rcond < 0) {
    throw new ValueError(`${fn}: rcond must be a finite number >= 0, got ${String(rcond)}`);
  }
  return rcond;
}
