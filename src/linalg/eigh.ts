/**
 * Symmetric eigendecomposition: Householder reduction to tridiagonal form,
 * then implicit symmetric QR steps with Wilkinson shifts (Golub & Van Loan,
 * §8.3). Eigenvalues are accurate to about eps·‖A‖ in absolute terms and the
 * eigenvectors are orthonormal to working precision.
 */
import { ValueError } from '../errors.js';
import { EPS, checkInput, checkSymmetric, maxAbs, pow2Scale } from './check.js';
import { reflectRows } from './householder.js';
import type { Matrix } from './matrix.js';

export interface Eigh {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /**
   * Orthonormal eigenvectors as columns: A·vectors[:, i] = values[i]·vectors[:, i].
   * Sign convention: the largest-magnitude entry of each column is positive
   * (the first one on ties).
   */
  vectors: Matrix;
}

/** Eigenvalues (ascending) and eigenvectors of a symmetric matrix. */
export function eigh(A: Matrix): Eigh {
  const fn = 'eigh';
  checkInput(fn, A, { square: true });
  checkSymmetric(fn, A);
  const n = A.rows;
  const { values, z } = symmetricEigen(A.data, n, true, fn);
  // z holds eigenvector i in row i; sort ascending and transpose into columns.
  const order = argsortAscending(values);
  const vals = new Float64Array(n);
  const V = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const src = order[c];
    vals[c] = values[src];
    const zr = z!.subarray(src * n, src * n + n);
    let big = 0,
      bigAbs = -1;
    for (let i = 0; i < n; i++) {
      const v = Math.abs(zr[i]);
      if (v > bigAbs) {
        bigAbs = v;
        big = i;
      }
    }
    const s = zr[big] < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) V[i * n + c] = s * zr[i];
  }
  return { values: vals, vectors: { data: V, rows: n, cols: n } };
}

/** Eigenvalues (ascending) of a symmetric matrix, without the vectors (cheaper). */
export function eigvalsh(A: Matrix): Float64Array {
  const fn = 'eigvalsh';
  checkInput(fn, A, { square: true });
  checkSymmetric(fn, A);
  return symmetricEigen(A.data, A.rows, false, fn).values.sort();
}

function argsortAscending(v: Float64Array): Int32Array {
  const idx = Array.from({ length: v.length }, (_, i) => i);
  idx.sort((a, b) => v[a] - v[b] || a - b);
  return Int32Array.from(idx);
}

/**
 * Eigenvalues (unsorted) of the symmetric n×n array a (symmetrised as
 * (A + Aᵀ)/2, which absorbs round-off asymmetry) and, when wanted,
 * eigenvectors as the rows of z. Internal: no validation.
 */
export function symmetricEigen(a0: Float64Array, n: number, wantVectors: boolean, fn = 'eigh'): { values: Float64Array; z: Float64Array | null } {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = 0.5 * (a0[i * n + j] + a0[j * n + i]);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  const f = pow2Scale(maxAbs(a));
  if (f !== 1) for (let i = 0; i < a.length; i++) a[i] *= f;
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const tau = new Float64Array(Math.max(0, n - 2));
  tridiagonalize(a, n, d, e, tau);
  let z: Float64Array | null = null;
  if (wantVectors) z = accumulateQt(a, n, tau);
  tridiagonalQR(d, e, n, z, fn);
  if (f !== 1) for (let i = 0; i < n; i++) d[i] /= f;
  return { values: d, z };
}

/**
 * A = Q·T·Qᵀ with T tridiagonal (diagonal d, off-diagonal e). Reflector k
 * (acting on indices k+1..n-1) is kept in row k of a: v[k+1] = 1 implicit,
 * essential part in a[k, k+2..], with its τ.
 */
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array, tau: Float64Array): void {
  const p = new Float64Array(n);
  const v = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    const rk = k * n;
    d[k] = a[rk + k];
    // x = A[k+1:, k] = A[k, k+1:] (symmetric, contiguous in row k)
    const alpha = a[rk + k + 1];
    let ss = 0;
    for (let j = k + 2; j < n; j++) ss += a[rk + j] * a[rk + j];
    if (ss === 0) {
      e[k] = alpha;
      tau[k] = 0;
      continue;
    }
    const norm = Math.sqrt(alpha * alpha + ss);
    const beta = alpha > 0 ? -norm : norm;
    const t = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    v[k + 1] = 1;
    for (let j = k + 2; j < n; j++) {
      const vj = a[rk + j] * scale;
      a[rk + j] = vj;
      v[j] = vj;
    }
    e[k] = beta;
    tau[k] = t;
    // p = τ·A22·v, then w = p - (τ/2)(pᵀv)·v, A22 -= v·wᵀ + w·vᵀ.
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let j = k + 1; j < n; j++) s += a[ri + j] * v[j];
      s *= t;
      p[i] = s;
      pv += s * v[i];
    }
    const K = 0.5 * t * pv;
    for (let i = k + 1; i < n; i++) p[i] -= K * v[i];
    for (let i = k + 1; i < n; i++) {
      const ri = i * n,
        vi = v[i],
        wi = p[i];
      for (let j = k + 1; j < n; j++) a[ri + j] -= vi * p[j] + wi * v[j];
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2];
    e[n - 2] = a[(n - 1) * n + n - 2];
  }
  if (n >= 1) d[n - 1] = a[(n - 1) * n + n - 1];
}

