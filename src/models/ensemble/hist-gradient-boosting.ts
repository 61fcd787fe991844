/**
 * HistGradientBoostingClassifier and HistGradientBoostingRegressor:
 * scikit-learn's histogram gradient boosting, with its parameters in
 * camelCase and its results (same bins, same trees up to float rounding).
 *
 * ```ts
 * const clf = new HistGradientBoostingClassifier({ maxIter: 100, learningRate: 0.1 }).fit(X, y);
 * clf.predictProba(Xtest);          // Tensor [n, nClasses]
 * for (const p of clf.stagedPredict(Xtest)) ...   // after 1, 2, ... iterations
 * ```
 * Missing values (NaN) are supported natively; `categoricalFeatures` marks
 * features holding integer categories in [0, maxBins); `monotonicCst`
 * constrains the prediction to increase (1) or decrease (−1) with a feature.
 */
import { ValueError } from '../../errors.js';
import { resolveGenerator, type Generator as RandomGenerator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkSampleWeight, checkXLabels, checkXy, type Label, type LabelInput, type Matrix, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { BaseClassifier, BaseRegressor, type BaseEstimator } from '../base.js';
import type { AbstractClass } from '../mixin.js';
import { fitBoosting, rawPredict, rawPredictions, type BoostedTrees, type BoostingParams } from './boosting.js';
import { absoluteError, binomialLoss, multinomialLoss, probabilities, squaredError, type BoostingLoss } from './losses.js';

interface CommonParams extends BoostingParams {
  /** Seeds the validation split of early stopping and the binning subsample above 200 000 rows. */
  randomState: number | RandomGenerator | null;
}

export interface HistGradientBoostingClassifierParams extends CommonParams {
  loss: 'log_loss';
}

export interface HistGradientBoostingRegressorParams extends CommonParams {
  loss: 'squared_error' | 'absolute_error';
}

const COMMON_DEFAULTS: CommonParams = {
  learningRate: 0.1,
  maxIter: 100,
  maxLeafNodes: 31,
  maxDepth: null,
  minSamplesLeaf: 20,
  l2Regularization: 0,
  maxBins: 255,
  categoricalFeatures: null,
  monotonicCst: null,
  earlyStopping: 'auto',
  scoring: 'loss',
  validationFraction: 0.1,
  nIterNoChange: 10,
  tol: 1e-7,
  randomState: null,
};

/** Raw predictions [nTrees blocks of n] as a row-major [n, nTrees] matrix. */
function rowsOf(raw: Float64Array, n: number, nTrees: number): Float64Array {
  const out = new Float64Array(n * nTrees);
  for (let k = 0; k < nTrees; k++) for (let i = 0; i < n; i++) out[i * nTrees + k] = raw[k * n + i];
  return out;
}

/**
 * Sample weights: finite, >= 0, not all zero (a zero total makes every
 * weighted average 0/0), or null.
 */
function checkPositiveWeights(where: string, sampleWeight: VectorInput | null | undefined, n: number): Float64Array | null {
  const w = checkSampleWeight(sampleWeight, n, { nonNegative: true });
  if (w && !w.some((v) => v > 0)) throw new ValueError(`${where}: sampleWeight sums to 0; at least one weight must be positive`);
  return w;
}

/** The entry of `table` named by the `loss` parameter (own keys only), or a ValueError listing the choices. */
function lossNamed<T>(where: string, name: unknown, table: Record<string, T>): T {
  if (typeof name === 'string' && Object.hasOwn(table, name)) return table[name];
  throw new ValueError(
    `${where}: loss must be one of ${Object.keys(table)
      .map((k) => `'${k}'`)
      .join(', ')}; got ${String(name)}`,
  );
}

/** The classifier's loss for a number of classes: binomial for two, multinomial above. */
const CLASSIFICATION_LOSSES: Record<HistGradientBoostingClassifierParams['loss'], (nClasses: number) => BoostingLoss> = {
  log_loss: (nClasses) => (nClasses === 2 ? binomialLoss : multinomialLoss(nClasses)),
};

/** What the classifier and the regressor share once fitted (added by withBoostedTrees). */
export interface BoostedTreesModel {
  /** The fitted trees, binning and scores (set by fit). */
  boosted: BoostedTrees | undefined;
  /** Iterations run (fewer than maxIter when early stopping stopped the fit). */
  readonly nIter: number | undefined;
}

/** Adds BoostedTreesModel to an estimator base (see ../mixin.ts). */
function withBoostedTrees<Base extends AbstractClass<BaseEstimator<object>>>(base: Base): Base & AbstractClass<BoostedTreesModel> {
  abstract class WithBoostedTrees extends base implements BoostedTreesModel {
    boosted: BoostedTrees | undefined = undefined;

    get nIter(): number | undefined {
      return this.boosted?.nIter;
    }
  }
  return WithBoostedTrees;
}

export class HistGradientBoostingClassifier extends withBoostedTrees(BaseClassifier<HistGradientBoostingClassifierParams>) {
  static readonly defaults: HistGradientBoostingClassifierParams = { loss: 'log_loss', ...COMMON_DEFAULTS };

  /** `sampleWeight`: one weight >= 0 per sample (scikit-learn 1.2 weights the gradients, not the binning). */
  override fit(X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput | null): this {
    const where = 'HistGradientBoostingClassifier';
    const lossFor = lossNamed(where, this.params.loss, CLASSIFICATION_LOSSES);
    const { X: Xm, y: codes, classes } = checkXLabels(X, y, where, { allowNaN: true });
    const weights = checkPositiveWeights(where, sampleWeight, Xm.rows);
    const rng = resolveGenerator(this.params.randomState);
    this.boosted = fitBoosting(where, Xm, Float64Array.from(codes), weights, this.params, lossFor(classes.length), codes, rng);
    this.classes = classes;
    return this.markFitted(Xm.cols);
  }

  private input(X: MatrixInput): Matrix {
    return this.validateInput(X, { allowNaN: true });
  }

  /** Class probabilities, [nSamples, nClasses], columns in the order of `classes`. */
  predictProba(X: MatrixInput): Tensor {
    const Xm = this.input(X);
    const model = this.boosted!;
    return new Tensor(probabilities(rawPredict(model, Xm), Xm.rows, model.nTreesPerIteration), [Xm.rows, this.classes!.length]);
  }

  /** Raw scores: for two classes a Float64Array (the score of classes[1]), else [nSamples, nClasses]. */
  decisionFunction(X: MatrixInput): Float64Array | Tensor {
    const Xm = this.input(X);
    return this.decision(rawPredict(this.boosted!, Xm), Xm.rows);
  }

  override predict(X: MatrixInput): Label[] {
    return this.labelsOf(this.predictProba(X));
  }

  /** Probabilities after each iteration in turn (scikit-learn's `staged_predict_proba`). */
  *stagedPredictProba(X: MatrixInput): Generator<Tensor> {
    const Xm = this.input(X);
    const nTrees = this.boosted!.nTreesPerIteration;
    for (const raw of rawPredictions(this.boosted!, Xm, true)) yield new Tensor(probabilities(raw, Xm.rows, nTrees), [Xm.rows, this.classes!.length]);
  }

  /** Predicted labels after each iteration in turn. */
  *stagedPredict(X: MatrixInput): Generator<Label[]> {
    for (const proba of this.stagedPredictProba(X)) yield this.labelsOf(proba);
  }

  /** Raw scores after each iteration in turn. */
  *stagedDecisionFunction(X: MatrixInput): Generator<Float64Array | Tensor> {
    const Xm = this.input(X);
    for (const raw of rawPredictions(this.boosted!, Xm, true)) yield this.decision(raw, Xm.rows);
  }

  private decision(raw: Float64Array, n: number): Float64Array | Tensor {
    const nTrees = this.boosted!.nTreesPerIteration;
    return nTrees === 1 ? raw : new Tensor(rowsOf(raw, n, nTrees), [n, nTrees]);
  }

  private labelsOf(proba: Tensor): Label[] {
    const p = proba.data as Float64Array;
    const [n, nc] = proba.shape;
    const out: Label[] = new Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < nc; k++) if (p[i * nc + k] > p[i * nc + best]) best = k;
      out[i] = this.classes![best];
    }
    return out;
  }
}

