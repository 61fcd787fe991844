/**
 * A self-training stage ("noisy student", Xie et al., 2020) after a
 * semi-supervised run: the teacher labels every unlabelled sample at once
 * (`pseudoLabel`: the confident ones, at most `maxPerClass` per class), and
 * the student is trained with `fit` on the labels and these pseudo-labels
 * together, each batch passed through `augment` (the noise that keeps the
 * student from copying its teacher's mistakes).
 *
 * The student may be a fresh model or the teacher itself: pass the teacher
 * as `student` to fine-tune it on its own pseudo-labels (labelling happens
 * before any step changes it).
 *
 * ```ts
 * await fitFixMatch(teacher, { x: xl, y: yl }, xu, { weak, strong, optimizer: 'sgd-nesterov', epochs: 70 });
 * const { history, pseudoLabels } = await fitNoisyStudent(teacher, { x: xl, y: yl }, xu, {
 *   teacher, augment: strong, maxPerClass: 5000, labelledCopies: 5,
 *   optimizer: 'sgd-nesterov', lr: 0.01, weightDecay: 5e-4, lrSchedule: 'cosine', epochs: 8,
 * });
 * ```
 */
import { ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { concat } from '../tensor/index.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';
import type { Callback, Logs, TrainingContext } from './callbacks.js';
import { checkInt, xyOf, type XYData } from './data.js';
import { checkAugment, type AugmentFn } from './fixmatch.js';
import { fixMatchOptimizer } from './fixmatch-optimizer.js';
import { fit, type TrainData } from './fit.js';
import type { History } from './history.js';
import type { MetricFn } from './metrics.js';
import type { Verbosity } from './progress.js';
import { pseudoLabel } from './pseudo-label.js';
import { DataLoader } from '../datasets/dataloader.js';
import { TensorDataset } from '../datasets/dataset.js';

export interface NoisyStudentOptions {
  /** The trained classifier (logits [N, C]) that labels the unlabelled samples. */
  teacher: Module;
  /** Applied to every training batch of inputs (default: none); must keep the shape. */
  augment?: AugmentFn;
  /** Smallest top probability of a kept pseudo-label (default 0: all). */
  threshold?: number;
  /** At most this many pseudo-labels per class, the most confident (default: no limit). */
  maxPerClass?: number;
  /** How many times each labelled sample appears in an epoch (default 1), so that a few labels are not drowned by many pseudo-labels. */
  labelledCopies?: number;
  /** Epochs over the labels and pseudo-labels (default 1). */
  epochs?: number;
  /** Samples per step (default 64). */
  batchSize?: number;
  /** An optimiser of the student, or a name ('sgd-nesterov' as in fitFixMatch, 'adam', ...); default Adam. */
  optimizer?: Optimizer | string;
  /** Learning rate of a named optimiser. */
  lr?: number;
  /** L2 decay on the student's weights (kernels and matrices, not biases), with a named optimiser. */
  weightDecay?: number;
  /** 'constant' (default) or 'cosine': lr · (1 + cos(πk/K)) / 2 at step k of all K steps, down to 0 at the end. */
  lrSchedule?: 'constant' | 'cosine';
  /** Seed of the shuffling (default 0). */
  seed?: number;
  /** As fit's. */
  metrics?: (string | MetricFn)[];
  validationData?: TrainData;
  callbacks?: Callback[];
  verbose?: Verbosity;
  signal?: AbortSignal;
}

export interface NoisyStudentResult {
  /** The student's training history (fit's). */
  history: History;
  /** The pseudo-labels it learned from: positions in the unlabelled tensor, classes, and the teacher's confidence. */
  pseudoLabels: { indices: Int32Array; labels: Int32Array; confidence: Float64Array };
}

const NOISY_STUDENT_OPTIONS: readonly (keyof NoisyStudentOptions)[] = [
  'teacher',
  'augment',
  'threshold',
  'maxPerClass',
  'labelledCopies',
  'epochs',
  'batchSize',
  'optimizer',
  'lr',
  'weightDecay',
  'lrSchedule',
  'seed',
  'metrics',
  'validationData',
  'callbacks',
  'verbose',
  'signal',
];

/** Sets the lr of every group before each step: lr · (1 + cos(πk/K)) / 2 at step k of K. */
class HalfCosinePerStep implements Callback {
  private readonly baseLrs: number[];
  private step = 0;

  constructor(
    private readonly optimizer: Optimizer,
    private readonly totalSteps: number,
  ) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
    this.apply();
  }

  private apply(): void {
    const factor = (1 + Math.cos((Math.PI * Math.min(this.step, this.totalSteps)) / this.totalSteps)) / 2;
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = this.baseLrs[i] * factor));
  }

  onBatchEnd(_batch: number, _logs: Logs, _ctx: TrainingContext): void {
    this.step++;
    this.apply();
  }
}

