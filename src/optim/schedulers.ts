/**
 * Learning-rate schedules with PyTorch's formulas (including its recursive
 * "chainable" forms, so the sequences match torch.optim.lr_scheduler to
 * rounding). A scheduler changes `optimizer.paramGroups[i].lr`; call
 * `step()` once per epoch (OneCycleLR: once per batch), after
 * `optimizer.step()`.
 */
import { checkOptions } from '../utils/options.js';
import { ValueError } from '../errors.js';
import type { Optimizer, ParamGroup } from './optimizer.js';
import { checkBool, checkInteger, checkNumber } from './optimizer.js';

/** What `stateDict()` of any scheduler returns (JSON values only). */
export interface SchedulerState {
  kind: string;
  [key: string]: unknown;
}

type AnyOptimizer = Optimizer<{ lr: number }>;

function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** The base of the epoch-indexed schedules (PyTorch's LRScheduler). */
export abstract class LRScheduler {
  /** Number of `step()` calls so far minus one (0 after construction). */
  lastEpoch = -1;
  /** Each group's lr when the schedule started. */
  baseLrs: number[] = [];
  private lastLrs: number[] = [];

  /** `options` are the subclass's, checked against its `validKeys`. */
  constructor(
    readonly optimizer: AnyOptimizer,
    readonly kind: string,
    options: unknown,
    validKeys: readonly string[],
  ) {
    if (!optimizer || !Array.isArray((optimizer as { paramGroups?: unknown }).paramGroups)) {
      throw new ValueError(`${kind}: expected an optimizer, got ${String(optimizer)}`);
    }
    checkOptions(kind, options, validKeys);
  }

  /** Subclasses call this at the end of their constructor (their fields must exist first). */
  protected start(): void {
    for (const g of this.optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.initialLr as number);
    this.step();
  }

  /** The learning rates for `lastEpoch` (which step() has just advanced). */
  protected abstract computeLr(): number[];

  /** Advances the schedule by one epoch (or batch) and sets the groups' lr. */
  step(): void {
    this.lastEpoch++;
    const lrs = this.computeLr();
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLrs = lrs;
  }

  /** The learning rates the last step set, one per group. */
  getLastLr(): number[] {
    return [...this.lastLrs];
  }

  protected get groups(): ParamGroup[] {
    return this.optimizer.paramGroups;
  }

  stateDict(): SchedulerState {
    return { kind: this.kind, lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLrs: [...this.lastLrs] };
  }

  /** Restores the position in the schedule (the optimiser's state restores the groups' current lr). */
  loadStateDict(state: SchedulerState): void {
    if (!state || state.kind !== this.kind) throw new ValueError(`${this.kind}.loadStateDict: the state was saved by ${state?.kind}`);
    const { lastEpoch, baseLrs, lastLrs } = state as unknown as { lastEpoch: number; baseLrs: number[]; lastLrs: number[] };
    const isLr = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1 || !Array.isArray(baseLrs) || baseLrs.length !== this.groups.length || !baseLrs.every(isLr)) {
      throw new ValueError(`${this.kind}.loadStateDict: malformed state (lastEpoch ${lastEpoch}, base lrs ${JSON.stringify(baseLrs)} for ${this.groups.length} groups)`);
    }
    if (lastLrs !== undefined && (!Array.isArray(lastLrs) || !lastLrs.every(isLr))) {
      throw new ValueError(`${this.kind}.loadStateDict: malformed last lrs ${JSON.stringify(lastLrs)}`);
    }
    this.lastEpoch = lastEpoch;
    this.baseLrs = [...baseLrs];
    this.lastLrs = Array.isArray(lastLrs) ? [...lastLrs] : [];
  }
}

/**
 * The schedules that multiply the lr by a factor at each step (1 where they
 * leave it alone): StepLR, MultiStepLR and ExponentialLR, which differ only
 * in where the factor `gamma` applies.
 */
abstract class GammaDecayLR extends LRScheduler {
  readonly gamma: number;
  /** `gamma` is read from `options` (checked >= 0), `defaultGamma` when it is left out. */
  constructor(optimizer: AnyOptimizer, kind: string, options: { gamma?: number } | undefined, validKeys: readonly string[], defaultGamma?: number) {
    super(optimizer, kind, options, validKeys);
    const gamma = options?.gamma ?? defaultGamma;
    checkNumber(kind, 'gamma', gamma, 0);
    this.gamma = gamma as number;
  }
  /** The factor that takes the lr of the previous step to that of `lastEpoch`. */
  protected abstract factor(): number;
  protected computeLr(): number[] {
    const f = this.factor();
    return this.groups.map((g) => g.lr * f);
  }
}

