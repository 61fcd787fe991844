/**
 * Classification metrics with scikit-learn's definitions (as of sklearn
 * 1.6): label handling, `average` modes, `posLabel` and zero-division
 * rules match `sklearn.metrics`.
 *
 * Labels are numbers or strings (`LabelInput`); `yTrue` and `yPred` must
 * use the same type. Numeric labels must be integers (non-integer values
 * are "continuous" targets, which scikit-learn rejects too).
 *
 * Per-class results are `Float64Array`s in label order (sorted labels, or
 * the order of the `labels` option); confusion matrices are `number[][]`.
 * `zeroDivision: 'warn'` behaves as 0 (no warning is printed).
 */
import { ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import {
  checkConsistentLength,
  checkSampleWeight,
  encodeLabels,
  numSamples,
  toMatrix,
  toVector,
  type Label,
  type LabelInput,
  type MatrixInput,
  type VectorInput,
} from '../utils/validation.js';
import { checkNotContinuous, classIndex, encodePair, labelRepr, labelsRepr } from './label-pairs.js';

export type Average = 'binary' | 'micro' | 'macro' | 'weighted';
export type ZeroDivision = 'warn' | 0 | 1 | number;

// ------------------------------------------------------------- accuracy

/** A typed array, or a plain array whose elements are all numbers. */
function isNumeric(y: LabelInput): y is ArrayLike<number> {
  if (ArrayBuffer.isView(y)) return true;
  if (!Array.isArray(y)) return false;
  for (let i = 0; i < y.length; i++) if (typeof y[i] !== 'number') return false;
  return true;
}

export interface SampleWeightOption {
  sampleWeight?: VectorInput | null;
}

const NORMALIZE_OPTIONS = ['sampleWeight', 'normalize'];

/** Fraction (or, with `normalize: false`, the weighted count) of exact matches. */
export function accuracyScore(yTrue: LabelInput, yPred: LabelInput, options: SampleWeightOption & { normalize?: boolean } = {}): number {
  options = readOptions('accuracyScore', options, NORMALIZE_OPTIONS);
  const normalize = options.normalize ?? true;
  let n: number;
  let correct = 0;
  let total = 0;
  let w: Float64Array | null;
  if (isNumeric(yTrue) && isNumeric(yPred)) {
    // Numeric fast path: compare values directly, no encoding.
    const t = yTrue as ArrayLike<number>;
    const p = yPred as ArrayLike<number>;
    checkConsistentLength(['yTrue', t.length], ['yPred', p.length]);
    n = t.length;
    w = checkSampleWeight(options.sampleWeight, n);
    for (let i = 0; i < n; i++) {
      const a = t[i];
      const b = p[i];
      if (a !== Math.floor(a) || b !== Math.floor(b)) {
        const bad = a !== Math.floor(a) ? a : b;
        if (Number.isNaN(bad) || !Number.isFinite(bad)) throw new ValueError(`labels must be finite numbers or strings, found ${bad} at index ${i}`);
        throw new ValueError(`Classification metrics can't handle continuous targets: found the non-integer label ${bad}; pass class labels (integers or strings)`);
      }
      const wi = w ? w[i] : 1;
      if (a === b) correct += wi;
      total += wi;
    }
  } else {
    const e = encodePair(yTrue, yPred, options.sampleWeight);
    n = e.t.length;
    w = e.w;
    for (let i = 0; i < n; i++) {
      const wi = w ? w[i] : 1;
      if (e.t[i] === e.p[i]) correct += wi;
      total += wi;
    }
  }
  if (!normalize) return correct;
  if (n === 0) return Number.NaN;
  if (total === 0) throw new ValueError("Weights sum to zero, can't be normalized");
  return correct / total;
}

/** 1 - accuracy (or the weighted count of mistakes with `normalize: false`). */
export function zeroOneLoss(yTrue: LabelInput, yPred: LabelInput, options: SampleWeightOption & { normalize?: boolean } = {}): number {
  options = readOptions('zeroOneLoss', options, NORMALIZE_OPTIONS);
  if (options.normalize ?? true) return 1 - accuracyScore(yTrue, yPred, options);
  const sw = options.sampleWeight ? toVector(options.sampleWeight, { name: 'sampleWeight' }) : null;
  let total = 0;
  if (sw) for (let i = 0; i < sw.length; i++) total += sw[i];
  else total = numSamples(yTrue);
  return total - accuracyScore(yTrue, yPred, options);
}

// ------------------------------------------------------- confusion matrix

export interface ConfusionMatrixOptions extends SampleWeightOption {
  /** Rows/columns in this order (default: sorted labels of yTrue ∪ yPred). Samples with other labels are ignored. */
  labels?: readonly Label[] | null;
  /** Normalise over true labels (rows), predicted labels (columns) or all. */
  normalize?: 'true' | 'pred' | 'all' | null;
}

/** Confusion matrix C[i][j]: samples of true label i predicted as j. */
export function confusionMatrix(yTrue: LabelInput, yPred: LabelInput, options: ConfusionMatrixOptions = {}): number[][] {
  options = readOptions('confusionMatrix', options, ['sampleWeight', 'labels', 'normalize']);
  const labels = options.labels ?? null;
  if (labels && labels.length === 0) throw new ValueError("'labels' should contain at least one label");
  const e = encodePair(yTrue, yPred, options.sampleWeight, labels);
  const out = labels ?? e.classes;
  const k = out.length;
  const n = e.t.length;
  // position of each encoded class in the output order (-1: ignored)
  const pos = new Int32Array(e.classes.length).fill(-1);
  for (let i = 0; i < k; i++) pos[classIndex(e.classes, out[i])] = i;
  if (labels && n > 0) {
    let any = false;
    for (let i = 0; i < n && !any; i++) if (pos[e.t[i]] >= 0) any = true;
    if (!any) throw new ValueError('At least one label specified must be in yTrue');
  }
  const cm = new Float64Array(k * k);
  for (let i = 0; i < n; i++) {
    const a = pos[e.t[i]];
    const b = pos[e.p[i]];
    if (a >= 0 && b >= 0) cm[a * k + b] += e.w ? e.w[i] : 1;
  }
  const norm = options.normalize ?? null;
  if (norm) {
    if (norm !== 'true' && norm !== 'pred' && norm !== 'all') throw new ValueError(`normalize must be 'true', 'pred', 'all' or null, got ${String(norm)}`);
    const div = new Float64Array(k * k);
    let all = 0;
    for (let i = 0; i < k * k; i++) all += cm[i];
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        if (norm === 'all') s = all;
        else if (norm === 'true') for (let c = 0; c < k; c++) s += cm[i * k + c];
        else for (let r = 0; r < k; r++) s += cm[r * k + j];
        div[i * k + j] = s;
      }
    }
    for (let i = 0; i < k * k; i++) cm[i] = div[i] === 0 ? 0 : cm[i] / div[i];
  }
  const rows: number[][] = [];
  for (let i = 0; i < k; i++) rows.push(Array.from(cm.subarray(i * k, (i + 1) * k)));
  return rows;
}

