/**
 * The table that the CSV and Parquet readers return: named columns of
 * numbers, category codes or booleans, with missing values as NaN, and the
 * conversions a model needs (`toMatrix`, `toTarget`).
 */
import { ValueError } from '../errors.js';
import { checkOptions } from '../utils/options.js';
import { Tensor } from '../tensor/tensor.js';

/** What a column holds once read: numbers, labels from a finite set, or true/false. */
export type ColumnKind = 'number' | 'category' | 'boolean';

/** A column's kind given by hand; `categories` fixes the codes of a categorical column (code = position). */
export interface ColumnSpec {
  kind: ColumnKind;
  categories?: readonly string[];
}

/**
 * One column of a table. `values` holds numbers for a number column, codes
 * (positions in `categories`) for a categorical one, 0/1 for a boolean one;
 * a missing value is NaN in every kind.
 */
export interface CsvColumn {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly values: Float64Array;
  /** The category names, code = position (categorical columns; `['false', 'true']` for booleans). */
  readonly categories?: readonly string[];
  /** How many values are missing. */
  readonly missingCount: number;
}

/** A line of {@link CsvTable.info}: what a reader decided about one column (pandas' `DataFrame.info()`). */
export interface ColumnInfo {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Values present (pandas' "Non-Null Count"). */
  readonly count: number;
  readonly missingCount: number;
  /** Whether the kind was inferred from the values (false: given by the `columns` option or the file's types). */
  readonly inferred: boolean;
}

/**
 * Columns stored column-major in one buffer, so that a table of a million
 * columns is a few allocations, not a million objects. @internal
 */
export interface ColumnStore {
  /** Column names; null for a file without header (names '0', '1', ...). */
  readonly names: readonly string[] | null;
  readonly width: number;
  readonly kinds: readonly ColumnKind[];
  /** Column j is `values[j * nRows, (j + 1) * nRows)`. */
  readonly values: Float64Array;
  /** Category names of the categorical columns, by column index. */
  readonly categories: ReadonlyMap<number, readonly string[]>;
  readonly missingCounts: Int32Array;
  /** 1 where the column's kind was inferred. */
  readonly inferred: Uint8Array;
}

const BOOLEAN_NAMES: readonly string[] = ['false', 'true'];

function storeOf(columns: readonly CsvColumn[], nRows: number): ColumnStore {
  const width = columns.length;
  const values = new Float64Array(width * nRows);
  const categories = new Map<number, readonly string[]>();
  columns.forEach((c, j) => {
    if (c.values.length !== nRows) throw new ValueError(`CsvTable: column '${c.name}' has ${c.values.length} values, expected ${nRows}`);
    values.set(c.values, j * nRows);
    if (c.kind === 'category') categories.set(j, c.categories ?? []);
  });
  return {
    names: columns.map((c) => c.name),
    width,
    kinds: columns.map((c) => c.kind),
    values,
    categories,
    missingCounts: Int32Array.from(columns, (c) => c.missingCount),
    inferred: new Uint8Array(width),
  };
}

/**
 * Rows read from a CSV or Parquet file, stored by column.
 *
 * ```ts
 * const table = await readCsv('iris.csv', { target: 'species' });
 * console.table(table.info());  // name, kind, count, missingCount, inferred
 * const X = table.toMatrix();   // float64 [150, 4], NaN where missing
 * const y = table.toTarget();   // int32 codes into table.classNames
 * ```
 */
export class CsvTable {
  /** Index of the target column in `columns`, or -1. */
  readonly targetIndex: number;
  readonly #store: ColumnStore;
  #columns: readonly CsvColumn[] | null = null;

  constructor(
    columns: readonly CsvColumn[] | ColumnStore,
    readonly nRows: number,
    /** Where each row is in its file (1-based): the line where it ends for CSV, the row number for Parquet. */
    readonly lines: Int32Array,
    targetIndex = -1,
    /** What `lines` counts, for error messages: 'line' or 'row'. */
    readonly lineWord: 'line' | 'row' = 'line',
  ) {
    this.#store = Array.isArray(columns) ? storeOf(columns, nRows) : (columns as ColumnStore);
    this.targetIndex = targetIndex;
  }

  /** The number of columns (target included). */
  get nColumns(): number {
    return this.#store.width;
  }

  /** The columns, in file order (built on first use). */
  get columns(): readonly CsvColumn[] {
    this.#columns ??= Array.from({ length: this.nColumns }, (_, j) => this.#column(j));
    return this.#columns;
  }

  #name(j: number): string {
    return this.#store.names?.[j] ?? String(j);
  }

