/**
 * (JSON document, tensors) → estimator: the reading half of the estimator
 * file format (see format.ts). The document is untrusted: its size and
 * nesting are bounded before it is parsed, every node is checked against
 * its expected shape, only registered classes are built, state fields can
 * never shadow a method or reach a prototype, and every tensor must be
 * used exactly as the document declares it (kind, dtype, 1-D length).
 * Everything wrong is a ParseError saying where.
 */
import { FrugalError, ParseError } from '../errors.js';
import type { Estimator } from '../models/base.js';
import { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { FORMAT_NAME, FORMAT_VERSION, MAX_DEPTH, TYPED_ARRAYS, isPlainObject, type EstimatorDocument, type TypedKind } from './format.js';
import { stateFieldProblem, transientFieldsOf, type PersistHooks } from './state-fields.js';
import { estimatorClass } from './registry.js';

/** Longest JSON document read (64 MiB of text; the arrays live in tensors, so real documents are small). */
export const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;

function fail(where: string, message: string): never {
  throw new ParseError(`estimator file: ${where}: ${message}`);
}

/** Deepest bracket nesting of a JSON text, scanning at most its length (JSON.parse would overflow the stack first). */
function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** Parses and checks the document's envelope (format name and version). */
export function parseDocument(text: string): EstimatorDocument {
  if (text.length > MAX_DOCUMENT_CHARS) fail('document', `${text.length} characters exceeds the limit of ${MAX_DOCUMENT_CHARS}`);
  // Each value level takes at most 3 JSON levels ({ $: 'obj', v: { ... } }), plus the envelope.
  const jsonLimit = 3 * MAX_DEPTH + 8;
  if (jsonDepth(text, jsonLimit) > jsonLimit) fail('document', `nested more than ${jsonLimit} levels deep`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    fail('document', `not valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(doc)) fail('document', 'must be a JSON object');
  if (doc.format !== FORMAT_NAME) fail('document', `format ${JSON.stringify(doc.format)} is not '${FORMAT_NAME}'`);
  if (doc.version !== FORMAT_VERSION) {
    fail('document', `format version ${JSON.stringify(doc.version)} is not supported (this version of frugal reads version ${FORMAT_VERSION})`);
  }
  return doc as unknown as EstimatorDocument;
}

interface Decoder {
  tensors: Map<string, Tensor>;
  /** Tensor key → the value made from it and how it was declared (a key serves one declaration). */
  made: Map<string, { declared: string; value: unknown }>;
  /** Estimators by id; `complete` is false while the estimator's own state is being read. */
  estimators: Map<number, { est: Estimator; complete: boolean }>;
  /** Every id met so far (an estimator claims its id before its params are read). */
  claimedIds: Set<number>;
}

/** Checks `node` is an object with exactly `keys` (besides `$`). */
function fields(node: Record<string, unknown>, keys: readonly string[], where: string): Record<string, unknown> {
  const got = Object.keys(node);
  if (got.length !== keys.length + 1 || !keys.every((k) => Object.hasOwn(node, k))) {
    fail(where, `a '${String(node.$)}' node has fields ${got.join(', ')}; expected $, ${keys.join(', ')}`);
  }
  return node;
}

const SPECIAL_NUMBERS: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY, '-0': -0 };

function decodeNumber(node: unknown, where: string): number {
  if (typeof node === 'number') return node;
  if (isPlainObject(node) && node.$ === 'num') {
    const { v } = fields(node, ['v'], where);
    if (typeof v === 'string' && Object.hasOwn(SPECIAL_NUMBERS, v)) return SPECIAL_NUMBERS[v];
  }
  fail(where, `expected a number, got ${JSON.stringify(node)?.slice(0, 60)}`);
}

function tensorFor(dec: Decoder, key: unknown, declared: string, where: string): { tensor: Tensor; cached?: unknown } {
  if (typeof key !== 'string' || !dec.tensors.has(key)) fail(where, `refers to tensor ${JSON.stringify(key)}, which the file does not hold`);
  const made = dec.made.get(key);
  if (made !== undefined && made.declared !== declared) fail(where, `tensor '${key}' is declared as ${declared} here and as ${made.declared} elsewhere`);
  return { tensor: dec.tensors.get(key)!, cached: made?.value };
}

/** The tensor dtype each typed-array kind is written with (encode.ts widens the small integer kinds). */
const STORED_DTYPE: Record<TypedKind, string> = {
  Float64Array: 'float64',
  Float32Array: 'float32',
  Int32Array: 'int32',
  Uint32Array: 'float64',
  Int16Array: 'int32',
  Uint16Array: 'int32',
  Int8Array: 'int32',
  Uint8Array: 'int32',
  Uint8ClampedArray: 'int32',
};

/** Value ranges of the kinds stored widened: a value outside is refused, not wrapped. */
const RANGE: Partial<Record<TypedKind, [number, number]>> = {
  Uint32Array: [0, 0xffffffff],
  Int16Array: [-0x8000, 0x7fff],
  Uint16Array: [0, 0xffff],
  Int8Array: [-0x80, 0x7f],
  Uint8Array: [0, 0xff],
  Uint8ClampedArray: [0, 0xff],
};

function decodeTyped(dec: Decoder, node: Record<string, unknown>, where: string): ArrayBufferView {
  const { kind, key } = fields(node, ['kind', 'key'], where);
  if (typeof kind !== 'string' || !Object.hasOwn(TYPED_ARRAYS, kind))
    fail(where, `unknown typed array kind ${JSON.stringify(kind)}; expected one of ${Object.keys(TYPED_ARRAYS).join(', ')}`);
  const k = kind as TypedKind;
  const { tensor, cached } = tensorFor(dec, key, k, where);
  if (cached !== undefined) return cached as ArrayBufferView;
  if (tensor.ndim !== 1) fail(where, `tensor '${String(key)}' for a ${k} must be 1-D, has shape [${tensor.shape.join(', ')}]`);
  if (tensor.dtype !== STORED_DTYPE[k]) fail(where, `tensor '${String(key)}' for a ${k} must be ${STORED_DTYPE[k]}, is ${tensor.dtype}`);
  let value: ArrayBufferView;
  const range = RANGE[k];
  if (range === undefined) {
    value = tensor.data;
  } else {
    const data = tensor.data;
    for (let i = 0; i < data.length; i++) {
      if (!(Number.isInteger(data[i]) && data[i] >= range[0] && data[i] <= range[1])) fail(where, `tensor '${String(key)}' holds ${data[i]}, which a ${k} cannot`);
    }
    value = TYPED_ARRAYS[k].from(data);
  }
  dec.made.set(key as string, { declared: k, value });
  return value;
}

function decodeFields(dec: Decoder, node: unknown, where: string, depth: number): Record<string, unknown> {
  if (!isPlainObject(node)) fail(where, `expected an object of fields, got ${JSON.stringify(node)?.slice(0, 60)}`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '__proto__') fail(where, "the key '__proto__' is not allowed");
    out[k] = decodeValue(dec, v, `${where}.${k}`, depth + 1);
  }
  return out;
}

function decodeValue(dec: Decoder, node: unknown, where: string, depth: number): unknown {
  if (depth > MAX_DEPTH) fail(where, `nested more than ${MAX_DEPTH} levels deep`);
  if (node === null || typeof node === 'string' || typeof node === 'boolean' || typeof node === 'number') return node;
  if (Array.isArray(node)) return node.map((v, i) => decodeValue(dec, v, `${where}[${i}]`, depth + 1));
  if (!isPlainObject(node) || typeof node.$ !== 'string') fail(where, `expected a value node, got ${JSON.stringify(node)?.slice(0, 60)}`);
  switch (node.$) {
    case 'num':
      return decodeNumber(node, where);
    case 'undef':
      fields(node, [], where);
      return undefined;
    case 'obj':
      return decodeFields(dec, fields(node, ['v'], where).v, where, depth);
    case 'map': {
      const { v } = fields(node, ['v'], where);
      if (!Array.isArray(v)) fail(where, 'a map node needs an array of [key, value] pairs');
      const map = new Map<unknown, unknown>();
      for (const [i, pair] of v.entries()) {
        if (!Array.isArray(pair) || pair.length !== 2) fail(`${where} entry ${i}`, 'expected a [key, value] pair');
        map.set(decodeValue(dec, pair[0], `${where} key ${i}`, depth + 1), decodeValue(dec, pair[1], `${where} value ${i}`, depth + 1));
      }
      return map;
    }
    case 'typed':
      return decodeTyped(dec, node, where);
    case 'tensor': {
      const { key } = fields(node, ['key'], where);
      const { tensor } = tensorFor(dec, key, 'Tensor', where);
      dec.made.set(key as string, { declared: 'Tensor', value: tensor });
      return tensor;
    }
    case 'gen': {
      const { v } = fields(node, ['v'], where);
      if (!Array.isArray(v) || v.length !== 5) fail(where, 'a generator node needs 5 state numbers');
      const generator = new Generator(1);
      try {
        generator.setState(v.map((x, i) => decodeNumber(x, `${where}[${i}]`)));
      } catch (err) {
        if (err instanceof ParseError) throw err;
        fail(where, (err as Error).message);
      }
      return generator;
    }
    case 'est':
      return decodeEstimatorNode(dec, node, where, depth);
    case 'ref': {
      const { id } = fields(node, ['id'], where);
      const entry = typeof id === 'number' ? dec.estimators.get(id) : undefined;
      if (entry === undefined) fail(where, `refers to estimator ${JSON.stringify(id)}, which comes later or not at all`);
      if (!entry.complete) fail(where, `refers to estimator ${String(id)} from inside itself (a cycle)`);
      return entry.est;
    }
    default:
      fail(where, `unknown node type ${JSON.stringify(node.$).slice(0, 40)}`);
  }
}

/** Runs `fn`, turning any error into a typed one that says where. */
function typed<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FrugalError) {
      err.message = `estimator file: ${where}: ${err.message}`;
      throw err;
    }
    fail(where, String((err as Error)?.message ?? err));
  }
}

function decodeEstimatorNode(dec: Decoder, node: Record<string, unknown>, where: string, depth: number): Estimator {
  const { id, class: className, params, state } = fields(node, ['id', 'class', 'params', 'state'], where);
  if (!Number.isSafeInteger(id) || dec.claimedIds.has(id as number)) fail(where, `estimator id ${JSON.stringify(id)} is not a new integer`);
  dec.claimedIds.add(id as number); // before the params, which may hold estimators of their own
  if (typeof className !== 'string') fail(where, 'the estimator class must be a string');
  const Ctor = estimatorClass(className) as (new (params: Record<string, unknown>) => Estimator) | undefined;
  if (Ctor === undefined) fail(where, `unknown estimator class '${className.slice(0, 100)}' (a class of your own must be registered with registerEstimator before loading)`);
  const here = `${where} (${className})`;
  const decodedParams = decodeFields(dec, params, `${here}.params`, depth);
  const est = typed(here, () => new Ctor(decodedParams));
  const entry = { est, complete: false };
  dec.estimators.set(id as number, entry);
  if (state !== null) {
    const transient = new Set(transientFieldsOf(est));
    if (!isPlainObject(state)) fail(here, 'state must be an object of fields or null');
    const target = est as unknown as Record<string, unknown>;
    for (const [field, value] of Object.entries(state)) {
      const problem = transient.has(field) ? 'is transient and never saved' : stateFieldProblem(est, field);
      if (problem !== undefined) fail(`${here}.${field}`, problem);
      target[field] = decodeValue(dec, value, `${here}.${field}`, depth + 1);
    }
    const restore = (est as PersistHooks).restoreTransientFields;
    if (typeof restore === 'function') typed(here, () => restore.call(est));
  }
  entry.complete = true;
  return est;
}

/** Rebuilds the root estimator of `doc` from it and the file's tensors; every tensor must be used. */
export function decodeEstimator(doc: EstimatorDocument, tensors: Map<string, Tensor>): Estimator {
  const dec: Decoder = { tensors, made: new Map(), estimators: new Map(), claimedIds: new Set() };
  const root = doc.root;
  if (!isPlainObject(root) || root.$ !== 'est') fail('root', 'must be an estimator node');
  const est = decodeEstimatorNode(dec, root, 'root', 0);
  const unused = [...tensors.keys()].filter((k) => !dec.made.has(k));
  if (unused.length > 0) fail('tensors', `${unused.length} tensor(s) the document never uses (${unused.slice(0, 5).join(', ')})`);
  return est;
}
