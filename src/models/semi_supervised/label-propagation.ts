/**
 * LabelPropagation and LabelSpreading (scikit-learn 1.2's): labels flow
 * from the labelled samples to the unlabelled ones along a similarity graph
 * of all training rows (see graph.ts), one graph multiplication per
 * iteration, until the label distributions move by less than `tol` in total.
 *
 * - Propagation (Zhu & Ghahramani): F ← rownormalise(P·F), then the labelled
 *   rows are reset to their labels (hard clamping).
 * - Spreading (Zhou et al.): F ← α·S·F + (1 − α)·Y, the labelled rows pulled
 *   back towards their labels by a share 1 − α only (soft clamping), so a
 *   wrong label can be overruled by its neighbourhood.
 *
 * `y` marks unlabelled samples with -1. After `fit`, `transduction` holds
 * the label given to every training row and `labelDistributions` its class
 * probabilities. New rows are classified by their kernel similarity to the
 * training rows (rbf) or the distributions of their k nearest (knn).
 */
import { NumericalError, ValueError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import { toMatrix, type Label, type LabelInput, type Matrix, type MatrixInput } from '../../utils/validation.js';
import { BaseClassifier, logProbabilities } from '../base.js';
import { checkFinite } from '../finite.js';
import type { NeighborsIndex } from '../neighbors/search.js';
import { affinity, denseProduct, type GraphKernel, multiplyGraph, nearestTraining, neighborsIndex, propagationGraph, rbfKernel, spreadingGraph } from './graph.js';
import { encodePartialLabels, UNLABELLED } from './labels.js';

export interface LabelPropagationParams {
  /** 'rbf' (default: a dense graph, n² values) or 'knn' (k neighbours per row). */
  kernel: GraphKernel;
  /** γ of the rbf kernel exp(−γ·|x − z|²) (default 20). */
  gamma: number;
  /** Neighbours per row of the knn kernel (default 7). */
  nNeighbors: number;
  /** Most iterations (LabelPropagation default 1000, LabelSpreading 30). */
  maxIter: number;
  /** Stop when the distributions change by less than this in total (default 1e-3). */
  tol: number;
}

export interface LabelSpreadingParams extends LabelPropagationParams {
  /** Share of a sample's distribution taken from its neighbours each iteration, in (0, 1) (default 0.2). */
  alpha: number;
}

type Variant = 'propagation' | 'spreading';

/** What the two estimators share: fit's loop, predictProba, and the fitted state. */
abstract class BaseLabelPropagation<P extends LabelPropagationParams> extends BaseClassifier<P> {
  /** The training rows (new rows are compared with them). */
  trainX: Matrix | undefined = undefined;
  /** The k-NN search over the training rows (kernel 'knn' only). */
  index: NeighborsIndex | null = null;
  /** Each training row's class probabilities [nSamples, nClasses], columns in the order of `classes`. */
  labelDistributions: Tensor | undefined = undefined;
  /** The label given to each training row (the most likely class of its distribution). */
  transduction: Label[] | undefined = undefined;
  /** Iterations run. */
  nIter: number | undefined = undefined;
  /** Whether the distributions settled within `tol` before `maxIter` (scikit-learn warns when not). */
  converged: boolean | undefined = undefined;

  protected abstract get variant(): Variant;

  /** Checks the parameters (α for spreading). */
  protected checkParams(): void {
    const where = this.constructor.name;
    const { kernel, gamma, nNeighbors, maxIter, tol } = this.params;
    if (kernel !== 'rbf' && kernel !== 'knn') throw new ValueError(`${where}: kernel must be 'rbf' or 'knn', got ${String(kernel)}`);
    if (typeof gamma !== 'number' || !(gamma >= 0) || !Number.isFinite(gamma)) throw new ValueError(`${where}: gamma must be a finite number >= 0, got ${String(gamma)}`);
    if (!Number.isInteger(nNeighbors) || nNeighbors < 1) throw new ValueError(`${where}: nNeighbors must be an integer >= 1, got ${String(nNeighbors)}`);
    if (!Number.isInteger(maxIter) || maxIter < 1) throw new ValueError(`${where}: maxIter must be an integer >= 1, got ${String(maxIter)}`);
    if (typeof tol !== 'number' || !(tol >= 0) || !Number.isFinite(tol)) throw new ValueError(`${where}: tol must be a finite number >= 0, got ${String(tol)}`);
  }

  /** Fits on all rows of X; `y` holds -1 for the unlabelled ones. */
  override fit(X: MatrixInput, y: LabelInput): this {
    const where = this.constructor.name;
    this.checkParams();
    const Xm = toMatrix(X, { name: 'X' });
    const { codes, classes } = encodePartialLabels(y, Xm.rows, where);
    const { kernel, gamma, nNeighbors, maxIter, tol } = this.params;
    const n = Xm.rows,
      c = classes.length;
    const trainX: Matrix = { data: Xm.data.slice(), rows: n, cols: Xm.cols };
    const index = kernel === 'knn' ? neighborsIndex(where, trainX, nNeighbors) : null;
    const raw = affinity(where, trainX, kernel, gamma, nNeighbors, index);
    const graph = this.variant === 'propagation' ? propagationGraph(raw) : spreadingGraph(raw);
    const alpha = this.variant === 'spreading' ? (this.params as unknown as LabelSpreadingParams).alpha : 0;

    // F starts one-hot on the labelled rows; Y is what each iteration clamps back to.
    let F = new Float64Array(n * c);
    for (let i = 0; i < n; i++) if (codes[i] !== UNLABELLED) F[i * c + codes[i]] = 1;
    const clamp = F.slice();
    if (this.variant === 'spreading') for (let t = 0; t < clamp.length; t++) clamp[t] *= 1 - alpha;
    let previous = new Float64Array(n * c);
    let iter = 0;
    let converged = false;
    for (; iter < maxIter; iter++) {
      if (totalChange(F, previous) < tol) {
        converged = true;
        break;
      }
      const next = previous; // reuse the buffer of two steps ago
      multiplyGraph(graph, F, c, next);
      previous = F;
      F = next;
      if (this.variant === 'propagation') {
        normaliseRows(F, n, c);
        for (let i = 0; i < n; i++) if (codes[i] !== UNLABELLED) F.set(clamp.subarray(i * c, (i + 1) * c), i * c);
      } else {
        for (let t = 0; t < F.length; t++) F[t] = alpha * F[t] + clamp[t];
      }
    }
    normaliseRows(F, n, c);
    checkFinite(where, 'the label distributions', F);
    this.trainX = trainX;
    this.index = index;
    this.classes = classes;
    this.labelDistributions = new Tensor(F, [n, c]);
    this.transduction = mostLikely(F, n, classes);
    this.nIter = iter;
    this.converged = converged;
    return this.markFitted(Xm.cols);
  }

  /**
   * Class probabilities of new rows: the training distributions weighted by
   * the rows' rbf similarity to each training row, or summed over their k
   * nearest training rows, then normalised. A row with no weight at all
   * (every neighbour without label mass; scikit-learn gives NaN) gets the
   * uniform distribution.
   */
  predictProba(X: MatrixInput): Tensor {
    const Xm = this.validateInput(X);
    const where = this.constructor.name;
    const F = this.labelDistributions!.data as Float64Array;
    const c = this.classes!.length,
      n = this.trainX!.rows;
    const out = new Float64Array(Xm.rows * c);
    if (this.params.kernel === 'knn') {
      const k = this.params.nNeighbors;
      const near = nearestTraining(where, this.index!, Xm, k);
      for (let q = 0; q < Xm.rows; q++) {
        for (let t = 0; t < k; t++) {
          const j = near[q * k + t];
          for (let l = 0; l < c; l++) out[q * c + l] += F[j * c + l];
        }
      }
    } else {
      const K = rbfKernel(Xm, this.trainX!, this.params.gamma, false);
      checkFinite(where, 'the rbf kernel', K);
      denseProduct(K, Xm.rows, n, F, c, out);
    }
    for (let q = 0; q < Xm.rows; q++) {
      let s = 0;
      for (let l = 0; l < c; l++) s += out[q * c + l];
      for (let l = 0; l < c; l++) out[q * c + l] = s > 0 ? out[q * c + l] / s : 1 / c;
    }
    if (!Number.isFinite(out.reduce((a, b) => a + b, 0))) throw new NumericalError(`${where}: the class probabilities are not finite`);
    return new Tensor(out, [Xm.rows, c]);
  }

  predictLogProba(X: MatrixInput): Tensor {
    return logProbabilities(this.predictProba(X));
  }

  /** The most likely class of each row (the first of tied ones). */
  predict(X: MatrixInput): Label[] {
    const P = this.predictProba(X);
    return mostLikely(P.data as Float64Array, P.shape[0], this.classes!);
  }
}

/** Σ|a − b| over every element. */
function totalChange(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += Math.abs(a[t] - b[t]);
  return s;
}

/** Divides each row of F [n, c] by its sum (a row summing to 0 is left as it is). */
function normaliseRows(F: Float64Array, n: number, c: number): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let l = 0; l < c; l++) s += F[i * c + l];
    if (s === 0) continue;
    for (let l = 0; l < c; l++) F[i * c + l] /= s;
  }
}

