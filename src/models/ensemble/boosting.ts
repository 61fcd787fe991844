/**
 * The boosting loop shared by HistGradientBoostingClassifier and
 * HistGradientBoostingRegressor (scikit-learn's
 * `BaseHistGradientBoosting.fit` and `_raw_predict`): bin the features,
 * start from the loss's intercept-only prediction, then per iteration
 * compute gradients and hessians and grow one tree per raw output, with
 * optional early stopping on the loss (on a held-out validation part, or
 * on the training data when `validationFraction` is null). Sample
 * weights, as scikit-learn 1.2 applies them, weight the gradients, hessians,
 * baseline, leaf medians and early-stopping loss, but not the binning.
 */
import { LimitError, NumericalError, ValueError } from '../../errors.js';
import { trainTestSplitIndices } from '../../model_selection/split.js';
import type { Generator as RandomGenerator } from '../../tensor/random.js';
import { takeRows, type Matrix } from '../../utils/validation.js';
import { binData, fitBinMapper, slotStarts, type BinMapper } from './binning.js';
import { GrowerWorkspace, TreeGrower, type TrainingData } from './grower.js';
import type { BoostingLoss } from './losses.js';
import { addBinnedPrediction, addRawPrediction, knownCategoryBitsets, type TreePredictor } from './predictor.js';
import type { FeatureLayout } from './splitting.js';

/** scikit-learn's splitter constants (not user parameters there either). */
const MIN_HESSIAN_TO_SPLIT = 1e-3;
const MIN_GAIN_TO_SPLIT = 0;
/** `earlyStopping: 'auto'` turns it on above this many samples. */
const AUTO_EARLY_STOPPING_SAMPLES = 10_000;
/** Most gradients (rows × trees per iteration) and raw predictions a fit allocates: 2^28 float32, 1 GiB. */
const MAX_GRADIENTS = 2 ** 28;

export interface BoostingParams {
  learningRate: number;
  maxIter: number;
  maxLeafNodes: number | null;
  maxDepth: number | null;
  minSamplesLeaf: number;
  l2Regularization: number;
  maxBins: number;
  categoricalFeatures: readonly number[] | readonly boolean[] | null;
  /** Per feature: 1 (increasing), −1 (decreasing) or 0 (free); null for none. Not for categorical features or more than two classes. */
  monotonicCst: readonly number[] | null;
  earlyStopping: 'auto' | boolean;
  scoring: 'loss';
  validationFraction: number | null;
  nIterNoChange: number;
  tol: number;
}

/** What a fit learns, in plain fields (the estimators copy them onto themselves). */
export interface BoostedTrees {
  binMapper: BinMapper;
  /** Raw prediction before any tree, per tree of an iteration. */
  baselinePrediction: Float64Array;
  /** predictors[iteration][k]: the tree of raw output k. */
  predictors: TreePredictor[][];
  nTreesPerIteration: number;
  nIter: number;
  doEarlyStopping: boolean;
  /** −loss on the training data after 0, 1, ... iterations (early stopping only). */
  trainScore: Float64Array;
  /** −loss on the validation data after 0, 1, ... iterations (early stopping with a validation fraction). */
  validationScore: Float64Array;
}

function checkNumber(where: string, name: string, value: unknown, ok: (v: number) => boolean, expected: string): void {
  if (typeof value !== 'number' || !ok(value)) throw new ValueError(`${where}: ${name} must be ${expected}, got ${String(value)}`);
}

