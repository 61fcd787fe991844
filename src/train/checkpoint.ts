/**
 * Training checkpoints: everything `fit` needs to continue a run exactly as
 * if it had never stopped — model weights, optimiser state, callback and
 * scheduler state, the epoch, the history, and the state of every random
 * generator involved (the global one, the shuffling one, a data loader's,
 * and any a module holds, such as a seeded Dropout's).
 *
 * Stored as one safetensors file: tensors under `model/...` and `state/...`,
 * the rest as JSON in the metadata (`frugal.checkpoint`).
 */
import { ParseError, ValueError } from '../errors.js';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import type { OptimizerState } from '../optim/optimizer.js';
import { readFileBytes, writeFileBytes } from '../platform/files.js';
import { Tensor } from '../tensor/tensor.js';

export const CHECKPOINT_VERSION = 1;
const CHECKPOINT_KEY = 'frugal.checkpoint';

export interface HistoryData {
  /** Epoch indices (0-based) that were recorded. */
  epoch: number[];
  /** Each logged value per epoch: loss, metrics, valLoss, lr, ... */
  history: Record<string, number[]>;
}

export interface TrainingCheckpoint {
  version: number;
  /** Epochs completed: a resumed fit continues with this epoch index. */
  epoch: number;
  /** The model's stateDict. */
  model: Map<string, Tensor>;
  optimizer: OptimizerState;
  /** State of each stateful callback (schedulers, early stopping), by its key. */
  callbacks: Record<string, unknown>;
  /** Generator states: 'global', 'shuffle', 'loader', and 'module:<path>.<field>' for generators inside modules. */
  random: Record<string, number[]>;
  history: HistoryData;
}

const TENSOR = '__frugal_tensor__';
const MAP = '__frugal_map__';
const NUMBER = '__frugal_number__';

/** JSON with tensors lifted out (named `state/<i>`), Maps as entry lists, non-finite numbers as strings. */
export function packState(value: unknown, tensors: Map<string, Tensor>, prefix = 'state/'): unknown {
  if (value instanceof Tensor) {
    const name = `${prefix}${tensors.size}`;
    tensors.set(name, value);
    return { [TENSOR]: name };
  }
  if (value instanceof Map) return { [MAP]: [...value].map(([k, v]) => [k, packState(v, tensors, prefix)]) };
  if (typeof value === 'number') return Number.isFinite(value) ? value : { [NUMBER]: String(value) };
  if (Array.isArray(value)) return value.map((v) => packState(v, tensors, prefix));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = packState(v, tensors, prefix);
    return out;
  }
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    throw new ValueError(`checkpoint: cannot store a ${typeof value}`);
  }
  return value;
}

export function unpackState(value: unknown, tensors: Map<string, Tensor>): unknown {
  if (Array.isArray(value)) return value.map((v) => unpackState(v, tensors));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === TENSOR) {
      const t = tensors.get(o[TENSOR] as string);
      if (!t) throw new ParseError(`checkpoint: refers to a missing tensor '${String(o[TENSOR])}'`);
      return t;
    }
    if (keys.length === 1 && keys[0] === MAP) {
      if (!Array.isArray(o[MAP])) throw new ParseError('checkpoint: malformed map');
      return new Map((o[MAP] as [string, unknown][]).map(([k, v]) => [k, unpackState(v, tensors)]));
    }
    if (keys.length === 1 && keys[0] === NUMBER) {
      const n = Number(o[NUMBER]);
      if (!Number.isNaN(n) || o[NUMBER] === 'NaN') return n;
      throw new ParseError(`checkpoint: malformed number ${String(o[NUMBER])}`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = unpackState(v, tensors);
    return out;
  }
  return value;
}

/** Tensors plus JSON state (tensors inside it lifted out by packState) as safetensors bytes, the JSON under metadata `key`. */
export function stateToBytes(tensors: Map<string, Tensor>, state: unknown, key: string): Uint8Array {
  const json = JSON.stringify(packState(state, tensors));
  return encodeSafetensors(tensors, { 'frugal.format': '1', [key]: json });
}

/** The tensors and the unpacked state of {@link stateToBytes}'s bytes; ParseErrors start with `what`, `missing` says what a file without `key` is. */
export function stateFromBytes(bytes: Uint8Array, key: string, what: string, missing: string): { tensors: Map<string, Tensor>; state: unknown } {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const text = metadata[key];
  if (text === undefined) throw new ParseError(`${what}: ${missing}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ParseError(`${what}: training state is not valid JSON (${(err as Error).message})`);
  }
  return { tensors, state: unpackState(raw, tensors) };
}

/** The checkpoint as safetensors bytes (browser: store them anywhere; Node: {@link saveCheckpoint}). */
export function checkpointToBytes(ckpt: TrainingCheckpoint): Uint8Array {
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of ckpt.model) tensors.set(`model/${name}`, t);
  const rest = { version: ckpt.version, epoch: ckpt.epoch, optimizer: ckpt.optimizer, callbacks: ckpt.callbacks, random: ckpt.random, history: ckpt.history };
  return stateToBytes(tensors, rest, CHECKPOINT_KEY);
}

/** Reads a checkpoint from {@link checkpointToBytes}'s bytes, checking its structure. */
export function checkpointFromBytes(bytes: Uint8Array): TrainingCheckpoint {
  const { tensors, state } = stateFromBytes(bytes, CHECKPOINT_KEY, 'checkpoint', 'no training state in this file (is it a model saved with save()? load it with load())');
  const rest = state as Omit<TrainingCheckpoint, 'model'>;
  const model = new Map<string, Tensor>();
  for (const [name, t] of tensors) if (name.startsWith('model/')) model.set(name.slice(6), t);
  const ckpt = { ...rest, model } as TrainingCheckpoint;
  validateCheckpoint(ckpt);
  return ckpt;
}

export function validateCheckpoint(ckpt: TrainingCheckpoint): void {
  const bad = (what: string): never => {
    throw new ParseError(`checkpoint: ${what}`);
  };
  if (!ckpt || typeof ckpt !== 'object') bad('expected an object');
  if (ckpt.version !== CHECKPOINT_VERSION) bad(`version ${String(ckpt.version)} is not supported (expected ${CHECKPOINT_VERSION})`);
  if (!Number.isInteger(ckpt.epoch) || ckpt.epoch < 0) bad(`epoch ${String(ckpt.epoch)} is not a count of epochs`);
  if (!(ckpt.model instanceof Map)) bad('model state missing');
  if (!ckpt.optimizer || typeof ckpt.optimizer !== 'object') bad('optimizer state missing');
  if (!ckpt.random || typeof ckpt.random !== 'object') bad('random state missing');
  for (const [k, v] of Object.entries(ckpt.random)) if (!Array.isArray(v) || v.length !== 5) bad(`random state '${k}' is malformed`);
  if (!ckpt.history || !Array.isArray(ckpt.history.epoch) || typeof ckpt.history.history !== 'object') bad('history missing');
  if (!ckpt.callbacks || typeof ckpt.callbacks !== 'object') bad('callback state missing');
}

/** Writes a checkpoint file (Node.js; atomically, so a crash never leaves half a file). */
export async function saveCheckpoint(ckpt: TrainingCheckpoint, path: string): Promise<void> {
  await writeFileBytes(path, checkpointToBytes(ckpt), 'saveCheckpoint');
}

/** Reads a checkpoint file (Node.js). */
export async function loadCheckpoint(path: string): Promise<TrainingCheckpoint> {
  return checkpointFromBytes(await readFileBytes(path, 'loadCheckpoint'));
}
