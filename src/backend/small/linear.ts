/**
 * Dense layers applied to a few rows, on the calling thread, with the
 * weights kept resident in a small WebAssembly instance of their own
 * (compiled from asm/small.ts).
 *
 * The general wasm GEMM copies and packs both operands on every call, which
 * for one sample against a 128×64 layer costs more than the arithmetic; a
 * model answering one request at a time multiplies the same weights again
 * and again. Here each weight matrix is copied in once, transposed, and
 * reused while its `version` is unchanged: the caller must bump the version
 * whenever the values change (nn's Parameter does so for optimiser steps,
 * initialisers, loadStateDict and its in-place methods). A chain of layers
 * runs with its intermediate activations left in wasm memory, so only the
 * final output is allocated in JS.
 *
 * The resident copies live in one region that grows to RESIDENT_LIMIT_BYTES;
 * past that the region is emptied and refilled on demand (a weight held by
 * nothing any more is simply never asked for again).
 */
import { smallKernelsBase64 } from './kernels.generated.js';

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
  linear32(wt: number, bias: number, x: number, ldx: number, y: number, m: number, k: number, np: number, relu: number): void;
}

/** Where one weight matrix (transposed, K×np) and its bias (np) live, and the versions they were copied at. */
interface Resident {
  generation: number;
  wt: number;
  bias: number;
  wVersion: number;
  b: Versioned | null;
  bVersion: number;
}

/** Rows of x up to which the small kernels beat the general GEMM (which packs its operands on every call). */
export const SMALL_ROWS = 8;
/** Largest weight matrix (in elements) kept resident. */
const MAX_WEIGHT_ELEMENTS = 1 << 20;
const RESIDENT_LIMIT_BYTES = 64 * 2 ** 20;
/** The first bytes are left to the module's own static data. */
const BASE = 1024;
const PAGE = 65536;

const align16 = (x: number): number => (x + 15) & ~15;
const padded = (n: number): number => (n + 3) & ~3;

class SmallKernels {
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly k: SmallExports;
  private f32: Float32Array;
  private readonly residents = new WeakMap<object, Resident>();
  /** Bumped when the resident region is emptied: entries of older generations are stale. */
  private generation = 0;
  private top = BASE;

  constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    this.k = instance.exports as unknown as SmallExports;
    this.f32 = new Float32Array(this.memory.buffer);
  }

  private ensureBytes(end: number): void {
    const have = this.memory.buffer.byteLength;
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
    const { w, b, n, k } = layer, np = padded(n);
    let r = this.slot(layer);
    if (r && r.wVersion === w.version && r.b === b && (!b || r.bVersion === b.version)) return r;
    if (!r) {
      const bytes = (k + 1) * np * 4;
      r = { generation: this.generation, wt: this.top, bias: this.top + k * np * 4, wVersion: -1, b: null, bVersion: -1 };
      this.top = align16(this.top + bytes);
      this.ensureBytes(this.top);
      this.residents.set(w, r);
    }
    const f = this.f32, wd = w.data, wt = r.wt >> 2, bo = r.bias >> 2;
    for (let j = 0; j < np; j++) {
      for (let i = 0; i < k; i++) f[wt + i * np + j] = j < n ? wd[j * k + i] : 0;
    }
    if (b) {
      f.fill(0, bo, bo + np);
      f.set(b.data, bo);
    }
    r.wVersion = w.version;
    r.b = b;
    r.bVersion = b ? b.version : -1;
    return r;
  }

  run(x: Float32Array, xOffset: number, m: number, layers: readonly DenseLayer[], out: Float32Array): void {
    // Empty the region first if the missing layers do not fit (never midway, which would drop a layer just placed).
    let need = 0;
    for (const l of layers) if (!this.slot(l)) need += (l.k + 1) * padded(l.n) * 4 + 16;
    if (need > 0 && this.top + need > RESIDENT_LIMIT_BYTES) {
      this.generation++;
      this.top = BASE;
    }
    // Every layer resident before the activations are placed above `top`.
    const res = layers.map((l) => this.resident(l));
    let width = layers[0].k;
    for (const l of layers) width = Math.max(width, padded(l.n));
    const area = align16(m * width * 4);
    let src = this.top, dst = src + area;
    this.ensureBytes(dst + area);
    const f = this.f32;
    const xs = src >> 2, count = m * layers[0].k;
    for (let i = 0; i < count; i++) f[xs + i] = x[xOffset + i];
    let ld = layers[0].k;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i], np = padded(l.n);
      this.k.linear32(res[i].wt, l.b ? res[i].bias : 0, src, ld, dst, m, l.k, np, l.relu ? 1 : 0);
      [src, dst] = [dst, src];
      ld = np;
    }
    const n = layers[layers.length - 1].n, ys = src >> 2;
    for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) out[r * n + j] = f[ys + r * ld + j];
  }
}

async function load(): Promise<SmallKernels | null> {
  if (typeof WebAssembly === 'undefined') return null;
  try {
    const binary = atob(smallKernelsBase64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return new SmallKernels(await WebAssembly.compile(bytes));
  } catch {
    return null; // no WebAssembly SIMD here: callers use the general path
  }
}

const small = await load();

/**
 * Applies `layers` in turn to rows [0, m) of x (float32, layers[0].k per row,
 * from xOffset) and writes the last layer's m×n output to `out`. Every layer
 * needs float32 weights with k equal to the previous layer's n. Returns false
 * (leaving out alone) where the kernels are unavailable or a weight is too
 * large to keep resident.
 */
export function smallDense32(x: Float32Array, xOffset: number, m: number, layers: readonly DenseLayer[], out: Float32Array): boolean {
  if (!small || layers.length === 0) return false;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    if (l.n * l.k > MAX_WEIGHT_ELEMENTS || !(l.w.data instanceof Float32Array) || (i > 0 && l.k !== layers[i - 1].n)) return false;
  }
  small.run(x, xOffset, m, layers, out);
  return true;
}
