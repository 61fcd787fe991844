// One-vs-one C-SVC training for frugal-ml's wasm backend: one chunk of the
// job is one class pair, solved whole by the thread that claims it.
//
// This is a port of the SMO solver of src/models/svm/smo.ts (class Smo, with
// SvcQ and RowCache) and of the kernel-row fill of
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
// products of an SVC_DOTS job, svm-layout.ts, start at a multiple of GEMM's
// NR). svm-rows.ts turns them into the rows of Q and caches them, as SvcQ
// and RowCache do for the JS solver.
//
// No heap: all per-pair state lives in the claiming thread's scratch area;
// the scalars are globals, which are per instance and so per thread.
import { slot } from './gemm';
import {
  SV_BLOCKS_PTR, SV_C_PTR, SV_CLASS_PTR, SV_DIAG_PTR, SV_MAX_ITER, SV_MAX_L, SV_MODE, SV_MODE_RBF_DOTS, SV_N, SV_PAIR_PTR,
  SV_PARAMS_PTR, SV_SCRATCH_BYTES, SV_SCRATCH_PTR, SV_SHRINKING, SV_SQ_PTR,
} from './svm-layout';
import { beginPairRows, f32At, f64At, getQ, i32At, pPerm, pQD, pRow, pRowLen, pY, readKernelParams, rowsScratchBytes, setF64, setI32, swapI32, swapRows } from './svm-rows';

// the job entry points gemm.ts dispatches to: SVC_PAIRS here, SVC_DOTS in svm-layout.ts
export { SVC_DOTS, SVC_PAIRS, svcDotsChunk } from './svm-layout';

// Output of a pair at its address: f64 rho, obj, iterations, converged (1/0), then y_t·α_t for its l samples.

const LOWER: u8 = 0;
const UPPER: u8 = 1;
const FREE: u8 = 2;
const TAU: f64 = 1e-12;
const SCREEN: f64 = 1 - 1e-9;

// ---------------------------------------------------------------- job state (per thread)

let n: i32 = 0;
let blocks: usize = 0;
let eps: f64 = 0;
let shrinking = false;
let maxIter: i32 = -1;

// the pair: classes i < j (the kernel rows' part of it is in svm-rows.ts)
let nI: i32 = 0; // samples of class i (the +1 side)

// per-position arrays (byte addresses in the thread's scratch)
let pG: usize = 0;
let pGbar: usize = 0;
let pUpS: usize = 0;
let pLowS: usize = 0;
let pYf: usize = 0;
let pAlpha: usize = 0;
let pC: usize = 0;
let pP: usize = 0;
let pStatus: usize = 0; // u8
let pActive: usize = 0; // i32: activeSet

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

// ---------------------------------------------------------------- solver (smo.ts, class Smo)

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
  swapRows(i, j); // SvcQ.swapIndex: perm, y, QD and the cache
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
  blocks = <usize>slot(ctl, SV_BLOCKS_PTR);
  const params = <usize>slot(ctl, SV_PARAMS_PTR);
  eps = f64At(params, 0);
  readKernelParams(slot(ctl, SV_MODE) == SV_MODE_RBF_DOTS, <usize>slot(ctl, SV_SQ_PTR), <usize>slot(ctl, SV_DIAG_PTR), params);
  shrinking = slot(ctl, SV_SHRINKING) != 0;
  maxIter = slot(ctl, SV_MAX_ITER);
}

/** Bytes of per-thread scratch for pairs of up to maxL samples with `rowSlots` cached kernel rows (kept in step with the layout in svcPairChunk). */
export function svcScratchBytes(maxL: i32, rowSlots: i32): i32 {
  const L = (maxL + 3) & ~3;
  return rowsScratchBytes(L, rowSlots) + L * (8 * 8 + 4 + 4);
}

/** Solves class pair `pair` of the SVC job in the control block at `ctl` on thread `tid`. */
export function svcPairChunk(ctl: usize, tid: i32, pair: i32): void {
  readParams(ctl);
  const classes = <usize>slot(ctl, SV_CLASS_PTR);
  const entry = <usize>slot(ctl, SV_PAIR_PTR) + (<usize>pair << 4);
  const ci = load<i32>(entry);
  const cj = load<i32>(entry, 4);
  const out = <usize>load<i32>(entry, 8);
  const rowSlots = load<i32>(entry, 12);
  const sI = i32At(classes, 4 * ci);
  nI = i32At(classes, 4 * ci + 1);
  const originI = i32At(classes, 4 * ci + 3);
  const sJ = i32At(classes, 4 * cj);
  const nJ = i32At(classes, 4 * cj + 1);
  const originJ = i32At(classes, 4 * cj + 3);
  l = nI + nJ;

  // scratch layout for pairs of up to L samples: the kernel rows' part (the row cache first), then the solver's arrays
  const L = (slot(ctl, SV_MAX_L) + 3) & ~3;
  let at = <usize>slot(ctl, SV_SCRATCH_PTR) + <usize>tid * <usize>slot(ctl, SV_SCRATCH_BYTES);
  at = beginPairRows(at, L, rowSlots, l, sI, n - originI, blocks + (<usize>i32At(classes, 4 * ci + 2) << 2) - (<usize>originI << 2),
    sJ, n - originJ, blocks + (<usize>i32At(classes, 4 * cj + 2) << 2) - (<usize>originJ << 2));
  const f64Bytes = <usize>L << 3;
  pG = at; at += f64Bytes;
  pGbar = at; at += f64Bytes;
  pUpS = at; at += f64Bytes;
  pLowS = at; at += f64Bytes;
  pYf = at; at += f64Bytes;
  pAlpha = at; at += f64Bytes;
  pC = at; at += f64Bytes;
  pP = at; at += f64Bytes;
  pActive = at; at += <usize>L << 2;
  pStatus = at;

  // Smo's constructor from α = 0, p = −1, y = +1 for class i and −1 for class j
  const Cs = <usize>slot(ctl, SV_C_PTR);
  const diag = <usize>slot(ctl, SV_DIAG_PTR);
  for (let t = 0; t < l; t++) {
    const global = t < nI ? sI + t : sJ + (t - nI);
    const y: i32 = t < nI ? 1 : -1;
    setI32(pY, t, y);
    setF64(pYf, t, <f64>y);
    setF64(pP, t, -1);
    setF64(pAlpha, t, 0);
    setF64(pC, t, f64At(Cs, global));
    setF64(pQD, t, f64At(diag, global));
    setI32(pPerm, t, global);
    setI32(pActive, t, t);
    setF64(pGbar, t, 0);
    setI32(pRow, t, 0);
    setI32(pRowLen, t, 0);
  }
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
