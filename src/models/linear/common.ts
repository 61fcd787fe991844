/**
 * Pieces shared by the linear models: centring and sample-weight rescaling
 * (scikit-learn's `_preprocess_data` / `_rescale_data`), the dense products
 * they run through the backend GEMM, parameter checks, and K-fold indices.
 */
import type { Label } from '../../utils/validation.js';
import { ValueError } from '../../errors.js';
import { gemmOrLoops } from '../../backend/index.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Matrix } from '../../utils/validation.js';

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  accumulate?: boolean;
  aOffset?: number;
  bOffset?: number;
  cOffset?: number;
}

/**
 * C (m×n) = op(A)·op(B) in float64 (or C += ... with `accumulate`). op(A) is
 * m×k: A is stored m×k, or k×m with `transA`; op(B) is k×n: B stored k×n, or
 * n×k with `transB`. Large products go to the backend GEMM, small ones are loops.
 */
export function gemm(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array, opts: GemmOptions = {}): void {
  gemmOrLoops({ m, n, k, a, b, c, ...opts });
}

/** X·w (+ intercept) for one coefficient vector: one value per row. */
export function linearPredict(X: Matrix, coef: Float64Array, intercept: number): Float64Array {
  const { rows, cols, data } = X;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += data[r + j] * coef[j];
    out[i] = s + intercept;
  }
  return out;
}

/**
 * Decision values X·Wᵀ + b for K coefficient rows W (K×d, row-major):
 * an n×K row-major array.
 */
export function linearScores(X: Matrix, W: Float64Array, b: Float64Array, K: number): Float64Array {
  const n = X.rows,
    d = X.cols;
  const out = new Float64Array(n * K);
  gemm(n, K, d, X.data, W, out, { transB: true });
  for (let i = 0; i < n; i++) for (let c = 0; c < K; c++) out[i * K + c] += b[c];
  return out;
}

/** Weighted (or plain) column means of X. */
export function columnMeans(X: Matrix, sw: Float64Array | null): Float64Array {
  const { rows, cols, data } = X;
  const mean = new Float64Array(cols);
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const w = sw ? sw[i] : 1;
    if (w === 0) continue;
    total += w;
    const r = i * cols;
    for (let j = 0; j < cols; j++) mean[j] += w * data[r + j];
  }
  if (total === 0) throw new ValueError('sampleWeight: the weights sum to zero; at least one sample needs a positive weight');
  for (let j = 0; j < cols; j++) mean[j] /= total;
  return mean;
}

/** Weighted (or plain) mean of a vector. */
export function vectorMean(y: Float64Array, sw: Float64Array | null): number {
  let s = 0,
    t = 0;
  for (let i = 0; i < y.length; i++) {
    const w = sw ? sw[i] : 1;
    s += w * y[i];
    t += w;
  }
  if (t === 0) throw new ValueError('sampleWeight: the weights sum to zero; at least one sample needs a positive weight');
  return s / t;
}

export interface Centered {
  /** A fresh copy of X, centred when fitIntercept. */
  X: Matrix;
  /** A fresh copy of y, centred when fitIntercept. */
  y: Float64Array;
  xOffset: Float64Array;
  yOffset: number;
}

/**
 * scikit-learn's `_preprocess_data` (normalize=False): copies X and y and,
 * with an intercept, subtracts their (weighted) means.
 */
export function preprocessData(X: Matrix, y: Float64Array, fitIntercept: boolean, sw: Float64Array | null): Centered {
  const { rows, cols } = X;
  if (!fitIntercept) return { X: { data: X.data.slice(), rows, cols }, y: y.slice(), xOffset: new Float64Array(cols), yOffset: 0 };
  const xOffset = columnMeans(X, sw);
  const yOffset = vectorMean(y, sw);
  // One pass: the centred copy is written directly (no copy-then-subtract).
  const a = X.data;
  const Xc = new Float64Array(rows * cols);
  const yc = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) Xc[r + j] = a[r + j] - xOffset[j];
    yc[i] = y[i] - yOffset;
  }
  return { X: { data: Xc, rows, cols }, y: yc, xOffset, yOffset };
}

/**
 * The problem a weighted least-squares solver sees: X and y centred (with
 * an intercept, by their weighted means) and, with sample weights, each row
 * scaled by √sw (scikit-learn's `_preprocess_data` then `_rescale_data`).
 * `sqrtSw` is null without weights.
 */
export function weightedCentred(X: Matrix, y: Float64Array, fitIntercept: boolean, sw: Float64Array | null): Centered & { sqrtSw: Float64Array | null } {
  const pre = preprocessData(X, y, fitIntercept, sw);
  return { ...pre, sqrtSw: sw ? rescaleRows(pre.X, pre.y, sw) : null };
}

/** Multiplies each row of X (in place) and y by sqrt(sw[i]) (`_rescale_data`). Returns sqrt(sw). */
export function rescaleRows(X: Matrix, y: Float64Array | null, sw: Float64Array): Float64Array {
  const { rows, cols, data } = X;
  const s = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const f = Math.sqrt(sw[i]);
    s[i] = f;
    if (f === 1) continue;
    const r = i * cols;
    for (let j = 0; j < cols; j++) data[r + j] *= f;
    if (y) y[i] *= f;
  }
  return s;
}

