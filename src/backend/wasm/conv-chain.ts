/**
 * A stack of float32 convolution blocks (Conv → ReLU (→ MaxPool)) in one job
 * per pass (asm/conv-chain.ts): the thread that claims a sample runs every
 * block on it in turn. Forward, each block's output stays in the engine's
 * memory as the next block's input; backward (the descriptors from the last
 * block to the first), each block's input gradient stays there as the
 * previous block's output gradient. Only the input, the last block's output
 * and the gradients cross between JS and wasm, where block by block each
 * intermediate array would be copied out (into a fresh array) and back in,
 * with a job hand-off in between. Each block is described to the kernels as
 * the control block of its own CONV_FORWARD or CONV_BACKWARD job, so every
 * sample goes through the same operations as block by block: the same bits.
 *
 * In training the forward parks every block's input, weight, bias, output
 * and arg-max offsets (parks.ts) where the backward reads them, and an area
 * for the gradient of the last output, where the backward reads it (copied
 * in, or left there by a dense layer's backward: conv-chain-dense.ts); a
 * backward that finds them given up runs the forward again first.
 */
import type { ConvChainBlock, ConvChainGradients, ConvChainSaved, ConvChainWanted } from '../routines/conv-chain.js';
import { ShapeError, ValueError } from '../../errors.js';
import { align64, layOut, PARALLEL_MIN_MACS, type WasmEngine } from './engine.js';
import { convGeometrySlots, convScratch, epilogueSlots, sampleWeightGradLength, scratchSlots, summedBiasGrad, weightGradRows } from './conv-job.js';
import { FoldedWeightGrad } from './folded-weight-grad.js';
import * as slot from './layout.js';
import { forwardParks as parks, type Park } from './parks.js';

type Scratch = NonNullable<ReturnType<typeof convScratch>>;

/** A training forward's state parked in the engine's memory for its backward. */
export interface ParkedChain extends ConvChainSaved {
  /** x, then per block its weight, bias, output and arg-max offsets (0: none), then the last output's gradient: chainSizes' order. */
  readonly park: Park;
}

/** Where a block's operands are: its input, weight, bias (0: none), output and arg-max offsets (0: none). */
interface BlockAreas {
  x: number;
  weight: number;
  bias: number;
  out: number;
  offsets: number;
}

/**
 * Each block's forward scratch layout; null where a block does not suit the
 * per-sample kernels (groups ≠ 1, empty, or past the per-thread scratch
 * limit). In training every block's backward must fit too: its gradient has
 * no other way back.
 */
function forwardScratches(engine: WasmEngine, blocks: readonly ConvChainBlock[], training: boolean): Scratch[] | null {
  if (blocks.some((b) => (b.g.groups ?? 1) !== 1)) return null;
  if (training && blocks.some((b) => !convScratch(engine, b.g, slot.CONV_BACKWARD, true, true, true))) return null;
  const scratches = blocks.map((b) => convScratch(engine, b.g, slot.CONV_FORWARD, false, false, b.epilogue.pool !== null));
  return scratches.every((s) => s !== null) ? (scratches as Scratch[]) : null;
}

/** Whether the chain suits this path: every block groups = 1 and within the per-thread scratch limit (in training, its backward too). */
export function convChainFits(engine: WasmEngine, blocks: readonly ConvChainBlock[], training = false): boolean {
  return blocks.length > 0 && forwardScratches(engine, blocks, training) !== null;
}

/** Values per sample of a block's output (pooled where it pools). */
function outputCells(block: ConvChainBlock): number {
  const { g, epilogue } = block;
  return g.o * (epilogue.pool ? epilogue.pool.ho * epilogue.pool.wo : g.ho * g.wo);
}

/**
 * Checks that the blocks fit one another and x (each block's input is the
 * previous block's output, all on the same samples) and that the weights
 * and biases have their geometry's sizes: the kernels read exactly these
 * extents.
 */
