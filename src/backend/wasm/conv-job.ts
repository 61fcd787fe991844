/**
 * Convolution jobs (asm/conv.ts): float32, groups 1, one chunk per sample.
 * The thread that claims a sample lowers it, packs it and runs the GEMM
 * micro-kernels on it in its own scratch, so only images, weights and
 * outputs are copied; a Conv → ReLU (→ MaxPool) block's epilogue runs in the
 * same pass. Each sample is computed by one thread, and per-sample weight
 * gradients are summed in order of the sample, so the results do not depend
 * on the number of threads. In training (keepForBackward) a block's forward
 * parks x, the weight, its output and its arg-max offsets in the engine's
 * memory (parks.ts), where its backward reads them instead of having them
 * copied out and back in; a backward that finds them given up runs the
 * forward again.
 */
import type { ConvBackwardArgs, ConvEpilogue, ConvForwardResult, ConvGradients, ConvKernelGeometry, ConvSavedForward } from '../routines/conv.js';
import { ValueError } from '../../errors.js';
import { align64, PARALLEL_MIN_MACS, roundUp, type WasmEngine } from './engine.js';
import * as slot from './layout.js';
import { forwardParks as parks, type Park } from './parks.js';

/** A block forward's state parked in the engine's memory for its backward (keepForBackward). */
interface ParkedConv extends ConvSavedForward {
  /** Where x, the weight, the block's output and its arg-max offsets (none without pooling) are. */
  readonly park: Park;
}

/** Largest per-thread scratch a convolution job may take (one sample's columns and packed operand); larger samples go through im2col + gemm. */
const CONV_SCRATCH_LIMIT = 64 * 2 ** 20;

/**
 * Whether a pass suits this path (a thread's scratch within
 * CONV_SCRATCH_LIMIT, nothing empty). A block is fused only when its
 * backward (dx and dW) fits too: its gradient has no other way back.
 */
export function conv2dFits(
  engine: WasmEngine,
  g: ConvKernelGeometry,
  pass: 'forward' | 'backward',
  epilogue: ConvEpilogue | undefined,
  wanted?: { input: boolean; weights: boolean },
): boolean {
  if (pass === 'forward') {
    if (epilogue && !convScratch(engine, g, slot.CONV_BACKWARD, true, true, true)) return false;
    return convScratch(engine, g, slot.CONV_FORWARD, false, false, (epilogue?.pool ?? null) !== null) !== null;
  }
  return convScratch(engine, g, slot.CONV_BACKWARD, wanted?.input ?? true, wanted?.weights ?? true, epilogue !== undefined) !== null;
}

/**
 * Float32 convolution passes (groups = 1) as one job of one chunk per
 * sample: the thread that claims a sample lowers it, packs it and runs the
 * GEMMs on it in its own scratch (asm/conv.ts). Null when the job does not
 * suit this path.
 */
