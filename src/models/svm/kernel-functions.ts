/**
 * Kernel functions of the support vector machines (libsvm's set):
 *
 * - linear  K(x, z) = x·z
 * - poly    K(x, z) = (gamma·x·z + coef0)^degree
 * - rbf     K(x, z) = exp(-gamma·|x − z|²)
 * - sigmoid K(x, z) = tanh(gamma·x·z + coef0)
 * - a function `(X, Z) => Gram matrix`, or 'precomputed' (X is the Gram matrix).
 *
 * Speed: every kernel is a function of dot products, so blocks of kernel
 * values are one backend GEMM (X_a·X_bᵀ) followed by an element-wise map. The
 * GEMM runs in float32 when the block is large (the SIMD kernels are twice as
 * fast in float32 and the solver stores kernel values as float32 anyway, as
 * libsvm does) and in float64 otherwise. For the RBF kernel the rows are
 * centred on the training mean first (the kernel does not change under a
 * shift), so |x|² + |z|² − 2·x·z does not cancel catastrophically for data
 * far from the origin; the squared norms are always float64.
 */
import { gemm, gemmOrLoops } from '../../backend/index.js';
import { kernelExp as fastExp, kernelExpF32 as fastExpF32 } from '../../backend/routines/fast-math.js';
import { ValueError, ShapeError } from '../../errors.js';
import { rowDots } from '../../linalg/row-dots.js';
import { Tensor } from '../../tensor/tensor.js';
import { toMatrix, type Matrix, type MatrixInput } from '../../utils/validation.js';

/** The kernels' fast exp (its home is the backend's fast-math.ts, whose constants the wasm SVC solver reads). */
export { fastExp, fastExpF32 };

export type KernelName = 'linear' | 'poly' | 'rbf' | 'sigmoid' | 'precomputed';
/** A kernel given as a function: returns the [rows of X, rows of Z] Gram matrix. */
export type KernelCallable = (X: Tensor, Z: Tensor) => MatrixInput;
export type KernelParam = KernelName | KernelCallable;
export type GammaParam = 'scale' | 'auto' | number;

type KernelType = 'linear' | 'poly' | 'rbf' | 'sigmoid' | 'precomputed' | 'callable';

/** Where kernel blocks are computed: 'auto' picks float32 GEMM for large blocks. */
export type KernelPrecision = 'auto' | 'float32' | 'float64';
let precision: KernelPrecision = 'auto';
/** Problems with fewer kernel multiply-adds than this use float64 dot products under 'auto'. */
const F32_MIN_MACS = 1 << 22;

/**
 * Whether kernel dot products of a computation of `macs` multiply-adds in
 * total run as float32 GEMMs: under 'auto', large ones do (twice the speed;
 * the solver stores kernel values in float32 anyway) and small ones stay
 * float64 (they then reproduce libsvm's kernel values exactly).
 */
export function useFloat32(macs: number): boolean {
  return precision === 'float32' || (precision === 'auto' && macs >= F32_MIN_MACS);
}

/**
 * @internal Forces the precision of kernel-block GEMMs (tests check both
 * paths against scikit-learn). Returns the previous setting.
 */
export function setKernelPrecision(p: KernelPrecision): KernelPrecision {
  const old = precision;
  precision = p;
  return old;
}

/** x^n for a non-negative integer n (libsvm's powi); Math.pow otherwise. */
export function powi(x: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) return Math.pow(x, n);
  let t = x;
  let r = 1;
  for (let i = n; i > 0; i = Math.floor(i / 2)) {
    if (i % 2 === 1) r *= t;
    t *= t;
  }
  return r;
}

// ---------------------------------------------------------------- kernel

/** Elements numpy's reductions sum pairwise at a time (its buffer size); the buffers' sums are added in order. */
const NUMPY_BUFSIZE = 8192;

/** Sum as numpy reduces a contiguous float64 array: pairwise within buffers of 8192 elements, buffers in order. */
export function numpySum(a: Float64Array): number {
  let s = 0;
  for (let from = 0; from < a.length; from += NUMPY_BUFSIZE) s += pairwiseSum(a, from, Math.min(NUMPY_BUFSIZE, a.length - from));
  return s;
}

/**
 * numpy's X.var() (population variance) to the last bit: the squared
 * deviations summed as {@link numpySum} sums them, squared one buffer at a
 * time instead of into an X-sized temporary.
 */
