/**
 * The training loop: `fit(model, data, options)` → history, and
 * `evaluate` / `predict` in batches under noGrad and eval mode.
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
 * Data is `{ x, y }` tensors (batched here, reshuffled each epoch), a
 * DataLoader, or any re-iterable source of `[x, y]` batches.
 */
import { FrugalError, ShapeError, ValueError } from '../errors.js';
import { noGrad } from '../autograd/graph.js';
import { DataLoader } from '../datasets/dataloader.js';
import { Module } from '../nn/module.js';
import { binaryCrossEntropy, bceWithLogits, crossEntropy, huberLoss, klDiv, l1Loss, mseLoss, nllLoss, smoothL1Loss } from '../nn/losses.js';
import { clipGradNorm } from '../optim/clip.js';
import { Optimizer } from '../optim/optimizer.js';
import { createOptimizer } from '../optim/optimizers.js';
import { LRScheduler, ReduceLROnPlateau, type Scheduler } from '../optim/schedulers.js';
import { arrayFor } from '../tensor/dtype.js';
import { Generator, globalGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { LearningRateScheduler, type Callback, type Logs, type TrainingContext } from './callbacks.js';
import { CHECKPOINT_VERSION, checkpointFromBytes, loadCheckpoint, validateCheckpoint, type HistoryData, type TrainingCheckpoint } from './checkpoint.js';
import { resolveMetrics, type MetricFn, type NamedMetric } from './metrics.js';
import { Progress, type Verbosity } from './progress.js';

/** Features and targets with the samples along the first axis. */
export interface XYData {
  x: Tensor;
  y: Tensor;
}

/** What fit and evaluate accept: tensors, a DataLoader, or any re-iterable source of [x, y] batches. */
export type TrainData = XYData | readonly [Tensor, Tensor] | DataLoader | Iterable<Tensor[]> | AsyncIterable<Tensor[]>;

/** A loss: predictions and targets → a scalar tensor (mean over the batch). */
export type LossFn = (yPred: Tensor, yTrue: Tensor) => Tensor;

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
}

/** Per-epoch record of a fit (Keras's History). */
export class History implements HistoryData {
  epoch: number[] = [];
  history: Record<string, number[]> = {};

  record(epoch: number, logs: Logs): void {
    const row = this.epoch.length;
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) {
      const list = (this.history[k] ??= new Array<number>(row).fill(NaN));
      list.push(v);
    }
    for (const list of Object.values(this.history)) if (list.length < row + 1) list.push(NaN);
  }

  /** The values of one logged quantity, one per epoch. */
  get(name: string): number[] {
    const v = this.history[name];
    if (!v) throw new ValueError(`History: nothing logged as '${name}' (logged: ${Object.keys(this.history).join(', ')})`);
    return v;
  }
}

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

// ------------------------------------------------------------ data ---

interface Source {
  batches: number | null;
  samples: number | null;
  iterate(): Iterable<Tensor[]> | AsyncIterable<Tensor[]>;
}

function isTensorPair(d: unknown): d is XYData | readonly [Tensor, Tensor] {
  if (Array.isArray(d)) return d.length === 2 && d[0] instanceof Tensor && d[1] instanceof Tensor;
  return typeof d === 'object' && d !== null && (d as XYData).x instanceof Tensor && (d as XYData).y instanceof Tensor;
}

function xyOf(d: XYData | readonly [Tensor, Tensor], who: string): XYData {
  const { x, y } = Array.isArray(d) ? { x: d[0], y: d[1] } : (d as XYData);
  if (x.ndim === 0 || y.ndim === 0) throw new ShapeError(`${who}: x and y need a first axis of samples, got shapes [${x.shape.join(', ')}] and [${y.shape.join(', ')}]`);
  if (x.shape[0] !== y.shape[0]) throw new ShapeError(`${who}: x has ${x.shape[0]} samples (shape [${x.shape.join(', ')}]) but y has ${y.shape[0]} (shape [${y.shape.join(', ')}])`);
  return { x, y };
}