export function checkChain(x: Float32Array, blocks: readonly ConvChainBlock[]): void {
  if (blocks.length === 0) throw new ValueError('conv chain: no blocks');
  const first = blocks[0].g;
  if (x.length !== first.n * first.c * first.h * first.w)
    throw new ValueError(`conv chain: x has ${x.length} values, the first block needs ${first.n * first.c * first.h * first.w}`);
  blocks.forEach((block, l) => {
    const { g, weight, bias } = block;
    if (weight.length !== g.o * g.c * g.kh * g.kw)
      throw new ValueError(`conv chain: block ${l}'s weight has ${weight.length} values, its geometry needs ${g.o * g.c * g.kh * g.kw}`);
    if (bias && bias.length !== g.o) throw new ValueError(`conv chain: block ${l}'s bias has ${bias.length} values, its geometry needs ${g.o}`);
    if (l === 0) return;
    const prev = blocks[l - 1];
    const [h, w] = prev.epilogue.pool ? [prev.epilogue.pool.ho, prev.epilogue.pool.wo] : [prev.g.ho, prev.g.wo];
    if (g.n !== first.n || g.c !== prev.g.o || g.h !== h || g.w !== w) {
      throw new ShapeError(`conv chain: block ${l} takes [${g.n}, ${g.c}, ${g.h}, ${g.w}], block ${l - 1} gives [${first.n}, ${prev.g.o}, ${h}, ${w}]`);
    }
  });
}

/** The last block's output [N, O, Ho', Wo'] after the chain: its values. */
export function chainOutputLength(blocks: readonly ConvChainBlock[]): number {
  return blocks[0].g.n * outputCells(blocks[blocks.length - 1]);
}

/**
 * Byte sizes of x and, per block, its weight, bias, output and arg-max
 * offsets (0: none); in training (`parked`) with arg-max offsets where a
 * block pools, and last the gradient of the last output.
 */
function chainSizes(x: Float32Array, blocks: readonly ConvChainBlock[], parked: boolean): number[] {
  const n = blocks[0].g.n;
  return [
    x.length * 4,
    ...blocks.flatMap((b) => {
      const out = n * outputCells(b) * 4;
      return [b.weight.length * 4, b.bias ? b.g.o * 4 : 0, out, parked && b.epilogue.pool ? out : 0];
    }),
    ...(parked ? [chainOutputLength(blocks) * 4] : []),
  ];
}

/** Where a training forward parked the chain's last output, the area for its gradient and the extra areas it was asked for (parkedTrainForward): byte addresses. */
export function parkedOutput(parked: Park, blocks: readonly ConvChainBlock[]): { y: number; dy: number; extra: number[] } {
  const dyAt = 4 * blocks.length + 1;
  return { y: parked.ptrs[dyAt - 2], dy: parked.ptrs[dyAt], extra: parked.ptrs.slice(dyAt + 1) };
}

/** The blocks' areas from addresses in chainSizes' order: each block's input is x, then the previous block's output. */
function blockAreas(ptrs: readonly number[], blocks: readonly ConvChainBlock[]): BlockAreas[] {
  const areas: BlockAreas[] = [];
  blocks.forEach((b, l) => {
    const at = 1 + 4 * l;
    areas.push({ x: l === 0 ? ptrs[0] : areas[l - 1].out, weight: ptrs[at], bias: b.bias ? ptrs[at + 1] : 0, out: ptrs[at + 2], offsets: ptrs[at + 3] ?? 0 });
  });
  return areas;
}

/** The worker pool where the chain's multiply-adds are worth waking it (started before the work areas are counted: the workers' areas lie below the job). */
function chainPool(engine: WasmEngine, blocks: readonly ConvChainBlock[], passes: number) {
  let macs = 0;
  for (const { g } of blocks) macs += g.n * g.o * g.c * g.kh * g.kw * g.ho * g.wo * passes;
  return engine.threads > 1 && blocks[0].g.n > 1 && macs >= PARALLEL_MIN_MACS ? engine.ensurePool() : null;
}

