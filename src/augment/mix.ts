/**
 * Mixup (Zhang et al.) and CutMix (Yun et al.): batch transforms of
 * `[x, y]` that blend each sample with another one of the same batch and
 * return soft labels, the matching blend of the two one-hot targets. Train
 * on them with `crossEntropy(logits, softLabels)` (cross entropy against
 * class probabilities, as PyTorch's `cross_entropy` with probability
 * targets): its loss is λ·CE(y_a) + (1 − λ)·CE(y_b).
 *
 * ```ts
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true, batchTransform: mixup({ numClasses: 10, seed: 0 }) });
 * await fit(model, loader, { loss: 'crossEntropy', epochs: 10 });
 * ```
 */
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import type { Sample } from '../datasets/dataset.js';
import { arrayFor, type TypedArray } from '../tensor/dtype.js';
import type { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { batchRows, betaSymmetric, checkInteger, checkProbability, checkRange, imageLayout, optionsGenerator, type AugmentRandomOptions } from './common.js';

export interface MixOptions extends AugmentRandomOptions {
  /** Number of classes: int32 labels become one-hot rows of this length (needed for int32 labels). */
  numClasses?: number;
  /** The mixing weight λ is drawn from Beta(alpha, alpha) once per batch (default 1: uniform). */
  alpha?: number;
  /** Probability that a batch is mixed at all; an unmixed batch still gets one-hot labels (default 1). */
  p?: number;
}

/** A transform of a whole batch `[x, y, ...]` that returns `[x', softLabels, ...]`. */
export type MixTransform = (batch: Sample) => Sample;

interface MixSetup {
  g: Generator;
  numClasses: number | null;
  alpha: number;
  p: number;
}

function mixSetup(where: string, options: MixOptions): MixSetup {
  const g = optionsGenerator(where, options, ['numClasses', 'alpha', 'p']);
  const numClasses = options.numClasses === undefined ? null : checkInteger(where, 'numClasses', options.numClasses, 1, 1 << 24);
  const alpha = checkRange(where, 'alpha', options.alpha ?? 1, Number.MIN_VALUE, 1e6);
  const p = checkProbability(where, 'p', options.p ?? 1);
  return { g, numClasses, alpha, p };
}

/**
 * Labels as probability rows [N, C] of x's dtype: int32 class indices
 * become one-hot rows; float rows [N, C] (already soft) are copied.
 */
export function softLabels(where: string, y: unknown, n: number, numClasses: number | null, dtype: Tensor['dtype']): Float32Array | Float64Array {
  if (!(y instanceof Tensor)) throw new ValueError(`${where}: the batch's second element (the labels) must be a Tensor`);
  if (y.shape[0] !== n) throw new ShapeError(`${where}: ${n} samples but ${y.shape[0]} labels`);
  const make = (size: number): Float32Array | Float64Array => (dtype === 'float64' ? new Float64Array(size) : new Float32Array(size));
  if (y.dtype === 'int32') {
    if (y.ndim !== 1) throw new ShapeError(`${where}: int32 labels must be one class index per sample [N], got shape [${y.shape.join(', ')}]`);
    if (numClasses === null) throw new ValueError(`${where}: int32 labels need the numClasses option`);
    const out = make(n * numClasses);
    for (let i = 0; i < n; i++) {
      const k = y.data[i];
      if (!(k >= 0 && k < numClasses)) throw new ValueError(`${where}: label ${k} of sample ${i} is out of range [0, ${numClasses - 1}]`);
      out[i * numClasses + k] = 1;
    }
    return out;
  }
  if (y.dtype !== 'float32' && y.dtype !== 'float64') throw new DTypeError(`${where}: labels must be int32 class indices or float class probabilities, got ${y.dtype}`);
  if (y.ndim !== 2 || (numClasses !== null && y.shape[1] !== numClasses)) {
    throw new ShapeError(`${where}: soft labels must have shape [N, ${numClasses ?? 'C'}], got [${y.shape.join(', ')}]`);
  }
  const out = make(y.size);
  out.set(y.data);
  return out;
}

/** out = λ·out + (1 − λ)·(rows of `from` in the order perm), rows of length `row`. */
function blendRows(out: TypedArray, from: ArrayLike<number>, perm: Int32Array, row: number, lambda: number): void {
  for (let i = 0; i < perm.length; i++) {
    const d = i * row,
      s = perm[i] * row;
    for (let j = 0; j < row; j++) out[d + j] = lambda * out[d + j] + (1 - lambda) * from[s + j];
  }
}

function checkBatch(where: string, batch: unknown): Tensor[] {
  if (!Array.isArray(batch) || batch.length < 2 || !(batch[0] instanceof Tensor)) {
    throw new ValueError(`${where}: expected a batch [x, y, ...] of tensors (use it as a DataLoader batchTransform)`);
  }
  return batch;
}

/** The batch taken apart: x, the labels as probability rows, the other elements, and a copy of x's values to mix into. */
function mixInputs(where: string, batch: unknown, numClasses: number | null) {
  const [x, y, ...rest] = checkBatch(where, batch);
  const { n } = batchRows(where, x);
  const labels = softLabels(where, y, n, numClasses, x.dtype);
  const classes = n === 0 ? (numClasses ?? 0) : labels.length / n;
  const out = arrayFor(x.dtype, x.size);
  out.set(x.data);
  return { x, rest, n, labels, classes, out };
}

/** Mixup: x' = λ·x + (1 − λ)·x[perm], y' = λ·y + (1 − λ)·y[perm], with λ ~ Beta(α, α) and perm a random pairing within the batch. */
export function mixup(options: MixOptions = {}): MixTransform {
  const where = 'mixup';
  const { g, numClasses, alpha, p } = mixSetup(where, options);
  return (batch) => {
    const { x, rest, n, labels, classes, out } = mixInputs(where, batch, numClasses);
    const { row } = batchRows(where, x);
    if (n > 0 && g.random() < p) {
      const lambda = betaSymmetric(g, alpha);
      const perm = g.permutation(n);
      const original = labels.slice();
      blendRows(out, x.data, perm, row, lambda);
      blendRows(labels, original, perm, classes, lambda);
    }
    return [new Tensor(out, x.shape), new Tensor(labels, [n, classes]), ...rest];
  };
}

/**
 * CutMix: a rectangle of each image is replaced by the same rectangle of
 * its partner image; the box covers a fraction 1 − λ of the image
 * (λ ~ Beta(α, α), the box clipped at the borders), and the labels mix in
 * proportion to the pixels actually taken.
 */
export function cutmix(options: MixOptions = {}): MixTransform {
  const where = 'cutmix';
  const { g, numClasses, alpha, p } = mixSetup(where, options);
  return (batch) => {
    const { c, h, w } = imageLayout(where, checkBatch(where, batch)[0]);
    const { x, rest, n, labels, classes, out } = mixInputs(where, batch, numClasses);
    if (n > 0 && g.random() < p) {
      const lambda = betaSymmetric(g, alpha);
      const perm = g.permutation(n);
      const r = Math.sqrt(1 - lambda);
      const bh = Math.floor(h * r),
        bw = Math.floor(w * r);
      const cy = g.randint(0, h),
        cx = g.randint(0, w);
      const y0 = Math.max(0, cy - (bh >> 1)),
        y1 = Math.min(h, cy + (bh >> 1));
      const x0 = Math.max(0, cx - (bw >> 1)),
        x1 = Math.min(w, cx + (bw >> 1));
      const plane = h * w;
      for (let i = 0; i < n; i++) {
        for (let ch = 0; ch < c; ch++) {
          const d = (i * c + ch) * plane,
            s = (perm[i] * c + ch) * plane;
          for (let yy = y0; yy < y1; yy++) out.set(x.data.subarray(s + yy * w + x0, s + yy * w + x1), d + yy * w + x0);
        }
      }
      const kept = 1 - ((y1 - y0) * (x1 - x0)) / (plane || 1);
      const original = labels.slice();
      blendRows(labels, original, perm, classes, kept);
    }
    return [new Tensor(out, x.shape), new Tensor(labels, [n, classes]), ...rest];
  };
}
