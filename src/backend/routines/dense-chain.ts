/**
 * A chain of float32 dense layers, relu?(x·Wᵀ + b) each, on m rows: the
 * forward returns every layer's output, the backward every gradient, each in
 * one call (the wasm implementation keeps the activations between layers in
 * its memory: a small MLP's training step without dozens of GEMM calls).
 * The reference is the layers one by one on the core GEMM, as the tensor ops
 * compute them (bias pre-filled and accumulated onto; the bias gradient
 * summed in float64 row by row), and the wasm kernels agree with it to the bit.
 */
import { ValueError } from '../../errors.js';
import { gemm } from '../index.js';
import { defineRoutine } from '../routine.js';
import { checkChain, denseChainBackward as wasmBackward, denseChainForward as wasmForward } from '../wasm/caller-kernels.js';
import { wasmEngine } from '../wasm/backend.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

/** One layer: act(x·Wᵀ + b), W n×k row-major (PyTorch's layout). */
export interface DenseChainLayer {
  w: Float32Array;
  b: Float32Array | null;
  n: number;
  k: number;
  /** Whether an activation follows: ReLU, or LeakyReLU when negativeSlope is set. */
  relu: boolean;
  /** LeakyReLU's negative slope (>= 0, so the output has the input's sign); absent: plain ReLU. */
  negativeSlope?: number;
}

/** What the backward needs from the forward, and what it is asked for. */
export interface DenseChainBackwardArgs {
  x: Float32Array;
  /** Each layer's output (after relu), as the forward returned them. */
  outputs: readonly Float32Array[];
  /** dL/d(the last output). */
  dOut: Float32Array;
  wantDx: boolean;
  /** Per layer: whether dW and db are wanted. */
  wantDw: readonly boolean[];
  wantDb: readonly boolean[];
}

export interface DenseChainGradients {
  dx: Float32Array | null;
  dw: (Float32Array | null)[];
  db: (Float32Array | null)[];
}

/**
 * The wasm chain runs on the calling thread: it is for layers whose products
 * the backend would not hand to its threads either (below 2²¹ multiply-adds
 * each); larger ones are faster on the general path.
 */
export const DENSE_CHAIN_MAX_MACS = 1 << 21;

/** Whether the wasm kernels take the chain: rows to compute (with none, their products would leave dW unwritten) and every layer's product below DENSE_CHAIN_MAX_MACS. */
const wasmTakes = (m: number, layers: readonly DenseChainLayer[]): boolean => m > 0 && layers.every((l) => m * l.k * l.n < DENSE_CHAIN_MAX_MACS);

export const denseChainForward = defineRoutine('denseChainForward', function reference(x: Float32Array, m: number, layers: readonly DenseChainLayer[]): Float32Array[] {
  checkChain(x, m, layers);
  const outputs: Float32Array[] = [];
  let input = x;
  for (const { w, b, n, k, relu, negativeSlope } of layers) {
    const y = new Float32Array(m * n);
    if (b) for (let r = 0; r < m; r++) y.set(b, r * n);
    gemm({ m, n, k, a: input, b: w, transB: true, c: y, accumulate: b !== null });
    if (relu && negativeSlope !== undefined) for (let i = 0; i < y.length; i++) y[i] = y[i] > 0 ? y[i] : negativeSlope * y[i];
    else if (relu) for (let i = 0; i < y.length; i++) y[i] = y[i] > 0 || y[i] !== y[i] ? y[i] : 0;
    outputs.push(y);
    input = y;
  }
  return outputs;
});

denseChainForward.register(
  'wasm',
  engine && {
    supports: (_x, m, layers) => wasmTakes(m, layers),
    run: (x, m, layers) => wasmForward(engine, x, m, layers),
  },
);

export const denseChainBackward = defineRoutine(
  'denseChainBackward',
  function reference(m: number, layers: readonly DenseChainLayer[], args: DenseChainBackwardArgs): DenseChainGradients {
    checkChain(args.x, m, layers);
    checkBackward(m, layers, args);
    const dw: (Float32Array | null)[] = layers.map(() => null);
    const db: (Float32Array | null)[] = layers.map(() => null);
    let grad = args.dOut,
      dx: Float32Array | null = null;
    for (let l = layers.length - 1; l >= 0; l--) {
      const { w, n, k, relu, negativeSlope } = layers[l];
      if (relu) {
        const out = args.outputs[l],
          masked = new Float32Array(m * n);
        // Below zero: 0 (ReLU) or grad·slope with the slope rounded to float32 (LeakyReLU, as the layer's backward).
        if (negativeSlope === undefined) for (let i = 0; i < masked.length; i++) masked[i] = out[i] > 0 ? grad[i] : 0;
        else {
          const slope = Math.fround(negativeSlope);
          for (let i = 0; i < masked.length; i++) masked[i] = out[i] > 0 ? grad[i] : grad[i] * slope;
        }
        grad = masked;
      }
      if (args.wantDb[l]) {
        const sums = new Float64Array(n);
        for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) sums[j] += grad[r * n + j];
        db[l] = Float32Array.from(sums);
      }
      const input = l === 0 ? args.x : args.outputs[l - 1];
      if (args.wantDw[l]) {
        const d = new Float32Array(n * k);
        gemm({ m: n, n: k, k: m, a: grad, transA: true, b: input, c: d });
        dw[l] = d;
      }
      if (l > 0 || args.wantDx) {
        const below = new Float32Array(m * k);
        gemm({ m, n: k, k: n, a: grad, b: w, c: below });
        if (l === 0) dx = below;
        grad = below;
      }
    }
    return { dx, dw, db };
  },
);

denseChainBackward.register(
  'wasm',
  engine && {
    supports: (m, layers) => wasmTakes(m, layers),
    run: (m, layers, args) => {
      checkBackward(m, layers, args);
      return wasmBackward(engine, m, layers, args);
    },
  },
);

function checkBackward(m: number, layers: readonly DenseChainLayer[], args: DenseChainBackwardArgs): void {
  const last = layers[layers.length - 1];
  if (args.outputs.length !== layers.length || args.dOut.length !== m * last.n || args.wantDw.length !== layers.length || args.wantDb.length !== layers.length) {
    throw new ValueError('dense chain: the outputs, dOut or wanted gradients do not fit the layers');
  }
}
