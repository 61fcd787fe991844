/**
 * Ranking metrics from continuous scores, with scikit-learn's definitions
 * (1.6): tied scores share one threshold, `rocCurve` drops collinear points
 * by default and starts at threshold +Infinity, `precisionRecallCurve`
 * keeps every threshold by default and ends at (recall 0, precision 1),
 * average precision is the uninterpolated step integral.
 *
 * Curves are returned as `Float64Array`s. Binary `yTrue` without `posLabel`
 * must be {0, 1} or {-1, 1}; otherwise pass `posLabel`.
 */
import { ShapeError, ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import {
  checkConsistentLength,
  checkSampleWeight,
  encodeLabels,
  toMatrix,
  toVector,
  type Label,
  type LabelInput,
  type Matrix,
  type MatrixInput,
  type VectorInput,
} from '../utils/validation.js';

export interface CurveOptions {
  /** The positive class; required unless yTrue is {0, 1} or {-1, 1}. */
  posLabel?: Label | null;
  sampleWeight?: VectorInput | null;
}

const CURVE_OPTIONS = ['posLabel', 'sampleWeight', 'dropIntermediate'];

interface BinaryCurve {
  fps: Float64Array;
  tps: Float64Array;
  thresholds: Float64Array;
}

function labelsRepr(ls: readonly Label[]): string {
  return `{${ls.map((l) => (typeof l === 'string' ? `'${l}'` : String(l))).join(', ')}}`;
}

/** Refuses continuous values where class labels are wanted. */
function checkClassLabels(classes: readonly Label[], name: string): void {
  for (const c of classes) if (typeof c === 'number' && !Number.isInteger(c)) throw new ValueError(`${name} must hold class labels, found the continuous value ${c}`);
}

/** Boolean positives from labels, with sklearn's posLabel rules. */
function positives(yTrue: LabelInput, posLabel: Label | null | undefined, name = 'yTrue'): Uint8Array {
  const enc = encodeLabels([yTrue], [name]);
  const classes = enc.classes;
  checkClassLabels(classes, name);
  if (posLabel === undefined || posLabel === null) {
    const ok =
      enc.kind === 'number' &&
      ((classes.length === 2 && ((classes[0] === 0 && classes[1] === 1) || (classes[0] === -1 && classes[1] === 1))) ||
        (classes.length === 1 && (classes[0] === 0 || classes[0] === -1 || classes[0] === 1)) ||
        classes.length === 0);
    if (!ok) {
      throw new ValueError(
        `${name} takes value in ${labelsRepr(classes)} and posLabel is not specified: either make ${name} take value in {0, 1} or {-1, 1} or pass posLabel explicitly.`,
      );
    }
    posLabel = 1;
  }
  const code = classes.indexOf(posLabel);
  const codes = enc.codes[0];
  const out = new Uint8Array(codes.length);
  if (code >= 0) for (let i = 0; i < codes.length; i++) out[i] = codes[i] === code ? 1 : 0;
  return out;
}

/** Descending-score cumulative counts at each distinct threshold (sklearn's `_binary_clf_curve`). */
function binaryClfCurveFromMask(pos: Uint8Array, score: Float64Array, weight: Float64Array | null): BinaryCurve {
  let n = pos.length;
  let p = pos;
  let s = score;
  let w = weight;
  if (w) {
    // zero-weight samples must not create thresholds
    let keep = 0;
    for (let i = 0; i < n; i++) if (w[i] !== 0) keep++;
    if (keep !== n) {
      const p2 = new Uint8Array(keep);
      const s2 = new Float64Array(keep);
      const w2 = new Float64Array(keep);
      for (let i = 0, j = 0; i < n; i++)
        if (w[i] !== 0) {
          p2[j] = p[i];
          s2[j] = s[i];
          w2[j] = w[i];
          j++;
        }
      p = p2;
      s = s2;
      w = w2;
      n = keep;
    }
  }
  if (!w) return unweightedCurve(p, s);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => s[b] - s[a] || b - a);
  let nThr = 0;
  for (let i = 0; i < n; i++) if (i === n - 1 || s[order[i]] !== s[order[i + 1]]) nThr++;
  const fps = new Float64Array(nThr);
  const tps = new Float64Array(nThr);
  const thresholds = new Float64Array(nThr);
  let ctp = 0;
  let cfp = 0;
  for (let i = 0, k = 0; i < n; i++) {
    const j = order[i];
    const wi = w ? w[j] : 1;
    if (p[j]) ctp += wi;
    else if (w) cfp += wi;
    if (i === n - 1 || s[j] !== s[order[i + 1]]) {
      tps[k] = ctp;
      fps[k] = w ? cfp : 1 + i - ctp;
      thresholds[k] = s[j];
      k++;
    }
  }
  return { fps, tps, thresholds };
}

