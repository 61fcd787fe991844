/**
 * Regression metrics, with scikit-learn's definitions (single output).
 * Inputs: any `VectorInput` (number[], typed arrays, 1-D tensors); each
 * metric is one pass over typed arrays.
 */
import { ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import { checkConsistentLength, checkSampleWeight, toVector, type VectorInput } from '../utils/validation.js';

export interface RegressionMetricOptions {
  sampleWeight?: VectorInput | null;
}

function prepare(yTrue: VectorInput, yPred: VectorInput, sampleWeight: VectorInput | null | undefined): { t: Float64Array; p: Float64Array; w: Float64Array | null } {
  const t = toVector(yTrue, { name: 'yTrue', minLength: 0 });
  const p = toVector(yPred, { name: 'yPred', minLength: 0 });
  checkConsistentLength(['yTrue', t.length], ['yPred', p.length]);
  if (t.length === 0) throw new ValueError('yTrue is empty: found 0 samples while a minimum of 1 is required');
  const w = checkSampleWeight(sampleWeight, t.length);
  return { t, p, w };
}

/** Weighted mean of f(i) (np.average); throws if the weights sum to zero. */
function weightSum(w: Float64Array | null, n: number): number {
  if (!w) return n;
  let s = 0;
  for (let i = 0; i < n; i++) s += w[i];
  if (s === 0) throw new ValueError("Weights sum to zero, can't be normalized");
  return s;
}

/** Mean squared error: average of (yTrue - yPred)². */
export function meanSquaredError(yTrue: VectorInput, yPred: VectorInput, options: RegressionMetricOptions = {}): number {
  options = readOptions('meanSquaredError', options, SAMPLE_WEIGHT_ONLY);
  const { t, p, w } = prepare(yTrue, yPred, options.sampleWeight);
  const n = t.length;
  let s = 0;
  if (w)
    for (let i = 0; i < n; i++) {
      const d = t[i] - p[i];
      s += w[i] * d * d;
    }
  else
    for (let i = 0; i < n; i++) {
      const d = t[i] - p[i];
      s += d * d;
    }
  return s / weightSum(w, n);
}

/** Square root of the mean squared error. */
export function rootMeanSquaredError(yTrue: VectorInput, yPred: VectorInput, options: RegressionMetricOptions = {}): number {
  options = readOptions('rootMeanSquaredError', options, SAMPLE_WEIGHT_ONLY);
  return Math.sqrt(meanSquaredError(yTrue, yPred, options));
}

/** Mean absolute error: average of |yTrue - yPred|. */
export function meanAbsoluteError(yTrue: VectorInput, yPred: VectorInput, options: RegressionMetricOptions = {}): number {
  options = readOptions('meanAbsoluteError', options, SAMPLE_WEIGHT_ONLY);
  const { t, p, w } = prepare(yTrue, yPred, options.sampleWeight);
  const n = t.length;
  let s = 0;
  if (w) for (let i = 0; i < n; i++) s += w[i] * Math.abs(t[i] - p[i]);
  else for (let i = 0; i < n; i++) s += Math.abs(t[i] - p[i]);
  return s / weightSum(w, n);
}

export interface R2Options extends RegressionMetricOptions {
  /**
   * Replace the NaN / -Infinity of a constant `yTrue` by 1 (perfect
   * prediction) or 0 (imperfect), as scikit-learn does (default true).
   */
  forceFinite?: boolean;
}

const SAMPLE_WEIGHT_ONLY = ['sampleWeight'];
const R2_OPTIONS = ['sampleWeight', 'forceFinite'];

function finishRatio(numerator: number, denominator: number, forceFinite: boolean): number {
  if (denominator !== 0) return 1 - numerator / denominator;
  if (!forceFinite) return numerator === 0 ? Number.NaN : Number.NEGATIVE_INFINITY;
  return numerator === 0 ? 1 : 0;
}

/**
 * Coefficient of determination R² = 1 - SS_res / SS_tot (best 1, can be
 * negative). NaN with fewer than two samples, like scikit-learn.
 */
export function r2Score(yTrue: VectorInput, yPred: VectorInput, options: R2Options = {}): number {
  options = readOptions('r2Score', options, R2_OPTIONS);
  const { t, p, w } = prepare(yTrue, yPred, options.sampleWeight);
  const n = t.length;
  if (n < 2) return Number.NaN;
  let mean = 0;
  if (w) {
    for (let i = 0; i < n; i++) mean += w[i] * t[i];
    mean /= weightSum(w, n);
  } else {
    for (let i = 0; i < n; i++) mean += t[i];
    mean /= n;
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    const r = t[i] - p[i];
    const d = t[i] - mean;
    num += wi * r * r;
    den += wi * d * d;
  }
  return finishRatio(num, den, options.forceFinite ?? true);
}

/**
 * Explained variance 1 - Var(yTrue - yPred) / Var(yTrue) (weighted, ddof 0).
 */
export function explainedVarianceScore(yTrue: VectorInput, yPred: VectorInput, options: R2Options = {}): number {
  options = readOptions('explainedVarianceScore', options, R2_OPTIONS);
  const { t, p, w } = prepare(yTrue, yPred, options.sampleWeight);
  const n = t.length;
  const sw = weightSum(w, n);
  let meanDiff = 0;
  let meanTrue = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    meanDiff += wi * (t[i] - p[i]);
    meanTrue += wi * t[i];
  }
  meanDiff /= sw;
  meanTrue /= sw;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    const a = t[i] - p[i] - meanDiff;
    const b = t[i] - meanTrue;
    num += wi * a * a;
    den += wi * b * b;
  }
  return finishRatio(num / sw, den / sw, options.forceFinite ?? true);
}

/** Largest absolute residual. */
export function maxError(yTrue: VectorInput, yPred: VectorInput): number {
  const { t, p } = prepare(yTrue, yPred, null);
  let m = 0;
  for (let i = 0; i < t.length; i++) m = Math.max(m, Math.abs(t[i] - p[i]));
  return m;
}

/** Median of |yTrue - yPred|. */
export function medianAbsoluteError(yTrue: VectorInput, yPred: VectorInput): number {
  const { t, p } = prepare(yTrue, yPred, null);
  const d = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) d[i] = Math.abs(t[i] - p[i]);
  d.sort();
  const m = d.length >> 1;
  return d.length % 2 ? d[m] : (d[m - 1] + d[m]) / 2;
}

/** Mean absolute percentage error: average of |yTrue - yPred| / max(|yTrue|, eps) (a fraction, not %). */
export function meanAbsolutePercentageError(yTrue: VectorInput, yPred: VectorInput, options: RegressionMetricOptions = {}): number {
  options = readOptions('meanAbsolutePercentageError', options, SAMPLE_WEIGHT_ONLY);
  const { t, p, w } = prepare(yTrue, yPred, options.sampleWeight);
  const eps = 2.220446049250313e-16;
  let s = 0;
  for (let i = 0; i < t.length; i++) s += ((w ? w[i] : 1) * Math.abs(p[i] - t[i])) / Math.max(Math.abs(t[i]), eps);
  return s / weightSum(w, t.length);
}
