/**
 * Float32 relu and its gradient: max(x, 0) with NaN kept, and g where relu's
 * output is > 0. The wasm kernels are branch-free (in JS these loops branch on
 * the data and half the branches mispredict on random activations).
 */
import { defineRoutine } from '../routine.js';
import { CALLER_KERNEL_MIN_ELEMENTS, unary, unaryGrad } from '../wasm/caller-kernels.js';
import { wasmEngine } from '../wasm/backend.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

export const relu32 = defineRoutine('relu32', function reference(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = v > 0 || v !== v ? v : 0; // NaN propagates
  }
  return out;
});

relu32.register(
  'wasm',
  engine && {
    supports: (x) => x.length >= CALLER_KERNEL_MIN_ELEMENTS,
    run: (x) => unary(engine, 'reluF32', x),
  },
);

/** out: relu's output; g: the gradient of it. */
export const reluGrad32 = defineRoutine('reluGrad32', function reference(out: Float32Array, g: Float32Array): Float32Array {
  const dx = new Float32Array(out.length);
  for (let i = 0; i < dx.length; i++) dx[i] = out[i] > 0 ? g[i] : 0;
  return dx;
});

reluGrad32.register(
  'wasm',
  engine && {
    supports: (out) => out.length >= CALLER_KERNEL_MIN_ELEMENTS,
    run: (out, g) => unaryGrad(engine, 'reluGradF32', out, g),
  },
);
