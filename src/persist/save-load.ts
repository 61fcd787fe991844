/**
 * One `save` / `load` for everything frugal writes: a neural network
 * `Module` (architecture + weights, src/nn/serialize.ts) or an estimator
 * (estimator-file.ts). `load` returns what the file holds; its metadata
 * says which.
 *
 * ```ts
 * await save(pipe, 'model.safetensors');
 * const model = await load('model.safetensors');   // a Pipeline again
 * if (model instanceof Module) ... else ...
 * ```
 */
import { ValueError } from '../errors.js';
import { decodeSafetensors } from '../io/safetensors.js';
import { isEstimator, type Estimator } from '../models/base.js';
import { Module } from '../nn/module.js';
import { modelFromContent, modelToBytes, type SaveOptions } from '../nn/serialize.js';
import { readFileBytes, writeFileBytes } from '../platform/files.js';
import { checkOptions } from '../utils/options.js';
import { estimatorFromContent, estimatorToBytes, holdsEstimator, withPath } from './estimator-file.js';

/** The bytes of a Module (with `options`) or of an estimator (which takes no options). */
export function toBytes(obj: Module | Estimator, options: SaveOptions = {}): Uint8Array {
  if (obj instanceof Module) return modelToBytes(obj, options);
  if (isEstimator(obj)) {
    checkOptions('save (estimator)', options, []);
    return estimatorToBytes(obj);
  }
  throw new ValueError(`save: expected a Module or an estimator, got ${obj === null ? 'null' : typeof obj}`);
}

/** What bytes written by {@link toBytes} hold: a Module (in eval mode) or an estimator. */
export function fromBytes(bytes: Uint8Array): Module | Estimator {
  if (!(bytes instanceof Uint8Array)) throw new ValueError('fromBytes: expected a Uint8Array');
  const content = decodeSafetensors(bytes);
  return holdsEstimator(content) ? estimatorFromContent(content) : modelFromContent(content);
}

/** Saves a Module or an estimator to a safetensors file (Node.js; written atomically). */
export async function save(obj: Module | Estimator, path: string, options: SaveOptions = {}): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new ValueError('save: path must be a non-empty string');
  await writeFileBytes(path, toBytes(obj, options), 'save');
}

/** Loads what {@link save} wrote: a Module or an estimator (Node.js); errors name the file. */
export async function load(path: string): Promise<Module | Estimator> {
  if (typeof path !== 'string' || path === '') throw new ValueError('load: path must be a non-empty string');
  const bytes = await readFileBytes(path, 'load');
  return withPath(path, () => fromBytes(bytes));
}