/** Rows [start, end) of t (a view, no copy) or the rows listed in idx[start..end) (a copy). */
function takeRows(t: Tensor, start: number, end: number, idx: Int32Array | null): Tensor {
  const n = t.shape[0];
  const row = n === 0 ? 0 : t.size / n;
  const count = end - start;
  const shape = [count, ...t.shape.slice(1)];
  if (!idx) return new Tensor(t.data.subarray(start * row, end * row), shape);
  const out = arrayFor(t.dtype, count * row);
  const src = t.data;
  if (row === 1) {
    for (let r = 0; r < count; r++) out[r] = src[idx[start + r]];
  } else if (row <= 256) {
    // Short rows: a plain loop beats creating a subarray per row.
    for (let r = 0; r < count; r++) {
      const s = idx[start + r] * row, d = r * row;
      for (let j = 0; j < row; j++) out[d + j] = src[s + j];
    }
  } else {
    for (let r = 0; r < count; r++) {
      const s = idx[start + r] * row;
      out.set(src.subarray(s, s + row), r * row);
    }
  }
  return new Tensor(out, shape);
}

function tensorSource(data: XYData, batchSize: number, shuffle: boolean, generator: () => Generator): Source {
  const n = data.x.shape[0];
  return {
    batches: Math.ceil(n / batchSize),
    samples: n,
    *iterate() {
      const perm = shuffle ? generator().permutation(n) : null;
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        yield [takeRows(data.x, start, end, perm), takeRows(data.y, start, end, perm)];
      }
    },
  };
}

function isReiterable(d: unknown): d is Iterable<Tensor[]> | AsyncIterable<Tensor[]> {
  if (typeof d !== 'object' || d === null) return false;
  const it = d as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown; next?: unknown };
  // A one-shot iterator (a generator object) would be empty from the second epoch on.
  if (typeof it.next === 'function') return false;
  return typeof it[Symbol.iterator] === 'function' || typeof it[Symbol.asyncIterator] === 'function';
}

function makeSource(data: TrainData, batchSize: number, shuffle: boolean, generator: () => Generator, who: string): Source {
  if (isTensorPair(data)) return tensorSource(xyOf(data, who), batchSize, shuffle, generator);
  if (data instanceof DataLoader) {
    let batches: number | null = null;
    let samples: number | null = null;
    try {
      batches = data.length;
      samples = (data.dataset as { length: number }).length;
    } catch {
      // A streaming loader: unknown length.
    }
    return { batches, samples, iterate: () => data };
  }
  if (isReiterable(data)) {
    const len = Array.isArray(data) ? data.length : null;
    return { batches: len, samples: null, iterate: () => data };
  }
  const what = typeof data === 'object' && data !== null && typeof (data as { next?: unknown }).next === 'function' ? 'a one-shot iterator (wrap it in a function-backed IterableDataset and a DataLoader)' : typeof data;
  throw new ValueError(`${who}: data must be {x, y} tensors, [x, y], a DataLoader or a re-iterable source of [x, y] batches; got ${what}`);
}

async function* batchesOf(source: Source): AsyncGenerator<Tensor[]> {
  const it = source.iterate();
  if (typeof (it as Iterable<Tensor[]>)[Symbol.iterator] === 'function' && !(it instanceof DataLoader)) {
    yield* it as Iterable<Tensor[]>;
  } else {
    yield* it as AsyncIterable<Tensor[]>;
  }
}

function syncBatches(source: Source): Iterable<Tensor[]> | null {
  const it = source.iterate();
  if (it instanceof DataLoader) return null;
  return typeof (it as Iterable<Tensor[]>)[Symbol.iterator] === 'function' ? (it as Iterable<Tensor[]>) : null;
}

