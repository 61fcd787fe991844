/**
 * The matrix Q of the SMO dual as the solver sees it (libsvm's QMatrix,
 * SVC_Q and SVR_Q) and libsvm's kernel cache of float32 rows (`Cache`).
 * Rows are addressed by position: the solver's shrinking swaps positions,
 * and the cache and the index maps follow.
 *
 * asm/svm-rows.ts MIRRORS SvcQ and RowCache for the wasm backend (see
 * smo.ts).
 */

/** Kernel values of one sub-problem, by sub-problem (local) index. */
export interface KernelSource {
  /** Number of samples. */
  readonly size: number;
  /** out[t] = K(o, idx[t]) for t in [start, end). `identity`: idx[t] === t for every t (a hint). */
  fill(o: number, idx: Int32Array, start: number, end: number, out: Float32Array, identity?: boolean): void;
  /** K(o, o). */
  diag(o: number): number;
}

/** The matrix Q of the dual as the solver sees it (rows by position). */
export interface QMatrix {
  /** Row i of Q for positions [0, len). The array stays valid until the next getQ. */
  getQ(i: number, len: number): Float32Array;
  /** Q_ii for every position. */
  readonly QD: Float64Array;
  swapIndex(i: number, j: number): void;
}

// ---------------------------------------------------------------- cache

/**
 * Rows a cache of `budgetFloats` keeps for a problem of l samples: each row
 * has room for l values; at least 2 (the solver holds rows i and j at once),
 * at most l.
 */
export function rowSlots(l: number, budgetFloats: number): number {
  return Math.max(2, Math.min(l, Math.floor(budgetFloats / Math.max(l, 1))));
}

/**
 * libsvm's kernel cache: rows (float32) by position, each with a filled
 * length, evicted least-recently-used first. Unlike libsvm's, which
 * reallocates rows to their filled length, every row has room for l values
 * and the cache holds at most {@link rowSlots} of them, so its memory is
 * fixed by the budget (the wasm port keeps its rows in a fixed scratch
 * area). Which rows are cached never changes the values a row holds.
 */
export class RowCache {
  private readonly data: (Float32Array | null)[];
  private readonly len: Int32Array;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly head: number;
  /** Rows the cache may hold at once. */
  private readonly slots: number;
  /** Rows handed out so far (from the slab, or allocated). */
  private used = 0;
  /** Optional storage for every slot (rows of capacity l, handed out in order). */
  private readonly slab: Float32Array | null;
  /** Rows dropped by swapIndex, reused first. */
  private readonly spare: Float32Array[] = [];

  constructor(
    private readonly l: number,
    budgetFloats: number,
    slab?: Float32Array,
  ) {
    this.data = new Array(l).fill(null);
    this.len = new Int32Array(l);
    this.prev = new Int32Array(l + 1);
    this.next = new Int32Array(l + 1);
    this.head = l;
    this.prev[l] = l;
    this.next[l] = l;
    this.slots = rowSlots(l, budgetFloats);
    this.slab = slab && slab.length >= this.slots * l ? slab : null;
  }

  /** Storage for one more row: a spare one, a new slot, or the least recently used row's. */
  private freeRow(): Float32Array {
    const spare = this.spare.pop();
    if (spare) return spare;
    const l = this.l;
    if (this.used < this.slots) {
      const at = this.used++ * l;
      return this.slab ? this.slab.subarray(at, at + l) : new Float32Array(l);
    }
    const old = this.next[this.head];
    this.unlink(old);
    const row = this.data[old]!;
    this.data[old] = null;
    this.len[old] = 0;
    return row;
  }

  private unlink(h: number): void {
    this.next[this.prev[h]] = this.next[h];
    this.prev[this.next[h]] = this.prev[h];
  }

  private append(h: number): void {
    const last = this.prev[this.head];
    this.next[h] = this.head;
    this.prev[h] = last;
    this.next[last] = h;
    this.prev[this.head] = h;
  }

  /**
   * The row `index` with room for `len` entries; `filled` tells how many
   * leading entries are already valid.
   */
  get(index: number, len: number): Float32Array {
    const have = this.len[index];
    if (have) this.unlink(index);
    if (len > have) {
      if (!this.data[index]) this.data[index] = this.freeRow();
      this.filled = have;
      this.len[index] = len;
    } else {
      this.filled = len;
    }
    if (this.len[index]) this.append(index);
    return this.data[index] ?? EMPTY_ROW;
  }

  /** Valid entries at the start of the row returned by the last `get`. */
  filled = 0;

  swapIndex(i: number, j: number): void {
    if (i === j) return;
    const { len, data } = this;
    if (len[i]) this.unlink(i);
    if (len[j]) this.unlink(j);
    const td = data[i];
    data[i] = data[j];
    data[j] = td;
    const tl = len[i];
    len[i] = len[j];
    len[j] = tl;
    if (len[i]) this.append(i);
    if (len[j]) this.append(j);
    if (i > j) {
      const t = i;
      i = j;
      j = t;
    }
    for (let h = this.next[this.head]; h !== this.head; ) {
      const nxt = this.next[h];
      if (len[h] > i) {
        if (len[h] > j) {
          const row = data[h]!;
          const t = row[i];
          row[i] = row[j];
          row[j] = t;
        } else {
          // the row does not reach j: drop it
          this.unlink(h);
          this.spare.push(data[h]!);
          data[h] = null;
          len[h] = 0;
        }
      }
      h = nxt;
    }
  }
}

