/**
 * ONNX's protobuf messages through protobufjs and the official onnx.proto3
 * (embedded), plus the checked conversion between a TensorProto and a Frugal
 * Tensor. Every size a file claims is checked against the bytes actually
 * present and against a limit before anything is allocated.
 */
import protobuf from 'protobufjs';
import { LimitError, ParseError, ValueError } from '../errors.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { ONNX_PROTO3 } from './onnx-schema.js';

/** ONNX TensorProto.DataType codes used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT32 = 6;
export const ONNX_INT64 = 7;
export const ONNX_DOUBLE = 11;
export const ONNX_STRING = 8;

/** AttributeProto.AttributeType codes. */
export const ATTR_FLOAT = 1;
export const ATTR_INT = 2;
export const ATTR_STRING = 3;
export const ATTR_TENSOR = 4;
export const ATTR_FLOATS = 6;
export const ATTR_INTS = 7;
export const ATTR_STRINGS = 8;

/** Bounds on what a file may ask for. */
export const ONNX_LIMITS = {
  /** Elements of one tensor (initializer or constant). */
  maxTensorElements: 1 << 28,
  /** Nodes in the main graph. */
  maxNodes: 100_000,
  /** Dimensions of one tensor. */
  maxRank: 8,
};

/** Plain decoded shapes (protobufjs `toObject`, int64 as numbers, original field names). */
export interface TensorProto {
  dims?: number[];
  data_type?: number;
  name?: string;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  string_data?: Uint8Array[];
  data_location?: number;
}
export interface AttributeProto {
  name: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: unknown;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}
export interface NodeProto {
  input?: string[];
  output?: string[];
  name?: string;
  op_type: string;
  domain?: string;
  attribute?: AttributeProto[];
}
export interface ValueInfoProto {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: { dim_value?: number; dim_param?: string }[] } } };
}
export interface GraphProto {
  node?: NodeProto[];
  name?: string;
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
}
export interface ModelProto {
  ir_version?: number;
  opset_import?: { domain?: string; version?: number }[];
  producer_name?: string;
  graph?: GraphProto;
  metadata_props?: { key: string; value: string }[];
}

let modelType: protobuf.Type | null = null;

/** The ModelProto type, parsed once from the embedded schema. */
function modelProtoType(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO3, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/** Encodes a plain ModelProto object to bytes. */
export function encodeModel(model: ModelProto): Uint8Array {
  const type = modelProtoType();
  return type.encode(type.fromObject(model as unknown as Record<string, unknown>)).finish();
}

/** Decodes ONNX bytes; a truncated or corrupted file is a ParseError. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const type = modelProtoType();
  let message: protobuf.Message;
  try {
    // protobufjs checks every length prefix against the bytes left before reading it.
    message = type.decode(bytes);
  } catch (e) {
    throw new ParseError(`ONNX: not a valid ONNX model (${(e as Error).message})`);
  }
  return type.toObject(message, { longs: Number, arrays: true, defaults: false }) as ModelProto;
}

const BYTES_PER: Record<number, number> = { [ONNX_FLOAT]: 4, [ONNX_INT32]: 4, [ONNX_INT64]: 8, [ONNX_DOUBLE]: 8 };

/** Checked dims of a TensorProto and their product. */
function checkedDims(proto: TensorProto, where: string): { dims: number[]; count: number } {
  const dims = proto.dims ?? [];
  if (dims.length > ONNX_LIMITS.maxRank) throw new LimitError(`${where}: rank ${dims.length} exceeds the limit ${ONNX_LIMITS.maxRank}`);
  let count = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw new ParseError(`${where}: invalid dimension ${d}`);
    count *= d;
    if (count > ONNX_LIMITS.maxTensorElements) throw new LimitError(`${where}: claims more than ${ONNX_LIMITS.maxTensorElements} elements (dims ${JSON.stringify(dims)})`);
  }
  return { dims, count };
}

/**
 * A TensorProto as a Frugal Tensor: float → float32, double → float64,
 * int32/int64 → int32 (int64 values outside int32 are refused).
 */
