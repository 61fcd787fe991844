/** Parameter checks shared by the SVM estimators. */
import { ValueError } from '../../errors.js';

/** Throws when a parameter is not a positive finite number. */
export function checkPositive(v: unknown, name: string, who: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (allowZero ? v < 0 : v <= 0)) {
    throw new ValueError(`${who}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} finite number, got ${String(v)}`);
  }
  return v;
}
