/**
 * Where the SMO solver's kernel rows come from (the `KernelSource`s of
 * smo.ts) and the training data as the kernel sees it:
 * - `ComputeSource`: rows computed on demand from feature rows (plain loops),
 *   as libsvm does;
 * - `GramSource`: rows read from a full Gram matrix ('precomputed' and
 *   function kernels);
 * - `PairBlockSource`: the rows of one one-vs-one pair from the kernel
 *   blocks K_ii, K_jj, K_ij made by GEMM (float32 problems keep dot
 *   products there and map a row to kernel values on first use);
 * - `SubsetSource`: a sub-problem (Platt's cross-validation folds) of another source.
 * Plus the budgets that decide which is used.
 */
import { transposeInto } from '../../linalg/matrix.js';
import { fastExpF32, type Kernel, type KernelRows } from './kernel-functions.js';
import type { KernelSource } from './smo.js';

/**
 * A source whose local indices are mapped to the indices of what it reads
 * (feature rows, or another source's samples) before a row is filled.
 */
abstract class MappedSource implements KernelSource {
  private readonly mapped: Int32Array;
  constructor(
    /** local index → index in what this source reads */
    protected readonly map: Int32Array,
  ) {
    this.mapped = new Int32Array(map.length);
  }
  get size(): number {
    return this.map.length;
  }
  /** The mapped indices of idx[start..end), at the same positions of a scratch array. */
  protected mapIndices(idx: Int32Array, start: number, end: number): Int32Array {
    const { map, mapped } = this;
    for (let t = start; t < end; t++) mapped[t] = map[idx[t]];
    return mapped;
  }
  abstract fill(o: number, idx: Int32Array, start: number, end: number, out: Float32Array): void;
  abstract diag(o: number): number;
}

/** Kernel rows computed on demand from feature rows (plain loops; float32 data for float32 problems). */
export class ComputeSource extends MappedSource {
  private readonly scratch: Float64Array;
  constructor(
    private readonly kernel: Kernel,
    private readonly rows: KernelRows,
    map: Int32Array,
    private readonly use32 = false,
  ) {
    super(map);
    this.scratch = new Float64Array(map.length);
  }

  fill(o: number, idx: Int32Array, start: number, end: number, out: Float32Array): void {
    const rowsOfIdx = this.mapIndices(idx, start, end);
    this.kernel.rowInto(this.rows, this.map[o], this.rows, rowsOfIdx, start, end, out, this.scratch, this.use32);
  }
  diag(o: number): number {
    return this.kernel.diag(this.rows, this.map[o]);
  }
}

/** A full Gram matrix (float64, n×n) by original index, seen through a local → original map. */
export class GramSource implements KernelSource {
  constructor(
    private readonly gram: Float64Array,
    private readonly n: number,
    private readonly map: Int32Array,
  ) {}
  get size(): number {
    return this.map.length;
  }
  fill(o: number, idx: Int32Array, start: number, end: number, out: Float32Array): void {
    const base = this.map[o] * this.n;
    const { gram, map } = this;
    for (let t = start; t < end; t++) out[t] = gram[base + map[idx[t]]];
  }
  diag(o: number): number {
    const r = this.map[o];
    return this.gram[r * this.n + r];
  }
}

/** A row-major window of a float32 matrix: element (r, c) at data[offset + r·stride + c]. */
export interface Window {
  data: Float32Array;
  offset: number;
  stride: number;
}

/**
 * The kernel matrix of a pair of classes (ni samples of class i first, then
 * nj of class j) held as float32 blocks: K_ii and K_jj (shared between
 * pairs), K_ij, and optionally its transpose K_ji (otherwise rows of class
 * j read K_ij by column).
 */
export class PairBlockSource implements KernelSource {
  readonly size: number;
  constructor(
    private readonly ni: number,
    readonly nj: number,
    private readonly Kii: Window,
    private readonly Kjj: Window,
    private readonly Kij: Window,
    private readonly Kji: Float32Array | null,
    /** K(x, x) in float64 for the ni + nj samples (libsvm keeps Q_ii in double). */
    private readonly kdiag: Float64Array,
    /** When set, the blocks hold dot products and rows are mapped to kernel values as they are filled. */
    private readonly lazy: { kernel: Kernel; sq: Float64Array } | null = null,
  ) {
    this.size = ni + nj;
  }
  fill(o: number, idx: Int32Array, start: number, end: number, out: Float32Array, identity = false): void {
    const lazy = this.lazy;
    if (lazy && identity && lazy.kernel.type === 'rbf') {
      this.fillRbfIdentity(o, start, end, out, lazy.kernel.gamma, lazy.sq);
      return;
    }
    this.gather(o, idx, start, end, out);
    if (lazy) lazy.kernel.mapRow(out, o, idx, start, end, lazy.sq, this.kdiag[o]);
  }

