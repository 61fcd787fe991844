/**
 * Gradual magnitude pruning during training (Zhu & Gupta, 2017, "To prune,
 * or not to prune"): the sparsity rises from `initialSparsity` to
 * `finalSparsity` along s(t) = s_f + (s_i − s_f)·(1 − (t − t0)/(t1 − t0))^power
 * (power 3 in the paper), pruning every `frequency` optimiser steps between
 * `beginStep` t0 and `endStep` t1; the weights pruned stay zero after every
 * step, also after t1 (the fine-tuning part of the run).
 */
import { ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { Callback, TrainingContext } from '../train/callbacks.js';
import { checkOptions } from '../utils/options.js';
import { checkScope, checkSparsity, prunableWeights, PruningMasks, type PruningScope } from './magnitude.js';

export interface SparsityScheduleOptions {
  /** Sparsity at beginStep (default 0). */
  initialSparsity?: number;
  /** Sparsity reached at endStep and kept afterwards. */
  finalSparsity: number;
  /** First step that prunes (default 0). */
  beginStep?: number;
  /** Step at which finalSparsity is reached (GradualPruning's default: the last step of the fit). */
  endStep?: number;
  /** Exponent of the decay (default 3). */
  power?: number;
}

function checkStep(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new ValueError(`${where}: ${name} must be an integer >= 0, got ${String(value)}`);
  return value;
}

/** The sparsity at optimiser step `step` (0-based count of steps taken) of the polynomial schedule. */
export function polynomialSparsity(step: number, options: SparsityScheduleOptions & { endStep: number }): number {
  const who = 'polynomialSparsity';
  checkOptions(who, options, ['initialSparsity', 'finalSparsity', 'beginStep', 'endStep', 'power']);
  const si = checkSparsity(who, 'initialSparsity', options.initialSparsity ?? 0);
  const sf = checkSparsity(who, 'finalSparsity', options.finalSparsity);
  const t0 = checkStep(who, 'beginStep', options.beginStep ?? 0);
  const t1 = checkStep(who, 'endStep', options.endStep);
  const power = options.power ?? 3;
  if (typeof power !== 'number' || !(power > 0) || !Number.isFinite(power)) throw new ValueError(`${who}: power must be a finite number > 0, got ${String(power)}`);
  if (t1 < t0) throw new ValueError(`${who}: endStep (${t1}) must not come before beginStep (${t0})`);
  if (!Number.isFinite(step)) throw new ValueError(`${who}: step must be a finite number, got ${step}`);
  if (step < t0) return 0;
  if (step >= t1) return sf;
  // Written from s_i so that step t0 gives s_i exactly.
  return si + (sf - si) * (1 - (1 - (step - t0) / (t1 - t0)) ** power);
}

export interface GradualPruningOptions extends SparsityScheduleOptions {
  /** Steps between two pruning events (default 100). */
  frequency?: number;
  /** 'global' (default): one threshold over all layers; 'layer': the same sparsity in every layer. */
  scope?: PruningScope;
}

const GRADUAL_OPTIONS = ['initialSparsity', 'finalSparsity', 'beginStep', 'endStep', 'power', 'frequency', 'scope'];

/**
 * A fit callback that prunes `model` by magnitude along the polynomial
 * schedule and keeps the pruned weights zero after every optimiser step:
 *
 * ```ts
 * const pruning = new GradualPruning(model, { finalSparsity: 0.8, frequency: 50 });
 * await fit(model, data, { loss: 'crossEntropy', epochs: 5, callbacks: [pruning] });
 * removePruning(pruning.masks);
 * ```
 */
export class GradualPruning implements Callback {
  /** Runs before the other callbacks, so they (and checkpoints) see the pruned weights. */
  readonly order = -5;
  readonly masks: PruningMasks;
  readonly frequency: number;
  readonly scope: PruningScope;
  /** Optimiser steps seen so far (over every fit this callback took part in). */
  step = 0;
  private readonly schedule: SparsityScheduleOptions;
  private endStep: number | undefined;
  /** Set by loadStateDict: the masks are rebuilt from the zeros of the restored weights at the next onTrainBegin. */
  private rebuildMasks = false;

  constructor(model: Module, options: GradualPruningOptions) {
    const who = 'GradualPruning';
    if (!options || typeof options !== 'object') throw new ValueError(`${who}: options { finalSparsity } are required`);
    checkOptions(who, options, GRADUAL_OPTIONS);
    const { frequency = 100, scope = 'global', ...schedule } = options;
    if (!Number.isInteger(frequency) || frequency < 1) throw new ValueError(`${who}: frequency must be an integer >= 1, got ${String(frequency)}`);
    this.frequency = frequency;
    this.scope = checkScope(who, scope);
    // Checks the schedule's values now rather than at the first step.
    polynomialSparsity(0, { ...schedule, endStep: schedule.endStep ?? schedule.beginStep ?? 0 });
    this.schedule = schedule;
    this.endStep = schedule.endStep;
    const weights = prunableWeights(model);
    if (weights.length === 0) throw new ValueError(`${who}: the model has no Linear or convolution weights to prune`);
    this.masks = new PruningMasks(weights.map(({ name, weight }) => ({ name, weight, mask: new Uint8Array(weight.size).fill(1) })));
  }

  /** The sparsity the schedule asks for after `step` steps. */
  sparsityAt(step: number): number {
    return polynomialSparsity(step, { ...this.schedule, endStep: this.endStep ?? 0 });
  }

  onTrainBegin(ctx: TrainingContext): void {
    if (this.endStep === undefined) {
      if (ctx.batchesPerEpoch === null) throw new ValueError('GradualPruning: give endStep (the number of batches per epoch is not known in advance)');
      this.endStep = ctx.epochs * ctx.batchesPerEpoch;
      polynomialSparsity(0, { ...this.schedule, endStep: this.endStep });
    }
    if (this.rebuildMasks) {
      for (const e of this.masks.entries) e.mask = Uint8Array.from(e.weight.data, (v) => (v === 0 ? 0 : 1));
      this.rebuildMasks = false;
    }
    this.pruneIfDue();
  }

  onBatchEnd(): void {
    this.step++;
    if (!this.pruneIfDue()) this.masks.apply();
  }

  /** Prunes to the scheduled sparsity at a pruning event (every `frequency` steps from beginStep up to endStep, and at endStep); true when it did. */
  private pruneIfDue(): boolean {
    const t0 = this.schedule.beginStep ?? 0;
    const t1 = this.endStep ?? 0;
    const t = this.step;
    if (t < t0 || t > t1 || ((t - t0) % this.frequency !== 0 && t !== t1)) return false;
    this.masks.update(this.sparsityAt(t), this.scope);
    return true;
  }

  stateDict(): unknown {
    return { step: this.step, endStep: this.endStep ?? null };
  }

  loadStateDict(state: unknown): void {
    const s = state as { step?: unknown; endStep?: unknown } | null;
    if (!s || typeof s !== 'object') throw new ValueError('GradualPruning.loadStateDict: expected { step, endStep }');
    this.step = checkStep('GradualPruning.loadStateDict', 'step', s.step);
    this.endStep = s.endStep === null ? undefined : checkStep('GradualPruning.loadStateDict', 'endStep', s.endStep);
    this.rebuildMasks = true;
  }
}
