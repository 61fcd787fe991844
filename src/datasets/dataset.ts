/**
 * Data sets in PyTorch's two shapes: map-style (a length and `get(i)`) and
 * iterable (a stream of samples, for data that does not fit in memory or
 * arrives over time). A sample is an array of tensors, usually `[x, y]`.
 */
import { ShapeError, ValueError } from '../errors.js';
import { checkOptions } from '../utils/options.js';
import { Tensor } from '../tensor/tensor.js';
import type { DType, TypedArray } from '../tensor/dtype.js';

/** One sample: its tensors, e.g. `[features, label]`. */
export type Sample = Tensor[];

/**
 * A map-style data set: `length` samples addressed by index. `get` may
 * return a Promise (a sample decoded lazily from disk, say); such a data set
 * is iterated with `for await`, which fetches ahead.
 */
export interface Dataset<S extends Sample = Sample> {
  readonly length: number;
  get(index: number): S | Promise<S>;
}

/**
 * A data set that can gather many samples in one copy. `DataLoader` uses
 * this fast path when there is no per-sample transform.
 */
export interface BatchDataset<S extends Sample = Sample> extends Dataset<S> {
  getBatch(indices: ArrayLike<number>): S;
}

/** What an iterable data set may be built from: a stream, a list, or a function opening a fresh one per epoch. */
export type SampleSource<S extends Sample = Sample> = AsyncIterable<S> | Iterable<S> | (() => AsyncIterable<S> | Iterable<S>);

export function hasGetBatch<S extends Sample>(d: Dataset<S>): d is BatchDataset<S> {
  return typeof (d as Partial<BatchDataset<S>>).getBatch === 'function';
}

/** Every array type a field may be stored as (bytes are converted when read). */
export type NumericArray = TypedArray | Uint8Array | Uint8ClampedArray | Int8Array | Uint16Array | Int16Array | Uint32Array;

/** Numbers with a shape, the way readers such as `readIdx` return them. */
export interface ShapedArray {
  data: NumericArray;
  shape: readonly number[];
}

/**
 * One tensor-valued column of a data set stored contiguously: sample i is
 * `data[i * rowSize .. (i + 1) * rowSize]` with shape `rowShape`. Stored
 * bytes (e.g. pixels) are converted to `dtype` (times `scale`) only when a
 * row or batch is read, so a data set can keep its compact form.
 * @internal
 */
export class Field {
  readonly rowShape: number[];
  readonly rowSize: number;
  readonly length: number;

  constructor(
    readonly data: NumericArray,
    shape: readonly number[],
    readonly dtype: DType,
    readonly scale: number | undefined = undefined,
  ) {
    if (shape.length === 0) throw new ShapeError('dataset: a field needs at least one dimension (the samples)');
    this.length = shape[0];
    this.rowShape = shape.slice(1);
    this.rowSize = this.rowShape.reduce((a, b) => a * b, 1);
    if (data.length !== this.length * this.rowSize) {
      throw new ShapeError(`dataset: ${data.length} elements do not fill shape [${shape.join(', ')}]`);
    }
  }

  private alloc(n: number): TypedArray {
    return this.dtype === 'float64' ? new Float64Array(n) : this.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  }

  /** Copies rows `indices` into a new tensor of shape [indices.length, ...rowShape]. */
  gather(indices: ArrayLike<number>): Tensor {
    const k = this.rowSize;
    const n = indices.length;
    const out = this.alloc(n * k);
    const src = this.data;
    const scale = this.scale;
    for (let b = 0; b < n; b++) {
      const i = indices[b];
      if (!(i >= 0 && i < this.length) || !Number.isInteger(i)) {
        throw new ValueError(`dataset: index ${i} is out of range for ${this.length} samples`);
      }
      const s = i * k;
      if (scale === undefined && k > 16 && src.constructor === out.constructor) {
        out.set((src as TypedArray).subarray(s, s + k), b * k);
      } else if (scale === undefined) {
        for (let j = 0; j < k; j++) out[b * k + j] = src[s + j];
      } else {
        for (let j = 0; j < k; j++) out[b * k + j] = src[s + j] * scale;
      }
    }
    return new Tensor(out, [n, ...this.rowShape]);
  }

  /** Row i as a tensor of shape rowShape (a copy). */
  row(i: number): Tensor {
    const t = this.gather([i]);
    return new Tensor(t.data, this.rowShape);
  }
}

function checkIndex(i: number, n: number, who: string): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new ValueError(`${who}: index ${i} is out of range for ${n} samples`);
}

/** A data set whose samples are rows of fields that share their first dimension. */
abstract class FieldsDataset implements BatchDataset {
  protected abstract readonly fields: Field[];

