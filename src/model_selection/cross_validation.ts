/**
 * Model evaluation by cross-validation: crossValidate, crossValScore,
 * crossValPredict, learningCurve and validationCurve (scikit-learn's
 * `sklearn.model_selection._validation`).
 *
 * Every fold fits a fresh `clone` of the estimator, so the estimator
 * passed in is never fitted. `cv` is a number of folds (stratified for
 * classifiers), a splitter or a list of [train, test] pairs. Times are in
 * seconds.
 */
import { ValueError } from '../errors.js';
import { readOptions } from '../utils/options.js';
import { clone, cloneParam, isClassifier, type Estimator, type Params } from '../models/base.js';
import { getScorer, type Scorer, type Scoring } from '../metrics/scorers.js';
import { Tensor } from '../tensor/tensor.js';
import { encodeLabels, numSamples, takeRows, toMatrix, type Label, type LabelInput, type Matrix, type MatrixInput, type VectorInput } from '../utils/validation.js';
import { checkCv, indexRows, type CvSpec, type RandomState, type Split } from './split.js';
import { resolveGenerator } from '../tensor/random.js';
import { resolveExecutor, runTrials, throwIfAllFailed, type AsyncExecutor, type Executor, type PreparedPlan, type SyncExecutor, type Trial } from './trials.js';

/** One metric, several (names), or a record of name -> metric. */
export type MultiScoring = Scoring | readonly string[] | Record<string, Scoring>;
export type ErrorScore = 'raise' | number;
export type YInput = LabelInput | VectorInput | null | undefined;

/** Resolves scoring into named scorers; `multi` when several metrics were asked for. */
export function resolveScoring(scoring: MultiScoring | null | undefined): { scorers: Record<string, Scorer>; multi: boolean } {
  if (Array.isArray(scoring)) {
    if (scoring.length === 0) throw new ValueError('scoring: an empty list of metrics was given');
    const out: Record<string, Scorer> = {};
    for (const name of scoring as readonly string[]) {
      if (typeof name !== 'string') throw new ValueError('scoring: a list of metrics must hold metric names; use a record for functions');
      if (name in out) throw new ValueError(`scoring: duplicate metric '${name}'`);
      out[name] = getScorer(name);
    }
    return { scorers: out, multi: true };
  }
  if (typeof scoring === 'object' && scoring !== null) {
    const entries = Object.entries(scoring as Record<string, Scoring>);
    if (entries.length === 0) throw new ValueError('scoring: an empty record of metrics was given');
    const out: Record<string, Scorer> = {};
    for (const [k, v] of entries) out[k] = getScorer(v);
    return { scorers: out, multi: true };
  }
  return { scorers: { score: getScorer(scoring as Scoring | null | undefined) }, multi: false };
}

/** Data prepared once for repeated subsetting. */
export interface FoldData {
  n: number;
  X(idx: ArrayLike<number>): unknown;
  y(idx: ArrayLike<number>): unknown;
}

/** Fold indices from a user's cv must address the n samples there. */
function checkFoldIndices(idx: ArrayLike<number>, n: number): void {
  for (let i = 0; i < idx.length; i++) {
    if (!(idx[i] >= 0 && idx[i] < n)) throw new ValueError(`cv: index ${idx[i]} is outside the ${n} samples`);
  }
}

export function prepareFoldData(X: unknown, y: YInput): FoldData {
  const rowArrays = Array.isArray(X) && (X.length === 0 || Array.isArray(X[0]));
  let m: Matrix | null = null;
  if (!rowArrays) m = toMatrix(X as MatrixInput, { allowNaN: true, allowInf: true });
  const n = m ? m.rows : (X as unknown[]).length;
  if (y !== undefined && y !== null && numSamples(y) !== n) {
    throw new ValueError(`Found input variables with inconsistent numbers of samples: X has ${n}, y has ${numSamples(y)}`);
  }
  return {
    n,
    X: (idx) => (checkFoldIndices(idx, n), m ? takeRows(m, idx) : indexRows(X as unknown[], idx)),
    y: (idx) => (y === undefined || y === null ? undefined : indexRows(y, idx)),
  };
}

