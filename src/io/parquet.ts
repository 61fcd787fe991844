/**
 * Apache Parquet input, read by `hyparquet` (pure JavaScript, no native
 * code, runs in browsers too). Gives the same table as `readCsv`, so a
 * Parquet file and a CSV file feed the same code.
 */
import type { parquetMetadata } from 'hyparquet';
import { FrugalError, LimitError, ParseError, ValueError } from '../errors.js';
import { checkOptions } from '../utils/options.js';
import { readFileBytes } from '../platform/fs.js';
import { sortCategories } from './csv-values.js';
import { checkPages } from './parquet-pages.js';
import { checkOverrides, resolveTarget } from './csv-schema.js';
import { CsvTable, type ColumnKind, type ColumnSpec, type CsvColumn } from './table.js';

export interface ParquetOptions {
  /** The target column, by name or index (negative counts from the end). */
  target?: string | number;
  /** Read only these columns (default: every top-level column). */
  select?: readonly string[];
  /** Column kinds given by hand, overriding those taken from the file's types. */
  columns?: Readonly<Record<string, ColumnKind | ColumnSpec>>;
  /**
   * Most rows accepted (default: 1 000 per byte of the file, at most
   * 2^31 - 1); a footer that claims more raises a LimitError before anything
   * is allocated.
   */
  maxRows?: number;
}

/** Rows a file may claim per byte of its size by default: far above what run-length encoding gives real data. */
const ROWS_PER_BYTE = 1000;

/**
 * The row count the footer claims, checked: a non-negative integer, equal to
 * the sum over the row groups, and within `maxRows`.
 */
function checkedRowCount(metadata: ReturnType<typeof parquetMetadata>, fileBytes: number, maxRows: number | undefined, name: string): number {
  const limit = maxRows ?? Math.min(2 ** 31 - 1, fileBytes * ROWS_PER_BYTE);
  if (!Number.isSafeInteger(limit) || limit < 0) throw new ValueError(`readParquet: maxRows must be a non-negative integer, got ${String(maxRows)}`);
  const claimed = BigInt(metadata.num_rows);
  let sum = 0n;
  for (const g of metadata.row_groups) sum += BigInt(g.num_rows);
  if (claimed < 0n || sum !== claimed) throw new ParseError(`readParquet: ${name}: the footer claims ${claimed} rows, its row groups ${sum}`);
  if (claimed > BigInt(limit)) {
    throw new LimitError(
      `readParquet: ${name}: the footer claims ${claimed} rows, more than ${limit} (${maxRows === undefined ? `${ROWS_PER_BYTE} per byte of the ${fileBytes}-byte file` : 'maxRows'}); pass a larger maxRows if the file is right`,
    );
  }
  return Number(claimed);
}

type Cell = unknown;

function kindOf(values: ArrayLike<Cell>, name: string): ColumnKind {
  let nums = 0,
    bools = 0,
    strs = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (typeof v === 'number' || typeof v === 'bigint' || v instanceof Date) nums++;
    else if (typeof v === 'boolean') bools++;
    else if (typeof v === 'string') strs++;
    else
      throw new ValueError(
        `readParquet: column '${name}' holds ${Array.isArray(v) ? 'lists' : typeof v === 'object' ? 'nested or binary values' : typeof v}; leave it out with \`select\``,
      );
  }
  if (strs > 0 || (nums > 0 && bools > 0)) return 'category';
  return bools > 0 ? 'boolean' : 'number';
}

function toNumber(v: Cell): number {
  if (v === null || v === undefined) return NaN;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'boolean') return v ? 1 : 0;
  return NaN;
}

/**
 * Reads a Parquet file (a path under Node.js, or its bytes) into a
 * {@link CsvTable}: numeric columns (ints, floats, 64-bit ints, timestamps
 * as milliseconds) become numbers, booleans 0/1, strings categories (codes
 * in sorted order); nulls and NaN are missing (NaN). Snappy-compressed and
 * uncompressed files are read; other codecs raise an error naming them.
 *
 * ```ts
 * const table = await readParquet('train.parquet', { target: 'label' });
 * const X = table.toMatrix();
 * ```
 */
