/**
 * Int8 jobs (asm/int8.ts): a quantised Linear on chunks of rows, a quantised
 * Conv2d (→ ReLU → MaxPool) on one sample per chunk, over every thread.
 * Weights are widened to int16 and laid out for the kernel on each call
 * (other jobs reuse the memory in between); inputs are copied in as float32
 * and quantised by the thread that reads them.
 */
import { ValueError } from '../../errors.js';
import type { Int8ConvArgs, Int8LinearArgs } from '../routines/int8.js';
import { convGeometrySlots, poolSlots } from './conv-job.js';
import { align64, PARALLEL_MIN_MACS, roundUp, type WasmEngine } from './engine.js';
import * as slot from './layout.js';

/** Largest per-thread scratch of a job; larger layers run the reference. */
const SCRATCH_LIMIT = 64 * 2 ** 20;
/** Depths up to this keep |Σ c·w| ≤ 255·128·depth within int32. */
const MAX_DEPTH = 65535;
/** Chunks per thread: a few, so a thread slowed by other work leaves its share to the others. */
const CHUNKS_PER_THREAD = 4;

const evenDepth = (k: number): number => k + (k & 1);

function rowsPerChunk(engine: WasmEngine, m: number): number {
  return Math.max(4, roundUp(Math.ceil(m / (CHUNKS_PER_THREAD * engine.threads)), 4));
}

function linearScratch(engine: WasmEngine, a: Int8LinearArgs): number {
  const rows = rowsPerChunk(engine, a.m);
  return align64(rows * evenDepth(a.k) * 2) + align64(rows * roundUp(a.n, 8) * 4);
}

function checkQuantisation(input: { scale: number; zero: number }, where: string): void {
  if (!(input.scale > 0 && Number.isFinite(input.scale)) || !Number.isInteger(input.zero) || input.zero < -128 || input.zero > 127) {
    throw new ValueError(`${where}: input scale must be positive and finite and the zero point an integer in [-128, 127]`);
  }
}

export function int8LinearFits(engine: WasmEngine, a: Int8LinearArgs): boolean {
  return a.m > 0 && a.n > 0 && a.k > 0 && a.k <= MAX_DEPTH && linearScratch(engine, a) <= SCRATCH_LIMIT;
}

/** Throws where a weight is outside int8's range (shared by the packing here and the JS reference kernels). */
export function checkInt8(weight: Int8Array | Int32Array, where: string): void {
  for (const v of weight) if (v < -128 || v > 127) throw new ValueError(`${where}: the weights hold values outside int8's [-128, 127]`);
}

function checkPacked(packed: Int16Array, length: number, where: string): Int16Array {
  if (packed.length !== length) throw new ValueError(`${where}: packed weights of ${packed.length} values, the layer needs ${length}`);
  return packed;
}

/**
 * A Linear's n × k int8 weights in the kernel's layout (into `out`, or a new
 * array): panels of 8 outputs, (output j, depth t) at panel j/8, pair t/2,
 * lane j%8, half t%2, zero-padded. Throws where a value is not int8.
 */
export function packLinearWeights(
  weight: Int8Array | Int32Array,
  n: number,
  k: number,
  out: Int16Array<ArrayBufferLike> = new Int16Array(roundUp(n, 8) * evenDepth(k)),
): Int16Array<ArrayBufferLike> {
  const kp = evenDepth(k),
    panel = kp * 8;
  checkInt8(weight, 'int8Linear');
  out.fill(0);
  for (let j = 0; j < n; j++) {
    const base = (j >> 3) * panel + (j & 7) * 2;
    for (let t = 0; t < k; t++) out[base + (t >> 1) * 16 + (t & 1)] = weight[j * k + t];
  }
  return out;
}

