/**
 * Pipeline: a chain of transformers ending in any estimator, used as one
 * estimator (scikit-learn's `Pipeline` / `make_pipeline`).
 *
 * `fit` fits each step on the output of the previous one; `predict`,
 * `predictProba`, `decisionFunction`, `score`, `transform` and
 * `inverseTransform` pass the data through the fitted transformers and
 * call the final step. Parameters of steps are reachable as
 * `step__param` (e.g. `pipe.setParams({ svc__C: 10 })`), so pipelines work
 * in grid search and cross-validation. A step may be 'passthrough' (or
 * null) to skip it.
 */
import { ValueError } from '../errors.js';
import { checkOptions } from '../utils/options.js';
import {
  BaseEstimator,
  estimatorName,
  isEstimator,
  type Estimator,
  type EstimatorType,
  type GetParamsOptions,
  type Params,
  type PredictionOf,
  type Transformer,
} from '../models/base.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Label, MatrixInput } from '../utils/validation.js';
import type { CategoricalInput } from './encoders.js';

export type StepEstimator = Estimator | 'passthrough' | null;
export type Step = readonly [name: string, estimator: StepEstimator];

export interface PipelineParams {
  steps: Step[];
}

type AnyEst = Estimator & {
  transform?(X: unknown): Tensor;
  fitTransform?(X: unknown, y?: unknown): Tensor;
  inverseTransform?(X: unknown): unknown;
  predict?(X: unknown): Float64Array | Label[];
  predictProba?(X: unknown): Tensor;
  decisionFunction?(X: unknown): Float64Array | Tensor;
  score?(X: unknown, y: unknown, sampleWeight?: unknown): number;
  classes?: Label[];
};

function isSkip(e: StepEstimator): e is 'passthrough' | null {
  return e === null || e === 'passthrough' || e === undefined;
}

/** Checks names (unique, no '__') and that intermediate steps transform. */
export function validateNamedEstimators(
  items: readonly (readonly [string, unknown, ...unknown[]])[],
  owner: string,
  reserved: readonly string[],
  requireTransformUpTo: number,
): void {
  if (!Array.isArray(items)) throw new ValueError(`${owner}: expected a list of [name, estimator] pairs, got ${String(items)}`);
  const names = new Set<string>();
  items.forEach((item, i) => {
    if (!Array.isArray(item) || item.length < 2 || typeof item[0] !== 'string') {
      throw new ValueError(`${owner}: entry ${i} must be [name, estimator, ...], got ${JSON.stringify(item)}`);
    }
    const [name, est] = item;
    if (names.has(name)) throw new ValueError(`${owner}: names provided are not unique: '${name}' appears twice`);
    names.add(name);
    if (name.includes('__')) throw new ValueError(`${owner}: estimator names must not contain __: got '${name}'`);
    if (reserved.includes(name)) throw new ValueError(`${owner}: estimator name '${name}' conflicts with a constructor argument`);
    if (i < requireTransformUpTo && !isSkip(est as StepEstimator)) {
      const e = est as AnyEst;
      if (!isEstimator(e) || typeof e.transform !== 'function') {
        throw new ValueError(
          `${owner}: all intermediate steps should be transformers and implement fit and transform or be 'passthrough'; '${name}' (${estimatorName(est)}) doesn't`,
        );
      }
    }
  });
}

/** getParams for a list of named estimators (Pipeline, ColumnTransformer). */
export function namedEstimatorParams(own: Params, items: readonly (readonly [string, unknown, ...unknown[]])[], deep: boolean): Params {
  const out: Params = { ...own };
  if (!deep) return out;
  for (const [name, est] of items) {
    out[name] = est;
    if (isEstimator(est)) {
      for (const [k, v] of Object.entries(est.getParams({ deep: true }))) out[`${name}__${k}`] = v;
    }
  }
  return out;
}

/**
 * setParams for a list of named estimators (`[name, estimator, ...rest]`
 * entries under `target[listKey]`): first the list itself, then whole
 * estimators by name, then the other own params of `target`, then
 * `name__param` for the estimators.
 */
export function setNamedEstimatorParams(target: Record<string, unknown>, listKey: string, params: Params, owner: string): void {
  type Entry = readonly [string, unknown, ...unknown[]];
  const rest: Params = { ...params };
  if (listKey in rest) {
    target[listKey] = rest[listKey];
    delete rest[listKey];
  }
  const entries = (): readonly Entry[] => target[listKey] as readonly Entry[];
  const names = new Set(entries().map((s) => s[0]));
  for (const key of Object.keys(rest)) {
    if (!key.includes('__') && names.has(key)) {
      const est = rest[key];
      target[listKey] = entries().map((e): Entry => (e[0] === key ? [key, est, ...e.slice(2)] : e));
      delete rest[key];
    }
  }
  const nested = new Map<string, Params>();
  for (const [key, value] of Object.entries(rest)) {
    const sep = key.indexOf('__');
    if (sep < 0) {
      if (!(key in target) || key === listKey) {
        throw new ValueError(`Invalid parameter '${key}' for estimator ${owner}. Valid parameters are: ${[...Object.keys(target).sort(), ...names].join(', ')}`);
      }
      target[key] = value;
      continue;
    }
    const head = key.slice(0, sep);
    if (!names.has(head)) {
      throw new ValueError(`Invalid parameter '${head}' for estimator ${owner}. Valid parameters are: ${[...Object.keys(target), ...names].sort().join(', ')}`);
    }
    if (!nested.has(head)) nested.set(head, {});
    nested.get(head)![key.slice(sep + 2)] = value;
  }
  for (const [head, sub] of nested) {
    const est = entries().find((s) => s[0] === head)![1];
    if (!isEstimator(est)) throw new ValueError(`Invalid parameter '${head}__${Object.keys(sub)[0]}' for estimator ${owner}: step '${head}' is ${String(est)}`);
    est.setParams(sub);
  }
}