/** Checks the parameters the boosting loop reads (scikit-learn's `_parameter_constraints`). */
export function checkBoostingParams(where: string, p: BoostingParams): void {
  const int = (v: number): boolean => Number.isInteger(v);
  checkNumber(where, 'learningRate', p.learningRate, (v) => v > 0 && Number.isFinite(v), 'a positive number');
  checkNumber(where, 'maxIter', p.maxIter, (v) => int(v) && v >= 1 && v <= 1e6, 'an integer in [1, 1e6]');
  if (p.maxLeafNodes !== null) checkNumber(where, 'maxLeafNodes', p.maxLeafNodes, (v) => int(v) && v >= 2, 'an integer >= 2 or null');
  if (p.maxDepth !== null) checkNumber(where, 'maxDepth', p.maxDepth, (v) => int(v) && v >= 1, 'an integer >= 1 or null');
  checkNumber(where, 'minSamplesLeaf', p.minSamplesLeaf, (v) => int(v) && v >= 1, 'an integer >= 1');
  checkNumber(where, 'l2Regularization', p.l2Regularization, (v) => v >= 0 && Number.isFinite(v), 'a number >= 0');
  checkNumber(where, 'maxBins', p.maxBins, (v) => int(v) && v >= 2 && v <= 255, 'an integer in [2, 255]');
  if (p.earlyStopping !== 'auto' && typeof p.earlyStopping !== 'boolean')
    throw new ValueError(`${where}: earlyStopping must be 'auto', true or false, got ${String(p.earlyStopping)}`);
  if (p.scoring !== 'loss') throw new ValueError(`${where}: scoring must be 'loss' (the only early-stopping score supported), got ${String(p.scoring)}`);
  if (p.validationFraction !== null) {
    checkNumber(where, 'validationFraction', p.validationFraction, (v) => (v > 0 && v < 1) || (int(v) && v >= 1), 'a fraction in (0, 1), a count >= 1, or null');
  }
  checkNumber(where, 'nIterNoChange', p.nIterNoChange, (v) => int(v) && v >= 1, 'an integer >= 1');
  checkNumber(where, 'tol', p.tol, (v) => v >= 0 && Number.isFinite(v), 'a number >= 0');
}

/** The categorical mask from `categoricalFeatures` (indices or a boolean mask). */
function categoricalMask(where: string, spec: BoostingParams['categoricalFeatures'], nFeatures: number): Uint8Array {
  const mask = new Uint8Array(nFeatures);
  if (spec === null || spec === undefined) return mask;
  if (!Array.isArray(spec)) throw new ValueError(`${where}: categoricalFeatures must be an array of feature indices, a boolean mask, or null`);
  if (spec.length === 0) return mask;
  if (spec.every((v) => typeof v === 'boolean')) {
    if (spec.length !== nFeatures) throw new ValueError(`${where}: categoricalFeatures as a boolean mask has ${spec.length} entries, X has ${nFeatures} features`);
    spec.forEach((v, f) => (mask[f] = v ? 1 : 0));
    return mask;
  }
  for (const v of spec) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= nFeatures) {
      throw new ValueError(`${where}: categoricalFeatures holds ${String(v)}; expected feature indices in [0, ${nFeatures - 1}] or a boolean mask`);
    }
    mask[v] = 1;
  }
  return mask;
}

/** The monotonic constraints as an Int8Array, checked against the features and the loss, or null. */
function monotonicConstraints(where: string, spec: BoostingParams['monotonicCst'], isCategorical: Uint8Array, nTrees: number): Int8Array | null {
  if (spec === null || spec === undefined) return null;
  const n = isCategorical.length;
  if (!Array.isArray(spec) || spec.length !== n) throw new ValueError(`${where}: monotonicCst must be an array of one constraint per feature (${n}), or null`);
  if (nTrees > 1) throw new ValueError(`${where}: monotonic constraints are not supported for multiclass classification`);
  const out = new Int8Array(n);
  spec.forEach((c, f) => {
    if (c !== -1 && c !== 0 && c !== 1) throw new ValueError(`${where}: monotonicCst[${f}] is ${String(c)}; expected -1, 0 or 1`);
    if (c !== 0 && isCategorical[f]) throw new ValueError(`${where}: categorical feature ${f} cannot have a monotonic constraint`);
    out[f] = c;
  });
  return out;
}

/** scikit-learn's `_should_stop`: no score of the last nIterNoChange beats the one before them by more than tol. */
function shouldStop(scores: number[], nIterNoChange: number, tol: number): boolean {
  const reference = nIterNoChange + 1;
  if (scores.length < reference) return false;
  const referenceScore = scores[scores.length - reference] + tol;
  return !scores.slice(scores.length - reference + 1).some((s) => s > referenceScore);
}

function baselineRaw(baseline: Float64Array, n: number): Float64Array {
  const raw = new Float64Array(baseline.length * n);
  baseline.forEach((b, k) => raw.fill(b, k * n, (k + 1) * n));
  return raw;
}

