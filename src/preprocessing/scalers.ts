/**
 * Feature scalers with scikit-learn's definitions: StandardScaler,
 * MinMaxScaler, MaxAbsScaler, RobustScaler and Normalizer.
 *
 * Like scikit-learn, the column scalers treat NaN as a missing value: it
 * is ignored when fitting and kept as NaN by `transform`. Infinity is
 * rejected. Outputs are float64 Tensors [nSamples, nFeatures]; learned
 * statistics are Float64Arrays, one entry per feature.
 */
import { NumericalError, ValueError } from '../errors.js';
import { BaseTransformer } from '../models/base.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkSampleWeight, matrixToTensor, toMatrix, type Matrix, type MatrixInput, type VectorInput } from '../utils/validation.js';

const EPS = 2.220446049250313e-16;

/** Replaces scales that are (nearly) zero by 1 so constant features pass through. */
function handleZerosInScale(scale: Float64Array, constant?: Uint8Array): void {
  for (let j = 0; j < scale.length; j++) {
    if (constant ? constant[j] : scale[j] < 10 * EPS) scale[j] = 1;
  }
}

/** A `[low, high]` parameter (featureRange, quantileRange) of two numbers. */
function pairParam(name: string, v: unknown): readonly [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'number') {
    throw new ValueError(`${name} must be [low, high], two numbers; got ${String(v)}`);
  }
  return v as [number, number];
}

function checkBoolean(name: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new ValueError(`${name} must be a boolean, got ${String(v)}`);
}

// ------------------------------------------------------------ StandardScaler

/**
 * Refuses a mean or variance that overflowed float64 (features near 1e300:
 * their squares are Infinity), as scikit-learn would return NaN scales. An
 * all-missing column (count 0) keeps its NaN statistics, as in scikit-learn.
 */
function checkStatisticsFinite(mean: Float64Array, variance: Float64Array | null, count: Float64Array): void {
  for (let j = 0; j < mean.length; j++) {
    if (count[j] === 0) continue;
    const what = !Number.isFinite(mean[j]) ? 'mean' : variance && !Number.isFinite(variance[j]) ? 'variance' : null;
    if (what) {
      throw new NumericalError(
        `StandardScaler: the ${what} of feature ${j} overflowed float64 (${what === 'mean' ? mean[j] : variance![j]}); the feature values are too large — divide them by a constant (or use MaxAbsScaler) first`,
      );
    }
  }
}

export interface StandardScalerParams {
  /** Centre each feature on its mean (default true). */
  withMean: boolean;
  /** Divide each feature by its standard deviation (ddof 0; default true). */
  withStd: boolean;
}

/**
 * Per column, over the non-NaN values v with row weights w (1 when null):
 * without a centre, the weight total and Σ w·v; with one, Σ w·(v − centre)
 * and Σ w·(v − centre)² (the weight total is the first pass's).
 */
function weightedColumnSums(
  data: Float64Array,
  rows: number,
  cols: number,
  w: Float64Array | null | undefined,
  centre: Float64Array | null,
): { count: Float64Array; sum: Float64Array; sumSq: Float64Array } {
  const count = new Float64Array(cols);
  const sum = new Float64Array(cols);
  const sumSq = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const wi = w ? w[i] : 1;
    const off = i * cols;
    // The choice is per row, so each value costs only the sums it feeds.
    if (centre === null) {
      for (let j = 0; j < cols; j++) {
        const v = data[off + j];
        if (v === v) {
          count[j] += wi;
          sum[j] += wi * v;
        }
      }
    } else {
      for (let j = 0; j < cols; j++) {
        const v = data[off + j];
        if (v === v) {
          const d = v - centre[j];
          sum[j] += wi * d;
          sumSq[j] += wi * d * d;
        }
      }
    }
  }
  return { count, sum, sumSq };
}

/** Standardises features: z = (x - mean) / std, with the population std (ddof 0). */
export class StandardScaler extends BaseTransformer<StandardScalerParams> {
  /** Per-feature mean (undefined when both withMean and withStd are false). */
  mean: Float64Array | undefined;
  /** Per-feature variance (undefined unless withStd). */
  var: Float64Array | undefined;
  /** Per-feature scale: std with zeros replaced by 1 (undefined unless withStd). */
  scale: Float64Array | undefined;
  /** Per-feature count (or weight sum) of non-missing samples. */
  nSamplesSeen: Float64Array | undefined;

