/**
 * Randomized truncated SVD (Halko, Martinsson & Tropp 2011, algorithms 4.3
 * and 4.4), as scikit-learn's `randomized_svd`: a Gaussian test matrix of
 * k + nOversamples columns, nIter power iterations (A·Q, then Aᵀ·Q), each
 * product re-orthonormalised, then the exact SVD of the small Qᵀ·A.
 *
 * Every large product goes through the backend's GEMM. The normalisation
 * between power iterations is a QR factorisation; for tall blocks it is
 * CholeskyQR2 (two passes of Gram matrix, Cholesky, triangular inverse, all
 * products through the GEMM), which gives the same Q as Householder QR to
 * working precision when the block is well conditioned, and falls back to
 * Householder QR when it is not (nearly rank-deficient data). Any QR (or
 * scikit-learn's LU) spans the same subspace, which is all the power
 * iterations need.
 */
import { gemmOrLoops, withResidentOperand } from '../../backend/index.js';
import { choleskyInPlace } from '../../linalg/cholesky.js';
import { qr } from '../../linalg/qr.js';
import { svdRaw } from '../../linalg/svd.js';
import { triSolveInPlace } from '../../linalg/triangular.js';
import type { Generator } from '../../tensor/random.js';
import { columnSums, shiftRows } from './columns.js';

/** C (m×n) = op(A)·op(B) through the backend GEMM (plain loops when small). */
export function product(a: Float64Array, b: Float64Array, m: number, n: number, k: number, transA = false, transB = false): Float64Array {
  const c = new Float64Array(m * n);
  if (m > 0 && n > 0 && k > 0) gemmOrLoops({ m, n, k, a, b, c, transA, transB });
  return c;
}

/** scikit-learn's choice of power iterations: 7 when few components are wanted (< 10 % of the rank bound), else 4. */
export function autoPowerIterations(nComponents: number, rows: number, cols: number): number {
  return nComponents < 0.1 * Math.min(rows, cols) ? 7 : 4;
}

export interface RandomizedSVDOptions {
  /** Extra random directions beyond nComponents (scikit-learn's default 10). */
  nOversamples: number;
  /** Power iterations. */
  nIter: number;
  /** Re-orthonormalise after every product of the power iterations (QR); false lets them run unnormalised. */
  normalize: boolean;
  rng: Generator;
  /** The same matrix rounded to float32, when the caller made it already (used only where {@link powerIterationsInFloat32} says so). */
  single?: Float32Array;
  /**
   * Factorise `a` minus `shift` in every row (a centred without its copy):
   * the two float64 products take the uncentred `a` with a rank-one
   * correction. `single`, when given, must be the shifted matrix.
   */
  shift?: Float64Array;
}

/** Truncated SVD: U (rows×k), s (k, descending), Vᵀ (k×cols); signs not yet flipped. */
export interface TruncatedSVDResult {
  u: Float64Array;
  s: Float64Array;
  vt: Float64Array;
}

/**
 * The k leading singular triplets of the rows×cols matrix `a` (row-major),
 * approximately. Like scikit-learn, a wide matrix is handled through its
 * transpose, so the range finder always works on the longer side.
 */
