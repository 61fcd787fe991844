/**
 * A convolution block's weight gradient summed over the samples while the
 * job that computes the per-sample gradients still runs (conv-chain.ts's
 * backward): each time more leading samples are done, `fold` adds them onto
 * the sum so far, so that once the last sample is done only the few the
 * workers finished last are left to add, not all of them on the calling
 * thread alone.
 *
 * The sum is summedWeightGrad's (conv-job.ts): its kernel copies the first
 * row and adds the others one after another, in order of the sample, each
 * add rounded, however many rows it is given at once. Here the sum so far is
 * copied into the row of the last sample it holds and the kernel resumes
 * from that row: the same adds in the same order, the same bits.
 */
import type { ConvKernelGeometry } from '../routines/conv.js';
import { sampleWeightGradLength, summedWeightGrad } from './conv-job.js';
import type { WasmEngine } from './engine.js';

/** Fewest new samples worth a fold of their own (each fold also copies the sum so far into a sample's row). */
const FOLD_MIN_SAMPLES = 8;

export class FoldedWeightGrad {
  /** Leading samples whose gradients are in the sum at `sumAt`. */
  private folded = 0;
  /** Values of one sample's gradient (O×K, or R×O transposed). */
  private readonly rowLength: number;

  /** The per-sample gradients at byte address `perSampleAt` (g.n rows, as the kernel writes them; `transposedRows` as summedWeightGrad's), their sum at `sumAt`. */
  constructor(
    private readonly engine: WasmEngine,
    private readonly g: ConvKernelGeometry,
    private readonly transposedRows: number,
    private readonly perSampleAt: number,
    private readonly sumAt: number,
  ) {
    this.rowLength = sampleWeightGradLength(g, transposedRows);
  }

  /** Adds the gradients of samples up to `done` (every sample before it is done) onto the sum, once enough are new. */
  fold(done: number): void {
    if (done > this.g.n || done - this.folded < FOLD_MIN_SAMPLES) return;
    const from = this.carry();
    this.engine.kernels.sumRowsF32(this.rowAt(from), done - from, this.rowLength, this.sumAt);
    this.folded = done;
  }

  /** The weight gradient [O, K] once every sample is done: summedWeightGrad over the rows not yet folded, from the sum so far. */
  result(): Float32Array {
    const from = this.carry();
    return summedWeightGrad(this.engine, { ...this.g, n: this.g.n - from }, this.transposedRows, this.rowAt(from), this.sumAt);
  }

  /** The row the next sum starts from: 0 before any fold, else the last folded sample's, holding the sum so far (that sample's own gradient is in it). */
  private carry(): number {
    if (this.folded === 0) return 0;
    const row = this.folded - 1;
    const sum = this.sumAt >> 2;
    this.engine.f32.copyWithin(this.rowAt(row) >> 2, sum, sum + this.rowLength);
    return row;
  }

  private rowAt(sample: number): number {
    return this.perSampleAt + sample * this.rowLength * 4;
  }
}
