/**
 * The int8 job (asm/int8.ts): a chain of quantised layers (Conv2d (→ ReLU →
 * MaxPool) …, then Linear …; a single layer is a chain of one) on a few
 * samples per chunk, over every thread. Weights are laid out for the kernel
 * (by the layer, once, or here) and copied in on each call (other jobs reuse
 * the memory in between) with each output channel's correction zero·Σw; the
 * input is copied in as float32 and quantised (to 7-bit codes) by the thread
 * that reads it, and only the last layer's output is copied out.
 */
import { ValueError } from '../../errors.js';
import type { Int8ChainArgs, Int8ChainLayer } from '../routines/int8.js';
import type { ConvEpilogue, ConvKernelGeometry } from '../routines/conv.js';
import { convGeometrySlots, poolSlots } from './conv-job.js';
import { align64, PARALLEL_MIN_MACS, roundUp, type WasmEngine } from './engine.js';
import * as slot from './layout.js';

/** Largest per-thread scratch of a job; larger layers run the reference. */
const SCRATCH_LIMIT = 64 * 2 ** 20;
/** Depths up to this keep |Σ q·w| ≤ 127·128·depth (and its correction) within int32. */
const MAX_DEPTH = 65535;
/** Chunks per thread: a few, so a thread slowed by other work leaves its share to the others. */
const CHUNKS_PER_THREAD = 4;

/** The depth padded to whole quads (the kernel's dot products take 4 values at a time). */
const quadDepth = (k: number): number => roundUp(k, 4);

function rowsPerChunk(engine: WasmEngine, m: number): number {
  return Math.max(4, roundUp(Math.ceil(m / (CHUNKS_PER_THREAD * engine.threads)), 4));
}

function checkQuantisation(input: { scale: number; zero: number }, where: string): void {
  if (!(input.scale > 0 && Number.isFinite(input.scale)) || !Number.isInteger(input.zero) || input.zero < 0 || input.zero > 127) {
    throw new ValueError(`${where}: input scale must be positive and finite and the zero point an integer in [0, 127] (7-bit activations)`);
  }
}

/** Throws where a weight is outside int8's range (shared by the packing here and the JS reference kernels). */
export function checkInt8(weight: Int8Array | Int32Array, where: string): void {
  for (const v of weight) if (v < -128 || v > 127) throw new ValueError(`${where}: the weights hold values outside int8's [-128, 127]`);
}

function checkPacked(packed: Int8Array, length: number, where: string): Int8Array {
  if (packed.length !== length) throw new ValueError(`${where}: packed weights of ${packed.length} values, the layer needs ${length}`);
  return packed;
}

/**
 * A Linear's n × k int8 weights in the kernel's layout (into `out`, or a new
 * array): panels of 8 outputs, (output j, depth t) at panel j/8, quad t/4,
 * lane j%8, byte t%4, zero-padded. Throws where a value is not int8.
 */
export function packLinearWeights(
  weight: Int8Array | Int32Array,
  n: number,
  k: number,
  out: Int8Array<ArrayBufferLike> = new Int8Array(roundUp(n, 8) * quadDepth(k)),
): Int8Array<ArrayBufferLike> {
  const kp = quadDepth(k),
    panel = kp * 8;
  checkInt8(weight, 'int8Linear');
  out.fill(0);
  for (let j = 0; j < n; j++) {
    const base = (j >> 3) * panel + (j & 7) * 4;
    for (let t = 0; t < k; t++) out[base + (t >> 2) * 32 + (t & 3)] = weight[j * k + t];
  }
  return out;
}

/** A Conv2d's o × depth int8 weights in the kernel's layout: rows of the depth padded to quads, o padded to 4, zeros in the padding. */
export function packConvWeights(
  weight: Int8Array | Int32Array,
  o: number,
  depth: number,
  out: Int8Array<ArrayBufferLike> = new Int8Array(roundUp(o, 4) * quadDepth(depth)),
): Int8Array<ArrayBufferLike> {
  const kp = quadDepth(depth);
  checkInt8(weight, 'int8Conv2d');
  out.fill(0);
  for (let oc = 0; oc < o; oc++) {
    for (let d = 0; d < depth; d++) out[oc * kp + d] = weight[oc * depth + d];
  }
  return out;
}

/**
 * A Conv2d's o × (c·kh·kw) int8 weights in the layout of the channels-last
 * kernel (asm/int8-conv.ts convHwcPooled): a Linear's panels (packLinearWeights)
 * with the depth ordered kernel row, kernel column, channel.
 */
export function packHwcConvWeights(weight: Int8Array | Int32Array, o: number, c: number, kh: number, kw: number): Int8Array<ArrayBufferLike> {
  const depth = c * kh * kw;
  const reordered = new Int32Array(weight.length);
  for (let j = 0; j < o; j++) {
    for (let ch = 0; ch < c; ch++) {
      for (let k = 0; k < kh * kw; k++) reordered[j * depth + k * c + ch] = weight[j * depth + ch * kh * kw + k];
    }
  }
  return packLinearWeights(reordered, o, depth);
}

