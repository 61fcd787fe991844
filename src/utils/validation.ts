/**
 * Input conversion and checks shared by every estimator, metric and
 * splitter (scikit-learn's `check_array` / `check_X_y` / `column_or_1d`).
 *
 * Accepted inputs
 * - matrices (`MatrixInput`): `number[][]`; `{ data, shape: [rows, cols] }`
 *   with a typed array or plain array as `data` (a `Tensor` is one of these);
 *   a `Matrix` (`{ data, rows, cols }`, what `toMatrix` returns); a flat
 *   array together with the `shape` option of `toMatrix`.
 * - vectors (`VectorInput`): `number[]`, a typed array, a 1-D tensor or an
 *   `n x 1` tensor / shaped array.
 * - labels (`LabelInput`): numbers or strings, in a plain array, a typed
 *   array or a tensor. One type per array: strings and numbers never mix.
 *   Their encoding lives in labels.ts (re-exported here).
 *
 * Conversions are single typed-array passes. `toMatrix` does not copy a
 * `Float64Array` that is already row-major unless `copy: true` is given, so
 * callers treat the returned `data` as read-only.
 *
 * Errors: wrong shapes, ragged rows and inconsistent lengths throw
 * `ShapeError`; NaN / infinity, empty input, bad label types and too few
 * classes throw `ValueError`. Every message names the argument and says
 * what was expected and what came.
 */
import { LimitError, ShapeError, ValueError, type FrugalError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import { readOptions } from './options.js';
import { describe, isMatrix, isShaped, shapedParts } from './input-kinds.js';
import { checkMinClasses, toLabels } from './labels.js';
import { Tensor } from '../tensor/tensor.js';

/** Any array-like of numbers, typed or plain. */
export type NumericArray = ArrayLike<number>;

/** A flat row-major buffer with its shape; `Tensor` satisfies it. */
export interface ShapedArray {
  readonly data: NumericArray;
  readonly shape: readonly number[];
}

// The dense row-major float64 matrix `toMatrix` returns is linalg's own type.
export type { Matrix };
// Label encoding, re-exported so callers find every converter here.
export { compareStrings, sortLabels, encodeLabels, toLabels, encodeWithClasses, labelArray, checkMinClasses, type EncodedLabels, type Labels } from './labels.js';

export type MatrixInput = readonly (readonly number[])[] | ShapedArray | Matrix;
export type VectorInput = NumericArray | ShapedArray;
/** A class label: classifiers return the labels they were trained on. */
export type Label = number | string;
export type LabelInput = readonly Label[] | NumericArray | ShapedArray;

export interface ToMatrixOptions {
  /** Argument name used in error messages (default 'X'). */
  name?: string;
  /** Accept NaN (missing values); infinity is still rejected unless `allowInf`. */
  allowNaN?: boolean;
  /** Accept +/-Infinity. */
  allowInf?: boolean;
  /** Always return a fresh buffer the caller may modify. */
  copy?: boolean;
  /** Shape for a flat array input: [rows, cols]. */
  shape?: readonly [number, number];
  /** Minimum number of rows (default 1). */
  minSamples?: number;
  /** Minimum number of columns (default 1). */
  minFeatures?: number;
}

const TO_MATRIX_OPTIONS = ['name', 'allowNaN', 'allowInf', 'copy', 'shape', 'minSamples', 'minFeatures'];
const TO_VECTOR_OPTIONS = ['name', 'allowNaN', 'allowInf', 'copy', 'minLength'];

/**
 * readOptions for the converters every `predict` calls: a key scan without
 * allocation first, the full check (and its message) only on a miss.
 */
function readConverterOptions<T extends object>(where: string, options: T | null | undefined, valid: readonly string[]): T {
  for (const key in options) if (!valid.includes(key)) return readOptions(where, options, valid);
  return options ?? ({} as T);
}

function nonFiniteError(name: string, v: number, row: number, col: number): ValueError {
  const what = Number.isNaN(v) ? 'NaN' : v > 0 ? 'infinity' : '-infinity';
  return new ValueError(`${name} contains ${what} at row ${row}, column ${col}; remove or impute missing values first (SimpleImputer) or pass finite numbers`);
}

function checkMinSize(name: string, rows: number, cols: number, minSamples: number, minFeatures: number): void {
  if (rows < minSamples) {
    throw new ValueError(`${name} is empty: found ${rows} sample(s) (shape [${rows}, ${cols}]) while a minimum of ${minSamples} is required`);
  }
  if (cols < minFeatures) {
    throw new ValueError(`${name} has ${cols} feature(s) (shape [${rows}, ${cols}]) while a minimum of ${minFeatures} is required`);
  }
}

/**
 * `src` as a Float64Array: the same buffer unless `copy`, a converted typed
 * array, or a checked copy of a plain array (`badElement` makes the error
 * for an element that is not a number).
 */
function float64From(src: NumericArray, copy: boolean | undefined, badElement: (i: number, v: unknown) => FrugalError): Float64Array {
  if (src instanceof Float64Array) return copy ? src.slice() : src;
  if (ArrayBuffer.isView(src)) return Float64Array.from(src);
  const out = new Float64Array(src.length);
  for (let i = 0; i < out.length; i++) {
    const v = src[i];
    if (typeof v !== 'number') throw badElement(i, v);
    out[i] = v;
  }
  return out;
}

/** Scans a float buffer for NaN / infinity; throws naming the first bad cell. */
export function assertAllFinite(data: NumericArray, cols: number, name = 'X', allowNaN = false, allowInf = false): void {
  const n = data.length;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v - v !== 0) {
      // NaN - NaN and Inf - Inf are both NaN: one comparison per element.
      if (Number.isNaN(v) ? allowNaN : allowInf) continue;
      const c = cols > 0 ? cols : 1;
      throw nonFiniteError(name, v, Math.floor(i / c), i % c);
    }
  }
}