/**
 * Fits the trees. `y` holds targets (regression) or class codes as numbers
 * (classification); `sampleWeight`, one non-negative weight per row or null;
 * `stratify`, the class codes to stratify the validation split by
 * (classifiers), or null.
 */
export function fitBoosting(
  where: string,
  X: Matrix,
  y: Float64Array,
  sampleWeight: Float64Array | null,
  p: BoostingParams,
  loss: BoostingLoss,
  stratify: Int32Array | null,
  rng: RandomGenerator,
): BoostedTrees {
  checkBoostingParams(where, p);
  if (loss.nTrees * X.rows > MAX_GRADIENTS) {
    throw new LimitError(`${where}: ${X.rows} rows × ${loss.nTrees} trees per iteration need ${loss.nTrees * X.rows} gradients, more than the ${MAX_GRADIENTS} allowed`);
  }
  const isCategorical = categoricalMask(where, p.categoricalFeatures, X.cols);
  const monotonicCst = monotonicConstraints(where, p.monotonicCst, isCategorical, loss.nTrees);
  const doEarlyStopping = p.earlyStopping === 'auto' ? X.rows > AUTO_EARLY_STOPPING_SAMPLES : p.earlyStopping;
  let Xtrain = X;
  let ytrain = y;
  let wtrain = sampleWeight;
  let Xval: Matrix | null = null;
  let yval: Float64Array | null = null;
  let wval: Float64Array | null = null;
  if (doEarlyStopping && p.validationFraction !== null) {
    const [train, test] = trainTestSplitIndices(X.rows, { testSize: p.validationFraction, stratify, randomState: rng });
    Xtrain = takeRows(X, train);
    ytrain = Float64Array.from(train, (i) => y[i]);
    Xval = takeRows(X, test);
    yval = Float64Array.from(test, (i) => y[i]);
    if (sampleWeight) {
      wtrain = Float64Array.from(train, (i) => sampleWeight[i]);
      wval = Float64Array.from(test, (i) => sampleWeight[i]);
    }
  }
  const binMapper = fitBinMapper(Xtrain, p.maxBins, isCategorical, rng, where);
  const n = Xtrain.rows;
  const binned = binData(binMapper, Xtrain);
  const hasMissingValues = new Uint8Array(X.cols);
  for (let f = 0; f < X.cols; f++) {
    const missing = binMapper.nBinsNonMissing[f];
    for (let r = 0; r < n && !hasMissingValues[f]; r++) if (binned[f * n + r] === missing) hasMissingValues[f] = 1;
  }
  const layout: FeatureLayout = { slotStart: slotStarts(binMapper), nBinsNonMissing: binMapper.nBinsNonMissing, hasMissingValues, isCategorical, monotonicCst };
  const splittable = Int32Array.from({ length: X.cols }, (_, f) => f).filter((f) => binMapper.nBinsNonMissing[f] + hasMissingValues[f] > 1);
  const data: TrainingData = { binned, nRows: n, layout, thresholds: binMapper.thresholds, splittable };
  const binnedVal = Xval ? binData(binMapper, Xval) : null;

  const nTrees = loss.nTrees;
  const baselinePrediction = loss.baseline(ytrain, wtrain);
  const raw = baselineRaw(baselinePrediction, n);
  const rawVal = Xval ? baselineRaw(baselinePrediction, Xval.rows) : null;
  const trainScore: number[] = [];
  const validationScore: number[] = [];
  const checkEarlyStopping = (): boolean => {
    trainScore.push(-loss.loss(ytrain, raw, wtrain));
    if (rawVal && yval) {
      validationScore.push(-loss.loss(yval, rawVal, wval));
      return shouldStop(validationScore, p.nIterNoChange, p.tol);
    }
    return shouldStop(trainScore, p.nIterNoChange, p.tol);
  };
  if (doEarlyStopping) checkEarlyStopping();

  const gradients = new Float32Array(nTrees * n);
  const hessians = loss.constantHessian && !wtrain ? null : new Float32Array(nTrees * n);
  const predictors: TreePredictor[][] = [];
  const workspace = new GrowerWorkspace(data);
  const growerOptions = {
    maxLeafNodes: p.maxLeafNodes,
    maxDepth: p.maxDepth,
    minSamplesLeaf: p.minSamplesLeaf,
    l2Regularization: p.l2Regularization,
    minHessianToSplit: MIN_HESSIAN_TO_SPLIT,
    minGainToSplit: MIN_GAIN_TO_SPLIT,
    shrinkage: p.learningRate,
  };
  for (let iteration = 0; iteration < p.maxIter; iteration++) {
    loss.gradientHessian(ytrain, raw, gradients, hessians, wtrain);
    checkGradients(where, gradients, iteration);
    const trees: TreePredictor[] = [];
    for (let k = 0; k < nTrees; k++) {
      const grower = new TreeGrower(data, gradients.subarray(k * n, (k + 1) * n), hessians ? hessians.subarray(k * n, (k + 1) * n) : null, growerOptions, workspace).grow();
      if (loss.leafValue) updateLeafValues(grower, loss.leafValue, ytrain, wtrain, raw, k * n, p.learningRate);
      // The training rows' raw predictions from the leaves they fell in (scikit-learn's `_update_raw_predictions`).
      for (const leaf of grower.leaves) {
        for (let i = leaf.start; i < leaf.stop; i++) raw[k * n + grower.partition[i]] += leaf.value;
      }
      trees.push(grower.toPredictor());
    }
    predictors.push(trees);
    if (doEarlyStopping) {
      if (binnedVal && rawVal) trees.forEach((tree, k) => addBinnedPrediction(tree, binnedVal, Xval!.rows, binMapper.nBinsNonMissing, rawVal, k * Xval!.rows));
      if (checkEarlyStopping()) break;
    }
  }
  return {
    binMapper,
    baselinePrediction,
    predictors,
    nTreesPerIteration: nTrees,
    nIter: predictors.length,
    doEarlyStopping,
    trainScore: Float64Array.from(trainScore),
    validationScore: Float64Array.from(validationScore),
  };
}

