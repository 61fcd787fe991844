/**
 * CSV input: RFC 4180 parsing (by `csv-parse`), strict text decoding, header
 * detection, column kinds (given or inferred, see `csv-schema.ts`), missing
 * values kept as NaN, a target column, and a streaming reader for files
 * larger than memory. `readCsv` and `streamCsv` decide kinds by the same
 * rule; the table's `info()` shows what was decided.
 */
import { parse as parseSync } from '#csv-parse/sync';
import { FrugalError, LimitError, ParseError, ValueError } from '../errors.js';
import { checkOptions } from '../utils/options.js';
import { DEFAULT_MAX_TEXT_BYTES, gunzip, isGzip, readFileBytes, readFileChunks } from '../platform/fs.js';
import { DEFAULT_MISSING } from './csv-values.js';
import { inferSchema, looksLikeHeader, resolveNames, type Schema } from './csv-schema.js';
import type { CsvTable, ColumnKind, ColumnSpec } from './table.js';
import { countLineBreaks, decodeText, encodingError, strictDecoder } from './text.js';

export { DEFAULT_MISSING } from './csv-values.js';
export { CsvTable, type ColumnKind, type ColumnSpec, type CsvColumn, type ColumnInfo } from './table.js';

/** Default {@link CsvOptions.maxRecordSize}: 16 Mi characters. */
export const DEFAULT_MAX_RECORD_SIZE = 1 << 24;

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
  /**
   * Values that mean "missing" (pandas' `na_values` with
   * `keep_default_na=False`: this list replaces the default), compared after
   * trimming spaces. Default {@link DEFAULT_MISSING}: pandas' default list
   * (`''`, `NA`, `N/A`, `n/a`, `NaN`, `nan`, `NULL`, `null`, `None`,
   * `#N/A`, `<NA>`, ...) and `?`.
   */
  missing?: readonly string[];
  /**
   * Column kinds given by hand (pandas' `dtype`), by column name (or index
   * for a file without header): `'number'`, `'category'`, `'boolean'`, or
   * `{ kind: 'category', categories: [...] }` to fix the codes. A column not
   * named here is inferred: a number column when most of its values are
   * numbers, boolean when most are true/false, categorical otherwise.
   */
  columns?: Readonly<Record<string, ColumnKind | ColumnSpec>>;
  /** Text encoding of bytes and files (default `'utf-8'`; any WHATWG label, e.g. `'latin1'`). Invalid bytes raise a ParseError. */
  encoding?: string;
  /** Longest record accepted, in characters (default {@link DEFAULT_MAX_RECORD_SIZE}); a longer one raises a LimitError. */
  maxRecordSize?: number;
  /**
   * Largest input `readCsv` accepts, in bytes after gzip decompression
   * (default {@link DEFAULT_MAX_TEXT_BYTES}); decompression stops there with
   * a LimitError. `streamCsv` holds one batch at a time and has no such limit.
   */
  maxBytes?: number;
}

export interface StreamCsvOptions extends CsvOptions {
  /** Rows per yielded table (default 10 000). Kinds are inferred from the first batch. */
  batchSize?: number;
}

const CSV_OPTIONS = ['delimiter', 'quote', 'header', 'target', 'missing', 'columns', 'encoding', 'maxRecordSize', 'maxBytes'] as const;
const STREAM_CSV_OPTIONS = [...CSV_OPTIONS, 'batchSize'] as const;

/** Checks a positive integer option. */
function positiveInteger(what: string, name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isSafeInteger(v) || v < 1) throw new ValueError(`${what}: ${name} must be an integer >= 1, got ${String(v)}`);
  return v;
}

function headerOption(options: CsvOptions): 'auto' | boolean {
  const header = options.header ?? 'auto';
  if (header !== 'auto' && typeof header !== 'boolean') throw new ValueError(`CSV: header must be 'auto', true or false, got ${String(header)}`);
  return header;
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
    max_record_size: positiveInteger('CSV', 'maxRecordSize', options.maxRecordSize, DEFAULT_MAX_RECORD_SIZE),
  };
}

function missingSet(options: CsvOptions): ReadonlySet<string> {
  const m = options.missing ?? DEFAULT_MISSING;
  if (!Array.isArray(m) || m.some((x) => typeof x !== 'string')) throw new ValueError('CSV: missing must be an array of strings');
  return new Set(m.map((x) => x.trim()));
}

/**
 * The line where each record ends. csv-parse counts the \r and the \n of a
 * CRLF inside a quoted field as two lines; this takes the extra ones off.
 */
class RecordLines {
  /** Lines csv-parse counted twice so far. */
  extra = 0;
  constructor(public checkCrLf: boolean) {}

  /** The true line of a record that csv-parse says ends at `parserLine`. */
  end(rec: readonly string[], parserLine: number): number {
    if (this.checkCrLf) {
      for (const field of rec) {
        for (let i = field.indexOf('\r\n'); i >= 0; i = field.indexOf('\r\n', i + 2)) this.extra++;
      }
    }
    return parserLine - this.extra;
  }
}

