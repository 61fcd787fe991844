/**
 * A CSV file as a streaming data set for a `DataLoader`: the io reader
 * (`streamCsv`) feeding the data-set layer.
 */
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { streamCsv, type StreamCsvOptions } from '../io/csv.js';
import { IterableDataset } from './dataset.js';

type ChunkSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/**
 * A CSV file as a streaming data set of samples `[features (float32) [p],
 * target []]` for a `DataLoader`, read afresh each epoch, one batch of rows
 * in memory at a time: for training on files larger than memory. The target
 * is int32 class codes for a categorical column, float64 for a numeric one.
 *
 * ```ts
 * const loader = new DataLoader(csvStreamDataset('big.csv', { target: 'y' }), { batchSize: 256, shuffle: true });
 * for await (const [xb, yb] of loader) { ... }
 * ```
 */
export function csvStreamDataset(source: string | (() => ChunkSource), options: StreamCsvOptions & { target: string | number }): IterableDataset {
  if (options?.target === undefined) throw new ValueError('csvStreamDataset: a target column is needed');
  return new IterableDataset(async function* () {
    const src = typeof source === 'function' ? source() : source;
    for await (const table of streamCsv(src, options)) {
      const x = table.toMatrix({ dtype: 'float32' });
      const y = table.toTarget();
      const p = x.shape[1];
      const X = x.data as Float32Array;
      const Y = y.data;
      for (let i = 0; i < table.nRows; i++) {
        const yi = y.dtype === 'int32' ? new Int32Array([Y[i]]) : new Float64Array([Y[i]]);
        yield [new Tensor(X.slice(i * p, (i + 1) * p), [p]), new Tensor(yi, [])];
      }
    }
  });
}
