/**
 * Runs of layers that Sequential computes as one fused op: Conv2d → ReLU
 * (→ MaxPool2d). The fused op gives the same result as the layers one by one
 * (tests compare them), but keeps the convolution's output and the relu's
 * inside the backend's kernels, in the same parallel pass: in a small CNN
 * those intermediate tensors cost as much time as the convolution.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Module } from '../module.js';
import { ReLU } from './activation.js';
import { Conv2d } from './conv.js';
import { MaxPool2d } from './pooling.js';

/** The fused block's output for layers[i..] and how many layers it covers, or null to run layers[i] alone. */
export function fusedBlock(layers: readonly Module[], i: number, x: Tensor): { y: Tensor; layers: number } | null {
  // Exact classes only: a subclass may override forward.
  const conv = layers[i];
  if (conv?.constructor !== Conv2d || layers[i + 1]?.constructor !== ReLU) return null;
  const next = layers[i + 2];
  const pool = next?.constructor === MaxPool2d ? (next as MaxPool2d) : null;
  const poolFits = pool !== null && pool.padding[0] === 0 && pool.padding[1] === 0 && pool.dilation[0] === 1 && pool.dilation[1] === 1;
  const y = (conv as Conv2d).forwardReluMaxPool(x, poolFits ? { kernelSize: pool.kernelSize, stride: pool.stride } : null);
  return y ? { y, layers: poolFits ? 3 : 2 } : null;
}
