/** NearestNeighbors (scikit-learn's): the neighbour searches without a prediction. */
import { readOptions } from '../../utils/options.js';
import { toMatrix, type MatrixInput } from '../../utils/validation.js';
import { BaseEstimator } from '../base.js';
import {
  fitNeighbors,
  kneighborsMethod,
  type KNeighborsOutput,
  type NeighborsIndex,
  queryRows,
  radiusNeighborsOf,
  type RadiusNeighborsOutput,
  SEARCH_DEFAULTS,
  type SearchParams,
} from './search.js';

export interface NearestNeighborsParams extends SearchParams {
  /** Neighbours per query of `kneighbors` (default 5). */
  nNeighbors: number;
  /** Radius of `radiusNeighbors` (default 1). */
  radius: number;
}

export interface RadiusNeighborsOptions {
  /** Default: the estimator's radius. */
  radius?: number;
  /** Nearest first instead of ascending index (default false). */
  sortResults?: boolean;
}

/** Unsupervised neighbour search: `kneighbors` and `radiusNeighbors` over the points given to `fit`. */
export class NearestNeighbors extends BaseEstimator<NearestNeighborsParams> {
  static readonly defaults: NearestNeighborsParams = { nNeighbors: 5, radius: 1, ...SEARCH_DEFAULTS };
  index: NeighborsIndex | undefined = undefined;

  /** Indexes the rows of X (y is ignored). */
  override fit(X: MatrixInput, _y?: unknown): this {
    const Xm = toMatrix(X);
    this.index = fitNeighbors('NearestNeighbors', Xm, this.params, this.params.nNeighbors);
    return this.markFitted(Xm.cols);
  }

  /** Distances [n, k] and indices [n, k] of the nearest fitted points, nearest first (X left out: of each fitted point, itself excluded). */
  kneighbors(X?: MatrixInput | null, options?: { nNeighbors?: number }): KNeighborsOutput {
    return kneighborsMethod('NearestNeighbors', this.index, X, this.params.nNeighbors, options);
  }

  /** For each row of X (each fitted point when X is left out, itself excluded): the fitted points within the radius, inclusive. */
  radiusNeighbors(X?: MatrixInput | null, options?: RadiusNeighborsOptions): RadiusNeighborsOutput {
    const Xm = queryRows('NearestNeighbors', this.index, X);
    const o = readOptions('NearestNeighbors.radiusNeighbors', options, ['radius', 'sortResults']);
    return radiusNeighborsOf('NearestNeighbors', this.index!, Xm, o.radius ?? this.params.radius, o.sortResults ?? false);
  }
}