/**
 * Converts any matrix input to a row-major float64 `Matrix`, validating
 * its shape and values.
 */
export function toMatrix(X: MatrixInput | NumericArray, options: ToMatrixOptions = {}): Matrix {
  options = readConverterOptions('toMatrix', options, TO_MATRIX_OPTIONS);
  const name = options.name ?? 'X';
  const allowNaN = options.allowNaN ?? false;
  const allowInf = options.allowInf ?? false;
  const minSamples = options.minSamples ?? 1;
  const minFeatures = options.minFeatures ?? 1;
  if (X === null || X === undefined) throw new ValueError(`${name} is ${X}; expected a 2-D array (number[][], {data, shape} or a Tensor)`);

  if (isMatrix(X)) {
    const { rows, cols } = X;
    if (X.data.length !== rows * cols) throw new ShapeError(`${name}: ${X.data.length} elements do not fill rows=${rows} x cols=${cols}`);
    checkMinSize(name, rows, cols, minSamples, minFeatures);
    // slice and the typed-array constructor copy in bulk; Float64Array.from walks an iterator (many times slower).
    const data = X.data instanceof Float64Array ? (options.copy ? X.data.slice() : X.data) : new Float64Array(X.data);
    assertAllFinite(data, cols, name, allowNaN, allowInf);
    return { data, rows, cols };
  }

  if (isShaped(X) || ArrayBuffer.isView(X)) {
    let shape: readonly number[];
    let src: NumericArray;
    if (isShaped(X)) {
      ({ shape, data: src } = shapedParts(X, name));
    } else {
      if (!options.shape) {
        throw new ShapeError(
          `${name}: a flat ${(X as object).constructor.name} of length ${(X as NumericArray).length} has no shape; pass {data, shape: [rows, cols]}, a Tensor, or the shape option`,
        );
      }
      if (!Array.isArray(options.shape)) throw new ShapeError(`${name}: the shape option must be [rows, cols], got ${describe(options.shape)}`);
      shape = options.shape;
      src = X as NumericArray;
    }
    if (shape.length === 1) {
      throw new ShapeError(`${name}: expected a 2-D array, got a 1-D array of shape [${shape[0]}]; reshape it to [n, 1] for a single feature or [1, n] for a single sample`);
    }
    if (shape.length !== 2) throw new ShapeError(`${name}: expected a 2-D array, got shape [${shape.join(', ')}]`);
    const rows = shape[0];
    const cols = shape[1];
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new ShapeError(`${name}: invalid shape [${shape.join(', ')}]`);
    }
    if (src.length !== rows * cols) {
      throw new ShapeError(`${name}: data has ${src.length} elements but shape [${rows}, ${cols}] needs ${rows * cols}`);
    }
    checkMinSize(name, rows, cols, minSamples, minFeatures);
    const data = float64From(
      src,
      options.copy,
      (i, v) => new ValueError(`${name}: element ${i} (row ${Math.floor(i / cols)}, column ${i % cols}) is ${describe(v)}, expected a number`),
    );
    assertAllFinite(data, cols, name, allowNaN, allowInf);
    return { data, rows, cols };
  }

  if (!Array.isArray(X)) throw new ValueError(`${name}: expected a 2-D array (number[][], {data, shape} or a Tensor), got ${describe(X)}`);
  const rowsArr = X as readonly unknown[];
  const rows = rowsArr.length;
  if (rows === 0) checkMinSize(name, 0, 0, minSamples, minFeatures);
  const first = rowsArr[0];
  if (!Array.isArray(first)) {
    if (typeof first === 'number') {
      throw new ShapeError(
        `${name}: expected a 2-D array, got a 1-D array of length ${rows}; wrap each value as [value] for a single feature, or the whole array as [values] for a single sample`,
      );
    }
    throw new ValueError(`${name}[0] is ${describe(first)}, expected an array of numbers (a row)`);
  }
  const cols = first.length;
  checkMinSize(name, rows, cols, minSamples, minFeatures);
  const data = new Float64Array(rows * cols);
  let k = 0;
  for (let i = 0; i < rows; i++) {
    const row = rowsArr[i] as readonly unknown[];
    if (!Array.isArray(row)) throw new ShapeError(`${name}: row ${i} is ${describe(row)}, expected an array of ${cols} numbers`);
    if (row.length !== cols) {
      throw new ShapeError(`${name}: ragged rows: row ${i} has length ${row.length}, expected ${cols} (the length of row 0)`);
    }
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (typeof v !== 'number') throw new ValueError(`${name}: element at row ${i}, column ${j} is ${describe(v)}, expected a number`);
      if (v - v !== 0 && !(Number.isNaN(v) ? allowNaN : allowInf)) throw nonFiniteError(name, v, i, j);
      data[k++] = v;
    }
  }
  return { data, rows, cols };
}

