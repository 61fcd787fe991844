/**
 * CART tree growth, as scikit-learn's `_tree.pyx` does it: depth first
 * (node ids as scikit-learn's: left subtree before right), or best first
 * when `maxLeafNodes` is set; a node is a leaf when it is too deep, too
 * small, too light, pure, or has no split that decreases the impurity by
 * `minImpurityDecrease`. The split search is splitter.ts.
 */
import { NodeSplitter } from './splitter.js';
import type { TrainingSet, TreeRandom, TreeSettings } from './training-set.js';
import { allocateTree, TREE_LEAF, TREE_UNDEFINED, trimTree, type TreeData } from './tree-data.js';

const EPSILON = Number.EPSILON;

/**
 * Builds one tree on the samples with a positive weight (`weights[i]` is
 * sample i's weight, bootstrap counts and class weights included).
 */
export function buildTree(data: TrainingSet, weights: Float64Array, settings: TreeSettings, random: TreeRandom): TreeData {
  return new TreeBuilder(data, weights, settings, random).build();
}

class TreeBuilder {
  private readonly splitter: NodeSplitter;
  private readonly tree: TreeData;

  constructor(
    data: TrainingSet,
    weights: Float64Array,
    private readonly settings: TreeSettings,
    random: TreeRandom,
  ) {
    this.splitter = new NodeSplitter(data, weights, settings, random);
    this.tree = allocateTree(Math.max(1, 2 * this.splitter.samples.length - 1), this.splitter.k);
  }

  build(): TreeData {
    if (this.splitter.samples.length === 0) return this.emptyLeaf();
    if (this.settings.maxLeafNodes > 0) this.buildBestFirst();
    else this.buildDepthFirst();
    return trimTree(this.tree, this.tree.nodeCount);
  }

  /** A tree of one leaf with zero weight (all weights zero). */
  private emptyLeaf(): TreeData {
    this.addNode(-1, false, 0, 0, 0);
    return trimTree(this.tree, 1);
  }

  private isLeafBySize(count: number, depth: number): boolean {
    const s = this.settings;
    return depth >= s.maxDepth || count < s.minSamplesSplit || count < 2 * s.minSamplesLeaf || this.splitter.weightedNodeSamples < 2 * s.minWeightLeaf;
  }

  private buildDepthFirst(): void {
    // Stack of [start, end, depth, parent, isLeft, nConstantFeatures] plus impurity.
    const ints: number[] = [0, this.splitter.samples.length, 0, -1, 0, 0];
    const impurities: number[] = [Number.NaN];
    const s = this.settings;
    let maxDepthSeen = 0;
    while (impurities.length > 0) {
      let impurity = impurities.pop()!;
      const nConstant = ints.pop()!;
      const isLeft = ints.pop()! === 1;
      const parent = ints.pop()!;
      const depth = ints.pop()!;
      const end = ints.pop()!;
      const start = ints.pop()!;
      this.splitter.nodeReset(start, end);
      if (Number.isNaN(impurity)) impurity = this.splitter.nodeImpurity();
      let isLeaf = this.isLeafBySize(end - start, depth) || impurity <= EPSILON;
      if (!isLeaf) {
        this.splitter.nodeSplit(start, end, impurity, nConstant);
        isLeaf = this.splitter.split.pos >= end || this.splitter.split.improvement + EPSILON < s.minImpurityDecrease;
      }
      const split = this.splitter.split;
      const node = this.addNode(parent, isLeft, impurity, end - start, this.splitter.weightedNodeSamples);
      if (!isLeaf) {
        this.tree.feature[node] = split.feature;
        this.tree.threshold[node] = split.threshold;
        const nConstantChildren = this.splitter.nConstantOut;
        ints.push(split.pos, end, depth + 1, node, 0, nConstantChildren);
        impurities.push(split.impurityRight);
        ints.push(start, split.pos, depth + 1, node, 1, nConstantChildren);
        impurities.push(split.impurityLeft);
      }
      if (depth > maxDepthSeen) maxDepthSeen = depth;
    }
    this.tree.maxDepth = maxDepthSeen;
  }

