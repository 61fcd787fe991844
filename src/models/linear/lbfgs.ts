/**
 * Limited-memory BFGS for smooth unconstrained minimisation, behaving like
 * scipy's L-BFGS-B (the optimiser behind scikit-learn's 'lbfgs' solvers)
 * when no bounds are given:
 *
 * - the two-loop recursion over the last `m` (s, y) pairs with the initial
 *   inverse Hessian sᵀy/yᵀy·I (L-BFGS-B's compact form with B₀ = θI gives
 *   the same step when no variable is at a bound);
 * - the Moré–Thuente line search (MINPACK-2 `dcsrch`, ftol 1e-3, gtol 0.9,
 *   xtol 0.1), first trial step 1/‖d‖₂ on the first iteration and 1 after,
 *   at most `maxLs` evaluations, then a restart from steepest descent;
 * - a pair is skipped when sᵀy <= eps·(-gᵀd·step);
 * - stopping: ‖g‖∞ <= gtol ('gradient'), relative decrease
 *   (f_old - f)/max(|f_old|, |f|, 1) <= ftol ('ftol', scipy's factr·eps),
 *   `maxIter` iterations or `maxFun` evaluations.
 *
 * Reference: Moré & Thuente, "Line search algorithms with guaranteed
 * sufficient decrease", ACM TOMS 20 (1994); Nocedal & Wright, "Numerical
 * Optimization", §7.2.
 */
import { NumericalError, ValueError } from '../../errors.js';
import { checkOptions } from '../../utils/options.js';

/** f(x), writing ∇f(x) into `grad`. */
export type ObjectiveFn = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Iteration cap (default 15000). */
  maxIter?: number;
  /** Evaluation cap (default 15000, as scipy). */
  maxFun?: number;
  /** Stored correction pairs (default 10). */
  m?: number;
  /** Stop when the gradient's largest component is <= gtol (default 1e-5). */
  gtol?: number;
  /** Relative-decrease tolerance (default 1e7·eps ≈ 2.2e-9, scipy's factr). */
  ftol?: number;
  /** Line-search evaluations per iteration (default 20). */
  maxLs?: number;
  /**
   * The norm the `gtol` test uses (default ‖grad‖∞). A caller optimising
   * in a reparametrisation can measure the gradient of the original
   * parameters here.
   */
  gradNorm?: (x: Float64Array, grad: Float64Array) => number;
  /** Called after every iteration; returning true stops. */
  callback?: (x: Float64Array, f: number, iter: number) => boolean | undefined;
  /** Correction pairs to start from (a previous run's `memory`), e.g. to continue with a more precise objective. */
  memory?: LbfgsMemory | null;
  /** Who is minimising (an estimator's name), for error messages. Default 'minimizeLbfgs'. */
  caller?: string;
}

const LBFGS_OPTIONS: readonly (keyof LbfgsOptions)[] = ['maxIter', 'maxFun', 'm', 'gtol', 'ftol', 'maxLs', 'gradNorm', 'callback', 'memory', 'caller'];

/** The stored correction pairs (oldest first) and the current initial scaling. */
export interface LbfgsMemory {
  S: Float64Array[];
  Y: Float64Array[];
  gamma: number;
}

export type LbfgsStop = 'gradient' | 'ftol' | 'maxIter' | 'maxFun' | 'lineSearch' | 'callback';

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  grad: Float64Array;
  /** Iterations (accepted steps). */
  nIter: number;
  /** Objective evaluations. */
  nFev: number;
  /** Why it stopped; 'gradient' and 'ftol' mean converged. */
  stop: LbfgsStop;
  converged: boolean;
  /** The correction pairs at the end (pass as `memory` to continue). */
  memory: LbfgsMemory;
}

const EPS = Number.EPSILON;