function splitBatch(batch: Tensor[], who: string, b: number): [Tensor, Tensor] {
  if (!Array.isArray(batch) || batch.length < 2 || !(batch[0] instanceof Tensor) || !(batch[1] instanceof Tensor)) {
    throw new ValueError(`${who}: batch ${b + 1} is not [x, y] tensors`);
  }
  return [batch[0], batch[1]];
}

/** The generator a DataLoader shuffles with, when it has its own (seeded) one. */
function loaderGenerator(data: TrainData): Generator | null {
  return data instanceof DataLoader ? data.shuffleGenerator : null;
}

/** Generators held by the model's modules (e.g. a seeded Dropout), by 'module:<path>.<field>'. */
function moduleGenerators(model: Module): Map<string, Generator> {
  const out = new Map<string, Generator>();
  for (const [path, m] of model.namedModules()) {
    for (const [field, v] of Object.entries(m)) if (v instanceof Generator && v !== globalGenerator) out.set(`module:${path}.${field}`, v);
  }
  return out;
}

// ------------------------------------------------------------ loss ---

const LOSSES: Record<string, LossFn> = {
  crossentropy: crossEntropy, categoricalcrossentropy: crossEntropy, sparsecategoricalcrossentropy: crossEntropy,
  nll: nllLoss,
  mse: mseLoss, meansquarederror: mseLoss,
  l1: l1Loss, mae: l1Loss, meanabsoluteerror: l1Loss,
  bce: binaryCrossEntropy, binarycrossentropy: binaryCrossEntropy,
  bcewithlogits: bceWithLogits, binarycrossentropywithlogits: bceWithLogits,
  huber: huberLoss, smoothl1: smoothL1Loss, kldiv: klDiv,
};

/** A loss function from a function, a loss module (`new CrossEntropyLoss()`), or a name ('crossEntropy', 'mse', 'cross_entropy', ...). */
export function resolveLoss(loss: LossFn | Module | string | undefined, who = 'resolveLoss'): LossFn {
  if (loss instanceof Module) return (yPred, yTrue) => loss.call(yPred, yTrue);
  if (typeof loss === 'function') return loss;
  if (typeof loss !== 'string') throw new ValueError(`${who}: options.loss must be a loss function, a loss module or a name such as 'crossEntropy' or 'mse'`);
  const key = loss.replace(/[_\s-]/g, '').toLowerCase().replace(/loss$/, '');
  const fn = LOSSES[key];
  if (!fn) throw new ValueError(`${who}: unknown loss '${loss}'; known: crossEntropy, nll, mse, l1, bce, bceWithLogits, huber, smoothL1, klDiv (or pass a function)`);
  return (yPred, yTrue) => fn(yPred, yTrue);
}

// ------------------------------------------------------------- fit ---

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function checkInt(v: unknown, name: string, min: number, who: string): number {
  if (!Number.isInteger(v) || (v as number) < min) throw new ValueError(`${who}: ${name} must be an integer >= ${min}, got ${String(v)}`);
  return v as number;
}

