/**
 * The routine `convChainForward`: a stack of float32 convolution blocks
 * (Conv → ReLU (→ MaxPool), groups = 1) applied in turn, for inference (no
 * arg-max offsets are returned). The reference runs the blocks one by one
 * (conv2dForward's reference); the wasm implementation runs every block on a
 * sample in one job, intermediate outputs staying in the engine's memory,
 * and agrees with it to the bit.
 */
import { defineRoutine } from '../routine.js';
import { wasmEngine } from '../wasm/backend.js';
import { checkChain, convChainFits, convChainForward as wasmChain } from '../wasm/conv-chain.js';
import { FrugalError } from '../../errors.js';
import { conv2dForward, type ConvEpilogue, type ConvKernelGeometry } from './conv.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

/** One block of a chain: its convolution's geometry, weight [O, C·kh·kw], bias [O] or null, and epilogue. */
export interface ConvChainBlock {
  g: ConvKernelGeometry;
  weight: Float32Array;
  bias: Float32Array | null;
  epilogue: Pick<ConvEpilogue, 'relu' | 'pool'>;
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
    run: (x, blocks) => {
      const y = wasmChain(engine, x, blocks);
      if (!y) throw new FrugalError('convChainForward: the wasm kernels refused a job their supports test accepted');
      return y;
    },
  },
);
