/**
 * The gradient histograms of a tree node as one wasm job (asm/histogram.ts):
 * the splittable features split into chunks of whole groups of four, each
 * chunk filling its own features' slots, so all threads work at once with no
 * shared slot. The node's rows, gradients and hessians are gathered straight
 * into the wasm memory, in partition order; the bin codes are copied there
 * on every call (other jobs reuse that memory in between).
 */
import { ValueError } from '../../errors.js';
import type { HistogramArgs } from '../routines/histogram.js';
import { align64, type WasmEngine } from './engine.js';
import * as slot from './layout.js';

/** Chunks per thread: a few, so a thread slowed by other work leaves its share to the others. */
const CHUNKS_PER_THREAD = 4;

/** Slots of padding after the histograms: a bin code past its feature's slots (at most 255) lands there or in this job's own data, never outside it. */
const OVERRUN_SLOTS = 256;

/** The addresses the kernel derives from `args` stay inside the job's data: the features, the node's range, the columns, the output. */
function checkArgs(args: HistogramArgs): void {
  const { binned, nRows, slotStart, features, samples, start, stop, out } = args;
  const nFeatures = slotStart.length - 1;
  const ok =
    Number.isInteger(nRows) &&
    nRows >= 0 &&
    binned.length >= nFeatures * nRows &&
    Number.isInteger(start) &&
    Number.isInteger(stop) &&
    start >= 0 &&
    start <= stop &&
    stop <= samples.length &&
    slotStart[0] === 0 &&
    out.length === 3 * slotStart[nFeatures] &&
    features.every((f) => f >= 0 && f < nFeatures && slotStart[f] >= 0 && slotStart[f] <= slotStart[f + 1] && slotStart[f + 1] <= slotStart[nFeatures]);
  if (!ok) throw new ValueError('buildHistograms: the features, node range, bin codes or output do not match the layout');
}

/** Builds the histograms of `args` on every thread of the engine. */
export function histogramJob(engine: WasmEngine, args: HistogramArgs): void {
  checkArgs(args);
  const { binned, nRows, slotStart, features, samples, start, stop, gradients, hessians, out } = args;
  const count = stop - start;
  const groups = Math.ceil(features.length / 4);
  const chunks = Math.max(1, Math.min(groups, CHUNKS_PER_THREAD * engine.threads));
  const pool = engine.ensurePool();
  const flagsPtr = engine.pastWorkAreas();
  const chunkStartPtr = flagsPtr + align64(chunks * 4);
  const featuresPtr = chunkStartPtr + align64((chunks + 1) * 4);
  const slotStartPtr = featuresPtr + align64(features.length * 4);
  const rowsPtr = slotStartPtr + align64(slotStart.length * 4);
  const gradientsPtr = rowsPtr + align64(count * 4);
  const hessiansPtr = gradientsPtr + align64(count * 4);
  const outPtr = hessiansPtr + align64(count * 4);
  const binnedPtr = outPtr + align64((out.length + 3 * OVERRUN_SLOTS) * 8);
  engine.ensureBytes(binnedPtr + binned.length);
  const { i32, f32, f64 } = engine;
  for (let c = 0; c <= chunks; c++) i32[(chunkStartPtr >> 2) + c] = Math.min(features.length, 4 * Math.round((c * groups) / chunks));
  i32.set(features, featuresPtr >> 2);
  i32.set(slotStart, slotStartPtr >> 2);
  const rows = rowsPtr >> 2;
  const g = gradientsPtr >> 2;
  const h = hessiansPtr >> 2;
  for (let i = 0; i < count; i++) {
    const row = samples[start + i];
    if (!(row >= 0 && row < nRows)) throw new ValueError(`buildHistograms: row index ${row} outside [0, ${nRows})`);
    i32[rows + i] = row;
    f32[g + i] = gradients[row];
  }
  if (hessians) for (let i = 0; i < count; i++) f32[h + i] = hessians[samples[start + i]];
  else f32.fill(1, h, h + count);
  f64.fill(0, outPtr >> 3, (outPtr >> 3) + out.length);
  new Uint8Array(engine.memory.buffer, binnedPtr, binned.length).set(binned);

  const base = engine.beginJob(slot.HISTOGRAM_JOB, chunks, flagsPtr);
  const fields: [number, number][] = [
    [slot.HG_BINNED_PTR, binnedPtr],
    [slot.HG_N_ROWS, nRows],
    [slot.HG_SLOT_START_PTR, slotStartPtr],
    [slot.HG_FEATURES_PTR, featuresPtr],
    [slot.HG_CHUNK_START_PTR, chunkStartPtr],
    [slot.HG_ROWS_PTR, rowsPtr],
    [slot.HG_COUNT, count],
    [slot.HG_GRADIENTS_PTR, gradientsPtr],
    [slot.HG_HESSIANS_PTR, hessiansPtr],
    [slot.HG_OUT_PTR, outPtr],
  ];
  for (const [index, value] of fields) engine.i32[base + index] = value;
  engine.runJob(pool, chunks, flagsPtr);
  out.set(engine.f64.subarray(outPtr >> 3, (outPtr >> 3) + out.length));
}
