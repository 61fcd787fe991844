/**
 * Where fit, evaluate and predict get their batches: `{ x, y }` tensors
 * (batched here, reshuffled each epoch), a DataLoader, or any re-iterable
 * source of `[x, y]` batches, all seen through one {@link Source}.
 */
import { ShapeError, ValueError } from '../errors.js';
import { DataLoader } from '../datasets/dataloader.js';
import { arrayFor } from '../tensor/dtype.js';
import type { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

/** Features and targets with the samples along the first axis. */
export interface XYData {
  x: Tensor;
  y: Tensor;
}

/** What fit and evaluate accept: tensors, a DataLoader, or any re-iterable source of [x, y] batches. */
export type TrainData = XYData | readonly [Tensor, Tensor] | DataLoader | Iterable<Tensor[]> | AsyncIterable<Tensor[]>;

/** A count option (epochs, batch size): an integer >= min. */
export function checkInt(v: unknown, name: string, min: number, who: string): number {
  if (!Number.isInteger(v) || (v as number) < min) throw new ValueError(`${who}: ${name} must be an integer >= ${min}, got ${String(v)}`);
  return v as number;
}

export interface Source {
  batches: number | null;
  samples: number | null;
  iterate(): Iterable<Tensor[]> | AsyncIterable<Tensor[]>;
}

export function isTensorPair(d: unknown): d is XYData | readonly [Tensor, Tensor] {
  if (Array.isArray(d)) return d.length === 2 && d[0] instanceof Tensor && d[1] instanceof Tensor;
  return typeof d === 'object' && d !== null && (d as XYData).x instanceof Tensor && (d as XYData).y instanceof Tensor;
}

export function xyOf(d: XYData | readonly [Tensor, Tensor], who: string): XYData {
  const { x, y } = Array.isArray(d) ? { x: d[0], y: d[1] } : (d as XYData);
  if (x.ndim === 0 || y.ndim === 0) throw new ShapeError(`${who}: x and y need a first axis of samples, got shapes [${x.shape.join(', ')}] and [${y.shape.join(', ')}]`);
  if (x.shape[0] !== y.shape[0])
    throw new ShapeError(`${who}: x has ${x.shape[0]} samples (shape [${x.shape.join(', ')}]) but y has ${y.shape[0]} (shape [${y.shape.join(', ')}])`);
  return { x, y };
}

/** Rows [start, end) of t (a view, no copy) or the rows listed in idx[start..end) (a copy). */
export function takeRows(t: Tensor, start: number, end: number, idx: Int32Array | null): Tensor {
  const n = t.shape[0];
  const row = n === 0 ? 0 : t.size / n;
  const count = end - start;
  const shape = [count, ...t.shape.slice(1)];
  if (!idx) return new Tensor(t.data.subarray(start * row, end * row), shape);
  const out = arrayFor(t.dtype, count * row);
  const src = t.data;
  if (row === 1) {
    for (let r = 0; r < count; r++) out[r] = src[idx[start + r]];
  } else if (row <= 256) {
    // Short rows: a plain loop beats creating a subarray per row.
    for (let r = 0; r < count; r++) {
      const s = idx[start + r] * row,
        d = r * row;
      for (let j = 0; j < row; j++) out[d + j] = src[s + j];
    }
  } else {
    for (let r = 0; r < count; r++) {
      const s = idx[start + r] * row;
      out.set(src.subarray(s, s + row), r * row);
    }
  }
  return new Tensor(out, shape);
}

function tensorSource(data: XYData, batchSize: number, shuffle: boolean, generator: () => Generator): Source {
  const n = data.x.shape[0];
  return {
    batches: Math.ceil(n / batchSize),
    samples: n,
    *iterate() {
      const perm = shuffle ? generator().permutation(n) : null;
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        yield [takeRows(data.x, start, end, perm), takeRows(data.y, start, end, perm)];
      }
    },
  };
}

function isReiterable(d: unknown): d is Iterable<Tensor[]> | AsyncIterable<Tensor[]> {
  if (typeof d !== 'object' || d === null) return false;
  const it = d as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown; next?: unknown };
  // A one-shot iterator (a generator object) would be empty from the second epoch on.
  if (typeof it.next === 'function') return false;
  return typeof it[Symbol.iterator] === 'function' || typeof it[Symbol.asyncIterator] === 'function';
}

export function makeSource(data: TrainData, batchSize: number, shuffle: boolean, generator: () => Generator, who: string): Source {
  if (isTensorPair(data)) return tensorSource(xyOf(data, who), batchSize, shuffle, generator);
  if (data instanceof DataLoader) {
    let batches: number | null = null;
    let samples: number | null = null;
    try {
      batches = data.length;
      samples = (data.dataset as { length: number }).length;
    } catch {
      // A streaming loader: unknown length.
    }
    return { batches, samples, iterate: () => data };
  }
  if (isReiterable(data)) {
    const len = Array.isArray(data) ? data.length : null;
    return { batches: len, samples: null, iterate: () => data };
  }
  const what =
    typeof data === 'object' && data !== null && typeof (data as { next?: unknown }).next === 'function'
      ? 'a one-shot iterator (wrap it in a function-backed IterableDataset and a DataLoader)'
      : typeof data;
  throw new ValueError(`${who}: data must be {x, y} tensors, [x, y], a DataLoader or a re-iterable source of [x, y] batches; got ${what}`);
}

export async function* batchesOf(source: Source): AsyncGenerator<Tensor[]> {
  const it = source.iterate();
  if (typeof (it as Iterable<Tensor[]>)[Symbol.iterator] === 'function' && !(it instanceof DataLoader)) {
    yield* it as Iterable<Tensor[]>;
  } else {
    yield* it as AsyncIterable<Tensor[]>;
  }
}

export function syncBatches(source: Source): Iterable<Tensor[]> | null {
  const it = source.iterate();
  if (it instanceof DataLoader) return null;
  return typeof (it as Iterable<Tensor[]>)[Symbol.iterator] === 'function' ? (it as Iterable<Tensor[]>) : null;
}

export function splitBatch(batch: Tensor[], who: string, b: number): [Tensor, Tensor] {
  if (!Array.isArray(batch) || batch.length < 2 || !(batch[0] instanceof Tensor) || !(batch[1] instanceof Tensor)) {
    throw new ValueError(`${who}: batch ${b + 1} is not [x, y] tensors`);
  }
  return [batch[0], batch[1]];
}

/** The generator a DataLoader shuffles with, when it has its own (seeded) one. */
export function loaderGenerator(data: TrainData): Generator | null {
  return data instanceof DataLoader ? data.shuffleGenerator : null;
}
