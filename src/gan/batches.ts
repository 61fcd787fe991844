/**
 * Real batches for GAN training: rows drawn without replacement in a
 * shuffled order, reshuffled when fewer than a batch remain (as the usual
 * PyTorch loop does). Its state (the order and the position in it) goes
 * into checkpoints, so a resumed run draws the same batches.
 */
import { ValueError } from '../errors.js';
import type { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { arrayFor } from '../tensor/dtype.js';

export class RowSampler {
  /** Row order of the current pass. */
  order: Int32Array;
  /** Rows of `order` already used. */
  position: number;
  private readonly rowSize: number;

  constructor(
    readonly x: Tensor,
    /** Class codes of the rows (conditional GAN), or null. */
    readonly y: Int32Array | null,
    readonly batchSize: number,
    private readonly random: Generator,
  ) {
    this.rowSize = x.shape[0] ? x.size / x.shape[0] : 0;
    this.order = random.permutation(x.shape[0]);
    this.position = 0;
  }

  /** The next batch's rows (and their labels into `labels`, when the sampler has them). */
  next(labels: Int32Array | null): Tensor {
    const { x, batchSize, rowSize } = this;
    if (this.position + batchSize > this.order.length) {
      this.order = this.random.permutation(x.shape[0]);
      this.position = 0;
    }
    const out = arrayFor(x.dtype, batchSize * rowSize);
    const src = x.data;
    for (let i = 0; i < batchSize; i++) {
      const row = this.order[this.position + i];
      // A plain loop: a subarray view per row costs more than copying a short row.
      const from = row * rowSize,
        to = i * rowSize;
      for (let j = 0; j < rowSize; j++) out[to + j] = src[from + j];
      if (labels && this.y) labels[i] = this.y[row];
    }
    this.position += batchSize;
    return new Tensor(out, [batchSize, ...x.shape.slice(1)]);
  }

  /** Restores `order` and `position` from a checkpoint (checked against this data first). */
  restore(order: Int32Array, position: number, who: string): void {
    const n = this.x.shape[0];
    if (order.length !== n) throw new ValueError(`${who}: the checkpoint was taken on ${order.length} rows of data, this run has ${n}; resume with the same data`);
    const seen = new Uint8Array(n);
    for (const r of order) {
      if (!(r >= 0 && r < n) || seen[r]) throw new ValueError(`${who}: the checkpoint's row order is not a permutation of 0..${n - 1}`);
      seen[r] = 1;
    }
    if (!Number.isInteger(position) || position < 0 || position > n) throw new ValueError(`${who}: the checkpoint's row position ${position} is outside 0..${n}`);
    this.order = Int32Array.from(order);
    this.position = position;
  }
}
