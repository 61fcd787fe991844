/**
 * Forests of randomized trees (scikit-learn's `RandomForestClassifier` /
 * `RandomForestRegressor`: bootstrap samples and the best split among
 * `maxFeatures` drawn features; `ExtraTreesClassifier` /
 * `ExtraTreesRegressor`: the whole set and one random threshold per drawn
 * feature). Predictions average the trees (class probabilities for
 * classifiers). Out-of-bag estimates (`oobScore: true`) score each sample
 * with the trees whose bootstrap sample left it out.
 *
 * Trees are grown on `nJobs` threads (default: every core; see
 * forest-threads.ts). Each tree is grown from its own seed, drawn from
 * `randomState`, so the forest is the same for any number of threads.
 *
 * Learned state: `trees` (plain arrays, see tree-data.ts), `classes`,
 * `maxFeaturesUsed`, `oobScore` / `oobDecisionFunction` (classifiers) or
 * `oobPrediction` (regressors) when asked; derived: `featureImportances`.
 */
import { ValueError } from '../../errors.js';
import { accuracyScore } from '../../metrics/classification.js';
import { r2Score } from '../../metrics/regression.js';
import { hardwareConcurrency } from '../../platform/threads.js';
import { resolveGenerator, type Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkXLabels, checkXy, type Label, type LabelInput, type Matrix, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { BaseClassifier, BaseRegressor, logProbabilities, type BaseEstimator } from '../base.js';
import { classWeights, type ClassWeight } from '../class-weight.js';
import type { AbstractClass } from '../mixin.js';
import { growForest } from './forest-threads.js';
import { treeBootstrapCounts, type ForestJob } from './forest-tree.js';
import { CLASSIFICATION_CRITERIA, REGRESSION_CRITERIA, resolveSettings, trainingSet, treeSampleWeights, type TreeGrowthParams } from './settings.js';
import type { Criterion, TrainingSet } from './training-set.js';
import { accumulateLeafProbabilities, applyTree, featureImportances, toRowsF32, type RowsF32, type TreeData } from './tree-data.js';

interface ForestParams extends TreeGrowthParams {
  /** Number of trees. Default 100. */
  nEstimators: number;
  /** Grow each tree on a bootstrap sample (random forests' default) or on the whole set (extra trees' default). */
  bootstrap: boolean;
  /** Compute the out-of-bag score (needs bootstrap). */
  oobScore: boolean;
  /** Threads: null or -1 for every core (default), else a count. */
  nJobs: number | null;
  randomState: number | Generator | null;
  /** Size of each bootstrap sample: null (n), a count, or a fraction in (0, 1]. */
  maxSamples: number | null;
}

export interface ForestClassifierParams extends ForestParams {
  criterion: 'gini' | 'entropy' | 'log_loss';
  /** 'balanced', 'balanced_subsample' (from each bootstrap sample), weights by label, or null. */
  classWeight: ClassWeight | 'balanced_subsample';
}

export interface ForestRegressorParams extends ForestParams {
  criterion: 'squared_error';
}

const FOREST_DEFAULTS: Omit<ForestParams, 'maxFeatures' | 'bootstrap'> = {
  nEstimators: 100,
  maxDepth: null,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  minWeightFractionLeaf: 0,
  maxLeafNodes: null,
  minImpurityDecrease: 0,
  oobScore: false,
  nJobs: null,
  randomState: null,
  maxSamples: null,
  ccpAlpha: 0,
};

/** Below this many samples × trees the trees are grown on the calling thread (starting workers costs more). */
const PARALLEL_MIN_WORK = 50_000;

function resolveThreads(who: string, nJobs: number | null): number {
  if (nJobs === null || nJobs === -1) return hardwareConcurrency();
  if (!(Number.isInteger(nJobs) && nJobs >= 1)) throw new ValueError(`${who}: nJobs must be null, -1 or an integer >= 1, got ${JSON.stringify(nJobs)}`);
  return Math.min(nJobs, hardwareConcurrency());
}

function bootstrapSize(who: string, p: ForestParams, n: number): number {
  if (p.maxSamples === null) return n;
  if (!p.bootstrap) throw new ValueError(`${who}: maxSamples can only be set with bootstrap: true`);
  const m = p.maxSamples;
  if (Number.isInteger(m) && m > 1) {
    if (m > n) throw new ValueError(`${who}: maxSamples (${m}) must be at most the number of samples (${n})`);
    return m;
  }
  if (typeof m === 'number' && m > 0 && m <= 1) return Math.max(Math.round(n * m), 1);
  throw new ValueError(`${who}: maxSamples must be null, an integer > 1 or a fraction in (0, 1], got ${JSON.stringify(m)}`);
}

/** Checks the forest's own parameters and grows its trees. */
function fitForest(
  who: string,
  p: ForestParams & { criterion: string },
  splitter: 'best' | 'random',
  criteria: readonly Criterion[],
  data: TrainingSet,
  baseWeights: Float64Array,
  balancedSubsample: boolean,
): { trees: TreeData[]; job: ForestJob; maxFeatures: number } {
  if (!(Number.isInteger(p.nEstimators) && p.nEstimators >= 1 && p.nEstimators <= 1_000_000)) {
    throw new ValueError(`${who}: nEstimators must be an integer in [1, 1000000], got ${JSON.stringify(p.nEstimators)}`);
  }
  if (typeof p.bootstrap !== 'boolean') throw new ValueError(`${who}: bootstrap must be true or false, got ${JSON.stringify(p.bootstrap)}`);
  if (typeof p.oobScore !== 'boolean') throw new ValueError(`${who}: oobScore must be true or false, got ${JSON.stringify(p.oobScore)}`);
  if (p.oobScore && !p.bootstrap) throw new ValueError(`${who}: out-of-bag estimation (oobScore) needs bootstrap: true`);
  const threads = resolveThreads(who, p.nJobs);
  const n = data.nSamples;
  const nBootstrap = bootstrapSize(who, p, n);
  const settings = resolveSettings(who, { ...p, splitter }, criteria, n, data.nFeatures, 0);
  const random = resolveGenerator(p.randomState);
  const seeds = new Uint32Array(p.nEstimators);
  for (let t = 0; t < seeds.length; t++) seeds[t] = random.nextUint32();
  const job: ForestJob = {
    data,
    baseWeights,
    settings,
    minWeightFractionLeaf: p.minWeightFractionLeaf,
    bootstrap: p.bootstrap,
    nBootstrap,
    balancedSubsample: balancedSubsample && p.bootstrap,
    seeds,
    ccpAlpha: p.ccpAlpha,
  };
  const parallel = n * p.nEstimators >= PARALLEL_MIN_WORK ? threads : 1;
  return { trees: growForest(job, p.nEstimators, parallel), job, maxFeatures: settings.maxFeatures };
}

/** Mean of the trees' normalised importances (trees of one node left out), normalised. */
function forestImportances(trees: readonly TreeData[], nFeatures: number): Float64Array {
  const out = new Float64Array(nFeatures);
  let used = 0;
  for (const tree of trees) {
    if (tree.nodeCount <= 1) continue;
    const imp = featureImportances(tree, nFeatures);
    for (let f = 0; f < nFeatures; f++) out[f] += imp[f];
    used++;
  }
  let total = 0;
  for (let f = 0; f < nFeatures; f++) total += out[f];
  if (used > 0 && total > 0) for (let f = 0; f < nFeatures; f++) out[f] /= total;
  return out;
}

/**
 * Sum over trees of `add(tree, leaves, mask)` for the out-of-bag rows of
 * each tree (mask[i] = 1 when row i was not drawn); returns how many trees
 * scored each row.
 */
function forEachOutOfBag(job: ForestJob, trees: readonly TreeData[], rows: RowsF32, add: (tree: TreeData, leaves: Int32Array, outOfBag: Uint8Array) => void): Int32Array {
  const n = rows.rows;
  const scored = new Int32Array(n);
  const outOfBag = new Uint8Array(n);
  for (let t = 0; t < trees.length; t++) {
    const counts = treeBootstrapCounts(job, t);
    for (let i = 0; i < n; i++) {
      outOfBag[i] = counts[i] === 0 ? 1 : 0;
      scored[i] += outOfBag[i];
    }
    add(trees[t], applyTree(trees[t], rows), outOfBag);
  }
  return scored;
}

/** Rows per block of `forEachRowBlock`: 128 rows of 784 float32 features are 400 KB, within a core's L2. */
const ROW_BLOCK = 128;

/**
 * Calls `visit(tree, leaves, firstRow)` for every tree on each block of rows
 * in turn: a block's rows stay in cache while all trees walk them (tree by
 * tree over all rows, most steps missed the cache: predict on 10 000 × 784
 * with 40 trees took 1.6× as long).
 */
function forEachRowBlock(trees: readonly TreeData[], rows: RowsF32, visit: (tree: TreeData, leaves: Int32Array, firstRow: number) => void): void {
  const { cols } = rows;
  for (let first = 0; first < rows.rows; first += ROW_BLOCK) {
    const count = Math.min(ROW_BLOCK, rows.rows - first);
    const block: RowsF32 = { data: rows.data.subarray(first * cols, (first + count) * cols), rows: count, cols };
    for (const tree of trees) visit(tree, applyTree(tree, block), first);
  }
}

function rowsOf(X: Matrix, who: string): RowsF32 {
  return toRowsF32(X.data, X.rows, X.cols, who);
}

/** What the forest classifiers and regressors share over their fitted trees (added by withFittedForest). */
export interface FittedForestModel {
  trees: TreeData[] | undefined;
  /** Features tried per split, as resolved from `maxFeatures`. */
  maxFeaturesUsed: number | undefined;
  /** Score of the out-of-bag predictions: accuracy for a classifier, R² for a regressor (with `oobScore: true`). */
  oobScore: number | undefined;
  /** The trees' normalised impurity decreases per feature, averaged. */
  readonly featureImportances: Float64Array;
  /** How a node's threshold is chosen: 'best' (random forests), or 'random' (extra trees: one random threshold per feature). */
  readonly splitter: 'best' | 'random';
}

/** Adds FittedForestModel to an estimator base (see ../mixin.ts). */
function withFittedForest<Base extends AbstractClass<BaseEstimator<object>>>(base: Base): Base & AbstractClass<FittedForestModel> {
  abstract class FittedForest extends base implements FittedForestModel {
    trees: TreeData[] | undefined = undefined;
    maxFeaturesUsed: number | undefined = undefined;
    oobScore: number | undefined = undefined;
    readonly splitter: 'best' | 'random' = 'best';

    get featureImportances(): Float64Array {
      this.checkFitted();
      return forestImportances(this.trees!, this.nFeaturesIn!);
    }
  }
  return FittedForest;
}

/** Shared by RandomForestClassifier and ExtraTreesClassifier. */
abstract class ForestClassifier extends withFittedForest(BaseClassifier<ForestClassifierParams>) {
  /** Out-of-bag class probabilities [nSamples, nClasses] (with `oobScore: true`). */
  oobDecisionFunction: Tensor | undefined = undefined;

  override fit(X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput): this {
    const who = this.constructor.name;
    const { X: Xm, y: codes, classes } = checkXLabels(X, y, who);
    const n = Xm.rows;
    const weights = treeSampleWeights(who, sampleWeight, n);
    const cwParam = this.params.classWeight;
    const subsample = cwParam === 'balanced_subsample';
    // Without bootstrap, 'balanced_subsample' is 'balanced' (the sample is the whole set).
    const cw = classWeights(subsample ? (this.params.bootstrap ? null : 'balanced') : cwParam, classes, codes, who);
    for (let i = 0; i < n; i++) weights[i] *= cw[codes[i]];
    const data = trainingSet(who, Xm, { classes: codes, nClasses: classes.length }, this.splitter === 'best');
    const { trees, job, maxFeatures } = fitForest(who, this.params, this.splitter, CLASSIFICATION_CRITERIA, data, weights, subsample);
    this.trees = trees;
    this.classes = classes;
    this.maxFeaturesUsed = maxFeatures;
    this.oobScore = undefined;
    this.oobDecisionFunction = undefined;
    if (this.params.oobScore) {
      const k = classes.length;
      const sums = new Float64Array(n * k);
      const rows = rowsOf(Xm, who);
      const scored = forEachOutOfBag(job, trees, rows, (tree, leaves, outOfBag) => {
        const proba = new Float64Array(n * k);
        accumulateLeafProbabilities(tree, leaves, proba, 1);
        for (let i = 0; i < n; i++) if (outOfBag[i]) for (let c = 0; c < k; c++) sums[i * k + c] += proba[i * k + c];
      });
      for (let i = 0; i < n; i++) {
        const div = Math.max(scored[i], 1);
        for (let c = 0; c < k; c++) sums[i * k + c] /= div;
      }
      this.oobDecisionFunction = new Tensor(sums, [n, k]);
      this.oobScore = accuracyScore(y, argmaxLabels(sums, k, classes));
    }
    return this.markFitted(Xm.cols);
  }

  override predict(X: MatrixInput): Label[] {
    const P = this.predictProba(X);
    return argmaxLabels(P.data as Float64Array, this.classes!.length, this.classes!);
  }

  /** Mean over the trees of their class probabilities. */
  predictProba(X: MatrixInput): Tensor {
    const rows = rowsOf(this.validateInput(X), this.constructor.name);
    const k = this.classes!.length;
    const out = new Float64Array(rows.rows * k);
    const trees = this.trees!;
    forEachRowBlock(trees, rows, (tree, leaves, first) => accumulateLeafProbabilities(tree, leaves, out.subarray(first * k), 1 / trees.length));
    return new Tensor(out, [rows.rows, k]);
  }

  predictLogProba(X: MatrixInput): Tensor {
    return logProbabilities(this.predictProba(X));
  }
}

function argmaxLabels(P: Float64Array, k: number, classes: readonly Label[]): Label[] {
  const n = P.length / k;
  const out: Label[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (P[i * k + c] > P[i * k + best]) best = c;
    out[i] = classes[best];
  }
  return out;
}

/** Shared by RandomForestRegressor and ExtraTreesRegressor. */
abstract class ForestRegressor extends withFittedForest(BaseRegressor<ForestRegressorParams>) {
  /** Out-of-bag prediction per training sample (with `oobScore: true`). */
  oobPrediction: Float64Array | undefined = undefined;

  override fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput): this {
    const who = this.constructor.name;
    const { X: Xm, y: yv } = checkXy(X, y);
    if (Xm.rows === 0) throw new ValueError(`${who}: X has 0 samples`);
    const n = Xm.rows;
    const weights = treeSampleWeights(who, sampleWeight, n);
    const data = trainingSet(who, Xm, { targets: yv }, this.splitter === 'best');
    const { trees, job, maxFeatures } = fitForest(who, this.params, this.splitter, REGRESSION_CRITERIA, data, weights, false);
    this.trees = trees;
    this.maxFeaturesUsed = maxFeatures;
    this.oobScore = undefined;
    this.oobPrediction = undefined;
    if (this.params.oobScore) {
      const sums = new Float64Array(n);
      const scored = forEachOutOfBag(job, trees, rowsOf(Xm, who), (tree, leaves, outOfBag) => {
        for (let i = 0; i < n; i++) if (outOfBag[i]) sums[i] += tree.value[leaves[i]];
      });
      for (let i = 0; i < n; i++) sums[i] /= Math.max(scored[i], 1);
      this.oobPrediction = sums;
      this.oobScore = r2Score(yv, sums);
    }
    return this.markFitted(Xm.cols);
  }

  /** Mean of the trees' predictions. */
  override predict(X: MatrixInput): Float64Array {
    const rows = rowsOf(this.validateInput(X), this.constructor.name);
    const out = new Float64Array(rows.rows);
    const trees = this.trees!;
    forEachRowBlock(trees, rows, (tree, leaves, first) => {
      for (let i = 0; i < leaves.length; i++) out[first + i] += tree.value[leaves[i]];
    });
    for (let i = 0; i < out.length; i++) out[i] /= trees.length;
    return out;
  }
}

