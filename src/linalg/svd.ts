/**
 * Singular value decomposition A = U·diag(S)·Vᵀ.
 *
 * Method: Householder QR first (A = Q·R, R n×n, for m >= n; a wide A is
 * handled through Aᵀ), then one-sided Jacobi on the columns of R, then
 * U = Q·U_R. The QR step shrinks the Jacobi work to n×n and speeds its
 * convergence; one-sided Jacobi gives singular values with high relative
 * accuracy and orthonormal U and V to working precision, for any shape and
 * any rank.
 */
import { ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import { checkInput, maxAbs, pow2Scale } from './check.js';
import { applyQ, extractR, householderQR } from './householder.js';
import { jacobiOrthogonalizeRows } from './jacobi.js';
import type { Matrix } from './matrix.js';

export interface SVDOptions {
  /**
   * true (default, like NumPy): U is m×m and Vᵀ is n×n. false: U is m×k and
   * Vᵀ is k×n with k = min(m, n) — what PCA and least squares need, and far
   * smaller for tall or wide matrices.
   */
  fullMatrices?: boolean;
}

export interface SVD {
  u: Matrix;
  /** Singular values, descending, length min(m, n). */
  s: Float64Array;
  vt: Matrix;
}

/**
 * A = U·diag(S)·Vᵀ for any m×n A (tall, wide, square, rank-deficient, empty).
 * Sign convention (deterministic, like scikit-learn's `svd_flip` with
 * u_based_decision): the largest-magnitude entry of each column of U is
 * positive (the first one on ties), with the matching row of Vᵀ flipped along.
 * For zero singular values the columns of U (and rows of Vᵀ) are an
 * orthonormal completion of the others.
 */
export function svd(A: Matrix, opts: SVDOptions = {}): SVD {
  const fn = 'svd';
  checkInput(fn, A);
  opts = readOptions(fn, opts, ['fullMatrices']);
  const full = opts.fullMatrices ?? true;
  if (typeof full !== 'boolean') throw new ValueError(`${fn}: fullMatrices must be a boolean, got ${String(full)}`);
  const r = svdRaw(A.data, A.rows, A.cols, full ? 'full' : 'reduced', fn);
  return {
    u: { data: r.u, rows: A.rows, cols: r.ucols },
    s: r.s,
    vt: { data: r.vt, rows: r.vrows, cols: A.cols },
  };
}

/** The singular values of A, descending (cheaper than `svd`: no U or V). */
export function svdvals(A: Matrix): Float64Array {
  const fn = 'svdvals';
  checkInput(fn, A);
  return svdRaw(A.data, A.rows, A.cols, 'none', fn).s;
}

export interface RawSVD {
  /** m×ucols */
  u: Float64Array;
  ucols: number;
  s: Float64Array;
  /** vrows×n */
  vt: Float64Array;
  vrows: number;
}

/** SVD of the m×n row-major array a (not modified). Internal: no validation. */
export function svdRaw(a: Float64Array, m: number, n: number, want: 'none' | 'reduced' | 'full', fn: string): RawSVD {
  if (m >= n) {
    const r = tallSVD(a.slice(), m, n, want, fn);
    if (want !== 'none') signFlip(r, m, n);
    return r;
  }
  // A = (Aᵀ)ᵀ = (U'·S·V'ᵀ)ᵀ = V'·S·U'ᵀ
  const at = transposeRaw(a, m, n);
  const r = tallSVD(at, n, m, want, fn);
  if (want === 'none') return r;
  const out: RawSVD = {
    u: transposeRaw(r.vt, r.vrows, m), // m×m
    ucols: r.vrows,
    s: r.s,
    vt: transposeRaw(r.u, n, r.ucols), // ucols×n
    vrows: r.ucols,
  };
  signFlip(out, m, n);
  return out;
}

function transposeRaw(a: Float64Array, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
  return t;
}

/** m >= n; a is consumed. U is m×n (reduced) or m×m (full), Vᵀ is n×n. */
function tallSVD(a: Float64Array, m: number, n: number, want: 'none' | 'reduced' | 'full', fn: string): RawSVD {
  const f = pow2Scale(maxAbs(a));
  if (f !== 1) for (let i = 0; i < a.length; i++) a[i] *= f;
  const tau = householderQR(a, m, n);
  // Rows of w are the columns of R.
  const R = extractR(a, m, n, n);
  const w = transposeRaw(R, n, n);
  let vt: Float64Array | null = null;
  if (want !== 'none') {
    vt = new Float64Array(n * n);
    for (let i = 0; i < n; i++) vt[i * n + i] = 1;
  }
  jacobiOrthogonalizeRows(w, n, n, vt, fn);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += w[i * n + k] * w[i * n + k];
    norms[i] = Math.sqrt(s);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => norms[y] - norms[x] || x - y);
  const s = new Float64Array(n);
  for (let c = 0; c < n; c++) s[c] = norms[order[c]] / f;
  if (want === 'none') return { u: new Float64Array(0), ucols: 0, s, vt: new Float64Array(0), vrows: 0 };

  // U_R (n×n): column c is row order[c] of w, normalised; zero columns completed.
  const ur = new Float64Array(n * n);
  const valid = new Uint8Array(n);
  const top = norms[order[0]] ?? 0;
  for (let c = 0; c < n; c++) {
    const src = order[c],
      nr = norms[src];
    if (nr === 0 || nr <= top * 1e-290) {
      s[c] = 0;
      continue;
    }
    for (let k = 0; k < n; k++) ur[k * n + c] = w[src * n + k] / nr;
    valid[c] = 1;
  }
  completeOrthonormalColumns(ur, n, n, valid);
  const vtOut = new Float64Array(n * n);
  for (let c = 0; c < n; c++) vtOut.set(vt!.subarray(order[c] * n, order[c] * n + n), c * n);

  const uc = want === 'full' ? m : n;
  const u = new Float64Array(m * uc);
  for (let i = 0; i < n; i++) for (let c = 0; c < n; c++) u[i * uc + c] = ur[i * n + c];
  for (let i = n; i < uc; i++) u[i * uc + i] = 1;
  applyQ(a, m, n, tau, u, uc, false);
  return { u, ucols: uc, s, vt: vtOut, vrows: n };
}

