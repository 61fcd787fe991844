/**
 * The one-vs-one pairs of a C-SVC fit solved by the backend (the wasm
 * backend: pairs in parallel, on a port of the JS solver with the same
 * results to the bit), within the kernel-cache budget.
 *
 * The backend's job reads kernel blocks K(class c, classes c..end) of the
 * classes it is given and solves the pairs among them, each thread with a
 * row cache of what the blocks leave of the budget. When the blocks of all
 * classes would take more than BLOCK_SHARE of the budget, the pairs go in
 * waves: each wave is a subset of the classes whose blocks fit that share (largest
 * unsolved pair first, then the classes that add most unsolved pairs), and
 * solves the unsolved pairs among them. A wave's samples are copied out
 * compactly (float32 rows for RBF dot products; kernel values otherwise).
 */
import { svcPairs } from '../../backend/routines/svc-pairs.js';
import type { KernelRows } from './kernel-functions.js';
import type { KernelData, SolverParams } from './kernel-sources.js';
import { smoDivergedError } from './smo.js';

/** A solved two-class sub-problem. */
export interface BinaryResult {
  /** y_i·α_i in sub-problem order. */
  coef: Float64Array;
  rho: number;
  iter: number;
  converged: boolean;
}

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

/** What the backend needs of a C-SVC fit besides the kernel data. */
export interface PairProblem extends SolverParams {
  /** First sample and samples of each class (samples grouped by class). */
  start: Int32Array;
  count: Int32Array;
  /** Upper bound of each sample's α (C · class weight · sample weight). */
  C: Float64Array;
  /** Float32 dot products (mapped to kernel values as rows are needed); else kernel values in the precision of `use32`. */
  use32: boolean;
}

/**
 * The share of the budget a wave's blocks may take; the threads' row caches
 * get the rest. Rows are cheap to refill from the blocks, while every
 * class more per wave saves GEMM work and gives the threads more pairs at
 * once (20 000 Fashion-MNIST rows, 200 MB: waves of 4 classes instead of
 * 3 made the fit 1.3× faster).
 */
const BLOCK_SHARE = 0.8;

/** Index of pair (i, j), i < j, of k classes in the order (0,1), (0,2), ..., (1,2), ... */
export function pairIndex(i: number, j: number, k: number): number {
  return i * k - (i * (i + 1)) / 2 + (j - i - 1);
}

/** Floats of the blocks K(class c, classes c..end of the subset) of the classes `subset` (ascending). */
function blockFloats(count: Int32Array, subset: readonly number[]): number {
  let n = 0;
  for (const c of subset) n += count[c];
  let floats = 0;
  let before = 0;
  for (const c of subset) {
    floats += count[c] * (n - before);
    before += count[c];
  }
  return floats;
}

/**
 * The waves: subsets of classes (ascending) with the unsolved pairs among
 * them, blocks within BLOCK_SHARE of the budget where a pair allows (a pair alone
 * may need more: the backend then decides whether its rows still fit).
 */
export function planWaves(count: Int32Array, cacheBytes: number): { classes: number[]; pairs: [number, number][] }[] {
  const k = count.length;
  const all = Array.from({ length: k }, (_, c) => c);
  const blockBudget = cacheBytes * BLOCK_SHARE;
  if (blockFloats(count, all) * 4 <= blockBudget) {
    const pairs: [number, number][] = [];
    for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) pairs.push([i, j]);
    return [{ classes: all, pairs }];
  }
  const solved = new Uint8Array(k * k);
  const open: [number, number][] = [];
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) open.push([i, j]);
  open.sort((a, b) => count[b[0]] + count[b[1]] - (count[a[0]] + count[a[1]]));
  const waves: { classes: number[]; pairs: [number, number][] }[] = [];
  for (const [i0, j0] of open) {
    if (solved[i0 * k + j0]) continue;
    const classes = [i0, j0];
    for (;;) {
      // the class adding most unsolved pairs (the smaller one on a tie) whose blocks still fit
      let best = -1;
      let bestGain = 0;
      for (let c = 0; c < k; c++) {
        if (classes.includes(c)) continue;
        let gain = 0;
        for (const m of classes) if (!solved[Math.min(c, m) * k + Math.max(c, m)]) gain++;
        const grown = [...classes, c].sort((a, b) => a - b);
        if (gain === 0 || blockFloats(count, grown) * 4 > blockBudget) continue;
        if (gain > bestGain || (gain === bestGain && count[c] < count[best])) {
          best = c;
          bestGain = gain;
        }
      }
      if (best < 0) break;
      classes.push(best);
    }
    classes.sort((a, b) => a - b);
    const pairs: [number, number][] = [];
    for (let a = 0; a < classes.length; a++) {
      for (let b = a + 1; b < classes.length; b++) {
        const [i, j] = [classes[a], classes[b]];
        if (!solved[i * k + j]) {
          solved[i * k + j] = 1;
          pairs.push([i, j]);
        }
      }
    }
    waves.push({ classes, pairs });
  }
  return waves;
}

