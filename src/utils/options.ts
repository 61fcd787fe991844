/**
 * One check for every options object the library takes (estimators, layers,
 * optimisers, splitters, losses, metrics, readers): an unknown key is a typed
 * error that lists the valid keys and, for a snake_case or mistyped name,
 * suggests the one meant ("test_size: did you mean testSize?").
 */
import { ValueError } from '../errors.js';

/** `test_size` → `testSize`. */
export function snakeToCamel(name: string): string {
  return name.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Levenshtein distance, bounded: stops early once it exceeds `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = new Array<number>(b.length + 1);
  let curr = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    let rowMin = curr[0];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      curr[j] = Math.min(prev[j] + 1, curr[j - 1] + 1, prev[j - 1] + cost);
      if (curr[j] < rowMin) rowMin = curr[j];
    }
    if (rowMin > limit) return limit + 1;
    [prev, curr] = [curr, prev];
  }
  return prev[b.length];
}

/**
 * The valid name a user most likely meant by `key`, or undefined: the
 * camelCase form of a snake_case name, a case-insensitive match, or the one
 * nearest name within two edits.
 */
export function suggestOption(key: string, valid: readonly string[]): string | undefined {
  const camel = snakeToCamel(key);
  if (camel !== key && valid.includes(camel)) return camel;
  const lower = key.toLowerCase().replace(/_/g, '');
  const caseMatch = valid.find((v) => v.toLowerCase() === lower);
  if (caseMatch !== undefined) return caseMatch;
  let best: string | undefined;
  let bestDistance = 3;
  for (const v of valid) {
    const d = editDistance(key, v, 2);
    if (d < bestDistance) {
      best = v;
      bestDistance = d;
    }
  }
  return best;
}

/** The message for an unknown option `key` of `where`. */
export function unknownOptionMessage(where: string, key: string, valid: readonly string[]): string {
  const suggestion = suggestOption(key, valid);
  const hint = suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`;
  const list = valid.length === 0 ? 'it takes no options' : `valid options are: ${[...valid].sort().join(', ')}`;
  return `${where}: unknown option '${key}'${hint}; ${list}`;
}

/**
 * Throws a ValueError when `options` has a key outside `valid` (keys whose
 * value is `undefined` are ignored, so `{ ...defaults, x: undefined }` is
 * fine). `options` must be a plain object (or undefined / null, which pass).
 */
export function checkOptions(where: string, options: unknown, valid: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new ValueError(`${where}: options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if ((options as Record<string, unknown>)[key] === undefined) continue;
    if (!valid.includes(key)) throw new ValueError(unknownOptionMessage(where, key, valid));
  }
}

/** checkOptions, then the object to read options from: `{}` for undefined or null. */
export function readOptions<T extends object>(where: string, options: T | null | undefined, valid: readonly string[]): T {
  checkOptions(where, options, valid);
  return options ?? ({} as T);
}
