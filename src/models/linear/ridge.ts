/**
 * Ridge regression (scikit-learn's `Ridge` and `RidgeCV`): least squares
 * with an L2 penalty, min ‖y - X·w‖² + alpha·‖w‖² (the intercept is not
 * penalised: X and y are centred first; sample weights scale rows by √w).
 *
 * Solvers: 'cholesky' (XᵀX + αI, or the kernel form XXᵀ + αI when there are
 * more features than samples), 'svd' (the most stable), 'lsqr' (iterative,
 * Paige & Saunders' LSQR with damping √alpha); 'auto' picks 'cholesky' and
 * falls back to 'svd' when the system is singular.
 *
 * RidgeCV's default is scikit-learn's efficient leave-one-out (generalised
 * cross-validation) through one SVD of the design matrix (or one eigen
 * decomposition of the Gram matrix when there are more features than
 * samples); with `cv` it runs K-fold cross-validation scored by R².
 */
import { NumericalError, ValueError } from '../../errors.js';
import { cholesky, choleskySolve } from '../../linalg/cholesky.js';
import { eigh } from '../../linalg/eigh.js';
import { svd } from '../../linalg/svd.js';
import { r2Score } from '../../metrics/regression.js';
import { checkSampleWeight, checkXy, takeRows, type Matrix, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { checkBool, checkChoice, checkNumber, foldsFromTestSets, gemm, pickValues, interceptFrom, kFold, weightedCentred } from './common.js';
import { LinearRegressorBase } from './linear-model.js';

export type RidgeSolver = 'auto' | 'cholesky' | 'svd' | 'lsqr';

export interface RidgeParams {
  /** Penalty strength (>= 0). Default 1. */
  alpha: number;
  fitIntercept: boolean;
  /** Iteration cap of 'lsqr' (null: its default, 2·n_features... as scipy: n_features·2). */
  maxIter: number | null;
  /** Stopping tolerance of 'lsqr'. Default 1e-4. */
  tol: number;
  solver: RidgeSolver;
}

const RIDGE_DEFAULTS: RidgeParams = { alpha: 1, fitIntercept: true, maxIter: null, tol: 1e-4, solver: 'auto' };

export interface RidgeSolution {
  coef: Float64Array;
  /** The solver actually used ('cholesky' may fall back to 'svd'). */
  solver: 'cholesky' | 'svd' | 'lsqr';
  nIter: number | null;
}

/**
 * Solves min ‖y - X·w‖² + alpha·‖w‖² for an already centred / rescaled X and y.
 */
export function solveRidge(X: Matrix, y: Float64Array, alpha: number, solver: RidgeSolver = 'auto', opts: { maxIter?: number | null; tol?: number } = {}): RidgeSolution {
  const n = X.rows,
    p = X.cols;
  if (solver === 'auto' || solver === 'cholesky') {
    const coef = p > n ? choleskyKernel(X, y, alpha) : choleskyPrimal(X, y, alpha);
    if (coef) return { coef, solver: 'cholesky', nIter: null };
    return { coef: ridgeSVD(X, y, alpha), solver: 'svd', nIter: null };
  }
  if (solver === 'svd') return { coef: ridgeSVD(X, y, alpha), solver: 'svd', nIter: null };
  const r = lsqr(X, y, Math.sqrt(alpha), opts.tol ?? 1e-4, opts.maxIter ?? null);
  return { coef: r.x, solver: 'lsqr', nIter: r.nIter };
}

/** (XᵀX + αI)⁻¹Xᵀy by Cholesky; null when not positive definite. */
function choleskyPrimal(X: Matrix, y: Float64Array, alpha: number): Float64Array | null {
  const Xy = new Float64Array(X.cols);
  gemm(X.cols, 1, X.rows, X.data, y, Xy, { transA: true });
  return solveRidgedGram(X, alpha, 'features', Xy);
}

/** Xᵀ(XXᵀ + αI)⁻¹y: cheaper when there are more features than samples. */
function choleskyKernel(X: Matrix, y: Float64Array, alpha: number): Float64Array | null {
  const dual = solveRidgedGram(X, alpha, 'samples', y);
  if (dual === null) return null;
  const coef = new Float64Array(X.cols);
  gemm(X.cols, 1, X.rows, X.data, dual, coef, { transA: true });
  return coef;
}

/**
 * Solves (G + αI)·x = rhs by Cholesky, G the Gram matrix of the features (XᵀX,
 * p×p) or of the samples (XXᵀ, n×n); null when G + αI is not positive definite.
 */
function solveRidgedGram(X: Matrix, alpha: number, of: 'features' | 'samples', rhs: Float64Array): Float64Array | null {
  const ofFeatures = of === 'features';
  const m = ofFeatures ? X.cols : X.rows;
  const G = new Float64Array(m * m);
  gemm(m, m, ofFeatures ? X.rows : X.cols, X.data, X.data, G, ofFeatures ? { transA: true } : { transB: true });
  for (let i = 0; i < m; i++) G[i * m + i] += alpha;
  try {
    return choleskySolve(cholesky({ data: G, rows: m, cols: m }), rhs);
  } catch {
    return null;
  }
}

/** V·diag(s/(s²+α))·Uᵀy, singular values <= 1e-15 dropped (as scikit-learn). */
function ridgeSVD(X: Matrix, y: Float64Array, alpha: number): Float64Array {
  const n = X.rows,
    p = X.cols;
  const { u, s, vt } = svd(X, { fullMatrices: false });
  const k = s.length;
  const uty = new Float64Array(k);
  gemm(k, 1, n, u.data, y, uty, { transA: true });
  const coef = new Float64Array(p);
  for (let c = 0; c < k; c++) {
    if (!(s[c] > 1e-15)) continue;
    const f = (s[c] / (s[c] * s[c] + alpha)) * uty[c];
    for (let j = 0; j < p; j++) coef[j] += vt.data[c * p + j] * f;
  }
  return coef;
}

/**
 * LSQR (Paige & Saunders 1982) for min ‖A·x - b‖² + damp²‖x‖², stopping as
 * scipy's `lsqr` does (atol = btol = tol, conlim 1e8).
 */
export function lsqr(A: Matrix, b: Float64Array, damp: number, tol: number, iterLim: number | null): { x: Float64Array; nIter: number } {
  const m = A.rows,
    n = A.cols,
    a = A.data;
  const atol = tol,
    btol = tol,
    conlim = 1e8;
  const limit = iterLim ?? 2 * n;
  const x = new Float64Array(n);
  const u = b.slice();
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  const Av = (src: Float64Array, dst: Float64Array, alphaScale: number): void => {
    // dst = A·src - alphaScale·dst
    for (let i = 0; i < m; i++) {
      let s = 0;
      const r = i * n;
      for (let j = 0; j < n; j++) s += a[r + j] * src[j];
      dst[i] = s - alphaScale * dst[i];
    }
  };
  const Atu = (src: Float64Array, dst: Float64Array, betaScale: number): void => {
    // dst = Aᵀ·src - betaScale·dst
    for (let j = 0; j < n; j++) dst[j] *= -betaScale;
    for (let i = 0; i < m; i++) {
      const ui = src[i];
      if (ui === 0) continue;
      const r = i * n;
      for (let j = 0; j < n; j++) dst[j] += a[r + j] * ui;
    }
  };
  const norm = (z: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < z.length; i++) s += z[i] * z[i];
    return Math.sqrt(s);
  };
  let beta = norm(u);
  const bnorm = beta;
  let alfa = 0;
  if (beta > 0) {
    for (let i = 0; i < m; i++) u[i] /= beta;
    Atu(u, v, 0);
    alfa = norm(v);
  }
  if (alfa > 0) for (let j = 0; j < n; j++) v[j] /= alfa;
  w.set(v);
  let rhobar = alfa,
    phibar = beta;
  let anorm = 0,
    acond = 0,
    ddnorm = 0,
    xxnorm = 0,
    z = 0,
    cs2 = -1,
    sn2 = 0,
    res2 = 0;
  const dampsq = damp * damp;
  let rnorm = beta,
    arnorm = alfa * beta;
  if (arnorm === 0) return { x, nIter: 0 };
  let itn = 0;
  const ctol = conlim > 0 ? 1 / conlim : 0;
  while (itn < limit) {
    // Once per iteration: a non-finite norm means A or b overflow float64 (the loop would only spin on NaN).
    if (!Number.isFinite(rnorm + arnorm + anorm)) {
      throw new NumericalError(`Ridge (lsqr): a non-finite norm at iteration ${itn + 1}; the features or targets are too large for float64 — scale them (StandardScaler)`);
    }
    itn++;
    Av(v, u, alfa);
    beta = norm(u);
    if (beta > 0) {
      for (let i = 0; i < m; i++) u[i] /= beta;
      anorm = Math.sqrt(anorm * anorm + alfa * alfa + beta * beta + dampsq);
      Atu(u, v, beta);
      alfa = norm(v);
      if (alfa > 0) for (let j = 0; j < n; j++) v[j] /= alfa;
    }
    let rhobar1 = rhobar,
      cs1 = 1,
      sn1 = 0,
      psi = 0;
    if (damp > 0) {
      rhobar1 = Math.hypot(rhobar, damp);
      cs1 = rhobar / rhobar1;
      sn1 = damp / rhobar1;
      psi = sn1 * phibar;
      phibar = cs1 * phibar;
    }
    const rho = Math.hypot(rhobar1, beta);
    const cs = rhobar1 / rho;
    const sn = beta / rho;
    const theta = sn * alfa;
    rhobar = -cs * alfa;
    const phi = cs * phibar;
    phibar = sn * phibar;
    const tau = sn * phi;
    const t1 = phi / rho,
      t2 = -theta / rho;
    let dknorm = 0;
    for (let j = 0; j < n; j++) {
      const dk = w[j] / rho;
      dknorm += dk * dk;
      x[j] += t1 * w[j];
      w[j] = v[j] + t2 * w[j];
    }
    ddnorm += dknorm;
    const delta = sn2 * rho;
    const gambar = -cs2 * rho;
    const rhs = phi - delta * z;
    const zbar = rhs / gambar;
    const xnorm = Math.sqrt(xxnorm + zbar * zbar);
    const gamma = Math.hypot(gambar, theta);
    cs2 = gambar / gamma;
    sn2 = theta / gamma;
    z = rhs / gamma;
    xxnorm += z * z;
    acond = anorm * Math.sqrt(ddnorm);
    const res1 = phibar * phibar;
    res2 += psi * psi;
    rnorm = Math.sqrt(res1 + res2);
    arnorm = alfa * Math.abs(tau);
    const r1sq = rnorm * rnorm - dampsq * xxnorm;
    void r1sq;
    const test1 = rnorm / bnorm;
    const test2 = arnorm / (anorm * rnorm + Number.EPSILON);
    const test3 = 1 / (acond + Number.EPSILON);
    const t1b = test1 / (1 + (anorm * xnorm) / bnorm);
    const rtol = btol + (atol * anorm * xnorm) / bnorm;
    if (1 + test3 <= 1 || 1 + test2 <= 1 || 1 + t1b <= 1) break;
    if (test3 <= ctol || test2 <= atol || test1 <= rtol) break;
  }
  return { x, nIter: itn };
}