/** Whether the kernel runs a convolution channels-last (asm/int8-conv.ts channelsLast decides alike): stride 1, channels a multiple of 4, 2×2 pooling. */
function channelsLast(g: ConvKernelGeometry, pool: ConvEpilogue['pool']): boolean {
  return g.sh === 1 && g.sw === 1 && g.c % 4 === 0 && !!pool && pool.kh === 2 && pool.kw === 2 && pool.sh === 2 && pool.sw === 2;
}

/**
 * A Conv2d's weights in the layout the kernel takes for its geometry and
 * pooling (channels-last panels or rows, see channelsLast), for a layer to
 * keep between calls as its `packed` weights. Throws where a value is not int8.
 */
export function packConvLayerWeights(weight: Int8Array | Int32Array, g: ConvKernelGeometry, pool: ConvEpilogue['pool']): Int8Array<ArrayBufferLike> {
  return channelsLast(g, pool) ? packHwcConvWeights(weight, g.o, g.c, g.kh, g.kw) : packConvWeights(weight, g.o, g.c * g.kh * g.kw);
}

/** zero·Σw per output channel (rows of `depth` weights): what the kernel subtracts from Σ q·w to leave Σ (q − zero)·w. */
function zeroPointCorrection(weight: Int8Array | Int32Array, depth: number, zero: number): Int32Array {
  const out = new Int32Array(weight.length / depth);
  if (zero === 0) return out;
  for (let j = 0; j < out.length; j++) {
    let sum = 0;
    for (let t = j * depth; t < (j + 1) * depth; t++) sum += weight[t];
    out[j] = zero * sum;
  }
  return out;
}

function check(name: string, array: ArrayLike<number>, expected: number, where: string): void {
  if (array.length !== expected) throw new ValueError(`${where}: ${name} has ${array.length} values, expected ${expected}`);
}

/** What the job needs of one layer: its sizes in the kernel's layout and its share of a thread's scratch. */
interface LayerPlan {
  layer: Int8ChainLayer;
  kp: number;
  /** Output channels, padded as the kernel reads scale and bias. */
  channels: number;
  weightValues: number;
  inValues: number;
  outValues: number;
  /** Bytes of the layer's input codes (per thread), of its working area, of its float32 output between layers. */
  inBytes: number;
  workBytes: number;
  tmpBytes: number;
  macs: number;
  /** Input values per output channel (the weights' row length). */
  depth: number;
  pack: (out: Int8Array<ArrayBufferLike>) => void;
}

function planLayer(layer: Int8ChainLayer, rows: number): LayerPlan {
  if (layer.kind === 'dense') {
    const { k, n } = layer;
    const kp = quadDepth(k),
      nPad = roundUp(n, 8),
      rowsPad = roundUp(rows, 4);
    return {
      layer,
      kp,
      channels: nPad,
      weightValues: nPad * kp,
      inValues: k,
      outValues: n,
      inBytes: align64(rowsPad * kp),
      workBytes: align64(rowsPad * nPad * 4),
      tmpBytes: align64(rows * n * 4),
      macs: n * k,
      depth: k,
      pack: (out) => packLinearWeights(layer.weight, n, k, out),
    };
  }
  const { c, h, w, o, kh, kw, sh, sw, ph, pw, dw, ho, wo } = layer.g;
  const pool = layer.epilogue.pool;
  // The image's rows are `pitch` bytes apart (the padded width rounded up to 8); with stride 1 the kernel computes positions
  // on rows that wide, reading the image in place (asm/int8-conv.ts convSample).
  const pitch = roundUp(w + 2 * pw, 8);
  const width = sh === 1 && sw === 1 ? pitch : wo;
  const depth = c * kh * kw,
    kp = quadDepth(depth),
    oPad = roundUp(o, 4),
    plane = ho * wo,
    pPad = roundUp(ho * width, 8);
  const outValues = o * (pool ? pool.ho * pool.wo : plane);
  if (channelsLast(layer.g, pool)) {
    // The image's pixels are C codes, its rows w + 2pw pixels; the work area holds a tile (128 bytes) and from byte 256 the quads' offsets.
    return {
      layer,
      kp: depth,
      channels: roundUp(o, 8),
      weightValues: roundUp(o, 8) * depth,
      inValues: c * h * w,
      outValues,
      inBytes: align64((h + 2 * ph) * (w + 2 * pw) * c),
      workBytes: align64(256 + depth),
      tmpBytes: align64(outValues * 4),
      macs: o * depth * plane,
      depth,
      pack: (out) => out.set(packHwcConvWeights(layer.weight, o, c, kh, kw)),
    };
  }
  return {
    layer,
    kp,
    channels: oPad,
    weightValues: oPad * kp,
    inValues: c * h * w,
    outValues,
    // The image, and past its end what the last rows' reads of dropped positions overrun.
    inBytes: align64((h + 2 * ph) * pitch * c + (kw - 1) * dw + 8),
    workBytes: align64(pPad * kp) + align64(oPad * pPad * 4) + align64(Math.max(o * pPad * 4, kp * pPad)),
    tmpBytes: align64(outValues * 4),
    macs: o * depth * plane,
    depth,
    pack: (out) => packConvWeights(layer.weight, o, depth, out),
  };
}

