/**
 * Scorers: `(estimator, X, y) => number`, greater is better (losses are
 * negated, as in scikit-learn: 'neg_mean_squared_error'). `getScorer`
 * accepts scikit-learn's scorer names or a function.
 *
 * Probability-based scorers ('roc_auc', 'average_precision', 'neg_log_loss')
 * call `decisionFunction` or `predictProba`; for two classes the score of
 * `classes[1]` (the greater label) is used, and that label is the positive
 * class.
 */
import { ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import type { Estimator } from '../models/base.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Label, LabelInput, MatrixInput, VectorInput } from '../utils/validation.js';
import { accuracyScore, balancedAccuracyScore, f1Score, logLoss, matthewsCorrcoef, precisionScore, recallScore, type Average } from './classification.js';
import { averagePrecisionScore, rocAucScore, topKAccuracyScore } from './ranking.js';
import {
  explainedVarianceScore,
  maxError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  r2Score,
  rootMeanSquaredError,
} from './regression.js';

/** Scores a fitted estimator on (X, y); greater is better. */
export type Scorer = (estimator: Estimator, X: MatrixInput, y: unknown) => number;
/** A scorer name ('accuracy', 'r2', 'neg_mean_squared_error', 'f1_macro', 'roc_auc', ...) or a scorer function. */
export type Scoring = string | Scorer;

interface Predicting {
  predict?(X: MatrixInput): Float64Array | Label[];
  predictProba?(X: MatrixInput): Tensor;
  decisionFunction?(X: MatrixInput): Float64Array | Tensor;
  score?(X: MatrixInput, y: unknown): number;
  classes?: Label[];
}

function callPredict(est: Estimator, X: MatrixInput): Float64Array | Label[] {
  const e = est as Predicting;
  if (typeof e.predict !== 'function') throw new ValueError(`${est.constructor.name} has no predict method, which this scorer needs`);
  return e.predict(X);
}

type ScoreValues = Float64Array | Tensor;

/**
 * Continuous scores for ranking metrics. Two classes: a vector for
 * `classes[1]`; more: a [n, nClasses] tensor.
 */
function continuousScores(est: Estimator, X: MatrixInput, order: readonly ('decisionFunction' | 'predictProba')[]): ScoreValues {
  const e = est as Predicting;
  for (const m of order) {
    const f = e[m];
    if (typeof f !== 'function') continue;
    const out = f.call(e, X) as ScoreValues;
    if (!(out instanceof Float64Array) && out.shape.length === 2 && out.shape[1] === 2 && m === 'predictProba') {
      const n = out.shape[0];
      const col = new Float64Array(n);
      for (let i = 0; i < n; i++) col[i] = out.data[i * 2 + 1];
      return col;
    }
    return out;
  }
  throw new ValueError(`${est.constructor.name} has none of ${order.join(' / ')}, which this scorer needs`);
}

const regression: Record<string, (t: VectorInput, p: VectorInput) => number> = {
  r2: (t, p) => r2Score(t, p),
  explained_variance: (t, p) => explainedVarianceScore(t, p),
  max_error: (t, p) => -maxError(t, p),
  neg_mean_squared_error: (t, p) => -meanSquaredError(t, p),
  neg_root_mean_squared_error: (t, p) => -rootMeanSquaredError(t, p),
  neg_mean_absolute_error: (t, p) => -meanAbsoluteError(t, p),
  neg_median_absolute_error: (t, p) => -medianAbsoluteError(t, p),
  neg_mean_absolute_percentage_error: (t, p) => -meanAbsolutePercentageError(t, p),
};

const labelScorers: Record<string, (t: LabelInput, p: LabelInput) => number> = {
  accuracy: (t, p) => accuracyScore(t, p),
  balanced_accuracy: (t, p) => balancedAccuracyScore(t, p),
  matthews_corrcoef: (t, p) => matthewsCorrcoef(t, p),
};
for (const [name, fn] of [
  ['precision', precisionScore],
  ['recall', recallScore],
  ['f1', f1Score],
] as const) {
  labelScorers[name] = (t, p) => fn(t, p);
  for (const avg of ['micro', 'macro', 'weighted'] as Average[]) {
    labelScorers[`${name}_${avg}`] = (t, p) => fn(t, p, { average: avg as 'micro' });
  }
}

const rankingScorers: Record<string, Scorer> = {
  roc_auc: (est, X, y) => rocAucScore(y as LabelInput, continuousScores(est, X, ['decisionFunction', 'predictProba'])),
  roc_auc_ovr: (est, X, y) => rocAucScore(y as LabelInput, continuousScores(est, X, ['predictProba']), { multiClass: 'ovr', labels: (est as Predicting).classes }),
  roc_auc_ovo: (est, X, y) => rocAucScore(y as LabelInput, continuousScores(est, X, ['predictProba']), { multiClass: 'ovo', labels: (est as Predicting).classes }),
  roc_auc_ovr_weighted: (est, X, y) =>
    rocAucScore(y as LabelInput, continuousScores(est, X, ['predictProba']), { multiClass: 'ovr', average: 'weighted', labels: (est as Predicting).classes }),
  roc_auc_ovo_weighted: (est, X, y) =>
    rocAucScore(y as LabelInput, continuousScores(est, X, ['predictProba']), { multiClass: 'ovo', average: 'weighted', labels: (est as Predicting).classes }),
  average_precision: (est, X, y) => {
    const classes = (est as Predicting).classes;
    const posLabel = classes && classes.length === 2 ? classes[1] : 1;
    return averagePrecisionScore(y as LabelInput, continuousScores(est, X, ['decisionFunction', 'predictProba']), { posLabel });
  },
  neg_log_loss: (est, X, y) => {
    const e = est as Predicting;
    if (typeof e.predictProba !== 'function') throw new ValueError(`${est.constructor.name} has no predictProba method, which 'neg_log_loss' needs`);
    return -logLoss(y as LabelInput, e.predictProba(X), { labels: e.classes });
  },
  top_k_accuracy: (est, X, y) => {
    const s = continuousScores(est, X, ['decisionFunction', 'predictProba']);
    if (s instanceof Float64Array) {
      // two classes: the top-2 of two classes always holds the true label
      return 1;
    }
    return topKAccuracyScore(y as LabelInput, s, { k: 2, labels: (est as Predicting).classes });
  },
};

/** Every scorer name `getScorer` accepts. */
export const SCORER_NAMES: readonly string[] = Object.freeze([...Object.keys(regression), ...Object.keys(labelScorers), ...Object.keys(rankingScorers)].sort());

/**
 * A scorer from a name or function; null / undefined gives the
 * estimator's own `score` method (R² for regressors, accuracy for
 * classifiers).
 */
export function getScorer(scoring: Scoring | null | undefined): Scorer {
  if (typeof scoring === 'function') return scoring;
  if (scoring === undefined || scoring === null) {
    return (est, X, y) => {
      const e = est as Predicting;
      if (typeof e.score !== 'function') throw new ValueError(`${est.constructor.name} has no score method; pass a scoring option`);
      return e.score(X, y);
    };
  }
  if (typeof scoring !== 'string') throw new ValueError(`scoring must be a scorer name or a function, got ${String(scoring)}`);
  const reg = regression[scoring];
  if (reg) return (est, X, y) => reg(y as VectorInput, callPredict(est, X) as Float64Array);
  const lab = labelScorers[scoring];
  if (lab) return (est, X, y) => lab(y as LabelInput, callPredict(est, X));
  const rank = rankingScorers[scoring];
  if (rank) return rank;
  throw new ValueError(`'${scoring}' is not a valid scoring value. Valid options: ${SCORER_NAMES.join(', ')}`);
}

export interface MakeScorerOptions {
  /** false for losses: the scorer returns the negated metric (default true). */
  greaterIsBetter?: boolean;
  /** What the metric compares yTrue against (default 'predict'). */
  responseMethod?: 'predict' | 'predictProba' | 'decisionFunction';
}

/** Builds a scorer from a metric `(yTrue, yPred) => number`. */
export function makeScorer(metric: (yTrue: never, yPred: never) => number, options: MakeScorerOptions = {}): Scorer {
  options = readOptions('makeScorer', options, ['greaterIsBetter', 'responseMethod']);
  const sign = (options.greaterIsBetter ?? true) ? 1 : -1;
  const method = options.responseMethod ?? 'predict';
  const m = metric as unknown as (t: unknown, p: unknown) => number;
  return (est, X, y) => {
    const out = method === 'predict' ? callPredict(est, X) : continuousScores(est, X, [method]);
    return sign * m(y, out);
  };
}
