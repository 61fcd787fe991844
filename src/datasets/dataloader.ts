/**
 * DataLoader: batches from a data set, the way PyTorch's does it —
 * `for (const [x, y] of loader)` for in-memory data,
 * `for await (const [x, y] of loader)` for streams and lazily loaded data,
 * with the next batches prepared while the model works on the current one.
 */
import { ShapeError, DTypeError, ValueError } from '../errors.js';
import { checkOptions } from '../utils/options.js';
import { Tensor } from '../tensor/tensor.js';
import { type Generator, resolveGenerator } from '../tensor/random.js';
import type { TypedArray } from '../tensor/dtype.js';
import { IterableDataset, hasGetBatch, type Dataset, type Sample } from './dataset.js';

export interface DataLoaderOptions<S extends Sample = Sample> {
  /** Samples per batch (default 1, as in PyTorch). */
  batchSize?: number;
  /**
   * Reshuffle the samples every epoch. For a map-style data set this is a
   * full permutation; for a stream, a shuffle buffer of `shuffleBuffer`
   * samples (a local shuffle, as in tf.data).
   */
  shuffle?: boolean;
  /** Seed for the loader's own generator: epochs differ from each other, runs repeat. */
  seed?: number;
  /** Generator to draw permutations from (default: the global one, reset by `manualSeed`). */
  generator?: Generator;
  /** Drop the last batch when it is smaller than `batchSize`. */
  dropLast?: boolean;
  /** Applied to each sample before batching (`index` is its index in the data set, or its position in a stream). */
  transform?: (sample: S, index: number) => Sample;
  /** Applied to each collated batch (the hook for batch-wise augmentation). */
  batchTransform?: (batch: Sample) => Sample;
  /** How to join samples into a batch (default: {@link collate}, stacking along a new first axis). */
  collate?: (samples: Sample[]) => Sample;
  /** Batches prepared ahead in `for await` iteration (default 2; 0 turns prefetching off). */
  prefetch?: number;
  /** Samples held by the shuffle buffer of a streaming source (default 1024). */
  shuffleBuffer?: number;
}

/**
 * Stacks samples along a new first axis: n samples of shapes [s...] give
 * one tensor of shape [n, s...] per position. Every sample must have the
 * same number of tensors, and the tensors at one position the same shape
 * and dtype.
 */
export function collate(samples: Sample[]): Sample {
  const n = samples.length;
  if (n === 0) throw new ValueError('collate: no samples to batch');
  const first = samples[0];
  if (!Array.isArray(first)) throw new ValueError(`collate: a sample must be an array of tensors, got ${typeof first}`);
  const out: Tensor[] = [];
  for (let j = 0; j < first.length; j++) {
    const t0 = first[j];
    if (!(t0 instanceof Tensor)) throw new ValueError(`collate: sample 0, position ${j} is not a Tensor`);
    const size = t0.size;
    const data: TypedArray = t0.dtype === 'float64' ? new Float64Array(n * size) : t0.dtype === 'int32' ? new Int32Array(n * size) : new Float32Array(n * size);
    for (let i = 0; i < n; i++) {
      const s = samples[i];
      if (!Array.isArray(s) || s.length !== first.length) {
        throw new ShapeError(`collate: sample ${i} has ${Array.isArray(s) ? s.length : 'no'} tensors, sample 0 has ${first.length}`);
      }
      const t = s[j];
      if (!(t instanceof Tensor)) throw new ValueError(`collate: sample ${i}, position ${j} is not a Tensor`);
      if (t.dtype !== t0.dtype) throw new DTypeError(`collate: position ${j}: sample ${i} is ${t.dtype}, sample 0 is ${t0.dtype}`);
      if (t.size !== size || t.shape.length !== t0.shape.length || t.shape.some((d, k) => d !== t0.shape[k])) {
        throw new ShapeError(`collate: position ${j}: sample ${i} has shape [${t.shape.join(', ')}], sample 0 has [${t0.shape.join(', ')}]`);
      }
      data.set(t.data, i * size);
    }
    out.push(new Tensor(data, [n, ...t0.shape]));
  }
  return out;
}

function isPromise<T>(v: unknown): v is Promise<T> {
  return typeof (v as { then?: unknown })?.then === 'function';
}