const sleep0 = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
const inBrowserMainThread = typeof (globalThis as { process?: unknown }).process === 'undefined' && typeof (globalThis as { document?: unknown }).document !== 'undefined';

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
  const epochs = checkInt(options.epochs ?? 1, 'epochs', 1, who);
  const batchSize = checkInt(options.batchSize ?? 32, 'batchSize', 1, who);
  const validationBatchSize = checkInt(options.validationBatchSize ?? 256, 'validationBatchSize', 1, who);
  const verbose = options.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new ValueError(`${who}: verbose must be 0, 1 or 2, got ${String(verbose)}`);
  const shuffle = options.shuffle ?? true;
  if (options.seed !== undefined && !Number.isFinite(options.seed)) throw new ValueError(`${who}: seed must be a finite number`);
  const lossFn = resolveLoss(options.loss, who);
  const metrics = resolveMetrics(options.metrics);

  // Optimiser
  let optimizer: Optimizer;
  if (options.optimizer instanceof Optimizer) {
    optimizer = options.optimizer;
    if (options.lr !== undefined) throw new ValueError(`${who}: give lr to the optimizer you construct, not to fit`);
  } else {
    const params = model.parameters();
    if (params.length === 0) throw new ValueError(`${who}: the model has no parameters to train`);
    optimizer = createOptimizer(options.optimizer ?? 'adam', params, options.lr !== undefined ? { lr: options.lr } : {});
  }

  // Data and validation
  const shuffleGenerator = options.seed !== undefined ? new Generator(options.seed) : null;
  const gen = (): Generator => shuffleGenerator ?? globalGenerator;
  let trainData: TrainData = data;
  let validation: TrainData | undefined = options.validationData;
  if (options.validationSplit !== undefined && options.validationSplit !== 0) {
    const split = options.validationSplit;
    if (!(split > 0 && split < 1)) throw new ValueError(`${who}: validationSplit must be in (0, 1), got ${split}`);
    if (validation !== undefined) throw new ValueError(`${who}: give validationData or validationSplit, not both`);
    if (!isTensorPair(data)) throw new ValueError(`${who}: validationSplit needs {x, y} tensor data; for a DataLoader pass validationData`);
    const { x, y } = xyOf(data, who);
    const n = x.shape[0];
    const nTrain = Math.floor(n * (1 - split));
    if (nTrain < 1 || nTrain >= n) throw new ValueError(`${who}: validationSplit ${split} of ${n} samples leaves an empty part`);
    trainData = { x: takeRows(x, 0, nTrain, null), y: takeRows(y, 0, nTrain, null) };
    validation = { x: takeRows(x, nTrain, n, null), y: takeRows(y, nTrain, n, null) };
  }
  const source = makeSource(trainData, batchSize, shuffle, gen, who);
  const valSource = validation !== undefined ? makeSource(validation, validationBatchSize, false, gen, `${who} (validation)`) : null;
  const loaderGen = loaderGenerator(trainData);
  const moduleGens = moduleGenerators(model);

  // Callbacks, in order (schedulers first, checkpoints last); keys identify their state in checkpoints.
  const userCallbacks = [...(options.callbacks ?? [])];
  if (options.scheduler) {
    const s = options.scheduler;
    if (!(s instanceof LRScheduler) && !(s instanceof ReduceLROnPlateau)) throw new ValueError(`${who}: scheduler must be an LRScheduler or ReduceLROnPlateau`);
    userCallbacks.unshift(new LearningRateScheduler(s));
  }
  const keyed = userCallbacks.map((cb, i) => {
    if (!cb || typeof cb !== 'object') throw new ValueError(`${who}: callback ${i} is not an object`);
    return { cb, key: `${i}:${cb.constructor?.name ?? 'Callback'}` };
  });
  const callbacks = keyed.map((k, i) => ({ ...k, i })).sort((a, b) => (a.cb.order ?? 0) - (b.cb.order ?? 0) || a.i - b.i);

  const history = new History();
  let startEpoch = 0;
  let epoch = 0;
  const ctx: TrainingContext = {
    model,
    optimizer,
    epochs,
    batchesPerEpoch: source.batches,
    history,
    stopTraining: false,
    checkpoint: (): TrainingCheckpoint => {
      const random: Record<string, number[]> = { global: globalGenerator.getState() };
      if (shuffleGenerator) random.shuffle = shuffleGenerator.getState();
      if (loaderGen) random.loader = loaderGen.getState();
      for (const [k, g] of moduleGens) random[k] = g.getState();
      const cbState: Record<string, unknown> = {};
      for (const { cb, key } of callbacks) if (cb.stateDict) cbState[key] = cb.stateDict();
      return {
        version: CHECKPOINT_VERSION,
        epoch: epoch + 1,
        model: model.stateDict(),
        optimizer: optimizer.stateDict(),
        callbacks: cbState,
        random,
        history: { epoch: [...history.epoch], history: Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, [...v]])) },
      };
    },
  };

  // Resume
  if (options.resumeFrom !== undefined) {
    const r = options.resumeFrom;
    const ckpt = typeof r === 'string' ? await loadCheckpoint(r) : r instanceof Uint8Array ? checkpointFromBytes(r) : r;
    validateCheckpoint(ckpt);
    model.loadStateDict(ckpt.model);
    optimizer.loadStateDict(ckpt.optimizer);
    for (const { cb, key } of callbacks) {
      if (key in ckpt.callbacks) {
        if (!cb.loadStateDict) throw new ValueError(`${who}: the checkpoint has state for callback ${key}, which cannot load it`);
        cb.loadStateDict(ckpt.callbacks[key]);
      } else if (cb.stateDict) {
        throw new ValueError(`${who}: the checkpoint has no state for callback ${key} (checkpoint callbacks: ${Object.keys(ckpt.callbacks).join(', ') || 'none'}); pass the same callbacks as the run that wrote it`);
      }
    }
    const setState = (name: string, g: Generator | null): void => {
      const s = ckpt.random[name];
      if (g && s) g.setState(s);
      else if (g && !s) throw new ValueError(`${who}: the checkpoint has no state for the ${name} random generator; resume with the same data and seed options`);
    };
    setState('global', globalGenerator);
    setState('shuffle', shuffleGenerator);
    setState('loader', loaderGen);
    for (const [k, g] of moduleGens) setState(k, g);
    history.epoch = [...ckpt.history.epoch];
    history.history = Object.fromEntries(Object.entries(ckpt.history.history).map(([k, v]) => [k, [...v]]));
    startEpoch = ckpt.epoch;
  }

  const params = optimizer.params();
  const clip = options.clipGradNorm;
  if (clip !== undefined && !(clip > 0)) throw new ValueError(`${who}: clipGradNorm must be > 0, got ${clip}`);
  const progress = new Progress(verbose, epochs);
  const wasTraining = model.training;
  let lastYield = performance.now();

  try {
    for (const { cb } of callbacks) await cb.onTrainBegin?.(ctx);
    for (epoch = startEpoch; epoch < epochs && !ctx.stopTraining; epoch++) {
      for (const { cb } of callbacks) await cb.onEpochBegin?.(epoch, ctx);
      model.train();
      progress.epochBegin();
      const lr = optimizer.paramGroups[0].lr;
      let seen = 0, lossSum = 0, b = 0;
      const metricSums = new Float64Array(metrics.length);
      const runBatch = async (batch: Tensor[]): Promise<void> => {
        const [xb, yb] = splitBatch(batch, who, b);
        const n = xb.shape[0] ?? 1;
        optimizer.zeroGrad();
        const out = model.call(xb);
        const loss = lossFn(out, yb);
        if (!(loss instanceof Tensor) || loss.size !== 1) throw new ValueError(`${who}: the loss must return a scalar tensor`);
        const value = loss.item();
        if (!Number.isFinite(value)) {
          const total = source.batches ? `/${source.batches}` : '';
          throw new DivergenceError(epoch + 1, b + 1, value,
            `${who}: the loss became ${value} at epoch ${epoch + 1}/${epochs}, batch ${b + 1}${total} (lr ${lr}); training stopped before this step changed the weights. ` +
            'Try a lower learning rate, gradient clipping (clipGradNorm), or check the inputs for NaN or infinite values.');
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
        if (inBrowserMainThread && performance.now() - lastYield > 50) {
          await sleep0();
          lastYield = performance.now();
        }
      };
      const sync = syncBatches(source);
      if (sync) for (const batch of sync) await runBatch(batch);
      else for await (const batch of batchesOf(source)) await runBatch(batch);
      if (seen === 0) throw new ValueError(`${who}: the training data gave no batches in epoch ${epoch + 1}`);

      const logs: Logs = { loss: lossSum / seen };
      metrics.forEach((m, j) => (logs[m.name] = metricSums[j] / seen));
      if (valSource) {
        const v = await evaluateSource(model, valSource, lossFn, metrics, `${who} (validation)`);
        for (const [k, val] of Object.entries(v)) logs[`val${capitalize(k)}`] = val;
      }
      logs.lr = lr;
      history.record(epoch, logs);
      for (const { cb } of callbacks) await cb.onEpochEnd?.(epoch, logs, ctx);
      progress.epochEnd(epoch, logs);
      if (inBrowserMainThread) await sleep0();
    }
    for (const { cb } of callbacks) await cb.onTrainEnd?.(ctx);
  } finally {
    model.train(wasTraining);
  }
  return history;
}

