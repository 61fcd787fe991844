/**
 * Batched image augmentations on [N, C, H, W] tensors (float32 or
 * float64): each sample draws its own random parameters, the same for all
 * its channels. Every factory returns an {@link Augmentation}: call it on a
 * tensor, or pass it as a DataLoader `batchTransform`.
 *
 * ```ts
 * const weak = compose(randomHorizontalFlip({ seed: 1 }), randomTranslate({ maxShift: 2, padding: 'reflect', seed: 2 }));
 * const loader = new DataLoader(train, { batchSize: 64, shuffle: true, batchTransform: weak });
 * ```
 */
import { ValueError } from '../errors.js';
import type { TypedArray } from '../tensor/dtype.js';
import type { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  augmentation,
  batchRows,
  checkInteger,
  checkInterval,
  checkProbability,
  checkRange,
  copyOf,
  imageLayout,
  type ImageLayout,
  optionsGenerator,
  type Augmentation,
  type AugmentRandomOptions,
} from './common.js';
import { affinePlane, fillRect, flipHorizontal, flipVertical, inverseAffine, shiftPlane, type PaddingMode } from './planes.js';

/**
 * The shape of most image augmentations: copy the batch, then let `change`
 * rewrite (in `dst`, reading `src`) each sample chosen with probability p;
 * `off` is where the sample starts in both arrays.
 */
function samplewise(where: string, g: Generator, p: number, change: (src: TypedArray, dst: TypedArray, off: number, layout: ImageLayout) => void): Augmentation {
  return augmentation((x) => {
    const layout = imageLayout(where, x);
    const out = copyOf(x);
    const size = layout.c * layout.h * layout.w;
    for (let i = 0; i < layout.n; i++) if (g.random() < p) change(x.data, out.data, i * size, layout);
    return out;
  });
}

export interface FlipOptions extends AugmentRandomOptions {
  /** Probability that a sample is flipped (default 0.5). */
  p?: number;
}

function randomFlip(where: string, flip: typeof flipHorizontal, options: FlipOptions): Augmentation {
  const g = optionsGenerator(where, options, ['p']);
  const p = checkProbability(where, 'p', options.p ?? 0.5);
  return samplewise(where, g, p, (src, dst, off, { c, h, w }) => {
    for (let ch = 0; ch < c; ch++) flip(src, dst, off + ch * h * w, h, w);
  });
}

/** Mirrors each sample left–right with probability p. */
export function randomHorizontalFlip(options: FlipOptions = {}): Augmentation {
  return randomFlip('randomHorizontalFlip', flipHorizontal, options);
}

/** Mirrors each sample top–bottom with probability p. */
export function randomVerticalFlip(options: FlipOptions = {}): Augmentation {
  return randomFlip('randomVerticalFlip', flipVertical, options);
}

export interface TranslateOptions extends AugmentRandomOptions {
  /** Largest shift in pixels, the same for both axes or [x, y] (default 2). Each sample shifts by whole pixels drawn uniformly in [−max, max]. */
  maxShift?: number | readonly [number, number];
  /** Fill for pixels shifted in from outside: 'zero' (default) or 'reflect' (mirror the image). */
  padding?: PaddingMode;
  /** Probability that a sample is shifted at all (default 1). */
  p?: number;
}

function checkPadding(where: string, padding: unknown): PaddingMode {
  if (padding !== 'zero' && padding !== 'reflect') throw new ValueError(`${where}: padding must be 'zero' or 'reflect', got ${String(padding)}`);
  return padding;
}

/**
 * Shifts each sample by a random whole number of pixels (the image moves;
 * what comes in from outside is zero or reflected).
 */
export function randomTranslate(options: TranslateOptions = {}): Augmentation {
  const where = 'randomTranslate';
  const g = optionsGenerator(where, options, ['maxShift', 'padding', 'p']);
  const shift = options.maxShift ?? 2;
  const [mx, my] = typeof shift === 'number' ? [shift, shift] : Array.isArray(shift) && shift.length === 2 ? shift : [Number.NaN, Number.NaN];
  checkInteger(where, 'maxShift (x)', mx, 0, 1 << 20);
  checkInteger(where, 'maxShift (y)', my, 0, 1 << 20);
  const mode = checkPadding(where, options.padding ?? 'zero');
  const p = checkProbability(where, 'p', options.p ?? 1);
  return samplewise(where, g, p, (src, dst, off, { c, h, w }) => {
    const dx = g.randint(-mx, mx + 1),
      dy = g.randint(-my, my + 1);
    if (dx === 0 && dy === 0) return;
    for (let ch = 0; ch < c; ch++) shiftPlane(src, dst, off + ch * h * w, h, w, dx, dy, mode);
  });
}

