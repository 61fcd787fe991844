/**
 * Kernels on the calling thread in a small WebAssembly instance of its own
 * (compiled from asm/small.ts): dense layers applied to a few rows, column
 * sums, and the float32 LSTM recurrence.
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
 * LSTM: one direction of a layer runs all its steps here (the small h·W_hhᵀ
 * product of each step and the gate math, forward and backward), with its
 * operands copied in once per call. What the backward reads (gates, cell
 * states) stays here, "parked" above the resident weights, so that it is
 * not copied out and back in: parks stack up (several layers or directions
 * run their forwards before the backwards) and a backward releases its own.
 * The backward may come much later, or never: past PARK_LIMIT_BYTES (or when
 * a new weight is made resident) every park is given up, and a backward
 * that finds its park gone has the caller run the forward again.
 *
 * The routines (../routines/small-dense.ts, lstm.ts) run these while the
 * 'wasm' backend is active.
 */
import type { LstmCellState, LstmSaved } from '../routines/lstm.js';
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
  lstmForward32(
    xp: number,
    wt: number,
    bias: number,
    h0: number,
    c: number,
    t: number,
    b: number,
    h: number,
    reverse: number,
    out: number,
    hPrev: number,
    cPrev: number,
    acts: number,
    tanhC: number,
    hh: number,
  ): void;
  lstmBackward32(
    gOut: number,
    acts: number,
    cPrev: number,
    tanhC: number,
    w: number,
    t: number,
    b: number,
    h: number,
    reverse: number,
    dx: number,
    dh: number,
    dc: number,
    db: number,
    dht: number,
  ): void;
}

/** An LSTM forward's cell state (cPrev, acts, tanhC: byte addresses) parked in the small kernels' memory while `id` is live there. */
export interface ParkedLstm {
  readonly id: number;
  readonly cPrev: number;
  readonly acts: number;
  readonly tanhC: number;
  /** Floats in cPrev (and tanhC); acts holds four times as many. */
  readonly floats: number;
}

