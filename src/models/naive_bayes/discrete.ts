/**
 * MultinomialNB and BernoulliNB (scikit-learn's): per-class feature counts
 * with additive (Laplace / Lidstone) smoothing `alpha`. Both accumulate
 * counts, so `partialFit` is exact.
 */
import { ValueError } from '../../errors.js';
import type { Matrix } from '../../utils/validation.js';
import { BaseNaiveBayes, type Batch, checkPriors } from './base.js';

export interface DiscreteNBParams {
  /** Additive smoothing, >= 0 (default 1); values below 1e-10 become 1e-10 unless forceAlpha. */
  alpha: number;
  /** Keep alpha as given even below 1e-10 (default false, scikit-learn 1.2's behaviour). */
  forceAlpha: boolean;
  /** Learn the class priors from the data (default true); false: uniform. */
  fitPrior: boolean;
  /** Class priors given explicitly (overrides fitPrior); default null. */
  classPrior: ArrayLike<number> | null;
}

export interface BernoulliNBParams extends DiscreteNBParams {
  /** Features above this are 1, others 0; null: X is already binary (default 0). */
  binarize: number | null;
}

const ALPHA_FLOOR = 1e-10;

abstract class BaseDiscreteNB<P extends DiscreteNBParams> extends BaseNaiveBayes<P> {
  /** (Weighted) count of each feature per class: [classes × features]. */
  featureCount: Float64Array | undefined = undefined;
  /** (Weighted) number of samples per class. */
  classCount: Float64Array | undefined = undefined;
  /** log P(feature | class), smoothed: [classes × features]. */
  featureLogProb: Float64Array | undefined = undefined;
  classLogPrior: Float64Array | undefined = undefined;

  protected checkParams(): void {
    const { alpha, fitPrior, forceAlpha } = this.params;
    if (typeof alpha !== 'number' || !(alpha >= 0) || !Number.isFinite(alpha))
      throw new ValueError(`${this.constructor.name}: alpha must be a finite number >= 0, got ${String(alpha)}`);
    if (typeof fitPrior !== 'boolean') throw new ValueError(`${this.constructor.name}: fitPrior must be true or false, got ${String(fitPrior)}`);
    if (typeof forceAlpha !== 'boolean') throw new ValueError(`${this.constructor.name}: forceAlpha must be true or false, got ${String(forceAlpha)}`);
  }

  protected effectiveAlpha(): number {
    return this.params.forceAlpha ? this.params.alpha : Math.max(this.params.alpha, ALPHA_FLOOR);
  }

  protected learnBatch({ X, y, sampleWeight }: Batch, first: boolean): void {
    const k = this.classes!.length;
    const d = X.cols;
    if (first) {
      this.featureCount = new Float64Array(k * d);
      this.classCount = new Float64Array(k);
    }
    for (let r = 0; r < X.rows; r++) {
      const w = sampleWeight ? sampleWeight[r] : 1;
      const c = y[r];
      this.classCount![c] += w;
      for (let f = 0; f < d; f++) this.featureCount![c * d + f] += w * X.data[r * d + f];
    }
    this.featureLogProb = this.smoothedLogProb(d);
    this.classLogPrior = this.logPrior();
  }

  /** log P(feature | class) from the counts. */
  protected abstract smoothedLogProb(d: number): Float64Array;

  private logPrior(): Float64Array {
    const k = this.classes!.length;
    const { classPrior, fitPrior } = this.params;
    if (classPrior !== null && classPrior !== undefined) return checkPriors(this.constructor.name, classPrior, k, 'classPrior').map(Math.log);
    if (!fitPrior) return new Float64Array(k).fill(-Math.log(k));
    const total = this.classCount!.reduce((a, b) => a + b, 0);
    return this.classCount!.map((c) => Math.log(c) - Math.log(total));
  }
}

/** Naive Bayes for counts (word counts, tf-idf): features multinomial within each class. */
export class MultinomialNB extends BaseDiscreteNB<DiscreteNBParams> {
  static readonly defaults: DiscreteNBParams = { alpha: 1, forceAlpha: false, fitPrior: true, classPrior: null };

  protected override prepareX(X: Matrix): Matrix {
    for (let i = 0; i < X.data.length; i++)
      if (X.data[i] < 0) throw new ValueError(`Negative values in data passed to MultinomialNB (input X): ${X.data[i]} at row ${Math.floor(i / X.cols)}`);
    return X;
  }

  protected smoothedLogProb(d: number): Float64Array {
    const k = this.classes!.length;
    const alpha = this.effectiveAlpha();
    const out = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      let total = 0;
      for (let f = 0; f < d; f++) total += this.featureCount![c * d + f] + alpha;
      for (let f = 0; f < d; f++) out[c * d + f] = Math.log(this.featureCount![c * d + f] + alpha) - Math.log(total);
    }
    return out;
  }

  protected jointLogLikelihood(X: Matrix): Float64Array {
    const k = this.classes!.length;
    const d = X.cols;
    const out = new Float64Array(X.rows * k);
    for (let r = 0; r < X.rows; r++) {
      for (let c = 0; c < k; c++) {
        let s = this.classLogPrior![c];
        for (let f = 0; f < d; f++) s += X.data[r * d + f] * this.featureLogProb![c * d + f];
        out[r * k + c] = s;
      }
    }
    return out;
  }
}

/** Naive Bayes for binary features (present / absent), each Bernoulli within each class. */
export class BernoulliNB extends BaseDiscreteNB<BernoulliNBParams> {
  static readonly defaults: BernoulliNBParams = { alpha: 1, forceAlpha: false, binarize: 0, fitPrior: true, classPrior: null };

  protected override checkParams(): void {
    super.checkParams();
    const b = this.params.binarize;
    if (b !== null && (typeof b !== 'number' || Number.isNaN(b))) throw new ValueError(`BernoulliNB: binarize must be a number or null, got ${String(b)}`);
  }

  protected override prepareX(X: Matrix): Matrix {
    const t = this.params.binarize;
    if (t === null) return X;
    return { data: X.data.map((v) => (v > t ? 1 : 0)), rows: X.rows, cols: X.cols };
  }

  protected smoothedLogProb(d: number): Float64Array {
    const k = this.classes!.length;
    const alpha = this.effectiveAlpha();
    const out = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      const denominator = Math.log(this.classCount![c] + 2 * alpha);
      for (let f = 0; f < d; f++) out[c * d + f] = Math.log(this.featureCount![c * d + f] + alpha) - denominator;
    }
    return out;
  }

  protected jointLogLikelihood(X: Matrix): Float64Array {
    const k = this.classes!.length;
    const d = X.cols;
    const out = new Float64Array(X.rows * k);
    for (let c = 0; c < k; c++) {
      // log P(x) = sum_f x_f log p_f + (1 - x_f) log(1 - p_f)
      let negSum = this.classLogPrior![c];
      const delta = new Float64Array(d);
      for (let f = 0; f < d; f++) {
        const logP = this.featureLogProb![c * d + f];
        const logNotP = Math.log(1 - Math.exp(logP));
        negSum += logNotP;
        delta[f] = logP - logNotP;
      }
      for (let r = 0; r < X.rows; r++) {
        let s = negSum;
        for (let f = 0; f < d; f++) s += X.data[r * d + f] * delta[f];
        out[r * k + c] = s;
      }
    }
    return out;
  }
}