const EMPTY_ROW = new Float32Array(0);

/** Q_ij = y_i·y_j·K_ij for C-SVC (libsvm's SVC_Q), with rows cached by position. */
export class SvcQ implements QMatrix {
  readonly QD: Float64Array;
  private readonly y: Int8Array;
  /** Position → sub-problem index. */
  private readonly perm: Int32Array;
  /** Whether perm has been changed by a swap (until then it is the identity). */
  private permuted = false;
  private readonly cache: RowCache;
  /** When y is +1 for positions [0, split) and −1 after (the pair layout), split; else −1. */
  private readonly split: number;

  /** `slab`: optional reusable storage for the row cache (used when it holds every slot: rowSlots(l, cacheFloats)·l floats). */
  constructor(
    private readonly src: KernelSource,
    y: Int8Array,
    cacheFloats: number,
    slab?: Float32Array,
  ) {
    const l = src.size;
    this.y = y.slice();
    this.perm = new Int32Array(l);
    this.QD = new Float64Array(l);
    for (let i = 0; i < l; i++) {
      this.perm[i] = i;
      this.QD[i] = src.diag(i);
    }
    this.cache = new RowCache(l, cacheFloats, slab);
    let split = 0;
    while (split < l && y[split] === 1) split++;
    for (let t = split; t < l; t++) if (y[t] === 1) split = -1;
    this.split = split;
  }

  getQ(i: number, len: number): Float32Array {
    const cache = this.cache;
    const row = cache.get(i, len);
    const start = cache.filled;
    if (start < len) {
      this.src.fill(this.perm[i], this.perm, start, len, row, !this.permuted);
      const y = this.y;
      const yi = y[i];
      if (!this.permuted && this.split >= 0) {
        // the other sign is one run: negate it without a test per entry
        const s = this.split;
        const end = yi === 1 ? len : Math.min(s, len);
        for (let j = yi === 1 ? Math.max(s, start) : start; j < end; j++) row[j] = -row[j];
      } else {
        for (let j = start; j < len; j++) if (y[j] !== yi) row[j] = -row[j];
      }
    }
    return row;
  }

  swapIndex(i: number, j: number): void {
    if (i === j) return;
    this.permuted = true;
    this.cache.swapIndex(i, j);
    swapEntries(this.perm, i, j);
    swapEntries(this.y, i, j);
    swapEntries(this.QD, i, j);
  }
}

/**
 * Q for epsilon-SVR (libsvm's SVR_Q): 2l variables (α⁺, α⁻) over l kernel
 * rows; rows are cached by sample and expanded with signs on each request.
 */
export class SvrQ implements QMatrix {
  readonly QD: Float64Array;
  private readonly sign: Int8Array;
  private readonly index: Int32Array;
  private readonly identity: Int32Array;
  private readonly cache: RowCache;
  private readonly buffers: [Float32Array, Float32Array];
  private nextBuffer = 0;
  private readonly l: number;

  constructor(
    private readonly src: KernelSource,
    cacheFloats: number,
  ) {
    const l = src.size;
    this.l = l;
    this.sign = new Int8Array(2 * l);
    this.index = new Int32Array(2 * l);
    this.QD = new Float64Array(2 * l);
    this.identity = new Int32Array(l);
    for (let k = 0; k < l; k++) {
      this.identity[k] = k;
      this.sign[k] = 1;
      this.sign[k + l] = -1;
      this.index[k] = k;
      this.index[k + l] = k;
      this.QD[k] = src.diag(k);
      this.QD[k + l] = this.QD[k];
    }
    this.cache = new RowCache(l, cacheFloats);
    this.buffers = [new Float32Array(2 * l), new Float32Array(2 * l)];
  }

  getQ(i: number, len: number): Float32Array {
    const l = this.l;
    const real = this.index[i];
    const row = this.cache.get(real, l);
    const start = this.cache.filled;
    if (start < l) this.src.fill(real, this.identity, start, l, row, true);
    const buf = this.buffers[this.nextBuffer];
    this.nextBuffer = 1 - this.nextBuffer;
    const { sign, index } = this;
    const si = sign[i];
    for (let j = 0; j < len; j++) buf[j] = si * sign[j] * row[index[j]];
    return buf;
  }

  swapIndex(i: number, j: number): void {
    swapEntries(this.sign, i, j);
    swapEntries(this.index, i, j);
    swapEntries(this.QD, i, j);
  }
}

/** Swaps entries i and j of a per-position array (the solver and the matrices keep theirs in step). */
export function swapEntries(a: Float64Array | Int32Array | Int8Array | Uint8Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
