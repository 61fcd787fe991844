/**
 * Loads the GEMM kernels (compiled from asm/index.ts into kernels.generated.ts) and
 * finds out what this engine supports:
 * - 'threads': SIMD and shared memory, so workers can share the kernels' memory;
 * - 'simd': SIMD without SharedArrayBuffer (a browser page without
 *   cross-origin isolation): one thread, ordinary memory;
 * - 'none': no WebAssembly SIMD; the backend falls back to the JS reference.
 * Compilation is asynchronous (a browser's main thread refuses large
 * synchronous compiles), done once with a top-level await.
 */
import { kernelsMaxPages, kernelsPlainBase64, kernelsSharedBase64 } from './kernels.generated.js';

export type KernelSupport = 'threads' | 'simd' | 'none';

/** The exports of an instance of the kernels. */
export interface KernelExports {
  /** Claims and computes chunks of the job in the control block at `ctl` (byte address) with scratch of thread `tid`. */
  work(ctl: number, tid: number): void;
  /** Packs all of op(B) (K×N) at byte address `b` (row stride `ldb` elements) into column panels at `dst`. */
  packB32(b: number, ldb: number, transB: number, k: number, n: number, dst: number): void;
  packB64(b: number, ldb: number, transB: number, k: number, n: number, dst: number): void;
  /** Float32 element-wise kernels on byte addresses (asm/elementwise.ts). */
  reluF32(x: number, out: number, n: number): void;
  reluGradF32(out: number, g: number, dx: number, n: number): void;
  tanhGradF32(out: number, g: number, dx: number, n: number): void;
  maxPool2dF32(
    x: number,
    values: number,
    offsets: number,
    planes: number,
    h: number,
    w: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    ph: number,
    pw: number,
    dh: number,
    dw: number,
    ho: number,
    wo: number,
  ): void;
  sumRowsF32(src: number, count: number, len: number, dst: number): void;
  adamF32(
    p: number,
    g: number,
    m: number,
    v: number,
    n: number,
    sign: number,
    l2: number,
    shrink: number,
    mu: number,
    keep: number,
    lr: number,
    vScale: number,
    b2: number,
    c2: number,
    eps: number,
  ): void;
  /** Bytes of per-thread scratch an SVC pairs job needs for pairs of up to maxL samples (asm/svm.ts). */
  svcScratchBytes(maxL: number, rowSlots: number): number;
  /** A chain of dense layers described at `desc` (asm/dense.ts). */
  denseForwardF32(desc: number, layers: number, m: number, packed: number, work: number): void;
  denseBackwardF32(desc: number, layers: number, m: number, dOut: number, dx: number, g: number, g2: number, packed: number, work: number): void;
  MR32: WebAssembly.Global;
  NR32: WebAssembly.Global;
  MR64: WebAssembly.Global;
  NR64: WebAssembly.Global;
  KC: WebAssembly.Global;
  MC_MAX: WebAssembly.Global;
  WORK_BYTES_PER_THREAD: WebAssembly.Global;
}

export interface LoadedKernels {
  support: KernelSupport;
  /** The compiled module for `support` ('threads': imports a shared memory), null for 'none'. */
  module: WebAssembly.Module | null;
  /** Largest memory, in 64 KiB pages, the shared module accepts. */
  maxPages: number;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

async function loadKernels(): Promise<LoadedKernels> {
  if (typeof WebAssembly === 'undefined') return { support: 'none', module: null, maxPages: 0 };
  if (sharedMemoryAvailable()) {
    try {
      const module = await WebAssembly.compile(decodeBase64(kernelsSharedBase64));
      return { support: 'threads', module, maxPages: kernelsMaxPages };
    } catch {
      // No threads in this engine's wasm: try the single-thread build.
    }
  }
  try {
    const module = await WebAssembly.compile(decodeBase64(kernelsPlainBase64));
    return { support: 'simd', module, maxPages: kernelsMaxPages };
  } catch {
    return { support: 'none', module: null, maxPages: 0 };
  }
}

export const kernels: LoadedKernels = await loadKernels();
