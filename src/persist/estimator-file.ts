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
import { FrugalError, NumericalError, ParseError, ValueError } from '../errors.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsContent } from '../io/safetensors.js';
import { isEstimator, type Estimator } from '../models/base.js';
import { ARCHITECTURE_KEY } from '../nn/serialize.js';
import { readFileBytes, writeFileBytes } from '../platform/files.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';
import { decodeEstimator, parseDocument } from './decode.js';
import { encodeEstimator } from './encode.js';
import { ESTIMATOR_KEY } from './format.js';

export interface LoadEstimatorOptions {
  /** Refuse safetensors headers longer than this many bytes (default: the safetensors reader's limit). */
  maxHeaderBytes?: number;
}

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
  probeLoaded(est);
  return est;
}

/** Whether an output (labels, a Float64Array, a Tensor) holds a NaN. */
function holdsNaN(out: unknown): boolean {
  const values = out instanceof Tensor ? out.data : out;
  if (!ArrayBuffer.isView(values) && !Array.isArray(values)) return false;
  return Array.prototype.some.call(values, (v: unknown) => typeof v === 'number' && Number.isNaN(v));
}

/**
 * A smoke test of a loaded, fitted estimator: its main output on one row of
 * zeros. A state whose parts do not fit together (a string where an array
 * belongs, coefficients of the wrong length) so fails at loading, with a
 * typed error, instead of later inside predict. Another FrugalError the
 * estimator throws itself (an unknown category, a kernel wanting other
 * columns) is its normal behaviour and passes.
 */
function probeLoaded(est: Estimator): void {
  const { nFeaturesIn, isFitted } = est as { nFeaturesIn?: unknown; isFitted?: unknown };
  if (isFitted !== true || !Number.isSafeInteger(nFeaturesIn) || (nFeaturesIn as number) < 1 || (nFeaturesIn as number) > PROBE_MAX_FEATURES) return;
  const methods = est as unknown as Record<string, unknown>;
  const method = typeof methods.predict === 'function' ? 'predict' : typeof methods.transform === 'function' ? 'transform' : undefined;
  if (method === undefined) return;
  const className = est.constructor.name;
  let out: unknown;
  try {
    out = (methods[method] as (X: number[][]) => unknown).call(est, [new Array<number>(nFeaturesIn as number).fill(0)]);
  } catch (err) {
    // A NaN met inside (coefficients of the wrong length read past their end) is the state's fault, not the input's.
    if (err instanceof FrugalError && !(err instanceof NumericalError)) return;
    throw new ParseError(`estimator file: the saved state of ${className} does not fit together: ${method} fails (${String((err as Error)?.message ?? err)})`);
  }
  if (holdsNaN(out)) throw new ParseError(`estimator file: the saved state of ${className} does not fit together: ${method} of a row of zeros gives NaN`);
}

/** Widest input the loading smoke test builds a row for (wider models skip it). */
const PROBE_MAX_FEATURES = 1 << 20;

/**
 * Rebuilds an estimator saved by {@link estimatorToBytes}. The bytes are
 * untrusted: anything malformed is a ParseError, and only registered
 * estimator classes (every exported one, plus those given to
 * `registerEstimator`) are ever built.
 */
export function estimatorFromBytes(bytes: Uint8Array, options: LoadEstimatorOptions = {}): Estimator {
  checkOptions('estimatorFromBytes', options, ['maxHeaderBytes']);
  if (!(bytes instanceof Uint8Array)) throw new ValueError('estimatorFromBytes: expected a Uint8Array');
  return estimatorFromContent(decodeSafetensors(bytes, options));
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
export async function loadEstimator(path: string, options: LoadEstimatorOptions = {}): Promise<Estimator> {
  checkPath(path, 'loadEstimator');
  checkOptions('loadEstimator', options, ['maxHeaderBytes']);
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