export function randomizedSVD(a: Float64Array, rows: number, cols: number, k: number, opts: RandomizedSVDOptions): TruncatedSVDResult {
  const { shift } = opts;
  // The power iterations need the shifted matrix itself unless its float32 copy is given.
  if (shift && (rows < cols || opts.single?.length !== a.length || !powerIterationsInFloat32(rows, cols, k, opts))) {
    return randomizedSVD(shiftRows(a, rows, cols, shift), rows, cols, k, { ...opts, shift: undefined });
  }
  if (rows < cols) {
    const t = randomizedSVD(transposed(a, rows, cols), cols, rows, k, { ...opts, single: undefined });
    return { u: transposed(t.vt, k, rows), s: t.s, vt: transposed(t.u, cols, k) };
  }
  const size = Math.min(k + opts.nOversamples, cols);
  const omega = powerIterations(a, rows, cols, size, opts);
  // The two float64 products by A, kept in the backend's memory for both: Q = orth(A·Ω), then
  // B = Qᵀ·A (size×cols) as (Aᵀ·Q)ᵀ, since the GEMM packs its right operand and Q is far smaller than A.
  // With a shift μ, A = X − 1·μᵀ: A·Ω = X·Ω − 1·(μᵀΩ) and Aᵀ·Q = Xᵀ·Q − μ·(1ᵀQ).
  const { q, b } = withResidentOperand(a, () => {
    const y = product(a, omega, rows, size, cols);
    if (shift) shiftRows(y, rows, size, product(shift, omega, 1, size, cols), y);
    const basis = orthonormalize(y, rows, size);
    const at = product(a, basis, cols, size, rows, true, false);
    if (shift) subtractOuter(at, shift, columnSums(basis, rows, size));
    return { q: basis, b: transposed(at, cols, size) };
  });
  // The exact SVD B = Û·S·Vᵀ; U = Q·Û.
  const small = svdRaw(b, size, cols, 'reduced', 'randomizedSVD');
  const ucols = small.ucols; // min(size, cols) = size
  const uhat = new Float64Array(size * k);
  for (let i = 0; i < size; i++) for (let c = 0; c < k; c++) uhat[i * k + c] = small.u[i * ucols + c];
  const u = product(q, uhat, rows, k, size);
  return { u, s: small.s.slice(0, k), vt: small.vt.slice(0, k * cols) };
}

/**
 * Work (rows·cols·size) from which the power iterations run in float32:
 * they only have to find the subspace, which the final float64 pass then
 * measures exactly; float32 doubles the SIMD width of every product.
 */
const FLOAT32_POWER_WORK = 1 << 26;

/** Whether randomizedSVD of a rows×cols matrix runs its power iterations on a float32 copy (which the caller may pass as `single`). */
export function powerIterationsInFloat32(rows: number, cols: number, k: number, opts: Pick<RandomizedSVDOptions, 'nOversamples' | 'nIter'>): boolean {
  return rows >= cols && opts.nIter > 0 && rows * cols * Math.min(k + opts.nOversamples, cols) >= FLOAT32_POWER_WORK;
}

type Floats = Float32Array | Float64Array;

/**
 * The cols×size test matrix Ω of the range finder (Halko et al. algorithm
 * 4.4) after its power iterations, Ω ← span(Aᵀ·span(A·Ω)) nIter times, so
 * that orth(A·Ω) spans approximately the range of A.
 */
function powerIterations(a: Float64Array, rows: number, cols: number, size: number, opts: RandomizedSVDOptions): Float64Array {
  const single = rows * cols * size >= FLOAT32_POWER_WORK;
  const aw: Floats = single && opts.nIter > 0 ? (opts.single?.length === a.length ? opts.single : new Float32Array(a)) : a;
  let omega: Floats = single ? new Float32Array(cols * size) : new Float64Array(cols * size);
  for (let i = 0; i < omega.length; i++) omega[i] = opts.rng.normal();
  const span = (y: Floats, m: number): Floats => (opts.normalize ? spanBasis(y, m, size) : y);
  // The iterations multiply by the same A 2·nIter times: keep it in the backend's memory meanwhile.
  omega = withResidentOperand(aw, () => {
    let w = omega;
    for (let it = 0; it < opts.nIter; it++) {
      const y = span(productOf(aw, w, rows, size, cols), rows);
      w = span(productOf(aw, y, cols, size, rows, true, false), cols);
    }
    return w;
  });
  return omega instanceof Float64Array ? omega : new Float64Array(omega);
}

