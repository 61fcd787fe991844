/**
 * A convolution chain's blocks as Sequential's layers hold them: finding
 * them (two or more Conv → ReLU (→ MaxPool) blocks in a row), describing
 * them to the kernels for an input shape, and running them as ordinary ops
 * (what gradients of gradients differentiate). Shared by the chain's fused
 * patterns (conv-chain.ts, conv-chain-dense.ts).
 */
import type { ConvChainBlock } from '../../backend/routines/conv-chain.js';
import { conv2d, convGeometry, maxPool2d, poolGeometry } from '../../tensor/ops/conv.js';
import { relu } from '../../tensor/ops/elementwise.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Module } from '../module.js';
import { convBlockOptions, convBlockTakes, matchConvBlock, type ConvBlockLayers } from './conv-block.js';

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
