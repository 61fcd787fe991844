/**
 * Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_),
 * in place on the gradients' typed arrays.
 */
import { checkOptions } from '../utils/options.js';
import { FrugalError, ValueError } from '../errors.js';
import type { TypedArray } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * The gradient arrays of `params` (each counts in the norm), and the
 * distinct ones: autograd may hand two parameters the same gradient array
 * (e.g. both operands of an add), which must be scaled only once.
 */
function gradArrays(params: Iterable<Tensor> | Tensor): { all: TypedArray[]; distinct: TypedArray[] } {
  const list = params instanceof Tensor ? [params] : [...params];
  const all: TypedArray[] = [];
  for (const p of list) if (p.grad) all.push(p.grad.data);
  return { all, distinct: [...new Set(all)] };
}

export interface ClipGradNormOptions {
  /** The p of the p-norm (default 2; Infinity for the largest absolute value). */
  normType?: number;
  /** Throw when the total norm is NaN or infinite (default false, as PyTorch). */
  errorIfNonfinite?: boolean;
}

/**
 * Scales all gradients together so that their joint norm is at most
 * `maxNorm`; returns the norm before clipping. Parameters without a
 * gradient are skipped.
 */
export function clipGradNorm(params: Iterable<Tensor> | Tensor, maxNorm: number, options: ClipGradNormOptions = {}): number {
  checkOptions('clipGradNorm', options, ['normType', 'errorIfNonfinite']);
  const normType = options.normType ?? 2;
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0) throw new ValueError(`clipGradNorm: maxNorm must be a number >= 0, got ${String(maxNorm)}`);
  if (typeof normType !== 'number' || !(normType > 0)) throw new ValueError(`clipGradNorm: normType must be > 0 (or Infinity), got ${String(normType)}`);
  const { all: arrays, distinct } = gradArrays(params);
  if (arrays.length === 0) return 0;
  let total: number;
  if (normType === Infinity) {
    total = 0;
    for (const a of arrays) {
      for (let i = 0; i < a.length; i++) {
        const v = Math.abs(a[i]);
        if (v > total || v !== v) total = v;
      }
    }
  } else {
    // Norm of the per-tensor norms, as PyTorch computes it.
    let acc = 0;
    for (const a of arrays) {
      let s = 0;
      if (normType === 2) for (let i = 0; i < a.length; i++) s += a[i] * a[i];
      else for (let i = 0; i < a.length; i++) s += Math.pow(Math.abs(a[i]), normType);
      const norm = normType === 2 ? Math.sqrt(s) : Math.pow(s, 1 / normType);
      acc += normType === 2 ? norm * norm : Math.pow(norm, normType);
    }
    total = normType === 2 ? Math.sqrt(acc) : Math.pow(acc, 1 / normType);
  }
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new FrugalError(`clipGradNorm: the total gradient norm is ${total}; the gradients hold NaN or infinite values`);
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1);
  if (coef < 1 || coef !== coef) for (const a of distinct) for (let i = 0; i < a.length; i++) a[i] *= coef;
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue]. */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) throw new ValueError(`clipGradValue: clipValue must be a number >= 0, got ${String(clipValue)}`);
  for (const a of gradArrays(params).distinct) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (v > clipValue) a[i] = clipValue;
      else if (v < -clipValue) a[i] = -clipValue;
    }
  }
}
