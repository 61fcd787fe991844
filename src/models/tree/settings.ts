/**
 * The parameters every tree learner shares (scikit-learn's names in
 * camelCase), their checks, and their resolution into the counts the
 * builder uses for a data set of n samples and d features.
 */
import { ValueError } from '../../errors.js';
import { checkSampleWeight, type VectorInput } from '../../utils/validation.js';
import type { Matrix } from '../../linalg/matrix.js';
import { rankColumns, type Criterion, type SplitterKind, type TrainingSet, type TreeSettings } from './training-set.js';
import { toRowsF32 } from './tree-data.js';

/** Features tried per split: all (null), 'sqrt', 'log2', a count, or a fraction in (0, 1]. */
export type MaxFeatures = null | 'sqrt' | 'log2' | number;

export interface TreeGrowthParams {
  maxDepth: number | null;
  /** At least 2 (a count), or a fraction in (0, 1] of the samples. */
  minSamplesSplit: number;
  /** At least 1 (a count), or a fraction in (0, 0.5) of the samples. */
  minSamplesLeaf: number;
  minWeightFractionLeaf: number;
  maxFeatures: MaxFeatures;
  maxLeafNodes: number | null;
  minImpurityDecrease: number;
  /** Complexity parameter of minimal cost-complexity pruning (0: no pruning). */
  ccpAlpha: number;
}

export const CLASSIFICATION_CRITERIA: readonly Criterion[] = ['gini', 'entropy', 'log_loss'];
export const REGRESSION_CRITERIA: readonly Criterion[] = ['squared_error'];

function isInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x);
}

/** `maxFeatures` as a count for d features. */
export function resolveMaxFeatures(who: string, maxFeatures: MaxFeatures, d: number): number {
  if (maxFeatures === null || maxFeatures === undefined) return d;
  if (maxFeatures === 'sqrt') return Math.max(1, Math.floor(Math.sqrt(d)));
  if (maxFeatures === 'log2') return Math.max(1, Math.floor(Math.log2(d)));
  if (isInteger(maxFeatures) && maxFeatures >= 1 && maxFeatures !== 1.0) {
    if (maxFeatures > d) throw new ValueError(`${who}: maxFeatures (${maxFeatures}) must be at most the number of features (${d})`);
    return maxFeatures;
  }
  if (typeof maxFeatures === 'number' && maxFeatures > 0 && maxFeatures <= 1) return Math.max(1, Math.floor(maxFeatures * d));
  throw new ValueError(`${who}: maxFeatures must be null, 'sqrt', 'log2', an integer >= 1 or a fraction in (0, 1], got ${JSON.stringify(maxFeatures)}`);
}

/**
 * The builder's settings for n samples (of total weight `totalWeight`) and d
 * features; every parameter is checked here.
 */
