/**
 * Brings the calling thread's kernels to optimized code. V8 first runs
 * WebAssembly on its baseline compiler and swaps in optimized code once a
 * function has run enough: without this the first hundreds of small
 * products of a training run go at a fraction of full speed (measured: the
 * first mlp-digits fit 0.50 s with optimized code from the start, 0.66 s
 * without). The workers do the same for themselves when they start
 * (worker.ts).
 */
import { gemmArgs } from '../backend.js';
import { adam, maxPool2d, unary, unaryGrad } from './caller-kernels.js';
import { conv2dBackward, conv2dForward } from './conv-job.js';
import type { WasmEngine } from './engine.js';
import { gemm } from './gemm-job.js';

/** How long the kernels run on the calling thread. */
const CALLER_WARM_UP_MS = 120;

/** Runs every kernel on small made-up operands for about CALLER_WARM_UP_MS, yielding now and then. */
export async function warmCallerKernels(engine: WasmEngine): Promise<void> {
  const until = performance.now() + CALLER_WARM_UP_MS;
  const fill = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed));
  const a = fill(48 * 40, 1),
    b = fill(40 * 56, 2),
    c = new Float32Array(48 * 56);
  const a64 = Float64Array.from(a),
    b64 = Float64Array.from(b),
    c64 = new Float64Array(48 * 56);
  const g = { n: 2, c: 3, h: 9, w: 8, o: 8, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, ho: 9, wo: 8 };
  const x = fill(2 * 3 * 9 * 8, 3),
    weight = fill(8 * 27, 4),
    bias = fill(8, 5);
  const pool = { kh: 2, kw: 2, sh: 2, sw: 2, ho: 4, wo: 4 };
  const big = fill(4096, 6),
    grad = fill(4096, 7),
    m = new Float32Array(4096),
    v = new Float32Array(4096);
  const adamStep = { sign: 1, l2: 0, shrink: 1, mu: 0.9, keep: 0.1, lr: 1e-9, vScale: 1, b2: 0.999, c2: 0.001, eps: 1e-8 };
  let yieldAt = performance.now() + 5;
  while (performance.now() < until) {
    for (const transA of [false, true]) {
      gemm(engine, gemmArgs({ m: 48, n: 56, k: 40, a, transA, b, transB: !transA, c, accumulate: transA }));
      gemm(engine, gemmArgs({ m: 48, n: 56, k: 40, a: a64, transA, b: b64, transB: !transA, c: c64, accumulate: transA }));
    }
    const epilogue = { relu: true, pool };
    const forward = conv2dForward(engine, g, x, weight, bias, epilogue);
    conv2dForward(engine, g, x, weight, bias);
    if (forward) conv2dBackward(engine, g, { x, dy: forward.y, weight, input: true, weights: true, bias: true, epilogue: { ...epilogue, ...forward } });
    unaryGrad(engine, 'reluGradF32', unary(engine, 'reluF32', big), grad);
    unaryGrad(engine, 'tanhGradF32', big, grad);
    maxPool2d(engine, big, { n: 1, c: 4, h: 32, w: 32, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1, ho: 16, wo: 16 });
    adam(engine, big, grad, m, v, adamStep);
    if (performance.now() > yieldAt) {
      // Let V8's background compiler install the optimized code.
      await new Promise((resolve) => setTimeout(resolve, 0));
      yieldAt = performance.now() + 5;
    }
  }
}
