/**
 * What the tree builder reads: the training data shared by every tree of a
 * fit (float32 columns, per-feature ranks, targets), the resolved settings
 * of one tree, and its random draws.
 */
import { LimitError } from '../../errors.js';

export type Criterion = 'gini' | 'entropy' | 'log_loss' | 'squared_error';
export type SplitterKind = 'best' | 'random';

/** The training data shared by every tree of a fit (read-only). */
export interface TrainingSet {
  nSamples: number;
  nFeatures: number;
  /** X as float32, column-major (feature f is `columns[f*n .. f*n+n)`). */
  columns: Float32Array;
  /** Dense rank of each value within its column, column-major; needed by the 'best' splitter. */
  ranks: RankArray | null;
  /** Distinct values per column (the largest rank + 1). */
  distinct: Int32Array | null;
  /** The value of each rank, column-major (`rankValues[f*n + r]`; the first `distinct[f]` of a column are used). */
  rankValues: Float32Array | null;
  /** Class index per sample (classification), else null. */
  classes: Int32Array | null;
  nClasses: number;
  /** Target per sample (regression), else null. */
  targets: Float64Array | null;
}

/** Resolved stopping rules and options of one tree (counts, not fractions). */
export interface TreeSettings {
  criterion: Criterion;
  splitter: SplitterKind;
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** Minimum total sample weight of a leaf. */
  minWeightLeaf: number;
  maxFeatures: number;
  /** 0: grow depth first without a leaf limit. */
  maxLeafNodes: number;
  minImpurityDecrease: number;
}

/** A small seeded generator (scikit-learn's rand_r: xorshift), cheap enough to draw per node. */
export class TreeRandom {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** A 32-bit unsigned draw. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  /** Integer in [low, high). */
  int(low: number, high: number): number {
    return low + (this.next() % (high - low));
  }
  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * (this.next() / 4294967296);
  }
}

/** Ranks of X's values, in the narrowest integer type that holds them. */
export type RankArray = Uint8Array | Uint16Array | Int32Array;

/** A column with at most this many distinct values is ranked through a hash table instead of a sort. */
const FEW_DISTINCT = 1024;
const TABLE_SIZE = 4096;

/**
 * Dense ranks of each column (equal values share a rank), column-major, the
 * number of distinct values per column, and the value of each rank. The
 * largest n for which rank·n + sample stays an exact float64 integer bounds
 * the sample count.
 */
export function rankColumns(columns: Float32Array, nSamples: number, nFeatures: number): { ranks: RankArray; distinct: Int32Array; values: Float32Array } {
  if (nSamples > 67_000_000) throw new LimitError(`trees: ${nSamples} samples is above the supported 67 000 000`);
  const ranks = new Int32Array(nSamples * nFeatures);
  const distinct = new Int32Array(nFeatures);
  const values = new Float32Array(nSamples * nFeatures);
  const table = new DistinctTable();
  for (let f = 0; f < nFeatures; f++) {
    const unique = values.subarray(f * nSamples, (f + 1) * nSamples);
    const column = columns.subarray(f * nSamples, (f + 1) * nSamples);
    const out = ranks.subarray(f * nSamples, (f + 1) * nSamples);
    distinct[f] = table.rank(column, unique, out) ?? rankBySorting(column, unique, out);
  }
  // The narrowest integers that hold every rank: the split search gathers ranks at random, so a smaller array stays in cache.
  let maxDistinct = 0;
  for (let f = 0; f < nFeatures; f++) maxDistinct = Math.max(maxDistinct, distinct[f]);
  const compact = maxDistinct <= 256 ? Uint8Array.from(ranks) : maxDistinct <= 65536 ? Uint16Array.from(ranks) : ranks;
  return { ranks: compact, distinct, values };
}

/** Sorted distinct values, then each value's position among them by binary search. */
function rankBySorting(column: Float32Array, unique: Float32Array, out: Int32Array): number {
  const n = column.length;
  const sorted = column.slice().sort();
  let count = 0;
  for (let i = 0; i < n; i++) if (count === 0 || sorted[i] !== unique[count - 1]) unique[count++] = sorted[i];
  for (let i = 0; i < n; i++) {
    const v = column[i];
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (unique[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    out[i] = lo;
  }
  return count;
}

/**
 * Ranking for columns of few distinct values (pixels, categories, counts):
 * the distinct values are collected in an open-addressing table keyed by
 * their float32 bits, sorted, and each sample's rank read back from the
 * table — two table probes per value instead of a sort of the column.
 */
class DistinctTable {
  private readonly keys = new Uint32Array(TABLE_SIZE);
  private readonly used = new Uint8Array(TABLE_SIZE);
  private readonly rankOf = new Int32Array(TABLE_SIZE);
  private readonly value = new Float32Array(1);
  private readonly bits = new Uint32Array(this.value.buffer);

  /** Fills `unique` and `out` and returns the distinct count, or undefined when there are more than FEW_DISTINCT. */
  rank(column: Float32Array, unique: Float32Array, out: Int32Array): number | undefined {
    const { keys, used, rankOf } = this;
    used.fill(0);
    let count = 0;
    for (let i = 0; i < column.length; i++) {
      const slot = this.slot(column[i]);
      if (used[slot]) continue;
      if (count === FEW_DISTINCT) return undefined;
      used[slot] = 1;
      keys[slot] = this.bits[0];
      unique[count++] = column[i];
    }
    unique.subarray(0, count).sort();
    for (let r = 0; r < count; r++) rankOf[this.slot(unique[r])] = r;
    for (let i = 0; i < column.length; i++) out[i] = rankOf[this.slot(column[i])];
    return count;
  }

  /** The table slot of value v: its own, or the empty one where it would go (v's bits are left in `bits[0]`). */
  private slot(v: number): number {
    this.value[0] = v === 0 ? 0 : v; // -0 and +0 are one value
    const b = this.bits[0];
    let h = Math.imul(b, 0x9e3779b1) >>> 20;
    while (this.used[h] && this.keys[h] !== b) h = (h + 1) & (TABLE_SIZE - 1);
    return h;
  }
}