export interface ToVectorOptions {
  name?: string;
  allowNaN?: boolean;
  allowInf?: boolean;
  copy?: boolean;
  /** Minimum length (default 1). */
  minLength?: number;
}

/**
 * Converts a 1-D input (or an n x 1 column) to a Float64Array, rejecting
 * NaN / infinity and non-numbers.
 */
export function toVector(y: VectorInput, options: ToVectorOptions = {}): Float64Array {
  options = readConverterOptions('toVector', options, TO_VECTOR_OPTIONS);
  const name = options.name ?? 'y';
  if (y === null || y === undefined) throw new ValueError(`${name} is ${y}; expected a 1-D array of numbers`);
  let src: NumericArray;
  if (isShaped(y)) {
    const { shape: s, data } = shapedParts(y, name);
    if (!(s.length === 1 || (s.length === 2 && s[1] === 1))) {
      throw new ShapeError(`${name}: expected a 1-D array, got shape [${s.join(', ')}]`);
    }
    src = data;
  } else if (isMatrix(y)) {
    const m = y as unknown as Matrix;
    if (m.cols !== 1) throw new ShapeError(`${name}: expected a 1-D array, got a matrix of shape [${m.rows}, ${m.cols}]`);
    src = m.data;
  } else if (ArrayBuffer.isView(y) || Array.isArray(y)) {
    src = y;
  } else {
    throw new ValueError(`${name}: expected a 1-D array of numbers, got ${describe(y)}`);
  }
  const n = src.length;
  const minLength = options.minLength ?? 1;
  if (n < minLength) throw new ValueError(`${name} is empty: found ${n} element(s) while a minimum of ${minLength} is required`);
  const out = float64From(src, options.copy, (i, v) =>
    Array.isArray(v) ? new ShapeError(`${name}: expected a 1-D array, but element ${i} is an array`) : new ValueError(`${name}[${i}] is ${describe(v)}, expected a number`),
  );
  const allowNaN = options.allowNaN ?? false;
  const allowInf = options.allowInf ?? false;
  for (let i = 0; i < n; i++) {
    const v = out[i];
    if (v - v !== 0 && !(Number.isNaN(v) ? allowNaN : allowInf)) {
      throw new ValueError(`${name}[${i}] is ${Number.isNaN(v) ? 'NaN' : v > 0 ? 'infinity' : '-infinity'}; expected finite numbers`);
    }
  }
  return out;
}

