/**
 * Hyper-parameter search: GridSearchCV and RandomizedSearchCV
 * (scikit-learn's), with ParameterGrid / ParameterSampler and a few
 * distributions for random search.
 *
 * Parameter names are the estimator's `getParams()` names, nested with
 * `step__param` for pipelines. Each candidate is scored by
 * cross-validation on clones; with `refit` (default true) the best
 * parameters are refitted on all the data as `bestEstimator`, and the
 * search object then predicts / scores like it.
 */
import { LimitError, ValueError } from '../errors.js';
import { checkOptions } from '../utils/options.js';
import { BaseEstimator, clone, cloneParam, isEstimator, type Estimator, type EstimatorType, type Params, type PredictionOf } from '../models/base.js';
import type { Scorer } from '../metrics/scorers.js';
import { type Generator as RandomGenerator, resolveGenerator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Label, MatrixInput } from '../utils/validation.js';
import { byRow, prepareFoldData, resolveScoring, type ErrorScore, type FitScoreResult, type MultiScoring, type YInput } from './cross_validation.js';
import { resolveExecutor, runTrials, throwIfAllFailed, type Executor, type PreparedPlan, type Trial } from './trials.js';
import { checkCv, type CvSpec, type RandomState } from './split.js';

/** Parameter name -> list of values to try. */
export type ParamGridSpec = Record<string, readonly unknown[]>;

/** A distribution for RandomizedSearchCV: anything with `rvs(generator)`. */
export interface Distribution<T = number> {
  rvs(rng: RandomGenerator): T;
}

/** Uniform on [loc, loc + scale] (scipy.stats.uniform). */
export function uniformDistribution(loc = 0, scale = 1): Distribution {
  if (!Number.isFinite(loc) || !(scale >= 0 && scale < Infinity)) throw new ValueError(`uniformDistribution: need a finite loc and a finite scale >= 0, got ${loc}, ${scale}`);
  return { rvs: (rng) => loc + scale * rng.random() };
}

/** Log-uniform on [low, high] (scipy.stats.loguniform), for scales like C or alpha. */
export function logUniformDistribution(low: number, high: number): Distribution {
  if (!(low > 0 && high > low && high < Infinity)) throw new ValueError(`logUniformDistribution: need 0 < low < high, got ${low}, ${high}`);
  const a = Math.log(low);
  const b = Math.log(high);
  return { rvs: (rng) => Math.exp(a + (b - a) * rng.random()) };
}

/** Uniform integers in [low, high) (scipy.stats.randint). */
export function randIntDistribution(low: number, high: number): Distribution {
  if (!(Number.isInteger(low) && Number.isInteger(high) && high > low)) throw new ValueError(`randIntDistribution: need integers low < high, got ${low}, ${high}`);
  return { rvs: (rng) => rng.randint(low, high) };
}

/** The most candidates a search lists before refusing (each one is fitted once per fold). */
export const MAX_SEARCH_CANDIDATES = 1_000_000;

function checkCandidateCount(where: string, count: number): void {
  if (count > MAX_SEARCH_CANDIDATES) throw new LimitError(`${where}: ${count} candidates is more than the limit of ${MAX_SEARCH_CANDIDATES}`);
}

function checkGrid(grid: ParamGridSpec | readonly ParamGridSpec[], allowDistributions: boolean): ParamGridSpec[] {
  const grids = Array.isArray(grid) ? (grid as ParamGridSpec[]) : [grid as ParamGridSpec];
  if (grids.length === 0) throw new ValueError('the parameter grid is empty');
  for (const g of grids) {
    if (typeof g !== 'object' || g === null || Array.isArray(g)) throw new ValueError(`Parameter grid should be an object or a list of objects, got ${String(g)}`);
    for (const [k, v] of Object.entries(g)) {
      if (allowDistributions && typeof (v as unknown as Distribution)?.rvs === 'function') continue;
      if (!Array.isArray(v) && !ArrayBuffer.isView(v)) {
        throw new ValueError(`Parameter grid for parameter '${k}' needs to be a list, but got ${String(v)}. Single values need to be wrapped in a list with one element.`);
      }
      if ((v as readonly unknown[]).length === 0) throw new ValueError(`Parameter grid for parameter '${k}' need to be a non-empty sequence, got: []`);
    }
  }
  return grids;
}

