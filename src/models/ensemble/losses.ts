/**
 * Losses of histogram gradient boosting, in scikit-learn's form (half
 * squared error, absolute error, half binomial and half multinomial log
 * loss): the baseline raw prediction, per-row gradients and hessians
 * (float32, as scikit-learn stores them), the mean loss (early stopping's
 * score) and the inverse link. Raw predictions are laid out one tree per
 * block: raw[k · n + i] for tree k of each iteration and row i.
 *
 * Sample weights `w` (null: all 1) as scikit-learn applies them: each
 * row's gradient and hessian are computed in float64 and multiplied by its
 * weight before the float32 store (a weighted fit has no constant hessian:
 * the hessians are the weights times the loss's), the baseline and the
 * loss are weighted averages, and absolute error's medians weighted
 * percentiles.
 */
export interface BoostingLoss {
  /** Trees per boosting iteration (the number of classes for the multinomial loss, else 1). */
  readonly nTrees: number;
  /** Unweighted, the hessian is 1 for every row: no hessian array, the histograms count rows. */
  readonly constantHessian: boolean;
  /** Raw prediction of an intercept-only model, per tree. */
  baseline(y: Float64Array, w: Float64Array | null): Float64Array;
  /** `hessians` is null only for a constant-hessian loss without weights. */
  gradientHessian(y: Float64Array, raw: Float64Array, gradients: Float32Array, hessians: Float32Array | null, w: Float64Array | null): void;
  /** Mean (weighted average) loss over the rows. */
  loss(y: Float64Array, raw: Float64Array, w: Float64Array | null): number;
  /** Leaf values after the tree is grown (absolute error: the median residual of each leaf), or null to keep −Σg/Σh. */
  leafValue: ((residuals: Float64Array, w: Float64Array | null) => number) | null;
}

/** np.median: the mean of the two middle values for an even count. */
export function median(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** np.average(values, weights=w); the plain mean when w is null. */
function average(values: Float64Array, w: Float64Array | null): number {
  let s = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const weight = w ? w[i] : 1;
    s += weight * values[i];
    total += weight;
  }
  return s / total;
}

/**
 * scikit-learn's `_weighted_percentile(values, w, 50)`: the smallest value
 * whose cumulative weight (in sorted order) reaches half the total; no
 * interpolation. np.median when w is null.
 */
export function weightedMedian(values: Float64Array, w: Float64Array | null): number {
  if (!w) return median(values);
  const n = values.length;
  if (n === 0) return Number.NaN;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const cumulative = new Float64Array(n);
  let s = 0;
  for (let i = 0; i < n; i++) cumulative[i] = s += w[order[i]];
  let half = 0.5 * s;
  if (half === 0) half = Number.MIN_VALUE; // scikit-learn's nextafter(0, 1): skip leading zero weights
  let k = 0;
  while (k < n - 1 && cumulative[k] < half) k++;
  return values[order[k]];
}

/** A weighted fit's hessians: the constant hessian 1 times each weight. */
function weightHessians(hessians: Float32Array | null, w: Float64Array | null): void {
  if (w && hessians) for (let i = 0; i < w.length; i++) hessians[i] = w[i];
}

/** Each row's loss, for the weighted average. */
function pointLosses(y: Float64Array, raw: Float64Array, lossOf: (target: number, rawPrediction: number) => number): Float64Array {
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) out[i] = lossOf(y[i], raw[i]);
  return out;
}

export const squaredError: BoostingLoss = {
  nTrees: 1,
  constantHessian: true,
  baseline: (y, w) => Float64Array.of(average(y, w)),
  gradientHessian(y, raw, gradients, hessians, w) {
    for (let i = 0; i < y.length; i++) gradients[i] = w ? w[i] * (raw[i] - y[i]) : raw[i] - y[i];
    weightHessians(hessians, w);
  },
  loss: (y, raw, w) =>
    average(
      pointLosses(y, raw, (t, r) => 0.5 * (t - r) ** 2),
      w,
    ),
  leafValue: null,
};

export const absoluteError: BoostingLoss = {
  nTrees: 1,
  constantHessian: true,
  baseline: (y, w) => Float64Array.of(weightedMedian(y, w)),
  gradientHessian(y, raw, gradients, hessians, w) {
    for (let i = 0; i < y.length; i++) gradients[i] = (w ? w[i] : 1) * (raw[i] > y[i] ? 1 : -1);
    weightHessians(hessians, w);
  },
  loss: (y, raw, w) =>
    average(
      pointLosses(y, raw, (t, r) => Math.abs(t - r)),
      w,
    ),
  leafValue: weightedMedian,
};