/** Samples per chunk: a few chunks per thread; with convolutions (one sample at a time) at most 32, enough rows for the dense layers' tiles. */
function chainRowsPerChunk(engine: WasmEngine, a: Int8ChainArgs): number {
  const rows = rowsPerChunk(engine, a.n);
  return a.layers.some((l) => l.kind === 'conv') ? Math.min(rows, 32) : rows;
}

/** A thread's scratch: the largest working area, the float32 buffer between layers, then every layer's input codes. */
function scratchLayout(plans: LayerPlan[]): { tmpOffset: number; inOffsets: number[]; bytes: number } {
  const tmpOffset = Math.max(...plans.map((p) => p.workBytes));
  let at = tmpOffset + Math.max(...plans.map((p) => p.tmpBytes));
  const inOffsets = plans.map((p) => {
    const offset = at;
    at += p.inBytes;
    return offset;
  });
  return { tmpOffset, inOffsets, bytes: at };
}

function layerSizesFit(layer: Int8ChainLayer): boolean {
  if (layer.kind === 'dense') return layer.n > 0 && layer.k > 0 && layer.k <= MAX_DEPTH;
  const { c, o, kh, kw, ho, wo } = layer.g;
  const depth = c * kh * kw;
  return (layer.g.groups ?? 1) === 1 && o > 0 && depth > 0 && depth <= MAX_DEPTH && ho * wo > 0;
}

export function int8ChainFits(engine: WasmEngine, a: Int8ChainArgs): boolean {
  if (!(a.n > 0) || a.layers.length === 0 || !a.layers.every(layerSizesFit)) return false;
  if (a.layers.some((l, i) => i > 0 && l.kind === 'conv' && a.layers[i - 1].kind === 'dense')) return false;
  const rows = chainRowsPerChunk(engine, a);
  return scratchLayout(a.layers.map((l) => planLayer(l, rows))).bytes <= SCRATCH_LIMIT;
}

/** Throws where a layer's operands do not have the sizes its geometry needs, or it does not take the previous layer's output. */
function checkLayer(p: LayerPlan, previous: LayerPlan | null): void {
  const layer = p.layer;
  const where = layer.kind === 'dense' ? 'int8Linear' : 'int8Conv2d';
  checkQuantisation(layer.input, where);
  const outputs = layer.kind === 'dense' ? layer.n : layer.g.o;
  check('weight', layer.weight, outputs * (layer.kind === 'dense' ? layer.k : layer.g.c * layer.g.kh * layer.g.kw), where);
  check('scale', layer.scale, outputs, where);
  if (layer.bias) check('bias', layer.bias, outputs, where);
  if (layer.kind === 'conv') {
    const { ho, wo } = layer.g;
    const pool = layer.epilogue.pool;
    if (pool && !(pool.ho > 0 && pool.wo > 0 && (pool.ho - 1) * pool.sh + pool.kh <= ho && (pool.wo - 1) * pool.sw + pool.kw <= wo)) {
      throw new ValueError(`${where}: the pooling window does not fit the ${ho}×${wo} output`);
    }
  }
  if (previous && previous.outValues !== p.inValues) throw new ValueError(`int8Chain: a layer takes ${p.inValues} values per sample, the one before gives ${previous.outValues}`);
  if (previous?.layer.kind === 'conv' && layer.kind === 'conv') {
    const [before, g] = [previous.layer.g, layer.g];
    const pool = previous.layer.epilogue.pool;
    const [h, w] = pool ? [pool.ho, pool.wo] : [before.ho, before.wo];
    if (g.c !== before.o || g.h !== h || g.w !== w) throw new ValueError(`int8Chain: a convolution takes [${g.c}, ${g.h}, ${g.w}], the one before gives [${before.o}, ${h}, ${w}]`);
  }
}

/**
 * Runs a chain of layers as one job: lays out the descriptors and every
 * layer's operands past every thread's work area (flags, descriptors, then
 * per layer weights, correction, scale, bias; x, y, then each thread's scratch), copies
 * them in, runs the job on every thread and returns the last layer's output.
 */
