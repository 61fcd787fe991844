/**
 * Kernels on the calling thread in a small WebAssembly instance of its own
 * (compiled from asm/small.ts): dense layers applied to a few rows and column
 * sums.
 *
 * Dense layers: the general wasm GEMM copies and packs both operands on
 * every call, which for one sample against a 128×64 layer costs more than
 * the arithmetic; a model answering one request at a time multiplies the
 * same weights again and again. Here each weight matrix is copied in once (transposed, in panels) and
 * reused while its `version` is unchanged: the caller must bump the version
 * whenever the values change (nn's Parameter does so for optimiser steps,
 * initialisers, loadStateDict and its in-place methods). A chain of layers
 * runs with its intermediate activations left in wasm memory, so only the
 * final output is allocated in JS.
 *
 * The resident copies live in one region that grows to RESIDENT_LIMIT_BYTES;
 * past that the region is emptied and refilled on demand (a weight held by
 * nothing any more is simply never asked for again).
 *
 * The routines (../routines/dense-rows.ts) run these while the 'wasm'
 * backend is active.
 */
import { copyIn } from './gemm-job.js';
import { decodeBase64, kernels } from './module.js';
import { smallKernelsBase64 } from './small.generated.js';

/** A float array whose owner counts changes to its values. */
export interface Versioned {
  readonly data: Float32Array | Float64Array | Int32Array;
  readonly version: number;
}

/** One layer: relu?(x·wᵀ + b) with w n×k (row-major, PyTorch's layout). */
export interface DenseLayer {
  w: Versioned;
  b: Versioned | null;
  n: number;
  k: number;
  relu: boolean;
}

interface SmallExports {
  linear32(wt: number, bias: number, x: number, ldx: number, y: number, m: number, k: number, np: number, relu: number, idx: number): void;
  columnSums32(src: number, rows: number, cols: number, acc: number): void;
  staticEnd(): number;
  initLaneTable(at: number): number;
}

/** Where one weight matrix (Wᵀ, k×np, in column panels) and its bias (np) live, and the versions they were copied at. */
interface Resident {
  /** The weight this copy is of. */
  w: Versioned;
  generation: number;
  wt: number;
  bias: number;
  wVersion: number;
  /** Whether every weight is finite (then single rows may skip their zero inputs: 0·w adds nothing). */
  finite: boolean;
  b: Versioned | null;
  bVersion: number;
}

/** Rows of x up to which the small kernels beat the general GEMM (which packs its operands on every call). */
export const SMALL_ROWS = 8;
/** Largest weight matrix (in elements) kept resident. */
const MAX_WEIGHT_ELEMENTS = 1 << 20;
const RESIDENT_LIMIT_BYTES = 64 * 2 ** 20;
const PAGE = 65536;

const align16 = (x: number): number => (x + 15) & ~15;
const padded = (n: number): number => (n + 3) & ~3;

/**
 * Writes a k×n matrix into f from float index `at` in the kernels' column
 * panels (asm/small.ts): panels of 8 columns (the last 4 wide when the
 * padded width np ≡ 4 mod 8), each k rows of its width, padding columns 0.
 * The matrix is src (k×n, row-major) or, with `transposed`, srcᵀ for src
 * n×k (a weight in PyTorch's layout).
 */
export function packPanels(f: Float32Array, at: number, src: Float32Array | Float64Array | Int32Array, k: number, n: number, transposed: boolean): void {
  const np = padded(n);
  for (let j0 = 0; j0 < np; j0 += 8) {
    const width = Math.min(8, np - j0),
      base = at + j0 * k;
    for (let c = 0; c < width; c++) {
      const j = j0 + c;
      for (let i = 0; i < k; i++) f[base + i * width + c] = j >= n ? 0 : transposed ? src[j * k + i] : src[i * n + j];
    }
  }
}

/** Whether a resident copy holds the layer's current weights and bias. */
const isFresh = (r: Resident, { w, b }: DenseLayer): boolean => r.wVersion === w.version && r.b === b && (!b || r.bVersion === b.version);

function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

export class SmallKernels {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly k: SmallExports;
  /** The memory's floats (remade when it grows; its length read here, not the buffer's, costs less per call). */
  private f32: Float32Array;
  private readonly residents = new WeakMap<object, Resident>();
  /** The array residentsOf fills (reused: one call at a time). */
  private readonly layerResidents: Resident[] = [];
  /** Bumped when the resident region is emptied: entries of older generations are stale. */
  private generation = 0;
  /** Where the resident region starts: past the module's own static data. */
  private readonly base: number;
  private top: number;

  constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.k = instance.exports as unknown as SmallExports;
    this.f32 = new Float32Array(this.memory.buffer);
    // The listing of a row's nonzero inputs uses a table of the instance's own, written first.
    this.base = this.top = align16(this.k.initLaneTable(align16(this.k.staticEnd())));
  }

  private ensureBytes(end: number): void {
    const have = this.f32.length * 4;
    if (end <= have) return;
    this.memory.grow(Math.ceil((end - have) / PAGE));
    this.f32 = new Float32Array(this.memory.buffer);
  }

  /** The layer's slot in the resident region, if it has one in this generation. */
  private slot(layer: DenseLayer): Resident | undefined {
    const r = this.residents.get(layer.w);
    return r && r.generation === this.generation ? r : undefined;
  }

  /** The resident copy of a layer's w and b, (re)made when missing or stale. */
  private resident(layer: DenseLayer): Resident {
    const { w, b, n, k } = layer,
      np = padded(n);
    let r = this.slot(layer);
    if (r && isFresh(r, layer)) return r;
    if (!r) {
      const bytes = (k + 1) * np * 4;
      r = { w, generation: this.generation, wt: this.top, bias: this.top + k * np * 4, wVersion: -1, finite: false, b: null, bVersion: -1 };
      this.top = align16(this.top + bytes);
      this.ensureBytes(this.top);
      this.residents.set(w, r);
    }
    const f = this.f32,
      bo = r.bias >> 2;
    packPanels(f, r.wt >> 2, w.data, k, n, true);
    r.finite = allFinite(w.data);
    if (b) {
      f.fill(0, bo, bo + np);
      f.set(b.data, bo);
    }
    r.wVersion = w.version;
    r.b = b;
    r.bVersion = b ? b.version : -1;
    return r;
  }

  /**
   * Every layer's resident copy, in order (while all are fresh, the steady
   * state of inference, a model called again and again finds each at its
   * position in the previous call's list, without a lookup). Made or refreshed where missing
   * or stale, the region emptied first if the missing ones do not fit (never
   * midway, which would drop a layer just placed).
   */
  private residentsOf(layers: readonly DenseLayer[]): Resident[] {
    const res = this.layerResidents;
    if (res.length !== layers.length) res.length = layers.length;
    let need = 0,
      stale = false;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i],
        last = res[i],
        r = last !== undefined && last.w === l.w && last.generation === this.generation ? last : this.slot(l);
      if (!r) need += (l.k + 1) * padded(l.n) * 4 + 16;
      if (!r || !isFresh(r, l)) stale = true;
      else res[i] = r;
    }
    if (!stale) return res;
    if (need > 0 && this.top + need > RESIDENT_LIMIT_BYTES) {
      this.generation++;
      this.top = this.base;
    }
    for (let i = 0; i < layers.length; i++) res[i] = this.resident(layers[i]);
    return res;
  }

  run(x: Float32Array, xOffset: number, m: number, layers: readonly DenseLayer[], out: Float32Array): void {
    // Every layer resident before the activations are placed above `top`.
    const res = this.residentsOf(layers);
    let width = layers[0].k;
    for (const l of layers) width = Math.max(width, padded(l.n));
    const area = align16(m * width * 4);
    let src = this.top,
      dst = src + area;
    const idx = dst + area; // width + 3 int32: the nonzero inputs of a row (written 4 at a time)
    this.ensureBytes(idx + width * 4 + 16);
    const f = this.f32;
    const count = m * layers[0].k;
    copyIn(f, x, xOffset, count, src >> 2);
    let ld = layers[0].k;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i],
        np = padded(l.n);
      this.k.linear32(res[i].wt, l.b ? res[i].bias : 0, src, ld, dst, m, l.k, np, l.relu ? 1 : 0, res[i].finite ? idx : 0);
      [src, dst] = [dst, src];
      ld = np;
    }
    const n = layers[layers.length - 1].n,
      ys = src >> 2;
    for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) out[r * n + j] = f[ys + r * ld + j];
  }

  columnSums(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
    // The matrix, then the float64 sums, above the resident region.
    const psrc = this.top,
      pacc = align16(psrc + rows * cols * 4);
    this.ensureBytes(pacc + cols * 8);
    this.f32.set(src.subarray(0, rows * cols), psrc >> 2);
    this.k.columnSums32(psrc, rows, cols, pacc);
    out.set(new Float64Array(this.memory.buffer, pacc, cols));
  }
}

/**
 * Compiles the small kernels: the relaxed-SIMD build (fused multiply-adds)
 * or the other. Exported for tests; the library takes the build matching
 * the GEMM kernels' (`kernels.relaxed`), so that a few rows give the same
 * bits here as through the general GEMM.
 */
export async function loadSmallKernels(relaxed: boolean): Promise<SmallKernels | null> {
  if (typeof WebAssembly === 'undefined') return null;
  try {
    const base64 = relaxed ? (await import('./kernels-relaxed.generated.js')).smallKernelsRelaxedBase64 : smallKernelsBase64;
    return new SmallKernels(await WebAssembly.compile(decodeBase64(base64)));
  } catch {
    // No WebAssembly SIMD here (or no relaxed SIMD, which the GEMM kernels
    // then do not use either): callers use the general path. Never the other
    // build, whose rounding would differ from the GEMM's.
    return null;
  }
}

/** The small kernels' instance, built as the GEMM kernels are (relaxed or not); null without WebAssembly SIMD. */
export const smallKernels: SmallKernels | null = await loadSmallKernels(kernels.relaxed);

/** Whether the small kernels can apply `layers` to m rows: few rows, float32 weights that link up and are small enough to keep resident. */
export function smallDenseFits(m: number, layers: readonly DenseLayer[]): boolean {
  if (m > SMALL_ROWS || layers.length === 0) return false;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    if (l.n * l.k > MAX_WEIGHT_ELEMENTS || !(l.w.data instanceof Float32Array) || (i > 0 && l.k !== layers[i - 1].n)) return false;
  }
  return true;
}
