/**
 * SAGA (Defazio, Bach & Lacoste-Julien 2014) for logistic regression with
 * L1, L2 or elastic-net penalties, as scikit-learn's 'saga' solver runs it:
 *
 *   min (1/n)·Σ sw_i·loss_i(w) + (α/2)·‖w‖² + β·‖w‖₁
 *
 * Each step draws one sample uniformly (with replacement), replaces its
 * stored gradient and moves along gradient - stored + average of the stored
 * gradients (over the samples seen so far), then applies the L2 shrink and
 * the L1 proximal step. The step size is scikit-learn's: 1/(2L + min(2nα, L))
 * with L = (max‖x_i‖² + fitIntercept)/4 + α. An epoch is n steps; the fit
 * stops when the largest weight change over an epoch is <= tol·max|w|.
 *
 * This is a dense implementation (every step touches all K·d weights), which
 * suits the dense inputs this library takes.
 */
import { NumericalError } from '../../errors.js';
import type { Generator } from '../../tensor/random.js';
import type { Matrix } from '../../utils/validation.js';

export interface SagaOptions {
  /** 1 for a binary (sigmoid) model, else the number of classes (softmax). */
  K: number;
  fitIntercept: boolean;
  /** L2 strength α and L1 strength β of the mean-loss objective above. */
  alpha: number;
  beta: number;
  maxIter: number;
  tol: number;
  rng: Generator;
  /** Starting parameters (K·d weights then K intercepts), or null for zeros. */
  init: Float64Array | null;
  /** The estimator named in a NumericalError. */
  est: string;
}

export interface SagaResult {
  /** K·d weights (row-major) then K intercepts (zeros without an intercept). */
  params: Float64Array;
  nIter: number;
  converged: boolean;
}

export function saga(X: Matrix, y: Int32Array, sw: Float64Array, o: SagaOptions): SagaResult {
  const n = X.rows,
    d = X.cols,
    K = o.K,
    a = X.data;
  const w = new Float64Array(K * d);
  const b = new Float64Array(K);
  if (o.init) {
    w.set(o.init.subarray(0, K * d));
    if (o.fitIntercept) b.set(o.init.subarray(K * d, K * d + K));
  }
  let maxSq = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += a[i * d + j] ** 2;
    if (s > maxSq) maxSq = s;
  }
  const alphaS = o.alpha / n,
    betaS = o.beta / n;
  const L = 0.25 * (maxSq + (o.fitIntercept ? 1 : 0)) + alphaS;
  const step = 1 / (2 * L + Math.min(2 * n * alphaS, L));
  const mem = new Float64Array(n * K);
  const sumG = new Float64Array(K * d);
  const sumGb = new Float64Array(K);
  const seen = new Uint8Array(n);
  let nSeen = 0;
  const z = new Float64Array(K);
  const diff = new Float64Array(K);
  const prev = new Float64Array(K * d);
  const shrink = 1 - step * alphaS;
  const thr = step * betaS;
  let epoch = 0,
    converged = false;
  for (; epoch < o.maxIter; epoch++) {
    prev.set(w);
    for (let it = 0; it < n; it++) {
      const i = Math.floor(o.rng.random() * n);
      const r = i * d;
      for (let k = 0; k < K; k++) {
        let s = b[k];
        const wk = k * d;
        for (let j = 0; j < d; j++) s += a[r + j] * w[wk + j];
        z[k] = s;
      }
      gradient(z, y[i], sw[i], K, diff);
      if (!seen[i]) {
        seen[i] = 1;
        nSeen++;
      }
      for (let k = 0; k < K; k++) {
        const g = diff[k];
        diff[k] = g - mem[i * K + k];
        mem[i * K + k] = g;
      }
      const c1 = step * (1 - 1 / nSeen),
        c2 = step / nSeen;
      for (let k = 0; k < K; k++) {
        const dk = diff[k];
        const wk = k * d;
        if (dk !== 0) for (let j = 0; j < d; j++) sumG[wk + j] += a[r + j] * dk;
        for (let j = 0; j < d; j++) {
          let v = shrink * w[wk + j] - c1 * a[r + j] * dk - c2 * sumG[wk + j];
          if (thr > 0) v = v > thr ? v - thr : v < -thr ? v + thr : 0;
          w[wk + j] = v;
        }
        if (o.fitIntercept) {
          sumGb[k] += dk;
          b[k] -= c1 * dk + c2 * sumGb[k];
        }
      }
    }
    let maxChange = 0,
      maxW = 0;
    for (let j = 0; j < K * d; j++) {
      maxChange = Math.max(maxChange, Math.abs(w[j] - prev[j]));
      maxW = Math.max(maxW, Math.abs(w[j]));
    }
    if (!Number.isFinite(maxChange + maxW)) {
      throw new NumericalError(`${o.est}: saga met a non-finite weight at epoch ${epoch + 1}; the features are too large for float64 — scale them (StandardScaler)`);
    }
    if ((maxW !== 0 && maxChange / maxW <= o.tol) || (maxW === 0 && maxChange === 0)) {
      converged = true;
      epoch++;
      break;
    }
  }
  const params = new Float64Array(K * d + K);
  params.set(w);
  params.set(b, K * d);
  return { params, nIter: epoch, converged };
}

/** sw·∂loss/∂z for one sample (binary: σ(z) - t; softmax: p - onehot). */
function gradient(z: Float64Array, t: number, sw: number, K: number, out: Float64Array): void {
  if (K === 1) {
    const v = z[0];
    const p = v > 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    out[0] = sw * (p - t);
    return;
  }
  let mx = -Infinity;
  for (let k = 0; k < K; k++) if (z[k] > mx) mx = z[k];
  let s = 0;
  for (let k = 0; k < K; k++) s += Math.exp(z[k] - mx);
  for (let k = 0; k < K; k++) {
    const p = Math.exp(z[k] - mx) / s;
    out[k] = sw * (k === t ? p - 1 : p);
  }
}
