/**
 * Minimal cost-complexity pruning (Breiman et al., as scikit-learn's
 * `_cost_complexity_prune`): repeatedly collapse the internal node whose
 * subtree buys the least impurity per extra leaf (its effective alpha),
 * while that alpha is at most `ccpAlpha`. The same walk, never stopping,
 * gives the pruning path.
 */
import { allocateTree, TREE_LEAF, trimTree, type TreeData } from './tree-data.js';

interface PruneResult {
  /** Nodes kept, and which of them become leaves. */
  inSubtree: Uint8Array;
  leaves: Uint8Array;
  alphas: number[];
  impurities: number[];
}

function prune(tree: TreeData, stopAbove: number): PruneResult {
  const count = tree.nodeCount;
  const { childrenLeft: left, childrenRight: right } = tree;
  const parent = new Int32Array(count).fill(-1);
  const leaves = new Uint8Array(count);
  const inSubtree = new Uint8Array(count).fill(1);
  const candidate = new Uint8Array(count);
  const rNode = new Float64Array(count);
  const rBranch = new Float64Array(count);
  const nLeaves = new Int32Array(count);
  const total = tree.weightedNNodeSamples[0];
  for (let i = 0; i < count; i++) {
    rNode[i] = (tree.weightedNNodeSamples[i] * tree.impurity[i]) / total;
    if (left[i] === TREE_LEAF) leaves[i] = 1;
    else {
      candidate[i] = 1;
      parent[left[i]] = i;
      parent[right[i]] = i;
    }
  }
  for (let leaf = 0; leaf < count; leaf++) {
    if (!leaves[leaf]) continue;
    rBranch[leaf] = rNode[leaf];
    for (let node = leaf; node !== 0; ) {
      node = parent[node];
      rBranch[node] += rNode[leaf];
      nLeaves[node]++;
    }
  }
  const alphas = [0];
  const impurities = [rBranch[0]];
  const stack: number[] = [];
  while (candidate[0]) {
    let alpha = Number.MAX_VALUE;
    let pruned = 0;
    for (let i = 0; i < count; i++) {
      if (!candidate[i]) continue;
      const subtreeAlpha = (rNode[i] - rBranch[i]) / (nLeaves[i] - 1);
      if (subtreeAlpha < alpha) {
        alpha = subtreeAlpha;
        pruned = i;
      }
    }
    if (alpha > stopAbove) break;
    stack.push(pruned);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (!inSubtree[node]) continue;
      candidate[node] = 0;
      leaves[node] = 0;
      inSubtree[node] = 0;
      if (left[node] !== TREE_LEAF) stack.push(left[node], right[node]);
    }
    leaves[pruned] = 1;
    inSubtree[pruned] = 1;
    const prunedLeaves = nLeaves[pruned] - 1;
    nLeaves[pruned] = 0;
    const rDiff = rNode[pruned] - rBranch[pruned];
    rBranch[pruned] = rNode[pruned];
    for (let node = parent[pruned]; node !== -1; node = parent[node]) {
      nLeaves[node] -= prunedLeaves;
      rBranch[node] += rDiff;
    }
    alphas.push(alpha);
    impurities.push(rBranch[0]);
  }
  return { inSubtree, leaves, alphas, impurities };
}

/** The tree pruned with complexity parameter `ccpAlpha` (node ids renumbered depth first, left first). */
export function pruneTree(tree: TreeData, ccpAlpha: number): TreeData {
  const { inSubtree, leaves } = prune(tree, ccpAlpha);
  let kept = 0;
  for (let i = 0; i < tree.nodeCount; i++) kept += inSubtree[i];
  const k = tree.nValues;
  const out = allocateTree(kept, k);
  // [original node, depth, new parent, is left]
  const stack: number[] = [0, 0, -1, 0];
  let maxDepth = 0;
  while (stack.length > 0) {
    const isLeft = stack.pop()!;
    const parent = stack.pop()!;
    const depth = stack.pop()!;
    const node = stack.pop()!;
    const id = out.nodeCount++;
    if (parent >= 0) {
      if (isLeft) out.childrenLeft[parent] = id;
      else out.childrenRight[parent] = id;
    }
    const leaf = leaves[node] === 1;
    out.childrenLeft[id] = TREE_LEAF;
    out.childrenRight[id] = TREE_LEAF;
    out.feature[id] = leaf ? -2 : tree.feature[node];
    out.threshold[id] = leaf ? -2 : tree.threshold[node];
    out.impurity[id] = tree.impurity[node];
    out.nNodeSamples[id] = tree.nNodeSamples[node];
    out.weightedNNodeSamples[id] = tree.weightedNNodeSamples[node];
    out.value.set(tree.value.subarray(node * k, node * k + k), id * k);
    if (depth > maxDepth) maxDepth = depth;
    if (!leaf) stack.push(tree.childrenRight[node], depth + 1, id, 0, tree.childrenLeft[node], depth + 1, id, 1);
  }
  out.maxDepth = maxDepth;
  return trimTree(out, out.nodeCount);
}

/** The effective alphas of the pruning sequence and the total leaf impurity after each step. */
export function pruningPath(tree: TreeData): { ccpAlphas: Float64Array; impurities: Float64Array } {
  const { alphas, impurities } = prune(tree, Infinity);
  return { ccpAlphas: Float64Array.from(alphas), impurities: Float64Array.from(impurities) };
}
