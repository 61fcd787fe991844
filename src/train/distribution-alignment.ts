/**
 * Distribution alignment (ReMixMatch, Berthelot et al., 2020): before a
 * prediction on an unlabelled sample becomes a pseudo-label, it is scaled
 * by the class prior of the labelled data over the running mean of the
 * model's predictions on unlabelled data, and normalised again:
 *
 *   p̃ = normalise(p · prior / mean(p))
 *
 * A model that over-predicts some classes early in training (and so would
 * pseudo-label mostly those) is pulled back towards the labelled classes'
 * frequencies.
 */
import { ValueError } from '../errors.js';
import type { TypedArray } from '../tensor/dtype.js';
import { checkInt } from './data.js';

export class DistributionAlignment {
  /** Labelled samples seen per class (soft labels add their probabilities). */
  private readonly labelCounts: Float64Array;
  /** The running mean of the predictions on unlabelled batches. */
  readonly meanPrediction: Float64Array;
  /** Unlabelled batches folded into the mean so far. */
  batches = 0;

  /**
   * @param decay of the running mean, per batch: mean ← d·mean + (1 − d)·batch mean,
   *   with d = min(decay, t / (t + 1)) after t batches (a plain mean at first).
   *   0.99 averages about the last hundred batches (ReMixMatch keeps the last 128).
   */
  constructor(
    readonly numClasses: number,
    readonly decay = 0.99,
  ) {
    const who = 'DistributionAlignment';
    checkInt(numClasses, 'numClasses', 1, who);
    if (!(typeof decay === 'number' && decay >= 0 && decay < 1)) throw new ValueError(`${who}: decay must be in [0, 1), got ${String(decay)}`);
    this.labelCounts = new Float64Array(numClasses);
    this.meanPrediction = new Float64Array(numClasses);
  }

  /** Counts the labels of a labelled batch: int32 classes [N], or class probabilities [N, C]. */
  observeLabels(labels: TypedArray, shape: readonly number[]): void {
    const c = this.numClasses;
    if (shape.length === 2 && shape[1] === c && !(labels instanceof Int32Array)) {
      for (let i = 0; i < labels.length; i++) this.labelCounts[i % c] += labels[i];
      return;
    }
    for (let i = 0; i < labels.length; i++) {
      const k = labels[i];
      if (!(Number.isInteger(k) && k >= 0 && k < c)) throw new ValueError(`DistributionAlignment: label ${k} is not a class in [0, ${c})`);
      this.labelCounts[k]++;
    }
  }

  /**
   * Folds the batch of predictions `probs` ([n, C], rows summing to 1) into
   * the running mean, then returns the aligned predictions (a new array).
   */
  align(probs: ArrayLike<number>, n: number): Float64Array {
    const c = this.numClasses;
    if (probs.length !== n * c) throw new ValueError(`DistributionAlignment: expected ${n} × ${c} predictions, got ${probs.length} values`);
    let labelled = 0;
    for (let k = 0; k < c; k++) labelled += this.labelCounts[k];
    if (!(labelled > 0)) throw new ValueError('DistributionAlignment: no labels observed yet (call observeLabels first)');
    const d = Math.min(this.decay, this.batches / (this.batches + 1));
    this.batches++;
    const batchMean = new Float64Array(c);
    for (let i = 0; i < n * c; i++) batchMean[i % c] += probs[i] / n;
    const scale = new Float64Array(c);
    for (let k = 0; k < c; k++) {
      this.meanPrediction[k] = d * this.meanPrediction[k] + (1 - d) * batchMean[k];
      // A class the model never predicts keeps its scale finite: the mean is floored.
      scale[k] = this.labelCounts[k] / labelled / Math.max(this.meanPrediction[k], 1e-6);
    }
    const out = new Float64Array(n * c);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let k = 0; k < c; k++) sum += out[i * c + k] = probs[i * c + k] * scale[k];
      // A row that is all zeros after scaling (only unseen classes) stays as it was.
      if (sum > 0) for (let k = 0; k < c; k++) out[i * c + k] /= sum;
      else for (let k = 0; k < c; k++) out[i * c + k] = probs[i * c + k];
    }
    return out;
  }
}
