/**
 * A fitted pipeline scored on labeled rows: the metrics the command prints
 * and puts in --json (accuracy, f1, precision, recall; or r2, mse, mae),
 * and the report's figures for them.
 */
import { accuracyScore, confusionMatrix, f1Score, precisionScore, recallScore } from '../metrics/classification.js';
import { auc, averagePrecisionScore, precisionRecallCurve, rocCurve } from '../metrics/ranking.js';
import { meanAbsoluteError, meanSquaredError, r2Score } from '../metrics/regression.js';
import type { Estimator } from '../models/base.js';
import { type ReportFigure, confusionMatrixSpec, learningCurveSpec, precisionRecallSpec, residualSpec, rocSpec } from '../report/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Label } from '../utils/validation.js';
import type { Task } from './dataset.js';

export interface Evaluation {
  metrics: Record<string, number>;
  figures: ReportFigure[];
  /** How precision, recall and f1 average over classes ('binary' for the second class of two, else 'macro'). */
  average?: string;
}

type Predictor = Estimator & { predict(X: unknown): Label[] | Float64Array; predictProba?(X: unknown): Tensor; decisionFunction?(X: unknown): Float64Array | Tensor };

/** Metrics and figures of `pipeline` on (X, y). */
export function evaluate(pipeline: Estimator, task: Task, classes: readonly Label[] | undefined, X: Tensor, y: readonly Label[] | Float64Array): Evaluation {
  const model = pipeline as Predictor;
  const predicted = model.predict(X);
  if (task === 'regression') {
    const yTrue = y as Float64Array;
    const yPred = predicted as Float64Array;
    return {
      metrics: { r2: r2Score(yTrue, yPred), mse: meanSquaredError(yTrue, yPred), mae: meanAbsoluteError(yTrue, yPred) },
      figures: [{ name: 'residuals', spec: residualSpec(yPred, yTrue) }],
    };
  }
  const labels = [...(classes ?? [])];
  const yTrue = y as Label[];
  const yPred = predicted as Label[];
  const binary = labels.length === 2;
  const options = binary ? { average: 'binary' as const, posLabel: labels[1], labels } : { average: 'macro' as const, labels };
  const metrics: Record<string, number> = {
    accuracy: accuracyScore(yTrue, yPred),
    f1: f1Score(yTrue, yPred, { ...options, zeroDivision: 0 }),
    precision: precisionScore(yTrue, yPred, { ...options, zeroDivision: 0 }),
    recall: recallScore(yTrue, yPred, { ...options, zeroDivision: 0 }),
  };
  const names = labels.map(String);
  const figures: ReportFigure[] = [{ name: 'confusion-matrix', spec: confusionMatrixSpec(names, confusionMatrix(yTrue, yPred, { labels })) }];
  const score = binary ? positiveScore(model, X) : null;
  const bothPresent = labels.every((l) => yTrue.includes(l));
  if (score && bothPresent) {
    const roc = rocCurve(yTrue, score, { posLabel: labels[1] });
    const pr = precisionRecallCurve(yTrue, score, { posLabel: labels[1] });
    const ap = averagePrecisionScore(
      yTrue.map((l) => (l === labels[1] ? 1 : 0)),
      score,
    );
    metrics.rocAuc = auc(roc.fpr, roc.tpr);
    figures.push({ name: 'roc', spec: rocSpec(roc.fpr, roc.tpr, metrics.rocAuc) }, { name: 'precision-recall', spec: precisionRecallSpec(pr.recall, pr.precision, ap) });
  }
  return { metrics, figures, average: options.average };
}

/** The score of the second class of two (probability, or decision value), or null when the model has neither. */
function positiveScore(model: Predictor, X: Tensor): Float64Array | null {
  if (typeof model.predictProba === 'function') {
    const P = model.predictProba(X);
    return Float64Array.from({ length: P.shape[0] }, (_, i) => P.data[i * 2 + 1]);
  }
  if (typeof model.decisionFunction === 'function') {
    const d = model.decisionFunction(X);
    return Float64Array.from('data' in d ? (d as Tensor).data : d);
  }
  return null;
}

/** Per-epoch curves of an iteratively trained estimator (an MLP), when it kept them. */
export function learningCurves(estimator: unknown, task: Task): ReportFigure[] {
  const e = estimator as { lossCurve?: number[]; validationLossCurve?: number[] | null; validationScores?: number[] | null; trainScores?: number[] | null };
  if (!Array.isArray(e.lossCurve) || e.lossCurve.length === 0) return [];
  const loss = [{ name: 'train', values: e.lossCurve }];
  if (e.validationLossCurve) loss.push({ name: 'validation', values: e.validationLossCurve });
  const figures: ReportFigure[] = [{ name: 'learning-curve-loss', spec: learningCurveSpec('Loss per epoch', 'loss', loss) }];
  if (e.validationScores && e.trainScores) {
    const metric = task === 'classification' ? 'accuracy' : 'R²';
    figures.push({
      name: 'learning-curve-metric',
      spec: learningCurveSpec(`${metric} per epoch`, metric, [
        { name: 'train', values: e.trainScores },
        { name: 'validation', values: e.validationScores },
      ]),
    });
  }
  return figures;
}
