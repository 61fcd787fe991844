/**
 * LSTM jobs (asm/lstm.ts): one direction of an LSTM layer over all its
 * steps, forward or backward, on every thread. The batch rows' recurrences
 * are independent, so each chunk runs every step of a block of rows; the
 * results are the same to the bit whatever the number of threads.
 *
 * What the backward reads besides the outputs (the gates, the cell states)
 * is "parked" in the engine's memory where the forward wrote it, so it is
 * not copied out and back in. Parks stack up (several layers or directions
 * run their forwards before the backwards) just past the threads' work
 * areas, held out of every other job's scratch through `engine.reservedEnd`;
 * a backward releases its own (parks.ts). A backward whose park is gone has
 * the caller run the forward again (routines/lstm.ts).
 */
import { ShapeError } from '../../errors.js';
import type { LstmCellState, LstmGateGradients, LstmInput, LstmSaved } from '../routines/lstm.js';
import { layOut, PARALLEL_MIN_MACS, roundUp, type WasmEngine } from './engine.js';
import * as slot from './layout.js';
import { forwardParks, type Park } from './parks.js';
import { packPanels } from './small.js';

/** An LSTM forward's cell state (cPrev, acts, tanhC: byte addresses) parked in the engine's memory (parks.ts). */
export interface ParkedLstm {
  readonly park: Park;
  readonly cPrev: number;
  readonly acts: number;
  readonly tanhC: number;
  /** Floats in cPrev (and tanhC); acts holds four times as many. */
  readonly floats: number;
}

/**
 * Parks `bytes` for the gates' gradient a backward leaves in the engine's
 * memory, or says null (copy it out); set by lstm-gates.ts where it is
 * loaded (the Node entry and frugal-ml/all; the browser's core entry goes
 * without, and copies it out).
 */
let parkGates: ((engine: WasmEngine, bytes: number) => Park | null) | null = null;

export function registerGateParking(park: (engine: WasmEngine, bytes: number) => Park | null): void {
  parkGates = park;
}

/** With several threads, aim for this many chunks per thread so that a thread slowed by other work leaves its rows to the others. */
const CHUNKS_PER_THREAD = 4;

/** Parks room for the state of a forward of `floats` hidden values. */
function park(engine: WasmEngine, floats: number): ParkedLstm {
  const bytes = floats * 4;
  const held = forwardParks.park(engine, [bytes, bytes, 16 * floats]);
  const [cPrev, tanhC, acts] = held.ptrs;
  return { park: held, cPrev, tanhC, acts, floats };
}

/** Whether any forward's state is parked in the engine's memory (a resident GEMM operand would make it be given up). */
export function anyLstmStateParked(engine: WasmEngine): boolean {
  return forwardParks.any(engine);
}

/** Whether `parked` is still held in the engine's memory. */
export function holdsLstmState(engine: WasmEngine, parked: ParkedLstm): boolean {
  return forwardParks.holds(engine, parked.park);
}

/** A copy of a parked cell state in JS arrays (it stays parked). */
export function unparkLstmState(engine: WasmEngine, parked: ParkedLstm): LstmCellState<Float32Array> {
  const n = parked.floats,
    copy = (ptr: number, len: number): Float32Array => engine.f32.slice(ptr >> 2, (ptr >> 2) + len);
  return { cPrev: copy(parked.cPrev, n), acts: copy(parked.acts, 4 * n), tanhC: copy(parked.tanhC, n) };
}

/** Byte addresses of consecutive areas of the given byte sizes from `at` (layOut); the memory is grown to hold them. */
function areas(engine: WasmEngine, at: number, sizes: readonly number[]): number[] {
  const { ptrs, end } = layOut(at, sizes);
  engine.ensureBytes(end);
  return ptrs;
}

/** Where the cell state lies: where `parked` holds it, else in the job's own area at `area` (cPrev, tanhC, then acts). */
function cellAddresses(parked: ParkedLstm | null, area: number, TBH: number): { cPrev: number; tanhC: number; acts: number } {
  return parked ?? { cPrev: area, tanhC: area + 4 * TBH, acts: area + 8 * TBH };
}

/** Rows of the batch per chunk (a multiple of 4, linear32's register tile) and whether the workers join in. */
function chunking(engine: WasmEngine, T: number, B: number, H: number): { rowsPerChunk: number; chunks: number; parallel: boolean } {
  const parallel = engine.threads > 1 && T * B * 16 * H * H >= PARALLEL_MIN_MACS && B >= 8;
  const rowsPerChunk = parallel ? Math.max(4, roundUp(Math.ceil(B / (CHUNKS_PER_THREAD * engine.threads)), 4)) : Math.max(B, 1);
  return { rowsPerChunk, chunks: Math.max(1, Math.ceil(B / rowsPerChunk)), parallel };
}

