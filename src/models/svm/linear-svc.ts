/**
 * Linear support vector classification (scikit-learn's `LinearSVC`, which
 * wraps liblinear): L2-regularized hinge or squared hinge by dual coordinate
 * descent, L2-regularized squared hinge in the primal by trust region
 * Newton, L1-regularized squared hinge by coordinate descent, one-vs-rest
 * for several classes, or Crammer & Singer's joint multi-class SVM.
 *
 * As in liblinear, the intercept is the weight of an extra feature of
 * constant value `interceptScaling`, so it is regularized too; raise
 * `interceptScaling` to lessen that.
 *
 * `dual: 'auto'` (the default, as in scikit-learn ≥ 1.5; 1.2's default was
 * true) solves the primal when there are more samples than features and the
 * penalty/loss allow it, the dual otherwise. The dual solvers visit samples
 * in a random order drawn from `randomState` (this library's generator, not
 * liblinear's), so unconverged fits differ from scikit-learn's; converged
 * ones agree to the tolerance. The primal solver is deterministic and takes
 * scikit-learn's Newton steps (same iteration counts on the fixtures); on
 * more than 4M feature values it streams a float32 copy of X (the objective
 * and gradients stay float64).
 *
 * Learned state: `coef` ([1, nFeatures] for two classes, else [nClasses,
 * nFeatures]), `intercept` (zeros without `fitIntercept`, where
 * scikit-learn stores the scalar 0.0), `nIter` (the largest over the
 * one-vs-rest problems, as scikit-learn's `n_iter_`), `converged`,
 * `dualUsed`.
 */