/**
 * Every combination of a grid (or list of grids), in scikit-learn's
 * order: keys sorted, the last key varying fastest.
 */
export class ParameterGrid implements Iterable<Params> {
  readonly grids: ParamGridSpec[];
  constructor(grid: ParamGridSpec | readonly ParamGridSpec[]) {
    this.grids = checkGrid(grid, false);
  }

  get size(): number {
    let n = 0;
    for (const g of this.grids) n += Object.values(g).reduce((p, v) => p * v.length, 1);
    return n;
  }

  /** The i-th combination without listing the others. */
  at(index: number): Params {
    let ind = index;
    for (const g of this.grids) {
      const keys = Object.keys(g).sort().reverse();
      if (keys.length === 0) {
        if (ind === 0) return {};
        ind--;
        continue;
      }
      const total = keys.reduce((p, k) => p * g[k].length, 1);
      if (ind >= total) {
        ind -= total;
        continue;
      }
      const out: Params = {};
      for (const k of keys) {
        const n = g[k].length;
        out[k] = g[k][ind % n];
        ind = Math.floor(ind / n);
      }
      return Object.fromEntries(
        Object.keys(out)
          .sort()
          .map((k) => [k, out[k]]),
      );
    }
    throw new ValueError(`ParameterGrid index ${index} out of range (size ${this.size})`);
  }

  *[Symbol.iterator](): IterableIterator<Params> {
    for (let i = 0; i < this.size; i++) yield this.at(i);
  }
}

/** `nIter` random candidates: lists are sampled uniformly, distributions through `rvs`. */
export class ParameterSampler implements Iterable<Params> {
  readonly grids: ParamGridSpec[];
  constructor(
    distributions: Record<string, readonly unknown[] | Distribution<unknown>> | readonly Record<string, readonly unknown[] | Distribution<unknown>>[],
    readonly nIter: number,
    readonly randomState?: RandomState,
  ) {
    this.grids = checkGrid(distributions as ParamGridSpec | ParamGridSpec[], true);
    if (!Number.isInteger(nIter) || nIter < 1) throw new ValueError(`nIter must be an integer >= 1, got ${nIter}`);
  }

  private allLists(): boolean {
    return this.grids.every((g) => Object.values(g).every((v) => typeof (v as unknown as Distribution).rvs !== 'function'));
  }

  *[Symbol.iterator](): IterableIterator<Params> {
    const rng = resolveGenerator(this.randomState ?? undefined);
    if (this.allLists()) {
      // sample without replacement from the grid
      const grid = new ParameterGrid(this.grids);
      const size = grid.size;
      const n = Math.min(this.nIter, size);
      const picked = new Set<number>();
      const order: number[] = [];
      if (n * 2 > size) {
        const perm = rng.permutation(size);
        for (let i = 0; i < n; i++) order.push(perm[i]);
      } else {
        while (order.length < n) {
          const i = rng.randint(0, size);
          if (!picked.has(i)) {
            picked.add(i);
            order.push(i);
          }
        }
      }
      for (const i of order) yield grid.at(i);
      return;
    }
    for (let it = 0; it < this.nIter; it++) {
      const g = this.grids[this.grids.length === 1 ? 0 : rng.randint(0, this.grids.length)];
      const out: Params = {};
      for (const k of Object.keys(g).sort()) {
        const v = g[k] as unknown;
        out[k] = typeof (v as Distribution<unknown>).rvs === 'function' ? (v as Distribution<unknown>).rvs(rng) : (v as unknown[])[rng.randint(0, (v as unknown[]).length)];
      }
      yield out;
    }
  }
}

/** Per-metric columns of cvResults. */
export interface MetricResults {
  meanTestScore: Float64Array;
  stdTestScore: Float64Array;
  rankTestScore: Int32Array;
  /** splitTestScores[split][candidate] */
  splitTestScores: Float64Array[];
  meanTrainScore?: Float64Array;
  stdTrainScore?: Float64Array;
  splitTrainScores?: Float64Array[];
}

/** The search table (scikit-learn's `cv_results_`): one entry per candidate. */
export interface CvResults extends MetricResults {
  params: Params[];
  /** paramValues[name][candidate] (undefined where a candidate has no such parameter) */
  paramValues: Record<string, unknown[]>;
  meanFitTime: Float64Array;
  stdFitTime: Float64Array;
  meanScoreTime: Float64Array;
  stdScoreTime: Float64Array;
  /** All metrics by name when several were asked for (the top-level columns are the refit metric's). */
  metrics: Record<string, MetricResults>;
}