function checkLength(what: string, array: Float32Array | null, wanted: number): void {
  if (array !== null && array.length < wanted) throw new ShapeError(`lstm: ${what} holds ${array.length} values, ${wanted} wanted`);
}

/** Writes the job's slots and runs it on the chunks. */
function runLstmJob(engine: WasmEngine, kind: number, T: number, B: number, H: number, reverse: boolean, flagsPtr: number, fields: [number, number][]): void {
  const { rowsPerChunk, chunks, parallel } = chunking(engine, T, B, H);
  const pool = parallel ? engine.ensurePool() : null;
  const base = engine.beginJob(kind, chunks, flagsPtr);
  const all: [number, number][] = [[slot.LS_T, T], [slot.LS_B, B], [slot.LS_H, H], [slot.LS_REVERSE, reverse ? 1 : 0], [slot.LS_ROWS_PER_CHUNK, rowsPerChunk], ...fields];
  for (const [index, value] of all) engine.i32[base + index] = value;
  engine.runJob(pool, chunks, flagsPtr);
}

/** Flags and per-chunk scratch (rows × 8H floats) sizes of a job. */
function jobScratch(engine: WasmEngine, T: number, B: number, H: number): [number, number] {
  const { rowsPerChunk, chunks } = chunking(engine, T, B, H);
  return [chunks * 4, chunks * rowsPerChunk * 8 * H * 4];
}

/**
 * The forward: `saved.out` gets the hidden states and the final cell state;
 * with `keep`, `saved.cell` the parked state for the backward. The job
 * projects the layer input itself.
 */
export function lstmForwardJob(
  engine: WasmEngine,
  input: LstmInput<Float32Array>,
  wHh: Float32Array,
  bHh: Float32Array | null,
  h0: Float32Array,
  c0: Float32Array,
  T: number,
  B: number,
  H: number,
  reverse: boolean,
  saved: LstmSaved<Float32Array>,
  keep: boolean,
): void {
  const G = 4 * H,
    TBH = T * B * H,
    BH = B * H;
  const F = input.features;
  for (const [what, array, wanted] of [
    ['x', input.x, T * B * F],
    ['W_ih', input.wIh, G * F],
    ['b_ih', input.bIh, G],
    ['W_hh', wHh, G * H],
    ['b_hh', bHh, G],
    ['h0', h0, BH],
    ['c0', c0, BH],
    ['out', saved.out, TBH + BH],
  ] as const)
    checkLength(what, array, wanted);
  if (engine.threads > 1) engine.ensurePool(); // the workers' areas lie below the parks: start them first
  const parked = keep ? park(engine, TBH) : null;
  const [flagsBytes, scratchBytes] = jobScratch(engine, T, B, H);
  const [flags, px, pproj, pwih, pbih, pwt, pbias, ph0, pc, pout, pscratch, pcell] = areas(engine, engine.pastWorkAreas(), [
    flagsBytes,
    4 * T * B * F,
    12,
    4 * F * G,
    4 * G,
    4 * H * G,
    4 * G,
    4 * BH,
    4 * BH,
    4 * TBH,
    scratchBytes,
    parked ? 0 : 24 * TBH,
  ]);
  const f32 = engine.f32;
  f32.set(input.x.subarray(0, T * B * F), px >> 2);
  packPanels(f32, pwih >> 2, input.wIh, F, G, true); // W_ihᵀ: x·W_ihᵀ per step
  if (input.bIh) f32.set(input.bIh.subarray(0, G), pbih >> 2);
  engine.i32.set([F, pwih, input.bIh ? pbih : 0], pproj >> 2);
  packPanels(f32, pwt >> 2, wHh, H, G, true); // W_hhᵀ: h·W_hhᵀ per step
  if (bHh) f32.set(bHh.subarray(0, G), pbias >> 2);
  f32.set(h0.subarray(0, BH), ph0 >> 2);
  f32.set(c0.subarray(0, BH), pc >> 2);
  const { cPrev, tanhC, acts } = cellAddresses(parked, pcell, TBH);
  runLstmJob(engine, slot.LSTM_FORWARD, T, B, H, reverse, flags, [
    [slot.LS_X_PTR, px],
    [slot.LS_W_PTR, pwt],
    [slot.LS_BIAS_PTR, bHh ? pbias : 0],
    [slot.LS_H0_PTR, ph0],
    [slot.LS_C_PTR, pc],
    [slot.LS_OUT_PTR, pout],
    [slot.LS_C_PREV_PTR, cPrev],
    [slot.LS_ACTS_PTR, acts],
    [slot.LS_TANH_C_PTR, tanhC],
    [slot.LS_SCRATCH_PTR, pscratch],
    [slot.LS_PROJECTION_PTR, pproj],
  ]);
  saved.out.set(engine.f32.subarray(pout >> 2, (pout >> 2) + TBH));
  saved.out.set(engine.f32.subarray(pc >> 2, (pc >> 2) + BH), TBH);
  saved.cell = parked;
}

