/**
 * GEMM jobs: each call copies its operands into a scratch region of the
 * engine's memory (the caller's arrays are ordinary JS arrays the kernels
 * cannot see), packs B once, runs the kernels over a grid of chunks (on the
 * calling thread alone for small products) and copies C out. The scratch
 * region is reused; it grows to the largest call seen, and batched calls
 * larger than SCRATCH_SOFT_LIMIT are done a group of batch matrices at a
 * time so it does not grow with the batch. An operand already in the
 * engine's memory is not copied: one kept resident (keepResident), or one
 * given as a view of a park (parks.ts), which A or B is read from and C
 * written into where it lies (a conv chain's output feeding a dense layer,
 * conv-chain-dense.ts; a C there must not overlap A or B). gemmWith adds
 * a B packed beforehand and work of the caller's own during the product.
 */
import type { FloatArray, GemmArgs } from '../backend.js';
import { DTypeError, LimitError, ValueError } from '../../errors.js';
import { align64, PARALLEL_MIN_MACS, roundUp, type WasmEngine } from './engine.js';
import * as slot from './layout.js';

/**
 * An operand kept in wasm memory across GEMM calls (see {@link keepResident}):
 * the array, and the byte address of its copy, which every job's scratch
 * starts past.
 */
interface Resident {
  array: FloatArray;
  ptr: number;
}
let resident: Resident | null = null;

/** Largest operand kept resident: the rest of the 4 GiB memory stays free for the products' scratch. */
const RESIDENT_MAX_BYTES = 2 ** 30;

/**
 * Runs `body` with `operand` copied once into the engine's memory, where the
 * GEMM calls inside find it instead of copying it again (an operand used
 * whole or in part as A or B, by the same array object). The caller must
 * not change the array inside `body`. Nested calls keep the outer operand.
 */
export function keepResident<T>(engine: WasmEngine, operand: FloatArray, body: () => T): T {
  if (resident || operand.byteLength > RESIDENT_MAX_BYTES) return body();
  // Start the workers first: their work areas lie below the resident copy and must not grow into it.
  if (engine.threads > 1) engine.ensurePool();
  const ptr = engine.pastWorkAreas();
  const end = ptr + align64(operand.byteLength);
  try {
    engine.ensureBytes(end);
  } catch (err) {
    // Too large to keep beside the products' scratch: the products copy their blocks of it as usual.
    if (err instanceof LimitError) return body();
    throw err;
  }
  (operand instanceof Float64Array ? engine.f64 : engine.f32).set(operand, ptr / operand.BYTES_PER_ELEMENT);
  resident = { array: operand, ptr };
  engine.reservedEnd = end;
  try {
    return body();
  } finally {
    resident = null;
    engine.reservedEnd = 0;
  }
}

/**
 * Byte address of `length` elements of `array` from `offset` where the array
 * is a view of the engine's reserved memory (a park: past the work areas,
 * below every job's scratch), so that a job can read or write them where
 * they lie; -1 otherwise (an ordinary array, or a view of memory a job's
 * scratch may cover, which is copied as usual).
 */
export function reservedAt(engine: WasmEngine, array: FloatArray, offset: number, length: number): number {
  if (array.buffer !== engine.f32.buffer) return -1;
  const start = array.byteOffset + offset * array.BYTES_PER_ELEMENT;
  return start >= engine.workAreasEnd() && start + length * array.BYTES_PER_ELEMENT <= engine.reservedEnd ? start : -1;
}

/**
 * Byte address of `length` elements of `array` from `offset` where they
 * already lie in the engine's memory: its resident copy (unless the work
 * areas have since grown over it) or a view of a park (reservedAt); -1
 * otherwise.
 */
function inEngineAt(engine: WasmEngine, array: FloatArray, offset: number, length: number): number {
  if (resident?.array === array && engine.workAreasEnd() <= resident.ptr) return resident.ptr + offset * array.BYTES_PER_ELEMENT;
  return reservedAt(engine, array, offset, length);
}

