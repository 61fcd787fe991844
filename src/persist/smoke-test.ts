/**
 * A smoke test of a loaded, fitted estimator: each of its outputs
 * (predict, predictProba, decisionFunction, transform) on one row of zeros.
 * A state whose parts do not fit together (a string where an array belongs,
 * coefficients or probability parameters of the wrong length) so fails at
 * loading, with a typed error, instead of later inside predict. A
 * FrugalError the estimator throws by design (an unknown category, a
 * kernel wanting other columns, probabilities it was not fitted for) is
 * its normal behaviour and passes; a NumericalError or a NaN is not.
 */
import { FrugalError, NumericalError, ParseError } from '../errors.js';
import type { Estimator } from '../models/base.js';
import { Tensor } from '../tensor/tensor.js';

const OUTPUT_METHODS = ['predict', 'predictProba', 'decisionFunction', 'transform'] as const;

/** Widest input the smoke test builds a row for (wider models skip it). */
const MAX_FEATURES = 1 << 20;

/** Whether an output (labels, a Float64Array, a Tensor) holds a NaN. */
function holdsNaN(out: unknown): boolean {
  const values = out instanceof Tensor ? out.data : out;
  if (!ArrayBuffer.isView(values) && !Array.isArray(values)) return false;
  return Array.prototype.some.call(values, (v: unknown) => typeof v === 'number' && Number.isNaN(v));
}

export function smokeTestLoaded(est: Estimator): void {
  const { nFeaturesIn: d, isFitted } = est as { nFeaturesIn?: unknown; isFitted?: unknown };
  if (d !== undefined && !(Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw new ParseError(`estimator file: the saved nFeaturesIn of ${est.constructor.name} is ${JSON.stringify(d)}, not a count`);
  }
  if (isFitted !== true || typeof d !== 'number' || d < 1 || d > MAX_FEATURES) return;
  const row = [new Array<number>(d).fill(0)];
  const methods = est as unknown as Record<string, unknown>;
  for (const method of OUTPUT_METHODS) {
    if (typeof methods[method] !== 'function') continue;
    const problem = `estimator file: the saved state of ${est.constructor.name} does not fit together: ${method}`;
    let out: unknown;
    try {
      out = (methods[method] as (X: number[][]) => unknown).call(est, row);
    } catch (err) {
      // A NaN met inside (coefficients of the wrong length read past their end) is the state's fault, not the input's.
      if (err instanceof FrugalError && !(err instanceof NumericalError)) continue;
      throw new ParseError(`${problem} fails (${String((err as Error)?.message ?? err)})`);
    }
    if (holdsNaN(out)) throw new ParseError(`${problem} of a row of zeros gives NaN`);
  }
}
