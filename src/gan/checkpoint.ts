/**
 * GAN checkpoints: both modules' weights, both optimisers' states, every
 * random generator of the run, the row sampler's position, the step and
 * the history — all a resumed run needs to continue bit for bit as if it
 * had never stopped. One safetensors file, as fit's checkpoints: weights
 * under `generator/...` and `discriminator/...`, optimiser tensors under
 * `state/...`, the rest as JSON in the metadata (`frugal.gan-checkpoint`).
 */
import { ParseError } from '../errors.js';
import type { OptimizerState } from '../optim/optimizer.js';
import { readFileBytes, writeFileBytes } from '../platform/files.js';
import { Tensor } from '../tensor/tensor.js';
import { stateFromBytes, stateToBytes, type HistoryData } from '../train/checkpoint.js';

export const GAN_CHECKPOINT_VERSION = 1;
const GAN_CHECKPOINT_KEY = 'frugal.gan-checkpoint';
const INTERVAL_KEYS = ['lossD', 'lossG', 'dReal', 'dFake', 'gradientPenalty', 'dUpdates', 'gUpdates'];

export interface GanCheckpoint {
  version: number;
  /** Steps completed: a resumed run continues with the next one. */
  step: number;
  generator: Map<string, Tensor>;
  discriminator: Map<string, Tensor>;
  optimizerG: OptimizerState;
  optimizerD: OptimizerState;
  /** Generator states: 'gan' (noise, batches, penalty mixing), 'global', and 'module:...' for generators inside modules. */
  random: Record<string, number[]>;
  /** The real-row order of the current pass (int32) and how far into it the run is. */
  rows: { order: Tensor; position: number };
  /** Sums over the history interval in progress: lossD, lossG, dReal, dFake, gradientPenalty, dUpdates, gUpdates. */
  interval: Record<string, number>;
  /** Recorded every `logEvery` steps; `epoch` holds the step count of each record. */
  history: HistoryData;
}

/** The checkpoint as safetensors bytes (browser: store them anywhere; Node: {@link saveGanCheckpoint}). */
export function ganCheckpointToBytes(ckpt: GanCheckpoint): Uint8Array {
  const tensors = new Map<string, Tensor>();
  for (const [name, t] of ckpt.generator) tensors.set(`generator/${name}`, t);
  for (const [name, t] of ckpt.discriminator) tensors.set(`discriminator/${name}`, t);
  const rest = {
    version: ckpt.version,
    step: ckpt.step,
    optimizerG: ckpt.optimizerG,
    optimizerD: ckpt.optimizerD,
    random: ckpt.random,
    rows: ckpt.rows,
    interval: ckpt.interval,
    history: ckpt.history,
  };
  return stateToBytes(tensors, rest, GAN_CHECKPOINT_KEY);
}

/** Reads {@link ganCheckpointToBytes}'s bytes, checking their structure (a ParseError names what is wrong). */
export function ganCheckpointFromBytes(bytes: Uint8Array): GanCheckpoint {
  const { tensors, state } = stateFromBytes(bytes, GAN_CHECKPOINT_KEY, 'GAN checkpoint', 'no GAN training state in this file (a fit checkpoint is resumed with fit)');
  const rest = state as Omit<GanCheckpoint, 'generator' | 'discriminator'>;
  const part = (prefix: string): Map<string, Tensor> => {
    const out = new Map<string, Tensor>();
    for (const [name, t] of tensors) if (name.startsWith(prefix)) out.set(name.slice(prefix.length), t);
    return out;
  };
  const ckpt = { ...rest, generator: part('generator/'), discriminator: part('discriminator/') } as GanCheckpoint;
  validateGanCheckpoint(ckpt);
  return ckpt;
}

/** Throws a ParseError unless `ckpt` has a GAN checkpoint's structure. */
export function validateGanCheckpoint(ckpt: GanCheckpoint): void {
  const bad = (what: string): never => {
    throw new ParseError(`GAN checkpoint: ${what}`);
  };
  if (!ckpt || typeof ckpt !== 'object') bad('expected an object');
  if (ckpt.version !== GAN_CHECKPOINT_VERSION) bad(`version ${String(ckpt.version)} is not supported (expected ${GAN_CHECKPOINT_VERSION})`);
  if (!Number.isInteger(ckpt.step) || ckpt.step < 0) bad(`step ${String(ckpt.step)} is not a count of steps`);
  if (!(ckpt.generator instanceof Map) || !(ckpt.discriminator instanceof Map)) bad('module weights missing');
  if (!ckpt.optimizerG || typeof ckpt.optimizerG !== 'object' || !ckpt.optimizerD || typeof ckpt.optimizerD !== 'object') bad('optimizer state missing');
  if (!ckpt.random || typeof ckpt.random !== 'object') bad('random state missing');
  for (const [k, v] of Object.entries(ckpt.random)) if (!Array.isArray(v) || v.length !== 5) bad(`random state '${k}' is malformed`);
  const rows = ckpt.rows;
  if (!rows || !(rows.order instanceof Tensor) || rows.order.dtype !== 'int32' || rows.order.ndim !== 1 || !Number.isInteger(rows.position))
    bad('row sampler state missing or malformed');
  const interval = ckpt.interval;
  if (!interval || typeof interval !== 'object') bad('interval sums missing');
  for (const k of INTERVAL_KEYS) if (typeof interval[k] !== 'number') bad(`interval sum '${k}' missing`);
  if (!ckpt.history || !Array.isArray(ckpt.history.epoch) || !ckpt.history.history || typeof ckpt.history.history !== 'object') bad('history missing');
  for (const [k, v] of Object.entries(ckpt.history.history)) if (!Array.isArray(v) || v.length !== ckpt.history.epoch.length) bad(`history '${k}' is malformed`);
}

/** Writes a GAN checkpoint file (Node.js; atomically). */
export async function saveGanCheckpoint(ckpt: GanCheckpoint, path: string): Promise<void> {
  await writeFileBytes(path, ganCheckpointToBytes(ckpt), 'saveGanCheckpoint');
}

/** Reads a GAN checkpoint file (Node.js). */
export async function loadGanCheckpoint(path: string): Promise<GanCheckpoint> {
  return ganCheckpointFromBytes(await readFileBytes(path, 'loadGanCheckpoint'));
}
