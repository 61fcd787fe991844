/**
 * Grows one tree of histogram gradient boosting (scikit-learn's
 * `TreeGrower`): best-first (the splittable node of largest gain is split
 * next, kept in a heap that orders ties as Python's heapq does), limited by
 * maxLeafNodes, maxDepth and minSamplesLeaf. The histograms of a node's
 * smaller child are built from its rows (the `buildHistograms` backend
 * routine); the larger child's are the parent's minus the smaller's, computed
 * in the parent's buffer.
 */
import { buildHistograms } from '../../backend/routines/histogram.js';
import type { TreePredictor } from './predictor.js';
import { BITSET_WORDS, findNodeSplit, inBitset, type FeatureLayout, type SplitConstraints, type SplitInfo } from './splitting.js';

export interface GrowerOptions extends SplitConstraints {
  maxLeafNodes: number | null;
  maxDepth: number | null;
  /** Learning rate, applied to the leaf values once the tree is grown. */
  shrinkage: number;
}

/** The training data shared by every tree of a fit. */
export interface TrainingData {
  /** Compact bin codes, column-major. */
  binned: Uint8Array;
  nRows: number;
  layout: FeatureLayout;
  /** Per feature: bin thresholds (numerical) or categories (categorical). */
  thresholds: Float64Array[];
  /** The features that can split (more than one bin, or missing values): the others' histograms are never read. */
  splittable: Int32Array;
}

export interface GrowerNode {
  depth: number;
  /** The node's rows are partition[start..stop). */
  start: number;
  stop: number;
  sumGradients: number;
  sumHessians: number;
  value: number;
  /** Bounds of the children's values under monotonic constraints (±Infinity without). */
  childrenLower: number;
  childrenUpper: number;
  histograms: Float64Array | null;
  split: SplitInfo | null;
  isLeaf: boolean;
  left: GrowerNode | null;
  right: GrowerNode | null;
}

/** Python's heapq on nodes, "smaller" meaning larger gain: the same order of pops, ties included. */
class NodeHeap {
  readonly items: GrowerNode[] = [];
  private static less(a: GrowerNode, b: GrowerNode): boolean {
    return a.split!.gain > b.split!.gain;
  }
  private siftDown(startPos: number, pos: number): void {
    const heap = this.items;
    const item = heap[pos];
    while (pos > startPos) {
      const parentPos = (pos - 1) >> 1;
      if (!NodeHeap.less(item, heap[parentPos])) break;
      heap[pos] = heap[parentPos];
      pos = parentPos;
    }
    heap[pos] = item;
  }
  push(node: GrowerNode): void {
    this.items.push(node);
    this.siftDown(0, this.items.length - 1);
  }
  pop(): GrowerNode {
    const heap = this.items;
    const last = heap.pop()!;
    if (heap.length === 0) return last;
    const top = heap[0];
    heap[0] = last;
    // heapq's _siftup: move the smaller child up until a leaf, then sift the item down into place.
    const end = heap.length;
    let pos = 0;
    let child = 1;
    while (child < end) {
      const right = child + 1;
      if (right < end && !NodeHeap.less(heap[child], heap[right])) child = right;
      heap[pos] = heap[child];
      pos = child;
      child = 2 * pos + 1;
    }
    heap[pos] = last;
    this.siftDown(0, pos);
    return top;
  }
  get size(): number {
    return this.items.length;
  }
}

/** Buffers reused by every tree of a fit: the row partition and a pool of histograms. */
export class GrowerWorkspace {
  readonly partition: Int32Array;
  readonly scratch: Int32Array;
  private readonly free: Float64Array[] = [];
  private readonly histogramSize: number;

  constructor(data: TrainingData) {
    this.partition = new Int32Array(data.nRows);
    this.scratch = new Int32Array(data.nRows);
    this.histogramSize = 3 * data.layout.slotStart[data.layout.slotStart.length - 1];
  }

  takeHistograms(): Float64Array {
    return this.free.pop() ?? new Float64Array(this.histogramSize);
  }

  releaseHistograms(histograms: Float64Array): void {
    this.free.push(histograms);
  }
}

export class TreeGrower {
  /** The rows of each node are a contiguous range of this permutation (the workspace's, valid until the next tree). */
  readonly partition: Int32Array;
  readonly leaves: GrowerNode[] = [];
  readonly root: GrowerNode;
  private readonly heap = new NodeHeap();
  private readonly scratch: Int32Array;