/** A chain job's fixed areas from `at`: the samples' flags, every thread's scratch (the blocks' largest) and the blocks' descriptors; `end` is where its operands may start. */
function chainFrame(engine: WasmEngine, at: number, n: number, layers: number, scratches: readonly Scratch[]) {
  const scratchBytes = Math.max(...scratches.map((s) => s.scratchBytes));
  const flagsPtr = at;
  const scratchPtr = flagsPtr + align64(n * 4);
  const descPtr = scratchPtr + engine.workAreas() * scratchBytes;
  return { flagsPtr, scratchPtr, scratchBytes, descPtr, end: align64(descPtr + layers * slot.CONTROL_SLOTS * 4) };
}

type ChainFrame = ReturnType<typeof chainFrame>;

/** Writes the descriptor of the frame's `index`-th pass (kind, threads' scratch, geometry, then `operands`). */
function writeDescriptor(engine: WasmEngine, frame: ChainFrame, index: number, kind: number, block: ConvChainBlock, scratch: Scratch, operands: [number, number][]): void {
  const i32 = engine.i32;
  const d = (frame.descPtr >> 2) + index * slot.CONTROL_SLOTS;
  i32.fill(0, d, d + slot.CONTROL_SLOTS);
  const slots: [number, number][] = [
    [slot.KIND, kind],
    [slot.WORK_PTR, slot.SCRATCH_BASE],
    [slot.WORK_BYTES, align64(engine.workBytesPerThread)],
    ...scratchSlots(frame.scratchPtr, frame.scratchBytes, scratch.colsBytes, scratch.colsBytes + scratch.packedBytes),
    ...convGeometrySlots(block.g),
    ...operands,
  ];
  for (const [at, value] of slots) i32[d + at] = value;
}

/** Runs the frame's descriptors as one CONV_CHAIN job of one chunk per sample (`meanwhile`: engine.runJob's). */
function runChain(engine: WasmEngine, frame: ChainFrame, pool: ReturnType<typeof chainPool>, n: number, layers: number, meanwhile?: () => void): void {
  const base = engine.beginJob(slot.CONV_CHAIN, n, frame.flagsPtr);
  engine.i32[base + slot.CC_CHAIN_PTR] = frame.descPtr;
  engine.i32[base + slot.CC_LAYERS] = layers;
  engine.runJob(pool, n, frame.flagsPtr, meanwhile);
}

/**
 * runChain with the workers: after `meanwhile`, this thread takes samples
 * one at a time and then waits for the workers' last ones, telling
 * `samplesDone` how many leading samples are done whenever that grows (work
 * of its own on those samples' results, balanced by the samples the workers
 * take meanwhile). Without workers, runChain.
 */
function runChainTellingDone(
  engine: WasmEngine,
  frame: ChainFrame,
  pool: ReturnType<typeof chainPool>,
  n: number,
  layers: number,
  meanwhile: (() => void) | undefined,
  samplesDone: (done: number) => void,
): void {
  // Without workers the flags are not cleared before the job: a stale one could read as done.
  if (!pool) return runChain(engine, frame, pool, n, layers, meanwhile);
  const flags = frame.flagsPtr >> 2;
  runChain(engine, frame, pool, n, layers, () => {
    meanwhile?.();
    // The samples are claimed here; engine.runJob then finds none left and every flag set.
    let claiming = true;
    for (let done = 0; done < n; ) {
      if (claiming) claiming = engine.kernels.workOne(slot.CONTROL_BASE, 0) !== 0;
      else engine.awaitChunk(flags + done);
      const before = done;
      while (done < n && engine.chunkDone(flags + done)) done++;
      if (done > before) samplesDone(done);
    }
  });
}

/**
 * How a forward job runs: for inference into areas laid out past the job's
 * frame; for inference into a park (the output read there by the caller,
 * who releases the park); in training with arg-max offsets, into a park.
 */