/** Scratch size above which a batched call is split into groups of batch matrices. */
const SCRATCH_SOFT_LIMIT = 256 * 2 ** 20;
/** Rows per chunk on one thread: an MC×KC block of packed A stays in L2 (128 KiB for float32). */
export const ROWS_PER_CHUNK_ONE_THREAD = 128;
/** With several threads, aim for this many chunks per thread so uneven cores still balance. */
export const CHUNKS_PER_THREAD = 8;
/** The least work worth a chunk of its own with several threads (about 15 µs). */
const MIN_CHUNK_MACS = 1 << 19;

/** Where one call's operands live in the scratch region (byte addresses and per-matrix strides). */
export interface Layout {
  flagsPtr: number;
  aPtr: number;
  aStride: number;
  aCount: number;
  bPtr: number;
  bStride: number;
  bpPtr: number;
  bpStride: number;
  bCount: number;
  cPtr: number;
  cStride: number;
  end: number;
}

export interface Grid {
  rows: number;
  rowChunks: number;
  cols: number;
  colChunks: number;
  chunks: number;
}

/** What a caller that keeps operands in the engine's memory may add to one product (gemm's `extras`). */
export interface GemmExtras {
  /** Byte address of op(B) already packed (packB) in the engine's reserved memory (a park): the call neither copies nor packs B. */
  packedB?: number;
  /** Runs on the calling thread once the workers have the job, before it joins them (engine.runJob): work of its own that must not touch the product's memory. */
  meanwhile?: () => void;
}

const NO_EXTRAS: GemmExtras = {};

/** Bytes of op(B) (k×n, float32) packed for a product: what packB writes. */
export function packedBBytes(engine: WasmEngine, k: number, n: number): number {
  return align64(k * roundUp(n, engine.nr32) * 4);
}

/** Packs op(B) (k×n float32; stored n×k where `transB`) from byte address `from` to `to` (packedBBytes), as a product packs it. */
export function packB(engine: WasmEngine, from: number, k: number, n: number, transB: boolean, to: number): void {
  engine.kernels.packB32(from, transB ? k : n, transB ? 1 : 0, k, n, to);
}

export function gemm(engine: WasmEngine, args: GemmArgs): void {
  products(engine, args, NO_EXTRAS);
}

/** gemm with `extras` for operands kept in the engine's memory (a caller of its own: the browser's core entry goes without it). */
export function gemmWith(engine: WasmEngine, args: GemmArgs, extras: GemmExtras): void {
  if (extras.packedB !== undefined) checkPackedB(engine, args, extras.packedB);
  products(engine, args, extras);
}

function products(engine: WasmEngine, args: GemmArgs, extras: GemmExtras): void {
  checkArgs(args);
  const { batch, m, n, k } = args;
  if (batch === 0 || m === 0 || n === 0) return;
  if (k === 0) {
    // An empty sum: C = 0, or C unchanged when accumulating.
    if (!args.accumulate) {
      for (let b = 0; b < batch; b++) args.c.fill(0, args.cOffset + b * args.cBatchStride, args.cOffset + b * args.cBatchStride + m * n);
    }
    return;
  }
  if (batch === 1) {
    run(engine, args, 0, 1, extras);
  } else if (args.cBatchStride === 0) {
    // Every product writes the same C: do them in order, as the reference does.
    for (let b = 0; b < batch; b++) run(engine, args, b, 1);
  } else {
    const perBatch = layout(engine, args, 2, 0).end - layout(engine, args, 1, 0).end;
    const group = Math.max(1, Math.min(batch, Math.floor(SCRATCH_SOFT_LIMIT / perBatch)));
    for (let b = 0; b < batch; b += group) run(engine, args, b, Math.min(group, batch - b));
  }
}

/** Which operands a call finds in the engine's memory, so they get no scratch (their counts stay, for the loops over them). */
export interface InEngine {
  /** A or B read from a resident copy or a park. */
  a: boolean;
  b: boolean;
  /** B packed beforehand (GemmExtras.packedB): neither raw nor packed scratch. */
  bPacked: boolean;
  /** C written where it lies. */
  c: boolean;
}