/** Unweighted curve: sort positive and negative scores natively, merge from the top. */
function unweightedCurve(pos: Uint8Array, score: Float64Array): BinaryCurve {
  const n = pos.length;
  let np = 0;
  for (let i = 0; i < n; i++) np += pos[i];
  const P = new Float64Array(np);
  const N = new Float64Array(n - np);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (pos[i]) P[a++] = score[i];
    else N[b++] = score[i];
  }
  P.sort();
  N.sort();
  const fps = new Float64Array(n);
  const tps = new Float64Array(n);
  const thr = new Float64Array(n);
  let i = P.length - 1;
  let j = N.length - 1;
  let ctp = 0;
  let cfp = 0;
  let k = 0;
  while (i >= 0 || j >= 0) {
    const v = i < 0 ? N[j] : j < 0 ? P[i] : P[i] > N[j] ? P[i] : N[j];
    while (i >= 0 && P[i] === v) {
      ctp++;
      i--;
    }
    while (j >= 0 && N[j] === v) {
      cfp++;
      j--;
    }
    tps[k] = ctp;
    fps[k] = cfp;
    thr[k] = v;
    k++;
  }
  return { fps: fps.slice(0, k), tps: tps.slice(0, k), thresholds: thr.slice(0, k) };
}

function binaryClfCurve(yTrue: LabelInput, yScore: VectorInput, options: CurveOptions): BinaryCurve {
  const pos = positives(yTrue, options.posLabel);
  const score = toVector(yScore, { name: 'yScore', minLength: 0 });
  checkConsistentLength(['yTrue', pos.length], ['yScore', score.length]);
  const w = checkSampleWeight(options.sampleWeight, pos.length);
  return binaryClfCurveFromMask(pos, score, w);
}

export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  /** Decreasing thresholds; thresholds[0] is +Infinity (nothing predicted positive). */
  thresholds: Float64Array;
}

/**
 * The curve without the interior points `redundant(i)` names (indices into
 * `c`); the first and last points always stay, and a curve of two points or
 * fewer is returned whole.
 */
function dropPoints(c: BinaryCurve, redundant: (i: number) => boolean): BinaryCurve {
  const n = c.fps.length;
  if (n <= 2) return c;
  const keep: number[] = [0];
  for (let i = 1; i < n - 1; i++) if (!redundant(i)) keep.push(i);
  keep.push(n - 1);
  return { fps: Float64Array.from(keep, (i) => c.fps[i]), tps: Float64Array.from(keep, (i) => c.tps[i]), thresholds: Float64Array.from(keep, (i) => c.thresholds[i]) };
}

function rocFromCurve(c: BinaryCurve, dropIntermediate: boolean): RocCurve {
  // Without the intermediate points, only the corners stay: non-zero second differences of fps or tps.
  const secondDifference = (a: Float64Array, i: number): number => a[i + 1] - a[i] - (a[i] - a[i - 1]);
  const { fps, tps, thresholds } = dropIntermediate ? dropPoints(c, (i) => secondDifference(c.fps, i) === 0 && secondDifference(c.tps, i) === 0) : c;
  const n = fps.length;
  // out[0] is the (0, 0) point at threshold +Infinity
  const fpr = new Float64Array(n + 1);
  const tpr = new Float64Array(n + 1);
  const thr = new Float64Array(n + 1);
  thr[0] = Number.POSITIVE_INFINITY;
  fpr.set(fps, 1);
  tpr.set(tps, 1);
  thr.set(thresholds, 1);
  const lastF = n ? fps[n - 1] : 0;
  const lastT = n ? tps[n - 1] : 0;
  for (let i = 0; i <= n; i++) {
    fpr[i] = lastF <= 0 ? Number.NaN : fpr[i] / lastF;
    tpr[i] = lastT <= 0 ? Number.NaN : tpr[i] / lastT;
  }
  return { fpr, tpr, thresholds: thr };
}