type ForwardKind = 'inference' | 'parked inference' | 'training';

/**
 * Runs every block's forward on x as `kind` says; a park is returned with
 * areas of the `extra` byte sizes at its end, which `meanwhile` may fill
 * during the job. Returns the byte address of the last block's output.
 */
function forwardJob(
  engine: WasmEngine,
  x: Float32Array,
  blocks: readonly ConvChainBlock[],
  scratches: Scratch[],
  kind: ForwardKind,
  extra: readonly number[] = [],
  meanwhile?: (park: Park) => void,
): { out: number; park: Park | null } {
  const n = blocks[0].g.n;
  const pool = chainPool(engine, blocks, 1);
  const training = kind === 'training';
  const sizes = [...chainSizes(x, blocks, training), ...extra];
  const park = kind === 'inference' ? null : parks.park(engine, sizes);
  const frame = chainFrame(engine, engine.pastWorkAreas(), n, blocks.length, scratches);
  const laid = park ? null : layOut(frame.end, sizes);
  // An empty area (no bias, no offsets) has address 0, which tells the kernel there is none.
  const areas = blockAreas(park?.ptrs ?? laid!.ptrs.map((at, i) => (sizes[i] > 0 ? at : 0)), blocks);
  engine.ensureBytes(laid?.end ?? frame.end);
  engine.f32.set(x, areas[0].x >> 2);
  blocks.forEach((block, l) => {
    const { x: input, weight, bias, out, offsets } = areas[l];
    engine.f32.set(block.weight, weight >> 2);
    if (block.bias) engine.f32.set(block.bias, bias >> 2);
    writeDescriptor(engine, frame, l, slot.CONV_FORWARD, block, scratches[l], [
      [slot.CV_X_PTR, input],
      [slot.CV_WEIGHT_PTR, weight],
      [slot.CV_Y_PTR, out],
      [slot.CV_BIAS_PTR, bias],
      // Without arg-max offsets (inference) the kernel pools before the bias and relu.
      ...epilogueSlots(block.epilogue, out, offsets),
    ]);
  });
  runChain(engine, frame, pool, n, blocks.length, park && meanwhile ? () => meanwhile(park) : undefined);
  return { out: areas[areas.length - 1].out, park };
}

/** A copy of the chain's output at byte address `out`. */
function outputCopy(engine: WasmEngine, out: number, blocks: readonly ConvChainBlock[]): Float32Array {
  return engine.f32.slice(out >> 2, (out >> 2) + chainOutputLength(blocks));
}

/**
 * The last block's output for x [N, C, H, W] through every block, computed
 * one sample per chunk (no arg-max offsets: inference); null where the chain
 * does not suit this path.
 */
export function convChainForward(engine: WasmEngine, x: Float32Array, blocks: readonly ConvChainBlock[]): Float32Array | null {
  checkChain(x, blocks);
  const scratches = forwardScratches(engine, blocks, false);
  if (!scratches) return null;
  if (blocks[0].g.n === 0) return new Float32Array(0);
  return outputCopy(engine, forwardJob(engine, x, blocks, scratches, 'inference').out, blocks);
}

/**
 * convChainForward with the last block's output left in a park for the
 * caller (`out`, a byte address), with areas of the `extra` byte sizes
 * beside it (`extra`: their addresses), which `meanwhile` may fill while the
 * workers run the job; the caller releases the park once it has read it.
 * Null where the chain does not suit this path or has no samples.
 */