  constructor(
    private readonly data: TrainingData,
    private readonly gradients: Float32Array,
    /** null: a constant hessian of 1 (the histograms count rows). */
    private readonly hessians: Float32Array | null,
    private readonly options: GrowerOptions,
    private readonly workspace: GrowerWorkspace = new GrowerWorkspace(data),
  ) {
    const n = data.nRows;
    this.partition = workspace.partition;
    for (let i = 0; i < n; i++) this.partition[i] = i;
    this.scratch = workspace.scratch;
    let sumGradients = 0;
    for (let i = 0; i < n; i++) sumGradients += gradients[i];
    let sumHessians = n;
    if (hessians) {
      sumHessians = 0;
      for (let i = 0; i < n; i++) sumHessians += hessians[i];
    }
    this.root = this.newNode(0, 0, n, sumGradients, sumHessians, 0);
    if (n < 2 * options.minSamplesLeaf || sumHessians < options.minHessianToSplit) {
      this.finalizeLeaf(this.root);
      return;
    }
    this.root.histograms = this.buildHistograms(this.root);
    this.computeBestSplitAndPush(this.root);
  }

  /** Splits nodes until none is splittable, then applies the shrinkage to the leaves. */
  grow(): this {
    while (this.heap.size > 0) this.splitNext();
    for (const leaf of this.leaves) leaf.value *= this.options.shrinkage;
    return this;
  }

  private newNode(depth: number, start: number, stop: number, sumGradients: number, sumHessians: number, value: number): GrowerNode {
    return {
      depth,
      start,
      stop,
      sumGradients,
      sumHessians,
      value,
      childrenLower: -Infinity,
      childrenUpper: Infinity,
      histograms: null,
      split: null,
      isLeaf: false,
      left: null,
      right: null,
    };
  }

  private finalizeLeaf(node: GrowerNode): void {
    node.isLeaf = true;
    this.leaves.push(node);
  }

  private buildHistograms(node: GrowerNode): Float64Array {
    const out = this.workspace.takeHistograms();
    const { binned, nRows, layout } = this.data;
    buildHistograms.run({
      binned,
      nRows,
      slotStart: layout.slotStart,
      features: this.data.splittable,
      samples: this.partition,
      start: node.start,
      stop: node.stop,
      gradients: this.gradients,
      hessians: this.hessians,
      out,
    });
    return out;
  }

  private releaseHistograms(node: GrowerNode): void {
    if (node.histograms) this.workspace.releaseHistograms(node.histograms);
    node.histograms = null;
  }

  private computeBestSplitAndPush(node: GrowerNode): void {
    node.split = findNodeSplit(
      node.histograms!,
      this.data.layout,
      node.stop - node.start,
      node.sumGradients,
      node.sumHessians,
      node.value,
      this.options,
      node.childrenLower,
      node.childrenUpper,
    );
    if (node.split === null) {
      this.releaseHistograms(node);
      this.finalizeLeaf(node);
    } else {
      this.heap.push(node);
    }
  }

  /** Stable partition of the node's rows: those going left first, each side in its previous order. Returns the first right position. */
  private splitIndices(node: GrowerNode, split: SplitInfo): number {
    const { binned, nRows, layout } = this.data;
    const column = split.feature * nRows;
    const missingCode = layout.nBinsNonMissing[split.feature];
    const { partition, scratch } = this;
    let nLeft = node.start;
    let nRight = 0;
    for (let i = node.start; i < node.stop; i++) {
      const row = partition[i];
      const code = binned[column + row];
      let goLeft: boolean;
      if (split.leftCategories) goLeft = inBitset(split.leftCategories, code);
      else goLeft = code === missingCode ? split.missingGoToLeft : code <= split.binIdx;
      if (goLeft) partition[nLeft++] = row;
      else scratch[nRight++] = row;
    }
    partition.set(scratch.subarray(0, nRight), nLeft);
    return nLeft;
  }