import { ValueError } from '../../errors.js';
import { resolveGenerator, type Generator } from '../../tensor/random.js';
import { IterativeLinearClassifierBase, type SolverRun } from '../linear/linear-model.js';
import { checkSampleWeight, checkXLabels, type LabelInput, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { solveCrammerSinger, solveDualCd, solveL1rL2, type LinearProblem, type LinearResult } from './liblinear.js';
import { solveTron, tronFeatures } from './liblinear-tron.js';
import { classWeights, type ClassWeight } from '../class-weight.js';
import { checkPositive } from './svm-params.js';

export interface LinearSVCParams {
  /** 'l2' (default) or 'l1' (sparse coefficients; squared hinge, primal only). */
  penalty: 'l1' | 'l2';
  /** 'squared_hinge' (default) or 'hinge' (dual only). */
  loss: 'hinge' | 'squared_hinge';
  /** Solve the dual (true), the primal (false) or choose ('auto', default: primal when nSamples > nFeatures). */
  dual: 'auto' | boolean;
  /** Stopping tolerance. Default 1e-4. */
  tol: number;
  /** Inverse regularization strength. Default 1. */
  C: number;
  /** 'ovr' (default: one binary problem per class) or 'crammer_singer'. */
  multiClass: 'ovr' | 'crammer_singer';
  /** Fit an intercept (as the weight of a constant feature). Default true. */
  fitIntercept: boolean;
  /** Value of that constant feature. Default 1. */
  interceptScaling: number;
  /** 'balanced', a map label → weight multiplying C, or null (default). */
  classWeight: ClassWeight;
  /** Seed or generator for the dual solvers' sample order. */
  randomState: number | Generator | null;
  /** Maximum iterations (epochs for the dual, Newton steps for the primal). Default 1000. */
  maxIter: number;
}

const DEFAULTS: LinearSVCParams = {
  penalty: 'l2',
  loss: 'squared_hinge',
  dual: 'auto',
  tol: 1e-4,
  C: 1,
  multiClass: 'ovr',
  fitIntercept: true,
  interceptScaling: 1,
  classWeight: null,
  randomState: null,
  maxIter: 1000,
};

type Solver = 'dual' | 'primal' | 'l1' | 'cs';

function chooseSolver(p: LinearSVCParams, n: number, d: number, who: string): { solver: Solver; dual: boolean } {
  if (p.penalty !== 'l1' && p.penalty !== 'l2') throw new ValueError(`${who}: penalty must be 'l1' or 'l2', got ${JSON.stringify(p.penalty)}`);
  if (p.loss !== 'hinge' && p.loss !== 'squared_hinge') throw new ValueError(`${who}: loss must be 'hinge' or 'squared_hinge', got ${JSON.stringify(p.loss)}`);
  if (p.multiClass !== 'ovr' && p.multiClass !== 'crammer_singer')
    throw new ValueError(`${who}: multiClass must be 'ovr' or 'crammer_singer', got ${JSON.stringify(p.multiClass)}`);
  if (p.dual !== 'auto' && typeof p.dual !== 'boolean') throw new ValueError(`${who}: dual must be 'auto', true or false, got ${JSON.stringify(p.dual)}`);
  if (p.multiClass === 'crammer_singer') return { solver: 'cs', dual: true };
  const supported = (dual: boolean): boolean => {
    if (p.penalty === 'l1') return p.loss === 'squared_hinge' && !dual;
    return p.loss === 'squared_hinge' || dual;
  };
  let dual: boolean;
  if (p.dual === 'auto') dual = n < d ? supported(true) : !supported(false);
  else dual = p.dual;
  if (!supported(dual)) {
    if (p.penalty === 'l1' && p.loss === 'hinge') throw new ValueError(`${who}: the combination of penalty='l1' and loss='hinge' is not supported`);
    throw new ValueError(`${who}: penalty='${p.penalty}' and loss='${p.loss}' are not supported when dual=${dual}`);
  }
  if (p.penalty === 'l1') return { solver: 'l1', dual: false };
  return { solver: dual ? 'dual' : 'primal', dual };
}

/**
 * Linear SVM classifier (liblinear, as scikit-learn's `LinearSVC`).
 *
 * ```ts
 * const clf = new LinearSVC({ C: 1 }).fit(X, y);
 * clf.coef;      // [nClasses, nFeatures] (one row for two classes)
 * clf.predict(Xtest);
 * ```
 */
export class LinearSVC extends IterativeLinearClassifierBase<LinearSVCParams> {
  /** Whether the dual was solved (resolves dual: 'auto'). */
  dualUsed?: boolean;

  static readonly defaults: LinearSVCParams = DEFAULTS;

  fit(X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput | null): this {
    const who = 'LinearSVC';
    const p = this.params;
    checkPositive(p.C, 'C', who);
    checkPositive(p.tol, 'tol', who);
    if (!Number.isInteger(p.maxIter) || p.maxIter < 0) throw new ValueError(`${who}: maxIter must be a non-negative integer, got ${String(p.maxIter)}`);
    if (typeof p.fitIntercept !== 'boolean') throw new ValueError(`${who}: fitIntercept must be a boolean, got ${String(p.fitIntercept)}`);
    if (p.fitIntercept) checkPositive(p.interceptScaling, 'interceptScaling', who);
    const { X: Xm, y: codes, classes } = checkXLabels(X, y, who);
    const { rows: n, cols: d } = Xm;
    const { solver, dual } = chooseSolver(p, n, d, who);
    const W = checkSampleWeight(sampleWeight, n, { nonNegative: true }) ?? new Float64Array(n).fill(1);
    const cw = classWeights(p.classWeight, classes, codes, who);
    const rng = resolveGenerator(p.randomState);
    const bias = p.fitIntercept ? p.interceptScaling : -1;
    const ws = d + (bias > 0 ? 1 : 0);
    const k = classes.length;
    const rowsOut = k === 2 ? 1 : k;
    const coef = new Float64Array(rowsOut * d);
    const intercept = new Float64Array(rowsOut);
    const runs: SolverRun[] = [];
    const store = (row: number, w: Float64Array, sign = 1): void => {
      for (let j = 0; j < d; j++) coef[row * d + j] = sign * w[j];
      intercept[row] = bias > 0 ? sign * bias * w[d] : 0;
    };

    if (solver === 'cs') {
      const C = new Float64Array(n);
      for (let i = 0; i < n; i++) C[i] = p.C * cw[codes[i]] * W[i];
      const r = solveCrammerSinger({ X: Xm.data, n, d, bias, C }, codes, k, p.tol, p.maxIter, rng);
      runs.push({ nIter: r.iter, converged: r.converged });
      if (k === 2) {
        const diff = new Float64Array(ws);
        for (let j = 0; j < ws; j++) diff[j] = r.W[ws + j] - r.W[j];
        store(0, diff);
      } else {
        for (let c = 0; c < k; c++) store(c, r.W.subarray(c * ws, c * ws + ws));
      }
    } else {
      // the primal solver's float32 copy of X, made once for every one-vs-rest problem
      const features = solver === 'primal' ? tronFeatures({ X: Xm.data, n, d }) : null;
      const run = (yPos: (c: number) => boolean, Cp: number, Cn: number): LinearResult => {
        const ys = new Int8Array(n);
        const C = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const pos = yPos(codes[i]);
          ys[i] = pos ? 1 : -1;
          C[i] = W[i] * (pos ? Cp : Cn);
        }
        const prob: LinearProblem = { X: Xm.data, n, d, bias, y: ys, C };
        let pos = 0;
        for (let i = 0; i < n; i++) if (ys[i] > 0) pos++;
        // liblinear scales the primal tolerances by the smaller class's share
        const primalTol = (p.tol * Math.max(Math.min(pos, n - pos), 1)) / n;
        if (solver === 'dual') return solveDualCd(prob, p.loss, p.tol, p.maxIter, rng);
        if (solver === 'primal') return solveTron(prob, primalTol, p.maxIter, features!);
        return solveL1rL2(prob, primalTol, p.maxIter, rng);
      };
      if (k === 2) {
        const r = run((c) => c === 1, p.C * cw[1], p.C * cw[0]);
        store(0, r.w);
        runs.push({ nIter: r.iter, converged: r.converged });
      } else {
        for (let c = 0; c < k; c++) {
          const r = run((cc) => cc === c, p.C * cw[c], p.C);
          store(c, r.w);
          runs.push({ nIter: r.iter, converged: r.converged });
        }
      }
    }
    this.dualUsed = dual;
    return this.finishIterativeFit(coef, intercept, classes, d, runs);
  }
}
