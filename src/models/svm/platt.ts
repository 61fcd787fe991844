/**
 * Probabilities of the support vector classifier: Platt's sigmoid per
 * one-vs-one pair (fitted by Newton's method on cross-validated decision
 * values, Lin, Lin & Weng 2007) and the coupling of the pairwise
 * probabilities into class probabilities (Wu, Lin & Weng 2004, libsvm's
 * multiclass_probability). Both iterations are bounded and stop with a
 * NumericalError on non-finite numbers.
 */
import { NumericalError } from '../../errors.js';

/** P(y = 1 | f) = 1 / (1 + exp(A·f + B)), computed without overflow. */
export function sigmoidPredict(f: number, A: number, B: number): number {
  const fApB = f * A + B;
  return fApB >= 0 ? Math.exp(-fApB) / (1 + Math.exp(-fApB)) : 1 / (1 + Math.exp(fApB));
}

/**
 * Platt's sigmoid fit by Newton's method with backtracking on the
 * regularised targets (Lin, Lin & Weng 2007, "A note on Platt's
 * probabilistic outputs for support vector machines").
 */
export function sigmoidTrain(dec: ArrayLike<number>, positive: ArrayLike<boolean>): [number, number] {
  const l = dec.length;
  let prior1 = 0;
  for (let i = 0; i < l; i++) if (positive[i]) prior1++;
  const prior0 = l - prior1;
  const maxIter = 100;
  const minStep = 1e-10;
  const sigma = 1e-12;
  const eps = 1e-5;
  const hiTarget = (prior1 + 1) / (prior1 + 2);
  const loTarget = 1 / (prior0 + 2);
  const t = new Float64Array(l);
  for (let i = 0; i < l; i++) t[i] = positive[i] ? hiTarget : loTarget;
  let A = 0;
  let B = Math.log((prior0 + 1) / (prior1 + 1));
  const objective = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < l; i++) {
      const fApB = dec[i] * a + b;
      f += fApB >= 0 ? t[i] * fApB + Math.log1p(Math.exp(-fApB)) : (t[i] - 1) * fApB + Math.log1p(Math.exp(fApB));
    }
    return f;
  };
  let fval = objective(A, B);
  for (let iter = 0; iter < maxIter; iter++) {
    let h11 = sigma,
      h22 = sigma,
      h21 = 0,
      g1 = 0,
      g2 = 0;
    for (let i = 0; i < l; i++) {
      const fApB = dec[i] * A + B;
      let p: number, q: number;
      if (fApB >= 0) {
        const e = Math.exp(-fApB);
        p = e / (1 + e);
        q = 1 / (1 + e);
      } else {
        const e = Math.exp(fApB);
        p = 1 / (1 + e);
        q = e / (1 + e);
      }
      const d2 = p * q;
      h11 += dec[i] * dec[i] * d2;
      h22 += d2;
      h21 += dec[i] * d2;
      const d1 = t[i] - p;
      g1 += dec[i] * d1;
      g2 += d1;
    }
    // once per Newton step: a non-finite gradient means the decision values overflowed
    if (!Number.isFinite(g1 + g2))
      throw new NumericalError('SVC: Platt scaling met non-finite decision values; the features are too large for float64 — scale them (StandardScaler)');
    if (Math.abs(g1) < eps && Math.abs(g2) < eps) break;
    const det = h11 * h22 - h21 * h21;
    const dA = -(h22 * g1 - h21 * g2) / det;
    const dB = -(-h21 * g1 + h11 * g2) / det;
    const gd = g1 * dA + g2 * dB;
    let step = 1;
    while (step >= minStep) {
      const nA = A + step * dA;
      const nB = B + step * dB;
      const nf = objective(nA, nB);
      if (nf < fval + 0.0001 * step * gd) {
        A = nA;
        B = nB;
        fval = nf;
        break;
      }
      step /= 2;
    }
    if (step < minStep) break;
  }
  return [A, B];
}

/**
 * Class probabilities from pairwise ones r[i][j] ≈ P(i | i or j), by the
 * second method of Wu, Lin & Weng (2004) (libsvm's multiclass_probability).
 */
export function multiclassProbability(k: number, r: Float64Array, p: Float64Array): void {
  const maxIter = Math.max(100, k);
  const Q = new Float64Array(k * k);
  const Qp = new Float64Array(k);
  const eps = 0.005 / k;
  for (let t = 0; t < k; t++) {
    p[t] = 1 / k;
    Q[t * k + t] = 0;
    for (let j = 0; j < t; j++) {
      Q[t * k + t] += r[j * k + t] * r[j * k + t];
      Q[t * k + j] = Q[j * k + t];
    }
    for (let j = t + 1; j < k; j++) {
      Q[t * k + t] += r[j * k + t] * r[j * k + t];
      Q[t * k + j] = -r[j * k + t] * r[t * k + j];
    }
  }
  for (let iter = 0; iter < maxIter; iter++) {
    let pQp = 0;
    for (let t = 0; t < k; t++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += Q[t * k + j] * p[j];
      Qp[t] = s;
      pQp += p[t] * s;
    }
    let maxError = 0;
    for (let t = 0; t < k; t++) {
      const e = Math.abs(Qp[t] - pQp);
      if (e > maxError) maxError = e;
    }
    if (!Number.isFinite(pQp)) throw new NumericalError('SVC: pairwise coupling of the probabilities met a non-finite value');
    if (maxError < eps) break;
    for (let t = 0; t < k; t++) {
      const diff = (-Qp[t] + pQp) / Q[t * k + t];
      p[t] += diff;
      pQp = (pQp + diff * (diff * Q[t * k + t] + 2 * Qp[t])) / (1 + diff) / (1 + diff);
      for (let j = 0; j < k; j++) {
        Qp[j] = (Qp[j] + diff * Q[t * k + j]) / (1 + diff);
        p[j] /= 1 + diff;
      }
    }
  }
}

/** Class probabilities [nT, k] from pairwise decision values and Platt's A, B (libsvm's svm_predict_probability, as scikit-learn's copy computes it). */
export function svcProbabilities(dec: Float64Array, nT: number, k: number, probA: Float64Array, probB: Float64Array): Float64Array {
  const nPairs = (k * (k - 1)) / 2;
  const out = new Float64Array(nT * k);
  const r = new Float64Array(k * k);
  const pr = new Float64Array(k);
  const minProb = 1e-7;
  for (let t = 0; t < nT; t++) {
    let p = 0;
    for (let i = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++, p++) {
        const v = Math.min(Math.max(sigmoidPredict(dec[t * nPairs + p], probA[p], probB[p]), minProb), 1 - minProb);
        r[i * k + j] = v;
        r[j * k + i] = 1 - v;
      }
    }
    // scikit-learn's libsvm couples the pairwise probabilities for two classes
    // too (newer libsvm returns r[0][1] directly): do the same, for the same numbers
    multiclassProbability(k, r, pr);
    out.set(pr, t * k);
  }
  return out;
}
