/**
 * Class labels (scikit-learn's `LabelEncoder` / `unique_labels` rules):
 * numbers or strings, never mixed, sorted the way NumPy sorts them, and
 * encoded as indices into the sorted classes.
 */
import { ShapeError, ValueError } from '../errors.js';
import { readOptions } from './options.js';
import { describe, isShaped, shapedParts } from './input-kinds.js';
import type { Label, LabelInput } from './validation.js';

/** Python-like string ordering (by Unicode code point, as numpy sorts). */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // A surrogate (U+D800-DFFF) encodes a code point above U+FFFF.
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

/** Sorts labels the way scikit-learn (numpy) does: numbers ascending, strings by code point. */
export function sortLabels<L extends Label>(labels: L[]): L[] {
  if (labels.length > 0 && typeof labels[0] === 'string') return labels.sort((a, b) => compareStrings(a as string, b as string));
  return labels.sort((a, b) => (a as number) - (b as number));
}

function labelSource(y: LabelInput, name: string): ArrayLike<unknown> {
  if (y === null || y === undefined) throw new ValueError(`${name} is ${y}; expected an array of labels`);
  if (isShaped(y)) {
    const { shape: s, data } = shapedParts(y, name);
    if (!(s.length === 1 || (s.length === 2 && s[1] === 1))) {
      throw new ShapeError(`${name}: expected a 1-D array of labels, got shape [${s.join(', ')}]`);
    }
    return data;
  }
  if (ArrayBuffer.isView(y) || Array.isArray(y)) return y as ArrayLike<unknown>;
  throw new ValueError(`${name}: expected an array of labels, got ${describe(y)}`);
}

/** 'number' or 'string' for the labels of one array; throws on a mix or a bad value. */
function labelKind(src: ArrayLike<unknown>, name: string): 'number' | 'string' | 'empty' {
  if (ArrayBuffer.isView(src)) {
    const a = src as ArrayLike<number>;
    for (let i = 0; i < a.length; i++) {
      if (a[i] - a[i] !== 0) throw new ValueError(`${name}[${i}] is ${a[i]}; labels must be finite numbers or strings`);
    }
    return a.length ? 'number' : 'empty';
  }
  const n = src.length;
  if (n === 0) return 'empty';
  const t = typeof src[0];
  if (t !== 'number' && t !== 'string') throw new ValueError(`${name}[0] is ${describe(src[0])}; labels must be numbers or strings`);
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (typeof v !== t) {
      if (typeof v === 'number' || typeof v === 'string') {
        throw new ValueError(`${name} mixes label types: ${name}[0] is ${describe(src[0])} and ${name}[${i}] is ${describe(v)}; use only strings or only numbers`);
      }
      throw new ValueError(`${name}[${i}] is ${describe(v)}; labels must be numbers or strings`);
    }
    if (t === 'number' && (v as number) - (v as number) !== 0) {
      throw new ValueError(`${name}[${i}] is ${v}; labels must be finite numbers or strings`);
    }
  }
  return t as 'number' | 'string';
}

export interface EncodedLabels {
  /** For each input array, the index of each label in `classes`. */
  codes: Int32Array[];
  /** Sorted union of the labels (numbers ascending or strings by code point). */
  classes: Label[];
  /** Whether the labels are numbers or strings ('number' when all inputs are empty). */
  kind: 'number' | 'string';
}

/**
 * Encodes one or more label arrays against the sorted union of their
 * labels, optionally starting from `knownClasses` (labels outside them are
 * added). Throws if the arrays mix strings and numbers.
 */
export function encodeLabels(arrays: readonly LabelInput[], names: readonly string[] = [], knownClasses?: readonly Label[]): EncodedLabels {
  if (knownClasses !== undefined && !Array.isArray(knownClasses)) throw new ValueError(`labels must be an array of labels, got ${describe(knownClasses)}`);
  const sources = arrays.map((a, i) => labelSource(a, names[i] ?? (i === 0 ? 'y_true' : 'y_pred')));
  let kind: 'number' | 'string' | 'empty' = 'empty';
  let kindFrom = '';
  const check = (k: 'number' | 'string' | 'empty', name: string): void => {
    if (k === 'empty') return;
    if (kind === 'empty') {
      kind = k;
      kindFrom = name;
    } else if (kind !== k) {
      throw new ValueError(`Mix of label input types (string and number): ${kindFrom} holds ${kind}s but ${name} holds ${k}s`);
    }
  };
  if (knownClasses?.length) check(labelKind(knownClasses, 'labels'), 'labels');
  sources.forEach((s, i) => check(labelKind(s, names[i] ?? `array ${i}`), names[i] ?? `array ${i}`));

  if ((kind as string) === 'number') {
    const dense = encodeDenseIntegers(sources as ArrayLike<number>[], (knownClasses ?? []) as readonly number[]);
    if (dense) return dense;
  }
  const index = new Map<Label, number>();
  const seen: Label[] = [];
  if (knownClasses)
    for (const c of knownClasses)
      if (!index.has(c)) {
        index.set(c, seen.length);
        seen.push(c);
      }
  const rawCodes = sources.map((src) => {
    const n = src.length;
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = src[i] as Label;
      let c = index.get(v);
      if (c === undefined) {
        c = seen.length;
        index.set(v, c);
        seen.push(v);
      }
      codes[i] = c;
    }
    return codes;
  });
  const classes = sortLabels(seen.slice());
  const remap = new Int32Array(seen.length);
  for (let i = 0; i < classes.length; i++) remap[index.get(classes[i])!] = i;
  for (const codes of rawCodes) for (let i = 0; i < codes.length; i++) codes[i] = remap[codes[i]];
  return { codes: rawCodes, classes, kind: kind === 'empty' ? 'number' : kind };
}

