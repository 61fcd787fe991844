/**
 * Float32 tanh and its gradient. The wasm kernel computes tanh in float64 by
 * the algorithm of V8's Math.tanh (fdlibm) and rounds it, so its results equal
 * the reference's bit for bit, without a call into the runtime per element;
 * the gradient g·(1 − y²) rounds each step to float32 as the unfused ops do.
 */
import { defineRoutine } from '../routine.js';
import { CALLER_KERNEL_MIN_ELEMENTS, unary, unaryGrad } from '../wasm/caller-kernels.js';
import { wasmEngine } from '../wasm/backend.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

export const tanh32 = defineRoutine('tanh32', function reference(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.tanh(x[i]);
  return out;
});

tanh32.register(
  'wasm',
  engine && {
    supports: (x) => x.length >= CALLER_KERNEL_MIN_ELEMENTS,
    run: (x) => unary(engine, 'tanhF32', x),
  },
);

/** out: tanh's output; g: the gradient of it. */
export const tanhGrad32 = defineRoutine('tanhGrad32', function reference(out: Float32Array, g: Float32Array): Float32Array {
  const dx = new Float32Array(out.length);
  for (let i = 0; i < dx.length; i++) dx[i] = g[i] * Math.fround(1 - Math.fround(out[i] * out[i]));
  return dx;
});

tanhGrad32.register(
  'wasm',
  engine && {
    supports: (out) => out.length >= CALLER_KERNEL_MIN_ELEMENTS,
    run: (out, g) => unaryGrad(engine, 'tanhGradF32', out, g),
  },
);
