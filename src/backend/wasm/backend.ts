/**
 * The WebAssembly backend: SIMD kernels compiled from asm/, split over
 * worker threads that share one WebAssembly.Memory (engine.ts). This module
 * puts the engine's jobs behind the Backend interface:
 * - gemm-job.ts: GEMM on a grid of chunks;
 * - conv-job.ts: convolution passes, one sample per chunk, with the
 *   Conv → ReLU (→ MaxPool) block's epilogue;
 * - svm-job.ts: the one-vs-one pairs of an SVC fit, one pair per chunk;
 * - caller-kernels.ts: relu, pooling, Adam and the dense chain, on the
 *   calling thread;
 * - warm-up.ts: running the kernels until V8 has optimized them.
 * Without WebAssembly SIMD the backend runs the JS reference.
 */
import type { Backend, Float32Kernels } from '../backend.js';
import { ValueError } from '../../errors.js';
import { jsBackend } from '../js.js';
import { adam, denseChainBackward, denseChainForward, maxPool2d, relu, reluGrad } from './caller-kernels.js';
import { conv2dBackward, conv2dForward } from './conv-job.js';
import { WasmEngine } from './engine.js';
import { gemm } from './gemm-job.js';
import { kernels, type KernelSupport } from './kernels.js';
import { svcPairs } from './svm-job.js';
import { warmCallerKernels } from './warm-up.js';

const engine: WasmEngine | null = kernels.module ? new WasmEngine(kernels.module, kernels.support === 'threads', kernels.maxPages) : null;

/** What this engine's WebAssembly offers: 'threads', 'simd' (one thread), or 'none' (the backend runs the JS reference). */
export const wasmSupport: KernelSupport = kernels.support;

export const wasmBackend: Backend = {
  name: 'wasm',
  gemm: engine ? (args) => gemm(engine, args) : jsBackend.gemm,
  conv2dForward: (g, x, weight, bias, epilogue) => (engine ? conv2dForward(engine, g, x, weight, bias, epilogue) : null),
  conv2dBackward: (g, args) => (engine ? conv2dBackward(engine, g, args) : null),
  denseChainForward: (x, m, layers) => (engine ? denseChainForward(engine, x, m, layers) : null),
  denseChainBackward: (m, layers, args) => (engine ? denseChainBackward(engine, m, layers, args) : null),
  svcPairs: (args) => (engine ? svcPairs(engine, args) : null),
  float32: engine ? float32Kernels(engine) : undefined,
  numThreads: () => (engine ? engine.numThreads() : 1),
  setNumThreads: (n) => {
    if (engine) engine.setNumThreads(n);
    else if (!Number.isInteger(n) || n < 1) throw new ValueError(`setNumThreads: expected a positive integer, got ${String(n)}`);
  },
};

function float32Kernels(e: WasmEngine): Float32Kernels {
  return {
    relu: (x) => relu(e, x),
    reluGrad: (out, g) => reluGrad(e, out, g),
    maxPool2d: (x, g) => maxPool2d(e, x, g),
    adam: (p, g, m, v, k) => adam(e, p, g, m, v, k),
  };
}

/**
 * Starts the wasm backend's worker threads now (they otherwise start at the
 * first large job, which then runs on fewer threads), brings this thread's
 * kernels to optimized code, and resolves to true once the workers are ready.
 */
export async function warmUpWasmThreads(): Promise<boolean> {
  if (!engine) return false;
  const ready = engine.startWorkers();
  // Optimized code stays: the calling thread's kernels are warmed once per process.
  callerWarmUp ??= warmCallerKernels(engine);
  await callerWarmUp;
  return ready;
}

let callerWarmUp: Promise<void> | null = null;