/**
 * Every pair the backend solves, by pair index (null where it did not take
 * one: the JS solver solves those), or null when it takes none (not
 * offered, a function or precomputed kernel, probability wanted, or 'js').
 */
export function solvePairsOnBackend(kd: KernelData, pp: PairProblem, probability: boolean): (BinaryResult | null)[] | null {
  const rows = kd.rows;
  if (pairSolver !== 'auto' || !svcPairs.available() || !rows || probability) return null;
  const { count } = pp;
  const k = count.length;
  const results = new Array<BinaryResult | null>((k * (k - 1)) / 2).fill(null);
  let taken = false;
  for (const wave of planWaves(count, pp.cacheBytes)) {
    const solved = solveWave(kd.kernel, rows, pp, wave.classes, wave.pairs, wave.classes.length === k);
    if (!solved) continue;
    taken = true;
    wave.pairs.forEach(([i, j], q) => (results[pairIndex(i, j, k)] = solved[q]));
  }
  return taken ? results : null;
}

/** One wave on the backend: the pairs among `classes`, from a compact copy of their samples (none when `whole`). */
function solveWave(kernel: KernelData['kernel'], rows: KernelRows, pp: PairProblem, classes: number[], pairs: [number, number][], whole: boolean): BinaryResult[] | null {
  const { start, count } = pp;
  const m = classes.length;
  const local = new Int32Array(m + 1);
  for (let a = 0; a < m; a++) local[a + 1] = local[a] + count[classes[a]];
  const n = local[m];
  const d = rows.cols;
  // sample t of the wave ↔ sample at[t] of the fit
  const at = new Int32Array(n);
  for (let a = 0; a < m; a++) for (let t = 0; t < count[classes[a]]; t++) at[local[a] + t] = start[classes[a]] + t;
  const diag = new Float64Array(n);
  const C = new Float64Array(n);
  const sq = new Float64Array(rows.sq.length ? n : 0);
  for (let t = 0; t < n; t++) {
    diag[t] = kernel.diag(rows, at[t]);
    C[t] = pp.C[at[t]];
    if (sq.length) sq[t] = rows.sq[at[t]];
  }
  const rbfDots = pp.use32 && kernel.type === 'rbf';
  const classStart = local.subarray(0, m);
  const classCount = Int32Array.from(classes, (c) => count[c]);
  // RBF in float32: the backend computes the dot products with the GEMM kernel.dots would call;
  // otherwise kernel values as trainSvc's blocks hold them
  const blocks = rbfDots
    ? { rows: whole ? (rows.f32 ??= Float32Array.from(rows.data)) : f32Rows(rows, at), cols: d }
    : (): Float32Array[] => {
        const waveRows = whole ? rows : compactRows(rows, at, sq);
        return classes.map((_, a) => {
          const b = new Float32Array(classCount[a] * (n - classStart[a]));
          kernel.block(waveRows, classStart[a], classStart[a] + classCount[a], waveRows, classStart[a], n, b, 0, pp.use32);
          return b;
        });
      };
  const pairList = new Int32Array(2 * pairs.length);
  pairs.forEach(([i, j], q) => pairList.set([classes.indexOf(i), classes.indexOf(j)], 2 * q));
  const r = svcPairs.run({
    classStart,
    classCount,
    blocks,
    mode: rbfDots ? 'rbfDots' : 'values',
    gamma: kernel.gamma,
    sq: whole ? rows.sq : sq,
    diag,
    C,
    eps: pp.eps,
    shrinking: pp.shrinking,
    maxIter: pp.maxIter,
    cacheBytes: pp.cacheBytes,
    pairs: pairList,
  });
  if (!r) return null;
  if (r.rho.some((rho) => !Number.isFinite(rho))) throw smoDivergedError('SVC'); // the port's report of non-finite values
  return r.coef.map((coef, q) => ({ coef, rho: r.rho[q], iter: r.iter[q], converged: r.converged[q] }));
}

/** Rows `at` of prepared rows, as prepared rows (their norms `sq`). */
function compactRows(rows: KernelRows, at: Int32Array, sq: Float64Array): KernelRows {
  const d = rows.cols;
  const data = new Float64Array(at.length * d);
  for (let t = 0; t < at.length; t++) data.set(rows.data.subarray(at[t] * d, at[t] * d + d), t * d);
  return { data, rows: at.length, cols: d, sq, f32: null };
}

/** Rows `at` of prepared rows as float32 (the values of Float32Array.from(rows.data) there). */
function f32Rows(rows: KernelRows, at: Int32Array): Float32Array {
  const d = rows.cols;
  const out = new Float32Array(at.length * d);
  for (let t = 0; t < at.length; t++) out.set(rows.data.subarray(at[t] * d, at[t] * d + d), t * d);
  return out;
}