export class Ridge extends LinearRegressorBase<RidgeParams> {
  /** Iterations of 'lsqr' (null for the direct solvers). */
  nIter?: number | null;
  /** The solver that produced the fit. */
  solverUsed?: 'cholesky' | 'svd' | 'lsqr';

  static readonly defaults: RidgeParams = RIDGE_DEFAULTS;

  fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput | null): this {
    const est = 'Ridge';
    const p = this.params;
    const alpha = checkNumber('alpha', p.alpha, est, { min: 0 });
    const fitIntercept = checkBool('fitIntercept', p.fitIntercept, est);
    const solver = checkChoice('solver', p.solver, ['auto', 'cholesky', 'svd', 'lsqr'] as const, est);
    const tol = checkNumber('tol', p.tol, est, { min: 0 });
    if (p.maxIter !== null) checkNumber('maxIter', p.maxIter, est, { min: 1, integer: true });
    const { X: Xm, y: yv } = checkXy(X, y);
    const sw = checkSampleWeight(sampleWeight, Xm.rows, { nonNegative: true });
    const pre = weightedCentred(Xm, yv, fitIntercept, sw);
    const sol = solveRidge(pre.X, pre.y, alpha, solver, { maxIter: p.maxIter, tol });
    this.nIter = sol.nIter;
    this.solverUsed = sol.solver;
    return this.finishFit(sol.coef, fitIntercept ? interceptFrom(pre.xOffset, pre.yOffset, sol.coef) : 0, Xm.cols);
  }
}

