/**
 * A fused pattern: a run of layers that Sequential computes as one op, with
 * the result of the layers one by one (tests compare them). `match` looks at
 * the layers once, when Sequential plans its fusion; the block it returns
 * runs on each call and may still decline an input (dtype, sizes, a backend
 * without the kernels), which then goes through the layers one by one.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Module } from '../module.js';

export interface FusedBlock {
  /** How many layers the block covers. */
  readonly layers: number;
  /** The block's output for x, or null to run the layers one by one. */
  run(x: Tensor): Tensor | null;
}

export interface FusedPattern {
  readonly name: string;
  /** The block of this pattern starting at layers[i], or null where the layers do not form one. */
  match(layers: readonly Module[], i: number): FusedBlock | null;
}