/**
 * The backward of lstmForwardJob on the state it kept (parked, or float32
 * arrays), releasing that park. The gates' gradient it returns stays where
 * the job wrote it, in a park of its own (parkGates), where the
 * weight-gradient products read it without a copy (a view of that park,
 * which the caller releases once read), or, where it cannot be parked, is
 * copied into a new array.
 */
export function lstmBackwardJob(
  engine: WasmEngine,
  gOut: Float32Array,
  saved: LstmSaved<Float32Array>,
  wHh: Float32Array,
  T: number,
  B: number,
  H: number,
  reverse: boolean,
  dh: Float32Array,
  dc: Float32Array,
  db: Float32Array | null,
): LstmGateGradients<Float32Array> {
  const G = 4 * H,
    TBH = T * B * H,
    BH = B * H;
  const cell = saved.cell!;
  const parked = 'floats' in cell ? cell : null;
  for (const [what, array, wanted] of [
    ['gOut', gOut, TBH],
    ['W_hh', wHh, G * H],
    ['dh', dh, BH],
    ['dc', dc, BH],
    ['db', db, G],
  ] as const)
    checkLength(what, array, wanted);
  if (parked && parked.floats !== TBH) throw new ShapeError(`lstmBackward: the kept state holds ${parked.floats} hidden values, ${TBH} wanted`);
  if (!parked)
    for (const [what, array, wanted] of [
      ['cPrev', cell.cPrev, TBH],
      ['acts', cell.acts, 4 * TBH],
      ['tanhC', cell.tanhC, TBH],
    ] as const)
      checkLength(what, array as Float32Array, wanted);
  // Parked above the job's own areas' start (and above the state's park, released below it at the end).
  const dxPark = parkGates ? parkGates(engine, 16 * TBH) : null;
  const [flagsBytes, scratchBytes] = jobScratch(engine, T, B, H);
  const [flags, pg, pw, pdxScratch, pdh, pdc, pdb, pscratch, pcell] = areas(engine, engine.pastWorkAreas(), [
    flagsBytes,
    4 * TBH,
    4 * G * H,
    dxPark ? 0 : 16 * TBH, // dx: T·B·4H floats
    4 * BH,
    4 * BH,
    8 * G,
    scratchBytes,
    parked ? 0 : 24 * TBH,
  ]);
  const pdx = dxPark ? dxPark.ptrs[0] : pdxScratch;
  const f32 = engine.f32;
  const { cPrev, tanhC, acts } = cellAddresses(parked, pcell, TBH);
  if (!parked) {
    const arrays = cell as LstmCellState<Float32Array>;
    f32.set(arrays.cPrev.subarray(0, TBH), cPrev >> 2);
    f32.set(arrays.tanhC.subarray(0, TBH), tanhC >> 2);
    f32.set(arrays.acts.subarray(0, 4 * TBH), acts >> 2);
  }
  f32.set(gOut.subarray(0, TBH), pg >> 2);
  packPanels(f32, pw >> 2, wHh, G, H, false); // W_hh: dh = dx·W_hh per step
  f32.set(dc.subarray(0, BH), pdc >> 2);
  runLstmJob(engine, slot.LSTM_BACKWARD, T, B, H, reverse, flags, [
    [slot.LS_X_PTR, pg],
    [slot.LS_W_PTR, pw],
    [slot.LS_BIAS_PTR, 0],
    [slot.LS_H0_PTR, pdh],
    [slot.LS_C_PTR, pdc],
    [slot.LS_OUT_PTR, pdx],
    [slot.LS_C_PREV_PTR, cPrev],
    [slot.LS_ACTS_PTR, acts],
    [slot.LS_TANH_C_PTR, tanhC],
    [slot.LS_SCRATCH_PTR, pscratch],
  ]);
  const out = engine.f32;
  if (db) {
    // b_hh's gradient: dx summed over steps and rows in float64 (in memory order, as the reference), rounded once.
    engine.kernels.columnSums32(pdx, T * B, G, pdb);
    db.set(engine.f64.subarray(pdb >> 3, (pdb >> 3) + G));
  }
  dh.set(out.subarray(pdh >> 2, (pdh >> 2) + BH));
  dc.set(out.subarray(pdc >> 2, (pdc >> 2) + BH));
  if (parked) forwardParks.release(engine, parked.park);
  if (dxPark) return { dx: out.subarray(pdx >> 2, (pdx >> 2) + T * B * G), release: () => forwardParks.release(engine, dxPark) };
  return { dx: out.slice(pdx >> 2, (pdx >> 2) + T * B * G) };
}