/** Extra fit arguments with one entry per sample (e.g. sample weights) are subset to the fold. */
function subsetFitParams(params: unknown[] | undefined, n: number, idx: ArrayLike<number>): unknown[] {
  if (params === undefined || params === null) return [];
  if (!Array.isArray(params)) throw new ValueError(`fitParams must be an array of extra fit arguments, got ${String(params)}`);
  return params.map((p) => {
    const aligned = (Array.isArray(p) || ArrayBuffer.isView(p)) && (p as ArrayLike<unknown>).length === n;
    return aligned ? indexRows(p, idx) : p;
  });
}

function now(): number {
  return performance.now() / 1000;
}

export interface FitScoreResult {
  test: Record<string, number>;
  train?: Record<string, number>;
  fitTime: number;
  scoreTime: number;
  /** The fitted clone (from a remote executor only when asked for). */
  estimator?: Estimator;
  error?: unknown;
}

/** Fits a clone on `train` and scores it on `test` (sklearn's `_fit_and_score`). */
export function fitAndScore(
  estimator: Estimator,
  data: FoldData,
  [train, test]: Split,
  scorers: Record<string, Scorer>,
  options: { params?: Params; returnTrainScore?: boolean; errorScore?: ErrorScore; fitParams?: unknown[] } = {},
): FitScoreResult {
  const errorScore = options.errorScore ?? 'raise';
  if (errorScore !== 'raise' && typeof errorScore !== 'number') throw new ValueError(`errorScore must be 'raise' or a number, got ${String(errorScore)}`);
  const est = clone(estimator);
  if (options.params) {
    const p: Params = {};
    for (const [k, v] of Object.entries(options.params)) p[k] = cloneParam(v);
    est.setParams(p);
  }
  const Xtr = data.X(train);
  const ytr = data.y(train);
  const t0 = now();
  const fill = (): Record<string, number> => Object.fromEntries(Object.keys(scorers).map((k) => [k, errorScore as number]));
  try {
    est.fit(Xtr as MatrixInput, ytr, ...subsetFitParams(options.fitParams, data.n, train));
  } catch (e) {
    if (errorScore === 'raise') throw e;
    const fitTime = now() - t0;
    return { test: fill(), train: options.returnTrainScore ? fill() : undefined, fitTime, scoreTime: 0, estimator: est, error: e };
  }
  const fitTime = now() - t0;
  const score = (Xs: unknown, ys: unknown): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [k, s] of Object.entries(scorers)) {
      try {
        const v = s(est, Xs as MatrixInput, ys);
        if (typeof v !== 'number') throw new ValueError(`scoring must return a number, got ${String(v)} from '${k}'`);
        out[k] = v;
      } catch (e) {
        if (errorScore === 'raise') throw e;
        out[k] = errorScore;
      }
    }
    return out;
  };
  const t1 = now();
  const testScores = score(data.X(test), data.y(test));
  const scoreTime = now() - t1;
  const trainScores = options.returnTrainScore ? score(Xtr, ytr) : undefined;
  return { test: testScores, train: trainScores, fitTime, scoreTime, estimator: est };
}

export interface CrossValidateOptions {
  /** Folds: a number (default 5), a splitter or [train, test] pairs. */
  cv?: CvSpec;
  /** Metric name, scorer function, list of names or record; default: the estimator's score. */
  scoring?: MultiScoring | null;
  /** Also score on the training folds (default false). */
  returnTrainScore?: boolean;
  /** Keep the fitted estimator of each fold (default false). */
  returnEstimator?: boolean;
  /** Keep the indices of each split (default false). */
  returnIndices?: boolean;
  /** 'raise' (default) rethrows fit/score errors; a number (e.g. NaN) is used as the score instead. */
  errorScore?: ErrorScore;
  /** Extra arguments passed to `fit` after (X, y); arrays with one entry per sample (sample weights) are subset to each training fold. */
  fitParams?: unknown[];
  /** Group of each sample, for group-aware splitters (GroupKFold, StratifiedGroupKFold). */
  groups?: unknown;
  /** Where the folds are fitted: in-process (default) or `redisExecutor({ url })`, which makes the call return a Promise. */
  executor?: Executor | null;
}