// ---------------------------------------------------------------- RidgeCV

export interface RidgeCVParams {
  /** Candidate penalties (each > 0 for leave-one-out). Default [0.1, 1, 10]. */
  alphas: number[];
  fitIntercept: boolean;
  /**
   * null (default): efficient leave-one-out; a number K: K-fold
   * cross-validation (contiguous folds, no shuffling) scored by R²; or an
   * array of test-index arrays, one per fold. Sample weights weight the fits
   * (the fold scores are unweighted, as scikit-learn's).
   */
  cv: number | number[][] | null;
  /** Leave-one-out decomposition: 'auto' ('svd' when n_samples > n_features, else 'eigen'). */
  gcvMode: 'auto' | 'svd' | 'eigen';
  /** Keep the leave-one-out squared errors of every alpha in `cvValues`. */
  storeCvValues: boolean;
}

const RIDGECV_DEFAULTS: RidgeCVParams = { alphas: [0.1, 1, 10], fitIntercept: true, cv: null, gcvMode: 'auto', storeCvValues: false };

export class RidgeCV extends LinearRegressorBase<RidgeCVParams> {
  /** The chosen penalty. */
  alpha?: number;
  /** Score of the chosen alpha: minus the mean squared leave-one-out error, or the mean R² over folds. */
  bestScore?: number;
  /** With storeCvValues: leave-one-out squared errors, [nSamples, nAlphas] row-major. */
  cvValues?: Float64Array;

