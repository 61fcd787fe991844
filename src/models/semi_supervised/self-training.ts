/**
 * SelfTrainingClassifier (scikit-learn 1.2's): wraps any classifier with
 * `predictProba`. Each iteration fits it on the labelled rows, predicts the
 * unlabelled ones, and adopts the predictions it is sure of as labels
 * (probability above `threshold`, or the `kBest` most confident), until no
 * prediction qualifies, every row is labelled, or `maxIter` iterations ran;
 * then it fits once more on everything labelled so far.
 *
 * `y` marks unlabelled rows with -1. After `fit`: `transduction` (the labels
 * used in the last fit, -1 where none was adopted), `labeledIter` (the
 * iteration that labelled each row: 0 for the given labels, -1 never),
 * `nIter` and `terminationCondition`.
 */
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { takeRows, toMatrix, type Label, type LabelInput, type MatrixInput } from '../../utils/validation.js';
import { BaseClassifier, clone, type Classifier, estimatorName, isClassifier } from '../base.js';
import { encodePartialLabels, UNLABELLED } from './labels.js';

/** A classifier that can say how sure it is. */
export type ProbabilisticClassifier = Classifier & { predictProba(X: MatrixInput): Tensor };

export interface SelfTrainingParams {
  /** The classifier to train (cloned by fit); it must have `predictProba`. */
  baseEstimator: ProbabilisticClassifier | null;
  /** 'threshold' criterion: adopt predictions whose probability is above this, in [0, 1) (default 0.75). */
  threshold: number;
  /** 'threshold' (default) or 'k_best'. */
  criterion: 'threshold' | 'k_best';
  /** 'k_best' criterion: adopt this many most confident predictions per iteration (default 10). */
  kBest: number;
  /** Most iterations (default 10); null: until no prediction qualifies or every row is labelled. */
  maxIter: number | null;
}

export type TerminationCondition = 'max_iter' | 'no_change' | 'all_labeled';

/** Self-training around a probabilistic classifier. */
export class SelfTrainingClassifier extends BaseClassifier<SelfTrainingParams> {
  static readonly defaults: SelfTrainingParams = { baseEstimator: null, threshold: 0.75, criterion: 'threshold', kBest: 10, maxIter: 10 };
  /** The clone of `baseEstimator` fitted on the final labelled rows. */
  estimator: ProbabilisticClassifier | undefined = undefined;
  /** The label of each training row in the final fit (-1: never labelled). */
  transduction: Label[] | undefined = undefined;
  /** The iteration that labelled each row (0: labelled in y, -1: never). */
  labeledIter: Int32Array | undefined = undefined;
  /** Self-training iterations run (the final fit not counted). */
  nIter: number | undefined = undefined;
  /** Why the loop stopped. */
  terminationCondition: TerminationCondition | undefined = undefined;

  private checkParams(): ProbabilisticClassifier {
    const { baseEstimator, threshold, criterion, kBest, maxIter } = this.params;
    if (!isClassifier(baseEstimator) || typeof (baseEstimator as Partial<ProbabilisticClassifier>).predictProba !== 'function') {
      throw new ValueError(`SelfTrainingClassifier: baseEstimator must be a classifier with predictProba, got ${baseEstimator === null ? 'null' : estimatorName(baseEstimator)}`);
    }
    if (typeof threshold !== 'number' || !(threshold >= 0 && threshold < 1)) {
      throw new ValueError(`SelfTrainingClassifier: threshold must be a number in [0, 1), got ${String(threshold)}`);
    }
    if (criterion !== 'threshold' && criterion !== 'k_best') throw new ValueError(`SelfTrainingClassifier: criterion must be 'threshold' or 'k_best', got ${String(criterion)}`);
    if (!Number.isInteger(kBest) || kBest < 1) throw new ValueError(`SelfTrainingClassifier: kBest must be an integer >= 1, got ${String(kBest)}`);
    if (maxIter !== null && (!Number.isInteger(maxIter) || maxIter < 0)) {
      throw new ValueError(`SelfTrainingClassifier: maxIter must be an integer >= 0 or null, got ${String(maxIter)}`);
    }
    return baseEstimator;
  }