/**
 * Receiver operating characteristic: false and true positive rates at
 * each distinct score threshold (decreasing). `dropIntermediate` (default
 * true) removes thresholds that are not corners of the curve.
 */
export function rocCurve(yTrue: LabelInput, yScore: VectorInput, options: CurveOptions & { dropIntermediate?: boolean } = {}): RocCurve {
  options = readOptions('rocCurve', options, CURVE_OPTIONS);
  return rocFromCurve(binaryClfCurve(yTrue, yScore, options), options.dropIntermediate ?? true);
}

export interface PrecisionRecallCurve {
  /** Precision at each threshold (increasing thresholds), with a final 1. */
  precision: Float64Array;
  /** Recall at each threshold (decreasing), with a final 0. */
  recall: Float64Array;
  /** Increasing thresholds (one fewer than precision/recall). */
  thresholds: Float64Array;
}

function prFromCurve(c: BinaryCurve, dropIntermediate: boolean): PrecisionRecallCurve {
  // Without the intermediate points, a run of equal tps keeps only its first and last.
  const { fps, tps, thresholds } = dropIntermediate ? dropPoints(c, (i) => c.tps[i] === c.tps[i - 1] && c.tps[i + 1] === c.tps[i]) : c;
  const m = tps.length;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const thr = new Float64Array(m);
  const last = m ? tps[m - 1] : 0;
  for (let i = 0; i < m; i++) {
    const j = m - 1 - i; // reversed
    const ps = tps[j] + fps[j];
    precision[i] = ps !== 0 ? tps[j] / ps : 0;
    recall[i] = last === 0 ? 1 : tps[j] / last;
    thr[i] = thresholds[j];
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: thr };
}

/**
 * Precision and recall at each distinct score threshold. With
 * `dropIntermediate` (default false) points that do not change recall are
 * dropped, except the first and last of each run.
 */
export function precisionRecallCurve(yTrue: LabelInput, probasPred: VectorInput, options: CurveOptions & { dropIntermediate?: boolean } = {}): PrecisionRecallCurve {
  options = readOptions('precisionRecallCurve', options, CURVE_OPTIONS);
  return prFromCurve(binaryClfCurve(yTrue, probasPred, options), options.dropIntermediate ?? false);
}

/** Area under a curve by the trapezoidal rule; x must be monotonic. */
export function auc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const xv = toVector(x, { name: 'x', minLength: 0, allowNaN: true });
  const yv = toVector(y, { name: 'y', minLength: 0, allowNaN: true });
  checkConsistentLength(['x', xv.length], ['y', yv.length]);
  if (xv.length < 2) throw new ValueError(`At least 2 points are needed to compute area under curve, but x.shape = ${xv.length}`);
  let dec = false;
  let inc = false;
  for (let i = 1; i < xv.length; i++) {
    const d = xv[i] - xv[i - 1];
    if (d < 0) dec = true;
    else if (d > 0) inc = true;
  }
  if (dec && inc) throw new ValueError('x is neither increasing nor decreasing');
  let area = 0;
  for (let i = 1; i < xv.length; i++) area += ((xv[i] - xv[i - 1]) * (yv[i] + yv[i - 1])) / 2;
  return dec ? -area : area;
}

// ------------------------------------------------------- score inputs

