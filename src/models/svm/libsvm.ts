/**
 * libsvm's C-SVC and epsilon-SVR on top of the SMO solver: class grouping
 * and one-vs-one training, the model layout scikit-learn exposes
 * (`support_`, `n_support_`, `dual_coef_` as [nClasses−1, nSV], one `rho`
 * per pair), decision values, Platt scaling (sigmoid fitted on 5-fold
 * cross-validated decision values, Lin, Lin & Weng 2007) and pairwise
 * coupling of the pairwise probabilities (Wu, Lin & Weng 2004).
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
import { ValueError } from '../../errors.js';
import { gemm } from '../../backend/index.js';
import { svcPairs } from '../../backend/routines/svc-pairs.js';
import { Generator } from '../../tensor/random.js';
import type { Matrix } from '../../utils/validation.js';
import { FAST_EXP_CONSTANTS, fastExpF32, Kernel, useFloat32, type KernelRows } from './kernels.js';
import { smoDivergedError, solveSmo, SvcQ, SvrQ, type KernelSource } from './smo.js';

// ---------------------------------------------------------------- kernel sources

/** Kernel rows computed on demand from feature rows (plain loops; float32 data for float32 problems). */
class ComputeSource implements KernelSource {
  private readonly tmp: Int32Array;
  private readonly scratch: Float64Array;
  constructor(
    private readonly kernel: Kernel,
    private readonly rows: KernelRows,
    /** local index → row of `rows` */
    private readonly map: Int32Array,
    private readonly use32 = false,
  ) {
    this.tmp = new Int32Array(map.length);
    this.scratch = new Float64Array(map.length);
  }

  get size(): number {
    return this.map.length;
  }
  fill(o: number, idx: Int32Array, start: number, end: number, out: Float32Array): void {
    const { map, tmp } = this;
    for (let t = start; t < end; t++) tmp[t] = map[idx[t]];
    this.kernel.rowInto(this.rows, map[o], this.rows, tmp, start, end, out, this.scratch, this.use32);
  }
  diag(o: number): number {
    return this.kernel.diag(this.rows, this.map[o]);
  }
}

/** A full Gram matrix (float64, n×n) by original index, seen through a local → original map. */
class GramSource implements KernelSource {
  constructor(
    private readonly gram: Float64Array,
    private readonly n: number,
    private readonly map: Int32Array,
  ) {}
  get size(): number {
    return this.map.length;
  }
  fill(o: number, idx: Int32Array, start: number, end: number, out: Float32Array): void {
    const base = this.map[o] * this.n;
    const { gram, map } = this;
    for (let t = start; t < end; t++) out[t] = gram[base + map[idx[t]]];
  }
  diag(o: number): number {
    const r = this.map[o];
    return this.gram[r * this.n + r];
  }
}

/** A row-major window of a float32 matrix: element (r, c) at data[offset + r·stride + c]. */
export interface Window {
  data: Float32Array;
  offset: number;
  stride: number;
}

/**
 * The kernel matrix of a pair of classes (ni samples of class i first, then
 * nj of class j) held as float32 blocks: K_ii and K_jj (shared between
 * pairs), K_ij, and optionally its transpose K_ji (otherwise rows of class
 * j read K_ij by column).
 */
class PairBlockSource implements KernelSource {
  readonly size: number;
  constructor(
    private readonly ni: number,
    private readonly nj: number,
    private readonly Kii: Window,
    private readonly Kjj: Window,
    private readonly Kij: Window,
    private readonly Kji: Float32Array | null,
    /** K(x, x) in float64 for the ni + nj samples (libsvm keeps Q_ii in double). */
    private readonly kdiag: Float64Array,
    /** When set, the blocks hold dot products and rows are mapped to kernel values as they are filled. */
    private readonly lazy: { kernel: Kernel; sq: Float64Array } | null = null,
  ) {
    this.size = ni + nj;
  }
  fill(o: number, idx: Int32Array, start: number, end: number, out: Float32Array, identity = false): void {
    const lazy = this.lazy;
    if (lazy && identity && lazy.kernel.type === 'rbf') {
      this.fillRbfIdentity(o, start, end, out, lazy.kernel.gamma, lazy.sq);
      return;
    }
    this.gather(o, idx, start, end, out);
    if (lazy) lazy.kernel.mapRow(out, o, idx, start, end, lazy.sq, this.kdiag[o]);
  }