export function parkedForward(
  engine: WasmEngine,
  x: Float32Array,
  blocks: readonly ConvChainBlock[],
  extra: readonly number[],
  meanwhile: (extra: number[]) => void,
): { out: number; extra: number[]; park: Park } | null {
  checkChain(x, blocks);
  const scratches = forwardScratches(engine, blocks, false);
  if (!scratches || blocks[0].g.n === 0) return null;
  // The workers' work areas lie below the parks: start them before the park is placed.
  engine.ensurePool();
  // The extra areas are the park's last ones.
  const extraAt = (park: Park): number[] => park.ptrs.slice(park.ptrs.length - extra.length);
  const { out, park } = forwardJob(engine, x, blocks, scratches, 'parked inference', extra, (p) => meanwhile(extraAt(p)));
  return { out, extra: extraAt(park!), park: park! };
}

/**
 * The training forward: the last block's output, every block's state parked
 * for convChainBackward (x and the blocks as `saved`); null where the chain
 * does not suit this path (its backward included).
 */
export function convChainTrainForward(engine: WasmEngine, x: Float32Array, blocks: readonly ConvChainBlock[]): { y: Float32Array; saved: ConvChainSaved } | null {
  const saved = parkedTrainForward(engine, x, blocks);
  return saved && { y: outputCopy(engine, parkedOutput(saved.park, blocks).y, blocks), saved };
}

/**
 * The training forward, its output left in the park (parkedOutput), with
 * areas of the `extra` byte sizes parked beside it for the caller, which
 * `meanwhile` may fill while the workers run the job (engine.runJob); null
 * where the chain does not suit this path (its backward included).
 */
export function parkedTrainForward(
  engine: WasmEngine,
  x: Float32Array,
  blocks: readonly ConvChainBlock[],
  extra: readonly number[] = [],
  meanwhile?: (park: Park) => void,
): ParkedChain | null {
  checkChain(x, blocks);
  const scratches = forwardScratches(engine, blocks, true);
  if (!scratches || blocks[0].g.n === 0) return null;
  return { x, blocks, park: forwardJob(engine, x, blocks, scratches, 'training', extra, meanwhile).park! };
}

/**
 * The gradients of the chain's input (where wanted), weights and biases for
 * the gradient dy of its last output, every sample through every block's
 * backward in one job (the last block first); null where the chain does not
 * suit this path.
 */
export function convChainBackward(engine: WasmEngine, saved: ConvChainSaved, dy: Float32Array, wanted: ConvChainWanted): ConvChainGradients | null {
  checkChain(saved.x, saved.blocks);
  const length = chainOutputLength(saved.blocks);
  if (dy.length !== length) throw new ValueError(`conv chain: dy has ${dy.length} values, the last block gives ${length}`);
  return parkedBackward(engine, saved, wanted, (park) => engine.f32.set(dy, parkedOutput(park, saved.blocks).dy >> 2));
}

/** Work of the caller's own that the calling thread does while the workers start on the chain's backward: `bytes` of memory from the address `run` is given are its own. */
export interface DuringBackward {
  bytes: number;
  run(at: number): void;
}

/**
 * convChainBackward with the gradient of the chain's output written into
 * its park (parkedOutput's `dy`) by `fillDy`, called once the park is found
 * (or the forward run again to park its state anew) and before the job;
 * `during` runs on this thread once the workers have the job.
 */
