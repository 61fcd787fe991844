/**
 * The one check every estimator makes at the end of a fit and of a
 * prediction: no non-finite number leaves it silently. A solver that
 * overflowed (features of 1e300, a diverging step) becomes a NumericalError
 * naming the estimator and saying what to do.
 */
import { NumericalError } from '../errors.js';

/** Throws a NumericalError naming `est` unless every value is finite (one pass: cheap next to the work that made them). */
export function checkFinite(est: string, what: string, values: ArrayLike<number>): void {
  // v - v is 0 for a finite v and NaN otherwise: one branch-free pass, then a search only on failure
  let z = 0;
  for (let i = 0; i < values.length; i++) z += values[i] - values[i];
  if (z === 0) return;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new NumericalError(`${est}: ${what} has a non-finite value (${values[i]} at ${i}); the features or targets are too large for float64 — scale them (StandardScaler)`);
    }
  }
}
