/**
 * permutationImportance (scikit-learn's permutation_importance): how much
 * a fitted estimator's score drops when one feature's column is shuffled,
 * breaking its link with the target. Repeated `nRepeats` times per feature.
 * The shuffles come from Frugal's generator, so a given `randomState` does
 * not reproduce NumPy's permutations (same procedure, different draws).
 */
import { ValueError } from '../errors.js';
import { getScorer, type Scoring } from '../metrics/scorers.js';
import type { Estimator } from '../models/base.js';
import { type Generator, resolveGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { readOptions } from '../utils/options.js';
import { numSamples, toMatrix, type LabelInput, type MatrixInput, type VectorInput } from '../utils/validation.js';

export interface PermutationImportanceOptions {
  /** Metric name or scorer function; default: the estimator's score. */
  scoring?: Scoring | null;
  /** Shuffles per feature (default 5). */
  nRepeats?: number;
  /** Seed or Generator of the shuffles. */
  randomState?: number | Generator | null;
}

export interface PermutationImportanceResult {
  /** Mean score drop of each feature over the repeats. */
  importancesMean: Float64Array;
  /** Standard deviation (population) of the drops. */
  importancesStd: Float64Array;
  /** Every drop: [nFeatures, nRepeats]. */
  importances: Tensor;
}

/** Most score evaluations (features × repeats) one call makes. */
const MAX_EVALUATIONS = 1_000_000;

export function permutationImportance(
  estimator: Estimator,
  X: MatrixInput,
  y: LabelInput | VectorInput | null,
  options: PermutationImportanceOptions = {},
): PermutationImportanceResult {
  const o = readOptions('permutationImportance', options, ['scoring', 'nRepeats', 'randomState']);
  const nRepeats = o.nRepeats ?? 5;
  if (typeof nRepeats !== 'number' || !Number.isInteger(nRepeats) || nRepeats < 1)
    throw new ValueError(`permutationImportance: nRepeats must be a positive integer, got ${String(nRepeats)}`);
  const Xm = toMatrix(X, { allowNaN: true, allowInf: true });
  if (y !== null && y !== undefined && numSamples(y) !== Xm.rows) throw new ValueError(`permutationImportance: X has ${Xm.rows} samples but y has ${numSamples(y)}`);
  const d = Xm.cols;
  if (d * nRepeats > MAX_EVALUATIONS) throw new ValueError(`permutationImportance: ${d} features × ${nRepeats} repeats is more than ${MAX_EVALUATIONS} scorings`);
  const scorer = getScorer(o.scoring);
  const rng = resolveGenerator(o.randomState ?? undefined);
  const score = (data: Float64Array): number => {
    const s = scorer(estimator, { data, rows: Xm.rows, cols: d }, y);
    if (typeof s !== 'number') throw new ValueError(`permutationImportance: the scoring must return a number, got ${String(s)}`);
    return s;
  };
  const baseline = score(Xm.data);
  const drops = new Float64Array(d * nRepeats);
  const shuffled = Float64Array.from(Xm.data);
  for (let f = 0; f < d; f++) {
    for (let r = 0; r < nRepeats; r++) {
      const perm = rng.permutation(Xm.rows);
      for (let i = 0; i < Xm.rows; i++) shuffled[i * d + f] = Xm.data[perm[i] * d + f];
      drops[f * nRepeats + r] = baseline - score(shuffled);
    }
    for (let i = 0; i < Xm.rows; i++) shuffled[i * d + f] = Xm.data[i * d + f];
  }
  const importancesMean = new Float64Array(d);
  const importancesStd = new Float64Array(d);
  for (let f = 0; f < d; f++) {
    const row = drops.subarray(f * nRepeats, (f + 1) * nRepeats);
    const mean = row.reduce((a, b) => a + b, 0) / nRepeats;
    importancesMean[f] = mean;
    importancesStd[f] = Math.sqrt(row.reduce((a, b) => a + (b - mean) ** 2, 0) / nRepeats);
  }
  return { importancesMean, importancesStd, importances: new Tensor(drops, [d, nRepeats]) };
}