  /** Fits on all rows of X; `y` holds -1 for the unlabelled ones. */
  override fit(X: MatrixInput, y: LabelInput): this {
    const base = this.checkParams();
    const { threshold, criterion, kBest, maxIter } = this.params;
    const Xm = toMatrix(X, { name: 'X' });
    const { codes, classes } = encodePartialLabels(y, Xm.rows, 'SelfTrainingClassifier');
    const n = Xm.rows;
    const transduction: Label[] = Array.from(codes, (c) => (c === UNLABELLED ? UNLABELLED : classes[c]));
    const labeledIter = Int32Array.from(codes, (c) => (c === UNLABELLED ? -1 : 0));
    const estimator = clone(base);
    const labelledRows = (): number[] => [...labeledIter.keys()].filter((i) => labeledIter[i] >= 0);
    const fitLabelled = (): void => {
      const rows = labelledRows();
      estimator.fit(
        takeRows(Xm, rows),
        rows.map((i) => transduction[i]),
      );
    };
    let iter = 0;
    let condition: TerminationCondition | undefined;
    // Bounded: each iteration labels at least one more row or stops.
    while (labelledRows().length < n && (maxIter === null || iter < maxIter)) {
      iter++;
      fitLabelled();
      const unlabelled = [...labeledIter.keys()].filter((i) => labeledIter[i] < 0);
      const P = estimator.predictProba(takeRows(Xm, unlabelled));
      const nc = P.shape[1];
      const p = P.data as Float64Array;
      const best = new Int32Array(unlabelled.length);
      const confidence = new Float64Array(unlabelled.length);
      for (let r = 0; r < unlabelled.length; r++) {
        for (let l = 1; l < nc; l++) if (p[r * nc + l] > p[r * nc + best[r]]) best[r] = l;
        confidence[r] = p[r * nc + best[r]];
      }
      const chosen = criterion === 'threshold' ? aboveThreshold(confidence, threshold) : mostConfident(confidence, kBest);
      for (const r of chosen) {
        transduction[unlabelled[r]] = estimator.classes![best[r]];
        labeledIter[unlabelled[r]] = iter;
      }
      if (chosen.length === 0) {
        condition = 'no_change';
        break;
      }
    }
    if (iter === maxIter) condition = 'max_iter';
    if (labelledRows().length === n) condition = 'all_labeled';
    fitLabelled();
    this.estimator = estimator;
    this.classes = estimator.classes;
    this.transduction = transduction;
    this.labeledIter = labeledIter;
    this.nIter = iter;
    this.terminationCondition = condition;
    return this.markFitted(Xm.cols);
  }

  predict(X: MatrixInput): Label[] {
    this.checkFitted();
    return this.estimator!.predict(X);
  }

  /** The fitted estimator's probabilities, columns in the order of `classes`. */
  predictProba(X: MatrixInput): Tensor {
    this.checkFitted();
    return this.estimator!.predictProba(X);
  }

  /** The fitted estimator's decision function (a ValueError when it has none). */
  decisionFunction(X: MatrixInput): Float64Array | Tensor {
    this.checkFitted();
    const est = this.estimator!;
    if (typeof est.decisionFunction !== 'function') throw new ValueError(`SelfTrainingClassifier: its ${estimatorName(est)} has no decisionFunction`);
    return est.decisionFunction(X);
  }
}

/** Positions whose confidence is above the threshold. */
function aboveThreshold(confidence: Float64Array, threshold: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < confidence.length; r++) if (confidence[r] > threshold) out.push(r);
  return out;
}

/** The k most confident positions (all of them when there are at most k; ties by position). */
function mostConfident(confidence: Float64Array, k: number): number[] {
  const order = [...confidence.keys()];
  if (order.length <= k) return order;
  order.sort((a, b) => confidence[b] - confidence[a] || a - b);
  return order.slice(0, k);
}