/** Multiplies the lr by `gamma` every `stepSize` epochs. */
export class StepLR extends GammaDecayLR {
  readonly stepSize: number;
  constructor(optimizer: AnyOptimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer, 'StepLR', options, ['stepSize', 'gamma'], 0.1);
    const { stepSize } = options ?? ({} as { stepSize: number });
    checkInteger('StepLR', 'stepSize', stepSize, 1);
    this.stepSize = stepSize;
    this.start();
  }
  protected factor(): number {
    return this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0 ? 1 : this.gamma;
  }
}

/** Multiplies the lr by `gamma` at each of the given epochs. */
export class MultiStepLR extends GammaDecayLR {
  readonly milestones: number[];
  constructor(optimizer: AnyOptimizer, options: { milestones: number[]; gamma?: number }) {
    super(optimizer, 'MultiStepLR', options, ['milestones', 'gamma'], 0.1);
    const { milestones } = options ?? ({} as { milestones: number[] });
    if (!Array.isArray(milestones) || milestones.some((m) => !Number.isInteger(m) || m < 1)) {
      throw new ValueError(`MultiStepLR: milestones must be a list of integers >= 1, got ${String(milestones)}`);
    }
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.start();
  }
  protected factor(): number {
    // A milestone listed h times multiplies by gamma^h (gamma^0 = 1 exactly).
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    return Math.pow(this.gamma, hits);
  }
}

/** Multiplies the lr by `gamma` every epoch. */
export class ExponentialLR extends GammaDecayLR {
  constructor(optimizer: AnyOptimizer, options: { gamma: number }) {
    super(optimizer, 'ExponentialLR', options, ['gamma']);
    this.start();
  }
  protected factor(): number {
    return this.lastEpoch === 0 ? 1 : this.gamma;
  }
}