/** A score input is a vector unless it is 2-D with more than one column. */
function scoreInput(yScore: VectorInput | MatrixInput, name: string): { vector: Float64Array } | { matrix: Matrix } {
  if (yScore === null || typeof yScore !== 'object') throw new ValueError(`${name} must be an array of scores, got ${String(yScore)}`);
  const s = yScore as { shape?: readonly number[]; rows?: number; cols?: number };
  const twoD = Array.isArray(yScore) ? Array.isArray(yScore[0]) : (s.shape !== undefined && s.shape.length === 2) || (s.rows !== undefined && s.cols !== undefined);
  if (!twoD) return { vector: toVector(yScore as VectorInput, { name, minLength: 0 }) };
  const m = toMatrix(yScore as MatrixInput, { name, minSamples: 0 });
  if (m.cols === 1) return { vector: m.data };
  return { matrix: m };
}

function columnOf(m: Matrix, c: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + c];
  return out;
}

type BinaryMetric = (pos: Uint8Array, score: Float64Array, w: Float64Array | null) => number;

/** sklearn's `_average_binary_score` over one-vs-rest indicator columns. */
function averageBinaryScore(
  metric: BinaryMetric,
  codes: Int32Array,
  nClasses: number,
  scores: Matrix,
  average: 'micro' | 'macro' | 'weighted' | null,
  w: Float64Array | null,
): number | Float64Array {
  const n = codes.length;
  if (average === 'micro') {
    const pos = new Uint8Array(n * nClasses);
    for (let i = 0; i < n; i++) pos[i * nClasses + codes[i]] = 1;
    let ww: Float64Array | null = null;
    if (w) {
      ww = new Float64Array(n * nClasses);
      for (let i = 0; i < n; i++) ww.fill(w[i], i * nClasses, (i + 1) * nClasses);
    }
    return metric(pos, scores.data, ww);
  }
  const per = new Float64Array(nClasses);
  const weights = new Float64Array(nClasses);
  for (let c = 0; c < nClasses; c++) {
    const pos = new Uint8Array(n);
    for (let i = 0; i < n; i++)
      if (codes[i] === c) {
        pos[i] = 1;
        weights[c] += w ? w[i] : 1;
      }
    per[c] = metric(pos, columnOf(scores, c), w);
  }
  if (average === null) return per;
  if (average === 'weighted') {
    let sw = 0;
    for (let c = 0; c < nClasses; c++) sw += weights[c];
    if (Math.abs(sw) <= 1e-8) return 0;
    let s = 0;
    for (let c = 0; c < nClasses; c++) s += weights[c] === 0 ? 0 : per[c] * weights[c];
    return s / sw;
  }
  let s = 0;
  for (let c = 0; c < nClasses; c++) s += per[c];
  return s / nClasses;
}

function checkAverage(average: unknown, allowed: readonly (string | null)[]): void {
  if (!allowed.includes(average as string | null)) {
    throw new ValueError(`average must be one of ${allowed.map((a) => (a === null ? 'null' : `'${a}'`)).join(', ')}; got ${String(average)}`);
  }
}

// --------------------------------------------------------- ROC AUC

function binaryRocAuc(maxFpr: number | null | undefined): BinaryMetric {
  return (pos, score, w) => {
    let nPos = 0;
    for (let i = 0; i < pos.length; i++) nPos += pos[i];
    if (nPos === 0 || nPos === pos.length) {
      throw new ValueError('Only one class present in yTrue. ROC AUC score is not defined in that case.');
    }
    const { fpr, tpr } = rocFromCurve(binaryClfCurveFromMask(pos, score, w), true);
    if (maxFpr === undefined || maxFpr === null || maxFpr === 1) return auc(fpr, tpr);
    if (!(maxFpr > 0 && maxFpr <= 1)) throw new ValueError(`Expected maxFpr in range (0, 1], got: ${maxFpr}`);
    // add a point at maxFpr by linear interpolation, then McClish correction
    let stop = 0;
    while (stop < fpr.length && fpr[stop] <= maxFpr) stop++;
    const x0 = fpr[stop - 1];
    const x1 = fpr[stop];
    const y0 = tpr[stop - 1];
    const y1 = tpr[stop];
    const yi = ((y1 - y0) / (x1 - x0)) * (maxFpr - x0) + y0; // np.interp
    const xs = Float64Array.from([...fpr.subarray(0, stop), maxFpr]);
    const ys = Float64Array.from([...tpr.subarray(0, stop), yi]);
    const partial = auc(xs, ys);
    const minArea = 0.5 * maxFpr * maxFpr;
    const maxArea = maxFpr;
    return 0.5 * (1 + (partial - minArea) / (maxArea - minArea));
  };
}