/**
 * Turns csv-parse's error into a ParseError (a LimitError for an overlong
 * record) with 1-based line and column. `lastLine` is the line where the
 * last good record ended, to say where an unterminated quoted field began;
 * `extra` the lines csv-parse counted twice so far.
 */
function toParseError(err: unknown, lastLine: number, extra: number): FrugalError {
  const e = err as { code?: string; lines?: number; column?: number | string; record?: string[]; message?: string };
  if (err instanceof FrugalError) return err;
  if (!e || typeof e.code !== 'string') return new ParseError(`CSV: ${(err as Error)?.message ?? String(err)}`);
  const line = typeof e.lines === 'number' ? e.lines - extra : undefined;
  const field = typeof e.column === 'number' ? e.column + 1 : undefined;
  switch (e.code) {
    case 'CSV_MAX_RECORD_SIZE':
      return new LimitError(
        `CSV: the record starting after line ${lastLine} is longer than maxRecordSize (${e.message?.match(/of (\d+)/)?.[1] ?? '?'} characters); raise \`maxRecordSize\` if the file is right, or check for an unclosed quote`,
      );
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

/** The records of `text` and the line where each ends. */
function parseRecords(text: string, options: CsvOptions): { records: string[][]; lines: number[] } {
  const popts = parserOptions(options);
  let lines: number[] = [];
  let records: string[][];
  // Where each record ends. Asking the parser costs ~30% of its time, so
  // text without any quote (where a record is exactly one non-empty line) is
  // scanned for line breaks instead.
  const fast = !text.includes(popts.quote as string);
  const tracker = new RecordLines(!fast && text.includes('\r\n'));
  const tracked = {
    ...popts,
    on_record: (rec: string[], ctx: { lines: number }) => {
      lines.push(tracker.end(rec, ctx.lines));
      return rec;
    },
  };
  try {
    records = parseSync(text, fast ? popts : tracked) as string[][];
  } catch (err) {
    if (fast) {
      // Parse again with line tracking, to say where the last good record ended.
      try {
        parseSync(text, tracked);
      } catch {
        // the same error again
      }
    }
    throw toParseError(err, lines.length > 0 ? lines[lines.length - 1] : 0, tracker.extra);
  }
  if (fast) {
    lines = nonEmptyLineEnds(text);
    if (lines.length !== records.length) {
      lines = [];
      parseSync(text, tracked);
    }
  }
  return { records, lines };
}

/**
 * Parses CSV text held in memory (see {@link readCsv} for the options).
 * Throws a `ParseError` with the line and column of the first malformed
 * record: an unterminated quote, stray quote, a row with the wrong number
 * of fields, or a value that does not fit its column's kind.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  checkOptions('parseCsv', options, CSV_OPTIONS);
  if (typeof text !== 'string') throw new ValueError(`parseCsv: expected text, got ${typeof text}`);
  const { records, lines } = parseRecords(text, options);
  if (records.length === 0) throw new ParseError('CSV: no records (the input is empty)');
  const missing = missingSet(options);
  const header = headerOption(options);
  const hasHeader = header === 'auto' ? looksLikeHeader(records[0], records.slice(1, 1001), missing) : header;
  const names = resolveNames(hasHeader ? records[0] : null, lines[0]);
  const body = hasHeader ? records.slice(1) : records;
  const bodyLines = hasHeader ? lines.slice(1) : lines;
  const schema = inferSchema(names, records[0].length, body, options, missing, 'every row');
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
 * - Each column's kind is given in `columns` or inferred from every row: a
 *   number column when most values are numbers (any other token in it is a
 *   ParseError naming line, column and token, not a silent category),
 *   boolean (`true`/`false`) when most values are, categorical otherwise.
 *   Categories are coded in sorted order (numerically when they look like
 *   numbers). `table.info()` lists what was decided.
 * - `missing` values (default: pandas' list, see {@link DEFAULT_MISSING}) become NaN.
 * - Bytes are decoded as `encoding` (default UTF-8); invalid bytes are a ParseError.
 * - `target` picks the column that `toTarget()` returns.
 *
 * For files larger than memory use {@link streamCsv}.
 */
export async function readCsv(source: string | Uint8Array, options: CsvOptions = {}): Promise<CsvTable> {
  checkOptions('readCsv', options, CSV_OPTIONS);
  const maxBytes = positiveInteger('readCsv', 'maxBytes', options.maxBytes, DEFAULT_MAX_TEXT_BYTES);
  let text: string;
  if (typeof source === 'string' && isText(source)) {
    text = source;
  } else if (typeof source === 'string' || source instanceof Uint8Array) {
    const name = typeof source === 'string' ? `readCsv: '${source}'` : 'readCsv';
    let bytes = typeof source === 'string' ? await readFileBytes(source, 'readCsv') : source;
    if (isGzip(bytes)) bytes = await gunzip(bytes, name, maxBytes);
    if (bytes.length > maxBytes) throw new LimitError(`${name}: ${bytes.length} bytes is more than maxBytes (${maxBytes}); use streamCsv for large files`);
    text = decodeText(bytes, options.encoding ?? 'utf-8', name);
  } else {
    throw new ValueError(`readCsv: expected a path, CSV text or bytes, got ${typeof source}`);
  }
  return parseCsv(text, options);
}

type ChunkSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** Text chunks from text or byte chunks, decoded strictly; `state` tells the lines seen and whether a CRLF was. */
async function* decodeChunks(chunks: ChunkSource, encoding: string, state: { lines: number; crlf: boolean }): AsyncGenerator<string> {
  const decoder = strictDecoder(encoding, 'streamCsv');
  let prevCr = false;
  const seen = (text: string): string => {
    state.lines += countLineBreaks(text, prevCr);
    state.crlf ||= text.includes('\r\n') || (prevCr && text.charCodeAt(0) === 10);
    if (text.length > 0) prevCr = text.charCodeAt(text.length - 1) === 13;
    return text;
  };
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') {
      yield seen(chunk);
    } else if (chunk instanceof Uint8Array) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw encodingError('streamCsv', encoding, chunk, state.lines);
      }
      yield seen(text);
    } else {
      throw new ValueError(`streamCsv: chunks must be strings or Uint8Arrays, got ${typeof chunk}`);
    }
  }
  let rest: string;
  try {
    rest = decoder.decode();
  } catch {
    throw new ParseError(`streamCsv: the input ends inside a multi-byte ${encoding} character`, state.lines + 1);
  }
  if (rest) yield seen(rest);
}