/** Cosine annealing from the initial lr to `etaMin` over `tMax` epochs (and back, periodically), as PyTorch computes it. */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: AnyOptimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer, 'CosineAnnealingLR', options, ['tMax', 'etaMin']);
    const { tMax, etaMin = 0 } = options ?? ({} as { tMax: number });
    checkInteger('CosineAnnealingLR', 'tMax', tMax, 1);
    checkNumber('CosineAnnealingLR', 'etaMin', etaMin, 0);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.start();
  }
  protected computeLr(): number[] {
    const t = this.lastEpoch,
      T = this.tMax,
      eta = this.etaMin;
    if (t === 0) return this.groups.map((g) => g.lr);
    if (pyMod(t - 1 - T, 2 * T) === 0) {
      return this.groups.map((g, i) => g.lr + ((this.baseLrs[i] - eta) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groups.map((g) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (g.lr - eta) + eta);
  }
}

export interface OneCycleOptions {
  /** Peak lr (one per group, or one for all). */
  maxLr: number | number[];
  /** Total number of steps; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Share of the cycle spent increasing the lr (default 0.3). */
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (or Adam's beta1) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  /** initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** min lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Use a third phase that anneals to min lr (fast.ai's schedule); default false. */
  threePhase?: boolean;
}

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/** The 1cycle policy (Smith & Topin), stepped once per batch. */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  private readonly phases: Phase[];
  private readonly anneal: (start: number, end: number, pct: number) => number;
  readonly cycleMomentum: boolean;
  private readonly useBeta1: boolean;

  constructor(optimizer: AnyOptimizer, options: OneCycleOptions) {
    super(optimizer, 'OneCycleLR', options, [
      'maxLr',
      'totalSteps',
      'epochs',
      'stepsPerEpoch',
      'pctStart',
      'annealStrategy',
      'cycleMomentum',
      'baseMomentum',
      'maxMomentum',
      'divFactor',
      'finalDivFactor',
      'threePhase',
    ]);
    const o = options ?? ({} as OneCycleOptions);
    const where = 'OneCycleLR';
    if (o.totalSteps !== undefined) {
      checkInteger(where, 'totalSteps', o.totalSteps, 1);
      this.totalSteps = o.totalSteps;
    } else {
      if (!Number.isInteger(o.epochs) || o.epochs! < 1 || !Number.isInteger(o.stepsPerEpoch) || o.stepsPerEpoch! < 1) {
        throw new ValueError(`${where}: give totalSteps, or epochs and stepsPerEpoch (integers >= 1)`);
      }
      this.totalSteps = o.epochs! * o.stepsPerEpoch!;
    }
    const pctStart = o.pctStart ?? 0.3;
    checkNumber(where, 'pctStart', pctStart, 0, 1);
    const strategy = o.annealStrategy ?? 'cos';
    if (strategy !== 'cos' && strategy !== 'linear') throw new ValueError(`${where}: annealStrategy must be 'cos' or 'linear', got '${strategy}'`);
    this.anneal = strategy === 'cos' ? (start, end, pct) => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1) : (start, end, pct) => (end - start) * pct + start;
    const divFactor = o.divFactor ?? 25,
      finalDiv = o.finalDivFactor ?? 1e4;
    checkNumber(where, 'divFactor', divFactor, Number.MIN_VALUE);
    checkNumber(where, 'finalDivFactor', finalDiv, Number.MIN_VALUE);
    const threePhase = o.threePhase ?? false;
    checkBool(where, 'threePhase', threePhase);
    const n = this.totalSteps;
    this.phases = threePhase
      ? [
          { endStep: pctStart * n - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: 2 * pctStart * n - 2, startLr: 'maxLr', endLr: 'initialLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
          { endStep: n - 1, startLr: 'initialLr', endLr: 'minLr', startMomentum: 'maxMomentum', endMomentum: 'maxMomentum' },
        ]
      : [
          { endStep: pctStart * n - 1, startLr: 'initialLr', endLr: 'maxLr', startMomentum: 'maxMomentum', endMomentum: 'baseMomentum' },
          { endStep: n - 1, startLr: 'maxLr', endLr: 'minLr', startMomentum: 'baseMomentum', endMomentum: 'maxMomentum' },
        ];
    const groups = optimizer.paramGroups;
    const perGroup = (name: string, v: number | number[] | undefined, dflt: number): number[] => {
      const list = Array.isArray(v) ? v : groups.map(() => v ?? dflt);
      if (list.length !== groups.length) throw new ValueError(`${where}: ${name} has ${list.length} values for ${groups.length} parameter groups`);
      list.forEach((x) => checkNumber(where, name, x, 0));
      return list;
    };
    const maxLrs = perGroup('maxLr', o.maxLr, NaN);
    groups.forEach((g, i) => {
      g.initialLr = maxLrs[i] / divFactor;
      g.maxLr = maxLrs[i];
      g.minLr = (g.initialLr as number) / finalDiv;
    });
    this.cycleMomentum = o.cycleMomentum ?? true;
    checkBool(where, 'cycleMomentum', this.cycleMomentum);
    this.useBeta1 = 'betas' in optimizer.defaults;
    if (this.cycleMomentum) {
      if (!('momentum' in optimizer.defaults) && !this.useBeta1) {
        throw new ValueError(`${where}: optimizer ${optimizer.kind} has neither momentum nor betas; pass cycleMomentum: false`);
      }
      const maxM = perGroup('maxMomentum', o.maxMomentum, 0.95),
        baseM = perGroup('baseMomentum', o.baseMomentum, 0.85);
      groups.forEach((g, i) => {
        if (this.useBeta1) g.betas = [maxM[i], (g.betas as number[])[1]];
        else g.momentum = maxM[i];
        g.maxMomentum = maxM[i];
        g.baseMomentum = baseM[i];
      });
    }
    this.start();
  }

  protected computeLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new ValueError(`OneCycleLR: stepped ${stepNum + 1} times, more than totalSteps (${this.totalSteps})`);
    }
    return this.groups.map((g) => {
      let startStep = 0;
      let lr = 0,
        momentum = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (stepNum <= ph.endStep || i === this.phases.length - 1) {
          const pct = (stepNum - startStep) / (ph.endStep - startStep);
          lr = this.anneal(g[ph.startLr] as number, g[ph.endLr] as number, pct);
          if (this.cycleMomentum) momentum = this.anneal(g[ph.startMomentum] as number, g[ph.endMomentum] as number, pct);
          break;
        }
        startStep = ph.endStep;
      }
      if (this.cycleMomentum) {
        if (this.useBeta1) g.betas = [momentum, (g.betas as number[])[1]];
        else g.momentum = momentum;
      }
      return lr;
    });
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min' (default): lower is better (a loss); 'max': higher is better (an accuracy). */
  mode?: 'min' | 'max';
  /** lr ← lr·factor on a plateau (default 0.1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 1e-4). */
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  minLr?: number | number[];
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/** Reduces the lr when a metric has stopped improving (`step(metric)` once per epoch). */
export class ReduceLROnPlateau {
  readonly kind = 'ReduceLROnPlateau';
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLrs: number[];
  readonly eps: number;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;

