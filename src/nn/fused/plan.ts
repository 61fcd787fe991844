/**
 * Sequential's fusion plan: for each position, the fused block that starts
 * there (or none), found once from the layers and kept until they change.
 * Where a block declines an input, its first layer runs alone and the plan
 * is tried again from the next position.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Module } from '../module.js';
import { convBlock } from './conv-block.js';
import { denseBlock } from './dense.js';
import type { FusedBlock, FusedPattern } from './pattern.js';

/** Every pattern, tried in order at each position. */
const PATTERNS: FusedPattern[] = [denseBlock, convBlock];

/** Adds a pattern of a layer above nn/ (the int8 chain of quant/): Sequentials planned from now on try it too. */
export function registerFusedPattern(pattern: FusedPattern): void {
  if (!PATTERNS.includes(pattern)) PATTERNS.push(pattern);
}

/** The first pattern's block at layers[i], or null. */
function matchAt(layers: readonly Module[], i: number): FusedBlock | null {
  for (const pattern of PATTERNS) {
    const block = pattern.match(layers, i);
    if (block) return block;
  }
  return null;
}

/** The block starting at each position of `layers` (null: none). */
export function planFusion(layers: readonly Module[]): (FusedBlock | null)[] {
  return layers.map((_, i) => matchAt(layers, i));
}

/** Applies `layers` to x in order, each planned block as one op where it takes the input. */
export function runPlan(layers: readonly Module[], plan: readonly (FusedBlock | null)[], x: Tensor): Tensor {
  let y = x;
  for (let i = 0; i < layers.length; ) {
    const fused = plan[i]?.run(y) ?? null;
    if (fused) {
      y = fused;
      i += plan[i]!.layers;
    } else y = layers[i++].call(y);
  }
  return y;
}

/** The fused block's output for layers[i..] and how many layers it covers, or null to run layers[i] alone. */
export function fusedBlock(layers: readonly Module[], i: number, x: Tensor): { y: Tensor; layers: number } | null {
  const block = matchAt(layers, i);
  const y = block?.run(x) ?? null;
  return y && block ? { y, layers: block.layers } : null;
}