export interface BaseSearchParams<E extends Estimator = Estimator> {
  estimator: E;
  /** Metric name, function, list of names or record of metrics; default: the estimator's score. */
  scoring: MultiScoring | null;
  cv: CvSpec;
  /** Refit the best candidate on all the data (default true); with several metrics, the metric name to choose by. */
  refit: boolean | string;
  returnTrainScore: boolean;
  /** 'raise' (default) or a score (e.g. NaN) for failed fits. */
  errorScore: ErrorScore;
}

function meanStd(a: Float64Array): [number, number] {
  let m = 0;
  for (const v of a) m += v;
  m /= a.length;
  let s = 0;
  for (const v of a) s += (v - m) * (v - m);
  return [m, Math.sqrt(s / a.length)];
}

/** rankdata(-means, method='min'); NaN ranks last, all NaN gives all 1. */
function rankMin(means: Float64Array): Int32Array {
  const n = means.length;
  const finite = [...means].filter((v) => !Number.isNaN(v));
  const ranks = new Int32Array(n);
  if (finite.length === 0) return ranks.fill(1);
  const fill = Math.min(...finite) - 1;
  const v = Float64Array.from(means, (x) => (Number.isNaN(x) ? fill : x));
  for (let i = 0; i < n; i++) {
    let better = 0;
    for (let j = 0; j < n; j++) if (v[j] > v[i]) better++;
    ranks[i] = better + 1;
  }
  return ranks;
}

type Delegate = Estimator & {
  predict?(X: unknown): Float64Array | Label[];
  predictProba?(X: unknown): Tensor;
  decisionFunction?(X: unknown): Float64Array | Tensor;
  transform?(X: unknown): Tensor;
  inverseTransform?(X: unknown): unknown;
  classes?: Label[];
};

/** Shared machinery of GridSearchCV and RandomizedSearchCV. */
export abstract class BaseSearchCV<P extends BaseSearchParams<E>, E extends Estimator = Estimator> extends BaseEstimator<P> {
  cvResults: CvResults | undefined;
  bestIndex: number | undefined;
  bestScore: number | undefined;
  bestParams: Params | undefined;
  /** The best candidate refitted on all the data (when refit). */
  bestEstimator: E | undefined;
  refitTime: number | undefined;
  nSplits: number | undefined;
  /** The scorer(s) used (not saved with the model: functions, rebuilt from the scoring param on loading). */
  scorers: Record<string, Scorer> | undefined;
  /** Where the trials run (an option, not a param: a clone or a loaded search runs in-process). */
  executor: Executor | undefined;
  private refitMetric = 'score';
  static readonly transientFields = ['scorers', 'executor'];

  /** @internal Persistence hook (src/persist/): rebuilds the scorers of a loaded search. */
  restoreTransientFields(): void {
    this.scorers = resolveScoring(this.params.scoring).scorers;
  }

  protected abstract candidates(): Params[];

  override get estimatorType(): EstimatorType | undefined {
    return this.params.estimator?.estimatorType;
  }

  /** Classes of the best estimator. */
  get classes(): Label[] | undefined {
    return (this.bestEstimator as Delegate | undefined)?.classes;
  }

  /** Runs every (candidate, fold) trial in-process; with an asynchronous executor use {@link fitAsync}. */
  override fit(X: MatrixInput | unknown, y?: YInput, ...fitParams: unknown[]): this {
    const executor = resolveExecutor(this.constructor.name, this.executor);
    if (executor.async) throw new ValueError(`${this.constructor.name}: this executor runs trials elsewhere; use 'await search.fitAsync(X, y)' instead of fit`);
    const search = this.plan(X, y, fitParams);
    return this.finish(executor.run(search.plan), search, X, y, fitParams);
  }

  /** `fit` with any executor (e.g. `redisExecutor({ url })`); resolves to this search, fitted. */
  async fitAsync(X: MatrixInput | unknown, y?: YInput, ...fitParams: unknown[]): Promise<this> {
    const executor = resolveExecutor(this.constructor.name, this.executor);
    const search = this.plan(X, y, fitParams);
    return runTrials(executor, search.plan, (results) => this.finish(results, search, X, y, fitParams));
  }

