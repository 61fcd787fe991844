/**
 * FixMatch's own optimisation recipe, as options of fitFixMatch:
 *
 * - `optimizer: 'sgd-nesterov'`: SGD with momentum 0.9 and Nesterov's
 *   correction (lr 0.03 unless given);
 * - `weightDecay`: an L2 term on the weights (parameters of two or more
 *   dimensions: kernels and matrices), not on biases;
 * - `lrSchedule: 'cosine'`: lr_k = lr · cos(7πk / 16K) at step k of K, over
 *   the whole run (the lr ends at cos(7π/16) ≈ 0.2 of its start).
 */
import { ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { Optimizer } from '../optim/optimizer.js';
import { createOptimizer, SGD } from '../optim/optimizers.js';
import type { Tensor } from '../tensor/tensor.js';
import { resolveOptimizer } from './fit.js';

export type LrSchedule = 'constant' | 'cosine';

/** The optimiser of a FixMatch run: one given, or one made by name with decay on the weights only. */
export function fixMatchOptimizer(model: Module, options: { optimizer?: Optimizer | string; lr?: number; weightDecay?: number }, who: string): Optimizer {
  const weightDecay = options.weightDecay;
  if (weightDecay !== undefined && !(typeof weightDecay === 'number' && weightDecay >= 0 && Number.isFinite(weightDecay))) {
    throw new ValueError(`${who}: weightDecay must be a finite number >= 0, got ${String(weightDecay)}`);
  }
  if (options.optimizer instanceof Optimizer || (weightDecay === undefined && options.optimizer !== 'sgd-nesterov')) {
    if (options.optimizer instanceof Optimizer && weightDecay !== undefined) throw new ValueError(`${who}: give weightDecay to the optimizer you construct, not to ${who}`);
    return resolveOptimizer(model, options, who);
  }
  const params = model.parameters();
  if (params.length === 0) throw new ValueError(`${who}: the model has no parameters to train`);
  const decayed: Tensor[] = [],
    plain: Tensor[] = [];
  for (const p of params) (weightDecay && p.ndim >= 2 ? decayed : plain).push(p);
  const [first, firstDecay, rest] = decayed.length > 0 ? [decayed, weightDecay, plain] : [plain, 0, []];
  const optimizer =
    options.optimizer === 'sgd-nesterov'
      ? (new SGD(first, { lr: options.lr ?? 0.03, momentum: 0.9, nesterov: true, weightDecay: firstDecay }) as unknown as Optimizer)
      : createOptimizer(options.optimizer ?? 'adam', first, { ...(options.lr !== undefined ? { lr: options.lr } : {}), weightDecay: firstDecay });
  if (rest.length > 0) optimizer.addParamGroup({ params: rest, weightDecay: 0 });
  return optimizer;
}

/** Sets every group's lr before each step: constant, or FixMatch's cosine decay over `totalSteps`. */
export class FixMatchLrSchedule {
  private readonly baseLrs: number[];

  constructor(
    private readonly optimizer: Optimizer,
    readonly kind: LrSchedule,
    readonly totalSteps: number,
  ) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of step `step` (0-based) of the run. */
  beforeStep(step: number): void {
    if (this.kind === 'constant') return;
    const factor = Math.cos((7 * Math.PI * step) / (16 * this.totalSteps));
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.baseLrs[i] * factor));
  }
}

export function checkLrSchedule(value: unknown, who: string): LrSchedule {
  if (value !== 'constant' && value !== 'cosine') throw new ValueError(`${who}: lrSchedule must be 'constant' or 'cosine', got ${String(value)}`);
  return value;
}
