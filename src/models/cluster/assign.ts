/**
 * Nearest-centre assignment, the inner step of every k-means variant: the
 * dot products X·Cᵀ go through the backend's GEMM (SIMD, on every core),
 * then each row keeps the centre of smallest ‖c‖² - 2·x·c (‖x‖² is the same
 * for all centres of a row, so it is left out of the comparison, as in
 * scikit-learn). Rows are taken in blocks so the product never needs more
 * than a few megabytes, whatever the number of samples and centres.
 */
import { gemm } from '../../backend/index.js';

/** Rows per GEMM block: about 2^18 dot products at a time. */
function blockRows(k: number): number {
  return Math.max(64, Math.floor((1 << 18) / Math.max(1, k)));
}

export function squaredRowNorms(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += a[i * cols + j] * a[i * cols + j];
    out[i] = s;
  }
  return out;
}

/**
 * For every row of X (n×d): the index of the nearest of the k centres (the
 * first on ties) into `labels`, and, when `distances` is given, its squared
 * distance (clamped at 0 against round-off).
 */
export function assignNearest(x: Float64Array, n: number, d: number, centers: Float64Array, k: number, labels: Int32Array, distances?: Float64Array, xNorms?: Float64Array): void {
  const cNorms = squaredRowNorms(centers, k, d);
  const block = Math.min(n, blockRows(k));
  const dots = new Float64Array(block * k);
  for (let start = 0; start < n; start += block) {
    const rows = Math.min(block, n - start);
    gemm({ m: rows, n: k, k: d, a: x, aOffset: start * d, b: centers, transB: true, c: dots });
    for (let r = 0; r < rows; r++) {
      let best = 0;
      let bestValue = Infinity;
      const off = r * k;
      for (let c = 0; c < k; c++) {
        const v = cNorms[c] - 2 * dots[off + c];
        if (v < bestValue) {
          bestValue = v;
          best = c;
        }
      }
      const i = start + r;
      labels[i] = best;
      if (distances) {
        const xx = xNorms ? xNorms[i] : rowNorm(x, i, d);
        distances[i] = Math.max(xx + bestValue, 0);
      }
    }
  }
}

function rowNorm(x: Float64Array, i: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += x[i * d + j] * x[i * d + j];
  return s;
}

/** All n×k squared distances between the rows of X and the centres (for transform and k-means++ candidates). */
export function squaredDistances(x: Float64Array, n: number, d: number, centers: Float64Array, k: number, xNorms?: Float64Array): Float64Array {
  const out = new Float64Array(n * k);
  if (n === 0 || k === 0) return out;
  gemm({ m: n, n: k, k: d, a: x, b: centers, transB: true, c: out });
  const cNorms = squaredRowNorms(centers, k, d);
  const xx = xNorms ?? squaredRowNorms(x, n, d);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) out[i * k + c] = Math.max(xx[i] - 2 * out[i * k + c] + cNorms[c], 0);
  return out;
}

/** Σ w_i ‖x_i - c_{label i}‖², summed exactly as differences (scikit-learn's `_inertia`). */
export function inertia(x: Float64Array, n: number, d: number, centers: Float64Array, labels: Int32Array, weights: Float64Array | null): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const c = labels[i] * d;
    let s = 0;
    for (let j = 0; j < d; j++) {
      const diff = x[i * d + j] - centers[c + j];
      s += diff * diff;
    }
    total += weights ? weights[i] * s : s;
  }
  return total;
}
