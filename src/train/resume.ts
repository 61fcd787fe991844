/**
 * A training run's complete state, taken as a checkpoint and restored from
 * one: weights, optimiser, callbacks, history and every random generator
 * the run draws from. Restoring checks everything a file could get wrong
 * (generator states, optimiser settings, names and shapes) before it
 * changes anything.
 */
import { ValueError } from '../errors.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { Generator, globalGenerator } from '../tensor/random.js';
import type { Callback } from './callbacks.js';
import { CHECKPOINT_VERSION, checkpointFromBytes, loadCheckpoint, validateCheckpoint, type HistoryData, type TrainingCheckpoint } from './checkpoint.js';

/** A callback with the key that names its state in a checkpoint. */
export interface KeyedCallback {
  cb: Callback;
  key: string;
}

/** What a checkpoint captures of a run. */
export interface RunState {
  model: Module;
  optimizer: Optimizer;
  callbacks: readonly KeyedCallback[];
  /** 'global', 'shuffle', 'loader' and 'module:<path>.<field>' (a seeded Dropout's), for those the run has. */
  generators: ReadonlyMap<string, Generator>;
  history: HistoryData;
}

/** Generators held by the model's modules (e.g. a seeded Dropout), by 'module:<path>.<field>'. */
export function moduleGenerators(model: Module): Map<string, Generator> {
  const out = new Map<string, Generator>();
  for (const [path, m] of model.namedModules()) {
    for (const [field, v] of Object.entries(m)) if (v instanceof Generator && v !== globalGenerator) out.set(`module:${path}.${field}`, v);
  }
  return out;
}

function copyHistory(h: HistoryData): HistoryData {
  return { epoch: [...h.epoch], history: Object.fromEntries(Object.entries(h.history).map(([k, v]) => [k, [...v]])) };
}

/** The run's state after `epochsDone` epochs. */
export function takeCheckpoint(run: RunState, epochsDone: number): TrainingCheckpoint {
  const random: Record<string, number[]> = {};
  for (const [name, g] of run.generators) random[name] = g.getState();
  const callbacks: Record<string, unknown> = {};
  for (const { cb, key } of run.callbacks) if (cb.stateDict) callbacks[key] = cb.stateDict();
  return {
    version: CHECKPOINT_VERSION,
    epoch: epochsDone,
    model: run.model.stateDict(),
    optimizer: run.optimizer.stateDict(),
    callbacks,
    random,
    history: copyHistory(run.history),
  };
}

/** A checkpoint from a path (Node), its bytes, or the object itself. */
export async function readCheckpoint(source: string | Uint8Array | TrainingCheckpoint): Promise<TrainingCheckpoint> {
  const ckpt = typeof source === 'string' ? await loadCheckpoint(source) : source instanceof Uint8Array ? checkpointFromBytes(source) : source;
  validateCheckpoint(ckpt);
  return ckpt;
}

function applyCheckpoint(ckpt: TrainingCheckpoint, run: RunState): void {
  run.model.loadStateDict(ckpt.model);
  run.optimizer.loadStateDict(ckpt.optimizer);
  for (const { cb, key } of run.callbacks) if (key in ckpt.callbacks) cb.loadStateDict!(ckpt.callbacks[key]);
  for (const [name, g] of run.generators) g.setState(ckpt.random[name]);
  const saved = copyHistory(ckpt.history);
  run.history.epoch = saved.epoch;
  run.history.history = saved.history;
}

/**
 * Puts the checkpoint's state into the run; returns the epoch to continue
 * from. Throws (a typed error) without changing the run when the
 * checkpoint does not fit it.
 */
export function restoreCheckpoint(ckpt: TrainingCheckpoint, run: RunState, who: string): number {
  // 1. Everything that can be checked without changing anything.
  for (const [name] of run.generators) {
    const state = ckpt.random[name];
    if (!state) throw new ValueError(`${who}: the checkpoint has no state for the ${name} random generator; resume with the same data and seed options`);
    new Generator().setState(state);
  }
  for (const { cb, key } of run.callbacks) {
    if (key in ckpt.callbacks) {
      if (!cb.loadStateDict) throw new ValueError(`${who}: the checkpoint has state for callback ${key}, which cannot load it`);
    } else if (cb.stateDict) {
      throw new ValueError(
        `${who}: the checkpoint has no state for callback ${key} (checkpoint callbacks: ${Object.keys(ckpt.callbacks).join(', ') || 'none'}); pass the same callbacks as the run that wrote it`,
      );
    }
  }
  // 2. Model, optimiser and callbacks check their parts as they load them: undo everything when one refuses.
  const before = takeCheckpoint(run, 0);
  try {
    applyCheckpoint(ckpt, run);
  } catch (err) {
    applyCheckpoint(before, run);
    throw err;
  }
  return ckpt.epoch;
}
