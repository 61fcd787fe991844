/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header
 * length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__: {...} }`,
 * then the raw little-endian tensor bytes. Nothing in a file is ever
 * executed: the reader parses JSON and copies numbers, and refuses anything
 * malformed (header too long, offsets out of range, overlapping or leaving
 * gaps, sizes that do not match dtype × shape) with a ParseError.
 *
 * Written: F32, F64 and I32 (frugal's dtypes), and on request I8 (int32
 * tensors of int8 values: quantised weights) and F16 (float tensors rounded
 * to half precision: 2× smaller weights). Read: also F16 and BF16
 * (widened to float32) and I64, I16, I8, U8, BOOL (to int32), so weights
 * published elsewhere can be loaded.
 */
import { ParseError, ValueError } from '../errors.js';
import { checkOptions } from '../utils/options.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/** Header length limit: larger headers are refused (the Rust reference uses 100 MB too). */
export const MAX_HEADER_BYTES = 100_000_000;

const WRITE_DTYPE: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32' };

interface ReadDType {
  bytes: number;
  dtype: DType;
  /** The element stored at byte `offset` of `view` (little-endian). */
  read(view: DataView, offset: number): number;
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** The nearest float16 (ties to even) of a number, as its 16 bits; beyond the range: ±Infinity. */
export function floatToHalf(x: number): number {
  const f = Math.fround(x);
  if (f !== f) return 0x7e00;
  const s = f < 0 || Object.is(f, -0) ? 0x8000 : 0;
  const a = Math.abs(f);
  if (a >= 65520) return s | 0x7c00; // rounds past the largest half, 65504
  if (a < 2 ** -14) return s | roundEven(a * 2 ** 24); // subnormal (rounding may reach the smallest normal, 0x400)
  const e = Math.floor(Math.log2(a));
  const exponent = a >= 2 ** (e + 1) ? e + 1 : a < 2 ** e ? e - 1 : e; // log2 may be off by one near powers of two
  const mantissa = roundEven((a / 2 ** exponent - 1) * 1024); // may carry into the exponent, which is right
  return s | (((exponent + 15) << 10) + mantissa);
}

function roundEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

const bf16Scratch = new DataView(new ArrayBuffer(4));

/** How each stored dtype reads one element at a byte offset (little-endian), and the tensor dtype it loads as. */
const READ: Record<string, ReadDType> = {
  F64: { bytes: 8, dtype: 'float64', read: (v, o) => v.getFloat64(o, true) },
  F32: { bytes: 4, dtype: 'float32', read: (v, o) => v.getFloat32(o, true) },
  I32: { bytes: 4, dtype: 'int32', read: (v, o) => v.getInt32(o, true) },
  F16: { bytes: 2, dtype: 'float32', read: (v, o) => halfToFloat(v.getUint16(o, true)) },
  BF16: {
    bytes: 2,
    dtype: 'float32',
    read: (v, o) => {
      bf16Scratch.setUint32(0, v.getUint16(o, true) << 16, true);
      return bf16Scratch.getFloat32(0, true);
    },
  },
  I64: {
    bytes: 8,
    dtype: 'int32',
    read: (v, o) => {
      const x = v.getBigInt64(o, true);
      if (x > 2147483647n || x < -2147483648n) throw new ParseError(`safetensors: I64 value ${x} does not fit int32`);
      return Number(x);
    },
  },
  I16: { bytes: 2, dtype: 'int32', read: (v, o) => v.getInt16(o, true) },
  I8: { bytes: 1, dtype: 'int32', read: (v, o) => v.getInt8(o) },
  U8: { bytes: 1, dtype: 'int32', read: (v, o) => v.getUint8(o) },
  BOOL: {
    bytes: 1,
    dtype: 'int32',
    read: (v, o) => {
      const b = v.getUint8(o);
      if (b > 1) throw new ParseError(`safetensors: BOOL byte ${b} is neither 0 nor 1`);
      return b;
    },
  },
};

export interface SafetensorsContent {
  /** Tensors by name, in file order. */
  tensors: Map<string, Tensor>;
  /** The `__metadata__` strings ({} when absent). */
  metadata: Record<string, string>;
}

/** A storage narrower than the tensor's dtype: 'I8' for int32 tensors of int8 values, 'F16' for float tensors. */
export type NarrowDType = 'I8' | 'F16';

export interface EncodeOptions {
  /** Tensors (by name) to store narrower than their dtype; they load back as int32 and float32. */
  storage?: Record<string, NarrowDType>;
}

const NARROW_BYTES: Record<NarrowDType, number> = { I8: 1, F16: 2 };

/** Checks that the narrow storage asked for suits each named tensor (I8: int32 values in [-128, 127]; F16: a float tensor). */
function checkNarrow(tensors: Map<string, Tensor>, storage: Record<string, NarrowDType>): void {
  for (const [name, dtype] of Object.entries(storage)) {
    const t = tensors.get(name);
    if (!t) throw new ValueError(`encodeSafetensors: storage names '${name}', which is not among the tensors`);
    if (dtype === 'I8') {
      if (t.dtype !== 'int32') throw new ValueError(`encodeSafetensors: '${name}' is ${t.dtype}; I8 storage takes int32 tensors`);
      for (const v of t.data) if (v < -128 || v > 127) throw new ValueError(`encodeSafetensors: '${name}' holds ${v}, outside I8's [-128, 127]`);
    } else if (dtype === 'F16') {
      if (t.dtype === 'int32') throw new ValueError(`encodeSafetensors: '${name}' is int32; F16 storage takes float tensors`);
    } else throw new ValueError(`encodeSafetensors: storage '${String(dtype)}' for '${name}'; expected 'I8' or 'F16'`);
  }
}

