/**
 * How one CSV field is read: missing-value markers, numbers, booleans, and
 * the rule that decides a column's kind from the kinds of its values.
 */
import type { ColumnKind } from './table.js';

/**
 * Default markers of a missing value: pandas' default `na_values` list,
 * plus `?` (the marker of many UCI data sets). Compared after trimming spaces.
 */
export const DEFAULT_MISSING: readonly string[] = [
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
  '?',
];

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INF_RE = /^([+-]?)(?:inf|infinity)$/i;

/** A decimal number (or ±inf / ±infinity); undefined for anything else ("1,000", "0x10", "1\0"). */
export function parseNumber(s: string): number | undefined {
  if (NUMBER_RE.test(s)) return Number(s);
  const m = INF_RE.exec(s);
  if (m) return m[1] === '-' ? -Infinity : Infinity;
  return undefined;
}

/** `true` / `false` in any letter case as 1 / 0; undefined for anything else. */
export function parseBool(s: string): number | undefined {
  const l = s.toLowerCase();
  return l === 'true' ? 1 : l === 'false' ? 0 : undefined;
}

export type ValueKind = 'missing' | 'number' | 'boolean' | 'text';

/** The kind of one (untrimmed) field. */
export function classify(s: string, missing: ReadonlySet<string>): ValueKind {
  const t = s.trim();
  if (missing.has(t)) return 'missing';
  if (parseNumber(t) !== undefined) return 'number';
  if (parseBool(t) !== undefined) return 'boolean';
  return 'text';
}

/** How many values of each kind a column holds (missing ones are not counted). */
export interface KindCounts {
  numbers: number;
  booleans: number;
  texts: number;
}

/**
 * A column's kind from the kinds of its non-missing values. A column is a
 * number column when more than half its values are numbers (the others are
 * then errors, not a reason to turn every number into a category code), a
 * boolean column when more than half are true/false and none is a number,
 * and categorical otherwise: only when its values are mostly not numbers.
 * A column with no value at all is a number column (all NaN).
 */
export function kindFromCounts({ numbers, booleans, texts }: KindCounts): ColumnKind {
  const present = numbers + booleans + texts;
  if (present === 0 || 2 * numbers > present) return 'number';
  if (numbers === 0 && 2 * booleans > present) return 'boolean';
  return 'category';
}

/** Sorts category names: numerically when they all look like numbers, else by code unit (locale-independent). */
export function sortCategories(names: string[]): string[] {
  if (names.length > 0 && names.every((n) => parseNumber(n) !== undefined)) return names.sort((a, b) => parseNumber(a)! - parseNumber(b)!);
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
