/**
 * The fitted search structure every neighbours estimator shares: the
 * training points, the method ('brute' or 'kd_tree') and, for the KD-tree,
 * the tree. `kNeighborsOf` and `radiusNeighborsOf` answer the queries with
 * scikit-learn's conventions (nearest first, ties by index; a query of the
 * training set itself, X left out, excludes each point from its own list).
 */
import { LimitError, NotFittedError, ValueError } from '../../errors.js';
import { readOptions } from '../../utils/options.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkNFeatures, toMatrix, type Matrix, type MatrixInput } from '../../utils/validation.js';
import { checkFinite } from '../finite.js';
import { bruteKNeighbors, bruteRadius, type KNeighborsResult, type Points } from './brute.js';
import { buildKdTree, type KdTree, kdTreeKNeighbors, kdTreeRadius } from './kd-tree.js';
import { fromReduced, metricExponent, type NeighborsMetric, toReduced } from './metric.js';
import { resetTopK } from './top-k.js';

export type NeighborsAlgorithm = 'auto' | 'brute' | 'kd_tree' | 'ball_tree';

/** The search parameters shared by every neighbours estimator (scikit-learn's names, camelCase). */
export interface SearchParams {
  /** 'auto' (default): the KD-tree for at most 15 features and nNeighbors < nSamples / 2, else brute force. 'ball_tree' uses the KD-tree (the same answers). */
  algorithm: NeighborsAlgorithm;
  /** Points per KD-tree leaf (default 30). */
  leafSize: number;
  /** 'minkowski' (default, with p), 'euclidean', 'manhattan' or 'chebyshev'. */
  metric: NeighborsMetric;
  /** Exponent of the Minkowski metric, >= 1 (default 2: euclidean). */
  p: number;
}

export const SEARCH_DEFAULTS: SearchParams = { algorithm: 'auto', leafSize: 30, metric: 'minkowski', p: 2 };

/** Fitted state (plain data). */
export interface NeighborsIndex {
  train: Points;
  method: 'brute' | 'kd_tree';
  /** Minkowski exponent of the metric. */
  p: number;
  tree: KdTree | null;
}

/** Most (query, neighbour) pairs one radius query may return. */
export const MAX_RADIUS_PAIRS = 2 ** 24;

