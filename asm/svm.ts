// One-vs-one C-SVC training for frugal-ml's wasm backend: one chunk of the
// job is one class pair, solved whole by the thread that claims it.
//
// This is a port of the SMO solver of src/models/svm/smo.ts (class Smo, with
// SvcQ and RowCache in its slab mode) and of the kernel-row fill of
// PairBlockSource in src/models/svm/libsvm.ts. THE TWO MIRROR EACH OTHER:
// the same working-set selection, tie-breaking, clipping, shrinking and
// gradient reconstruction, with the same floating-point operations in the
// same order, so a pair's α, rho, objective and iteration count are
// bit-identical to the JS solver's. A change to one must be made to the other
// (test/svm-wasm.test.ts compares them). The hot loops run two positions
// at a time in f64x2 lanes: the same operations per element, and arg-max /
// arg-min ties resolved as the sequential loops resolve them.
//
// Kernel values come from per-class blocks: block c holds K (or, in
// SV_MODE_RBF_DOTS, float32 dot products) of class c's samples with samples
// origin[c]..n−1 (samples grouped by class; origin[c] ≤ start[c], the dot
// products of an SVC_DOTS job start at a multiple of GEMM's NR), so row o of
// a pair (i < j) is one contiguous block row when o is in class i, and a
// row of block j plus a column of block i when o is in class j. As the JS
// solver does, a pair keeps every kernel row it asks for in an l×l float32
// cache (with the row signs of Q = y_i·y_j·K applied), filled on first use.
//
// No heap: all per-pair state lives in the claiming thread's scratch area;
// the scalars are globals, which are per instance and so per thread.
import { blockF32, slot, WORK_BYTES, WORK_PTR } from './gemm';

/** Job kinds (control slot KIND). Mirrored in src/backend/wasm/layout.ts. */
export const SVC_PAIRS: i32 = 4;
/** The class blocks as float32 dot products, one chunk per (class, row block): a GEMM job of many shapes. */
export const SVC_DOTS: i32 = 5;

/** SVC slots of the control block (after the convolution slots). Mirrored in src/backend/wasm/layout.ts. */
const SV_N = 64; // samples, grouped by class
const SV_MODE = 65; // SV_MODE_VALUES or SV_MODE_RBF_DOTS
const SV_CLASS_PTR = 66; // i32 × 4 per class: start, count, float offset of its block, its first column (≤ start)
const SV_PAIR_PTR = 67; // i32 × 4 per pair: class i, class j, byte address of its output, 0
const SV_BLOCKS_PTR = 68; // float32 class blocks
const SV_SQ_PTR = 69; // f64 per sample: squared norm (SV_MODE_RBF_DOTS)
const SV_DIAG_PTR = 70; // f64 per sample: K(x, x)
const SV_C_PTR = 71; // f64 per sample: its upper bound C
const SV_PARAMS_PTR = 72; // f64: eps, gamma, then fastExpF32's constants (see readParams)
const SV_SHRINKING = 73;
const SV_MAX_ITER = 74; // -1: none
const SV_SCRATCH_PTR = 75; // thread t uses SV_SCRATCH_PTR + t · SV_SCRATCH_BYTES
const SV_SCRATCH_BYTES = 76;
const SV_MAX_L = 77; // largest pair: the scratch layout is by this size
const SV_X_PTR = 78; // SVC_DOTS: the float32 rows (n × d), row-major
const SV_D = 79;
const SV_BP_PTR = 80; // SVC_DOTS: the rows packed as GEMM's B (packB32 of Xᵀ)
const SV_DOT_CHUNK_PTR = 81; // SVC_DOTS: i32 × 4 per chunk: class, first row, end row (class-local), 0

/** The blocks hold kernel values. */
const SV_MODE_VALUES = 0;
/** The blocks hold float32 dot products; rows are mapped to RBF values as they are filled. */
const SV_MODE_RBF_DOTS = 1;

// Output of a pair at its address: f64 rho, obj, iterations, converged (1/0), then y_t·α_t for its l samples.

const LOWER: u8 = 0;
const UPPER: u8 = 1;
const FREE: u8 = 2;
const TAU: f64 = 1e-12;
const SCREEN: f64 = 1 - 1e-9;
const ROUND_MAGIC: f64 = 6755399441055744.0;

