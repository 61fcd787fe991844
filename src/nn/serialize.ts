/**
 * Saving and loading whole models as safetensors: the weights (the model's
 * `stateDict()`, dtypes kept) as tensors, and the architecture (from the
 * layer registry) as JSON in the header's `__metadata__`. One file holds
 * everything needed to rebuild the model; other tools that read
 * safetensors see ordinary named tensors.
 *
 * ```ts
 * await save(model, 'model.safetensors');     // Node
 * const again = await load('model.safetensors');
 * const bytes = modelToBytes(model);          // anywhere (browser: Blob, IndexedDB, fetch)
 * const copy = modelFromBytes(bytes);
 * ```
 */
import { FrugalError, ParseError, ValueError } from '../errors.js';
import { decodeSafetensors, encodeSafetensors, type NarrowDType, type SafetensorsContent } from '../io/safetensors.js';
import { readFileBytes, writeFileBytes } from '../platform/files.js';
import { withAllocationLimit } from '../tensor/dtype.js';
import { globalGenerator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions } from '../utils/options.js';
import { Module } from './module.js';
import { layerFromConfig, moduleToConfig, type LayerConfig } from './registry.js';
// Registers every built-in layer, so any saved architecture can be rebuilt.
import './index.js';

/** Metadata key of the architecture JSON. */
export const ARCHITECTURE_KEY = 'frugal.architecture';
/** Metadata key of an estimator file's JSON document (src/persist/format.ts); such files are loaded by `load`. */
export const ESTIMATOR_KEY = 'frugal.estimator';
const FORMAT_KEY = 'frugal.format';
const FORMAT_VERSION = '1';

export interface SaveOptions {
  /** Extra strings stored in the file's `__metadata__` (keys starting 'frugal.' are reserved). */
  metadata?: Record<string, string>;
  /** Store only the weights (for modules not in the layer registry); load them with {@link loadWeights}. */
  weightsOnly?: boolean;
  /** Store float tensors as F16 (half the bytes; they load back as float32, rounded to half precision). */
  float16?: boolean;
}

const SAVE_KEYS = ['metadata', 'weightsOnly', 'float16'];

/**
 * The tensors to store narrower than their dtype: what modules ask for
 * (`storageDTypes()`, e.g. quantised layers' int8 weights as I8), and with
 * `float16` every other float tensor as F16.
 */
function narrowStorage(model: Module, state: Map<string, Tensor>, float16: boolean): Record<string, NarrowDType> {
  const storage: Record<string, NarrowDType> = {};
  for (const [prefix, m] of model.namedModules()) {
    const asked = (m as { storageDTypes?: () => Record<string, NarrowDType> }).storageDTypes?.();
    for (const [name, dtype] of Object.entries(asked ?? {})) storage[prefix ? `${prefix}.${name}` : name] = dtype;
  }
  if (float16) for (const [name, t] of state) if (t.dtype !== 'int32' && !Object.hasOwn(storage, name)) storage[name] = 'F16';
  return storage;
}

function checkModule(model: unknown, who: string): asserts model is Module {
  if (!(model instanceof Module)) throw new ValueError(`${who}: expected a Module, got ${model === null ? 'null' : typeof model}`);
}

/** The model as safetensors bytes: weights plus architecture (unless `weightsOnly`). */
export function modelToBytes(model: Module, options: SaveOptions = {}): Uint8Array {
  checkModule(model, 'modelToBytes');
  checkOptions('modelToBytes', options, SAVE_KEYS);
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.metadata ?? {})) {
    if (k.startsWith('frugal.')) throw new ValueError(`modelToBytes: metadata key '${k}' is reserved`);
    if (typeof v !== 'string') throw new ValueError(`modelToBytes: metadata '${k}' must be a string`);
    metadata[k] = v;
  }
  metadata[FORMAT_KEY] = FORMAT_VERSION;
  if (!options.weightsOnly) metadata[ARCHITECTURE_KEY] = JSON.stringify(moduleToConfig(model));
  const state = model.stateDict();
  return encodeSafetensors(state, metadata, { storage: narrowStorage(model, state, options.float16 ?? false) });
}

/** Runs fn without moving the global random stream (building a model initialises weights we then overwrite). */
function keepingGlobalRandomState<T>(fn: () => T): T {
  const state = globalGenerator.getState();
  try {
    return fn();
  } finally {
    globalGenerator.setState(state);
  }
}

/** Elements a model may allocate beyond its file's tensors while being built (initialiser temporaries). */
const BUILD_SLACK_ELEMENTS = 1 << 20;

/**
 * Rebuilds a model saved by {@link modelToBytes}: the architecture from the
 * metadata, then the weights (every name and shape must match). The model
 * comes back in eval mode; call `train()` to fine-tune it.
 */
export function modelFromBytes(bytes: Uint8Array): Module {
  return modelFromContent(decodeSafetensors(bytes));
}

/** {@link modelFromBytes} for already decoded safetensors content. */
export function modelFromContent({ tensors, metadata }: SafetensorsContent): Module {
  const text = metadata[ARCHITECTURE_KEY];
  if (text === undefined) {
    if (Object.hasOwn(metadata, ESTIMATOR_KEY)) throw new FrugalError('modelFromBytes: the file holds an estimator, not a Module; load it with load or loadEstimator');
    throw new FrugalError('modelFromBytes: the file has no architecture (saved with weightsOnly, or by another tool); build the model and use loadWeights(model, bytes)');
  }
  let spec: LayerConfig;
  try {
    spec = JSON.parse(text) as LayerConfig;
  } catch (err) {
    throw new ParseError(`modelFromBytes: the architecture metadata is not valid JSON (${(err as Error).message})`);
  }
  // The architecture is untrusted: building it may allocate little more than the tensors the file holds.
  let fileElements = 0;
  for (const t of tensors.values()) fileElements += t.size;
  const limit = 2 * fileElements + BUILD_SLACK_ELEMENTS;
  const model = keepingGlobalRandomState(() => withAllocationLimit(limit, 'modelFromBytes (architecture larger than the weights in the file)', () => layerFromConfig(spec)));
  model.loadStateDict(tensors);
  return model.eval();
}

/**
 * Copies weights from safetensors bytes (or a file path, in Node) into an
 * existing model. Every name and shape is checked first: on any mismatch
 * the model is left unchanged.
 */
export async function loadWeights(model: Module, source: Uint8Array | string, options: { strict?: boolean } = {}): Promise<Module> {
  checkModule(model, 'loadWeights');
  checkOptions('loadWeights', options, ['strict']);
  const bytes = typeof source === 'string' ? await readFileBytes(source, 'loadWeights') : source;
  model.loadStateDict(decodeSafetensors(bytes).tensors, options);
  return model;
}

/** Saves the model (weights and architecture) to a safetensors file (Node.js). */
export async function save(model: Module, path: string, options: SaveOptions = {}): Promise<void> {
  checkOptions('save', options, SAVE_KEYS);
  if (typeof path !== 'string' || path === '') throw new ValueError('save: path must be a non-empty string');
  await writeFileBytes(path, modelToBytes(model, options), 'save');
}

/** Loads a model saved by {@link save} (Node.js). */
export async function load(path: string): Promise<Module> {
  if (typeof path !== 'string' || path === '') throw new ValueError('load: path must be a non-empty string');
  const bytes = await readFileBytes(path, 'load');
  try {
    return modelFromBytes(bytes);
  } catch (err) {
    if (err instanceof FrugalError) err.message = `${path}: ${err.message}`;
    throw err;
  }
}

export { save as saveModel, load as loadModel };
