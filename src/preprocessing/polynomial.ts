/**
 * PolynomialFeatures: all products of features up to a degree, in
 * scikit-learn's column order (bias, degree 1, then each degree's
 * combinations with replacement in lexicographic order).
 */
import { LimitError, ValueError } from '../errors.js';
import { BaseTransformer } from '../models/base.js';
import { checkFinite } from '../models/finite.js';
import { Tensor } from '../tensor/tensor.js';
import { toMatrix, type MatrixInput } from '../utils/validation.js';

export interface PolynomialFeaturesParams {
  /** Maximum degree, or [minDegree, maxDegree] (default 2). */
  degree: number | readonly [number, number];
  /** Only products of distinct features (no x0², default false). */
  interactionOnly: boolean;
  /** Include the constant column of ones (default true). */
  includeBias: boolean;
}

/** Combinations (with replacement unless interactionOnly) of 0..n-1 of size k, itertools order. */
function combinations(n: number, k: number, replacement: boolean): number[][] {
  const out: number[][] = [];
  const cur: number[] = [];
  const rec = (start: number): void => {
    if (cur.length === k) {
      out.push(cur.slice());
      return;
    }
    for (let i = start; i < n; i++) {
      cur.push(i);
      rec(replacement ? i : i + 1);
      cur.pop();
    }
  };
  rec(0);
  return out;
}

/** The most columns (combinations of degree 0..maxDegree) PolynomialFeatures plans before refusing. */
export const MAX_POLYNOMIAL_COMBINATIONS = 1_000_000;

/**
 * How many combinations of degree 0..maxDeg there are among n features:
 * Σ_d C(n + d - 1, d) with replacement, Σ_d C(n, d) without. Stops counting
 * once past `limit`, so a huge degree costs nothing.
 */
function countCombinations(n: number, maxDeg: number, replacement: boolean, limit: number): number {
  let total = 0;
  let term = 1; // C(., 0)
  for (let d = 0; d <= maxDeg; d++) {
    if (d > 0) term = replacement ? (term * (n + d - 1)) / d : (term * (n - d + 1)) / d;
    if (term <= 0) break;
    total += term;
    if (total > limit) return total;
  }
  return total;
}

/** Generates polynomial and interaction features. */
export class PolynomialFeatures extends BaseTransformer<PolynomialFeaturesParams> {
  /** powers[o][f]: exponent of input feature f in output column o. */
  powers: number[][] | undefined;
  nOutputFeatures: number | undefined;
  // plan: full list of combos (degree 0 / 1 / >=2); for degree >= 2, value = value(parent) * x[first]
  private parent: Int32Array | undefined;
  private first: Int32Array | undefined;
  private degreeOf: Int32Array | undefined;
  private outputCols: Int32Array | undefined;

  constructor(params: Partial<PolynomialFeaturesParams> = {}) {
    super(params, { degree: 2, interactionOnly: false, includeBias: true });
  }

  private degrees(): [number, number] {
    const d = this.params.degree;
    if (typeof d !== 'number' && !(Array.isArray(d) && d.length === 2)) {
      throw new ValueError(`degree must be a non-negative integer or [minDegree, maxDegree], got ${String(d)}`);
    }
    const [lo, hi] = typeof d === 'number' ? [0, d] : d;
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi < lo) {
      throw new ValueError(`degree must be a non-negative integer or [minDegree, maxDegree] with 0 <= minDegree <= maxDegree, got ${JSON.stringify(d)}`);
    }
    if (hi === 0 && !this.params.includeBias) throw new ValueError('Setting degree to zero and includeBias to false would result in an empty output array');
    return [lo, hi];
  }

  override fit(X: MatrixInput): this {
    const [minDeg, maxDeg] = this.degrees();
    const n = toMatrix(X).cols;
    const repl = !this.params.interactionOnly;
    const planned = countCombinations(n, maxDeg, repl, MAX_POLYNOMIAL_COMBINATIONS);
    if (planned > MAX_POLYNOMIAL_COMBINATIONS) {
      throw new LimitError(`PolynomialFeatures: degree ${maxDeg} over ${n} features gives more than ${MAX_POLYNOMIAL_COMBINATIONS} output columns`);
    }
    // full plan from degree 0 up, so that every combo's parent exists
    const combos: number[][] = [];
    for (let d = 0; d <= maxDeg; d++) combos.push(...combinations(n, d, repl));
    const index = new Map<string, number>();
    combos.forEach((c, i) => index.set(c.join(','), i));
    const parent = new Int32Array(combos.length).fill(-1);
    const first = new Int32Array(combos.length).fill(-1);
    const degreeOf = new Int32Array(combos.length);
    combos.forEach((c, i) => {
      degreeOf[i] = c.length;
      if (c.length >= 1) {
        first[i] = c[0];
        parent[i] = index.get(c.slice(1).join(','))!;
      }
    });
    const out: number[] = [];
    combos.forEach((c, i) => {
      if (c.length === 0 ? this.params.includeBias : c.length >= Math.max(1, minDeg)) out.push(i);
    });
    this.parent = parent;
    this.first = first;
    this.degreeOf = degreeOf;
    this.outputCols = Int32Array.from(out);
    this.powers = out.map((i) => {
      const p = new Array<number>(n).fill(0);
      for (const f of combos[i]) p[f]++;
      return p;
    });
    this.nOutputFeatures = out.length;
    return this.markFitted(n);
  }

  override transform(X: MatrixInput): Tensor {
    const m = this.validateInput(X);
    const { data, rows, cols } = m;
    const parent = this.parent!;
    const first = this.first!;
    const deg = this.degreeOf!;
    const outCols = this.outputCols!;
    const full = parent.length;
    const width = outCols.length;
    const buf = new Float64Array(full);
    const out = new Float64Array(rows * width);
    for (let i = 0; i < rows; i++) {
      const off = i * cols;
      for (let c = 0; c < full; c++) {
        const d = deg[c];
        buf[c] = d === 0 ? 1 : d === 1 ? data[off + first[c]] : buf[parent[c]] * data[off + first[c]];
      }
      const dst = i * width;
      for (let c = 0; c < width; c++) out[dst + c] = buf[outCols[c]];
    }
    // the inputs are finite, so only a product that overflowed can be Infinity (or NaN from 0·Infinity)
    checkFinite('PolynomialFeatures', 'the transformed output (a product of features overflowed)', out);
    return new Tensor(out, [rows, width]);
  }

  /** Output names like sklearn's: '1', 'x0', 'x0^2', 'x0 x1'. */
  getFeatureNamesOut(inputFeatures?: readonly string[]): string[] {
    this.checkFitted();
    const names = inputFeatures ?? Array.from({ length: this.nFeaturesIn! }, (_, j) => `x${j}`);
    if (names.length !== this.nFeaturesIn) throw new ValueError(`inputFeatures should have length ${this.nFeaturesIn}, got ${names.length}`);
    return this.powers!.map((row) => {
      const parts: string[] = [];
      row.forEach((e, f) => {
        if (e) parts.push(e === 1 ? names[f] : `${names[f]}^${e}`);
      });
      return parts.length ? parts.join(' ') : '1';
    });
  }
}