  /**
   * The common case (no shrinking yet, RBF, dot-product blocks): contiguous runs, fused with exp.
   * (asm/svm.ts's fillRow computes the same values for the wasm pair solver.)
   */
  private fillRbfIdentity(o: number, start: number, end: number, out: Float32Array, g: number, sq: Float64Array): void {
    const ni = this.ni;
    const so = sq[o];
    const mid = Math.min(Math.max(ni, start), end);
    let a: Float32Array, aBase: number, b: Float32Array, bBase: number;
    if (o < ni) {
      a = this.Kii.data;
      aBase = this.Kii.offset + o * this.Kii.stride;
      b = this.Kij.data;
      bBase = this.Kij.offset + o * this.Kij.stride - ni;
    } else {
      const oj = o - ni;
      if (this.Kji) {
        a = this.Kji;
        aBase = oj * ni;
      } else {
        a = this.Kij.data;
        aBase = -1; // column oj of K_ij
      }
      b = this.Kjj.data;
      bBase = this.Kjj.offset + oj * this.Kjj.stride - ni;
    }
    if (aBase >= 0) {
      for (let t = start; t < mid; t++) {
        let d = so + sq[t] - 2 * a[aBase + t];
        if (d < 0) d = 0;
        out[t] = fastExpF32(-g * d);
      }
    } else {
      const stride = this.Kij.stride;
      const base = this.Kij.offset + (o - ni);
      for (let t = start; t < mid; t++) {
        let d = so + sq[t] - 2 * a[base + t * stride];
        if (d < 0) d = 0;
        out[t] = fastExpF32(-g * d);
      }
    }
    for (let t = mid; t < end; t++) {
      let d = so + sq[t] - 2 * b[bBase + t];
      if (d < 0) d = 0;
      out[t] = fastExpF32(-g * d);
    }
    if (o >= start && o < end) out[o] = this.kdiag[o];
  }
  private gather(o: number, idx: Int32Array, start: number, end: number, out: Float32Array): void {
    const ni = this.ni;
    if (o < ni) {
      const same = this.Kii.data;
      const other = this.Kij.data;
      const sBase = this.Kii.offset + o * this.Kii.stride;
      const oBase = this.Kij.offset + o * this.Kij.stride - ni;
      for (let t = start; t < end; t++) {
        const k = idx[t];
        out[t] = k < ni ? same[sBase + k] : other[oBase + k];
      }
      return;
    }
    o -= ni;
    const same = this.Kjj.data;
    const sBase = this.Kjj.offset + o * this.Kjj.stride - ni;
    if (this.Kji) {
      const other = this.Kji;
      const oBase = o * ni;
      for (let t = start; t < end; t++) {
        const k = idx[t];
        out[t] = k < ni ? other[oBase + k] : same[sBase + k];
      }
    } else {
      const other = this.Kij.data;
      const oBase = this.Kij.offset + o;
      const os = this.Kij.stride;
      for (let t = start; t < end; t++) {
        const k = idx[t];
        out[t] = k < ni ? other[oBase + k * os] : same[sBase + k];
      }
    }
  }
  diag(o: number): number {
    return this.kdiag[o];
  }
}

/** A subset of another source's samples (for the probability cross-validation). */
export class SubsetSource extends MappedSource {
  constructor(
    private readonly parent: KernelSource,
    map: Int32Array,
  ) {
    super(map);
  }
  fill(o: number, idx: Int32Array, start: number, end: number, out: Float32Array): void {
    this.parent.fill(this.map[o], this.mapIndices(idx, start, end), start, end, out);
  }
  diag(o: number): number {
    return this.parent.diag(this.map[o]);
  }
}

/** The transpose of the rows×cols window of `src` at `offset` with row stride `stride`. */
export function transpose(src: Float32Array, offset: number, stride: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  transposeInto(src, offset, stride, rows, cols, out, 64);
  return out;
}

/** Training data as the kernel sees it. */
export interface KernelData {
  kernel: Kernel;
  /** Feature rows in the order the problem uses (prepared), or null for a Gram matrix. */
  rows: KernelRows | null;
  /** Full n×n Gram matrix in original order ('precomputed' / function kernels). */
  gram: Float64Array | null;
  /** Problem index → original sample index (for Gram lookups). */
  orig: Int32Array;
}

export interface SolverParams {
  /** Reusable row-cache storage for successive sub-problems (see SvcQ). */
  slab?: Float32Array;
  eps: number;
  shrinking: boolean;
  /** Kernel cache budget in bytes. */
  cacheBytes: number;
  maxIter: number;
}

/** Builds a source over problem indices `map` (a sub-problem) without blocks; `use32`: float32 dot products. */
export function plainSource(kd: KernelData, map: Int32Array, use32 = false): KernelSource {
  if (kd.rows) return new ComputeSource(kd.kernel, kd.rows, map, use32);
  const orig = new Int32Array(map.length);
  for (let i = 0; i < map.length; i++) orig[i] = kd.orig[map[i]];
  return new GramSource(kd.gram!, kd.orig.length, orig);
}

/** Problems with at most this many floats in the upper block triangle of their kernel matrix compute it in one GEMM per class. */
export const SMALL_UPPER_FLOATS = 1 << 22;
/** Off-diagonal blocks with at least this many entries get a transposed copy. */
export const TRANSPOSE_MIN = 1 << 16;

/** Whether a sub-problem of l samples gets its whole kernel matrix precomputed. */
export function fitsInCache(l: number, cacheBytes: number): boolean {
  return l * l * 4 <= cacheBytes;
}
