/**
 * libsvm's C-SVC and epsilon-SVR training on top of the SMO solver (smo.ts):
 * class grouping and one-vs-one training, the model layout scikit-learn
 * exposes (`support_`, `n_support_`, `dual_coef_` as [nClasses−1, nSV], one
 * `rho` per pair) and Platt's cross-validated decision values. Beside it:
 * kernel-sources.ts (where the solver's kernel rows come from), platt.ts
 * (the sigmoid fit and the pairwise coupling), decision.ts (prediction),
 * svm-params.ts (parameter checks).
 *
 * Kernel values (feature kernels):
 * - a pair whose blocks K_ii, K_jj, K_ij fit `cacheSize` gets them from the
 *   backend GEMM, a few large calls per fit: small problems compute
 *   K(class c, classes c..k−1) once per class; larger ones compute K(c, c)
 *   once (shared by the k−1 pairs with class c) and one K(i, classes > i)
 *   block per row of pairs. Float32 problems keep dot products in the
 *   blocks and turn a row into kernel values (exp for RBF) only when the
 *   solver first asks for it: most rows never are (about 12% on
 *   Fashion-MNIST, where the support vectors are 44% of the samples).
 * - otherwise rows are computed on demand (plain loops) into the LRU cache,
 *   as libsvm does.
 * Either way the solver sees rows of float32 Q values through its
 * position-ordered cache (`SvcQ`), exactly as libsvm's `Cache` holds them.
 *
 * Where the backend offers it (the wasm backend, on a thread that may
 * block), C-SVC without probability hands all pairs to it at once
 * (`Backend.svcPairs`): the pairs are solved in parallel by a port of the
 * solver, from the blocks of the small-problem path, with the same results.
 */
import { svcPairs } from '../../backend/routines/svc-pairs.js';
import type { Generator } from '../../tensor/random.js';
import type { Matrix } from '../../utils/validation.js';
import { type Kernel, useFloat32 } from './kernel-functions.js';
import {
  PairBlockSource,
  pairFits,
  plainSource,
  fitsInCache,
  SMALL_UPPER_FLOATS,
  SubsetSource,
  transpose,
  TRANSPOSE_MIN,
  type KernelData,
  type SolverParams,
  type Window,
} from './kernel-sources.js';
import { sigmoidTrain } from './platt.js';
import { smoDivergedError, solveSmo, SvcQ, SvrQ, type KernelSource } from './smo.js';

interface BinaryResult {
  /** y_i·α_i in sub-problem order. */
  coef: Float64Array;
  rho: number;
  iter: number;
  converged: boolean;
}

/** libsvm's solve_c_svc: y ±1, per-sample upper bounds C. */
function solveCsvc(src: KernelSource, y: Int8Array, C: Float64Array, sp: SolverParams): BinaryResult {
  const l = y.length;
  const p = new Float64Array(l).fill(-1);
  const Q = new SvcQ(src, y, Math.floor(sp.cacheBytes / 4), sp.slab);
  const r = solveSmo(Q, p, y, new Float64Array(l), C, { eps: sp.eps, shrinking: sp.shrinking, maxIter: sp.maxIter, who: 'SVC' });
  const coef = r.alpha;
  for (let i = 0; i < l; i++) coef[i] *= y[i];
  return { coef, rho: r.rho, iter: r.iter, converged: r.converged };
}

// ---------------------------------------------------------------- all pairs on the backend

/** Largest class blocks (bytes) handed to the backend's pair solver (the wasm backend's own limit). */
const BACKEND_BLOCK_BYTES = 64 * 2 ** 20;
let pairSolver: 'auto' | 'js' = 'auto';

/**
 * @internal 'js' keeps every pair on the JS solver; 'auto' lets the backend
 * take them where it can (tests compare the two). Returns the previous setting.
 */
export function setPairSolver(s: 'auto' | 'js'): 'auto' | 'js' {
  const old = pairSolver;
  pairSolver = s;
  return old;
}

/**
 * Every pair of a C-SVC fit solved by the backend at once (the wasm
 * backend: pairs in parallel, on a port of the solver). It gets the blocks
 * K(class c, classes c..k−1) of the small-problem path of trainSvc (float32
 * dot products, mapped as rows are needed, for float32 RBF problems; kernel
 * values otherwise), so the results are those of the JS solver to the bit.
 * Null where the backend does not offer it or the JS solver's budgets
 * (blocks and every pair's rows within cacheBytes) would not hold.
 */