  /**
   * The common case (no shrinking yet, RBF, dot-product blocks): contiguous runs, fused with exp.
   * (asm/svm.ts's fillRow computes the same values for the wasm pair solver.)
   */
  private fillRbfIdentity(o: number, start: number, end: number, out: Float32Array, g: number, sq: Float64Array): void {
    const ni = this.ni;
    const so = sq[o];
    const mid = Math.min(Math.max(ni, start), end);
    let a: Float32Array, aBase: number, b: Float32Array, bBase: number;
    if (o < ni) {
      a = this.Kii.data;
      aBase = this.Kii.offset + o * this.Kii.stride;
      b = this.Kij.data;
      bBase = this.Kij.offset + o * this.Kij.stride - ni;
    } else {
      const oj = o - ni;
      if (this.Kji) {
        a = this.Kji;
        aBase = oj * ni;
      } else {
        a = this.Kij.data;
        aBase = -1; // column oj of K_ij
      }
      b = this.Kjj.data;
      bBase = this.Kjj.offset + oj * this.Kjj.stride - ni;
    }
    if (aBase >= 0) {
      for (let t = start; t < mid; t++) {
        let d = so + sq[t] - 2 * a[aBase + t];
        if (d < 0) d = 0;
        out[t] = fastExpF32(-g * d);
      }
    } else {
      const stride = this.Kij.stride;
      const base = this.Kij.offset + (o - ni);
      for (let t = start; t < mid; t++) {
        let d = so + sq[t] - 2 * a[base + t * stride];
        if (d < 0) d = 0;
        out[t] = fastExpF32(-g * d);
      }
    }
    for (let t = mid; t < end; t++) {
      let d = so + sq[t] - 2 * b[bBase + t];
      if (d < 0) d = 0;
      out[t] = fastExpF32(-g * d);
    }
    if (o >= start && o < end) out[o] = this.kdiag[o];
  }
  private gather(o: number, idx: Int32Array, start: number, end: number, out: Float32Array): void {
    const ni = this.ni;
    if (o < ni) {
      const same = this.Kii.data;
      const other = this.Kij.data;
      const sBase = this.Kii.offset + o * this.Kii.stride;
      const oBase = this.Kij.offset + o * this.Kij.stride - ni;
      for (let t = start; t < end; t++) {
        const k = idx[t];
        out[t] = k < ni ? same[sBase + k] : other[oBase + k];
      }
      return;
    }
    o -= ni;
    const same = this.Kjj.data;
    const sBase = this.Kjj.offset + o * this.Kjj.stride - ni;
    if (this.Kji) {
      const other = this.Kji;
      const oBase = o * ni;
      for (let t = start; t < end; t++) {
        const k = idx[t];
        out[t] = k < ni ? other[oBase + k] : same[sBase + k];
      }
    } else {
      const other = this.Kij.data;
      const oBase = this.Kij.offset + o;
      const os = this.Kij.stride;
      for (let t = start; t < end; t++) {
        const k = idx[t];
        out[t] = k < ni ? other[oBase + k * os] : same[sBase + k];
      }
    }
  }
  diag(o: number): number {
    return this.kdiag[o];
  }
}

/** A subset of another source's samples (for the probability cross-validation). */
class SubsetSource implements KernelSource {
  private readonly tmp: Int32Array;
  constructor(
    private readonly parent: KernelSource,
    private readonly map: Int32Array,
  ) {
    this.tmp = new Int32Array(map.length);
  }
  get size(): number {
    return this.map.length;
  }
  fill(o: number, idx: Int32Array, start: number, end: number, out: Float32Array): void {
    const { map, tmp } = this;
    for (let t = start; t < end; t++) tmp[t] = map[idx[t]];
    this.parent.fill(map[o], tmp, start, end, out);
  }
  diag(o: number): number {
    return this.parent.diag(this.map[o]);
  }
}

