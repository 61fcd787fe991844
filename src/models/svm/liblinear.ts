/**
 * Linear SVM solvers (the methods of liblinear, which scikit-learn's
 * `LinearSVC` wraps), on dense row-major data with an optional bias feature
 * of constant value `bias` appended to every row (regularized like any
 * weight, as liblinear does):
 *
 * - {@link solveDualCd}: L2-regularized hinge / squared-hinge loss by dual
 *   coordinate descent with random order and shrinking (Hsieh, Chang, Lin,
 *   Keerthi & Sundararajan, ICML 2008).
 * - `solveTron` (liblinear-tron.ts): L2-regularized squared hinge in the
 *   primal by a trust region Newton method with conjugate gradient inner
 *   steps (Lin, Weng & Keerthi, JMLR 2008).
 * - {@link solveL1rL2}: L1-regularized squared hinge by coordinate descent
 *   with a one-dimensional Newton direction and line search, with shrinking
 *   (Yuan, Chang, Hsieh & Lin, JMLR 2010).
 * - {@link solveCrammerSinger}: the multi-class SVM of Crammer & Singer by
 *   the sequential dual method of Keerthi, Sundararajan, Chang, Hsieh & Lin
 *   (KDD 2008).
 *
 * Per-sample upper bounds C_i carry class weights and sample weights.
 */
import { NumericalError } from '../../errors.js';
import type { Generator } from '../../tensor/random.js';

/** A binary problem: y_i ∈ {−1, +1}, per-sample C_i. */
export interface LinearProblem {
  /** Row-major n×d features. */
  X: Float64Array;
  n: number;
  d: number;
  /** Value of the appended bias feature, or ≤ 0 for none. */
  bias: number;
  y: Int8Array;
  C: Float64Array;
  /** The estimator, for error messages (default 'LinearSVC'). */
  who?: string;
}

export interface LinearResult {
  /** d weights, then the bias weight when bias > 0. */
  w: Float64Array;
  iter: number;
  converged: boolean;
}

export function weightSize(p: { d: number; bias: number }): number {
  return p.d + (p.bias > 0 ? 1 : 0);
}

/**
 * Throws NumericalError unless every value is finite. The solvers call it
 * once per epoch / Newton step on the weights or the objective (never per
 * element update): non-finite numbers (features of magnitude 1e200 overflow
 * x·x) would otherwise be carried along silently or stall a loop.
 */
export function checkFinite(values: ArrayLike<number>, who: string | undefined, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new NumericalError(`${who ?? 'LinearSVC'}: ${what} became non-finite (overflow: features too large? scale them)`);
    }
  }
}

/** Shuffles index[0, activeSize) in place (Fisher–Yates, front to back): the solvers' random visiting order. */
function shuffleActive(index: Int32Array, activeSize: number, rng: Generator): void {
  for (let i = 0; i < activeSize; i++) {
    const j = i + Math.floor(rng.random() * (activeSize - i));
    const t = index[i];
    index[i] = index[j];
    index[j] = t;
  }
}

/** x_i·w (with the bias feature). */
function rowDot(X: Float32Array | Float64Array, i: number, d: number, w: Float64Array, bias: number): number {
  const r = i * d;
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    s0 += X[r + j] * w[j];
    s1 += X[r + j + 1] * w[j + 1];
    s2 += X[r + j + 2] * w[j + 2];
    s3 += X[r + j + 3] * w[j + 3];
  }
  for (; j < d; j++) s0 += X[r + j] * w[j];
  let s = s0 + s1 + (s2 + s3);
  if (bias > 0) s += bias * w[d];
  return s;
}

/** w += a·x_i (with the bias feature). */
function rowAxpy(X: Float32Array | Float64Array, i: number, d: number, a: number, w: Float64Array, bias: number): void {
  const r = i * d;
  for (let j = 0; j < d; j++) w[j] += a * X[r + j];
  if (bias > 0) w[d] += a * bias;
}

