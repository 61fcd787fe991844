/**
 * BullMQ, loaded only when trials go to Redis: it is an optional peer
 * dependency, so the in-process default and the browser entry never load it.
 */
import { FrugalError } from '../errors.js';
import { importUnbundled } from '../platform/dynamic-import.js';

export type BullMQ = typeof import('bullmq');

let loaded: Promise<BullMQ> | undefined;

/** The bullmq module, or a FrugalError saying how to install it. */
export function loadBullmq(): Promise<BullMQ> {
  loaded ??= importUnbundled<BullMQ>('bullmq').catch((err: unknown) => {
    loaded = undefined;
    throw new FrugalError(`running trials on Redis needs the optional package bullmq (npm install bullmq): ${(err as Error).message}`);
  });
  return loaded;
}

/** The queue trials go through unless another name is given. */
export const DEFAULT_QUEUE = 'frugal-trials';