  get length(): number {
    return this.fields[0].length;
  }

  get(index: number): Sample {
    checkIndex(index, this.length, `${this.constructor.name}.get`);
    return this.fields.map((f) => f.row(index));
  }

  getBatch(indices: ArrayLike<number>): Sample {
    return this.fields.map((f) => f.gather(indices));
  }
}

/**
 * Samples made of rows of tensors that share their first dimension, like
 * PyTorch's `TensorDataset`: sample i is `[t0[i], t1[i], ...]`.
 *
 * ```ts
 * const ds = new TensorDataset(X, y); // X: [n, d], y: [n]
 * const [xi, yi] = ds.get(0);         // shapes [d] and []
 * ```
 */
export class TensorDataset extends FieldsDataset {
  readonly tensors: readonly Tensor[];
  protected readonly fields: Field[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new ValueError('TensorDataset: give at least one tensor');
    for (const [j, t] of tensors.entries()) {
      if (!(t instanceof Tensor)) throw new ValueError(`TensorDataset: argument ${j} is not a Tensor`);
      if (t.shape.length === 0) throw new ShapeError(`TensorDataset: tensor ${j} is 0-d; each tensor needs a first dimension of samples`);
      if (t.shape[0] !== tensors[0].shape[0]) {
        throw new ShapeError(
          `TensorDataset: tensors have different numbers of samples: tensor 0 has ${tensors[0].shape[0]} (shape [${tensors[0].shape.join(', ')}]), tensor ${j} has ${t.shape[0]} (shape [${t.shape.join(', ')}])`,
        );
      }
    }
    this.tensors = tensors;
    this.fields = tensors.map((t) => new Field(t.data, t.shape, t.dtype));
  }

  /**
   * A table's float32 features and its target (a `CsvTable` from `readCsv`
   * or `readParquet`), ready for a `DataLoader`.
   */
  static fromTable(table: { toMatrix(options: { dtype: 'float32' }): Tensor; toTarget(): Tensor }): TensorDataset {
    return new TensorDataset(table.toMatrix({ dtype: 'float32' }), table.toTarget());
  }
}

/** What `ArrayDataset` accepts for one column: nested arrays, a Tensor, or a typed array with its shape. */
export type ArrayInput = readonly number[] | readonly (readonly number[])[] | Tensor | ShapedArray;

export interface ArrayDatasetOptions {
  /** dtype of the features; default float32. */
  dtype?: DType;
  /** dtype of the target; default int32 when every target value is an integer, float32 otherwise. */
  targetDtype?: DType;
  /**
   * Multiplies the features when a batch is read (e.g. `1 / 255` to keep
   * pixels as bytes in memory and hand out floats in [0, 1]).
   */
  scale?: number;
}

/**
 * Features (and optionally a target) from plain arrays, typed arrays with a
 * shape, or Tensors. Typed arrays are kept as they are — bytes stay bytes,
 * a quarter of float32's memory — and converted a batch at a time.
 *
 * ```ts
 * const { data, shape } = await readIdx('train-images-idx3-ubyte.gz');
 * const ds = new ArrayDataset({ data, shape }, labels, { scale: 1 / 255 });
 * ```
 */
export class ArrayDataset extends FieldsDataset {
  protected readonly fields: Field[];

  constructor(x: ArrayInput, y?: ArrayInput, options: ArrayDatasetOptions = {}) {
    super();
    checkOptions('ArrayDataset', options, ['dtype', 'targetDtype', 'scale']);
    if (options.scale !== undefined && !Number.isFinite(options.scale)) {
      throw new ValueError(`ArrayDataset: scale must be a finite number, got ${options.scale}`);
    }
    const fx = toField(x, options.dtype, options.scale, 'x');
    this.fields = [fx];
    if (y !== undefined) {
      const fy = toField(y, options.targetDtype ?? inferTargetDType(y), undefined, 'y');
      if (fy.length !== fx.length) {
        throw new ShapeError(`ArrayDataset: x has ${fx.length} samples but y has ${fy.length}`);
      }
      this.fields.push(fy);
    }
  }
}

function inferTargetDType(y: ArrayInput): DType {
  if (y instanceof Tensor) return y.dtype;
  if (isShaped(y)) {
    if (y.data instanceof Float64Array) return 'float64';
    if (y.data instanceof Float32Array) return 'float32';
    return 'int32';
  }
  const allInts = (v: unknown): boolean => (Array.isArray(v) ? v.every(allInts) : Number.isInteger(v));
  return allInts(y) ? 'int32' : 'float32';
}

function isShaped(v: unknown): v is ShapedArray {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'data' in v && 'shape' in v;
}