/** Minimises `fg` from `x0` (not modified). */
export function minimizeLbfgs(fg: ObjectiveFn, x0: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  checkOptions('minimizeLbfgs', options, LBFGS_OPTIONS);
  if (typeof fg !== 'function') throw new ValueError(`minimizeLbfgs: the objective must be a function returning [f, grad], got ${fg === null ? 'null' : typeof fg}`);
  const n = x0.length;
  const maxIter = options.maxIter ?? 15000;
  const maxFun = options.maxFun ?? 15000;
  const m = options.m ?? 10;
  const gtol = options.gtol ?? 1e-5;
  const ftol = options.ftol ?? 1e7 * EPS;
  const maxLs = options.maxLs ?? 20;
  if (!(m >= 1) || !Number.isInteger(m)) throw new ValueError(`minimizeLbfgs: m must be a positive integer, got ${m}`);
  if (!(maxIter >= 0)) throw new ValueError(`minimizeLbfgs: maxIter must be >= 0, got ${maxIter}`);
  const gradNorm = options.gradNorm ?? ((_x: Float64Array, g: Float64Array) => infNorm(g));

  const caller = options.caller ?? 'minimizeLbfgs';
  const x = x0.slice();
  const g = new Float64Array(n);
  let f = fg(x, g);
  let nFev = 1;
  if (!Number.isFinite(f) || !Number.isFinite(dot(g, g))) {
    throw new NumericalError(
      `${caller}: L-BFGS: the objective (${f}) or its gradient is not finite at the starting point; the data are too large for float64 — scale them (StandardScaler)`,
    );
  }
  const S: Float64Array[] = [],
    Y: Float64Array[] = [];
  const rho: number[] = [];
  let gamma = 1;
  if (options.memory) {
    const mem = options.memory;
    const from = Math.max(0, mem.S.length - m);
    for (let j = from; j < mem.S.length; j++) {
      const sy = dot(mem.S[j], mem.Y[j]);
      if (!(sy > 0) || mem.S[j].length !== n) continue;
      S.push(mem.S[j]);
      Y.push(mem.Y[j]);
      rho.push(1 / sy);
    }
    if (S.length) gamma = mem.gamma;
  }
  const alphaBuf = new Float64Array(m);
  const d = new Float64Array(n);
  const xOld = new Float64Array(n),
    gOld = new Float64Array(n);
  let iter = 0;
  const done = (stop: LbfgsStop): LbfgsResult => ({
    x,
    f,
    grad: g,
    nIter: iter,
    nFev,
    stop,
    converged: stop === 'gradient' || stop === 'ftol',
    memory: { S, Y, gamma },
  });
  if (gradNorm(x, g) <= gtol) return done('gradient');
  if (maxIter === 0) return done('maxIter');

  for (;;) {
    // d = -H·g by the two-loop recursion.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    const k = S.length;
    for (let j = k - 1; j >= 0; j--) {
      const a = rho[j] * dot(S[j], d);
      alphaBuf[j] = a;
      axpy(-a, Y[j], d);
    }
    if (k > 0) for (let i = 0; i < n; i++) d[i] *= gamma;
    for (let j = 0; j < k; j++) {
      const b = rho[j] * dot(Y[j], d);
      axpy(alphaBuf[j] - b, S[j], d);
    }
    let gd = dot(g, d);
    if (!(gd < 0)) {
      // Not a descent direction (round-off in the pairs): steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      gd = dot(g, d);
      if (Number.isNaN(gd)) {
        throw new NumericalError(`${caller}: L-BFGS: the gradient is not finite at iteration ${iter}; the data are too large for float64 — scale them (StandardScaler)`);
      }
      if (!(gd < 0)) return done('gradient');
    }
    // Line search along d.
    xOld.set(x);
    gOld.set(g);
    const fOld = f;
    const dnorm = Math.sqrt(dot(d, d));
    let stp = iter === 0 && S.length === 0 ? Math.min(1 / dnorm, 1e10) : 1;
    const ls = new MoreThuente(fOld, gd, stp, 1e-3, 0.9, 0.1, 0, 1e10);
    let nls = 0;
    let accepted = false;
    let hitMaxFun = false;
    for (;;) {
      for (let i = 0; i < n; i++) x[i] = xOld[i] + stp * d[i];
      f = fg(x, g);
      nFev++;
      nls++;
      const gdNew = dot(g, d);
      if (!Number.isFinite(f)) {
        // Overflow along a long step: treat as a very large value so the search backs off.
        f = Number.MAX_VALUE;
      } else if (Number.isNaN(gdNew)) {
        throw new NumericalError(
          `${caller}: L-BFGS: a finite objective with a non-finite gradient at iteration ${iter + 1}; the data are too large for float64 — scale them (StandardScaler)`,
        );
      }
      const task = ls.step(f, gdNew);
      stp = ls.stp;
      if (task !== 'FG') {
        accepted = true;
        break;
      }
      if (nls >= maxLs) break;
      if (nFev >= maxFun) {
        hitMaxFun = true;
        break;
      }
    }
    if (!accepted) {
      // Restore and restart from steepest descent; give up if already there.
      x.set(xOld);
      g.set(gOld);
      f = fOld;
      if (hitMaxFun) return done('maxFun');
      if (S.length === 0) {
        iter++;
        return done('lineSearch');
      }
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      gamma = 1;
      continue;
    }
    iter++;
    if (options.callback && options.callback(x, f, iter) === true) return done('callback');
    if (iter >= maxIter) return done('maxIter');
    if (nFev > maxFun) return done('maxFun');
    const gNorm = gradNorm(x, g);
    if (Number.isNaN(gNorm)) {
      throw new NumericalError(`${caller}: L-BFGS: the gradient is not finite at iteration ${iter}; the data are too large for float64 — scale them (StandardScaler)`);
    }
    if (gNorm <= gtol) return done('gradient');
    if (fOld - f <= ftol * Math.max(Math.abs(fOld), Math.abs(f), 1)) return done('ftol');
    // Update the pairs: s = x - xOld, y = g - gOld.
    const s = new Float64Array(n),
      yv = new Float64Array(n);
    let sy = 0,
      yy = 0;
    for (let i = 0; i < n; i++) {
      const si = x[i] - xOld[i],
        yi = g[i] - gOld[i];
      s[i] = si;
      yv[i] = yi;
      sy += si * yi;
      yy += yi * yi;
    }
    const stepTaken = ls.stp;
    if (sy > EPS * (-gd * stepTaken)) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(yv);
      rho.push(1 / sy);
      gamma = sy / yy;
    }
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s0 = 0,
    s1 = 0;
  const n = a.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
  }
  if (i < n) s0 += a[i] * b[i];
  return s0 + s1;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}