/** Where one call's operands go: from `base` (past the work areas and every park by default) in the order flags, A, B, packed B, C. */
export function layout(engine: WasmEngine, args: GemmArgs, count: number, chunks: number, inEngine?: InEngine, base = engine.pastWorkAreas()): Layout {
  const { m, n, k } = args;
  const size = args.dtype === 'float64' ? 8 : 4;
  const nr = args.dtype === 'float64' ? engine.nr64 : engine.nr32;
  const aCount = args.aBatchStride === 0 ? Math.min(count, 1) : count;
  const bCount = args.bBatchStride === 0 ? Math.min(count, 1) : count;
  const aStride = align64(m * k * size);
  const bStride = align64(k * n * size);
  const bpStride = align64(k * roundUp(n, nr) * size);
  const cStride = align64(m * n * size);
  const flagsPtr = base;
  const aPtr = flagsPtr + align64(chunks * 4);
  const bPtr = aPtr + (inEngine?.a ? 0 : aCount * aStride);
  const bpPtr = bPtr + (inEngine?.b || inEngine?.bPacked ? 0 : bCount * bStride);
  const cPtr = bpPtr + (inEngine?.bPacked ? 0 : bCount * bpStride);
  return { flagsPtr, aPtr, aStride, aCount, bPtr, bStride, bpPtr, bpStride, bCount, cPtr, cStride, end: cPtr + (inEngine?.c ? 0 : count * cStride) };
}

/**
 * The chunk grid: row blocks of whole MR tiles, all columns. With several
 * threads, about CHUNKS_PER_THREAD chunks per thread so uneven cores still
 * balance, but none smaller than MIN_CHUNK_MACS (a chunk must outweigh the
 * cost of handing it over); columns are split too when rows are few.
 */
export function chunkGrid(engine: WasmEngine, m: number, n: number, k: number, count: number, mr: number, nr: number, threads: number): Grid {
  let rows = Math.floor(Math.min(ROWS_PER_CHUNK_ONE_THREAD, engine.mcMax) / mr) * mr; // whole register tiles
  let rowChunks = Math.ceil(m / rows);
  let cols = roundUp(n, nr);
  let colChunks = 1;
  if (threads > 1) {
    const wanted = Math.max(threads, Math.min(CHUNKS_PER_THREAD * threads, Math.floor((count * m * n * k) / MIN_CHUNK_MACS)));
    const perMatrix = Math.ceil(wanted / count);
    rowChunks = Math.min(Math.ceil(m / mr), Math.max(rowChunks, perMatrix));
    rows = roundUp(Math.ceil(m / rowChunks), mr);
    rowChunks = Math.ceil(m / rows);
    if (rowChunks < perMatrix) {
      colChunks = Math.min(Math.ceil(n / nr), Math.ceil(perMatrix / rowChunks));
      cols = roundUp(Math.ceil(n / colChunks), nr);
      colChunks = Math.ceil(n / cols);
    }
  }
  return { rows, rowChunks, cols, colChunks, chunks: count * rowChunks * colChunks };
}

