/**
 * Callbacks hook into `fit`: at the start and end of training, of each
 * epoch, and after each batch. Stateful ones (schedulers, early stopping,
 * best-checkpoint tracking) expose `stateDict()` / `loadStateDict()` so a
 * resumed run continues exactly.
 */
import { checkOptions } from '../utils/options.js';
import { FrugalError, ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { modelToBytes } from '../nn/serialize.js';
import type { Optimizer } from '../optim/optimizer.js';
import { OneCycleLR, ReduceLROnPlateau, type Scheduler, type SchedulerState } from '../optim/schedulers.js';
import { removeStaleTemporaries, writeFileBytes } from '../platform/files.js';
import { Tensor as TensorClass, type Tensor } from '../tensor/tensor.js';
import { checkpointToBytes, type HistoryData, type TrainingCheckpoint } from './checkpoint.js';

/** Values logged for an epoch: loss, metrics, valLoss, valAccuracy, lr, ... */
export type Logs = Record<string, number>;

/** What callbacks see of the running fit. */
export interface TrainingContext {
  readonly model: Module;
  readonly optimizer: Optimizer;
  /** Total epochs asked for. */
  readonly epochs: number;
  /** Batches per epoch, when known. */
  readonly batchesPerEpoch: number | null;
  readonly history: HistoryData;
  /** Set to true to end training after the current epoch. */
  stopTraining: boolean;
  /** A snapshot of the complete training state after the epoch being ended (call from onEpochEnd). */
  checkpoint(): TrainingCheckpoint;
}

export interface Callback {
  /** Callbacks run in ascending order (default 0): schedulers −10, checkpoints +10, so a checkpoint sees everything updated. */
  readonly order?: number;
  onTrainBegin?(ctx: TrainingContext): void | Promise<void>;
  onEpochBegin?(epoch: number, ctx: TrainingContext): void | Promise<void>;
  /** After each optimiser step; `logs.loss` is the batch's loss, `logs.size` its number of samples. */
  onBatchEnd?(batch: number, logs: Logs, ctx: TrainingContext): void | Promise<void>;
  /** `epoch` is 0-based; logs hold the epoch's averages and validation results. */
  onEpochEnd?(epoch: number, logs: Logs, ctx: TrainingContext): void | Promise<void>;
  onTrainEnd?(ctx: TrainingContext): void | Promise<void>;
  /** State to keep in a checkpoint (JSON values, Tensors, Maps). */
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;
}

type Mode = 'min' | 'max' | 'auto';

function resolveMode(mode: Mode, monitor: string, who: string): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto') throw new ValueError(`${who}: mode must be 'min', 'max' or 'auto', got '${String(mode)}'`);
  return /acc|auc|precision|recall|f1|r2/i.test(monitor) ? 'max' : 'min';
}

function monitored(logs: Logs, monitor: string, who: string): number {
  const v = logs[monitor];
  if (typeof v !== 'number') {
    const hint = monitor.startsWith('val') ? '; give validationData or validationSplit, or monitor a training value' : '';
    throw new ValueError(`${who}: '${monitor}' is not among this epoch's logs (${Object.keys(logs).join(', ')})${hint}`);
  }
  return v;
}

export interface EarlyStoppingOptions {
  /** Logged value to watch (default 'valLoss'). */
  monitor?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0: stop at the first). */
  patience?: number;
  /** 'min' for losses, 'max' for accuracies; 'auto' (default) guesses from the name. */
  mode?: Mode;
  /** Put back the weights of the best epoch when training ends, whether or not it stopped early (Keras restores only when it stops; users expect the best weights either way). Default false. */
  restoreBestWeights?: boolean;
  /** Stop unless the value beats this by the end of the patience window. */
  baseline?: number;
}