/**
 * Fast path for integer labels in a compact range (the common 0..k-1):
 * a lookup table instead of a Map, no sort. Null when not applicable.
 */
function encodeDenseIntegers(sources: ArrayLike<number>[], known: readonly number[]): EncodedLabels | null {
  let min = Infinity;
  let max = -Infinity;
  let total = known.length;
  const scan = (a: ArrayLike<number>): boolean => {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v !== Math.floor(v)) return false;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    total += a.length;
    return true;
  };
  if (!scan(known)) return null;
  for (const s of sources) if (!scan(s)) return null;
  if (total === 0) return null;
  const span = max - min + 1;
  if (span > Math.max(1024, 2 * total)) return null;
  const table = new Int32Array(span);
  for (const v of known) table[v - min] = 1;
  for (const s of sources) for (let i = 0; i < s.length; i++) table[s[i] - min] = 1;
  const classes: number[] = [];
  for (let i = 0; i < span; i++)
    if (table[i]) {
      table[i] = classes.length;
      classes.push(i + min);
    }
  const codes = sources.map((s) => {
    const out = new Int32Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = table[s[i] - min];
    return out;
  });
  return { codes, classes, kind: 'number' };
}

export interface Labels {
  /** Index of each sample's label in `classes`. */
  codes: Int32Array;
  /** Sorted distinct labels. */
  classes: Label[];
  kind: 'number' | 'string';
}

/** Encodes a label array: `codes[i]` is the index of `y[i]` in the sorted `classes`. */
export function toLabels(y: LabelInput, options: { name?: string; minLength?: number } = {}): Labels {
  options = readOptions('toLabels', options, ['name', 'minLength']);
  const name = options.name ?? 'y';
  const enc = encodeLabels([y], [name]);
  const n = enc.codes[0].length;
  const minLength = options.minLength ?? 1;
  if (n < minLength) throw new ValueError(`${name} is empty: found ${n} label(s) while a minimum of ${minLength} is required`);
  return { codes: enc.codes[0], classes: enc.classes, kind: enc.kind };
}

/** Maps labels to indices of `classes` (the fitted classes); unseen labels throw. */
export function encodeWithClasses(y: LabelInput, classes: readonly Label[], name = 'y'): Int32Array {
  const src = labelSource(y, name);
  const index = new Map<Label, number>();
  classes.forEach((c, i) => index.set(c, i));
  const out = new Int32Array(src.length);
  const unseen = new Set<Label>();
  for (let i = 0; i < src.length; i++) {
    const c = index.get(src[i] as Label);
    if (c === undefined) unseen.add(src[i] as Label);
    else out[i] = c;
  }
  if (unseen.size) {
    throw new ValueError(`${name} contains previously unseen labels: ${JSON.stringify(sortLabels([...unseen]))} (known classes: ${JSON.stringify(classes)})`);
  }
  return out;
}

/** Plain array of the labels in `y` (numbers stay numbers, strings stay strings). */
export function labelArray(y: LabelInput, name = 'y'): Label[] {
  const src = labelSource(y, name);
  labelKind(src, name);
  return Array.from(src as ArrayLike<Label>);
}

/**
 * For classifiers: throws unless the training labels hold at least
 * `minClasses` classes.
 */
export function checkMinClasses(classes: readonly Label[], estimator: string, minClasses = 2): void {
  if (classes.length < minClasses) {
    const found = classes.length === 0 ? 'no labels' : `only one class: ${JSON.stringify(classes[0])}`;
    throw new ValueError(`${estimator} needs samples of at least ${minClasses} classes in the data, but the data contains ${found}`);
  }
}