const CROSS_VALIDATE_OPTIONS = ['cv', 'scoring', 'returnTrainScore', 'returnEstimator', 'returnIndices', 'errorScore', 'fitParams', 'groups', 'executor'];

/** The calls below return a Promise exactly when their executor is asynchronous. */
type WithAsync<O> = O & { executor: AsyncExecutor };
type WithSync<O> = O & { executor?: SyncExecutor | null };

export interface CrossValidateResult {
  fitTime: Float64Array;
  scoreTime: Float64Array;
  /** Test score per fold (the only metric, or the first of several). */
  testScore: Float64Array;
  trainScore?: Float64Array;
  /** Test scores per fold by metric name ('score' for a single metric). */
  testScores: Record<string, Float64Array>;
  trainScores?: Record<string, Float64Array>;
  estimators?: Estimator[];
  indices?: { train: Int32Array[]; test: Int32Array[] };
}

/** Evaluates metrics by cross-validation and records fit/score times (sklearn's `cross_validate`). */
export function crossValidate(estimator: Estimator, X: unknown, y?: YInput, options?: WithSync<CrossValidateOptions>): CrossValidateResult;
export function crossValidate(estimator: Estimator, X: unknown, y: YInput, options: WithAsync<CrossValidateOptions>): Promise<CrossValidateResult>;
export function crossValidate(estimator: Estimator, X: unknown, y?: YInput, options?: CrossValidateOptions): CrossValidateResult | Promise<CrossValidateResult>;
export function crossValidate(estimator: Estimator, X: unknown, y?: YInput, options: CrossValidateOptions = {}): CrossValidateResult | Promise<CrossValidateResult> {
  options = readOptions('crossValidate', options, CROSS_VALIDATE_OPTIONS);
  const executor = resolveExecutor('crossValidate', options.executor);
  const data = prepareFoldData(X, y);
  const cv = checkCv(options.cv, y, isClassifier(estimator));
  const { scorers } = resolveScoring(options.scoring);
  const splits = [...cv.split(X as MatrixInput, y, options.groups)];
  const plan: PreparedPlan = {
    estimator,
    X,
    y,
    data,
    fitParams: options.fitParams,
    candidates: [],
    splits,
    trials: splits.map((_, split) => ({ candidate: -1, split })),
    scoring: options.scoring,
    scorers,
    returnTrainScore: options.returnTrainScore ?? false,
    returnEstimator: options.returnEstimator ?? false,
    errorScore: options.errorScore ?? 'raise',
  };
  return runTrials(executor, plan, (results) => crossValidateResult(results, splits, scorers, options));
}

function crossValidateResult(results: FitScoreResult[], splits: Split[], scorers: Record<string, Scorer>, options: CrossValidateOptions): CrossValidateResult {
  throwIfAllFailed(results);
  const names = Object.keys(scorers);
  const testScores: Record<string, Float64Array> = {};
  const trainScores: Record<string, Float64Array> = {};
  for (const k of names) {
    testScores[k] = Float64Array.from(results, (r) => r.test[k]);
    if (options.returnTrainScore) trainScores[k] = Float64Array.from(results, (r) => r.train![k]);
  }
  const out: CrossValidateResult = {
    fitTime: Float64Array.from(results, (r) => r.fitTime),
    scoreTime: Float64Array.from(results, (r) => r.scoreTime),
    testScore: testScores[names[0]],
    testScores,
  };
  if (options.returnTrainScore) {
    out.trainScore = trainScores[names[0]];
    out.trainScores = trainScores;
  }
  if (options.returnEstimator) out.estimators = results.map((r) => r.estimator!);
  if (options.returnIndices) out.indices = { train: splits.map((s) => s[0]), test: splits.map((s) => s[1]) };
  return out;
}

export type CrossValScoreOptions = Omit<CrossValidateOptions, 'scoring' | 'returnTrainScore' | 'returnEstimator' | 'returnIndices'> & { scoring?: Scoring | null };

