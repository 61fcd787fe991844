/**
 * One float32 product computed on the calling thread alone, with a control
 * block of its own, while the shared control block holds another job: the
 * work the calling thread does as that job's `meanwhile` (engine.runJob)
 * before it joins the workers, which take more of that job's chunks
 * meanwhile. A product with a job of its own would hand the workers over
 * once more and leave them idle while the calling thread packs, copies and
 * waits for the last chunk. The kernels and the chunk grid are those of a
 * one-thread product (gemm-job.ts): the same bits.
 */
import type { GemmArgs } from '../backend.js';
import { ValueError } from '../../errors.js';
import { align64, type WasmEngine } from './engine.js';
import { checkArgs, checkPackedB, chunkGrid, copyIn, layout, packB, reservedAt, writeProduct } from './gemm-job.js';
import * as slot from './layout.js';

/** Bytes a product of op(A) m×k by op(B) k×n takes here (its operands, flags and control block): what the caller ensures from `at`. */
export function productHereBytes(engine: WasmEngine, m: number, n: number, k: number): number {
  const args = { dtype: 'float32', m, n, k, aBatchStride: 0, bBatchStride: 0 } as GemmArgs;
  const chunks = chunkGrid(engine, m, n, k, 1, engine.mr32, engine.nr32, 1).chunks;
  return layout(engine, args, 1, chunks, undefined, 0).end + align64(slot.CONTROL_SLOTS * 4);
}

/**
 * C = op(A)·op(B) (+ C) for one float32 product, on this thread, its
 * operands laid out from byte address `at` (productHereBytes of memory the
 * caller ensured: growing the memory here could start a job of its own).
 * `packedB`: op(B) already packed in a park (packB), else B is copied and
 * packed. A and C are copied in and out.
 */
export function gemmHere(engine: WasmEngine, args: GemmArgs, at: number, packedB?: number): void {
  checkArgs(args);
  const { m, n, k } = args;
  if (args.batch !== 1 || args.dtype !== 'float32' || m * n * k === 0) throw new ValueError('gemmHere: one float32 product of non-empty sizes');
  if (!(at % 64 === 0 && at >= engine.pastWorkAreas() && at + productHereBytes(engine, m, n, k) <= engine.f32.byteLength)) {
    throw new ValueError(`gemmHere: byte ${at} does not start ensured memory past the work areas and every park`);
  }
  if (packedB !== undefined) checkPackedB(engine, args, packedB);
  if (reservedAt(engine, args.c, args.cOffset, m * n) >= 0) throw new ValueError('gemmHere: c lies in a park');
  const grid = chunkGrid(engine, m, n, k, 1, engine.mr32, engine.nr32, 1);
  const lay = layout(engine, args, 1, grid.chunks, { a: false, b: false, bPacked: packedB !== undefined, c: false }, at);
  const f32 = engine.f32;
  copyIn(f32, args.a, args.aOffset, m * k, lay.aPtr >> 2);
  if (packedB === undefined) {
    copyIn(f32, args.b, args.bOffset, k * n, lay.bPtr >> 2);
    packB(engine, lay.bPtr, k, n, args.transB, lay.bpPtr);
  } else lay.bpPtr = packedB;
  if (args.accumulate) copyIn(f32, args.c, args.cOffset, m * n, lay.cPtr >> 2);
  // A control block of its own past the operands: the job's common slots as engine.beginJob writes them (written
  // out here rather than shared: a helper in the engine would add to the browser's core entry, which is at its budget), then the product's.
  const control = align64(lay.end);
  const ctl = engine.i32;
  const base = control >> 2;
  ctl.fill(0, base, base + slot.CONTROL_SLOTS);
  ctl[base + slot.KIND] = slot.GEMM_JOB;
  ctl[base + slot.NCHUNKS] = grid.chunks;
  ctl[base + slot.WORK_PTR] = slot.SCRATCH_BASE;
  ctl[base + slot.WORK_BYTES] = align64(engine.workBytesPerThread);
  ctl[base + slot.FLAGS_PTR] = lay.flagsPtr;
  ctl[base + slot.JOB_ID] = 1;
  writeProduct(ctl, base, args, lay, grid);
  engine.kernels.work(control, 0);
  args.c.set(f32.subarray(lay.cPtr >> 2, (lay.cPtr >> 2) + m * n), args.cOffset);
}