function infNorm(g: Float64Array): number {
  let mx = 0;
  for (let i = 0; i < g.length; i++) {
    const v = Math.abs(g[i]);
    if (v > mx) mx = v;
    else if (Number.isNaN(v)) return Number.NaN; // a NaN gradient is not a small one
  }
  return mx;
}

/**
 * The Moré–Thuente line search as a state machine (MINPACK-2 `dcsrch`):
 * construct at the start point with the first trial step, then feed it
 * f and f'(stp) at each trial; `step` returns 'FG' while it wants another
 * evaluation at `stp`, 'CONV' or 'WARN' when the step is accepted.
 */
export class MoreThuente {
  stp: number;
  private brackt = false;
  private stage = 1;
  private readonly gtest: number;
  private width: number;
  private width1: number;
  private stx = 0;
  private fx: number;
  private gx: number;
  private sty = 0;
  private fy: number;
  private gy: number;
  private stmin = 0;
  private stmax: number;

  constructor(
    private readonly finit: number,
    private readonly ginit: number,
    stp: number,
    ftol: number,
    private readonly gtol: number,
    private readonly xtol: number,
    private readonly stpmin: number,
    private readonly stpmax: number,
  ) {
    if (!(ginit < 0)) throw new ValueError('MoreThuente: the initial directional derivative must be negative');
    this.stp = stp;
    this.gtest = ftol * ginit;
    this.width = stpmax - stpmin;
    this.width1 = this.width / 0.5;
    this.fx = finit;
    this.gx = ginit;
    this.fy = finit;
    this.gy = ginit;
    this.stmax = stp + 4 * stp;
  }

  step(f: number, g: number): 'FG' | 'CONV' | 'WARN' {
    const stp = this.stp;
    const ftest = this.finit + stp * this.gtest;
    if (this.stage === 1 && f <= ftest && g >= 0) this.stage = 2;
    let task: 'FG' | 'CONV' | 'WARN' = 'FG';
    if (this.brackt && (stp <= this.stmin || stp >= this.stmax)) task = 'WARN';
    if (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax) task = 'WARN';
    if (stp === this.stpmax && f <= ftest && g <= this.gtest) task = 'WARN';
    if (stp === this.stpmin && (f > ftest || g >= this.gtest)) task = 'WARN';
    if (f <= ftest && Math.abs(g) <= this.gtol * -this.ginit) task = 'CONV';
    if (task !== 'FG') return task;

    if (this.stage === 1 && f <= this.fx && f > ftest) {
      const gt = this.gtest;
      const r = dcstep(
        this.stx,
        this.fx - this.stx * gt,
        this.gx - gt,
        this.sty,
        this.fy - this.sty * gt,
        this.gy - gt,
        stp,
        f - stp * gt,
        g - gt,
        this.brackt,
        this.stmin,
        this.stmax,
      );
      this.apply(r);
      this.fx = r.fx + this.stx * gt;
      this.fy = r.fy + this.sty * gt;
      this.gx = r.dx + gt;
      this.gy = r.dy + gt;
    } else {
      const r = dcstep(this.stx, this.fx, this.gx, this.sty, this.fy, this.gy, stp, f, g, this.brackt, this.stmin, this.stmax);
      this.apply(r);
      this.fx = r.fx;
      this.fy = r.fy;
      this.gx = r.dx;
      this.gy = r.dy;
    }
    let next = this.stp;
    if (this.brackt) {
      if (Math.abs(this.sty - this.stx) >= 0.66 * this.width1) next = this.stx + 0.5 * (this.sty - this.stx);
      this.width1 = this.width;
      this.width = Math.abs(this.sty - this.stx);
      this.stmin = Math.min(this.stx, this.sty);
      this.stmax = Math.max(this.stx, this.sty);
    } else {
      this.stmin = next + 1.1 * (next - this.stx);
      this.stmax = next + 4 * (next - this.stx);
    }
    next = Math.min(Math.max(next, this.stpmin), this.stpmax);
    if ((this.brackt && (next <= this.stmin || next >= this.stmax)) || (this.brackt && this.stmax - this.stmin <= this.xtol * this.stmax)) next = this.stx;
    this.stp = next;
    return 'FG';
  }

