// The kernel rows of the SVC pair solver of asm/svm.ts: Q = y_i·y_j·K by
// position, with its float32 row cache (a fixed number of rows of room l,
// least recently used evicted first). THIS MIRRORS SvcQ and RowCache in
// src/models/svm/smo-q.ts (see asm/svm.ts), with the kernel-row fill of
// PairBlockSource in src/models/svm/kernel-sources.ts.
//
// Kernel values come from per-class blocks (see asm/svm.ts): row o of a
// pair (i < j) is one contiguous block row when o is in class i, and a row
// of block j plus a column of block i when o is in class j. In SV_MODE_RBF_DOTS
// the blocks hold float32 dot products, mapped to RBF values as rows fill.

const ROUND_MAGIC: f64 = 6755399441055744.0;

// ---------------------------------------------------------------- state (per thread)

let rbfDots = false; // the blocks hold dot products (else kernel values)
let sqPtr: usize = 0;
let diagPtr: usize = 0;
let gamma: f64 = 0;
let invLn2N: f64 = 0;
let ln2NHi: f64 = 0;
let ln2NLo: f64 = 0;
let expTable: usize = 0; // 64 f64: 2^(j/64)
let pow2: usize = 0; // 2046 f64: 2^e for e in −1022..1023

// the pair: classes i < j
let size: i32 = 0; // l, its samples
let sI: i32 = 0; // first sample of class i
let sJ: i32 = 0;
let wI: i32 = 0; // width of block i (n − its first column)
let wJ: i32 = 0;
let blockI: usize = 0; // byte address of block i's column 0, row sI (before its first column: never read)
let blockJ: usize = 0;

// per-position arrays (byte addresses in the thread's scratch); the solver reads the first three
export let pQD: usize = 0; // f64: Q_ii
export let pY: usize = 0; // i32 ±1 (Smo's y and SvcQ's y, always equal)
export let pPerm: usize = 0; // i32: global sample index at each position (SvcQ's perm, mapped)
export let pRow: usize = 0; // u32: byte address of each position's cached row, 0 for none
export let pRowLen: usize = 0; // i32: filled length of each cached row
let pSpare: usize = 0; // u32 stack: rows dropped by swapIndex, reused first
let pPrev: usize = 0; // i32 × (L + 1): the LRU list of cached positions, head at index size
let pNext: usize = 0;
let spareTop: i32 = 0;
let slab: usize = 0;
let slots: i32 = 0; // rows the slab holds
let slabNext: i32 = 0;
let filled: i32 = 0;

/** The job's kernel parameters: `params` holds eps, gamma, then fastExpF32's constants and tables. */
export function readKernelParams(dots: bool, sq: usize, diag: usize, params: usize): void {
  rbfDots = dots;
  sqPtr = sq;
  diagPtr = diag;
  gamma = f64At(params, 1);
  invLn2N = f64At(params, 2);
  ln2NHi = f64At(params, 3);
  ln2NLo = f64At(params, 4);
  expTable = params + 5 * 8;
  pow2 = expTable + 64 * 8;
}

/** Scratch bytes of the rows' part for pairs of up to L (a multiple of 4) samples and `rowSlots` cached rows of room L. */
export function rowsScratchBytes(L: i32, rowSlots: i32): i32 {
  return rowSlots * L * 4 + L * (8 + 7 * 4) + 8;
}

/**
 * Starts a pair of l samples (classes at sI / sJ with their blocks) with its
 * arrays laid out from `at` for up to L samples and `rowSlots` rows (each
 * of room L, so at least `rowSlots` of room l); returns the address after them.
 */
export function beginPairRows(at: usize, L: i32, rowSlots: i32, l: i32, startI: i32, widthI: i32, blockAtI: usize, startJ: i32, widthJ: i32, blockAtJ: usize): usize {
  size = l;
  sI = startI;
  wI = widthI;
  blockI = blockAtI;
  sJ = startJ;
  wJ = widthJ;
  blockJ = blockAtJ;
  slab = at;
  at += <usize>rowSlots * <usize>L << 2;
  // smo-q.ts rowSlots(l, budget) for the same budget (rows of room l fit where rows of room L do)
  slots = min(l, max(2, <i32>(<i64>rowSlots * <i64>L / <i64>max(l, 1))));
  pQD = at; at += <usize>L << 3;
  const i32Bytes = <usize>L << 2;
  pY = at; at += i32Bytes;
  pPerm = at; at += i32Bytes;
  pRow = at; at += i32Bytes;
  pRowLen = at; at += i32Bytes;
  pSpare = at; at += i32Bytes;
  pPrev = at; at += i32Bytes + 4;
  pNext = at; at += i32Bytes + 4;
  setI32(pPrev, l, l);
  setI32(pNext, l, l);
  spareTop = 0;
  slabNext = 0;
  return at;
}