// ---------------------------------------------------------------- dual coordinate descent

/** ‖x_i‖² of sample i, its bias feature included: the diagonal of XXᵀ the dual solvers need. */
function rowSquaredNorm(p: { X: Float64Array; d: number; bias: number }, i: number): number {
  const { X, d, bias } = p;
  const r = i * d;
  let s = 0;
  for (let j = 0; j < d; j++) s += X[r + j] * X[r + j];
  if (bias > 0) s += bias * bias;
  return s;
}

/**
 * min_α ½αᵀQ̄α − eᵀα, 0 ≤ α_i ≤ U_i, Q̄ = Q + D: hinge (U_i = C_i, D = 0)
 * or squared hinge (U_i = ∞, D_ii = 1/(2C_i)). Stops when the spread of
 * projected gradients over an epoch is ≤ eps.
 */
export function solveDualCd(p: LinearProblem, loss: 'hinge' | 'squared_hinge', eps: number, maxIter: number, rng: Generator): LinearResult {
  const { X, n, d, bias, y } = p;
  const ws = weightSize(p);
  const w = new Float64Array(ws);
  const alpha = new Float64Array(n);
  const diag = new Float64Array(n);
  const upper = new Float64Array(n);
  const QD = new Float64Array(n);
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (loss === 'hinge') {
      diag[i] = 0;
      upper[i] = p.C[i];
    } else {
      diag[i] = 0.5 / p.C[i];
      upper[i] = Infinity;
    }
    QD[i] = diag[i] + rowSquaredNorm(p, i);
    index[i] = i;
  }
  checkFinite(QD, p.who, 'a squared sample norm');
  let activeSize = n;
  let PGmaxOld = Infinity;
  let PGminOld = -Infinity;
  let iter = 0;
  let converged = false;
  while (iter < maxIter) {
    let PGmaxNew = -Infinity;
    let PGminNew = Infinity;
    shuffleActive(index, activeSize, rng);
    for (let s = 0; s < activeSize; s++) {
      const i = index[s];
      const yi = y[i];
      const C = upper[i];
      const ai = alpha[i];
      const G = yi * rowDot(X, i, d, w, bias) - 1 + ai * diag[i];
      let PG = 0;
      if (ai === 0) {
        if (G > PGmaxOld) {
          activeSize--;
          index[s] = index[activeSize];
          index[activeSize] = i;
          s--;
          continue;
        } else if (G < 0) PG = G;
      } else if (ai === C) {
        if (G < PGminOld) {
          activeSize--;
          index[s] = index[activeSize];
          index[activeSize] = i;
          s--;
          continue;
        } else if (G > 0) PG = G;
      } else {
        PG = G;
      }
      if (PG > PGmaxNew) PGmaxNew = PG;
      if (PG < PGminNew) PGminNew = PG;
      if (Math.abs(PG) > 1e-12) {
        const na = Math.min(Math.max(ai - G / QD[i], 0), C);
        alpha[i] = na;
        rowAxpy(X, i, d, (na - ai) * yi, w, bias);
      }
    }
    checkFinite(w, p.who, 'the dual coordinate descent weights');
    iter++;
    if (PGmaxNew - PGminNew <= eps) {
      if (activeSize === n) {
        converged = true;
        break;
      }
      activeSize = n;
      PGmaxOld = Infinity;
      PGminOld = -Infinity;
      continue;
    }
    PGmaxOld = PGmaxNew;
    PGminOld = PGminNew;
    if (PGmaxOld <= 0) PGmaxOld = Infinity;
    if (PGminOld >= 0) PGminOld = -Infinity;
  }
  return { w, iter, converged };
}

// ---------------------------------------------------------------- L1-regularized squared hinge

/**
 * min ‖w‖₁ + Σ C_i max(0, 1 − y_i wᵀx_i)² by coordinate descent over
 * features (Newton direction, Armijo line search, shrinking). Stops when
 * the summed violation is ≤ eps times its first-epoch value.
 */