export function conv2dForward(
  engine: WasmEngine,
  g: ConvKernelGeometry,
  x: Float32Array,
  weight: Float32Array,
  bias: Float32Array | null,
  epilogue?: ConvEpilogue,
): ConvForwardResult | null {
  const pool = epilogue?.pool ?? null;
  // A block is fused only when its backward (dx and dW) fits too: its gradient has no other way back.
  if (epilogue && !convScratch(engine, g, slot.CONV_BACKWARD, true, true, true)) return null;
  const depth = g.c * g.kh * g.kw;
  checkLength('x', x, g.n * g.c * g.h * g.w);
  checkLength('weight', weight, g.o * depth);
  if (bias) checkLength('bias', bias, g.o);
  const outLength = g.n * g.o * (pool ? pool.ho * pool.wo : g.ho * g.wo);
  // x, the weight, the block's output and its arg-max offsets: parked below the job where the backward will read them.
  // Without offsets wanted (inference) the kernel pools before the bias and relu (asm/conv-pool.ts).
  const sizes = [x.length * 4, weight.length * 4, outLength * 4, pool && epilogue?.argMax !== false ? outLength * 4 : 0];
  const keep = epilogue?.keepForBackward === true && epilogue.argMax !== false;
  const job = convJob(engine, g, slot.CONV_FORWARD, false, false, pool !== null, keep ? sizes : null);
  if (!job) return null;
  const park = job.park;
  const [xPtr, weightPtr, yPtr, offsetsPtr] = park?.ptrs ?? sizes.map((bytes) => (bytes > 0 ? job.alloc(bytes) : 0));
  const biasPtr = bias ? job.alloc(g.o * 4) : 0;
  engine.ensureBytes(job.end());
  engine.f32.set(x, xPtr >> 2);
  engine.f32.set(weight, weightPtr >> 2);
  if (bias) engine.f32.set(bias, biasPtr >> 2);
  runConvJob(engine, job, [
    [slot.CV_X_PTR, xPtr],
    [slot.CV_WEIGHT_PTR, weightPtr],
    [slot.CV_Y_PTR, yPtr],
    [slot.CV_BIAS_PTR, biasPtr],
    ...epilogueSlots(epilogue, yPtr, offsetsPtr),
  ]);
  // slice(): a new array filled by the copy (faster than filling a zeroed one).
  const y = engine.f32.slice(yPtr >> 2, (yPtr >> 2) + outLength);
  if (park) {
    const saved: ParkedConv = { x, weight, bias, park };
    return { y, offsets: null, saved };
  }
  return { y, offsets: pool && epilogue?.argMax !== false ? engine.i32.slice(offsetsPtr >> 2, (offsetsPtr >> 2) + outLength) : null };
}

export function conv2dBackward(engine: WasmEngine, g: ConvKernelGeometry, args: ConvBackwardArgs): ConvGradients | null {
  const epilogue = args.epilogue;
  const pool = epilogue?.pool ?? null;
  if (!convScratch(engine, g, slot.CONV_BACKWARD, args.input, args.weights, epilogue !== undefined)) return null;
  const kept = epilogue?.saved ? keptForward(engine, g, epilogue) : null;
  const job = convJob(engine, g, slot.CONV_BACKWARD, args.input, args.weights, epilogue !== undefined)!;
  const { n, o } = g;
  const blockOut = n * (pool ? o * pool.ho * pool.wo : job.output);
  checkLength('dy', args.dy, blockOut);
  const dyPtr = job.alloc(args.dy.length * 4);
  // x, the weight, the block's output and its offsets: where the forward parked them, else copied in.
  const [xPtr, weightPtr, blockOutPtr, offsetsPtr] = kept?.park.ptrs ?? copyIn(engine, job, args, blockOut);
  const dxPtr = args.input ? job.alloc(n * job.image * 4) : 0;
  // Each sample's dW: O×K, or transposed with its rows padded (weightGradRows).
  const transposedRows = args.weights ? weightGradRows(engine, g) : 0;
  const dwLength = sampleWeightGradLength(g, transposedRows);
  const dwPtr = args.weights ? job.alloc(n * dwLength * 4) : 0;
  const dwSumPtr = args.weights ? job.alloc(dwLength * 4) : 0;
  const dbPtr = args.bias ? job.alloc(n * o * 8) : 0;
  engine.ensureBytes(job.end());
  engine.f32.set(args.dy, dyPtr >> 2);
  runConvJob(engine, job, [
    [slot.CV_DY_PTR, dyPtr],
    [slot.CV_X_PTR, xPtr],
    [slot.CV_WEIGHT_PTR, weightPtr],
    [slot.CV_DX_PTR, dxPtr],
    [slot.CV_DW_PTR, dwPtr],
    [slot.CV_DB_PTR, dbPtr],
    [slot.CV_DW_TRANSPOSED, transposedRows],
    ...epilogueSlots(epilogue, blockOutPtr, offsetsPtr),
  ]);
  if (kept) parks.release(engine, kept.park);
  const dw = args.weights ? summedWeightGrad(engine, g, transposedRows, dwPtr, dwSumPtr) : null;
  const db = args.bias ? summedBiasGrad(engine, n, o, dbPtr) : null;
  const dx = args.input ? engine.f32.slice(dxPtr >> 2, (dxPtr >> 2) + n * job.image) : null;
  return { dx, dw, db };
}

