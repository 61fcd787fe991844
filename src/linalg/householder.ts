/**
 * Householder QR kernels on raw row-major arrays (internal; `qr.ts` is the
 * public face). The factorisation is stored LAPACK-style: R on and above the
 * diagonal, the essential part of each reflector vᵢ below it (vᵢ[i] = 1 is
 * implicit) and H_i = I - τᵢ·vᵢ·vᵢᵀ, Q = H_0·H_1···H_{k-1}.
 */

/** Factorises the m×n array a in place; returns τ (length min(m, n)). */
export function householderQR(a: Float64Array, m: number, n: number): Float64Array {
  const k = Math.min(m, n);
  const tau = new Float64Array(k);
  const w = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    const jj = j * n + j;
    const alpha = a[jj];
    let ss = 0;
    for (let i = j + 1; i < m; i++) {
      const v = a[i * n + j];
      ss += v * v;
    }
    if (ss === 0) continue; // H_j = I
    const norm = Math.sqrt(alpha * alpha + ss);
    const beta = alpha > 0 ? -norm : norm;
    const t = (beta - alpha) / beta;
    const scale = 1 / (alpha - beta);
    for (let i = j + 1; i < m; i++) a[i * n + j] *= scale;
    a[jj] = beta;
    tau[j] = t;
    if (j + 1 >= n) continue;
    // w = vᵀ·A[j:, j+1:], row by row so the inner loop is contiguous.
    for (let c = j + 1; c < n; c++) w[c] = a[j * n + c];
    for (let i = j + 1; i < m; i++) {
      const ri = i * n,
        vi = a[ri + j];
      if (vi === 0) continue;
      for (let c = j + 1; c < n; c++) w[c] += vi * a[ri + c];
    }
    for (let c = j + 1; c < n; c++) {
      w[c] *= t;
      a[j * n + c] -= w[c];
    }
    for (let i = j + 1; i < m; i++) {
      const ri = i * n,
        vi = a[ri + j];
      if (vi === 0) continue;
      for (let c = j + 1; c < n; c++) a[ri + c] -= vi * w[c];
    }
  }
  return tau;
}

/**
 * C ← (I − τ·v·vᵀ)·C on rows j..m-1 and columns c0..c1-1 of C (row stride
 * ldc), for the reflector v with v_j = 1 and v_i = a[vBase + i·vStride]
 * for i > j (a column of a factorised array, or a row with vStride 1).
 * `w` is scratch of length >= c1.
 */
export function reflectRows(
  C: Float64Array,
  ldc: number,
  j: number,
  m: number,
  c0: number,
  c1: number,
  a: Float64Array,
  vBase: number,
  vStride: number,
  tau: number,
  w: Float64Array,
): void {
  // w = vᵀ·C[j:, c0:c1]
  for (let c = c0; c < c1; c++) w[c] = C[j * ldc + c];
  for (let i = j + 1; i < m; i++) {
    const vi = a[vBase + i * vStride];
    if (vi === 0) continue;
    const ri = i * ldc;
    for (let c = c0; c < c1; c++) w[c] += vi * C[ri + c];
  }
  for (let c = c0; c < c1; c++) {
    w[c] *= tau;
    C[j * ldc + c] -= w[c];
  }
  for (let i = j + 1; i < m; i++) {
    const vi = a[vBase + i * vStride];
    if (vi === 0) continue;
    const ri = i * ldc;
    for (let c = c0; c < c1; c++) C[ri + c] -= vi * w[c];
  }
}

/**
 * Applies Q (trans = false) or Qᵀ (trans = true) of a factorisation
 * (a: m×n, τ) to the m×p array c in place.
 */
export function applyQ(a: Float64Array, m: number, n: number, tau: Float64Array, c: Float64Array, p: number, trans: boolean): void {
  const k = tau.length;
  const w = new Float64Array(p);
  const apply = (j: number): void => {
    if (tau[j] !== 0) reflectRows(c, p, j, m, 0, p, a, j, n, tau[j], w);
  };
  if (trans) for (let j = 0; j < k; j++) apply(j);
  else for (let j = k - 1; j >= 0; j--) apply(j);
}

/** The first `q` columns of Q (m×q, q = min(m, n) or m) as a new array. */
export function formQ(a: Float64Array, m: number, n: number, tau: Float64Array, q: number): Float64Array {
  const Q = new Float64Array(m * q);
  for (let i = 0; i < Math.min(m, q); i++) Q[i * q + i] = 1;
  // Backward accumulation: H_j only mixes rows >= j, and columns < j of the
  // partial product are still unit vectors there, so they can be skipped.
  const k = tau.length;
  const w = new Float64Array(q);
  for (let j = k - 1; j >= 0; j--) {
    if (tau[j] !== 0) reflectRows(Q, q, j, m, j, q, a, j, n, tau[j], w);
  }
  return Q;
}

/** R (rows×n, upper trapezoidal) copied out of a factorised m×n array. */
export function extractR(a: Float64Array, m: number, n: number, rows: number): Float64Array {
  const R = new Float64Array(rows * n);
  const lim = Math.min(rows, m);
  for (let i = 0; i < lim; i++) {
    for (let j = i; j < n; j++) R[i * n + j] = a[i * n + j];
  }
  return R;
}
