/**
 * Loads the GEMM kernels (compiled from asm/index.ts into kernels.generated.ts) and
 * finds out what this engine supports:
 * - 'threads': SIMD and shared memory, so workers can share the kernels' memory;
 * - 'simd': SIMD without SharedArrayBuffer (a browser page without
 *   cross-origin isolation): one thread, ordinary memory;
 * - 'none': no WebAssembly SIMD; the backend falls back to the JS reference.
 * Compilation is asynchronous (a browser's main thread refuses large
 * synchronous compiles), done once with a top-level await.
 *
 * Each variant exists twice: with relaxed SIMD (fused multiply-adds in the
 * GEMM micro-kernels, asm/madd.ts) and without. The relaxed build is used
 * when wanted (RELAXED_BY_DEFAULT, or the environment variable
 * FRUGAL_WASM_RELAXED=1) and the engine validates a relaxed instruction
 * (Node 22+, Chrome 114+; Node 20 after the V8 flag set below); otherwise,
 * and with FRUGAL_WASM_RELAXED=0, the other. Results of the two differ by
 * rounding only (docs/performance.md, "Relaxed SIMD").
 */
import { isNode } from '../../platform/threads.js';
import { importUnbundled } from '../../platform/dynamic-import.js';
import { kernelsMaxPages, kernelsPlainBase64, kernelsSharedBase64 } from './kernels.generated.js';

export type KernelSupport = 'threads' | 'simd' | 'none';

/** The exports of an instance of the kernels. */
export interface KernelExports {
  /** Claims and computes chunks of the job in the control block at `ctl` (byte address) with scratch of thread `tid`. */
  work(ctl: number, tid: number): void;
  /** Claims and computes one chunk of that job; 0 when none was left. */
  workOne(ctl: number, tid: number): number;
  /** Packs all of op(B) (K×N) at byte address `b` (row stride `ldb` elements) into column panels at `dst`. */
  packB32(b: number, ldb: number, transB: number, k: number, n: number, dst: number): void;
  packB64(b: number, ldb: number, transB: number, k: number, n: number, dst: number): void;
  /** Float32 element-wise kernels on byte addresses (asm/elementwise.ts). */
  reluF32(x: number, out: number, n: number): void;
  tanhF32(x: number, out: number, n: number): void;
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
  /** Column sums of a rows×cols float32 matrix into cols float64 (asm/small.ts). */
  columnSums32(src: number, rows: number, cols: number, acc: number): void;
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
  sgdF32(p: number, g: number, m: number, n: number, sign: number, l2: number, shrink: number, mu: number, keep: number, lr: number, a: number, b: number, firstTerm: number): void;
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
  /** Whether `module` is the relaxed-SIMD build (fused multiply-adds). */
  relaxed: boolean;
  /** The compiled module for `support` ('threads': imports a shared memory), null for 'none'. */
  module: WebAssembly.Module | null;
  /** Largest memory, in 64 KiB pages, the shared module accepts. */
  maxPages: number;
}

/** The bytes of a base64 text (the generated modules' kernels). */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
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

/**
 * A module of one function (v128, v128, v128) → v128 whose body is
 * f32x4.relaxed_madd: valid exactly where the engine accepts relaxed SIMD.
 */
const RELAXED_PROBE = new Uint8Array([
  0,
  0x61,
  0x73,
  0x6d,
  1,
  0,
  0,
  0, // magic, version
  1,
  8,
  1,
  0x60,
  3,
  0x7b,
  0x7b,
  0x7b,
  1,
  0x7b, // type section: (v128 v128 v128) -> v128
  3,
  2,
  1,
  0, // function section: one function of type 0
  0x0a,
  0x0d,
  1,
  0x0b,
  0,
  0x20,
  0,
  0x20,
  1,
  0x20,
  2,
  0xfd,
  0x85,
  0x02,
  0x0b, // code: local.get 0 1 2; f32x4.relaxed_madd
]);

/** Whether this engine's WebAssembly accepts relaxed SIMD instructions. */
export function relaxedSimdValid(): boolean {
  return typeof WebAssembly !== 'undefined' && WebAssembly.validate(RELAXED_PROBE);
}

/**
 * Whether the relaxed build is chosen, where the engine accepts it, unless
 * FRUGAL_WASM_RELAXED says otherwise. The small-product kernels
 * (src/backend/wasm/small.ts) follow the same choice, so both paths fuse alike.
 */
export const RELAXED_BY_DEFAULT = true;

/** FRUGAL_WASM_RELAXED=1 asks for the relaxed build, =0 for the other (Node; a browser has no such variable). */
function relaxedWanted(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.FRUGAL_WASM_RELAXED;
  return value === '1' ? true : value === '0' ? false : RELAXED_BY_DEFAULT;
}

/**
 * Node 20 (V8 11.3) implements relaxed SIMD behind a flag; Node 22+ has it on.
 * Sets the flag, under Node only and only when the engine does not validate
 * relaxed SIMD yet, before the kernels are compiled. Flags set after start-up
 * apply to modules compiled afterwards, which is all this needs.
 */
async function enableRelaxedSimdInNode(): Promise<void> {
  if (!isNode || relaxedSimdValid()) return;
  try {
    const v8 = await importUnbundled<typeof import('node:v8')>('node:v8');
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // No such flag here: the kernels without relaxed SIMD are used.
  }
}

async function tryCompile(base64: string): Promise<WebAssembly.Module | null> {
  try {
    return await WebAssembly.compile(decodeBase64(base64));
  } catch {
    return null;
  }
}

/**
 * Compiles the kernels for this engine. `relaxed`: use the relaxed-SIMD build
 * where the engine accepts it (default: see relaxedWanted); false for the
 * build without it. Exported for tests, which compare the two.
 */
export async function loadKernels(relaxed = relaxedWanted()): Promise<LoadedKernels> {
  if (typeof WebAssembly === 'undefined') return { support: 'none', relaxed: false, module: null, maxPages: 0 };
  if (relaxed) await enableRelaxedSimdInNode();
  // The relaxed builds live in their own module, loaded only when asked for.
  const relaxedBuilds = relaxed && relaxedSimdValid() ? await import('./kernels-relaxed.generated.js') : null;
  // Shared memory first (threads); without it in this engine's wasm, the single-thread builds.
  const variants: [KernelSupport, boolean, string][] = [];
  if (sharedMemoryAvailable()) {
    if (relaxedBuilds) variants.push(['threads', true, relaxedBuilds.kernelsSharedRelaxedBase64]);
    variants.push(['threads', false, kernelsSharedBase64]);
  }
  if (relaxedBuilds) variants.push(['simd', true, relaxedBuilds.kernelsPlainRelaxedBase64]);
  variants.push(['simd', false, kernelsPlainBase64]);
  for (const [support, isRelaxed, base64] of variants) {
    const module = await tryCompile(base64);
    if (module) return { support, relaxed: isRelaxed, module, maxPages: kernelsMaxPages };
  }
  return { support: 'none', relaxed: false, module: null, maxPages: 0 };
}

export const kernels: LoadedKernels = await loadKernels();