/**
 * The weight gradient [O, K] from the kernel's per-sample gradients at
 * `dwPtr` (O×K each, or K×O with rows padded to `transposedRows`: 0 for
 * none), summed at `dwSumPtr` in order of the sample, so that the sum is the
 * same on any number of threads.
 */
export function summedWeightGrad(engine: WasmEngine, g: ConvKernelGeometry, transposedRows: number, dwPtr: number, dwSumPtr: number): Float32Array {
  const depth = g.c * g.kh * g.kw;
  engine.kernels.sumRowsF32(dwPtr, g.n, sampleWeightGradLength(g, transposedRows), dwSumPtr);
  const sum = engine.f32.subarray(dwSumPtr >> 2, (dwSumPtr >> 2) + g.o * depth);
  // slice(): a new array filled by the copy; transposed, only the first K rows (the rest are the padding's zeros).
  return transposedRows ? transpose(sum, depth, g.o) : sum.slice();
}

/** The bias gradient [O] from the kernel's per-sample float64 sums at `dbPtr` (n × O), summed in order of the sample and rounded once. */
export function summedBiasGrad(engine: WasmEngine, n: number, o: number, dbPtr: number): Float32Array {
  const sums = new Float64Array(o);
  const perSample = engine.f64.subarray(dbPtr >> 3, (dbPtr >> 3) + n * o);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < o; ch++) sums[ch] += perSample[b * o + ch];
  return Float32Array.from(sums);
}

/** Copies x, the weight, the block's output and its offsets (those the backward reads) into the job's memory; returns their addresses (0: not read). */
function copyIn(engine: WasmEngine, job: ConvJob, args: ConvBackwardArgs, blockOut: number): number[] {
  const { epilogue, weights, input } = args;
  const pool = epilogue?.pool ?? null;
  if (epilogue) checkLength('the block output', epilogue.y, blockOut);
  if (pool && epilogue?.offsets?.length !== blockOut) throw new ValueError(`conv2d kernel: the pooling needs ${blockOut} arg-max offsets`);
  if (weights) checkLength('x', args.x, job.g.n * job.image);
  if (input) checkLength('weight', args.weight, job.g.o * job.depth);
  const arrays = [weights ? args.x : null, input ? args.weight : null, epilogue?.y ?? null, pool ? epilogue!.offsets : null];
  const ptrs = arrays.map((a) => (a ? job.alloc(a.length * 4) : 0));
  engine.ensureBytes(job.end());
  for (const [i, a] of arrays.entries()) if (a) (a instanceof Int32Array ? engine.i32 : engine.f32).set(a as never, ptrs[i] >> 2);
  return ptrs;
}

/**
 * The state a block's forward parked for this backward; where it was given
 * up (or kept elsewhere), the forward again, which parks the same state anew
 * (every sample is computed the same way, so the bits are the same).
 */
function keptForward(engine: WasmEngine, g: ConvKernelGeometry, epilogue: NonNullable<ConvBackwardArgs['epilogue']>): ParkedConv | null {
  const saved = epilogue.saved as ParkedConv;
  // The workers' work areas lie below the parks: start them before the parks are looked at.
  engine.ensurePool();
  if (parks.holds(engine, saved.park)) return saved;
  return (conv2dForward(engine, g, saved.x, saved.weight, saved.bias, { ...epilogue, keepForBackward: true })?.saved as ParkedConv) ?? null;
}

/**
 * 0, or the rows R of each sample's weight gradient when the kernel computes
 * it transposed (R×O = cols · dyᵀ rather than O×K = dy · colsᵀ): the
 * register tile is MR32 rows by NR32 columns, and a small depth K (a first
 * layer's C·kh·kw, 9 for one channel and 3×3) pads fewer lanes as rows than
 * as columns. R is K rounded up to MR32: the lowered columns get zero rows
 * up to R, so that every panel is packed and multiplied whole (a partial
 * panel takes the packing's and the micro-kernel's scalar edge paths); each
 * of the first K rows is the same sum either way.
 */
