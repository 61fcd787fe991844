/**
 * CSV input: RFC 4180 parsing (by `csv-parse`), header detection, column
 * type inference, missing values kept as NaN, categorical columns encoded
 * with their names kept, a target column, and a streaming reader for files
 * larger than memory.
 */
import { parse as parseSync } from '#csv-parse/sync';
import { parse as parseStream } from '#csv-parse';
import { FrugalError, ParseError, ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { IterableDataset, TensorDataset } from '../data/dataset.js';
import { gunzip, isGzip, readFileChunks, readTextFile } from '../platform/fs.js';

/** What a column holds once read: numbers, labels from a finite set, or true/false. */
export type ColumnKind = 'number' | 'category' | 'boolean';

/** A column's kind given by hand; `categories` fixes the codes of a categorical column (code = position). */
export interface ColumnSpec {
  kind: ColumnKind;
  categories?: readonly string[];
}

export interface CsvOptions {
  /** Field separator, one character (default `,`; `\t` for TSV, `;` for European CSV). */
  delimiter?: string;
  /** Quote character (default `"`; inside quotes a doubled quote is a literal one, as RFC 4180 says). */
  quote?: string;
  /**
   * Whether the first record names the columns. `'auto'` (the default)
   * decides from the data: a first row of names above numeric columns is a
   * header; a first row like the rest is data. Without a header the columns
   * are named `'0'`, `'1'`, ...
   */
  header?: 'auto' | boolean;
  /** The target column, by name or index (negative counts from the end: -1 is the last column). */
  target?: string | number;
  /** Values that mean "missing" (compared after trimming spaces). Default `['', 'NA', 'NaN', '?']`. */
  missing?: readonly string[];
  /** Column kinds given by hand, by column name (or index for a file without header), overriding inference. */
  columns?: Readonly<Record<string, ColumnKind | ColumnSpec>>;
}

export interface StreamCsvOptions extends CsvOptions {
  /** Rows per yielded table (default 10 000). Kinds are inferred from the first batch. */
  batchSize?: number;
}

/** Default markers of a missing value. */
export const DEFAULT_MISSING: readonly string[] = ['', 'NA', 'NaN', '?'];

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

/**
 * Rows read from a CSV file, stored by column.
 *
 * ```ts
 * const table = await readCsv('iris.csv', { target: 'species' });
 * const X = table.toMatrix();   // float64 [150, 4], NaN where missing
 * const y = table.toTarget();   // int32 codes into table.classNames
 * ```
 */
export class CsvTable {
  /** Index of the target column in `columns`, or -1. */
  readonly targetIndex: number;

  constructor(
    readonly columns: readonly CsvColumn[],
    readonly nRows: number,
    /** Where each row is in its file (1-based): the line where it ends for CSV, the row number for Parquet. */
    readonly lines: Int32Array,
    targetIndex = -1,
    /** What `lines` counts, for error messages: 'line' or 'row'. */
    readonly lineWord: 'line' | 'row' = 'line',
  ) {
    this.targetIndex = targetIndex;
  }

  get columnNames(): string[] {
    return this.columns.map((c) => c.name);
  }

  /** Names of the feature columns (every column but the target), in file order. */
  get featureNames(): string[] {
    return this.columns.filter((_, j) => j !== this.targetIndex).map((c) => c.name);
  }

  get targetName(): string | null {
    return this.targetIndex >= 0 ? this.columns[this.targetIndex].name : null;
  }

  /** Category names of every categorical column (target included), by column name. */
  get categories(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.columns) if (c.kind === 'category') out[c.name] = [...(c.categories ?? [])];
    return out;
  }

  /** Class names of a categorical or boolean target (code = position); null for a numeric target or none. */
  get classNames(): string[] | null {
    if (this.targetIndex < 0) return null;
    const t = this.columns[this.targetIndex];
    return t.kind === 'number' ? null : [...(t.categories ?? [])];
  }

  /** A column by name or index. */
  column(key: string | number): CsvColumn {
    const j = typeof key === 'number' ? key : this.columns.findIndex((c) => c.name === key);
    if (!(j >= 0 && j < this.columns.length)) {
      throw new ValueError(`CsvTable.column: no column ${JSON.stringify(key)}; columns are ${this.columnNames.map((n) => JSON.stringify(n)).join(', ')}`);
    }
    return this.columns[j];
  }

  /**
   * The feature columns as a matrix [nRows, nFeatures] (float64 unless
   * `dtype: 'float32'`): numbers as they are, categories as their codes,
   * booleans as 0/1, NaN where a value is missing (for an imputer to fill).
   */
  toMatrix(options: { dtype?: 'float32' | 'float64' } = {}): Tensor {
    const dtype = options.dtype ?? 'float64';
    if (dtype !== 'float32' && dtype !== 'float64') throw new ValueError(`toMatrix: dtype must be 'float32' or 'float64', got '${String(dtype)}'`);
    const feats = this.columns.filter((_, j) => j !== this.targetIndex);
    const p = feats.length;
    const n = this.nRows;
    const out = dtype === 'float32' ? new Float32Array(n * p) : new Float64Array(n * p);
    for (let j = 0; j < p; j++) {
      const v = feats[j].values;
      for (let i = 0; i < n; i++) out[i * p + j] = v[i];
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
    const t = this.columns[this.targetIndex];
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

  /** A `TensorDataset` of float32 features and the target, ready for a `DataLoader`. */
  toDataset(): TensorDataset {
    return new TensorDataset(this.toMatrix({ dtype: 'float32' }), this.toTarget());
  }
}

// ---------------------------------------------------------------------------
// Value classification

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INF_RE = /^([+-]?)(?:inf|infinity)$/i;

function parseNumber(s: string): number | undefined {
  if (NUMBER_RE.test(s)) return Number(s);
  const m = INF_RE.exec(s);
  if (m) return m[1] === '-' ? -Infinity : Infinity;
  return undefined;
}

function parseBool(s: string): number | undefined {
  const l = s.toLowerCase();
  return l === 'true' ? 1 : l === 'false' ? 0 : undefined;
}

type RawKind = 'missing' | 'number' | 'boolean' | 'text';

function classify(s: string, missing: ReadonlySet<string>): RawKind {
  const t = s.trim();
  if (missing.has(t)) return 'missing';
  if (parseNumber(t) !== undefined) return 'number';
  if (parseBool(t) !== undefined) return 'boolean';
  return 'text';
}

/** Sorts category names: numerically when they all look like numbers, else by code unit (locale-independent). */
export function sortCategories(names: string[]): string[] {
  if (names.length > 0 && names.every((n) => parseNumber(n) !== undefined)) return names.sort((a, b) => parseNumber(a)! - parseNumber(b)!);
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// ---------------------------------------------------------------------------
// Schema: the column names, kinds and category dictionaries

interface ColumnState {
  name: string;
  kind: ColumnKind;
  /** Category name -> code. */
  dict: Map<string, number>;
  names: string[];
  /** Categories were given by the user: an unknown value is an error. */
  fixed: boolean;
  /** The kind came from the user or from inference over every row (not a first batch). */
  inferredFrom: string;
}

class Schema {
  constructor(
    readonly columns: ColumnState[],
    readonly targetIndex: number,
    readonly missing: ReadonlySet<string>,
  ) {}

  /** Encodes records into a table; new categories are appended unless fixed. */
  encode(records: string[][], lines: number[]): CsvTable {
    const n = records.length;
    const cols: CsvColumn[] = this.columns.map((c, j) => {
      const values = new Float64Array(n);
      let missingCount = 0;
      for (let i = 0; i < n; i++) {
        const raw = records[i][j];
        const s = raw.trim();
        if (this.missing.has(s)) {
          values[i] = NaN;
          missingCount++;
          continue;
        }
        let v: number | undefined;
        if (c.kind === 'number') {
          v = parseNumber(s);
        } else if (c.kind === 'boolean') {
          v = parseBool(s);
        } else {
          v = c.dict.get(s);
          if (v === undefined && !c.fixed) {
            v = c.names.length;
            c.dict.set(s, v);
            c.names.push(s);
          }
        }
        if (v === undefined) {
          const expected = c.kind === 'category' ? `one of the given categories (${c.names.map((x) => JSON.stringify(x)).join(', ')})` : `a ${c.kind}`;
          throw new ParseError(
            `CSV line ${lines[i]}, column ${j + 1} ('${c.name}'): value ${JSON.stringify(raw)} is not ${expected}; the column's kind ${c.inferredFrom}. Set its kind with the \`columns\` option (e.g. { ${JSON.stringify(c.name)}: 'category' })`,
            lines[i],
            j + 1,
          );
        }
        values[i] = v;
      }
      const categories = c.kind === 'category' ? [...c.names] : c.kind === 'boolean' ? ['false', 'true'] : undefined;
      return { name: c.name, kind: c.kind, values, categories, missingCount };
    });
    return new CsvTable(cols, n, Int32Array.from(lines), this.targetIndex);
  }
}

/** Builds the schema from the column names and a sample of records (every record for readCsv). */
function inferSchema(names: string[], records: string[][], options: CsvOptions, missing: ReadonlySet<string>, sampleNote: string): Schema {
  const overrides = options.columns ?? {};
  checkOverrides(names, overrides, 'CSV');
  const columns: ColumnState[] = names.map((name, j) => {
    const o = overrides[name];
    const spec: ColumnSpec | undefined = typeof o === 'string' ? { kind: o } : o;
    if (spec && !['number', 'category', 'boolean'].includes(spec.kind)) {
      throw new ValueError(`CSV: column '${name}': kind must be 'number', 'category' or 'boolean', got '${String(spec.kind)}'`);
    }
    let kind = spec?.kind;
    if (!kind) {
      let nums = 0, bools = 0, texts = 0;
      for (const r of records) {
        const k = classify(r[j], missing);
        if (k === 'number') nums++;
        else if (k === 'boolean') bools++;
        else if (k === 'text') texts++;
        if (texts > 0 || (nums > 0 && bools > 0)) break; // a category whatever follows
      }
      kind = texts === 0 && bools === 0 ? 'number' : texts === 0 && nums === 0 ? 'boolean' : 'category';
    }
    let catNames: string[] = [];
    if (kind === 'category') {
      if (spec?.categories) {
        catNames = [...spec.categories];
      } else {
        const seen = new Set<string>();
        for (const r of records) {
          const s = r[j].trim();
          if (!missing.has(s)) seen.add(s);
        }
        catNames = sortCategories([...seen]);
      }
    }
    return {
      name,
      kind,
      dict: new Map(catNames.map((c, code) => [c, code])),
      names: catNames,
      fixed: kind === 'category' && !!spec?.categories,
      inferredFrom: spec ? 'was set by the `columns` option' : `was inferred as ${kind} from ${sampleNote}`,
    };
  });
  return new Schema(columns, resolveTarget(names, options.target, 'CSV'), missing);
}

/** The index of the target column given by name or index (negative from the end); -1 for none. @internal */
export function resolveTarget(names: readonly string[], t: string | number | undefined, who: string): number {
  if (t === undefined) return -1;
  if (typeof t === 'number') {
    if (!Number.isInteger(t) || t >= names.length || t < -names.length) {
      throw new ValueError(`${who}: target index ${t} is out of range for ${names.length} columns`);
    }
    return t < 0 ? names.length + t : t;
  }
  const j = names.indexOf(t);
  if (j < 0) throw new ValueError(`${who}: target '${t}' is not a column; columns are ${names.map((n) => JSON.stringify(n)).join(', ')}`);
  return j;
}

/** Checks `columns` overrides name existing columns. @internal */
export function checkOverrides(names: readonly string[], overrides: object, who: string): void {
  for (const key of Object.keys(overrides)) {
    if (!names.includes(key)) {
      throw new ValueError(`${who}: option columns names '${key}', which is not a column; columns are ${names.map((n) => JSON.stringify(n)).join(', ')}`);
    }
  }
}

/**
 * Decides whether `first` is a header from how its fields compare with the
 * rows below: a name above a numeric or boolean column counts for a header
 * (strongly), a value of the column's kind against it; in a text column a
 * value that recurs below counts against, one that does not counts for.
 */
function looksLikeHeader(first: string[], rows: string[][], missing: ReadonlySet<string>): boolean {
  const kinds = first.map((s) => classify(s, missing));
  if (rows.length === 0) return kinds.every((k) => k === 'text');
  let score = 0;
  for (let j = 0; j < first.length; j++) {
    const k = kinds[j];
    if (k === 'missing') continue;
    let nums = 0, bools = 0, texts = 0;
    let recurs = false;
    const f = first[j].trim();
    for (const r of rows) {
      const s = r[j].trim();
      const c = classify(s, missing);
      if (c === 'number') nums++;
      else if (c === 'boolean') bools++;
      else if (c === 'text') texts++;
      if (s === f) recurs = true;
    }
    const colKind = texts > 0 || (nums > 0 && bools > 0) ? 'text' : nums > 0 ? 'number' : bools > 0 ? 'boolean' : 'missing';
    if (colKind === 'number' || colKind === 'boolean') score += k === colKind ? -2 : 2;
    else if (colKind === 'text') score += recurs || k === 'number' ? -1 : 1;
  }
  if (score !== 0) return score > 0;
  return kinds.every((k) => k !== 'number');
}

function resolveNames(first: string[] | null, width: number, line: number): string[] {
  if (!first) return Array.from({ length: width }, (_, j) => String(j));
  const names = first.map((s, j) => (s.trim() === '' ? String(j) : s.trim()));
  const seen = new Map<string, number>();
  names.forEach((n, j) => {
    if (seen.has(n)) throw new ParseError(`CSV line ${line}: column name '${n}' appears twice (columns ${seen.get(n)! + 1} and ${j + 1})`, line, j + 1);
    seen.set(n, j);
  });
  return names;
}

// ---------------------------------------------------------------------------
// Parsing (csv-parse) and its errors

function parserOptions(options: CsvOptions): Record<string, unknown> {
  const delimiter = options.delimiter ?? ',';
  const quote = options.quote ?? '"';
  if (typeof delimiter !== 'string' || delimiter.length !== 1) throw new ValueError(`CSV: delimiter must be one character, got ${JSON.stringify(delimiter)}`);
  if (typeof quote !== 'string' || quote.length !== 1) throw new ValueError(`CSV: quote must be one character, got ${JSON.stringify(quote)}`);
  if (delimiter === quote) throw new ValueError('CSV: delimiter and quote must differ');
  return {
    delimiter,
    quote,
    escape: quote,
    bom: true,
    skip_empty_lines: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: false,
  };
}

function missingSet(options: CsvOptions): ReadonlySet<string> {
  const m = options.missing ?? DEFAULT_MISSING;
  if (!Array.isArray(m) || m.some((x) => typeof x !== 'string')) throw new ValueError('CSV: missing must be an array of strings');
  return new Set(m.map((x) => x.trim()));
}

/**
 * Turns csv-parse's error into a ParseError with 1-based line and column.
 * `lastLine` is the line where the last good record ended, to say where an
 * unterminated quoted field began.
 */
function toParseError(err: unknown, lastLine: number): Error {
  const e = err as { code?: string; lines?: number; column?: number | string; record?: string[]; message?: string };
  if (!e || typeof e.code !== 'string') return err as Error;
  const line = typeof e.lines === 'number' ? e.lines : undefined;
  const field = typeof e.column === 'number' ? e.column + 1 : undefined;
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new ParseError(
        `CSV: unterminated quoted field (column ${field ?? '?'}) in the record starting after line ${lastLine}: the file ends at line ${line} inside quotes`,
        lastLine + 1,
        field,
      );
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH': {
      const got = e.record?.length ?? 0;
      const m = /expect (\d+)/.exec(e.message ?? '');
      const expected = m ? Number(m[1]) : undefined;
      const col = expected !== undefined ? Math.min(got, expected) + 1 : field;
      return new ParseError(
        `CSV line ${line}: ${got} field${got === 1 ? '' : 's'}, expected ${expected ?? 'as many as the first record'} (ragged row; check delimiters and quoting around column ${col})`,
        line,
        col,
      );
    }
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new ParseError(`CSV line ${line}, column ${field}: characters after a closing quote (a quote inside a quoted field is written "")`, line, field);
    case 'INVALID_OPENING_QUOTE':
    case 'CSV_INVALID_OPENING_QUOTE':
      return new ParseError(`CSV line ${line}, column ${field}: a quote inside an unquoted field (quote the whole field and double the quote)`, line, field);
    default:
      return new ParseError(`CSV${line !== undefined ? ` line ${line}` : ''}: ${e.message ?? e.code}`, line, field);
  }
}

/**
 * Parses CSV text held in memory (see {@link readCsv} for the options).
 * Throws a `ParseError` with the line and column of the first malformed
 * record: an unterminated quote, stray quote, or a row with the wrong number
 * of fields.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  if (typeof text !== 'string') throw new ValueError(`parseCsv: expected text, got ${typeof text}`);
  const popts = parserOptions(options);
  let lines: number[] = [];
  let records: string[][];
  // Where each record ends. Asking the parser costs ~30% of its time, so
  // text without any quote (where a record is exactly one non-empty line) is
  // scanned for line breaks instead.
  const fast = !text.includes(popts.quote as string);
  try {
    records = fast
      ? (parseSync(text, popts) as string[][])
      : (parseSync(text, {
          ...popts,
          on_record: (rec: string[], ctx: { lines: number }) => {
            lines.push(ctx.lines);
            return rec;
          },
        }) as string[][]);
  } catch (err) {
    if (fast) {
      // Parse again with line tracking, to say where the last good record ended.
      try {
        parseSync(text, { ...popts, on_record: (rec: string[], ctx: { lines: number }) => (lines.push(ctx.lines), rec) });
      } catch {
        // the same error again
      }
    }
    throw toParseError(err, lines.length > 0 ? lines[lines.length - 1] : 0);
  }
  if (fast) {
    lines = nonEmptyLineEnds(text);
    if (lines.length !== records.length) {
      lines = [];
      parseSync(text, { ...popts, on_record: (rec: string[], ctx: { lines: number }) => (lines.push(ctx.lines), rec) });
    }
  }
  if (records.length === 0) throw new ParseError('CSV: no records (the input is empty)');
  const missing = missingSet(options);
  const header = options.header ?? 'auto';
  if (header !== 'auto' && typeof header !== 'boolean') throw new ValueError(`CSV: header must be 'auto', true or false, got ${String(header)}`);
  const hasHeader = header === 'auto' ? looksLikeHeader(records[0], records.slice(1, 1001), missing) : header;
  const names = resolveNames(hasHeader ? records[0] : null, records[0].length, lines[0]);
  const body = hasHeader ? records.slice(1) : records;
  const bodyLines = hasHeader ? lines.slice(1) : lines;
  const schema = inferSchema(names, body, options, missing, 'every row');
  return schema.encode(body, bodyLines);
}

/** The 1-based numbers of the non-empty lines of `text` (line breaks: \r\n, \n or \r). */
function nonEmptyLineEnds(text: string): number[] {
  const out: number[] = [];
  let line = 1;
  let empty = true;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      if (!empty) out.push(line);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      line++;
      empty = true;
    } else if (!(c === 0xfeff && i === 0)) {
      empty = false;
    }
  }
  if (!empty) out.push(line);
  return out;
}

