/**
 * One run of Lloyd's k-means from given centres, step for step as
 * scikit-learn's `_kmeans_single_lloyd`: assign, average (an empty cluster
 * takes the sample farthest from its centre), stop when the labels no
 * longer change or the centres moved less than `tol` in total squared
 * distance, and finally re-assign so labels match the returned centres.
 */
import { assignNearest, inertia } from './assign.js';

export interface KMeansRun {
  centers: Float64Array;
  labels: Int32Array;
  inertia: number;
  nIter: number;
}

export interface LloydOptions {
  maxIter: number;
  /** Absolute tolerance on the total squared centre shift. */
  tol: number;
  weights: Float64Array | null;
}

export function lloyd(x: Float64Array, n: number, d: number, init: Float64Array, k: number, opts: LloydOptions): KMeansRun {
  let centers = init.slice();
  let next = new Float64Array(k * d);
  const labels = new Int32Array(n);
  const previous = new Int32Array(n).fill(-1);
  const clusterWeight = new Float64Array(k);
  let converged = false;
  let iter = 0;
  for (; iter < opts.maxIter; ) {
    assignNearest(x, n, d, centers, k, labels);
    updateCenters(x, n, d, centers, k, labels, opts.weights, next, clusterWeight);
    const shift = squaredShift(centers, next);
    [centers, next] = [next, centers];
    iter++;
    if (sameLabels(labels, previous)) {
      converged = true;
      break;
    }
    if (shift <= opts.tol) break;
    previous.set(labels);
  }
  if (!converged) assignNearest(x, n, d, centers, k, labels);
  return { centers, labels, inertia: inertia(x, n, d, centers, labels, opts.weights), nIter: iter };
}

/** Weighted means of the clusters into `out`; empty clusters are relocated first (scikit-learn's `_relocate_empty_clusters_dense`). */
export function updateCenters(
  x: Float64Array,
  n: number,
  d: number,
  old: Float64Array,
  k: number,
  labels: Int32Array,
  weights: Float64Array | null,
  out: Float64Array,
  clusterWeight: Float64Array,
): void {
  out.fill(0);
  clusterWeight.fill(0);
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    const c = labels[i] * d;
    clusterWeight[labels[i]] += w;
    for (let j = 0; j < d; j++) out[c + j] += w * x[i * d + j];
  }
  const empty: number[] = [];
  for (let c = 0; c < k; c++) if (clusterWeight[c] === 0) empty.push(c);
  if (empty.length > 0) relocateEmpty(x, n, d, old, labels, weights, out, clusterWeight, empty);
  for (let c = 0; c < k; c++) {
    if (clusterWeight[c] > 0) for (let j = 0; j < d; j++) out[c * d + j] /= clusterWeight[c];
  }
}

function relocateEmpty(
  x: Float64Array,
  n: number,
  d: number,
  old: Float64Array,
  labels: Int32Array,
  weights: Float64Array | null,
  sums: Float64Array,
  clusterWeight: Float64Array,
  empty: readonly number[],
): void {
  const far = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const diff = x[i * d + j] - old[labels[i] * d + j];
      s += diff * diff;
    }
    far[i] = s;
  }
  // The samples farthest from their centre, farthest first (stable on ties).
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => far[b] - far[a] || a - b);
  for (let e = 0; e < empty.length && e < n; e++) {
    const i = order[e];
    const from = labels[i];
    const to = empty[e];
    const w = weights ? weights[i] : 1;
    for (let j = 0; j < d; j++) {
      sums[to * d + j] = w * x[i * d + j];
      sums[from * d + j] -= w * x[i * d + j];
    }
    clusterWeight[to] = w;
    clusterWeight[from] -= w;
  }
}

function squaredShift(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
  return s;
}

function sameLabels(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
