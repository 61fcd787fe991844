/**
 * One-vs-one C-SVC training of class pairs at once (libsvm's SMO, started
 * from α = 0), within a kernel-cache budget: the wasm implementation runs the pairs in parallel,
 * one pair per chunk, on a port of the solver (asm/svm.ts) whose results are
 * the TypeScript solver's to the bit. The reference solver is the models
 * layer's own (src/models/svm/), which the backend may not import: here the
 * reference returns null, which tells the caller to run it
 * (test/svm-wasm.test.ts compares the two).
 */
import { defineRoutine } from '../routine.js';
import { wasmEngine } from '../wasm/backend.js';
import { svcPairs as wasmSvcPairs } from '../wasm/svm-job.js';

/** The wasm engine (null without WebAssembly SIMD): a local const, so closures see it narrowed. */
const engine = wasmEngine;

/**
 * One-vs-one C-SVC training from precomputed kernel blocks (libsvm's SMO,
 * started from α = 0 with p = −1): every pair of classes i < j, class i the
 * +1 side. Samples are grouped by class.
 */
export interface SvcPairsArgs {
  /** First sample and number of samples of each class. */
  classStart: Int32Array;
  classCount: Int32Array;
  /**
   * Per class c, row-major float32 [classCount[c], n − classStart[c]]: the
   * kernel ('values') or the dot products ('rbfDots') of class c's samples
   * with samples classStart[c]..n−1. Either a function, called once when
   * the backend has taken the job (so a refused job costs no kernel
   * computation), or, for dot products, the float32 rows (n × cols): the
   * backend then computes them with its own GEMM (the values its `gemm`
   * gives).
   */
  blocks: (() => Float32Array[]) | { rows: Float32Array; cols: number };
  /** 'rbfDots': K = exp(−gamma·max(0, sq_a + sq_b − 2·dot)) (as fast-math.ts kernelExpF32), K(x, x) = diag. */
  mode: 'values' | 'rbfDots';
  gamma: number;
  sq: Float64Array;
  /** K(x, x) per sample (Q_ii in double, as libsvm). */
  diag: Float64Array;
  /** Upper bound of each sample's α. */
  C: Float64Array;
  eps: number;
  shrinking: boolean;
  /** Iteration cap per pair; -1 for none. */
  maxIter: number;
  /** Bytes the kernel blocks and the solvers' kernel-row caches may take together (scikit-learn's cache_size, in bytes). */
  cacheBytes: number;
  /** The pairs to solve, as class indices (i, j), i < j, flattened; default every pair in order (0,1), (0,2), ..., (1,2), ... */
  pairs?: Int32Array;
}

/** Per pair, in the order of `pairs` (default (0,1), (0,2), ..., (1,2), ...): y·α over the pair's samples (class i's first), and the solver's outputs. */
export interface SvcPairsResult {
  coef: Float64Array[];
  rho: Float64Array;
  obj: Float64Array;
  iter: Int32Array;
  converged: boolean[];
}

export const svcPairs = defineRoutine('svcPairs', (_args: SvcPairsArgs): SvcPairsResult | null => null);

// The job itself refuses what does not suit it (too large, a thread that may not block).
svcPairs.register('wasm', engine && { supports: () => true, run: (args) => wasmSvcPairs(engine, args) });
