/**
 * Kernel support vector machines (scikit-learn's `SVC` and `SVR`, which wrap
 * libsvm): C-SVC with one-vs-one multi-class and optional Platt
 * probabilities, and epsilon-SVR.
 *
 * Same parameters, defaults and learned state as scikit-learn (camelCase):
 * `supportVectors`, `support`, `nSupport`, `dualCoef` ([nClasses−1, nSV]),
 * `intercept`, `probA` / `probB`, `nIter`, `fitStatus`.
 *
 * The solver is libsvm's (same working-set selection, shrinking, clipping,
 * float32 kernel cache), so on the same kernel values it takes the same
 * iterations: support vectors, dual coefficients, intercepts, iteration
 * counts and votes equal scikit-learn's (the fixtures check this).
 *
 * Differences worth knowing:
 * - Kernel precision. libsvm computes kernel values in float64 and stores
 *   them as float32. Here the dot products come from the backend GEMM: in
 *   float64 when the problem is small (fewer than 4M multiply-adds for the
 *   kernel matrix; the values are then libsvm's), in float32 above that
 *   (twice the GEMM speed; RBF rows are centred first, so the distances do
 *   not cancel). The float32 path perturbs kernel values by ~1e-7, which
 *   changes the SMO path within the tolerance: on Fashion-MNIST (10 000
 *   rows) the support vectors and the test accuracy are still identical to
 *   scikit-learn's; on small sets dual coefficients move by up to the
 *   solver tolerance. `setKernelPrecision` (kernels.ts, internal) forces
 *   either path.
 * - `probability: true` fits Platt's sigmoid on 5-fold cross-validated
 *   decision values like libsvm, but the folds come from this library's
 *   generator (`randomState`), not libsvm's C `rand()`, so `probA` / `probB`
 *   differ from scikit-learn's (by a few percent; predictProba by ~0.01 to
 *   0.05). Given the same probA / probB, predictProba is identical
 *   (scikit-learn's libsvm couples pairwise probabilities even for two
 *   classes; so does this).
 * - Memory: `cacheSize` (MB, default 200 as scikit-learn's `cache_size`)
 *   bounds the kernel values a fit keeps: the kernel blocks a pair reads
 *   plus its row cache; on the wasm backend, the blocks of a wave of pairs
 *   plus every thread's row cache (pairs run in waves of classes whose
 *   blocks fit 80% of the budget; the rest is split over the threads). The
 *   training data and its float32 copy come on top, as in libsvm. A
 *   smaller cacheSize changes only what is recomputed, not the model,
 *   while a pair's blocks fit it (a pair of n0 and n1 samples needs
 *   4·(n0² + n1² + n0·n1) bytes); pairs beyond that compute kernel rows on
 *   demand in plain loops (float32 values rounded differently: the model
 *   moves within the solver tolerance, and the fit is slower).
 * - `supportVectors` is empty ([0, 0]) for kernel 'precomputed', as in
 *   scikit-learn; `fittedGamma` is scikit-learn's private `_gamma`.
 */