/** Test score of each fold (sklearn's `cross_val_score`). */
export function crossValScore(estimator: Estimator, X: unknown, y?: YInput, options?: WithSync<CrossValScoreOptions>): Float64Array;
export function crossValScore(estimator: Estimator, X: unknown, y: YInput, options: WithAsync<CrossValScoreOptions>): Promise<Float64Array>;
export function crossValScore(estimator: Estimator, X: unknown, y?: YInput, options: CrossValScoreOptions = {}): Float64Array | Promise<Float64Array> {
  options = readOptions('crossValScore', options, ['cv', 'scoring', 'errorScore', 'fitParams', 'groups', 'executor']);
  const result = crossValidate(estimator, X, y, options as CrossValidateOptions);
  return result instanceof Promise ? result.then((r) => r.testScore) : result.testScore;
}

export interface CrossValPredictOptions {
  cv?: CvSpec;
  /** Which output to collect (default 'predict'). */
  method?: 'predict' | 'predictProba' | 'decisionFunction' | 'transform';
  fitParams?: unknown[];
  /** Group of each sample, for group-aware splitters. */
  groups?: unknown;
}

type Predictor = Estimator & {
  predict?(X: unknown): Float64Array | Label[];
  predictProba?(X: unknown): Tensor;
  decisionFunction?(X: unknown): Float64Array | Tensor;
  transform?(X: unknown): Tensor;
  classes?: Label[];
};

/**
 * The out-of-fold prediction of every sample (sklearn's
 * `cross_val_predict`); the folds must partition the samples. 'predict'
 * gives a Float64Array (regressors) or the labels (classifiers);
 * 'predictProba' a Tensor [n, nClasses] whose columns follow the sorted
 * classes of y (0 for classes a fold did not see); 'decisionFunction' a
 * Float64Array (two classes) or Tensor.
 */
export function crossValPredict(estimator: Estimator, X: unknown, y?: YInput, options: CrossValPredictOptions = {}): Float64Array | Label[] | Tensor {
  options = readOptions('crossValPredict', options, ['cv', 'method', 'fitParams', 'groups']);
  const method = options.method ?? 'predict';
  const data = prepareFoldData(X, y);
  const cv = checkCv(options.cv, y, isClassifier(estimator));
  const splits = [...cv.split(X as MatrixInput, y, options.groups)];
  const seen = new Uint8Array(data.n);
  for (const [, test] of splits) for (const i of test) seen[i]++;
  for (let i = 0; i < data.n; i++) if (seen[i] !== 1) throw new ValueError('crossValPredict only works for partitions: every sample must be in exactly one test fold');
  const allClasses = (method === 'predictProba' || method === 'decisionFunction') && y !== undefined && y !== null ? encodeLabels([y as LabelInput], ['y']).classes : null;
  let labels: Label[] | null = null;
  let vec: Float64Array | null = null;
  let mat: Float64Array | null = null;
  let width = 0;
  for (const [train, test] of splits) {
    const est = clone(estimator) as Predictor;
    est.fit(data.X(train) as MatrixInput, data.y(train), ...subsetFitParams(options.fitParams, data.n, train));
    const f = est[method] as ((X: unknown) => Float64Array | Label[] | Tensor) | undefined;
    if (typeof f !== 'function') throw new ValueError(`${estimator.constructor.name} has no ${method} method`);
    const out = f.call(est, data.X(test));
    if (out instanceof Tensor || (typeof out === 'object' && 'shape' in out)) {
      const t = out as Tensor;
      const cols = t.shape[1] ?? 1;
      if (allClasses && est.classes && (method === 'predictProba' || cols > 1)) {
        width = allClasses.length;
        mat ??= new Float64Array(data.n * width).fill(method === 'predictProba' ? 0 : -Number.MAX_VALUE);
        const colMap = est.classes.map((c) => allClasses.indexOf(c));
        for (let r = 0; r < test.length; r++) for (let c = 0; c < cols; c++) mat[test[r] * width + colMap[c]] = t.data[r * cols + c];
      } else {
        width = cols;
        mat ??= new Float64Array(data.n * width);
        for (let r = 0; r < test.length; r++) for (let c = 0; c < cols; c++) mat[test[r] * width + c] = t.data[r * cols + c];
      }
    } else if (out instanceof Float64Array || ArrayBuffer.isView(out)) {
      vec ??= new Float64Array(data.n);
      for (let r = 0; r < test.length; r++) vec[test[r]] = (out as Float64Array)[r];
    } else {
      labels ??= new Array<Label>(data.n);
      for (let r = 0; r < test.length; r++) labels[test[r]] = (out as Label[])[r];
    }
  }
  if (mat) return new Tensor(mat, [data.n, width]);
  if (vec) return vec;
  return labels ?? [];
}