export function int8ChainJob(engine: WasmEngine, a: Int8ChainArgs): Float32Array {
  const rows = chainRowsPerChunk(engine, a);
  const plans = a.layers.map((l) => planLayer(l, rows));
  plans.forEach((p, i) => checkLayer(p, i > 0 ? plans[i - 1] : null));
  check('x', a.x, a.n * plans[0].inValues, a.layers.length > 1 ? 'int8Chain' : plans[0].layer.kind === 'dense' ? 'int8Linear' : 'int8Conv2d');
  const chunks = Math.ceil(a.n / rows);
  const macs = a.n * plans.reduce((sum, p) => sum + p.macs, 0);
  const pool = macs >= PARALLEL_MIN_MACS && engine.threads > 1 && engine.blocking && chunks > 1 ? engine.ensurePool() : null;
  const scratch = scratchLayout(plans);
  const flagsPtr = engine.pastWorkAreas();
  const chainPtr = flagsPtr + align64(chunks * 4);
  let at = chainPtr + align64(plans.length * slot.CONTROL_SLOTS * 4);
  const operands = plans.map((p) => {
    const wPtr = at;
    const corrPtr = wPtr + align64(p.weightValues);
    const scalePtr = corrPtr + align64(p.channels * 4);
    const biasPtr = scalePtr + align64(p.channels * 4);
    at = biasPtr + align64(p.channels * 4);
    return { wPtr, corrPtr, scalePtr, biasPtr };
  });
  const outLength = a.n * plans[plans.length - 1].outValues;
  const xPtr = at;
  const yPtr = xPtr + align64(a.x.length * 4);
  const scratchPtr = yPtr + align64(outLength * 4);
  const scratchBytes = align64(scratch.bytes);
  engine.ensureBytes(scratchPtr + engine.workAreas() * scratchBytes);
  const { f32, i32 } = engine;
  plans.forEach((p, l) => {
    const { wPtr, corrPtr, scalePtr, biasPtr } = operands[l];
    const layer = p.layer;
    const weights = new Int8Array(engine.memory.buffer, wPtr, p.weightValues);
    if (layer.packed) weights.set(checkPacked(layer.packed, weights.length, layer.kind === 'dense' ? 'int8Linear' : 'int8Conv2d'));
    else p.pack(weights);
    // Correction, scale and bias (zeros for none), zero-padded to the kernel's channels.
    i32.fill(0, corrPtr >> 2, (biasPtr >> 2) + p.channels);
    i32.set(zeroPointCorrection(layer.weight, p.depth, layer.input.zero), corrPtr >> 2);
    f32.set(layer.scale, scalePtr >> 2);
    if (layer.bias) f32.set(layer.bias, biasPtr >> 2);
    const d = (chainPtr >> 2) + l * slot.CONTROL_SLOTS;
    const slots: [number, number][] =
      layer.kind === 'dense'
        ? [
            [slot.KIND, slot.INT8_DENSE],
            [slot.Q_N, layer.n],
            [slot.Q_K, layer.k],
          ]
        : [[slot.KIND, slot.INT8_CONV], ...convGeometrySlots(layer.g), ...poolSlots(layer.epilogue.pool)];
    slots.push(
      [slot.Q_KP, p.kp],
      [slot.Q_W_PTR, wPtr],
      [slot.Q_CORR_PTR, corrPtr],
      [slot.Q_SCALE_PTR, scalePtr],
      [slot.Q_BIAS_PTR, biasPtr],
      [slot.Q_RELU, (layer.kind === 'dense' ? layer.relu : layer.epilogue.relu) ? 1 : 0],
      [slot.Q_ZERO, layer.input.zero],
      [slot.Q_IN_OFFSET, scratch.inOffsets[l]],
    );
    for (const [index, value] of slots) i32[d + index] = value;
    f32[d + slot.Q_INV_SCALE] = 1 / layer.input.scale;
  });
  f32.set(a.x, xPtr >> 2);
  const base = engine.beginJob(slot.INT8_CHAIN, chunks, flagsPtr);
  const common: [number, number][] = [
    [slot.Q_CHAIN_PTR, chainPtr],
    [slot.Q_LAYERS, plans.length],
    [slot.Q_M, a.n],
    [slot.Q_ROWS_PER_CHUNK, rows],
    [slot.Q_X_PTR, xPtr],
    [slot.Q_Y_PTR, yPtr],
    [slot.Q_SCRATCH_PTR, scratchPtr],
    [slot.Q_SCRATCH_BYTES, scratchBytes],
    [slot.Q_TMP_OFFSET, scratch.tmpOffset],
  ];
  for (const [index, value] of common) i32[base + index] = value;
  engine.runJob(pool, chunks, flagsPtr);
  return engine.f32.slice(yPtr >> 2, (yPtr >> 2) + outLength);
}
