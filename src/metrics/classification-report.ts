/**
 * `classificationReport`: sklearn's text table (or object) of precision,
 * recall, F1 and support per label and averaged.
 */
import { ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import type { Label, LabelInput } from '../utils/validation.js';
import { precisionRecallFscoreSupport, type PrfAveraged, type SampleWeightOption, type ZeroDivision } from './classification.js';
import { encodePair } from './label-pairs.js';

export interface ClassificationReportOptions extends SampleWeightOption {
  labels?: readonly Label[] | null;
  /** Display names for the labels (same length as the labels). */
  targetNames?: readonly string[] | null;
  /** Decimal places in the text table (default 2). */
  digits?: number;
  zeroDivision?: ZeroDivision;
}

export interface ReportRow {
  precision: number;
  recall: number;
  'f1-score': number;
  support: number;
}

/** The object form: one row per label name plus 'macro avg', 'weighted avg' and 'accuracy' (or 'micro avg'). */
export type ClassificationReportDict = Record<string, ReportRow | number>;

/** Python's format(x, '.{d}f'): rounds the exact binary value, ties to even. */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Math.abs(x) < 1e21) {
    // toFixed rounds exact ties away from zero; Python rounds them to even.
    const exact = Math.abs(x).toFixed(Math.min(100, digits + 60));
    const dot = exact.indexOf('.');
    if (/^50*$/.test(exact.slice(dot + 1 + digits))) {
      const kept = exact.slice(0, digits === 0 ? dot : dot + 1 + digits);
      if ((kept.charCodeAt(kept.length - 1) - 48) % 2 === 0) return (x < 0 ? '-' : '') + kept;
    }
  }
  return x.toFixed(digits);
}

/**
 * Text report of precision, recall, F1 and support per label (the same
 * layout as sklearn's `classification_report`), or the object form with
 * `outputDict: true`.
 */
export function classificationReport(yTrue: LabelInput, yPred: LabelInput, options: ClassificationReportOptions & { outputDict: true }): ClassificationReportDict;
export function classificationReport(yTrue: LabelInput, yPred: LabelInput, options?: ClassificationReportOptions & { outputDict?: false }): string;
export function classificationReport(
  yTrue: LabelInput,
  yPred: LabelInput,
  options: ClassificationReportOptions & { outputDict?: boolean } = {},
): string | ClassificationReportDict {
  options = readOptions('classificationReport', options, ['sampleWeight', 'labels', 'targetNames', 'digits', 'zeroDivision', 'outputDict']);
  const digits = options.digits ?? 2;
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) throw new ValueError(`classificationReport: digits must be an integer in [0, 20], got ${String(digits)}`);
  for (const [key, list] of [
    ['labels', options.labels],
    ['targetNames', options.targetNames],
  ] as const) {
    if (list !== undefined && list !== null && !Array.isArray(list)) throw new ValueError(`classificationReport: ${key} must be an array, got ${String(list)}`);
  }
  if (options.targetNames?.some((t) => typeof t !== 'string')) throw new ValueError('classificationReport: targetNames must be strings');
  const e = encodePair(yTrue, yPred);
  const presentLabels = e.classes.filter((_, i) => e.present[i]);
  const labelsGiven = !!options.labels;
  const labels = options.labels ? [...options.labels] : presentLabels;
  const microIsAccuracy = !labelsGiven || presentLabels.every((l) => labels.includes(l));
  const targetNames = options.targetNames ? [...options.targetNames] : labels.map((l) => String(l));
  if (targetNames.length !== labels.length) {
    throw new ValueError(`Number of classes, ${labels.length}, does not match size of targetNames, ${targetNames.length}. Try specifying the labels parameter`);
  }
  const common = { labels, sampleWeight: options.sampleWeight, zeroDivision: options.zeroDivision };
  const per = precisionRecallFscoreSupport(yTrue, yPred, { ...common, average: null });
  const weighted = options.sampleWeight !== undefined && options.sampleWeight !== null;
  const supportStr = (x: number): string => (weighted && Number.isInteger(x) ? x.toFixed(1) : String(x));
  const totalSupport = per.support.reduce((a, b) => a + b, 0);
  const averages: Array<[string, PrfAveraged]> = (['micro', 'macro', 'weighted'] as const).map((avg) => [
    avg === 'micro' && microIsAccuracy ? 'accuracy' : `${avg} avg`,
    precisionRecallFscoreSupport(yTrue, yPred, { ...common, average: avg }),
  ]);

  if ((options as { outputDict?: boolean }).outputDict) {
    const dict: ClassificationReportDict = {};
    targetNames.forEach((name, i) => {
      dict[name] = { precision: per.precision[i], recall: per.recall[i], 'f1-score': per.fscore[i], support: per.support[i] };
    });
    for (const [heading, r] of averages) {
      dict[heading] = heading === 'accuracy' ? r.precision : { precision: r.precision, recall: r.recall, 'f1-score': r.fscore, support: totalSupport };
    }
    return dict;
  }

  const headers = ['precision', 'recall', 'f1-score', 'support'];
  const width = Math.max(...targetNames.map((n) => n.length), 'weighted avg'.length, digits);
  const pad = (s: string, w: number): string => s.padStart(w);
  let report = `${pad('', width)} ${headers.map((h) => ` ${pad(h, 9)}`).join('')}\n\n`;
  const row = (name: string, p: number, r: number, f: number, s: number): string =>
    `${pad(name, width)} ${[p, r, f].map((v) => ` ${pad(formatFixed(v, digits), 9)}`).join('')} ${pad(supportStr(s), 9)}\n`;
  targetNames.forEach((name, i) => {
    report += row(name, per.precision[i], per.recall[i], per.fscore[i], per.support[i]);
  });
  report += '\n';
  for (const [heading, r] of averages) {
    if (heading === 'accuracy') {
      report += `${pad(heading, width)}  ${pad('', 9)} ${pad('', 9)} ${pad(formatFixed(r.fscore, digits), 9)} ${pad(supportStr(totalSupport), 9)}\n`;
    } else {
      report += row(heading, r.precision, r.recall, r.fscore, totalSupport);
    }
  }
  return report;
}