  constructor(
    readonly optimizer: AnyOptimizer,
    options: ReduceLROnPlateauOptions = {},
  ) {
    const where = 'ReduceLROnPlateau';
    checkOptions(where, options, ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps']);
    this.mode = options.mode ?? 'min';
    if (this.mode !== 'min' && this.mode !== 'max') throw new ValueError(`${where}: mode must be 'min' or 'max', got '${this.mode}'`);
    this.factor = options.factor ?? 0.1;
    if (!(this.factor < 1) || !(this.factor >= 0)) throw new ValueError(`${where}: factor must be in [0, 1), got ${this.factor}`);
    this.patience = options.patience ?? 10;
    this.cooldown = options.cooldown ?? 0;
    checkInteger(where, 'patience', this.patience, 0);
    checkInteger(where, 'cooldown', this.cooldown, 0);
    this.threshold = options.threshold ?? 1e-4;
    checkNumber(where, 'threshold', this.threshold, 0);
    this.thresholdMode = options.thresholdMode ?? 'rel';
    if (this.thresholdMode !== 'rel' && this.thresholdMode !== 'abs') throw new ValueError(`${where}: thresholdMode must be 'rel' or 'abs'`);
    const groups = optimizer.paramGroups;
    const minLr = options.minLr ?? 0;
    this.minLrs = Array.isArray(minLr) ? [...minLr] : groups.map(() => minLr);
    if (this.minLrs.length !== groups.length) throw new ValueError(`${where}: minLr has ${this.minLrs.length} values for ${groups.length} groups`);
    this.minLrs.forEach((m) => checkNumber(where, 'minLr', m, 0));
    this.eps = options.eps ?? 1e-8;
    checkNumber(where, 'eps', this.eps, 0);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  private isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (t + 1) : a > best + t;
  }

  /** Records this epoch's metric and reduces the lr after `patience` epochs without improvement. */
  step(metric: number): void {
    if (typeof metric !== 'number' || Number.isNaN(metric)) throw new ValueError(`ReduceLROnPlateau.step: metric must be a number, got ${String(metric)}`);
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const old = g.lr;
        const lr = Math.max(old * this.factor, this.minLrs[i]);
        if (old - lr > this.eps) g.lr = lr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
  }

  getLastLr(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  stateDict(): SchedulerState {
    return { kind: this.kind, best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter, lastEpoch: this.lastEpoch };
  }

  loadStateDict(state: SchedulerState): void {
    if (!state || state.kind !== this.kind) throw new ValueError(`ReduceLROnPlateau.loadStateDict: the state was saved by ${state?.kind}`);
    const s = state as unknown as { best: number | null; numBadEpochs: number; cooldownCounter: number; lastEpoch: number };
    for (const key of ['numBadEpochs', 'cooldownCounter', 'lastEpoch'] as const) {
      checkInteger('ReduceLROnPlateau.loadStateDict', key, s[key], 0);
    }
    if (s.best !== null && s.best !== undefined && (typeof s.best !== 'number' || Number.isNaN(s.best))) {
      throw new ValueError(`ReduceLROnPlateau.loadStateDict: best must be a number, got ${String(s.best)}`);
    }
    // JSON turns ±Infinity into null: an unset best.
    this.best = typeof s.best === 'number' ? s.best : this.mode === 'min' ? Infinity : -Infinity;
    this.numBadEpochs = s.numBadEpochs;
    this.cooldownCounter = s.cooldownCounter;
    this.lastEpoch = s.lastEpoch;
  }
}

/** Anything fit() can step: an epoch schedule, OneCycleLR, or ReduceLROnPlateau. */
export type Scheduler = LRScheduler | ReduceLROnPlateau;
