/**
 * SimpleImputer: fills missing values (NaN by default) per column with
 * the mean, median, most frequent value or a constant, as scikit-learn's
 * `SimpleImputer` does for numeric data. This transformer accepts NaN.
 */
import { ValueError } from '../errors.js';
import { BaseTransformer } from '../models/base.js';
import { Tensor } from '../tensor/tensor.js';
import { toMatrix, type Matrix, type MatrixInput } from '../utils/validation.js';

export interface SimpleImputerParams {
  /** The value that marks a missing entry (default NaN). */
  missingValues: number;
  /** 'mean' (default), 'median', 'most_frequent' or 'constant'. */
  strategy: 'mean' | 'median' | 'most_frequent' | 'constant';
  /** Replacement for strategy 'constant' (default 0). */
  fillValue: number | null;
  /** Keep features that were all missing at fit time (filled with 0; default false drops them, like sklearn). */
  keepEmptyFeatures: boolean;
  /** Append one 0/1 indicator column per feature that had missing values at fit time. */
  addIndicator: boolean;
}

/** Replaces missing values by a per-feature statistic learned in fit. */
export class SimpleImputer extends BaseTransformer<SimpleImputerParams> {
  /** Per-feature fill value (NaN for features with no observed value). */
  statistics: Float64Array | undefined;
  /** Features that had missing values in fit (used by addIndicator). */
  indicatorFeatures: Int32Array | undefined;

  constructor(params: Partial<SimpleImputerParams> = {}) {
    super(params, { missingValues: Number.NaN, strategy: 'mean', fillValue: null, keepEmptyFeatures: false, addIndicator: false });
  }

  private isMissing(): (v: number) => boolean {
    const mv = this.params.missingValues;
    return Number.isNaN(mv) ? (v) => v !== v : (v) => v === mv;
  }

  private read(X: MatrixInput): Matrix {
    const nanMissing = Number.isNaN(this.params.missingValues);
    return toMatrix(X, { allowNaN: nanMissing });
  }

  override fit(X: MatrixInput): this {
    const { strategy, fillValue, missingValues } = this.params;
    if (!['mean', 'median', 'most_frequent', 'constant'].includes(strategy)) {
      throw new ValueError(`strategy must be 'mean', 'median', 'most_frequent' or 'constant', got ${String(strategy)}`);
    }
    if (typeof missingValues !== 'number') throw new ValueError(`missingValues must be a number (or NaN), got ${String(missingValues)}`);
    const m = this.read(X);
    const { data, rows, cols } = m;
    const missing = this.isMissing();
    const stats = new Float64Array(cols);
    const hadMissing: number[] = [];
    const column = new Float64Array(rows);
    for (let j = 0; j < cols; j++) {
      let k = 0;
      for (let i = 0; i < rows; i++) {
        const v = data[i * cols + j];
        if (!missing(v)) column[k++] = v;
      }
      if (k < rows) hadMissing.push(j);
      const vals = column.subarray(0, k);
      if (strategy === 'constant') {
        stats[j] = fillValue ?? 0;
      } else if (k === 0) {
        stats[j] = Number.NaN;
      } else if (strategy === 'mean') {
        let s = 0;
        for (let i = 0; i < k; i++) s += vals[i];
        stats[j] = s / k;
      } else {
        vals.sort();
        if (strategy === 'median') {
          const h = k >> 1;
          stats[j] = k % 2 ? vals[h] : (vals[h - 1] + vals[h]) / 2;
        } else {
          // mode; ties go to the smallest value
          let best = vals[0];
          let bestCount = 0;
          for (let i = 0; i < k; ) {
            let e = i;
            while (e < k && vals[e] === vals[i]) e++;
            if (e - i > bestCount) {
              bestCount = e - i;
              best = vals[i];
            }
            i = e;
          }
          stats[j] = best;
        }
      }
    }
    this.statistics = stats;
    this.indicatorFeatures = Int32Array.from(hadMissing);
    return this.markFitted(cols);
  }

  override transform(X: MatrixInput): Tensor {
    const m = this.validateInput(X, { allowNaN: Number.isNaN(this.params.missingValues) });
    const stats = this.statistics!;
    const keepEmpty = this.params.keepEmptyFeatures || this.params.strategy === 'constant';
    const keep: number[] = [];
    for (let j = 0; j < m.cols; j++) if (keepEmpty || !Number.isNaN(stats[j])) keep.push(j);
    const ind = this.params.addIndicator ? this.indicatorFeatures! : new Int32Array(0);
    const width = keep.length + ind.length;
    const out = new Float64Array(m.rows * width);
    const missing = this.isMissing();
    for (let i = 0; i < m.rows; i++) {
      const src = i * m.cols;
      const dst = i * width;
      for (let c = 0; c < keep.length; c++) {
        const j = keep[c];
        const v = m.data[src + j];
        out[dst + c] = missing(v) ? (Number.isNaN(stats[j]) ? 0 : stats[j]) : v;
      }
      for (let c = 0; c < ind.length; c++) out[dst + keep.length + c] = missing(m.data[src + ind[c]]) ? 1 : 0;
    }
    return new Tensor(out, [m.rows, width]);
  }
}