  #column(j: number): CsvColumn {
    const s = this.#store;
    const kind = s.kinds[j];
    const categories = kind === 'category' ? s.categories.get(j) : kind === 'boolean' ? BOOLEAN_NAMES : undefined;
    const values = s.values.subarray(j * this.nRows, (j + 1) * this.nRows);
    return { name: this.#name(j), kind, values, categories: categories && [...categories], missingCount: s.missingCounts[j] };
  }

  get columnNames(): string[] {
    return Array.from({ length: this.nColumns }, (_, j) => this.#name(j));
  }

  /** Names of the feature columns (every column but the target), in file order. */
  get featureNames(): string[] {
    return this.columnNames.filter((_, j) => j !== this.targetIndex);
  }

  get targetName(): string | null {
    return this.targetIndex >= 0 ? this.#name(this.targetIndex) : null;
  }

  /** Each column's kind by name (pandas' `DataFrame.dtypes`). */
  get dtypes(): Record<string, ColumnKind> {
    const out: Record<string, ColumnKind> = {};
    for (let j = 0; j < this.nColumns; j++) out[this.#name(j)] = this.#store.kinds[j];
    return out;
  }

  /**
   * What the reader decided about each column: its kind, how many values
   * are present and missing, and whether the kind was inferred (pandas'
   * `DataFrame.info()`). Check it once on a new file: a column you expected
   * numeric but listed as `category` is given with the `columns` option.
   */
  info(): ColumnInfo[] {
    const s = this.#store;
    return Array.from({ length: this.nColumns }, (_, j) => ({
      name: this.#name(j),
      kind: s.kinds[j],
      count: this.nRows - s.missingCounts[j],
      missingCount: s.missingCounts[j],
      inferred: s.inferred[j] === 1,
    }));
  }

  /** Category names of every categorical column (target included), by column name. */
  get categories(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [j, names] of this.#store.categories) out[this.#name(j)] = [...names];
    return out;
  }

  /** Class names of a categorical or boolean target (code = position); null for a numeric target or none. */
  get classNames(): string[] | null {
    if (this.targetIndex < 0) return null;
    const t = this.#column(this.targetIndex);
    return t.kind === 'number' ? null : [...(t.categories ?? [])];
  }

  /** A column by name or index. */
  column(key: string | number): CsvColumn {
    const j = typeof key === 'number' ? key : this.columnNames.indexOf(key);
    if (!(Number.isInteger(j) && j >= 0 && j < this.nColumns)) {
      throw new ValueError(`CsvTable.column: no column ${JSON.stringify(key)}; columns are ${this.columnNames.map((n) => JSON.stringify(n)).join(', ')}`);
    }
    return this.#column(j);
  }

  /**
   * The feature columns as a matrix [nRows, nFeatures] (float64 unless
   * `dtype: 'float32'`): numbers as they are, categories as their codes,
   * booleans as 0/1, NaN where a value is missing (for an imputer to fill).
   */
  toMatrix(options: { dtype?: 'float32' | 'float64' } = {}): Tensor {
    checkOptions('toMatrix', options, ['dtype']);
    const dtype = options.dtype ?? 'float64';
    if (dtype !== 'float32' && dtype !== 'float64') throw new ValueError(`toMatrix: dtype must be 'float32' or 'float64', got '${String(dtype)}'`);
    const n = this.nRows;
    const p = this.nColumns - (this.targetIndex >= 0 ? 1 : 0);
    const out = dtype === 'float32' ? new Float32Array(n * p) : new Float64Array(n * p);
    const values = this.#store.values;
    for (let j = 0, f = 0; j < this.nColumns; j++) {
      if (j === this.targetIndex) continue;
      const start = j * n;
      for (let i = 0; i < n; i++) out[i * p + f] = values[start + i];
      f++;
    }
    return new Tensor(out, [n, p]);
  }

  /**
   * The target column: int32 codes for a categorical or boolean target
   * (names in `classNames`; a missing label raises a ValueError naming its
   * line), float64 values for a numeric one (NaN where missing).
   */
  toTarget(): Tensor {
    if (this.targetIndex < 0) throw new ValueError('toTarget: no target column; pass `target` (a name or index) when reading');
    const t = this.#column(this.targetIndex);
    if (t.kind === 'number') return new Tensor(Float64Array.from(t.values), [this.nRows]);
    const out = new Int32Array(this.nRows);
    for (let i = 0; i < this.nRows; i++) {
      const v = t.values[i];
      if (Number.isNaN(v)) {
        throw new ValueError(`toTarget: target '${t.name}' is missing on ${this.lineWord} ${this.lines[i]}; drop or fill those rows before training`);
      }
      out[i] = v;
    }
    return new Tensor(out, [this.nRows]);
  }
}