/**
 * Serialises tensors (and string metadata) to safetensors bytes. Tensors are
 * laid out largest element first and the header is padded with spaces so
 * every tensor starts aligned to its element size.
 */
export function encodeSafetensors(tensors: Map<string, Tensor> | Record<string, Tensor>, metadata: Record<string, string> = {}, options: EncodeOptions = {}): Uint8Array {
  checkOptions('encodeSafetensors', options, ['storage']);
  const entries = [...(tensors instanceof Map ? tensors : Object.entries(tensors))];
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new ValueError(`encodeSafetensors: metadata '${k}' must be a string, got ${typeof v}`);
  }
  const names = new Set<string>();
  for (const [name, t] of entries) {
    if (typeof name !== 'string' || name === '' || name === '__metadata__') throw new ValueError(`encodeSafetensors: invalid tensor name '${name}'`);
    if (names.has(name)) throw new ValueError(`encodeSafetensors: duplicate tensor name '${name}'`);
    names.add(name);
    if (!(t instanceof Tensor)) throw new ValueError(`encodeSafetensors: '${name}' is not a Tensor`);
  }
  const storage = options.storage ?? {};
  checkNarrow(new Map(entries), storage);
  const elementSize = (name: string, t: Tensor): number => (Object.hasOwn(storage, name) ? NARROW_BYTES[storage[name]] : t.data.BYTES_PER_ELEMENT);
  // Stable sort: 8-byte elements, then 4-byte ones, keeps every tensor aligned.
  const ordered = entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => elementSize(...b.e) - elementSize(...a.e) || a.i - b.i)
    .map((x) => x.e);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const [name, t] of ordered) {
    const size = elementSize(name, t) * t.size;
    const dtype = Object.hasOwn(storage, name) ? storage[name] : WRITE_DTYPE[t.dtype];
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const [name, t] of ordered) {
    const narrow = Object.hasOwn(storage, name) ? storage[name] : null;
    if (narrow) {
      const d = t.data;
      if (narrow === 'I8') for (let i = 0; i < d.length; i++) view.setInt8(pos + i, d[i]);
      else for (let i = 0; i < d.length; i++) view.setUint16(pos + 2 * i, floatToHalf(d[i]), true);
      pos += NARROW_BYTES[narrow] * d.length;
      continue;
    }
    if (littleEndianHost) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    } else {
      const d = t.data;
      for (let i = 0; i < d.length; i++) {
        if (t.dtype === 'float64') view.setFloat64(pos + 8 * i, d[i], true);
        else if (t.dtype === 'float32') view.setFloat32(pos + 4 * i, d[i], true);
        else view.setInt32(pos + 4 * i, d[i], true);
      }
    }
    pos += t.data.byteLength;
  }
  return out;
}

export interface DecodeOptions {
  /** Refuse headers longer than this many bytes (default {@link MAX_HEADER_BYTES}). */
  maxHeaderBytes?: number;
}