/**
 * Fills the columns of the n×c array u not marked `valid` with unit vectors
 * orthogonal to all others: each new column starts from the coordinate vector
 * least represented so far and is orthogonalised twice (Gram–Schmidt).
 */
export function completeOrthonormalColumns(u: Float64Array, n: number, cols: number, valid: Uint8Array): void {
  const rowSq = new Float64Array(n);
  for (let c = 0; c < cols; c++) {
    if (!valid[c]) continue;
    for (let i = 0; i < n; i++) rowSq[i] += u[i * cols + c] * u[i * cols + c];
  }
  const v = new Float64Array(n);
  for (let c = 0; c < cols; c++) {
    if (valid[c]) continue;
    let best = 0,
      bestVal = Infinity;
    for (let i = 0; i < n; i++) {
      if (rowSq[i] < bestVal) {
        bestVal = rowSq[i];
        best = i;
      }
    }
    v.fill(0);
    v[best] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let q = 0; q < cols; q++) {
        if (!valid[q]) continue;
        let d = 0;
        for (let i = 0; i < n; i++) d += u[i * cols + q] * v[i];
        for (let i = 0; i < n; i++) v[i] -= d * u[i * cols + q];
      }
    }
    let nr = 0;
    for (let i = 0; i < n; i++) nr += v[i] * v[i];
    nr = Math.sqrt(nr);
    for (let i = 0; i < n; i++) {
      const x = v[i] / nr;
      u[i * cols + c] = x;
      rowSq[i] += x * x;
    }
    valid[c] = 1;
  }
}

/** Largest-|entry| of each U column positive; the paired Vᵀ rows follow. */
function signFlip(r: RawSVD, m: number, n: number): void {
  const uc = r.ucols;
  const k = Math.min(r.vrows, uc);
  for (let c = 0; c < uc; c++) {
    let big = 0,
      bigAbs = -1;
    for (let i = 0; i < m; i++) {
      const v = Math.abs(r.u[i * uc + c]);
      if (v > bigAbs) {
        bigAbs = v;
        big = i;
      }
    }
    if (bigAbs > 0 && r.u[big * uc + c] < 0) {
      for (let i = 0; i < m; i++) r.u[i * uc + c] = -r.u[i * uc + c];
      if (c < k) for (let j = 0; j < n; j++) r.vt[c * n + j] = -r.vt[c * n + j];
    }
  }
}
