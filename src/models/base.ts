/**
 * The estimator convention (scikit-learn's `BaseEstimator`, in TypeScript).
 *
 * Writing an estimator
 * ```ts
 * interface RidgeParams { alpha: number; fitIntercept: boolean }
 * const DEFAULTS: RidgeParams = { alpha: 1, fitIntercept: true };
 * export class Ridge extends BaseRegressor<RidgeParams> {
 *   coef?: Float64Array;                       // learned state: set by fit
 *   constructor(params: Partial<RidgeParams> = {}) { super(params, DEFAULTS); }
 *   override fit(X: MatrixInput, y: VectorInput): this {   // override: tsconfig has noImplicitOverride
 *     const { X: Xm, y: yv } = checkXy(X, y);   // validation.ts
 *     ...; this.coef = ...; return this.markFitted(Xm.cols);
 *   }
 *   override predict(X: MatrixInput): Float64Array {
 *     const Xm = this.validateInput(X);   // fitted? finite? right width?
 *     ...
 *   }
 * }
 * ```
 * - The constructor takes ONE params object and passes it to `super` with
 *   the defaults (or the class declares `static readonly defaults` and
 *   inherits the constructor); `getParams()` then lists every parameter. `clone(est)` is
 *   `new est.constructor(copiedParams)`, so the constructor must accept the
 *   complete params object (classes with a positional constructor, like
 *   `Pipeline`, also accept `{ steps }`).
 * - Read parameters from `this.params` inside `fit`; validate them there.
 * - `fit` returns `this` and calls `this.markFitted()`; every method that
 *   needs the fit calls `this.checkFitted()` first.
 * - Randomness: a `randomState?: number | Generator` parameter, resolved
 *   with `resolveGenerator` from `tensor/random.ts` at the start of `fit`.
 *
 * Output convention (the same for every estimator)
 * - Regressors: `predict(X)` returns a `Float64Array` (one value per row).
 * - Classifiers: `predict(X)` returns a plain array of the ORIGINAL labels
 *   (`Label[]`, numbers stay numbers and strings stay strings), the same
 *   values as `classes`, which is sorted like scikit-learn sorts labels.
 *   `predictProba(X)` returns a float64 `Tensor` of shape
 *   [nSamples, nClasses], columns in the order of `classes`.
 *   `decisionFunction(X)` returns a `Float64Array` for two classes (score of
 *   `classes[1]`) and a float64 `Tensor` [nSamples, nClasses] otherwise.
 * - Transformers: `transform(X)` returns a float64 `Tensor` of shape
 *   [nSamples, nOutputFeatures].
 * - Learned 1-D state (`coef`, `mean`, `scale`, ...) is a `Float64Array`.
 * Every function that takes X also takes what these return, so outputs
 * chain into inputs without conversion.
 *
 * Optional methods (`predictProba`, `decisionFunction`, `transform`) are
 * present only when the estimator can provide them (Pipeline and the
 * searches add them as own properties depending on their steps, like
 * sklearn's `available_if`). An estimator whose support depends on its
 * params (predictProba with a hinge loss) throws a ValueError saying so.
 */
