/**
 * Trials and executors: the one loop behind every cross-validated fit.
 *
 * A search, `crossValidate`, and the learning and validation curves each
 * describe their work as a {@link TrialPlan}: the estimator, the data, the
 * splits, the candidate parameters and a list of (candidate, fold) trials.
 * An {@link Executor} runs the trials and hands back one result per trial,
 * in trial order, so that what is built from them does not depend on where
 * they ran. The default runs them here, one after another (synchronously:
 * the calls keep their plain return values); `redisExecutor` (src/distributed)
 * fans them out to BullMQ workers and is asynchronous: the calls then return
 * a Promise (`await search.fitAsync(X, y)`, `await crossValidate(...)`).
 */
import { AbortError, ValueError } from '../errors.js';
import type { Estimator, Params } from '../models/base.js';
import type { Scorer } from '../metrics/scorers.js';
import { checkOptions } from '../utils/options.js';
import { fitAndScore, prepareFoldData, resolveScoring, type ErrorScore, type FitScoreResult, type FoldData, type MultiScoring, type YInput } from './cross_validation.js';
import type { Split } from './split.js';

/** One fit: candidate `candidate` (-1: the estimator's own params) on split `split`, its training fold cut to `trainSize` rows when given (learning curves). */
export interface Trial {
  candidate: number;
  split: number;
  trainSize?: number;
}

/** Everything an executor needs to run the trials, anywhere. */
export interface TrialPlan {
  estimator: Estimator;
  X: unknown;
  y: YInput;
  /** Extra fit arguments (arrays with one entry per sample are subset to each training fold). */
  fitParams?: unknown[];
  candidates: Params[];
  splits: Split[];
  trials: Trial[];
  /** The scoring as given (names or registered functions travel to workers; the scorers are rebuilt there). */
  scoring: MultiScoring | null | undefined;
  returnTrainScore: boolean;
  returnEstimator: boolean;
  errorScore: ErrorScore;
}

/** A plan with its data and scorers prepared for running here. */
export interface PreparedPlan extends TrialPlan {
  data: FoldData;
  scorers: Record<string, Scorer>;
}

export function preparePlan(plan: TrialPlan): PreparedPlan {
  return { ...plan, data: prepareFoldData(plan.X, plan.y), scorers: resolveScoring(plan.scoring).scorers };
}

/** Runs one trial of a prepared plan (here, or on a worker). */
export function runTrial(plan: PreparedPlan, trial: Trial): FitScoreResult {
  const [train, test] = plan.splits[trial.split];
  const split: Split = [trial.trainSize === undefined ? train : train.subarray(0, trial.trainSize), test];
  return fitAndScore(plan.estimator, plan.data, split, plan.scorers, {
    params: trial.candidate >= 0 ? plan.candidates[trial.candidate] : undefined,
    returnTrainScore: plan.returnTrainScore,
    errorScore: plan.errorScore,
    fitParams: plan.fitParams,
  });
}

/** Progress and cancellation, the same for every executor. */
export interface ExecutorOptions {
  /** Called after each trial with the number done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Aborting it stops the run with an AbortError (trials not yet started are not run). */
  signal?: AbortSignal;
}

/**
 * A trial function, for trials that are not an estimator's fit (a neural
 * network trained with `fit` under some settings): it trains with
 * `settings` and returns its scores. Register it with `registerFunction` so
 * that workers find it by name (see `searchTrials`).
 */
export type TrialFunction = (settings: Params, data: { X: unknown; y: unknown }) => Record<string, number> | Promise<Record<string, number>>;

/** The trials of {@link searchTrials}: one call of `fn` per entry of `settings`. */
export interface FunctionTrialPlan {
  fn: TrialFunction;
  settings: Params[];
  X: unknown;
  y: unknown;
}

/** Runs trials where it is called; the calls that take it return plain values. */
export interface SyncExecutor {
  readonly async: false;
  run(plan: PreparedPlan): FitScoreResult[];
  /** Function trials (asynchronous everywhere: a trial function may await `fit`). */
  runFunctions(plan: FunctionTrialPlan): Promise<Record<string, number>[]>;
}

/** Runs trials elsewhere; the calls that take it return Promises. */
export interface AsyncExecutor {
  readonly async: true;
  run(plan: PreparedPlan): Promise<FitScoreResult[]>;
  runFunctions(plan: FunctionTrialPlan): Promise<Record<string, number>[]>;
}

export type Executor = SyncExecutor | AsyncExecutor;