/** A Conv2d's o × depth int8 weights in the kernel's layout: rows of the even depth, o padded to 4, zeros in the padding. */
export function packConvWeights(
  weight: Int8Array | Int32Array,
  o: number,
  depth: number,
  out: Int16Array<ArrayBufferLike> = new Int16Array(roundUp(o, 4) * evenDepth(depth)),
): Int16Array<ArrayBufferLike> {
  const kp = evenDepth(depth);
  checkInt8(weight, 'int8Conv2d');
  out.fill(0);
  for (let oc = 0; oc < o; oc++) {
    for (let d = 0; d < depth; d++) out[oc * kp + d] = weight[oc * depth + d];
  }
  return out;
}

function check(name: string, array: ArrayLike<number>, expected: number, where: string): void {
  if (array.length !== expected) throw new ValueError(`${where}: ${name} has ${array.length} values, expected ${expected}`);
}

/** What both kinds share: the operands the caller copies in, and the layer's own control slots. */
interface Int8Job {
  kind: number;
  chunks: number;
  /** Whether the job is worth waking the workers for. */
  parallel: boolean;
  x: Float32Array;
  scale: Float32Array;
  bias: Float32Array | null;
  input: { scale: number; zero: number };
  relu: boolean;
  /** Channels, padded as the kernel reads scale and bias. */
  channels: number;
  /** The weights in the kernel's layout, or how to lay them out into the job's memory. */
  packed: Int16Array | null | undefined;
  pack: (out: Int16Array<ArrayBufferLike>) => void;
  weightValues: number;
  kp: number;
  outLength: number;
  scratchBytes: number;
  slots: [number, number][];
  where: string;
}

/**
 * Lays out a job's operands past every thread's work area (flags, weights,
 * scale, bias, x, y, then each thread's scratch), copies them in, runs the
 * job on every thread and returns y.
 */
function runInt8Job(engine: WasmEngine, j: Int8Job): Float32Array {
  checkQuantisation(j.input, j.where);
  const pool = j.parallel && engine.threads > 1 && engine.blocking && j.chunks > 1 ? engine.ensurePool() : null;
  const flagsPtr = engine.pastWorkAreas();
  const wPtr = flagsPtr + align64(j.chunks * 4);
  const scalePtr = wPtr + align64(j.weightValues * 2);
  const biasPtr = scalePtr + align64(j.channels * 4);
  const xPtr = biasPtr + align64(j.channels * 4);
  const yPtr = xPtr + align64(j.x.length * 4);
  const scratchPtr = yPtr + align64(j.outLength * 4);
  engine.ensureBytes(scratchPtr + engine.workAreas() * j.scratchBytes);
  const weights = new Int16Array(engine.memory.buffer, wPtr, j.weightValues);
  if (j.packed) weights.set(checkPacked(j.packed, weights.length, j.where));
  else j.pack(weights);
  const { f32, i32 } = engine;
  // Scale and bias (zeros for none), zero-padded to the kernel's channels.
  f32.fill(0, scalePtr >> 2, (biasPtr >> 2) + j.channels);
  f32.set(j.scale, scalePtr >> 2);
  if (j.bias) f32.set(j.bias, biasPtr >> 2);
  f32.set(j.x, xPtr >> 2);
  const base = engine.beginJob(j.kind, j.chunks, flagsPtr);
  const common: [number, number][] = [
    [slot.Q_KP, j.kp],
    [slot.Q_X_PTR, xPtr],
    [slot.Q_W_PTR, wPtr],
    [slot.Q_Y_PTR, yPtr],
    [slot.Q_SCALE_PTR, scalePtr],
    [slot.Q_BIAS_PTR, biasPtr],
    [slot.Q_SCRATCH_PTR, scratchPtr],
    [slot.Q_SCRATCH_BYTES, j.scratchBytes],
    [slot.Q_RELU, j.relu ? 1 : 0],
    [slot.Q_ZERO, j.input.zero],
  ];
  for (const [index, value] of [...common, ...j.slots]) i32[base + index] = value;
  f32[base + slot.Q_INV_SCALE] = 1 / j.input.scale;
  engine.runJob(pool, j.chunks, flagsPtr);
  return engine.f32.slice(yPtr >> 2, (yPtr >> 2) + j.outLength);
}

