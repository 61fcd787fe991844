/**
 * FunctionTransformer (scikit-learn's): a transformer made from a function,
 * for a custom step in a Pipeline (a log, a column choice, a clipping).
 * Stateless: `fit` only checks X (with `validate`) and records its width.
 */
import { ValueError } from '../errors.js';
import { BaseTransformer } from '../models/base.js';
import type { Tensor } from '../tensor/tensor.js';
import { matrixToTensor, toMatrix, type MatrixInput } from '../utils/validation.js';

/** The function of a FunctionTransformer: takes X (a float64 Tensor when validate is true) and returns the new X. */
export type TransformFunction = (X: unknown, kwArgs?: Record<string, unknown>) => unknown;

export interface FunctionTransformerParams {
  /** Applied by transform; null: the identity (default). */
  func: TransformFunction | null;
  /** Applied by inverseTransform; null: the identity (default). */
  inverseFunc: TransformFunction | null;
  /** Convert and check X (2-D, finite numbers) and pass it as a float64 Tensor (default false: X is passed as given). */
  validate: boolean;
  /** Extra argument passed to func (default null). */
  kwArgs: Record<string, unknown> | null;
  /** Extra argument passed to inverseFunc (default null). */
  invKwArgs: Record<string, unknown> | null;
}

export class FunctionTransformer extends BaseTransformer<FunctionTransformerParams> {
  static readonly defaults: FunctionTransformerParams = { func: null, inverseFunc: null, validate: false, kwArgs: null, invKwArgs: null };

  override fit(X: MatrixInput, _y?: unknown): this {
    this.checkParams();
    if (this.params.validate) return this.markFitted(toMatrix(X).cols);
    return this.markFitted();
  }

  /** func(X), as a float64 Tensor [rows, columns]. */
  transform(X: MatrixInput): Tensor {
    return this.apply(X, this.params.func, this.params.kwArgs, 'func');
  }

  /** inverseFunc(X), as a float64 Tensor. */
  inverseTransform(X: MatrixInput): Tensor {
    return this.apply(X, this.params.inverseFunc, this.params.invKwArgs, 'inverseFunc');
  }

  private checkParams(): void {
    for (const name of ['func', 'inverseFunc'] as const) {
      const f = this.params[name];
      if (f !== null && typeof f !== 'function') throw new ValueError(`FunctionTransformer: ${name} must be a function or null, got ${String(f)}`);
    }
    if (typeof this.params.validate !== 'boolean') throw new ValueError(`FunctionTransformer: validate must be true or false, got ${String(this.params.validate)}`);
  }

  private apply(X: MatrixInput, f: TransformFunction | null, kwArgs: Record<string, unknown> | null, name: string): Tensor {
    this.checkFitted();
    this.checkParams();
    const input = this.params.validate ? matrixToTensor(this.validateInput(X)) : X;
    const out = f === null ? input : f(input, kwArgs ?? undefined);
    // the identity copies, so the output never shares memory with the caller's X
    return matrixToTensor(toMatrix(out as MatrixInput, { name: `the output of ${name}`, allowNaN: true, copy: f === null }));
  }
}
