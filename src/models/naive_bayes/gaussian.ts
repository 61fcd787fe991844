/**
 * GaussianNB (scikit-learn's): each feature normal within each class, with
 * a variance floor `varSmoothing` × the largest feature variance. Online
 * (`partialFit`) updates merge the batch's mean and variance with Chan et
 * al.'s formula, exactly as scikit-learn does.
 */
import { ValueError } from '../../errors.js';
import type { Matrix } from '../../utils/validation.js';
import { checkFinite } from '../finite.js';
import { BaseNaiveBayes, type Batch, checkPriors } from './base.js';

export interface GaussianNBParams {
  /** Class priors (one per class, summing to 1); null: the class frequencies (default). */
  priors: ArrayLike<number> | null;
  /** Share of the largest feature variance added to every variance (default 1e-9). */
  varSmoothing: number;
}

export class GaussianNB extends BaseNaiveBayes<GaussianNBParams> {
  static readonly defaults: GaussianNBParams = { priors: null, varSmoothing: 1e-9 };
  /** Mean of each feature per class: [classes × features], row-major. */
  theta: Float64Array | undefined = undefined;
  /** Variance of each feature per class (smoothing included). */
  variance: Float64Array | undefined = undefined;
  /** (Weighted) number of training samples per class. */
  classCount: Float64Array | undefined = undefined;
  classPrior: Float64Array | undefined = undefined;
  /** The variance added to every variance. */
  epsilon: number | undefined = undefined;

  protected checkParams(): void {
    const v = this.params.varSmoothing;
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new ValueError(`GaussianNB: varSmoothing must be a finite number >= 0, got ${String(v)}`);
  }

  protected learnBatch({ X, y, sampleWeight }: Batch, first: boolean): void {
    const k = this.classes!.length;
    const d = X.cols;
    // scikit-learn recomputes epsilon from each batch
    const epsilon = this.params.varSmoothing * maxColumnVariance(X);
    if (first) {
      this.theta = new Float64Array(k * d);
      this.variance = new Float64Array(k * d);
      this.classCount = new Float64Array(k);
      this.classPrior = this.params.priors === null ? new Float64Array(k) : checkPriors('GaussianNB', this.params.priors, k, 'priors');
    } else {
      for (let i = 0; i < this.variance!.length; i++) this.variance![i] -= epsilon;
    }
    this.epsilon = epsilon;
    for (let c = 0; c < k; c++) {
      const rows: number[] = [];
      for (let i = 0; i < y.length; i++) if (y[i] === c) rows.push(i);
      if (rows.length === 0) continue;
      const w = sampleWeight ? rows.map((i) => sampleWeight[i]) : null;
      const nNew = w ? w.reduce((a, b) => a + b, 0) : rows.length;
      if (w && Math.abs(nNew) <= 1e-8) continue;
      this.mergeClass(c, X, rows, w, nNew);
      this.classCount![c] += nNew;
    }
    for (let i = 0; i < this.variance!.length; i++) this.variance![i] += epsilon;
    checkFinite('GaussianNB', 'the class variances', this.variance!);
    if (this.params.priors === null) {
      const total = this.classCount!.reduce((a, b) => a + b, 0);
      for (let c = 0; c < k; c++) this.classPrior![c] = this.classCount![c] / total;
    }
  }

  /** Merges the (weighted) mean and variance of `rows` into class c's (scikit-learn's _update_mean_variance). */
  private mergeClass(c: number, X: Matrix, rows: number[], w: number[] | null, nNew: number): void {
    const d = X.cols;
    const nPast = this.classCount![c];
    for (let f = 0; f < d; f++) {
      let mean = 0;
      for (let t = 0; t < rows.length; t++) mean += (w ? w[t] : 1) * X.data[rows[t] * d + f];
      mean /= nNew;
      let v = 0;
      for (let t = 0; t < rows.length; t++) {
        const dev = X.data[rows[t] * d + f] - mean;
        v += (w ? w[t] : 1) * dev * dev;
      }
      v /= nNew;
      const at = c * d + f;
      if (nPast === 0) {
        this.theta![at] = mean;
        this.variance![at] = v;
        continue;
      }
      const nTotal = nPast + nNew;
      const oldMean = this.theta![at];
      const ssd = nPast * this.variance![at] + nNew * v + ((nNew * nPast) / nTotal) * (oldMean - mean) ** 2;
      this.theta![at] = (nNew * mean + nPast * oldMean) / nTotal;
      this.variance![at] = ssd / nTotal;
    }
  }

  protected jointLogLikelihood(X: Matrix): Float64Array {
    const k = this.classes!.length;
    const d = X.cols;
    const out = new Float64Array(X.rows * k);
    for (let c = 0; c < k; c++) {
      let logNorm = 0;
      for (let f = 0; f < d; f++) logNorm += Math.log(2 * Math.PI * this.variance![c * d + f]);
      const base = Math.log(this.classPrior![c]) - 0.5 * logNorm;
      for (let r = 0; r < X.rows; r++) {
        let s = 0;
        for (let f = 0; f < d; f++) s += (X.data[r * d + f] - this.theta![c * d + f]) ** 2 / this.variance![c * d + f];
        out[r * k + c] = base - 0.5 * s;
      }
    }
    return out;
  }
}

/** The largest population variance of a column of X. */
function maxColumnVariance(X: Matrix): number {
  let max = 0;
  for (let f = 0; f < X.cols; f++) {
    let mean = 0;
    for (let r = 0; r < X.rows; r++) mean += X.data[r * X.cols + f];
    mean /= X.rows;
    let v = 0;
    for (let r = 0; r < X.rows; r++) v += (X.data[r * X.cols + f] - mean) ** 2;
    max = Math.max(max, v / X.rows);
  }
  return max;
}
