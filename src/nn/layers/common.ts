/**
 * Small helpers shared by the layers: option checks, input validation with
 * messages that name the layer, and the raw arrays behind a tensor.
 */
import { DTypeError, ShapeError, ValueError } from '../../errors.js';
import { checkDType, type DType } from '../../tensor/dtype.js';
import { shapeStr } from '../../tensor/shape.js';
import { assertTensor, type Tensor } from '../../tensor/tensor.js';
import type { JsonObject } from '../registry.js';

/** Float dtypes a layer's parameters can have. */
export type FloatDType = 'float32' | 'float64';
export type Floats = Float32Array | Float64Array;

/** Every layer with parameters takes `dtype` (float32 by default; float64 for gradient checks). */
export interface DTypeOption {
  dtype?: FloatDType;
}

export function floatDType(dtype: DType | undefined, layer: string): FloatDType {
  const d = checkDType(dtype ?? 'float32');
  if (d === 'int32') throw new DTypeError(`${layer}: dtype must be 'float32' or 'float64', got 'int32'`);
  return d;
}

/** Throws unless x is a float tensor of the layer's dtype. */
export function checkFloatInput(layer: string, x: Tensor, dtype: FloatDType): void {
  assertTensor(x, layer, 'the input');
  if (x.dtype !== dtype) {
    const hint = x.dtype === 'int32' ? `convert it with x.astype('${dtype}')` : `build the layer with { dtype: '${x.dtype}' } or convert the input with x.astype('${dtype}')`;
    throw new DTypeError(`${layer}: expected a ${dtype} input, got ${x.dtype}; ${hint}`);
  }
}

/** Throws unless x has one of the given numbers of dimensions. */
export function checkNdim(layer: string, x: Tensor, ndims: readonly number[], layout: string): void {
  if (!ndims.includes(x.ndim)) {
    throw new ShapeError(`${layer}: expected a ${ndims.join('-D or ')}-D input ${layout}, got shape ${shapeStr(x.shape)}`);
  }
}

export function positiveInt(value: unknown, what: string, layer: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ValueError(`${layer}: ${what} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

export function nonNegativeInt(value: unknown, what: string, layer: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ValueError(`${layer}: ${what} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

export function probability(value: unknown, what: string, layer: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new ValueError(`${layer}: ${what} must be a number in [0, 1], got ${String(value)}`);
  }
  return value;
}

export function finiteNumber(value: unknown, what: string, layer: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ValueError(`${layer}: ${what} must be a finite number, got ${String(value)}`);
  }
  return value;
}

/** A size given as n or [h, w], normalised to a pair of integers >= min. */
export function intPair(value: number | readonly number[], what: string, layer: string, min: number): [number, number] {
  const p = typeof value === 'number' ? [value, value] : [...value];
  if (p.length !== 2 || p.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < min)) {
    throw new ValueError(`${layer}: ${what} must be an integer >= ${min} or a pair of them, got ${JSON.stringify(value)}`);
  }
  return [p[0], p[1]];
}

/** Rejects option names a layer does not know (a typo would otherwise be silently ignored). */
export { checkOptions } from '../../utils/options.js';

export function floats(t: Tensor): Floats {
  return t.data as Floats;
}

/**
 * A convolution layer's constructor arguments from its saved config:
 * (inChannels, outChannels, kernelSize, the remaining options), as every
 * conv layer's fromConfig passes them back to its constructor.
 */
export function convConstructorArgs<Kernel, Options>(config: JsonObject): [number, number, Kernel, Options] {
  const { inChannels, outChannels, kernelSize, ...options } = config as unknown as { inChannels: number; outChannels: number; kernelSize: Kernel };
  return [inChannels, outChannels, kernelSize, options as Options];
}
