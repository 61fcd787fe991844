/**
 * Runs of layers that Sequential computes as one fused op, with the same
 * result as the layers one by one (tests compare them):
 * - Conv2d → ReLU (→ MaxPool2d): keeps the convolution's output and the
 *   relu's inside the backend's kernels, in the same parallel pass (in a
 *   small CNN those intermediate tensors cost as much time as the
 *   convolution);
 * - Linear (→ ReLU), repeated: when inferring on a few rows, one call into
 *   the small kernels, which keep the weights resident; otherwise (training
 *   a small MLP) one op whose forward and backward are one call each.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Module } from '../module.js';
import { ReLU } from './activation.js';
import { Conv2d } from './conv.js';
import { denseChain, denseInference, type DenseStep } from './fused.js';
import { Linear } from './linear.js';
import { MaxPool2d } from './pooling.js';

/** The fused block's output for layers[i..] and how many layers it covers, or null to run layers[i] alone. */
export function fusedBlock(layers: readonly Module[], i: number, x: Tensor): { y: Tensor; layers: number } | null {
  // Exact classes only: a subclass may override forward.
  return layers[i]?.constructor === Linear ? denseBlock(layers, i, x) : convBlock(layers, i, x);
}

function convBlock(layers: readonly Module[], i: number, x: Tensor): { y: Tensor; layers: number } | null {
  const conv = layers[i];
  if (conv?.constructor !== Conv2d || layers[i + 1]?.constructor !== ReLU) return null;
  const next = layers[i + 2];
  const pool = next?.constructor === MaxPool2d ? (next as MaxPool2d) : null;
  const poolFits = pool !== null && pool.padding[0] === 0 && pool.padding[1] === 0 && pool.dilation[0] === 1 && pool.dilation[1] === 1;
  const y = (conv as Conv2d).forwardReluMaxPool(x, poolFits ? { kernelSize: pool.kernelSize, stride: pool.stride } : null);
  return y ? { y, layers: poolFits ? 3 : 2 } : null;
}

/** A run of Linear layers, each optionally followed by ReLU, as one op. */
function denseBlock(layers: readonly Module[], i: number, x: Tensor): { y: Tensor; layers: number } | null {
  const run: DenseStep[] = [];
  let j = i;
  for (; j < layers.length && layers[j].constructor === Linear; j++) {
    const { weight, bias } = layers[j] as Linear;
    const relu = layers[j + 1]?.constructor === ReLU;
    run.push({ weight, bias, relu });
    if (relu) j++;
  }
  const y = denseInference(x, run) ?? denseChain(x, run);
  return y ? { y, layers: j - i } : null;
}
