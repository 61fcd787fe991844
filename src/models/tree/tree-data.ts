/**
 * A fitted tree as plain arrays (scikit-learn's `Tree`): node `i` has
 * children `childrenLeft[i]` / `childrenRight[i]` (-1 for a leaf), the split
 * `X[:, feature[i]] <= threshold[i]` (feature -2 on a leaf), its impurity,
 * sample counts and `value` (weighted class counts for classifiers, the
 * weighted mean for regressors; `nValues` numbers per node).
 *
 * Node ids are scikit-learn's: depth first, left before right, so `apply`
 * gives the same leaf ids.
 */
import { ShapeError, ValueError } from '../../errors.js';

export const TREE_LEAF = -1;
export const TREE_UNDEFINED = -2;

export interface TreeData {
  nodeCount: number;
  /** Numbers per node in `value`: the number of classes, or 1 for regression. */
  nValues: number;
  /** Depth of the deepest leaf (the root alone has depth 0). */
  maxDepth: number;
  childrenLeft: Int32Array;
  childrenRight: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  impurity: Float64Array;
  nNodeSamples: Int32Array;
  weightedNNodeSamples: Float64Array;
  value: Float64Array;
}

/** Rows of X, as the tree reads them: float32 values, row-major. */
export interface RowsF32 {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** The leaf each row of X falls in. */
export function applyTree(tree: TreeData, X: RowsF32): Int32Array {
  const { childrenLeft, childrenRight, feature, threshold } = tree;
  const { data, rows, cols } = X;
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    let node = 0;
    // A tree of nodeCount nodes is at most nodeCount deep: the loop is bounded.
    for (let step = 0; childrenLeft[node] !== TREE_LEAF && step < tree.nodeCount; step++) {
      node = data[row + feature[node]] <= threshold[node] ? childrenLeft[node] : childrenRight[node];
    }
    out[i] = node;
  }
  return out;
}

/** Adds `scale` × the class fractions of each row's leaf to `out` (rows × k). */
export function accumulateLeafProbabilities(tree: TreeData, leaves: Int32Array, out: Float64Array, scale: number): void {
  const k = tree.nValues;
  const value = tree.value;
  for (let i = 0; i < leaves.length; i++) {
    const v = leaves[i] * k;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += value[v + c];
    const norm = sum === 0 ? scale : scale / sum;
    for (let c = 0; c < k; c++) out[i * k + c] += value[v + c] * norm;
  }
}

/** Number of leaves. */
export function countLeaves(tree: TreeData): number {
  let leaves = 0;
  for (let i = 0; i < tree.nodeCount; i++) if (tree.childrenLeft[i] === TREE_LEAF) leaves++;
  return leaves;
}

/**
 * Impurity decrease of every feature, weighted by the samples reaching each
 * split, normalised to sum to 1 (all zero for a single-leaf tree).
 */
export function featureImportances(tree: TreeData, nFeatures: number): Float64Array {
  const out = new Float64Array(nFeatures);
  const { childrenLeft: left, childrenRight: right, impurity, weightedNNodeSamples: w } = tree;
  for (let i = 0; i < tree.nodeCount; i++) {
    if (left[i] === TREE_LEAF) continue;
    const l = left[i];
    const r = right[i];
    out[tree.feature[i]] += w[i] * impurity[i] - w[l] * impurity[l] - w[r] * impurity[r];
  }
  let total = 0;
  for (let f = 0; f < nFeatures; f++) {
    out[f] /= w[0];
    total += out[f];
  }
  if (total > 0) for (let f = 0; f < nFeatures; f++) out[f] /= total;
  return out;
}

/** Copies the first `count` nodes of a larger (over-allocated) tree. */
export function trimTree(tree: TreeData, count: number): TreeData {
  const k = tree.nValues;
  return {
    nodeCount: count,
    nValues: k,
    maxDepth: tree.maxDepth,
    childrenLeft: tree.childrenLeft.slice(0, count),
    childrenRight: tree.childrenRight.slice(0, count),
    feature: tree.feature.slice(0, count),
    threshold: tree.threshold.slice(0, count),
    impurity: tree.impurity.slice(0, count),
    nNodeSamples: tree.nNodeSamples.slice(0, count),
    weightedNNodeSamples: tree.weightedNNodeSamples.slice(0, count),
    value: tree.value.slice(0, count * k),
  };
}

/** An empty tree with room for `capacity` nodes. */
export function allocateTree(capacity: number, nValues: number): TreeData {
  return {
    nodeCount: 0,
    nValues,
    maxDepth: 0,
    childrenLeft: new Int32Array(capacity),
    childrenRight: new Int32Array(capacity),
    feature: new Int32Array(capacity),
    threshold: new Float64Array(capacity),
    impurity: new Float64Array(capacity),
    nNodeSamples: new Int32Array(capacity),
    weightedNNodeSamples: new Float64Array(capacity),
    value: new Float64Array(capacity * nValues),
  };
}

/** Converts rows of float64 to the float32 the trees compare (scikit-learn converts X to float32). */
export function toRowsF32(data: ArrayLike<number>, rows: number, cols: number, who: string): RowsF32 {
  if (data.length !== rows * cols) throw new ShapeError(`${who}: X has ${data.length} values, expected ${rows} x ${cols}`);
  const f32 = Float32Array.from(data);
  for (let i = 0; i < f32.length; i++) {
    if (!Number.isFinite(f32[i])) throw new ValueError(`${who}: X[${Math.floor(i / cols)}, ${i % cols}] = ${data[i]} is too large for float32, which trees compare in`);
  }
  return { data: f32, rows, cols };
}