/**
 * Iterates a data set in batches.
 *
 * ```ts
 * const loader = new DataLoader(new TensorDataset(X, y), { batchSize: 64, shuffle: true, seed: 0 });
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for (const [xb, yb] of loader) { ... } // xb: [64, d], yb: [64]
 * }
 * ```
 *
 * Memory: a batch is gathered when it is asked for, so an epoch holds only
 * the batch in use plus `prefetch` prepared ones (and, when shuffling, one
 * index permutation of the data set's length), never a copy of the data.
 * Each batch is a fresh tensor the garbage collector reclaims once dropped,
 * so it is safe to keep one.
 */
const DATALOADER_OPTIONS = ['batchSize', 'shuffle', 'seed', 'generator', 'dropLast', 'transform', 'batchTransform', 'collate', 'prefetch', 'shuffleBuffer'];

export class DataLoader<S extends Sample = Sample> implements Iterable<Sample>, AsyncIterable<Sample> {
  readonly dataset: Dataset<S> | IterableDataset<S>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly prefetch: number;
  readonly shuffleBuffer: number;
  private readonly transform?: (sample: S, index: number) => Sample;
  private readonly batchTransform?: (batch: Sample) => Sample;
  private readonly collateFn: (samples: Sample[]) => Sample;
  private readonly ownGenerator: Generator | null;

