/**
 * The routines of a stack of float32 convolution blocks (Conv → ReLU
 * (→ MaxPool), groups = 1) applied in turn:
 * - `convChainForward`, for inference (no arg-max offsets are returned);
 * - `convChainTrainForward` and `convChainBackward`, for training: the
 *   forward keeps what the backward reads (`saved`), the backward gives the
 *   gradients of the input, weights and biases, the last block first.
 * The references run the blocks one by one (conv2dForward's and
 * conv2dBackward's references); the wasm implementations run every block on
 * a sample in one job, intermediate arrays staying in the engine's memory,
 * and agree with them to the bit.
 */
import { defineRoutine } from '../routine.js';
import { wasmEngine } from '../wasm/backend.js';
import { checkChain, convChainBackward as wasmBackward, convChainFits, convChainForward as wasmChain, convChainTrainForward as wasmTrainForward } from '../wasm/conv-chain.js';
import { FrugalError, ValueError } from '../../errors.js';
import { conv2dBackward, conv2dForward, type ConvEpilogue, type ConvForwardResult, type ConvKernelGeometry } from './conv.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

/** One block of a chain: its convolution's geometry, weight [O, C·kh·kw], bias [O] or null, and epilogue. */
export interface ConvChainBlock {
  g: ConvKernelGeometry;
  weight: Float32Array;
  bias: Float32Array | null;
  epilogue: Pick<ConvEpilogue, 'relu' | 'pool'>;
}

/** What a training forward keeps for its backward: its inputs and, from the reference, each block's result (a backend adds where it kept its own state). */
export interface ConvChainSaved {
  x: Float32Array;
  blocks: readonly ConvChainBlock[];
  results?: ConvForwardResult[];
}

/** Which gradients the backward computes: the chain's input's, and each block's weight's and bias's. */
export interface ConvChainWanted {
  input: boolean;
  weights: readonly boolean[];
  bias: readonly boolean[];
}

/** The chain's gradients: its input's (null where not wanted) and per block its weight's [O, C·kh·kw] and bias's [O]. */
export interface ConvChainGradients {
  dx: Float32Array | null;
  blocks: { dw: Float32Array | null; db: Float32Array | null }[];
}

export const convChainForward = defineRoutine('convChainForward', function reference(x: Float32Array, blocks: readonly ConvChainBlock[]): Float32Array {
  checkChain(x, blocks);
  let y = x;
  for (const { g, weight, bias, epilogue } of blocks) y = conv2dForward.reference(g, y, weight, bias, { ...epilogue, argMax: false }).y;
  return y;
});

convChainForward.register(
  'wasm',
  engine && {
    supports: (_x, blocks) => convChainFits(engine, blocks),
    run: (x, blocks) => wasmChain(engine, x, blocks) ?? refused('convChainForward'),
  },
);

export const convChainTrainForward = defineRoutine('convChainTrainForward', function reference(x: Float32Array, blocks: readonly ConvChainBlock[]): {
  y: Float32Array;
  saved: ConvChainSaved;
} {
  checkChain(x, blocks);
  const results: ConvForwardResult[] = [];
  let y = x;
  for (const { g, weight, bias, epilogue } of blocks) {
    const result = conv2dForward.reference(g, y, weight, bias, epilogue);
    results.push(result);
    y = result.y;
  }
  return { y, saved: { x, blocks, results } };
});

convChainTrainForward.register(
  'wasm',
  engine && {
    supports: (_x, blocks) => convChainFits(engine, blocks, true) && blocks[0].g.n > 0,
    run: (x, blocks) => wasmTrainForward(engine, x, blocks) ?? refused('convChainTrainForward'),
  },
);

export const convChainBackward = defineRoutine('convChainBackward', function reference(saved: ConvChainSaved, dy: Float32Array, wanted: ConvChainWanted): ConvChainGradients {
  const { x, blocks } = saved;
  // A forward that kept its state elsewhere (another backend) is computed again.
  const results = saved.results ?? convChainTrainForward.reference(x, blocks).saved.results!;
  const last = results[results.length - 1];
  if (dy.length !== last.y.length) throw new ValueError(`conv chain: dy has ${dy.length} values, the last block gives ${last.y.length}`);
  const grads: ConvChainGradients['blocks'] = [];
  let d: Float32Array | null = dy;
  for (let l = blocks.length - 1; l >= 0; l--) {
    const { g, weight, epilogue } = blocks[l];
    const found = conv2dBackward.reference(g, {
      x: l === 0 ? x : results[l - 1].y,
      dy: d!,
      epilogue: { ...epilogue, ...results[l] },
      weight,
      input: l > 0 || wanted.input,
      weights: wanted.weights[l],
      bias: wanted.bias[l],
    });
    grads[l] = { dw: found.dw, db: found.db };
    d = found.dx;
  }
  return { dx: wanted.input ? d : null, blocks: grads };
});

convChainBackward.register(
  'wasm',
  engine && {
    supports: (saved) => convChainFits(engine, saved.blocks, true) && saved.blocks[0].g.n > 0,
    run: (saved, dy, wanted) => wasmBackward(engine, saved, dy, wanted) ?? refused('convChainBackward'),
  },
);

/** What a routine's wasm implementation throws where its kernels decline a job after its `supports` test took it. */
export function refused(name: string): never {
  throw new FrugalError(`${name}: the wasm kernels refused a job their supports test accepted`);
}
