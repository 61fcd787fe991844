/**
 * A fitted tree of histogram gradient boosting, as flat arrays (plain
 * fields, so it can be saved), and its prediction on raw or binned rows
 * (scikit-learn's `TreePredictor`).
 */
import { BITSET_WORDS, inBitset } from './splitting.js';

export interface TreePredictor {
  /** Per node (preorder, root first): the split feature, −1 for a leaf. */
  feature: Int32Array;
  /** Raw values ≤ threshold go left (numerical; +Infinity for a split on NaN). */
  threshold: Float64Array;
  /** Bin codes ≤ binThreshold go left (numerical). */
  binThreshold: Int32Array;
  /** Where NaN (and, for categorical features, unknown categories) go. */
  missingGoToLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf values (shrinkage applied); inner nodes keep theirs for inspection. */
  value: Float64Array;
  /** Training samples per node. */
  count: Int32Array;
  /** Categorical splits: index of the node's bitsets, −1 for numerical splits and leaves. */
  bitset: Int32Array;
  /** Per categorical split, BITSET_WORDS words: the bin codes that go left. */
  binnedBitsets: Uint32Array;
  /** Per categorical split, BITSET_WORDS words: the raw category values that go left. */
  rawBitsets: Uint32Array;
}

/**
 * The categories of each categorical feature seen at fit, as bitsets of
 * raw values (BITSET_WORDS words per feature; zeros for numerical ones).
 */
export function knownCategoryBitsets(thresholds: Float64Array[], isCategorical: Uint8Array): Uint32Array {
  const out = new Uint32Array(thresholds.length * BITSET_WORDS);
  thresholds.forEach((categories, f) => {
    if (isCategorical[f]) for (const c of categories) out[f * BITSET_WORDS + (c >> 5)] |= 1 << (c & 31);
  });
  return out;
}

/** Adds the tree's prediction for each row of X (row-major, `cols` wide) to out[outOffset + r]. */
export function addRawPrediction(tree: TreePredictor, data: Float64Array, rows: number, cols: number, known: Uint32Array, out: Float64Array, outOffset: number): void {
  const { feature, threshold, missingGoToLeft, left, right, value, bitset, rawBitsets } = tree;
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    let node = 0;
    while (feature[node] >= 0) {
      const f = feature[node];
      const v = data[row + f];
      let goLeft: boolean;
      const b = bitset[node];
      if (b >= 0) {
        // An unknown category (or a value that is no category) goes where NaN goes, as scikit-learn's.
        const isKnown = v === v && Number.isInteger(v) && v >= 0 && v < 256 && inBitset(known, v, f * BITSET_WORDS);
        goLeft = isKnown ? inBitset(rawBitsets, v, b * BITSET_WORDS) : missingGoToLeft[node] === 1;
      } else {
        goLeft = v === v ? v <= threshold[node] : missingGoToLeft[node] === 1;
      }
      node = goLeft ? left[node] : right[node];
    }
    out[outOffset + r] += value[node];
  }
}

/** Adds the tree's prediction for binned rows (column-major compact codes) to out[outOffset + r]. */
export function addBinnedPrediction(tree: TreePredictor, binned: Uint8Array, rows: number, missingCode: Int32Array, out: Float64Array, outOffset: number): void {
  const { feature, binThreshold, missingGoToLeft, left, right, value, bitset, binnedBitsets } = tree;
  for (let r = 0; r < rows; r++) {
    let node = 0;
    while (feature[node] >= 0) {
      const f = feature[node];
      const code = binned[f * rows + r];
      const b = bitset[node];
      let goLeft: boolean;
      if (code === missingCode[f]) goLeft = missingGoToLeft[node] === 1;
      else if (b >= 0) goLeft = inBitset(binnedBitsets, code, b * BITSET_WORDS);
      else goLeft = code <= binThreshold[node];
      node = goLeft ? left[node] : right[node];
    }
    out[outOffset + r] += value[node];
  }
}