/**
 * A sequence of transformers followed by a final estimator, used as one
 * estimator. `Final` is the type of the last step, so `predict` is typed
 * like the final estimator's (`Float64Array` for a regressor, `Label[]`
 * for a classifier).
 */
export class Pipeline<Final extends StepEstimator = StepEstimator> extends BaseEstimator<PipelineParams> {
  /**
   * @param steps `[name, estimator]` pairs; all but the last must be
   *   transformers (or 'passthrough'). `new Pipeline({ steps })` works too.
   */
  constructor(steps: readonly [...Step[], readonly [string, Final]] | PipelineParams) {
    if (!Array.isArray(steps)) checkOptions('Pipeline', steps, ['steps']);
    const params = (Array.isArray(steps) ? { steps } : steps) as PipelineParams;
    super({ steps: params?.steps ? [...params.steps] : params?.steps });
    this.validateSteps();
  }

  private validateSteps(): void {
    const steps = this.params.steps;
    if (!Array.isArray(steps) || steps.length === 0) throw new ValueError('Pipeline: steps must be a non-empty list of [name, estimator] pairs');
    validateNamedEstimators(steps, 'Pipeline', ['steps'], steps.length - 1);
    const last = steps[steps.length - 1][1];
    if (!isSkip(last) && !isEstimator(last)) {
      throw new ValueError(`Pipeline: last step should be an estimator (with fit) or 'passthrough'; '${steps[steps.length - 1][0]}' is ${String(last)}`);
    }
    this.syncMethods();
  }

  /**
   * predictProba, decisionFunction, transform, fitTransform and
   * inverseTransform exist only when the steps support them (like
   * sklearn's available_if), so `typeof pipe.predictProba === 'function'`
   * tells whether the pipeline can give probabilities.
   */
  private syncMethods(): void {
    const last = this.finalEstimator as AnyEst | null;
    const self = this as unknown as Record<string, unknown>;
    const set = (name: string, available: boolean, fn: (...a: never[]) => unknown): void => {
      if (available) self[name] = fn.bind(this);
      else delete self[name];
    };
    const has = (m: keyof AnyEst): boolean => !!last && typeof last[m] === 'function';
    set('predictProba', has('predictProba'), this.predictProbaImpl);
    set('decisionFunction', has('decisionFunction'), this.decisionFunctionImpl);
    set('transform', !last || has('transform'), this.transformImpl);
    set('fitTransform', !last || has('transform'), this.fitTransformImpl);
    const allInvertible = this.params.steps.every(([, e]) => isSkip(e) || typeof (e as AnyEst).inverseTransform === 'function');
    set('inverseTransform', allInvertible, this.inverseTransformImpl);
  }

  /** Probabilities from the final step (present when the final step has predictProba). */
  declare readonly predictProba?: (X: CategoricalInput) => Tensor;
  /** Decision values from the final step (present when the final step has decisionFunction). */
  declare readonly decisionFunction?: (X: CategoricalInput) => Float64Array | Tensor;
  /** Transforms through every step (present when the final step transforms or is 'passthrough'). */
  declare readonly transform?: (X: CategoricalInput) => Tensor;
  /** Fits every step and returns the transformed data (present when the final step transforms). */
  declare readonly fitTransform?: (X: CategoricalInput, y?: unknown) => Tensor;
  /** Applies inverseTransform of every step in reverse order (present when every step has one). */
  declare readonly inverseTransform?: (X: MatrixInput) => unknown;

  get steps(): Step[] {
    return this.params.steps;
  }

  /** The steps by name. */
  get namedSteps(): Record<string, StepEstimator> {
    const out: Record<string, StepEstimator> = {};
    for (const [name, est] of this.params.steps) out[name] = est;
    return out;
  }

  /** The final step (null for 'passthrough'). */
  get finalEstimator(): Estimator | null {
    const last = this.params.steps[this.params.steps.length - 1][1];
    return isSkip(last) ? null : last;
  }

  override get estimatorType(): EstimatorType | undefined {
    return this.finalEstimator?.estimatorType;
  }

  /** Classes of the final step (classifiers). */
  get classes(): Label[] | undefined {
    return (this.finalEstimator as AnyEst | null)?.classes;
  }

  override getParams(options: GetParamsOptions = {}): Params {
    return namedEstimatorParams({ steps: this.params.steps }, this.params.steps, options.deep ?? true);
  }

