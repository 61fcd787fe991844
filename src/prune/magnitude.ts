/**
 * Unstructured magnitude pruning: the smallest weights (by |w|) of the
 * Linear and convolution layers are set to zero and kept there. Masks are
 * applied by zeroing the weights themselves (no forward-time mask, so the
 * fast inference kernels run unchanged); `PruningMasks.apply()` zeroes them
 * again after each optimiser step, which `GradualPruning` does during fit.
 */
import { ValueError } from '../errors.js';
import { Conv1d, Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import type { Module, Parameter } from '../nn/module.js';
import { checkOptions } from '../utils/options.js';

/** 'layer': each layer loses the same fraction of its weights; 'global': one threshold over all of them. */
export type PruningScope = 'layer' | 'global';

/** One pruned weight: where it is, and which of its entries are kept (1) or pruned (0). */
export interface PrunedWeight {
  /** Dotted parameter name ('0.weight'). */
  readonly name: string;
  readonly weight: Parameter;
  mask: Uint8Array;
}

/** The weights that unstructured pruning touches: those of Linear, Conv1d and Conv2d layers (biases are left alone). */
export function prunableWeights(model: Module): { name: string; weight: Parameter }[] {
  const out: { name: string; weight: Parameter }[] = [];
  for (const [name, m] of model.namedModules()) {
    if (m instanceof Linear || m instanceof Conv1d || m instanceof Conv2d) out.push({ name: name ? `${name}.weight` : 'weight', weight: m.weight });
  }
  return out;
}

/** Checks a sparsity (fraction of weights pruned) in [0, 1). */
export function checkSparsity(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new ValueError(`${where}: ${name} must be a number in [0, 1), got ${String(value)}`);
  return value;
}

export function checkScope(where: string, scope: unknown): PruningScope {
  if (scope !== 'layer' && scope !== 'global') throw new ValueError(`${where}: scope must be 'layer' or 'global', got ${String(scope)}`);
  return scope;
}

/** Masks that prune `sparsity` of the weights with the smallest magnitudes, per layer or over all of them. */
export function magnitudeMasks(weights: readonly Parameter[], sparsity: number, scope: PruningScope): Uint8Array[] {
  const masks = weights.map((w) => new Uint8Array(w.size).fill(1));
  const groups = scope === 'global' ? [weights.map((_, i) => i)] : weights.map((_, i) => [i]);
  for (const group of groups) {
    const total = group.reduce((n, i) => n + weights[i].size, 0);
    const pruned = Math.round(sparsity * total);
    if (pruned === 0) continue;
    const magnitudes = new Float64Array(total);
    let at = 0;
    for (const i of group) for (const v of weights[i].data) magnitudes[at++] = Math.abs(v);
    // The pruned-th smallest magnitude is the threshold; of the weights equal to it, the first ones (in order) go.
    const threshold = magnitudes.slice().sort()[pruned - 1];
    let below = 0;
    for (const m of magnitudes) if (m < threshold) below++;
    let ties = pruned - below;
    at = 0;
    for (const i of group) {
      const mask = masks[i];
      for (let j = 0; j < mask.length; j++, at++) {
        const m = magnitudes[at];
        if (m < threshold || (m === threshold && ties-- > 0)) mask[j] = 0;
      }
    }
  }
  return masks;
}

/**
 * The masks of a pruned model. `apply()` zeroes the pruned weights (call it
 * after each optimiser step, or let `GradualPruning` do it);
 * `removePruning(masks)` forgets them, leaving the zeros in place.
 */
export class PruningMasks {
  readonly entries: PrunedWeight[];

  constructor(entries: PrunedWeight[]) {
    for (const e of entries) {
      if (!(e.mask instanceof Uint8Array) || e.mask.length !== e.weight.size) {
        throw new ValueError(`PruningMasks: the mask of '${e.name}' must be a Uint8Array of ${e.weight.size} entries`);
      }
    }
    this.entries = entries;
  }

  /** Zeroes every pruned weight (and tells the resident kernels the weights changed). */
  apply(): void {
    for (const { weight, mask } of this.entries) {
      const d = weight.data;
      let changed = false;
      for (let i = 0; i < mask.length; i++) {
        if (mask[i] === 0 && d[i] !== 0) {
          d[i] = 0;
          changed = true;
        }
      }
      if (changed) weight.markModified();
    }
  }

  /** Fraction of the masked weights that are pruned, over all layers. */
  sparsity(): number {
    let pruned = 0,
      total = 0;
    for (const { mask } of this.entries) {
      for (let i = 0; i < mask.length; i++) pruned += 1 - mask[i];
      total += mask.length;
    }
    return total === 0 ? 0 : pruned / total;
  }

  /** Fraction pruned per weight, by parameter name. */
  layerSparsity(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { name, mask } of this.entries) {
      let pruned = 0;
      for (let i = 0; i < mask.length; i++) pruned += 1 - mask[i];
      out[name] = mask.length === 0 ? 0 : pruned / mask.length;
    }
    return out;
  }

  /** Recomputes every mask to prune `sparsity` of the weights by magnitude, then applies them. */
  update(sparsity: number, scope: PruningScope): void {
    const masks = magnitudeMasks(
      this.entries.map((e) => e.weight),
      sparsity,
      scope,
    );
    this.entries.forEach((e, i) => (e.mask = masks[i]));
    this.apply();
  }
}

export interface MagnitudePruneOptions {
  /** Fraction of the weights to prune, in [0, 1). */
  amount: number;
  /** 'layer' (default): each layer loses `amount` of its weights; 'global': the smallest weights over all layers. */
  scope?: PruningScope;
}

/**
 * Prunes `amount` of the Linear / Conv1d / Conv2d weights of `model` by
 * magnitude, in place, and returns the masks (to keep the zeros through
 * fine-tuning: `masks.apply()` after each step, or fit with `GradualPruning`).
 */
export function magnitudePrune(model: Module, options: MagnitudePruneOptions): PruningMasks {
  const who = 'magnitudePrune';
  if (!options || typeof options !== 'object') throw new ValueError(`${who}: options { amount } are required`);
  checkOptions(who, options, ['amount', 'scope']);
  const amount = checkSparsity(who, 'amount', options.amount);
  const scope = checkScope(who, options.scope ?? 'layer');
  const masks = new PruningMasks(prunableWeights(model).map(({ name, weight }) => ({ name, weight, mask: new Uint8Array(weight.size).fill(1) })));
  if (masks.entries.length === 0) throw new ValueError(`${who}: the model has no Linear or convolution weights to prune`);
  masks.update(amount, scope);
  return masks;
}

/** Makes pruning permanent: the pruned weights stay zero, and nothing keeps them zero any more. */
export function removePruning(masks: PruningMasks): void {
  if (!(masks instanceof PruningMasks)) throw new ValueError('removePruning: expected the PruningMasks that magnitudePrune or GradualPruning gave');
  masks.apply();
  masks.entries.length = 0;
}
