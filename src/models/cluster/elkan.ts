/**
 * k-means with Elkan's triangle-inequality bounds (Elkan 2003, "Using the
 * triangle inequality to accelerate k-means"): the same iterations as
 * Lloyd's algorithm, but a sample whose upper bound on the distance to its
 * centre is below every lower bound on the distances to the others (or
 * below half the distance between its centre and the others) provably keeps
 * its centre and is skipped. Only the samples left are recomputed, in one
 * GEMM block against all centres, and the centre sums are updated by the
 * samples that changed cluster. After the first iterations few samples are
 * left, so each iteration costs a fraction of a full pass.
 *
 * Bounds are kept on distances (not squares) and widened by a relative
 * margin so that round-off never makes them wrong: the labels are those
 * Lloyd's algorithm computes, up to exact ties.
 */
import { gemm } from '../../backend/index.js';
import { inertia, squaredRowNorms } from './assign.js';
import { lloyd, updateCenters, type KMeansRun, type LloydOptions } from './lloyd.js';

/** Relative widening of every bound against round-off in the GEMM distances. */
const BOUND_MARGIN = 1e-10;

/** Most bounds (nSamples × nClusters) kept: 2^26 doubles, 512 MiB; beyond, Lloyd's iterations run instead. */
export const ELKAN_MAX_BOUNDS = 1 << 26;

export function elkan(x: Float64Array, n: number, d: number, init: Float64Array, k: number, opts: LloydOptions, xNorms: Float64Array): KMeansRun {
  if (k === 1 || n * k > ELKAN_MAX_BOUNDS) return lloyd(x, n, d, init, k, opts);
  const { weights } = opts;
  let centers = init.slice();
  let next = new Float64Array(k * d);
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n * k);
  const sums = new Float64Array(k * d);
  const clusterWeight = new Float64Array(k);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const scratch = newScratch(n, d, k);
  recompute(x, d, centers, k, all, n, xNorms, labels, upper, lower, scratch);
  accumulateSums(x, n, d, labels, weights, sums, clusterWeight);
  const shift = new Float64Array(k);
  const centerDist = new Float64Array(k * k);
  const half = new Float64Array(k);
  const pending = new Int32Array(n);
  const before = new Int32Array(n);
  let changed = n;
  let iter = 0;
  let converged = false;
  for (; iter < opts.maxIter; ) {
    // Centres from the sums (an empty cluster: Lloyd's relocation from scratch, then exact bounds again).
    let empty = false;
    for (let c = 0; c < k; c++) if (!(clusterWeight[c] > 0)) empty = true;
    if (empty) {
      updateCenters(x, n, d, centers, k, labels, weights, next, clusterWeight);
    } else {
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) next[c * d + j] = sums[c * d + j] / clusterWeight[c];
    }
    let totalShift = 0;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (next[c * d + j] - centers[c * d + j]) ** 2;
      totalShift += s;
      shift[c] = Math.sqrt(s) * (1 + BOUND_MARGIN);
    }
    [centers, next] = [next, centers];
    iter++;
    if (changed === 0 && iter > 1) {
      converged = true;
      break;
    }
    if (totalShift <= opts.tol) break;
    if (empty) {
      before.set(labels);
      recompute(x, d, centers, k, all, n, xNorms, labels, upper, lower, scratch);
      changed = 0;
      for (let i = 0; i < n; i++) if (labels[i] !== before[i]) changed++;
      sums.fill(0);
      clusterWeight.fill(0);
      accumulateSums(x, n, d, labels, weights, sums, clusterWeight);
      continue;
    }
    // Move the bounds with the centres, then find the samples they no longer settle.
    centerDistances(centers, k, d, centerDist, half);
    let nPending = 0;
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      let u = (upper[i] += shift[a]);
      const row = i * k;
      for (let c = 0; c < k; c++) {
        const l = lower[row + c] - shift[c];
        lower[row + c] = l > 0 ? l : 0;
      }
      if (!(u > half[a]) || !isOpen(lower, row, k, a, u, centerDist)) continue;
      // Tighten the upper bound with the exact distance to the own centre, then test again.
      u = upper[i] = distance(x, i, centers, a, d) * (1 + BOUND_MARGIN);
      if (u > half[a] && isOpen(lower, row, k, a, u, centerDist)) pending[nPending++] = i;
    }
    // Most samples open: one pass over all of them beats gathering their rows.
    const idx = nPending > n >>> 1 ? all : pending;
    const count = idx === all ? n : nPending;
    for (let p = 0; p < count; p++) before[p] = labels[idx[p]];
    recompute(x, d, centers, k, idx, count, xNorms, labels, upper, lower, scratch);
    changed = 0;
    for (let p = 0; p < count; p++) {
      const i = idx[p];
      const from = before[p];
      const to = labels[i];
      if (from === to) continue;
      changed++;
      const w = weights ? weights[i] : 1;
      for (let j = 0; j < d; j++) {
        sums[from * d + j] -= w * x[i * d + j];
        sums[to * d + j] += w * x[i * d + j];
      }
      clusterWeight[from] -= w;
      clusterWeight[to] += w;
    }
    // Keep the sums exact: rebuild them when many samples moved (removing and adding again loses low bits).
    if (changed > n >>> 3) {
      sums.fill(0);
      clusterWeight.fill(0);
      accumulateSums(x, n, d, labels, weights, sums, clusterWeight);
    }
  }
  if (!converged) recompute(x, d, centers, k, all, n, xNorms, labels, upper, lower, scratch);
  return { centers, labels, inertia: inertia(x, n, d, centers, labels, weights), nIter: iter };
}

