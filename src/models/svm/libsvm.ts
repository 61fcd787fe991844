/**
 * libsvm's C-SVC and epsilon-SVR training on top of the SMO solver (smo.ts):
 * class grouping and one-vs-one training, the model layout scikit-learn
 * exposes (`support_`, `n_support_`, `dual_coef_` as [nClasses−1, nSV], one
 * `rho` per pair) and Platt's cross-validated decision values. Beside it:
 * kernel-sources.ts (where the solver's kernel rows come from), platt.ts
 * (the sigmoid fit and the pairwise coupling), decision.ts (prediction),
 * svm-params.ts (parameter checks).
 *
 * Memory: `cacheBytes` (scikit-learn's cache_size) bounds the kernel values
 * a fit keeps: the blocks a pair reads plus its row cache, or, on the
 * backend, the blocks of a wave of pairs plus every thread's row cache.
 *
 * Kernel values (feature kernels):
 * - a pair whose blocks K_ii, K_jj, K_ij fit `cacheBytes` gets them from the
 *   backend GEMM (svm-pair-blocks.ts: which are kept, within the budget).
 *   Float32 problems keep dot products in the blocks and turn a row into
 *   kernel values (exp for RBF) only when the solver first asks for it:
 *   most rows never are (about 12% on Fashion-MNIST, where the support
 *   vectors are 44% of the samples).
 * - otherwise rows are computed on demand (plain loops) into the LRU cache,
 *   as libsvm does.
 * Either way the solver sees rows of float32 Q values through its
 * position-ordered cache (`SvcQ`), as libsvm's `Cache` holds them; the row
 * cache gets what the blocks leave of the budget (at least two rows).
 *
 * Where the backend offers it (the wasm backend, on a thread that may
 * block), C-SVC without probability hands the pairs to it
 * (svm-pairs-backend.ts): solved in parallel by a port of the solver, in
 * waves of classes whose blocks fit the budget, with the same results.
 */
import type { Generator } from '../../tensor/random.js';
import type { Matrix } from '../../utils/validation.js';
import { useFloat32 } from './kernel-functions.js';
import { PairBlockSource, plainSource, fitsInCache, SubsetSource, type KernelData, type SolverParams, type Window } from './kernel-sources.js';
import { sigmoidTrain } from './platt.js';
import { rowSlots } from './smo-q.js';
import { solveSmo, SvcQ, SvrQ, type KernelSource } from './smo.js';
import { PairBlocks } from './svm-pair-blocks.js';
import { type BinaryResult, solvePairsOnBackend } from './svm-pairs-backend.js';

export { setPairSolver } from './svm-pairs-backend.js';

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
  const rows = kd.rows;
  const d = rows ? rows.cols : 0;
  const use32 = useFloat32(((n * n) / 2) * d);
  const C = new Float64Array(n);
  for (let c = 0; c < k; c++) for (let t = start[c]; t < start[c] + count[c]; t++) C[t] = W[t] * tp.classC[c];
  // the pairs on the backend where it offers that (the same results), the others pair by pair below
  const onBackend = solvePairsOnBackend(kd, { ...tp, start, count, C, use32 }, tp.probability);
  const results: (BinaryResult | null)[] = onBackend ?? new Array<BinaryResult | null>(nPairs).fill(null);
  const probA = tp.probability ? new Float64Array(nPairs) : null;
  const probB = tp.probability ? new Float64Array(nPairs) : null;
  // kernel blocks (feature kernels) within the budget; each pair's row cache gets what they leave
  const blocks = rows ? new PairBlocks(kd.kernel, rows, start, count, use32, tp.cacheBytes) : null;
  const budgetFloats = Math.floor(tp.cacheBytes / 4);
  const rowFloats = (i: number, j: number): number => budgetFloats - (blocks ? blocks.liveFloats(i, j) : 0);
  // one row-cache slab for the pairs, as large as the largest pair's cache
  let slabFloats = 0;
  for (let i = 0, p = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++, p++) {
      const l = count[i] + count[j];
      if (!results[p]) slabFloats = Math.max(slabFloats, rowSlots(l, rowFloats(i, j)) * l);
    }
  }
  const slab = slabFloats > 0 ? new Float32Array(slabFloats) : undefined;
  for (let i = 0, p = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++, p++) {
      if (!results[p]) {
        const ci = count[i];
        const cj = count[j];
        const l = ci + cj;
        const map = new Int32Array(l);
        const ys = new Int8Array(l);
        for (let t = 0; t < l; t++) {
          map[t] = t < ci ? start[i] + t : start[j] + t - ci;
          ys[t] = t < ci ? 1 : -1;
        }
        const Cs = Float64Array.from(map, (t) => C[t]);
        const src = blocks?.fits(i, j) ? blocks.source(i, j, map) : plainSource(kd, map, use32);
        const sp: SolverParams = { ...tp, cacheBytes: rowFloats(i, j) * 4, slab };
        if (tp.probability) {
          const Ws = Float64Array.from(map, (t) => W[t]);
          const [A, B] = binaryProbability(src, ys, Ws, tp.classC[i], tp.classC[j], sp, tp.rng!);
          probA![p] = A;
          probB![p] = B;
        }
        results[p] = solveCsvc(src, ys, Cs, sp);
      }
      blocks?.done(i, j);
    }
  }

  // support vectors: samples with a nonzero coefficient in any pair
  const nonzero = new Uint8Array(n);
  let p = 0;
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++, p++) {
      const c = results[p]!.coef;
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
      const r = results[p]!;
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
  // the row cache gets what the precomputed kernel matrix leaves of the budget
  const Q = new SvrQ(src, Math.floor(sp.cacheBytes / 4) - (src instanceof PairBlockSource ? l * l : 0));
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