/** Where one weight matrix (Wᵀ, k×np, in column panels) and its bias (np) live, and the versions they were copied at. */
interface Resident {
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
/** Most bytes the parked LSTM states take before they are all given up. */
const PARK_LIMIT_BYTES = 32 * 2 ** 20;
/** The first bytes are left to the module's own static data. */
const BASE = 1024;
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
  private f32: Float32Array;
  private readonly residents = new WeakMap<object, Resident>();
  /** The array residentsOf fills (reused: one call at a time). */
  private readonly layerResidents: Resident[] = [];
  /** Bumped when the resident region is emptied: entries of older generations are stale. */
  private generation = 0;
  private top = BASE;
  /** The live parks, oldest first, each [id, start, end) in bytes above `top`. */
  private parks: { id: number; start: number; end: number }[] = [];
  private nextParkId = 1;

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
    const { w, b, n, k } = layer,
      np = padded(n);
    let r = this.slot(layer);
    if (r && isFresh(r, layer)) return r;
    if (!r) {
      this.parks.length = 0; // the new weight may overwrite them
      const bytes = (k + 1) * np * 4;
      r = { generation: this.generation, wt: this.top, bias: this.top + k * np * 4, wVersion: -1, finite: false, b: null, bVersion: -1 };
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
   * Every layer's resident copy, in order (one lookup each while all are
   * fresh, the steady state of inference). Made or refreshed where missing
   * or stale, the region emptied first if the missing ones do not fit (never
   * midway, which would drop a layer just placed).
   */
  private residentsOf(layers: readonly DenseLayer[]): Resident[] {
    const res = this.layerResidents;
    res.length = layers.length;
    let need = 0,
      stale = false;
    for (let i = 0; i < layers.length; i++) {
      const l = layers[i],
        r = this.slot(l);
      if (!r) need += (l.k + 1) * padded(l.n) * 4 + 16;
      if (!r || !isFresh(r, l)) stale = true;
      else res[i] = r;
    }
    if (!stale) return res;
    if (need > 0 && this.top + need > RESIDENT_LIMIT_BYTES) {
      this.generation++;
      this.top = BASE;
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
    let src = this.scratchBase(),
      dst = src + area;
    const idx = dst + area; // width int32: the nonzero inputs of a row
    this.ensureBytes(idx + width * 4);
    const f = this.f32;
    const xs = src >> 2,
      count = m * layers[0].k;
    for (let i = 0; i < count; i++) f[xs + i] = x[xOffset + i];
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

  /** Where scratch areas start: above the resident weights and the live parks. */
  private scratchBase(): number {
    const parks = this.parks;
    return parks.length > 0 ? parks[parks.length - 1].end : this.top;
  }

  /** Byte addresses of consecutive float32 areas of the given lengths above the resident region and the parks (valid until the next call). */
  private scratch(lengths: readonly number[]): number[] {
    let at = this.scratchBase();
    const ptrs = lengths.map((n) => {
      const p = at;
      at = align16(at + n * 4);
      return p;
    });
    this.ensureBytes(at);
    return ptrs;
  }

  private put(ptr: number, src: Float32Array): void {
    this.f32.set(src, ptr >> 2);
  }

  private take(ptr: number, dst: Float32Array): void {
    dst.set(this.f32.subarray(ptr >> 2, (ptr >> 2) + dst.length));
  }

  columnSums(src: Float32Array, rows: number, cols: number, out: Float32Array): void {
    const [psrc, pacc] = this.scratch([rows * cols, 2 * cols]);
    this.put(psrc, src.subarray(0, rows * cols));
    this.k.columnSums32(psrc, rows, cols, pacc);
    out.set(new Float64Array(this.memory.buffer, pacc, cols));
  }

  /** Parks `floats` float32 values for an LSTM's backward (giving up every older park past PARK_LIMIT_BYTES). */
  private park(floats: number): ParkedLstm {
    const bytes = align16(floats * 4),
      actsBytes = align16(4 * floats * 4);
    const size = 2 * bytes + actsBytes;
    let start = this.scratchBase();
    if (start + size - this.top > PARK_LIMIT_BYTES) {
      this.parks.length = 0;
      start = this.top;
    }
    const id = this.nextParkId++;
    this.parks.push({ id, start, end: start + size });
    this.ensureBytes(start + size);
    return { id, cPrev: start, tanhC: start + bytes, acts: start + 2 * bytes, floats };
  }

  /** Whether `parked` is still here. */
  holds(parked: ParkedLstm): boolean {
    return this.parks.some((p) => p.id === parked.id);
  }

  /** Gives up a park (its backward has run); the space of the parks on top of the stack is reused. */
  private release(parked: ParkedLstm): void {
    const parks = this.parks;
    const i = parks.findIndex((p) => p.id === parked.id);
    if (i === parks.length - 1) parks.pop();
    else if (i >= 0) parks[i] = { id: 0, start: parks[i].start, end: parks[i].end }; // a hole, reclaimed when the parks above it go
    while (parks.length > 0 && parks[parks.length - 1].id === 0) parks.pop();
  }

  /** A copy of a parked cell state in JS arrays (it stays parked). */
  unpark(parked: ParkedLstm): LstmCellState<Float32Array> {
    const n = parked.floats,
      copy = (ptr: number, len: number): Float32Array => this.f32.slice(ptr >> 2, (ptr >> 2) + len);
    return { cPrev: copy(parked.cPrev, n), acts: copy(parked.acts, 4 * n), tanhC: copy(parked.tanhC, n) };
  }

  /** The forward: `saved.out` gets the hidden states and the final cell state; with `keep`, `saved.cell` the parked state for the backward. */
  lstmForward(
    xp: Float32Array,
    wHh: Float32Array,
    bHh: Float32Array | null,
    h0: Float32Array,
    c0: Float32Array,
    t: number,
    b: number,
    h: number,
    reverse: boolean,
    saved: LstmSaved<Float32Array>,
    keep: boolean,
  ): void {
    const g = 4 * h,
      tbh = t * b * h;
    const parked = keep ? this.park(tbh) : null;
    const [pxp, pwt, pbias, ph0, pc, pout, phPrev, phh, pcell] = this.scratch([t * b * g, h * g, g, b * h, b * h, tbh, tbh, b * g, parked ? 0 : 6 * tbh]);
    this.put(pxp, xp);
    packPanels(this.f32, pwt >> 2, wHh, h, g, true); // W_hhᵀ: h·W_hhᵀ per step
    if (bHh) this.put(pbias, bHh);
    this.put(ph0, h0);
    this.put(pc, c0);
    const cPrev = parked ? parked.cPrev : pcell,
      tanhC = parked ? parked.tanhC : pcell + tbh * 4,
      acts = parked ? parked.acts : pcell + 2 * tbh * 4;
    this.k.lstmForward32(pxp, pwt, bHh ? pbias : 0, ph0, pc, t, b, h, reverse ? 1 : 0, pout, phPrev, cPrev, acts, tanhC, phh);
    this.take(pout, saved.out.subarray(0, tbh));
    this.take(pc, saved.out.subarray(tbh, tbh + b * h));
    saved.cell = parked;
  }

  /** The backward of lstmForward on the state it kept (parked here, or float32 arrays), releasing a park. */
  lstmBackward(
    gOut: Float32Array,
    saved: LstmSaved<Float32Array>,
    wHh: Float32Array,
    t: number,
    b: number,
    h: number,
    reverse: boolean,
    dx: Float32Array,
    dh: Float32Array,
    dc: Float32Array,
    db: Float32Array | null,
  ): void {
    const g = 4 * h,
      tbh = t * b * h;
    const cell = saved.cell!;
    const parked = 'floats' in cell ? cell : null;
    const [pg, pw, pdx, pdh, pdc, pdb, pdht, pcell] = this.scratch([tbh, g * h, t * b * g, b * h, b * h, 2 * g, b * h, parked ? 0 : 6 * tbh]);
    let cPrev = pcell,
      tanhC = pcell + tbh * 4,
      acts = pcell + 2 * tbh * 4;
    if (parked) ({ cPrev, tanhC, acts } = parked);
    else {
      const arrays = cell as LstmCellState<Float32Array>;
      this.put(cPrev, arrays.cPrev);
      this.put(tanhC, arrays.tanhC);
      this.put(acts, arrays.acts);
    }
    this.put(pg, gOut.subarray(0, tbh));
    packPanels(this.f32, pw >> 2, wHh, g, h, false); // W_hh: dh = dx·W_hh per step
    this.put(pdc, dc);
    this.k.lstmBackward32(pg, acts, cPrev, tanhC, pw, t, b, h, reverse ? 1 : 0, pdx, pdh, pdc, db ? pdb : 0, pdht);
    if (db) db.set(new Float64Array(this.memory.buffer, pdb, g));
    this.take(pdx, dx);
    this.take(pdh, dh);
    this.take(pdc, dc);
    if (parked) this.release(parked);
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

/** The small kernels' instance; null without WebAssembly SIMD. */
export const smallKernels: SmallKernels | null = await load();

/** Whether the small kernels can apply `layers` to m rows: few rows, float32 weights that link up and are small enough to keep resident. */
export function smallDenseFits(m: number, layers: readonly DenseLayer[]): boolean {
  if (m > SMALL_ROWS || layers.length === 0) return false;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    if (l.n * l.k > MAX_WEIGHT_ELEMENTS || !(l.w.data instanceof Float32Array) || (i > 0 && l.k !== layers[i - 1].n)) return false;
  }
  return true;
}