  /** Checks the params and lists the trials: every candidate on every split, candidates outermost. */
  private plan(X: unknown, y: YInput, fitParams: unknown[]): { plan: PreparedPlan; refitMetric: string } {
    const { estimator, refit, returnTrainScore, errorScore } = this.params;
    if (!isEstimator(estimator)) throw new ValueError(`${this.constructor.name}: estimator must be an estimator (with fit, getParams and setParams), got ${String(estimator)}`);
    const { scorers, multi } = resolveScoring(this.params.scoring);
    let refitMetric = 'score';
    if (multi) {
      if (typeof refit === 'string') {
        if (!(refit in scorers)) throw new ValueError(`refit='${refit}' is not one of the scoring metrics: ${Object.keys(scorers).join(', ')}`);
        refitMetric = refit;
      } else if (refit !== false) {
        throw new ValueError('For multi-metric scoring, refit must be set to a scorer name (to refit the best estimator by it) or false');
      } else {
        refitMetric = Object.keys(scorers)[0];
      }
    } else if (typeof refit === 'string' && refit !== 'score') {
      throw new ValueError(`refit='${refit}' names a metric, but a single scoring was given; use refit: true`);
    }
    const data = prepareFoldData(X, y);
    const cv = checkCv(this.params.cv, y, estimator.estimatorType === 'classifier');
    // a last extra argument { groups } goes to the splitter, not to the estimator's fit
    const groups = takeGroups(fitParams);
    const splits = [...cv.split(X as MatrixInput, y, groups)];
    const candidates = this.candidates();
    if (candidates.length === 0) throw new ValueError('No candidate parameters to search');
    const trials: Trial[] = [];
    for (let candidate = 0; candidate < candidates.length; candidate++) for (let split = 0; split < splits.length; split++) trials.push({ candidate, split });
    const plan: PreparedPlan = {
      estimator,
      X,
      y,
      data,
      fitParams,
      candidates,
      splits,
      trials,
      scoring: this.params.scoring,
      scorers,
      returnTrainScore,
      returnEstimator: false,
      errorScore,
    };
    return { plan, refitMetric };
  }

  /** Builds cvResults from the trial results (in trial order), picks the best candidate and refits it. */
  private finish(all: FitScoreResult[], { plan, refitMetric }: { plan: PreparedPlan; refitMetric: string }, X: unknown, y: YInput, fitParams: unknown[]): this {
    const { estimator, refit, returnTrainScore } = this.params;
    const { candidates, scorers } = plan;
    const nC = candidates.length;
    const nS = plan.splits.length;
    throwIfAllFailed(all);
    const results = byRow(all, nS);
    const metricResults = (name: string): MetricResults => {
      const split = (which: 'test' | 'train'): Float64Array[] => Array.from({ length: nS }, (_, s) => Float64Array.from(results, (row) => row[s][which]![name]));
      const byCand = (which: 'test' | 'train'): Float64Array[] => results.map((row) => Float64Array.from(row, (r) => r[which]![name]));
      const test = byCand('test').map(meanStd);
      const out: MetricResults = {
        meanTestScore: Float64Array.from(test, (t) => t[0]),
        stdTestScore: Float64Array.from(test, (t) => t[1]),
        rankTestScore: new Int32Array(0),
        splitTestScores: split('test'),
      };
      out.rankTestScore = rankMin(out.meanTestScore);
      if (returnTrainScore) {
        const train = byCand('train').map(meanStd);
        out.meanTrainScore = Float64Array.from(train, (t) => t[0]);
        out.stdTrainScore = Float64Array.from(train, (t) => t[1]);
        out.splitTrainScores = split('train');
      }
      return out;
    };
    const metrics: Record<string, MetricResults> = {};
    for (const name of Object.keys(scorers)) metrics[name] = metricResults(name);
    const fitTimes = results.map((row) => meanStd(Float64Array.from(row, (r) => r.fitTime)));
    const scoreTimes = results.map((row) => meanStd(Float64Array.from(row, (r) => r.scoreTime)));
    const paramNames = [...new Set(candidates.flatMap((c) => Object.keys(c)))].sort();
    const paramValues: Record<string, unknown[]> = {};
    for (const k of paramNames) paramValues[k] = candidates.map((c) => c[k]);
    this.cvResults = {
      ...metrics[refitMetric],
      params: candidates,
      paramValues,
      meanFitTime: Float64Array.from(fitTimes, (t) => t[0]),
      stdFitTime: Float64Array.from(fitTimes, (t) => t[1]),
      meanScoreTime: Float64Array.from(scoreTimes, (t) => t[0]),
      stdScoreTime: Float64Array.from(scoreTimes, (t) => t[1]),
      metrics,
    };
    const ranks = metrics[refitMetric].rankTestScore;
    let best = 0;
    for (let i = 1; i < nC; i++) if (ranks[i] < ranks[best]) best = i;
    this.bestIndex = best;
    this.bestScore = metrics[refitMetric].meanTestScore[best];
    this.bestParams = candidates[best];
    this.nSplits = nS;
    this.scorers = scorers;
    this.refitMetric = refitMetric;
    this.bestEstimator = undefined;
    this.refitTime = undefined;
    if (refit !== false) {
      const est = clone(estimator);
      const p: Params = {};
      for (const [k, v] of Object.entries(candidates[best])) p[k] = cloneParam(v);
      est.setParams(p);
      const t0 = performance.now();
      est.fit(X as MatrixInput, y, ...fitParams);
      this.refitTime = (performance.now() - t0) / 1000;
      this.bestEstimator = est as E;
    }
    this.nFeaturesIn = (this.bestEstimator as { nFeaturesIn?: number } | undefined)?.nFeaturesIn;
    this.markFitted();
    return this;
  }