// ------------------------------------------------------------ curves

export interface LearningCurveOptions {
  /** Fractions of the largest training set (all values <= 1) or absolute sizes; default [0.1, 0.325, 0.55, 0.775, 1]. */
  trainSizes?: readonly number[];
  cv?: CvSpec;
  scoring?: Scoring | null;
  /** Shuffle each training fold before taking prefixes (default false). */
  shuffle?: boolean;
  randomState?: RandomState;
  errorScore?: ErrorScore;
  /** Group of each sample, for group-aware splitters. */
  groups?: unknown;
  /** Where the fits run: in-process (default) or `redisExecutor({ url })`, which makes the call return a Promise. */
  executor?: Executor | null;
}

export interface LearningCurveResult {
  /** Distinct absolute training sizes used. */
  trainSizes: Int32Array;
  /** trainScores[size][fold] */
  trainScores: Float64Array[];
  testScores: Float64Array[];
  fitTimes: Float64Array[];
  scoreTimes: Float64Array[];
}

/** sklearn's `_translate_train_sizes`. */
function translateTrainSizes(sizes: readonly number[], nMax: number): Int32Array {
  if (!Array.isArray(sizes) || sizes.some((s) => typeof s !== 'number' || !Number.isFinite(s))) {
    throw new ValueError(`trainSizes must be an array of finite numbers, got ${String(sizes)}`);
  }
  if (sizes.length === 0) throw new ValueError('trainSizes must not be empty');
  const lo = Math.min(...sizes);
  const hi = Math.max(...sizes);
  let abs: number[];
  if (hi <= 1) {
    if (lo <= 0)
      throw new ValueError(`trainSizes has been interpreted as fractions of the maximum number of training samples and must be within (0, 1], but is within [${lo}, ${hi}].`);
    abs = sizes.map((s) => Math.min(Math.max(Math.trunc(s * nMax), 1), nMax));
  } else {
    if (lo <= 0 || hi > nMax || sizes.some((s) => !Number.isInteger(s))) {
      throw new ValueError(`trainSizes has been interpreted as absolute numbers of training samples and must be integers within (0, ${nMax}], but is within [${lo}, ${hi}].`);
    }
    abs = [...sizes];
  }
  return Int32Array.from(new Set(abs)).sort();
}

/** Scores for increasing training set sizes (sklearn's `learning_curve`). */
export function learningCurve(estimator: Estimator, X: unknown, y?: YInput, options?: WithSync<LearningCurveOptions>): LearningCurveResult;
export function learningCurve(estimator: Estimator, X: unknown, y: YInput, options: WithAsync<LearningCurveOptions>): Promise<LearningCurveResult>;
export function learningCurve(estimator: Estimator, X: unknown, y?: YInput, options: LearningCurveOptions = {}): LearningCurveResult | Promise<LearningCurveResult> {
  options = readOptions('learningCurve', options, ['trainSizes', 'cv', 'scoring', 'shuffle', 'randomState', 'errorScore', 'groups', 'executor']);
  const executor = resolveExecutor('learningCurve', options.executor);
  const data = prepareFoldData(X, y);
  const cv = checkCv(options.cv, y, isClassifier(estimator));
  const scorers = { score: getScorer(options.scoring) };
  let splits = [...cv.split(X as MatrixInput, y, options.groups)];
  if (splits.length === 0) throw new ValueError('learningCurve: the cv produced no splits');
  const sizes = translateTrainSizes(options.trainSizes ?? [0.1, 0.325, 0.55, 0.775, 1], splits[0][0].length);
  if (options.shuffle) {
    const rng = resolveGenerator(options.randomState ?? undefined);
    splits = splits.map(([tr, te]) => [rng.shuffle(tr.slice()), te]);
  }
  const trials: Trial[] = [];
  for (const trainSize of sizes) for (let split = 0; split < splits.length; split++) trials.push({ candidate: -1, split, trainSize });
  const plan = curvePlan(estimator, X, y, data, splits, trials, [], options.scoring, scorers, options.errorScore);
  return runTrials(executor, plan, (results) => {
    throwIfAllFailed(results);
    const rows = byRow(results, splits.length);
    return {
      trainSizes: sizes,
      trainScores: rows.map((row) => Float64Array.from(row, (r) => r.train!.score)),
      testScores: rows.map((row) => Float64Array.from(row, (r) => r.test.score)),
      fitTimes: rows.map((row) => Float64Array.from(row, (r) => r.fitTime)),
      scoreTimes: rows.map((row) => Float64Array.from(row, (r) => r.scoreTime)),
    };
  });
}