/** Stops training when a monitored value has stopped improving. */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly restoreBestWeights: boolean;
  readonly baseline: number | undefined;
  best = NaN;
  bestEpoch = -1;
  wait = 0;
  /** The epoch training stopped at (0-based), or −1. */
  stoppedEpoch = -1;
  private bestWeights: Map<string, Tensor> | null = null;
  private resumed = false;

  constructor(options: EarlyStoppingOptions = {}) {
    checkOptions('EarlyStopping', options, ['monitor', 'minDelta', 'patience', 'mode', 'restoreBestWeights', 'baseline']);
    this.monitor = options.monitor ?? 'valLoss';
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.patience = options.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new ValueError(`EarlyStopping: patience must be an integer >= 0, got ${this.patience}`);
    if (!Number.isFinite(this.minDelta)) throw new ValueError(`EarlyStopping: minDelta must be finite, got ${options.minDelta}`);
    this.mode = resolveMode(options.mode ?? 'auto', this.monitor, 'EarlyStopping');
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.baseline = options.baseline;
    this.reset();
  }

  private reset(): void {
    this.best = this.baseline ?? (this.mode === 'min' ? Infinity : -Infinity);
    this.bestEpoch = -1;
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.bestWeights = null;
  }

  private improved(current: number): boolean {
    return this.mode === 'min' ? current < this.best - this.minDelta : current > this.best + this.minDelta;
  }

  onTrainBegin(): void {
    if (!this.resumed) this.reset();
    this.resumed = false;
  }

  onEpochEnd(epoch: number, logs: Logs, ctx: TrainingContext): void {
    const current = monitored(logs, this.monitor, 'EarlyStopping');
    if (this.improved(current)) {
      this.best = current;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = ctx.model.stateDict();
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      ctx.stopTraining = true;
    }
  }

  onTrainEnd(ctx: TrainingContext): void {
    const last = ctx.history.epoch[ctx.history.epoch.length - 1];
    if (this.restoreBestWeights && this.bestWeights && this.bestEpoch !== last) ctx.model.loadStateDict(this.bestWeights);
  }

  stateDict(): unknown {
    return { best: this.best, bestEpoch: this.bestEpoch, wait: this.wait, stoppedEpoch: this.stoppedEpoch, bestWeights: this.bestWeights };
  }

  loadStateDict(state: unknown): void {
    const s = state as { best: number; bestEpoch: number; wait: number; stoppedEpoch: number; bestWeights: Map<string, Tensor> | null };
    const bad = (what: string): never => {
      throw new ValueError(`EarlyStopping.loadStateDict: ${what}`);
    };
    if (!s || typeof s !== 'object') bad('expected an object');
    if (typeof s.best !== 'number') bad(`best must be a number, got ${String(s.best)}`);
    if (!Number.isInteger(s.wait) || s.wait < 0) bad(`wait must be an integer >= 0, got ${String(s.wait)}`);
    for (const key of ['bestEpoch', 'stoppedEpoch'] as const) if (!Number.isInteger(s[key]) || s[key] < -1) bad(`${key} must be an integer >= -1, got ${String(s[key])}`);
    if (s.bestWeights != null && (!(s.bestWeights instanceof Map) || [...s.bestWeights.values()].some((t) => !(t instanceof TensorClass))))
      bad('bestWeights must map names to tensors');
    this.best = s.best;
    this.bestEpoch = s.bestEpoch;
    this.wait = s.wait;
    this.stoppedEpoch = s.stoppedEpoch;
    this.bestWeights = s.bestWeights ?? null;
    this.resumed = true;
  }
}

export interface ModelCheckpointOptions {
  /**
   * File to write (Node.js); `{epoch}` is replaced by the 1-based epoch
   * number, e.g. 'runs/ckpt-{epoch}.safetensors'.
   */
  path?: string;
  /** Instead of (or besides) a path: receives the bytes and the 1-based epoch (browser storage, uploads...). */
  onSave?: (bytes: Uint8Array, epoch: number) => void | Promise<void>;
  /** Save every this many epochs (default 1). The last epoch is always saved. */
  every?: number;
  /** Save only when `monitor` improves. */
  saveBestOnly?: boolean;
  monitor?: string;
  mode?: Mode;
  /**
   * Save the model alone (weights + architecture, loadable with `load`)
   * instead of a full training checkpoint (resumable with `resumeFrom`).
   */
  weightsOnly?: boolean;
}

/** Writes checkpoints during training: full training state (resumable) or the model alone. */
export class ModelCheckpoint implements Callback {
  readonly order = 10;
  readonly every: number;
  readonly saveBestOnly: boolean;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly weightsOnly: boolean;
  best: number;
  /** Where the last checkpoint went (path or null). */
  lastSaved: string | null = null;