export async function readParquet(source: string | Uint8Array | ArrayBuffer, options: ParquetOptions = {}): Promise<CsvTable> {
  checkOptions('readParquet', options, ['target', 'select', 'columns', 'maxRows']);
  if (!(typeof source === 'string' || source instanceof Uint8Array || source instanceof ArrayBuffer)) {
    throw new ValueError(`readParquet: expected a path, bytes or an ArrayBuffer, got ${typeof source}`);
  }
  const name = typeof source === 'string' ? `'${source}'` : 'Parquet data';
  const bytes = typeof source === 'string' ? await readFileBytes(source, 'readParquet') : source;
  const file: ArrayBuffer = bytes instanceof ArrayBuffer ? bytes : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  // Loaded on first use: a browser bundle splits the Parquet reader into a chunk of its own.
  const { parquetMetadata, parquetRead, parquetSchema } = await import('hyparquet');
  let metadata: ReturnType<typeof parquetMetadata>;
  let all: string[];
  try {
    metadata = parquetMetadata(file);
    all = parquetSchema(metadata).children.map((c) => c.element.name);
  } catch (err) {
    throw new ParseError(`readParquet: ${name} is not a valid Parquet file (${(err as Error)?.message ?? String(err)})`);
  }
  if (options.select !== undefined && (!Array.isArray(options.select) || options.select.some((c) => typeof c !== 'string'))) {
    throw new ValueError('readParquet: select must be an array of column names');
  }
  const names = options.select ? [...options.select] : all;
  for (const n of names) {
    if (!all.includes(n)) throw new ValueError(`readParquet: no column '${n}'; columns are ${all.map((a) => JSON.stringify(a)).join(', ')}`);
  }
  const overrides = options.columns ?? {};
  checkOverrides(names, names.length, overrides, 'readParquet');
  let nRows: number;
  try {
    nRows = checkedRowCount(metadata, file.byteLength, options.maxRows, name);
    checkPages(new Uint8Array(file), metadata.row_groups, names, name);
  } catch (err) {
    // A footer with fields of the wrong type (a string where a count belongs) is malformed too.
    if (err instanceof FrugalError) throw err;
    throw new ParseError(`readParquet: ${name} is not a valid Parquet file (${(err as Error)?.message ?? String(err)})`);
  }
  // Column by column as hyparquet decodes each column chunk of each row group
  // (the arrays grow with the data decoded, not with the row count claimed).
  const cells = new Map<string, Cell[]>(names.map((n) => [n, []]));
  const filled = new Map<string, number>(names.map((n) => [n, 0]));
  try {
    await parquetRead({
      file,
      metadata,
      columns: names,
      onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
        const out = cells.get(columnName);
        if (!out) return;
        const end = Math.min(rowEnd, nRows, rowStart + columnData.length);
        if (rowStart > out.length) throw new ParseError(`readParquet: ${name}, column '${columnName}': rows ${out.length + 1} to ${rowStart} are absent`);
        for (let i = rowStart; i < end; i++) out[i] = columnData[i - rowStart];
        filled.set(columnName, filled.get(columnName)! + (end - rowStart));
      },
    });
  } catch (err) {
    if (err instanceof FrugalError) throw err;
    throw new ParseError(`readParquet: ${name}: ${(err as Error)?.message ?? String(err)}`);
  }
  const columns: CsvColumn[] = [];
  for (const col of names) {
    const data = cells.get(col)!;
    if (filled.get(col) !== nRows) throw new ParseError(`readParquet: ${name}, column '${col}' has ${filled.get(col)} values, the file says ${nRows} rows`);
    const o = overrides[col];
    const spec: ColumnSpec | undefined = typeof o === 'string' ? { kind: o } : o;
    const kind = spec?.kind ?? kindOf(data, col);
    const values = new Float64Array(nRows);
    let missingCount = 0;
    let categories: string[] | undefined;
    if (kind === 'category') {
      const label = (v: Cell): string | null =>
        v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v instanceof Date ? v.toISOString() : String(v);
      if (spec?.categories) {
        categories = [...spec.categories];
      } else {
        const seen = new Set<string>();
        for (let i = 0; i < nRows; i++) {
          const l = label(data[i]);
          if (l !== null) seen.add(l);
        }
        categories = sortCategories([...seen]);
      }
      const code = new Map(categories.map((c, k) => [c, k]));
      for (let i = 0; i < nRows; i++) {
        const l = label(data[i]);
        const c = l === null ? undefined : code.get(l);
        if (l !== null && c === undefined) throw new ParseError(`readParquet: row ${i + 1}, column '${col}': ${JSON.stringify(l)} is not one of the given categories`, i + 1);
        values[i] = c ?? NaN;
      }
    } else {
      for (let i = 0; i < nRows; i++) {
        const v = data[i];
        if (kind === 'boolean' && v !== null && v !== undefined && typeof v !== 'boolean') {
          throw new ParseError(`readParquet: row ${i + 1}, column '${col}': ${String(v)} is not a boolean`, i + 1);
        }
        if (kind === 'number' && typeof v === 'string') {
          const x = v.trim() === '' ? NaN : Number(v);
          if (v.trim() !== '' && Number.isNaN(x)) throw new ParseError(`readParquet: row ${i + 1}, column '${col}': ${JSON.stringify(v)} is not a number`, i + 1);
          values[i] = x;
        } else {
          values[i] = toNumber(v);
        }
      }
      if (kind === 'boolean') categories = ['false', 'true'];
    }
    for (let i = 0; i < nRows; i++) if (Number.isNaN(values[i])) missingCount++;
    columns.push({ name: col, kind, values, categories, missingCount });
  }
  if (columns.length === 0) throw new FrugalError(`readParquet: ${name} has no columns to read`);
  const rows = new Int32Array(nRows);
  for (let i = 0; i < nRows; i++) rows[i] = i + 1;
  return new CsvTable(columns, nRows, rows, resolveTarget(names, names.length, options.target, 'readParquet'), 'row');
}