/** The plan of a learning or validation curve: train scores too, the single scorer. */
function curvePlan(
  estimator: Estimator,
  X: unknown,
  y: YInput,
  data: FoldData,
  splits: Split[],
  trials: Trial[],
  candidates: Params[],
  scoring: Scoring | null | undefined,
  scorers: Record<string, Scorer>,
  errorScore: ErrorScore | undefined,
): PreparedPlan {
  return { estimator, X, y, data, splits, trials, candidates, scoring, scorers, returnTrainScore: true, returnEstimator: false, errorScore: errorScore ?? 'raise' };
}

/** Results in trial order cut into rows of `width` (one row per candidate or size, one column per fold). */
export function byRow<T>(results: readonly T[], width: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < results.length; i += width) rows.push(results.slice(i, i + width));
  return rows;
}

export interface ValidationCurveOptions {
  /** Parameter to vary (nested names like 'svc__C' work). */
  paramName: string;
  /** Values to try. */
  paramRange: readonly unknown[];
  cv?: CvSpec;
  scoring?: Scoring | null;
  errorScore?: ErrorScore;
  /** Group of each sample, for group-aware splitters. */
  groups?: unknown;
  /** Where the fits run: in-process (default) or `redisExecutor({ url })`, which makes the call return a Promise. */
  executor?: Executor | null;
}

export interface ValidationCurveResult {
  /** trainScores[value][fold] */
  trainScores: Float64Array[];
  testScores: Float64Array[];
}

/** Train and test scores for each value of one parameter (sklearn's `validation_curve`). */
export function validationCurve(estimator: Estimator, X: unknown, y: YInput, options: WithSync<ValidationCurveOptions>): ValidationCurveResult;
export function validationCurve(estimator: Estimator, X: unknown, y: YInput, options: WithAsync<ValidationCurveOptions>): Promise<ValidationCurveResult>;
export function validationCurve(estimator: Estimator, X: unknown, y: YInput, options: ValidationCurveOptions): ValidationCurveResult | Promise<ValidationCurveResult> {
  options = readOptions('validationCurve', options, ['paramName', 'paramRange', 'cv', 'scoring', 'errorScore', 'groups', 'executor']);
  if (!options || typeof options.paramName !== 'string') throw new ValueError('validationCurve: paramName is required');
  if (!Array.isArray(options.paramRange) || options.paramRange.length === 0) throw new ValueError('validationCurve: paramRange must be a non-empty array');
  const executor = resolveExecutor('validationCurve', options.executor);
  const data = prepareFoldData(X, y);
  const cv = checkCv(options.cv, y, isClassifier(estimator));
  const scorers = { score: getScorer(options.scoring) };
  const splits = [...cv.split(X as MatrixInput, y, options.groups)];
  const candidates = options.paramRange.map((value) => ({ [options.paramName]: value }));
  const trials: Trial[] = [];
  for (let candidate = 0; candidate < candidates.length; candidate++) for (let split = 0; split < splits.length; split++) trials.push({ candidate, split });
  const plan = curvePlan(estimator, X, y, data, splits, trials, candidates, options.scoring, scorers, options.errorScore);
  return runTrials(executor, plan, (results) => {
    throwIfAllFailed(results);
    const rows = byRow(results, splits.length);
    return {
      trainScores: rows.map((row) => Float64Array.from(row, (r) => r.train!.score)),
      testScores: rows.map((row) => Float64Array.from(row, (r) => r.test.score)),
    };
  });
}