function solvePairsOnBackend(kd: KernelData, start: Int32Array, count: Int32Array, W: Float64Array, tp: SvcTrainParams, use32: boolean): BinaryResult[] | null {
  const rows = kd.rows;
  if (pairSolver !== 'auto' || !svcPairs.available() || !rows || tp.probability) return null;
  const k = count.length;
  const n = rows.rows;
  let upper = 0;
  let maxL = 0;
  for (let i = 0; i < k; i++) {
    upper += count[i] * (n - start[i]);
    for (let j = i + 1; j < k; j++) maxL = Math.max(maxL, count[i] + count[j]);
  }
  if (upper * 4 > Math.min(tp.cacheBytes, BACKEND_BLOCK_BYTES) || maxL * maxL * 4 > tp.cacheBytes) return null;
  const kernel = kd.kernel;
  const rbfDots = use32 && kernel.type === 'rbf';
  const diag = new Float64Array(n);
  const C = new Float64Array(n);
  for (let c = 0; c < k; c++) {
    for (let t = start[c]; t < start[c] + count[c]; t++) {
      diag[t] = kernel.diag(rows, t);
      C[t] = W[t] * tp.classC[c];
    }
  }
  // as trainSvc's blockOf (with use32, its lazy rows map the dots as block() does, RBF aside);
  // the backend computes dot products itself, with the GEMM kernel.dots would call
  const blocks = rbfDots
    ? { rows: (rows.f32 ??= Float32Array.from(rows.data)), cols: rows.cols }
    : (): Float32Array[] => {
        const out: Float32Array[] = [];
        for (let c = 0; c < k; c++) {
          const b = new Float32Array(count[c] * (n - start[c]));
          kernel.block(rows, start[c], start[c] + count[c], rows, start[c], n, b, 0, use32);
          out.push(b);
        }
        return out;
      };
  const r = svcPairs.run({
    classStart: start,
    classCount: count,
    blocks,
    mode: rbfDots ? 'rbfDots' : 'values',
    gamma: kernel.gamma,
    sq: rows.sq,
    diag,
    C,
    eps: tp.eps,
    shrinking: tp.shrinking,
    maxIter: tp.maxIter,
  });
  if (!r) return null;
  if (r.rho.some((rho) => !Number.isFinite(rho))) throw smoDivergedError('SVC'); // the port's report of non-finite values
  return r.coef.map((coef, p) => ({ coef, rho: r.rho[p], iter: r.iter[p], converged: r.converged[p] }));
}

/**
 * Platt's A, B for one binary problem (libsvm's svm_binary_svc_probability):
 * 5-fold cross-validated decision values (folds from `rng`), then
 * {@link sigmoidTrain}.
 */
