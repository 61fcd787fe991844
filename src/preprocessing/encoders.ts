/**
 * Categorical encoders: OneHotEncoder, OrdinalEncoder (features) and
 * LabelEncoder (targets), with scikit-learn's category order: per column,
 * numbers ascending (NaN last) or strings by code point.
 *
 * The feature encoders accept numeric matrices or rows of strings/numbers
 * (`CategoricalInput`, e.g. `[['red', 1], ['blue', 3]]`); one column holds
 * only strings or only numbers. Outputs are float64 Tensors.
 */
import { ShapeError, ValueError } from '../errors.js';
import { checkOptions } from '../utils/options.js';
import { BaseTransformer, checkIsFitted, type GetParamsOptions, type Params } from '../models/base.js';
import { Tensor } from '../tensor/tensor.js';
import { compareStrings, encodeWithClasses, toLabels, toMatrix, type Label, type LabelInput, type MatrixInput } from '../utils/validation.js';

export type Category = number | string;
/** Rows of categories (strings or numbers), or any numeric matrix input. */
export type CategoricalInput = readonly (readonly Category[])[] | MatrixInput;

interface Columns {
  rows: number;
  cols: number;
  /** column j as values (numbers may include NaN for missing) */
  column(j: number): ArrayLike<Category>;
}

function isRowArrays(X: CategoricalInput): X is readonly (readonly Category[])[] {
  return Array.isArray(X) && (X.length === 0 || Array.isArray(X[0]));
}

/** Reads categorical input column-wise; numeric input goes through toMatrix (NaN allowed). */
export function readColumns(X: CategoricalInput, name = 'X'): Columns {
  if (isRowArrays(X)) {
    const rowsArr = X as readonly (readonly unknown[])[];
    const rows = rowsArr.length;
    if (rows === 0) throw new ValueError(`${name} is empty: found 0 samples while a minimum of 1 is required`);
    const cols = rowsArr[0].length;
    if (cols === 0) throw new ValueError(`${name} has 0 features while a minimum of 1 is required`);
    for (let i = 0; i < rows; i++) {
      const r = rowsArr[i];
      if (!Array.isArray(r)) throw new ShapeError(`${name}: row ${i} is not an array`);
      if (r.length !== cols) throw new ShapeError(`${name}: ragged rows: row ${i} has length ${r.length}, expected ${cols} (the length of row 0)`);
    }
    const kinds: string[] = new Array(cols).fill('');
    for (let i = 0; i < rows; i++) {
      const r = rowsArr[i];
      for (let j = 0; j < cols; j++) {
        const v = r[j];
        const t = typeof v;
        if (t !== 'number' && t !== 'string') {
          throw new ValueError(`${name}: element at row ${i}, column ${j} is ${v === null ? 'null' : t}; categories must be strings or numbers (NaN marks a missing number)`);
        }
        if (t === 'number' && (v as number) - (v as number) !== 0 && !Number.isNaN(v)) {
          throw new ValueError(`${name}: element at row ${i}, column ${j} is ${v}; infinite values are not categories`);
        }
        if (!kinds[j]) kinds[j] = t;
        else if (kinds[j] !== t) {
          throw new ValueError(
            `${name}: column ${j} mixes strings and numbers (row ${i} holds ${t === 'string' ? `'${v}'` : v}); encoders need each column to be uniformly strings or numbers`,
          );
        }
      }
    }
    return {
      rows,
      cols,
      column: (j) => {
        const out = new Array<Category>(rows);
        for (let i = 0; i < rows; i++) out[i] = rowsArr[i][j] as Category;
        return out;
      },
    };
  }
  const m = toMatrix(X as MatrixInput, { name, allowNaN: true });
  return {
    rows: m.rows,
    cols: m.cols,
    column: (j) => {
      const out = new Float64Array(m.rows);
      for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j];
      return out;
    },
  };
}

/** Sorted distinct categories of one column: numbers ascending with NaN last, or strings. */
export function uniqueCategories(values: ArrayLike<Category>): Category[] {
  const set = new Set<Category>();
  for (let i = 0; i < values.length; i++) set.add(values[i]);
  const out = [...set];
  if (out.length && typeof out[0] === 'string') return (out as string[]).sort(compareStrings);
  return (out as number[]).sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b));
}