import { NotFittedError, ValueError } from '../errors.js';
import { suggestOption, unknownOptionMessage } from '../utils/options.js';
import { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { accuracyScore } from '../metrics/classification.js';
import { r2Score } from '../metrics/regression.js';
import { checkNFeatures, toMatrix, type Label, type LabelInput, type Matrix, type MatrixInput, type ToMatrixOptions, type VectorInput } from '../utils/validation.js';

export type EstimatorType = 'regressor' | 'classifier' | 'transformer' | 'clusterer';

export type Params = Record<string, unknown>;

export interface GetParamsOptions {
  /** Also list the parameters of nested estimators as `name__param` (default true). */
  deep?: boolean;
}

/** What model selection needs from any estimator. */
export interface Estimator {
  fit(X: MatrixInput, y?: unknown, ...rest: unknown[]): this;
  getParams(options?: GetParamsOptions): Params;
  setParams(params: Params): this;
  readonly estimatorType?: EstimatorType;
}

export interface Regressor extends Estimator {
  fit(X: MatrixInput, y: VectorInput, ...rest: unknown[]): this;
  predict(X: MatrixInput): Float64Array;
  /** Coefficient of determination R² of `predict(X)` against `y`. */
  score(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput): number;
}

export interface Classifier extends Estimator {
  fit(X: MatrixInput, y: LabelInput, ...rest: unknown[]): this;
  predict(X: MatrixInput): Label[];
  /** Sorted class labels seen in fit. */
  readonly classes: Label[] | undefined;
  predictProba?(X: MatrixInput): Tensor;
  decisionFunction?(X: MatrixInput): Float64Array | Tensor;
  /** Accuracy of `predict(X)` against `y`. */
  score(X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput): number;
}

export interface Transformer extends Estimator {
  fit(X: MatrixInput, y?: unknown): this;
  transform(X: MatrixInput): Tensor;
  fitTransform(X: MatrixInput, y?: unknown): Tensor;
  inverseTransform?(X: MatrixInput): Tensor;
}

/** What `predict` of a wrapper (Pipeline, GridSearchCV) returns: its inner estimator's prediction type. */
export type PredictionOf<E> = E extends { predict(X: never): infer R } ? R : Float64Array | Label[];

/** True for anything with `fit`, `getParams` and `setParams`. */
export function isEstimator(x: unknown): x is Estimator {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Estimator).fit === 'function' &&
    typeof (x as Estimator).getParams === 'function' &&
    typeof (x as Estimator).setParams === 'function'
  );
}

export function isClassifier(x: unknown): x is Classifier {
  return isEstimator(x) && x.estimatorType === 'classifier';
}

export function isRegressor(x: unknown): x is Regressor {
  return isEstimator(x) && x.estimatorType === 'regressor';
}

export function isTransformer(x: unknown): x is Transformer {
  return isEstimator(x) && typeof (x as Transformer).transform === 'function';
}

/** The class name used in messages ('LinearRegression'). */
export function estimatorName(est: unknown): string {
  return (est as object)?.constructor?.name ?? 'estimator';
}

/**
 * Base class of all estimators: holds the params object, implements
 * `getParams` / `setParams` (with nested `step__param` names) and the fitted
 * flag.
 */
export abstract class BaseEstimator<P extends object = Params> implements Estimator {
  /** The hyper-parameters; estimators read them in `fit`. */
  protected params: P;
  private _fitted = false;
  /** Number of features seen in fit (set it in fit; `validateInput` checks it). */
  nFeaturesIn: number | undefined = undefined;

