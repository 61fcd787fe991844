/**
 * What KMeans and MiniBatchKMeans share: their parameters' checks, the
 * initial centres, and everything a fitted model does (predict, transform,
 * score), which depends only on `clusterCenters`.
 */
import { ValueError } from '../../errors.js';
import { resolveGenerator, type Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkSampleWeight, toMatrix, type Matrix, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { BaseEstimator, type EstimatorType } from '../base.js';
import { checkFinite } from '../finite.js';
import { checkChoice, checkNumber } from '../linear/common.js';
import { columnMeans, shiftRows } from '../decomposition/columns.js';
import { assignNearest, inertia, squaredDistances, squaredRowNorms } from './assign.js';
import { kmeansPlusPlus, randomCenters } from './init.js';

/** 'k-means++', 'random', or the k×d initial centres themselves. */
export type KMeansInit = 'k-means++' | 'random' | readonly (readonly number[])[] | Matrix | Tensor;

export interface KMeansCommonParams {
  /** Number of clusters k (default 8). */
  nClusters: number;
  init: KMeansInit;
  /** Initialisations run, best inertia kept: 'auto' is 1 for k-means++ or given centres, else 10 (KMeans) / 3 (MiniBatchKMeans). */
  nInit: number | 'auto';
  maxIter: number;
  /** Relative tolerance (times the mean feature variance) on the centres' movement. */
  tol: number;
  randomState: number | Generator | null;
}

/** Data ready for fitting: X centred on its column means (scikit-learn centres too: fewer round-off errors in the distances). */
export interface PreparedData {
  x: Float64Array;
  n: number;
  d: number;
  mean: Float64Array;
  weights: Float64Array | null;
  xNorms: Float64Array;
}

export abstract class BaseKMeans<P extends KMeansCommonParams> extends BaseEstimator<P> {
  /** Cluster centres, [nClusters, nFeatures]. */
  clusterCenters: Tensor | undefined;
  /** Cluster of each training sample. */
  labels: Int32Array | undefined;
  /** Sum of squared distances of the training samples to their centre (weighted). */
  inertia: number | undefined;
  /** Iterations (passes over the data) of the kept run. */
  nIter: number | undefined;

  override get estimatorType(): EstimatorType {
    return 'clusterer';
  }

  protected abstract defaultNInit(): number;

  /** The nearest centre of each sample. */
  predict(X: MatrixInput): Int32Array {
    const m = this.validateInput(X);
    const labels = new Int32Array(m.rows);
    assignNearest(m.data, m.rows, m.cols, this.centersData(), this.centersData().length / m.cols, labels);
    return labels;
  }

  /** Euclidean distance of each sample to every centre, [nSamples, nClusters]. */
  transform(X: MatrixInput): Tensor {
    const m = this.validateInput(X);
    const k = this.clusterCenters!.shape[0];
    const sq = squaredDistances(m.data, m.rows, m.cols, this.centersData(), k);
    for (let i = 0; i < sq.length; i++) sq[i] = Math.sqrt(sq[i]);
    return new Tensor(sq, [m.rows, k]);
  }

  fitPredict(X: MatrixInput, y?: unknown, sampleWeight?: VectorInput): Int32Array {
    return this.fit(X, y, sampleWeight).labels!.slice();
  }

  fitTransform(X: MatrixInput, y?: unknown, sampleWeight?: VectorInput): Tensor {
    return this.fit(X, y, sampleWeight).transform(X);
  }

  /** Minus the (weighted) inertia of X against the centres: higher is better. */
  score(X: MatrixInput, _y?: unknown, sampleWeight?: VectorInput): number {
    const m = this.validateInput(X);
    const w = checkSampleWeight(sampleWeight, m.rows, { nonNegative: true });
    const k = this.clusterCenters!.shape[0];
    const labels = new Int32Array(m.rows);
    assignNearest(m.data, m.rows, m.cols, this.centersData(), k, labels);
    return -inertia(m.data, m.rows, m.cols, this.centersData(), labels, w);
  }

  private centersData(): Float64Array {
    return this.clusterCenters!.data as Float64Array;
  }

  /** Checks the shared parameters; returns k, the number of initialisations and the absolute tolerance's factor. */
  protected checkCommonParams(est: string): { k: number; nInit: number } {
    const p = this.params;
    const k = checkNumber('nClusters', p.nClusters, est, { min: 1, integer: true });
    checkNumber('maxIter', p.maxIter, est, { min: 1, max: 1e7, integer: true });
    checkNumber('tol', p.tol, est, { min: 0 });
    if (typeof p.init === 'string') checkChoice('init', p.init, ['k-means++', 'random'] as const, est);
    let nInit: number;
    if (p.nInit === 'auto') nInit = typeof p.init === 'string' && p.init === 'random' ? this.defaultNInit() : 1;
    else nInit = checkNumber('nInit', p.nInit, est, { min: 1, max: 1e6, integer: true });
    if (typeof p.init !== 'string') nInit = 1; // given centres: one run, as scikit-learn
    return { k, nInit };
  }

  /** Converts and centres X, checks weights and that there are at least k samples. */
  protected prepare(X: MatrixInput, sampleWeight: VectorInput | undefined, k: number, est: string): PreparedData {
    const m = toMatrix(X);
    const { rows: n, cols: d } = m;
    if (n < k) throw new ValueError(`${est}: nClusters=${k} needs at least ${k} samples, got ${n}`);
    const weights = checkSampleWeight(sampleWeight, n, { nonNegative: true });
    const mean = columnMeans(m.data, n, d);
    // The centred copy in one pass (m.data may be the caller's array, left as it is).
    const x = shiftRows(m.data, n, d, mean);
    checkFinite(est, 'the centred data', x);
    return { x, n, d, mean, weights, xNorms: squaredRowNorms(x, n, d) };
  }

  /** scikit-learn's `_tolerance`: tol times the mean of the features' variances. */
  protected absoluteTolerance(data: PreparedData): number {
    const { x, n, d } = data;
    let total = 0;
    for (let i = 0; i < x.length; i++) total += x[i] * x[i]; // x is centred: Σx² / n per feature
    return (this.params.tol * total) / (n * d);
  }

  /** Initial centres (centred coordinates) from the init parameter, on the rows `sample` of the data when given. */
  protected initialCenters(data: PreparedData, k: number, rng: Generator, est: string): Float64Array {
    const { x, n, d, weights, xNorms, mean } = data;
    const init = this.params.init;
    if (init === 'k-means++') return kmeansPlusPlus(x, n, d, k, xNorms, weights, rng);
    if (init === 'random') return randomCenters(x, n, d, k, rng);
    const given = toMatrix(init as MatrixInput, { name: 'init', copy: true });
    if (given.rows !== k || given.cols !== d) {
      throw new ValueError(`${est}: init has shape [${given.rows}, ${given.cols}], expected [${k}, ${d}] (nClusters × nFeatures)`);
    }
    return shiftRows(given.data, k, d, mean, given.data);
  }

  /** Stores the kept run, moving the centres back from centred coordinates. */
  protected store(data: PreparedData, centers: Float64Array, labels: Int32Array, inertiaValue: number, nIter: number, est: string): void {
    const { d, mean } = data;
    const k = centers.length / d;
    shiftRows(centers, k, d, mean, centers, -1);
    checkFinite(est, 'the cluster centres', centers);
    checkFinite(est, 'the inertia', [inertiaValue]);
    this.clusterCenters = new Tensor(centers, [k, d]);
    this.labels = labels;
    this.inertia = inertiaValue;
    this.nIter = nIter;
    this.markFitted(d);
  }

  /** The rows `idx` of prepared data (mean kept: they stay in the same centred coordinates). */
  protected subset(data: PreparedData, idx: Int32Array): PreparedData {
    const { x, d, weights, xNorms } = data;
    const out = new Float64Array(idx.length * d);
    for (let r = 0; r < idx.length; r++) {
      const from = idx[r] * d;
      for (let j = 0; j < d; j++) out[r * d + j] = x[from + j];
    }
    return {
      x: out,
      n: idx.length,
      d,
      mean: data.mean,
      weights: weights ? pick(weights, idx) : null,
      xNorms: pick(xNorms, idx),
    };
  }

  protected generator(): Generator {
    return resolveGenerator(this.params.randomState);
  }
}

function pick(values: Float64Array, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let r = 0; r < idx.length; r++) out[r] = values[idx[r]];
  return out;
}

/** Whether two labelings are the same partition up to renaming the clusters (scikit-learn's `_is_same_clustering`). */
export function sameClustering(a: Int32Array, b: Int32Array, k: number): boolean {
  const mapping = new Int32Array(k).fill(-1);
  for (let i = 0; i < a.length; i++) {
    if (mapping[a[i]] === -1) mapping[a[i]] = b[i];
    else if (mapping[a[i]] !== b[i]) return false;
  }
  return true;
}
