/**
 * liblinear's primal solver for L2-regularized squared hinge loss: a trust
 * region Newton method with conjugate gradient inner steps (Lin, Weng &
 * Keerthi, JMLR 2008), on the problems of liblinear.ts.
 */
import { ShapeError } from '../../errors.js';
import { rowDots } from '../../linalg/row-dots.js';
import { checkFinite, weightSize, type LinearProblem, type LinearResult } from './liblinear.js';

// ---------------------------------------------------------------- primal TRON (squared hinge)

/** out[t] = x_(rows[t])·w (+ bias·w_d) for t < count. */
function dotRows(X: Float32Array | Float64Array, d: number, rows: Int32Array, count: number, w: Float64Array, bias: number, out: Float64Array): void {
  rowDots(w, 0, X, d, rows, 0, count, out);
  if (bias > 0) {
    const wb = bias * w[d];
    for (let t = 0; t < count; t++) out[t] += wb;
  }
}

/** g += Σ_t coef[t]·x_(rows[t]) (bias feature included), four rows at a time. */
function axpyRows(X: Float32Array | Float64Array, d: number, rows: Int32Array, count: number, coef: Float64Array, bias: number, g: Float64Array): void {
  let t = 0;
  let cb = 0;
  for (; t + 3 < count; t += 4) {
    const r0 = rows[t] * d,
      r1 = rows[t + 1] * d,
      r2 = rows[t + 2] * d,
      r3 = rows[t + 3] * d;
    const c0 = coef[t],
      c1 = coef[t + 1],
      c2 = coef[t + 2],
      c3 = coef[t + 3];
    for (let j = 0; j < d; j++) g[j] += c0 * X[r0 + j] + c1 * X[r1 + j] + c2 * X[r2 + j] + c3 * X[r3 + j];
    cb += c0 + c1 + c2 + c3;
  }
  for (; t < count; t++) {
    const r = rows[t] * d;
    const c = coef[t];
    for (let j = 0; j < d; j++) g[j] += c * X[r + j];
    cb += c;
  }
  if (bias > 0) g[d] += cb * bias;
}

/** f(w) = ½|w|² + Σ C_i max(0, 1 − y_i wᵀx_i)², its gradient and Hessian products. */
class L2SvcFunction {
  private readonly z: Float64Array;
  private readonly all: Int32Array;
  /** Samples with 1 − y_i wᵀx_i > 0 at the last evaluation. */
  private readonly active: Int32Array;
  private nActive = 0;
  private readonly tmp: Float64Array;

  constructor(
    private readonly p: LinearProblem,
    private readonly X: Float32Array | Float64Array,
  ) {
    this.z = new Float64Array(p.n);
    this.all = new Int32Array(p.n);
    for (let i = 0; i < p.n; i++) this.all[i] = i;
    this.active = new Int32Array(p.n);
    this.tmp = new Float64Array(p.n);
  }

  fun(w: Float64Array): number {
    const { n, d, bias, y, C } = this.p;
    let f = 0;
    for (let j = 0; j < w.length; j++) f += w[j] * w[j];
    f /= 2;
    const z = this.z;
    dotRows(this.X, d, this.all, n, w, bias, z);
    let na = 0;
    for (let i = 0; i < n; i++) {
      const zi = y[i] * z[i];
      z[i] = zi;
      const m = 1 - zi;
      if (m > 0) {
        f += C[i] * m * m;
        this.active[na++] = i;
      }
    }
    this.nActive = na;
    return f;
  }

  /** Gradient at the w of the last fun() call: w + 2 Σ_active C_i y_i (z_i − 1) x_i. */
  grad(w: Float64Array, g: Float64Array): void {
    const { d, bias, y, C } = this.p;
    const { z, active, tmp } = this;
    g.set(w);
    for (let t = 0; t < this.nActive; t++) {
      const i = active[t];
      tmp[t] = 2 * C[i] * y[i] * (z[i] - 1);
    }
    axpyRows(this.X, d, active, this.nActive, tmp, bias, g);
  }