// ------------------------------------------- precision / recall / F-score

export interface PrfOptions extends SampleWeightOption {
  /** Labels to include (and their order when `average` is null). */
  labels?: readonly Label[] | null;
  /** The positive class when `average` is 'binary' (default 1). */
  posLabel?: Label;
  /**
   * 'binary': the score of `posLabel` (only for two-class targets);
   * 'micro': from global counts; 'macro': unweighted mean over labels;
   * 'weighted': mean weighted by support; null: one score per label.
   */
  average?: Average | null;
  /** Value for 0/0 (no predicted or no true samples of a label): 'warn' (= 0), 0, 1 or NaN. */
  zeroDivision?: ZeroDivision;
}

const PRF_OPTIONS = ['sampleWeight', 'labels', 'posLabel', 'average', 'zeroDivision'];

export interface PrfPerLabel {
  precision: Float64Array;
  recall: Float64Array;
  fscore: Float64Array;
  /** Weighted count of true samples per label. */
  support: Float64Array;
  /** The labels the entries refer to, in order. */
  labels: Label[];
}

export interface PrfAveraged {
  precision: number;
  recall: number;
  fscore: number;
  support: null;
}

function zeroDivisionValue(z: ZeroDivision | undefined): number {
  if (z === undefined || z === 'warn') return 0;
  if (z === 0 || z === 1 || Number.isNaN(z)) return z;
  throw new ValueError(`zeroDivision must be 'warn', 0, 1 or NaN, got ${String(z)}`);
}

