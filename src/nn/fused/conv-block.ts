/**
 * The convolution block: Conv2d → ReLU (→ MaxPool2d without padding or
 * dilation) as one op, its convolution's and relu's outputs kept inside the
 * backend's kernels in the same parallel pass (in a small CNN those
 * intermediate tensors cost as much time as the convolution).
 */
import { convReluMaxPool, type ConvBlockPool } from '../../tensor/ops/conv.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Module } from '../module.js';
import { ReLU } from '../layers/activation.js';
import { Conv2d } from '../layers/conv.js';
import { MaxPool2d } from '../layers/pooling.js';
import type { FusedPattern } from './pattern.js';

/** A convolution block found in a Sequential's layers: its Conv2d, its pooling (null: none) and how many layers it covers (2 or 3). */
export interface ConvBlockLayers {
  readonly conv: Conv2d;
  readonly pool: ConvBlockPool | null;
  readonly layers: number;
}

/** The convolution block starting at layers[i], or null where the layers do not form one. */
export function matchConvBlock(layers: readonly Module[], i: number): ConvBlockLayers | null {
  // Exact classes only: a subclass may override forward.
  const conv = layers[i];
  if (conv?.constructor !== Conv2d || layers[i + 1]?.constructor !== ReLU) return null;
  const next = layers[i + 2];
  const maxPool = next?.constructor === MaxPool2d ? (next as MaxPool2d) : null;
  const poolFits = maxPool !== null && maxPool.padding[0] === 0 && maxPool.padding[1] === 0 && maxPool.dilation[0] === 1 && maxPool.dilation[1] === 1;
  const pool = poolFits ? { kernelSize: maxPool.kernelSize, stride: maxPool.stride } : null;
  return { conv: conv as Conv2d, pool, layers: poolFits ? 3 : 2 };
}

export const convBlock: FusedPattern = {
  name: 'conv',
  match(layers, i) {
    const block = matchConvBlock(layers, i);
    return block && { layers: block.layers, run: (x) => convReluPool(block.conv, x, block.pool) };
  },
};

/** Whether the block's convolution takes an input of this shape and dtype: 4-D of the layer's dtype and channels, groups 1, symmetric padding, a window that fits. */
export function convBlockTakes(conv: Conv2d, shape: readonly number[], dtype: string): boolean {
  const [top, bottom, left, right] = conv.pads;
  if (shape.length !== 4 || dtype !== conv.dtype || shape[1] !== conv.inChannels || conv.groups !== 1 || top !== bottom || left !== right) return false;
  const [kh, kw] = conv.kernelSize;
  return shape[2] + 2 * top >= conv.dilation[0] * (kh - 1) + 1 && shape[3] + 2 * left >= conv.dilation[1] * (kw - 1) + 1;
}

/** The convolution's options for the ops (symmetric padding: convBlockTakes). */
export function convBlockOptions(conv: Conv2d): { stride: [number, number]; padding: [number, number]; dilation: [number, number] } {
  return { stride: conv.stride, padding: [conv.pads[0], conv.pads[2]], dilation: conv.dilation };
}

/** The block on x, or null where the backend has no fused convolution or x or the layer does not suit it. */
function convReluPool(conv: Conv2d, x: Tensor, pool: ConvBlockPool | null): Tensor | null {
  if (!convBlockTakes(conv, x.shape, x.dtype)) return null;
  return convReluMaxPool(x, conv.weight, conv.bias, convBlockOptions(conv), pool);
}
