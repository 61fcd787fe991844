/**
 * What every augmentation shares: its seeded generator, the checks of its
 * options and input, and the wrapper that lets one function take either a
 * tensor or a DataLoader batch `[x, y, ...]` (then only x is changed).
 */
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import type { Sample } from '../datasets/dataset.js';
import { Generator, resolveGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';

/** Where an augmentation draws its random numbers: a seed (its own generator) or a generator; the global one by default. */
export interface AugmentRandomOptions {
  /** Seed of the augmentation's own generator: calls differ from each other, runs repeat. */
  seed?: number;
  /** Generator to draw from (default: the global one, reset by `manualSeed`). */
  generator?: Generator;
}

/**
 * An augmentation of a batch. Given a tensor it returns the augmented
 * tensor; given a batch `[x, ...rest]` (a DataLoader's `batchTransform`) it
 * returns `[augmented x, ...rest]`. The input is never modified.
 */
export interface Augmentation {
  (x: Tensor): Tensor;
  (batch: Sample): Sample;
}

/** Wraps a tensor → tensor function so it also serves as a DataLoader batchTransform. */
export function augmentation(fn: (x: Tensor) => Tensor): Augmentation {
  function apply(x: Tensor): Tensor;
  function apply(batch: Sample): Sample;
  function apply(input: Tensor | Sample): Tensor | Sample {
    if (input instanceof Tensor) return fn(input);
    if (Array.isArray(input) && input[0] instanceof Tensor) return [fn(input[0]), ...input.slice(1)];
    throw new ValueError('augmentation: expected a Tensor or a batch [x, ...] whose first element is a Tensor');
  }
  return apply;
}

/** Checks the options object and returns the generator it names. */
export function optionsGenerator(where: string, options: object, validKeys: readonly string[]): Generator {
  checkOptions(where, options, ['seed', 'generator', ...validKeys]);
  const { seed, generator } = options as AugmentRandomOptions;
  if (seed !== undefined && generator !== undefined) throw new ValueError(`${where}: give either seed or generator, not both`);
  if (seed !== undefined && !(typeof seed === 'number' && Number.isFinite(seed))) throw new ValueError(`${where}: seed must be a finite number, got ${String(seed)}`);
  if (generator !== undefined && !(generator instanceof Generator)) throw new ValueError(`${where}: generator must be a Generator`);
  // A seed gives the augmentation its own stream; otherwise it draws from the global one (which manualSeed reseeds).
  return seed !== undefined ? new Generator(seed) : (generator ?? resolveGenerator());
}

/** A probability in [0, 1]. */
export function checkProbability(where: string, name: string, p: unknown): number {
  if (!(typeof p === 'number' && p >= 0 && p <= 1)) throw new ValueError(`${where}: ${name} must be a probability in [0, 1], got ${String(p)}`);
  return p;
}

/** A finite number in [min, max]. */
export function checkRange(where: string, name: string, v: unknown, min: number, max: number): number {
  if (!(typeof v === 'number' && v >= min && v <= max)) throw new ValueError(`${where}: ${name} must be a number in [${min}, ${max}], got ${String(v)}`);
  return v;
}

/** An integer in [min, max]. */
export function checkInteger(where: string, name: string, v: unknown, min: number, max: number): number {
  if (!(Number.isInteger(v) && (v as number) >= min && (v as number) <= max)) {
    throw new ValueError(`${where}: ${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v as number;
}

/** A pair [lo, hi] with min <= lo <= hi <= max. */
export function checkInterval(where: string, name: string, v: unknown, min: number, max: number): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !(v[0] >= min && v[0] <= v[1] && v[1] <= max)) {
    throw new ValueError(`${where}: ${name} must be [lo, hi] with ${min} <= lo <= hi <= ${max}, got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1]];
}

export function checkFloatTensor(where: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new ValueError(`${where}: expected a Tensor`);
  if (x.dtype !== 'float32' && x.dtype !== 'float64') throw new DTypeError(`${where}: expected float32 or float64 values, got ${x.dtype}`);
}

/** Samples along the first axis of any float batch: their number and the values per sample. */
export function batchRows(where: string, x: unknown): { n: number; row: number } {
  checkFloatTensor(where, x);
  if (x.ndim === 0) throw new ShapeError(`${where}: expected a batch with samples along the first axis, got a scalar`);
  const n = x.shape[0];
  return { n, row: n === 0 ? 0 : x.size / n };
}

/** Shape of a batch of images [N, C, H, W]. */
export interface ImageLayout {
  n: number;
  c: number;
  h: number;
  w: number;
}

export function imageLayout(where: string, x: unknown): ImageLayout {
  checkFloatTensor(where, x);
  if (x.ndim !== 4) throw new ShapeError(`${where}: expected images [N, C, H, W], got shape [${x.shape.join(', ')}]`);
  const [n, c, h, w] = x.shape;
  return { n, c, h, w };
}

/** Shape of a batch of sequences [N, T, F]. */
export function sequenceLayout(where: string, x: unknown): { n: number; t: number; f: number } {
  checkFloatTensor(where, x);
  if (x.ndim !== 3) throw new ShapeError(`${where}: expected sequences [N, T, F], got shape [${x.shape.join(', ')}]`);
  const [n, t, f] = x.shape;
  return { n, t, f };
}

/** A fresh tensor of x's shape and dtype holding a copy of its values. */
export function copyOf(x: Tensor): Tensor {
  return new Tensor(x.data.slice(), x.shape);
}

/** A Beta(α, α) draw (the mixing weight of mixup and CutMix), from two Gamma(α) draws. */
export function betaSymmetric(g: Generator, alpha: number): number {
  const a = gammaDraw(g, alpha),
    b = gammaDraw(g, alpha);
  return a + b > 0 ? a / (a + b) : 0.5;
}

/** Gamma(shape, 1) by Marsaglia and Tsang; shape < 1 through the boost Gamma(shape + 1)·U^(1/shape). */
function gammaDraw(g: Generator, shape: number): number {
  if (shape < 1) return gammaDraw(g, shape + 1) * Math.pow(g.random(), 1 / shape);
  const d = shape - 1 / 3,
    c = 1 / Math.sqrt(9 * d);
  // Accepts with probability > 0.95 per try; the bound only guards against a broken generator.
  for (let tries = 0; tries < 1000; tries++) {
    const z = g.normal();
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = g.random();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
  return shape;
}