/** The transpose of the rows×cols window of `src` at `offset` with row stride `stride`. */
function transpose(src: Float32Array, offset: number, stride: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const B = 64;
  for (let i0 = 0; i0 < rows; i0 += B) {
    const i1 = Math.min(rows, i0 + B);
    for (let j0 = 0; j0 < cols; j0 += B) {
      const j1 = Math.min(cols, j0 + B);
      for (let i = i0; i < i1; i++) {
        const r = offset + i * stride;
        for (let j = j0; j < j1; j++) out[j * rows + i] = src[r + j];
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- problems

/** Training data as the kernel sees it. */
export interface KernelData {
  kernel: Kernel;
  /** Feature rows in the order the problem uses (prepared), or null for a Gram matrix. */
  rows: KernelRows | null;
  /** Full n×n Gram matrix in original order ('precomputed' / function kernels). */
  gram: Float64Array | null;
  /** Problem index → original sample index (for Gram lookups). */
  orig: Int32Array;
}

export interface SolverParams {
  /** Reusable row-cache storage for successive sub-problems (see SvcQ). */
  slab?: Float32Array;
  eps: number;
  shrinking: boolean;
  /** Kernel cache budget in bytes. */
  cacheBytes: number;
  maxIter: number;
}

/** Builds a source over problem indices `map` (a sub-problem) without blocks; `use32`: float32 dot products. */
function plainSource(kd: KernelData, map: Int32Array, use32 = false): KernelSource {
  if (kd.rows) return new ComputeSource(kd.kernel, kd.rows, map, use32);
  const orig = new Int32Array(map.length);
  for (let i = 0; i < map.length; i++) orig[i] = kd.orig[map[i]];
  return new GramSource(kd.gram!, kd.orig.length, orig);
}

/** Problems with at most this many floats in the upper block triangle of their kernel matrix compute it in one GEMM per class. */
const SMALL_UPPER_FLOATS = 1 << 22;
/** Off-diagonal blocks with at least this many entries get a transposed copy. */
const TRANSPOSE_MIN = 1 << 16;

/** Whether a sub-problem of l samples gets its whole kernel matrix precomputed. */
function fitsInCache(l: number, cacheBytes: number): boolean {
  return l * l * 4 <= cacheBytes;
}

/**
 * Whether the kernel blocks of the pair (ni samples, nj samples) fit the
 * cache budget: K_ii, K_jj and K_ij as float32 (the row cache has its own
 * budget of the same size).
 */
function pairFits(ni: number, nj: number, cacheBytes: number): boolean {
  return (ni * ni + nj * nj + ni * nj) * 4 <= cacheBytes;
}

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
  const blocks = rbfDots ? { rows: (rows.f32 ??= Float32Array.from(rows.data)), cols: rows.cols } : (): Float32Array[] => {
    const out: Float32Array[] = [];
    for (let c = 0; c < k; c++) {
      const b = new Float32Array(count[c] * (n - start[c]));
      kernel.block(rows, start[c], start[c] + count[c], rows, start[c], n, b, 0, use32);
      out.push(b);
    }
    return out;
  };
  const r = svcPairs.run({
    classStart: start, classCount: count, blocks, mode: rbfDots ? 'rbfDots' : 'values',
    gamma: kernel.gamma, sq: rows.sq, fastExp: FAST_EXP_CONSTANTS, diag, C,
    eps: tp.eps, shrinking: tp.shrinking, maxIter: tp.maxIter,
  });
  if (!r) return null;
  if (r.rho.some((rho) => !Number.isFinite(rho))) throw smoDivergedError('SVC'); // the port's report of non-finite values
  return r.coef.map((coef, p) => ({ coef, rho: r.rho[p], iter: r.iter[p], converged: r.converged[p] }));
}

// ---------------------------------------------------------------- Platt

/** P(y = 1 | f) = 1 / (1 + exp(A·f + B)), computed without overflow. */
export function sigmoidPredict(f: number, A: number, B: number): number {
  const fApB = f * A + B;
  return fApB >= 0 ? Math.exp(-fApB) / (1 + Math.exp(-fApB)) : 1 / (1 + Math.exp(fApB));
}

/**
 * Platt's sigmoid fit by Newton's method with backtracking on the
 * regularised targets (Lin, Lin & Weng 2007, "A note on Platt's
 * probabilistic outputs for support vector machines").
 */
export function sigmoidTrain(dec: ArrayLike<number>, positive: ArrayLike<boolean>): [number, number] {
  const l = dec.length;
  let prior1 = 0;
  for (let i = 0; i < l; i++) if (positive[i]) prior1++;
  const prior0 = l - prior1;
  const maxIter = 100;
  const minStep = 1e-10;
  const sigma = 1e-12;
  const eps = 1e-5;
  const hiTarget = (prior1 + 1) / (prior1 + 2);
  const loTarget = 1 / (prior0 + 2);
  const t = new Float64Array(l);
  for (let i = 0; i < l; i++) t[i] = positive[i] ? hiTarget : loTarget;
  let A = 0;
  let B = Math.log((prior0 + 1) / (prior1 + 1));
  const objective = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < l; i++) {
      const fApB = dec[i] * a + b;
      f += fApB >= 0 ? t[i] * fApB + Math.log1p(Math.exp(-fApB)) : (t[i] - 1) * fApB + Math.log1p(Math.exp(fApB));
    }
    return f;
  };
  let fval = objective(A, B);
  for (let iter = 0; iter < maxIter; iter++) {
    let h11 = sigma, h22 = sigma, h21 = 0, g1 = 0, g2 = 0;
    for (let i = 0; i < l; i++) {
      const fApB = dec[i] * A + B;
      let p: number, q: number;
      if (fApB >= 0) {
        const e = Math.exp(-fApB);
        p = e / (1 + e);
        q = 1 / (1 + e);
      } else {
        const e = Math.exp(fApB);
        p = 1 / (1 + e);
        q = e / (1 + e);
      }
      const d2 = p * q;
      h11 += dec[i] * dec[i] * d2;
      h22 += d2;
      h21 += dec[i] * d2;
      const d1 = t[i] - p;
      g1 += dec[i] * d1;
      g2 += d1;
    }
    if (Math.abs(g1) < eps && Math.abs(g2) < eps) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    while (step >= minStep) {
      const nA = A + step * dA;
      const nB = B + step * dB;
      const nf = objective(nA, nB);
      if (nf < fval + 0.0001 * step * gd) {
        A = nA;
        B = nB;
        fval = nf;
        break;
      }
      step /= 2;
    }
    if (step < minStep) break;
  }
  return [A, B];
}

/**
 * Class probabilities from pairwise ones r[i][j] ≈ P(i | i or j), by the
 * second method of Wu, Lin & Weng (2004) (libsvm's multiclass_probability).
 */
export function multiclassProbability(k: number, r: Float64Array, p: Float64Array): void {
  const maxIter = Math.max(100, k);
  const Q = new Float64Array(k * k);
  const Qp = new Float64Array(k);
  const eps = 0.005 / k;
  for (let t = 0; t < k; t++) {
    p[t] = 1 / k;
    Q[t * k + t] = 0;
    for (let j = 0; j < t; j++) {
      Q[t * k + t] += r[j * k + t] * r[j * k + t];
      Q[t * k + j] = Q[j * k + t];
    }
    for (let j = t + 1; j < k; j++) {
      Q[t * k + t] += r[j * k + t] * r[j * k + t];
      Q[t * k + j] = -r[j * k + t] * r[t * k + j];
    }
  }
  for (let iter = 0; iter < maxIter; iter++) {
    let pQp = 0;
    for (let t = 0; t < k; t++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += Q[t * k + j] * p[j];
      Qp[t] = s;
      pQp += p[t] * s;
    }
    let maxError = 0;
    for (let t = 0; t < k; t++) {
      const e = Math.abs(Qp[t] - pQp);
      if (e > maxError) maxError = e;
    }
    if (maxError < eps) break;
    for (let t = 0; t < k; t++) {
      const diff = (-Qp[t] + pQp) / Q[t * k + t];
      p[t] += diff;
      pQp = (pQp + diff * (diff * Q[t * k + t] + 2 * Qp[t])) / (1 + diff) / (1 + diff);
      for (let j = 0; j < k; j++) {
        Qp[j] = (Qp[j] + diff * Q[t * k + j]) / (1 + diff);
        p[j] /= 1 + diff;
      }
    }
  }
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

// ---------------------------------------------------------------- prediction

/** Test rows per kernel block in prediction (bounds the block's memory). */
function chunkRows(nSV: number): number {
  return Math.max(16, Math.min(4096, Math.floor((1 << 22) / Math.max(1, nSV))));
}

/**
 * Kernel values between support vectors and test rows, transposed:
 * [nSV, T] row-major for test rows [t0, t1).
 */
export type KernelBlockFn = (t0: number, t1: number) => Float64Array;

/** A KernelBlockFn for feature kernels. */
export function featureKernelBlocks(kernel: Kernel, SV: KernelRows, T: KernelRows): KernelBlockFn {
  return (t0, t1) => {
    const out = new Float64Array(SV.rows * (t1 - t0));
    kernel.block(SV, 0, SV.rows, T, t0, t1, out);
    return out;
  };
}

/** A KernelBlockFn over a user-supplied [T, nSV] kernel matrix. */
export function gramKernelBlocks(KT: Float64Array, nT: number, nSV: number): KernelBlockFn {
  return (t0, t1) => {
    const w = t1 - t0;
    const out = new Float64Array(nSV * w);
    for (let t = t0; t < t1; t++) for (let s = 0; s < nSV; s++) out[s * w + (t - t0)] = KT[t * nSV + s];
    return out;
  };
}

/**
 * libsvm decision values of every pair for nT test rows: [nT, nPairs]
 * row-major (pair order (0,1), (0,2), ..., (1,2), ...).
 */
export function svcDecisionValues(model: { nSupport: Int32Array; coef: Float64Array; rho: Float64Array }, nClasses: number, nT: number, blocks: KernelBlockFn): Float64Array {
  const k = nClasses;
  const nSV = model.coef.length / Math.max(1, k - 1);
  const nPairs = (k * (k - 1)) / 2;
  const out = new Float64Array(nT * nPairs);
  const svStart = new Int32Array(k);
  for (let c = 1; c < k; c++) svStart[c] = svStart[c - 1] + model.nSupport[c - 1];
  // pair index of (i, j), i < j
  const pairIndex = (i: number, j: number): number => (i * (2 * k - i - 1)) / 2 + (j - i - 1);
  // per class c, its coefficients as a contiguous (k−1)×nSV_c matrix: row r is the pair
  // of c with its r-th other class (libsvm's layout)
  const coefOf: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    const ns = model.nSupport[c];
    const m = new Float64Array((k - 1) * ns);
    for (let r = 0; r < k - 1; r++) m.set(model.coef.subarray(r * nSV + svStart[c], r * nSV + svStart[c] + ns), r * ns);
    coefOf.push(m);
  }
  const step = chunkRows(nSV);
  for (let t0 = 0; t0 < nT; t0 += step) {
    const t1 = Math.min(nT, t0 + step);
    const w = t1 - t0;
    const K = blocks(t0, t1); // [nSV, w]
    const D = new Float64Array((k - 1) * w);
    for (let c = 0; c < k; c++) {
      const ns = model.nSupport[c];
      if (ns === 0) continue;
      // D (k−1 × w) = coef_c (k−1 × ns) · K rows of class c (ns × w)
      gemm64(k - 1, w, ns, coefOf[c], K, svStart[c] * w, D);
      for (let r = 0; r < k - 1; r++) {
        const o = r < c ? r : r + 1; // the other class of this coefficient row
        const p = o < c ? pairIndex(o, c) : pairIndex(c, o);
        const dr = r * w;
        for (let t = 0; t < w; t++) out[(t0 + t) * nPairs + p] += D[dr + t];
      }
    }
  }
  for (let t = 0; t < nT; t++) for (let p = 0; p < nPairs; p++) out[t * nPairs + p] -= model.rho[p];
  return out;
}

/** C (m×n) = A (m×k) · B (k×n, from bOffset), float64: the backend GEMM when large, loops otherwise. */
function gemm64(m: number, n: number, k: number, A: Float64Array, B: Float64Array, bOffset: number, C: Float64Array): void {
  if (m * n * k >= 1 << 16) {
    gemm({ m, n, k, a: A, b: B, bOffset, c: C });
    return;
  }
  C.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const a = A[i * k + l];
      if (a === 0) continue;
      const br = bOffset + l * n;
      const cr = i * n;
      for (let j = 0; j < n; j++) C[cr + j] += a * B[br + j];
    }
  }
}