export function weightGradRows(engine: WasmEngine, g: ConvKernelGeometry): number {
  const depth = g.c * g.kh * g.kw;
  const transposed = roundUp(g.o, engine.nr32) * roundUp(depth, engine.mr32) < roundUp(depth, engine.nr32) * roundUp(g.o, engine.mr32);
  return transposed ? roundUp(depth, engine.mr32) : 0;
}

/** Values of one sample's weight gradient as the kernel writes it: O×K, or R×O transposed (R = weightGradRows). */
export function sampleWeightGradLength(g: ConvKernelGeometry, transposedRows: number): number {
  return g.o * (transposedRows || g.c * g.kh * g.kw);
}

/** The cols×rows transpose of a rows×cols matrix. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let q = 0; q < cols; q++) t[q * rows + r] = a[r * cols + q];
  return t;
}

/** The control slots that give a convolution's geometry to the kernel (shared by the float32 and int8 conv jobs). */
export function convGeometrySlots(g: ConvKernelGeometry): [number, number][] {
  return [
    [slot.CV_C, g.c],
    [slot.CV_H, g.h],
    [slot.CV_W, g.w],
    [slot.CV_O, g.o],
    [slot.CV_KH, g.kh],
    [slot.CV_KW, g.kw],
    [slot.CV_SH, g.sh],
    [slot.CV_SW, g.sw],
    [slot.CV_PH, g.ph],
    [slot.CV_PW, g.pw],
    [slot.CV_DH, g.dh],
    [slot.CV_DW, g.dw],
    [slot.CV_HO, g.ho],
    [slot.CV_WO, g.wo],
  ];
}

/**
 * One thread's scratch for a job: a sample's columns, the packed operand
 * (cols K×P forward; dy O×P for dx, colsᵀ P×K for dW backward) and, for a
 * block's epilogue, one sample's convolution output or its gradient. Null
 * when the job is empty or a thread's share would pass CONV_SCRATCH_LIMIT.
 */
export function convScratch(engine: WasmEngine, g: ConvKernelGeometry, kind: number, needsColsB: boolean, needsColsT: boolean, needsOutputScratch: boolean) {
  const plane = g.ho * g.wo,
    depth = g.c * g.kh * g.kw;
  if (g.n === 0 || plane === 0 || depth === 0 || g.o === 0) return null;
  const nr = engine.nr32;
  const transposedRows = kind === slot.CONV_BACKWARD && needsColsT ? weightGradRows(engine, g) : 0;
  const packedFloats = Math.max(
    kind === slot.CONV_FORWARD ? depth * roundUp(plane, nr) : 0,
    kind === slot.CONV_BACKWARD && needsColsB ? g.o * roundUp(plane, nr) : 0,
    kind === slot.CONV_BACKWARD && needsColsT ? plane * roundUp(transposedRows ? g.o : depth, nr) : 0,
  );
  const colsBytes = align64(Math.max(depth, transposedRows) * plane * 4);
  const packedBytes = align64(packedFloats * 4);
  const scratchBytes = colsBytes + packedBytes + (needsOutputScratch ? align64(g.o * plane * 4) : 0);
  return scratchBytes > CONV_SCRATCH_LIMIT ? null : { colsBytes, packedBytes, scratchBytes };
}

/**
 * Plans a convolution job: null when it does not suit (empty, too large a
 * sample); otherwise its sizes, the park it reserved of areas of the `parked` sizes for
 * operands that outlive it (null for none) and an allocator for its
 * operands, placed after the flags and every thread's scratch.
 */