export interface RocAucOptions {
  /** For multiclass: 'macro' (default), 'weighted' (by prevalence) or 'micro' (ovr only). */
  average?: 'micro' | 'macro' | 'weighted';
  sampleWeight?: VectorInput | null;
  /** Standardised partial AUC over [0, maxFpr] (binary only). */
  maxFpr?: number | null;
  /** Multiclass strategy: one-vs-rest or one-vs-one; 'raise' (default) rejects multiclass input. */
  multiClass?: 'raise' | 'ovr' | 'ovo';
  /** Class labels in the order of the yScore columns (multiclass); default: sorted labels of yTrue. */
  labels?: readonly Label[] | null;
}

/**
 * Area under the ROC curve. Binary: `yScore` is a vector of scores of the
 * greater label. Multiclass: `yScore` is [nSamples, nClasses] of
 * probabilities (rows sum to 1) with `multiClass: 'ovr'` or 'ovo'.
 */
export function rocAucScore(yTrue: LabelInput, yScore: VectorInput | MatrixInput, options: RocAucOptions = {}): number {
  options = readOptions('rocAucScore', options, ['average', 'sampleWeight', 'maxFpr', 'multiClass', 'labels']);
  const average = options.average ?? 'macro';
  const multiClass = options.multiClass ?? 'raise';
  const enc = encodeLabels([yTrue], ['yTrue']);
  checkClassLabels(enc.classes, 'yTrue');
  const codes = enc.codes[0];
  const w = checkSampleWeight(options.sampleWeight, codes.length);
  const sc = scoreInput(yScore, 'yScore');
  const isMulticlass = enc.classes.length > 2 || ('matrix' in sc && sc.matrix.cols > 2);
  if (!isMulticlass) {
    if ('matrix' in sc) {
      throw new ShapeError(
        `rocAucScore: for binary yTrue, yScore must be 1-D (the score of the greater label ${String(enc.classes[enc.classes.length - 1])}); got ${sc.matrix.cols} columns. Pass column 1 of predictProba.`,
      );
    }
    checkConsistentLength(['yTrue', codes.length], ['yScore', sc.vector.length]);
    checkAverage(average, ['micro', 'macro', 'weighted']);
    const pos = new Uint8Array(codes.length);
    // label_binarize: the greater of two labels is positive
    if (enc.classes.length === 2) for (let i = 0; i < codes.length; i++) pos[i] = codes[i];
    return binaryRocAuc(options.maxFpr)(pos, sc.vector, w);
  }
  if (options.maxFpr !== undefined && options.maxFpr !== null && options.maxFpr !== 1) {
    throw new ValueError(`Partial AUC computation not available in multiclass setting, 'maxFpr' must be set to null, received maxFpr=${options.maxFpr} instead`);
  }
  if (multiClass === 'raise') throw new ValueError("multiClass must be 'ovr' or 'ovo' for multiclass targets");
  if ('vector' in sc) throw new ShapeError(`rocAucScore: multiclass yTrue needs yScore of shape [nSamples, nClasses], got a vector`);
  const m = sc.matrix;
  checkConsistentLength(['yTrue', codes.length], ['yScore', m.rows]);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let c = 0; c < m.cols; c++) s += m.data[i * m.cols + c];
    if (!(Math.abs(s - 1) <= 1e-8 + 1e-5)) {
      throw new ValueError('Target scores need to be probabilities for multiclass roc_auc, i.e. they should sum up to 1.0 over classes');
    }
  }
  checkAverage(average, multiClass === 'ovr' ? ['micro', 'macro', 'weighted'] : ['macro', 'weighted']);
  if (multiClass !== 'ovr' && multiClass !== 'ovo') throw new ValueError(`multiClass must be 'ovr' or 'ovo', got ${String(multiClass)}`);
  let classCodes = codes;
  let nClasses = enc.classes.length;
  if (options.labels) {
    const labels = [...options.labels];
    const sorted = encodeLabels([labels], ['labels']).classes;
    if (sorted.length !== labels.length) throw new ValueError("Parameter 'labels' must be unique");
    if (sorted.some((l, i) => l !== labels[i])) throw new ValueError("Parameter 'labels' must be ordered");
    if (labels.length !== m.cols) throw new ValueError(`Number of given labels, ${labels.length}, not equal to the number of columns in 'yScore', ${m.cols}`);
    const map = enc.classes.map((c) => labels.indexOf(c));
    if (map.some((i) => i < 0)) throw new ValueError("'yTrue' contains labels not in parameter 'labels'");
    classCodes = Int32Array.from(codes, (c) => map[c]);
    nClasses = labels.length;
  } else if (nClasses !== m.cols) {
    throw new ValueError(`Number of classes in yTrue (${nClasses}) not equal to the number of columns in 'yScore' (${m.cols})`);
  }
  if (multiClass === 'ovo') {
    if (w) throw new ValueError("sampleWeight is not supported for multiClass='ovo'");
    return ovoScore(classCodes, nClasses, m, average as 'macro' | 'weighted');
  }
  return averageBinaryScore(binaryRocAuc(null), classCodes, nClasses, m, average as 'micro' | 'macro' | 'weighted', w) as number;
}