/** Σ coef_s K(sv_s, x_t) − rho for each test row (SVR and one-class style models). */
export function svrDecisionValues(coef: Float64Array, rho: number, nT: number, blocks: KernelBlockFn): Float64Array {
  const nSV = coef.length;
  const out = new Float64Array(nT);
  const step = chunkRows(nSV);
  for (let t0 = 0; t0 < nT; t0 += step) {
    const t1 = Math.min(nT, t0 + step);
    const w = t1 - t0;
    const K = blocks(t0, t1);
    for (let s = 0; s < nSV; s++) {
      const a = coef[s];
      const kr = s * w;
      for (let t = 0; t < w; t++) out[t0 + t] += a * K[kr + t];
    }
  }
  for (let t = 0; t < nT; t++) out[t] -= rho;
  return out;
}

/** libsvm's votes: for pair (i, j), dec > 0 votes i; the first class with most votes wins. */
export function voteClasses(dec: Float64Array, nT: number, k: number): Int32Array {
  const nPairs = (k * (k - 1)) / 2;
  const out = new Int32Array(nT);
  const votes = new Int32Array(k);
  for (let t = 0; t < nT; t++) {
    votes.fill(0);
    let p = 0;
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++, p++) votes[dec[t * nPairs + p] > 0 ? i : j]++;
    let best = 0;
    for (let c = 1; c < k; c++) if (votes[c] > votes[best]) best = c;
    out[t] = best;
  }
  return out;
}

