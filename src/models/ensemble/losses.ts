/**
 * Losses of histogram gradient boosting, in scikit-learn's form (half
 * squared error, absolute error, half binomial and half multinomial log
 * loss): the baseline raw prediction, per-row gradients and hessians
 * (float32, as scikit-learn stores them), the mean loss (early stopping's
 * score) and the inverse link. Raw predictions are laid out one tree per
 * block: raw[k · n + i] for tree k of each iteration and row i.
 */
export interface BoostingLoss {
  /** Trees per boosting iteration (the number of classes for the multinomial loss, else 1). */
  readonly nTrees: number;
  /** The hessian is 1 for every row: no hessian array, the histograms count rows. */
  readonly constantHessian: boolean;
  /** Raw prediction of an intercept-only model, per tree. */
  baseline(y: Float64Array): Float64Array;
  gradientHessian(y: Float64Array, raw: Float64Array, gradients: Float32Array, hessians: Float32Array | null): void;
  /** Mean loss over the rows. */
  loss(y: Float64Array, raw: Float64Array): number;
  /** Leaf values after the tree is grown (absolute error: the median residual of each leaf), or null to keep −Σg/Σh. */
  leafValue: ((residuals: Float64Array) => number) | null;
}

/** np.median: the mean of the two middle values for an even count. */
export function median(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? s[(n - 1) >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function mean(y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i];
  return s / y.length;
}

export const squaredError: BoostingLoss = {
  nTrees: 1,
  constantHessian: true,
  baseline: (y) => Float64Array.of(mean(y)),
  gradientHessian(y, raw, gradients) {
    for (let i = 0; i < y.length; i++) gradients[i] = raw[i] - y[i];
  },
  loss(y, raw) {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += 0.5 * (y[i] - raw[i]) ** 2;
    return s / y.length;
  },
  leafValue: null,
};

export const absoluteError: BoostingLoss = {
  nTrees: 1,
  constantHessian: true,
  baseline: (y) => Float64Array.of(median(y)),
  gradientHessian(y, raw, gradients) {
    for (let i = 0; i < y.length; i++) gradients[i] = raw[i] > y[i] ? 1 : -1;
  },
  loss(y, raw) {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += Math.abs(y[i] - raw[i]);
    return s / y.length;
  },
  leafValue: median,
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
  baseline(y) {
    const eps = 10 * Number.EPSILON;
    const p = Math.min(Math.max(mean(y), eps), 1 - eps);
    return Float64Array.of(Math.log(p / (1 - p)));
  },
  gradientHessian(y, raw, gradients, hessians) {
    for (let i = 0; i < y.length; i++) {
      const r = raw[i];
      if (r > -37) {
        const e = Math.exp(-r);
        gradients[i] = (1 - y[i] - y[i] * e) / (1 + e);
        hessians![i] = e / (1 + e) ** 2;
      } else {
        const e = Math.exp(r);
        gradients[i] = e - y[i];
        hessians![i] = e;
      }
    }
  },
  loss(y, raw) {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += log1pExp(raw[i]) - y[i] * raw[i];
    return s / y.length;
  },
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
    baseline(y) {
      const eps = Number.EPSILON;
      const out = new Float64Array(nClasses);
      for (let i = 0; i < y.length; i++) out[y[i]] += 1;
      let meanLog = 0;
      for (let k = 0; k < nClasses; k++) {
        out[k] = Math.log(Math.min(Math.max(out[k] / y.length, eps), 1 - eps));
        meanLog += out[k];
      }
      meanLog /= nClasses;
      for (let k = 0; k < nClasses; k++) out[k] -= meanLog;
      return out;
    },
    gradientHessian(y, raw, gradients, hessians) {
      const n = y.length;
      const p = new Float64Array(nClasses);
      for (let i = 0; i < n; i++) {
        softmaxRow(raw, n, i, p);
        for (let k = 0; k < nClasses; k++) {
          gradients[k * n + i] = p[k] - (y[i] === k ? 1 : 0);
          hessians![k * n + i] = p[k] * (1 - p[k]);
        }
      }
    },
    loss(y, raw) {
      const n = y.length;
      const p = new Float64Array(nClasses);
      let s = 0;
      for (let i = 0; i < n; i++) s += softmaxRow(raw, n, i, p) - raw[y[i] * n + i];
      return s / n;
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