/** intercept = yOffset - xOffset·coef (`_set_intercept`). */
export function interceptFrom(xOffset: Float64Array, yOffset: number, coef: Float64Array): number {
  let s = 0;
  for (let j = 0; j < coef.length; j++) s += xOffset[j] * coef[j];
  return yOffset - s;
}

/** True when all weights are 1 (no weighting needed). */
export function allOnes(sw: Float64Array | null): boolean {
  if (!sw) return true;
  for (let i = 0; i < sw.length; i++) if (sw[i] !== 1) return false;
  return true;
}

// ---------------------------------------------------------------- params

export function checkNumber(
  name: string,
  value: unknown,
  est: string,
  opts: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean } = {},
): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new ValueError(`${est}: ${name} must be a number, got ${typeof value === 'string' ? `'${value}'` : String(value)}`);
  }
  if (opts.integer && !Number.isInteger(value)) throw new ValueError(`${est}: ${name} must be an integer, got ${value}`);
  const { min, max } = opts;
  if (min !== undefined && (opts.minExclusive ? !(value > min) : !(value >= min))) {
    throw new ValueError(`${est}: ${name} must be ${opts.minExclusive ? '>' : '>='} ${min}, got ${value}`);
  }
  if (max !== undefined && (opts.maxExclusive ? !(value < max) : !(value <= max))) {
    throw new ValueError(`${est}: ${name} must be ${opts.maxExclusive ? '<' : '<='} ${max}, got ${value}`);
  }
  return value;
}

export function checkChoice<T extends string>(name: string, value: unknown, choices: readonly T[], est: string): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ValueError(`${est}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${typeof value === 'string' ? `'${value}'` : String(value)}`);
  }
  return value as T;
}

export function checkBool(name: string, value: unknown, est: string): boolean {
  if (typeof value !== 'boolean') throw new ValueError(`${est}: ${name} must be true or false, got ${String(value)}`);
  return value;
}

// ---------------------------------------------------------------- folds

/**
 * scikit-learn's KFold without shuffling: fold f holds a contiguous block of
 * rows; the first n % k folds have one more row.
 */
export function kFold(n: number, k: number, est: string): { train: Int32Array; test: Int32Array }[] {
  if (!Number.isInteger(k) || k < 2) throw new ValueError(`${est}: cv must be an integer >= 2, got ${k}`);
  if (k > n) throw new ValueError(`${est}: cannot have cv=${k} folds with only ${n} samples`);
  const out: { train: Int32Array; test: Int32Array }[] = [];
  let start = 0;
  for (let f = 0; f < k; f++) {
    const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
    const test = new Int32Array(size);
    const train = new Int32Array(n - size);
    for (let i = 0; i < size; i++) test[i] = start + i;
    let t = 0;
    for (let i = 0; i < n; i++) if (i < start || i >= start + size) train[t++] = i;
    out.push({ train, test });
    start += size;
  }
  return out;
}

/** The values of `a` at the indices `idx` (a fold's targets or weights). */
export function pickValues(a: Float64Array, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = a[idx[i]];
  return out;
}

/** Folds from user-given test index lists (every other row trains). */
export function foldsFromTestSets(n: number, tests: readonly ArrayLike<number>[], est: string): { train: Int32Array; test: Int32Array }[] {
  return tests.map((t, f) => {
    const inTest = new Uint8Array(n);
    for (let i = 0; i < t.length; i++) {
      const v = t[i];
      if (!Number.isInteger(v) || v < 0 || v >= n) throw new ValueError(`${est}: cv fold ${f} holds index ${v}, outside [0, ${n})`);
      inTest[v] = 1;
    }
    const test = Int32Array.from(t);
    const train = new Int32Array(n - test.length);
    let k = 0;
    for (let i = 0; i < n; i++) if (!inTest[i]) train[k++] = i;
    return { train: train.subarray(0, k), test };
  });
}

/** A float64 Tensor over `data` with the given shape (no copy). */
export function tensor2d(data: Float64Array, rows: number, cols: number): Tensor {
  return new Tensor(data, [rows, cols]);
}

/** Predicted labels from decision scores: the sign of one score column (binary), else the arg-max of k. */
export function labelsFromScores(s: Float64Array, n: number, k: number, classes: readonly Label[]): Label[] {
  const out: Label[] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (k === 1) out[i] = classes[s[i] > 0 ? 1 : 0];
    else {
      let best = 0;
      for (let c = 1; c < k; c++) if (s[i * k + c] > s[i * k + best]) best = c;
      out[i] = classes[best];
    }
  }
  return out;
}

/** An elastic-net estimator's defaults less l1Ratio: those of its lasso counterpart, which fixes l1Ratio at 1. */
export function withoutL1Ratio<P extends { l1Ratio: unknown }>(defaults: P): Omit<P, 'l1Ratio'> {
  const { l1Ratio: _fixedByLasso, ...rest } = defaults;
  return rest;
}