  private best(method: keyof Delegate): Delegate {
    this.checkFitted();
    const est = this.bestEstimator as Delegate | undefined;
    if (!est) throw new ValueError(`${this.constructor.name}: ${String(method)} is only available after fitting with refit: true`);
    if (typeof est[method] !== 'function') throw new ValueError(`${this.constructor.name}: the estimator ${est.constructor.name} has no ${String(method)} method`);
    return est;
  }

  /** Predictions of the best estimator (typed like the estimator's). */
  predict(X: MatrixInput): PredictionOf<E> {
    return this.best('predict').predict!(X) as PredictionOf<E>;
  }

  /**
   * predictProba, decisionFunction, transform and inverseTransform exist
   * only when the base estimator has them (like sklearn's available_if).
   */
  protected syncMethods(): void {
    const est = this.params.estimator as Delegate | undefined;
    const self = this as unknown as Record<string, unknown>;
    for (const m of ['predictProba', 'decisionFunction', 'transform', 'inverseTransform'] as const) {
      if (est && typeof est[m] === 'function') self[m] = (X: MatrixInput) => (this.best(m)[m] as (X: MatrixInput) => unknown)(X);
      else delete self[m];
    }
  }

  override setParams(params: Params): this {
    super.setParams(params);
    this.syncMethods();
    return this;
  }

  /** Probabilities of the best estimator (present when the estimator has predictProba). */
  declare readonly predictProba?: (X: MatrixInput) => Tensor;
  declare readonly decisionFunction?: (X: MatrixInput) => Float64Array | Tensor;
  declare readonly transform?: (X: MatrixInput) => Tensor;
  declare readonly inverseTransform?: (X: MatrixInput) => unknown;

  /** The refit metric (or the estimator's score) of the best estimator on (X, y). */
  score(X: MatrixInput, y?: unknown): number {
    this.checkFitted();
    if (!this.bestEstimator) throw new ValueError(`${this.constructor.name}: score is only available after fitting with refit: true`);
    return this.scorers![this.refitMetric](this.bestEstimator, X, y);
  }
}

export interface GridSearchParams<E extends Estimator = Estimator> extends BaseSearchParams<E> {
  paramGrid: ParamGridSpec | readonly ParamGridSpec[];
}

export type SearchOptions = Partial<Omit<BaseSearchParams, 'estimator'>> & {
  /** Where the trials run: in-process (default) or `redisExecutor({ url })` (then call `await search.fitAsync(X, y)`). */
  executor?: Executor | null;
};

const SEARCH_DEFAULTS = { scoring: null, cv: 5, refit: true, returnTrainScore: false, errorScore: 'raise' as ErrorScore };
const SEARCH_OPTIONS = [...Object.keys(SEARCH_DEFAULTS), 'executor'];

