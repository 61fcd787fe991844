/**
 * Test-time augmentation: a classifier's class probabilities averaged over
 * a few deterministic views of each input (the input itself, its mirror
 * image, ...). A model trained with flips and shifts sees each test image
 * the ways it learned them, and the average smooths out the view-to-view
 * disagreements of an uncertain model.
 *
 * ```ts
 * const mirror = randomHorizontalFlip({ p: 1 });   // p = 1: every image, so a deterministic view
 * const proba = predictTTA(model, xTest, { views: [(x) => x, mirror] });
 * ```
 */
import { LimitError, NumericalError, ShapeError, ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';
import { checkInt, takeRows } from './data.js';
import { predict } from './evaluate.js';

/** A deterministic transform of a batch: same number of samples in, same out. */
export type TestView = (x: Tensor) => Tensor;

export interface PredictTTAOptions {
  /** The views to average over (at least one, at most MAX_VIEWS); include `(x) => x` to count the input itself. */
  views: readonly TestView[];
  /** Samples per forward pass (default 256). */
  batchSize?: number;
}

/** More views than this is a mistake, not a test-time augmentation (each costs a full forward pass). */
export const MAX_VIEWS = 64;

/**
 * The mean over `views` of softmax(model(view(x))) for every row of x:
 * float32 class probabilities [N, classes], computed batch by batch (the
 * views see one batch at a time, so memory stays one batch per view) under
 * noGrad and in eval mode. `model` returns logits [batch, classes].
 */
export function predictTTA(model: Module, x: Tensor, options: PredictTTAOptions): Tensor {
  const who = 'predictTTA';
  if (!(x instanceof Tensor)) throw new ValueError(`${who}: x must be a Tensor`);
  if (x.ndim === 0) throw new ShapeError(`${who}: x needs a first axis of samples, got a 0-d tensor`);
  if (options === null || typeof options !== 'object') throw new ValueError(`${who}: options with views are required`);
  checkOptions(who, options, ['views', 'batchSize']);
  const views = options.views;
  if (!Array.isArray(views) || views.length === 0) throw new ValueError(`${who}: views must be a non-empty array of functions (x) => x'`);
  if (views.length > MAX_VIEWS) throw new LimitError(`${who}: ${views.length} views, at most ${MAX_VIEWS}`);
  views.forEach((v, j) => {
    if (typeof v !== 'function') throw new ValueError(`${who}: views[${j}] is not a function`);
  });
  const batchSize = checkInt(options.batchSize ?? 256, 'batchSize', 1, who);
  const n = x.shape[0];
  let classes = -1;
  let sums = new Float64Array(0);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const batch = takeRows(x, start, end, null);
    views.forEach((view, j) => {
      const seen = view(batch);
      if (!(seen instanceof Tensor) || seen.ndim === 0 || seen.shape[0] !== end - start) {
        const got = seen instanceof Tensor ? `shape [${seen.shape.join(', ')}]` : typeof seen;
        throw new ShapeError(`${who}: views[${j}] must return a Tensor of ${end - start} samples for rows ${start}..${end - 1}, got ${got}`);
      }
      const logits = predict(model, seen, { batchSize });
      if (logits.ndim !== 2 || logits.shape[0] !== end - start || (classes >= 0 && logits.shape[1] !== classes)) {
        throw new ShapeError(`${who}: the model must return logits [${end - start}, ${classes >= 0 ? classes : 'classes'}] for views[${j}], got [${logits.shape.join(', ')}]`);
      }
      if (classes < 0) {
        classes = logits.shape[1];
        if (classes === 0) throw new ShapeError(`${who}: the model returned logits with 0 classes`);
        sums = new Float64Array(n * classes);
      }
      addSoftmax(logits.data, end - start, classes, sums, start * classes, who, j, start);
    });
  }
  const out = new Float32Array(n * Math.max(classes, 0));
  for (let i = 0; i < out.length; i++) out[i] = sums[i] / views.length;
  return new Tensor(out, [n, Math.max(classes, 0)]);
}

/** Adds each row's softmax to sums (rows of `classes` from `offset`); a non-finite logit is a NumericalError naming the sample. */
function addSoftmax(z: ArrayLike<number>, rows: number, classes: number, sums: Float64Array, offset: number, who: string, view: number, firstRow: number): void {
  for (let i = 0; i < rows; i++) {
    const row = i * classes;
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, z[row + k]);
    let total = 0;
    for (let k = 0; k < classes; k++) total += Math.exp(z[row + k] - max);
    if (!Number.isFinite(max) || !Number.isFinite(total)) throw new NumericalError(`${who}: the model returned a non-finite logit for sample ${firstRow + i} under views[${view}]`);
    for (let k = 0; k < classes; k++) sums[offset + row + k] += Math.exp(z[row + k] - max) / total;
  }
}