export interface CropOptions extends AugmentRandomOptions {
  /** Pixels of padding on every side before cropping back to the original size (default 4). */
  padding?: number;
  /** How the border is filled: 'zero' (default) or 'reflect'. */
  paddingMode?: PaddingMode;
}

/**
 * torchvision's RandomCrop(size of the input, padding): pads every side by
 * `padding` and crops a window of the original size at a random place,
 * which is a random shift by up to `padding` pixels on each axis.
 */
export function randomCrop(options: CropOptions = {}): Augmentation {
  const where = 'randomCrop';
  optionsGenerator(where, options, ['padding', 'paddingMode']);
  const padding = checkInteger(where, 'padding', options.padding ?? 4, 0, 1 << 20);
  const rest: TranslateOptions = { maxShift: padding, padding: options.paddingMode ?? 'zero' };
  if (options.seed !== undefined) rest.seed = options.seed;
  if (options.generator !== undefined) rest.generator = options.generator;
  return randomTranslate(rest);
}

export interface RotationOptions extends AugmentRandomOptions {
  /** Largest angle in degrees; each sample turns by an angle drawn uniformly in [−degrees, degrees] (default 10). */
  degrees?: number;
  /** Value of pixels turned in from outside (default 0). */
  fill?: number;
  /** Probability that a sample is rotated at all (default 1). */
  p?: number;
}

/** Rotates each sample about its centre by a small random angle, with bilinear interpolation. */
export function randomRotation(options: RotationOptions = {}): Augmentation {
  const where = 'randomRotation';
  const g = optionsGenerator(where, options, ['degrees', 'fill', 'p']);
  const degrees = checkRange(where, 'degrees', options.degrees ?? 10, 0, 180);
  const fill = checkRange(where, 'fill', options.fill ?? 0, -Number.MAX_VALUE, Number.MAX_VALUE);
  const p = checkProbability(where, 'p', options.p ?? 1);
  return samplewise(where, g, p, (src, dst, off, { c, h, w }) => {
    const m = inverseAffine(h, w, (2 * g.random() - 1) * degrees, 0, 0, 0, 0);
    for (let ch = 0; ch < c; ch++) affinePlane(src, dst, off + ch * h * w, h, w, m, fill);
  });
}

export interface NoiseOptions extends AugmentRandomOptions {
  /** Standard deviation of the added N(0, std²) noise (default 0.05). */
  std?: number;
  /** Clamp the result into [lo, hi] (default: no clamping). */
  clip?: readonly [number, number];
  /** Probability that a sample gets noise at all (default 1). */
  p?: number;
}

/** Adds independent Gaussian noise to every value of the samples chosen with probability p (any batch [N, ...]: images or sequences). */
export function gaussianNoise(options: NoiseOptions = {}): Augmentation {
  const where = 'gaussianNoise';
  const g = optionsGenerator(where, options, ['std', 'clip', 'p']);
  const std = checkRange(where, 'std', options.std ?? 0.05, 0, Number.MAX_VALUE);
  const [lo, hi] = options.clip === undefined ? [-Infinity, Infinity] : checkInterval(where, 'clip', options.clip, -Number.MAX_VALUE, Number.MAX_VALUE);
  const p = checkProbability(where, 'p', options.p ?? 1);
  return augmentation((x) => {
    const { n, row } = batchRows(where, x);
    const out = copyOf(x);
    const d = out.data;
    for (let i = 0; i < n; i++) {
      if (!(g.random() < p)) continue;
      for (let j = i * row; j < (i + 1) * row; j++) {
        const v = d[j] + std * g.normal();
        d[j] = v < lo ? lo : v > hi ? hi : v;
      }
    }
    return out;
  });
}