// ---------------------------------------------------------------- job state (per thread)

let n: i32 = 0;
let mode: i32 = 0;
let blocks: usize = 0;
let sqPtr: usize = 0;
let diagPtr: usize = 0;
let eps: f64 = 0;
let gamma: f64 = 0;
let invLn2N: f64 = 0;
let ln2NHi: f64 = 0;
let ln2NLo: f64 = 0;
let expTable: usize = 0; // 64 f64: 2^(j/64)
let pow2: usize = 0; // 2046 f64: 2^e for e in −1022..1023
let shrinking = false;
let maxIter: i32 = -1;

// the pair: classes i < j
let sI: i32 = 0; // first sample of class i
let sJ: i32 = 0;
let nI: i32 = 0; // samples of class i (the +1 side)
let wI: i32 = 0; // width of block i (n − its first column)
let wJ: i32 = 0;
let blockI: usize = 0; // byte address of block i's column 0, row sI (before its first column: never read)
let blockJ: usize = 0;

// per-position arrays (byte addresses in the thread's scratch)
let pG: usize = 0;
let pGbar: usize = 0;
let pUpS: usize = 0;
let pLowS: usize = 0;
let pYf: usize = 0;
let pAlpha: usize = 0;
let pC: usize = 0;
let pP: usize = 0;
let pQD: usize = 0;
let pY: usize = 0; // i32 ±1 (Smo's y and SvcQ's y, always equal)
let pStatus: usize = 0; // u8
let pActive: usize = 0; // i32: activeSet
let pPerm: usize = 0; // i32: global sample index at each position (SvcQ's perm, mapped)
let pRow: usize = 0; // u32: byte address of each position's cached row, 0 for none
let pRowLen: usize = 0; // i32: filled length of each cached row
let pSpare: usize = 0; // u32 stack: rows dropped by swapIndex, reused first
let spareTop: i32 = 0;
let slab: usize = 0;
let slabNext: i32 = 0;
let filled: i32 = 0;

let l: i32 = 0;
let activeSize: i32 = 0;
let unshrink = false;
let wi: i32 = -1;
let wj: i32 = -1;
let nextGmax: f64 = -Infinity;
let nextGmaxIdx: i32 = -1;
let gmaxValid = false;
/** Smo.diverged: a gradient of +∞ was selected or a step gave a non-finite α (the pair's rho is then written as NaN). */
let diverged = false;

// ---------------------------------------------------------------- accessors