function convJob(engine: WasmEngine, g: ConvKernelGeometry, kind: number, needsColsB: boolean, needsColsT: boolean, needsOutputScratch: boolean, parked: number[] | null = null) {
  const scratch = convScratch(engine, g, kind, needsColsB, needsColsT, needsOutputScratch);
  if (!scratch) return null;
  const { colsBytes, packedBytes, scratchBytes } = scratch;
  const { n, c, o, kh, kw } = g;
  const plane = g.ho * g.wo,
    depth = c * kh * kw,
    image = c * g.h * g.w;
  const macs = n * o * depth * plane * (kind === slot.CONV_BACKWARD ? Number(needsColsB) + Number(needsColsT) : 1);
  const pool = engine.threads > 1 && n > 1 && macs >= PARALLEL_MIN_MACS ? engine.ensurePool() : null;
  // Parked past the work areas (the workers started first: theirs lie below) and below the job.
  const park = parked && parks.park(engine, parked);
  const workAreas = engine.workAreas();
  const flagsPtr = engine.pastWorkAreas();
  const scratchPtr = flagsPtr + align64(n * 4);
  let next = scratchPtr + workAreas * scratchBytes;
  return {
    g,
    kind,
    pool,
    park,
    n,
    flagsPtr,
    scratchPtr,
    scratchBytes,
    colsBytes,
    outputScratchAt: colsBytes + packedBytes,
    depth,
    image,
    output: o * plane,
    /** Reserves `bytes` (64-byte aligned) and returns its address. */
    alloc(bytes: number): number {
      const at = next;
      next = align64(next + bytes);
      return at;
    },
    end: (): number => next,
  };
}

type ConvJob = NonNullable<ReturnType<typeof convJob>>;

/** Writes the job into the control block with its operand addresses, runs it on every thread and waits for all samples. */
function runConvJob(engine: WasmEngine, job: ConvJob, operands: [number, number][]): void {
  const ctl = engine.i32;
  const base = engine.beginJob(job.kind, job.n, job.flagsPtr);
  const g = job.g;
  for (const [index, value] of scratchSlots(job.scratchPtr, job.scratchBytes, job.colsBytes, job.outputScratchAt)) ctl[base + index] = value;
  for (const [index, value] of convGeometrySlots(g)) ctl[base + index] = value;
  for (const [index, value] of operands) ctl[base + index] = value;
  engine.runJob(job.pool, job.n, job.flagsPtr);
}

/**
 * Control slots of the threads' scratch (shared with the conv chain): where
 * it starts, each thread's share, and where in a share the packed operand
 * (after the columns) and the output scratch begin.
 */
export function scratchSlots(scratchPtr: number, scratchBytes: number, colsBytes: number, outputScratchAt: number): [number, number][] {
  return [
    [slot.CV_SCRATCH_PTR, scratchPtr],
    [slot.CV_SCRATCH_BYTES, scratchBytes],
    [slot.CV_COLS_BYTES, colsBytes],
    [slot.CV_Y_SCRATCH, outputScratchAt],
  ];
}

/** Control slots of a block's epilogue with the addresses of the block's output and arg-max offsets (all zero for a bare convolution but the output's). */
export function epilogueSlots(epilogue: ConvEpilogue | undefined, blockOutPtr: number, offsetsPtr: number): [number, number][] {
  return [[slot.CV_RELU, epilogue?.relu ? 1 : 0], ...poolSlots(epilogue?.pool), [slot.CV_BLOCK_OUT_PTR, blockOutPtr], [slot.CV_POOL_IDX_PTR, offsetsPtr]];
}

/** Control slots of the max pooling fused after a convolution (all zero without one; shared with the int8 conv job). */
export function poolSlots(pool: ConvEpilogue['pool'] | undefined): [number, number][] {
  return [
    [slot.CV_POOL_KH, pool?.kh ?? 0],
    [slot.CV_POOL_KW, pool?.kw ?? 0],
    [slot.CV_POOL_SH, pool?.sh ?? 0],
    [slot.CV_POOL_SW, pool?.sw ?? 0],
    [slot.CV_POOL_HO, pool?.ho ?? 0],
    [slot.CV_POOL_WO, pool?.wo ?? 0],
  ];
}

function checkLength(name: string, array: Float32Array, expected: number): void {
  if (array.length !== expected) throw new ValueError(`conv2d kernel: ${name} has ${array.length} values, the geometry needs ${expected}`);
}
