/**
 * Multi-layer perceptrons as estimators (scikit-learn's `MLPClassifier` and
 * `MLPRegressor`): fully connected layers with one activation, trained by
 * Adam (in scikit-learn's form, ./mlp-adam.ts) on minibatches with an L2 penalty, stopped by a loss plateau or, with
 * `earlyStopping`, by the score on a held-out part of the training data.
 *
 * The network is built on this library's tensors and autograd; the fitted
 * weights are kept as plain arrays, `coefs[l]` ([fanIn × fanOut] row-major)
 * and `intercepts[l]`, as scikit-learn's `coefs_` / `intercepts_` are.
 */
import { noGrad } from '../../autograd/graph.js';
import { NumericalError, ValueError } from '../../errors.js';
import { bceWithLogits, crossEntropy } from '../../nn/losses/classification.js';
import { resolveGenerator, type Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkXLabels, checkXy, type Label, type LabelInput, type Matrix, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { BaseEstimator, classifierScore, regressorScore, type EstimatorType } from '../base.js';
import { checkBool, checkChoice, checkNumber } from '../linear/common.js';
import { SklearnAdam } from './mlp-adam.js';
import { accuracyOf, r2Of, splitValidation, takeRowsOf } from './mlp-data.js';

export type Activation = 'identity' | 'logistic' | 'tanh' | 'relu';

export interface MLPParams {
  /** Units of each hidden layer (default [100]). */
  hiddenLayerSizes: readonly number[];
  /** Activation of the hidden layers (default 'relu'). */
  activation: Activation;
  /** L2 penalty strength, divided by the batch size as scikit-learn does (default 1e-4). */
  alpha: number;
  /** Samples per minibatch, or 'auto' = min(200, nSamples). */
  batchSize: number | 'auto';
  /** Adam's step size (default 1e-3). */
  learningRateInit: number;
  /** Most epochs (default 200). */
  maxIter: number;
  /** Reshuffle the samples every epoch (default true). */
  shuffle: boolean;
  /** Seed or generator for the initial weights, shuffling and the validation split. */
  randomState: number | Generator | null;
  /** Improvement below which an epoch counts as no progress (default 1e-4). */
  tol: number;
  /** Stop when the score on a held-out `validationFraction` stops improving, keeping the best weights (default false). */
  earlyStopping: boolean;
  /** Fraction of the training data held out for early stopping (default 0.1). */
  validationFraction: number;
  /** Epochs without progress before stopping (default 10). */
  nIterNoChange: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

const DEFAULTS: MLPParams = {
  hiddenLayerSizes: [100],
  activation: 'relu',
  alpha: 1e-4,
  batchSize: 'auto',
  learningRateInit: 1e-3,
  maxIter: 200,
  shuffle: true,
  randomState: null,
  tol: 1e-4,
  earlyStopping: false,
  validationFraction: 0.1,
  nIterNoChange: 10,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
};

/** The most weights a network may have (a guard against a typo such as hiddenLayerSizes [1e6, 1e6]). */
export const MAX_MLP_WEIGHTS = 50_000_000;

/** What the output layer does: one sigmoid unit (two classes), softmax (more), or nothing (regression). */
type OutActivation = 'logistic' | 'softmax' | 'identity';

/** A training target: class codes or values, and how the loss reads them. */
interface Target {
  /** Codes (classification) or values (regression), one per sample. */
  values: Int32Array | Float64Array;
  outputs: number;
  out: OutActivation;
  /** Score on held-out rows: accuracy or R². */
  score(predicted: Tensor, rows: Int32Array): number;
}

function applyActivation(h: Tensor, activation: Activation): Tensor {
  if (activation === 'relu') return h.relu();
  if (activation === 'tanh') return h.tanh();
  if (activation === 'logistic') return h.sigmoid();
  return h;
}

/** Shared by MLPClassifier and MLPRegressor: checks, the network and the training loop. */
abstract class BaseMultilayerPerceptron extends BaseEstimator<MLPParams> {
  static readonly defaults: MLPParams = DEFAULTS;

  /** Weight matrix of each layer, [fanIn × fanOut] row-major. */
  coefs: Float64Array[] | undefined;
  /** Bias of each layer. */
  intercepts: Float64Array[] | undefined;
  /** Units per layer, input and output included. */
  layerUnits: number[] | undefined;
  outActivation: OutActivation | undefined;
  /** Epochs run. */
  nIter: number | undefined;
  /** Mean training loss (penalty included) per epoch. */
  lossCurve: number[] | undefined;
  bestLoss: number | undefined;
  /** With earlyStopping: the held-out score per epoch (accuracy or R²), its loss, and the score on the training part. */
  validationScores: number[] | null | undefined;
  validationLossCurve: number[] | null | undefined;
  trainScores: number[] | null | undefined;
  bestValidationScore: number | null | undefined;

  protected checkParams(): void {
    const p = this.params;
    const est = this.constructor.name;
    if (!Array.isArray(p.hiddenLayerSizes) || p.hiddenLayerSizes.some((u) => !Number.isInteger(u) || u < 1)) {
      throw new ValueError(`${est}: hiddenLayerSizes must be an array of positive integers, got ${JSON.stringify(p.hiddenLayerSizes)}`);
    }
    checkChoice('activation', p.activation, ['identity', 'logistic', 'tanh', 'relu'] as const, est);
    checkNumber('alpha', p.alpha, est, { min: 0 });
    if (p.batchSize !== 'auto') checkNumber('batchSize', p.batchSize, est, { min: 1, integer: true });
    checkNumber('learningRateInit', p.learningRateInit, est, { min: 0, minExclusive: true });
    checkNumber('maxIter', p.maxIter, est, { min: 1, integer: true, max: 1_000_000 });
    checkBool('shuffle', p.shuffle, est);
    checkNumber('tol', p.tol, est, { min: 0 });
    checkBool('earlyStopping', p.earlyStopping, est);
    checkNumber('validationFraction', p.validationFraction, est, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
    checkNumber('nIterNoChange', p.nIterNoChange, est, { min: 1, integer: true });
    checkNumber('beta1', p.beta1, est, { min: 0, max: 1, maxExclusive: true });
    checkNumber('beta2', p.beta2, est, { min: 0, max: 1, maxExclusive: true });
    checkNumber('epsilon', p.epsilon, est, { min: 0, minExclusive: true });
  }

  /**
   * Glorot-uniform weights (scikit-learn's init: bound √(6/(fanIn+fanOut)), √2 smaller for logistic units):
   * [W₀, b₀, W₁, b₁, …]. Protected so that a test can start from the weights scikit-learn drew.
   */
  protected initialWeights(units: readonly number[], rng: Generator): Tensor[] {
    const total = units.slice(1).reduce((s, u, l) => s + (units[l] + 1) * u, 0);
    if (total > MAX_MLP_WEIGHTS) throw new ValueError(`${this.constructor.name}: ${total} weights is more than ${MAX_MLP_WEIGHTS}; use smaller hiddenLayerSizes`);
    const factor = this.params.activation === 'logistic' ? 2 : 6;
    const params: Tensor[] = [];
    for (let l = 0; l + 1 < units.length; l++) {
      const bound = Math.sqrt(factor / (units[l] + units[l + 1]));
      const uniform = (size: number): Float64Array => Float64Array.from({ length: size }, () => (2 * rng.random() - 1) * bound);
      params.push(new Tensor(uniform(units[l] * units[l + 1]), [units[l], units[l + 1]], { requiresGrad: true }));
      params.push(new Tensor(uniform(units[l + 1]), [units[l + 1]], { requiresGrad: true }));
    }
    return params;
  }

  /** The output layer's values before its activation (logits for classifiers). */
  private forward(X: Tensor, params: readonly Tensor[]): Tensor {
    let h = X;
    const last = params.length / 2 - 1;
    for (let l = 0; l <= last; l++) {
      h = h.matmul(params[2 * l]).add(params[2 * l + 1]);
      if (l < last) h = applyActivation(h, this.params.activation);
    }
    return h;
  }

  private loss(out: Tensor, target: Target, rows: Int32Array): Tensor {
    const n = rows.length;
    if (target.out === 'softmax')
      return crossEntropy(
        out,
        new Tensor(
          Int32Array.from(rows, (i) => target.values[i]),
          [n],
        ),
      );
    const y = new Tensor(
      Float64Array.from(rows, (i) => target.values[i]),
      [n, 1],
    );
    if (target.out === 'logistic') return bceWithLogits(out, y);
    return out.sub(y).square().mean().mul(0.5);
  }

  /** L2 penalty on the weights (not the biases): α/2·Σw² / batch size. */
  private penalty(params: readonly Tensor[], batch: number): Tensor | null {
    if (this.params.alpha === 0) return null;
    let sum: Tensor | null = null;
    for (let l = 0; l < params.length; l += 2) {
      const s = params[l].square().sum();
      sum = sum ? sum.add(s) : s;
    }
    return sum!.mul((0.5 * this.params.alpha) / batch);
  }

  /** Trains the network on (X, target); fills the fitted fields. */
  protected train(X: Matrix, target: Target): this {
    this.checkParams();
    const p = this.params;
    const rng = resolveGenerator(p.randomState);
    const units = [X.cols, ...p.hiddenLayerSizes, target.outputs];
    const params = this.initialWeights(units, rng);
    const all = Int32Array.from({ length: X.rows }, (_, i) => i);
    const { train, validation } = p.earlyStopping ? splitValidation(X.rows, p.validationFraction, rng, this.constructor.name) : { train: all, validation: null };
    const batchSize = Math.min(p.batchSize === 'auto' ? 200 : p.batchSize, train.length);
    const optimizer = new SklearnAdam(params, p.learningRateInit, p.beta1, p.beta2, p.epsilon);
    const lossCurve: number[] = [];
    const validationScores: number[] = [];
    const validationLoss: number[] = [];
    const trainScores: number[] = [];
    let best = { loss: Infinity, score: -Infinity, weights: params.map((t) => Float64Array.from(t.data)) };
    let stale = 0;
    let epoch = 0;
    while (epoch < p.maxIter) {
      epoch++;
      const order = p.shuffle ? Int32Array.from(rng.permutation(train.length), (k) => train[k]) : train;
      let total = 0;
      for (let start = 0; start < order.length; start += batchSize) {
        const rows = order.subarray(start, Math.min(order.length, start + batchSize));
        const out = this.forward(takeRowsOf(X, rows), params);
        let loss = this.loss(out, target, rows);
        const penalty = this.penalty(params, rows.length);
        if (penalty) loss = loss.add(penalty);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        total += loss.item() * rows.length;
      }
      const epochLoss = total / order.length;
      if (!Number.isFinite(epochLoss))
        throw new NumericalError(`${this.constructor.name}: the training loss became ${epochLoss} at epoch ${epoch}; lower learningRateInit or scale the inputs`);
      lossCurve.push(epochLoss);
      let improved: boolean;
      if (validation) {
        const { score, loss, trainScore } = noGrad(() => {
          const heldOut = this.forward(takeRowsOf(X, validation), params);
          const fitted = this.forward(takeRowsOf(X, train), params);
          return { score: target.score(heldOut, validation), loss: this.loss(heldOut, target, validation).item(), trainScore: target.score(fitted, train) };
        });
        validationScores.push(score);
        validationLoss.push(loss);
        trainScores.push(trainScore);
        improved = score >= best.score + p.tol;
        if (score > best.score) best = { loss: best.loss, score, weights: params.map((t) => Float64Array.from(t.data)) };
      } else {
        improved = epochLoss <= best.loss - p.tol;
        if (epochLoss < best.loss) best = { ...best, loss: epochLoss };
      }
      stale = improved ? 0 : stale + 1;
      if (stale > p.nIterNoChange) break;
    }
    const weights = validation ? best.weights : params.map((t) => Float64Array.from(t.data));
    this.coefs = weights.filter((_, k) => k % 2 === 0);
    this.intercepts = weights.filter((_, k) => k % 2 === 1);
    this.layerUnits = units;
    this.outActivation = target.out;
    this.nIter = epoch;
    this.lossCurve = lossCurve;
    this.bestLoss = validation ? undefined : Math.min(...lossCurve);
    this.validationScores = validation ? validationScores : null;
    this.validationLossCurve = validation ? validationLoss : null;
    this.trainScores = validation ? trainScores : null;
    this.bestValidationScore = validation ? best.score : null;
    return this.markFitted(X.cols);
  }

  /** The output layer's values (logits for classifiers), [nSamples, nOutputs]. */
  protected outputs(X: MatrixInput): Tensor {
    const m = this.validateInput(X);
    const params = this.coefs!.flatMap((w, l) => [new Tensor(w, [this.layerUnits![l], this.layerUnits![l + 1]]), new Tensor(this.intercepts![l], [this.layerUnits![l + 1]])]);
    return noGrad(() => this.forward(new Tensor(m.data, [m.rows, m.cols]), params));
  }
}

/** A multi-layer perceptron classifier: softmax output (one sigmoid unit for two classes), cross-entropy loss. */
export class MLPClassifier extends BaseMultilayerPerceptron {
  /** Sorted class labels seen in fit. */
  classes: Label[] | undefined;

  override get estimatorType(): EstimatorType {
    return 'classifier';
  }

  fit(X: MatrixInput, y: LabelInput): this {
    const { X: m, y: codes, classes } = checkXLabels(X, y, 'MLPClassifier');
    const binary = classes.length === 2;
    this.classes = classes;
    return this.train(m, {
      values: codes,
      outputs: binary ? 1 : classes.length,
      out: binary ? 'logistic' : 'softmax',
      score: (out, rows) => accuracyOf(out, codes, rows, binary),
    });
  }

  /** Class probabilities, [nSamples, nClasses] in the order of `classes`. */
  predictProba(X: MatrixInput): Tensor {
    const out = this.outputs(X);
    if (this.outActivation === 'softmax') return out.softmax(-1);
    const n = out.shape[0];
    const P = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const p1 = 1 / (1 + Math.exp(-out.data[i]));
      P[2 * i] = 1 - p1;
      P[2 * i + 1] = p1;
    }
    return new Tensor(P, [n, 2]);
  }

  predict(X: MatrixInput): Label[] {
    const P = this.predictProba(X);
    const [n, k] = P.shape;
    const labels: Label[] = new Array(n);
    for (let i = 0; i < n; i++) {
      let arg = 0;
      for (let c = 1; c < k; c++) if (P.data[i * k + c] > P.data[i * k + arg]) arg = c;
      labels[i] = this.classes![arg];
    }
    return labels;
  }

  score(X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput): number {
    return classifierScore(this, X, y, sampleWeight);
  }
}

/** A multi-layer perceptron regressor: identity output, squared loss. */
export class MLPRegressor extends BaseMultilayerPerceptron {
  override get estimatorType(): EstimatorType {
    return 'regressor';
  }

  fit(X: MatrixInput, y: VectorInput): this {
    const { X: m, y: values } = checkXy(X, y);
    return this.train(m, { values, outputs: 1, out: 'identity', score: (out, rows) => r2Of(out, values, rows) });
  }

  predict(X: MatrixInput): Float64Array {
    return Float64Array.from(this.outputs(X).data);
  }

  score(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput): number {
    return regressorScore(this, X, y, sampleWeight);
  }
}
