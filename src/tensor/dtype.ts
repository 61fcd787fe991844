import { DTypeError, LimitError } from '../errors.js';

/** Element types a Tensor can hold. float32 is the default. */
export type DType = 'float32' | 'float64' | 'int32';
export type TypedArray = Float32Array | Float64Array | Int32Array;

export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

/**
 * Elements tensors may still allocate inside {@link withAllocationLimit}
 * (Infinity outside it: then arrayFor costs one comparison more).
 */
let allocationBudget = Infinity;
let allocationScope = '';

/**
 * Runs `build` with at most `maxElements` tensor elements allocated in all:
 * a model described by an untrusted file is refused before it allocates
 * more than the file's own tensors could fill.
 */
export function withAllocationLimit<T>(maxElements: number, scope: string, build: () => T): T {
  const [savedBudget, savedScope] = [allocationBudget, allocationScope];
  allocationBudget = Math.min(allocationBudget, maxElements);
  allocationScope = scope;
  try {
    return build();
  } finally {
    allocationBudget = savedBudget;
    allocationScope = savedScope;
  }
}

/**
 * A zero-filled array of `length` elements; `shape` (when the caller has one)
 * only names the tensor in the LimitError thrown when the engine cannot hold it.
 */
export function arrayFor(dtype: DType, length: number, shape?: readonly number[]): TypedArray {
  if (length > allocationBudget) {
    throw new LimitError(`${allocationScope}: allocating ${length} more elements would exceed the limit (${allocationBudget} left)`);
  }
  if (allocationBudget !== Infinity) allocationBudget -= length;
  try {
    switch (dtype) {
      case 'float32':
        return new Float32Array(length);
      case 'float64':
        return new Float64Array(length);
      case 'int32':
        return new Int32Array(length);
      default:
        throw new DTypeError(`unknown dtype '${String(dtype)}'; expected one of ${DTYPES.join(', ')}`);
    }
  } catch (err) {
    // The engine's own RangeError: past its typed-array length limit, or memory refused.
    if (!(err instanceof RangeError)) throw err;
    const tensor = shape === undefined ? 'a tensor' : `a tensor of shape [${shape.join(', ')}]`;
    throw new LimitError(`${tensor} with ${length} ${dtype} elements is too large to allocate (${err.message})`);
  }
}

export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  throw new DTypeError(`unsupported array type ${(data as object)?.constructor?.name}; expected Float32Array, Float64Array or Int32Array`);
}

export function isFloat(dtype: DType): boolean {
  return dtype !== 'int32';
}

/** The dtype two operands are computed in: int32 < float32 < float64 (as PyTorch promotes). */
export function promote(a: DType, b: DType): DType {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}

export function checkDType(dtype: string): DType {
  if (!(DTYPES as readonly string[]).includes(dtype)) {
    throw new DTypeError(`unknown dtype '${dtype}'; expected one of ${DTYPES.join(', ')}`);
  }
  return dtype as DType;
}
