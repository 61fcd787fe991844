/**
 * Logistic regression (scikit-learn's `LogisticRegression`). With C the
 * inverse regularisation strength, the fit minimises
 *
 *   'l2':          C·Σ sw_i·logloss_i + ½‖W‖²
 *   'l1':          C·Σ sw_i·logloss_i + ‖W‖₁
 *   'elasticnet':  C·Σ sw_i·logloss_i + l1Ratio·‖W‖₁ + (1 - l1Ratio)/2·‖W‖²
 *   null / 'none': Σ sw_i·logloss_i
 *
 * (intercepts never penalised; class weights multiply the sample weights).
 * More than two classes are fitted as one multinomial (softmax) model
 * ('auto' / 'multinomial') or as one binary model per class ('ovr').
 *
 * Solvers: 'lbfgs' (default; L2 or none) — L-BFGS on the smooth objective,
 * with scikit-learn's stopping rule (‖∇‖∞ <= tol on the objective scaled by
 * 1/C, or a relative decrease <= 2.2e-9, or maxIter); 'saga' (any penalty)
 * — see saga.ts.
 */
import { ValueError } from '../../errors.js';
import { minimizeLbfgs } from './lbfgs.js';
import { resolveGenerator, type Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkSampleWeight, checkXLabels, type LabelInput, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { checkBool, checkChoice, checkNumber, columnMeans } from './common.js';
import { logProbabilities } from '../base.js';
import { LinearClassifierBase } from './linear-model.js';
import { LogisticLoss } from './logistic-loss.js';
import { saga } from './saga.js';
import { classWeights, type ClassWeight } from '../class-weight.js';

export type LogisticPenalty = 'l2' | 'l1' | 'elasticnet' | 'none' | null;

export interface LogisticRegressionParams {
  penalty: LogisticPenalty;
  /** Inverse of the regularisation strength (> 0). Default 1. */
  C: number;
  fitIntercept: boolean;
  /** Per-class weights: a {label: weight} object or Map, or 'balanced' (n / (nClasses · count)). */
  classWeight: ClassWeight;
  solver: 'lbfgs' | 'saga';
  /** Iterations of lbfgs, epochs of saga. Default 100. */
  maxIter: number;
  tol: number;
  /** 'auto': multinomial for more than two classes; 'ovr': one binary model per class. */
  multiClass: 'auto' | 'ovr' | 'multinomial';
  /** Start from the previous fit's coefficients. */
  warmStart: boolean;
  /** Elastic-net mix (only with penalty 'elasticnet'). */
  l1Ratio: number | null;
  /** Sample order of saga. */
  randomState: number | Generator | null;
}

/**
 * Correction pairs kept by L-BFGS. scipy's default is 10; more pairs cost
 * O(m·K·d) per iteration (nothing next to a pass over X when n >> m) and
 * cut the iterations of the slow final phase substantially (Fashion-MNIST:
 * about 1200 iterations with 10 pairs, 650 with 100, to the same stopping rule).
 */
const LBFGS_MEMORY = 100;

/**
 * Problems with n·d·K at least this large start in float32 (see
 * LogisticLoss.setPrecision) and finish in float64: the float32 products
 * are about twice as fast, and the float64 phase (from where float32 stops
 * making progress, a relative decrease below PHASE1_FTOL — the float32
 * objective is accurate to ~1e-9 relative) gives the same converged
 * solution and stopping rule as an all-float64 run. Fashion-MNIST: 463
 * float32 iterations then 61 float64 ones, 86 s instead of 133 s.
 */
const MIXED_PRECISION_MIN_WORK = 5e7;
const PHASE1_FTOL = 2e-8;

const DEFAULTS: LogisticRegressionParams = {
  penalty: 'l2',
  C: 1,
  fitIntercept: true,
  classWeight: null,
  solver: 'lbfgs',
  maxIter: 100,
  tol: 1e-4,
  multiClass: 'auto',
  warmStart: false,
  l1Ratio: null,
  randomState: null,
};

export class LogisticRegression extends LinearClassifierBase<LogisticRegressionParams> {
  /** Iterations per fitted model (one for multinomial, one per class for ovr). */
  nIter?: Int32Array;
  /** Whether every model met its tolerance. */
  converged?: boolean;
  private multinomial = false;

  static readonly defaults: LogisticRegressionParams = DEFAULTS;

  fit(X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput | null): this {
    const est = 'LogisticRegression';
    const p = this.params;
    let penalty = p.penalty === null ? 'none' : checkChoice('penalty', p.penalty, ['l2', 'l1', 'elasticnet', 'none'] as const, est);
    const C = checkNumber('C', p.C, est, { min: 0, minExclusive: true });
    const fitIntercept = checkBool('fitIntercept', p.fitIntercept, est);
    const solver = checkChoice('solver', p.solver, ['lbfgs', 'saga'] as const, est);
    const maxIter = checkNumber('maxIter', p.maxIter, est, { min: 0, integer: true });
    const tol = checkNumber('tol', p.tol, est, { min: 0 });
    const multiClassParam = checkChoice('multiClass', p.multiClass, ['auto', 'ovr', 'multinomial'] as const, est);
    checkBool('warmStart', p.warmStart, est);
    let l1Ratio = 0;
    if (penalty === 'elasticnet') {
      if (p.l1Ratio === null || p.l1Ratio === undefined) throw new ValueError(`${est}: penalty 'elasticnet' needs l1Ratio (a number in [0, 1])`);
      l1Ratio = checkNumber('l1Ratio', p.l1Ratio, est, { min: 0, max: 1 });
    }
    if (solver === 'lbfgs' && (penalty === 'l1' || penalty === 'elasticnet')) {
      throw new ValueError(`${est}: solver 'lbfgs' supports only 'l2' or no penalty, got '${penalty}'; use solver 'saga'`);
    }
    if (penalty === 'l1') {
      penalty = 'elasticnet';
      l1Ratio = 1;
    }
    const { X: Xm, y: codes, classes } = checkXLabels(X, y, est);
    const n = Xm.rows,
      d = Xm.cols,
      nc = classes.length;
    const sw0 = checkSampleWeight(sampleWeight, n, { nonNegative: true }) ?? new Float64Array(n).fill(1);
    const multinomial = multiClassParam === 'multinomial' || (multiClassParam === 'auto' && nc > 2);
    const cw = classWeights(p.classWeight, classes, codes, est);
    const rng = solver === 'saga' ? resolveGenerator(p.randomState) : null;
    // Objective scaled by 1/C as scikit-learn optimises it: Σ sw·loss + (1/(2C))‖W‖².
    const l2 = penalty === 'none' ? 0 : penalty === 'l2' ? 1 / C : (1 - l1Ratio) / C;
    const l1 = penalty === 'elasticnet' ? l1Ratio / C : 0;
    const warm = p.warmStart && this.coef && this.intercept && this.classes && this.classes.length === nc && this.coef.shape[1] === d ? this.warmParams() : null;

    const fitOne = (K: number, target: Int32Array, sw: Float64Array, init: Float64Array | null): { params: Float64Array; nIter: number; converged: boolean } => {
      if (solver === 'lbfgs') {
        const center = fitIntercept ? columnMeans(Xm, sw) : null;
        const loss = new LogisticLoss(Xm, target, sw, { K, fitIntercept, l2, center });
        const x0 = new Float64Array(loss.nParams);
        if (init) {
          x0.set(init.subarray(0, loss.nParams));
          // to the centred parametrisation: c = b + W·μ
          if (center) for (let k = 0; k < K; k++) for (let j = 0; j < d; j++) x0[K * d + k] += x0[k * d + j] * center[j];
        }
        const fg = (x: Float64Array, g: Float64Array): number => loss.evaluate(x, g);
        const gradNorm = (_x: Float64Array, g: Float64Array): number => loss.originalGradNorm(g);
        let r = null;
        let phase1Iter = 0;
        if (loss.float32Available && n * d * K >= MIXED_PRECISION_MIN_WORK && maxIter > 0) {
          // Phase 1: float32 products until the objective stops improving at
          // float32's resolution; phase 2 continues (same correction pairs)
          // in float64 and applies the stopping rule.
          loss.setPrecision('float32');
          const r1 = minimizeLbfgs(fg, x0, { maxIter, gtol: tol, ftol: PHASE1_FTOL, m: LBFGS_MEMORY, gradNorm, caller: est });
          loss.setPrecision('float64');
          phase1Iter = r1.nIter;
          r = minimizeLbfgs(fg, r1.x, { maxIter: Math.max(0, maxIter - r1.nIter), gtol: tol, m: LBFGS_MEMORY, gradNorm, caller: est, memory: r1.memory });
        } else {
          r = minimizeLbfgs(fg, x0, { maxIter, gtol: tol, m: LBFGS_MEMORY, gradNorm, caller: est });
        }
        const out = new Float64Array(K * d + K);
        out.set(r.x.subarray(0, K * d));
        out.set(loss.intercepts(r.x), K * d);
        return { params: out, nIter: phase1Iter + r.nIter, converged: r.converged };
      }
      // saga minimises the mean loss: (1/n)Σ sw·loss + α/2‖w‖² + β‖w‖₁ with α = l2, β = l1 (C-scaled as above).
      const r = saga(Xm, target, sw, { K, fitIntercept, alpha: l2, beta: l1, maxIter, tol, rng: rng!, init, est });
      return r;
    };

    const rows: Float64Array[] = [];
    const icpts: number[] = [];
    const iters: number[] = [];
    let allConverged = true;
    if (multinomial) {
      const sw = new Float64Array(n);
      for (let i = 0; i < n; i++) sw[i] = sw0[i] * cw[codes[i]];
      let init: Float64Array | null = null;
      if (warm) {
        init = new Float64Array(nc * d + nc);
        if (warm.rows === 1) {
          // binary fit stored only class 1: W = [-w, w]
          for (let j = 0; j < d; j++) {
            init[j] = -warm.W[j];
            init[d + j] = warm.W[j];
          }
          init[nc * d] = -warm.b[0];
          init[nc * d + 1] = warm.b[0];
        } else {
          init.set(warm.W);
          init.set(warm.b, nc * d);
        }
      }
      const r = fitOne(nc, codes, sw, init);
      iters.push(r.nIter);
      allConverged = r.converged;
      if (nc === 2) {
        rows.push(r.params.slice(d, 2 * d));
        icpts.push(r.params[2 * d + 1]);
      } else {
        for (let k = 0; k < nc; k++) {
          rows.push(r.params.slice(k * d, k * d + d));
          icpts.push(r.params[nc * d + k]);
        }
      }
    } else {
      const models = nc === 2 ? [1] : classes.map((_, k) => k);
      for (const k of models) {
        const target = new Int32Array(n);
        for (let i = 0; i < n; i++) target[i] = codes[i] === k ? 1 : 0;
        const sw = new Float64Array(n);
        if (p.classWeight === 'balanced') {
          // recomputed on the binary labels, as scikit-learn does for ovr
          let pos = 0;
          for (let i = 0; i < n; i++) pos += target[i];
          const wPos = n / (2 * pos),
            wNeg = n / (2 * (n - pos));
          for (let i = 0; i < n; i++) sw[i] = sw0[i] * (target[i] ? wPos : wNeg);
        } else {
          for (let i = 0; i < n; i++) sw[i] = sw0[i] * cw[codes[i]];
        }
        let init: Float64Array | null = null;
        if (warm) {
          const row = nc === 2 ? 0 : k;
          init = new Float64Array(d + 1);
          init.set(warm.W.subarray(row * d, row * d + d));
          init[d] = warm.b[row];
        }
        const r = fitOne(1, target, sw, init);
        rows.push(r.params.slice(0, d));
        icpts.push(r.params[d]);
        iters.push(r.nIter);
        allConverged &&= r.converged;
      }
    }
    const W = new Float64Array(rows.length * d);
    rows.forEach((r, k) => W.set(r, k * d));
    const intercept = Float64Array.from(icpts);
    if (!fitIntercept) intercept.fill(0);
    this.nIter = Int32Array.from(iters);
    this.converged = allConverged;
    this.multinomial = multinomial;
    return this.finishFit(W, intercept, classes, d);
  }

  private warmParams(): { W: Float64Array; b: Float64Array; rows: number } {
    return { W: this.coef!.data as Float64Array, b: this.intercept!, rows: this.coef!.shape[0] };
  }

  predictProba(X: MatrixInput): Tensor {
    const { s, n, k } = this.scores(X);
    const nc = this.classes!.length;
    const P = new Float64Array(n * nc);
    if (k === 1) {
      for (let i = 0; i < n; i++) {
        // multinomial with two classes: softmax([-z, z]) = σ(2z); ovr: σ(z)
        const z = this.multinomial ? 2 * s[i] : s[i];
        const p1 = z > 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
        P[i * 2] = 1 - p1;
        P[i * 2 + 1] = p1;
      }
    } else if (this.multinomial) {
      for (let i = 0; i < n; i++) {
        let mx = -Infinity;
        for (let c = 0; c < nc; c++) mx = Math.max(mx, s[i * nc + c]);
        let t = 0;
        for (let c = 0; c < nc; c++) {
          const e = Math.exp(s[i * nc + c] - mx);
          P[i * nc + c] = e;
          t += e;
        }
        for (let c = 0; c < nc; c++) P[i * nc + c] /= t;
      }
    } else {
      for (let i = 0; i < n; i++) {
        let t = 0;
        for (let c = 0; c < nc; c++) {
          const z = s[i * nc + c];
          const v = z > 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
          P[i * nc + c] = v;
          t += v;
        }
        for (let c = 0; c < nc; c++) P[i * nc + c] /= t;
      }
    }
    return new Tensor(P, [n, nc]);
  }

  predictLogProba(X: MatrixInput): Tensor {
    return logProbabilities(this.predictProba(X));
  }
}