export function numpyVar(a: Float64Array): number {
  const n = a.length;
  const mean = numpySum(a) / n;
  const buf = new Float64Array(Math.min(NUMPY_BUFSIZE, n));
  let s = 0;
  for (let from = 0; from < n; from += NUMPY_BUFSIZE) {
    const len = Math.min(NUMPY_BUFSIZE, n - from);
    for (let i = 0; i < len; i++) {
      const d = a[from + i] - mean;
      buf[i] = d * d;
    }
    s += pairwiseSum(buf, 0, len);
  }
  return s / n;
}

/**
 * Sum of a[from .. from+n) by numpy's pairwise summation (blocks of 8
 * partial sums up to 128 elements, halving above), so 'scale' gives the
 * same gamma as scikit-learn to the last bit.
 */
export function pairwiseSum(a: Float64Array, from: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[from + i];
    return res;
  }
  if (n <= 128) {
    let r0 = a[from],
      r1 = a[from + 1],
      r2 = a[from + 2],
      r3 = a[from + 3];
    let r4 = a[from + 4],
      r5 = a[from + 5],
      r6 = a[from + 6],
      r7 = a[from + 7];
    let i = 8;
    const end = n - (n % 8);
    for (; i < end; i += 8) {
      const b = from + i;
      r0 += a[b];
      r1 += a[b + 1];
      r2 += a[b + 2];
      r3 += a[b + 3];
      r4 += a[b + 4];
      r5 += a[b + 5];
      r6 += a[b + 6];
      r7 += a[b + 7];
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[from + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
}

/** Rows prepared for kernel evaluation (centred for RBF, with squared norms). */
export interface KernelRows {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
  /** |x|² of each row (RBF only; empty otherwise). */
  readonly sq: Float64Array;
  /** float32 copy of data, made on first use by a float32 GEMM. */
  f32: Float32Array | null;
}

export interface KernelOptions {
  kernel: KernelParam;
  gamma: GammaParam;
  coef0: number;
  degree: number;
}

/** Validates the kernel hyper-parameters (shared by SVC and SVR). */
export function checkKernelParams(p: KernelOptions, who: string): void {
  const k = p.kernel;
  if (typeof k !== 'function' && !['linear', 'poly', 'rbf', 'sigmoid', 'precomputed'].includes(k as string)) {
    throw new ValueError(`${who}: kernel must be 'linear', 'poly', 'rbf', 'sigmoid', 'precomputed' or a function (X, Z) => Gram matrix, got ${JSON.stringify(k)}`);
  }
  const g = p.gamma;
  if (!(g === 'scale' || g === 'auto' || (typeof g === 'number' && Number.isFinite(g) && g >= 0))) {
    throw new ValueError(`${who}: gamma must be 'scale', 'auto' or a number >= 0, got ${JSON.stringify(g)}`);
  }
  if (typeof p.coef0 !== 'number' || !Number.isFinite(p.coef0)) throw new ValueError(`${who}: coef0 must be a finite number, got ${String(p.coef0)}`);
  if (typeof p.degree !== 'number' || !Number.isFinite(p.degree) || p.degree < 0) {
    throw new ValueError(`${who}: degree must be a number >= 0, got ${String(p.degree)}`);
  }
}

/**
 * A kernel bound to its hyper-parameters and (for RBF) the centre of the
 * training data. Built at fit time by {@link Kernel.fromTraining}.
 */
export class Kernel {
  private constructor(
    readonly type: KernelType,
    /** The resolved gamma (sklearn's `_gamma`). */
    readonly gamma: number,
    readonly coef0: number,
    readonly degree: number,
    /** Column means subtracted from rows before RBF dot products (null: none). */
    readonly center: Float64Array | null,
    readonly fn: KernelCallable | null,
  ) {}

  /** Resolves gamma ('scale' = 1 / (nFeatures · X.var()), 'auto' = 1 / nFeatures) on the training X. */
  static fromTraining(p: KernelOptions, X: Matrix): Kernel {
    let gamma: number;
    const { data, rows, cols } = X;
    if (p.gamma === 'scale') {
      const variance = numpyVar(data);
      gamma = variance !== 0 ? 1 / (cols * variance) : 1;
    } else if (p.gamma === 'auto') {
      gamma = 1 / cols;
    } else {
      gamma = p.gamma;
    }
    let center: Float64Array | null = null;
    if (p.kernel === 'rbf') {
      center = new Float64Array(cols);
      for (let i = 0; i < rows; i++) {
        const r = i * cols;
        for (let j = 0; j < cols; j++) center[j] += data[r + j];
      }
      for (let j = 0; j < cols; j++) center[j] /= rows;
    }
    return Kernel.fitted(p, gamma, center);
  }

  /** The kernel of `p` with its training-dependent parts given: the resolved gamma and the RBF centre (a loaded model rebuilds its kernel so). */
  static fitted(p: KernelOptions, gamma: number, center: Float64Array | null): Kernel {
    const type: KernelType = typeof p.kernel === 'function' ? 'callable' : p.kernel;
    return new Kernel(type, gamma, p.coef0, p.degree, center, typeof p.kernel === 'function' ? p.kernel : null);
  }

  /** True for kernels computed from feature rows (not 'precomputed' or a function). */
  get fromFeatures(): boolean {
    return this.type !== 'precomputed' && this.type !== 'callable';
  }

  /** Copies rows `idx` of X (or all rows) into a prepared block: centred for RBF, with norms. */
  prepare(X: Matrix, idx?: ArrayLike<number>): KernelRows {
    const { cols } = X;
    const rows = idx ? idx.length : X.rows;
    const data = new Float64Array(rows * cols);
    const src = X.data;
    for (let i = 0; i < rows; i++) {
      const s = (idx ? idx[i] : i) * cols;
      data.set(src.subarray(s, s + cols), i * cols);
    }
    const c = this.center;
    let sq = new Float64Array(0);
    if (c) {
      sq = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        const r = i * cols;
        let s = 0;
        for (let j = 0; j < cols; j++) {
          const v = data[r + j] - c[j];
          data[r + j] = v;
          s += v * v;
        }
        sq[i] = s;
      }
    }
    return { data, rows, cols, sq, f32: null };
  }

  /** K(a, a) for row a of prepared rows. */
  diag(A: KernelRows, a: number): number {
    if (this.type === 'rbf') return 1;
    const { data, cols } = A;
    const r = a * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += data[r + j] * data[r + j];
    return this.fromDot(s);
  }

  /** The kernel value for a dot product (not for RBF, which also needs the norms). */
  fromDot(dot: number): number {
    switch (this.type) {
      case 'linear':
        return dot;
      case 'poly':
        return powi(this.gamma * dot + this.coef0, this.degree);
      case 'sigmoid':
        return Math.tanh(this.gamma * dot + this.coef0);
      default:
        return dot;
    }
  }

  /**
   * Dot products of rows [a0, a1) of A with rows [b0, b1) of B into
   * `out[i·(b1−b0) + j]`: through the backend GEMM in the precision of `out`
   * (plain float64 loops for tiny float64 blocks).
   */
  dots(A: KernelRows, a0: number, a1: number, B: KernelRows, b0: number, b1: number, out: Float32Array | Float64Array): void {
    const m = a1 - a0;
    const n = b1 - b0;
    const k = A.cols;
    if (k === 0) {
      out.fill(0, 0, m * n);
      return;
    }
    if (out instanceof Float32Array) {
      const a32 = (A.f32 ??= Float32Array.from(A.data));
      const b32 = A === B ? a32 : (B.f32 ??= Float32Array.from(B.data));
      gemm({ m, n, k, a: a32, aOffset: a0 * k, b: b32, bOffset: b0 * k, transB: true, c: out });
    } else {
      gemmOrLoops({ m, n, k, a: A.data, aOffset: a0 * k, b: B.data, bOffset: b0 * k, transB: true, c: out });
    }
  }

  /**
   * K(rows [a0,a1) of A, rows [b0,b1) of B) into `out` (row-major,
   * (a1−a0)×(b1−b0) from `off`). The dot products are float32 GEMM results
   * when `use32` (default: {@link useFloat32} of the block's size), float64 otherwise.
   */
  block(
    A: KernelRows,
    a0: number,
    a1: number,
    B: KernelRows,
    b0: number,
    b1: number,
    out: Float32Array | Float64Array,
    off = 0,
    use32 = useFloat32((a1 - a0) * (b1 - b0) * A.cols),
  ): void {
    const m = a1 - a0;
    const n = b1 - b0;
    if (m <= 0 || n <= 0) return;
    let dots: Float32Array | Float64Array;
    if (use32) dots = out instanceof Float32Array && off === 0 ? out : new Float32Array(m * n);
    else dots = out instanceof Float64Array && off === 0 ? out : new Float64Array(m * n);
    this.dots(A, a0, a1, B, b0, b1, dots);
    const g = this.gamma;
    const c0 = this.coef0;
    const mn = m * n;
    switch (this.type) {
      case 'rbf': {
        const sa = A.sq;
        const sb = B.sq;
        for (let i = 0; i < m; i++) {
          const o = i * n;
          const si = sa[a0 + i];
          for (let j = 0; j < n; j++) {
            let d = si + sb[b0 + j] - 2 * dots[o + j];
            if (d < 0) d = 0;
            out[off + o + j] = fastExp(-g * d);
          }
        }
        break;
      }
      case 'poly': {
        const deg = this.degree;
        for (let i = 0; i < mn; i++) out[off + i] = powi(g * dots[i] + c0, deg);
        break;
      }
      case 'sigmoid':
        for (let i = 0; i < mn; i++) out[off + i] = Math.tanh(g * dots[i] + c0);
        break;
      default:
        if (dots !== out) for (let i = 0; i < mn; i++) out[off + i] = dots[i];
        break;
    }
    if (A === B) {
      // exact diagonal where the block crosses it (libsvm's K(x, x))
      for (let i = Math.max(a0, b0); i < Math.min(a1, b1); i++) out[off + (i - a0) * n + (i - b0)] = this.diag(A, i);
    }
  }

  /**
   * Turns gathered dot products into kernel values in place, for
   * out[t], t in [start, end): the dot of row `o` with row idx[t] (indices
   * into the norms `sq`, RBF only) becomes K; where idx[t] === o the exact
   * K(x, x) `self` is used.
   */
  mapRow(out: Float32Array, o: number, idx: Int32Array, start: number, end: number, sq: Float64Array, self: number): void {
    const g = this.gamma;
    const c0 = this.coef0;
    switch (this.type) {
      case 'rbf': {
        const so = sq[o];
        for (let t = start; t < end; t++) {
          const k = idx[t];
          let dd = so + sq[k] - 2 * out[t];
          if (dd < 0) dd = 0;
          out[t] = k === o ? self : fastExpF32(-g * dd);
        }
        break;
      }
      case 'poly': {
        const deg = this.degree;
        for (let t = start; t < end; t++) out[t] = idx[t] === o ? self : powi(g * out[t] + c0, deg);
        break;
      }
      case 'sigmoid':
        for (let t = start; t < end; t++) out[t] = idx[t] === o ? self : Math.tanh(g * out[t] + c0);
        break;
      default:
        for (let t = start; t < end; t++) if (idx[t] === o) out[t] = self;
        break;
    }
  }

  /**
   * One kernel row computed with plain float64 loops: out[t] = K(A_a, B_(idx[t]))
   * for t in [start, end). Used where kernel rows are computed on demand.
   */
  rowInto(
    A: KernelRows,
    a: number,
    B: KernelRows,
    idx: ArrayLike<number>,
    start: number,
    end: number,
    out: Float32Array | Float64Array,
    scratch: Float64Array,
    use32 = false,
  ): void {
    if (use32) {
      A.f32 ??= Float32Array.from(A.data);
      if (A !== B) B.f32 ??= Float32Array.from(B.data);
      rowDots(A.f32, a, (A === B ? A.f32 : B.f32)!, A.cols, idx, start, end, scratch);
    } else {
      rowDots(A.data, a, B.data, A.cols, idx, start, end, scratch);
    }
    this.mapDotsRow(A, a, B, idx, start, end, out, scratch);
  }

  /** out[t] = K from the dot products dots[t] of row a of A with rows idx[t] of B. */
  private mapDotsRow(A: KernelRows, a: number, B: KernelRows, idx: ArrayLike<number>, start: number, end: number, out: Float32Array | Float64Array, dots: Float64Array): void {
    let t: number;
    const self = A === B ? this.diag(A, a) : NaN;
    if (this.type === 'rbf') {
      const g = this.gamma;
      const sa = A.sq[a];
      const sb = B.sq;
      for (t = start; t < end; t++) {
        const b = idx[t];
        if (A === B && b === a) {
          out[t] = self;
        } else {
          let d = sa + sb[b] - 2 * dots[t];
          if (d < 0) d = 0;
          out[t] = fastExp(-g * d);
        }
      }
    } else {
      for (t = start; t < end; t++) out[t] = A === B && idx[t] === a ? self : this.fromDot(dots[t]);
    }
  }

  /**
   * Kernel values for a user kernel function: K(X, Z) as a float64 row-major
   * [X.rows, Z.rows] array, shape-checked.
   */
  callGram(X: Matrix, Z: Matrix): Float64Array {
    const fn = this.fn!;
    const res = toMatrix(fn(new Tensor(X.data, [X.rows, X.cols]), new Tensor(Z.data, [Z.rows, Z.cols])), { name: 'kernel(X, Z)', minSamples: 0, minFeatures: 0 });
    if (res.rows !== X.rows || res.cols !== Z.rows) {
      throw new ShapeError(`kernel function returned a [${res.rows}, ${res.cols}] matrix, expected [${X.rows}, ${Z.rows}] (rows of X by rows of Z)`);
    }
    return res.data;
  }
}