export function tensorFromProto(proto: TensorProto, where: string): Tensor {
  const name = `${where} '${proto.name ?? ''}'`;
  if (proto.data_location === 1) throw new ValueError(`${name}: external tensor data is not supported; embed the weights in the .onnx file`);
  const type = proto.data_type ?? 0;
  const width = BYTES_PER[type];
  if (width === undefined) throw new ValueError(`${name}: unsupported tensor data type ${type} (supported: float, double, int32, int64)`);
  const { dims, count } = checkedDims(proto, name);
  const dtype: DType = type === ONNX_DOUBLE ? 'float64' : type === ONNX_FLOAT ? 'float32' : 'int32';
  const raw = proto.raw_data;
  let values: ArrayLike<number> | null = null;
  if (raw !== undefined && raw.length > 0) {
    if (raw.length !== count * width) throw new ParseError(`${name}: raw_data holds ${raw.length} bytes, dims ${JSON.stringify(dims)} need ${count * width}`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = allocate(dtype, count);
    for (let i = 0; i < count; i++) {
      if (type === ONNX_FLOAT) out[i] = view.getFloat32(i * 4, true);
      else if (type === ONNX_DOUBLE) out[i] = view.getFloat64(i * 8, true);
      else if (type === ONNX_INT32) out[i] = view.getInt32(i * 4, true);
      else out[i] = int64ToInt32(view.getBigInt64(i * 8, true));
    }
    return new Tensor(out, dims);
  }
  if (type === ONNX_FLOAT) values = proto.float_data ?? [];
  else if (type === ONNX_DOUBLE) values = proto.double_data ?? [];
  else if (type === ONNX_INT32) values = proto.int32_data ?? [];
  else values = proto.int64_data ?? [];
  if (values.length !== count) throw new ParseError(`${name}: holds ${values.length} values, dims ${JSON.stringify(dims)} need ${count}`);
  const out = allocate(dtype, count);
  for (let i = 0; i < count; i++) out[i] = type === ONNX_INT64 ? int64ToInt32(values[i]) : values[i];
  return new Tensor(out, dims);
}

function allocate(dtype: DType, n: number): TypedArray {
  return dtype === 'float64' ? new Float64Array(n) : dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
}

/** int64 → int32, clamped: INT64_MIN / MAX are the usual "to the end" markers of Slice. */
function int64ToInt32(v: bigint | number): number {
  if (v > 2147483647) return 2147483647;
  if (v < -2147483648) return -2147483648;
  return Number(v);
}

/** A Frugal Tensor as a TensorProto (float32 → FLOAT, float64 → DOUBLE, int32 → INT64 when `asInt64`). */
export function tensorToProto(name: string, t: Tensor, options: { asInt64?: boolean } = {}): TensorProto {
  const dims = [...t.shape];
  if (t.dtype === 'int32') {
    if (options.asInt64) {
      const raw = new BigInt64Array(t.size);
      for (let i = 0; i < t.size; i++) raw[i] = BigInt(t.data[i]);
      return { name, dims, data_type: ONNX_INT64, raw_data: new Uint8Array(raw.buffer) };
    }
    return { name, dims, data_type: ONNX_INT32, raw_data: new Uint8Array(new Int32Array(t.data).buffer) };
  }
  const copy = t.dtype === 'float32' ? new Float32Array(t.data) : new Float64Array(t.data);
  return { name, dims, data_type: t.dtype === 'float32' ? ONNX_FLOAT : ONNX_DOUBLE, raw_data: new Uint8Array(copy.buffer) };
}

/** An int64 tensor from plain integers (shapes, axes). */
export function int64Proto(name: string, values: readonly number[]): TensorProto {
  const raw = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) raw[i] = BigInt(values[i]);
  return { name, dims: [values.length], data_type: ONNX_INT64, raw_data: new Uint8Array(raw.buffer) };
}

/** A string tensor (class labels). */
export function stringProto(name: string, values: readonly string[]): TensorProto {
  return { name, dims: [values.length], data_type: ONNX_STRING, string_data: values.map((v) => new TextEncoder().encode(v)) };
}