function catRepr(c: Category): string {
  return typeof c === 'string' ? `'${c}'` : Number.isNaN(c) ? 'NaN' : String(c);
}

function fitCategories(cols: Columns, spec: 'auto' | readonly (readonly Category[])[], name: string): Category[][] {
  if (spec === 'auto') {
    const out: Category[][] = [];
    for (let j = 0; j < cols.cols; j++) out.push(uniqueCategories(cols.column(j)));
    return out;
  }
  if (!Array.isArray(spec) || spec.length !== cols.cols) {
    throw new ShapeError(
      `${name}: categories has ${Array.isArray(spec) ? spec.length : 0} entries but X has ${cols.cols} features; pass one list of categories per feature or 'auto'`,
    );
  }
  const out: Category[][] = [];
  for (let j = 0; j < cols.cols; j++) {
    if (!Array.isArray(spec[j])) throw new ValueError(`${name}: categories[${j}] must be an array of the categories of feature ${j}, got ${String(spec[j])}`);
    const given = [...spec[j]];
    const set = new Set(given);
    if (set.size !== given.length) throw new ValueError(`${name}: categories for feature ${j} contain duplicates`);
    if (given.length && typeof given[0] === 'number') {
      for (let k = 1; k < given.length; k++) {
        if (!((given[k] as number) > (given[k - 1] as number)) && !Number.isNaN(given[k])) {
          throw new ValueError(`${name}: unsorted categories are not supported for numerical categories (feature ${j})`);
        }
      }
    }
    const col = cols.column(j);
    const unknown = new Set<Category>();
    for (let i = 0; i < col.length; i++) if (!set.has(col[i])) unknown.add(col[i]);
    if (unknown.size) {
      throw new ValueError(`${name}: found unknown categories [${[...unknown].map(catRepr).join(', ')}] in column ${j} during fit`);
    }
    out.push(given);
  }
  return out;
}

/**
 * Reads X for a fitted encoder: checks its width against fit and gives the
 * category index of each cell (-1 = unknown). With `unknownHint` (the
 * encoder's handleUnknown is 'error'), the first column holding unknown
 * categories throws, its message ending with the hint; NaN counts as
 * unknown unless `nanIsMissing`.
 */
function indexInput(
  X: CategoricalInput,
  categories: readonly Category[][],
  encoder: string,
  unknownHint: string | null,
  nanIsMissing: boolean,
): { cols: Columns; codes: Int32Array } {
  const cols = readColumns(X);
  if (cols.cols !== categories.length) throw new ShapeError(`X has ${cols.cols} features, but ${encoder} is expecting ${categories.length} features as input`);
  const { codes, unknown } = indexColumns(cols, categories);
  if (unknownHint !== null) {
    unknown.forEach((u, j) => {
      const real = nanIsMissing ? [...u].filter((c) => !Number.isNaN(c)) : [...u];
      if (real.length) throw new ValueError(`Found unknown categories [${real.map(catRepr).join(', ')}] in column ${j} during transform${unknownHint}`);
    });
  }
  return { cols, codes };
}

/** Category index per cell (-1 = unknown). */
function indexColumns(cols: Columns, categories: readonly Category[][]): { codes: Int32Array; unknown: Array<Set<Category>> } {
  const { rows } = cols;
  const k = categories.length;
  const codes = new Int32Array(rows * k);
  const unknown: Array<Set<Category>> = [];
  for (let j = 0; j < k; j++) {
    const map = new Map<Category, number>();
    categories[j].forEach((c, i) => map.set(c, i)); // Map keys treat NaN as one key
    const col = cols.column(j);
    const unk = new Set<Category>();
    for (let i = 0; i < rows; i++) {
      const c = map.get(col[i]);
      if (c === undefined) {
        codes[i * k + j] = -1;
        unk.add(col[i]);
      } else codes[i * k + j] = c;
    }
    unknown.push(unk);
  }
  return { codes, unknown };
}

// ------------------------------------------------------------ OneHotEncoder