export function int8LinearJob(engine: WasmEngine, a: Int8LinearArgs): Float32Array {
  const where = 'int8Linear';
  const { m, n, k } = a;
  check('x', a.x, m * k, where);
  check('weight', a.weight, n * k, where);
  check('scale', a.scale, n, where);
  if (a.bias) check('bias', a.bias, n, where);
  const kp = evenDepth(k),
    nPad = roundUp(n, 8);
  const perChunk = rowsPerChunk(engine, m);
  return runInt8Job(engine, {
    kind: slot.INT8_DENSE,
    chunks: Math.ceil(m / perChunk),
    parallel: m * n * k >= PARALLEL_MIN_MACS,
    x: a.x,
    scale: a.scale,
    bias: a.bias,
    input: a.input,
    packed: a.packed,
    relu: a.relu,
    channels: nPad,
    pack: (out) => packLinearWeights(a.weight, n, k, out),
    weightValues: nPad * kp,
    kp,
    outLength: m * n,
    scratchBytes: linearScratch(engine, a),
    slots: [
      [slot.Q_M, m],
      [slot.Q_N, n],
      [slot.Q_K, k],
      [slot.Q_ROWS_PER_CHUNK, perChunk],
    ],
    where,
  });
}

function convScratch(a: Int8ConvArgs): number {
  const { c, h, w, o, kh, kw, ph, pw, ho, wo } = a.g;
  const plane = ho * wo,
    pPad = roundUp(plane, 8);
  const kp = evenDepth(c * kh * kw);
  return align64((h + 2 * ph) * (w + 2 * pw) * c * 2) + align64(pPad * kp * 2) + align64(roundUp(o, 4) * pPad * 4) + align64(Math.max(o * plane * 4, kp * pPad * 2));
}

export function int8ConvFits(_engine: WasmEngine, a: Int8ConvArgs): boolean {
  const { n, c, o, kh, kw, ho, wo } = a.g;
  const depth = c * kh * kw;
  return (a.g.groups ?? 1) === 1 && n > 0 && o > 0 && depth > 0 && depth <= MAX_DEPTH && ho * wo > 0 && convScratch(a) <= SCRATCH_LIMIT;
}

export function int8ConvJob(engine: WasmEngine, a: Int8ConvArgs): Float32Array {
  const where = 'int8Conv2d';
  const g = a.g;
  const { n, c, h, w, o, kh, kw, ho, wo } = g;
  const pool = a.epilogue.pool;
  const depth = c * kh * kw,
    kp = evenDepth(depth),
    oPad = roundUp(o, 4);
  check('x', a.x, n * c * h * w, where);
  check('weight', a.weight, o * depth, where);
  check('scale', a.scale, o, where);
  if (a.bias) check('bias', a.bias, o, where);
  if (pool && !(pool.ho > 0 && pool.wo > 0 && (pool.ho - 1) * pool.sh + pool.kh <= ho && (pool.wo - 1) * pool.sw + pool.kw <= wo)) {
    throw new ValueError(`${where}: the pooling window does not fit the ${ho}×${wo} output`);
  }
  return runInt8Job(engine, {
    kind: slot.INT8_CONV,
    chunks: n,
    parallel: n * o * depth * ho * wo >= PARALLEL_MIN_MACS,
    x: a.x,
    scale: a.scale,
    bias: a.bias,
    input: a.input,
    packed: a.packed,
    relu: a.epilogue.relu,
    channels: oPad,
    pack: (out) => packConvWeights(a.weight, o, depth, out),
    weightValues: oPad * kp,
    kp,
    outLength: n * o * (pool ? pool.ho * pool.wo : ho * wo),
    scratchBytes: convScratch(a),
    slots: [...convGeometrySlots(g), ...poolSlots(pool)],
    where,
  });
}