/** A Tensor's dtype when the array already is one of its types (and no scale applies); float32 otherwise. */
function defaultDType(data: NumericArray, scale: number | undefined): DType {
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array && scale === undefined) return 'int32';
  return 'float32';
}

function toField(v: ArrayInput, requested: DType | undefined, scale: number | undefined, what: string): Field {
  if (v instanceof Tensor) return new Field(v.data, v.shape, requested ?? defaultDType(v.data, scale), scale);
  if (isShaped(v)) {
    if (!ArrayBuffer.isView(v.data)) throw new ValueError(`ArrayDataset: ${what}.data must be a typed array`);
    return new Field(v.data, v.shape, requested ?? defaultDType(v.data, scale), scale);
  }
  const dtype = requested ?? 'float32';
  if (!Array.isArray(v)) throw new ValueError(`ArrayDataset: ${what} must be an array, a typed array with a shape, or a Tensor`);
  const rows = v as readonly (number | readonly number[])[];
  if (rows.length === 0 || !Array.isArray(rows[0])) {
    const out = dtype === 'float64' ? new Float64Array(rows.length) : dtype === 'int32' ? new Int32Array(rows.length) : new Float32Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const x = rows[i];
      if (typeof x !== 'number') throw new ValueError(`ArrayDataset: ${what}[${i}] is ${Array.isArray(x) ? 'an array' : typeof x}, expected a number`);
      out[i] = x;
    }
    return new Field(out, [rows.length], dtype, scale);
  }
  const d = (rows[0] as readonly number[]).length;
  const out = dtype === 'float64' ? new Float64Array(rows.length * d) : dtype === 'int32' ? new Int32Array(rows.length * d) : new Float32Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!Array.isArray(r) || r.length !== d) {
      throw new ShapeError(`ArrayDataset: ${what} is ragged: row 0 has ${d} values, row ${i} has ${Array.isArray(r) ? r.length : 'none'}`);
    }
    for (let j = 0; j < d; j++) {
      const x = r[j];
      if (typeof x !== 'number') throw new ValueError(`ArrayDataset: ${what}[${i}][${j}] is ${typeof x}, expected a number`);
      out[i * d + j] = x;
    }
  }
  return new Field(out, [rows.length, d], dtype, scale);
}

/** The samples of `dataset` at `indices`, in that order (PyTorch's `Subset`). */
export class Subset<S extends Sample = Sample> implements Dataset<S> {
  readonly indices: Int32Array;

  constructor(
    readonly dataset: Dataset<S>,
    indices: ArrayLike<number>,
  ) {
    this.indices = Int32Array.from(indices);
    for (const i of this.indices) checkIndex(i, dataset.length, 'Subset');
    if (hasGetBatch(dataset)) {
      (this as unknown as BatchDataset<S>).getBatch = (idx: ArrayLike<number>): S => {
        const mapped = new Int32Array(idx.length);
        for (let b = 0; b < idx.length; b++) {
          checkIndex(idx[b], this.indices.length, 'Subset.getBatch');
          mapped[b] = this.indices[idx[b]];
        }
        return dataset.getBatch(mapped);
      };
    }
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): S | Promise<S> {
    checkIndex(index, this.indices.length, 'Subset.get');
    return this.dataset.get(this.indices[index]);
  }
}

/**
 * A stream of samples (PyTorch's `IterableDataset`): for data larger than
 * memory, or produced on the fly. Give a function that opens a fresh stream
 * each epoch (`() => streamRows(path)`); a plain iterable or async iterable
 * works too, but a one-shot generator can only be iterated once.
 */
export class IterableDataset<S extends Sample = Sample> implements AsyncIterable<S> {
  private readonly source: SampleSource<S>;

  constructor(source: SampleSource<S>) {
    const ok =
      typeof source === 'function' ||
      (source != null && (typeof (source as AsyncIterable<S>)[Symbol.asyncIterator] === 'function' || typeof (source as Iterable<S>)[Symbol.iterator] === 'function'));
    if (!ok) throw new ValueError('IterableDataset: source must be an iterable, an async iterable, or a function returning one');
    this.source = source;
  }

  /** Opens the stream for one pass. */
  open(): AsyncIterator<S> | Iterator<S> {
    const src = typeof this.source === 'function' ? this.source() : this.source;
    if (typeof (src as AsyncIterable<S>)[Symbol.asyncIterator] === 'function') return (src as AsyncIterable<S>)[Symbol.asyncIterator]();
    if (typeof (src as Iterable<S>)[Symbol.iterator] === 'function') return (src as Iterable<S>)[Symbol.iterator]();
    throw new ValueError('IterableDataset: the source function must return an iterable or an async iterable');
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<S> {
    const it = this.open();
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  }
}
