/**
 * Estimator → (JSON document, tensors): the writing half of the estimator
 * file format (see format.ts for the node shapes).
 *
 * The walker takes an estimator's params (`getParams({ deep: false })`) and,
 * when fitted, its own fields: numbers, strings, booleans, null, undefined,
 * typed arrays, Tensors, Generators, Maps, arrays and plain objects of
 * those, and nested estimators. Anything else (a function, a class instance)
 * is a ValueError naming the estimator class and the field, so a file is
 * never silently incomplete.
 */
import { ValueError } from '../errors.js';
import { clone, isEstimator, type Estimator } from '../models/base.js';
import { Generator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { FORMAT_NAME, FORMAT_VERSION, MAX_DEPTH, TYPED_ARRAYS, isPlainObject, type EstimatorDocument, type Node, type TypedKind } from './format.js';
import { stateFieldProblem, transientFieldsOf } from './state-fields.js';
import { registeredName } from './registry.js';

interface Encoder {
  tensors: Map<string, Tensor>;
  /** Typed array / Tensor → its tensor key (one tensor for a value shared by several fields). */
  keys: Map<object, string>;
  /** Estimator → its node id (a shared estimator is written once, then referenced). */
  ids: Map<Estimator, number>;
  /** Containers on the current path (a cycle is refused). */
  path: Set<object>;
}

function typedKind(value: ArrayBufferView): TypedKind | undefined {
  for (const [kind, Ctor] of Object.entries(TYPED_ARRAYS)) if (value.constructor === Ctor) return kind as TypedKind;
  return undefined;
}

function encodeNumber(x: number): Node {
  if (Number.isFinite(x) && !Object.is(x, -0)) return x;
  return { $: 'num', v: Object.is(x, -0) ? '-0' : String(x) };
}

function tensorKey(enc: Encoder, value: object, tensor: () => Tensor): string {
  let key = enc.keys.get(value);
  if (key === undefined) {
    key = `t${enc.keys.size}`;
    enc.keys.set(value, key);
    enc.tensors.set(key, tensor());
  }
  return key;
}

/** `where` names the value in errors ("Ridge.coef", "Pipeline.params.steps[1]"). */
function encodeValue(enc: Encoder, value: unknown, where: string, depth: number): Node {
  if (depth > MAX_DEPTH) throw new ValueError(`saving ${where}: nested more than ${MAX_DEPTH} levels deep`);
  switch (typeof value) {
    case 'number':
      return encodeNumber(value);
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      return { $: 'undef' };
    case 'function':
      throw new ValueError(`saving ${where}: a function cannot be saved (give the estimator a named option instead, or declare the field transient)`);
    case 'object':
      break;
    default:
      throw new ValueError(`saving ${where}: a ${typeof value} cannot be saved`);
  }
  if (value === null) return null;
  if (isEstimator(value)) return encodeEstimatorNode(enc, value, where, depth);
  if (value instanceof Tensor) {
    if (value.requiresGrad) throw new ValueError(`saving ${where}: a Tensor that requires gradients is training state, not fitted state`);
    return { $: 'tensor', key: tensorKey(enc, value, () => value) };
  }
  if (ArrayBuffer.isView(value)) {
    const kind = typedKind(value);
    if (kind === undefined) throw new ValueError(`saving ${where}: a ${value.constructor.name} cannot be saved (supported: ${Object.keys(TYPED_ARRAYS).join(', ')})`);
    return { $: 'typed', kind, key: tensorKey(enc, value, () => typedToTensor(value as never, kind)) };
  }
  if (value instanceof Generator) return { $: 'gen', v: value.getState().map(encodeNumber) };
  if (enc.path.has(value)) throw new ValueError(`saving ${where}: the value contains itself (a cycle)`);
  enc.path.add(value);
  try {
    if (Array.isArray(value)) return value.map((v, i) => encodeValue(enc, v, `${where}[${i}]`, depth + 1));
    if (value instanceof Map) {
      return { $: 'map', v: [...value].map(([k, v], i) => [encodeValue(enc, k, `${where} key ${i}`, depth + 1), encodeValue(enc, v, `${where}.get(${String(k)})`, depth + 1)]) };
    }
    if (isPlainObject(value)) return { $: 'obj', v: encodeFields(enc, value, where, depth + 1) };
  } finally {
    enc.path.delete(value);
  }
  throw new ValueError(
    `saving ${where}: a ${value.constructor?.name ?? 'object'} instance cannot be saved (only numbers, strings, typed arrays, Tensors, arrays, plain objects and estimators)`,
  );
}

function encodeFields(enc: Encoder, fields: Record<string, unknown>, where: string, depth: number): Record<string, Node> {
  const out: Record<string, Node> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (k === '__proto__') throw new ValueError(`saving ${where}: the key '__proto__' cannot be saved`);
    out[k] = encodeValue(enc, v, `${where}.${k}`, depth);
  }
  return out;
}