function binaryProbability(src: KernelSource, y: Int8Array, W: Float64Array, Cp: number, Cn: number, sp: SolverParams, rng: Generator): [number, number] {
  const l = y.length;
  const nrFold = 5;
  const perm = new Int32Array(l);
  for (let i = 0; i < l; i++) perm[i] = i;
  for (let i = 0; i < l; i++) {
    const j = i + Math.floor(rng.random() * (l - i));
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const dec = new Float64Array(l);
  for (let f = 0; f < nrFold; f++) {
    const begin = Math.floor((f * l) / nrFold);
    const end = Math.floor(((f + 1) * l) / nrFold);
    const train: number[] = [];
    for (let j = 0; j < begin; j++) train.push(perm[j]);
    for (let j = end; j < l; j++) train.push(perm[j]);
    let pc = 0;
    let nc = 0;
    for (const t of train) if (y[t] > 0) pc++;
    nc = train.length - pc;
    if (pc === 0 || nc === 0) {
      const v = pc === 0 && nc === 0 ? 0 : pc > 0 ? 1 : -1;
      for (let j = begin; j < end; j++) dec[perm[j]] = v;
      continue;
    }
    // as libsvm's svm_train groups the sub-problem: label −1 first (sorted labels), then +1;
    // the first group is the positive side of its decision function.
    const order: number[] = [];
    for (const t of train) if (y[t] < 0) order.push(t);
    for (const t of train) if (y[t] > 0) order.push(t);
    const map = Int32Array.from(order);
    const ys = new Int8Array(map.length);
    const Cs = new Float64Array(map.length);
    for (let k = 0; k < map.length; k++) {
      const neg = y[map[k]] < 0;
      ys[k] = neg ? 1 : -1;
      Cs[k] = W[map[k]] * (neg ? Cn : Cp);
    }
    const sub = new SubsetSource(src, map);
    const res = solveCsvc(sub, ys, Cs, sp);
    const svIdx: number[] = [];
    const svCoef: number[] = [];
    for (let k = 0; k < map.length; k++) {
      if (res.coef[k] !== 0) {
        svIdx.push(map[k]);
        svCoef.push(res.coef[k]);
      }
    }
    const svs = Int32Array.from(svIdx);
    const row = new Float32Array(svs.length);
    for (let j = begin; j < end; j++) {
      const h = perm[j];
      src.fill(h, svs, 0, svs.length, row);
      let s = 0;
      for (let k = 0; k < svs.length; k++) s += svCoef[k] * row[k];
      // the sub-model's first label is −1: flip so positive means +1
      dec[h] = -(s - res.rho);
    }
  }
  const pos = new Array<boolean>(l);
  for (let i = 0; i < l; i++) pos[i] = y[i] > 0;
  return sigmoidTrain(dec, pos);
}

// ---------------------------------------------------------------- C-SVC

export interface SvcProblem {
  /** Samples with positive weight, in original order. */
  X: Matrix | null;
  /** Class index per sample. */
  y: Int32Array;
  nClasses: number;
  /** Per-sample weight (1 without sample weights). */
  W: Float64Array;
  /** Original sample index of each row (samples with zero weight removed). */
  index: Int32Array;
}

export interface SvcModel {
  /** Indices (into the fit's X) of the support vectors, grouped by class. */
  support: Int32Array;
  nSupport: Int32Array;
  /** [nClasses−1, nSV] row-major, libsvm's layout and signs. */
  coef: Float64Array;
  /** One per pair (i < j, in order (0,1), (0,2), ...). */
  rho: Float64Array;
  probA: Float64Array | null;
  probB: Float64Array | null;
  nIter: Int32Array;
  converged: boolean;
}

export interface SvcTrainParams extends SolverParams {
  /** C times the class weight, per class. */
  classC: Float64Array;
  probability: boolean;
  rng: Generator | null;
}

/**
 * One-vs-one C-SVC (libsvm's svm_train for C_SVC). `kd.rows` must hold the
 * samples grouped by class (see {@link groupByClass}).
 */
export function trainSvc(kd: KernelData, y: Int32Array, W: Float64Array, nClasses: number, tp: SvcTrainParams): SvcModel {
  const { start, count } = classRanges(y, nClasses);
  const n = y.length;
  const k = nClasses;
  const nPairs = (k * (k - 1)) / 2;
  const results: BinaryResult[] = [];
  const rows = kd.rows;
  const d = rows ? rows.cols : 0;
  const use32 = useFloat32(((n * n) / 2) * d);
  // every pair at once on the backend where it offers that (the same results); otherwise pair by pair below
  const onBackend = solvePairsOnBackend(kd, start, count, W, tp, use32);
  if (onBackend) results.push(...onBackend);
  // one row-cache slab for all pairs when the largest pair's kernel matrix fits the cache
  let maxL = 0;
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) maxL = Math.max(maxL, count[i] + count[j]);
  const sp: SvcTrainParams = !onBackend && maxL * maxL * 4 <= tp.cacheBytes ? { ...tp, slab: new Float32Array(maxL * maxL) } : tp;
  const probA = tp.probability ? new Float64Array(nPairs) : null;
  const probB = tp.probability ? new Float64Array(nPairs) : null;
  // Kernel blocks (feature kernels, pairs whose kernel matrix fits the cache), by GEMM:
  // - small problems: for each class c one block K(class c, classes c..k−1), made on
  //   first use and kept (n²/2 floats), so a fit makes k GEMM calls;
  // - otherwise K(c, c) per class, kept while a later pair needs it, and for row i one
  //   block K(class i, classes i+1..k−1) shared by the pairs (i, j).
  const small = rows !== null && (n * n) / 2 <= Math.min(tp.cacheBytes / 4, SMALL_UPPER_FLOATS);
  // float32 problems keep dot products in the blocks and map each row to kernel
  // values when the solver asks for it (most rows never are); float64 ones keep kernel values.
  const blockOf = (a0: number, a1: number, b0: number, b1: number, out: Float32Array): void => {
    if (use32) kd.kernel.dots(rows!, a0, a1, rows!, b0, b1, out);
    else kd.kernel.block(rows!, a0, a1, rows!, b0, b1, out, 0, false);
  };
  const upper = new Map<number, Float32Array>();
  const upperBlock = (c: number): Window => {
    let b = upper.get(c);
    if (!b) {
      b = new Float32Array(count[c] * (n - start[c]));
      blockOf(start[c], start[c] + count[c], start[c], n, b);
      upper.set(c, b);
    }
    return { data: b, offset: 0, stride: n - start[c] };
  };
  const diagBlocks = new Map<number, Float32Array>();
  const lastPair = (c: number): [number, number] => (c < k - 1 ? [c, k - 1] : [k - 2, k - 1]);
  const diagWindow = (c: number): Window => {
    if (small) return upperBlock(c);
    let b = diagBlocks.get(c);
    if (!b) {
      b = new Float32Array(count[c] * count[c]);
      blockOf(start[c], start[c] + count[c], start[c], start[c] + count[c], b);
      diagBlocks.set(c, b);
    }
    return { data: b, offset: 0, stride: count[c] };
  };
  let p = 0;
  for (let i = 0; i < k && !onBackend; i++) {
    const restStart = i + 1 < k ? start[i + 1] : n;
    const restWidth = n - restStart;
    let rowFits = rows !== null && !small;
    for (let j = i + 1; j < k; j++) rowFits &&= pairFits(count[i], count[j], tp.cacheBytes);
    let rowBlock: Float32Array | null = null;
    if (rowFits && restWidth > 0) {
      rowBlock = new Float32Array(count[i] * restWidth);
      blockOf(start[i], start[i] + count[i], restStart, n, rowBlock);
    }
    for (let j = i + 1; j < k; j++, p++) {
      const ci = count[i];
      const cj = count[j];
      const l = ci + cj;
      const map = new Int32Array(l);
      const ys = new Int8Array(l);
      const Cs = new Float64Array(l);
      const Ws = new Float64Array(l);
      for (let t = 0; t < ci; t++) {
        map[t] = start[i] + t;
        ys[t] = 1;
      }
      for (let t = 0; t < cj; t++) {
        map[ci + t] = start[j] + t;
        ys[ci + t] = -1;
      }
      for (let t = 0; t < l; t++) {
        Ws[t] = W[map[t]];
        Cs[t] = Ws[t] * (ys[t] > 0 ? tp.classC[i] : tp.classC[j]);
      }
      let src: KernelSource;
      if (rows && (small || pairFits(ci, cj, tp.cacheBytes))) {
        let Kij: Window;
        if (small) {
          const u = upperBlock(i);
          Kij = { data: u.data, offset: u.offset + start[j] - start[i], stride: u.stride };
        } else if (rowBlock) {
          Kij = { data: rowBlock, offset: start[j] - restStart, stride: restWidth };
        } else {
          const b = new Float32Array(ci * cj);
          blockOf(start[i], start[i] + ci, start[j], start[j] + cj, b);
          Kij = { data: b, offset: 0, stride: cj };
        }
        const kdiag = new Float64Array(l);
        for (let t = 0; t < l; t++) kdiag[t] = kd.kernel.diag(rows, map[t]);
        // big blocks: a transposed copy makes class-j rows contiguous reads
        const Kji = ci * cj >= TRANSPOSE_MIN ? transpose(Kij.data, Kij.offset, Kij.stride, ci, cj) : null;
        let lazy: { kernel: Kernel; sq: Float64Array } | null = null;
        if (use32) {
          const sq = new Float64Array(l);
          if (rows.sq.length) for (let t = 0; t < l; t++) sq[t] = rows.sq[map[t]];
          lazy = { kernel: kd.kernel, sq };
        }
        src = new PairBlockSource(ci, cj, diagWindow(i), diagWindow(j), Kij, Kji, kdiag, lazy);
      } else {
        src = plainSource(kd, map, use32);
      }
      if (tp.probability) {
        const [A, B] = binaryProbability(src, ys, Ws, tp.classC[i], tp.classC[j], sp, tp.rng!);
        probA![p] = A;
        probB![p] = B;
      }
      results.push(solveCsvc(src, ys, Cs, sp));
      // drop blocks no later pair needs
      for (const c of [i, j]) {
        const [a, b] = lastPair(c);
        if (a === i && b === j) {
          diagBlocks.delete(c);
          upper.delete(c);
        }
      }
    }
  }

  // support vectors: samples with a nonzero coefficient in any pair
  const nonzero = new Uint8Array(n);
  p = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++, p++) {
      const c = results[p].coef;
      for (let t = 0; t < count[i]; t++) if (c[t] !== 0) nonzero[start[i] + t] = 1;
      for (let t = 0; t < count[j]; t++) if (c[count[i] + t] !== 0) nonzero[start[j] + t] = 1;
    }
  }
  const nSupport = new Int32Array(k);
  for (let c = 0; c < k; c++) for (let t = 0; t < count[c]; t++) if (nonzero[start[c] + t]) nSupport[c]++;
  let nSV = 0;
  const nzStart = new Int32Array(k);
  for (let c = 0; c < k; c++) {
    nzStart[c] = nSV;
    nSV += nSupport[c];
  }
  const support = new Int32Array(nSV);
  let q = 0;
  for (let t = 0; t < n; t++) if (nonzero[t]) support[q++] = t;
  const coef = new Float64Array((k - 1) * nSV);
  const rho = new Float64Array(nPairs);
  const nIter = new Int32Array(nPairs);
  let converged = true;
  p = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++, p++) {
      const r = results[p];
      rho[p] = r.rho;
      nIter[p] = r.iter;
      converged &&= r.converged;
      q = nzStart[i];
      for (let t = 0; t < count[i]; t++) if (nonzero[start[i] + t]) coef[(j - 1) * nSV + q++] = r.coef[t];
      q = nzStart[j];
      for (let t = 0; t < count[j]; t++) if (nonzero[start[j] + t]) coef[i * nSV + q++] = r.coef[count[i] + t];
    }
  }
  return { support, nSupport, coef, rho, probA, probB, nIter, converged };
}

