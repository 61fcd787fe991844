/**
 * Feature binning of histogram gradient boosting (scikit-learn's
 * `_BinMapper`): each numerical feature gets at most `maxBins` bins, with
 * thresholds at the midpoints between distinct values when there are few
 * of them, else at NumPy's 'midpoint' percentiles; a categorical feature
 * gets one bin per category. Missing values (NaN) get a slot of their own,
 * after the feature's non-missing bins.
 *
 * Bin codes are compact per feature: 0 .. nBinsNonMissing[f] − 1 for values,
 * nBinsNonMissing[f] for NaN (scikit-learn uses 255 for every feature's
 * missing bin; the trees are the same).
 */
import { ValueError } from '../../errors.js';
import type { Generator } from '../../tensor/random.js';
import type { Matrix } from '../../utils/validation.js';

/** Thresholds above this are clipped (scikit-learn's ALMOST_INF): +inf thresholds only come from splits on NaN. */
const ALMOST_INF = 1e300;
/** Rows used to find the quantiles of a large data set (scikit-learn's `subsample`). */
const BINNING_SUBSAMPLE = 200_000;

/** The fitted binning: plain fields, so a fitted estimator can be saved. */
export interface BinMapper {
  /** Per feature: numerical, the bin thresholds (a value v is in bin i when v ≤ t[i] and v > t[i − 1]); categorical, the sorted categories. */
  thresholds: Float64Array[];
  /** Non-missing bins per feature; the missing slot's code is this number. */
  nBinsNonMissing: Int32Array;
  /** 1 for categorical features. */
  isCategorical: Uint8Array;
}

/** Distinct values of a sorted array. */
function distinctSorted(sorted: Float64Array): Float64Array {
  let n = 0;
  const out = new Float64Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out[n++] = sorted[i];
  return out.subarray(0, n);
}

/**
 * NumPy's `percentile(sorted, p, method='midpoint')` for p = 100·i/maxBins,
 * i = 1 .. maxBins − 1 (`np.linspace(0, 100, maxBins + 1)[1:-1]`).
 */
function midpointPercentiles(sorted: Float64Array, maxBins: number): Float64Array {
  const n = sorted.length;
  const out = new Float64Array(maxBins - 1);
  const step = 100 / maxBins;
  for (let i = 1; i < maxBins; i++) {
    const q = (i * step) / 100;
    const position = (n - 1) * q;
    const virtual = 0.5 * (Math.floor(position) + Math.ceil(position));
    let below = Math.floor(virtual);
    let above = below + 1;
    if (virtual >= n - 1) below = above = n - 1;
    const a = sorted[below];
    const b = sorted[above];
    // NumPy's lerp with gamma 0 (an integer index) or 0.5 (a half one): b − (b − a)·0.5 for the latter.
    out[i - 1] = virtual % 1 === 0 ? a + (b - a) * 0 : b - (b - a) * 0.5;
  }
  return out;
}

/** Bin thresholds of one numerical feature from its non-missing values (scikit-learn's `_find_binning_thresholds`). */
export function numericalThresholds(values: Float64Array, maxBins: number): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const distinct = distinctSorted(sorted);
  let thresholds: Float64Array;
  if (distinct.length <= maxBins) {
    thresholds = new Float64Array(Math.max(distinct.length - 1, 0));
    for (let i = 0; i < thresholds.length; i++) thresholds[i] = (distinct[i] + distinct[i + 1]) * 0.5;
  } else {
    thresholds = midpointPercentiles(sorted, maxBins);
  }
  for (let i = 0; i < thresholds.length; i++) if (thresholds[i] > ALMOST_INF) thresholds[i] = ALMOST_INF;
  return thresholds;
}

/** The sorted categories of a categorical feature, checked as scikit-learn checks them (integers in [0, maxBins)). */
function categories(values: Float64Array, feature: number, maxBins: number, where: string): Float64Array {
  const distinct = distinctSorted(Float64Array.from(values).sort());
  for (const c of distinct) {
    if (!Number.isInteger(c) || c < 0 || c >= maxBins) {
      throw new ValueError(`${where}: categorical feature ${feature} must hold integer categories in [0, ${maxBins - 1}] (maxBins), got ${c}`);
    }
  }
  return distinct;
}

/** The non-missing values of column f (of `rows`, or every row). */
function columnValues(X: Matrix, f: number, rows: Int32Array | null): Float64Array {
  const n = rows ? rows.length : X.rows;
  const out = new Float64Array(n);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = X.data[(rows ? rows[i] : i) * X.cols + f];
    if (v === v) out[m++] = v;
  }
  return out.subarray(0, m);
}

/** Fits the binning on X (a random subsample of 200 000 rows when there are more, as scikit-learn). */
export function fitBinMapper(X: Matrix, maxBins: number, isCategorical: Uint8Array, rng: Generator, where: string): BinMapper {
  const rows = X.rows > BINNING_SUBSAMPLE ? rng.permutation(X.rows).subarray(0, BINNING_SUBSAMPLE).sort() : null;
  const thresholds: Float64Array[] = [];
  const nBinsNonMissing = new Int32Array(X.cols);
  for (let f = 0; f < X.cols; f++) {
    if (isCategorical[f]) {
      // Every category is known at fit: all rows, not a subsample.
      thresholds.push(categories(columnValues(X, f, null), f, maxBins, where));
      nBinsNonMissing[f] = thresholds[f].length;
    } else {
      thresholds.push(numericalThresholds(columnValues(X, f, rows), maxBins));
      nBinsNonMissing[f] = thresholds[f].length + 1;
    }
  }
  return { thresholds, nBinsNonMissing, isCategorical: Uint8Array.from(isCategorical) };
}

/** Index of the first threshold ≥ v (numerical: v's bin; categorical: v's category when known). */
export function searchThresholds(t: Float64Array, v: number): number {
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi - 1) >> 1;
    if (v <= t[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Bins X into compact codes, column-major (feature f of row r at f·rows + r).
 * NaN, and a category not seen at fit, go to the feature's missing slot.
 */
export function binData(mapper: BinMapper, X: Matrix): Uint8Array {
  const { rows, cols, data } = X;
  const out = new Uint8Array(rows * cols);
  for (let f = 0; f < cols; f++) {
    const t = mapper.thresholds[f];
    const missing = mapper.nBinsNonMissing[f];
    const categorical = mapper.isCategorical[f] === 1;
    const column = f * rows;
    for (let r = 0; r < rows; r++) {
      const v = data[r * cols + f];
      let code = missing;
      if (v === v) {
        code = searchThresholds(t, v);
        if (categorical && t[code] !== v) code = missing;
      }
      out[column + r] = code;
    }
  }
  return out;
}

/** First slot of each feature in a histogram (its non-missing bins, then the missing slot); the last entry is the total. */
export function slotStarts(mapper: BinMapper): Int32Array {
  const n = mapper.nBinsNonMissing.length;
  const out = new Int32Array(n + 1);
  for (let f = 0; f < n; f++) out[f + 1] = out[f] + mapper.nBinsNonMissing[f] + 1;
  return out;
}
