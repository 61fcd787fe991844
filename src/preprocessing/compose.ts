/**
 * ColumnTransformer: applies a transformer to each group of columns
 * (by index) and concatenates the results side by side, in the order of
 * the `transformers` list, followed by the remainder columns when
 * `remainder` is 'passthrough' or a transformer (scikit-learn's
 * `ColumnTransformer`, dense output).
 *
 * Input may be a numeric matrix or rows of strings and numbers (so that
 * e.g. a OneHotEncoder can take the string columns).
 */
import { ShapeError, ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import { BaseTransformer, clone, estimatorName, isEstimator, type Estimator, type GetParamsOptions, type Params } from '../models/base.js';
import { Tensor } from '../tensor/tensor.js';
import { toMatrix, type Matrix, type MatrixInput } from '../utils/validation.js';
import type { CategoricalInput } from './encoders.js';
import { namedEstimatorParams, setNamedEstimatorParams, validateNamedEstimators } from './pipeline.js';

export type ColumnSelector = number | readonly number[];
export type ColumnTransformerEntry = readonly [name: string, transformer: Estimator | 'drop' | 'passthrough', columns: ColumnSelector];

export interface ColumnTransformerParams {
  transformers: ColumnTransformerEntry[];
  /** What to do with columns no transformer names: 'drop' (default), 'passthrough' or a transformer. */
  remainder: 'drop' | 'passthrough' | Estimator;
}

type TransformerLike = Estimator & { transform(X: unknown): unknown; fitTransform?(X: unknown, y?: unknown): unknown };

interface FittedEntry {
  name: string;
  transformer: TransformerLike | 'passthrough';
  columns: number[];
}

/** Applies transformers to column subsets and stacks the outputs horizontally. */
export class ColumnTransformer extends BaseTransformer<ColumnTransformerParams> {
  /** The fitted transformers (clones of the given ones), with their column indices; the remainder is last, named 'remainder'. */
  transformersFitted: FittedEntry[] | undefined;
  /** name -> [start, end) of its columns in the output. */
  outputIndices: Record<string, [number, number]> | undefined;

  /**
   * @param transformers `[name, transformer | 'drop' | 'passthrough', columns]` entries.
   * Also accepts `new ColumnTransformer({ transformers, remainder })`.
   */
  constructor(transformers: ColumnTransformerEntry[] | Partial<ColumnTransformerParams>, options: { remainder?: ColumnTransformerParams['remainder'] } = {}) {
    const p = Array.isArray(transformers)
      ? { transformers, remainder: readOptions('ColumnTransformer', options, ['remainder']).remainder }
      : readOptions('ColumnTransformer', transformers, ['transformers', 'remainder']);
    super({ transformers: p.transformers ? [...p.transformers] : [], remainder: p.remainder ?? 'drop' });
    this.validate();
  }

  private validate(): void {
    const { transformers, remainder } = this.params;
    validateNamedEstimators(transformers, 'ColumnTransformer', ['transformers', 'remainder'], 0);
    for (const [name, t, cols] of transformers) {
      if (t !== 'drop' && t !== 'passthrough' && !(isEstimator(t) && typeof (t as TransformerLike).transform === 'function')) {
        throw new ValueError(`ColumnTransformer: all estimators should implement fit and transform, or be 'drop' or 'passthrough'; '${name}' (${estimatorName(t)}) doesn't`);
      }
      const list = typeof cols === 'number' ? [cols] : cols;
      if (!Array.isArray(list) || list.some((c) => !Number.isInteger(c) || c < 0)) {
        throw new ValueError(`ColumnTransformer: columns of '${name}' must be non-negative column indices, got ${JSON.stringify(cols)}`);
      }
    }
    if (remainder !== 'drop' && remainder !== 'passthrough' && !(isEstimator(remainder) && typeof (remainder as TransformerLike).transform === 'function')) {
      throw new ValueError(`ColumnTransformer: remainder must be 'drop', 'passthrough' or a transformer, got ${String(remainder)}`);
    }
  }

  override getParams(options: GetParamsOptions = {}): Params {
    const deep = options.deep ?? true;
    const out = namedEstimatorParams({ transformers: this.params.transformers, remainder: this.params.remainder }, this.params.transformers, deep);
    if (deep && isEstimator(this.params.remainder)) {
      for (const [k, v] of Object.entries(this.params.remainder.getParams({ deep: true }))) out[`remainder__${k}`] = v;
    }
    return out;
  }

  override setParams(params: Params): this {
    const rest: Params = {};
    const remainderSub: Params = {};
    for (const [k, v] of Object.entries(params)) {
      if (k.startsWith('remainder__')) remainderSub[k.slice('remainder__'.length)] = v;
      else rest[k] = v;
    }
    setNamedEstimatorParams(this.params as unknown as Record<string, unknown>, 'transformers', rest, 'ColumnTransformer');
    if (Object.keys(remainderSub).length) {
      if (!isEstimator(this.params.remainder)) throw new ValueError("Invalid parameter 'remainder__...': remainder is not an estimator");
      this.params.remainder.setParams(remainderSub);
    }
    this.validate();
    return this;
  }

  override fit(X: CategoricalInput, y?: unknown): this {
    this.fitTransform(X, y);
    return this;
  }

  override fitTransform(X: CategoricalInput, y?: unknown): Tensor {
    this.validate();
    const src = source(X);
    const fitted: FittedEntry[] = [];
    const used = new Set<number>();
    const parts: Matrix[] = [];
    const indices: Record<string, [number, number]> = {};
    let offset = 0;
    const run = (name: string, t: Estimator | 'passthrough', cols: number[]): void => {
      const sub = src.select(cols);
      let out: Matrix;
      if (t === 'passthrough') {
        out = toMatrix(sub as MatrixInput, { name: `columns of '${name}'`, allowNaN: true });
        fitted.push({ name, transformer: 'passthrough', columns: cols });
      } else {
        const est = clone(t) as TransformerLike;
        const res = typeof est.fitTransform === 'function' ? est.fitTransform(sub, y) : (est.fit(sub as MatrixInput, y), est.transform(sub));
        out = toMatrix(res as MatrixInput, { name: `output of '${name}'`, allowNaN: true, minFeatures: 0 });
        fitted.push({ name, transformer: est, columns: cols });
      }
      if (out.rows !== src.rows) throw new ShapeError(`ColumnTransformer: '${name}' returned ${out.rows} rows for ${src.rows} samples`);
      parts.push(out);
      indices[name] = [offset, offset + out.cols];
      offset += out.cols;
    };
    for (const [name, t, sel] of this.params.transformers) {
      const cols = selectorColumns(sel, src.cols, name);
      cols.forEach((c) => used.add(c));
      if (t === 'drop') {
        indices[name] = [offset, offset];
        continue;
      }
      if (cols.length === 0) {
        indices[name] = [offset, offset];
        continue;
      }
      run(name, t, cols);
    }
    const remainderCols: number[] = [];
    for (let j = 0; j < src.cols; j++) if (!used.has(j)) remainderCols.push(j);
    const remainder = this.params.remainder;
    if (remainder !== 'drop' && remainderCols.length) run('remainder', remainder, remainderCols);
    else indices.remainder = [offset, offset];
    this.transformersFitted = fitted;
    this.outputIndices = indices;
    this.nFeaturesIn = src.cols;
    this.markFitted();
    return hstack(parts, src.rows);
  }

  override transform(X: CategoricalInput): Tensor {
    this.checkFitted();
    const src = source(X);
    if (src.cols !== this.nFeaturesIn) throw new ShapeError(`X has ${src.cols} features, but ColumnTransformer is expecting ${this.nFeaturesIn} features as input`);
    const parts: Matrix[] = [];
    for (const { name, transformer, columns } of this.transformersFitted!) {
      const sub = src.select(columns);
      const res = transformer === 'passthrough' ? sub : transformer.transform(sub);
      parts.push(toMatrix(res as MatrixInput, { name: `output of '${name}'`, allowNaN: true, minFeatures: 0 }));
    }
    return hstack(parts, src.rows);
  }

  /** The fitted transformers by name. */
  get namedTransformers(): Record<string, Estimator | 'passthrough'> {
    this.checkFitted();
    const out: Record<string, Estimator | 'passthrough'> = {};
    for (const e of this.transformersFitted!) out[e.name] = e.transformer;
    return out;
  }
}

function selectorColumns(sel: ColumnSelector, nCols: number, name: string): number[] {
  const cols = typeof sel === 'number' ? [sel] : [...sel];
  for (const c of cols) {
    if (c >= nCols) throw new ShapeError(`ColumnTransformer: column ${c} of '${name}' is out of range; X has ${nCols} columns`);
  }
  return cols;
}

interface Source {
  rows: number;
  cols: number;
  select(cols: readonly number[]): unknown;
}

function source(X: CategoricalInput): Source {
  if (Array.isArray(X) && (X.length === 0 || Array.isArray(X[0]))) {
    const rowsArr = X as readonly (readonly unknown[])[];
    if (rowsArr.length === 0) throw new ValueError('X is empty: found 0 samples while a minimum of 1 is required');
    const cols = rowsArr[0].length;
    rowsArr.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== cols)
        throw new ShapeError(`X: ragged rows: row ${i} has length ${Array.isArray(r) ? r.length : 'n/a'}, expected ${cols} (the length of row 0)`);
    });
    return { rows: rowsArr.length, cols, select: (cs) => rowsArr.map((r) => cs.map((c) => r[c])) };
  }
  const m = toMatrix(X as MatrixInput, { allowNaN: true });
  return {
    rows: m.rows,
    cols: m.cols,
    select: (cs) => {
      const out = new Float64Array(m.rows * cs.length);
      for (let i = 0; i < m.rows; i++) for (let k = 0; k < cs.length; k++) out[i * cs.length + k] = m.data[i * m.cols + cs[k]];
      return { data: out, shape: [m.rows, cs.length] };
    },
  };
}

function hstack(parts: Matrix[], rows: number): Tensor {
  const width = parts.reduce((a, p) => a + p.cols, 0);
  const out = new Float64Array(rows * width);
  let off = 0;
  for (const p of parts) {
    for (let i = 0; i < rows; i++) out.set(p.data.subarray(i * p.cols, (i + 1) * p.cols), i * width + off);
    off += p.cols;
  }
  return new Tensor(out, [rows, width]);
}