/** Qᵀ (n×n) from the stored reflectors: Q = H_0···H_{n-3} accumulated backwards, then transposed. */
function accumulateQt(a: Float64Array, n: number, tau: Float64Array): Float64Array {
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  const w = new Float64Array(n);
  for (let k = n - 3; k >= 0; k--) {
    // v[k+1] = 1, v[i] = a[k, i] for i > k+1: Q[k+1:, k+1:] -= τ·v·(vᵀ·Q[k+1:, k+1:])
    if (tau[k] !== 0) reflectRows(Q, n, k + 1, n, k + 1, n, a, k * n, 1, tau[k], w);
  }
  // Transpose in place.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const t = Q[i * n + j];
      Q[i * n + j] = Q[j * n + i];
      Q[j * n + i] = t;
    }
  }
  return Q;
}

function hyp(x: number, y: number): number {
  const s = x * x + y * y;
  if (s > 1e-290 && s < 1e290) return Math.sqrt(s);
  return Math.hypot(x, y);
}

/**
 * Diagonalises the symmetric tridiagonal (d, e) in place with implicit
 * Wilkinson-shifted QR steps; rotations are applied to the rows of z (n×n)
 * when given, so that row i of z ends as the eigenvector of d[i].
 */
export function tridiagonalQR(d: Float64Array, e: Float64Array, n: number, z: Float64Array | null, fn: string): void {
  let hi = n - 1;
  let iter = 0;
  const maxIter = 40 * Math.max(1, n);
  while (hi > 0) {
    for (let i = 0; i < hi; i++) {
      const ei = Math.abs(e[i]);
      if (ei !== 0 && (ei <= EPS * (Math.abs(d[i]) + Math.abs(d[i + 1])) || ei < 1e-300)) e[i] = 0;
    }
    if (e[hi - 1] === 0) {
      hi--;
      continue;
    }
    let lo = hi - 1;
    while (lo > 0 && e[lo - 1] !== 0) lo--;
    if (++iter > maxIter) {
      throw new ValueError(`${fn}: the symmetric QR iteration did not converge after ${maxIter} steps`);
    }
    // Wilkinson shift: the eigenvalue of the trailing 2×2 block nearer d[hi].
    const b = e[hi - 1];
    const delta = 0.5 * (d[hi - 1] - d[hi]);
    const r0 = hyp(delta, b);
    const mu = d[hi] - (b * b) / (delta + (delta >= 0 ? r0 : -r0));
    let x = d[lo] - mu;
    let zz = e[lo];
    for (let k = lo; k < hi; k++) {
      // Rotation P on rows/cols k, k+1 with P·[x; zz] = [r; 0].
      const r = hyp(x, zz);
      let c = 1,
        s = 0;
      if (r !== 0) {
        c = x / r;
        s = zz / r;
      }
      if (k > lo) e[k - 1] = r;
      const a = d[k],
        bb = e[k],
        dd = d[k + 1];
      const cs = c * s,
        c2 = c * c,
        s2 = s * s;
      d[k] = c2 * a + 2 * cs * bb + s2 * dd;
      d[k + 1] = s2 * a - 2 * cs * bb + c2 * dd;
      e[k] = cs * (dd - a) + (c2 - s2) * bb;
      if (k + 1 < hi) {
        const fnext = e[k + 1];
        zz = s * fnext; // the bulge at (k, k+2)
        e[k + 1] = c * fnext;
        x = e[k];
      }
      if (z !== null) {
        const rk = k * n,
          rk1 = rk + n;
        for (let j = 0; j < n; j++) {
          const u = z[rk + j],
            w = z[rk1 + j];
          z[rk + j] = c * u + s * w;
          z[rk1 + j] = c * w - s * u;
        }
      }
    }
  }
}
