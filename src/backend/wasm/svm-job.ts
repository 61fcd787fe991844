/**
 * SVC training jobs (asm/svm.ts): all one-vs-one class pairs of a C-SVC fit
 * as one job of one chunk per pair, after a job that computes the kernel's
 * dot-product blocks in place.
 */
import { KERNEL_EXP_CONSTANTS } from '../routines/fast-math.js';
import type { SvcPairsArgs, SvcPairsResult } from '../routines/svc-pairs.js';
import { ValueError } from '../../errors.js';
import { align64, roundUp, type WasmEngine } from './engine.js';
import { CHUNKS_PER_THREAD, ROWS_PER_CHUNK_ONE_THREAD } from './gemm-job.js';
import * as slot from './layout.js';
import type { WorkerPool } from './pool.js';

/** Most bytes of kernel blocks and solver scratch an SVC pairs job takes, whatever its budget (addresses stay far below 2³¹). */
const SVC_MEMORY_LIMIT = 2 ** 30;

/**
 * The class pairs of a C-SVC fit (all, or `args.pairs`) as one job of one
 * chunk per pair: the thread that claims a pair runs the SMO solver on it
 * (asm/svm.ts, a port of src/models/svm/smo.ts with bit-identical results)
 * in its own scratch, reading kernel values from the class blocks. Blocks
 * of dot products given as rows are computed here first, by a job of GEMM
 * row blocks straight into place. The blocks and every thread's row cache
 * share `args.cacheBytes`: what the blocks leave is split over the threads.
 * Returns null where the job does not suit this path: workers to wait for
 * on a thread that may not block (a browser's main thread; it would spin
 * for the whole fit; on one thread nothing waits), or blocks that leave
 * less than two kernel rows per thread within the budget.
 */
