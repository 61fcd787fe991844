/**
 * FixMatch (Sohn et al., 2020): semi-supervised training of a classifier
 * from a few labelled samples and many unlabelled ones.
 *
 * Each step takes a batch of B labelled samples and μ·B unlabelled ones.
 * The labelled loss is the cross entropy of the weakly augmented samples.
 * The model's prediction on a weakly augmented copy of each unlabelled
 * sample becomes its pseudo-label when its top probability reaches the
 * threshold τ; the strongly augmented copy is then trained to predict it:
 *
 *   loss = CE(labelled) + λ_u · (1 / μB) · Σ_{confident u} CE(model(strong(u)), pseudo(u))
 *
 * An exponential moving average of the weights (decay 0.999) is what
 * validation sees, and what the model holds at the end (`useEma`).
 *
 * ```ts
 * const history = await fitFixMatch(model, { x: xLabelled, y: yLabelled }, xUnlabelled, {
 *   weak: compose(randomHorizontalFlip({ seed: 1 }), randomTranslate({ maxShift: 3, seed: 2 })),
 *   strong: compose(randAugment({ n: 2, magnitude: 1, randomMagnitude: true, seed: 3 }), cutout({ seed: 4 })),
 *   epochs: 10, seed: 0,
 * });
 * ```
 *
 * One difference from the paper's code: strongly augmented samples whose
 * pseudo-label is not confident contribute zero to the loss, so they are
 * not run through the model at all. The loss and gradients are the same
 * for models without batch normalisation (with it, the batch statistics of
 * the training forward pass cover fewer samples).
 */
