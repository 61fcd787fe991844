/**
 * Finding the best split of one node (scikit-learn's BestSplitter /
 * RandomSplitter with its classification and regression criteria): the
 * node's samples are a range of `samples`, which a split partitions in
 * place. Features are drawn without replacement until `maxFeatures`
 * non-constant ones were tried (constant features found in a node are
 * remembered for its children); a split between two values lies at their
 * midpoint; the best split maximises the criterion's proxy and is then
 * scored by its impurity decrease.
 *
 * 'best': a node's samples are ordered by each drawn feature. The order
 * comes from per-feature ranks computed once (`rankColumns`): the key
 * rank·n + sample sorts numerically (native typed-array sort), and a
 * feature with at most four distinct values per sample of the node is
 * counted instead (one pass filling a histogram of ranks, one scan over
 * the ranks: pixels, categories; cheaper than a sort there). 'random' (extra trees): one uniform threshold between the
 * feature's minimum and maximum in the node.
 *
 * No allocation per node: the scratch arrays are sized once per tree.
 */
import type { TrainingSet, TreeRandom, TreeSettings } from './training-set.js';

/** Values that differ by no more than this are one value (scikit-learn's FEATURE_THRESHOLD, float32). */
const FEATURE_THRESHOLD = Math.fround(1e-7);
/** From this node size on, a feature with few distinct values is counted rather than sorted. */
const HISTOGRAM_MIN_SAMPLES = 16;

export interface SplitRecord {
  feature: number;
  /** First sample of the right child. */
  pos: number;
  threshold: number;
  improvement: number;
  impurityLeft: number;
  impurityRight: number;
}

/** The split search of one tree: its samples, scratch arrays and criterion sums. */
export class NodeSplitter {
  private readonly n: number;
  private readonly d: number;
  readonly k: number;
  readonly isClassifier: boolean;
  private readonly entropy: boolean;
  readonly samples: Int32Array;
  private readonly features: Int32Array;
  private readonly constantFeatures: Int32Array;
  private readonly keys: Float64Array;
  private readonly sortedValues: Float32Array;
  private readonly sortedSamples: Int32Array;
  /** Class sums of the node, of the left part, and per-rank histograms (k per rank). */
  readonly sumTotal: Float64Array;
  private readonly sumLeft: Float64Array;
  private readonly histogram: Float64Array;
  private readonly histogramCount: Int32Array;
  private readonly histogramWeight: Float64Array;
  /** Total weight of the current node's samples (after nodeReset). */
  weightedNodeSamples = 0;
  private sqSumTotal = 0;
  /** The best split found by the last nodeSplit. */
  readonly split: SplitRecord = { feature: 0, pos: 0, threshold: 0, improvement: 0, impurityLeft: 0, impurityRight: 0 };
  /** Constant features known to the children of the last split node. */
  nConstantOut = 0;
  private readonly weightedTotal: number;

  constructor(
    private readonly data: TrainingSet,
    private readonly weights: Float64Array,
    private readonly settings: TreeSettings,
    private readonly random: TreeRandom,
  ) {
    this.n = data.nSamples;
    this.d = data.nFeatures;
    this.isClassifier = data.classes !== null;
    this.k = this.isClassifier ? data.nClasses : 1;
    this.entropy = settings.criterion === 'entropy' || settings.criterion === 'log_loss';
    let used = 0;
    let total = 0;
    for (let i = 0; i < this.n; i++) {
      if (weights[i] !== 0) used++;
      total += weights[i];
    }
    this.weightedTotal = total;
    this.samples = new Int32Array(used);
    for (let i = 0, j = 0; i < this.n; i++) if (weights[i] !== 0) this.samples[j++] = i;
    this.features = new Int32Array(this.d);
    for (let f = 0; f < this.d; f++) this.features[f] = f;
    this.constantFeatures = new Int32Array(this.d);
    this.keys = new Float64Array(used);
    this.sortedValues = new Float32Array(used);
    this.sortedSamples = new Int32Array(used);
    this.sumTotal = new Float64Array(this.k);
    this.sumLeft = new Float64Array(this.k);
    let maxDistinct = 0;
    if (data.distinct) for (let f = 0; f < this.d; f++) maxDistinct = Math.max(maxDistinct, data.distinct[f]);
    // Histograms only where they fit a modest budget (a few million numbers).
    const histogramRanks = maxDistinct * this.k <= 4_000_000 ? maxDistinct : 0;
    this.histogram = new Float64Array(histogramRanks * this.k);
    this.histogramCount = new Int32Array(histogramRanks);
    this.histogramWeight = new Float64Array(histogramRanks);
  }