/** The class of the largest value of each row of P [n, c] (the first of tied ones, as NumPy's argmax). */
function mostLikely(P: Float64Array, n: number, classes: readonly Label[]): Label[] {
  const c = classes.length;
  const out = new Array<Label>(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let l = 1; l < c; l++) if (P[i * c + l] > P[i * c + best]) best = l;
    out[i] = classes[best];
  }
  return out;
}

const COMMON_DEFAULTS = { kernel: 'rbf' as GraphKernel, gamma: 20, nNeighbors: 7, tol: 1e-3 };

/**
 * Label propagation with hard clamping: the labelled samples keep their
 * labels. `new LabelPropagation({ kernel: 'knn', nNeighbors: 7 }).fit(X, y)`
 * with -1 in y for the unlabelled rows; then `transduction`.
 */
export class LabelPropagation extends BaseLabelPropagation<LabelPropagationParams> {
  static readonly defaults: LabelPropagationParams = { ...COMMON_DEFAULTS, maxIter: 1000 };
  protected get variant(): Variant {
    return 'propagation';
  }
}

/**
 * Label spreading with soft clamping (α): robust to some wrong labels.
 * `new LabelSpreading({ kernel: 'knn', alpha: 0.2 }).fit(X, y)` with -1 in
 * y for the unlabelled rows.
 */
export class LabelSpreading extends BaseLabelPropagation<LabelSpreadingParams> {
  static readonly defaults: LabelSpreadingParams = { ...COMMON_DEFAULTS, maxIter: 30, alpha: 0.2 };
  protected get variant(): Variant {
    return 'spreading';
  }

  protected override checkParams(): void {
    super.checkParams();
    const a = this.params.alpha;
    if (typeof a !== 'number' || !(a > 0 && a < 1)) throw new ValueError(`LabelSpreading: alpha must be a number in (0, 1), got ${String(a)}`);
  }
}