export interface OneHotEncoderParams {
  /** 'auto' (from the data) or one sorted list of categories per feature. */
  categories: 'auto' | readonly (readonly Category[])[];
  /** Drop one category per feature: null (none), 'first', 'if_binary' (only two-category features) or one category (or null) per feature. */
  drop: null | 'first' | 'if_binary' | readonly (Category | null)[];
  /** 'error' (default) or 'ignore': unknown categories then encode as all zeros. */
  handleUnknown: 'error' | 'ignore';
}

/** One binary column per (feature, category), features in order, categories sorted. */
export class OneHotEncoder extends BaseTransformer<OneHotEncoderParams> {
  /** Categories per feature, in output column order. */
  categories: Category[][] | undefined;
  /** Index of the dropped category per feature (null: none), or null when nothing is dropped. */
  dropIdx: (number | null)[] | null | undefined;
  private offsets: Int32Array | undefined;

  constructor(params: Partial<OneHotEncoderParams> = {}) {
    super(params, { categories: 'auto', drop: null, handleUnknown: 'error' });
  }

  override fit(X: CategoricalInput): this {
    const { handleUnknown, drop } = this.params;
    if (handleUnknown !== 'error' && handleUnknown !== 'ignore') throw new ValueError(`handleUnknown must be 'error' or 'ignore', got ${String(handleUnknown)}`);
    const cols = readColumns(X);
    const cats = fitCategories(cols, this.params.categories, 'OneHotEncoder');
    let dropIdx: (number | null)[] | null = null;
    if (drop === 'first') dropIdx = cats.map(() => 0);
    else if (drop === 'if_binary') dropIdx = cats.map((c) => (c.length === 2 ? 0 : null));
    else if (Array.isArray(drop)) {
      if (drop.length !== cats.length) throw new ShapeError(`drop should have length equal to the number of features (${cats.length}), got ${drop.length}`);
      dropIdx = drop.map((d, j) => {
        if (d === null) return null;
        const idx = cats[j].findIndex((c) => Object.is(c, d) || c === d);
        if (idx < 0) throw new ValueError(`The following categories were supposed to be dropped, but were not found in the training data: feature ${j}: ${catRepr(d)}`);
        return idx;
      });
    } else if (drop !== null && drop !== undefined) {
      throw new ValueError(`drop must be null, 'first', 'if_binary' or one category per feature, got ${String(drop)}`);
    }
    if (dropIdx?.every((d) => d === null)) dropIdx = drop === 'if_binary' ? dropIdx : null;
    this.categories = cats;
    this.dropIdx = dropIdx;
    const offsets = new Int32Array(cats.length + 1);
    for (let j = 0; j < cats.length; j++) offsets[j + 1] = offsets[j] + cats[j].length - (dropIdx && dropIdx[j] !== null ? 1 : 0);
    this.offsets = offsets;
    return this.markFitted(cols.cols);
  }

  /** Number of output columns. */
  get nOutputFeatures(): number {
    checkIsFitted(this);
    return this.offsets![this.offsets!.length - 1];
  }

  override transform(X: CategoricalInput): Tensor {
    this.checkFitted();
    const cats = this.categories!;
    const hint = this.params.handleUnknown === 'error' ? "; use handleUnknown: 'ignore' to encode them as zeros" : null;
    const { cols, codes } = indexInput(X, cats, 'OneHotEncoder', hint, false);
    const k = cats.length;
    const width = this.offsets![k];
    const out = new Float64Array(cols.rows * width);
    const drop = this.dropIdx;
    for (let i = 0; i < cols.rows; i++) {
      for (let j = 0; j < k; j++) {
        const c = codes[i * k + j];
        if (c < 0) continue;
        const d = drop ? drop[j] : null;
        if (d === null) out[i * width + this.offsets![j] + c] = 1;
        else if (c !== d) out[i * width + this.offsets![j] + (c > d ? c - 1 : c)] = 1;
      }
    }
    return new Tensor(out, [cols.rows, width]);
  }

  override fitTransform(X: CategoricalInput): Tensor {
    return this.fit(X).transform(X);
  }

