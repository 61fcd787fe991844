/**
 * 2-D max pooling over N·C planes: each window's first maximum (padding
 * never wins; the first NaN does) and its flat offset into x, which the
 * gradient scatters to.
 */
import { defineRoutine } from '../routine.js';
import { CALLER_KERNEL_MIN_ELEMENTS, maxPool2d as wasmMaxPool2d } from '../wasm/caller-kernels.js';
import { wasmEngine } from '../wasm/backend.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

/** Shape of a 2-D pooling over N·C planes of H×W (every window holds at least one input cell: padding ≤ half the kernel). */
export interface PoolKernelGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  ho: number;
  wo: number;
}

type Values = Float32Array | Float64Array | Int32Array;

export interface MaxPoolResult {
  /** The maxima, of x's type. */
  values: Values;
  offsets: Int32Array;
}

export const maxPool2d = defineRoutine('maxPool2d', function reference(x: Values, g: PoolKernelGeometry): MaxPoolResult {
  const { n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, ho, wo } = g;
  const offsets = new Int32Array(n * c * ho * wo);
  const values = new (x.constructor as new (length: number) => Values)(offsets.length);
  let k = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++, k++) {
        let best = -Infinity,
          bestAt = -1;
        for (let i = 0; i < kh; i++) {
          const ih = oh * sh - ph + i * dh;
          if (ih < 0 || ih >= h) continue;
          for (let j = 0; j < kw; j++) {
            const iw = ow * sw - pw + j * dw;
            if (iw < 0 || iw >= w) continue;
            const at = base + ih * w + iw;
            const v = x[at];
            // The first NaN wins and stays (as the wasm kernel does).
            if (bestAt < 0 || v > best || (v !== v && best === best)) {
              best = v;
              bestAt = at;
            }
          }
        }
        offsets[k] = bestAt;
        values[k] = best;
      }
    }
  }
  return { values, offsets };
});

maxPool2d.register(
  'wasm',
  engine && {
    supports: (x) => x instanceof Float32Array && x.length >= CALLER_KERNEL_MIN_ELEMENTS,
    run: (x, g) => wasmMaxPool2d(engine, x as Float32Array, g),
  },
);