  constructor(params: Partial<StandardScalerParams> = {}) {
    super(params, { withMean: true, withStd: true });
  }

  override fit(X: MatrixInput, _y?: unknown, sampleWeight?: VectorInput): this {
    const { withMean, withStd } = this.params;
    checkBoolean('withMean', withMean);
    checkBoolean('withStd', withStd);
    const m = toMatrix(X, { allowNaN: true });
    const w = checkSampleWeight(sampleWeight, m.rows);
    const { data, rows, cols } = m;
    const { count, sum: total } = weightedColumnSums(data, rows, cols, w, null);
    this.nSamplesSeen = count;
    if (!withMean && !withStd) {
      this.mean = undefined;
      this.var = undefined;
      this.scale = undefined;
    } else {
      const mean = new Float64Array(cols);
      for (let j = 0; j < cols; j++) mean[j] = total[j] / count[j];
      // corrected two-pass variance, as sklearn's _incremental_mean_and_var
      const { sum: corr, sumSq: sq } = weightedColumnSums(data, rows, cols, w, mean);
      const variance = new Float64Array(cols);
      for (let j = 0; j < cols; j++) variance[j] = (sq[j] - (corr[j] * corr[j]) / count[j]) / count[j];
      checkStatisticsFinite(mean, withStd ? variance : null, count);
      this.mean = mean;
      if (withStd) {
        const scale = new Float64Array(cols);
        const constant = new Uint8Array(cols);
        for (let j = 0; j < cols; j++) {
          scale[j] = Math.sqrt(variance[j]);
          const n = count[j];
          const upper = n * EPS * variance[j] + (n * mean[j] * EPS) ** 2;
          constant[j] = variance[j] <= upper ? 1 : 0;
        }
        handleZerosInScale(scale, constant);
        this.var = variance;
        this.scale = scale;
      } else {
        this.var = undefined;
        this.scale = undefined;
      }
    }
    return this.markFitted(cols);
  }

  override transform(X: MatrixInput): Tensor {
    const m = this.validateInput(X, { allowNaN: true, copy: true });
    return matrixToTensor(affineColumns(m, this.params.withStd ? this.scale : undefined, this.params.withMean ? this.mean : undefined, 'inverse'));
  }

  override fitTransform(X: MatrixInput, y?: unknown, sampleWeight?: VectorInput): Tensor {
    return this.fit(X, y, sampleWeight).transform(X);
  }

  /** Undoes the scaling: x = z * scale + mean. */
  inverseTransform(X: MatrixInput): Tensor {
    const m = this.validateInput(X, { allowNaN: true, copy: true });
    return matrixToTensor(affineColumns(m, this.params.withStd ? this.scale : undefined, this.params.withMean ? this.mean : undefined, 'forward'));
  }
}

/** Column-wise min and max ignoring NaN (NaN for an all-NaN column). */
function nanMinMax(m: Matrix): { min: Float64Array; max: Float64Array } {
  const { data, rows, cols } = m;
  const min = new Float64Array(cols).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(cols).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[off + j];
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  for (let j = 0; j < cols; j++) {
    if (min[j] === Number.POSITIVE_INFINITY) {
      min[j] = Number.NaN;
      max[j] = Number.NaN;
    }
  }
  return { min, max };
}

/**
 * The per-column affine map x · scale + offset ('forward') or its inverse
 * (x − offset) / scale ('inverse'), in place on `m` (a copy the caller
 * owns); a missing scale or offset is skipped.
 */
function affineColumns(m: Matrix, scale: Float64Array | undefined, offset: Float64Array | undefined, direction: 'forward' | 'inverse'): Matrix {
  const { data, rows, cols } = m;
  const inverse = direction === 'inverse';
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    for (let j = 0; j < cols; j++) {
      let v = data[off + j];
      if (inverse) {
        if (offset) v -= offset[j];
        if (scale) v /= scale[j];
      } else {
        if (scale) v *= scale[j];
        if (offset) v += offset[j];
      }
      data[off + j] = v;
    }
  }
  return m;
}

// ------------------------------------------------------------ MinMaxScaler

export interface MinMaxScalerParams {
  /** Target range [min, max] (default [0, 1]). */
  featureRange: readonly [number, number];
  /** Clip transformed values to featureRange (default false). */
  clip: boolean;
}

