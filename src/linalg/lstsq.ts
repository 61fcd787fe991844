/**
 * Linear least squares: x minimising ‖A·x - b‖₂, the minimum-norm one when A
 * is rank-deficient or underdetermined (what numpy.linalg.lstsq returns).
 *
 * Two solvers, chosen per problem ('auto'):
 *
 * - 'normal' — for m >= n and a well-conditioned A (the usual regression
 *   design matrix). One cache-blocked pass forms the Gram matrix AᵀA (half the
 *   flops of a Householder QR, and register-tiled), which is scaled to unit
 *   diagonal D⁻¹AᵀAD⁻¹ and Cholesky-factorised. The scaled condition number
 *   κ_s is measured (eigenvalues of the scaled Gram, n×n) and the path is taken
 *   only when κ_s <= 1e4; the solution is then refined against the true
 *   residual r = b - A·x (each step one pass over A) until the correction is
 *   at round-off level. Fixed-precision refinement of the normal equations
 *   contracts the error by about κ_s²·eps per step (<= 2.2e-8 here) and
 *   settles where the rounding of r and Aᵀr puts it: an error bound of the
 *   same form as a backward-stable QR solution, eps·(κ + κ²·‖r‖/(‖A‖·‖x‖))
 *   (Björck, "Numerical Methods for Least Squares Problems", on iterative
 *   refinement and the corrected semi-normal equations). If a step fails to
 *   contract, the 'qr' path takes over. Singular values: square roots of the
 *   eigenvalues of AᵀA when κ(A) <= 1e4 too, else one-sided Jacobi on the
 *   Cholesky factor times D; either way their relative error is at most about
 *   n·eps·κ² (<= ~2e-6 at the guard, far smaller for the large ones and for
 *   well-conditioned problems).
 * - 'qr' — everything else (ill-conditioned, rank-deficient, rcond cutting
 *   singular values, or refinement not converging). A sequential tall-skinny
 *   Householder QR of [A | b] (`tsqr.ts`: row chunks that stay in cache,
 *   reflectors applied four at a time as compact-WY blocks; Q is never
 *   formed: Qᵀb comes along as extra columns and the discarded rows give the
 *   residual), then the SVD of the n×n R (one-sided Jacobi) and
 *   x = V·Σ⁺·Uᵀ·(Qᵀb)[:n] with singular values <= rcond·σ_max dropped:
 *   the minimum-norm solution. Backward stable whatever the conditioning;
 *   about 2× the flops of the normal path and slower per flop. For m < n,
 *   the SVD of A itself (minimum-norm, exact fit when rank = m).
 *
 * Measured on an 80 000 × 101 Gaussian problem (one core, Node 20): see the
 * report in the commit; 'normal' ≈ 0.2–0.3 s, 'qr' ≈ 0.5 s.
 */
import { ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import { EPS, checkMatrix, checkRcond, maxAbs, pow2Scale, rhsAsMatrix, shapeOf } from './check.js';
import { choleskyInPlace } from './cholesky.js';
import { symmetricEigen } from './eigh.js';
import { jacobiOrthogonalizeRows } from './jacobi.js';
import type { Matrix } from './matrix.js';
import { svdRaw } from './svd.js';
import { triSolveInPlace } from './triangular.js';
import { tsqr } from './tsqr.js';

export interface LstsqOptions {
  /**
   * Singular values <= rcond·σ_max are treated as zero (they set the rank).
   * Default max(m, n)·eps, like NumPy.
   */
  rcond?: number;
  /** 'auto' (default) picks the solver as described above; 'qr' always uses the orthogonal one. */
  method?: 'auto' | 'qr';
}

export interface LstsqResult<T> {
  /** The solution: length n for a vector b, n×k for an m×k B. */
  x: T;
  /**
   * Squared 2-norm of the residual b - A·x for each column of b, when
   * rank = n < m; otherwise empty (NumPy's convention).
   */
  residuals: Float64Array;
  /** Effective rank: the number of singular values > rcond·σ_max. */
  rank: number;
  /** Singular values of A, descending. */
  singularValues: Float64Array;
  /** Which solver produced x. */
  solver: 'normal' | 'qr' | 'svd';
}

/** Condition guard of the normal-equations path: λ_min/λ_max of the scaled Gram. */
const MIN_GRAM_RATIO = 1e-8;

export function lstsq(A: Matrix, b: Float64Array, opts?: LstsqOptions): LstsqResult<Float64Array>;
export function lstsq(A: Matrix, b: Matrix, opts?: LstsqOptions): LstsqResult<Matrix>;
export function lstsq(A: Matrix, b: Float64Array | Matrix, opts?: LstsqOptions): LstsqResult<Float64Array | Matrix>;
export function lstsq(A: Matrix, b: Float64Array | Matrix, opts: LstsqOptions = {}): LstsqResult<Float64Array | Matrix> {
  opts = readOptions('lstsq', opts, ['rcond', 'method']);
  const fn = 'lstsq';
  checkMatrix(fn, A);
  const m = A.rows,
    n = A.cols;
  const { mat: B, vector } = rhsAsMatrix(fn, b, m, shapeOf(A), 'b');
  const k = B.cols;
  const rcond = checkRcond(fn, opts.rcond, Math.max(m, n) * EPS);
  const method = opts.method ?? 'auto';
  if (method !== 'auto' && method !== 'qr') throw new ValueError(`${fn}: method must be 'auto' or 'qr', got ${String(method)}`);

  let r: Solved | null = null;
  if (m === 0 || n === 0) r = emptyCase(B, m, n);
  else if (m < n) {
    scanFinite(fn, A);
    r = wideSVD(A, B, rcond, fn);
  } else {
    // The normal-equations path finds non-finite entries itself (they reach
    // the Gram diagonal), which saves a pass over A.
    const fast = method === 'auto' ? normalEquations(A, B, rcond, fn) : null;
    if (fast !== null && fast !== NEEDS_SCAN) r = fast;
    else r = tallQR(A, B, rcond, scanFinite(fn, A), fn);
  }
  const x = vector ? r.x : { data: r.x, rows: n, cols: k };
  return { x, residuals: r.residuals, rank: r.rank, singularValues: r.s, solver: r.solver };
}

interface Solved {
  x: Float64Array; // n×k
  residuals: Float64Array;
  rank: number;
  s: Float64Array;
  solver: 'normal' | 'qr' | 'svd';
}

/** Finite check and max|A| in one pass. */
function scanFinite(fn: string, A: Matrix): number {
  const a = A.data;
  let mx = 0,
    nan = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    const av = Math.abs(v);
    if (av > mx) mx = av;
    nan += v * 0;
  }
  if (nan !== 0 || mx === Infinity) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v - v !== 0) {
        const row = Math.floor(i / A.cols);
        throw new ValueError(`${fn}: A ${shapeOf(A)} contains ${v} at [${row}, ${i - row * A.cols}]; all entries must be finite`);
      }
    }
  }
  return mx;
}

function emptyCase(B: Matrix, m: number, n: number): Solved {
  const k = B.cols;
  let residuals = new Float64Array(0);
  if (n === 0 && m > 0) {
    residuals = new Float64Array(k);
    for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) residuals[c] += B.data[i * k + c] ** 2;
  }
  return { x: new Float64Array(n * k), residuals, rank: 0, s: new Float64Array(0), solver: 'svd' };
}

function countRank(s: Float64Array, rcond: number): number {
  if (s.length === 0) return 0;
  const cut = rcond * s[0];
  let r = 0;
  while (r < s.length && s[r] > cut) r++;
  return r;
}

/** x = Vᵀᵀ·diag(1/σ for the first `rank`)·Uᵀ·C; u p×q(≥rank cols), vt q×n, C p×k. */
function svdApply(u: Float64Array, uc: number, s: Float64Array, vt: Float64Array, n: number, C: Float64Array, p: number, k: number, rank: number): Float64Array {
  const x = new Float64Array(n * k);
  const y = new Float64Array(k);
  for (let c = 0; c < rank; c++) {
    y.fill(0);
    for (let i = 0; i < p; i++) {
      const ui = u[i * uc + c];
      if (ui === 0) continue;
      for (let q = 0; q < k; q++) y[q] += ui * C[i * k + q];
    }
    const inv = 1 / s[c];
    for (let q = 0; q < k; q++) y[q] *= inv;
    for (let j = 0; j < n; j++) {
      const v = vt[c * n + j];
      if (v === 0) continue;
      for (let q = 0; q < k; q++) x[j * k + q] += v * y[q];
    }
  }
  return x;
}