  /** Sums of the node's samples: class weights (or weighted targets and squares). */
  nodeReset(start: number, end: number): void {
    const { samples, weights, sumTotal } = this;
    sumTotal.fill(0);
    let w = 0;
    if (this.isClassifier) {
      const y = this.data.classes!;
      for (let p = start; p < end; p++) {
        const s = samples[p];
        sumTotal[y[s]] += weights[s];
        w += weights[s];
      }
    } else {
      const y = this.data.targets!;
      let sum = 0;
      let sq = 0;
      for (let p = start; p < end; p++) {
        const s = samples[p];
        const ws = weights[s];
        sum += ws * y[s];
        sq += ws * y[s] * y[s];
        w += ws;
      }
      sumTotal[0] = sum;
      this.sqSumTotal = sq;
    }
    this.weightedNodeSamples = w;
  }

  nodeImpurity(): number {
    return this.isClassifier
      ? this.classImpurity(this.sumTotal, null, this.weightedNodeSamples)
      : this.sqSumTotal / this.weightedNodeSamples - (this.sumTotal[0] / this.weightedNodeSamples) ** 2;
  }

  /** Gini or entropy of class sums `sums` (minus `subtract` when given: the right part). */
  private classImpurity(sums: Float64Array, subtract: Float64Array | null, w: number): number {
    const k = this.k;
    if (this.entropy) {
      let entropy = 0;
      for (let c = 0; c < k; c++) {
        let count = subtract ? sums[c] - subtract[c] : sums[c];
        if (count > 0) {
          count /= w;
          entropy -= count * (Math.log(count) / Math.LN2);
        }
      }
      return entropy;
    }
    let sq = 0;
    for (let c = 0; c < k; c++) {
      const count = subtract ? sums[c] - subtract[c] : sums[c];
      sq += count * count;
    }
    return 1 - sq / (w * w);
  }

  /**
   * What a split maximises: −(wR·impurityR + wL·impurityL) for entropy (as
   * scikit-learn); for gini the same up to the constant w, Σ sumL²/wL + Σ sumR²/wR
   * (one pass over the classes); sumL²/wL + sumR²/wR for squared error.
   */
  private proxy(wLeft: number, sumLeftTarget: number): number {
    const wRight = this.weightedNodeSamples - wLeft;
    if (!this.isClassifier) {
      const sumRight = this.sumTotal[0] - sumLeftTarget;
      return (sumLeftTarget * sumLeftTarget) / wLeft + (sumRight * sumRight) / wRight;
    }
    if (this.entropy) return -wRight * this.classImpurity(this.sumTotal, this.sumLeft, wRight) - wLeft * this.classImpurity(this.sumLeft, null, wLeft);
    const { sumLeft, sumTotal, k } = this;
    let sqLeft = 0;
    let sqRight = 0;
    for (let c = 0; c < k; c++) {
      const l = sumLeft[c];
      const r = sumTotal[c] - l;
      sqLeft += l * l;
      sqRight += r * r;
    }
    return sqLeft / wLeft + sqRight / wRight;
  }

