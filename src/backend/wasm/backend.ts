/**
 * The WebAssembly backend: SIMD kernels compiled from asm/, split over
 * worker threads that share one WebAssembly.Memory (engine.ts). Its core
 * (GEMM, threads) is the Backend below; its routine implementations live
 * beside this file and are registered by the routines (../routines/):
 * - gemm-job.ts: GEMM on a grid of chunks;
 * - conv-job.ts: convolution passes, one sample per chunk, with the
 *   Conv → ReLU (→ MaxPool) block's epilogue;
 * - svm-job.ts: the one-vs-one pairs of an SVC fit, one pair per chunk;
 * - histogram-job.ts: a boosting tree node's gradient histograms, one
 *   group of features per chunk;
 * - lstm-job.ts: an LSTM layer's recurrence, forward and backward, one
 *   block of batch rows per chunk;
 * - caller-kernels.ts: relu, pooling, Adam and the dense chain, on the
 *   calling thread;
 * - small.ts: a second, single-thread instance that keeps weights resident
 *   (dense layers on a few rows);
 * - warm-up.ts: running the kernels until V8 has optimized them.
 * Without WebAssembly SIMD the backend runs the JS reference.
 */
import type { Backend } from '../backend.js';
import { ValueError } from '../../errors.js';
import { jsBackend } from '../js.js';
import { WasmEngine } from './engine.js';
import { gemm, keepResident } from './gemm-job.js';
import { kernels, type KernelSupport } from './module.js';
import { warmCallerKernels } from './warm-up.js';

/** The engine the routines' wasm implementations run on; null without WebAssembly SIMD. */
export const wasmEngine: WasmEngine | null = kernels.module ? new WasmEngine(kernels.module, kernels.support === 'threads', kernels.maxPages) : null;
const engine = wasmEngine;

/** What this engine's WebAssembly offers: 'threads', 'simd' (one thread), or 'none' (the backend runs the JS reference). */
export const wasmSupport: KernelSupport = kernels.support;

export const wasmBackend: Backend = {
  name: 'wasm',
  gemm: engine ? (args) => gemm(engine, args) : jsBackend.gemm,
  keepResident: engine ? (operand, body) => keepResident(engine, operand, body) : undefined,
  numThreads: () => (engine ? engine.numThreads() : 1),
  setNumThreads: (n) => {
    if (!Number.isInteger(n) || n < 1) throw new ValueError(`setNumThreads: expected a positive integer, got ${String(n)}`);
    engine?.setNumThreads(n);
  },
};

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
