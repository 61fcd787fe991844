/**
 * What every loss shares: the reduction option ('mean', 'sum', 'none') and
 * the checks of the input and target tensors.
 */
import { DTypeError, ShapeError, ValueError } from '../../errors.js';
import { shapeStr, sameShape } from '../../tensor/shape.js';
import { assertTensor, type Tensor } from '../../tensor/tensor.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface ReductionOptions {
  /** 'mean' (default): average; 'sum': total; 'none': one loss per element. */
  reduction?: Reduction;
}

export function checkReduction(fn: string, r: unknown, allowBatchmean = false): Reduction | 'batchmean' {
  const ok = ['mean', 'sum', 'none', ...(allowBatchmean ? ['batchmean'] : [])];
  if (typeof r !== 'string' || !ok.includes(r)) throw new ValueError(`${fn}: reduction must be one of ${ok.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(r)}`);
  return r as Reduction;
}

export function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? loss.sum() : loss.mean();
}

export function checkFloat(fn: string, what: string, t: Tensor): void {
  assertTensor(t, fn, what);
  if (t.dtype === 'int32') throw new DTypeError(`${fn}: ${what} must be a float tensor, got int32`);
}

export function checkSameShape(fn: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new ShapeError(`${fn}: input ${shapeStr(input.shape)} and target ${shapeStr(target.shape)} must have the same shape`);
  }
}

/** Target of the input's dtype (an int32 or other-precision target is converted). */
export function asInputDType(target: Tensor, input: Tensor): Tensor {
  return target.dtype === input.dtype ? target : target.astype(input.dtype);
}
