/**
 * Pseudo-labelling: a trained classifier (the teacher) labels unlabelled
 * samples, and a new model (the student) is trained on the labels and the
 * confident pseudo-labels together, with augmentation ("noisy student",
 * Xie et al., 2020). This module picks the pseudo-labels; training the
 * student is an ordinary `fit`.
 *
 * ```ts
 * const pseudo = pseudoLabel(teacher, xUnlabelled, { threshold: 0.9, maxPerClass: 4000 });
 * const student = makeModel();
 * await fit(student, { x: concat([xLabelled, pseudo.x]), y: concat([yLabelled, pseudo.y]) }, { loss: 'crossEntropy', epochs: 5 });
 * ```
 */
import { NumericalError, ShapeError, ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';
import { checkInt, takeRows } from './data.js';
import { predict } from './evaluate.js';

export interface PseudoLabelOptions {
  /** Smallest top probability a pseudo-label needs (default 0: all). */
  threshold?: number;
  /** At most this many pseudo-labels per class, the most confident ones (default: no limit). Keeps classes balanced when the teacher favours some. */
  maxPerClass?: number;
  /** Samples per forward pass (default 256). */
  batchSize?: number;
}

export interface PseudoLabels {
  /** The selected samples, in their order in the input. */
  x: Tensor;
  /** Their pseudo-labels (int32 classes). */
  y: Tensor;
  /** Their positions in the input. */
  indices: Int32Array;
  /** The teacher's top probability for each. */
  confidence: Float64Array;
}

/**
 * Labels `x` with `model` (a classifier returning logits [N, C]) and keeps
 * the samples whose top softmax probability reaches `threshold`, at most
 * `maxPerClass` per class (the most confident).
 */
export function pseudoLabel(model: Module, x: Tensor, options: PseudoLabelOptions = {}): PseudoLabels {
  const who = 'pseudoLabel';
  checkOptions(who, options, ['threshold', 'maxPerClass', 'batchSize']);
  const threshold = options.threshold ?? 0;
  if (!(typeof threshold === 'number' && threshold >= 0 && threshold <= 1)) throw new ValueError(`${who}: threshold must be in [0, 1], got ${String(threshold)}`);
  const maxPerClass = options.maxPerClass ?? Number.POSITIVE_INFINITY;
  if (maxPerClass !== Number.POSITIVE_INFINITY) checkInt(maxPerClass, 'maxPerClass', 1, who);
  const logits = predict(model, x, { batchSize: options.batchSize ?? 256 });
  const n = x.shape[0];
  if (logits.ndim !== 2 || logits.shape[0] !== n) throw new ShapeError(`${who}: the model must return logits [${n}, classes], got [${logits.shape.join(', ')}]`);
  const c = logits.shape[1];
  const z = logits.data;
  const label = new Int32Array(n);
  const confidence = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Top softmax probability = 1 / Σ_k exp(z_k − z_max).
    let best = 0;
    for (let k = 1; k < c; k++) if (z[i * c + k] > z[i * c + best]) best = k;
    let sum = 0;
    for (let k = 0; k < c; k++) sum += Math.exp(z[i * c + k] - z[i * c + best]);
    if (!Number.isFinite(sum)) throw new NumericalError(`${who}: the model returned a non-finite logit for sample ${i}`);
    label[i] = best;
    confidence[i] = 1 / sum;
  }
  // Per class, the confident samples by decreasing confidence, cut at maxPerClass.
  const byClass: number[][] = Array.from({ length: c }, () => []);
  for (let i = 0; i < n; i++) if (confidence[i] >= threshold) byClass[label[i]].push(i);
  const kept: number[] = [];
  for (const members of byClass) {
    if (members.length > maxPerClass) members.sort((a, b) => confidence[b] - confidence[a] || a - b);
    for (let j = 0; j < members.length && j < maxPerClass; j++) kept.push(members[j]);
  }
  const indices = Int32Array.from(kept).sort();
  return {
    x: takeRows(x, 0, indices.length, indices),
    y: new Tensor(
      indices.map((i) => label[i]),
      [indices.length],
    ),
    indices,
    confidence: Float64Array.from(indices, (i) => confidence[i]),
  };
}
