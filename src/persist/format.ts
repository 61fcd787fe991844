/**
 * The estimator file format, shared by the writer (encode.ts) and the
 * reader (decode.ts).
 *
 * A safetensors file: every typed array and Tensor of the estimator is a
 * tensor (keys t0, t1, ...); `__metadata__['frugal.estimator']` holds the
 * JSON document `{ format: 'frugal-estimator', version: 1, root }`, where
 * `root` is an estimator node and every value is one of:
 *
 * | value                        | JSON node                                              |
 * | ---------------------------- | ------------------------------------------------------ |
 * | finite number, string, bool, null | itself                                            |
 * | NaN, ±Infinity, -0           | `{ $: 'num', v: 'NaN' }`                               |
 * | undefined                    | `{ $: 'undef' }`                                       |
 * | array                        | JSON array of nodes                                    |
 * | plain object                 | `{ $: 'obj', v: { key: node } }`                       |
 * | Map                          | `{ $: 'map', v: [[keyNode, valueNode], ...] }`         |
 * | typed array                  | `{ $: 'typed', kind: 'Float64Array', key: 't0' }`      |
 * | Tensor                       | `{ $: 'tensor', key: 't1' }`                           |
 * | Generator                    | `{ $: 'gen', v: [5 number nodes] }`                    |
 * | estimator                    | `{ $: 'est', id, class: 'Ridge', params: {...}, state: {...} or null }` |
 * | the same estimator again     | `{ $: 'ref', id }`                                     |
 *
 * `state` is null for an unfitted estimator (its params alone rebuild it).
 */
export const FORMAT_NAME = 'frugal-estimator';
export const FORMAT_VERSION = 1;
/** The metadata key holding the JSON document (defined beside the Module format's keys, so neither file is taken for the other). */
export { ESTIMATOR_KEY } from '../nn/serialize.js';
/** Deepest nesting of values written or read (a hostile file cannot exhaust the stack). */
export const MAX_DEPTH = 64;

/** The typed arrays a file can hold, by the name written in it. */
export const TYPED_ARRAYS = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
} as const;
export type TypedKind = keyof typeof TYPED_ARRAYS;

export type Node = null | number | string | boolean | Node[] | { $: string; [field: string]: unknown };

export interface EstimatorDocument {
  format: string;
  version: number;
  root: Node;
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}