  /**
   * Finds the best split of samples[start, end) and partitions them by it
   * (split.pos = end when there is none). Sets `nConstantOut` for the children.
   */
  nodeSplit(start: number, end: number, impurity: number, nKnownConstants: number): void {
    const { features, constantFeatures, random, settings } = this;
    const split = this.split;
    split.pos = end;
    split.feature = 0;
    split.threshold = 0;
    split.improvement = -Infinity;
    let bestProxy = -Infinity;
    let nFoundConstants = 0;
    let nDrawnConstants = 0;
    let nTotalConstants = nKnownConstants;
    let nVisited = 0;
    let fi = this.d;
    const best = settings.splitter === 'best';
    while (fi > nTotalConstants && (nVisited < settings.maxFeatures || nVisited <= nFoundConstants + nDrawnConstants)) {
      nVisited++;
      // Draw a feature among the not-yet-drawn, known constants included (they are skipped, and swapped aside).
      let fj = random.int(nDrawnConstants, fi - nFoundConstants);
      if (fj < nKnownConstants) {
        const t = features[nDrawnConstants];
        features[nDrawnConstants] = features[fj];
        features[fj] = t;
        nDrawnConstants++;
        continue;
      }
      fj += nFoundConstants;
      const f = features[fj];
      const found = best ? this.evaluateSorted(f, start, end, bestProxy) : this.evaluateRandom(f, start, end, bestProxy);
      if (Number.isNaN(found)) {
        features[fj] = features[nTotalConstants];
        features[nTotalConstants] = f;
        nFoundConstants++;
        nTotalConstants++;
        continue;
      }
      fi--;
      features[fj] = features[fi];
      features[fi] = f;
      if (found > bestProxy) bestProxy = found;
    }
    // Constant features keep their order for siblings and children.
    for (let i = 0; i < nKnownConstants; i++) features[i] = constantFeatures[i];
    for (let i = nKnownConstants; i < nKnownConstants + nFoundConstants; i++) constantFeatures[i] = features[i];
    this.nConstantOut = nTotalConstants;
    if (split.pos >= end) return;
    this.partition(start, end, split.feature, split.threshold);
    this.scoreSplit(start, impurity);
  }

  /**
   * Tries every boundary between distinct values of feature f in the node.
   * Returns CONSTANT, or the best proxy found (recording a better split than
   * `bestProxy` in `split`).
   */
  private evaluateSorted(f: number, start: number, end: number, bestProxy: number): number {
    const m = end - start;
    const distinct = this.data.distinct![f];
    if (m >= HISTOGRAM_MIN_SAMPLES && distinct <= this.histogramCount.length && distinct <= 4 * m) return this.evaluateHistogram(f, start, end, bestProxy, distinct);
    const n = this.n;
    const base = f * n;
    const { samples, keys, sortedValues, sortedSamples, weights } = this;
    const ranks = this.data.ranks!;
    for (let i = 0; i < m; i++) {
      const s = samples[start + i];
      keys[i] = ranks[base + s] * n + s;
    }
    if (m < 16) insertionSort(keys, m);
    else keys.subarray(0, m).sort();
    const values = this.data.rankValues!;
    for (let i = 0; i < m; i++) {
      const key = keys[i];
      const rank = Math.floor(key / n);
      sortedSamples[i] = key - rank * n;
      sortedValues[i] = values[base + rank];
    }
    if (sortedValues[m - 1] <= Math.fround(sortedValues[0] + FEATURE_THRESHOLD)) return CONSTANT;
    const sumLeft = this.sumLeft;
    sumLeft.fill(0);
    const classes = this.data.classes;
    const targets = this.data.targets;
    let wLeft = 0;
    let sumLeftTarget = 0;
    let best = bestProxy;
    for (let i = 0; i < m - 1; i++) {
      const s = sortedSamples[i];
      const w = weights[s];
      if (classes) sumLeft[classes[s]] += w;
      else sumLeftTarget += w * targets![s];
      wLeft += w;
      if (sortedValues[i + 1] <= Math.fround(sortedValues[i] + FEATURE_THRESHOLD)) continue;
      best = this.offerBoundary(f, start, m, i + 1, wLeft, sumLeftTarget, sortedValues[i], sortedValues[i + 1], best);
    }
    return best;
  }