// -------------------------------------------------------- evaluate ---

async function evaluateSource(model: Module, source: Source, lossFn: LossFn | null, metrics: NamedMetric[], who: string): Promise<Logs> {
  const wasTraining = model.training;
  model.eval();
  let seen = 0, lossSum = 0, b = 0;
  const sums = new Float64Array(metrics.length);
  const run = (batch: Tensor[]): void => {
    const [xb, yb] = splitBatch(batch, who, b++);
    const n = xb.shape[0] ?? 1;
    noGrad(() => {
      const out = model.call(xb);
      if (lossFn) lossSum += lossFn(out, yb).item() * n;
      metrics.forEach((m, j) => (sums[j] += m.fn(out, yb) * n));
    });
    seen += n;
  };
  try {
    const sync = syncBatches(source);
    if (sync) for (const batch of sync) run(batch);
    else for await (const batch of batchesOf(source)) run(batch);
  } finally {
    model.train(wasTraining);
  }
  if (seen === 0) throw new ValueError(`${who}: the data gave no batches`);
  const logs: Logs = {};
  if (lossFn) logs.loss = lossSum / seen;
  metrics.forEach((m, j) => (logs[m.name] = sums[j] / seen));
  return logs;
}

export interface EvaluateOptions {
  loss?: LossFn | Module | string;
  metrics?: (string | MetricFn)[];
  /** Default 256. */
  batchSize?: number;
}

