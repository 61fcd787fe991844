/**
 * Float32 relu and tanh, and their gradients, each a wasm kernel on the
 * calling thread beside its TypeScript reference:
 * - relu: max(x, 0) with NaN kept; its gradient passes g where relu's output
 *   is > 0. The wasm kernels are branch-free (in JS these loops branch on the
 *   data and half the branches mispredict on random activations).
 * - tanh: fast-math.ts's tanhF32 (float64 arithmetic rounded once to
 *   float32, within one ulp of Math.tanh); the wasm kernel runs the same
 *   operations two lanes at a time, several times faster than Math.tanh.
 * - tanh's gradient g·(1 − y²) from its output y, in one pass that rounds
 *   each step to float32 as the three unfused ops did.
 */
import { defineRoutine } from '../routine.js';
import { CALLER_KERNEL_MIN_ELEMENTS, unary, unaryGrad } from '../wasm/caller-kernels.js';
import { wasmEngine } from '../wasm/backend.js';
import { tanhF32 } from './fast-math.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

/**
 * An element-wise float32 routine (on x, or for a gradient on an output and
 * its gradient): its reference, and its wasm kernel (`run`, given the engine)
 * from CALLER_KERNEL_MIN_ELEMENTS elements on.
 */
function elementwise<A extends [Float32Array] | [Float32Array, Float32Array]>(
  name: string,
  reference: (...args: A) => Float32Array,
  run: (e: NonNullable<typeof engine>, ...args: A) => Float32Array,
) {
  const routine = defineRoutine(name, reference);
  routine.register('wasm', engine && { supports: (...args: A) => args[0].length >= CALLER_KERNEL_MIN_ELEMENTS, run: (...args: A) => run(engine, ...args) });
  return routine;
}

/** The references: one loop per op, the choice outside it (no function called per element: they are the small arrays' fast path). */
function forward(op: 'relu' | 'tanh', x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  if (op === 'relu')
    for (let i = 0; i < x.length; i++) out[i] = x[i] > 0 || x[i] !== x[i] ? x[i] : 0; // NaN propagates
  else for (let i = 0; i < x.length; i++) out[i] = tanhF32(x[i]);
  return out;
}

function backward(op: 'relu' | 'tanh', out: Float32Array, g: Float32Array): Float32Array {
  const dx = new Float32Array(out.length);
  if (op === 'relu') for (let i = 0; i < dx.length; i++) dx[i] = out[i] > 0 ? g[i] : 0;
  else for (let i = 0; i < dx.length; i++) dx[i] = g[i] * Math.fround(1 - Math.fround(out[i] * out[i]));
  return dx;
}

export const relu32 = elementwise<[Float32Array]>(
  'relu32',
  (x) => forward('relu', x),
  (e, x) => unary(e, 'reluF32', x),
);
export const tanh32 = elementwise<[Float32Array]>(
  'tanh32',
  (x) => forward('tanh', x),
  (e, x) => unary(e, 'tanhF32', x),
);
export const reluGrad32 = elementwise<[Float32Array, Float32Array]>(
  'reluGrad32',
  (out, g) => backward('relu', out, g),
  (e, out, g) => unaryGrad(e, 'reluGradF32', out, g),
);
export const tanhGrad32 = elementwise<[Float32Array, Float32Array]>(
  'tanhGrad32',
  (out, g) => backward('tanh', out, g),
  (e, out, g) => unaryGrad(e, 'tanhGradF32', out, g),
);