const MAX_INT32 = 2 ** 31 - 1;

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/**
 * Number of samples of an input without converting it: arrays, typed
 * arrays, `{data, shape}` (Tensors) and Matrices, whose declared sizes must
 * match the elements there (a shape is never trusted alone), or any other
 * object with an integer `length` below 2^31.
 */
export function numSamples(x: MatrixInput | LabelInput | VectorInput, name = 'X'): number {
  if (Array.isArray(x)) return x.length;
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return (x as unknown as ArrayLike<number>).length;
  if (isMatrix(x)) {
    const { rows, cols, data } = x as Matrix;
    if (!isSize(rows) || !isSize(cols) || (data as ArrayLike<number> | null)?.length !== rows * cols) {
      throw new ShapeError(`${name}: a matrix of [${String(rows)}, ${String(cols)}] needs rows * cols elements in data, got ${describe(data)}`);
    }
    return rows;
  }
  if (isShaped(x)) {
    const { shape, data } = x;
    if (!Array.isArray(shape) || !shape.every(isSize)) throw new ShapeError(`${name}: invalid shape ${describe(shape)}; sizes are integers >= 0`);
    const size = shape.reduce((a: number, b: number) => a * b, 1);
    if ((data as ArrayLike<number> | null)?.length !== size) {
      throw new ShapeError(`${name}: shape [${shape.join(', ')}] needs ${size} elements but data is ${describe(data)}`);
    }
    return shape.length === 0 ? 1 : shape[0];
  }
  const length = (x as { length?: unknown } | null)?.length;
  if (typeof x === 'object' && isSize(length)) {
    // any other array-like: only its length counts here, and sample indices are Int32
    if (length > MAX_INT32) throw new LimitError(`${name}: ${length} samples is more than the ${MAX_INT32} that Int32 indices can address`);
    return length;
  }
  throw new ValueError(`${name}: expected an array, a typed array, a Tensor or {data, shape}, got ${describe(x)}`);
}

/**
 * Throws a ShapeError unless all inputs have the same number of samples.
 * Pass `[name, length]` pairs: `checkConsistentLength(['X', 10], ['y', 9])`.
 */
export function checkConsistentLength(...items: ReadonlyArray<readonly [string, number]>): void {
  if (items.length < 2) return;
  const n = items[0][1];
  for (let i = 1; i < items.length; i++) {
    if (items[i][1] !== n) {
      const parts = items.map(([name, len]) => `${name} has ${len}`).join(', ');
      throw new ShapeError(`Found input variables with inconsistent numbers of samples: ${parts}`);
    }
  }
}

