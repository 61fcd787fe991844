/**
 * KNeighborsClassifier and KNeighborsRegressor (scikit-learn's): predict
 * from the k nearest training points, by majority / mean, uniform or
 * weighted by inverse distance.
 */
import { Tensor } from '../../tensor/tensor.js';
import { checkXLabels, checkXy, type Label, type LabelInput, type Matrix, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { BaseClassifier, BaseRegressor, logProbabilities } from '../base.js';
import { fitNeighbors, kneighborsMethod, kNeighborsOf, type KNeighborsOutput, type NeighborsIndex, SEARCH_DEFAULTS, type SearchParams } from './search.js';
import { checkWeights, type NeighborsWeights, neighborWeights, weightedNeighborMean } from './weights.js';

export interface KNeighborsParams extends SearchParams {
  /** Number of neighbours that vote (default 5). */
  nNeighbors: number;
  /** 'uniform' (default) or 'distance'. */
  weights: NeighborsWeights;
}

const DEFAULTS: KNeighborsParams = { nNeighbors: 5, weights: 'uniform', ...SEARCH_DEFAULTS };

export interface KNeighborsOptions {
  /** Neighbours per query (default: the estimator's nNeighbors). */
  nNeighbors?: number;
}

/** Checks the parameters and indexes the training points. */
function indexFor(where: string, X: Matrix, params: KNeighborsParams): NeighborsIndex {
  checkWeights(where, params.weights);
  return fitNeighbors(where, X, params, params.nNeighbors);
}

/** The k nearest training points of each row of X and the vote of each. */
function neighborVotes(where: string, index: NeighborsIndex, Xm: Matrix, params: KNeighborsParams): { indices: Int32Array; votes: Float64Array } {
  const { distances, indices } = kNeighborsOf(where, index, Xm, params.nNeighbors);
  return { indices, votes: neighborWeights(checkWeights(where, params.weights), distances, params.nNeighbors) };
}

/** Classifier by vote of the k nearest training points. */
export class KNeighborsClassifier extends BaseClassifier<KNeighborsParams> {
  static readonly defaults = DEFAULTS;
  /** The search structure over the training points. */
  index: NeighborsIndex | undefined = undefined;
  /** Class of each training point (index into `classes`). */
  yCodes: Int32Array | undefined = undefined;

  override fit(X: MatrixInput, y: LabelInput): this {
    const { X: Xm, y: codes, classes } = checkXLabels(X, y, 'KNeighborsClassifier');
    this.index = indexFor('KNeighborsClassifier', Xm, this.params);
    this.classes = classes;
    this.yCodes = codes;
    return this.markFitted(Xm.cols);
  }

  /** Distances [n, k] and indices [n, k] of the nearest training points (X left out: of each training point, itself excluded). */
  kneighbors(X?: MatrixInput | null, options?: KNeighborsOptions): KNeighborsOutput {
    return kneighborsMethod('KNeighborsClassifier', this.index, X, this.params.nNeighbors, options);
  }

  /** Share of the (weighted) votes of each class, columns in the order of `classes`. */
  predictProba(X: MatrixInput): Tensor {
    const Xm = this.validateInput(X);
    const { indices, votes } = neighborVotes('KNeighborsClassifier', this.index!, Xm, this.params);
    const codes = this.yCodes!;
    const nClasses = this.classes!.length;
    const proba = weightedNeighborMean(indices, votes, this.params.nNeighbors, nClasses, (j, out, at, vote) => {
      out[at + codes[j]] += vote;
    });
    return new Tensor(proba, [Xm.rows, nClasses]);
  }

  predictLogProba(X: MatrixInput): Tensor {
    return logProbabilities(this.predictProba(X));
  }

  /** The class with the most (weighted) votes; a tie goes to the first in `classes`. */
  predict(X: MatrixInput): Label[] {
    const P = this.predictProba(X);
    const nClasses = this.classes!.length;
    const p = P.data as Float64Array;
    const out = new Array<Label>(P.shape[0]);
    for (let q = 0; q < P.shape[0]; q++) {
      let best = 0;
      for (let c = 1; c < nClasses; c++) if (p[q * nClasses + c] > p[q * nClasses + best]) best = c;
      out[q] = this.classes![best];
    }
    return out;
  }
}

/** Regressor: the (weighted) mean target of the k nearest training points. */
export class KNeighborsRegressor extends BaseRegressor<KNeighborsParams> {
  static readonly defaults = DEFAULTS;
  index: NeighborsIndex | undefined = undefined;
  /** Training targets. */
  yFit: Float64Array | undefined = undefined;

  override fit(X: MatrixInput, y: VectorInput): this {
    const { X: Xm, y: yv } = checkXy(X, y);
    this.index = indexFor('KNeighborsRegressor', Xm, this.params);
    this.yFit = yv;
    return this.markFitted(Xm.cols);
  }

  /** Distances [n, k] and indices [n, k] of the nearest training points (X left out: of each training point, itself excluded). */
  kneighbors(X?: MatrixInput | null, options?: KNeighborsOptions): KNeighborsOutput {
    return kneighborsMethod('KNeighborsRegressor', this.index, X, this.params.nNeighbors, options);
  }

  predict(X: MatrixInput): Float64Array {
    const { indices, votes } = neighborVotes('KNeighborsRegressor', this.index!, this.validateInput(X), this.params);
    const y = this.yFit!;
    return weightedNeighborMean(indices, votes, this.params.nNeighbors, 1, (j, out, at, vote) => {
      out[at] += vote * y[j];
    });
  }
}