function wideSVD(A: Matrix, B: Matrix, rcond: number, fn: string): Solved {
  const m = A.rows,
    n = A.cols,
    k = B.cols;
  const { u, ucols, s, vt } = svdRaw(A.data, m, n, 'reduced', fn);
  const rank = countRank(s, rcond);
  const x = svdApply(u, ucols, s, vt, n, B.data, m, k, rank);
  return { x, residuals: new Float64Array(0), rank, s, solver: 'svd' };
}

// ---------------------------------------------------------------------------
// Orthogonal path: sequential tall-skinny QR of [A | B].

function tallQR(A: Matrix, B: Matrix, rcond: number, mxA: number, fn: string): Solved {
  const m = A.rows,
    n = A.cols,
    k = B.cols;
  const p = n + k;
  // Exact power-of-two scalings keep sums of squares in range.
  const fa = pow2Scale(mxA);
  const fb = pow2Scale(maxAbs(B.data));
  const { r: R, resid } = tsqr(A.data, m, n, B.data, k, fa, fb);
  // R (n×n) and c = (Qᵀb)[:n] (n×k) out of the augmented triangle.
  const Rn = new Float64Array(n * n);
  const Cn = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) Rn[i * n + j] = R[i * p + j];
    for (let q = 0; q < k; q++) Cn[i * k + q] = R[i * p + n + q];
  }
  const { u, ucols, s, vt } = svdRaw(Rn, n, n, 'reduced', fn);
  const rank = countRank(s, rcond);
  const x = svdApply(u, ucols, s, vt, n, Cn, n, k, rank);
  // Undo the scalings: (fa·A)·x' = fb·b  ⇒  x = x'·fa/fb.
  const fx = fa / fb;
  if (fx !== 1) for (let i = 0; i < x.length; i++) x[i] *= fx;
  if (fa !== 1) for (let i = 0; i < s.length; i++) s[i] /= fa;
  let residuals: Float64Array = new Float64Array(0);
  if (rank === n && m > n) {
    residuals = resid;
    if (fb !== 1) for (let q = 0; q < k; q++) residuals[q] /= fb * fb;
  }
  return { x, residuals, rank, s, solver: 'qr' };
}

// ---------------------------------------------------------------------------
// Normal-equations path with a conditioning guard and iterative refinement.

/** Signals that A holds NaN/Infinity or entries whose squares over- or underflow. */
const NEEDS_SCAN = 'scan';