  /**
   * Offers the boundary between the feature values `below` and `above`,
   * with `countLeft` of the node's `m` samples (weight `wLeft`) on its left:
   * when both sides are large and heavy enough and it beats `best`, it is
   * recorded in `split` and its proxy returned; else `best` is.
   */
  private offerBoundary(f: number, start: number, m: number, countLeft: number, wLeft: number, sumLeftTarget: number, below: number, above: number, best: number): number {
    const { minSamplesLeaf, minWeightLeaf } = this.settings;
    if (countLeft < minSamplesLeaf || m - countLeft < minSamplesLeaf) return best;
    if (wLeft < minWeightLeaf || this.weightedNodeSamples - wLeft < minWeightLeaf) return best;
    const proxy = this.proxy(wLeft, sumLeftTarget);
    if (!(proxy > best)) return best;
    const split = this.split;
    split.feature = f;
    split.pos = start + countLeft;
    split.threshold = midpoint(below, above);
    return proxy;
  }

  /** evaluateSorted for a feature with few distinct values: weights summed per rank, boundaries between ranks. */
  private evaluateHistogram(f: number, start: number, end: number, bestProxy: number, distinct: number): number {
    const n = this.n;
    const base = f * n;
    const { samples, weights, histogram, histogramCount, histogramWeight } = this;
    const k = this.k;
    const ranks = this.data.ranks!;
    const classes = this.data.classes;
    const targets = this.data.targets;
    // The histograms are all zero between calls: each call clears the ranks it used.
    let low = distinct;
    let high = -1;
    for (let p = start; p < end; p++) {
      const s = samples[p];
      const r = ranks[base + s];
      const w = weights[s];
      histogramCount[r]++;
      // Classification needs no weight per rank: it is the sum of the rank's class weights.
      if (classes) histogram[r * k + classes[s]] += w;
      else {
        histogramWeight[r] += w;
        histogram[r] += w * targets![s];
      }
      if (r < low) low = r;
      if (r > high) high = r;
    }
    // The value of each rank (all of a rank's samples share it).
    const values = this.data.rankValues!;
    let best = bestProxy;
    if (values[base + high] <= Math.fround(values[base + low] + FEATURE_THRESHOLD)) best = CONSTANT;
    else {
      const sumLeft = this.sumLeft;
      sumLeft.fill(0);
      const m = end - start;
      let wLeft = 0;
      let sumLeftTarget = 0;
      let countLeft = 0;
      for (let r = low; r < high; r++) {
        if (histogramCount[r] === 0) continue;
        countLeft += histogramCount[r];
        // Each rank is read once: clear it behind the scan (the histograms are zero between calls).
        histogramCount[r] = 0;
        if (classes) {
          for (let c = 0; c < k; c++) {
            const w = histogram[r * k + c];
            sumLeft[c] += w;
            wLeft += w;
            histogram[r * k + c] = 0;
          }
        } else {
          wLeft += histogramWeight[r];
          sumLeftTarget += histogram[r];
          histogramWeight[r] = 0;
          histogram[r] = 0;
        }
        let next = r + 1;
        while (histogramCount[next] === 0) next++;
        if (values[base + next] <= Math.fround(values[base + r] + FEATURE_THRESHOLD)) continue;
        best = this.offerBoundary(f, start, m, countLeft, wLeft, sumLeftTarget, values[base + r], values[base + next], best);
      }
    }
    // What the scan did not clear: everything when the feature is constant, else the last rank.
    const from = Number.isNaN(best) ? low : high;
    histogramCount.fill(0, from, high + 1);
    histogramWeight.fill(0, from, high + 1);
    histogram.fill(0, from * k, (high + 1) * k);
    return best;
  }

