/** Tensors made from sizes and ranges, and seeded random tensors. */
import { ValueError } from '../errors.js';
import { arrayFor, checkDType, type DType } from './dtype.js';
import { resolveGenerator, type Generator } from './random.js';
import { checkShape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

export interface CreationOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends CreationOptions {
  /** A seed or generator for this draw; the global one (see manualSeed) otherwise. */
  generator?: Generator | number;
}

function make(shape: readonly number[], options: CreationOptions, fill: (data: Float32Array | Float64Array | Int32Array) => void): Tensor {
  const dims = checkShape(shape);
  const data = arrayFor(checkDType(options.dtype ?? 'float32'), sizeOf(dims), dims);
  fill(data);
  return new Tensor(data, dims, { requiresGrad: options.requiresGrad });
}

export const zeros = (shape: readonly number[], options: CreationOptions = {}): Tensor => make(shape, options, () => {});
export const ones = (shape: readonly number[], options: CreationOptions = {}): Tensor => make(shape, options, (d) => d.fill(1));

export function full(shape: readonly number[], value: number, options: CreationOptions = {}): Tensor {
  return make(shape, options, (d) => d.fill(value));
}

/** Values from start up to (not including) end by step; `arange(5)` is 0..4. */
export function arange(start: number, end?: number, step = 1, options: CreationOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new ValueError(`arange: step must be a finite non-zero number, got ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = options.dtype ?? (Number.isInteger(start) && Number.isInteger(step) ? 'int32' : 'float32');
  return make([n], { ...options, dtype }, (d) => {
    for (let i = 0; i < n; i++) d[i] = start + i * step;
  });
}

/** `count` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, count: number, options: CreationOptions = {}): Tensor {
  if (!Number.isInteger(count) || count < 0) throw new ValueError(`linspace: count must be a non-negative integer, got ${count}`);
  return make([count], options, (d) => {
    const step = count > 1 ? (end - start) / (count - 1) : 0;
    for (let i = 0; i < count; i++) d[i] = start + i * step;
    if (count > 1) d[count - 1] = end;
  });
}

/** The identity matrix (n × m, m defaults to n). */
export function eye(n: number, m = n, options: CreationOptions = {}): Tensor {
  return make([n, m], options, (d) => {
    for (let i = 0; i < Math.min(n, m); i++) d[i * m + i] = 1;
  });
}

/** Uniform on [0, 1). */
export function rand(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const gen = resolveGenerator(options.generator);
  return make(shape, options, (d) => {
    for (let i = 0; i < d.length; i++) d[i] = gen.random();
  });
}

/** Standard normal. */
export function randn(shape: readonly number[], options: RandomOptions = {}): Tensor {
  const gen = resolveGenerator(options.generator);
  return make(shape, options, (d) => {
    for (let i = 0; i < d.length; i++) d[i] = gen.normal();
  });
}

/** Uniform integers in [low, high); int32 unless another dtype is asked for. */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) throw new ValueError(`randint: need integers low < high, got ${low} and ${high}`);
  const gen = resolveGenerator(options.generator);
  return make(shape, { ...options, dtype: options.dtype ?? 'int32' }, (d) => {
    for (let i = 0; i < d.length; i++) d[i] = gen.randint(low, high);
  });
}