  constructor(dataset: Dataset<S> | IterableDataset<S>, options: DataLoaderOptions<S> = {}) {
    const isMap = dataset != null && typeof (dataset as Dataset<S>).get === 'function' && typeof (dataset as Dataset<S>).length === 'number';
    if (!isMap && !(dataset instanceof IterableDataset)) {
      throw new ValueError('DataLoader: dataset must have `length` and `get(i)` (map-style) or be an IterableDataset');
    }
    checkOptions('DataLoader', options, DATALOADER_OPTIONS);
    const { batchSize = 1, shuffle = false, dropLast = false, prefetch = 2, shuffleBuffer = 1024 } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`DataLoader: batchSize must be an integer >= 1, got ${batchSize}`);
    if (!Number.isInteger(prefetch) || prefetch < 0) throw new ValueError(`DataLoader: prefetch must be an integer >= 0, got ${prefetch}`);
    if (!Number.isInteger(shuffleBuffer) || shuffleBuffer < 1) {
      throw new ValueError(`DataLoader: shuffleBuffer must be an integer >= 1, got ${shuffleBuffer}`);
    }
    if (options.seed !== undefined && options.generator !== undefined) throw new ValueError('DataLoader: give either seed or generator, not both');
    for (const k of ['transform', 'batchTransform', 'collate'] as const) {
      if (options[k] !== undefined && typeof options[k] !== 'function') throw new ValueError(`DataLoader: ${k} must be a function`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.prefetch = prefetch;
    this.shuffleBuffer = shuffleBuffer;
    this.transform = options.transform;
    this.batchTransform = options.batchTransform;
    this.collateFn = options.collate ?? collate;
    this.ownGenerator = options.seed !== undefined ? resolveGenerator(options.seed) : (options.generator ?? null);
  }

  /** Batches per epoch. Unknown (throws) for a streaming source. */
  get length(): number {
    if (this.dataset instanceof IterableDataset) throw new ValueError('DataLoader.length: a streaming source has no known length');
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  private generator(): Generator {
    return this.ownGenerator ?? resolveGenerator();
  }

  /**
   * The loader's own generator (given by `seed` or `generator`), or null when
   * it shuffles with the global one. Its state belongs in a checkpoint: fit
   * saves and restores it so a resumed run draws the same epochs.
   */
  get shuffleGenerator(): Generator | null {
    return this.ownGenerator;
  }

  /** The index lists of one epoch's batches, drawing the permutation when the epoch starts. */
  private *indexBatches(n: number): IterableIterator<Int32Array> {
    const order = this.shuffle ? this.generator().permutation(n) : null;
    const bs = this.batchSize;
    for (let start = 0; start < n; start += bs) {
      const end = Math.min(n, start + bs);
      if (this.dropLast && end - start < bs) return;
      if (order) {
        yield order.subarray(start, end);
      } else {
        const idx = new Int32Array(end - start);
        for (let i = 0; i < idx.length; i++) idx[i] = start + i;
        yield idx;
      }
    }
  }

  private finish(batch: Sample): Sample {
    return this.batchTransform ? this.batchTransform(batch) : batch;
  }

  private buildSync(ds: Dataset<S>, idx: Int32Array): Sample {
    if (!this.transform && this.collateFn === collate && hasGetBatch(ds)) return this.finish(ds.getBatch(idx));
    const samples: Sample[] = new Array(idx.length);
    for (let b = 0; b < idx.length; b++) {
      const s = ds.get(idx[b]);
      if (isPromise(s)) throw new ValueError('DataLoader: this data set returns samples asynchronously; iterate with `for await`');
      samples[b] = this.transform ? this.transform(s, idx[b]) : s;
    }
    return this.finish(this.collateFn(samples));
  }

  private async buildAsync(ds: Dataset<S>, idx: Int32Array): Promise<Sample> {
    if (!this.transform && this.collateFn === collate && hasGetBatch(ds)) return this.finish(ds.getBatch(idx));
    const got = Array.from(idx, (i) => ds.get(i));
    const raw = got.some(isPromise) ? await Promise.all(got) : (got as S[]);
    const samples = this.transform ? raw.map((s, b) => this.transform!(s, idx[b])) : raw;
    return this.finish(this.collateFn(samples));
  }

  /** Synchronous iteration over a map-style data set whose `get` returns samples directly. */
  *[Symbol.iterator](): Iterator<Sample> {
    const ds = this.dataset;
    if (ds instanceof IterableDataset) throw new ValueError('DataLoader: a streaming source is iterated with `for await`');
    for (const idx of this.indexBatches(ds.length)) yield this.buildSync(ds, idx);
  }

  /** Asynchronous iteration (any data set), preparing up to `prefetch` batches ahead. */
  [Symbol.asyncIterator](): AsyncIterator<Sample> {
    const ds = this.dataset;
    const batches = ds instanceof IterableDataset ? this.streamBatches(ds) : this.mapBatches(ds);
    return prefetchAhead(batches, this.prefetch);
  }

  private async *mapBatches(ds: Dataset<S>): AsyncGenerator<Sample, void, undefined> {
    for (const idx of this.indexBatches(ds.length)) yield await this.buildAsync(ds, idx);
  }

  private async *streamBatches(ds: IterableDataset<S>): AsyncGenerator<Sample, void, undefined> {
    const it = ds.open();
    const gen = this.shuffle ? this.generator() : null;
    const cap = this.shuffleBuffer;
    const pool: S[] = [];
    let batch: Sample[] = [];
    let position = 0;
    const add = (s: S): boolean => {
      batch.push(this.transform ? this.transform(s, position) : s);
      position++;
      return batch.length === this.batchSize;
    };
    const take = (): Sample => {
      const b = batch;
      batch = [];
      return this.finish(this.collateFn(b));
    };
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        let s = r.value;
        if (gen) {
          if (pool.length < cap) {
            pool.push(s);
            continue;
          }
          const j = Math.floor(gen.random() * cap);
          const out = pool[j];
          pool[j] = s;
          s = out;
        }
        if (add(s)) yield take();
      }
      if (gen) {
        gen.shuffle(pool);
        for (const s of pool) if (add(s)) yield take();
        pool.length = 0;
      }
      if (batch.length > 0 && !this.dropLast) yield take();
    } finally {
      await it.return?.();
    }
  }
}

/**
 * Runs `source` up to `depth` items ahead of the consumer: the next items'
 * work (I/O, decoding) overlaps with the consumer's. Ending early closes the
 * source.
 */
export async function* prefetchAhead<T>(source: AsyncIterator<T>, depth: number): AsyncGenerator<T, void, undefined> {
  const queue: Promise<IteratorResult<T>>[] = [];
  const pull = (): void => {
    const p = source.next();
    p.catch(() => {}); // reported when awaited below; avoids an unhandled rejection meanwhile
    queue.push(p);
  };
  let finished = false;
  try {
    for (;;) {
      // The item to hand out now, plus `depth` in progress while the consumer works on it.
      while (queue.length < depth + 1) pull();
      const r = await queue.shift()!;
      if (r.done) {
        finished = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!finished) {
      // Let queued pulls settle, then close the source (runs its finally blocks).
      await Promise.allSettled(queue);
      await source.return?.();
    }
  }
}