/** Hand & Till one-vs-one AUC (sklearn's `_average_multiclass_ovo_score`). */
function ovoScore(codes: Int32Array, nClasses: number, m: Matrix, average: 'macro' | 'weighted'): number {
  const metric = binaryRocAuc(null);
  const nPairs = (nClasses * (nClasses - 1)) / 2;
  const pairScores = new Float64Array(nPairs);
  const prevalence = new Float64Array(nPairs);
  let ix = 0;
  for (let a = 0; a < nClasses; a++) {
    for (let b = a + 1; b < nClasses; b++) {
      const idx: number[] = [];
      for (let i = 0; i < codes.length; i++) if (codes[i] === a || codes[i] === b) idx.push(i);
      const posA = Uint8Array.from(idx, (i) => (codes[i] === a ? 1 : 0));
      const posB = Uint8Array.from(idx, (i) => (codes[i] === b ? 1 : 0));
      const sA = Float64Array.from(idx, (i) => m.data[i * m.cols + a]);
      const sB = Float64Array.from(idx, (i) => m.data[i * m.cols + b]);
      pairScores[ix] = (metric(posA, sA, null) + metric(posB, sB, null)) / 2;
      prevalence[ix] = idx.length / codes.length;
      ix++;
    }
  }
  let s = 0;
  let sw = 0;
  for (let i = 0; i < nPairs; i++) {
    const wi = average === 'weighted' ? prevalence[i] : 1;
    s += pairScores[i] * wi;
    sw += wi;
  }
  return s / sw;
}

// ------------------------------------------------- average precision

function binaryAp(pos: Uint8Array, score: Float64Array, w: Float64Array | null): number {
  const { precision, recall } = prFromCurve(binaryClfCurveFromMask(pos, score, w), false);
  let s = 0;
  for (let i = 0; i < recall.length - 1; i++) s += (recall[i + 1] - recall[i]) * precision[i];
  return Math.max(0, -s);
}

export interface AveragePrecisionOptions {
  /** Multiclass averaging of one-vs-rest scores (default 'macro'). */
  average?: 'micro' | 'macro' | 'weighted';
  /** The positive label for binary yTrue (default 1). */
  posLabel?: Label;
  sampleWeight?: VectorInput | null;
}

/**
 * Average precision AP = Σ (R_n - R_{n-1}) P_n (no interpolation). Binary
 * `yScore` is a vector; multiclass `yScore` is [nSamples, nClasses]
 * (one-vs-rest, columns in sorted label order).
 */
