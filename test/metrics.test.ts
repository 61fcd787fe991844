import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrugalError, ShapeError, ValueError } from '../src/errors.js';
import {
  accuracyScore,
  auc,
  averagePrecisionScore,
  balancedAccuracyScore,
  classificationReport,
  cohenKappaScore,
  confusionMatrix,
  explainedVarianceScore,
  f1Score,
  fbetaScore,
  formatFixed,
  getScorer,
  logLoss,
  matthewsCorrcoef,
  maxError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  precisionRecallCurve,
  precisionRecallFscoreSupport,
  precisionScore,
  r2Score,
  recallScore,
  rocAucScore,
  rocCurve,
  rootMeanSquaredError,
  SCORER_NAMES,
  topKAccuracyScore,
  zeroOneLoss,
} from '../src/metrics/index.js';
import { Tensor } from '../src/tensor/tensor.js';
import { assertClose, camelKeys, loadFixture } from './helpers/fixtures.js';

interface MetricCase {
  name: string;
  fn: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  expected?: unknown;
  error?: string;
  message?: string;
}

type Fn = (args: any[], o: any) => unknown;

const prfs = (r: any): unknown => [r.precision, r.recall, r.fscore, r.support];
const FUNCTIONS: Record<string, Fn> = {
  mean_squared_error: ([t, p], o) => meanSquaredError(t, p, o),
  root_mean_squared_error: ([t, p], o) => rootMeanSquaredError(t, p, o),
  mean_absolute_error: ([t, p], o) => meanAbsoluteError(t, p, o),
  mean_absolute_percentage_error: ([t, p], o) => meanAbsolutePercentageError(t, p, o),
  r2_score: ([t, p], o) => r2Score(t, p, o),
  explained_variance_score: ([t, p], o) => explainedVarianceScore(t, p, o),
  max_error: ([t, p]) => maxError(t, p),
  median_absolute_error: ([t, p]) => medianAbsoluteError(t, p),
  accuracy_score: ([t, p], o) => accuracyScore(t, p, o),
  zero_one_loss: ([t, p], o) => zeroOneLoss(t, p, o),
  confusion_matrix: ([t, p], o) => confusionMatrix(t, p, o),
  balanced_accuracy_score: ([t, p], o) => balancedAccuracyScore(t, p, o),
  matthews_corrcoef: ([t, p], o) => matthewsCorrcoef(t, p, o),
  cohen_kappa_score: ([t, p], o) => cohenKappaScore(t, p, o),
  precision_score: ([t, p], o) => precisionScore(t, p, o),
  recall_score: ([t, p], o) => recallScore(t, p, o),
  f1_score: ([t, p], o) => f1Score(t, p, o),
  fbeta_score: ([t, p], o) => fbetaScore(t, p, o),
  precision_recall_fscore_support: ([t, p], o) => prfs(precisionRecallFscoreSupport(t, p, o)),
  classification_report: ([t, p], o) => classificationReport(t, p, o),
  log_loss: ([t, p], o) => logLoss(t, p, o),
  roc_curve: ([t, s], o) => {
    const r = rocCurve(t, s, o);
    return [r.fpr, r.tpr, r.thresholds];
  },
  precision_recall_curve: ([t, s], o) => {
    const r = precisionRecallCurve(t, s, o);
    return [r.precision, r.recall, r.thresholds];
  },
  roc_auc_score: ([t, s], o) => rocAucScore(t, s, o),
  average_precision_score: ([t, s], o) => averagePrecisionScore(t, s, o),
  auc: ([x, y]) => auc(x, y),
  top_k_accuracy_score: ([t, s], o) => topKAccuracyScore(t, s, o),
};

describe('metrics match scikit-learn (fixtures)', () => {
  const fixture = loadFixture<{ sklearn_version: string; cases: MetricCase[] }>('sklearn-metrics');
  it(`covers every fixture function (sklearn ${fixture.sklearn_version})`, () => {
    const missing = [...new Set(fixture.cases.map((c) => c.fn))].filter((f) => !FUNCTIONS[f]);
    assert.deepEqual(missing, []);
  });
  for (const c of fixture.cases) {
    it(c.name, () => {
      const fn = FUNCTIONS[c.fn];
      const opts = camelKeys(c.kwargs);
      if (c.error) {
        assert.throws(
          () => fn(c.args, opts),
          (e: unknown) => e instanceof FrugalError,
          `sklearn raised ${c.error}: ${c.message}`,
        );
        return;
      }
      const got = fn(c.args, opts);
      if (typeof c.expected === 'string') assert.equal(got, c.expected);
      else assertClose(got, c.expected, 1e-12);
    });
  }
});

describe('regression metrics', () => {
  it('accept typed arrays and tensors', () => {
    const t = new Float64Array([1, 2, 3]);
    const p = new Tensor(new Float32Array([1, 2, 4]), [3]);
    assert.equal(meanSquaredError(t, p), 1 / 3);
    assert.equal(meanAbsoluteError([1, 2, 3], [1, 2, 4]), 1 / 3);
  });
  it('r2 is NaN with one sample', () => {
    assert.ok(Number.isNaN(r2Score([1], [2])));
  });
  it('rejects bad input with typed errors', () => {
    assert.throws(() => meanSquaredError([1, 2], [1]), ShapeError);
    assert.throws(() => meanSquaredError([1, Number.NaN], [1, 2]), ValueError);
    assert.throws(() => meanSquaredError([], []), ValueError);
    assert.throws(() => r2Score([1, 2], [1, 2], { sampleWeight: [1] }), ShapeError);
  });
});