  constructor(private readonly options: ModelCheckpointOptions) {
    if (!options || (options.path === undefined && options.onSave === undefined)) {
      throw new ValueError('ModelCheckpoint: give a path (Node.js) or an onSave(bytes, epoch) function');
    }
    checkOptions('ModelCheckpoint', options, ['path', 'onSave', 'every', 'saveBestOnly', 'monitor', 'mode', 'weightsOnly']);
    if (options.path !== undefined && (typeof options.path !== 'string' || options.path === '')) throw new ValueError('ModelCheckpoint: path must be a non-empty string');
    this.every = options.every ?? 1;
    if (!Number.isInteger(this.every) || this.every < 1) throw new ValueError(`ModelCheckpoint: every must be an integer >= 1, got ${this.every}`);
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.monitor = options.monitor ?? 'valLoss';
    this.mode = resolveMode(options.mode ?? 'auto', this.monitor, 'ModelCheckpoint');
    this.weightsOnly = options.weightsOnly ?? false;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Removes temporary files that a run killed while writing a checkpoint left beside the checkpoint path. */
  async onTrainBegin(): Promise<void> {
    if (this.options.path === undefined) return;
    const template = this.options.path;
    const base = template.slice(Math.max(template.lastIndexOf('/'), template.lastIndexOf('\\')) + 1);
    const escaped = base.split('{epoch}').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    const target = new RegExp(`^${escaped.join('\\d+')}$`);
    await removeStaleTemporaries(template.replace(/\{epoch\}/g, '0'), (name) => target.test(name), 'ModelCheckpoint');
  }

  async onEpochEnd(epoch: number, logs: Logs, ctx: TrainingContext): Promise<void> {
    const number = epoch + 1;
    const last = number === ctx.epochs || ctx.stopTraining;
    if (number % this.every !== 0 && !last) return;
    if (this.saveBestOnly) {
      const v = monitored(logs, this.monitor, 'ModelCheckpoint');
      if (!(this.mode === 'min' ? v < this.best : v > this.best)) return;
      this.best = v;
    }
    const bytes = this.weightsOnly ? modelToBytes(ctx.model) : checkpointToBytes(ctx.checkpoint());
    if (this.options.path !== undefined) {
      const path = this.options.path.replace(/\{epoch\}/g, String(number));
      await writeFileBytes(path, bytes, 'ModelCheckpoint');
      this.lastSaved = path;
    }
    if (this.options.onSave) await this.options.onSave(bytes, number);
  }

  stateDict(): unknown {
    return { best: this.best };
  }

  loadStateDict(state: unknown): void {
    const best = (state as { best?: unknown } | null)?.best;
    if (typeof best !== 'number' || Number.isNaN(best)) throw new ValueError(`ModelCheckpoint.loadStateDict: best must be a number, got ${String(best)}`);
    this.best = best;
  }
}

export interface LearningRateSchedulerOptions {
  /** Step after every batch or every epoch (default: 'batch' for OneCycleLR, else 'epoch'). */
  interval?: 'batch' | 'epoch';
  /** ReduceLROnPlateau: the logged value to pass (default 'valLoss' when there is validation, else 'loss'). */
  monitor?: string;
}

/** Steps a learning-rate scheduler during fit (fit's `scheduler` option adds one). */
export class LearningRateScheduler implements Callback {
  readonly order = -10;
  readonly interval: 'batch' | 'epoch';

  constructor(
    readonly scheduler: Scheduler,
    private readonly options: LearningRateSchedulerOptions = {},
  ) {
    if (!scheduler || typeof (scheduler as { step?: unknown }).step !== 'function') throw new ValueError('LearningRateScheduler: expected a scheduler');
    checkOptions('LearningRateScheduler', options, ['interval', 'monitor']);
    this.interval = options.interval ?? (scheduler instanceof OneCycleLR ? 'batch' : 'epoch');
    if (this.interval !== 'batch' && this.interval !== 'epoch') throw new ValueError(`LearningRateScheduler: interval must be 'batch' or 'epoch'`);
    if (scheduler instanceof ReduceLROnPlateau && this.interval === 'batch') throw new ValueError('LearningRateScheduler: ReduceLROnPlateau steps once per epoch');
  }

  onTrainBegin(ctx: TrainingContext): void {
    if (this.scheduler.optimizer !== (ctx.optimizer as unknown)) {
      throw new FrugalError('LearningRateScheduler: the scheduler was made for another optimizer than the one fit uses (pass that optimizer to fit)');
    }
  }

  onBatchEnd(): void {
    if (this.interval === 'batch') (this.scheduler as Exclude<Scheduler, ReduceLROnPlateau>).step();
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    if (this.interval !== 'epoch') return;
    if (this.scheduler instanceof ReduceLROnPlateau) {
      const monitor = this.options.monitor ?? ('valLoss' in logs ? 'valLoss' : 'loss');
      this.scheduler.step(monitored(logs, monitor, 'ReduceLROnPlateau'));
    } else {
      this.scheduler.step();
    }
  }

  stateDict(): unknown {
    return this.scheduler.stateDict();
  }

  loadStateDict(state: unknown): void {
    this.scheduler.loadStateDict(state as SchedulerState);
  }
}

/** A callback from plain functions: `new LambdaCallback({ onEpochEnd: (e, logs) => ... })`. */
export class LambdaCallback implements Callback {
  onTrainBegin?: Callback['onTrainBegin'];
  onEpochBegin?: Callback['onEpochBegin'];
  onBatchEnd?: Callback['onBatchEnd'];
  onEpochEnd?: Callback['onEpochEnd'];
  onTrainEnd?: Callback['onTrainEnd'];
  constructor(hooks: Pick<Callback, 'onTrainBegin' | 'onEpochBegin' | 'onBatchEnd' | 'onEpochEnd' | 'onTrainEnd'>) {
    Object.assign(this, hooks);
  }
}