/** Typed arrays frugal's safetensors writer has no dtype for are widened losslessly (the kind restores them). */
function typedToTensor(value: ArrayLike<number> & ArrayBufferView, kind: TypedKind): Tensor {
  const n = value.length;
  switch (kind) {
    case 'Float64Array':
    case 'Float32Array':
    case 'Int32Array':
      return new Tensor(value as unknown as Float64Array, [n]);
    case 'Uint32Array':
      return new Tensor(Float64Array.from(value), [n]);
    default:
      return new Tensor(Int32Array.from(value), [n]);
  }
}

function encodeEstimatorNode(enc: Encoder, est: Estimator, where: string, depth: number): Node {
  const seen = enc.ids.get(est);
  if (seen !== undefined) return { $: 'ref', id: seen };
  const className = registeredName(est, `saving ${where}`);
  if (enc.path.has(est)) throw new ValueError(`saving ${where}: the estimator contains itself (a cycle)`);
  enc.path.add(est);
  try {
    const id = enc.ids.size;
    enc.ids.set(est, id);
    const params = encodeFields(enc, est.getParams({ deep: false }), `${className}.params`, depth + 1);
    // An estimator without an isFitted flag (LabelEncoder) always has its fields saved.
    const flag = (est as { isFitted?: unknown }).isFitted;
    const fitted = typeof flag === 'boolean' ? flag : true;
    return { $: 'est', id, class: className, params, state: fitted ? encodeFields(enc, stateOf(est, className), className, depth + 1) : null };
  } finally {
    enc.path.delete(est);
  }
}

/** The fields of a fitted estimator that go into the file: its own fields but params and the declared transient ones. */
function stateOf(est: Estimator, className: string): Record<string, unknown> {
  const transient = new Set(transientFieldsOf(est));
  const state: Record<string, unknown> = {};
  let fresh: Record<string, unknown> | undefined;
  for (const [field, value] of Object.entries(est)) {
    if (field === 'params' || transient.has(field)) continue;
    const problem = stateFieldProblem(est, field);
    if (problem !== undefined) throw new ValueError(`saving ${className}.${field}: ${problem}`);
    if (typeof value === 'function') {
      // A method the constructor attaches (Pipeline's predictProba when its last step has one) comes back with it.
      fresh ??= clone(est) as unknown as Record<string, unknown>;
      if (typeof fresh[field] === 'function') continue;
    }
    state[field] = value;
  }
  return state;
}

/** The JSON document and the tensors describing `est` (params, and fitted state when fitted). */
export function encodeEstimator(est: Estimator): { document: EstimatorDocument; tensors: Map<string, Tensor> } {
  const enc: Encoder = { tensors: new Map(), keys: new Map(), ids: new Map(), path: new Set() };
  const root = encodeEstimatorNode(enc, est, registeredName(est, 'estimatorToBytes'), 0);
  return { document: { format: FORMAT_NAME, version: FORMAT_VERSION, root }, tensors: enc.tensors };
}