/** Non-finite gradients (targets or features beyond float range) would grow meaningless trees. */
function checkGradients(where: string, gradients: Float32Array, iteration: number): void {
  for (let i = 0; i < gradients.length; i++) {
    if (!Number.isFinite(gradients[i])) throw new NumericalError(`${where}: non-finite gradient at iteration ${iteration} (targets too large for float32 gradients?)`);
  }
}

/** Absolute error: each leaf's value becomes learningRate × the (weighted) median residual of its rows (scikit-learn's `_update_leaves_values`). */
function updateLeafValues(
  grower: TreeGrower,
  leafValue: NonNullable<BoostingLoss['leafValue']>,
  y: Float64Array,
  w: Float64Array | null,
  raw: Float64Array,
  offset: number,
  learningRate: number,
): void {
  for (const leaf of grower.leaves) {
    const residuals = new Float64Array(leaf.stop - leaf.start);
    const weights = w ? new Float64Array(leaf.stop - leaf.start) : null;
    for (let i = leaf.start; i < leaf.stop; i++) {
      const row = grower.partition[i];
      residuals[i - leaf.start] = y[row] - raw[offset + row];
      if (weights) weights[i - leaf.start] = w![row];
    }
    leaf.value = learningRate * leafValue(residuals, weights);
  }
}

/**
 * Raw predictions [nTreesPerIteration blocks of X.rows] after each of the
 * first `nIter` iterations in turn: yields after every iteration when
 * `staged`, else only once at the end.
 */
export function* rawPredictions(model: BoostedTrees, X: Matrix, staged: boolean): Generator<Float64Array> {
  const n = X.rows;
  const raw = baselineRaw(model.baselinePrediction, n);
  const known = knownCategoryBitsets(model.binMapper.thresholds, model.binMapper.isCategorical);
  if (staged && model.predictors.length === 0) yield raw.slice();
  for (const trees of model.predictors) {
    trees.forEach((tree, k) => addRawPrediction(tree, X.data, n, X.cols, known, raw, k * n));
    if (staged) yield raw.slice();
  }
  if (!staged) yield raw;
}

/** The final raw predictions. */
export function rawPredict(model: BoostedTrees, X: Matrix): Float64Array {
  return rawPredictions(model, X, false).next().value as Float64Array;
}
