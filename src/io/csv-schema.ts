/**
 * A CSV file's schema: the header decision, the column names, each
 * column's kind (given or inferred) and category dictionary, and the
 * encoding of text records into a {@link CsvTable}.
 */
import { ParseError, ValueError } from '../errors.js';
import { classify, kindFromCounts, parseBool, parseNumber, sortCategories, type KindCounts } from './csv-values.js';
import { CsvTable, type ColumnKind, type ColumnSpec } from './table.js';

const KINDS: readonly ColumnKind[] = ['number', 'category', 'boolean'];

/** Category name -> code of one categorical column; new names are appended unless the user fixed the list. */
interface CategoryDict {
  codes: Map<string, number>;
  names: string[];
  fixed: boolean;
}

/**
 * Per column (stored as arrays, not one object per column, so that a record
 * of a million fields costs memory in proportion to its text): the kind,
 * whether it was inferred, and the dictionary of a categorical column.
 */
export class Schema {
  constructor(
    /** null for a file without header: columns are named '0', '1', ... */
    readonly names: readonly string[] | null,
    readonly kinds: ColumnKind[],
    readonly inferred: Uint8Array,
    readonly dicts: Map<number, CategoryDict>,
    readonly targetIndex: number,
    readonly missing: ReadonlySet<string>,
    /** Where the inferred kinds came from, for error messages ('every row', 'the first 1000 rows'). */
    readonly sampleNote: string,
  ) {}

  name(j: number): string {
    return this.names?.[j] ?? String(j);
  }

  /** Encodes records into a table; new categories are appended unless fixed. */
  encode(records: readonly string[][], lines: readonly number[]): CsvTable {
    const n = records.length;
    const width = this.kinds.length;
    const values = new Float64Array(n * width);
    const missingCounts = new Int32Array(width);
    for (let j = 0; j < width; j++) {
      const kind = this.kinds[j];
      const dict = this.dicts.get(j);
      const base = j * n;
      for (let i = 0; i < n; i++) {
        const raw = records[i][j];
        const s = raw.trim();
        if (this.missing.has(s)) {
          values[base + i] = NaN;
          missingCounts[j]++;
          continue;
        }
        let v: number | undefined;
        if (kind === 'number') v = parseNumber(s);
        else if (kind === 'boolean') v = parseBool(s);
        else {
          v = dict!.codes.get(s);
          if (v === undefined && !dict!.fixed) {
            v = dict!.names.length;
            dict!.codes.set(s, v);
            dict!.names.push(s);
          }
        }
        if (v === undefined) throw this.#badValue(j, raw, lines[i]);
        values[base + i] = v;
      }
    }
    const categories = new Map<number, readonly string[]>();
    for (const [j, d] of this.dicts) categories.set(j, [...d.names]);
    const store = { names: this.names, width, kinds: this.kinds, values, categories, missingCounts, inferred: this.inferred };
    return new CsvTable(store, n, Int32Array.from(lines), this.targetIndex);
  }

  #badValue(j: number, raw: string, line: number): ParseError {
    const kind = this.kinds[j];
    const name = this.name(j);
    const dict = this.dicts.get(j);
    const expected = kind === 'category' ? `one of the given categories (${dict!.names.map((x) => JSON.stringify(x)).join(', ')})` : `a ${kind}`;
    const why = this.inferred[j]
      ? `was inferred as ${kind} from ${this.sampleNote}, where most values are ${kind === 'number' ? 'numbers' : 'true/false'}`
      : 'was set by the `columns` option';
    return new ParseError(
      `CSV line ${line}, column ${j + 1} ('${name}'): value ${JSON.stringify(raw)} is not ${expected}; the column's kind ${why}. ` +
        `Add the token to \`missing\` if it marks a missing value, or set the column's kind with the \`columns\` option (e.g. { ${JSON.stringify(name)}: 'category' })`,
      line,
      j + 1,
    );
  }
}

function specOf(name: string, o: ColumnKind | ColumnSpec | undefined): ColumnSpec | undefined {
  const spec: ColumnSpec | undefined = typeof o === 'string' ? { kind: o } : o;
  if (spec !== undefined && (typeof spec !== 'object' || spec === null || !KINDS.includes(spec.kind))) {
    throw new ValueError(`CSV: column '${name}': kind must be 'number', 'category' or 'boolean', got ${JSON.stringify(spec?.kind ?? spec)}`);
  }
  if (spec?.categories !== undefined && (!Array.isArray(spec.categories) || spec.categories.some((c) => typeof c !== 'string'))) {
    throw new ValueError(`CSV: column '${name}': categories must be an array of strings`);
  }
  return spec;
}

/** Counts the kinds of column j's values over `records`. */
function countKinds(records: readonly string[][], j: number, missing: ReadonlySet<string>): KindCounts {
  const counts: KindCounts = { numbers: 0, booleans: 0, texts: 0 };
  for (const r of records) {
    const k = classify(r[j], missing);
    if (k === 'number') counts.numbers++;
    else if (k === 'boolean') counts.booleans++;
    else if (k === 'text') counts.texts++;
  }
  return counts;
}