export interface ErasingOptions extends AugmentRandomOptions {
  /** Probability that a sample gets a rectangle erased (default 0.5). */
  p?: number;
  /** Range of the erased area as a fraction of the image (default [0.02, 0.33]). */
  scale?: readonly [number, number];
  /** Range of the rectangle's aspect ratio h / w, drawn log-uniformly (default [0.3, 3.3]). */
  ratio?: readonly [number, number];
  /** Value written into the rectangle (default 0). */
  value?: number;
}

/**
 * Random erasing (Zhong et al.; torchvision's RandomErasing): in each chosen
 * sample a rectangle of random area and aspect ratio, wholly inside the
 * image, is set to `value` in every channel. Gives up on a sample after 10
 * draws that do not fit, as torchvision does.
 */
export function randomErasing(options: ErasingOptions = {}): Augmentation {
  const where = 'randomErasing';
  const g = optionsGenerator(where, options, ['p', 'scale', 'ratio', 'value']);
  const p = checkProbability(where, 'p', options.p ?? 0.5);
  const [s0, s1] = checkInterval(where, 'scale', options.scale ?? [0.02, 0.33], 0, 1);
  const [r0, r1] = checkInterval(where, 'ratio', options.ratio ?? [0.3, 3.3], Number.MIN_VALUE, Number.MAX_VALUE);
  const value = checkRange(where, 'value', options.value ?? 0, -Number.MAX_VALUE, Number.MAX_VALUE);
  const logR0 = Math.log(r0),
    logR1 = Math.log(r1);
  return samplewise(where, g, p, (_src, dst, off, { c, h, w }) => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const area = h * w * (s0 + (s1 - s0) * g.random());
      const ratio = Math.exp(logR0 + (logR1 - logR0) * g.random());
      const eh = Math.round(Math.sqrt(area * ratio)),
        ew = Math.round(Math.sqrt(area / ratio));
      if (eh < 1 || ew < 1 || eh > h || ew > w) continue;
      const y0 = g.randint(0, h - eh + 1),
        x0 = g.randint(0, w - ew + 1);
      for (let ch = 0; ch < c; ch++) fillRect(dst, off + ch * h * w, w, y0, y0 + eh, x0, x0 + ew, value);
      return;
    }
  });
}

export interface CutoutOptions extends AugmentRandomOptions {
  /** Side of the square in pixels (default: half the image's shorter side). */
  size?: number;
  /** Probability that a sample gets a square cut out (default 1). */
  p?: number;
  /** Value written into the square (default 0). */
  value?: number;
}

/** Cutout (DeVries & Taylor): a size×size square centred at a random pixel (clipped at the borders) is set to `value`. */
export function cutout(options: CutoutOptions = {}): Augmentation {
  const where = 'cutout';
  const g = optionsGenerator(where, options, ['size', 'p', 'value']);
  const size = options.size === undefined ? null : checkInteger(where, 'size', options.size, 0, 1 << 20);
  const p = checkProbability(where, 'p', options.p ?? 1);
  const value = checkRange(where, 'value', options.value ?? 0, -Number.MAX_VALUE, Number.MAX_VALUE);
  return samplewise(where, g, p, (_src, dst, off, { c, h, w }) => {
    cutoutSquare(dst, off, c, h, w, size ?? Math.floor(Math.min(h, w) / 2), g.randint(0, h), g.randint(0, w), value);
  });
}

/** Sets a side×side square centred at (cy, cx), clipped to the image, in all c planes starting at off. */
export function cutoutSquare(d: Tensor['data'], off: number, c: number, h: number, w: number, side: number, cy: number, cx: number, value: number): void {
  const y0 = Math.max(0, cy - (side >> 1)),
    y1 = Math.min(h, cy - (side >> 1) + side);
  const x0 = Math.max(0, cx - (side >> 1)),
    x1 = Math.min(w, cx - (side >> 1) + side);
  if (y1 <= y0 || x1 <= x0) return;
  for (let ch = 0; ch < c; ch++) fillRect(d, off + ch * h * w, w, y0, y1, x0, x1, value);
}

/** Applies augmentations one after the other (each to the previous one's output). */
export function compose(...transforms: Augmentation[]): Augmentation {
  transforms.forEach((t, i) => {
    if (typeof t !== 'function') throw new ValueError(`compose: transform ${i} is not a function`);
  });
  return augmentation((x) => transforms.reduce((acc, t) => t(acc), x));
}
