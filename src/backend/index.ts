/**
 * The active backend. 'wasm' (SIMD kernels on every core) is the default
 * where WebAssembly SIMD exists; without shared memory (a browser page that
 * is not cross-origin isolated) it runs on one thread, and without SIMD the
 * plain TypeScript reference ('js') is used.
 */
import { ValueError } from '../errors.js';
import type { Backend, Float32Kernels } from './backend.js';
import { jsBackend } from './js.js';
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
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`setNumThreads: expected a positive integer, got ${String(n)}`);
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

/** Below this many elements the JS loops beat a round trip through the backend's kernels. */
const KERNEL_MIN_ELEMENTS = 2048;

/** The current backend's float32 element-wise kernels, when it has them and every array is a large enough Float32Array. */
export function float32Kernels(...arrays: ArrayLike<number>[]): Float32Kernels | null {
  const kernels = active.float32;
  if (!kernels || arrays[0].length < KERNEL_MIN_ELEMENTS) return null;
  return arrays.every((a) => a instanceof Float32Array) ? kernels : null;
}