export function resolveSettings(
  who: string,
  p: TreeGrowthParams & { criterion: string; splitter?: string },
  criteria: readonly Criterion[],
  n: number,
  d: number,
  totalWeight: number,
): TreeSettings {
  if (!criteria.includes(p.criterion as Criterion))
    throw new ValueError(`${who}: criterion must be one of ${criteria.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(p.criterion)}`);
  const splitter = p.splitter ?? 'best';
  if (splitter !== 'best' && splitter !== 'random') throw new ValueError(`${who}: splitter must be 'best' or 'random', got ${JSON.stringify(splitter)}`);
  if (p.maxDepth !== null && !(isInteger(p.maxDepth) && p.maxDepth >= 1))
    throw new ValueError(`${who}: maxDepth must be null or an integer >= 1, got ${JSON.stringify(p.maxDepth)}`);
  let minSamplesLeaf: number;
  if (isInteger(p.minSamplesLeaf) && p.minSamplesLeaf >= 1) minSamplesLeaf = p.minSamplesLeaf;
  else if (typeof p.minSamplesLeaf === 'number' && p.minSamplesLeaf > 0 && p.minSamplesLeaf < 0.5) minSamplesLeaf = Math.ceil(p.minSamplesLeaf * n);
  else throw new ValueError(`${who}: minSamplesLeaf must be an integer >= 1 or a fraction in (0, 0.5), got ${JSON.stringify(p.minSamplesLeaf)}`);
  let minSamplesSplit: number;
  if (isInteger(p.minSamplesSplit) && p.minSamplesSplit >= 2) minSamplesSplit = p.minSamplesSplit;
  else if (typeof p.minSamplesSplit === 'number' && p.minSamplesSplit > 0 && p.minSamplesSplit <= 1) minSamplesSplit = Math.max(2, Math.ceil(p.minSamplesSplit * n));
  else throw new ValueError(`${who}: minSamplesSplit must be an integer >= 2 or a fraction in (0, 1], got ${JSON.stringify(p.minSamplesSplit)}`);
  minSamplesSplit = Math.max(minSamplesSplit, 2 * minSamplesLeaf);
  const fraction = p.minWeightFractionLeaf;
  if (!(typeof fraction === 'number' && fraction >= 0 && fraction <= 0.5))
    throw new ValueError(`${who}: minWeightFractionLeaf must be in [0, 0.5], got ${JSON.stringify(fraction)}`);
  if (p.maxLeafNodes !== null && !(isInteger(p.maxLeafNodes) && p.maxLeafNodes >= 2))
    throw new ValueError(`${who}: maxLeafNodes must be null or an integer >= 2, got ${JSON.stringify(p.maxLeafNodes)}`);
  if (!(typeof p.minImpurityDecrease === 'number' && p.minImpurityDecrease >= 0 && Number.isFinite(p.minImpurityDecrease))) {
    throw new ValueError(`${who}: minImpurityDecrease must be a finite number >= 0, got ${JSON.stringify(p.minImpurityDecrease)}`);
  }
  if (!(typeof p.ccpAlpha === 'number' && p.ccpAlpha >= 0 && Number.isFinite(p.ccpAlpha)))
    throw new ValueError(`${who}: ccpAlpha must be a finite number >= 0, got ${JSON.stringify(p.ccpAlpha)}`);
  return {
    criterion: p.criterion as Criterion,
    splitter: splitter as SplitterKind,
    maxDepth: p.maxDepth ?? 0x7fffffff,
    minSamplesSplit,
    minSamplesLeaf,
    minWeightLeaf: fraction * totalWeight,
    maxFeatures: resolveMaxFeatures(who, p.maxFeatures, d),
    maxLeafNodes: p.maxLeafNodes ?? 0,
    minImpurityDecrease: p.minImpurityDecrease,
  };
}

/** Checked sample weights (all 1 when absent): non-negative, and not all zero. */
export function treeSampleWeights(who: string, sampleWeight: VectorInput | undefined, n: number): Float64Array {
  const weights = checkSampleWeight(sampleWeight, n, { nonNegative: true }) ?? new Float64Array(n).fill(1);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i];
  if (!(total > 0)) throw new ValueError(`${who}: the sample weights sum to ${total}; at least one must be positive`);
  return weights;
}

/** X as the builder reads it: float32 columns, with ranks for the 'best' splitter. */
export function trainingSet(who: string, X: Matrix, target: { classes: Int32Array; nClasses: number } | { targets: Float64Array }, withRanks: boolean): TrainingSet {
  const { rows: n, cols: d } = X;
  const rowsF32 = toRowsF32(X.data, n, d, who).data;
  const columns = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let f = 0; f < d; f++) columns[f * n + i] = rowsF32[i * d + f];
  const ranked = withRanks ? rankColumns(columns, n, d) : null;
  return {
    nSamples: n,
    nFeatures: d,
    columns,
    ranks: ranked?.ranks ?? null,
    distinct: ranked?.distinct ?? null,
    rankValues: ranked?.values ?? null,
    classes: 'classes' in target ? target.classes : null,
    nClasses: 'classes' in target ? target.nClasses : 0,
    targets: 'targets' in target ? target.targets : null,
  };
}
