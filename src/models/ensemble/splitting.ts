/**
 * The best split of a tree node from its histograms (scikit-learn's
 * `Splitter.find_node_split`): per numerical feature a scan of its bins left
 * to right (missing values go right) and, when the feature had missing
 * values at fit, right to left (missing values go left); per categorical
 * feature, Fisher's grouping: categories sorted by Σg / (Σh + 10) and
 * scanned as if ordered, from both ends up to the middle, low-support
 * categories always on the right. The gain is scikit-learn's
 * (loss of the node − loss of the children, with loss = Σg · value); with
 * monotonic constraints, values are clipped to the node's bounds and a split
 * whose children's values go the wrong way is not taken.
 */
/** Regularisation of category values and minimum support of a category (scikit-learn's MIN_CAT_SUPPORT, LightGBM's cat_smooth). */
const MIN_CAT_SUPPORT = 10;
/** Words of a bitset over the 256 possible bin codes. */
export const BITSET_WORDS = 8;

export interface SplitConstraints {
  minSamplesLeaf: number;
  l2Regularization: number;
  /** scikit-learn's defaults: min_hessian_to_split 1e-3, min_gain_to_split 0. */
  minHessianToSplit: number;
  minGainToSplit: number;
}

/** What the binning and the data say about each feature. */
export interface FeatureLayout {
  slotStart: Int32Array;
  nBinsNonMissing: Int32Array;
  hasMissingValues: Uint8Array;
  isCategorical: Uint8Array;
  /** Per feature: 1, the prediction may only increase with the feature; −1, only decrease; 0, free. Null: no constraints. */
  monotonicCst: Int8Array | null;
}

export interface SplitInfo {
  gain: number;
  feature: number;
  /** Numerical: rows with a code ≤ binIdx go left. */
  binIdx: number;
  missingGoToLeft: boolean;
  isCategorical: boolean;
  /** Categorical: the codes that go left (the missing slot's among them when missing values go left). */
  leftCategories: Uint32Array | null;
  sumGradientLeft: number;
  sumHessianLeft: number;
  sumGradientRight: number;
  sumHessianRight: number;
  nSamplesLeft: number;
  nSamplesRight: number;
  valueLeft: number;
  valueRight: number;
}

/** −Σg / (Σh + λ) clipped to [lower, upper], the value of a leaf (scikit-learn's `compute_node_value`). */
export function nodeValue(sumGradient: number, sumHessian: number, l2: number, lower = -Infinity, upper = Infinity): number {
  const value = -sumGradient / (sumHessian + l2 + 1e-15);
  return value < lower ? lower : value > upper ? upper : value;
}

/** The loss reduction of a split, or −1 where the children's values break the feature's monotonic constraint `cst`. */
function splitGain(gl: number, hl: number, gr: number, hr: number, node: NodeStats, l2: number, cst: number): number {
  const left = nodeValue(gl, hl, l2, node.lower, node.upper);
  const right = nodeValue(gr, hr, l2, node.lower, node.upper);
  if ((cst === 1 && left > right) || (cst === -1 && left < right)) return -1;
  return node.lossCurrentNode - gl * left - gr * right;
}

/** The node's statistics, the best split found so far, and its feature's scan. */
interface NodeStats {
  nSamples: number;
  sumGradients: number;
  sumHessians: number;
  lossCurrentNode: number;
  /** Bounds of the children's values (monotonic constraints; ±Infinity without). */
  lower: number;
  upper: number;
}

function newSplit(feature: number, isCategorical: boolean): SplitInfo {
  return resetSplit({} as SplitInfo, feature, isCategorical);
}

/** A split of gain −1 (no split yet) on feature f. */
function resetSplit(split: SplitInfo, feature: number, isCategorical: boolean): SplitInfo {
  split.gain = -1;
  split.feature = feature;
  split.binIdx = 0;
  split.missingGoToLeft = false;
  split.isCategorical = isCategorical;
  split.leftCategories = null;
  split.sumGradientLeft = 0;
  split.sumHessianLeft = 0;
  split.sumGradientRight = 0;
  split.sumHessianRight = 0;
  split.nSamplesLeft = 0;
  split.nSamplesRight = 0;
  split.valueLeft = 0;
  split.valueRight = 0;
  return split;
}

/** Records a candidate in `best` when its gain is larger; `left*` are the left child's sums. */
function consider(best: SplitInfo, gain: number, node: NodeStats, gl: number, hl: number, nl: number, c: SplitConstraints): boolean {
  if (!(gain > best.gain && gain > c.minGainToSplit)) return false;
  best.gain = gain;
  best.sumGradientLeft = gl;
  best.sumHessianLeft = hl;
  best.sumGradientRight = node.sumGradients - gl;
  best.sumHessianRight = node.sumHessians - hl;
  best.nSamplesLeft = nl;
  best.nSamplesRight = node.nSamples - nl;
  return true;
}

/**
 * Scans a numerical feature's bins from one end. Left to right, bins 0..binIdx
 * go left and the rest, missing values included, right; with missing values
 * the last non-missing bin is a candidate too (a split on NaN). Right to left,
 * bins above binIdx go right and the rest, missing values included, left.
 */
