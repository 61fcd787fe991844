/**
 * The training loop: `fit(model, data, options)` → history.
 *
 * ```ts
 * const history = await fit(model, { x, y }, {
 *   epochs: 30, batchSize: 32, loss: 'crossEntropy', optimizer: 'adam', lr: 1e-3,
 *   metrics: ['accuracy'], validationSplit: 0.1,
 *   callbacks: [new EarlyStopping({ patience: 3, restoreBestWeights: true })],
 * });
 * const probs = predict(model, xTest).softmax();
 * ```
 *
 * Data sources are in data.ts, losses by name in loss.ts, checkpoints and
 * resuming in resume.ts, evaluate/predict in evaluate.ts.
 */
import { FrugalError, ValueError } from '../errors.js';
import { noGrad } from '../autograd/graph.js';
import type { Module } from '../nn/module.js';
import { clipGradNorm } from '../optim/clip.js';
import { Optimizer } from '../optim/optimizer.js';
import { createOptimizer } from '../optim/optimizers.js';
import { LRScheduler, ReduceLROnPlateau, type Scheduler } from '../optim/schedulers.js';
import { Generator, globalGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';
import { LearningRateScheduler, type Callback, type Logs, type TrainingContext } from './callbacks.js';
import type { TrainingCheckpoint } from './checkpoint.js';
import { batchesOf, checkInt, isTensorPair, loaderGenerator, makeSource, splitBatch, syncBatches, takeRows, xyOf, type TrainData } from './data.js';
import { evaluateSource } from './evaluate.js';
import { History } from './history.js';
import { resolveLoss, type LossFn } from './loss.js';
import { resolveMetrics, type MetricFn } from './metrics.js';
import { Progress, type Verbosity } from './progress.js';
import { moduleGenerators, readCheckpoint, restoreCheckpoint, takeCheckpoint, type KeyedCallback, type RunState } from './resume.js';
import { abortError, checkSignal, Yielder } from './yielder.js';

export { History } from './history.js';
export { resolveLoss, type LossFn } from './loss.js';
export { evaluate, predict, type EvaluateOptions } from './evaluate.js';
export type { TrainData, XYData } from './data.js';

export interface FitOptions {
  /** The loss: a function, a loss module, or a name: 'crossEntropy', 'mse', 'l1', 'bce', 'bceWithLogits', 'nll', 'huber', ... */
  loss: LossFn | Module | string;
  /** An optimiser over the model's parameters, or a name ('adam' default, 'sgd', 'adamw', 'rmsprop', 'adagrad'). */
  optimizer?: Optimizer | string;
  /** Learning rate when the optimiser is given by name. */
  lr?: number;
  /** Number of epochs in total (a resumed run continues up to this; default 1). */
  epochs?: number;
  /** Samples per batch for tensor data (default 32). */
  batchSize?: number;
  /** Reshuffle tensor data every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the generator that shuffles tensor data (default: the global generator, see manualSeed). */
  seed?: number;
  /** Values computed each epoch on training and validation data: 'accuracy', 'mse', 'mae' or functions. */
  metrics?: (string | MetricFn)[];
  validationData?: TrainData;
  /** Hold out this fraction of tensor data (its last rows, before shuffling) for validation. */
  validationSplit?: number;
  /** Batch size for validation (default 256). */
  validationBatchSize?: number;
  callbacks?: Callback[];
  /** A learning-rate scheduler of the same optimiser (stepped per epoch; OneCycleLR per batch). */
  scheduler?: Scheduler;
  /** Clip the gradients' joint norm to this value before each step. */
  clipGradNorm?: number;
  /** 0 silent, 1 progress bar on a terminal / a line per epoch otherwise (default), 2 a line per epoch. */
  verbose?: Verbosity;
  /** Continue from a checkpoint (a path, its bytes, or the object) written by ModelCheckpoint. */
  resumeFrom?: string | Uint8Array | TrainingCheckpoint;
  /** Stops training between two steps with an AbortError (the weights are those after the last whole step). */
  signal?: AbortSignal;
}

export const FIT_OPTIONS: readonly (keyof FitOptions)[] = [
  'loss',
  'optimizer',
  'lr',
  'epochs',
  'batchSize',
  'shuffle',
  'seed',
  'metrics',
  'validationData',
  'validationSplit',
  'validationBatchSize',
  'callbacks',
  'scheduler',
  'clipGradNorm',
  'verbose',
  'resumeFrom',
  'signal',
];

/** The loss became NaN or infinite: training stopped before the step that would have spread it into the weights. */
export class DivergenceError extends FrugalError {
  constructor(
    /** 1-based epoch. */
    readonly epoch: number,
    /** 1-based batch within the epoch. */
    readonly batch: number,
    readonly loss: number,
    message: string,
  ) {
    super(message);
  }
}

/** The optimiser fit steps: the one given, or one made by name over the model's parameters. */
export function resolveOptimizer(model: Module, options: Pick<FitOptions, 'optimizer' | 'lr'>, who: string): Optimizer {
  if (options.optimizer instanceof Optimizer) {
    if (options.lr !== undefined) throw new ValueError(`${who}: give lr to the optimizer you construct, not to fit`);
    return options.optimizer;
  }
  const params = model.parameters();
  if (params.length === 0) throw new ValueError(`${who}: the model has no parameters to train`);
  return createOptimizer(options.optimizer ?? 'adam', params, options.lr !== undefined ? { lr: options.lr } : {});
}

/** The training data and the validation data (validationData, or the last validationSplit rows of tensor data). */
function splitValidation(data: TrainData, options: FitOptions, who: string): { train: TrainData; validation: TrainData | undefined } {
  const split = options.validationSplit;
  if (split === undefined || split === 0) return { train: data, validation: options.validationData };
  if (!(split > 0 && split < 1)) throw new ValueError(`${who}: validationSplit must be in (0, 1), got ${split}`);
  if (options.validationData !== undefined) throw new ValueError(`${who}: give validationData or validationSplit, not both`);
  if (!isTensorPair(data)) throw new ValueError(`${who}: validationSplit needs {x, y} tensor data; for a DataLoader pass validationData`);
  const { x, y } = xyOf(data, who);
  const n = x.shape[0];
  const nTrain = Math.floor(n * (1 - split));
  if (nTrain < 1 || nTrain >= n) throw new ValueError(`${who}: validationSplit ${split} of ${n} samples leaves an empty part`);
  return {
    train: { x: takeRows(x, 0, nTrain, null), y: takeRows(y, 0, nTrain, null) },
    validation: { x: takeRows(x, nTrain, n, null), y: takeRows(y, nTrain, n, null) },
  };
}

/** Callbacks in the order they run (schedulers first, checkpoints last), each keyed for its state in checkpoints. */
export function orderCallbacks(options: Pick<FitOptions, 'callbacks' | 'scheduler'>, who: string): KeyedCallback[] {
  const userCallbacks: Callback[] = [...(options.callbacks ?? [])];
  if (options.scheduler) {
    const s = options.scheduler;
    if (!(s instanceof LRScheduler) && !(s instanceof ReduceLROnPlateau)) throw new ValueError(`${who}: scheduler must be an LRScheduler or ReduceLROnPlateau`);
    userCallbacks.unshift(new LearningRateScheduler(s));
  }
  return userCallbacks
    .map((cb, i) => {
      if (!cb || typeof cb !== 'object') throw new ValueError(`${who}: callback ${i} is not an object`);
      return { cb, key: `${i}:${cb.constructor?.name ?? 'Callback'}`, i };
    })
    .sort((a, b) => (a.cb.order ?? 0) - (b.cb.order ?? 0) || a.i - b.i);
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** What the start and end of an epoch report to (shared by fit and fitFixMatch). */
export interface EpochReporting {
  history: History;
  callbacks: KeyedCallback[];
  ctx: TrainingContext;
  progress: Progress;
  yielder: Yielder;
}

/** A training run's reporting targets: a fresh progress display and yielder. */
export function epochReporting(history: History, callbacks: KeyedCallback[], ctx: TrainingContext, verbose: Verbosity, epochs: number): EpochReporting {
  return { history, callbacks, ctx, progress: new Progress(verbose, epochs), yielder: new Yielder() };
}

/** The start of an epoch in fit and fitFixMatch: callbacks' onEpochBegin, the model in training mode, the progress line; returns the epoch's lr. */
export async function beginEpoch(epoch: number, model: Module, optimizer: Optimizer, targets: EpochReporting): Promise<number> {
  const { callbacks, ctx, progress } = targets;
  for (const { cb } of callbacks) await cb.onEpochBegin?.(epoch, ctx);
  model.train();
  progress.epochBegin();
  return optimizer.paramGroups[0].lr;
}

/**
 * The end of an epoch in fit and fitFixMatch: adds the validation logs (as
 * valLoss, valAccuracy, ...) and the lr to `logs`, records them, runs the
 * callbacks' onEpochEnd and the progress line, and yields when due.
 */
export async function endEpoch(epoch: number, logs: Logs, validation: Logs | null, lr: number, targets: EpochReporting): Promise<void> {
  const { history, callbacks, ctx, progress, yielder } = targets;
  if (validation) for (const [k, val] of Object.entries(validation)) logs[`val${capitalize(k)}`] = val;
  logs.lr = lr;
  history.record(epoch, logs);
  for (const { cb } of callbacks) await cb.onEpochEnd?.(epoch, logs, ctx);
  progress.epochEnd(epoch, logs);
  if (yielder.due()) await yielder.yield();
}

/**
 * Trains `model` on `data`; returns the per-epoch history. The model is in
 * train mode while fitting and restored to its previous mode afterwards.
 * Throws a {@link DivergenceError} (naming epoch and batch) when the loss
 * becomes NaN or infinite, before that step touches the weights.
 */
export async function fit(model: Module, data: TrainData, options: FitOptions): Promise<History> {
  const who = 'fit';
  if (!model || typeof (model as Module).parameters !== 'function' || typeof (model as Module).call !== 'function') {
    throw new ValueError(`${who}: model must be a Module`);
  }
  if (!options || typeof options !== 'object') throw new ValueError(`${who}: options are required (at least { loss })`);
  checkOptions(who, options, FIT_OPTIONS);
  const signal = checkSignal(options.signal, who);
  const epochs = checkInt(options.epochs ?? 1, 'epochs', 1, who);
  const batchSize = checkInt(options.batchSize ?? 32, 'batchSize', 1, who);
  const validationBatchSize = checkInt(options.validationBatchSize ?? 256, 'validationBatchSize', 1, who);
  const verbose = options.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new ValueError(`${who}: verbose must be 0, 1 or 2, got ${String(verbose)}`);
  const shuffle = options.shuffle ?? true;
  if (options.seed !== undefined && !Number.isFinite(options.seed)) throw new ValueError(`${who}: seed must be a finite number`);
  const lossFn = resolveLoss(options.loss, who);
  const metrics = resolveMetrics(options.metrics);

  const optimizer = resolveOptimizer(model, options, who);

  // Data and validation
  const shuffleGenerator = options.seed !== undefined ? new Generator(options.seed) : null;
  const gen = (): Generator => shuffleGenerator ?? globalGenerator;
  const { train: trainData, validation } = splitValidation(data, options, who);
  const source = makeSource(trainData, batchSize, shuffle, gen, who);
  const valSource = validation !== undefined ? makeSource(validation, validationBatchSize, false, gen, `${who} (validation)`) : null;
  const callbacks = orderCallbacks(options, who);

  const generators = new Map<string, Generator>([['global', globalGenerator]]);
  if (shuffleGenerator) generators.set('shuffle', shuffleGenerator);
  const loaderGen = loaderGenerator(trainData);
  if (loaderGen) generators.set('loader', loaderGen);
  for (const [k, g] of moduleGenerators(model)) generators.set(k, g);
  const history = new History();
  const run: RunState = { model, optimizer, callbacks, generators, history };
  let epoch = 0;
  const ctx: TrainingContext = {
    model,
    optimizer,
    epochs,
    batchesPerEpoch: source.batches,
    history,
    stopTraining: false,
    checkpoint: (): TrainingCheckpoint => takeCheckpoint(run, epoch + 1),
  };
  const startEpoch = options.resumeFrom === undefined ? 0 : restoreCheckpoint(await readCheckpoint(options.resumeFrom), run, who);

  const params = optimizer.params();
  const clip = options.clipGradNorm;
  if (clip !== undefined && !(clip > 0)) throw new ValueError(`${who}: clipGradNorm must be > 0, got ${clip}`);
  const reporting = epochReporting(history, callbacks, ctx, verbose, epochs);
  const { progress, yielder } = reporting;
  const wasTraining = model.training;

  try {
    for (const { cb } of callbacks) await cb.onTrainBegin?.(ctx);
    for (epoch = startEpoch; epoch < epochs && !ctx.stopTraining; epoch++) {
      if (signal?.aborted) throw abortError(signal, who, `before epoch ${epoch + 1}; the weights are those after the last whole step`);
      const lr = await beginEpoch(epoch, model, optimizer, reporting);
      let seen = 0,
        lossSum = 0,
        b = 0;
      const metricSums = new Float64Array(metrics.length);
      const runBatch = async (batch: Tensor[]): Promise<void> => {
        if (signal?.aborted) throw abortError(signal, who, `before batch ${b + 1} of epoch ${epoch + 1}; the weights are those after the last whole step`);
        const [xb, yb] = splitBatch(batch, who, b);
        const n = xb.shape[0] ?? 1;
        optimizer.zeroGrad();
        const out = model.call(xb);
        const loss = lossFn(out, yb);
        if (!(loss instanceof Tensor) || loss.size !== 1) throw new ValueError(`${who}: the loss must return a scalar tensor`);
        const value = loss.item();
        if (!Number.isFinite(value)) {
          const total = source.batches ? `/${source.batches}` : '';
          throw new DivergenceError(
            epoch + 1,
            b + 1,
            value,
            `${who}: the loss became ${value} at epoch ${epoch + 1}/${epochs}, batch ${b + 1}${total} (lr ${lr}); training stopped before this step changed the weights. ` +
              'Try a lower learning rate, gradient clipping (clipGradNorm), or check the inputs for NaN or infinite values.',
          );
        }
        loss.backward();
        if (clip !== undefined) clipGradNorm(params, clip);
        optimizer.step();
        if (metrics.length) noGrad(() => metrics.forEach((m, j) => (metricSums[j] += m.fn(out, yb) * n)));
        lossSum += value * n;
        seen += n;
        b++;
        for (const { cb } of callbacks) if (cb.onBatchEnd) await cb.onBatchEnd(b - 1, { loss: value, size: n }, ctx);
        progress.batch(epoch, b, source.batches, lossSum / seen);
        if (yielder.due()) await yielder.yield();
      };
      const sync = syncBatches(source);
      if (sync) for (const batch of sync) await runBatch(batch);
      else for await (const batch of batchesOf(source)) await runBatch(batch);
      if (seen === 0) throw new ValueError(`${who}: the training data gave no batches in epoch ${epoch + 1}`);

      const logs: Logs = { loss: lossSum / seen };
      metrics.forEach((m, j) => (logs[m.name] = metricSums[j] / seen));
      const validation = valSource ? await evaluateSource(model, valSource, lossFn, metrics, `${who} (validation)`, yielder, signal) : null;
      await endEpoch(epoch, logs, validation, lr, reporting);
    }
    for (const { cb } of callbacks) await cb.onTrainEnd?.(ctx);
  } finally {
    model.train(wasTraining);
  }
  return history;
}