function prfDivide(num: Float64Array, den: Float64Array, zd: number): Float64Array {
  const out = new Float64Array(num.length);
  for (let i = 0; i < num.length; i++) out[i] = den[i] === 0 ? zd : num[i] / den[i];
  return out;
}

/** np.nanmean / weighted np.average skipping NaNs (sklearn's `_nanaverage`). */
function nanAverage(a: Float64Array, weights: Float64Array | null): number {
  if (a.length === 0) return Number.NaN;
  let sw = 0;
  let s = 0;
  let cnt = 0;
  let plain = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i])) continue;
    cnt++;
    plain += a[i];
    if (weights) {
      sw += weights[i];
      s += weights[i] * a[i];
    }
  }
  if (cnt === 0) return Number.NaN;
  if (!weights || sw === 0) return plain / cnt;
  return s / sw;
}

interface PrfCore {
  tp: Float64Array;
  pred: Float64Array;
  true: Float64Array;
  labels: Label[];
}

function prfCounts(yTrue: LabelInput, yPred: LabelInput, options: PrfOptions): PrfCore {
  const average = options.average === undefined ? null : options.average;
  if (average !== null && !['binary', 'micro', 'macro', 'weighted'].includes(average)) {
    throw new ValueError(`average has to be one of null, 'binary', 'micro', 'macro', 'weighted'; got ${String(average)}`);
  }
  const posLabel = options.posLabel ?? 1;
  let labels: readonly Label[] | null = options.labels ?? null;
  let e = encodePair(yTrue, yPred, options.sampleWeight, labels);
  if (average === 'binary') {
    if (e.nPresent <= 2) {
      const presentLabels = e.classes.filter((_, i) => e.present[i]);
      if (!presentLabels.includes(posLabel) && presentLabels.length >= 2) {
        throw new ValueError(`posLabel=${labelRepr(posLabel)} is not a valid label. It should be one of ${labelsRepr(presentLabels)}`);
      }
      labels = [posLabel];
      if (classIndex(e.classes, posLabel) < 0) {
        if (e.classes.length && typeof e.classes[0] !== typeof posLabel) {
          throw new ValueError(`posLabel=${labelRepr(posLabel)} is not a valid label: the labels are ${typeof e.classes[0]}s ${labelsRepr(e.classes)}`);
        }
        e = encodePair(yTrue, yPred, options.sampleWeight, labels);
      }
    } else {
      throw new ValueError("Target is multiclass but average='binary'. Please choose another average setting, one of [null, 'micro', 'macro', 'weighted']");
    }
  }
  const k = e.classes.length;
  const tp = new Float64Array(k);
  const ps = new Float64Array(k);
  const ts = new Float64Array(k);
  const { t, p, w } = e;
  for (let i = 0; i < t.length; i++) {
    const wi = w ? w[i] : 1;
    ts[t[i]] += wi;
    ps[p[i]] += wi;
    if (t[i] === p[i]) tp[t[i]] += wi;
  }
  const out = labels ?? e.classes;
  const sel = out.map((l) => classIndex(e.classes, l));
  const pick = (a: Float64Array): Float64Array => Float64Array.from(sel, (i) => a[i]);
  return { tp: pick(tp), pred: pick(ps), true: pick(ts), labels: [...out] };
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/**
 * Precision, recall, F-beta and support per label, or averaged
 * (`average`), exactly as sklearn's `precision_recall_fscore_support`.
 * Per label unless `average` is given (sklearn's default average=None).
 */
export function precisionRecallFscoreSupport(yTrue: LabelInput, yPred: LabelInput, options?: PrfOptions & { beta?: number; average?: null }): PrfPerLabel;
export function precisionRecallFscoreSupport(yTrue: LabelInput, yPred: LabelInput, options: PrfOptions & { beta?: number; average: Average }): PrfAveraged;
export function precisionRecallFscoreSupport(yTrue: LabelInput, yPred: LabelInput, options?: PrfOptions & { beta?: number }): PrfPerLabel | PrfAveraged;
export function precisionRecallFscoreSupport(yTrue: LabelInput, yPred: LabelInput, options: PrfOptions & { beta?: number } = {}): PrfPerLabel | PrfAveraged {
  options = readOptions('precisionRecallFscoreSupport', options, [...PRF_OPTIONS, 'beta']);
  const beta = options.beta ?? 1;
  if (!(beta >= 0)) throw new ValueError(`beta should be >= 0 in the F-beta score, got ${beta}`);
  const zd = zeroDivisionValue(options.zeroDivision);
  const average = options.average ?? null;
  const c = prfCounts(yTrue, yPred, options);
  let { tp, pred, true: tru } = c;
  if (average === 'micro') {
    tp = Float64Array.of(sum(tp));
    pred = Float64Array.of(sum(pred));
    tru = Float64Array.of(sum(tru));
  }
  const precision = prfDivide(tp, pred, zd);
  const recall = prfDivide(tp, tru, zd);
  let fscore: Float64Array;
  if (beta === Number.POSITIVE_INFINITY) fscore = recall;
  else if (beta === 0) fscore = precision;
  else {
    const b2 = beta * beta;
    const num = new Float64Array(tp.length);
    const den = new Float64Array(tp.length);
    for (let i = 0; i < tp.length; i++) {
      num[i] = (1 + b2) * tp[i];
      den[i] = b2 * tru[i] + pred[i];
    }
    fscore = prfDivide(num, den, zd);
  }
  if (average === null) return { precision, recall, fscore, support: tru, labels: c.labels };
  const weights = average === 'weighted' ? tru : null;
  return {
    precision: nanAverage(precision, weights),
    recall: nanAverage(recall, weights),
    fscore: nanAverage(fscore, weights),
    support: null,
  };
}

type ScoreOptions = PrfOptions;

function pick(which: 'precision' | 'recall' | 'fscore', yTrue: LabelInput, yPred: LabelInput, options: ScoreOptions & { beta?: number }): number | Float64Array {
  const average = options.average === undefined ? 'binary' : options.average;
  const r = precisionRecallFscoreSupport(yTrue, yPred, { ...options, average });
  return r[which];
}

/** Precision tp / (tp + fp). Default `average` is 'binary' with `posLabel` 1. */
export function precisionScore(yTrue: LabelInput, yPred: LabelInput, options: ScoreOptions & { average: null }): Float64Array;
export function precisionScore(yTrue: LabelInput, yPred: LabelInput, options?: ScoreOptions & { average?: Average }): number;
export function precisionScore(yTrue: LabelInput, yPred: LabelInput, options: ScoreOptions = {}): number | Float64Array {
  options = readOptions('precisionScore', options, PRF_OPTIONS);
  return pick('precision', yTrue, yPred, options);
}

/** Recall tp / (tp + fn). Default `average` is 'binary' with `posLabel` 1. */
export function recallScore(yTrue: LabelInput, yPred: LabelInput, options: ScoreOptions & { average: null }): Float64Array;
export function recallScore(yTrue: LabelInput, yPred: LabelInput, options?: ScoreOptions & { average?: Average }): number;
export function recallScore(yTrue: LabelInput, yPred: LabelInput, options: ScoreOptions = {}): number | Float64Array {
  options = readOptions('recallScore', options, PRF_OPTIONS);
  return pick('recall', yTrue, yPred, options);
}

/** F1 = 2 tp / (2 tp + fp + fn). Default `average` is 'binary' with `posLabel` 1. */
export function f1Score(yTrue: LabelInput, yPred: LabelInput, options: ScoreOptions & { average: null }): Float64Array;
export function f1Score(yTrue: LabelInput, yPred: LabelInput, options?: ScoreOptions & { average?: Average }): number;
export function f1Score(yTrue: LabelInput, yPred: LabelInput, options: ScoreOptions = {}): number | Float64Array {
  options = readOptions('f1Score', options, PRF_OPTIONS);
  return pick('fscore', yTrue, yPred, { ...options, beta: 1 });
}

/** F-beta = (1 + β²) tp / ((1 + β²) tp + β² fn + fp). Default `average` is 'binary'. */
export function fbetaScore(yTrue: LabelInput, yPred: LabelInput, options: ScoreOptions & { beta: number; average: null }): Float64Array;
export function fbetaScore(yTrue: LabelInput, yPred: LabelInput, options: ScoreOptions & { beta: number; average?: Average }): number;
export function fbetaScore(yTrue: LabelInput, yPred: LabelInput, options: ScoreOptions & { beta: number }): number | Float64Array {
  options = readOptions('fbetaScore', options, [...PRF_OPTIONS, 'beta']);
  if (options?.beta === undefined) throw new ValueError('fbetaScore: the beta option is required');
  return pick('fscore', yTrue, yPred, options);
}

// ------------------------------------------------------- other scores

/** Mean per-class recall; `adjusted` rescales so chance is 0 and perfect is 1. */
export function balancedAccuracyScore(yTrue: LabelInput, yPred: LabelInput, options: SampleWeightOption & { adjusted?: boolean } = {}): number {
  options = readOptions('balancedAccuracyScore', options, ['sampleWeight', 'adjusted']);
  const e = encodePair(yTrue, yPred, options.sampleWeight);
  const k = e.classes.length;
  const diag = new Float64Array(k);
  const rowSum = new Float64Array(k);
  for (let i = 0; i < e.t.length; i++) {
    const wi = e.w ? e.w[i] : 1;
    rowSum[e.t[i]] += wi;
    if (e.t[i] === e.p[i]) diag[e.t[i]] += wi;
  }
  let s = 0;
  let m = 0;
  for (let c = 0; c < k; c++) {
    const r = diag[c] / rowSum[c];
    if (Number.isNaN(r)) continue; // class only in yPred
    s += r;
    m++;
  }
  let score = s / m;
  if (options.adjusted) {
    const chance = 1 / m;
    score = (score - chance) / (1 - chance);
  }
  return score;
}

/** Matthews correlation coefficient (multiclass R_K statistic); 0 when undefined. */
export function matthewsCorrcoef(yTrue: LabelInput, yPred: LabelInput, options: SampleWeightOption = {}): number {
  options = readOptions('matthewsCorrcoef', options, ['sampleWeight']);
  const e = encodePair(yTrue, yPred, options.sampleWeight);
  const k = e.classes.length;
  const tSum = new Float64Array(k);
  const pSum = new Float64Array(k);
  let correct = 0;
  for (let i = 0; i < e.t.length; i++) {
    const wi = e.w ? e.w[i] : 1;
    tSum[e.t[i]] += wi;
    pSum[e.p[i]] += wi;
    if (e.t[i] === e.p[i]) correct += wi;
  }
  const n = sum(pSum);
  let tp = 0;
  let pp = 0;
  let tt = 0;
  for (let c = 0; c < k; c++) {
    tp += tSum[c] * pSum[c];
    pp += pSum[c] * pSum[c];
    tt += tSum[c] * tSum[c];
  }
  const covYtYp = correct * n - tp;
  const covYpYp = n * n - pp;
  const covYtYt = n * n - tt;
  if (covYpYp * covYtYt === 0) return 0;
  return covYtYp / Math.sqrt(covYtYt * covYpYp);
}

/** Cohen's kappa: agreement between two labelings beyond chance. */
export function cohenKappaScore(y1: LabelInput, y2: LabelInput, options: SampleWeightOption & { labels?: readonly Label[]; weights?: 'linear' | 'quadratic' | null } = {}): number {
  options = readOptions('cohenKappaScore', options, ['sampleWeight', 'labels', 'weights']);
  const cm = confusionMatrix(y1, y2, { labels: options.labels, sampleWeight: options.sampleWeight });
  const k = cm.length;
  const rows = cm.map((r) => r.reduce((a, b) => a + b, 0));
  const cols = cm[0].map((_, j) => cm.reduce((a, r) => a + r[j], 0));
  const total = rows.reduce((a, b) => a + b, 0);
  let num = 0;
  let den = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const wij = !options.weights ? (i === j ? 0 : 1) : options.weights === 'linear' ? Math.abs(i - j) : (i - j) * (i - j);
      num += wij * cm[i][j];
      den += (wij * (rows[i] * cols[j])) / total;
    }
  }
  return 1 - num / den;
}