export function parkedBackward(
  engine: WasmEngine,
  saved: ConvChainSaved,
  wanted: ConvChainWanted,
  fillDy: (park: Park) => void,
  during?: DuringBackward,
): ConvChainGradients | null {
  const { x, blocks } = saved;
  checkChain(x, blocks);
  const layers = blocks.length;
  if (wanted.weights.length !== layers || wanted.bias.length !== layers)
    throw new ValueError(`conv chain: the wanted gradients name ${wanted.weights.length} weights and ${wanted.bias.length} biases for ${layers} blocks`);
  const needsDx = (l: number): boolean => l > 0 || wanted.input;
  const scratches = blocks.map((b, l) => convScratch(engine, b.g, slot.CONV_BACKWARD, needsDx(l), wanted.weights[l], true));
  if (scratches.some((s) => s === null) || blocks.some((b) => (b.g.groups ?? 1) !== 1) || blocks[0].g.n === 0) return null;
  const park = keptChain(engine, saved);
  if (!park) return null;
  fillDy(park);
  const areas = blockAreas(park.ptrs, blocks);
  const n = blocks[0].g.n;
  const pool = chainPool(engine, blocks, 2);
  const frame = chainFrame(engine, engine.pastWorkAreas(), n, layers, scratches as Scratch[]);
  const transposedRows = blocks.map((b, l) => (wanted.weights[l] ? weightGradRows(engine, b.g) : 0));
  const dwLength = (l: number): number => sampleWeightGradLength(blocks[l].g, transposedRows[l]);
  // Per block: its input's gradient (the previous block's dy), per-sample weight gradients, their sum, per-sample bias sums.
  const { ptrs, end } = layOut(
    frame.end,
    blocks.flatMap((b, l) => {
      const { g } = b;
      return [needsDx(l) ? n * g.c * g.h * g.w * 4 : 0, wanted.weights[l] ? n * dwLength(l) * 4 : 0, wanted.weights[l] ? dwLength(l) * 4 : 0, wanted.bias[l] ? n * g.o * 8 : 0];
    }),
  );
  const grads = blocks.map((_, l) => ({
    dx: needsDx(l) ? ptrs[4 * l] : 0,
    dw: wanted.weights[l] ? ptrs[1 + 4 * l] : 0,
    dwSum: ptrs[2 + 4 * l],
    db: wanted.bias[l] ? ptrs[3 + 4 * l] : 0,
  }));
  const duringAt = align64(end);
  engine.ensureBytes(duringAt + (during?.bytes ?? 0));
  const dy = parkedOutput(park, blocks).dy;
  for (let l = layers - 1, index = 0; l >= 0; l--, index++) {
    const block = blocks[l];
    const { x: input, weight, out, offsets } = areas[l];
    writeDescriptor(engine, frame, index, slot.CONV_BACKWARD, block, scratches[l]!, [
      [slot.CV_DY_PTR, l === layers - 1 ? dy : grads[l + 1].dx],
      [slot.CV_X_PTR, input],
      [slot.CV_WEIGHT_PTR, weight],
      [slot.CV_DX_PTR, grads[l].dx],
      [slot.CV_DW_PTR, grads[l].dw],
      [slot.CV_DB_PTR, grads[l].db],
      [slot.CV_DW_TRANSPOSED, transposedRows[l]],
      ...epilogueSlots(block.epilogue, out, offsets),
    ]);
  }
  // Each block's per-sample weight gradients summed as the samples are done (not all after the job, on this thread alone).
  const weightGrads = blocks.map((b, l) => (wanted.weights[l] ? new FoldedWeightGrad(engine, b.g, transposedRows[l], grads[l].dw, grads[l].dwSum) : null));
  runChainTellingDone(engine, frame, pool, n, layers, during && (() => during.run(duringAt)), (done) => {
    for (const sum of weightGrads) sum?.fold(done);
  });
  parks.release(engine, park);
  return {
    dx: wanted.input ? engine.f32.slice(grads[0].dx >> 2, (grads[0].dx >> 2) + x.length) : null,
    blocks: blocks.map((b, l) => ({
      dw: weightGrads[l]?.result() ?? null,
      db: wanted.bias[l] ? summedBiasGrad(engine, n, b.g.o, grads[l].db) : null,
    })),
  };
}

/**
 * The park of the training forward that gave `saved`; where it was given
 * up (or the forward ran elsewhere), the forward again, which parks the same
 * state anew (every sample is computed the same way: the same bits).
 */
export function keptChain(engine: WasmEngine, saved: ConvChainSaved): Park | null {
  const parked = (saved as Partial<ParkedChain>).park;
  // The workers' work areas lie below the parks: start them before the parks are looked at.
  engine.ensurePool();
  if (parked && parks.holds(engine, parked)) return parked;
  return parkedTrainForward(engine, saved.x, saved.blocks)?.park ?? null;
}
