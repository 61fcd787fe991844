/**
 * `evaluate` and `predict`: the model over data in batches, under noGrad
 * and in eval mode (the model's mode is restored after).
 */
import { ShapeError, ValueError } from '../errors.js';
import { noGrad } from '../autograd/graph.js';
import type { Module } from '../nn/module.js';
import { arrayFor } from '../tensor/dtype.js';
import { globalGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import type { Logs } from './callbacks.js';
import { batchesOf, checkInt, makeSource, splitBatch, syncBatches, takeRows, type Source, type TrainData } from './data.js';
import { resolveLoss, type LossFn } from './loss.js';
import { checkOptions } from '../utils/options.js';
import { abortError, checkSignal, Yielder } from './yielder.js';
import { resolveMetrics, type MetricFn, type NamedMetric } from './metrics.js';

/** The mean loss and metrics over a source's batches, yielding to the event loop every ~10 ms. */
export async function evaluateSource(
  model: Module,
  source: Source,
  lossFn: LossFn | null,
  metrics: NamedMetric[],
  who: string,
  yielder = new Yielder(),
  signal?: AbortSignal,
): Promise<Logs> {
  const wasTraining = model.training;
  model.eval();
  let seen = 0,
    lossSum = 0,
    b = 0;
  const sums = new Float64Array(metrics.length);
  const run = async (batch: Tensor[]): Promise<void> => {
    if (signal?.aborted) throw abortError(signal, who, `before batch ${b + 1}`);
    const [xb, yb] = splitBatch(batch, who, b++);
    const n = xb.shape[0] ?? 1;
    noGrad(() => {
      const out = model.call(xb);
      if (lossFn) lossSum += lossFn(out, yb).item() * n;
      metrics.forEach((m, j) => (sums[j] += m.fn(out, yb) * n));
    });
    seen += n;
    if (yielder.due()) await yielder.yield();
  };
  try {
    const sync = syncBatches(source);
    if (sync) for (const batch of sync) await run(batch);
    else for await (const batch of batchesOf(source)) await run(batch);
  } finally {
    model.train(wasTraining);
  }
  if (seen === 0) throw new ValueError(`${who}: the data gave no batches`);
  const logs: Logs = {};
  if (lossFn) logs.loss = lossSum / seen;
  metrics.forEach((m, j) => (logs[m.name] = sums[j] / seen));
  return logs;
}

export interface EvaluateOptions {
  loss?: LossFn | Module | string;
  metrics?: (string | MetricFn)[];
  /** Default 256. */
  batchSize?: number;
  /** Stops with an AbortError between two batches. */
  signal?: AbortSignal;
}

/** The mean loss and metrics of `model` on `data`, in batches, under noGrad and in eval mode. */
export async function evaluate(model: Module, data: TrainData, options: EvaluateOptions = {}): Promise<Logs> {
  const who = 'evaluate';
  checkOptions(who, options, ['loss', 'metrics', 'batchSize', 'signal']);
  const signal = checkSignal(options.signal, who);
  const batchSize = checkInt(options.batchSize ?? 256, 'batchSize', 1, who);
  const lossFn = options.loss !== undefined ? resolveLoss(options.loss, who) : null;
  const metrics = resolveMetrics(options.metrics);
  if (!lossFn && metrics.length === 0) throw new ValueError(`${who}: give a loss and/or metrics to compute`);
  return evaluateSource(
    model,
    makeSource(data, batchSize, false, () => globalGenerator, who),
    lossFn,
    metrics,
    who,
    new Yielder(),
    signal,
  );
}

/**
 * The model's outputs for every row of x, computed in batches under noGrad
 * and in eval mode (the model's mode is restored after).
 */
export function predict(model: Module, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  const who = 'predict';
  if (!(x instanceof Tensor)) throw new ValueError(`${who}: x must be a Tensor`);
  if (x.ndim === 0) throw new ShapeError(`${who}: x needs a first axis of samples, got a 0-d tensor`);
  checkOptions(who, options, ['batchSize']);
  const batchSize = checkInt(options.batchSize ?? 256, 'batchSize', 1, who);
  const n = x.shape[0];
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      if (n <= batchSize) return model.call(x).detach();
      let out: Tensor | null = null;
      let row = 0;
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const y = model.call(takeRows(x, start, end, null));
        if (y.ndim === 0 || y.shape[0] !== end - start) throw new ShapeError(`${who}: the model returned shape [${y.shape.join(', ')}] for a batch of ${end - start}`);
        if (!out) {
          row = y.size / (end - start);
          out = new Tensor(arrayFor(y.dtype, n * row), [n, ...y.shape.slice(1)]);
        }
        out.data.set(y.data, start * row);
      }
      return out!;
    });
  } finally {
    model.train(wasTraining);
  }
}
