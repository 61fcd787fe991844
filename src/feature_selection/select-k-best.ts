/**
 * SelectKBest (scikit-learn's): keeps the k features with the highest
 * univariate scores. Ties at the cut keep the later feature, and NaN
 * scores rank lowest, as in scikit-learn.
 */
import { ValueError } from '../errors.js';
import { BaseTransformer } from '../models/base.js';
import { Tensor } from '../tensor/tensor.js';
import { readOptions } from '../utils/options.js';
import { toMatrix, type MatrixInput } from '../utils/validation.js';
import { fClassif, type ScoreFunction } from './univariate.js';

export interface SelectKBestParams {
  /** Scores the features: fClassif (default), fRegression, chi2 or any function returning { scores, pvalues }. */
  scoreFunc: ScoreFunction;
  /** Number of features kept, or 'all' (default 10). */
  k: number | 'all';
}

export class SelectKBest extends BaseTransformer<SelectKBestParams> {
  static readonly defaults: SelectKBestParams = { scoreFunc: fClassif, k: 10 };
  scores: Float64Array | undefined = undefined;
  pvalues: Float64Array | null | undefined = undefined;
  /** Kept feature indices, ascending. */
  selected: Int32Array | undefined = undefined;

  override fit(X: MatrixInput, y?: unknown): this {
    const { scoreFunc, k } = this.params;
    if (typeof scoreFunc !== 'function') throw new ValueError(`SelectKBest: scoreFunc must be a function, got ${String(scoreFunc)}`);
    if (y === undefined || y === null) throw new ValueError('SelectKBest.fit needs the target y');
    const Xm = toMatrix(X);
    if (k !== 'all' && (typeof k !== 'number' || !Number.isInteger(k) || k < 0)) throw new ValueError(`SelectKBest: k must be a non-negative integer or 'all', got ${String(k)}`);
    if (k !== 'all' && k > Xm.cols) throw new ValueError(`SelectKBest: k should be <= nFeatures = ${Xm.cols}; got ${k}. Use k: 'all' to return all features.`);
    const result = scoreFunc(Xm, y as never);
    if (!(result?.scores instanceof Float64Array) || result.scores.length !== Xm.cols) {
      throw new ValueError(`SelectKBest: scoreFunc must return { scores: Float64Array of ${Xm.cols} values, pvalues }`);
    }
    this.scores = result.scores;
    this.pvalues = result.pvalues ?? null;
    const kept = k === 'all' ? Xm.cols : k;
    // stable ascending order by score (NaN lowest), keep the last k
    const order = Array.from({ length: Xm.cols }, (_, f) => f);
    const key = (f: number): number => (Number.isNaN(result.scores[f]) ? Number.NEGATIVE_INFINITY : result.scores[f]);
    order.sort((a, b) => key(a) - key(b) || a - b);
    this.selected = Int32Array.from(order.slice(Xm.cols - kept)).sort();
    return this.markFitted(Xm.cols);
  }

  /** A mask of the kept features, or their indices with { indices: true }. */
  getSupport(options: { indices?: boolean } = {}): Uint8Array | Int32Array {
    const o = readOptions('SelectKBest.getSupport', options, ['indices']);
    this.checkFitted();
    if (o.indices) return this.selected!.slice();
    const mask = new Uint8Array(this.nFeaturesIn!);
    for (const f of this.selected!) mask[f] = 1;
    return mask;
  }

  /** The kept columns of X. */
  transform(X: MatrixInput): Tensor {
    const Xm = this.validateInput(X);
    const sel = this.selected!;
    const out = new Float64Array(Xm.rows * sel.length);
    for (let r = 0; r < Xm.rows; r++) for (let t = 0; t < sel.length; t++) out[r * sel.length + t] = Xm.data[r * Xm.cols + sel[t]];
    return new Tensor(out, [Xm.rows, sel.length]);
  }
}
