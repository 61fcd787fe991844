/**
 * Helpers of the persistence tests: small data per estimator kind, every
 * output an estimator gives, and a bit-exact fingerprint of those outputs.
 */
import * as frugal from '../../src/index.js';
import { makeBlobs, makeRegression } from '../../src/datasets/generators.js';
import { BaseEstimator, isEstimator, type Estimator } from '../../src/models/base.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** Methods whose outputs a loaded estimator must reproduce bit for bit. */
const OUTPUT_METHODS = ['predict', 'predictProba', 'predictLogProba', 'decisionFunction', 'transform', 'scoreSamples'] as const;

/** A bit-exact text form of an output: numbers by their float64 bits, Tensors and typed arrays by their bytes. */
export function fingerprint(value: unknown): string {
  if (typeof value === 'number') return `n${Buffer.from(new Float64Array([value]).buffer).toString('hex')}`;
  if (value instanceof Tensor) return `T(${value.dtype};${value.shape.join('x')})${fingerprint(value.data)}`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}:${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (Array.isArray(value)) return `[${value.map(fingerprint).join(',')}]`;
  return `${typeof value}:${JSON.stringify(value)}`;
}

/** Fingerprints of every output method `est` has on X (an error thrown is recorded by class and message). */
export function outputsOf(est: Estimator, X: number[][]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const method of OUTPUT_METHODS) {
    const fn = (est as unknown as Record<string, unknown>)[method];
    if (typeof fn !== 'function') continue;
    try {
      out[method] = fingerprint(fn.call(est, X));
    } catch (err) {
      out[method] = `throws ${(err as Error).name}: ${(err as Error).message}`;
    }
  }
  return out;
}

/** Rows of a float64 Tensor. */
function rows(X: Tensor): number[][] {
  const [n, d] = X.shape;
  return Array.from({ length: n }, (_, i) => Array.from(X.data.subarray(i * d, (i + 1) * d)));
}

export interface FitData {
  X: number[][];
  y?: (number | string)[];
}

/** Small training data for an estimator of this kind; classifiers get string labels (to check they come back as strings). */
export function dataFor(kind: string | undefined): FitData {
  if (kind === 'classifier') {
    const { X, y } = makeBlobs({ nSamples: 45, nFeatures: 3, centers: 3, clusterStd: 2, randomState: 0 });
    return { X: rows(X), y: Array.from(y, (c) => ['setosa', 'versicolor', 'virginica'][c]) };
  }
  const { X, y } = makeRegression({ nSamples: 40, nFeatures: 3, noise: 1, randomState: 0 });
  return { X: rows(X), y: kind === 'regressor' ? Array.from(y) : undefined };
}

export type AnyEstimatorClass = new (...args: never[]) => Estimator;

/** Every estimator class among the exports of src/index.ts (one namespace level deep), abstract bases left out. */
export function exportedEstimatorClasses(): Map<string, AnyEstimatorClass> {
  const bases: ReadonlySet<unknown> = new Set([frugal.BaseEstimator, frugal.BaseRegressor, frugal.BaseClassifier, frugal.BaseTransformer]);
  const found = new Map<string, AnyEstimatorClass>();
  const visit = (exports: Record<string, unknown>, prefix: string): void => {
    for (const [name, value] of Object.entries(exports)) {
      const isClass = typeof value === 'function' && (value.prototype instanceof BaseEstimator || isEstimator(value.prototype));
      if (isClass && !bases.has(value)) found.set(prefix + name, value as AnyEstimatorClass);
      else if (prefix === '' && value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === null) visit(value as Record<string, unknown>, `${name}.`);
    }
  };
  visit(frugal as unknown as Record<string, unknown>, '');
  return found;
}
