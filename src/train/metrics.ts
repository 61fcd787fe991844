/**
 * Per-batch metrics for the training loop: a metric maps a batch's
 * predictions and targets to a mean over the batch; the loop averages
 * them over the epoch weighted by batch size.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

/** Mean of some quantity over the batch's samples. */
export type MetricFn = (yPred: Tensor, yTrue: Tensor) => number;

export interface NamedMetric {
  name: string;
  fn: MetricFn;
}

function argmaxRow(d: ArrayLike<number>, offset: number, k: number): number {
  let best = offset;
  for (let j = offset + 1; j < offset + k; j++) if (d[j] > d[best]) best = j;
  return best - offset;
}

/**
 * Fraction of correct predictions. Scores [n, k] (k ≥ 2) are compared by
 * arg-max with class labels [n] or one-hot rows [n, k]; a single output
 * per sample ([n] or [n, 1], probabilities) is thresholded at 0.5.
 */
export function accuracy(yPred: Tensor, yTrue: Tensor): number {
  const n = yPred.shape[0] ?? 1;
  if (n === 0) return 0;
  const p = yPred.data,
    t = yTrue.data;
  const k = yPred.ndim >= 2 ? yPred.size / n : 1;
  let correct = 0;
  if (k === 1) {
    if (yTrue.size !== n) throw new ShapeError(`accuracy: ${n} predictions but targets of shape [${yTrue.shape.join(', ')}]`);
    for (let i = 0; i < n; i++) correct += (p[i] >= 0.5 ? 1 : 0) === Math.round(t[i]) ? 1 : 0;
  } else if (yTrue.size === n) {
    for (let i = 0; i < n; i++) correct += argmaxRow(p, i * k, k) === t[i] ? 1 : 0;
  } else if (yTrue.size === n * k) {
    for (let i = 0; i < n; i++) correct += argmaxRow(p, i * k, k) === argmaxRow(t, i * k, k) ? 1 : 0;
  } else {
    throw new ShapeError(`accuracy: predictions [${yPred.shape.join(', ')}] do not fit targets [${yTrue.shape.join(', ')}] (expected [${n}] labels or [${n}, ${k}] one-hot)`);
  }
  return correct / n;
}

function elementwise(name: string, f: (d: number) => number): MetricFn {
  return (yPred, yTrue) => {
    if (yPred.size !== yTrue.size) throw new ShapeError(`${name}: predictions [${yPred.shape.join(', ')}] and targets [${yTrue.shape.join(', ')}] differ in size`);
    const p = yPred.data,
      t = yTrue.data;
    let s = 0;
    for (let i = 0; i < p.length; i++) s += f(p[i] - t[i]);
    return p.length ? s / p.length : 0;
  };
}

export const meanSquaredError: MetricFn = elementwise('mse', (d) => d * d);
export const meanAbsoluteError: MetricFn = elementwise('mae', (d) => Math.abs(d));

const NAMED: Record<string, MetricFn> = {
  accuracy,
  acc: accuracy,
  mse: meanSquaredError,
  meanSquaredError,
  mae: meanAbsoluteError,
  meanAbsoluteError,
};

/** Metrics from names ('accuracy', 'mse', 'mae') or functions (named after the function). */
export function resolveMetrics(metrics: readonly (string | MetricFn)[] | undefined): NamedMetric[] {
  if (metrics === undefined) return [];
  if (!Array.isArray(metrics)) throw new ValueError('metrics must be an array of names or functions');
  return metrics.map((m, i) => {
    if (typeof m === 'function') return { name: m.name || `metric${i}`, fn: m };
    const fn = NAMED[m];
    if (!fn) throw new ValueError(`unknown metric '${m}'; known: accuracy, mse, mae (or pass a function (yPred, yTrue) => number)`);
    return { name: m === 'acc' ? 'accuracy' : m, fn };
  });
}