function fail(msg: string): never {
  throw new ParseError(`safetensors: ${msg}`);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Parses safetensors bytes, validating the header strictly; the tensors are copies. */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeOptions = {}): SafetensorsContent {
  if (!(bytes instanceof Uint8Array)) throw new ValueError('decodeSafetensors: expected a Uint8Array');
  checkOptions('decodeSafetensors', options, ['maxHeaderBytes']);
  const maxHeader = options.maxHeaderBytes ?? MAX_HEADER_BYTES;
  if (!Number.isSafeInteger(maxHeader) || maxHeader < 2) throw new ValueError(`decodeSafetensors: maxHeaderBytes must be an integer >= 2, got ${String(maxHeader)}`);
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true),
    hi = view.getUint32(4, true);
  if (hi !== 0 || lo > maxHeader) fail(`header length ${hi * 2 ** 32 + lo} exceeds the limit of ${maxHeader} bytes`);
  const n = lo;
  if (8 + n > bytes.length) fail(`header length ${n} runs past the end of the ${bytes.length}-byte file`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`header must be a JSON object starting with '{', got ${JSON.stringify(text.slice(0, 20))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    fail(`header is not valid JSON (${(err as Error).message})`);
  }
  if (!isPlainObject(header)) fail('header must be a JSON object');
  const metadata: Record<string, string> = {};
  const specs: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, spec] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (!isPlainObject(spec)) fail('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(spec)) {
        if (typeof v !== 'string') fail(`__metadata__ '${k}' must be a string, got ${typeof v}`);
        metadata[k] = v;
      }
      continue;
    }
    if (!isPlainObject(spec)) fail(`entry '${name}' must be an object`);
    const keys = Object.keys(spec).sort().join(',');
    if (keys !== 'data_offsets,dtype,shape') fail(`entry '${name}' must have exactly dtype, shape and data_offsets (has ${keys})`);
    const { dtype, shape, data_offsets: offsets } = spec as { dtype: unknown; shape: unknown; data_offsets: unknown };
    if (typeof dtype !== 'string' || !(dtype in READ)) fail(`entry '${name}' has dtype ${JSON.stringify(dtype)}; supported: ${Object.keys(READ).join(', ')}`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(`entry '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0) || offsets[0] > offsets[1]) {
      fail(`entry '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    let count = 1;
    for (const d of shape as number[]) {
      count *= d;
      if (!Number.isSafeInteger(count)) fail(`entry '${name}' has a shape too large (${JSON.stringify(shape)})`);
    }
    const [begin, end] = offsets as number[];
    if (count * READ[dtype].bytes !== end - begin) {
      fail(`entry '${name}': ${dtype} ${JSON.stringify(shape)} needs ${count * READ[dtype].bytes} bytes, data_offsets span ${end - begin}`);
    }
    specs.push({ name, dtype, shape: shape as number[], begin, end });
  }
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const sorted = [...specs].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const s of sorted) {
    if (s.begin !== expected) {
      fail(
        s.begin < expected
          ? `entry '${s.name}' overlaps the previous tensor (begins at ${s.begin}, previous ends at ${expected})`
          : `gap in the data before entry '${s.name}' (begins at ${s.begin}, previous ends at ${expected})`,
      );
    }
    expected = s.end;
  }
  if (expected !== dataLength) fail(`tensors cover ${expected} bytes of data but the file holds ${dataLength}`);
  const tensors = new Map<string, Tensor>();
  for (const s of specs) {
    const info = READ[s.dtype];
    const count = (s.end - s.begin) / info.bytes;
    const offset = dataStart + s.begin;
    const data: TypedArray = info.dtype === 'float64' ? new Float64Array(count) : info.dtype === 'float32' ? new Float32Array(count) : new Int32Array(count);
    if (littleEndianHost && (s.dtype === 'F32' || s.dtype === 'F64' || s.dtype === 'I32')) {
      new Uint8Array(data.buffer).set(bytes.subarray(offset, offset + count * info.bytes));
    } else {
      for (let i = 0; i < count; i++) data[i] = info.read(view, offset + i * info.bytes);
    }
    tensors.set(s.name, new Tensor(data, s.shape));
  }
  return { tensors, metadata };
}
