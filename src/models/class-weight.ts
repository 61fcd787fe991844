/** Class weights, shared by every classifier that takes `classWeight` (scikit-learn's compute_class_weight). */
import { ValueError } from '../errors.js';
import type { Label } from '../utils/validation.js';

/** 'balanced' (n / (k · count)), explicit weights by label, or null (all 1). */
export type ClassWeight = 'balanced' | Record<string, number> | Map<Label, number> | null;

/**
 * Per-class weights as scikit-learn's compute_class_weight gives them.
 * `who` names the caller (the estimator) in error messages.
 */
export function classWeights(cw: ClassWeight | undefined, classes: readonly Label[], y: Int32Array, who = 'classWeights'): Float64Array {
  const k = classes.length;
  const w = new Float64Array(k).fill(1);
  if (cw === null || cw === undefined) return w;
  if (cw === 'balanced') {
    const count = new Float64Array(k);
    for (let i = 0; i < y.length; i++) count[y[i]]++;
    for (let c = 0; c < k; c++) w[c] = y.length / (k * count[c]);
    return w;
  }
  const entries: [string, number][] = cw instanceof Map ? [...cw.entries()].map(([a, b]) => [String(a), b]) : typeof cw === 'object' ? Object.entries(cw) : [];
  if (!(cw instanceof Map) && (typeof cw !== 'object' || Array.isArray(cw))) {
    throw new ValueError(`${who}: classWeight must be 'balanced', an object {label: weight}, a Map or null, got ${JSON.stringify(cw)}`);
  }
  const index = new Map<string, number>();
  classes.forEach((c, i) => index.set(String(c), i));
  for (const [key, v] of entries) {
    const c = index.get(key);
    if (c === undefined) throw new ValueError(`${who}: classWeight has label ${JSON.stringify(key)}, which is not a class (classes: ${JSON.stringify(classes)})`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new ValueError(`${who}: classWeight for label ${JSON.stringify(key)} must be a non-negative number, got ${String(v)}`);
    w[c] = v;
  }
  return w;
}