/** `labelled` rows repeated `copies` times, then the pseudo-labelled rows. */
function trainingSet(labelled: XYData, pseudoX: Tensor, pseudoY: Tensor, copies: number, who: string): TensorDataset {
  if (labelled.y.dtype !== 'int32' || labelled.y.ndim !== 1) throw new ValueError(`${who}: the labelled y must be int32 classes [N]`);
  if (labelled.x.dtype !== pseudoX.dtype) throw new ValueError(`${who}: the labelled and unlabelled inputs must share a dtype (${labelled.x.dtype}, ${pseudoX.dtype})`);
  const xs = Array.from({ length: copies }, () => labelled.x);
  const ys = Array.from({ length: copies }, () => labelled.y);
  return new TensorDataset(concat([...xs, pseudoX]), concat([...ys, pseudoY]));
}

/**
 * Trains `student` on `labelled` ({x, y} with int32 classes) and on the
 * teacher's pseudo-labels of `unlabelled` (a tensor of inputs of the same
 * sample shape). Returns fit's history and the pseudo-labels used.
 */
export async function fitNoisyStudent(
  student: Module,
  labelled: XYData | readonly [Tensor, Tensor],
  unlabelled: Tensor,
  options: NoisyStudentOptions,
): Promise<NoisyStudentResult> {
  const who = 'fitNoisyStudent';
  if (!options || typeof options !== 'object') throw new ValueError(`${who}: options are required (at least { teacher })`);
  checkOptions(who, options, NOISY_STUDENT_OPTIONS);
  for (const [name, m] of [
    ['student', student],
    ['teacher', options.teacher],
  ] as const) {
    if (!m || typeof (m as Module).parameters !== 'function' || typeof (m as Module).call !== 'function') throw new ValueError(`${who}: ${name} must be a Module`);
  }
  if (!(unlabelled instanceof Tensor) || unlabelled.ndim === 0) throw new ValueError(`${who}: unlabelled must be a tensor of inputs [N, ...]`);
  const data = xyOf(labelled, who);
  const sampleShape = data.x.shape.slice(1);
  if (unlabelled.ndim !== data.x.ndim || unlabelled.shape.slice(1).some((d, i) => d !== sampleShape[i])) {
    throw new ValueError(`${who}: unlabelled samples [${unlabelled.shape.slice(1).join(', ')}] differ from the labelled ones [${sampleShape.join(', ')}]`);
  }
  const copies = checkInt(options.labelledCopies ?? 1, 'labelledCopies', 1, who);
  if (copies > 1000) throw new ValueError(`${who}: labelledCopies must be at most 1000, got ${copies}`);
  const epochs = checkInt(options.epochs ?? 1, 'epochs', 1, who);
  const batchSize = checkInt(options.batchSize ?? 64, 'batchSize', 1, who);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new ValueError(`${who}: seed must be a finite number`);
  const lrSchedule = options.lrSchedule ?? 'constant';
  if (lrSchedule !== 'constant' && lrSchedule !== 'cosine') throw new ValueError(`${who}: lrSchedule must be 'constant' or 'cosine', got ${String(lrSchedule)}`);
  const augment = options.augment !== undefined ? checkAugment(who, 'augment', options.augment) : undefined;
  const optimizer = fixMatchOptimizer(student, options, who);

  // Label first: the student may be the teacher itself.
  const pseudo = pseudoLabel(options.teacher, unlabelled, {
    threshold: options.threshold ?? 0,
    ...(options.maxPerClass !== undefined ? { maxPerClass: options.maxPerClass } : {}),
  });
  const dataset = trainingSet(data, pseudo.x, pseudo.y, copies, who);
  const loader = new DataLoader(dataset, { batchSize, shuffle: true, seed, ...(augment ? { batchTransform: (batch: Tensor[]) => [augment(batch[0]), ...batch.slice(1)] } : {}) });
  const steps = epochs * Math.ceil(dataset.length / batchSize);
  const callbacks = [...(lrSchedule === 'cosine' ? [new HalfCosinePerStep(optimizer, steps)] : []), ...(options.callbacks ?? [])];
  const history = await fit(student, loader, {
    loss: 'crossEntropy',
    optimizer,
    epochs,
    callbacks,
    verbose: options.verbose ?? 0,
    ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
    ...(options.validationData !== undefined ? { validationData: options.validationData } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  return { history, pseudoLabels: { indices: pseudo.indices, labels: pseudo.y.data as Int32Array, confidence: pseudo.confidence } };
}