// ---------------------------------------------------------------- accessors

// @ts-ignore: decorator
@inline export function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline export function setF64(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}
// @ts-ignore: decorator
@inline export function i32At(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline export function setI32(base: usize, i: i32, v: i32): void {
  store<i32>(base + (<usize>i << 2), v);
}
// @ts-ignore: decorator
@inline export function f32At(base: usize, i: i32): f32 {
  return load<f32>(base + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline export function swapI32(base: usize, i: i32, j: i32): void {
  const t = i32At(base, i);
  setI32(base, i, i32At(base, j));
  setI32(base, j, t);
}

// ---------------------------------------------------------------- kernel rows

/** src/backend/routines/fast-math.ts kernelExpF32, operation for operation (its constants and tables come from JS: KERNEL_EXP_CONSTANTS). */
function fastExpF32(x: f64): f64 {
  if (x < -104) return 0;
  if (x != x) return x; // NaN (JS: NaN | 0 is 0 and the result NaN; here it must not reach the conversion)
  const kd = x * invLn2N + ROUND_MAGIC - ROUND_MAGIC;
  const k = <i32>kd;
  const r = x - kd * ln2NHi - kd * ln2NLo;
  const p = 1 + r * (1 + r * (0.5 + r * 0.16666666666666666));
  return f64At(pow2, (k >> 6) + 1022) * f64At(expTable, k & 63) * p;
}

/** Row at position i of Q for positions [start, end), written to `row` (SvcQ.getQ's fill and signs). */
function fillRow(i: i32, row: usize, start: i32, end: i32): void {
  const o = i32At(pPerm, i);
  const yi = i32At(pY, i);
  // a row of class i is one block row; one of class j is a row of block j (samples ≥ sJ) and a column of block i
  const same = o < sJ ? blockI + (<usize>(o - sI) * <usize>wI << 2) : blockJ + (<usize>(o - sJ) * <usize>wJ << 2);
  const column = blockI + (<usize>o << 2);
  const classI = o < sJ;
  const colStride = <usize>wI << 2;
  const rbf = rbfDots;
  const so = rbf ? f64At(sqPtr, o) : 0;
  const self = rbf ? <f32>f64At(diagPtr, o) : 0;
  const g = gamma;
  let t = start;
  if (rbf) {
    // two entries at a time: the exp's arithmetic in f64x2, its table look-ups by lane
    const zero = f64x2.splat(0);
    const soV = f64x2.splat(so);
    const twoV = f64x2.splat(2);
    const negG = f64x2.splat(-g);
    const invV = f64x2.splat(invLn2N);
    const magicV = f64x2.splat(ROUND_MAGIC);
    const hiV = f64x2.splat(ln2NHi);
    const loV = f64x2.splat(ln2NLo);
    const limit = f64x2.splat(-104);
    const oneV = f64x2.splat(1);
    const halfV = f64x2.splat(0.5);
    const sixthV = f64x2.splat(0.16666666666666666);
    for (; t + 2 <= end; t += 2) {
      const b0 = i32At(pPerm, t);
      const b1 = i32At(pPerm, t + 1);
      const dot0 = classI || b0 >= sJ ? load<f32>(same + (<usize>b0 << 2)) : load<f32>(column + <usize>(b0 - sI) * colStride);
      const dot1 = classI || b1 >= sJ ? load<f32>(same + (<usize>b1 << 2)) : load<f32>(column + <usize>(b1 - sI) * colStride);
      const dots = f64x2.replace_lane(f64x2.splat(<f64>dot0), 1, <f64>dot1);
      const sq = f64x2.replace_lane(f64x2.splat(f64At(sqPtr, b0)), 1, f64At(sqPtr, b1));
      let d = f64x2.sub(f64x2.add(soV, sq), f64x2.mul(twoV, dots));
      d = v128.bitselect(zero, d, f64x2.lt(d, zero));
      const x = f64x2.mul(negG, d);
      // fastExpF32 on both lanes; lanes below −104 become 0 (clamped first so that the look-ups stay in the tables)
      const xc = f64x2.max(x, f64x2.splat(-105));
      const kd = f64x2.sub(f64x2.add(f64x2.mul(xc, invV), magicV), magicV);
      const k = i32x4.trunc_sat_f64x2_s_zero(kd);
      const r = f64x2.sub(f64x2.sub(xc, f64x2.mul(kd, hiV)), f64x2.mul(kd, loV));
      const poly = f64x2.add(oneV, f64x2.mul(r, f64x2.add(oneV, f64x2.mul(r, f64x2.add(halfV, f64x2.mul(r, sixthV))))));
      const k0 = i32x4.extract_lane(k, 0);
      const k1 = i32x4.extract_lane(k, 1);
      const scale = f64x2.mul(
        f64x2.replace_lane(f64x2.splat(f64At(pow2, (k0 >> 6) + 1022)), 1, f64At(pow2, (k1 >> 6) + 1022)),
        f64x2.replace_lane(f64x2.splat(f64At(expTable, k0 & 63)), 1, f64At(expTable, k1 & 63)));
      const e = v128.bitselect(zero, f64x2.mul(scale, poly), f64x2.lt(x, limit));
      const v = f32x4.demote_f64x2_zero(e);
      const v0 = b0 == o ? self : f32x4.extract_lane(v, 0);
      const v1 = b1 == o ? self : f32x4.extract_lane(v, 1);
      store<f32>(row + (<usize>t << 2), i32At(pY, t) != yi ? -v0 : v0);
      store<f32>(row + (<usize>(t + 1) << 2), i32At(pY, t + 1) != yi ? -v1 : v1);
    }
  }
  for (; t < end; t++) {
    const b = i32At(pPerm, t);
    let v: f32 = classI || b >= sJ ? load<f32>(same + (<usize>b << 2)) : load<f32>(column + <usize>(b - sI) * colStride);
    if (rbf) {
      let d = so + f64At(sqPtr, b) - 2 * <f64>v;
      if (d < 0) d = 0;
      v = b == o ? self : <f32>fastExpF32(-g * d);
    }
    store<f32>(row + (<usize>t << 2), i32At(pY, t) != yi ? -v : v);
  }
}

// RowCache's LRU list (the head is the entry at index size)
function unlink(h: i32): void {
  setI32(pNext, i32At(pPrev, h), i32At(pNext, h));
  setI32(pPrev, i32At(pNext, h), i32At(pPrev, h));
}
function append(h: i32): void {
  const last = i32At(pPrev, size);
  setI32(pNext, h, size);
  setI32(pPrev, h, last);
  setI32(pNext, last, h);
  setI32(pPrev, size, h);
}

/** RowCache.freeRow: a spare row, a new slot, or the least recently used row's. */
function freeRow(): usize {
  if (spareTop > 0) return <usize>i32At(pSpare, --spareTop);
  if (slabNext < slots) return slab + (<usize>(slabNext++) * <usize>size << 2);
  const old = i32At(pNext, size);
  unlink(old);
  const r = <usize>i32At(pRow, old);
  setI32(pRow, old, 0);
  setI32(pRowLen, old, 0);
  return r;
}

/** RowCache.get: the row of position `index` with room for `len`; `filled` leading entries are valid. */
function cacheGet(index: i32, len: i32): usize {
  const have = i32At(pRowLen, index);
  if (have) unlink(index);
  if (len > have) {
    if (i32At(pRow, index) == 0) setI32(pRow, index, <i32>freeRow());
    filled = have;
    setI32(pRowLen, index, len);
  } else {
    filled = len;
  }
  if (i32At(pRowLen, index)) append(index);
  return <usize>i32At(pRow, index);
}

/** RowCache.swapIndex. */
function cacheSwap(i: i32, j: i32): void {
  if (i == j) return;
  if (i32At(pRowLen, i)) unlink(i);
  if (i32At(pRowLen, j)) unlink(j);
  swapI32(pRow, i, j);
  swapI32(pRowLen, i, j);
  if (i32At(pRowLen, i)) append(i);
  if (i32At(pRowLen, j)) append(j);
  if (i > j) {
    const t = i;
    i = j;
    j = t;
  }
  for (let h = i32At(pNext, size); h != size; ) {
    const nxt = i32At(pNext, h);
    const len = i32At(pRowLen, h);
    if (len > i) {
      const row = <usize>i32At(pRow, h);
      if (len > j) {
        const a = row + (<usize>i << 2);
        const b = row + (<usize>j << 2);
        const t = load<f32>(a);
        store<f32>(a, load<f32>(b));
        store<f32>(b, t);
      } else {
        // the row does not reach j: drop it
        unlink(h);
        setI32(pSpare, spareTop++, <i32>row);
        setI32(pRow, h, 0);
        setI32(pRowLen, h, 0);
      }
    }
    h = nxt;
  }
}

/** SvcQ.getQ: row i of Q for positions [0, len). */
export function getQ(i: i32, len: i32): usize {
  const row = cacheGet(i, len);
  if (filled < len) fillRow(i, row, filled, len);
  return row;
}

/** SvcQ.swapIndex: perm, y, QD and the cache. */
export function swapRows(i: i32, j: i32): void {
  if (i != j) cacheSwap(i, j);
  swapI32(pPerm, i, j);
  const d = f64At(pQD, i);
  setF64(pQD, i, f64At(pQD, j));
  setF64(pQD, j, d);
  swapI32(pY, i, j);
}
