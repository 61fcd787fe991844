/**
 * The convolution chain: two or more convolution blocks in a row (a CNN's
 * feature extractor) as one call of the backend's convChainForward routine
 * when nothing is recorded (inference: predict, evaluate). Each sample then
 * goes through every block on one thread, the blocks' outputs staying in the
 * backend's memory, where block by block each would be copied out and back
 * in. The output equals the blocks' one by one to the bit (the same kernels
 * on each sample). While gradients are recorded, or where the backend has no
 * chain or the input does not suit it, the chain declines and the blocks run
 * one by one (the plan's next pattern at this position is the single block).
 *
 * Registered when this module is loaded (frugal-ml in Node.js, frugal-ml/all
 * in a browser), to keep the browser's core entry small; the core's
 * Sequential then runs the blocks one by one.
 */
import { needsGrad } from '../../autograd/graph.js';
import { convChainForward, type ConvChainBlock } from '../../backend/routines/conv-chain.js';
import { convGeometry, poolGeometry } from '../../tensor/ops/conv.js';
import { Tensor } from '../../tensor/tensor.js';
import { convBlock, convBlockOptions, convBlockTakes, matchConvBlock, type ConvBlockLayers } from './conv-block.js';
import { registerFusedPattern } from './plan.js';
import type { FusedPattern } from './pattern.js';

export const convChain: FusedPattern = {
  name: 'conv-chain',
  match(layers, i) {
    const blocks: ConvBlockLayers[] = [];
    for (let at = i, block = matchConvBlock(layers, at); block; block = matchConvBlock(layers, at)) {
      blocks.push(block);
      at += block.layers;
    }
    if (blocks.length < 2) return null;
    const params = blocks.flatMap(({ conv }) => (conv.bias ? [conv.weight, conv.bias] : [conv.weight]));
    return {
      layers: blocks.reduce((sum, b) => sum + b.layers, 0),
      run: (x) => (x.dtype === 'float32' && !needsGrad([x, ...params]) && convChainForward.available() ? chainInference(blocks, x) : null),
    };
  },
};

// Tried before the single block, which covers the chain's first block only.
registerFusedPattern(convChain, convBlock);

/** The chain's output for x through the backend's routine, or null where a block does not take its input or the backend's chain declines the sizes. */
function chainInference(blocks: readonly ConvBlockLayers[], x: Tensor): Tensor | null {
  const kernelBlocks: ConvChainBlock[] = [];
  let shape = x.shape;
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
  const xs = x.data as Float32Array;
  const fast = convChainForward.implementation(xs, kernelBlocks);
  return fast && new Tensor(fast.run(xs, kernelBlocks), shape);
}
