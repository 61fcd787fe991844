/**
 * Dense linear algebra on tensors: 2-D float tensors in, tensors of the
 * same dtype out. The work is done in float64 by `src/linalg/` whatever the
 * input dtype (the classical models need that accuracy).
 */
import { DTypeError, ShapeError } from '../errors.js';
import * as la from '../linalg/index.js';
import type { DType } from './dtype.js';
import { shapeStr } from './shape.js';
import { assertTensor, Tensor } from './tensor.js';

function checkTensor(t: unknown, fn: string, name: string): asserts t is Tensor {
  assertTensor(t, `linalg.${fn}`, name);
}

function toMat(t: Tensor, fn: string, name = 'A'): la.Matrix {
  checkTensor(t, fn, name);
  if (t.ndim !== 2) throw new ShapeError(`linalg.${fn}: ${name} must be a 2-D matrix, got shape ${shapeStr(t.shape)}`);
  if (t.dtype === 'int32') throw new DTypeError(`linalg.${fn}: ${name} must be float32 or float64, got int32`);
  const data = t.data instanceof Float64Array ? t.data : Float64Array.from(t.data);
  return { data, rows: t.shape[0], cols: t.shape[1] };
}

function fromMat(m: la.Matrix, dtype: DType): Tensor {
  return new Tensor(m.data, [m.rows, m.cols]).astype(dtype);
}

function fromVec(v: Float64Array, dtype: DType): Tensor {
  return new Tensor(v, [v.length]).astype(dtype);
}

/** A right-hand side: a vector [m] or a matrix [m, k]. */
function rhs(b: Tensor, fn: string): la.Matrix | Float64Array {
  checkTensor(b, fn, 'b');
  if (b.ndim === 1) return b.data instanceof Float64Array ? b.data : Float64Array.from(b.data);
  return toMat(b, fn, 'b');
}

function fromRhs(x: la.Matrix | Float64Array, dtype: DType): Tensor {
  return x instanceof Float64Array ? fromVec(x, dtype) : fromMat(x, dtype);
}

/** Lower-triangular L with A = L·Lᵀ (A symmetric positive definite). */
export function cholesky(a: Tensor): Tensor {
  return fromMat(la.cholesky(toMat(a, 'cholesky')), a.dtype);
}

/** A = Q·R (Householder); mode 'reduced' (default) or 'complete'. */
export function qr(a: Tensor, options: la.QROptions = {}): { q: Tensor; r: Tensor } {
  const { q, r } = la.qr(toMat(a, 'qr'), options);
  return { q: fromMat(q, a.dtype), r: fromMat(r, a.dtype) };
}

/** x with A·x = b (LU with partial pivoting); b a vector or a matrix. */
export function solve(a: Tensor, b: Tensor): Tensor {
  return fromRhs(la.solve(toMat(a, 'solve'), rhs(b, 'solve')), promoteOut(a, b));
}

/** Least squares: the (minimum-norm) x minimising ‖A·x − b‖. */
export function lstsq(a: Tensor, b: Tensor, options: la.LstsqOptions = {}): { x: Tensor; residuals: Tensor; rank: number; singularValues: Tensor } {
  const r = la.lstsq(toMat(a, 'lstsq'), rhs(b, 'lstsq'), options);
  const dtype = promoteOut(a, b);
  return { x: fromRhs(r.x, dtype), residuals: fromVec(r.residuals, dtype), rank: r.rank, singularValues: fromVec(r.singularValues, dtype) };
}

export function inv(a: Tensor): Tensor {
  return fromMat(la.inv(toMat(a, 'inv')), a.dtype);
}

/** Moore–Penrose pseudo-inverse. */
export function pinv(a: Tensor, options: la.PinvOptions = {}): Tensor {
  return fromMat(la.pinv(toMat(a, 'pinv'), options), a.dtype);
}

export function det(a: Tensor): number {
  return la.det(toMat(a, 'det'));
}

/** Eigenvalues (ascending) and orthonormal eigenvectors (columns) of a symmetric matrix. */
export function eigh(a: Tensor): { values: Tensor; vectors: Tensor } {
  const { values, vectors } = la.eigh(toMat(a, 'eigh'));
  return { values: fromVec(values, a.dtype), vectors: fromMat(vectors, a.dtype) };
}

/** A = U·diag(S)·Vᵀ, S descending. */
export function svd(a: Tensor, options: la.SVDOptions = {}): { u: Tensor; s: Tensor; vt: Tensor } {
  const { u, s, vt } = la.svd(toMat(a, 'svd'), options);
  return { u: fromMat(u, a.dtype), s: fromVec(s, a.dtype), vt: fromMat(vt, a.dtype) };
}

function promoteOut(a: Tensor, b: Tensor): DType {
  return a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32';
}