/** Batch matrices first..first+count of the call (`extras`: a call of one product). */
function run(engine: WasmEngine, args: GemmArgs, first: number, count: number, extras = NO_EXTRAS): void {
  const { m, n, k, transB, accumulate } = args;
  const f64 = args.dtype === 'float64';
  const size = f64 ? 8 : 4;
  const mr = f64 ? engine.mr64 : engine.mr32;
  const nr = f64 ? engine.nr64 : engine.nr32;

  const macs = count * m * n * k;
  const pool = engine.threads > 1 && macs >= PARALLEL_MIN_MACS ? engine.ensurePool() : null;
  const grid = chunkGrid(engine, m, n, k, count, mr, nr, pool ? engine.threads : 1);
  // An operand already in the engine's memory (one matrix for the whole group: resident, or a view of a park) is read where it lies, not copied.
  const aFirst = args.aOffset + first * args.aBatchStride;
  const bFirst = args.bOffset + first * args.bBatchStride;
  const aResidentPtr = count === 1 || args.aBatchStride === 0 ? inEngineAt(engine, args.a, aFirst, m * k) : -1;
  const packedB = extras.packedB ?? -1;
  const bResidentPtr = packedB < 0 && (count === 1 || args.bBatchStride === 0) ? inEngineAt(engine, args.b, bFirst, k * n) : -1;
  // C in a park (one product) is written there: nothing to copy in or out.
  const cPlacedPtr = count === 1 ? reservedAt(engine, args.c, args.cOffset + first * args.cBatchStride, m * n) : -1;
  const lay = layout(engine, args, count, grid.chunks, { a: aResidentPtr >= 0, b: bResidentPtr >= 0, bPacked: packedB >= 0, c: cPlacedPtr >= 0 });
  engine.ensureBytes(lay.end);
  const view: FloatArray = f64 ? engine.f64 : engine.f32;

  if (aResidentPtr >= 0) lay.aPtr = aResidentPtr;
  else {
    for (let i = 0; i < lay.aCount; i++) copyIn(view, args.a, aFirst + i * args.aBatchStride, m * k, (lay.aPtr + i * lay.aStride) / size);
  }
  const pack = f64 ? engine.kernels.packB64 : engine.kernels.packB32;
  if (packedB >= 0) lay.bpPtr = packedB;
  for (let i = 0; i < lay.bCount && packedB < 0; i++) {
    let raw = bResidentPtr;
    if (raw < 0) {
      raw = lay.bPtr + i * lay.bStride;
      copyIn(view, args.b, bFirst + i * args.bBatchStride, k * n, raw / size);
    }
    pack(raw, transB ? k : n, transB ? 1 : 0, k, n, lay.bpPtr + i * lay.bpStride);
  }
  if (cPlacedPtr >= 0) lay.cPtr = cPlacedPtr;
  else if (accumulate) {
    for (let i = 0; i < count; i++) {
      copyIn(view, args.c, args.cOffset + (first + i) * args.cBatchStride, m * n, (lay.cPtr + i * lay.cStride) / size);
    }
  }

  const ctl = engine.i32;
  writeProduct(ctl, engine.beginJob(slot.GEMM_JOB, grid.chunks, lay.flagsPtr), args, lay, grid);

  if (pool && cPlacedPtr < 0) {
    // The flags' memory held other data before; clear it so that no stale value reads as done.
    ctl.fill(0, lay.flagsPtr >> 2, (lay.flagsPtr >> 2) + grid.chunks);
    pool.open();
    extras.meanwhile?.();
    copyOutChunks(engine, args, first, lay, grid, view, size);
    pool.finish();
  } else {
    engine.runJob(pool, grid.chunks, lay.flagsPtr, extras.meanwhile);
    for (let i = 0; i < count && cPlacedPtr < 0; i++) {
      const from = (lay.cPtr + i * lay.cStride) / size;
      args.c.set(view.subarray(from, from + m * n), args.cOffset + (first + i) * args.cBatchStride);
    }
  }
}

/** Writes a product's slots into the control block at i32 index `at` (after its job's common slots). */
export function writeProduct(ctl: Int32Array, at: number, args: GemmArgs, lay: Layout, grid: Grid): void {
  const { m, n, k, transA } = args;
  ctl[at + slot.DTYPE] = args.dtype === 'float64' ? 1 : 0;
  ctl[at + slot.M] = m;
  ctl[at + slot.N] = n;
  ctl[at + slot.K] = k;
  ctl[at + slot.A_PTR] = lay.aPtr;
  ctl[at + slot.A_BATCH_BYTES] = lay.aCount > 1 ? lay.aStride : 0;
  ctl[at + slot.LDA] = transA ? m : k;
  ctl[at + slot.TRANS_A] = transA ? 1 : 0;
  ctl[at + slot.BP_PTR] = lay.bpPtr;
  ctl[at + slot.BP_BATCH_BYTES] = lay.bCount > 1 ? lay.bpStride : 0;
  ctl[at + slot.C_PTR] = lay.cPtr;
  ctl[at + slot.C_BATCH_BYTES] = lay.cStride;
  ctl[at + slot.ACCUMULATE] = args.accumulate ? 1 : 0;
  ctl[at + slot.ROWS_PER_CHUNK] = grid.rows;
  ctl[at + slot.ROW_CHUNKS] = grid.rowChunks;
  ctl[at + slot.COLS_PER_CHUNK] = grid.cols;
  ctl[at + slot.COL_CHUNKS] = grid.colChunks;
}