import { ShapeError, ValueError } from '../../errors.js';
import { resolveGenerator, type Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { BaseClassifier, BaseRegressor, logProbabilities } from '../base.js';
import {
  checkNFeatures,
  checkSampleWeight,
  checkXLabels,
  checkXy,
  toMatrix,
  type Label,
  type LabelInput,
  type Matrix,
  type MatrixInput,
  type VectorInput,
} from '../../utils/validation.js';
import { classWeights, type ClassWeight } from '../class-weight.js';
import { checkFinite } from '../finite.js';
import { checkKernelParams, Kernel, type GammaParam, type KernelOptions, type KernelParam, type KernelRows } from './kernel-functions.js';
import { featureKernelBlocks, gramKernelBlocks, ovrDecision, svcDecisionValues, svrDecisionValues, voteClasses, type KernelBlockFn } from './decision.js';
import type { KernelData } from './kernel-sources.js';
import { groupByClass, trainSvc, trainSvr } from './libsvm.js';
import { svcProbabilities } from './platt.js';
import { checkPositive } from './svm-params.js';

/** Class weights: 'balanced' (n / (nClasses · count)) or a weight per label. */

interface KernelSvmParams {
  /** Kernel: 'rbf' (default), 'linear', 'poly', 'sigmoid', 'precomputed' or a function (X, Z) => Gram matrix. */
  kernel: KernelParam;
  /** Degree of the 'poly' kernel. Default 3. */
  degree: number;
  /** 'scale' (default) = 1 / (nFeatures · X.var()), 'auto' = 1 / nFeatures, or a number. */
  gamma: GammaParam;
  /** Independent term of 'poly' and 'sigmoid'. Default 0. */
  coef0: number;
  /** Tolerance of the stopping criterion. Default 1e-3. */
  tol: number;
  /** Regularization: the upper bound of the dual variables. Default 1. */
  C: number;
  /** Use the shrinking heuristic. Default true. */
  shrinking: boolean;
  /** Kernel cache in MB. Default 200. */
  cacheSize: number;
  /** Hard limit on solver iterations, -1 for none (default). */
  maxIter: number;
}

function checkSvmParams(p: KernelSvmParams, who: string): void {
  checkKernelParams(p, who);
  checkPositive(p.C, 'C', who);
  checkPositive(p.tol, 'tol', who);
  checkPositive(p.cacheSize, 'cacheSize', who);
  if (typeof p.shrinking !== 'boolean') throw new ValueError(`${who}: shrinking must be a boolean, got ${String(p.shrinking)}`);
  if (!Number.isInteger(p.maxIter) || p.maxIter < -1) throw new ValueError(`${who}: maxIter must be -1 (no limit) or a non-negative integer, got ${String(p.maxIter)}`);
}

/** What the kernel needs at predict time. */
interface FittedKernel {
  kernel: Kernel;
  /** Support vectors prepared for kernel evaluation (feature kernels). */
  svRows: KernelRows | null;
  /** Raw support vector rows (for function kernels). */
  svMatrix: Matrix;
  /** Number of training samples ('precomputed': columns expected at predict). */
  nTrain: number;
}

/** Kernel data of the training rows `order` (feature rows prepared, or the Gram matrix). */
function buildKernelData(kernel: Kernel, X: Matrix, order: Int32Array, who: string): KernelData {
  if (kernel.fromFeatures) return { kernel, rows: kernel.prepare(X, order), gram: null, orig: order };
  if (kernel.type === 'precomputed') {
    if (X.rows !== X.cols) throw new ShapeError(`${who}: with kernel 'precomputed', X must be the square Gram matrix of the training samples, got shape [${X.rows}, ${X.cols}]`);
    return { kernel, rows: null, gram: X.data, orig: order };
  }
  return { kernel, rows: null, gram: kernel.callGram(X, X), orig: order };
}

function fitKernel(kernel: Kernel, X: Matrix, support: Int32Array): FittedKernel {
  const d = X.cols;
  const sv = new Float64Array(support.length * d);
  for (let i = 0; i < support.length; i++) sv.set(X.data.subarray(support[i] * d, support[i] * d + d), i * d);
  const svMatrix = { data: sv, rows: support.length, cols: d };
  return { kernel, svRows: kernel.fromFeatures ? kernel.prepare(svMatrix) : null, svMatrix, nTrain: X.rows };
}

/** What a saved model keeps of its FittedKernel besides its public fields (the Kernel instance and prepared rows are rebuilt). */
interface KernelFit {
  /** The RBF kernel's centre (column means of the training X), else null. */
  center: Float64Array | null;
  /** Training samples ('precomputed' kernels expect this many columns). */
  nTrain: number;
}

/** The public fitted fields restoreFittedKernel reads. */
interface FittedSvm {
  fittedGamma?: number;
  supportVectors?: Tensor;
  support?: Int32Array;
  nFeaturesIn?: number;
}

/** The FittedKernel of a loaded model (src/persist/), from its params and saved fields, each checked: the file is untrusted. */
function restoreFittedKernel(p: KernelOptions, fit: KernelFit | undefined, est: FittedSvm, who: string): FittedKernel {
  checkKernelParams(p, who);
  const { fittedGamma: gamma, supportVectors: sv, support, nFeaturesIn: d } = est;
  const center = fit?.center ?? null;
  const nTrain = fit?.nTrain;
  if (typeof gamma !== 'number' || !Number.isFinite(gamma)) throw new ValueError(`${who}: the saved fittedGamma must be a finite number, got ${String(gamma)}`);
  if (!Number.isSafeInteger(nTrain) || !Number.isSafeInteger(d) || !(support instanceof Int32Array) || !(sv instanceof Tensor) || sv.ndim !== 2 || sv.dtype !== 'float64') {
    throw new ShapeError(`${who}: the saved model needs kernelFit.nTrain, nFeaturesIn, an Int32Array support and float64 supportVectors [nSV, nFeatures]`);
  }
  const kernel = Kernel.fitted(p, gamma, center);
  if (kernel.type === 'precomputed') {
    if (support.some((s) => s < 0 || s >= nTrain!)) throw new ShapeError(`${who}: a saved support index is outside the ${nTrain} training samples`);
  } else if (sv.shape[0] !== support.length || sv.shape[1] !== d || (kernel.type === 'rbf') !== (center !== null) || (center !== null && center.length !== d)) {
    throw new ShapeError(`${who}: saved supportVectors [${sv.shape.join(', ')}] or kernel centre do not fit ${support.length} support vectors of ${d} features`);
  }
  const svMatrix = { data: sv.data as Float64Array, rows: sv.shape[0], cols: sv.shape[1] };
  return { kernel, svRows: kernel.fromFeatures ? kernel.prepare(svMatrix) : null, svMatrix, nTrain: nTrain! };
}

/** Kernel blocks between the support vectors and the rows of X. */
function predictBlocks(fk: FittedKernel, support: Int32Array, X: Matrix, who: string): KernelBlockFn {
  const { kernel } = fk;
  if (kernel.fromFeatures) return featureKernelBlocks(kernel, fk.svRows!, kernel.prepare(X));
  const nSV = support.length;
  let KT: Float64Array;
  if (kernel.type === 'precomputed') {
    if (X.cols !== fk.nTrain) {
      throw new ShapeError(
        `${who}: with kernel 'precomputed', X must be [nSamples, nTrainSamples] = [n, ${fk.nTrain}] (kernel values against the training samples), got [${X.rows}, ${X.cols}]`,
      );
    }
    KT = new Float64Array(X.rows * nSV);
    for (let t = 0; t < X.rows; t++) for (let s = 0; s < nSV; s++) KT[t * nSV + s] = X.data[t * X.cols + support[s]];
  } else {
    KT = kernel.callGram(X, fk.svMatrix);
  }
  return gramKernelBlocks(KT, X.rows, nSV);
}

function inputFeatures(fk: FittedKernel, nFeatures: number, X: MatrixInput, who: string): Matrix {
  const Xm = toMatrix(X);
  if (fk.kernel.type !== 'precomputed') checkNFeatures(Xm, nFeatures, who);
  return Xm;
}

/** Sample weights: checked, defaulting to ones. */
function weightsOf(sampleWeight: VectorInput | null | undefined, n: number): Float64Array {
  return checkSampleWeight(sampleWeight, n) ?? new Float64Array(n).fill(1);
}

// ---------------------------------------------------------------- SVC

export interface SVCParams extends KernelSvmParams {
  /** Fit Platt's sigmoid (5-fold CV) so predictProba is available. Default false. */
  probability: boolean;
  /** Multiply C of class i by this weight: 'balanced', a map label → weight, or null (default). */
  classWeight: ClassWeight;
  /** Shape of decisionFunction for 3+ classes: 'ovr' (default) [n, nClasses] or 'ovo' [n, nPairs]. */
  decisionFunctionShape: 'ovr' | 'ovo';
  /** With 'ovr' and 3+ classes, predict the argmax of decisionFunction instead of the vote. Default false. */
  breakTies: boolean;
  /** Seed or generator for the probability cross-validation folds. */
  randomState: number | Generator | null;
}

const SVC_DEFAULTS: SVCParams = {
  C: 1,
  kernel: 'rbf',
  degree: 3,
  gamma: 'scale',
  coef0: 0,
  shrinking: true,
  probability: false,
  tol: 1e-3,
  cacheSize: 200,
  classWeight: null,
  maxIter: -1,
  decisionFunctionShape: 'ovr',
  breakTies: false,
  randomState: null,
};

/**
 * C-support vector classification (libsvm's C-SVC, as scikit-learn's `SVC`).
 *
 * ```ts
 * const svc = new SVC({ C: 10, gamma: 'scale' }).fit(X, y);
 * svc.predict(Xtest);           // labels
 * svc.decisionFunction(Xtest);  // [n] for 2 classes, [n, nClasses] ('ovr') otherwise
 * ```
 */
export class SVC extends BaseClassifier<SVCParams> {
  /** Support vectors [nSV, nFeatures], grouped by class. */
  supportVectors?: Tensor;
  /** Indices of the support vectors in the training X. */
  support?: Int32Array;
  /** Support vectors per class. */
  nSupport?: Int32Array;
  /** Dual coefficients y_i·α_i, [nClasses−1, nSV] in libsvm's one-vs-one layout. */
  dualCoef?: Tensor;
  /** Intercept of each one-vs-one problem. */
  intercept?: Float64Array;
  /** Platt's A and B per one-vs-one problem (with probability: true). */
  probA?: Float64Array;
  probB?: Float64Array;
  /** The gamma used: 'scale' / 'auto' resolved on the training X (scikit-learn's `_gamma`). */
  fittedGamma?: number;
  /** Solver iterations per one-vs-one problem. */
  nIter?: Int32Array;
  /** 0 when every problem converged, 1 when maxIter stopped one. */
  fitStatus?: number;
  private coefInternal?: Float64Array;
  private rho?: Float64Array;
  /** Not saved with the model (it holds a Kernel instance): restoreTransientFields rebuilds it from kernelFit (src/persist/). */
  private fk?: FittedKernel;
  private kernelFit?: KernelFit;
  static readonly transientFields = ['fk'];

  constructor(params: Partial<SVCParams> = {}) {
    super(params, SVC_DEFAULTS);
  }

  /** @internal Persistence hook: rebuilds the fitted kernel of a loaded model. */
  restoreTransientFields(): void {
    this.fk = restoreFittedKernel(this.params, this.kernelFit, this, 'SVC');
  }

  fit(X: MatrixInput, y: LabelInput, sampleWeight?: VectorInput | null): this {
    const who = 'SVC';
    const p = this.params;
    checkSvmParams(p, who);
    if (typeof p.probability !== 'boolean') throw new ValueError(`${who}: probability must be a boolean, got ${String(p.probability)}`);
    if (p.decisionFunctionShape !== 'ovr' && p.decisionFunctionShape !== 'ovo') {
      throw new ValueError(`${who}: decisionFunctionShape must be 'ovr' or 'ovo', got ${JSON.stringify(p.decisionFunctionShape)}`);
    }
    if (p.breakTies && p.decisionFunctionShape === 'ovo') throw new ValueError(`${who}: breakTies must be false when decisionFunctionShape is 'ovo'`);
    const { X: Xm, y: codes, classes } = checkXLabels(X, y, who);
    const k = classes.length;
    const W = weightsOf(sampleWeight, Xm.rows);
    const rng = p.probability ? resolveGenerator(p.randomState) : null;
    const cw = classWeights(p.classWeight, classes, codes, who);

    // samples with zero (or negative) weight do not enter the problem, as in scikit-learn's libsvm
    const keep: number[] = [];
    for (let i = 0; i < Xm.rows; i++) if (W[i] > 0) keep.push(i);
    const kept = Int32Array.from(keep);
    const ky = new Int32Array(kept.length);
    const kw = new Float64Array(kept.length);
    const present = new Set<number>();
    for (let i = 0; i < kept.length; i++) {
      ky[i] = codes[kept[i]];
      kw[i] = W[kept[i]];
      present.add(ky[i]);
    }
    if (present.size < k) {
      throw new ValueError(`${who}: every class needs samples with positive weight; class ${JSON.stringify(classes.find((_, c) => !present.has(c)))} has none`);
    }
    const kernel = Kernel.fromTraining(p, Xm);
    const perm = groupByClass(ky, k);
    const order = new Int32Array(perm.length);
    const gy = new Int32Array(perm.length);
    const gw = new Float64Array(perm.length);
    for (let i = 0; i < perm.length; i++) {
      order[i] = kept[perm[i]];
      gy[i] = ky[perm[i]];
      gw[i] = kw[perm[i]];
    }
    const kd = buildKernelData(kernel, Xm, order, who);
    const classC = new Float64Array(k);
    for (let c = 0; c < k; c++) classC[c] = p.C * cw[c];
    const model = trainSvc(kd, gy, gw, k, {
      eps: p.tol,
      shrinking: p.shrinking,
      cacheBytes: p.cacheSize * 2 ** 20,
      maxIter: p.maxIter,
      classC,
      probability: p.probability,
      rng,
    });
    checkFinite(who, 'the dual coefficients', model.coef);
    checkFinite(who, 'the intercepts', model.rho);
    const support = new Int32Array(model.support.length);
    for (let i = 0; i < support.length; i++) support[i] = order[model.support[i]];
    const nSV = support.length;

    this.classes = classes;
    this.support = support;
    this.nSupport = model.nSupport;
    this.coefInternal = model.coef;
    this.rho = model.rho;
    const binary = k === 2;
    const pub = new Float64Array(model.coef.length);
    for (let i = 0; i < pub.length; i++) pub[i] = binary ? -model.coef[i] : model.coef[i];
    this.dualCoef = new Tensor(pub, [k - 1, nSV]);
    this.intercept = new Float64Array(model.rho.length);
    for (let i = 0; i < model.rho.length; i++) this.intercept[i] = binary ? model.rho[i] : -model.rho[i];
    this.probA = model.probA ?? undefined;
    this.probB = model.probB ?? undefined;
    this.fittedGamma = kernel.gamma;
    this.nIter = model.nIter;
    this.fitStatus = model.converged ? 0 : 1;
    this.fk = fitKernel(kernel, Xm, support);
    this.kernelFit = { center: kernel.center, nTrain: Xm.rows };
    this.supportVectors = kernel.type === 'precomputed' ? new Tensor(new Float64Array(0), [0, 0]) : new Tensor(this.fk.svMatrix.data, [nSV, Xm.cols]);
    this.nFeaturesIn = Xm.cols;
    this.markFitted();
    return this;
  }

  /** libsvm's decision values [n, nPairs] (positive favours the first class of the pair). */
  private pairDecisions(X: MatrixInput): { dec: Float64Array; n: number } {
    this.checkFitted();
    const Xm = inputFeatures(this.fk!, this.nFeaturesIn!, X, 'SVC');
    const blocks = predictBlocks(this.fk!, this.support!, Xm, 'SVC');
    const dec = svcDecisionValues({ nSupport: this.nSupport!, coef: this.coefInternal!, rho: this.rho! }, this.classes!.length, Xm.rows, blocks);
    checkFinite('SVC', 'the decision values', dec);
    return { dec, n: Xm.rows };
  }

  /**
   * Decision values: for 2 classes a Float64Array (positive favours
   * classes[1]); otherwise a [n, nClasses] Tensor ('ovr': votes plus
   * bounded confidences) or [n, nPairs] ('ovo': one column per pair).
   */
  decisionFunction(X: MatrixInput): Float64Array | Tensor {
    const { dec, n } = this.pairDecisions(X);
    const k = this.classes!.length;
    if (k === 2) {
      for (let i = 0; i < n; i++) dec[i] = -dec[i];
      return dec;
    }
    if (this.params.decisionFunctionShape === 'ovo') return new Tensor(dec, [n, (k * (k - 1)) / 2]);
    return new Tensor(ovrDecision(dec, n, k), [n, k]);
  }

  predict(X: MatrixInput): Label[] {
    const { dec, n } = this.pairDecisions(X);
    const k = this.classes!.length;
    const classes = this.classes!;
    const out = new Array<Label>(n);
    if (this.params.breakTies && this.params.decisionFunctionShape === 'ovr' && k > 2) {
      const ovr = ovrDecision(dec, n, k);
      for (let t = 0; t < n; t++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (ovr[t * k + c] > ovr[t * k + best]) best = c;
        out[t] = classes[best];
      }
      return out;
    }
    const votes = voteClasses(dec, n, k);
    for (let t = 0; t < n; t++) out[t] = classes[votes[t]];
    return out;
  }

  /** Class probabilities [n, nClasses] from Platt's sigmoids and pairwise coupling (needs probability: true). */
  predictProba(X: MatrixInput): Tensor {
    this.checkFitted();
    if (!this.probA || !this.probB) {
      throw new ValueError('SVC: predictProba is not available when probability is false; fit with { probability: true }');
    }
    const { dec, n } = this.pairDecisions(X);
    const k = this.classes!.length;
    return new Tensor(svcProbabilities(dec, n, k, this.probA, this.probB), [n, k]);
  }

  /** Natural log of predictProba. */
  predictLogProba(X: MatrixInput): Tensor {
    return logProbabilities(this.predictProba(X));
  }
}

// ---------------------------------------------------------------- SVR

export interface SVRParams extends KernelSvmParams {
  /** Width of the epsilon-insensitive tube. Default 0.1. */
  epsilon: number;
}

const SVR_DEFAULTS: SVRParams = {
  kernel: 'rbf',
  degree: 3,
  gamma: 'scale',
  coef0: 0,
  tol: 1e-3,
  C: 1,
  epsilon: 0.1,
  shrinking: true,
  cacheSize: 200,
  maxIter: -1,
};

/**
 * Epsilon-support vector regression (libsvm's epsilon-SVR, as scikit-learn's `SVR`).
 *
 * ```ts
 * const svr = new SVR({ C: 10, epsilon: 0.05 }).fit(X, y);
 * svr.predict(Xtest);
 * ```
 */
export class SVR extends BaseRegressor<SVRParams> {
  supportVectors?: Tensor;
  support?: Int32Array;
  /** Dual coefficients α_i − α_i*, [1, nSV]. */
  dualCoef?: Tensor;
  intercept?: Float64Array;
  /** The gamma used: 'scale' / 'auto' resolved on the training X. */
  fittedGamma?: number;
  nIter?: number;
  fitStatus?: number;
  private coefInternal?: Float64Array;
  private rho?: number;
  /** Not saved with the model (it holds a Kernel instance): restoreTransientFields rebuilds it from kernelFit (src/persist/). */
  private fk?: FittedKernel;
  private kernelFit?: KernelFit;
  static readonly transientFields = ['fk'];

  constructor(params: Partial<SVRParams> = {}) {
    super(params, SVR_DEFAULTS);
  }

  /** @internal Persistence hook: rebuilds the fitted kernel of a loaded model. */
  restoreTransientFields(): void {
    this.fk = restoreFittedKernel(this.params, this.kernelFit, this, 'SVR');
  }

  fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput | null): this {
    const who = 'SVR';
    const p = this.params;
    checkSvmParams(p, who);
    checkPositive(p.epsilon, 'epsilon', who, true);
    const { X: Xm, y: yv } = checkXy(X, y);
    const W = weightsOf(sampleWeight, Xm.rows);
    const keep: number[] = [];
    for (let i = 0; i < Xm.rows; i++) if (W[i] > 0) keep.push(i);
    if (keep.length === 0) throw new ValueError(`${who}: every sample has zero weight`);
    const order = Int32Array.from(keep);
    const ky = new Float64Array(order.length);
    const kw = new Float64Array(order.length);
    for (let i = 0; i < order.length; i++) {
      ky[i] = yv[order[i]];
      kw[i] = W[order[i]];
    }
    const kernel = Kernel.fromTraining(p, Xm);
    const kd = buildKernelData(kernel, Xm, order, who);
    const model = trainSvr(kd, ky, kw, p.C, p.epsilon, {
      eps: p.tol,
      shrinking: p.shrinking,
      cacheBytes: p.cacheSize * 2 ** 20,
      maxIter: p.maxIter,
    });
    checkFinite(who, 'the dual coefficients', model.coef);
    checkFinite(who, 'the intercept', [model.rho]);
    const support = new Int32Array(model.support.length);
    for (let i = 0; i < support.length; i++) support[i] = order[model.support[i]];
    this.support = support;
    this.coefInternal = model.coef;
    this.rho = model.rho;
    this.dualCoef = new Tensor(model.coef.slice(), [1, support.length]);
    this.intercept = Float64Array.of(-model.rho);
    this.fittedGamma = kernel.gamma;
    this.nIter = model.nIter;
    this.fitStatus = model.converged ? 0 : 1;
    this.fk = fitKernel(kernel, Xm, support);
    this.kernelFit = { center: kernel.center, nTrain: Xm.rows };
    this.supportVectors = kernel.type === 'precomputed' ? new Tensor(new Float64Array(0), [0, 0]) : new Tensor(this.fk.svMatrix.data, [support.length, Xm.cols]);
    this.nFeaturesIn = Xm.cols;
    this.markFitted();
    return this;
  }

  predict(X: MatrixInput): Float64Array {
    this.checkFitted();
    const Xm = inputFeatures(this.fk!, this.nFeaturesIn!, X, 'SVR');
    const blocks = predictBlocks(this.fk!, this.support!, Xm, 'SVR');
    const out = svrDecisionValues(this.coefInternal!, this.rho!, Xm.rows, blocks);
    checkFinite('SVR', 'predict', out);
    return out;
  }
}
