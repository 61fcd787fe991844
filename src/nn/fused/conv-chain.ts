/**
 * The convolution chain: two or more convolution blocks in a row (a CNN's
 * feature extractor) as one call of the backend's chain routines. Each
 * sample then goes through every block on one thread, the blocks' outputs
 * (and in training, backward, their input gradients) staying in the
 * backend's memory, where block by block each would be copied out and back
 * in, with a job hand-off in between. Without gradients recorded (predict,
 * evaluate) it is convChainForward; while they are recorded, one op
 * (convChainTraining) whose backward is one pass too. The output and the
 * gradients equal the blocks' one by one to the bit (the same kernels on
 * each sample). Where the backend has no chain or the input does not suit
 * it, the chain declines and the blocks run one by one (the plan's next
 * pattern at this position is the single block).
 *
 * A chain followed by Flatten and Linear is one op with the Linear
 * (conv-chain-dense.ts), tried first (in inference, on more than a few rows).
 *
 * Registered when this module is loaded (frugal-ml in Node.js, frugal-ml/all
 * in a browser), to keep the browser's core entry small; the core's
 * Sequential then runs the blocks one by one.
 */
import { needsGrad } from '../../autograd/graph.js';
import { convChainForward } from '../../backend/routines/conv-chain.js';
import { convChainTraining } from '../../tensor/ops/conv-chain.js';
import { Tensor } from '../../tensor/tensor.js';
import { convBlock, type ConvBlockLayers } from './conv-block.js';
import { blocksAsOps, chainLayers, chainParams, describeChain, matchChainBlocks } from './conv-chain-blocks.js';
import { convChainDense } from './conv-chain-dense.js';
import { registerFusedPattern } from './plan.js';
import type { FusedPattern } from './pattern.js';

export const convChain: FusedPattern = {
  name: 'conv-chain',
  match(layers, i) {
    const blocks = matchChainBlocks(layers, i);
    if (!blocks) return null;
    const params = chainParams(blocks);
    return {
      layers: chainLayers(blocks),
      run: (x) => (x.dtype === 'float32' && convChainForward.available() ? runChain(blocks, x, needsGrad([x, ...params])) : null),
    };
  },
};

// Tried before the single block, which covers the chain's first block only;
// in training, the chain with the Flatten and Linear after it before the chain alone.
registerFusedPattern(convChain, convBlock);
registerFusedPattern(convChainDense, convChain);

/** The chain's output for x through the backend's routines (recorded where `training`), or null where a block does not take its input or the backend declines the sizes. */
function runChain(blocks: readonly ConvBlockLayers[], x: Tensor, training: boolean): Tensor | null {
  const described = describeChain(blocks, x.shape);
  if (!described) return null;
  const { kernelBlocks, shape } = described;
  if (training)
    return convChainTraining(
      x,
      blocks.map(({ conv }) => ({ weight: conv.weight, bias: conv.bias })),
      kernelBlocks,
      shape,
      (xx, ...params) => blocksAsOps(blocks, xx, params),
    );
  const xs = x.data as Float32Array;
  const fast = convChainForward.implementation(xs, kernelBlocks);
  return fast && new Tensor(fast.run(xs, kernelBlocks), shape);
}