/** Scales each feature to `featureRange`: x * scale + min, from the training min and max. */
export class MinMaxScaler extends BaseTransformer<MinMaxScalerParams> {
  dataMin: Float64Array | undefined;
  dataMax: Float64Array | undefined;
  dataRange: Float64Array | undefined;
  /** Per-feature multiplier. */
  scale: Float64Array | undefined;
  /** Per-feature offset added after scaling. */
  min: Float64Array | undefined;

  constructor(params: Partial<MinMaxScalerParams> = {}) {
    super(params, { featureRange: [0, 1], clip: false });
  }

  override fit(X: MatrixInput): this {
    const [lo, hi] = pairParam('featureRange', this.params.featureRange);
    if (!(lo < hi)) throw new ValueError(`Minimum of desired feature range must be smaller than maximum. Got [${lo}, ${hi}]`);
    checkBoolean('clip', this.params.clip);
    const m = toMatrix(X, { allowNaN: true });
    const { min, max } = nanMinMax(m);
    const cols = m.cols;
    const range = new Float64Array(cols);
    for (let j = 0; j < cols; j++) range[j] = max[j] - min[j];
    const denom = range.slice();
    handleZerosInScale(denom);
    const scale = new Float64Array(cols);
    const offset = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      scale[j] = (hi - lo) / denom[j];
      offset[j] = lo - min[j] * scale[j];
    }
    this.dataMin = min;
    this.dataMax = max;
    this.dataRange = range;
    this.scale = scale;
    this.min = offset;
    return this.markFitted(cols);
  }

  override transform(X: MatrixInput): Tensor {
    const m = affineColumns(this.validateInput(X, { allowNaN: true, copy: true }), this.scale!, this.min!, 'forward');
    if (this.params.clip) {
      const [lo, hi] = this.params.featureRange;
      const d = m.data;
      for (let i = 0; i < d.length; i++) d[i] = d[i] < lo ? lo : d[i] > hi ? hi : d[i];
    }
    return matrixToTensor(m);
  }

  inverseTransform(X: MatrixInput): Tensor {
    return matrixToTensor(affineColumns(this.validateInput(X, { allowNaN: true, copy: true }), this.scale!, this.min!, 'inverse'));
  }
}

// ------------------------------------------------------------ MaxAbsScaler

/** Scales each feature by its maximum absolute value (to [-1, 1]); no centring. */
export class MaxAbsScaler extends BaseTransformer<Record<string, never>> {
  maxAbs: Float64Array | undefined;
  scale: Float64Array | undefined;

  constructor(params: Partial<Record<string, never>> = {}) {
    super(params, {});
  }

  override fit(X: MatrixInput): this {
    const m = toMatrix(X, { allowNaN: true });
    const { min, max } = nanMinMax(m);
    const maxAbs = new Float64Array(m.cols);
    for (let j = 0; j < m.cols; j++) maxAbs[j] = Math.max(Math.abs(min[j]), Math.abs(max[j]));
    const scale = maxAbs.slice();
    handleZerosInScale(scale);
    this.maxAbs = maxAbs;
    this.scale = scale;
    return this.markFitted(m.cols);
  }

  override transform(X: MatrixInput): Tensor {
    const m = this.validateInput(X, { allowNaN: true, copy: true });
    return matrixToTensor(
      affineColumns(
        m,
        this.scale!.map((s) => 1 / s),
        new Float64Array(m.cols),
        'forward',
      ),
    );
  }

  inverseTransform(X: MatrixInput): Tensor {
    const m = this.validateInput(X, { allowNaN: true, copy: true });
    return matrixToTensor(affineColumns(m, this.scale!, new Float64Array(m.cols), 'forward'));
  }
}

// ------------------------------------------------------------ RobustScaler

export interface RobustScalerParams {
  /** Subtract the median (default true). */
  withCentering: boolean;
  /** Divide by the quantile range (default true). */
  withScaling: boolean;
  /** Percentiles [qMin, qMax] of the range (default [25, 75], the IQR). */
  quantileRange: readonly [number, number];
}

/** numpy's linear-interpolation percentile of sorted values (method 'linear'). */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const virtual = (q / 100) * (n - 1);
  const prev = Math.min(Math.max(Math.floor(virtual), 0), n - 1);
  const next = Math.min(prev + 1, n - 1);
  const t = virtual - prev;
  const a = sorted[prev];
  const b = sorted[next];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Sorted non-NaN values of column j. */
