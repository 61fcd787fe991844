/**
 * The convolution block: Conv2d → ReLU (→ MaxPool2d without padding or
 * dilation) as one op, its convolution's and relu's outputs kept inside the
 * backend's kernels in the same parallel pass (in a small CNN those
 * intermediate tensors cost as much time as the convolution).
 */
import { convReluMaxPool, type ConvBlockPool } from '../../tensor/ops/conv.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ReLU } from '../layers/activation.js';
import { Conv2d } from '../layers/conv.js';
import { MaxPool2d } from '../layers/pooling.js';
import type { FusedPattern } from './pattern.js';

export const convBlock: FusedPattern = {
  name: 'conv',
  match(layers, i) {
    // Exact classes only: a subclass may override forward.
    const conv = layers[i];
    if (conv?.constructor !== Conv2d || layers[i + 1]?.constructor !== ReLU) return null;
    const next = layers[i + 2];
    const maxPool = next?.constructor === MaxPool2d ? (next as MaxPool2d) : null;
    const poolFits = maxPool !== null && maxPool.padding[0] === 0 && maxPool.padding[1] === 0 && maxPool.dilation[0] === 1 && maxPool.dilation[1] === 1;
    const pool = poolFits ? { kernelSize: maxPool.kernelSize, stride: maxPool.stride } : null;
    return { layers: poolFits ? 3 : 2, run: (x) => convReluPool(conv as Conv2d, x, pool) };
  },
};

/** The block on x, or null where the backend has no fused convolution or x or the layer does not suit it. */
function convReluPool(conv: Conv2d, x: Tensor, pool: ConvBlockPool | null): Tensor | null {
  const [top, bottom, left, right] = conv.pads;
  if (x.ndim !== 4 || x.dtype !== conv.dtype || x.shape[1] !== conv.inChannels || conv.groups !== 1 || top !== bottom || left !== right) return null;
  const [kh, kw] = conv.kernelSize;
  if (x.shape[2] + 2 * top < conv.dilation[0] * (kh - 1) + 1 || x.shape[3] + 2 * left < conv.dilation[1] * (kw - 1) + 1) return null;
  return convReluMaxPool(x, conv.weight, conv.bias, { stride: conv.stride, padding: [top, left], dilation: conv.dilation }, pool);
}