  /** Back to categories; an all-zero block gives the dropped category, or null for an unknown one. */
  inverseTransform(X: MatrixInput): (Category | null)[][] {
    this.checkFitted();
    const m = toMatrix(X);
    const cats = this.categories!;
    const width = this.offsets![cats.length];
    if (m.cols !== width) throw new ShapeError(`Shape of the passed X data is not correct. Expected ${width} columns, got ${m.cols}`);
    const out: (Category | null)[][] = [];
    for (let i = 0; i < m.rows; i++) {
      const row: (Category | null)[] = [];
      for (let j = 0; j < cats.length; j++) {
        const start = this.offsets![j];
        const n = this.offsets![j + 1] - start;
        let best = -1;
        let bestV = 0;
        for (let c = 0; c < n; c++) {
          const v = m.data[i * width + start + c];
          if (v > bestV) {
            bestV = v;
            best = c;
          }
        }
        const d = this.dropIdx ? this.dropIdx[j] : null;
        if (best < 0) row.push(d !== null ? cats[j][d] : null);
        else row.push(cats[j][d !== null && best >= d ? best + 1 : best]);
      }
      out.push(row);
    }
    return out;
  }

  /** Output column names: `${feature}_${category}` (features default to x0, x1, ...). */
  getFeatureNamesOut(inputFeatures?: readonly string[]): string[] {
    this.checkFitted();
    const cats = this.categories!;
    const names = inputFeatures ?? cats.map((_, j) => `x${j}`);
    if (names.length !== cats.length) throw new ShapeError(`inputFeatures should have length ${cats.length}, got ${names.length}`);
    const out: string[] = [];
    cats.forEach((cs, j) => {
      const d = this.dropIdx ? this.dropIdx[j] : null;
      cs.forEach((c, i) => {
        if (i !== d) out.push(`${names[j]}_${Number.isNaN(c) ? 'nan' : String(c)}`);
      });
    });
    return out;
  }
}

// ------------------------------------------------------------ OrdinalEncoder

export interface OrdinalEncoderParams {
  categories: 'auto' | readonly (readonly Category[])[];
  /** 'error' (default) or 'use_encoded_value' (unknown categories become `unknownValue`). */
  handleUnknown: 'error' | 'use_encoded_value';
  /** Code for unknown categories with handleUnknown 'use_encoded_value' (an integer not used by a category, or NaN). */
  unknownValue: number | null;
  /** Code for missing values (NaN in a numeric column); default NaN. */
  encodedMissingValue: number;
}

/** Each category becomes its index in the sorted categories of its feature. */
export class OrdinalEncoder extends BaseTransformer<OrdinalEncoderParams> {
  categories: Category[][] | undefined;

  constructor(params: Partial<OrdinalEncoderParams> = {}) {
    super(params, { categories: 'auto', handleUnknown: 'error', unknownValue: null, encodedMissingValue: Number.NaN });
  }

  override fit(X: CategoricalInput): this {
    const { handleUnknown, unknownValue } = this.params;
    if (handleUnknown === 'use_encoded_value') {
      if (typeof unknownValue !== 'number' || !(Number.isInteger(unknownValue) || Number.isNaN(unknownValue))) {
        throw new ValueError(`unknownValue should be an integer or NaN when handleUnknown is 'use_encoded_value', got ${String(unknownValue)}`);
      }
    } else if (handleUnknown !== 'error') {
      throw new ValueError(`handleUnknown should be 'error' or 'use_encoded_value', got ${String(handleUnknown)}`);
    } else if (unknownValue !== null) {
      throw new ValueError(`unknownValue should only be set when handleUnknown is 'use_encoded_value', got ${unknownValue}`);
    }
    const cols = readColumns(X);
    const cats = fitCategories(cols, this.params.categories, 'OrdinalEncoder');
    if (handleUnknown === 'use_encoded_value' && Number.isInteger(unknownValue)) {
      cats.forEach((c, j) => {
        const nonMissing = c.filter((v) => !Number.isNaN(v)).length;
        if ((unknownValue as number) >= 0 && (unknownValue as number) < nonMissing) {
          throw new ValueError(`The used value for unknownValue ${unknownValue} is one of the values already used for encoding the seen categories (feature ${j}).`);
        }
      });
    }
    this.categories = cats;
    return this.markFitted(cols.cols);
  }

