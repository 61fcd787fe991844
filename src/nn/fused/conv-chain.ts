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
 * Registered when this module is loaded (frugal-ml in Node.js, frugal-ml/all
 * in a browser), to keep the browser's core entry small; the core's
 * Sequential then runs the blocks one by one.
 */
import { needsGrad } from '../../autograd/graph.js';
import { convChainForward, type ConvChainBlock } from '../../backend/routines/conv-chain.js';
import { conv2d, convGeometry, maxPool2d, poolGeometry } from '../../tensor/ops/conv.js';
import { convChainTraining } from '../../tensor/ops/conv-chain.js';
import { relu } from '../../tensor/ops/elementwise.js';
import { Tensor } from '../../tensor/tensor.js';
import { convBlock, convBlockOptions, convBlockTakes, matchConvBlock, type ConvBlockLayers } from './conv-block.js';
import { registerFusedPattern } from './plan.js';
import type { FusedPattern } from './pattern.js';
import type { Module } from '../module.js';

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

/** The convolution blocks of a chain starting at layers[i] (two or more), or null. */
export function matchChainBlocks(layers: readonly Module[], i: number): ConvBlockLayers[] | null {
  const blocks: ConvBlockLayers[] = [];
  for (let at = i, block = matchConvBlock(layers, at); block; block = matchConvBlock(layers, at)) {
    blocks.push(block);
    at += block.layers;
  }
  return blocks.length < 2 ? null : blocks;
}

/** How many layers the chain's blocks cover. */
export function chainLayers(blocks: readonly ConvBlockLayers[]): number {
  return blocks.reduce((sum, b) => sum + b.layers, 0);
}

/** The chain's weights and biases in block order (the op's inputs after x). */
export function chainParams(blocks: readonly ConvBlockLayers[]): Tensor[] {
  return blocks.flatMap(({ conv }) => (conv.bias ? [conv.weight, conv.bias] : [conv.weight]));
}

// Tried before the single block, which covers the chain's first block only.
registerFusedPattern(convChain, convBlock);

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

/** The kernels' description of the blocks on an input of this shape, and the chain's output shape; null where a block does not take its input. */
export function describeChain(blocks: readonly ConvBlockLayers[], inputShape: readonly number[]): { kernelBlocks: ConvChainBlock[]; shape: number[] } | null {
  const kernelBlocks: ConvChainBlock[] = [];
  let shape = [...inputShape];
  for (const { conv, pool } of blocks) {
    if (!convBlockTakes(conv, shape, 'float32')) return null;
    const g = convGeometry(shape, conv.weight.shape, convBlockOptions(conv));
    let pg: ConvChainBlock['epilogue']['pool'] = null;
    if (pool) {
      const [kh, kw] = typeof pool.kernelSize === 'number' ? [pool.kernelSize, pool.kernelSize] : pool.kernelSize;
      if (g.ho < kh || g.wo < kw) return null; // no window fits: the pooling layer reports it
      pg = poolGeometry('maxPool2d', [g.n, g.o, g.ho, g.wo], pool.kernelSize, { stride: pool.stride });
    }
    kernelBlocks.push({ g, weight: conv.weight.data as Float32Array, bias: (conv.bias?.data as Float32Array) ?? null, epilogue: { relu: true, pool: pg } });
    shape = pg ? [g.n, g.o, pg.ho, pg.wo] : [g.n, g.o, g.ho, g.wo];
  }
  return { kernelBlocks, shape };
}

/** The blocks as ordinary recorded ops on x, with the weights and biases `params` (in block order): what gradients of gradients differentiate. */
export function blocksAsOps(blocks: readonly ConvBlockLayers[], x: Tensor, params: Tensor[]): Tensor {
  let y = x;
  let p = 0;
  for (const { conv, pool } of blocks) {
    const weight = params[p++];
    const bias = conv.bias ? params[p++] : null;
    y = relu(conv2d(y, weight, bias, convBlockOptions(conv)));
    if (pool) y = maxPool2d(y, pool.kernelSize, { stride: pool.stride });
  }
  return y;
}