  static readonly defaults: RidgeCVParams = RIDGECV_DEFAULTS;

  fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput | null): this {
    const est = 'RidgeCV';
    const p = this.params;
    const alphas = checkAlphas(p.alphas, est);
    const fitIntercept = checkBool('fitIntercept', p.fitIntercept, est);
    const gcvMode = checkChoice('gcvMode', p.gcvMode, ['auto', 'svd', 'eigen'] as const, est);
    const { X: Xm, y: yv } = checkXy(X, y);
    const sw = checkSampleWeight(sampleWeight, Xm.rows, { nonNegative: true });
    if (p.cv === null || p.cv === undefined) {
      for (const a of alphas) if (!(a > 0)) throw new ValueError(`${est}: leave-one-out needs every alpha > 0, got ${a}`);
      const { coef, intercept } = this.fitGCV(Xm, yv, sw, alphas, fitIntercept, gcvMode);
      return this.finishFit(coef, intercept, Xm.cols);
    } else {
      const folds = typeof p.cv === 'number' ? kFold(Xm.rows, p.cv, est) : foldsFromTestSets(Xm.rows, p.cv, est);
      let best = -Infinity,
        bestAlpha = alphas[0];
      for (const alpha of alphas) {
        let total = 0;
        for (const f of folds) {
          const Xtr = takeRows(Xm, f.train),
            Xte = takeRows(Xm, f.test);
          const ytr = pickValues(yv, f.train),
            yte = pickValues(yv, f.test);
          const m = new Ridge({ alpha, fitIntercept }).fit(Xtr, ytr, sw ? pickValues(sw, f.train) : null);
          // scored unweighted, as scikit-learn's GridSearchCV scores with the estimator's R²
          total += r2Score(yte, m.predict(Xte));
        }
        const score = total / folds.length;
        if (score > best) {
          best = score;
          bestAlpha = alpha;
        }
      }
      const m = new Ridge({ alpha: bestAlpha, fitIntercept }).fit(Xm, yv, sw);
      this.alpha = bestAlpha;
      this.bestScore = best;
      this.cvValues = undefined;
      return this.finishFit(m.coef!, m.intercept!, Xm.cols);
    }
  }

  /** Leave-one-out over the alphas; sets alpha, bestScore and cvValues and returns the chosen fit. */
  private fitGCV(
    Xm: Matrix,
    yv: Float64Array,
    sw: Float64Array | null,
    alphas: number[],
    fitIntercept: boolean,
    gcvMode: 'auto' | 'svd' | 'eigen',
  ): { coef: Float64Array; intercept: number } {
    const pre = weightedCentred(Xm, yv, fitIntercept, sw);
    const n = Xm.rows,
      p = Xm.cols;
    const mode = gcvMode === 'auto' ? (n > p ? 'svd' : 'eigen') : gcvMode;
    const sqrtSw = pre.sqrtSw ?? new Float64Array(n).fill(1);
    const y = pre.y;
    // Q (n×r, orthonormal columns), the squared spectrum and Qᵀy.
    let Q: Float64Array, r: number, spec: Float64Array;
    if (mode === 'svd') {
      const cols = p + (fitIntercept ? 1 : 0);
      const A = new Float64Array(n * cols);
      for (let i = 0; i < n; i++) {
        A.set(pre.X.data.subarray(i * p, i * p + p), i * cols);
        if (fitIntercept) A[i * cols + p] = sqrtSw[i];
      }
      const d = svd({ data: A, rows: n, cols }, { fullMatrices: false });
      Q = d.u.data;
      r = d.u.cols;
      spec = new Float64Array(r);
      for (let c = 0; c < r; c++) spec[c] = d.s[c] * d.s[c];
    } else {
      const K = new Float64Array(n * n);
      gemm(n, n, p, pre.X.data, pre.X.data, K, { transB: true });
      if (fitIntercept) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) K[i * n + j] += sqrtSw[i] * sqrtSw[j];
      const e = eigh({ data: K, rows: n, cols: n });
      Q = e.vectors.data;
      r = n;
      spec = e.values;
    }
    const Qty = new Float64Array(r);
    gemm(r, 1, n, Q, y, Qty, { transA: true });
    let interceptDim = -1;
    if (fitIntercept) {
      let nrm = 0;
      for (let i = 0; i < n; i++) nrm += sqrtSw[i] * sqrtSw[i];
      nrm = Math.sqrt(nrm);
      let best = -1;
      for (let c = 0; c < r; c++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += (sqrtSw[i] / nrm) * Q[i * r + c];
        if (Math.abs(dot) > best) {
          best = Math.abs(dot);
          interceptDim = c;
        }
      }
    }
    const w = new Float64Array(r);
    const cvals = this.params.storeCvValues ? new Float64Array(n * alphas.length) : undefined;
    let bestScore = -Infinity,
      bestAlpha = alphas[0];
    let bestC: Float64Array | null = null;
    for (let ai = 0; ai < alphas.length; ai++) {
      const alpha = alphas[ai];
      const base = mode === 'svd' ? 1 / alpha : 0;
      for (let c = 0; c < r; c++) w[c] = mode === 'svd' ? 1 / (spec[c] + alpha) - 1 / alpha : 1 / (spec[c] + alpha);
      if (interceptDim >= 0) w[interceptDim] = mode === 'svd' ? -1 / alpha : 0;
      // c = Q·diag(w)·Qᵀy + base·y; G⁻¹ diagonal = Σ_c w_c Q_ic² + base.
      const wq = new Float64Array(r);
      for (let c = 0; c < r; c++) wq[c] = w[c] * Qty[c];
      const cvec = new Float64Array(n);
      gemm(n, 1, r, Q, wq, cvec);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        cvec[i] += base * y[i];
        let g = base;
        const row = i * r;
        for (let c = 0; c < r; c++) g += w[c] * Q[row + c] * Q[row + c];
        const e = cvec[i] / g;
        const se = e * e;
        sum += se;
        if (cvals) cvals[i * alphas.length + ai] = se;
      }
      const score = -sum / n;
      if (bestC === null || score > bestScore) {
        bestScore = score;
        bestAlpha = alpha;
        bestC = cvec;
      }
    }
    // coef = Xᵀ·dual (in the centred, rescaled space).
    const coef = new Float64Array(p);
    gemm(p, 1, n, pre.X.data, bestC!, coef, { transA: true });
    this.alpha = bestAlpha;
    this.bestScore = bestScore;
    this.cvValues = cvals;
    return { coef, intercept: fitIntercept ? interceptFrom(pre.xOffset, pre.yOffset, coef) : 0 };
  }
}

function checkAlphas(alphas: unknown, est: string): number[] {
  const list = typeof alphas === 'number' ? [alphas] : alphas;
  if (!Array.isArray(list) && !ArrayBuffer.isView(list)) throw new ValueError(`${est}: alphas must be an array of numbers, got ${String(alphas)}`);
  const arr = Array.from(list as ArrayLike<number>);
  if (arr.length === 0) throw new ValueError(`${est}: alphas is empty`);
  for (const a of arr) checkNumber('alphas[i]', a, est, { min: 0 });
  return arr;
}