describe('classification metrics', () => {
  it('rejects mixed label types and continuous targets', () => {
    assert.throws(() => accuracyScore(['a', 'b'], [1, 2] as never), /Mix of label input types/);
    assert.throws(() => accuracyScore([0.5, 1], [1, 1]), /continuous/);
    assert.throws(() => accuracyScore(new Float64Array([0.5, 1]), new Float64Array([1, 1])), /continuous/);
    assert.throws(() => f1Score([0, 1, 2], [0, 1, 1]), /multiclass but average='binary'/);
    assert.throws(() => f1Score(['a', 'b'], ['a', 'b']), /posLabel=1 is not a valid label/);
  });
  it('typed-array fast path agrees with the general path', () => {
    const t = [0, 1, 2, 2, 1, 0];
    const p = [0, 2, 2, 2, 1, 1];
    assert.equal(accuracyScore(Int32Array.from(t), Float64Array.from(p)), accuracyScore(t, p));
  });
  it('zeroDivision NaN is skipped by averages', () => {
    const r = precisionRecallFscoreSupport([0, 1, 2], [0, 1, 1], { average: null, zeroDivision: Number.NaN });
    assert.ok(Number.isNaN(r.precision[2]));
    assert.equal(precisionScore([0, 1, 2], [0, 1, 1], { average: 'macro', zeroDivision: Number.NaN }), 0.75);
  });
  it('confusion matrix with labels absent from yTrue throws', () => {
    assert.throws(() => confusionMatrix([0, 1], [0, 1], { labels: [5] }), /At least one label/);
  });
  it('formatFixed rounds ties to even like Python', () => {
    assert.equal(formatFixed(0.125, 2), '0.12');
    assert.equal(formatFixed(0.375, 2), '0.38');
    assert.equal(formatFixed(2.5, 0), '2');
    assert.equal(formatFixed(0.1 + 0.2, 2), '0.30');
    assert.equal(formatFixed(Number.NaN, 2), 'nan');
  });
  it('log loss checks classes', () => {
    assert.throws(() => logLoss([1, 1], [0.5, 0.5]), /only one label/);
    assert.throws(
      () =>
        logLoss(
          [0, 1, 2],
          [
            [0.5, 0.5],
            [0.5, 0.5],
            [0.5, 0.5],
          ],
        ),
      /different number of classes/,
    );
  });
});

describe('ranking metrics', () => {
  it('needs posLabel for non {0,1} labels', () => {
    assert.throws(() => rocCurve([1, 2, 2], [0.1, 0.2, 0.3]), /posLabel is not specified/);
    const r = rocCurve([1, 2, 2], [0.1, 0.2, 0.3], { posLabel: 2 });
    assert.equal(r.thresholds[0], Number.POSITIVE_INFINITY);
  });
  it('roc auc with one class throws', () => {
    assert.throws(() => rocAucScore([1, 1, 1], [0.1, 0.2, 0.3]), /Only one class/);
  });
  it('multiclass roc auc needs multiClass and probabilities', () => {
    const y = [0, 1, 2];
    const s = [
      [0.8, 0.1, 0.1],
      [0.1, 0.8, 0.1],
      [0.1, 0.1, 0.8],
    ];
    assert.throws(() => rocAucScore(y, s), /multiClass/);
    assert.equal(rocAucScore(y, s, { multiClass: 'ovr' }), 1);
    assert.throws(
      () =>
        rocAucScore(
          y,
          [
            [1, 1, 1],
            [0, 0, 1],
            [0, 1, 0],
          ],
          { multiClass: 'ovr' },
        ),
      /probabilities/,
    );
  });
  it('binary scores from a predictProba tensor column', () => {
    const y = [0, 1, 1, 0];
    const P = new Tensor(new Float64Array([0.9, 0.1, 0.2, 0.8, 0.4, 0.6, 0.7, 0.3]), [4, 2]);
    assert.throws(() => rocAucScore(y, P), ShapeError);
    assert.equal(rocAucScore(y, [0.1, 0.8, 0.6, 0.3]), 1);
  });
  it('precisionRecallCurve dropIntermediate keeps curve ends', () => {
    const y = [0, 0, 1, 1, 0, 1, 1, 0];
    const s = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
    const full = precisionRecallCurve(y, s);
    const dropped = precisionRecallCurve(y, s, { dropIntermediate: true });
    assert.ok(dropped.thresholds.length <= full.thresholds.length);
    assert.equal(dropped.recall[dropped.recall.length - 1], 0);
    assert.equal(dropped.precision[dropped.precision.length - 1], 1);
  });
});

describe('scorers', () => {
  it('names resolve and unknown names throw', () => {
    for (const name of SCORER_NAMES) assert.equal(typeof getScorer(name), 'function');
    assert.throws(() => getScorer('accuracyy'), /not a valid scoring value/);
  });
  it('score a predictor', () => {
    const est = {
      fit() {
        return this;
      },
      getParams: () => ({}),
      setParams() {
        return this;
      },
      predict: () => new Float64Array([1, 2, 3]),
    };
    assert.equal(getScorer('neg_mean_squared_error')(est, [[0], [0], [0]], [1, 2, 4]), -1 / 3);
    assert.equal(getScorer('r2')(est, [[0], [0], [0]], [1, 2, 3]), 1);
  });
});