function sortedColumn(m: Matrix, j: number): Float64Array {
  const { data, rows, cols } = m;
  const tmp = new Float64Array(rows);
  let k = 0;
  for (let i = 0; i < rows; i++) {
    const v = data[i * cols + j];
    if (v === v) tmp[k++] = v;
  }
  return tmp.subarray(0, k).sort();
}

/** Centres on the median and scales by a quantile range: robust to outliers. */
export class RobustScaler extends BaseTransformer<RobustScalerParams> {
  /** Per-feature median (undefined unless withCentering). */
  center: Float64Array | undefined;
  /** Per-feature quantile range (undefined unless withScaling). */
  scale: Float64Array | undefined;

  constructor(params: Partial<RobustScalerParams> = {}) {
    super(params, { withCentering: true, withScaling: true, quantileRange: [25, 75] });
  }

  override fit(X: MatrixInput): this {
    const { withCentering, withScaling, quantileRange } = this.params;
    const [qMin, qMax] = pairParam('quantileRange', quantileRange);
    if (!(qMin >= 0 && qMin <= qMax && qMax <= 100)) throw new ValueError(`Invalid quantile range: [${qMin}, ${qMax}]; expected 0 <= qMin <= qMax <= 100`);
    const m = toMatrix(X, { allowNaN: true });
    const center = new Float64Array(m.cols);
    const scale = new Float64Array(m.cols);
    for (let j = 0; j < m.cols; j++) {
      const s = sortedColumn(m, j);
      if (withCentering) {
        const h = s.length >> 1;
        center[j] = s.length === 0 ? Number.NaN : s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
      }
      if (withScaling) scale[j] = percentileSorted(s, qMax) - percentileSorted(s, qMin);
    }
    handleZerosInScale(scale);
    this.center = withCentering ? center : undefined;
    this.scale = withScaling ? scale : undefined;
    return this.markFitted(m.cols);
  }

  override transform(X: MatrixInput): Tensor {
    const m = this.validateInput(X, { allowNaN: true, copy: true });
    const one = new Float64Array(m.cols).fill(1);
    const zero = new Float64Array(m.cols);
    return matrixToTensor(affineColumns(m, this.scale ?? one, this.center ?? zero, 'inverse'));
  }

  inverseTransform(X: MatrixInput): Tensor {
    const m = this.validateInput(X, { allowNaN: true, copy: true });
    const one = new Float64Array(m.cols).fill(1);
    const zero = new Float64Array(m.cols);
    return matrixToTensor(affineColumns(m, this.scale ?? one, this.center ?? zero, 'forward'));
  }
}

// ------------------------------------------------------------ Normalizer

export interface NormalizerParams {
  /** Row norm: 'l2' (default), 'l1' or 'max' (max absolute value). */
  norm: 'l1' | 'l2' | 'max';
}

/** Scales each sample (row) to unit norm; all-zero rows stay zero. Stateless. */
export class Normalizer extends BaseTransformer<NormalizerParams> {
  constructor(params: Partial<NormalizerParams> = {}) {
    super(params, { norm: 'l2' });
  }

  override fit(X: MatrixInput): this {
    const norm = this.params.norm;
    if (norm !== 'l1' && norm !== 'l2' && norm !== 'max') throw new ValueError(`Unsupported norm: '${String(norm)}'; expected 'l1', 'l2' or 'max'`);
    const m = toMatrix(X);
    return this.markFitted(m.cols);
  }

  override transform(X: MatrixInput): Tensor {
    const m = this.validateInput(X, { copy: true });
    const { data, rows, cols } = m;
    const norm = this.params.norm;
    for (let i = 0; i < rows; i++) {
      const off = i * cols;
      let s = 0;
      for (let j = 0; j < cols; j++) {
        const v = data[off + j];
        if (norm === 'l2') s += v * v;
        else if (norm === 'l1') s += Math.abs(v);
        else if (Math.abs(v) > s) s = Math.abs(v);
      }
      if (norm === 'l2') s = Math.sqrt(s);
      if (s < 10 * EPS) s = 1;
      for (let j = 0; j < cols; j++) data[off + j] /= s;
    }
    return matrixToTensor(m);
  }
}
