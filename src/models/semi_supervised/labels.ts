/**
 * Partly labelled targets (scikit-learn's semi-supervised convention): the
 * number -1 marks an unlabelled sample; every other value is a class label,
 * numbers or strings (never mixed), sorted like any classifier's classes.
 */
import { checkConsistentLength, checkMinClasses, labelArray, toLabels, type Label, type LabelInput } from '../../utils/validation.js';

/** The value of `y` that marks an unlabelled sample. */
export const UNLABELLED = -1;

export interface PartialLabels {
  /** Index of each sample's class in `classes`, or -1 for an unlabelled sample. */
  codes: Int32Array;
  /** Sorted distinct labels of the labelled samples. */
  classes: Label[];
  /** How many samples carry a label. */
  nLabelled: number;
}

/** Encodes `y` (one entry per row of X, -1 for unlabelled) against the sorted classes of its labelled entries. */
export function encodePartialLabels(y: LabelInput, nRows: number, estimator: string): PartialLabels {
  const raw = Array.isArray(y) ? (y as readonly unknown[]) : labelArray(y);
  checkConsistentLength(['X', nRows], ['y', raw.length]);
  const labelledAt: number[] = [];
  for (let i = 0; i < raw.length; i++) if (raw[i] !== UNLABELLED) labelledAt.push(i);
  const labelled = toLabels(
    labelledAt.map((i) => raw[i] as Label),
    { name: 'y (its labelled entries)', minLength: 0 },
  );
  checkMinClasses(labelled.classes, estimator);
  const codes = new Int32Array(raw.length).fill(UNLABELLED);
  labelledAt.forEach((row, j) => {
    codes[row] = labelled.codes[j];
  });
  return { codes, classes: labelled.classes, nLabelled: labelledAt.length };
}