/** op(A)·op(B) in the precision of A (B must share it). */
function productOf(a: Floats, b: Floats, m: number, n: number, k: number, transA = false, transB = false): Floats {
  const c = a instanceof Float32Array ? new Float32Array(m * n) : new Float64Array(m * n);
  if (m > 0 && n > 0 && k > 0) gemmOrLoops({ m, n, k, a, b, c, transA, transB });
  return c;
}

/** A basis of the span of Y (m×k) for the next power iteration: one CholeskyQR pass, or Householder QR when that is not safe. */
function spanBasis(y: Floats, m: number, k: number): Floats {
  const q = choleskyQR(y, m, k);
  if (q) return q;
  const h = qr({ data: y instanceof Float64Array ? y : new Float64Array(y), rows: m, cols: k }).q.data;
  return y instanceof Float32Array ? new Float32Array(h) : h;
}

/** The Q factor (m×k, orthonormal columns to float64 precision) of the m×k block y. */
export function orthonormalize(y: Float64Array, m: number, k: number): Float64Array {
  if (m * k * k >= 1 << 18 && m >= 4 * k) {
    const once = choleskyQR(y, m, k);
    const twice = once && choleskyQR(once, m, k);
    if (twice) return twice as Float64Array;
  }
  return qr({ data: y, rows: m, cols: k }).q.data;
}

/**
 * Smallest pivot² of the Gram matrix, relative to its largest diagonal entry,
 * at which CholeskyQR is trusted: condition of Y below about 1e5 in float64,
 * about 1e3 in float32 (the Gram matrix squares it).
 */
const PIVOT_FLOOR = { float64: 1e-10, float32: 1e-6 };

/** One CholeskyQR pass in Y's precision: Q = Y·L⁻ᵀ where YᵀY = L·Lᵀ; null when the Gram matrix is too ill-conditioned. */
function choleskyQR(y: Floats, m: number, k: number): Floats | null {
  const gram = new Float64Array(productOf(y, y, k, k, m, true, false));
  let largest = 0;
  for (let i = 0; i < k; i++) largest = Math.max(largest, gram[i * k + i]);
  if (!(largest > 0) || !Number.isFinite(largest)) return null;
  const l = new Float64Array(k * k);
  if (choleskyInPlace(gram, l, k) >= 0) return null;
  const floor = y instanceof Float32Array ? PIVOT_FLOOR.float32 : PIVOT_FLOOR.float64;
  for (let i = 0; i < k; i++) if (l[i * k + i] * l[i * k + i] < floor * largest) return null;
  // L⁻¹ by forward substitution on the identity, then Q = Y·(L⁻¹)ᵀ.
  const inv = new Float64Array(k * k);
  for (let i = 0; i < k; i++) inv[i * k + i] = 1;
  triSolveInPlace(l, k, inv, k, true, false);
  return productOf(y, y instanceof Float32Array ? new Float32Array(inv) : inv, m, k, k, false, true);
}

/** a (x.length × y.length) −= x·yᵀ. */
function subtractOuter(a: Float64Array, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) a[i * y.length + j] -= x[i] * y[j];
}

export function transposed(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

/**
 * scikit-learn's `svd_flip(u, vt, u_based_decision=False)`, the convention
 * of its PCA and TruncatedSVD since 1.5: in each row of Vᵀ the entry of
 * largest magnitude is made positive (the first one on ties), and the
 * matching column of U (when given) is flipped with it.
 */
export function flipSignsByComponents(vt: Float64Array, k: number, cols: number, u?: Float64Array, rows = 0): void {
  for (let c = 0; c < k; c++) {
    let big = 0;
    for (let j = 1; j < cols; j++) if (Math.abs(vt[c * cols + j]) > Math.abs(vt[c * cols + big])) big = j;
    if (!(vt[c * cols + big] < 0)) continue;
    for (let j = 0; j < cols; j++) vt[c * cols + j] = -vt[c * cols + j];
    if (u) for (let i = 0; i < rows; i++) u[i * k + c] = -u[i * k + c];
  }
}