  /** Extra trees: one random threshold between the node's minimum and maximum of feature f; partitions by it. */
  private evaluateRandom(f: number, start: number, end: number, bestProxy: number): number {
    const base = f * this.n;
    const column = this.data.columns;
    const { samples, weights } = this;
    let min = Infinity;
    let max = -Infinity;
    for (let p = start; p < end; p++) {
      const v = column[base + samples[p]];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (max <= Math.fround(min + FEATURE_THRESHOLD)) return CONSTANT;
    let threshold = this.random.uniform(min, max);
    if (threshold === max) threshold = min;
    const pos = this.partition(start, end, f, threshold);
    const { minSamplesLeaf, minWeightLeaf } = this.settings;
    if (pos - start < minSamplesLeaf || end - pos < minSamplesLeaf) return bestProxy;
    const sumLeft = this.sumLeft;
    sumLeft.fill(0);
    let wLeft = 0;
    let sumLeftTarget = 0;
    const classes = this.data.classes;
    const targets = this.data.targets;
    for (let p = start; p < pos; p++) {
      const s = samples[p];
      const w = weights[s];
      if (classes) sumLeft[classes[s]] += w;
      else sumLeftTarget += w * targets![s];
      wLeft += w;
    }
    if (wLeft < minWeightLeaf || this.weightedNodeSamples - wLeft < minWeightLeaf) return bestProxy;
    const proxy = this.proxy(wLeft, sumLeftTarget);
    if (proxy > bestProxy) {
      const split = this.split;
      split.feature = f;
      split.pos = pos;
      split.threshold = threshold;
      return proxy;
    }
    return bestProxy;
  }

  /** Moves the samples with X[s, f] <= threshold to the front of [start, end); returns where the rest begin. */
  private partition(start: number, end: number, f: number, threshold: number): number {
    // Stable: both sides keep their samples in increasing index order, so the gathers of
    // every later feature evaluation walk memory forwards (measured: about 15% less time on rf-fashion).
    const { samples } = this;
    const right = this.sortedSamples; // scratch
    const base = f * this.n;
    const column = this.data.columns;
    let p = start;
    let nRight = 0;
    for (let i = start; i < end; i++) {
      const s = samples[i];
      if (column[base + s] <= threshold) samples[p++] = s;
      else right[nRight++] = s;
    }
    for (let i = 0; i < nRight; i++) samples[p + i] = right[i];
    return p;
  }

  /** Children impurities and the impurity decrease of the chosen split (its samples already partitioned). */
  private scoreSplit(start: number, impurity: number): void {
    const split = this.split;
    const { samples, weights } = this;
    let wLeft = 0;
    const w = this.weightedNodeSamples;
    if (this.isClassifier) {
      const y = this.data.classes!;
      const sumLeft = this.sumLeft;
      sumLeft.fill(0);
      for (let p = start; p < split.pos; p++) {
        const s = samples[p];
        sumLeft[y[s]] += weights[s];
        wLeft += weights[s];
      }
      split.impurityLeft = this.classImpurity(sumLeft, null, wLeft);
      split.impurityRight = this.classImpurity(this.sumTotal, sumLeft, w - wLeft);
    } else {
      const y = this.data.targets!;
      let sumLeft = 0;
      let sqLeft = 0;
      for (let p = start; p < split.pos; p++) {
        const s = samples[p];
        const ws = weights[s];
        sumLeft += ws * y[s];
        sqLeft += ws * y[s] * y[s];
        wLeft += ws;
      }
      const wRight = w - wLeft;
      const sumRight = this.sumTotal[0] - sumLeft;
      split.impurityLeft = sqLeft / wLeft - (sumLeft / wLeft) ** 2;
      split.impurityRight = (this.sqSumTotal - sqLeft) / wRight - (sumRight / wRight) ** 2;
    }
    const wRight = w - wLeft;
    split.improvement = (w / this.weightedTotal) * (impurity - (wRight / w) * split.impurityRight - (wLeft / w) * split.impurityLeft);
  }
}

/** Returned by a feature evaluation when the feature is constant in the node. */
const CONSTANT = Number.NaN;

/** The threshold between two consecutive float32 values (scikit-learn's rule: the lower one if the midpoint rounds up to the upper). */
function midpoint(a: number, b: number): number {
  const t = a / 2 + b / 2;
  return t === b || t === Infinity || t === -Infinity ? a : t;
}

function insertionSort(a: Float64Array, m: number): void {
  for (let i = 1; i < m; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}