// @ts-ignore: decorator
@inline function f64At(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
// @ts-ignore: decorator
@inline function setF64(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}
// @ts-ignore: decorator
@inline function i32At(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function setI32(base: usize, i: i32, v: i32): void {
  store<i32>(base + (<usize>i << 2), v);
}
// @ts-ignore: decorator
@inline function f32At(base: usize, i: i32): f32 {
  return load<f32>(base + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function statusAt(i: i32): u8 {
  return load<u8>(pStatus + <usize>i);
}
// @ts-ignore: decorator
@inline function swapF64(base: usize, i: i32, j: i32): void {
  const t = f64At(base, i);
  setF64(base, i, f64At(base, j));
  setF64(base, j, t);
}
// @ts-ignore: decorator
@inline function swapI32(base: usize, i: i32, j: i32): void {
  const t = i32At(base, i);
  setI32(base, i, i32At(base, j));
  setI32(base, j, t);
}

// ---------------------------------------------------------------- kernel rows

/** kernels.ts fastExpF32, operation for operation (its constants and tables come from JS). */
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
  const rbf = mode == SV_MODE_RBF_DOTS;
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

/** RowCache.get in slab mode: the row of position `index` with room for `len`; `filled` leading entries are valid. */
function cacheGet(index: i32, len: i32): usize {
  const have = i32At(pRowLen, index);
  if (len > have) {
    if (i32At(pRow, index) == 0) {
      let r: usize;
      if (spareTop > 0) r = <usize>i32At(pSpare, --spareTop);
      else r = slab + (<usize>(slabNext++) * <usize>l << 2);
      setI32(pRow, index, <i32>r);
    }
    filled = have;
    setI32(pRowLen, index, len);
  } else {
    filled = len;
  }
  return <usize>i32At(pRow, index);
}

/** RowCache.swapIndex (slab mode): which rows are cached and their order in the LRU list do not change values. */
function cacheSwap(i: i32, j: i32): void {
  if (i == j) return;
  swapI32(pRow, i, j);
  swapI32(pRowLen, i, j);
  if (i > j) {
    const t = i;
    i = j;
    j = t;
  }
  for (let h = 0; h < l; h++) {
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
        setI32(pSpare, spareTop++, <i32>row);
        setI32(pRow, h, 0);
        setI32(pRowLen, h, 0);
      }
    }
  }
}

/** SvcQ.getQ: row i of Q for positions [0, len). */
function getQ(i: i32, len: i32): usize {
  const row = cacheGet(i, len);
  if (filled < len) fillRow(i, row, filled, len);
  return row;
}

// ---------------------------------------------------------------- solver (smo.ts, class Smo)

function updateStatus(i: i32): void {
  const a = f64At(pAlpha, i);
  const st: u8 = a >= f64At(pC, i) ? UPPER : a <= 0 ? LOWER : FREE;
  store<u8>(pStatus + <usize>i, st);
  const pos = i32At(pY, i) == 1;
  const y: f64 = pos ? 1 : -1;
  setF64(pUpS, i, (pos ? st != UPPER : st != LOWER) ? -y : 0);
  setF64(pLowS, i, (pos ? st != LOWER : st != UPPER) ? y : 0);
}

function swapIndex(i: i32, j: i32): void {
  // SvcQ.swapIndex (perm, y, QD; the cache), then the solver's arrays
  if (i != j) cacheSwap(i, j);
  swapI32(pPerm, i, j);
  swapF64(pQD, i, j);
  swapI32(pY, i, j);
  swapF64(pG, i, j);
  const s = statusAt(i);
  store<u8>(pStatus + <usize>i, statusAt(j));
  store<u8>(pStatus + <usize>j, s);
  swapF64(pUpS, i, j);
  swapF64(pLowS, i, j);
  swapF64(pYf, i, j);
  swapF64(pAlpha, i, j);
  swapF64(pP, i, j);
  swapI32(pActive, i, j);
  swapF64(pGbar, i, j);
  swapF64(pC, i, j);
}

function reconstructGradient(): void {
  gmaxValid = false;
  if (activeSize == l) return;
  for (let j = activeSize; j < l; j++) setF64(pG, j, f64At(pGbar, j) + f64At(pP, j));
  let nFree = 0;
  for (let j = 0; j < activeSize; j++) if (statusAt(j) == FREE) nFree++;
  if (<f64>nFree * <f64>l > 2 * <f64>activeSize * <f64>(l - activeSize)) {
    for (let i = activeSize; i < l; i++) {
      const Qi = getQ(i, activeSize);
      let gi = f64At(pG, i);
      for (let j = 0; j < activeSize; j++) if (statusAt(j) == FREE) gi += f64At(pAlpha, j) * <f64>f32At(Qi, j);
      setF64(pG, i, gi);
    }
  } else {
    for (let i = 0; i < activeSize; i++) {
      if (statusAt(i) == FREE) {
        const Qi = getQ(i, l);
        const ai = f64At(pAlpha, i);
        for (let j = activeSize; j < l; j++) setF64(pG, j, f64At(pG, j) + ai * <f64>f32At(Qi, j));
      }
    }
  }
}

/** WSS3; returns true when already optimal (within eps). */
function selectWorkingSet(): bool {
  let Gmax = -Infinity;
  let Gmax2 = -Infinity;
  let GmaxIdx = -1;
  let GminIdx = -1;
  let objDiffMin = Infinity;
  if (gmaxValid) {
    Gmax = nextGmax;
    GmaxIdx = nextGmaxIdx;
    gmaxValid = false;
  } else {
    for (let t = 0; t < activeSize; t++) {
      const u = f64At(pUpS, t);
      if (u != 0) {
        const v = u * f64At(pG, t);
        if (v >= Gmax) {
          Gmax = v;
          GmaxIdx = t;
        }
      }
    }
  }
  const i = GmaxIdx;
  if (i != -1) {
    const Qi = getQ(i, activeSize);
    const yi = f64At(pYf, i);
    const QDi = f64At(pQD, i);
    // two positions at a time: Gmax2 is a plain maximum (the sign of a zero maximum
    // does not matter); a pair of lanes that may improve the minimum is done in order
    wssMin = objDiffMin;
    wssIdx = GminIdx;
    const zero = f64x2.splat(0);
    const GmaxV = f64x2.splat(Gmax);
    const QDiV = f64x2.splat(QDi);
    const two = f64x2.splat(2);
    const yiV = f64x2.splat(yi);
    let Gmax2V = f64x2.splat(-Infinity);
    let j = 0;
    for (; j + 2 <= activeSize; j += 2) {
      const yj = v128.load(pLowS + (<usize>j << 3));
      const v = f64x2.mul(yj, v128.load(pG + (<usize>j << 3)));
      const valid = f64x2.ne(yj, zero);
      Gmax2V = v128.bitselect(v, Gmax2V, v128.and(valid, f64x2.ge(v, Gmax2V)));
      const gd = f64x2.add(GmaxV, v);
      const cand = v128.and(valid, f64x2.gt(gd, zero));
      if (!v128.any_true(cand)) continue;
      const q = f64x2.promote_low_f32x4(v128.load64_zero(Qi + (<usize>j << 2)));
      const quad = f64x2.sub(f64x2.add(QDiV, v128.load(pQD + (<usize>j << 3))), f64x2.mul(f64x2.mul(two, f64x2.mul(yiV, yj)), q));
      const g2 = f64x2.mul(gd, gd);
      const screen = f64x2.ge(g2, f64x2.mul(f64x2.mul(f64x2.splat(-wssMin), quad), f64x2.splat(SCREEN)));
      const pass = v128.and(cand, v128.or(v128.not(f64x2.gt(quad, zero)), screen));
      if (!v128.any_true(pass)) continue;
      if (i64x2.extract_lane(cand, 0) != 0) wssCandidate(j, f64x2.extract_lane(gd, 0), f64x2.extract_lane(quad, 0));
      if (i64x2.extract_lane(cand, 1) != 0) wssCandidate(j + 1, f64x2.extract_lane(gd, 1), f64x2.extract_lane(quad, 1));
    }
    const m0 = f64x2.extract_lane(Gmax2V, 0);
    const m1 = f64x2.extract_lane(Gmax2V, 1);
    Gmax2 = m1 >= m0 ? m1 : m0;
    for (; j < activeSize; j++) {
      const yj = f64At(pLowS, j);
      if (yj != 0) {
        const v = yj * f64At(pG, j);
        if (v >= Gmax2) Gmax2 = v;
        const gd = Gmax + v;
        if (gd > 0) wssCandidate(j, gd, QDi + f64At(pQD, j) - 2 * (yi * yj) * <f64>f32At(Qi, j));
      }
    }
    objDiffMin = wssMin;
    GminIdx = wssIdx;
  } else {
    for (let j = 0; j < activeSize; j++) {
      const s = f64At(pLowS, j);
      if (s != 0) {
        const v = s * f64At(pG, j);
        if (v >= Gmax2) Gmax2 = v;
      }
    }
  }
  // a violation of +∞ (NaN never enters the maxima) cannot be reduced: stop
  if (Gmax == Infinity || Gmax2 == Infinity) {
    diverged = true;
    return true;
  }
  if (Gmax + Gmax2 < eps || GminIdx == -1) return true;
  wi = GmaxIdx;
  wj = GminIdx;
  return false;
}

/** WSS3's test of position j (gd = Gmax + y_j·G_j > 0, quad = a_ij before the TAU guard) against the minimum so far. */
let wssMin: f64 = 0;
let wssIdx: i32 = -1;
// @ts-ignore: decorator
@inline function wssCandidate(j: i32, gd: f64, quad: f64): void {
  const g2 = gd * gd;
  // cheap screen (no division) before libsvm's exact test, as in smo.ts
  if (quad > 0 ? g2 >= -wssMin * quad * SCREEN : true) {
    const od = quad > 0 ? -g2 / quad : -g2 / TAU;
    if (od <= wssMin) {
      wssIdx = j;
      wssMin = od;
    }
  }
}

function beShrunk(i: i32, Gmax1: f64, Gmax2: f64): bool {
  const s = statusAt(i);
  const g = f64At(pG, i);
  const pos = i32At(pY, i) == 1;
  if (s == UPPER) return pos ? -g > Gmax1 : -g > Gmax2;
  if (s == LOWER) return pos ? g > Gmax2 : g > Gmax1;
  return false;
}

function doShrinking(): void {
  gmaxValid = false;
  let Gmax1 = -Infinity;
  let Gmax2 = -Infinity;
  for (let i = 0; i < activeSize; i++) {
    const g = f64At(pG, i);
    const s = statusAt(i);
    if (i32At(pY, i) == 1) {
      if (s != UPPER && -g >= Gmax1) Gmax1 = -g;
      if (s != LOWER && g >= Gmax2) Gmax2 = g;
    } else {
      if (s != UPPER && -g >= Gmax2) Gmax2 = -g;
      if (s != LOWER && g >= Gmax1) Gmax1 = g;
    }
  }
  if (!unshrink && Gmax1 + Gmax2 <= eps * 10) {
    unshrink = true;
    reconstructGradient();
    activeSize = l;
  }
  for (let i = 0; i < activeSize; i++) {
    if (beShrunk(i, Gmax1, Gmax2)) {
      activeSize--;
      while (activeSize > i) {
        if (!beShrunk(activeSize, Gmax1, Gmax2)) {
          swapIndex(i, activeSize);
          break;
        }
        activeSize--;
      }
    }
  }
}

function calculateRho(): f64 {
  let nFree = 0;
  let ub = Infinity;
  let lb = -Infinity;
  let sumFree: f64 = 0;
  for (let i = 0; i < activeSize; i++) {
    const yv = i32At(pY, i);
    const yG = <f64>yv * f64At(pG, i);
    const s = statusAt(i);
    if (s == UPPER) {
      if (yv == -1) ub = min(ub, yG);
      else lb = max(lb, yG);
    } else if (s == LOWER) {
      if (yv == 1) ub = min(ub, yG);
      else lb = max(lb, yG);
    } else {
      nFree++;
      sumFree += yG;
    }
  }
  return nFree > 0 ? sumFree / <f64>nFree : (ub + lb) / 2;
}

/** Iterations of the last run. */
let iterations: i32 = 0;

/** Smo.run from α = 0; returns whether it converged (false: the iteration cap stopped it). */
function run(): bool {
  // smo.ts defaultIterationCap when none is asked for
  const cap = maxIter >= 0 ? maxIter : max(10000000, l > 21474836 ? 0x7fffffff : 100 * l);
  let iter = 0;
  let counter = min(l, 1000) + 1;
  let converged = true;
  for (;;) {
    if (iter >= cap) {
      converged = false;
      if (activeSize < l) {
        reconstructGradient();
        activeSize = l;
      }
      break;
    }
    if (--counter == 0) {
      counter = min(l, 1000);
      if (shrinking) doShrinking();
    }
    if (selectWorkingSet()) {
      if (diverged) break;
      reconstructGradient();
      activeSize = l;
      gmaxValid = false;
      if (selectWorkingSet()) break;
      counter = 1;
    }
    iter++;
    const i = wi;
    const j = wj;
    const Qi = getQ(i, activeSize);
    const Qj = getQ(j, activeSize);
    const Ci = f64At(pC, i);
    const Cj = f64At(pC, j);
    const oldAi = f64At(pAlpha, i);
    const oldAj = f64At(pAlpha, j);
    let ai = oldAi;
    let aj = oldAj;
    if (i32At(pY, i) != i32At(pY, j)) {
      let quad = f64At(pQD, i) + f64At(pQD, j) + 2 * <f64>f32At(Qi, j);
      if (quad <= 0) quad = TAU;
      const delta = (-f64At(pG, i) - f64At(pG, j)) / quad;
      const diff = ai - aj;
      ai += delta;
      aj += delta;
      if (diff > 0) {
        if (aj < 0) {
          aj = 0;
          ai = diff;
        }
      } else if (ai < 0) {
        ai = 0;
        aj = -diff;
      }
      if (diff > Ci - Cj) {
        if (ai > Ci) {
          ai = Ci;
          aj = Ci - diff;
        }
      } else if (aj > Cj) {
        aj = Cj;
        ai = Cj + diff;
      }
    } else {
      let quad = f64At(pQD, i) + f64At(pQD, j) - 2 * <f64>f32At(Qi, j);
      if (quad <= 0) quad = TAU;
      const delta = (f64At(pG, i) - f64At(pG, j)) / quad;
      const sum = ai + aj;
      ai -= delta;
      aj += delta;
      if (sum > Ci) {
        if (ai > Ci) {
          ai = Ci;
          aj = sum - Ci;
        }
      } else if (aj < 0) {
        aj = 0;
        ai = sum;
      }
      if (sum > Cj) {
        if (aj > Cj) {
          aj = Cj;
          ai = sum - Cj;
        }
      } else if (ai < 0) {
        ai = 0;
        aj = sum;
      }
    }
    // one test per iteration (not per element): ∞ − ∞ in the step gives NaN
    if (!isFinite<f64>(ai + aj)) {
      diverged = true;
      break;
    }
    setF64(pAlpha, i, ai);
    setF64(pAlpha, j, aj);
    const dAi = ai - oldAi;
    const dAj = aj - oldAj;
    const ui = statusAt(i) == UPPER;
    const uj = statusAt(j) == UPPER;
    updateStatus(i);
    updateStatus(j);
    // gradient update, and the first half of the next working-set selection on the way
    // two positions at a time: each lane keeps its maximum and the last index reaching it;
    // the lanes then combine to the scalar loop's result (the larger index on a tie)
    const zero = f64x2.splat(0);
    const dAiV = f64x2.splat(dAi);
    const dAjV = f64x2.splat(dAj);
    let maxV = f64x2.splat(-Infinity);
    let idxV = f64x2.splat(-1);
    let kV = f64x2.replace_lane(f64x2.splat(0), 1, 1);
    const twoV = f64x2.splat(2);
    let k = 0;
    for (; k + 2 <= activeSize; k += 2) {
      const at = pG + (<usize>k << 3);
      const qi = f64x2.promote_low_f32x4(v128.load64_zero(Qi + (<usize>k << 2)));
      const qj = f64x2.promote_low_f32x4(v128.load64_zero(Qj + (<usize>k << 2)));
      const gk = f64x2.add(v128.load(at), f64x2.add(f64x2.mul(qi, dAiV), f64x2.mul(qj, dAjV)));
      v128.store(at, gk);
      const u = v128.load(pUpS + (<usize>k << 3));
      const v = f64x2.mul(u, gk);
      const take = v128.and(f64x2.ne(u, zero), f64x2.ge(v, maxV));
      maxV = v128.bitselect(v, maxV, take);
      idxV = v128.bitselect(kV, idxV, take);
      kV = f64x2.add(kV, twoV);
    }
    const m0 = f64x2.extract_lane(maxV, 0);
    const m1 = f64x2.extract_lane(maxV, 1);
    const i0 = <i32>f64x2.extract_lane(idxV, 0);
    const i1 = <i32>f64x2.extract_lane(idxV, 1);
    const second = m1 > m0 || (m1 == m0 && i1 > i0);
    let Gmax = second ? m1 : m0;
    let GmaxIdx = second ? i1 : i0;
    for (; k < activeSize; k++) {
      const gk = f64At(pG, k) + (<f64>f32At(Qi, k) * dAi + <f64>f32At(Qj, k) * dAj);
      setF64(pG, k, gk);
      const u = f64At(pUpS, k);
      if (u != 0) {
        const v = u * gk;
        if (v >= Gmax) {
          Gmax = v;
          GmaxIdx = k;
        }
      }
    }
    nextGmax = Gmax;
    nextGmaxIdx = GmaxIdx;
    gmaxValid = true;

    if (ui != (statusAt(i) == UPPER)) {
      const Qfull = getQ(i, l);
      if (ui) for (let k = 0; k < l; k++) setF64(pGbar, k, f64At(pGbar, k) - Ci * <f64>f32At(Qfull, k));
      else for (let k = 0; k < l; k++) setF64(pGbar, k, f64At(pGbar, k) + Ci * <f64>f32At(Qfull, k));
    }
    if (uj != (statusAt(j) == UPPER)) {
      const Qfull = getQ(j, l);
      if (uj) for (let k = 0; k < l; k++) setF64(pGbar, k, f64At(pGbar, k) - Cj * <f64>f32At(Qfull, k));
      else for (let k = 0; k < l; k++) setF64(pGbar, k, f64At(pGbar, k) + Cj * <f64>f32At(Qfull, k));
    }
  }
  iterations = iter;
  return converged;
}

// ---------------------------------------------------------------- job

function readParams(ctl: usize): void {
  n = slot(ctl, SV_N);
  mode = slot(ctl, SV_MODE);
  blocks = <usize>slot(ctl, SV_BLOCKS_PTR);
  sqPtr = <usize>slot(ctl, SV_SQ_PTR);
  diagPtr = <usize>slot(ctl, SV_DIAG_PTR);
  const params = <usize>slot(ctl, SV_PARAMS_PTR);
  eps = f64At(params, 0);
  gamma = f64At(params, 1);
  invLn2N = f64At(params, 2);
  ln2NHi = f64At(params, 3);
  ln2NLo = f64At(params, 4);
  expTable = params + 5 * 8;
  pow2 = expTable + 64 * 8;
  shrinking = slot(ctl, SV_SHRINKING) != 0;
  maxIter = slot(ctl, SV_MAX_ITER);
}

/** Bytes of per-thread scratch for pairs of up to maxL samples (kept in step with the layout in svcPairChunk). */
export function svcScratchBytes(maxL: i32): i32 {
  const L = (maxL + 3) & ~3;
  return L * L * 4 + L * (9 * 8 + 6 * 4 + 4);
}

/** Solves class pair `pair` of the SVC job in the control block at `ctl` on thread `tid`. */
export function svcPairChunk(ctl: usize, tid: i32, pair: i32): void {
  readParams(ctl);
  const classes = <usize>slot(ctl, SV_CLASS_PTR);
  const entry = <usize>slot(ctl, SV_PAIR_PTR) + (<usize>pair << 4);
  const ci = load<i32>(entry);
  const cj = load<i32>(entry, 4);
  const out = <usize>load<i32>(entry, 8);
  sI = i32At(classes, 4 * ci);
  nI = i32At(classes, 4 * ci + 1);
  const originI = i32At(classes, 4 * ci + 3);
  wI = n - originI;
  blockI = blocks + (<usize>i32At(classes, 4 * ci + 2) << 2) - (<usize>originI << 2);
  sJ = i32At(classes, 4 * cj);
  const nJ = i32At(classes, 4 * cj + 1);
  const originJ = i32At(classes, 4 * cj + 3);
  wJ = n - originJ;
  blockJ = blocks + (<usize>i32At(classes, 4 * cj + 2) << 2) - (<usize>originJ << 2);
  l = nI + nJ;

  // scratch layout for pairs of up to L samples: the row slab first (rows of l floats), then the arrays
  const L = (slot(ctl, SV_MAX_L) + 3) & ~3;
  let at = <usize>slot(ctl, SV_SCRATCH_PTR) + <usize>tid * <usize>slot(ctl, SV_SCRATCH_BYTES);
  slab = at;
  at += <usize>L * <usize>L << 2;
  const f64Bytes = <usize>L << 3;
  pG = at; at += f64Bytes;
  pGbar = at; at += f64Bytes;
  pUpS = at; at += f64Bytes;
  pLowS = at; at += f64Bytes;
  pYf = at; at += f64Bytes;
  pAlpha = at; at += f64Bytes;
  pC = at; at += f64Bytes;
  pP = at; at += f64Bytes;
  pQD = at; at += f64Bytes;
  const i32Bytes = <usize>L << 2;
  pY = at; at += i32Bytes;
  pActive = at; at += i32Bytes;
  pPerm = at; at += i32Bytes;
  pRow = at; at += i32Bytes;
  pRowLen = at; at += i32Bytes;
  pSpare = at; at += i32Bytes;
  pStatus = at;

  // Smo's constructor from α = 0, p = −1, y = +1 for class i and −1 for class j
  const Cs = <usize>slot(ctl, SV_C_PTR);
  for (let t = 0; t < l; t++) {
    const global = t < nI ? sI + t : sJ + (t - nI);
    const y: i32 = t < nI ? 1 : -1;
    setI32(pY, t, y);
    setF64(pYf, t, <f64>y);
    setF64(pP, t, -1);
    setF64(pAlpha, t, 0);
    setF64(pC, t, f64At(Cs, global));
    setF64(pQD, t, f64At(diagPtr, global));
    setI32(pPerm, t, global);
    setI32(pActive, t, t);
    setF64(pGbar, t, 0);
    setI32(pRow, t, 0);
    setI32(pRowLen, t, 0);
  }
  spareTop = 0;
  slabNext = 0;
  activeSize = l;
  unshrink = false;
  gmaxValid = false;
  diverged = false;
  for (let t = 0; t < l; t++) {
    updateStatus(t);
    setF64(pG, t, f64At(pP, t));
  }
  for (let i = 0; i < l; i++) {
    if (statusAt(i) != LOWER) {
      const Qi = getQ(i, l);
      const ai = f64At(pAlpha, i);
      for (let j = 0; j < l; j++) setF64(pG, j, f64At(pG, j) + ai * <f64>f32At(Qi, j));
      if (statusAt(i) == UPPER) {
        const Ci = f64At(pC, i);
        for (let j = 0; j < l; j++) setF64(pGbar, j, f64At(pGbar, j) + Ci * <f64>f32At(Qi, j));
      }
    }
  }

  const converged = run();
  const rho = calculateRho();
  let obj: f64 = 0;
  for (let i = 0; i < l; i++) obj += f64At(pAlpha, i) * (f64At(pG, i) + f64At(pP, i));
  obj /= 2;
  // as Smo.run's final test (obj is finite only when every α_t and G_t is); the caller throws on NaN
  store<f64>(out, diverged || !isFinite<f64>(obj) || !isFinite<f64>(rho) ? NaN : rho);
  store<f64>(out, obj, 8);
  store<f64>(out, <f64>iterations, 16);
  store<f64>(out, converged ? 1 : 0, 24);
  const coef = out + 32;
  for (let i = 0; i < l; i++) {
    const s = i32At(pActive, i);
    setF64(coef, s, f64At(pAlpha, i) * (s < nI ? 1.0 : -1.0));
  }
}

/**
 * Rows [r0, r1) of class c's block of dot products (chunk `chunk` of an
 * SVC_DOTS job): X[start + r0 .. start + r1) · X[origin .. n)ᵀ by the GEMM
 * block kernel, each value computed as any GEMM of these rows computes it.
 */
export function svcDotsChunk(ctl: usize, tid: i32, chunk: i32): void {
  const entry = <usize>slot(ctl, SV_DOT_CHUNK_PTR) + (<usize>chunk << 4);
  const c = load<i32>(entry);
  const classEntry = <usize>slot(ctl, SV_CLASS_PTR) + (<usize>c << 4);
  const start = load<i32>(classEntry);
  const origin = load<i32>(classEntry, 12);
  const all = slot(ctl, SV_N);
  const width = all - origin;
  const d = slot(ctl, SV_D);
  // C's row i (a row of X) and column j land at row i − start, column j − origin of the block
  const block = <usize>slot(ctl, SV_BLOCKS_PTR) + (<usize>load<i32>(classEntry, 8) << 2);
  const c0 = block - ((<usize>start * <usize>width + <usize>origin) << 2);
  const scratch = <usize>slot(ctl, WORK_PTR) + <usize>tid * <usize>slot(ctl, WORK_BYTES);
  blockF32(<usize>slot(ctl, SV_X_PTR), d, false, <usize>slot(ctl, SV_BP_PTR), c0, width, d,
    start + load<i32>(entry, 4), start + load<i32>(entry, 8), origin, all, false, scratch);
}