/** Start and size of each class's run in class-grouped order. */
export function classRanges(y: Int32Array, nClasses: number): { start: Int32Array; count: Int32Array } {
  const count = new Int32Array(nClasses);
  for (let i = 0; i < y.length; i++) count[y[i]]++;
  const start = new Int32Array(nClasses);
  for (let c = 1; c < nClasses; c++) start[c] = start[c - 1] + count[c - 1];
  return { start, count };
}

/** The stable permutation that groups samples by class (libsvm's svm_group_classes with sorted labels). */
export function groupByClass(y: Int32Array, nClasses: number): Int32Array {
  const { start } = classRanges(y, nClasses);
  const next = start.slice();
  const perm = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) perm[next[y[i]]++] = i;
  return perm;
}

// ---------------------------------------------------------------- epsilon-SVR

export interface SvrModel {
  support: Int32Array;
  coef: Float64Array;
  rho: number;
  nIter: number;
  converged: boolean;
}

/** libsvm's solve_epsilon_svr. */
export function trainSvr(kd: KernelData, y: Float64Array, W: Float64Array, C: number, epsilon: number, sp: SolverParams): SvrModel {
  const l = y.length;
  let src: KernelSource;
  const ident = new Int32Array(l);
  for (let i = 0; i < l; i++) ident[i] = i;
  const use32 = kd.rows !== null && useFloat32(((l * l) / 2) * kd.rows.cols);
  if (kd.rows && fitsInCache(l, sp.cacheBytes)) {
    const K = new Float32Array(l * l);
    kd.kernel.block(kd.rows, 0, l, kd.rows, 0, l, K, 0, use32);
    const kdiag = new Float64Array(l);
    for (let t = 0; t < l; t++) kdiag[t] = kd.kernel.diag(kd.rows, t);
    const none: Window = { data: new Float32Array(0), offset: 0, stride: 0 };
    src = new PairBlockSource(l, 0, { data: K, offset: 0, stride: l }, none, none, null, kdiag);
  } else {
    src = plainSource(kd, ident, use32);
  }
  const p = new Float64Array(2 * l);
  const ys = new Int8Array(2 * l);
  const Cs = new Float64Array(2 * l);
  for (let i = 0; i < l; i++) {
    p[i] = epsilon - y[i];
    ys[i] = 1;
    p[i + l] = epsilon + y[i];
    ys[i + l] = -1;
    Cs[i] = Cs[i + l] = C * W[i];
  }
  const Q = new SvrQ(src, Math.floor(sp.cacheBytes / 4));
  const r = solveSmo(Q, p, ys, new Float64Array(2 * l), Cs, { eps: sp.eps, shrinking: sp.shrinking, maxIter: sp.maxIter, who: 'SVR' });
  const sv: number[] = [];
  const cf: number[] = [];
  for (let i = 0; i < l; i++) {
    const a = r.alpha[i] - r.alpha[i + l];
    if (a !== 0) {
      sv.push(i);
      cf.push(a);
    }
  }
  return { support: Int32Array.from(sv), coef: Float64Array.from(cf), rho: r.rho, nIter: r.iter, converged: r.converged };
}