/** The mean loss and metrics of `model` on `data`, in batches, under noGrad and in eval mode. */
export async function evaluate(model: Module, data: TrainData, options: EvaluateOptions = {}): Promise<Logs> {
  const who = 'evaluate';
  const batchSize = checkInt(options.batchSize ?? 256, 'batchSize', 1, who);
  const lossFn = options.loss !== undefined ? resolveLoss(options.loss, who) : null;
  const metrics = resolveMetrics(options.metrics);
  if (!lossFn && metrics.length === 0) throw new ValueError(`${who}: give a loss and/or metrics to compute`);
  return evaluateSource(model, makeSource(data, batchSize, false, () => globalGenerator, who), lossFn, metrics, who);
}

/**
 * The model's outputs for every row of x, computed in batches under noGrad
 * and in eval mode (the model's mode is restored after).
 */
export function predict(model: Module, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  const who = 'predict';
  if (!(x instanceof Tensor)) throw new ValueError(`${who}: x must be a Tensor`);
  if (x.ndim === 0) throw new ShapeError(`${who}: x needs a first axis of samples, got a 0-d tensor`);
  const batchSize = checkInt(options.batchSize ?? 256, 'batchSize', 1, who);
  const n = x.shape[0];
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      if (n <= batchSize) return model.call(x).detach();
      let out: Tensor | null = null;
      let row = 0;
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        const y = model.call(takeRows(x, start, end, null));
        if (y.ndim === 0 || y.shape[0] !== end - start) throw new ShapeError(`${who}: the model returned shape [${y.shape.join(', ')}] for a batch of ${end - start}`);
        if (!out) {
          row = y.size / (end - start);
          out = new Tensor(arrayFor(y.dtype, n * row), [n, ...y.shape.slice(1)]);
        }
        out.data.set(y.data, start * row);
      }
      return out!;
    });
  } finally {
    model.train(wasTraining);
  }
}
