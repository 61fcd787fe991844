/**
 * Univariate feature scores with their p-values (scikit-learn's f_classif,
 * f_regression and chi2): each feature tested on its own against the
 * target. Scores of constant features are NaN, as in scikit-learn.
 */
import { ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import { checkConsistentLength, toLabels, toMatrix, toVector, type LabelInput, type Matrix, type MatrixInput, type VectorInput } from '../utils/validation.js';
import { chi2Survival, fSurvival } from './special.js';

/** A score per feature (higher: more related to the target) and its p-value (null when the test has none). */
export interface FeatureScores {
  scores: Float64Array;
  pvalues: Float64Array | null;
}

/** What SelectKBest calls: scores of the columns of X against y (labels or numbers, whichever the function takes). */
export type ScoreFunction = (X: MatrixInput, y: never) => FeatureScores;

function classesOf(X: Matrix, y: LabelInput): { codes: Int32Array; nClasses: number } {
  const labels = toLabels(y);
  checkConsistentLength(['X', X.rows], ['y', labels.codes.length]);
  return { codes: labels.codes, nClasses: labels.classes.length };
}

/** ANOVA F-value of each feature across the classes of y (one-way analysis of variance). */
export function fClassif(X: MatrixInput, y: LabelInput): FeatureScores {
  const Xm = toMatrix(X);
  const { codes, nClasses } = classesOf(Xm, y);
  const d = Xm.cols;
  const n = Xm.rows;
  const perClass = new Float64Array(nClasses);
  const sums = new Float64Array(nClasses * d);
  const squares = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const c = codes[r];
    perClass[c]++;
    for (let f = 0; f < d; f++) {
      const v = Xm.data[r * d + f];
      sums[c * d + f] += v;
      squares[f] += v * v;
    }
  }
  const dfBetween = nClasses - 1;
  const dfWithin = n - nClasses;
  const scores = new Float64Array(d);
  const pvalues = new Float64Array(d);
  for (let f = 0; f < d; f++) {
    let total = 0;
    let between = 0;
    for (let c = 0; c < nClasses; c++) {
      total += sums[c * d + f];
      between += sums[c * d + f] ** 2 / perClass[c];
    }
    const correction = total ** 2 / n;
    const sumSquaresTotal = squares[f] - correction;
    const sumSquaresBetween = between - correction;
    const meanSquareBetween = sumSquaresBetween / dfBetween;
    const meanSquareWithin = (sumSquaresTotal - sumSquaresBetween) / dfWithin;
    scores[f] = meanSquareBetween / meanSquareWithin;
    pvalues[f] = fSurvival(dfBetween, dfWithin, scores[f]);
  }
  return { scores, pvalues };
}

export interface FRegressionOptions {
  /** Center X and y (default true). */
  center?: boolean;
  /** Replace an infinite F by the largest float64 and a NaN one by 0 (p-value 1), as scikit-learn does by default (default true). */
  forceFinite?: boolean;
}

/** F-value of the linear correlation of each feature with a continuous y. */
export function fRegression(X: MatrixInput, y: VectorInput, options: FRegressionOptions = {}): FeatureScores {
  const o = readOptions('fRegression', options, ['center', 'forceFinite']);
  const center = o.center ?? true;
  const forceFinite = o.forceFinite ?? true;
  const Xm = toMatrix(X);
  const yv = toVector(y);
  checkConsistentLength(['X', Xm.rows], ['y', yv.length]);
  const n = Xm.rows;
  const d = Xm.cols;
  const yc = Float64Array.from(yv);
  if (center) {
    const mean = yc.reduce((a, b) => a + b, 0) / n;
    for (let i = 0; i < n; i++) yc[i] -= mean;
  }
  const yNorm = Math.sqrt(yc.reduce((a, b) => a + b * b, 0));
  const dof = n - (center ? 2 : 1);
  const scores = new Float64Array(d);
  const pvalues = new Float64Array(d);
  for (let f = 0; f < d; f++) {
    let dot = 0;
    let squares = 0;
    let sum = 0;
    for (let r = 0; r < n; r++) {
      const v = Xm.data[r * d + f];
      dot += yc[r] * v;
      squares += v * v;
      sum += v;
    }
    const xNorm = Math.sqrt(center ? squares - n * (sum / n) ** 2 : squares);
    const r2 = (dot / xNorm / yNorm) ** 2;
    let F = (r2 / (1 - r2)) * dof;
    let p = fSurvival(1, dof, F);
    if (forceFinite && !Number.isFinite(F)) {
      if (Number.isNaN(F)) {
        F = 0;
        p = 1;
      } else F = Number.MAX_VALUE;
    }
    scores[f] = F;
    pvalues[f] = p;
  }
  return { scores, pvalues };
}

/** Chi-squared statistic of each non-negative feature (counts, frequencies) against the classes of y. */
export function chi2(X: MatrixInput, y: LabelInput): FeatureScores {
  const Xm = toMatrix(X);
  for (let i = 0; i < Xm.data.length; i++) if (Xm.data[i] < 0) throw new ValueError('chi2: Input X must be non-negative.');
  const { codes, nClasses: k } = classesOf(Xm, y);
  const d = Xm.cols;
  const n = Xm.rows;
  // a single class still counts as two columns (scikit-learn's LabelBinarizer gives 1 - Y and Y)
  const nColumns = Math.max(k, 2);
  const observed = new Float64Array(nColumns * d);
  const featureCount = new Float64Array(d);
  const classCount = new Float64Array(nColumns);
  for (let r = 0; r < n; r++) {
    const c = codes[r];
    classCount[c]++;
    for (let f = 0; f < d; f++) {
      observed[c * d + f] += Xm.data[r * d + f];
      featureCount[f] += Xm.data[r * d + f];
    }
  }
  const scores = new Float64Array(d);
  const pvalues = new Float64Array(d);
  for (let f = 0; f < d; f++) {
    let s = 0;
    for (let c = 0; c < nColumns; c++) {
      const expected = (classCount[c] / n) * featureCount[f];
      s += (observed[c * d + f] - expected) ** 2 / expected;
    }
    scores[f] = s;
    pvalues[f] = chi2Survival(nColumns - 1, s);
  }
  return { scores, pvalues };
}
