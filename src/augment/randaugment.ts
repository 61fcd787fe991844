/**
 * RandAugment (Cubuk et al.) for images with values in [0, maxValue]: each
 * sample goes through `n` operations picked at random from a list, each at
 * strength `magnitude` (a fraction of the operation's largest change), or,
 * with `randomMagnitude` (FixMatch's variant), at a strength drawn
 * uniformly in [0, magnitude] for every application. The operations suit
 * greyscale as well as colour (colour ones act per channel).
 */
import { ValueError } from '../errors.js';
import { arrayFor, type TypedArray } from '../tensor/dtype.js';
import type { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { augmentation, checkInteger, checkRange, imageLayout, optionsGenerator, type Augmentation, type AugmentRandomOptions } from './common.js';
import { cutoutSquare } from './image.js';
import { affinePlane, inverseAffine } from './planes.js';

/** The operations randAugment picks from. */
export const RAND_AUGMENT_OPS = [
  'identity',
  'autoContrast',
  'equalize',
  'brightness',
  'contrast',
  'solarize',
  'posterize',
  'rotate',
  'shearX',
  'shearY',
  'translateX',
  'translateY',
  'cutout',
] as const;
export type RandAugmentOp = (typeof RAND_AUGMENT_OPS)[number];

/** The default list: every operation but cutout, which FixMatch applies separately (compose with {@link cutout}). */
const DEFAULT_OPS: readonly RandAugmentOp[] = RAND_AUGMENT_OPS.filter((op) => op !== 'cutout');

export interface RandAugmentOptions extends AugmentRandomOptions {
  /** Operations applied to each sample (default 2). */
  n?: number;
  /** Strength in [0, 1]: the fraction of each operation's largest change (default 0.5). */
  magnitude?: number;
  /** Draw each application's strength uniformly in [0, magnitude] (FixMatch's RandAugment; default false). */
  randomMagnitude?: boolean;
  /** The operations to pick from (default: all of RAND_AUGMENT_OPS except 'cutout'). */
  ops?: readonly RandAugmentOp[];
  /** The images' largest value: 1 for [0, 1] images (default), 255 for bytes. */
  maxValue?: number;
}

/**
 * Largest changes (at magnitude 1): brightness and contrast factors 1 ± 0.9,
 * solarize threshold down to 0, posterize down to 4 bits, rotation ±30°,
 * shear ±0.3, translation ±30 % of the side, cutout of half the side.
 */
const MAX_DEGREES = 30,
  MAX_SHEAR = 0.3,
  MAX_TRANSLATE = 0.3,
  MAX_FACTOR = 0.9;

export function randAugment(options: RandAugmentOptions = {}): Augmentation {
  const where = 'randAugment';
  const g = optionsGenerator(where, options, ['n', 'magnitude', 'randomMagnitude', 'ops', 'maxValue']);
  const n = checkInteger(where, 'n', options.n ?? 2, 0, 64);
  const magnitude = checkRange(where, 'magnitude', options.magnitude ?? 0.5, 0, 1);
  const randomMagnitude = options.randomMagnitude ?? false;
  if (typeof randomMagnitude !== 'boolean') throw new ValueError(`${where}: randomMagnitude must be a boolean`);
  const maxValue = checkRange(where, 'maxValue', options.maxValue ?? 1, Number.MIN_VALUE, Number.MAX_VALUE);
  const ops = options.ops ?? DEFAULT_OPS;
  if (!Array.isArray(ops) || ops.length === 0) throw new ValueError(`${where}: ops must be a non-empty list of ${RAND_AUGMENT_OPS.join(', ')}`);
  for (const op of ops) {
    if (!RAND_AUGMENT_OPS.includes(op)) throw new ValueError(`${where}: unknown op '${String(op)}'; known: ${RAND_AUGMENT_OPS.join(', ')}`);
  }
  return augmentation((x) => {
    const { n: count, c, h, w } = imageLayout(where, x);
    const size = c * h * w;
    const out = arrayFor(x.dtype, x.size);
    // Two scratch images per call, reused for every sample and operation.
    let a = arrayFor(x.dtype, size),
      b = arrayFor(x.dtype, size);
    const ctx: OpContext = { c, h, w, maxValue, g, hist: new Float64Array(256), lut: new Float64Array(256) };
    for (let i = 0; i < count; i++) {
      a.set(x.data.subarray(i * size, (i + 1) * size));
      for (let k = 0; k < n; k++) {
        const op = ops[Math.floor(g.random() * ops.length)];
        const m = randomMagnitude ? magnitude * g.random() : magnitude;
        if (applyOp(op, m, a, b, ctx)) [a, b] = [b, a];
      }
      out.set(a, i * size);
    }
    return new Tensor(out, x.shape);
  });
}

interface OpContext {
  c: number;
  h: number;
  w: number;
  maxValue: number;
  g: Generator;
  hist: Float64Array;
  lut: Float64Array;
}

/** +1 or −1 with equal chance. */
function sign(g: Generator): number {
  return g.random() < 0.5 ? -1 : 1;
}

/** Applies one operation at strength m; true when the result is in dst, false when it stayed in src. */
function applyOp(op: RandAugmentOp, m: number, src: TypedArray, dst: TypedArray, ctx: OpContext): boolean {
  const { c, h, w, maxValue: mv, g } = ctx;
  const plane = h * w;
  const clamp = (v: number): number => (v < 0 ? 0 : v > mv ? mv : v);
  switch (op) {
    case 'identity':
      return false;
    case 'brightness': {
      const f = 1 + sign(g) * MAX_FACTOR * m;
      for (let j = 0; j < src.length; j++) dst[j] = clamp(src[j] * f);
      return true;
    }
    case 'contrast': {
      const f = 1 + sign(g) * MAX_FACTOR * m;
      let mean = 0;
      for (let j = 0; j < src.length; j++) mean += src[j];
      mean /= src.length || 1;
      for (let j = 0; j < src.length; j++) dst[j] = clamp(mean + (src[j] - mean) * f);
      return true;
    }
    case 'solarize': {
      const threshold = mv * (1 - m);
      for (let j = 0; j < src.length; j++) dst[j] = src[j] > threshold ? mv - src[j] : src[j];
      return true;
    }
    case 'posterize': {
      // Keep 8 − round(4m) of 8 bits of the value scaled to 0..255.
      const step = 2 ** Math.round(4 * m);
      for (let j = 0; j < src.length; j++) dst[j] = ((Math.floor(clamp(src[j]) * (255 / mv)) & ~(step - 1)) * mv) / 255;
      return true;
    }
    case 'autoContrast':
      for (let ch = 0; ch < c; ch++) autoContrastPlane(src, dst, ch * plane, plane, mv);
      return true;
    case 'equalize':
      for (let ch = 0; ch < c; ch++) equalizePlane(src, dst, ch * plane, plane, mv, ctx.hist, ctx.lut);
      return true;
    case 'cutout':
      dst.set(src);
      cutoutSquare(dst, 0, c, h, w, Math.round(m * 0.5 * Math.min(h, w)), g.randint(0, h), g.randint(0, w), 0);
      return true;
    default: {
      const s = sign(g) * m;
      const matrix =
        op === 'rotate'
          ? inverseAffine(h, w, s * MAX_DEGREES, 0, 0, 0, 0)
          : op === 'shearX'
            ? inverseAffine(h, w, 0, s * MAX_SHEAR, 0, 0, 0)
            : op === 'shearY'
              ? inverseAffine(h, w, 0, 0, s * MAX_SHEAR, 0, 0)
              : op === 'translateX'
                ? inverseAffine(h, w, 0, 0, 0, s * MAX_TRANSLATE * w, 0)
                : inverseAffine(h, w, 0, 0, 0, 0, s * MAX_TRANSLATE * h);
      for (let ch = 0; ch < c; ch++) affinePlane(src, dst, ch * plane, h, w, matrix, 0);
      return true;
    }
  }
}

/** Stretches a plane's values linearly so its smallest becomes 0 and its largest maxValue (unchanged when flat). */
function autoContrastPlane(src: TypedArray, dst: TypedArray, off: number, len: number, mv: number): void {
  let lo = Infinity,
    hi = -Infinity;
  for (let j = off; j < off + len; j++) {
    if (src[j] < lo) lo = src[j];
    if (src[j] > hi) hi = src[j];
  }
  if (!(hi > lo)) {
    dst.set(src.subarray(off, off + len), off);
    return;
  }
  const scale = mv / (hi - lo);
  for (let j = off; j < off + len; j++) dst[j] = (src[j] - lo) * scale;
}

/** Histogram equalisation over 256 levels: each value maps to its level's cumulative share of the plane. */
function equalizePlane(src: TypedArray, dst: TypedArray, off: number, len: number, mv: number, hist: Float64Array, lut: Float64Array): void {
  hist.fill(0);
  const level = (v: number): number => (v <= 0 ? 0 : v >= mv ? 255 : Math.floor((v / mv) * 255));
  for (let j = off; j < off + len; j++) hist[level(src[j])]++;
  let first = 0;
  while (first < 256 && hist[first] === 0) first++;
  const below = hist[first] ?? 0;
  if (len - below <= 0) {
    dst.set(src.subarray(off, off + len), off);
    return;
  }
  let cum = 0;
  for (let k = 0; k < 256; k++) {
    cum += hist[k];
    lut[k] = ((cum - below) / (len - below)) * mv;
  }
  for (let j = off; j < off + len; j++) dst[j] = lut[level(src[j])];
}