function normalEquations(A: Matrix, B: Matrix, rcond: number, fn: string): Solved | null | typeof NEEDS_SCAN {
  const m = A.rows,
    n = A.cols,
    k = B.cols;
  const atb = new Float64Array(n * k);
  const G = gramUpper(A.data, m, n, B.data, k, atb);
  // Every entry of A enters the diagonal squared: a NaN or an infinity (or an
  // overflow) shows there, and tiny column norms would have lost digits.
  const d = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const g = G[j * n + j];
    if (!(g < 1e280)) return NEEDS_SCAN;
    if (!(g > 1e-280)) return g === 0 ? null : NEEDS_SCAN; // 0: a zero column, rank-deficient
    d[j] = Math.sqrt(g);
  }
  // Scaled Gram D⁻¹·AᵀA·D⁻¹ (unit diagonal), both triangles; G too.
  const Gs = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    Gs[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) {
      const v = G[i * n + j];
      G[j * n + i] = v;
      const vs = v / (d[i] * d[j]);
      Gs[i * n + j] = vs;
      Gs[j * n + i] = vs;
    }
  }
  const L = new Float64Array(n * n);
  if (choleskyInPlace(Gs, L, n) >= 0) return null;
  const [lmin, lmax] = extremes(symmetricEigen(Gs, n, false, fn).values);
  if (!(lmin > MIN_GRAM_RATIO * lmax)) return null;
  const kappa2 = lmax / lmin; // κ_s²

  // Singular values of A: from the eigenvalues of AᵀA when A itself is as well
  // conditioned as the guard asks of the scaled problem (relative error about
  // n·eps·κ² then), else by one-sided Jacobi on the columns of Lᵀ·D (A = Q·Lᵀ·D),
  // whose accuracy depends only on κ_s.
  let s: Float64Array;
  const mu = symmetricEigen(G, n, false, fn).values;
  const [mmin, mmax] = extremes(mu);
  if (mmin > MIN_GRAM_RATIO * mmax) {
    s = new Float64Array(n);
    for (let i = 0; i < n; i++) s[i] = Math.sqrt(Math.max(0, mu[i]));
  } else {
    const w = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) w[i * n + j] = d[i] * L[i * n + j];
    jacobiOrthogonalizeRows(w, n, n, null, fn);
    s = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let ss = 0;
      for (let j = 0; j < n; j++) ss += w[i * n + j] * w[i * n + j];
      s[i] = Math.sqrt(ss);
    }
  }
  s.sort().reverse();
  const rank = countRank(s, rcond);
  if (rank < n) return null;

  // x ← x + D⁻¹·Gs⁻¹·D⁻¹·Aᵀ(b - A·x), from x₀ = D⁻¹·Gs⁻¹·D⁻¹·Aᵀb. Each step
  // shrinks the error by about ρ = n·eps·κ_s²; stop once the next one could
  // not change x by more than round-off, or when the corrections stall at
  // the round-off floor of the residual.
  const solveScaled = (v: Float64Array): void => {
    for (let j = 0; j < n; j++) for (let q = 0; q < k; q++) v[j * k + q] /= d[j];
    triSolveInPlace(L, n, v, k, true, false);
    triSolveInPlace(L, n, v, k, true, true);
    for (let j = 0; j < n; j++) for (let q = 0; q < k; q++) v[j * k + q] /= d[j];
  };
  const rho = Math.min(1, n * EPS * kappa2);
  const x = atb;
  solveScaled(x);
  const g = new Float64Array(n * k);
  const rr = new Float64Array(k);
  let prev = Infinity;
  for (let it = 0; it < 6; it++) {
    residualPass(A.data, m, n, B.data, k, x, g, rr);
    const dx = g.slice();
    solveScaled(dx);
    for (let i = 0; i < n * k; i++) x[i] += dx[i];
    // Relative size of the correction in the scaled variables y = D·x.
    let worst = 0;
    for (let q = 0; q < k; q++) {
      let nx = 0,
        nd = 0;
      for (let j = 0; j < n; j++) {
        nx = Math.max(nx, Math.abs(d[j] * x[j * k + q]));
        nd = Math.max(nd, Math.abs(d[j] * dx[j * k + q]));
      }
      worst = Math.max(worst, nd === 0 ? 0 : nx === 0 ? Infinity : nd / nx);
    }
    if (worst * rho <= EPS || worst <= 4 * EPS || (worst > 0.5 * prev && worst <= 1e-8)) {
      // ‖b - A(x_old + dx)‖² = rr - 2·dxᵀg + dxᵀ·G·dx, with g = Aᵀ(b - A·x_old).
      const residuals = new Float64Array(m > n ? k : 0);
      for (let q = 0; q < residuals.length; q++) {
        let dg = 0,
          quad = 0;
        for (let i = 0; i < n; i++) {
          const di = dx[i * k + q];
          dg += di * g[i * k + q];
          let gi = 0;
          for (let j = 0; j < n; j++) gi += G[i * n + j] * dx[j * k + q];
          quad += di * gi;
        }
        residuals[q] = Math.max(0, rr[q] - 2 * dg + quad);
      }
      return { x, residuals, rank, s, solver: 'normal' };
    }
    if (worst > 0.5 * prev) return null; // not converging: the orthogonal path takes over
    prev = worst;
  }
  return null;
}

function extremes(v: Float64Array): [number, number] {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < lo) lo = v[i];
    if (v[i] > hi) hi = v[i];
  }
  return [lo, hi];
}

/**
 * r = B - A·x (not stored), g = Aᵀ·r and rr[q] = ‖r[:, q]‖², in one pass
 * over A.
 */