const CLASSIFIER_DEFAULTS = { ...FOREST_DEFAULTS, criterion: 'gini', maxFeatures: 'sqrt', classWeight: null } as const;
const REGRESSOR_DEFAULTS = { ...FOREST_DEFAULTS, criterion: 'squared_error', maxFeatures: 1 } as const;

/** Random forest classifier: bootstrap samples, best split among `maxFeatures` features drawn per node. */
export class RandomForestClassifier extends ForestClassifier {
  static readonly defaults: ForestClassifierParams = { ...CLASSIFIER_DEFAULTS, bootstrap: true };
}

/** Extremely randomized trees classifier: the whole set, one random threshold per drawn feature. */
export class ExtraTreesClassifier extends ForestClassifier {
  static readonly defaults: ForestClassifierParams = { ...CLASSIFIER_DEFAULTS, bootstrap: false };
  override readonly splitter = 'random';
}

/** Random forest regressor: bootstrap samples, best split among `maxFeatures` features (default all). */
export class RandomForestRegressor extends ForestRegressor {
  static readonly defaults: ForestRegressorParams = { ...REGRESSOR_DEFAULTS, bootstrap: true };
}

/** Extremely randomized trees regressor. */
export class ExtraTreesRegressor extends ForestRegressor {
  static readonly defaults: ForestRegressorParams = { ...REGRESSOR_DEFAULTS, bootstrap: false };
  override readonly splitter = 'random';
}
