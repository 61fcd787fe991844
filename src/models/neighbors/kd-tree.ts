/**
 * A KD-tree (scikit-learn's layout): a complete binary tree stored in flat
 * arrays, node i with children 2i+1 and 2i+2, each node a contiguous range
 * of `order` (the permuted point indices) and the bounding box of its
 * points. A node splits its range at the middle, along the dimension of
 * largest spread. Searches skip a node whose box is farther than the
 * current k-th neighbour, so low-dimensional queries visit few points.
 *
 * The tree is plain data (typed arrays and numbers), so it is saved with
 * the estimator.
 */
import { addReduced, reducedDistance, reducedGap } from './metric.js';
import type { Points } from './brute.js';
import { beatsWorst, insertTopK } from './top-k.js';

export interface KdTree {
  /** Point indices, permuted so each node's points are contiguous. */
  order: Int32Array;
  /** Range [nodeStart[i], nodeEnd[i]) of `order` held by node i. */
  nodeStart: Int32Array;
  nodeEnd: Int32Array;
  /** Bounding box of node i: lower[i * d + f], upper[i * d + f]. */
  lower: Float64Array;
  upper: Float64Array;
  nNodes: number;
}

/** Number of nodes for n points and a leaf size (scikit-learn's formula: leaves hold between leafSize/2 and leafSize points when n is large). */
function nodeCount(n: number, leafSize: number): number {
  const levels = Math.floor(Math.log2(Math.max(1, (n - 1) / leafSize))) + 1;
  return 2 ** levels - 1;
}

/** Reorders order[start, end) so order[mid] holds the point with the mid-th smallest coordinate `f` (smaller before it, larger after). */
function selectAround(X: Float64Array, d: number, f: number, order: Int32Array, start: number, end: number, mid: number): void {
  let lo = start;
  let hi = end - 1;
  while (hi > lo) {
    const pivot = X[order[(lo + hi) >>> 1] * d + f];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (X[order[i] * d + f] < pivot) i++;
      while (X[order[j] * d + f] > pivot) j--;
      if (i <= j) {
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
        i++;
        j--;
      }
    }
    if (mid <= j) hi = j;
    else if (mid >= i) lo = i;
    else return;
  }
}

export function buildKdTree(P: Points, leafSize: number): KdTree {
  const { data: X, rows: n, cols: d } = P;
  const nNodes = nodeCount(n, leafSize);
  const tree: KdTree = {
    order: Int32Array.from({ length: n }, (_, i) => i),
    nodeStart: new Int32Array(nNodes),
    nodeEnd: new Int32Array(nNodes),
    lower: new Float64Array(nNodes * d),
    upper: new Float64Array(nNodes * d),
    nNodes,
  };
  // nodes in index order: a parent is always built before its children
  tree.nodeStart[0] = 0;
  tree.nodeEnd[0] = n;
  for (let node = 0; node < nNodes; node++) {
    const start = tree.nodeStart[node];
    const end = tree.nodeEnd[node];
    const lo = node * d;
    tree.lower.fill(Number.POSITIVE_INFINITY, lo, lo + d);
    tree.upper.fill(Number.NEGATIVE_INFINITY, lo, lo + d);
    for (let i = start; i < end; i++) {
      const o = tree.order[i] * d;
      for (let f = 0; f < d; f++) {
        const v = X[o + f];
        if (v < tree.lower[lo + f]) tree.lower[lo + f] = v;
        if (v > tree.upper[lo + f]) tree.upper[lo + f] = v;
      }
    }
    const left = 2 * node + 1;
    if (left >= nNodes) continue;
    let splitDim = 0;
    let spread = -1;
    for (let f = 0; f < d; f++) {
      const s = tree.upper[lo + f] - tree.lower[lo + f];
      if (s > spread) {
        spread = s;
        splitDim = f;
      }
    }
    const mid = start + ((end - start) >> 1);
    selectAround(X, d, splitDim, tree.order, start, end, mid);
    tree.nodeStart[left] = start;
    tree.nodeEnd[left] = mid;
    tree.nodeStart[left + 1] = mid;
    tree.nodeEnd[left + 1] = end;
  }
  return tree;
}

/** Reduced distance from query row q to the box of `node` (0 inside it). */
function boxDistance(tree: KdTree, node: number, Q: Float64Array, q: number, d: number, p: number): number {
  let s = 0;
  const o = node * d;
  for (let f = 0; f < d; f++) {
    const x = Q[q * d + f];
    const gap = Math.max(tree.lower[o + f] - x, x - tree.upper[o + f], 0);
    if (gap > 0) s = addReduced(s, reducedGap(gap, p), p);
  }
  return s;
}

/**
 * The k nearest training points of query row q, as reduced distances, into
 * the sorted slot [base, base + k) of `dist` / `idx` (filled beforehand with
 * empty entries).
 */
export function kdTreeKNeighbors(tree: KdTree, train: Points, query: Points, q: number, k: number, p: number, dist: Float64Array, idx: Int32Array, base: number): void {
  const d = train.cols;
  const last = base + k - 1;
  const visit = (node: number, boxDist: number): void => {
    // '>' not '>=': a point at the same distance with a smaller index could still enter
    if (boxDist > dist[last]) return;
    const left = 2 * node + 1;
    if (left >= tree.nNodes) {
      for (let i = tree.nodeStart[node]; i < tree.nodeEnd[node]; i++) {
        const j = tree.order[i];
        const r = reducedDistance(query.data, q, train.data, j, d, p);
        if (beatsWorst(dist, idx, last, r, j)) insertTopK(dist, idx, base, k, r, j);
      }
      return;
    }
    const dl = boxDistance(tree, left, query.data, q, d, p);
    const dr = boxDistance(tree, left + 1, query.data, q, d, p);
    if (dl <= dr) {
      visit(left, dl);
      visit(left + 1, dr);
    } else {
      visit(left + 1, dr);
      visit(left, dl);
    }
  };
  visit(0, boxDistance(tree, 0, query.data, q, d, p));
}

/** Calls `accept(j, reduced)` for every training point within the reduced radius of query row q (in tree order). */
export function kdTreeRadius(tree: KdTree, train: Points, query: Points, q: number, reducedRadius: number, p: number, accept: (j: number, reduced: number) => void): void {
  const d = train.cols;
  const visit = (node: number): void => {
    if (boxDistance(tree, node, query.data, q, d, p) > reducedRadius) return;
    const left = 2 * node + 1;
    if (left >= tree.nNodes) {
      for (let i = tree.nodeStart[node]; i < tree.nodeEnd[node]; i++) {
        const j = tree.order[i];
        const r = reducedDistance(query.data, q, train.data, j, d, p);
        if (r <= reducedRadius) accept(j, r);
      }
      return;
    }
    visit(left);
    visit(left + 1);
  };
  visit(0);
}