/**
 * Computes chunks on this thread and copies C out, row block by row block in
 * order, as soon as each block's chunks are done (by any thread): between
 * its own chunks while there are any left, then as the workers finish
 * theirs. Copying between chunks lets the workers' computing hide the copy,
 * which costs most when C is a fresh array (a page fault per 4 KiB;
 * docs/performance.md). A row block's column chunks are consecutive, so its
 * rows are copied whole, in one call, even when the columns were split.
 */
function copyOutChunks(engine: WasmEngine, args: GemmArgs, first: number, lay: Layout, grid: Grid, view: FloatArray, size: number): void {
  const { m, n } = args;
  const flags = lay.flagsPtr >> 2;
  const batches = grid.chunks / (grid.rowChunks * grid.colChunks);
  let working = true;
  let chunk = 0;
  for (let batch = 0; batch < batches; batch++) {
    const from = (lay.cPtr + batch * lay.cStride) / size;
    const to = args.cOffset + (first + batch) * args.cBatchStride;
    for (let i0 = 0; i0 < m; i0 += grid.rows) {
      for (const blockEnd = chunk + grid.colChunks; chunk < blockEnd; chunk++) {
        while (working && !engine.chunkDone(flags + chunk)) working = engine.kernels.workOne(slot.CONTROL_BASE, 0) !== 0;
        engine.awaitChunk(flags + chunk);
      }
      const i1 = Math.min(m, i0 + grid.rows);
      args.c.set(view.subarray(from + i0 * n, from + i1 * n), to + i0 * n);
    }
  }
}

/** view[at..] = src[offset .. offset+length], without a subarray when src is exactly that range. */
export function copyIn(view: FloatArray, src: FloatArray, offset: number, length: number, at: number): void {
  view.set(offset === 0 && src.length === length ? src : src.subarray(offset, offset + length), at);
}

/** A packed B must be one float32 product's, 64-byte aligned and wholly inside the reserved memory (a park), where no job's scratch reaches. */
export function checkPackedB(engine: WasmEngine, args: GemmArgs, at: number): void {
  const fits = args.batch === 1 && args.dtype === 'float32' && at % 64 === 0 && at >= engine.workAreasEnd() && at + packedBBytes(engine, args.k, args.n) <= engine.reservedEnd;
  if (!fits) throw new ValueError("gemm: packedB is not one float32 product's B in a park");
}

/** Cheap checks that the arrays hold what the arguments describe (a short copy would silently give wrong results). */
export function checkArgs(args: GemmArgs): void {
  const { batch, m, n, k } = args;
  if (!(isCount(batch) && isCount(m) && isCount(n) && isCount(k))) {
    throw new ValueError(`gemm: batch, m, n, k must be non-negative integers, got ${batch}, ${m}, ${n}, ${k}`);
  }
  const Expected = args.dtype === 'float64' ? Float64Array : Float32Array;
  if (!(args.a instanceof Expected && args.b instanceof Expected && args.c instanceof Expected)) {
    throw new DTypeError(`gemm: dtype is ${args.dtype} but a, b, c are ${args.a.constructor.name}, ${args.b.constructor.name}, ${args.c.constructor.name}`);
  }
  if (batch === 0 || m === 0 || n === 0) return;
  if (!fits(args.a, args.aOffset, args.aBatchStride, batch, m * k)) throw tooShort('a', args.a, batch, m, k, args.aOffset, args.aBatchStride);
  if (!fits(args.b, args.bOffset, args.bBatchStride, batch, k * n)) throw tooShort('b', args.b, batch, k, n, args.bOffset, args.bBatchStride);
  if (!fits(args.c, args.cOffset, args.cBatchStride, batch, m * n)) throw tooShort('c', args.c, batch, m, n, args.cOffset, args.cBatchStride);
}

function isCount(x: number): boolean {
  return Number.isInteger(x) && x >= 0;
}

function fits(array: FloatArray, offset: number, stride: number, batch: number, size: number): boolean {
  return size === 0 || (isCount(offset) && isCount(stride) && offset + (batch - 1) * stride + size <= array.length);
}

function tooShort(name: string, array: FloatArray, batch: number, rows: number, cols: number, offset: number, stride: number): ValueError {
  return new ValueError(`gemm: ${name} (length ${array.length}) is too short for ${batch} matrices of ${rows}×${cols} from offset ${offset}, batch stride ${stride}`);
}
