/**
 * A stack of float32 convolution blocks (Conv → ReLU (→ MaxPool)) in one job
 * (asm/conv-chain.ts), for inference: the thread that claims a sample runs
 * every block on it in turn, each block's output staying in the engine's
 * memory as the next block's input. Only the input and the last block's
 * output cross between JS and wasm, where block by block each intermediate
 * output would be copied out (into a fresh array) and back in, with a job
 * hand-off in between. Each block is described to the kernels as the
 * control block of its own CONV_FORWARD job, so every sample goes through
 * the same operations as block by block: the same bits.
 */
import type { ConvChainBlock } from '../routines/conv-chain.js';
import { ShapeError, ValueError } from '../../errors.js';
import { align64, layOut, PARALLEL_MIN_MACS, type WasmEngine } from './engine.js';
import { convGeometrySlots, convScratch, epilogueSlots, scratchSlots } from './conv-job.js';
import * as slot from './layout.js';

/** Each block's scratch layout; null where a block does not suit the per-sample kernels (groups ≠ 1, empty, or past the per-thread scratch limit). */
function blockScratches(engine: WasmEngine, blocks: readonly ConvChainBlock[]) {
  if (blocks.some((b) => (b.g.groups ?? 1) !== 1)) return null;
  const scratches = blocks.map((b) => convScratch(engine, b.g, slot.CONV_FORWARD, false, false, b.epilogue.pool !== null));
  return scratches.every((s) => s !== null) ? (scratches as NonNullable<(typeof scratches)[number]>[]) : null;
}

/** Whether the chain suits this path: every block groups = 1 and within the per-thread scratch limit. */
export function convChainFits(engine: WasmEngine, blocks: readonly ConvChainBlock[]): boolean {
  return blocks.length > 0 && blockScratches(engine, blocks) !== null;
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

/**
 * The last block's output for x [N, C, H, W] through every block, computed
 * one sample per chunk (no arg-max offsets: inference); null where the chain
 * does not suit this path.
 */
export function convChainForward(engine: WasmEngine, x: Float32Array, blocks: readonly ConvChainBlock[]): Float32Array | null {
  checkChain(x, blocks);
  const scratches = blockScratches(engine, blocks);
  if (!scratches) return null;
  const n = blocks[0].g.n;
  const last = blocks[blocks.length - 1];
  if (n === 0) return new Float32Array(0);
  let macs = 0;
  for (const { g } of blocks) macs += g.n * g.o * g.c * g.kh * g.kw * g.ho * g.wo;
  // Started before the work areas are counted: the workers' areas lie below the job.
  const pool = engine.threads > 1 && n > 1 && macs >= PARALLEL_MIN_MACS ? engine.ensurePool() : null;
  const scratchBytes = Math.max(...scratches.map((s) => s.scratchBytes));
  const flagsPtr = engine.pastWorkAreas();
  const scratchPtr = flagsPtr + align64(n * 4);
  const descBytes = slot.CONTROL_SLOTS * 4;
  // The blocks' descriptors, x, then each block's weight, bias (none: no bytes, address 0) and output.
  const { ptrs: laid, end } = layOut(scratchPtr + engine.workAreas() * scratchBytes, [
    blocks.length * descBytes,
    x.length * 4,
    ...blocks.flatMap((b) => [b.weight.length * 4, b.bias ? b.g.o * 4 : 0, n * outputCells(b) * 4]),
  ]);
  const [chainPtr, xPtr] = laid;
  const ptrs = blocks.map((b, l) => ({ weight: laid[2 + 3 * l], bias: b.bias ? laid[3 + 3 * l] : 0, out: laid[4 + 3 * l] }));
  engine.ensureBytes(end);
  const i32 = engine.i32;
  i32.fill(0, chainPtr >> 2, (chainPtr + blocks.length * descBytes) >> 2);
  engine.f32.set(x, xPtr >> 2);
  let input = xPtr;
  blocks.forEach((block, l) => {
    const { weight, bias, out } = ptrs[l];
    engine.f32.set(block.weight, weight >> 2);
    if (block.bias) engine.f32.set(block.bias, bias >> 2);
    const s = scratches[l];
    const epilogue = { ...block.epilogue, argMax: false };
    const d = (chainPtr >> 2) + l * slot.CONTROL_SLOTS;
    const slots: [number, number][] = [
      [slot.WORK_PTR, slot.SCRATCH_BASE],
      [slot.WORK_BYTES, align64(engine.workBytesPerThread)],
      ...scratchSlots(scratchPtr, scratchBytes, s.colsBytes, s.colsBytes + s.packedBytes),
      ...convGeometrySlots(block.g),
      [slot.CV_X_PTR, input],
      [slot.CV_WEIGHT_PTR, weight],
      [slot.CV_Y_PTR, out],
      [slot.CV_BIAS_PTR, bias],
      // No arg-max offsets (inference): the kernel pools before the bias and relu.
      ...epilogueSlots(epilogue, out, 0),
    ];
    for (const [index, value] of slots) i32[d + index] = value;
    input = out;
  });
  const base = engine.beginJob(slot.CONV_CHAIN, n, flagsPtr);
  i32[base + slot.CC_CHAIN_PTR] = chainPtr;
  i32[base + slot.CC_LAYERS] = blocks.length;
  engine.runJob(pool, n, flagsPtr);
  const outPtr = ptrs[ptrs.length - 1].out;
  return engine.f32.slice(outPtr >> 2, (outPtr >> 2) + n * outputCells(last));
}
