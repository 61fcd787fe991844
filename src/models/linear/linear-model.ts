/**
 * The shared end of every linear estimator's `fit` and `predict`: a fit
 * stores its coefficients through `finishFit`, which refuses non-finite ones
 * (a diverged or overflowed solver is a NumericalError naming the estimator,
 * never a model that predicts NaN), and `predict` / `decisionFunction` are
 * X·coefᵀ + intercept with the same refusal for scores that overflow.
 */
import { Tensor } from '../../tensor/tensor.js';
import type { Label, MatrixInput } from '../../utils/validation.js';
import { BaseClassifier, BaseRegressor, estimatorName } from '../base.js';
import { checkFinite } from '../finite.js';
import { labelsFromScores, linearPredict, linearScores } from './common.js';

/** Base of the linear regressors: `coef` (one per feature) and `intercept`; predict = X·coef + intercept. */
export abstract class LinearRegressorBase<P extends object> extends BaseRegressor<P> {
  /** Coefficients, one per feature. */
  coef?: Float64Array;
  /** Intercept (0 when fitIntercept is false). */
  intercept?: number;

  /** The end of every fit: checks the solution is finite, stores it and marks the estimator fitted. */
  protected finishFit(coef: Float64Array, intercept: number, nFeatures: number): this {
    const est = estimatorName(this);
    checkFinite(est, 'the fitted coef', coef);
    checkFinite(est, 'the fitted intercept', [intercept]);
    this.coef = coef;
    this.intercept = intercept;
    return this.markFitted(nFeatures);
  }

  predict(X: MatrixInput): Float64Array {
    const out = linearPredict(this.validateInput(X), this.coef!, this.intercept!);
    checkFinite(estimatorName(this), 'predict', out);
    return out;
  }
}

/**
 * Base of the linear classifiers: `coef` [1, nFeatures] for two classes
 * (the score of classes[1]) or [nClasses, nFeatures], and `intercept`.
 */
export abstract class LinearClassifierBase<P extends object> extends BaseClassifier<P> {
  /** [1, nFeatures] for two classes, else [nClasses, nFeatures]. */
  coef?: Tensor;
  intercept?: Float64Array;

  /** The end of every fit: checks the solution is finite, stores it with the classes and marks the estimator fitted. */
  protected finishFit(W: Float64Array, intercept: Float64Array, classes: Label[], nFeatures: number): this {
    const est = estimatorName(this);
    checkFinite(est, 'the fitted coef', W);
    checkFinite(est, 'the fitted intercept', intercept);
    this.coef = new Tensor(W, [intercept.length, nFeatures]);
    this.intercept = intercept;
    this.classes = classes;
    return this.markFitted(nFeatures);
  }

  /** Raw scores X·coefᵀ + intercept, [n, rows of coef] row-major. */
  protected scores(X: MatrixInput): { s: Float64Array; n: number; k: number } {
    const Xm = this.validateInput(X);
    const k = this.coef!.shape[0];
    const s = linearScores(Xm, this.coef!.data as Float64Array, this.intercept!, k);
    checkFinite(estimatorName(this), 'the decision scores', s);
    return { s, n: Xm.rows, k };
  }

  /** Float64Array of the class-1 score for two classes, else a [n, nClasses] Tensor. */
  decisionFunction(X: MatrixInput): Float64Array | Tensor {
    const { s, n, k } = this.scores(X);
    return k === 1 ? s : new Tensor(s, [n, k]);
  }

  predict(X: MatrixInput): Label[] {
    const { s, n, k } = this.scores(X);
    return labelsFromScores(s, n, k, this.classes!);
  }
}

/**
 * Base of the linear classifiers fitted by an iterative solver, one binary
 * problem per class (or one for two classes): SGDClassifier and LinearSVC.
 */
export abstract class IterativeLinearClassifierBase<P extends object> extends LinearClassifierBase<P> {
  /** Iterations of the solver (epochs for SGD): the most over the binary problems. */
  nIter?: number;
  /** Whether every binary problem met the tolerance before maxIter. */
  converged?: boolean;

  /** finishFit, after recording the solver's runs (one per binary problem) in `nIter` and `converged`. */
  protected finishIterativeFit(W: Float64Array, intercept: Float64Array, classes: Label[], nFeatures: number, runs: readonly SolverRun[]): this {
    let most = 0;
    for (const r of runs) most = Math.max(most, r.nIter);
    this.nIter = most;
    this.converged = runs.every((r) => r.converged);
    return this.finishFit(W, intercept, classes, nFeatures);
  }
}

/** What an iterative solver reports of one run. */
export interface SolverRun {
  nIter: number;
  converged: boolean;
}