/**
 * scikit-learn's one-vs-rest shape of one-vs-one decision values: votes plus
 * the summed confidences squashed into (−1/3, 1/3). [nT, k] row-major.
 */
export function ovrDecision(dec: Float64Array, nT: number, k: number): Float64Array {
  const nPairs = (k * (k - 1)) / 2;
  const out = new Float64Array(nT * k);
  const conf = new Float64Array(k);
  for (let t = 0; t < nT; t++) {
    conf.fill(0);
    const o = t * k;
    let p = 0;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++, p++) {
        const d = dec[t * nPairs + p];
        conf[i] += d;
        conf[j] -= d;
        if (d < 0) out[o + j] += 1;
        else out[o + i] += 1;
      }
    }
    for (let c = 0; c < k; c++) out[o + c] += conf[c] / (3 * (Math.abs(conf[c]) + 1));
  }
  return out;
}

/** Class probabilities [nT, k] from pairwise decision values and Platt's A, B (libsvm's svm_predict_probability, as scikit-learn's copy computes it). */
export function svcProbabilities(dec: Float64Array, nT: number, k: number, probA: Float64Array, probB: Float64Array): Float64Array {
  const nPairs = (k * (k - 1)) / 2;
  const out = new Float64Array(nT * k);
  const r = new Float64Array(k * k);
  const pr = new Float64Array(k);
  const minProb = 1e-7;
  for (let t = 0; t < nT; t++) {
    let p = 0;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++, p++) {
        const v = Math.min(Math.max(sigmoidPredict(dec[t * nPairs + p], probA[p], probB[p]), minProb), 1 - minProb);
        r[i * k + j] = v;
        r[j * k + i] = 1 - v;
      }
    }
    // scikit-learn's libsvm couples the pairwise probabilities for two classes
    // too (newer libsvm returns r[0][1] directly): do the same, for the same numbers
    multiclassProbability(k, r, pr);
    out.set(pr, t * k);
  }
  return out;
}

/** Throws when a parameter is not a positive finite number. */
export function checkPositive(v: unknown, name: string, who: string, allowZero = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (allowZero ? v < 0 : v <= 0)) {
    throw new ValueError(`${who}: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} finite number, got ${String(v)}`);
  }
  return v;
}