export function checkExecutorOptions(where: string, options: ExecutorOptions): void {
  checkOptions(where, options, ['onProgress', 'signal']);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new ValueError(`${where}: onProgress must be a function`);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new ValueError(`${where}: signal must be an AbortSignal`);
}

/** Throws an AbortError when `signal` has been aborted. */
export function throwIfAborted(where: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(`${where}: cancelled`);
}

/** The default: every trial in turn, here (today's loop). */
export function inProcessExecutor(options: ExecutorOptions = {}): SyncExecutor {
  checkExecutorOptions('inProcessExecutor', options);
  return {
    async: false,
    run(plan) {
      const out: FitScoreResult[] = [];
      for (const trial of plan.trials) {
        throwIfAborted('inProcessExecutor', options.signal);
        out.push(runTrial(plan, trial));
        options.onProgress?.(out.length, plan.trials.length);
      }
      return out;
    },
    async runFunctions(plan) {
      const out: Record<string, number>[] = [];
      for (const settings of plan.settings) {
        throwIfAborted('inProcessExecutor', options.signal);
        out.push(checkTrialScores(await plan.fn(settings, { X: plan.X, y: plan.y }), out.length));
        options.onProgress?.(out.length, plan.settings.length);
      }
      return out;
    },
  };
}

/** A trial function's result must be a record of numbers. */
export function checkTrialScores(scores: unknown, index: number): Record<string, number> {
  if (scores === null || typeof scores !== 'object' || Array.isArray(scores) || !Object.values(scores).every((v) => typeof v === 'number')) {
    throw new ValueError(`searchTrials: trial ${index} returned ${String(scores)}; a trial function returns a record of numbers, e.g. { valLoss: 0.3 }`);
  }
  return { ...(scores as Record<string, number>) };
}

export interface SearchTrialsOptions {
  /** The data handed to every trial (stored once when trials run on workers). */
  X?: unknown;
  y?: unknown;
  /** In-process (default) or `redisExecutor({ url })`. */
  executor?: Executor | null;
}

export interface SearchTrialsResult {
  settings: Params[];
  /** scores[i]: what trial i returned. */
  scores: Record<string, number>[];
}

/**
 * Runs `fn` once per entry of `settings`, through an executor, and gives the
 * scores back in the order of `settings`: hyperparameter trials of a neural
 * network trained with `fit`, for instance. On Redis workers `fn` is found by
 * the name it was registered under (`registerFunction(fn, 'myTrial')`, in a
 * module the workers load with `frugal worker --import`).
 */
export async function searchTrials(fn: TrialFunction, settings: readonly Params[], options: SearchTrialsOptions = {}): Promise<SearchTrialsResult> {
  checkOptions('searchTrials', options, ['X', 'y', 'executor']);
  if (typeof fn !== 'function') throw new ValueError('searchTrials: fn must be a trial function');
  if (!Array.isArray(settings) || settings.length === 0 || !settings.every((s) => s !== null && typeof s === 'object' && !Array.isArray(s))) {
    throw new ValueError('searchTrials: settings must be a non-empty array of settings objects');
  }
  const executor = resolveExecutor('searchTrials', options.executor);
  const plan: FunctionTrialPlan = { fn, settings: [...settings], X: options.X ?? null, y: options.y ?? null };
  return { settings: plan.settings, scores: await executor.runFunctions(plan) };
}

const IN_PROCESS = inProcessExecutor();

/** `executor` if it is one, the in-process default when undefined or null. */
export function resolveExecutor(where: string, executor: unknown): Executor {
  if (executor === undefined || executor === null) return IN_PROCESS;
  const e = executor as Partial<Executor>;
  if (typeof e !== 'object' || typeof e.run !== 'function' || typeof e.runFunctions !== 'function' || typeof e.async !== 'boolean') {
    throw new ValueError(`${where}: executor must come from inProcessExecutor() or redisExecutor({ url }), got ${String(executor)}`);
  }
  return executor as Executor;
}

/** Runs the plan and passes the results to `finish`: a plain value for a synchronous executor, a Promise otherwise. */
export function runTrials<R>(executor: Executor, plan: PreparedPlan, finish: (results: FitScoreResult[]) => R): R | Promise<R> {
  if (executor.async) return executor.run(plan).then(finish);
  return finish(executor.run(plan));
}

/** The ValueError of a run in which every fit failed (scikit-learn's message). */
export function throwIfAllFailed(results: readonly FitScoreResult[]): void {
  const failed = results.filter((r) => r.error !== undefined);
  if (failed.length && failed.length === results.length) {
    const e = failed[0].error;
    throw new ValueError(`All the ${results.length} fits failed. The first error was: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}