  override transform(X: CategoricalInput): Tensor {
    this.checkFitted();
    const cats = this.categories!;
    const { cols, codes } = indexInput(X, cats, 'OrdinalEncoder', this.params.handleUnknown === 'error' ? '' : null, true);
    const k = cats.length;
    const out = new Float64Array(cols.rows * k);
    const missing = this.params.encodedMissingValue;
    for (let j = 0; j < k; j++) {
      const col = cols.column(j);
      const nanIdx = cats[j].findIndex((c) => Number.isNaN(c));
      for (let i = 0; i < cols.rows; i++) {
        const c = codes[i * k + j];
        const v = col[i];
        if (typeof v === 'number' && Number.isNaN(v)) out[i * k + j] = missing;
        else if (c < 0) out[i * k + j] = this.params.unknownValue as number;
        else out[i * k + j] = nanIdx >= 0 && c > nanIdx ? c - 1 : c;
      }
    }
    return new Tensor(out, [cols.rows, k]);
  }

  override fitTransform(X: CategoricalInput): Tensor {
    return this.fit(X).transform(X);
  }

  /** Codes back to categories (null for `unknownValue`, NaN for missing). */
  inverseTransform(X: MatrixInput): (Category | null)[][] {
    this.checkFitted();
    const m = toMatrix(X, { allowNaN: true });
    const cats = this.categories!;
    if (m.cols !== cats.length) throw new ShapeError(`Shape of the passed X data is not correct. Expected ${cats.length} columns, got ${m.cols}`);
    const out: (Category | null)[][] = [];
    for (let i = 0; i < m.rows; i++) {
      const row: (Category | null)[] = [];
      for (let j = 0; j < cats.length; j++) {
        const v = m.data[i * cats.length + j];
        const missing = this.params.encodedMissingValue;
        if (Object.is(v, missing) || (Number.isNaN(v) && Number.isNaN(missing))) row.push(Number.NaN);
        else if (this.params.handleUnknown === 'use_encoded_value' && Object.is(v, this.params.unknownValue)) row.push(null);
        else {
          const c = cats[j][v];
          if (c === undefined) throw new ValueError(`inverseTransform: code ${v} is not a category index of feature ${j}`);
          row.push(c);
        }
      }
      out.push(row);
    }
    return out;
  }
}

// ------------------------------------------------------------ LabelEncoder

/**
 * Encodes target labels as 0..nClasses-1 (sorted order). Works on 1-D
 * label arrays, not on feature matrices.
 */
export class LabelEncoder {
  readonly estimatorType = 'transformer' as const;
  /** Sorted labels seen in fit. */
  classes: Label[] | undefined;

  constructor(_params: Params = {}) {
    checkOptions('LabelEncoder', _params, []);
  }

  get isFitted(): boolean {
    return this.classes !== undefined;
  }

  getParams(_options?: GetParamsOptions): Params {
    return {};
  }

  setParams(params: Params): this {
    const keys = Object.keys(params);
    if (keys.length) throw new ValueError(`Invalid parameter '${keys[0]}' for estimator LabelEncoder. It takes no parameters`);
    return this;
  }

  fit(y: LabelInput): this {
    this.classes = toLabels(y).classes;
    return this;
  }

  /** Index of each label in `classes`; unseen labels throw. */
  transform(y: LabelInput): Int32Array {
    checkIsFitted(this);
    return encodeWithClasses(y, this.classes!);
  }

  fitTransform(y: LabelInput): Int32Array {
    const lab = toLabels(y);
    this.classes = lab.classes;
    return lab.codes;
  }

  /** Codes back to the original labels. */
  inverseTransform(codes: ArrayLike<number>): Label[] {
    checkIsFitted(this);
    if (!Array.isArray(codes) && !ArrayBuffer.isView(codes)) throw new ValueError(`LabelEncoder.inverseTransform: expected an array of codes, got ${String(codes)}`);
    const classes = this.classes!;
    const out = new Array<Label>(codes.length);
    const bad: number[] = [];
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (!Number.isInteger(c) || c < 0 || c >= classes.length) bad.push(c);
      else out[i] = classes[c];
    }
    if (bad.length) throw new ValueError(`y contains previously unseen labels: [${[...new Set(bad)].join(', ')}]`);
    return out;
  }
}
