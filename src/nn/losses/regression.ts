/**
 * Regression losses (of the difference input − target) and the L1/L2
 * penalties on parameters, with PyTorch's semantics.
 */
import { ValueError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkOptions } from '../../utils/options.js';
import { asInputDType, checkFloat, checkReduction, checkSameShape, reduce, type Reduction, type ReductionOptions } from './reduction.js';

/** A loss of each difference input − target (same shapes), then reduced. */
function differenceLoss(fn: string, input: Tensor, target: Tensor, options: ReductionOptions, ofDifference: (d: Tensor) => Tensor): Tensor {
  checkOptions(fn, options, ['reduction']);
  const reduction = checkReduction(fn, options.reduction ?? 'mean') as Reduction;
  checkFloat(fn, 'input', input);
  checkSameShape(fn, input, target);
  return reduce(ofDifference(input.sub(asInputDType(target, input))), reduction);
}

/** Mean squared error: (input − target)². */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  return differenceLoss('mseLoss', input, target, options, (d) => d.square());
}

/** Mean absolute error: |input − target|. */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  return differenceLoss('l1Loss', input, target, options, (d) => d.abs());
}

export interface HuberOptions extends ReductionOptions {
  /** Where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}

/** ½d² for |d| ≤ delta, delta·(|d| − ½delta) beyond (d = input − target). */
export function huberLoss(input: Tensor, target: Tensor, options: HuberOptions = {}): Tensor {
  checkOptions('huberLoss', options, ['reduction', 'delta']);
  const reduction = checkReduction('huberLoss', options.reduction ?? 'mean') as Reduction;
  const delta = options.delta ?? 1;
  if (!(typeof delta === 'number' && delta > 0 && Number.isFinite(delta))) throw new ValueError(`huberLoss: delta must be a positive number, got ${String(delta)}`);
  checkFloat('huberLoss', 'input', input);
  checkSameShape('huberLoss', input, target);
  const ad = input.sub(asInputDType(target, input)).abs();
  // With q = min(|d|, delta): ½q² + delta·(|d| − q) is both branches at once.
  const q = ad.clip(undefined, delta);
  return reduce(q.square().mul(0.5).add(ad.sub(q).mul(delta)), reduction);
}

export interface SmoothL1Options extends ReductionOptions {
  /** Default 1; 0 gives the L1 loss. */
  beta?: number;
}

/** Huber loss divided by beta (PyTorch's smooth_l1_loss). */
export function smoothL1Loss(input: Tensor, target: Tensor, options: SmoothL1Options = {}): Tensor {
  checkOptions('smoothL1Loss', options, ['reduction', 'beta']);
  const beta = options.beta ?? 1;
  if (!(typeof beta === 'number' && beta >= 0 && Number.isFinite(beta))) throw new ValueError(`smoothL1Loss: beta must be a number >= 0, got ${String(beta)}`);
  if (beta === 0) return l1Loss(input, target, { reduction: options.reduction });
  const h = huberLoss(input, target, { delta: beta, reduction: options.reduction });
  return beta === 1 ? h : h.div(beta);
}

// ----------------------------------------------------------- regularisers ---

function penalty(fn: string, params: Iterable<Tensor>, term: (p: Tensor) => Tensor): Tensor {
  let total: Tensor | null = null;
  for (const p of params) {
    if (!(p instanceof Tensor)) throw new ValueError(`${fn}: expected tensors, got ${typeof p}`);
    const t = term(p).sum();
    total = total ? total.add(t) : t;
  }
  return total ?? new Tensor(new Float32Array(1), []);
}

/** Σ|p| over the parameters (add λ·l1Penalty(model.parameters()) to a loss for L1 regularisation). */
export function l1Penalty(params: Iterable<Tensor>): Tensor {
  return penalty('l1Penalty', params, (p) => p.abs());
}

/** Σp² over the parameters (λ·l2Penalty adds 2λ·p to each gradient; weight decay wd equals λ = wd/2). */
export function l2Penalty(params: Iterable<Tensor>): Tensor {
  return penalty('l2Penalty', params, (p) => p.square());
}