function scanNumerical(hist: Float64Array, f: number, layout: FeatureLayout, node: NodeStats, c: SplitConstraints, best: SplitInfo, fromLeft: boolean): void {
  const base = layout.slotStart[f];
  const nonMissing = layout.nBinsNonMissing[f];
  const steps = fromLeft ? nonMissing - 1 + layout.hasMissingValues[f] : nonMissing - 1;
  const { nSamples, sumGradients, sumHessians } = node;
  // Sums over the scanned side, in scikit-learn's order: the other side is the node's sum minus these.
  let g = 0;
  let h = 0;
  let n = 0;
  for (let k = 0; k < steps; k++) {
    const binIdx = fromLeft ? k : nonMissing - 2 - k;
    const slot = 3 * (base + (fromLeft ? binIdx : binIdx + 1));
    g += hist[slot];
    h += hist[slot + 1];
    n += hist[slot + 2];
    if (n < c.minSamplesLeaf) continue;
    if (nSamples - n < c.minSamplesLeaf) break;
    if (h < c.minHessianToSplit) continue;
    if (sumHessians - h < c.minHessianToSplit) break;
    const gl = fromLeft ? g : sumGradients - g;
    const hl = fromLeft ? h : sumHessians - h;
    const gr = fromLeft ? sumGradients - g : g;
    const hr = fromLeft ? sumHessians - h : h;
    const gain = splitGain(gl, hl, gr, hr, node, c.l2Regularization, layout.monotonicCst ? layout.monotonicCst[f] : 0);
    if (consider(best, gain, node, gl, hl, fromLeft ? n : nSamples - n, c)) {
      best.binIdx = binIdx;
      best.missingGoToLeft = !fromLeft;
    }
  }
}

/** Fisher's grouping of categories (scikit-learn's `_find_best_bin_to_split_category`). */
function scanCategorical(hist: Float64Array, f: number, layout: FeatureLayout, node: NodeStats, c: SplitConstraints, best: SplitInfo): void {
  const base = layout.slotStart[f];
  const nonMissing = layout.nBinsNonMissing[f];
  const hasMissing = layout.hasMissingValues[f] === 1;
  // Equal to 1 for losses of constant hessian.
  const supportFactor = node.nSamples / node.sumHessians;
  const used: { code: number; value: number }[] = [];
  const last = nonMissing + (hasMissing ? 1 : 0); // the missing slot (code nonMissing) is one more category
  for (let code = 0; code < last; code++) {
    const slot = 3 * (base + code);
    const hessian = hist[slot + 1];
    if (hessian * supportFactor >= MIN_CAT_SUPPORT) used.push({ code, value: hist[slot] / (hessian + MIN_CAT_SUPPORT) });
  }
  if (used.length <= 1) return;
  used.sort((a, b) => a.value - b.value);
  let bestDirection = 0;
  let bestIndex = 0;
  for (const direction of [1, -1]) {
    const middle = direction === 1 ? (used.length + 1) >> 1 : ((used.length + 1) >> 1) - 1;
    let gl = 0;
    let hl = 0;
    let nl = 0;
    for (let i = 0; i < middle; i++) {
      const sorted = direction === 1 ? i : used.length - 1 - i;
      const slot = 3 * (base + used[sorted].code);
      nl += hist[slot + 2];
      hl += hist[slot + 1];
      gl += hist[slot];
      const nr = node.nSamples - nl;
      const hr = node.sumHessians - hl;
      if (nl < c.minSamplesLeaf || hl < c.minHessianToSplit) continue;
      if (nr < c.minSamplesLeaf || hr < c.minHessianToSplit) break;
      const gain = splitGain(gl, hl, node.sumGradients - gl, hr, node, c.l2Regularization, 0);
      if (consider(best, gain, node, gl, hl, nl, c)) {
        bestDirection = direction;
        bestIndex = sorted;
      }
    }
  }
  if (bestDirection === 0) return;
  const left = new Uint32Array(BITSET_WORDS);
  const [from, to] = bestDirection === 1 ? [0, bestIndex] : [bestIndex, used.length - 1];
  for (let i = from; i <= to; i++) left[used[i].code >> 5] |= 1 << (used[i].code & 31);
  best.leftCategories = left;
  best.missingGoToLeft = hasMissing && inBitset(left, nonMissing);
}

export function inBitset(bits: Uint32Array, code: number, offset = 0): boolean {
  return ((bits[offset + (code >> 5)] >>> (code & 31)) & 1) === 1;
}

/**
 * The best split of a node over every feature (ties: the lowest feature),
 * or null when no split has a positive gain.
 * `value` is the node's value (scikit-learn gives the root 0).
 */
export function findNodeSplit(
  hist: Float64Array,
  layout: FeatureLayout,
  nSamples: number,
  sumGradients: number,
  sumHessians: number,
  value: number,
  c: SplitConstraints,
  lower = -Infinity,
  upper = Infinity,
): SplitInfo | null {
  const node: NodeStats = { nSamples, sumGradients, sumHessians, lossCurrentNode: sumGradients * value, lower, upper };
  // Two records swapped as the best changes: no allocation per feature.
  let best = newSplit(0, false);
  let candidate = newSplit(0, false);
  const nFeatures = layout.nBinsNonMissing.length;
  for (let f = 0; f < nFeatures; f++) {
    const categorical = layout.isCategorical[f] === 1;
    resetSplit(candidate, f, categorical);
    if (categorical) {
      scanCategorical(hist, f, layout, node, c, candidate);
    } else {
      scanNumerical(hist, f, layout, node, c, candidate, true);
      if (layout.hasMissingValues[f]) scanNumerical(hist, f, layout, node, c, candidate, false);
    }
    if (f === 0 || candidate.gain > best.gain) [best, candidate] = [candidate, best];
  }
  if (!(best.gain > 0)) return null;
  best.valueLeft = nodeValue(best.sumGradientLeft, best.sumHessianLeft, c.l2Regularization, lower, upper);
  best.valueRight = nodeValue(best.sumGradientRight, best.sumHessianRight, c.l2Regularization, lower, upper);
  return best;
}
