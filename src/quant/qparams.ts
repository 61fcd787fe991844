/**
 * Quantisation parameters: how float32 values map to int8 weights and 7-bit activations.
 *
 * - Weights: per output channel, symmetric, q = round(w / s) in [−127, 127]
 *   with s = max |w| / 127 (PyTorch's `per_channel_symmetric` on qint8
 *   with the −128 code left unused, so that products of two int8 values stay
 *   within int16 pairs).
 * - Activations: 7 bits unsigned, codes in [0, 127] (as PyTorch's
 *   `reduce_range`: the int8 kernels' dot product multiplies int8 weights by
 *   values in [0, 127], asm/int8.ts), per tensor, from the range [lo, hi] an
 *   observer saw (widened to include 0, so that zero padding and ReLU's
 *   zeros are exact): asymmetric s = (hi − lo) / 127, zero point
 *   z = round(−lo / s) (0 after a ReLU); symmetric s = max(|lo|, |hi|) / 63.5,
 *   z = 64.
 *
 * Observers watch activations while calibration batches (or QAT's training
 * batches) pass: `minmax` keeps the extremes; `percentile` keeps, per batch,
 * the p-th and (100 − p)-th percentiles and averages them over the batches,
 * so a few outliers do not stretch the range.
 */
import { NumericalError, ValueError } from '../errors.js';
import type { InputQuantisation } from '../backend/routines/int8.js';
import type { TypedArray } from '../tensor/dtype.js';

export type ObserverKind = 'minmax' | 'percentile';

export interface ObserverOptions {
  /** 'minmax' (default) or 'percentile'. */
  observer?: ObserverKind;
  /** Percentile observer: the upper percentile kept (default 99.99; the lower one is 100 − p). */
  percentile?: number;
  /** Symmetric activations (the range centred on 0: zero point 64) instead of asymmetric (default false). */
  symmetric?: boolean;
}

/** Values per batch a percentile observer sorts (a strided sample of larger batches). */
const PERCENTILE_SAMPLE = 1 << 18;

/** Tracks the range of the activations it sees. */
export class Observer {
  readonly kind: ObserverKind;
  readonly percentile: number;
  readonly symmetric: boolean;
  /** The range so far (NaN before any value). */
  lo = Number.NaN;
  hi = Number.NaN;
  /** Percentile observer: sums of the per-batch percentiles, and batches seen. */
  private loSum = 0;
  private hiSum = 0;
  batches = 0;

  constructor(options: ObserverOptions = {}) {
    this.kind = options.observer ?? 'minmax';
    if (this.kind !== 'minmax' && this.kind !== 'percentile') throw new ValueError(`observer: expected 'minmax' or 'percentile', got ${JSON.stringify(this.kind)}`);
    this.percentile = options.percentile ?? 99.99;
    if (!(this.percentile > 50 && this.percentile <= 100)) throw new ValueError(`percentile: expected a number in (50, 100], got ${this.percentile}`);
    this.symmetric = options.symmetric ?? false;
    if (typeof this.symmetric !== 'boolean') throw new ValueError('symmetric: expected a boolean');
  }

  /** Takes a batch of activations into account (non-finite values are ignored). */
  observe(values: TypedArray): void {
    if (values.length === 0) return;
    if (this.kind === 'minmax') {
      let lo = Number.isNaN(this.lo) ? Infinity : this.lo;
      let hi = Number.isNaN(this.hi) ? -Infinity : this.hi;
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (v < lo && v > -Infinity) lo = v;
        if (v > hi && v < Infinity) hi = v;
      }
      if (lo <= hi) [this.lo, this.hi] = [lo, hi];
      return;
    }
    const step = Math.max(1, Math.floor(values.length / PERCENTILE_SAMPLE));
    const sample = new Float64Array(Math.ceil(values.length / step));
    let n = 0;
    for (let i = 0; i < values.length; i += step) if (Number.isFinite(values[i])) sample[n++] = values[i];
    if (n === 0) return;
    const sorted = sample.subarray(0, n).sort();
    const at = (q: number): number => {
      const pos = ((n - 1) * q) / 100;
      const below = Math.floor(pos);
      const above = Math.min(n - 1, below + 1);
      return sorted[below] + (sorted[above] - sorted[below]) * (pos - below);
    };
    this.loSum += at(100 - this.percentile);
    this.hiSum += at(this.percentile);
    this.batches++;
    this.lo = this.loSum / this.batches;
    this.hi = this.hiSum / this.batches;
  }

  /** Whether any value was seen. */
  get seen(): boolean {
    return !Number.isNaN(this.lo);
  }

  /** The 7-bit quantisation of the range seen. */
  qparams(): InputQuantisation {
    return rangeQParams(this.lo, this.hi, this.symmetric);
  }
}

/** Scale and zero point for values in [lo, hi] (widened to include 0). */
export function rangeQParams(lo: number, hi: number, symmetric: boolean): InputQuantisation {
  const min = Math.min(lo, 0),
    max = Math.max(hi, 0);
  if (symmetric) {
    const scale = Math.max(-min, max) / 63.5;
    return { scale: scale > 0 ? scale : 1, zero: 64 };
  }
  const scale = (max - min) / 127;
  if (!(scale > 0)) return { scale: 1, zero: 0 };
  return { scale, zero: Math.max(0, Math.min(127, Math.round(-min / scale))) };
}

/** The dynamic quantisation of a batch: its own min-max range, asymmetric. */
export function dynamicQParams(values: TypedArray): InputQuantisation {
  let lo = 0,
    hi = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < lo && v > -Infinity) lo = v;
    if (v > hi && v < Infinity) hi = v;
  }
  return rangeQParams(lo, hi, false);
}

/** Per-channel symmetric int8 weights: `rows` channels of `w.length / rows` values. */
export function quantiseWeights(w: TypedArray, rows: number): { q: Int32Array; scale: Float32Array } {
  const per = w.length / rows;
  const q = new Int32Array(w.length);
  const scale = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let i = r * per; i < (r + 1) * per; i++) max = Math.max(max, Math.abs(w[i]));
    if (!Number.isFinite(max)) throw new NumericalError(`quantise: weight channel ${r} holds a non-finite value`);
    const s = max > 0 ? max / 127 : 1;
    scale[r] = s;
    for (let i = r * per; i < (r + 1) * per; i++) q[i] = Math.max(-127, Math.min(127, Math.round(w[i] / s)));
  }
  return { q, scale };
}