export function solveL1rL2(p: LinearProblem, eps: number, maxIter: number, rng: Generator): LinearResult {
  const { X, n, d, bias, y, C } = p;
  const ws = weightSize(p);
  // column-major copy (features as rows), bias column included
  const XT = new Float64Array(ws * n);
  for (let i = 0; i < n; i++) {
    const r = i * d;
    for (let j = 0; j < d; j++) XT[j * n + i] = X[r + j] * y[i];
    if (bias > 0) XT[d * n + i] = bias * y[i];
  }
  const w = new Float64Array(ws);
  const b = new Float64Array(n).fill(1); // 1 − y_i wᵀx_i
  const xjSq = new Float64Array(ws);
  const index = new Int32Array(ws);
  for (let j = 0; j < ws; j++) {
    index[j] = j;
    const c = j * n;
    let s = 0;
    for (let i = 0; i < n; i++) s += C[i] * XT[c + i] * XT[c + i];
    xjSq[j] = s;
  }
  checkFinite(xjSq, p.who, 'a squared feature norm');
  const sigma = 0.01;
  const maxLineSearch = 20;
  let GmaxOld = Infinity;
  let Gnorm1Init = -1;
  let activeSize = ws;
  let iter = 0;
  let converged = false;
  while (iter < maxIter) {
    let GmaxNew = 0;
    let Gnorm1New = 0;
    shuffleActive(index, activeSize, rng);
    for (let s = 0; s < activeSize; s++) {
      const j = index[s];
      const c = j * n;
      let Gloss = 0;
      let H = 0;
      for (let i = 0; i < n; i++) {
        if (b[i] > 0) {
          const v = XT[c + i];
          const tmp = C[i] * v;
          Gloss -= tmp * b[i];
          H += tmp * v;
        }
      }
      Gloss *= 2;
      const G = Gloss;
      H = Math.max(2 * H, 1e-12);
      const Gp = G + 1;
      const Gn = G - 1;
      let violation = 0;
      const wj = w[j];
      if (wj === 0) {
        if (Gp < 0) violation = -Gp;
        else if (Gn > 0) violation = Gn;
        else if (Gp > GmaxOld / n && Gn < -GmaxOld / n) {
          activeSize--;
          index[s] = index[activeSize];
          index[activeSize] = j;
          s--;
          continue;
        }
      } else if (wj > 0) violation = Math.abs(Gp);
      else violation = Math.abs(Gn);
      if (violation > GmaxNew) GmaxNew = violation;
      Gnorm1New += violation;

      let dd: number;
      if (Gp < H * wj) dd = -Gp / H;
      else if (Gn > H * wj) dd = -Gn / H;
      else dd = -wj;
      if (Math.abs(dd) < 1e-12) continue;
      let delta = Math.abs(wj + dd) - Math.abs(wj) + G * dd;
      let dOld = 0;
      let ls = 0;
      let lossOld = 0;
      for (; ls < maxLineSearch; ls++) {
        const dDiff = dOld - dd;
        let cond = Math.abs(wj + dd) - Math.abs(wj) - sigma * delta;
        const appx = xjSq[j] * dd * dd + Gloss * dd + cond;
        if (appx <= 0) {
          for (let i = 0; i < n; i++) b[i] += dDiff * XT[c + i];
          break;
        }
        let lossNew = 0;
        if (ls === 0) {
          lossOld = 0;
          for (let i = 0; i < n; i++) {
            if (b[i] > 0) lossOld += C[i] * b[i] * b[i];
            const bn = b[i] + dDiff * XT[c + i];
            b[i] = bn;
            if (bn > 0) lossNew += C[i] * bn * bn;
          }
        } else {
          for (let i = 0; i < n; i++) {
            const bn = b[i] + dDiff * XT[c + i];
            b[i] = bn;
            if (bn > 0) lossNew += C[i] * bn * bn;
          }
        }
        cond = cond + lossNew - lossOld;
        if (cond <= 0) break;
        dOld = dd;
        dd *= 0.5;
        delta *= 0.5;
      }
      w[j] += dd;
      if (ls >= maxLineSearch) {
        // too many halvings: recompute b from scratch
        b.fill(1);
        for (let jj = 0; jj < ws; jj++) {
          if (w[jj] === 0) continue;
          const cc = jj * n;
          for (let i = 0; i < n; i++) b[i] -= w[jj] * XT[cc + i];
        }
      }
    }
    checkFinite(w, p.who, 'the L1 coordinate descent weights');
    checkFinite([Gnorm1New], p.who, 'the L1 coordinate descent gradient');
    if (iter === 0) Gnorm1Init = Gnorm1New;
    iter++;
    if (Gnorm1New <= eps * Gnorm1Init) {
      if (activeSize === ws) {
        converged = true;
        break;
      }
      activeSize = ws;
      GmaxOld = Infinity;
      continue;
    }
    GmaxOld = GmaxNew;
  }
  return { w, iter, converged };
}