/**
 * Builds the schema from the column names (null: no header) and a sample of
 * records (every record for readCsv, the first batch for streamCsv): a kind
 * given in `columns` is taken as it is, any other is inferred by
 * {@link kindFromCounts}.
 */
export function inferSchema(
  names: readonly string[] | null,
  width: number,
  records: readonly string[][],
  options: { columns?: Readonly<Record<string, ColumnKind | ColumnSpec>>; target?: string | number },
  missing: ReadonlySet<string>,
  sampleNote: string,
): Schema {
  const overrides = options.columns ?? {};
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) throw new ValueError('CSV: columns must be an object of column name -> kind');
  checkOverrides(names, width, overrides, 'CSV');
  const kinds = new Array<ColumnKind>(width);
  const inferred = new Uint8Array(width);
  const dicts = new Map<number, CategoryDict>();
  for (let j = 0; j < width; j++) {
    const name = names?.[j] ?? String(j);
    const spec = Object.hasOwn(overrides, name) ? specOf(name, overrides[name]) : undefined;
    const kind = spec?.kind ?? kindFromCounts(countKinds(records, j, missing));
    kinds[j] = kind;
    inferred[j] = spec ? 0 : 1;
    if (kind !== 'category') continue;
    let catNames: string[];
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
    dicts.set(j, { codes: new Map(catNames.map((c, code) => [c, code])), names: catNames, fixed: !!spec?.categories });
  }
  return new Schema(names, kinds, inferred, dicts, resolveTarget(names, width, options.target, 'CSV'), missing, sampleNote);
}

function nameList(names: readonly string[] | null, width: number): string {
  const shown = Array.from({ length: Math.min(width, 20) }, (_, j) => JSON.stringify(names?.[j] ?? String(j)));
  return shown.join(', ') + (width > 20 ? `, ... (${width} columns)` : '');
}

function indexOfName(names: readonly string[] | null, width: number, name: string): number {
  if (names) return names.indexOf(name);
  const j = /^(0|[1-9]\d*)$/.test(name) ? Number(name) : -1;
  return j < width ? j : -1;
}

/** The index of the target column given by name or index (negative from the end); -1 for none. @internal */
export function resolveTarget(names: readonly string[] | null, width: number, t: string | number | undefined, who: string): number {
  if (t === undefined) return -1;
  if (typeof t === 'number') {
    if (!Number.isInteger(t) || t >= width || t < -width) {
      throw new ValueError(`${who}: target index ${t} is out of range for ${width} columns`);
    }
    return t < 0 ? width + t : t;
  }
  if (typeof t !== 'string') throw new ValueError(`${who}: target must be a column name or index, got ${typeof t}`);
  const j = indexOfName(names, width, t);
  if (j < 0) throw new ValueError(`${who}: target '${t}' is not a column; columns are ${nameList(names, width)}`);
  return j;
}

/** Checks `columns` overrides name existing columns. @internal */
export function checkOverrides(names: readonly string[] | null, width: number, overrides: object, who: string): void {
  for (const key of Object.keys(overrides)) {
    if (indexOfName(names, width, key) < 0) {
      throw new ValueError(`${who}: option columns names '${key}', which is not a column; columns are ${nameList(names, width)}`);
    }
  }
}

/**
 * Decides whether `first` is a header from how its fields compare with the
 * rows below: a name above a numeric or boolean column counts for a header
 * (strongly), a value of the column's kind against it; in a text column a
 * value that recurs below counts against, one that does not counts for.
 */
export function looksLikeHeader(first: readonly string[], rows: readonly string[][], missing: ReadonlySet<string>): boolean {
  const kinds = first.map((s) => classify(s, missing));
  if (rows.length === 0) return kinds.every((k) => k === 'text');
  let score = 0;
  for (let j = 0; j < first.length; j++) {
    const k = kinds[j];
    if (k === 'missing') continue;
    const f = first[j].trim();
    const counts = countKinds(rows, j, missing);
    const colKind = counts.numbers + counts.booleans + counts.texts === 0 ? 'missing' : kindFromCounts(counts);
    if (colKind === 'number' || colKind === 'boolean') score += k === colKind ? -2 : 2;
    else if (colKind === 'category') score += k === 'number' || rows.some((r) => r[j].trim() === f) ? -1 : 1;
  }
  if (score !== 0) return score > 0;
  return kinds.every((k) => k !== 'number');
}

/** The column names from a header record (blank names become their index); null without header. */
export function resolveNames(first: readonly string[] | null, line: number): string[] | null {
  if (!first) return null;
  const names = first.map((s, j) => (s.trim() === '' ? String(j) : s.trim()));
  const seen = new Map<string, number>();
  names.forEach((n, j) => {
    if (seen.has(n)) throw new ParseError(`CSV line ${line}: column name '${n}' appears twice (columns ${seen.get(n)! + 1} and ${j + 1})`, line, j + 1);
    seen.set(n, j);
  });
  return names;
}
