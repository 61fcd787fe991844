/**
 * Recognising the kinds of input the converters accept (internal to
 * utils/): `{data, shape}` (Tensors), Matrices, and a short description of
 * a value for error messages.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { Matrix } from '../linalg/matrix.js';
import type { NumericArray, ShapedArray } from './validation.js';

export function isShaped(x: unknown): x is ShapedArray {
  return typeof x === 'object' && x !== null && 'data' in x && 'shape' in x;
}

/** `{data, shape}` input with its parts checked: shape an array, data an array or typed array. */
export function shapedParts(x: ShapedArray, name: string): { data: NumericArray; shape: readonly number[] } {
  const { data, shape } = x;
  if (!Array.isArray(shape)) throw new ShapeError(`${name}: shape must be an array of sizes, got ${describe(shape)}`);
  if (!Array.isArray(data) && !(ArrayBuffer.isView(data) && !(data instanceof DataView))) {
    throw new ValueError(`${name}: data must be an array or a typed array, got ${describe(data)}`);
  }
  return { data, shape };
}

export function isMatrix(x: unknown): x is Matrix {
  return typeof x === 'object' && x !== null && 'data' in x && 'rows' in x && 'cols' in x && !('shape' in x);
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return `a string ('${v.length > 40 ? `${v.slice(0, 40)}...` : v}')`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} (${String(v)})`;
}