export function svcPairs(engine: WasmEngine, args: SvcPairsArgs): SvcPairsResult | null {
  const { classStart, classCount } = args;
  const k = classCount.length;
  if ((!engine.blocking && engine.threads > 1) || k < 2 || classStart.length !== k) return null;
  const n = classStart[k - 1] + classCount[k - 1];
  const given = typeof args.blocks === 'function' ? args.blocks : null;
  const rows = typeof args.blocks === 'function' ? null : args.blocks;
  if (rows && (args.mode !== 'rbfDots' || rows.rows.length !== n * rows.cols)) {
    throw new ValueError(`svcPairs: rows must be ${n}×${rows.cols} float32 values for 'rbfDots'`);
  }
  // block c: its samples × samples origin[c]..n−1; computed blocks start at a GEMM panel boundary
  const origin = new Int32Array(k);
  const blockAt = new Int32Array(k);
  let blockFloats = 0;
  for (let c = 0; c < k; c++) {
    if (classCount[c] === 0 || classStart[c] !== (c ? classStart[c - 1] + classCount[c - 1] : 0)) return null;
    origin[c] = rows ? classStart[c] - (classStart[c] % engine.nr32) : classStart[c];
    blockAt[c] = blockFloats;
    blockFloats += align64(classCount[c] * (n - origin[c]) * 4) / 4;
  }
  if (args.diag.length !== n || args.C.length !== n || (args.mode === 'rbfDots' && args.sq.length !== n)) {
    throw new ValueError(`svcPairs: diag, C (and sq for 'rbfDots') need ${n} values`);
  }
  const pairList = args.pairs ?? allPairs(k);
  const nPairs = pairList.length / 2;
  let maxL = 0;
  for (let p = 0; p < nPairs; p++) {
    const [i, j] = [pairList[2 * p], pairList[2 * p + 1]];
    if (!(i >= 0 && i < j && j < k)) throw new ValueError(`svcPairs: pair ${p} is (${i}, ${j}); pairs need classes 0 <= i < j < ${k}`);
    maxL = Math.max(maxL, classCount[i] + classCount[j]);
  }
  if (nPairs === 0) return { coef: [], rho: new Float64Array(0), obj: new Float64Array(0), iter: new Int32Array(0), converged: [] };
  // the budget: the blocks, then each thread's row cache (rows of room L) and solver arrays
  const pool = engine.threads > 1 ? engine.ensurePool() : null;
  const workAreas = engine.workAreas();
  const L = roundUp(maxL, 4);
  const fixedBytes = align64(engine.kernels.svcScratchBytes(maxL, 0));
  const perThread = (args.cacheBytes - blockFloats * 4) / workAreas - fixedBytes;
  const rowSlots = Math.min(maxL, Math.floor(perThread / (L * 4)));
  if (!(rowSlots >= 2)) return null; // (NaN too: a budget that is not a number)
  const scratchBytes = fixedBytes + align64(rowSlots * L * 4);
  if (blockFloats * 4 + workAreas * scratchBytes > SVC_MEMORY_LIMIT) return null;
  // before the layout: given blocks come from GEMMs, which use this memory's scratch (and may start the pool)
  const blocks = given ? given() : null;
  for (let c = 0; c < k && blocks; c++) {
    if (blocks[c]?.length !== classCount[c] * (n - classStart[c])) {
      throw new ValueError(`svcPairs: block ${c} has ${blocks[c]?.length} values, expected ${classCount[c]}×${n - classStart[c]}`);
    }
  }

  // row blocks of the dots job: about CHUNKS_PER_THREAD per thread, whole MR tiles
  const d = rows ? rows.cols : 0;
  const dotChunks: number[] = [];
  if (rows) {
    const rowsPer = roundUp(Math.max(engine.mr32, Math.min(ROWS_PER_CHUNK_ONE_THREAD, Math.ceil(n / (CHUNKS_PER_THREAD * engine.threads)))), engine.mr32);
    for (let c = 0; c < k; c++) for (let r = 0; r < classCount[c]; r += rowsPer) dotChunks.push(c, r, Math.min(classCount[c], r + rowsPer), 0);
  }
  const flagsPtr = engine.pastWorkAreas();
  const scratchPtr = flagsPtr + align64(Math.max(nPairs, dotChunks.length / 4) * 4);
  const classPtr = scratchPtr + workAreas * scratchBytes;
  const pairPtr = classPtr + align64(k * 16);
  const blocksPtr = pairPtr + align64(nPairs * 16);
  const sqPtr = blocksPtr + blockFloats * 4;
  const diagPtr = sqPtr + align64(n * 8);
  const cPtr = diagPtr + align64(n * 8);
  const paramsPtr = cPtr + align64(n * 8);
  const xPtr = paramsPtr + align64((2 + KERNEL_EXP_CONSTANTS.length) * 8);
  const bpPtr = xPtr + align64(n * d * 4);
  const dotChunkPtr = bpPtr + align64(roundUp(n, engine.nr32) * d * 4);
  const outPtr = dotChunkPtr + align64(dotChunks.length * 4);
  const outAt = new Int32Array(nPairs);
  let end = outPtr;
  for (let p = 0; p < nPairs; p++) {
    outAt[p] = end;
    end += align64((4 + classCount[pairList[2 * p]] + classCount[pairList[2 * p + 1]]) * 8);
  }
  engine.ensureBytes(end);
  const { i32, f32, f64 } = engine;
  for (let c = 0; c < k; c++) {
    i32.set([classStart[c], classCount[c], blockAt[c], origin[c]], (classPtr >> 2) + 4 * c);
    if (blocks) f32.set(blocks[c], (blocksPtr >> 2) + blockAt[c]);
  }
  // largest pairs first, so that the last pairs to be claimed are short ones and the threads finish together
  const pairs: [number, number, number][] = [];
  for (let p = 0; p < nPairs; p++) pairs.push([pairList[2 * p], pairList[2 * p + 1], p]);
  pairs.sort((a, b) => classCount[b[0]] + classCount[b[1]] - (classCount[a[0]] + classCount[a[1]]) || a[2] - b[2]);
  pairs.forEach(([i, j, p], q) => i32.set([i, j, outAt[p], rowSlots], (pairPtr >> 2) + 4 * q));
  if (args.mode === 'rbfDots') f64.set(args.sq, sqPtr >> 3);
  f64.set(args.diag, diagPtr >> 3);
  f64.set(args.C, cPtr >> 3);
  f64[paramsPtr >> 3] = args.eps;
  f64[(paramsPtr >> 3) + 1] = args.gamma;
  f64.set(KERNEL_EXP_CONSTANTS, (paramsPtr >> 3) + 2);
  const fields: [number, number][] = [
    [slot.SV_N, n],
    [slot.SV_MODE, args.mode === 'rbfDots' ? slot.SV_MODE_RBF_DOTS : slot.SV_MODE_VALUES],
    [slot.SV_CLASS_PTR, classPtr],
    [slot.SV_PAIR_PTR, pairPtr],
    [slot.SV_BLOCKS_PTR, blocksPtr],
    [slot.SV_SQ_PTR, sqPtr],
    [slot.SV_DIAG_PTR, diagPtr],
    [slot.SV_C_PTR, cPtr],
    [slot.SV_PARAMS_PTR, paramsPtr],
    [slot.SV_SHRINKING, args.shrinking ? 1 : 0],
    [slot.SV_MAX_ITER, args.maxIter < 0 ? -1 : Math.min(args.maxIter, 0x7fffffff)],
    [slot.SV_SCRATCH_PTR, scratchPtr],
    [slot.SV_SCRATCH_BYTES, scratchBytes],
    [slot.SV_MAX_L, maxL],
    [slot.SV_X_PTR, xPtr],
    [slot.SV_D, d],
    [slot.SV_BP_PTR, bpPtr],
    [slot.SV_DOT_CHUNK_PTR, dotChunkPtr],
  ];
  if (rows) {
    f32.set(rows.rows, xPtr >> 2);
    engine.kernels.packB32(xPtr, d, 1, d, n, bpPtr);
    i32.set(dotChunks, dotChunkPtr >> 2);
    runSvcJob(engine, pool, slot.SVC_DOTS, dotChunks.length / 4, flagsPtr, fields);
  }
  runSvcJob(engine, pool, slot.SVC_PAIRS, nPairs, flagsPtr, fields);

  const result: SvcPairsResult = { coef: [], rho: new Float64Array(nPairs), obj: new Float64Array(nPairs), iter: new Int32Array(nPairs), converged: [] };
  const out = engine.f64;
  for (let p = 0; p < nPairs; p++) {
    const at = outAt[p] >> 3;
    result.rho[p] = out[at];
    result.obj[p] = out[at + 1];
    result.iter[p] = out[at + 2];
    result.converged.push(out[at + 3] !== 0);
    result.coef.push(out.slice(at + 4, at + 4 + classCount[pairList[2 * p]] + classCount[pairList[2 * p + 1]]));
  }
  return result;
}

/** Every pair (i, j), i < j, of k classes in order (0,1), (0,2), ..., flattened. */
function allPairs(k: number): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) out.push(i, j);
  return Int32Array.from(out);
}

/** Runs one job of an SVC fit (kind, chunk count, the SV_ slots) to completion. */
function runSvcJob(engine: WasmEngine, pool: WorkerPool | null, kind: number, chunks: number, flagsPtr: number, fields: [number, number][]): void {
  const base = engine.beginJob(kind, chunks, flagsPtr);
  const ctl = engine.i32;
  for (const [index, value] of fields) ctl[base + index] = value;
  engine.runJob(pool, chunks, flagsPtr);
}
