/**
 * Saving and loading estimators — fitted or not, nested ones included
 * (Pipeline steps, a search's best estimator) — as one safetensors file:
 * the arrays as tensors, everything else as a JSON document in the
 * metadata (format.ts). A fresh process that loads the file predicts
 * exactly what the saved estimator predicted.
 *
 * ```ts
 * const bytes = estimatorToBytes(pipe);            // anywhere
 * const again = estimatorFromBytes(bytes);
 * await saveEstimator(pipe, 'model.safetensors');  // Node.js
 * const loaded = await loadEstimator('model.safetensors');
 * ```
 */
import { FrugalError, ParseError, ValueError } from '../errors.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsContent } from '../io/safetensors.js';
import { isEstimator, type Estimator } from '../models/base.js';
import { ARCHITECTURE_KEY } from '../nn/serialize.js';
import { readFileBytes, writeFileBytes } from '../platform/files.js';
import { checkOptions } from '../utils/options.js';
import { decodeEstimator, parseDocument } from './decode.js';
import { encodeEstimator } from './encode.js';
import { ESTIMATOR_KEY } from './format.js';
import { smokeTestLoaded } from './smoke-test.js';

export interface LoadEstimatorOptions<E extends Estimator = Estimator> {
  /** Refuse safetensors headers longer than this many bytes (default: the safetensors reader's limit). */
  maxHeaderBytes?: number;
  /** The class the file must hold (a ParseError otherwise); the result is typed as it. */
  expect?: abstract new (
    ...args: never[]
  ) => E;
}

const LOAD_OPTIONS = ['maxHeaderBytes', 'expect'];

/** The estimator (params, and fitted state when fitted) as safetensors bytes. */
export function estimatorToBytes(est: Estimator): Uint8Array {
  if (!isEstimator(est)) throw new ValueError(`estimatorToBytes: expected an estimator (with fit, getParams and setParams), got ${est === null ? 'null' : typeof est}`);
  const { document, tensors } = encodeEstimator(est);
  return encodeSafetensors(tensors, { [ESTIMATOR_KEY]: JSON.stringify(document) });
}

/** Whether decoded safetensors content is an estimator file (as opposed to a Module's). */
export function holdsEstimator(content: SafetensorsContent): boolean {
  return Object.hasOwn(content.metadata, ESTIMATOR_KEY);
}

/** The estimator in already decoded safetensors content (see {@link estimatorFromBytes}). */
export function estimatorFromContent(content: SafetensorsContent): Estimator {
  const text = content.metadata[ESTIMATOR_KEY];
  if (text === undefined) {
    const what = Object.hasOwn(content.metadata, ARCHITECTURE_KEY) ? 'a neural network Module (load it with load or loadModel)' : 'no estimator (no frugal.estimator metadata)';
    throw new ParseError(`estimator file: the file holds ${what}`);
  }
  const est = decodeEstimator(parseDocument(text), content.tensors);
  smokeTestLoaded(est);
  return est;
}

/**
 * Rebuilds an estimator saved by {@link estimatorToBytes}. The bytes are
 * untrusted: anything malformed is a ParseError, and only registered
 * estimator classes (every exported one, plus those given to
 * `registerEstimator`) are ever built.
 */
export function estimatorFromBytes<E extends Estimator = Estimator>(bytes: Uint8Array, options: LoadEstimatorOptions<E> = {}): E {
  checkOptions('estimatorFromBytes', options, LOAD_OPTIONS);
  const { maxHeaderBytes, expect } = options;
  if (expect !== undefined && typeof expect !== 'function') throw new ValueError(`estimatorFromBytes: expect must be an estimator class, got ${typeof expect}`);
  if (!(bytes instanceof Uint8Array)) throw new ValueError('estimatorFromBytes: expected a Uint8Array');
  const est = estimatorFromContent(decodeSafetensors(bytes, maxHeaderBytes === undefined ? {} : { maxHeaderBytes }));
  if (expect !== undefined && !(est instanceof expect)) throw new ParseError(`estimator file: the file holds a ${est.constructor.name}, expected a ${expect.name}`);
  return est as E;
}

function checkPath(path: unknown, where: string): asserts path is string {
  if (typeof path !== 'string' || path === '') throw new ValueError(`${where}: path must be a non-empty string`);
}

/** Saves the estimator to a safetensors file (Node.js; written atomically). */
export async function saveEstimator(est: Estimator, path: string): Promise<void> {
  checkPath(path, 'saveEstimator');
  await writeFileBytes(path, estimatorToBytes(est), 'saveEstimator');
}

/** Loads an estimator saved by {@link saveEstimator} (Node.js); errors name the file. */
export async function loadEstimator<E extends Estimator = Estimator>(path: string, options: LoadEstimatorOptions<E> = {}): Promise<E> {
  checkPath(path, 'loadEstimator');
  checkOptions('loadEstimator', options, LOAD_OPTIONS);
  const bytes = await readFileBytes(path, 'loadEstimator');
  return withPath(path, () => estimatorFromBytes(bytes, options));
}

/** Runs `fn`, prefixing the message of any FrugalError with the file's path. */
export function withPath<T>(path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FrugalError) err.message = `${path}: ${err.message}`;
    throw err;
  }
}
