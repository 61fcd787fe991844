/**
 * An exponential moving average of a model's parameters (Polyak averaging,
 * as in FixMatch and mean teacher): after each optimiser step,
 * avg ← d·avg + (1 − d)·param. The averaged weights usually generalise
 * better than the last ones; evaluate with them through {@link swap}.
 */
import { ValueError } from '../errors.js';
import type { Module, Parameter } from '../nn/module.js';
import type { TypedArray } from '../tensor/dtype.js';

export class ExponentialMovingAverage {
  /** The averages, one per parameter, in the order of `model.parameters()`. */
  readonly averages: TypedArray[];
  /** Updates so far. */
  updates = 0;
  private readonly params: Parameter[];

  /**
   * @param decay d in [0, 1). Early on the effective decay is
   *   min(d, (1 + t) / (10 + t)) after t updates (TensorFlow's
   *   `num_updates` warm-up), so a short run is not dominated by the
   *   initial weights.
   */
  constructor(
    model: Module,
    readonly decay = 0.999,
  ) {
    if (!(typeof decay === 'number' && decay >= 0 && decay < 1)) throw new ValueError(`ExponentialMovingAverage: decay must be in [0, 1), got ${String(decay)}`);
    this.params = model.parameters();
    this.averages = this.params.map((p) => p.data.slice());
  }

  /** Folds the parameters' current values into the averages. */
  update(): void {
    const d = Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
    this.updates++;
    for (let k = 0; k < this.params.length; k++) {
      const avg = this.averages[k],
        p = this.params[k].data;
      for (let j = 0; j < avg.length; j++) avg[j] = d * avg[j] + (1 - d) * p[j];
    }
  }

  /** Exchanges the parameters' values with the averages (call again to swap back). */
  swap(): void {
    for (let k = 0; k < this.params.length; k++) {
      const avg = this.averages[k],
        p = this.params[k];
      const current = p.data.slice();
      p.data.set(avg);
      avg.set(current);
      p.markModified();
    }
  }
}