  private splitNext(): void {
    const node = this.heap.pop();
    const split = node.split!;
    const middle = this.splitIndices(node, split);
    const depth = node.depth + 1;
    const nLeafNodes = this.leaves.length + this.heap.size + 2;
    const left = this.newNode(depth, node.start, middle, split.sumGradientLeft, split.sumHessianLeft, split.valueLeft);
    const right = this.newNode(depth, middle, node.stop, split.sumGradientRight, split.sumHessianRight, split.valueRight);
    node.left = left;
    node.right = right;
    if (!this.data.layout.hasMissingValues[split.feature]) {
      // No NaN at fit: NaN at predict time goes to the child with more samples.
      split.missingGoToLeft = middle - node.start > node.stop - middle;
    }
    const { maxLeafNodes, maxDepth, minSamplesLeaf } = this.options;
    if ((maxLeafNodes !== null && nLeafNodes === maxLeafNodes) || (maxDepth !== null && depth === maxDepth)) {
      this.finalizeLeaf(left);
      this.finalizeLeaf(right);
      this.releaseHistograms(node);
      if (maxLeafNodes !== null && nLeafNodes === maxLeafNodes) {
        while (this.heap.size > 0) {
          const pending = this.heap.pop();
          this.releaseHistograms(pending);
          this.finalizeLeaf(pending);
        }
      }
      return;
    }
    if (left.stop - left.start < 2 * minSamplesLeaf) this.finalizeLeaf(left);
    if (right.stop - right.start < 2 * minSamplesLeaf) this.finalizeLeaf(right);
    if (this.data.layout.monotonicCst) this.setChildrenBounds(node, this.data.layout.monotonicCst[split.feature]);
    if (left.isLeaf && right.isLeaf) {
      this.releaseHistograms(node);
      return;
    }
    const leftIsSmaller = left.stop - left.start < right.stop - right.start;
    const [smallest, largest] = leftIsSmaller ? [left, right] : [right, left];
    smallest.histograms = this.buildHistograms(smallest);
    // The larger child's histograms: the parent's minus the smaller child's, in the parent's buffer.
    const parent = node.histograms!;
    const small = smallest.histograms;
    for (let i = 0; i < parent.length; i++) parent[i] -= small[i];
    largest.histograms = parent;
    node.histograms = null;
    for (const child of [left, right]) {
      if (child.isLeaf) this.releaseHistograms(child);
      else this.computeBestSplitAndPush(child);
    }
  }

  /**
   * Monotonic constraints: the grandchildren's values stay on their side of
   * the middle of the children's values (scikit-learn's `set_children_bounds`).
   */
  private setChildrenBounds(node: GrowerNode, cst: number): void {
    const left = node.left!;
    const right = node.right!;
    left.childrenLower = right.childrenLower = node.childrenLower;
    left.childrenUpper = right.childrenUpper = node.childrenUpper;
    const midValue = (left.value + right.value) / 2;
    if (cst === 1) {
      left.childrenUpper = midValue;
      right.childrenLower = midValue;
    } else if (cst === -1) {
      left.childrenLower = midValue;
      right.childrenUpper = midValue;
    }
  }

  /** The grown tree as flat arrays, nodes in preorder (scikit-learn's `make_predictor`). */
  toPredictor(): TreePredictor {
    const nodes: GrowerNode[] = [];
    const visit = (node: GrowerNode): void => {
      nodes.push(node);
      if (!node.isLeaf) {
        visit(node.left!);
        visit(node.right!);
      }
    };
    visit(this.root);
    const n = nodes.length;
    const index = new Map(nodes.map((node, i) => [node, i]));
    const nCategorical = nodes.filter((node) => !node.isLeaf && node.split!.isCategorical).length;
    const tree: TreePredictor = {
      feature: new Int32Array(n).fill(-1),
      threshold: new Float64Array(n),
      binThreshold: new Int32Array(n),
      missingGoToLeft: new Uint8Array(n),
      left: new Int32Array(n).fill(-1),
      right: new Int32Array(n).fill(-1),
      value: new Float64Array(n),
      count: new Int32Array(n),
      bitset: new Int32Array(n).fill(-1),
      binnedBitsets: new Uint32Array(nCategorical * BITSET_WORDS),
      rawBitsets: new Uint32Array(nCategorical * BITSET_WORDS),
    };
    let nextBitset = 0;
    nodes.forEach((node, i) => {
      tree.value[i] = node.value;
      tree.count[i] = node.stop - node.start;
      if (node.isLeaf) return;
      const split = node.split!;
      const f = split.feature;
      tree.feature[i] = f;
      tree.left[i] = index.get(node.left!)!;
      tree.right[i] = index.get(node.right!)!;
      tree.missingGoToLeft[i] = split.missingGoToLeft ? 1 : 0;
      tree.binThreshold[i] = split.binIdx;
      const thresholds = this.data.thresholds[f];
      if (split.leftCategories) {
        const b = nextBitset++;
        tree.bitset[i] = b;
        tree.binnedBitsets.set(split.leftCategories, b * BITSET_WORDS);
        // Raw bitset: category values (bin code k is category thresholds[k]).
        for (let code = 0; code < thresholds.length; code++) {
          if (inBitset(split.leftCategories, code)) tree.rawBitsets[b * BITSET_WORDS + (thresholds[code] >> 5)] |= 1 << (thresholds[code] & 31);
        }
      } else {
        tree.threshold[i] = split.binIdx === this.data.layout.nBinsNonMissing[f] - 1 ? Infinity : thresholds[split.binIdx];
      }
    });
    return tree;
  }
}