// ---------------------------------------------------------------- Crammer–Singer

/**
 * Multi-class SVM of Crammer & Singer: min ½Σ_m |w_m|² + Σ_i C_i ξ_i with
 * w_{y_i}ᵀx_i − w_mᵀx_i ≥ 1 − δ_{y_i m} − ξ_i, by the sequential dual
 * method (one sample's k dual variables at a time, solved exactly), with
 * shrinking. `cls` holds class indices. Returns W as k rows of weightSize.
 */
export function solveCrammerSinger(
  p: { X: Float64Array; n: number; d: number; bias: number; C: Float64Array; who?: string },
  cls: Int32Array,
  k: number,
  eps: number,
  maxIter: number,
  rng: Generator,
): { W: Float64Array; iter: number; converged: boolean } {
  const { X, n, d, bias, C } = p;
  const ws = weightSize(p);
  const W = new Float64Array(k * ws);
  const alpha = new Float64Array(n * k);
  const alphaIndex = new Int32Array(n * k);
  const activeSizeI = new Int32Array(n);
  const QD = new Float64Array(n);
  const index = new Int32Array(n);
  const G = new Float64Array(k);
  const B = new Float64Array(k);
  const alphaNew = new Float64Array(k);
  const dIdx = new Int32Array(k);
  const dVal = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < k; m++) alphaIndex[i * k + m] = m;
    QD[i] = rowSquaredNorm(p, i);
    activeSizeI[i] = k;
    index[i] = i;
  }
  checkFinite(QD, p.who, 'a squared sample norm');
  let epsShrink = Math.max(10 * eps, 1);
  let activeSize = n;
  let iter = 0;
  let converged = false;
  let startFromAll = true;

  /** Whether the dual variable of class `cls` (at position `pos` of G) is at its bound and not violating. */
  const beShrunk = (i: number, pos: number, cls: number, yi: number, am: number, minG: number): boolean => {
    const bound = cls === yi ? C[i] : 0;
    return am === bound && G[pos] < minG;
  };

  while (iter < maxIter) {
    let stopping = -Infinity;
    shuffleActive(index, activeSize, rng);
    for (let s = 0; s < activeSize; s++) {
      const i = index[s];
      const Ai = QD[i];
      const yi = cls[i];
      const base = i * k;
      if (Ai > 0) {
        const asz = activeSizeI[i];
        for (let m = 0; m < asz; m++) G[m] = 1;
        const yPos = (() => {
          for (let m = 0; m < asz; m++) if (alphaIndex[base + m] === yi) return m;
          return -1;
        })();
        if (yPos !== -1) G[yPos] = 0;
        for (let m = 0; m < asz; m++) G[m] += rowDot(X, i, d, W.subarray(alphaIndex[base + m] * ws, alphaIndex[base + m] * ws + ws), bias);
        let minG = Infinity;
        let maxG = -Infinity;
        for (let m = 0; m < asz; m++) {
          const cm = alphaIndex[base + m];
          if (alpha[base + cm] < 0 && G[m] < minG) minG = G[m];
          if (G[m] > maxG) maxG = G[m];
        }
        if (yPos !== -1 && alpha[base + yi] < C[i] && G[yPos] < minG) minG = G[yPos];
        // shrink inactive dual variables of this sample
        for (let m = 0; m < activeSizeI[i]; m++) {
          const cm = alphaIndex[base + m];
          if (beShrunk(i, m, cm, yi, alpha[base + cm], minG)) {
            activeSizeI[i]--;
            while (activeSizeI[i] > m) {
              const last = activeSizeI[i];
              const cl = alphaIndex[base + last];
              if (!beShrunk(i, last, cl, yi, alpha[base + cl], minG)) {
                alphaIndex[base + m] = cl;
                alphaIndex[base + last] = cm;
                const tg = G[m];
                G[m] = G[last];
                G[last] = tg;
                break;
              }
              activeSizeI[i]--;
            }
          }
        }
        if (activeSizeI[i] <= 1) {
          activeSize--;
          index[s] = index[activeSize];
          index[activeSize] = i;
          s--;
          continue;
        }
        if (maxG - minG <= 1e-12) continue;
        stopping = Math.max(maxG - minG, stopping);
        const asz2 = activeSizeI[i];
        for (let m = 0; m < asz2; m++) B[m] = G[m] - Ai * alpha[base + alphaIndex[base + m]];
        // solve the k-variable sub-problem exactly
        solveSub(Ai, yi, C[i], asz2, alphaIndex.subarray(base, base + k), B, alphaNew);
        let nz = 0;
        for (let m = 0; m < asz2; m++) {
          const cm = alphaIndex[base + m];
          const dv = alphaNew[m] - alpha[base + cm];
          alpha[base + cm] = alphaNew[m];
          if (Math.abs(dv) >= 1e-12) {
            dIdx[nz] = cm;
            dVal[nz] = dv;
            nz++;
          }
        }
        for (let t = 0; t < nz; t++) rowAxpy(X, i, d, dVal[t], W.subarray(dIdx[t] * ws, dIdx[t] * ws + ws), bias);
      }
    }
    checkFinite(W, p.who, 'the Crammer–Singer weights');
    iter++;
    if (stopping < epsShrink) {
      if (stopping < eps && startFromAll) {
        converged = true;
        break;
      }
      activeSize = n;
      for (let i = 0; i < n; i++) activeSizeI[i] = k;
      epsShrink = Math.max(epsShrink / 2, eps);
      startFromAll = true;
    } else {
      startFromAll = false;
    }
  }
  return { W, iter, converged };
}

/**
 * The Crammer–Singer sub-problem of one sample: min ½A Σ α_m² + Σ B_m α_m
 * s.t. Σ α_m = 0, α_m ≤ C·[m = y] (over the active classes).
 */
function solveSub(A: number, yi: number, Cyi: number, activeI: number, idx: Int32Array, B: Float64Array, out: Float64Array): void {
  const D = new Float64Array(activeI);
  let yPos = -1;
  for (let m = 0; m < activeI; m++) {
    D[m] = B[m];
    if (idx[m] === yi) {
      yPos = m;
      D[m] += A * Cyi;
    }
  }
  const sorted = Array.from(D).sort((a, b) => b - a);
  let beta = sorted[0] - A * Cyi;
  let r = 1;
  for (; r < activeI && beta < r * sorted[r]; r++) beta += sorted[r];
  beta /= r;
  for (let m = 0; m < activeI; m++) {
    if (m === yPos) out[m] = Math.min(Cyi, (beta - B[m]) / A);
    else out[m] = Math.min(0, (beta - B[m]) / A);
  }
}