  /** Hs = s + 2 Σ_active C_i x_i (x_iᵀ s). */
  hv(s: Float64Array, Hs: Float64Array): void {
    const { d, bias, C } = this.p;
    const { active, tmp } = this;
    const na = this.nActive;
    Hs.set(s);
    dotRows(this.X, d, active, na, s, bias, tmp);
    for (let t = 0; t < na; t++) tmp[t] *= 2 * C[active[t]];
    axpyRows(this.X, d, active, na, tmp, bias, Hs);
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** liblinear's bound on conjugate gradient steps per Newton step: max(weights, 5). */
function maxCgSteps(weights: number): number {
  return Math.max(weights, 5);
}

/** Above this many elements of X, the primal solver streams a float32 copy (less memory traffic). */
export const TRON_F32_ELEMENTS = 1 << 22;

/**
 * The feature values solveTron streams: a float32 copy of X above
 * TRON_F32_ELEMENTS values (the objective and gradients stay float64), else
 * X itself. A one-vs-rest fit builds it once for all its binary problems:
 * the copy costs about as much as one Newton step.
 */
export function tronFeatures(p: { X: Float64Array; n: number; d: number }): Float32Array | Float64Array {
  return p.n * p.d >= TRON_F32_ELEMENTS ? Float32Array.from(p.X) : p.X;
}

/**
 * Trust region Newton for L2-regularized squared hinge, each step by
 * conjugate gradient inside the trust region. Stops when
 * |∇f(w)| ≤ eps·|∇f(0)|. `X` is {@link tronFeatures}(p), built here
 * unless the caller shares one between problems on the same features.
 */
export function solveTron(p: LinearProblem, eps: number, maxIter: number, X: Float32Array | Float64Array = tronFeatures(p)): LinearResult {
  if (X.length !== p.n * p.d) throw new ShapeError(`${p.who ?? 'LinearSVC'}: the primal solver's features hold ${X.length} values, expected n·d = ${p.n * p.d}`);
  const ws = weightSize(p);
  const fn = new L2SvcFunction(p, X);
  const eta0 = 1e-4,
    eta1 = 0.25,
    eta2 = 0.75;
  const sigma1 = 0.25,
    sigma2 = 0.5,
    sigma3 = 4;
  const w = new Float64Array(ws);
  const wNew = new Float64Array(ws);
  const g = new Float64Array(ws);
  const s = new Float64Array(ws);
  const r = new Float64Array(ws);
  const dvec = new Float64Array(ws);
  const Hd = new Float64Array(ws);
  let f = fn.fun(w);
  fn.grad(w, g);
  let delta = Math.sqrt(dot(g, g));
  const gnorm0 = delta;
  checkFinite([gnorm0], p.who, 'the primal gradient');
  let iter = 1;
  let converged = gnorm0 === 0;
  const search = !converged;

  /**
   * Conjugate gradient on H s = −g inside the trust region, at most
   * maxCgSteps steps; returns whether it hit the boundary.
   */
  const trcg = (): boolean => {
    s.fill(0);
    for (let i = 0; i < ws; i++) {
      r[i] = -g[i];
      dvec[i] = r[i];
    }
    const cgtol = 0.1 * Math.sqrt(dot(g, g));
    let rTr = dot(r, r);
    for (let step = 0; step < maxCgSteps(ws); step++) {
      if (Math.sqrt(rTr) <= cgtol) return false;
      fn.hv(dvec, Hd);
      const curvature = dot(dvec, Hd);
      // an overflowed curvature gives a zero (or NaN) step, and CG would go round for ever
      checkFinite([curvature], p.who, 'the primal Hessian product');
      let alpha = rTr / curvature;
      for (let i = 0; i < ws; i++) s[i] += alpha * dvec[i];
      if (Math.sqrt(dot(s, s)) > delta) {
        for (let i = 0; i < ws; i++) s[i] -= alpha * dvec[i];
        const std = dot(s, dvec);
        const sts = dot(s, s);
        const dtd = dot(dvec, dvec);
        const dsq = delta * delta;
        const rad = Math.sqrt(std * std + dtd * (dsq - sts));
        alpha = std >= 0 ? (dsq - sts) / (std + rad) : (rad - std) / dtd;
        for (let i = 0; i < ws; i++) {
          s[i] += alpha * dvec[i];
          r[i] -= alpha * Hd[i];
        }
        return true;
      }
      for (let i = 0; i < ws; i++) r[i] -= alpha * Hd[i];
      const rnew = dot(r, r);
      const beta = rnew / rTr;
      for (let i = 0; i < ws; i++) dvec[i] = r[i] + beta * dvec[i];
      rTr = rnew;
    }
    return false;
  };

  while (iter <= maxIter && search) {
    const boundary = trcg();
    for (let i = 0; i < ws; i++) wNew[i] = w[i] + s[i];
    const gs = dot(g, s);
    const prered = -0.5 * (gs - dot(s, r));
    const fnew = fn.fun(wNew);
    // a NaN objective would reject every step without shrinking the region: the loop would never end
    checkFinite([fnew, gs], p.who, 'the primal objective');
    const actred = f - fnew;
    const snorm = Math.sqrt(dot(s, s));
    if (iter === 1) delta = Math.min(delta, snorm);
    const alpha = fnew - f - gs <= 0 ? sigma3 : Math.max(sigma1, -0.5 * (gs / (fnew - f - gs)));
    if (actred < eta0 * prered) delta = Math.min(Math.max(alpha, sigma1) * snorm, sigma2 * delta);
    else if (actred < eta1 * prered) delta = Math.max(sigma1 * delta, Math.min(alpha * snorm, sigma2 * delta));
    else if (actred < eta2 * prered) delta = Math.max(sigma1 * delta, Math.min(alpha * snorm, sigma3 * delta));
    else if (boundary) delta = sigma3 * delta;
    else delta = Math.max(delta, Math.min(alpha * snorm, sigma3 * delta));
    if (actred > eta0 * prered) {
      iter++;
      w.set(wNew);
      f = fnew;
      fn.grad(w, g);
      const gnorm = Math.sqrt(dot(g, g));
      if (gnorm <= eps * gnorm0) {
        converged = true;
        break;
      }
    } else {
      // rejected step: back to the active set of w
      fn.fun(w);
    }
    if (f < -1e32) break;
    if (Math.abs(actred) <= 0 && prered <= 0) break;
    if (Math.abs(actred) <= 1e-12 * Math.abs(f) && Math.abs(prered) <= 1e-12 * Math.abs(f)) {
      converged = true;
      break;
    }
  }
  return { w, iter: iter - 1, converged };
}