export function averagePrecisionScore(yTrue: LabelInput, yScore: VectorInput | MatrixInput, options: AveragePrecisionOptions = {}): number {
  options = readOptions('averagePrecisionScore', options, ['average', 'posLabel', 'sampleWeight']);
  const average = options.average ?? 'macro';
  const posLabel = options.posLabel ?? 1;
  checkAverage(average, ['micro', 'macro', 'weighted']);
  const enc = encodeLabels([yTrue], ['yTrue']);
  checkClassLabels(enc.classes, 'yTrue');
  const codes = enc.codes[0];
  const w = checkSampleWeight(options.sampleWeight, codes.length);
  const sc = scoreInput(yScore, 'yScore');
  if (enc.classes.length <= 2) {
    if (enc.classes.length === 2 && !enc.classes.includes(posLabel)) {
      throw new ValueError(`posLabel=${typeof posLabel === 'string' ? `'${posLabel}'` : posLabel} is not a valid label. It should be one of [${enc.classes.join(', ')}]`);
    }
    if ('matrix' in sc) throw new ShapeError(`averagePrecisionScore: for binary yTrue, yScore must be 1-D; got ${sc.matrix.cols} columns`);
    checkConsistentLength(['yTrue', codes.length], ['yScore', sc.vector.length]);
    const code = enc.classes.indexOf(posLabel);
    const pos = Uint8Array.from(codes, (c) => (c === code ? 1 : 0));
    return binaryAp(pos, sc.vector, w);
  }
  if (posLabel !== 1) throw new ValueError('Parameter posLabel is fixed to 1 for multiclass yTrue. Do not set posLabel or set posLabel to 1.');
  if ('vector' in sc) throw new ShapeError('averagePrecisionScore: multiclass yTrue needs yScore of shape [nSamples, nClasses], got a vector');
  checkConsistentLength(['yTrue', codes.length], ['yScore', sc.matrix.rows]);
  if (sc.matrix.cols !== enc.classes.length) {
    throw new ShapeError(`averagePrecisionScore: yScore has ${sc.matrix.cols} columns but yTrue has ${enc.classes.length} classes`);
  }
  return averageBinaryScore(binaryAp, codes, enc.classes.length, sc.matrix, average, w) as number;
}

/** Top-k accuracy: the true label is among the k highest scores (ties favour the higher class index, as in sklearn). */
export function topKAccuracyScore(
  yTrue: LabelInput,
  yScore: MatrixInput,
  options: { k?: number; labels?: readonly Label[] | null; normalize?: boolean; sampleWeight?: VectorInput | null } = {},
): number {
  options = readOptions('topKAccuracyScore', options, ['k', 'labels', 'normalize', 'sampleWeight']);
  const k = options.k ?? 2;
  const enc = encodeLabels(options.labels ? [yTrue, options.labels] : [yTrue], ['yTrue', 'labels']);
  const classes = options.labels ? encodeLabels([options.labels], ['labels']).classes : enc.classes;
  const m = toMatrix(yScore, { name: 'yScore' });
  if (m.cols !== classes.length) throw new ShapeError(`topKAccuracyScore: yScore has ${m.cols} columns but there are ${classes.length} classes`);
  const codes = enc.codes[0].map((c) => classes.indexOf(enc.classes[c]));
  checkConsistentLength(['yTrue', codes.length], ['yScore', m.rows]);
  const w = checkSampleWeight(options.sampleWeight, codes.length);
  let hit = 0;
  let total = 0;
  for (let i = 0; i < m.rows; i++) {
    const t = codes[i];
    const st = m.data[i * m.cols + t];
    // rank of the true class: classes scoring higher (or equal with a higher index)
    let better = 0;
    for (let c = 0; c < m.cols; c++) {
      const v = m.data[i * m.cols + c];
      if (v > st || (v === st && c > t)) better++;
    }
    const wi = w ? w[i] : 1;
    if (better < k) hit += wi;
    total += wi;
  }
  return (options.normalize ?? true) ? hit / total : hit;
}
