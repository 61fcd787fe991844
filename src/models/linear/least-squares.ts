/**
 * Ordinary least squares (scikit-learn's `LinearRegression`): centre X and y
 * (weighted means with sample weights), scale rows by √weight, then solve
 * min ‖y - X·w‖₂ exactly with `lstsq` — the minimum-norm solution when X is
 * rank-deficient, as scipy's `gelsd` gives (singular values <= eps·σ_max
 * dropped). With `positive`, non-negative least squares (Lawson–Hanson).
 */
import { ValueError } from '../../errors.js';
import { lstsq } from '../../linalg/lstsq.js';
import { cholesky, choleskySolve } from '../../linalg/cholesky.js';
import { checkSampleWeight, checkXy, type Matrix, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { checkBool, gemm, interceptFrom, weightedCentred } from './common.js';
import { LinearRegressorBase } from './linear-model.js';

export interface LinearRegressionParams {
  /** Fit an intercept (centre the data first). Default true. */
  fitIntercept: boolean;
  /** Constrain every coefficient to be >= 0 (non-negative least squares). Default false. */
  positive: boolean;
}

const DEFAULTS: LinearRegressionParams = { fitIntercept: true, positive: false };

export class LinearRegression extends LinearRegressorBase<LinearRegressionParams> {
  /** Rank of the (centred, weighted) design matrix; undefined with `positive`. */
  rank?: number;
  /** Its singular values, descending; undefined with `positive`. */
  singular?: Float64Array;

  static readonly defaults: LinearRegressionParams = DEFAULTS;

  fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput | null): this {
    const est = 'LinearRegression';
    const fitIntercept = checkBool('fitIntercept', this.params.fitIntercept, est);
    const positive = checkBool('positive', this.params.positive, est);
    const { X: Xm, y: yv } = checkXy(X, y);
    const sw = checkSampleWeight(sampleWeight, Xm.rows, { nonNegative: true });
    const pre = weightedCentred(Xm, yv, fitIntercept, sw);
    let coef: Float64Array;
    if (positive) {
      coef = nnls(pre.X, pre.y);
      this.rank = undefined;
      this.singular = undefined;
    } else {
      // scipy.linalg.lstsq's default cutoff: singular values <= eps·σ_max are zero.
      const r = lstsq(pre.X, pre.y, { rcond: Number.EPSILON });
      coef = r.x;
      this.rank = r.rank;
      this.singular = r.singularValues;
    }
    return this.finishFit(coef, fitIntercept ? interceptFrom(pre.xOffset, pre.yOffset, coef) : 0, Xm.cols);
  }
}

/**
 * Non-negative least squares, min ‖A·x - b‖ subject to x >= 0, by the
 * Lawson–Hanson active-set method on the normal equations (AᵀA and Aᵀb
 * formed once; each passive-set solve is a Cholesky of the passive block).
 */
export function nnls(A: Matrix, b: Float64Array, maxIter?: number): Float64Array {
  const m = A.rows,
    n = A.cols;
  const G = new Float64Array(n * n);
  gemm(n, n, m, A.data, A.data, G, { transA: true });
  const Atb = new Float64Array(n);
  gemm(n, 1, m, A.data, b, Atb, { transA: true });
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(Atb[i]));
  let gmax = 0;
  for (let i = 0; i < n; i++) gmax = Math.max(gmax, G[i * n + i]);
  const tol = 10 * Math.max(m, n) * Number.EPSILON * Math.max(scale, 1e-300) * Math.max(1, gmax);
  const x = new Float64Array(n);
  const passive = new Uint8Array(n);
  const excluded = new Uint8Array(n);
  const w = new Float64Array(n);
  const z = new Float64Array(n);
  const limit = maxIter ?? 3 * n;
  const gradient = (): void => {
    // w = Aᵀb - G·x
    for (let i = 0; i < n; i++) {
      let s = Atb[i];
      for (let j = 0; j < n; j++) if (x[j] !== 0) s -= G[i * n + j] * x[j];
      w[i] = s;
    }
  };
  const solvePassive = (): boolean => {
    const idx: number[] = [];
    for (let i = 0; i < n; i++) if (passive[i]) idx.push(i);
    const p = idx.length;
    const S = new Float64Array(p * p);
    const r = new Float64Array(p);
    for (let a = 0; a < p; a++) {
      r[a] = Atb[idx[a]];
      for (let c = 0; c < p; c++) S[a * p + c] = G[idx[a] * n + idx[c]];
    }
    let sol: Float64Array;
    try {
      sol = choleskySolve(cholesky({ data: S, rows: p, cols: p }), r);
    } catch {
      return false;
    }
    z.fill(0);
    for (let a = 0; a < p; a++) z[idx[a]] = sol[a];
    return true;
  };
  gradient();
  let iter = 0;
  for (;;) {
    let best = -1,
      bestW = tol;
    for (let i = 0; i < n; i++)
      if (!passive[i] && !excluded[i] && w[i] > bestW) {
        bestW = w[i];
        best = i;
      }
    if (best < 0) break;
    passive[best] = 1;
    for (;;) {
      if (++iter > limit) throw new ValueError(`nnls: no convergence within ${limit} iterations`);
      if (!solvePassive()) {
        // The passive columns became dependent: drop the newest one.
        passive[best] = 0;
        excluded[best] = 1;
        break;
      }
      let allPositive = true;
      for (let i = 0; i < n; i++)
        if (passive[i] && z[i] <= 0) {
          allPositive = false;
          break;
        }
      if (allPositive) {
        x.set(z);
        break;
      }
      let alpha = Infinity,
        block = -1;
      for (let i = 0; i < n; i++) {
        if (passive[i] && z[i] <= 0) {
          const a = x[i] / (x[i] - z[i]);
          if (a < alpha) {
            alpha = a;
            block = i;
          }
        }
      }
      for (let i = 0; i < n; i++) {
        if (!passive[i]) continue;
        x[i] += alpha * (z[i] - x[i]);
        if (i === block || x[i] <= 0) {
          passive[i] = 0;
          x[i] = 0;
        }
      }
    }
    gradient();
  }
  return x;
}
