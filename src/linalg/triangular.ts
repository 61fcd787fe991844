/** Triangular solves (forward and back substitution). */
import { ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import { checkInput, rhsAsMatrix, shapeOf, solutionLike, type SolutionOf } from './check.js';
import type { Matrix } from './matrix.js';

export interface TriangularOptions {
  /** T is lower triangular (true) or upper triangular (false). The other triangle is ignored. */
  lower: boolean;
  /** Solve Tᵀ·X = B instead of T·X = B. */
  transpose?: boolean;
  /** Take the diagonal of T as ones (it is not read). */
  unitDiagonal?: boolean;
}

/** X with T·X = B (or Tᵀ·X = B); B a vector or a matrix, X of the same kind. */
export function solveTriangular<Rhs extends Float64Array | Matrix>(T: Matrix, B: Rhs, opts: TriangularOptions): SolutionOf<Rhs> {
  const fn = 'solveTriangular';
  checkInput(fn, T, { square: true, name: 'T' });
  if (opts === null || typeof opts !== 'object' || typeof opts.lower !== 'boolean') {
    throw new ValueError(`${fn}: options must say {lower: true | false}`);
  }
  opts = readOptions(fn, opts, ['lower', 'transpose', 'unitDiagonal']);
  const n = T.rows;
  const rhs = rhsAsMatrix(fn, B, n, shapeOf(T), 'B');
  const unit = opts.unitDiagonal === true;
  if (!unit) {
    for (let i = 0; i < n; i++) {
      if (T.data[i * n + i] === 0) {
        throw new ValueError(`${fn}: T ${shapeOf(T)} is singular: its diagonal entry T[${i}, ${i}] is 0`);
      }
    }
  }
  const x = rhs.mat.data.slice();
  triSolveInPlace(T.data, n, x, rhs.mat.cols, opts.lower, opts.transpose === true, unit);
  return solutionLike(x, rhs);
}

/** Row i of x: x_i = (b_i − Σ_{from ≤ j < to} t_ij x_j) / t_ii, the row of x updated as a whole. */
function substituteRow(t: Float64Array, n: number, x: Float64Array, k: number, i: number, from: number, to: number, unit: boolean): void {
  const xi = i * k,
    ti = i * n;
  for (let j = from; j < to; j++) {
    const s = t[ti + j];
    if (s === 0) continue;
    const xj = j * k;
    for (let c = 0; c < k; c++) x[xi + c] -= s * x[xj + c];
  }
  if (!unit) {
    const d = 1 / t[ti + i];
    for (let c = 0; c < k; c++) x[xi + c] *= d;
  }
}

/**
 * In-place solve on raw arrays: t is n×n row-major, x is n×k row-major (B in,
 * X out). `lower` says which triangle of t holds the matrix; `trans` solves
 * with its transpose. No checks.
 */
export function triSolveInPlace(t: Float64Array, n: number, x: Float64Array, k: number, lower: boolean, trans: boolean, unit = false): void {
  if (!trans) {
    // Forward substitution for L (rows in order), back substitution for U (rows in reverse).
    if (lower) for (let i = 0; i < n; i++) substituteRow(t, n, x, k, i, 0, i, unit);
    else for (let i = n - 1; i >= 0; i--) substituteRow(t, n, x, k, i, i + 1, n, unit);
  } else if (lower) {
    // Lᵀ x = b (upper): column-oriented, row j of t is column j of tᵀ.
    for (let j = n - 1; j >= 0; j--) {
      const xj = j * k,
        tj = j * n;
      if (!unit) {
        const d = 1 / t[tj + j];
        for (let c = 0; c < k; c++) x[xj + c] *= d;
      }
      for (let i = 0; i < j; i++) {
        const s = t[tj + i];
        if (s === 0) continue;
        const xi = i * k;
        for (let c = 0; c < k; c++) x[xi + c] -= s * x[xj + c];
      }
    }
  } else {
    // Uᵀ x = b (lower).
    for (let j = 0; j < n; j++) {
      const xj = j * k,
        tj = j * n;
      if (!unit) {
        const d = 1 / t[tj + j];
        for (let c = 0; c < k; c++) x[xj + c] *= d;
      }
      for (let i = j + 1; i < n; i++) {
        const s = t[tj + i];
        if (s === 0) continue;
        const xi = i * k;
        for (let c = 0; c < k; c++) x[xi + c] -= s * x[xj + c];
      }
    }
  }
}