/** log(1 + exp(x)) without overflow (scikit-learn's log1pexp). */
function log1pExp(x: number): number {
  if (x <= -37) return Math.exp(x);
  if (x <= -2) return Math.log1p(Math.exp(x));
  if (x <= 18) return Math.log(1 + Math.exp(x));
  if (x <= 33.3) return x + Math.exp(-x);
  return x;
}

export function expit(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Binary log loss; y in {0, 1}. */
export const binomialLoss: BoostingLoss = {
  nTrees: 1,
  constantHessian: false,
  baseline(y, w) {
    const eps = 10 * Number.EPSILON;
    const p = Math.min(Math.max(average(y, w), eps), 1 - eps);
    return Float64Array.of(Math.log(p / (1 - p)));
  },
  gradientHessian(y, raw, gradients, hessians, w) {
    for (let i = 0; i < y.length; i++) {
      const r = raw[i];
      const weight = w ? w[i] : 1;
      if (r > -37) {
        const e = Math.exp(-r);
        gradients[i] = weight * ((1 - y[i] - y[i] * e) / (1 + e));
        hessians![i] = weight * (e / (1 + e) ** 2);
      } else {
        const e = Math.exp(r);
        gradients[i] = weight * (e - y[i]);
        hessians![i] = weight * e;
      }
    }
  },
  loss: (y, raw, w) =>
    average(
      pointLosses(y, raw, (t, r) => log1pExp(r) - t * r),
      w,
    ),
  leafValue: null,
};

/** Softmax over the trees of row i, into p (length nClasses); returns log Σ exp. */
function softmaxRow(raw: Float64Array, n: number, i: number, p: Float64Array): number {
  let max = -Infinity;
  for (let k = 0; k < p.length; k++) max = Math.max(max, raw[k * n + i]);
  let sum = 0;
  for (let k = 0; k < p.length; k++) sum += p[k] = Math.exp(raw[k * n + i] - max);
  for (let k = 0; k < p.length; k++) p[k] /= sum;
  return Math.log(sum) + max;
}

/** Multinomial log loss over nClasses trees per iteration; y holds class codes 0 .. nClasses − 1. */
export function multinomialLoss(nClasses: number): BoostingLoss {
  return {
    nTrees: nClasses,
    constantHessian: false,
    baseline(y, w) {
      const eps = Number.EPSILON;
      const out = new Float64Array(nClasses);
      let total = 0;
      for (let i = 0; i < y.length; i++) {
        const weight = w ? w[i] : 1;
        out[y[i]] += weight;
        total += weight;
      }
      let meanLog = 0;
      for (let k = 0; k < nClasses; k++) {
        out[k] = Math.log(Math.min(Math.max(out[k] / total, eps), 1 - eps));
        meanLog += out[k];
      }
      meanLog /= nClasses;
      for (let k = 0; k < nClasses; k++) out[k] -= meanLog;
      return out;
    },
    gradientHessian(y, raw, gradients, hessians, w) {
      const n = y.length;
      const p = new Float64Array(nClasses);
      for (let i = 0; i < n; i++) {
        softmaxRow(raw, n, i, p);
        const weight = w ? w[i] : 1;
        for (let k = 0; k < nClasses; k++) {
          gradients[k * n + i] = weight * (p[k] - (y[i] === k ? 1 : 0));
          hessians![k * n + i] = weight * (p[k] * (1 - p[k]));
        }
      }
    },
    loss(y, raw, w) {
      const n = y.length;
      const p = new Float64Array(nClasses);
      const losses = new Float64Array(n);
      for (let i = 0; i < n; i++) losses[i] = softmaxRow(raw, n, i, p) - raw[y[i] * n + i];
      return average(losses, w);
    },
    leafValue: null,
  };
}

/** Class probabilities from raw predictions [nTrees blocks of n]: [n, nClasses] row-major. */
export function probabilities(raw: Float64Array, n: number, nTrees: number): Float64Array {
  if (nTrees === 1) {
    const out = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const p = expit(raw[i]);
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return out;
  }
  const out = new Float64Array(n * nTrees);
  const p = new Float64Array(nTrees);
  for (let i = 0; i < n; i++) {
    softmaxRow(raw, n, i, p);
    out.set(p, i * nTrees);
  }
  return out;
}
