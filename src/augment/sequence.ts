/**
 * Batched augmentations of sequences [N, T, F] (samples, time steps,
 * features), as in Um et al. (2017) for sensor data: jitter, scaling, time
 * warping and window slicing. Each sample draws its own random values;
 * each factory returns an {@link Augmentation} (a tensor function that
 * also serves as a DataLoader `batchTransform`).
 */
import { arrayFor, type TypedArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { augmentation, checkInteger, checkRange, copyOf, optionsGenerator, sequenceLayout, type Augmentation, type AugmentRandomOptions } from './common.js';
import { gaussianNoise } from './image.js';

export interface JitterOptions extends AugmentRandomOptions {
  /** Standard deviation of the added noise (default 0.03). */
  sigma?: number;
}

/** Adds N(0, σ²) noise to every value of every sequence. */
export function jitter(options: JitterOptions = {}): Augmentation {
  const where = 'jitter';
  const generator = optionsGenerator(where, options, ['sigma']);
  const sigma = checkRange(where, 'sigma', options.sigma ?? 0.03, 0, Number.MAX_VALUE);
  const noise = gaussianNoise({ std: sigma, generator });
  return augmentation((x) => {
    sequenceLayout(where, x);
    return noise(x);
  });
}

export interface ScalingOptions extends AugmentRandomOptions {
  /** Standard deviation of the N(1, σ²) factor drawn per sample and feature (default 0.1). */
  sigma?: number;
}

/** Multiplies each feature of each sequence by its own random factor, constant over time. */
export function scaling(options: ScalingOptions = {}): Augmentation {
  const where = 'scaling';
  const g = optionsGenerator(where, options, ['sigma']);
  const sigma = checkRange(where, 'sigma', options.sigma ?? 0.1, 0, Number.MAX_VALUE);
  return augmentation((x) => {
    const { n, t, f } = sequenceLayout(where, x);
    const out = copyOf(x);
    const d = out.data;
    const factors = new Float64Array(f);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < f; k++) factors[k] = 1 + sigma * g.normal();
      for (let s = 0; s < t; s++) {
        const base = (i * t + s) * f;
        for (let k = 0; k < f; k++) d[base + k] *= factors[k];
      }
    }
    return out;
  });
}

/** out[s] = x at fractional time pos[s] (linear interpolation between steps), for one sample's [T, F] block. */
function resampleSequence(src: TypedArray, dst: TypedArray, off: number, t: number, f: number, pos: Float64Array): void {
  for (let s = 0; s < t; s++) {
    const p = Math.min(t - 1, Math.max(0, pos[s]));
    const i0 = Math.floor(p),
      i1 = Math.min(t - 1, i0 + 1),
      frac = p - i0;
    const a = off + i0 * f,
      b = off + i1 * f,
      d = off + s * f;
    for (let k = 0; k < f; k++) dst[d + k] = frac === 0 ? src[a + k] : src[a + k] + (src[b + k] - src[a + k]) * frac;
  }
}

export interface TimeWarpOptions extends AugmentRandomOptions {
  /** Standard deviation of the local speed around 1 at each knot (default 0.2). */
  sigma?: number;
  /** Number of interior knots of the speed curve (default 4). */
  knots?: number;
}

/**
 * Time warping: a smooth random speed curve (values N(1, σ²) at evenly
 * spaced knots, joined by smoothstep, kept positive) is integrated into a
 * monotone map of [0, T − 1] onto itself, and each sequence is resampled
 * along it with linear interpolation: some stretches play faster, others
 * slower, start and end stay fixed.
 */
export function timeWarp(options: TimeWarpOptions = {}): Augmentation {
  const where = 'timeWarp';
  const g = optionsGenerator(where, options, ['sigma', 'knots']);
  const sigma = checkRange(where, 'sigma', options.sigma ?? 0.2, 0, Number.MAX_VALUE);
  const knots = checkInteger(where, 'knots', options.knots ?? 4, 0, 1024);
  return augmentation((x) => {
    const { n, t, f } = sequenceLayout(where, x);
    const out = arrayFor(x.dtype, x.size);
    const speeds = new Float64Array(knots + 2);
    const pos = new Float64Array(t);
    for (let i = 0; i < n; i++) {
      // Speeds stay above 0.05 so the map is strictly increasing.
      for (let k = 0; k < speeds.length; k++) speeds[k] = Math.max(0.05, 1 + sigma * g.normal());
      // pos[s] = cumulative speed up to step s, rescaled so that pos[T−1] = T − 1.
      let acc = 0;
      for (let s = 0; s < t; s++) {
        pos[s] = acc;
        const u = t > 1 ? (s / (t - 1)) * (knots + 1) : 0;
        const k = Math.min(knots, Math.floor(u)),
          fr = u - k;
        const smooth = fr * fr * (3 - 2 * fr);
        acc += speeds[k] + (speeds[k + 1] - speeds[k]) * smooth;
      }
      const scale = t > 1 && pos[t - 1] > 0 ? (t - 1) / pos[t - 1] : 0;
      for (let s = 0; s < t; s++) pos[s] *= scale;
      resampleSequence(x.data, out, i * t * f, t, f, pos);
    }
    return new Tensor(out, x.shape);
  });
}

export interface WindowSliceOptions extends AugmentRandomOptions {
  /** Length of the window kept, as a fraction of T (default 0.9). */
  ratio?: number;
}

/** Window slicing: a random window of ratio·T steps is cut out and stretched back to T steps by linear interpolation. */
export function windowSlice(options: WindowSliceOptions = {}): Augmentation {
  const where = 'windowSlice';
  const g = optionsGenerator(where, options, ['ratio']);
  const ratio = checkRange(where, 'ratio', options.ratio ?? 0.9, Number.MIN_VALUE, 1);
  return augmentation((x) => {
    const { n, t, f } = sequenceLayout(where, x);
    const out = arrayFor(x.dtype, x.size);
    const len = Math.max(1, Math.ceil(ratio * t));
    const pos = new Float64Array(t);
    for (let i = 0; i < n; i++) {
      const start = g.randint(0, t - len + 1);
      for (let s = 0; s < t; s++) pos[s] = start + (t > 1 ? (s * (len - 1)) / (t - 1) : 0);
      resampleSequence(x.data, out, i * t * f, t, f, pos);
    }
    return new Tensor(out, x.shape);
  });
}