  override setParams(params: Params): this {
    setNamedEstimatorParams(this.params as unknown as Record<string, unknown>, 'steps', params, 'Pipeline');
    this.validateSteps();
    return this;
  }

  private transformers(): AnyEst[] {
    const out: AnyEst[] = [];
    const steps = this.params.steps;
    for (let i = 0; i < steps.length - 1; i++) if (!isSkip(steps[i][1])) out.push(steps[i][1] as AnyEst);
    return out;
  }

  /** Runs X through the fitted intermediate steps. */
  private transformThrough(X: unknown): unknown {
    let Xt = X;
    for (const t of this.transformers()) Xt = t.transform!(Xt);
    return Xt;
  }

  private fitTransformers(X: unknown, y: unknown): unknown {
    this.validateSteps();
    let Xt = X;
    for (const t of this.transformers()) {
      Xt = typeof t.fitTransform === 'function' ? t.fitTransform(Xt, y) : t.fit(Xt as MatrixInput, y).transform!(Xt);
    }
    return Xt;
  }

  /** Fits every transformer in turn, then the final step; returns this. */
  override fit(X: CategoricalInput, y?: unknown): this {
    const Xt = this.fitTransformers(X, y);
    const last = this.finalEstimator;
    if (last) last.fit(Xt as MatrixInput, y);
    this.markFitted();
    return this;
  }

  private final(method: keyof AnyEst): AnyEst {
    const last = this.finalEstimator as AnyEst | null;
    if (!last || typeof last[method] !== 'function') {
      throw new ValueError(`Pipeline: the final step '${this.params.steps[this.params.steps.length - 1][0]}' (${estimatorName(last)}) has no ${String(method)} method`);
    }
    return last;
  }

  predict(X: CategoricalInput): PredictionOf<Final> {
    const last = this.final('predict');
    return last.predict!(this.transformThrough(X)) as PredictionOf<Final>;
  }

  private predictProbaImpl(X: CategoricalInput): Tensor {
    const last = this.final('predictProba');
    return last.predictProba!(this.transformThrough(X));
  }

  private decisionFunctionImpl(X: CategoricalInput): Float64Array | Tensor {
    const last = this.final('decisionFunction');
    return last.decisionFunction!(this.transformThrough(X));
  }

  /** The final step's score on the transformed X. */
  score(X: CategoricalInput, y: unknown, sampleWeight?: unknown): number {
    const last = this.final('score');
    return last.score!(this.transformThrough(X), y, sampleWeight);
  }

  private transformImpl(X: CategoricalInput): Tensor {
    let Xt: unknown = this.transformThrough(X);
    const last = this.finalEstimator as AnyEst | null;
    if (last) {
      if (typeof last.transform !== 'function') throw new ValueError(`Pipeline: the final step ${estimatorName(last)} has no transform method`);
      Xt = last.transform(Xt);
    }
    return Xt as Tensor;
  }

  private fitTransformImpl(X: CategoricalInput, y?: unknown): Tensor {
    const Xt = this.fitTransformers(X, y);
    const last = this.finalEstimator as AnyEst | null;
    let out: unknown = Xt;
    if (last) {
      if (typeof last.fitTransform === 'function') out = last.fitTransform(Xt, y);
      else if (typeof last.transform === 'function') out = last.fit(Xt as MatrixInput, y).transform!(Xt);
      else throw new ValueError(`Pipeline: the final step ${estimatorName(last)} has no transform method`);
    }
    this.markFitted();
    return out as Tensor;
  }

  private inverseTransformImpl(X: MatrixInput): unknown {
    let Xt: unknown = X;
    const steps = this.params.steps;
    for (let i = steps.length - 1; i >= 0; i--) {
      const e = steps[i][1] as AnyEst | null;
      if (isSkip(e as StepEstimator)) continue;
      if (typeof e!.inverseTransform !== 'function') throw new ValueError(`Pipeline: step '${steps[i][0]}' (${estimatorName(e)}) has no inverseTransform method`);
      Xt = e!.inverseTransform(Xt);
    }
    return Xt;
  }
}

/** Names for unnamed estimators: lower-cased class names, duplicates numbered '-1', '-2', ... */
export function nameEstimators(estimators: readonly StepEstimator[]): string[] {
  const names = estimators.map((e) => (isSkip(e) ? String(e).toLowerCase() : estimatorName(e).toLowerCase()));
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const seen = new Map<string, number>();
  return names.map((n) => {
    if (counts.get(n)! <= 1) return n;
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    return `${n}-${k}`;
  });
}

/** A Pipeline whose step names are the lower-cased class names: `makePipeline(new StandardScaler(), new Ridge())`. */
export function makePipeline<Final extends StepEstimator>(...estimators: [...StepEstimator[], Final]): Pipeline<Final> {
  const names = nameEstimators(estimators);
  return new Pipeline<Final>({ steps: estimators.map((e, i) => [names[i], e] as const) });
}

/** Type guard: the object transforms. */
export function isTransformerLike(x: unknown): x is Transformer {
  return isEstimator(x) && typeof (x as AnyEst).transform === 'function';
}