import { noGrad } from '../autograd/graph.js';
import { LimitError, ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { crossEntropy } from '../nn/losses/classification.js';
import { clipGradNorm } from '../optim/clip.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Scheduler } from '../optim/schedulers.js';
import { arrayFor } from '../tensor/dtype.js';
import { Generator, globalGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';
import type { Callback, Logs, TrainingContext } from './callbacks.js';
import { batchesOf, checkInt, makeSource, splitBatch, takeRows, type Source, type TrainData } from './data.js';
import { DistributionAlignment } from './distribution-alignment.js';
import { ExponentialMovingAverage } from './ema.js';
import { checkLrSchedule, FixMatchLrSchedule, fixMatchOptimizer, type LrSchedule } from './fixmatch-optimizer.js';
import { FlexThresholds } from './flex-thresholds.js';
import { evaluateSource } from './evaluate.js';
import { beginEpoch, DivergenceError, endEpoch, epochReporting, orderCallbacks } from './fit.js';
import { History } from './history.js';
import { resolveMetrics, type MetricFn } from './metrics.js';
import type { Verbosity } from './progress.js';
import { abortError, checkSignal } from './yielder.js';

/** A batch augmentation: images in, augmented images of the same shape out (see src/augment). */
export type AugmentFn = (x: Tensor) => Tensor;

export interface FixMatchOptions {
  /** Weak augmentation (flips and shifts): applied to labelled batches and to make pseudo-labels. */
  weak: AugmentFn;
  /** Strong augmentation (RandAugment and cutout): what the pseudo-labels are trained on. */
  strong: AugmentFn;
  /** Confidence a pseudo-label needs (τ, default 0.95). */
  threshold?: number;
  /**
   * FlexMatch's class-wise thresholds (default false): a class with few
   * confident predictions so far gets a threshold below τ (see
   * {@link FlexThresholds}). Needs the unlabelled data as a tensor.
   */
  flexThresholds?: boolean;
  /** Unlabelled samples per labelled one in a step (μ, default 7; a DataLoader of unlabelled data brings its own batch size). */
  mu?: number;
  /** Weight of the unlabelled loss (λ_u, default 1). */
  lambdaU?: number;
  /** Labelled samples per step, for tensor data (default 64). */
  batchSize?: number;
  /** Number of epochs (default 1). */
  epochs?: number;
  /** Steps per epoch (default: one pass over the unlabelled data: ceil(N_u / (μ·batchSize)) for a tensor, the loader's batches for a DataLoader). */
  stepsPerEpoch?: number;
  /**
   * An optimiser over the model's parameters, or a name ('adam' default,
   * 'sgd', ..., or 'sgd-nesterov': FixMatch's SGD, momentum 0.9 with
   * Nesterov's correction, lr 0.03 unless given).
   */
  optimizer?: Optimizer | string;
  /** Learning rate when the optimiser is given by name. */
  lr?: number;
  /** L2 weight decay on the weights (parameters of 2+ dimensions), not the biases, when the optimiser is given by name (FixMatch: 5e-4). */
  weightDecay?: number;
  /** 'constant' (default) or 'cosine': FixMatch's lr · cos(7πk / 16K) at step k of all K steps of the run. */
  lrSchedule?: LrSchedule;
  /**
   * ReMixMatch's distribution alignment (default false): the predictions
   * that make pseudo-labels are scaled by the labelled data's class
   * frequencies over the running mean of the unlabelled predictions, then
   * normalised (see {@link DistributionAlignment}).
   */
  distributionAlignment?: boolean;
  /**
   * More views of the weakly augmented unlabelled batch (for example its
   * mirror image): the class probabilities of the batch and of each view
   * are averaged before thresholding (default none; at most 16). Each view
   * costs one more forward pass without a graph per step.
   */
  pseudoLabelViews?: AugmentFn[];
  /**
   * Whose predictions make the pseudo-labels: 'model' (default, FixMatch:
   * the weights being trained) or 'ema' (the weights' moving average, as a
   * mean teacher; needs emaDecay > 0).
   */
  pseudoLabelWith?: 'model' | 'ema';
  /** Decay of the weights' moving average (default 0.999; 0 turns it off). */
  emaDecay?: number;
  /** Leave the averaged weights in the model at the end (default true when emaDecay > 0). */
  useEma?: boolean;
  /** Seed of the generator that shuffles labelled and unlabelled tensor data (default: the global one). */
  seed?: number;
  /** Values computed each epoch on the labelled training batches and on validation data ('accuracy', ...). */
  metrics?: (string | MetricFn)[];
  /** Evaluated after every epoch, with the averaged weights. */
  validationData?: TrainData;
  /** Batch size for validation (default 256). */
  validationBatchSize?: number;
  /** fit's callbacks (checkpoints excepted: a FixMatch run cannot be resumed from one). */
  callbacks?: Callback[];
  /** A learning-rate scheduler of the same optimiser, stepped like fit's. */
  scheduler?: Scheduler;
  /** Clip the gradients' joint norm to this value before each step. */
  clipGradNorm?: number;
  /** 0 silent, 1 progress bar on a terminal / a line per epoch otherwise (default), 2 a line per epoch. */
  verbose?: Verbosity;
  /** Stops training between two steps with an AbortError. */
  signal?: AbortSignal;
}

const FIXMATCH_OPTIONS: readonly (keyof FixMatchOptions)[] = [
  'weak',
  'strong',
  'threshold',
  'flexThresholds',
  'mu',
  'lambdaU',
  'batchSize',
  'epochs',
  'stepsPerEpoch',
  'optimizer',
  'lr',
  'weightDecay',
  'lrSchedule',
  'distributionAlignment',
  'pseudoLabelViews',
  'pseudoLabelWith',
  'emaDecay',
  'useEma',
  'seed',
  'metrics',
  'validationData',
  'validationBatchSize',
  'callbacks',
  'scheduler',
  'clipGradNorm',
  'verbose',
  'signal',
];

/** Endless batches from a source: it is iterated again whenever it ends (an empty pass is an error). */
async function* endless(source: Source, who: string): AsyncGenerator<Tensor[]> {
  for (;;) {
    let any = false;
    for await (const batch of batchesOf(source)) {
      any = true;
      yield batch;
    }
    if (!any) throw new ValueError(`${who}: the data gave no batches`);
  }
}

/**
 * The unlabelled data as a source of batches: a tensor (shuffled with the
 * run's generator; its batches are [x, positions of the rows in the tensor])
 * or a DataLoader / iterable of batches starting with x.
 */
function unlabelledSource(data: Tensor | TrainData, batchSize: number, gen: () => Generator, who: string): Source {
  if (data instanceof Tensor) {
    if (data.ndim === 0 || data.shape[0] === 0) throw new ValueError(`${who}: the unlabelled tensor needs at least one sample along its first axis`);
    // The row positions ride along as the target, so the shared tensor source batches and shuffles them with x.
    const n = data.shape[0];
    const positions = new Tensor(
      Int32Array.from({ length: n }, (_, i) => i),
      [n],
    );
    return makeSource({ x: data, y: positions }, batchSize, true, gen, who);
  }
  return makeSource(data, batchSize, true, gen, who);
}

/** Rows of the pseudo-labelling predictions p ([n, c]) whose top probability reaches its class's threshold, and their classes. */
function confidentRows(p: ArrayLike<number>, n: number, c: number, thresholds: Float64Array): { rows: Int32Array; labels: Int32Array } {
  const rows: number[] = [],
    labels: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (p[i * c + k] > p[i * c + best]) best = k;
    if (p[i * c + best] >= thresholds[best]) {
      rows.push(i);
      labels.push(best);
    }
  }
  return { rows: Int32Array.from(rows), labels: Int32Array.from(labels) };
}

/** The checked extra pseudo-labelling views (each must keep its input's shape). */
function pseudoLabelViews(views: unknown, who: string): AugmentFn[] {
  if (views === undefined) return [];
  if (!Array.isArray(views)) throw new ValueError(`${who}: pseudoLabelViews must be an array of augmentation functions`);
  if (views.length > MAX_PSEUDO_LABEL_VIEWS) throw new LimitError(`${who}: at most ${MAX_PSEUDO_LABEL_VIEWS} pseudoLabelViews, got ${views.length}`);
  return views.map((v, i) => checkAugment(who, `pseudoLabelViews[${i}]`, v));
}

const MAX_PSEUDO_LABEL_VIEWS = 16;

/** Softmax probabilities of a batch, averaged with those of each view of it (the batch alone when there are no views). */
function viewAveragedProbabilities(model: Module, x: Tensor, views: AugmentFn[]): Tensor {
  let sum = model.call(x).softmax(1);
  if (views.length === 0) return sum;
  for (const view of views) {
    const p = model.call(view(x)).softmax(1);
    if (p.ndim !== 2 || p.shape[0] !== sum.shape[0] || p.shape[1] !== sum.shape[1]) {
      throw new ValueError(`fitFixMatch: a pseudo-labelling view gave logits [${p.shape.join(', ')}], the weak batch [${sum.shape.join(', ')}]`);
    }
    sum = sum.add(p);
  }
  return sum.mul(1 / (views.length + 1));
}

/** Labelled rows then the selected unlabelled rows, as one batch (one forward pass for both). */
function stackRows(a: Tensor, b: Tensor): Tensor {
  const out = arrayFor(a.dtype, a.size + b.size);
  out.set(a.data);
  out.set(b.data, a.size);
  return new Tensor(out, [a.shape[0] + b.shape[0], ...a.shape.slice(1)]);
}

export function checkAugment(who: string, name: string, fn: unknown): AugmentFn {
  if (typeof fn !== 'function') throw new ValueError(`${who}: ${name} must be an augmentation function (a tensor of images in, one of the same shape out)`);
  return (x) => {
    const y = (fn as AugmentFn)(x);
    if (!(y instanceof Tensor) || y.shape.length !== x.shape.length || y.shape.some((d, i) => d !== x.shape[i])) {
      throw new ValueError(`${who}: the ${name} augmentation must return a tensor of its input's shape [${x.shape.join(', ')}]`);
    }
    return y;
  };
}

/**
 * Trains `model` (a classifier returning logits [N, C]) with FixMatch on
 * labelled data (`{x, y}` with int32 classes, or a DataLoader of [x, y])
 * and unlabelled data (a tensor of inputs, or a DataLoader whose batches
 * start with x). Returns the per-epoch history: `loss`, `lossLabelled`,
 * `lossUnlabelled`, `maskRate` (share of unlabelled samples above the
 * threshold), metrics, `val*` with the averaged weights, and `lr`.
 */
export async function fitFixMatch(model: Module, labelled: TrainData, unlabelled: Tensor | TrainData, options: FixMatchOptions): Promise<History> {
  const who = 'fitFixMatch';
  if (!model || typeof (model as Module).parameters !== 'function' || typeof (model as Module).call !== 'function') {
    throw new ValueError(`${who}: model must be a Module`);
  }
  if (!options || typeof options !== 'object') throw new ValueError(`${who}: options are required (at least { weak, strong })`);
  checkOptions(who, options, FIXMATCH_OPTIONS);
  const signal = checkSignal(options.signal, who);
  const weak = checkAugment(who, 'weak', options.weak);
  const strong = checkAugment(who, 'strong', options.strong);
  const threshold = options.threshold ?? 0.95;
  if (!(typeof threshold === 'number' && threshold >= 0 && threshold <= 1)) throw new ValueError(`${who}: threshold must be in [0, 1], got ${String(threshold)}`);
  const flex = options.flexThresholds ?? false;
  if (typeof flex !== 'boolean') throw new ValueError(`${who}: flexThresholds must be a boolean`);
  if (flex && !(unlabelled instanceof Tensor)) throw new ValueError(`${who}: flexThresholds needs the unlabelled data as a tensor (it remembers a class per sample)`);
  const mu = checkInt(options.mu ?? 7, 'mu', 1, who);
  const lambdaU = options.lambdaU ?? 1;
  if (!(typeof lambdaU === 'number' && lambdaU >= 0 && Number.isFinite(lambdaU))) throw new ValueError(`${who}: lambdaU must be a finite number >= 0, got ${String(lambdaU)}`);
  const batchSize = checkInt(options.batchSize ?? 64, 'batchSize', 1, who);
  const epochs = checkInt(options.epochs ?? 1, 'epochs', 1, who);
  const validationBatchSize = checkInt(options.validationBatchSize ?? 256, 'validationBatchSize', 1, who);
  const emaDecay = options.emaDecay ?? 0.999;
  if (!(typeof emaDecay === 'number' && emaDecay >= 0 && emaDecay < 1)) throw new ValueError(`${who}: emaDecay must be in [0, 1), got ${String(emaDecay)}`);
  const useEma = options.useEma ?? emaDecay > 0;
  if (typeof useEma !== 'boolean') throw new ValueError(`${who}: useEma must be a boolean`);
  const verbose = options.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new ValueError(`${who}: verbose must be 0, 1 or 2, got ${String(verbose)}`);
  if (options.seed !== undefined && !Number.isFinite(options.seed)) throw new ValueError(`${who}: seed must be a finite number`);
  const clip = options.clipGradNorm;
  if (clip !== undefined && !(clip > 0)) throw new ValueError(`${who}: clipGradNorm must be > 0, got ${clip}`);
  const views = pseudoLabelViews(options.pseudoLabelViews, who);
  const pseudoLabelWith = options.pseudoLabelWith ?? 'model';
  if (pseudoLabelWith !== 'model' && pseudoLabelWith !== 'ema') throw new ValueError(`${who}: pseudoLabelWith must be 'model' or 'ema', got ${String(pseudoLabelWith)}`);
  if (pseudoLabelWith === 'ema' && !(emaDecay > 0)) throw new ValueError(`${who}: pseudoLabelWith 'ema' needs emaDecay > 0`);
  const alignDistribution = options.distributionAlignment ?? false;
  if (typeof alignDistribution !== 'boolean') throw new ValueError(`${who}: distributionAlignment must be a boolean`);
  const lrSchedule = checkLrSchedule(options.lrSchedule ?? 'constant', who);
  if (lrSchedule !== 'constant' && options.scheduler) throw new ValueError(`${who}: give lrSchedule or a scheduler, not both`);
  const metrics = resolveMetrics(options.metrics);
  const optimizer = fixMatchOptimizer(model, options, who);
  const ema = emaDecay > 0 ? new ExponentialMovingAverage(model, emaDecay) : null;

  const shuffleGenerator = options.seed !== undefined ? new Generator(options.seed) : null;
  const gen = (): Generator => shuffleGenerator ?? globalGenerator;
  const labelledSource = makeSource(labelled, batchSize, true, gen, `${who} (labelled)`);
  const unlabelledBatch = mu * batchSize;
  const uSource = unlabelledSource(unlabelled, unlabelledBatch, gen, `${who} (unlabelled)`);
  const stepsPerEpoch = checkInt(options.stepsPerEpoch ?? uSource.batches ?? Number.NaN, 'stepsPerEpoch (needed when the unlabelled data has no known length)', 1, who);
  const valSource = options.validationData !== undefined ? makeSource(options.validationData, validationBatchSize, false, gen, `${who} (validation)`) : null;
  const callbacks = orderCallbacks(options, who);
  const history = new History();
  const ctx: TrainingContext = {
    model,
    optimizer,
    epochs,
    batchesPerEpoch: stepsPerEpoch,
    history,
    stopTraining: false,
    checkpoint: () => {
      throw new ValueError(`${who}: training checkpoints are not available in a FixMatch run`);
    },
  };
  const labelledBatches = endless(labelledSource, `${who} (labelled)`);
  const unlabelledBatches = endless(uSource, `${who} (unlabelled)`);
  const params = optimizer.params();
  // Per-class thresholds, made at the first batch (when the number of classes is known).
  let fixedThresholds: Float64Array | null = null;
  let flexThresholds: FlexThresholds | null = null;
  let alignment: DistributionAlignment | null = null;
  const schedule = new FixMatchLrSchedule(optimizer, lrSchedule, epochs * stepsPerEpoch);
  const reporting = epochReporting(history, callbacks, ctx, verbose, epochs);
  const { progress, yielder } = reporting;
  const wasTraining = model.training;

  try {
    for (const { cb } of callbacks) await cb.onTrainBegin?.(ctx);
    for (let epoch = 0; epoch < epochs && !ctx.stopTraining; epoch++) {
      schedule.beforeStep(epoch * stepsPerEpoch); // so that the epoch's logged lr is its first step's
      const lr = await beginEpoch(epoch, model, optimizer, reporting);
      let lossSum = 0,
        labelledSum = 0,
        unlabelledSum = 0,
        confident = 0,
        seenU = 0,
        seenL = 0;
      const metricSums = new Float64Array(metrics.length);
      for (let step = 0; step < stepsPerEpoch; step++) {
        if (signal?.aborted) throw abortError(signal, who, `before step ${step + 1} of epoch ${epoch + 1}; the weights are those after the last whole step`);
        const [xl, yl] = splitBatch((await labelledBatches.next()).value as Tensor[], `${who} (labelled)`, step);
        const [xu, positions] = (await unlabelledBatches.next()).value as Tensor[];
        if (!(xu instanceof Tensor)) throw new ValueError(`${who}: an unlabelled batch must start with a tensor of inputs`);
        const nl = xl.shape[0],
          nu = xu.shape[0];

        // Pseudo-labels from the weakly augmented unlabelled batch (and its views), without a graph.
        const teacher = pseudoLabelWith === 'ema' ? ema : null;
        teacher?.swap();
        let probs: Tensor;
        try {
          probs = noGrad(() => viewAveragedProbabilities(model, weak(xu), views));
        } finally {
          teacher?.swap();
        }
        if (probs.ndim !== 2 || probs.shape[0] !== nu) throw new ValueError(`${who}: the model must return logits [${nu}, classes], got [${probs.shape.join(', ')}]`);
        if (flex) flexThresholds ??= new FlexThresholds((unlabelled as Tensor).shape[0], probs.shape[1], threshold);
        else fixedThresholds ??= new Float64Array(probs.shape[1]).fill(threshold);
        const thresholds = flexThresholds?.perClass ?? (fixedThresholds as Float64Array);
        const classes = probs.shape[1];
        if (thresholds.length !== classes) throw new ValueError(`${who}: the model returned ${classes} classes, earlier ${thresholds.length}`);
        if (alignDistribution) {
          alignment ??= new DistributionAlignment(classes);
          alignment.observeLabels(yl.data, yl.shape);
        }
        const p = alignment ? alignment.align(probs.data, nu) : probs.data;
        const { rows, labels } = confidentRows(p, nu, classes, thresholds);
        flexThresholds?.observe(positions.data as Int32Array, p);
        const xs = rows.length > 0 ? strong(takeRows(xu, 0, rows.length, rows)) : null;

        schedule.beforeStep(epoch * stepsPerEpoch + step);
        optimizer.zeroGrad();
        const out = model.call(xs ? stackRows(weak(xl), xs) : weak(xl));
        const [outL, outU] = xs ? out.split([nl, rows.length], 0) : [out, null];
        const lossL = crossEntropy(outL, yl);
        const lossU = outU ? crossEntropy(outU, new Tensor(labels, [labels.length]), { reduction: 'sum' }).mul(lambdaU / nu) : null;
        const loss = lossU ? lossL.add(lossU) : lossL;
        const value = loss.item();
        if (!Number.isFinite(value)) {
          throw new DivergenceError(
            epoch + 1,
            step + 1,
            value,
            `${who}: the loss became ${value} at epoch ${epoch + 1}/${epochs}, step ${step + 1} (lr ${lr}); training stopped before this step changed the weights.`,
          );
        }
        loss.backward();
        if (clip !== undefined) clipGradNorm(params, clip);
        optimizer.step();
        ema?.update();

        if (metrics.length) noGrad(() => metrics.forEach((m, j) => (metricSums[j] += m.fn(outL, yl) * nl)));
        lossSum += value * nl;
        labelledSum += lossL.item() * nl;
        unlabelledSum += lossU ? lossU.item() : 0;
        confident += rows.length;
        seenU += nu;
        seenL += nl;
        for (const { cb } of callbacks) if (cb.onBatchEnd) await cb.onBatchEnd(step, { loss: value, size: nl }, ctx);
        progress.batch(epoch, step + 1, stepsPerEpoch, lossSum / seenL);
        if (yielder.due()) await yielder.yield();
      }

      const logs: Logs = { loss: lossSum / seenL, lossLabelled: labelledSum / seenL, lossUnlabelled: unlabelledSum / stepsPerEpoch, maskRate: confident / seenU };
      metrics.forEach((m, j) => (logs[m.name] = metricSums[j] / seenL));
      let validation: Logs | null = null;
      if (valSource) {
        ema?.swap();
        try {
          validation = await evaluateSource(model, valSource, crossEntropy, metrics, `${who} (validation)`, yielder, signal);
        } finally {
          ema?.swap();
        }
      }
      await endEpoch(epoch, logs, validation, lr, reporting);
    }
    for (const { cb } of callbacks) await cb.onTrainEnd?.(ctx);
    if (ema && useEma) ema.swap();
  } finally {
    model.train(wasTraining);
    await labelledBatches.return(undefined);
    await unlabelledBatches.return(undefined);
  }
  return history;
}