/**
 * Reads a CSV file a batch of rows at a time, for files larger than memory:
 * only one batch of rows (plus the reader's buffer) is held at once.
 * `source` is a path (Node.js; gzip'd files are decompressed on the fly) or
 * an (async) iterable of text or byte chunks, such as a `ReadableStream`.
 *
 * Each yielded {@link CsvTable} has the same columns. Kinds are inferred
 * from the first batch by the same rule as {@link readCsv} (give `columns`
 * where that could be wrong); a later value that does not fit its column's
 * kind raises a ParseError naming line and column. Categories found in the
 * first batch are coded in sorted order, later new ones get the next codes,
 * so codes stay stable across batches.
 *
 * ```ts
 * for await (const batch of streamCsv('big.csv', { target: 'label', batchSize: 50_000 })) {
 *   model.partialFit(batch.toMatrix(), batch.toTarget());
 * }
 * ```
 */
export async function* streamCsv(source: string | ChunkSource, options: StreamCsvOptions = {}): AsyncGenerator<CsvTable, void, undefined> {
  checkOptions('streamCsv', options, STREAM_CSV_OPTIONS);
  const batchSize = positiveInteger('streamCsv', 'batchSize', options.batchSize, 10_000);
  const header = headerOption(options);
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

  // Loaded on first use: a browser bundle splits the streaming parser into a chunk of its own.
  const { parse: parseStream } = await import('#csv-parse');
  const tracker = new RecordLines(false);
  let parsedLine = 0; // where the last record the parser finished ends (the parser runs ahead of the consumer)
  const parser = parseStream({
    ...parserOptions(options),
    // Each record travels with the line where it ends, for error messages.
    on_record: ((rec: string[], ctx: { lines: number }) => {
      parsedLine = tracker.end(rec, ctx.lines);
      return { rec, line: parsedLine };
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
    const names = resolveNames(hasHeader ? f.rec : null, f.line);
    if (!hasHeader) {
      records.unshift(f.rec);
      lines.unshift(f.line);
    }
    const n = Math.min(records.length, batchSize);
    return inferSchema(names, width, records.slice(0, n), options, missing, `the first ${n} rows`);
  };
  const take = (s: Schema): CsvTable => {
    const n = Math.min(records.length, batchSize);
    const table = s.encode(records.length === n ? records : records.slice(0, n), lines.length === n ? lines : lines.slice(0, n));
    records = records.slice(n);
    lines = lines.slice(n);
    return table;
  };

  const text = { lines: 0, crlf: false };
  async function* parsed(): AsyncGenerator<{ rec: string[]; line: number }> {
    const readAll = function* (): Generator<{ rec: string[]; line: number }> {
      for (let item = parser.read(); item !== null; item = parser.read()) yield item as { rec: string[]; line: number };
    };
    for await (const chunk of decodeChunks(chunks, options.encoding ?? 'utf-8', text)) {
      if (failure) break;
      tracker.checkCrLf = text.crlf;
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
    throw toParseError(err, parsedLine, tracker.extra);
  } finally {
    (parser as { destroy?: () => void }).destroy?.();
  }
}