/** Throws a ShapeError when X has a different number of features than at fit time. */
export function checkNFeatures(X: Matrix, expected: number, estimator: string): void {
  if (X?.cols !== expected) {
    if (!isMatrix(X)) throw new ValueError(`checkNFeatures: X must be a Matrix {data, rows, cols}, got ${describe(X)}`);
    throw new ShapeError(`X has ${X.cols} features, but ${estimator} is expecting ${expected} features as input`);
  }
}

/** Validates `sampleWeight` (finite, length n); returns null when absent. */
export function checkSampleWeight(sampleWeight: VectorInput | null | undefined, n: number, options: { nonNegative?: boolean } = {}): Float64Array | null {
  options = readOptions('checkSampleWeight', options, ['nonNegative']);
  if (sampleWeight === undefined || sampleWeight === null) return null;
  const w = toVector(sampleWeight, { name: 'sampleWeight', minLength: 0 });
  if (w.length !== n) throw new ShapeError(`sampleWeight has ${w.length} elements, expected ${n} (one per sample)`);
  if (options.nonNegative) {
    for (let i = 0; i < n; i++) if (w[i] < 0) throw new ValueError(`sampleWeight[${i}] is ${w[i]}; weights must be >= 0`);
  }
  return w;
}

/** Checks and converts `(X, y)` for a regressor. */
export function checkXy(X: MatrixInput, y: VectorInput, options: { allowNaN?: boolean } = {}): { X: Matrix; y: Float64Array } {
  options = readOptions('checkXy', options, ['allowNaN']);
  const Xm = toMatrix(X, { name: 'X', allowNaN: options.allowNaN });
  const yv = toVector(y, { name: 'y', minLength: 0 });
  checkConsistentLength(['X', Xm.rows], ['y', yv.length]);
  return { X: Xm, y: yv };
}

/**
 * Checks and converts `(X, y)` for a classifier: `y` is encoded against its
 * sorted classes. `estimator` names the caller in the "too few classes" error.
 */
export function checkXLabels(
  X: MatrixInput,
  y: LabelInput,
  estimator: string,
  options: { allowNaN?: boolean; minClasses?: number } = {},
): { X: Matrix; y: Int32Array; classes: Label[] } {
  options = readOptions('checkXLabels', options, ['allowNaN', 'minClasses']);
  const Xm = toMatrix(X, { name: 'X', allowNaN: options.allowNaN });
  const lab = toLabels(y, { name: 'y', minLength: 0 });
  checkConsistentLength(['X', Xm.rows], ['y', lab.codes.length]);
  checkMinClasses(lab.classes, estimator, options.minClasses ?? 2);
  return { X: Xm, y: lab.codes, classes: lab.classes };
}

// ---------------------------------------------------------------- helpers

/** Wraps a Matrix as a float64 Tensor of shape [rows, cols] (no copy). */
export function matrixToTensor(m: Matrix): Tensor {
  return new Tensor(m.data, [m.rows, m.cols]);
}

/** The rows `idx` of a matrix, as a new Matrix. */
export function takeRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  const { cols, rows } = m;
  const out = new Float64Array(idx.length * cols);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i];
    if (!(k >= 0 && k < rows && Number.isInteger(k))) throw new ValueError(`takeRows: index ${k} at position ${i} is outside the ${rows} rows`);
    const r = k * cols;
    out.set(m.data.subarray(r, r + cols), i * cols);
  }
  return { data: out, rows: idx.length, cols };
}

/** Elements `idx` of an array of any kind, keeping its kind (typed arrays stay typed). */
export function takeElements<T>(a: ArrayLike<T>, idx: ArrayLike<number>): ArrayLike<T> {
  if (ArrayBuffer.isView(a)) {
    const Ctor = (a as unknown as { constructor: new (n: number) => { [i: number]: T } & ArrayLike<T> }).constructor;
    const out = new Ctor(idx.length);
    for (let i = 0; i < idx.length; i++) out[i] = a[idx[i]];
    return out;
  }
  const out = new Array<T>(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = a[idx[i]];
  return out;
}