function checkPositiveInt(where: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ValueError(`${where}: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

/**
 * Builds the search structure for the training points. `nNeighbors` (when
 * the estimator has one) takes part in the 'auto' choice.
 */
export function fitNeighbors(where: string, X: Matrix, params: SearchParams, nNeighbors?: number): NeighborsIndex {
  const p = metricExponent(where, params.metric, params.p);
  const leafSize = checkPositiveInt(where, 'leafSize', params.leafSize);
  const algorithms: NeighborsAlgorithm[] = ['auto', 'brute', 'kd_tree', 'ball_tree'];
  if (!algorithms.includes(params.algorithm)) throw new ValueError(`${where}: algorithm must be one of ${algorithms.join(', ')}; got ${String(params.algorithm)}`);
  let method: 'brute' | 'kd_tree' = params.algorithm === 'brute' ? 'brute' : 'kd_tree';
  if (params.algorithm === 'auto') {
    const fewNeighbors = nNeighbors === undefined || nNeighbors < Math.floor(X.rows / 2);
    method = X.cols <= 15 && fewNeighbors ? 'kd_tree' : 'brute';
  }
  // a copy: X may be the caller's own buffer (a float64 Tensor is not copied by toMatrix), which they may change later
  const train: Points = { data: X.data.slice(), rows: X.rows, cols: X.cols };
  return { train, method, p, tree: method === 'kd_tree' ? buildKdTree(train, leafSize) : null };
}

/** The neighbour lists as Tensors: distances float64 and indices int32, both [queries, k]. */
export interface KNeighborsOutput {
  distances: Tensor;
  indices: Tensor;
}

/**
 * The k nearest training points of each query row. With `query` null, the
 * training points themselves are queried and each point is left out of its
 * own list (scikit-learn's `kneighbors()` without X).
 */
export function kNeighborsOf(where: string, index: NeighborsIndex, query: Matrix | null, k: number): KNeighborsResult {
  checkPositiveInt(where, 'nNeighbors', k);
  const excludeSelf = query === null;
  const available = index.train.rows - (excludeSelf ? 1 : 0);
  if (k > available) {
    throw new ValueError(
      `${where}: Expected nNeighbors <= nSamplesFit${excludeSelf ? ' - 1 (a point is not its own neighbour)' : ''}, but nNeighbors = ${k}, nSamplesFit = ${index.train.rows}`,
    );
  }
  const Q: Points = query ? { data: query.data, rows: query.rows, cols: query.cols } : index.train;
  const kk = excludeSelf ? k + 1 : k;
  const found = searchK(index, Q, kk);
  // only data whose distances overflow float64 leave a slot unfilled (at +Infinity)
  checkFinite(where, 'the neighbour distances', found.distances);
  return excludeSelf ? dropSelf(found, k) : found;
}

function searchK(index: NeighborsIndex, Q: Points, k: number): KNeighborsResult {
  if (index.method === 'brute' || !index.tree) return bruteKNeighbors(index.train, Q, k, index.p);
  const distances = new Float64Array(Q.rows * k);
  const indices = new Int32Array(Q.rows * k);
  resetTopK(distances, indices);
  for (let q = 0; q < Q.rows; q++) kdTreeKNeighbors(index.tree, index.train, Q, q, k, index.p, distances, indices, q * k);
  for (let t = 0; t < distances.length; t++) distances[t] = fromReduced(distances[t], index.p);
  return { distances, indices };
}

/** Removes each row's own index from k + 1 neighbours (the last one when a duplicate point took its place). */
function dropSelf(found: KNeighborsResult, k: number): KNeighborsResult {
  const rows = found.indices.length / (k + 1);
  const distances = new Float64Array(rows * k);
  const indices = new Int32Array(rows * k);
  for (let q = 0; q < rows; q++) {
    let self = found.indices.subarray(q * (k + 1), (q + 1) * (k + 1)).indexOf(q);
    if (self < 0) self = k;
    for (let t = 0, o = 0; t <= k; t++) {
      if (t === self) continue;
      distances[q * k + o] = found.distances[q * (k + 1) + t];
      indices[q * k + o] = found.indices[q * (k + 1) + t];
      o++;
    }
  }
  return { distances, indices };
}

/** As Tensors [queries, k]. */
export function kNeighborsTensors(found: KNeighborsResult, k: number): KNeighborsOutput {
  const rows = found.indices.length / k;
  return { distances: new Tensor(found.distances, [rows, k]), indices: new Tensor(found.indices, [rows, k]) };
}

/** Neighbours within a radius, one list per query row. */
export interface RadiusNeighborsOutput {
  distances: Float64Array[];
  indices: Int32Array[];
}

/**
 * Every training point within `radius` (inclusive) of each query row,
 * in ascending index order, or nearest first with `sortResults`. With
 * `query` null, the training points are queried and each is left out of
 * its own list. More than `maxPairs` pairs in all is a LimitError.
 */
export function radiusNeighborsOf(
  where: string,
  index: NeighborsIndex,
  query: Matrix | null,
  radius: number,
  sortResults: boolean,
  maxPairs = MAX_RADIUS_PAIRS,
): RadiusNeighborsOutput {
  if (typeof radius !== 'number' || !(radius >= 0) || radius === Number.POSITIVE_INFINITY)
    throw new ValueError(`${where}: radius must be a finite number >= 0, got ${String(radius)}`);
  const Q: Points = query ? { data: query.data, rows: query.rows, cols: query.cols } : index.train;
  const lists = Array.from({ length: Q.rows }, () => ({ d: [] as number[], j: [] as number[] }));
  let total = 0;
  const accept = (q: number, j: number, dist: number): void => {
    if (query === null && q === j) return;
    if (++total > maxPairs) throw new LimitError(`${where}: more than ${maxPairs} neighbour pairs within radius ${radius}; use a smaller radius or fewer query points`);
    lists[q].d.push(dist);
    lists[q].j.push(j);
  };
  if (index.method === 'brute' || !index.tree) bruteRadius(index.train, Q, radius, index.p, accept);
  else {
    const reducedRadius = toReduced(radius, index.p);
    for (let q = 0; q < Q.rows; q++) kdTreeRadius(index.tree, index.train, Q, q, reducedRadius, index.p, (j, r) => accept(q, j, fromReduced(r, index.p)));
  }
  const out: RadiusNeighborsOutput = { distances: [], indices: [] };
  for (const { d, j } of lists) {
    const order = Array.from(d.keys());
    // tree order is arbitrary: ascending index unless sorted by distance (ties by index either way)
    order.sort(sortResults ? (a, b) => d[a] - d[b] || j[a] - j[b] : (a, b) => j[a] - j[b]);
    out.distances.push(Float64Array.from(order, (t) => d[t]));
    out.indices.push(Int32Array.from(order, (t) => j[t]));
  }
  return out;
}

/**
 * The query rows of a `kneighbors` / `radiusNeighbors` call, checked
 * against the fit: null when X is left out (the training points are
 * queried).
 */
export function queryRows(where: string, index: NeighborsIndex | undefined, X: MatrixInput | null | undefined): Matrix | null {
  if (!index) throw new NotFittedError(`${where} is not fitted yet: call fit first`);
  if (X === undefined || X === null) return null;
  const m = toMatrix(X);
  checkNFeatures(m, index.train.cols, where);
  return m;
}

/** The `kneighbors` method every neighbours estimator has: `options.nNeighbors` defaults to the estimator's. */
export function kneighborsMethod(
  where: string,
  index: NeighborsIndex | undefined,
  X: MatrixInput | null | undefined,
  defaultK: number,
  options: { nNeighbors?: number } | undefined,
): KNeighborsOutput {
  const Xm = queryRows(where, index, X);
  const k = readOptions(`${where}.kneighbors`, options, ['nNeighbors']).nNeighbors ?? defaultK;
  return kNeighborsTensors(kNeighborsOf(where, index!, Xm, k), k);
}