/** The params without the `executor` option, and the executor (checked). */
function splitExecutor<P extends object>(where: string, p: P & { executor?: unknown }): [P, Executor | undefined] {
  const { executor, ...params } = p;
  return [params as P, executor === undefined || executor === null ? undefined : resolveExecutor(where, executor)];
}

/** Exhaustive search over a parameter grid, scored by cross-validation. */
export class GridSearchCV<E extends Estimator = Estimator> extends BaseSearchCV<GridSearchParams<E>, E> {
  /**
   * `new GridSearchCV(estimator, { C: [0.1, 1, 10] }, { cv: 5, scoring: 'accuracy' })`,
   * or `new GridSearchCV({ estimator, paramGrid, ... })`.
   */
  constructor(estimator: E | (Partial<GridSearchParams<E>> & SearchOptions), paramGrid?: ParamGridSpec | readonly ParamGridSpec[], options: SearchOptions = {}) {
    if (isEstimator(estimator)) checkOptions('GridSearchCV', options, SEARCH_OPTIONS);
    else checkOptions('GridSearchCV', estimator, [...SEARCH_OPTIONS, 'estimator', 'paramGrid']);
    const [p, executor] = splitExecutor('GridSearchCV', isEstimator(estimator) ? { ...options, estimator, paramGrid } : { ...estimator });
    super(p as Partial<GridSearchParams<E>>, { ...SEARCH_DEFAULTS, estimator: undefined as unknown as E, paramGrid: {} });
    this.executor = executor;
    checkGrid(this.params.paramGrid, false);
    this.syncMethods();
  }

  protected candidates(): Params[] {
    const grid = new ParameterGrid(this.params.paramGrid);
    checkCandidateCount('GridSearchCV', grid.size);
    return [...grid];
  }
}

export interface RandomizedSearchParams<E extends Estimator = Estimator> extends BaseSearchParams<E> {
  paramDistributions: Record<string, readonly unknown[] | Distribution<unknown>> | readonly Record<string, readonly unknown[] | Distribution<unknown>>[];
  /** Number of candidates (default 10; fewer when a grid of lists is smaller). */
  nIter: number;
  randomState: RandomState;
}

/** Search over `nIter` random candidates drawn from lists or distributions. */
export class RandomizedSearchCV<E extends Estimator = Estimator> extends BaseSearchCV<RandomizedSearchParams<E>, E> {
  /**
   * `new RandomizedSearchCV(estimator, { C: logUniformDistribution(1e-3, 1e3) }, { nIter: 20, randomState: 0 })`,
   * or `new RandomizedSearchCV({ estimator, paramDistributions, ... })`.
   */
  constructor(
    estimator: E | (Partial<RandomizedSearchParams<E>> & SearchOptions),
    paramDistributions?: RandomizedSearchParams['paramDistributions'],
    options: SearchOptions & { nIter?: number; randomState?: RandomState } = {},
  ) {
    const valid = [...SEARCH_OPTIONS, 'nIter', 'randomState'];
    if (isEstimator(estimator)) checkOptions('RandomizedSearchCV', options, valid);
    else checkOptions('RandomizedSearchCV', estimator, [...valid, 'estimator', 'paramDistributions']);
    const [p, executor] = splitExecutor('RandomizedSearchCV', isEstimator(estimator) ? { ...options, estimator, paramDistributions } : { ...estimator });
    super(p as Partial<RandomizedSearchParams<E>>, { ...SEARCH_DEFAULTS, estimator: undefined as unknown as E, paramDistributions: {}, nIter: 10, randomState: undefined });
    this.executor = executor;
    checkGrid(this.params.paramDistributions as ParamGridSpec, true);
    this.syncMethods();
  }

  protected candidates(): Params[] {
    checkCandidateCount('RandomizedSearchCV', this.params.nIter);
    return [...new ParameterSampler(this.params.paramDistributions, this.params.nIter, this.params.randomState)];
  }
}

/** Removes a trailing `{ groups }` from the extra fit arguments and returns the groups. */
function takeGroups(fitParams: unknown[]): unknown {
  const last = fitParams[fitParams.length - 1];
  if (last === null || typeof last !== 'object' || Object.getPrototypeOf(last) !== Object.prototype) return undefined;
  const keys = Object.keys(last);
  if (keys.length !== 1 || keys[0] !== 'groups') return undefined;
  fitParams.pop();
  return (last as { groups: unknown }).groups;
}
