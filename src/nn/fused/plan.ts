/**
 * Sequential's fusion plan: for each position, the fused blocks that start
 * there (in pattern order; none for most positions), found once from the
 * layers and kept until they change. At each position the first block that
 * takes the input runs; where every block declines it, the position's layer
 * runs alone and the plan is tried again from the next position.
 */
import type { Tensor } from '../../tensor/tensor.js';
import type { Module } from '../module.js';
import { convBlock } from './conv-block.js';
import { denseBlock } from './dense.js';
import type { FusedBlock, FusedPattern } from './pattern.js';

/** Every pattern, tried in order at each position. */
const PATTERNS: FusedPattern[] = [denseBlock, convBlock];

/**
 * Adds a pattern kept out of the browser's core entry (the int8 chain of
 * quant/, the float32 conv chain), tried after the others or just before
 * `before`: Sequentials planned from now on try it too.
 */
export function registerFusedPattern(pattern: FusedPattern, before?: FusedPattern): void {
  if (PATTERNS.includes(pattern)) return;
  const at = before ? PATTERNS.indexOf(before) : -1;
  if (at < 0) PATTERNS.push(pattern);
  else PATTERNS.splice(at, 0, pattern);
}

/** Every pattern's block at layers[i], in pattern order. */
function matchesAt(layers: readonly Module[], i: number): FusedBlock[] {
  const blocks: FusedBlock[] = [];
  for (const pattern of PATTERNS) {
    const block = pattern.match(layers, i);
    if (block) blocks.push(block);
  }
  return blocks;
}

/** The blocks starting at each position of `layers` (empty: none). */
export function planFusion(layers: readonly Module[]): FusedBlock[][] {
  return layers.map((_, i) => matchesAt(layers, i));
}

/** The first of `blocks` that takes x: its output and how many layers it covers, or null. */
function firstTaking(blocks: readonly FusedBlock[], x: Tensor): { y: Tensor; layers: number } | null {
  for (const block of blocks) {
    const y = block.run(x);
    if (y) return { y, layers: block.layers };
  }
  return null;
}

/** Applies `layers` to x in order, a planned block as one op where one takes the input. */
export function runPlan(layers: readonly Module[], plan: readonly (readonly FusedBlock[])[], x: Tensor): Tensor {
  let y = x;
  for (let i = 0; i < layers.length; ) {
    // Plain loops, nothing allocated: a one-row inference through the dense block takes a few microseconds in all.
    const blocks = plan[i];
    let fused: Tensor | null = null;
    let b = 0;
    for (; b < blocks.length && !fused; b++) fused = blocks[b].run(y);
    if (fused) {
      y = fused;
      i += blocks[b - 1].layers;
    } else y = layers[i++].call(y);
  }
  return y;
}

/** The fused block's output for layers[i..] and how many layers it covers, or null to run layers[i] alone. */
export function fusedBlock(layers: readonly Module[], i: number, x: Tensor): { y: Tensor; layers: number } | null {
  return firstTaking(matchesAt(layers, i), x);
}
