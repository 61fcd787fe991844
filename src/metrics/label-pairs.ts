/**
 * Label encoding shared by the classification metrics (internal): yTrue
 * and yPred encoded against the sorted union of their labels, and how
 * labels are written in error messages.
 */
import { ValueError } from '../errors.js';
import { checkConsistentLength, checkSampleWeight, encodeLabels, type Label, type LabelInput, type VectorInput } from '../utils/validation.js';

export interface EncodedPair {
  t: Int32Array;
  p: Int32Array;
  classes: Label[];
  /** Number of distinct labels present in yTrue ∪ yPred. */
  nPresent: number;
  /** Which classes occur in yTrue ∪ yPred. */
  present: Uint8Array;
  w: Float64Array | null;
}

export function checkNotContinuous(classes: readonly Label[]): void {
  for (const c of classes) {
    if (typeof c === 'number' && !Number.isInteger(c)) {
      throw new ValueError(`Classification metrics can't handle continuous targets: found the non-integer label ${c}; pass class labels (integers or strings)`);
    }
  }
}

/** Encodes yTrue and yPred against the sorted union of their labels (plus `labels`). */
export function encodePair(yTrue: LabelInput, yPred: LabelInput, sampleWeight?: VectorInput | null, labels?: readonly Label[] | null): EncodedPair {
  const enc = encodeLabels([yTrue, yPred], ['yTrue', 'yPred'], labels ?? undefined);
  const [t, p] = enc.codes;
  checkConsistentLength(['yTrue', t.length], ['yPred', p.length]);
  checkNotContinuous(enc.classes);
  const present = new Uint8Array(enc.classes.length);
  for (let i = 0; i < t.length; i++) {
    present[t[i]] = 1;
    present[p[i]] = 1;
  }
  let nPresent = 0;
  for (let i = 0; i < present.length; i++) nPresent += present[i];
  const w = checkSampleWeight(sampleWeight, t.length);
  return { t, p, classes: enc.classes, nPresent, present, w };
}

export function classIndex(classes: readonly Label[], label: Label): number {
  for (let i = 0; i < classes.length; i++) if (classes[i] === label) return i;
  return -1;
}

export function labelRepr(l: Label): string {
  return typeof l === 'string' ? `'${l}'` : String(l);
}

export function labelsRepr(ls: readonly Label[]): string {
  return `[${ls.map(labelRepr).join(', ')}]`;
}
