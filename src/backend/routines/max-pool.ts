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

/**
 * The cells of output (oh, ow)'s window that fall inside the input, as
 * offsets ih·w + iw within a plane, in window order (row by row), written to
 * `cells` (kh·kw long); returns how many there are.
 */
export function windowCells(g: PoolKernelGeometry, oh: number, ow: number, cells: Int32Array): number {
  let count = 0;
  for (let i = 0; i < g.kh; i++) {
    const ih = oh * g.sh - g.ph + i * g.dh;
    if (ih < 0 || ih >= g.h) continue;
    for (let j = 0; j < g.kw; j++) {
      const iw = ow * g.sw - g.pw + j * g.dw;
      if (iw >= 0 && iw < g.w) cells[count++] = ih * g.w + iw;
    }
  }
  return count;
}

export interface MaxPoolResult {
  /** The maxima, of x's type. */
  values: Values;
  offsets: Int32Array;
}

export const maxPool2d = defineRoutine('maxPool2d', function reference(x: Values, g: PoolKernelGeometry): MaxPoolResult {
  const { n, c, h, w, ho, wo } = g;
  const offsets = new Int32Array(n * c * ho * wo);
  const values = new (x.constructor as new (length: number) => Values)(offsets.length);
  const cells = new Int32Array(g.kh * g.kw);
  let k = 0;
  for (let p = 0; p < n * c; p++) {
    const base = p * h * w;
    for (let oh = 0; oh < ho; oh++) {
      for (let ow = 0; ow < wo; ow++, k++) {
        let best = -Infinity,
          bestAt = -1;
        const count = windowCells(g, oh, ow, cells);
        for (let t = 0; t < count; t++) {
          const at = base + cells[t];
          const v = x[at];
          // The first NaN wins and stays (as the wasm kernel does).
          if (bestAt < 0 || v > best || (v !== v && best === best)) {
            best = v;
            bestAt = at;
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
