/**
 * Estimator classes by name, for rebuilding estimators from files. A file
 * names its class ('Ridge'); only classes in this registry are ever built,
 * so a file cannot reach any other constructor.
 *
 * Every estimator class the package exports is found automatically (the
 * root exports are scanned on first use, one namespace level deep), so a
 * new estimator needs nothing more than its export. Classes of your own
 * (a custom transformer in a Pipeline) are added with
 * {@link registerEstimator}.
 */
import { ValueError } from '../errors.js';
import { BaseClassifier, BaseEstimator, BaseRegressor, BaseTransformer, isEstimator, type Estimator } from '../models/base.js';
// The package's exports, read lazily (at first lookup every module has been evaluated, cycle or not).
import * as frugal from '../index.js';

/** A constructor that `clone` can call: `new Class(params)`. */
export type EstimatorClass = abstract new (...args: never[]) => Estimator;

const byName = new Map<string, EstimatorClass>();
const byClass = new Map<EstimatorClass, string>();
/** Whether every export has been scanned (see scanExports). */
let scannedExports = false;
/** Exported, but not estimators a file may build. */
const ABSTRACT_BASES: ReadonlySet<unknown> = new Set([BaseRegressor, BaseClassifier, BaseTransformer]);

const NAME_PATTERN = /^[A-Za-z_$][\w$.]{0,199}$/;

function isEstimatorClass(x: unknown): x is EstimatorClass {
  return typeof x === 'function' && (x.prototype instanceof BaseEstimator || isEstimator(x.prototype));
}

/**
 * Makes `cls` loadable under `name` (default: the class name). Registering
 * the same class again is a no-op; another class under a taken name is a
 * ValueError (pass a distinct `name`).
 */
export function registerEstimator(cls: EstimatorClass, name: string = cls?.name): void {
  if (!isEstimatorClass(cls)) {
    throw new ValueError(`registerEstimator: expected an estimator class (with fit, getParams and setParams), got ${String(cls)}`);
  }
  scanExports(); // the package's own classes keep their names
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) throw new ValueError(`registerEstimator: invalid name ${JSON.stringify(name)} (letters, digits, _, $ and .)`);
  const existing = byName.get(name);
  if (existing === cls) return;
  if (existing !== undefined) throw new ValueError(`registerEstimator: the name '${name}' is taken by another class; register ${cls.name} under a distinct name`);
  if (byClass.has(cls)) throw new ValueError(`registerEstimator: ${cls.name} is already registered as '${byClass.get(cls)}'`);
  byName.set(name, cls);
  byClass.set(cls, name);
}

/**
 * Registers every concrete estimator class among `exports` under its export
 * name (and those of namespace objects, one level deep, under `ns.Name`
 * when the plain name is taken). Returns false when some export could not be
 * read yet (its module is still being evaluated: scanned again later).
 */
function registerExported(exports: Record<string, unknown>, prefix: string): boolean {
  let complete = true;
  for (const name of Object.keys(exports)) {
    let value: unknown;
    try {
      value = exports[name];
    } catch {
      complete = false; // a binding not initialised yet (an import cycle still being evaluated)
      continue;
    }
    if (isEstimatorClass(value) && !ABSTRACT_BASES.has(value)) {
      if (byClass.has(value)) continue;
      registerEstimator(value, byName.has(name) ? `${prefix}${name}` : name);
    } else if (prefix === '' && value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === null) {
      complete = registerExported(value as Record<string, unknown>, `${name}.`) && complete; // a namespace export (`export * as nn`)
    }
  }
  return complete;
}

let scanning = false;

/** Registers the package's exported estimators (once every export could be read). */
function scanExports(): void {
  if (scannedExports || scanning) return;
  scanning = true;
  try {
    scannedExports = registerExported(frugal as unknown as Record<string, unknown>, '');
  } finally {
    scanning = false;
  }
}

/** The class registered under `name`, or undefined. */
export function estimatorClass(name: string): EstimatorClass | undefined {
  scanExports();
  return byName.get(name);
}

/** The name `est`'s class is registered under; a ValueError naming the class when it is not registered. */
export function registeredName(est: Estimator, where: string): string {
  scanExports();
  const name = byClass.get((est as object).constructor as EstimatorClass);
  if (name === undefined) {
    const cls = (est as object).constructor?.name ?? typeof est;
    throw new ValueError(`${where}: the estimator class ${cls} is not registered; call registerEstimator(${cls}) so files can name it`);
  }
  return name;
}