/** Exact distances of the samples `idx` (all n of them in order, or a subset) to every centre, through the GEMM in blocks: new labels, tight bounds. */
function recompute(
  x: Float64Array,
  d: number,
  centers: Float64Array,
  k: number,
  idx: Int32Array,
  count: number,
  xNorms: Float64Array,
  labels: Int32Array,
  upper: Float64Array,
  lower: Float64Array,
  scratch: Scratch,
): void {
  if (count === 0) return;
  const cNorms = squaredRowNorms(centers, k, d);
  // Every sample in order (idx = 0..n-1): the GEMM reads x in place (resident in the backend when the caller keeps it so); otherwise the rows are gathered.
  const inPlace = count === x.length / d;
  const block = Math.min(count, inPlace ? scratch.dots.length / k : scratch.rows.length / d);
  const rows = inPlace ? x : scratch.rows;
  const dots = scratch.dots;
  for (let start = 0; start < count; start += block) {
    const m = Math.min(block, count - start);
    if (!inPlace) {
      for (let r = 0; r < m; r++) {
        const from = idx[start + r] * d;
        const to = r * d;
        for (let j = 0; j < d; j++) rows[to + j] = x[from + j];
      }
    }
    gemm({ m, n: k, k: d, a: rows, aOffset: inPlace ? start * d : 0, b: centers, transB: true, c: dots });
    for (let r = 0; r < m; r++) {
      const i = idx[start + r];
      let best = 0;
      let bestValue = Infinity;
      for (let c = 0; c < k; c++) {
        const v = cNorms[c] - 2 * dots[r * k + c];
        const sq = xNorms[i] + v;
        const margin = BOUND_MARGIN * (xNorms[i] + cNorms[c]);
        lower[i * k + c] = Math.sqrt(Math.max(sq - margin, 0));
        if (v < bestValue) {
          bestValue = v;
          best = c;
        }
      }
      labels[i] = best;
      upper[i] = Math.sqrt(Math.max(xNorms[i] + bestValue, 0) + BOUND_MARGIN * (xNorms[i] + cNorms[best]));
    }
  }
}

/** Rows gathered per GEMM when recomputing a subset: a few MiB, reused by every iteration. */
const GATHER_ROWS = 2048;

/** recompute's buffers, made once per run: the gathered rows and the block of dot products. */
interface Scratch {
  rows: Float64Array;
  dots: Float64Array;
}

function newScratch(n: number, d: number, k: number): Scratch {
  const inPlaceBlock = Math.min(n, Math.max(64, Math.floor((1 << 18) / k)));
  return { rows: new Float64Array(Math.min(n, GATHER_ROWS) * d), dots: new Float64Array(Math.max(inPlaceBlock, Math.min(n, GATHER_ROWS)) * k) };
}

/** Whether some other centre may be closer than `u` by the bounds: lower bound and half the centre distance both below u. */
function isOpen(lower: Float64Array, row: number, k: number, a: number, u: number, centerDist: Float64Array): boolean {
  for (let c = 0; c < k; c++) if (c !== a && u > lower[row + c] && u > 0.5 * centerDist[a * k + c]) return true;
  return false;
}

/**
 * Euclidean distance between sample i and centre c, from the differences.
 * It only tightens a bound (widened by BOUND_MARGIN), so it may sum in any
 * order: four partial sums break the chain of dependent additions.
 */
function distance(x: Float64Array, i: number, centers: Float64Array, c: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const xi = i * d;
  const cc = c * d;
  let j = 0;
  for (; j + 4 <= d; j += 4) {
    const d0 = x[xi + j] - centers[cc + j];
    const d1 = x[xi + j + 1] - centers[cc + j + 1];
    const d2 = x[xi + j + 2] - centers[cc + j + 2];
    const d3 = x[xi + j + 3] - centers[cc + j + 3];
    s0 += d0 * d0;
    s1 += d1 * d1;
    s2 += d2 * d2;
    s3 += d3 * d3;
  }
  for (; j < d; j++) {
    const diff = x[xi + j] - centers[cc + j];
    s0 += diff * diff;
  }
  return Math.sqrt(s0 + s1 + s2 + s3);
}

function accumulateSums(x: Float64Array, n: number, d: number, labels: Int32Array, weights: Float64Array | null, sums: Float64Array, clusterWeight: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    const c = labels[i];
    clusterWeight[c] += w;
    for (let j = 0; j < d; j++) sums[c * d + j] += w * x[i * d + j];
  }
}

/** Distances between centres, and half the distance from each centre to its nearest other. */
function centerDistances(centers: Float64Array, k: number, d: number, out: Float64Array, half: Float64Array): void {
  half.fill(Infinity);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (centers[a * d + j] - centers[b * d + j]) ** 2;
      const dist = Math.sqrt(s) * (1 - BOUND_MARGIN);
      out[a * k + b] = dist;
      out[b * k + a] = dist;
      half[a] = Math.min(half[a], 0.5 * dist);
      half[b] = Math.min(half[b], 0.5 * dist);
    }
  }
}
