/**
 * FlexMatch's class-wise thresholds ("curriculum pseudo labelling", Zhang
 * et al., 2021): a class the model is still learning gets a lower threshold
 * than τ, so its unlabelled samples are used earlier.
 *
 * Every unlabelled sample remembers the class of its last prediction that
 * reached τ (or none). With σ_c the number of samples remembered as class c
 * and σ_none those never confident yet, the learning effect of class c is
 * β_c = σ_c / max(max_k σ_k, σ_none) (the warm-up form: all β are small
 * while most samples are still unused), and class c's threshold is
 * τ · M(β_c) with the convex mapping M(x) = x / (2 − x).
 */
import { ShapeError, ValueError } from '../errors.js';
import { checkInt } from './data.js';

export class FlexThresholds {
  /** Per unlabelled sample: the class of its last prediction above τ, or −1. */
  private readonly remembered: Int32Array;
  /** σ_c per class, then σ_none in the last slot. */
  private readonly counts: Float64Array;
  /** The thresholds of the current step, one per class. */
  readonly perClass: Float64Array;

  constructor(
    samples: number,
    readonly numClasses: number,
    readonly threshold: number,
  ) {
    const who = 'FlexThresholds';
    checkInt(samples, 'samples', 1, who);
    checkInt(numClasses, 'numClasses', 1, who);
    if (!(typeof threshold === 'number' && threshold >= 0 && threshold <= 1)) throw new ValueError(`${who}: threshold must be in [0, 1], got ${String(threshold)}`);
    this.remembered = new Int32Array(samples).fill(-1);
    this.counts = new Float64Array(numClasses + 1);
    this.counts[numClasses] = samples;
    this.perClass = new Float64Array(numClasses);
    this.refresh();
  }

  /** Recomputes the per-class thresholds from the remembered classes. */
  private refresh(): void {
    const c = this.numClasses;
    let denominator = this.counts[c];
    for (let k = 0; k < c; k++) denominator = Math.max(denominator, this.counts[k]);
    for (let k = 0; k < c; k++) {
      const beta = this.counts[k] / denominator;
      this.perClass[k] = (this.threshold * beta) / (2 - beta);
    }
  }

  /**
   * Remembers the predictions `probs` [n, C] of the unlabelled samples
   * `indices` (positions in the unlabelled set) whose top probability
   * reaches τ, then updates the thresholds for the next step.
   */
  observe(indices: Int32Array, probs: ArrayLike<number>): void {
    const c = this.numClasses;
    if (probs.length !== indices.length * c) throw new ShapeError(`FlexThresholds: ${indices.length} samples need ${indices.length * c} probabilities, got ${probs.length}`);
    for (let i = 0; i < indices.length; i++) {
      const sample = indices[i];
      if (!(sample >= 0 && sample < this.remembered.length)) throw new ValueError(`FlexThresholds: sample index ${sample} outside [0, ${this.remembered.length})`);
      let best = 0;
      for (let k = 1; k < c; k++) if (probs[i * c + k] > probs[i * c + best]) best = k;
      if (!(probs[i * c + best] >= this.threshold)) continue;
      const before = this.remembered[sample];
      this.counts[before < 0 ? c : before]--;
      this.counts[best]++;
      this.remembered[sample] = best;
    }
    this.refresh();
  }
}
