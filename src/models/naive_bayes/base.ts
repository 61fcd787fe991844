/**
 * What the naive Bayes classifiers share: the classes, seen in the first
 * `fit` / `partialFit`, and the step from the joint log-likelihood
 * log P(x, c) of each class to predictions and probabilities.
 */
import { NumericalError, ValueError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { readOptions } from '../../utils/options.js';
import {
  checkConsistentLength,
  checkMinClasses,
  checkNFeatures,
  checkSampleWeight,
  encodeWithClasses,
  labelArray,
  sortLabels,
  toLabels,
  toMatrix,
} from '../../utils/validation.js';
import type { Label, LabelInput, Matrix, MatrixInput, VectorInput } from '../../utils/validation.js';
import { BaseClassifier, estimatorName } from '../base.js';

export interface PartialFitOptions {
  /** Every class label; required on the first call (later batches may hold any subset). */
  classes?: LabelInput;
  /** One weight per sample. */
  sampleWeight?: VectorInput | null;
}

/** One batch of training data, checked and encoded against the classes. */
export interface Batch {
  X: Matrix;
  /** Index of each sample's class in `classes`. */
  y: Int32Array;
  sampleWeight: Float64Array | null;
}

export abstract class BaseNaiveBayes<P extends object> extends BaseClassifier<P> {
  /** Learns from one batch: `first` when the state must be (re)initialised. */
  protected abstract learnBatch(batch: Batch, first: boolean): void;
  /** log P(x, c) for every row and class: [rows × classes]. */
  protected abstract jointLogLikelihood(X: Matrix): Float64Array;
  /** Checks the hyper-parameters (called at the start of every fit). */
  protected abstract checkParams(): void;
  /** Turns X into what the model counts (BernoulliNB binarises; MultinomialNB rejects negatives). */
  protected prepareX(X: Matrix): Matrix {
    return X;
  }

  override fit(X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput | null): this {
    const labels = toLabels(y, { name: 'y', minLength: 0 });
    const Xm = toMatrix(X);
    checkConsistentLength(['X', Xm.rows], ['y', labels.codes.length]);
    checkMinClasses(labels.classes, estimatorName(this));
    this.checkParams();
    this.classes = labels.classes;
    this.learnBatch({ X: this.prepareX(Xm), y: labels.codes, sampleWeight: checkSampleWeight(sampleWeight, Xm.rows, { nonNegative: true }) }, true);
    return this.markFitted(Xm.cols);
  }

  /**
   * Learns from one more batch (online learning). The first call needs
   * `classes`, every label the model will ever see.
   */
  partialFit(X: MatrixInput, y: LabelInput, options: PartialFitOptions = {}): this {
    const o = readOptions(`${estimatorName(this)}.partialFit`, options, ['classes', 'sampleWeight']);
    const first = !this.isFitted;
    if (first) {
      if (o.classes === undefined || o.classes === null) throw new ValueError(`${estimatorName(this)}.partialFit: classes must be passed on the first call`);
      const classes = sortLabels([...new Set(labelArray(o.classes, 'classes'))]);
      if (classes.length === 0) throw new ValueError(`${estimatorName(this)}.partialFit: classes is empty`);
      this.checkParams();
      this.classes = classes;
    } else if (o.classes !== undefined && o.classes !== null) {
      const given = sortLabels([...new Set(labelArray(o.classes, 'classes'))]);
      if (given.length !== this.classes!.length || given.some((c, i) => c !== this.classes![i])) {
        throw new ValueError(`${estimatorName(this)}.partialFit: classes=${JSON.stringify(given)} is not the same as on the first call: ${JSON.stringify(this.classes)}`);
      }
    }
    const Xm = toMatrix(X);
    if (!first) checkNFeatures(Xm, this.nFeaturesIn!, estimatorName(this));
    const codes = encodeWithClasses(y, this.classes!, 'y');
    checkConsistentLength(['X', Xm.rows], ['y', codes.length]);
    this.learnBatch({ X: this.prepareX(Xm), y: codes, sampleWeight: checkSampleWeight(o.sampleWeight, Xm.rows, { nonNegative: true }) }, first);
    return this.markFitted(Xm.cols);
  }

  /** log P(c | x): [rows, classes], columns in the order of `classes`. */
  predictLogProba(X: MatrixInput): Tensor {
    const Xm = this.prepareX(this.validateInput(X));
    const jll = this.jointLogLikelihood(Xm);
    const k = this.classes!.length;
    for (let r = 0; r < Xm.rows; r++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < k; c++) max = Math.max(max, jll[r * k + c]);
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(jll[r * k + c] - max);
      const norm = max + Math.log(sum);
      for (let c = 0; c < k; c++) jll[r * k + c] -= norm;
    }
    checkNotNaN(estimatorName(this), jll);
    return new Tensor(jll, [Xm.rows, k]);
  }

  predictProba(X: MatrixInput): Tensor {
    const L = this.predictLogProba(X);
    const d = L.data as Float64Array;
    for (let i = 0; i < d.length; i++) d[i] = Math.exp(d[i]);
    return L;
  }

  /** The class of highest joint likelihood (the first on a tie). */
  predict(X: MatrixInput): Label[] {
    const Xm = this.prepareX(this.validateInput(X));
    const jll = this.jointLogLikelihood(Xm);
    checkNotNaN(estimatorName(this), jll);
    const k = this.classes!.length;
    const out = new Array<Label>(Xm.rows);
    for (let r = 0; r < Xm.rows; r++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (jll[r * k + c] > jll[r * k + best]) best = c;
      out[r] = this.classes![best];
    }
    return out;
  }
}

/** Checks user-given class priors: one per class, non-negative, summing to 1. */
export function checkPriors(where: string, priors: ArrayLike<number>, nClasses: number, name: string): Float64Array {
  const p = Float64Array.from(priors);
  if (p.length !== nClasses) throw new ValueError(`${where}: ${name} has ${p.length} values but there are ${nClasses} classes`);
  let sum = 0;
  for (const v of p) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new ValueError(`${where}: ${name} must be non-negative finite numbers, got ${v}`);
    sum += v;
  }
  if (Math.abs(sum - 1) > 1e-8 + 1e-5) throw new ValueError(`${where}: the sum of the ${name} should be 1, got ${sum}`);
  return p;
}

/** Log-probabilities may be -Infinity (a class never seen yet); NaN means the model overflowed. */
function checkNotNaN(where: string, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]))
      throw new NumericalError(`${where}: the log-likelihood is NaN; the features are too large for float64 or a variance is 0 — scale them (StandardScaler)`);
  }
}