// ------------------------------------------------------------- log loss

export interface LogLossOptions extends SampleWeightOption {
  /** Return the mean (default) or the sum of the per-sample losses. */
  normalize?: boolean;
  /** All class labels, when yTrue does not contain every class. */
  labels?: readonly Label[] | null;
}

/**
 * Cross-entropy loss -Σ log p(true class). `yProb` is [nSamples, nClasses]
 * (columns in sorted label order) or, for two classes, a vector with the
 * probability of the greater label. Probabilities are clipped to
 * [eps, 1 - eps] with eps = 2.22e-16 (float64 machine epsilon).
 */
export function logLoss(yTrue: LabelInput, yProb: MatrixInput | VectorInput, options: LogLossOptions = {}): number {
  options = readOptions('logLoss', options, ['sampleWeight', 'normalize', 'labels']);
  const labels = options.labels ?? null;
  const enc = encodeLabels(labels ? [yTrue, labels] : [yTrue], ['yTrue', 'labels']);
  checkNotContinuous(enc.classes);
  const t = enc.codes[0];
  const classes = labels ? sortedUnique(labels) : enc.classes;
  if (labels) {
    // classes come from `labels` only: every yTrue label must be among them
    if (enc.classes.length !== classes.length) {
      const extra = enc.classes.filter((c) => !classes.includes(c));
      throw new ValueError(`yTrue contains labels not in labels: ${labelsRepr(extra)}`);
    }
  }
  const k = classes.length;
  if (k === 1) {
    if (!labels) throw new ValueError(`yTrue contains only one label (${labelRepr(classes[0])}). Please provide the true labels explicitly through the labels argument.`);
    throw new ValueError(`The labels array needs to contain at least two labels for logLoss, got ${labelsRepr(classes)}.`);
  }
  let P: Float64Array;
  let cols: number;
  let rows: number;
  if (yProb === null || typeof yProb !== 'object') throw new ValueError(`yProb must be an array of probabilities, got ${String(yProb)}`);
  const shaped = yProb as { shape?: readonly number[] };
  const isVector = Array.isArray(yProb) ? !Array.isArray(yProb[0]) : ArrayBuffer.isView(yProb) || (shaped.shape !== undefined && shaped.shape.length === 1);
  if (isVector) {
    const v = toVector(yProb as VectorInput, { name: 'yProb' });
    rows = v.length;
    cols = 2;
    P = new Float64Array(rows * 2);
    for (let i = 0; i < rows; i++) {
      P[2 * i] = 1 - v[i];
      P[2 * i + 1] = v[i];
    }
  } else {
    const m = toMatrix(yProb as MatrixInput, { name: 'yProb' });
    rows = m.rows;
    if (m.cols === 1) {
      cols = 2;
      P = new Float64Array(rows * 2);
      for (let i = 0; i < rows; i++) {
        P[2 * i] = 1 - m.data[i];
        P[2 * i + 1] = m.data[i];
      }
    } else {
      cols = m.cols;
      P = m.data;
    }
  }
  checkConsistentLength(['yTrue', t.length], ['yProb', rows]);
  if (cols !== k) {
    if (!labels)
      throw new ValueError(
        `yTrue and yProb contain different number of classes ${k}, ${cols}. Please provide the true labels explicitly through the labels argument. Classes found in yTrue: ${labelsRepr(classes)}`,
      );
    throw new ValueError(`The number of classes in labels is different from that in yProb. Classes found in labels: ${labelsRepr(classes)}`);
  }
  const w = checkSampleWeight(options.sampleWeight, rows);
  const eps = 2.220446049250313e-16;
  // map encoded yTrue (union with labels) to column index
  const col = new Int32Array(enc.classes.length);
  for (let c = 0; c < enc.classes.length; c++) col[c] = classIndex(classes, enc.classes[c]);
  let total = 0;
  let wsum = 0;
  for (let i = 0; i < rows; i++) {
    let p = P[i * cols + col[t[i]]];
    if (p < eps) p = eps;
    else if (p > 1 - eps) p = 1 - eps;
    const wi = w ? w[i] : 1;
    total += -Math.log(p) * wi;
    wsum += wi;
  }
  if (options.normalize ?? true) return total / wsum;
  return total;
}

function sortedUnique(labels: readonly Label[]): Label[] {
  return encodeLabels([labels], ['labels']).classes;
}
