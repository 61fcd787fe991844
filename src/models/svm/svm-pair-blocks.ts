/**
 * The kernel blocks of the one-vs-one pairs of a C-SVC fit solved by the JS
 * solver, made by the backend GEMM and kept within the kernel-cache budget
 * (what they leave is the pair's row cache: see trainSvc in libsvm.ts):
 * - small problems: for each class c one block K(class c, classes c..k−1),
 *   made on first use and kept until its last pair (n²/2 floats);
 * - otherwise, for a pair (i, j) whose blocks K_ii, K_jj, K_ij fit the
 *   budget: K_ij for the pair, with a transposed copy when it is large and
 *   still fits; K(c, c) kept for every later pair when all of them take at
 *   most half the budget, else K_ii kept for the row of pairs (i, ·) and
 *   K_jj made for the pair.
 * Float32 problems keep dot products in the blocks (rows are mapped to
 * kernel values as the solver asks for them); float64 ones kernel values.
 * Which blocks are kept never changes a value: a GEMM computes each dot
 * product alike whatever block it is part of.
 */
import type { Kernel, KernelRows } from './kernel-functions.js';
import { PairBlockSource, SMALL_UPPER_FLOATS, transpose, TRANSPOSE_MIN, type Window } from './kernel-sources.js';

export class PairBlocks {
  /** All upper blocks kept (small problems). */
  private readonly small: boolean;
  /** Diagonal blocks kept for every later pair (else for the row of pairs only). */
  private readonly keepDiag: boolean;
  private readonly budgetFloats: number;
  private readonly upper = new Map<number, Float32Array>();
  private readonly diagBlocks = new Map<number, Float32Array>();
  private readonly n: number;

  constructor(
    private readonly kernel: Kernel,
    private readonly rows: KernelRows,
    private readonly start: Int32Array,
    private readonly count: Int32Array,
    private readonly use32: boolean,
    cacheBytes: number,
  ) {
    const k = count.length;
    this.n = rows.rows;
    this.budgetFloats = Math.floor(cacheBytes / 4);
    this.small = (this.n * this.n) / 2 <= Math.min(this.budgetFloats, SMALL_UPPER_FLOATS);
    let diagFloats = 0;
    let maxCross = 0;
    for (let i = 0; i < k; i++) {
      diagFloats += count[i] * count[i];
      for (let j = i + 1; j < k; j++) if (this.fits(i, j)) maxCross = Math.max(maxCross, 2 * count[i] * count[j]);
    }
    this.keepDiag = diagFloats + maxCross <= this.budgetFloats / 2;
  }

  /** Whether pair (i, j) reads blocks (else its rows are computed on demand). */
  fits(i: number, j: number): boolean {
    const ci = this.count[i];
    const cj = this.count[j];
    return this.small || ci * ci + cj * cj + ci * cj <= this.budgetFloats;
  }

  /** Floats of the blocks live while pair (i, j) is solved (an upper bound). */
  liveFloats(i: number, j: number): number {
    if (!this.fits(i, j)) return 0;
    const { count } = this;
    if (this.small) {
      let upper = 0;
      for (let c = 0; c < count.length; c++) upper += count[c] * (this.n - this.start[c]);
      return upper;
    }
    let diag = count[i] * count[i] + count[j] * count[j];
    if (this.keepDiag) {
      diag = 0;
      for (let c = 0; c < count.length; c++) diag += count[c] * count[c];
    }
    return diag + count[i] * count[j] * (this.transposes(i, j) ? 2 : 1);
  }

  /** Large K_ij blocks get a transposed copy (class-j rows read contiguously) where the budget has room for it. */
  private transposes(i: number, j: number): boolean {
    const ci = this.count[i];
    const cj = this.count[j];
    return ci * cj >= TRANSPOSE_MIN && ci * ci + cj * cj + 2 * ci * cj <= this.budgetFloats;
  }

  private blockOf(a0: number, a1: number, b0: number, b1: number): Float32Array {
    const out = new Float32Array((a1 - a0) * (b1 - b0));
    const rows = this.rows;
    if (this.use32) this.kernel.dots(rows, a0, a1, rows, b0, b1, out);
    else this.kernel.block(rows, a0, a1, rows, b0, b1, out, 0, false);
    return out;
  }

  private upperBlock(c: number): Window {
    const { start, count, n } = this;
    let b = this.upper.get(c);
    if (!b) {
      b = this.blockOf(start[c], start[c] + count[c], start[c], n);
      this.upper.set(c, b);
    }
    return { data: b, offset: 0, stride: n - start[c] };
  }

  /** K(c, c): kept (keepDiag, or c = i, the row's class) or made for this pair. */
  private diagWindow(c: number, keep: boolean): Window {
    if (this.small) return this.upperBlock(c);
    const { start, count } = this;
    let b = this.diagBlocks.get(c);
    if (!b) {
      b = this.blockOf(start[c], start[c] + count[c], start[c], start[c] + count[c]);
      if (keep) this.diagBlocks.set(c, b);
    }
    return { data: b, offset: 0, stride: count[c] };
  }

  /** The kernel rows of pair (i, j) (samples `map`: class i's, then class j's) from the blocks; fits(i, j) must hold. */
  source(i: number, j: number, map: Int32Array): PairBlockSource {
    const { start, count, rows, kernel } = this;
    const ci = count[i];
    const cj = count[j];
    const l = ci + cj;
    let Kij: Window;
    if (this.small) {
      const u = this.upperBlock(i);
      Kij = { data: u.data, offset: u.offset + start[j] - start[i], stride: u.stride };
    } else {
      Kij = { data: this.blockOf(start[i], start[i] + ci, start[j], start[j] + cj), offset: 0, stride: cj };
    }
    const kdiag = new Float64Array(l);
    for (let t = 0; t < l; t++) kdiag[t] = kernel.diag(rows, map[t]);
    const Kji = this.transposes(i, j) ? transpose(Kij.data, Kij.offset, Kij.stride, ci, cj) : null;
    let lazy: { kernel: Kernel; sq: Float64Array } | null = null;
    if (this.use32) {
      const sq = new Float64Array(l);
      if (rows.sq.length) for (let t = 0; t < l; t++) sq[t] = rows.sq[map[t]];
      lazy = { kernel, sq };
    }
    return new PairBlockSource(ci, cj, this.diagWindow(i, true), this.diagWindow(j, this.keepDiag), Kij, Kji, kdiag, lazy);
  }

  /** After pair (i, j) (solved here or not): drops the blocks no later pair needs. */
  done(i: number, j: number): void {
    const k = this.count.length;
    if (!this.keepDiag && !this.small && j === k - 1) this.diagBlocks.delete(i); // the row of pairs (i, ·) ends
    for (const c of [i, j]) {
      // the last pair with class c
      const [a, b] = c < k - 1 ? [c, k - 1] : [k - 2, k - 1];
      if (a === i && b === j) {
        this.diagBlocks.delete(c);
        this.upper.delete(c);
      }
    }
  }
}
