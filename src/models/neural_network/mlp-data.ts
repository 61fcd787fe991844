/** The MLP estimators' data helpers: minibatch rows, the early-stopping split and held-out scores. */
import { ValueError } from '../../errors.js';
import type { Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Matrix } from '../../utils/validation.js';

/** Rows `rows` of X as a float64 tensor [rows.length, cols]. */
export function takeRowsOf(X: Matrix, rows: Int32Array): Tensor {
  const { cols } = X;
  const out = new Float64Array(rows.length * cols);
  for (let k = 0; k < rows.length; k++) out.set(X.data.subarray(rows[k] * cols, (rows[k] + 1) * cols), k * cols);
  return new Tensor(out, [rows.length, cols]);
}

/** A random `fraction` of the rows held out for early stopping (at least one), the rest to train on (at least one). */
export function splitValidation(n: number, fraction: number, rng: Generator, est: string): { train: Int32Array; validation: Int32Array } {
  const nValidation = Math.max(1, Math.ceil(fraction * n));
  if (n - nValidation < 1) throw new ValueError(`${est}: earlyStopping needs at least 2 samples, got ${n}`);
  const order = rng.permutation(n);
  return { train: order.slice(nValidation).sort(), validation: order.slice(0, nValidation).sort() };
}

/** Accuracy of the outputs (logits) on rows whose true codes are `codes[rows]`. */
export function accuracyOf(out: Tensor, codes: Int32Array, rows: Int32Array, binary: boolean): number {
  const k = out.shape[1];
  let right = 0;
  for (let i = 0; i < rows.length; i++) {
    let predicted = 0;
    if (binary) predicted = out.data[i] > 0 ? 1 : 0;
    else for (let c = 1; c < k; c++) if (out.data[i * k + c] > out.data[i * k + predicted]) predicted = c;
    if (predicted === codes[rows[i]]) right++;
  }
  return right / rows.length;
}

/** R² of the outputs on rows whose true values are `values[rows]` (0 when those values are constant and matched exactly, as sklearn). */
export function r2Of(out: Tensor, values: Float64Array, rows: Int32Array): number {
  let mean = 0;
  for (const i of rows) mean += values[i];
  mean /= rows.length;
  let residual = 0;
  let total = 0;
  for (let k = 0; k < rows.length; k++) {
    const v = values[rows[k]];
    residual += (v - out.data[k]) ** 2;
    total += (v - mean) ** 2;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}