function residualPass(a: Float64Array, m: number, n: number, b: Float64Array, k: number, x: Float64Array, g: Float64Array, rr: Float64Array): void {
  g.fill(0);
  rr.fill(0);
  if (k === 1) {
    let s2 = 0;
    let i = 0;
    // Four rows at a time: x and g are read once per four rows.
    for (; i + 4 <= m; i += 4) {
      const r0 = i * n,
        r1 = r0 + n,
        r2 = r1 + n,
        r3 = r2 + n;
      let d0 = 0,
        d1 = 0,
        d2 = 0,
        d3 = 0;
      for (let j = 0; j < n; j++) {
        const xj = x[j];
        d0 += a[r0 + j] * xj;
        d1 += a[r1 + j] * xj;
        d2 += a[r2 + j] * xj;
        d3 += a[r3 + j] * xj;
      }
      const e0 = b[i] - d0,
        e1 = b[i + 1] - d1,
        e2 = b[i + 2] - d2,
        e3 = b[i + 3] - d3;
      s2 += e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3;
      for (let j = 0; j < n; j++) g[j] += e0 * a[r0 + j] + e1 * a[r1 + j] + e2 * a[r2 + j] + e3 * a[r3 + j];
    }
    for (; i < m; i++) {
      const ri = i * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += a[ri + j] * x[j];
      const r = b[i] - s;
      s2 += r * r;
      for (let j = 0; j < n; j++) g[j] += r * a[ri + j];
    }
    rr[0] = s2;
    return;
  }
  const r = new Float64Array(k);
  for (let i = 0; i < m; i++) {
    const ri = i * n;
    for (let q = 0; q < k; q++) r[q] = b[i * k + q];
    for (let j = 0; j < n; j++) {
      const aij = a[ri + j];
      for (let q = 0; q < k; q++) r[q] -= aij * x[j * k + q];
    }
    for (let q = 0; q < k; q++) rr[q] += r[q] * r[q];
    for (let j = 0; j < n; j++) {
      const aij = a[ri + j];
      for (let q = 0; q < k; q++) g[j * k + q] += aij * r[q];
    }
  }
}

/**
 * The upper triangle of AᵀA (row-major n×n; entries below the diagonal are
 * scratch), and atb += Aᵀ·b (b m×k) in the same pass. Rank-4 updates over blocks of 4 rows of A, 4 Gram rows at a time,
 * so every value loaded feeds 4 multiply-adds.
 */
export function gramUpper(a: Float64Array, m: number, n: number, b: Float64Array, k: number, atb: Float64Array): Float64Array {
  const G = new Float64Array(n * n);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = i * n,
      r1 = r0 + n,
      r2 = r1 + n,
      r3 = r2 + n;
    // Aᵀb for these rows while they are in cache.
    for (let q = 0; q < k; q++) {
      const b0 = b[i * k + q],
        b1 = b[(i + 1) * k + q],
        b2 = b[(i + 2) * k + q],
        b3 = b[(i + 3) * k + q];
      for (let j = 0; j < n; j++) atb[j * k + q] += a[r0 + j] * b0 + a[r1 + j] * b1 + a[r2 + j] * b2 + a[r3 + j] * b3;
    }
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const a0 = a[r0 + j],
        a1 = a[r1 + j],
        a2 = a[r2 + j],
        a3 = a[r3 + j];
      const b0 = a[r0 + j + 1],
        b1 = a[r1 + j + 1],
        b2 = a[r2 + j + 1],
        b3 = a[r3 + j + 1];
      const c0 = a[r0 + j + 2],
        c1 = a[r1 + j + 2],
        c2 = a[r2 + j + 2],
        c3 = a[r3 + j + 2];
      const d0 = a[r0 + j + 3],
        d1 = a[r1 + j + 3],
        d2 = a[r2 + j + 3],
        d3 = a[r3 + j + 3];
      const g0 = j * n,
        g1 = g0 + n,
        g2 = g1 + n,
        g3 = g2 + n;
      for (let c = j; c < n; c++) {
        const x0 = a[r0 + c],
          x1 = a[r1 + c],
          x2 = a[r2 + c],
          x3 = a[r3 + c];
        G[g0 + c] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
        G[g1 + c] += b0 * x0 + b1 * x1 + b2 * x2 + b3 * x3;
        G[g2 + c] += c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3;
        G[g3 + c] += d0 * x0 + d1 * x1 + d2 * x2 + d3 * x3;
      }
    }
    for (; j < n; j++) {
      const a0 = a[r0 + j],
        a1 = a[r1 + j],
        a2 = a[r2 + j],
        a3 = a[r3 + j];
      const g0 = j * n;
      for (let c = j; c < n; c++) G[g0 + c] += a0 * a[r0 + c] + a1 * a[r1 + c] + a2 * a[r2 + c] + a3 * a[r3 + c];
    }
  }
  for (; i < m; i++) {
    const r0 = i * n;
    for (let q = 0; q < k; q++) {
      const b0 = b[i * k + q];
      for (let j = 0; j < n; j++) atb[j * k + q] += a[r0 + j] * b0;
    }
    for (let j = 0; j < n; j++) {
      const a0 = a[r0 + j];
      const g0 = j * n;
      for (let c = j; c < n; c++) G[g0 + c] += a0 * a[r0 + c];
    }
  }
  return G;
}