/** Whether a string argument is CSV text (it has a line break) rather than a path. */
function isText(s: string): boolean {
  return s.includes('\n') || s.includes('\r');
}

/**
 * Reads a CSV file (Node.js path; gzip'd files are decompressed), CSV
 * bytes, or CSV text (a string with a line break is taken as text) into a
 * {@link CsvTable}.
 *
 * - Quoting follows RFC 4180; `delimiter` sets the separator.
 * - `header: 'auto'` detects a header row; `true`/`false` says it.
 * - Each column's kind is inferred: number, boolean (`true`/`false`), or
 *   category (anything else), unless given in `columns`. Categories are
 *   coded in sorted order (numerically when they look like numbers).
 * - `missing` values (default `''`, `NA`, `NaN`, `?`) become NaN.
 * - `target` picks the column that `toTarget()` returns.
 *
 * For files larger than memory use {@link streamCsv}.
 */
export async function readCsv(source: string | Uint8Array, options: CsvOptions = {}): Promise<CsvTable> {
  let text: string;
  if (typeof source === 'string') {
    text = isText(source) ? source : await readTextFile(source, 'readCsv');
  } else if (source instanceof Uint8Array) {
    text = new TextDecoder('utf-8').decode(isGzip(source) ? await gunzip(source, 'readCsv') : source);
  } else {
    throw new ValueError(`readCsv: expected a path, CSV text or bytes, got ${typeof source}`);
  }
  return parseCsv(text, options);
}

type ChunkSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/**
 * Reads a CSV file a batch of rows at a time, for files larger than memory:
 * only one batch of rows (plus the reader's buffer) is held at once.
 * `source` is a path (Node.js; gzip'd files are decompressed on the fly) or
 * an (async) iterable of text or byte chunks, such as a `ReadableStream`.
 *
 * Each yielded {@link CsvTable} has the same columns. Kinds are inferred
 * from the first batch (give `columns` where that could be wrong); a later
 * value that does not fit its column's kind raises a ParseError naming line
 * and column. Categories found in the first batch are coded in sorted order,
 * later new ones get the next codes, so codes stay stable across batches.
 *
 * ```ts
 * for await (const batch of streamCsv('big.csv', { target: 'label', batchSize: 50_000 })) {
 *   model.partialFit(batch.toMatrix(), batch.toTarget());
 * }
 * ```
 */
export async function* streamCsv(source: string | ChunkSource, options: StreamCsvOptions = {}): AsyncGenerator<CsvTable, void, undefined> {
  const batchSize = options.batchSize ?? 10_000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError(`streamCsv: batchSize must be an integer >= 1, got ${batchSize}`);
  const header = options.header ?? 'auto';
  if (header !== 'auto' && typeof header !== 'boolean') throw new ValueError(`CSV: header must be 'auto', true or false, got ${String(header)}`);
  const missing = missingSet(options);
  let chunks: ChunkSource;
  if (typeof source === 'string') {
    if (isText(source)) chunks = [source];
    else chunks = readFileChunks(source, 'streamCsv');
  } else if (source != null && (Symbol.asyncIterator in Object(source) || Symbol.iterator in Object(source))) {
    chunks = source;
  } else {
    throw new ValueError('streamCsv: expected a path, CSV text, or an (async) iterable of chunks');
  }

  let parsedLine = 0; // where the last record the parser finished ends (the parser runs ahead of the consumer)
  const parser = parseStream({
    ...parserOptions(options),
    // Each record travels with the line where it ends, for error messages.
    on_record: ((rec: string[], ctx: { lines: number }) => {
      parsedLine = ctx.lines;
      return { rec, line: ctx.lines };
    }) as unknown as (rec: string[]) => string[],
  });
  // The parser is driven by hand: write one chunk, read back the records it
  // completed (parsing is synchronous), so at most one chunk's records are
  // held. Only write/end/read/on are used, which the browser build of
  // csv-parse (an older stream polyfill) also has.
  let failure: unknown = null;
  parser.on('error', (err: unknown) => {
    failure ??= err;
  });
  const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

  let schema: Schema | null = null;
  let width = -1;
  let first: { rec: string[]; line: number } | null = null; // held until the header is decided
  let records: string[][] = [];
  let lines: number[] = [];

  // Called once, when the first batch is full or the input ends: header and kinds.
  const decide = (): Schema => {
    const f = first!;
    const hasHeader = header === 'auto' ? looksLikeHeader(f.rec, records.slice(0, 1000), missing) : header;
    const names = resolveNames(hasHeader ? f.rec : null, width, f.line);
    if (!hasHeader) {
      records.unshift(f.rec);
      lines.unshift(f.line);
    }
    const n = Math.min(records.length, batchSize);
    return inferSchema(names, records.slice(0, n), options, missing, `the first ${n} rows`);
  };
  const take = (s: Schema): CsvTable => {
    const n = Math.min(records.length, batchSize);
    const table = s.encode(records.length === n ? records : records.slice(0, n), lines.length === n ? lines : lines.slice(0, n));
    records = records.slice(n);
    lines = lines.slice(n);
    return table;
  };

  async function* parsed(): AsyncGenerator<{ rec: string[]; line: number }> {
    const readAll = function* (): Generator<{ rec: string[]; line: number }> {
      for (let item = parser.read(); item !== null; item = parser.read()) yield item as { rec: string[]; line: number };
    };
    for await (const chunk of chunks) {
      if (failure) break;
      parser.write(chunk);
      yield* readAll();
    }
    if (!failure) {
      parser.end();
      yield* readAll();
      await macrotask(); // errors raised by end() are emitted on a later tick
    }
    if (failure) throw failure;
  }

  try {
    for await (const item of parsed()) {
      const { rec, line } = item;
      if (width < 0) width = rec.length;
      if (first === null) {
        first = item;
        continue;
      }
      records.push(rec);
      lines.push(line);
      if (schema === null && records.length >= batchSize) schema = decide();
      if (schema !== null) while (records.length >= batchSize) yield take(schema);
    }
    if (first === null) throw new ParseError('CSV: no records (the input is empty)');
    schema ??= decide();
    while (records.length > 0) yield take(schema);
  } catch (err) {
    if (err instanceof FrugalError) throw err;
    throw toParseError(err, parsedLine);
  } finally {
    (parser as { destroy?: () => void }).destroy?.();
  }
}

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