  /**
   * Best-first growth: the open node with the largest impurity decrease is
   * split next, until `maxLeafNodes` leaves. A node's split is found when
   * the node is added.
   */
  private buildBestFirst(): void {
    const frontier: FrontierRecord[] = [];
    let maxSplitNodes = this.settings.maxLeafNodes - 1;
    let maxDepthSeen = 0;
    const root = this.addSplitNode(0, this.splitter.samples.length, Number.NaN, 0, -1, false, 0);
    frontier.push(root);
    while (frontier.length > 0) {
      // Largest improvement first; among equals the earliest added.
      let best = 0;
      for (let i = 1; i < frontier.length; i++) {
        if (frontier[i].improvement > frontier[best].improvement) best = i;
      }
      const record = frontier.splice(best, 1)[0];
      const node = record.node;
      const tree = this.tree;
      if (record.isLeaf || maxSplitNodes <= 0) {
        tree.childrenLeft[node] = TREE_LEAF;
        tree.childrenRight[node] = TREE_LEAF;
        tree.feature[node] = TREE_UNDEFINED;
        tree.threshold[node] = TREE_UNDEFINED;
      } else {
        maxSplitNodes--;
        frontier.push(this.addSplitNode(record.start, record.pos, record.impurityLeft, record.depth + 1, node, true, record.nConstant));
        frontier.push(this.addSplitNode(record.pos, record.end, record.impurityRight, record.depth + 1, node, false, record.nConstant));
      }
      if (record.depth > maxDepthSeen) maxDepthSeen = record.depth;
    }
    this.tree.maxDepth = maxDepthSeen;
  }

  private addSplitNode(start: number, end: number, impurity: number, depth: number, parent: number, isLeft: boolean, nConstant: number): FrontierRecord {
    this.splitter.nodeReset(start, end);
    if (Number.isNaN(impurity)) impurity = this.splitter.nodeImpurity();
    let isLeaf = this.isLeafBySize(end - start, depth) || impurity <= EPSILON;
    let nConstantChildren = nConstant;
    if (!isLeaf) {
      this.splitter.nodeSplit(start, end, impurity, nConstant);
      isLeaf = this.splitter.split.pos >= end || this.splitter.split.improvement + EPSILON < this.settings.minImpurityDecrease;
      nConstantChildren = this.splitter.nConstantOut;
    }
    const split = this.splitter.split;
    const node = this.addNode(parent, isLeft, impurity, end - start, this.splitter.weightedNodeSamples);
    if (isLeaf) {
      return { node, start, end, pos: end, depth, isLeaf, impurityLeft: 0, impurityRight: 0, improvement: 0, nConstant: nConstantChildren };
    }
    this.tree.feature[node] = split.feature;
    this.tree.threshold[node] = split.threshold;
    return {
      node,
      start,
      end,
      pos: split.pos,
      depth,
      isLeaf,
      impurityLeft: split.impurityLeft,
      impurityRight: split.impurityRight,
      improvement: split.improvement,
      nConstant: nConstantChildren,
    };
  }

  /** Appends a node (its value from the current node sums); links it to its parent. */
  private addNode(parent: number, isLeft: boolean, impurity: number, count: number, weighted: number): number {
    const tree = this.tree;
    const id = tree.nodeCount++;
    if (parent >= 0) {
      if (isLeft) tree.childrenLeft[parent] = id;
      else tree.childrenRight[parent] = id;
    }
    tree.childrenLeft[id] = TREE_LEAF;
    tree.childrenRight[id] = TREE_LEAF;
    tree.feature[id] = TREE_UNDEFINED;
    tree.threshold[id] = TREE_UNDEFINED;
    tree.impurity[id] = impurity;
    tree.nNodeSamples[id] = count;
    tree.weightedNNodeSamples[id] = weighted;
    const k = this.splitter.k;
    if (this.splitter.isClassifier) {
      for (let c = 0; c < k; c++) tree.value[id * k + c] = this.splitter.sumTotal[c];
    } else {
      tree.value[id] = weighted > 0 ? this.splitter.sumTotal[0] / weighted : 0;
    }
    return id;
  }
}

interface FrontierRecord {
  node: number;
  start: number;
  end: number;
  pos: number;
  depth: number;
  isLeaf: boolean;
  impurityLeft: number;
  impurityRight: number;
  improvement: number;
  nConstant: number;
}