  private apply(r: StepResult): void {
    this.stx = r.stx;
    this.sty = r.sty;
    this.brackt = r.brackt;
    this.stp = r.stp;
  }
}

interface StepResult {
  stx: number;
  fx: number;
  dx: number;
  sty: number;
  fy: number;
  dy: number;
  stp: number;
  brackt: boolean;
}

/**
 * theta and gamma (>= 0; each case of dcstep picks its sign) of the cubic
 * interpolating the trial point (stp, fp, dp) and an end (st, f, d) of the
 * interval, computed as MINPACK-2 does (s guards against overflow).
 */
function cubicTerms(st: number, f: number, d: number, stp: number, fp: number, dp: number): { theta: number; gamma: number } {
  // for the end y, dcstep writes 3(fp - fy)/(sty - stp): both signs flip, so the value is the same bit for bit
  const theta = (3 * (f - fp)) / (stp - st) + d + dp;
  const s = Math.max(Math.abs(theta), Math.abs(d), Math.abs(dp));
  return { theta, gamma: s * Math.sqrt(Math.max(0, (theta / s) ** 2 - (d / s) * (dp / s))) };
}

/** One safeguarded step of the Moré–Thuente search (MINPACK-2 `dcstep`). */
function dcstep(
  stx: number,
  fx: number,
  dx: number,
  sty: number,
  fy: number,
  dy: number,
  stp: number,
  fp: number,
  dp: number,
  brackt: boolean,
  stpmin: number,
  stpmax: number,
): StepResult {
  const sgnd = dp * Math.sign(dx);
  let stpf: number;
  if (fp > fx) {
    // 1: higher value; the minimum is bracketed.
    const { theta, gamma: g } = cubicTerms(stx, fx, dx, stp, fp, dp);
    const gamma = stp < stx ? -g : g;
    const p = gamma - dx + theta;
    const q = gamma - dx + gamma + dp;
    const stpc = stx + (p / q) * (stp - stx);
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
    stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
    brackt = true;
  } else if (sgnd < 0) {
    // 2: lower value, derivatives of opposite sign; bracketed.
    const { theta, gamma: g } = cubicTerms(stx, fx, dx, stp, fp, dp);
    const gamma = stp > stx ? -g : g;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dx;
    const stpc = stp + (p / q) * (stx - stp);
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
    brackt = true;
  } else if (Math.abs(dp) < Math.abs(dx)) {
    // 3: lower value, same sign, derivative magnitude decreases.
    const { theta, gamma: g } = cubicTerms(stx, fx, dx, stp, fp, dp);
    const gamma = stp > stx ? -g : g;
    const p = gamma - dp + theta;
    const q = gamma + (dx - dp) + gamma;
    const r = p / q;
    let stpc: number;
    if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
    else if (stp > stx) stpc = stpmax;
    else stpc = stpmin;
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (brackt) {
      stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
      if (stp > stx) stpf = Math.min(stp + 0.66 * (sty - stp), stpf);
      else stpf = Math.max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      stpf = Math.min(stpmax, stpf);
      stpf = Math.max(stpmin, stpf);
    }
  } else {
    // 4: lower value, same sign, derivative magnitude does not decrease.
    if (brackt) {
      const { theta, gamma: g } = cubicTerms(sty, fy, dy, stp, fp, dp);
      const gamma = stp > sty ? -g : g;
      const p = gamma - dp + theta;
      const q = gamma - dp + gamma + dy;
      stpf = stp + (p / q) * (sty - stp);
    } else if (stp > stx) stpf = stpmax;
    else stpf = stpmin;
  }
  if (fp > fx) {
    sty = stp;
    fy = fp;
    dy = dp;
  } else {
    if (sgnd < 0) {
      sty = stx;
      fy = fx;
      dy = dx;
    }
    stx = stp;
    fx = fp;
    dx = dp;
  }
  return { stx, fx, dx, sty, fy, dy, stp: stpf, brackt };
}