const REGRESSION_LOSSES: Record<HistGradientBoostingRegressorParams['loss'], BoostingLoss> = { squared_error: squaredError, absolute_error: absoluteError };

export class HistGradientBoostingRegressor extends withBoostedTrees(BaseRegressor<HistGradientBoostingRegressorParams>) {
  static readonly defaults: HistGradientBoostingRegressorParams = { loss: 'squared_error', ...COMMON_DEFAULTS };

  /** `sampleWeight`: one weight >= 0 per sample (scikit-learn 1.2 weights the gradients, not the binning). */
  override fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput | null): this {
    const where = 'HistGradientBoostingRegressor';
    const loss = lossNamed(where, this.params.loss, REGRESSION_LOSSES);
    const { X: Xm, y: yv } = checkXy(X, y, { allowNaN: true });
    const weights = checkPositiveWeights(where, sampleWeight, Xm.rows);
    this.boosted = fitBoosting(where, Xm, yv, weights, this.params, loss, null, resolveGenerator(this.params.randomState));
    return this.markFitted(Xm.cols);
  }

  override predict(X: MatrixInput): Float64Array {
    const Xm = this.validateInput(X, { allowNaN: true });
    return rawPredict(this.boosted!, Xm);
  }

  /** Predictions after each iteration in turn (scikit-learn's `staged_predict`). */
  *stagedPredict(X: MatrixInput): Generator<Float64Array> {
    const Xm = this.validateInput(X, { allowNaN: true });
    yield* rawPredictions(this.boosted!, Xm, true);
  }
}
