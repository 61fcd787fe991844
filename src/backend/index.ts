/**
 * The active backend. 'wasm' (SIMD kernels on every core) is the default
 * where WebAssembly SIMD exists; without shared memory (a browser page that
 * is not cross-origin isolated) it runs on one thread, and without SIMD the
 * plain TypeScript reference ('js') is used.
 */
import { ValueError } from '../errors.js';
import { gemmArgs, type Backend, type FloatArray, type GemmCall } from './backend.js';
import { gemmLoops, jsBackend } from './js.js';
import { wasmBackend, wasmSupport, warmUpWasmThreads } from './wasm/backend.js';

const backends = { js: jsBackend, wasm: wasmSupport === 'none' ? jsBackend : wasmBackend } as const;

let active: Backend = backends.wasm;

export function getBackend(): Backend {
  return active;
}

/** Selects the kernels: 'wasm' (default; falls back to 'js' where WebAssembly SIMD is missing) or 'js'. */
export function setBackend(name: 'js' | 'wasm'): void {
  if (name !== 'js' && name !== 'wasm') throw new ValueError(`setBackend: unknown backend '${String(name)}'; expected 'js' or 'wasm'`);
  active = backends[name];
}

/** Threads the active backend splits a kernel over (default: the number of cores). */
export function setNumThreads(n: number): void {
  wasmBackend.setNumThreads(n);
}

export function getNumThreads(): number {
  return active.numThreads();
}

/**
 * Starts the worker threads now instead of at the first large product (which
 * would then run on fewer threads while they start). Resolves to true once
 * they are ready, false where threads are unavailable.
 */
export function warmUpThreads(): Promise<boolean> {
  return warmUpWasmThreads();
}

export { gemmArgs, type GemmCall } from './backend.js';

/** C = op(A)·op(B) (or C +=) on the active backend, the element type that of C (A and B must share it). */
export function gemm(call: GemmCall): void {
  active.gemm(gemmArgs(call));
}

/**
 * Runs `body` with `operand` held in the active backend's memory, so that
 * the GEMM calls inside that take this very array as A or B (whole or from
 * an offset) skip copying it in: for an algorithm that multiplies by the
 * same large matrix many times (power iterations, k-means, k-NN). Results
 * are exactly those without it. `operand` must not change inside `body`.
 */
export function withResidentOperand<T>(operand: FloatArray, body: () => T): T {
  return active.keepResident ? active.keepResident(operand, body) : body();
}

/**
 * Products below this many multiply-adds (m·n·k) run as plain loops in
 * {@link gemmOrLoops}: handing them to the backend (copies into WebAssembly
 * memory, packing) costs more than the loops.
 */
export const SMALL_GEMM_MACS = 1 << 15;

/** Whether an m×k by k×n product is small enough for plain loops (see {@link SMALL_GEMM_MACS}). */
export function isSmallProduct(m: number, n: number, k: number): boolean {
  return m * n * k < SMALL_GEMM_MACS;
}

/**
 * {@link gemm}, except that a small float64 product (one matrix) runs as the
 * reference loops here. Float32 products always go to the backend: their
 * values must be its GEMM's (the SVC pairs job recomputes kernel dot products
 * inside the backend and must find the same ones).
 */
export function gemmOrLoops(call: GemmCall): void {
  const { m, n, k, a, b, c } = call;
  if (c instanceof Float64Array && (call.batch ?? 1) === 1 && isSmallProduct(m, n, k)) {
    gemmLoops(m, n, k, a, call.aOffset ?? 0, call.transA ?? false, b, call.bOffset ?? 0, call.transB ?? false, c, call.cOffset ?? 0, call.accumulate ?? false);
    return;
  }
  gemm(call);
}