  /**
   * @param params the caller's params (possibly partial)
   * @param defaults every parameter with its default; when given, keys
   *   that are not in `defaults` are rejected. Left out, the class's static
   *   `defaults` serve, so a subclass that declares them needs no constructor.
   */
  constructor(params: Partial<P> | P = {} as P, defaults: P | undefined = (new.target as { defaults?: P }).defaults) {
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
      throw new ValueError(`${new.target.name}: expected a params object, got ${Array.isArray(params) ? 'an array' : String(params)}`);
    }
    if (defaults) {
      const valid = Object.keys(defaults);
      for (const key of Object.keys(params)) {
        if (!(key in defaults)) throw new ValueError(unknownOptionMessage(new.target.name, key, valid));
      }
      const merged = { ...defaults } as Record<string, unknown>;
      for (const [k, v] of Object.entries(params)) if (v !== undefined) merged[k] = v;
      this.params = merged as P;
    } else {
      this.params = { ...params } as P;
    }
  }

  /**
   * The estimator's parameters. With `deep` (the default), parameters of
   * nested estimators are added as `name__param`.
   */
  getParams(options: GetParamsOptions = {}): Params {
    const deep = options.deep ?? true;
    const out: Params = {};
    for (const [key, value] of Object.entries(this.params)) {
      out[key] = value;
      if (deep && isEstimator(value)) {
        for (const [sub, v] of Object.entries(value.getParams({ deep: true }))) out[`${key}__${sub}`] = v;
      }
    }
    return out;
  }

  /**
   * Sets parameters by name; `name__param` reaches into a nested estimator.
   * Unknown names throw a ValueError listing the valid ones. Returns this.
   */
  setParams(params: Params): this {
    const nested = new Map<string, Params>();
    const own = this.params as Record<string, unknown>;
    for (const [key, value] of Object.entries(params)) {
      const sep = key.indexOf('__');
      const head = sep < 0 ? key : key.slice(0, sep);
      if (!(head in own)) {
        const suggestion = suggestOption(head, Object.keys(own));
        const hint = suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`;
        throw new ValueError(`Invalid parameter '${head}' for estimator ${estimatorName(this)}${hint}. Valid parameters are: ${Object.keys(own).sort().join(', ')}`);
      }
      if (sep < 0) {
        own[key] = value;
      } else {
        if (!nested.has(head)) nested.set(head, {});
        nested.get(head)![key.slice(sep + 2)] = value;
      }
    }
    for (const [head, sub] of nested) {
      const target = own[head];
      if (!isEstimator(target)) {
        throw new ValueError(`Invalid parameter '${head}__${Object.keys(sub)[0]}' for estimator ${estimatorName(this)}: '${head}' is not an estimator`);
      }
      target.setParams(sub);
    }
    return this;
  }

  abstract fit(X: MatrixInput, y?: unknown, ...rest: unknown[]): this;

  /** 'regressor', 'classifier', 'transformer', ... (undefined for other estimators). */
  get estimatorType(): EstimatorType | undefined {
    return undefined;
  }

  /** Whether `fit` has completed (and `markFitted` was called). */
  get isFitted(): boolean {
    return this._fitted;
  }

  /**
   * Subclasses call this at the end of a successful `fit`; given the number of
   * features seen, it records it as `nFeaturesIn` too. Returns the estimator,
   * so a fit can end with `return this.markFitted(nFeatures)`.
   */
  protected markFitted(nFeatures?: number): this {
    if (nFeatures !== undefined) this.nFeaturesIn = nFeatures;
    this._fitted = true;
    return this;
  }

  /** Throws NotFittedError unless fitted. */
  protected checkFitted(): void {
    checkIsFitted(this);
  }

  /**
   * For predict / transform: checks the estimator is fitted, converts X
   * and checks it has `nFeaturesIn` columns.
   */
  protected validateInput(X: MatrixInput, options: ToMatrixOptions = {}): Matrix {
    this.checkFitted();
    const m = toMatrix(X, options);
    if (this.nFeaturesIn !== undefined) checkNFeatures(m, this.nFeaturesIn, estimatorName(this));
    return m;
  }
}

/**
 * Throws `NotFittedError` ("LinearRegression is not fitted yet: call
 * fit(X, y) first") unless `est` is fitted. With `attributes`, checks that
 * those properties are set; otherwise uses `est.isFitted`.
 */
export function checkIsFitted(est: object, attributes?: readonly string[]): void {
  let fitted: boolean;
  if (attributes?.length) {
    fitted = attributes.every((a) => (est as Record<string, unknown>)[a] !== undefined && (est as Record<string, unknown>)[a] !== null);
  } else if (typeof (est as { isFitted?: unknown }).isFitted === 'boolean') {
    fitted = (est as { isFitted: boolean }).isFitted;
  } else {
    throw new ValueError(`checkIsFitted: ${estimatorName(est)} has no isFitted flag; pass the names of its fitted attributes`);
  }
  if (!fitted) {
    const call = typeof (est as { predict?: unknown }).predict === 'function' ? 'fit(X, y)' : 'fit(X)';
    throw new NotFittedError(`${estimatorName(est)} is not fitted yet: call ${call} first`);
  }
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/** Deep copy of one parameter value: estimators are cloned, containers copied. */
export function cloneParam(value: unknown): unknown {
  if (isEstimator(value)) return clone(value);
  if (Array.isArray(value)) return value.map(cloneParam);
  if (value instanceof Generator) {
    const g = new Generator(0);
    g.setState(value.getState());
    return g;
  }
  if (ArrayBuffer.isView(value)) return (value as unknown as { slice(): unknown }).slice();
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cloneParam(v);
    return out;
  }
  return value; // numbers, strings, booleans, functions, null, other objects
}

/**
 * An unfitted copy of `est` with the same parameters; nested estimators
 * (pipeline steps, a search's base estimator) are cloned too, so fitting
 * the copy never touches the original.
 */
export function clone<E extends Estimator>(est: E): E {
  if (!isEstimator(est)) throw new ValueError(`clone: expected an estimator (with fit, getParams and setParams), got ${String(est)}`);
  const params = est.getParams({ deep: false });
  const copied: Params = {};
  for (const [k, v] of Object.entries(params)) copied[k] = cloneParam(v);
  const Ctor = (est as object).constructor as new (p: Params) => E;
  return new Ctor(copied);
}

/** Deep equality of two parameter values (estimators compare by class and params). */
export function paramsEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (isEstimator(a) || isEstimator(b)) {
    if (!isEstimator(a) || !isEstimator(b) || a.constructor !== b.constructor) return false;
    return paramsEqual(a.getParams({ deep: false }), b.getParams({ deep: false }));
  }
  if (a instanceof Generator && b instanceof Generator) return paramsEqual(a.getState(), b.getState());
  if (Array.isArray(a) || ArrayBuffer.isView(a)) {
    const x = a as ArrayLike<unknown>;
    const y = b as ArrayLike<unknown>;
    if (!(Array.isArray(b) || ArrayBuffer.isView(b)) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!paramsEqual(x[i], y[i])) return false;
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => k in b && paramsEqual(a[k], b[k]));
  }
  return false;
}

/** R² of a regressor's predictions: the `score` of every regressor. */
export function regressorScore(est: { predict(X: MatrixInput): Float64Array }, X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput): number {
  return r2Score(y, est.predict(X), { sampleWeight });
}

/** Accuracy of a classifier's predictions: the `score` of every classifier. */
export function classifierScore(est: { predict(X: MatrixInput): Label[] }, X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput): number {
  return accuracyScore(y, est.predict(X), { sampleWeight });
}

/** The natural log of a `predictProba` result: the `predictLogProba` of every classifier. */
export function logProbabilities(P: Tensor): Tensor {
  const d = P.data as Float64Array;
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = Math.log(d[i]);
  return new Tensor(out, P.shape);
}

/** Base for regressors: `estimatorType` 'regressor' and `score` = R². */
export abstract class BaseRegressor<P extends object = Params> extends BaseEstimator<P> implements Regressor {
  override get estimatorType(): 'regressor' {
    return 'regressor';
  }
  abstract override fit(X: MatrixInput, y: VectorInput, ...rest: unknown[]): this;
  abstract predict(X: MatrixInput): Float64Array;
  score(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput): number {
    return regressorScore(this, X, y, sampleWeight);
  }
}

/** Base for classifiers: `estimatorType` 'classifier' and `score` = accuracy. */
export abstract class BaseClassifier<P extends object = Params> extends BaseEstimator<P> implements Classifier {
  override get estimatorType(): 'classifier' {
    return 'classifier';
  }
  /** Sorted class labels seen in fit (undefined before fit). */
  classes: Label[] | undefined = undefined;
  abstract override fit(X: MatrixInput, y: LabelInput, ...rest: unknown[]): this;
  abstract predict(X: MatrixInput): Label[];
  score(X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput): number {
    return classifierScore(this, X, y, sampleWeight);
  }
}

/** Base for transformers: `estimatorType` 'transformer' and `fitTransform` = fit then transform. */
export abstract class BaseTransformer<P extends object = Params> extends BaseEstimator<P> implements Transformer {
  override get estimatorType(): 'transformer' {
    return 'transformer';
  }
  abstract override fit(X: MatrixInput, y?: unknown): this;
  abstract transform(X: MatrixInput): Tensor;
  fitTransform(X: MatrixInput, y?: unknown): Tensor {
    return this.fit(X, y).transform(X);
  }
}
