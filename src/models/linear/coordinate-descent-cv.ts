/**
 * Cross-validated elastic-net and lasso (scikit-learn's `ElasticNetCV`,
 * `LassoCV`): the alpha grid is computed on the whole (centred) data; each
 * fold fits the full path on its training rows (centred with their own
 * means, the Gram matrix when n_samples > n_features and precompute is
 * 'auto') and records the mean squared error on its test rows; the alpha
 * (and l1Ratio) with the lowest mean error over the folds is refitted on all
 * the data.
 */
import { ValueError } from '../../errors.js';
import { resolveGenerator, type Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { BaseRegressor } from '../base.js';
import { checkSampleWeight, checkXy, takeRows, type Matrix, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { checkBool, checkChoice, checkNumber, foldsFromTestSets, gemm, kFold, linearPredict, preprocessData, weightedCentred } from './common.js';
import { alphaGrid, ElasticNet, pathCore } from './coordinate-descent.js';

export interface ElasticNetCVParams {
  /** One mix or several to try. Default 0.5. */
  l1Ratio: number | number[];
  eps: number;
  nAlphas: number;
  /** Explicit alphas (else the default grid per l1Ratio). */
  alphas: number[] | null;
  fitIntercept: boolean;
  /** Gram matrix in the folds: 'auto' (when n_samples > n_features), true or false. */
  precompute: boolean | 'auto';
  maxIter: number;
  tol: number;
  /** Number of contiguous folds (default 5) or the test-index arrays of each fold. */
  cv: number | number[][] | null;
  positive: boolean;
  randomState: number | Generator | null;
  selection: 'cyclic' | 'random';
}

const ENETCV_DEFAULTS: ElasticNetCVParams = {
  l1Ratio: 0.5, eps: 1e-3, nAlphas: 100, alphas: null, fitIntercept: true, precompute: 'auto',
  maxIter: 1000, tol: 1e-4, cv: null, positive: false, randomState: null, selection: 'cyclic',
};

interface CVState {
  coef?: Float64Array;
  intercept?: number;
  alpha?: number;
  l1Ratio?: number;
  alphas?: Float64Array | Tensor;
  msePath?: Tensor;
  dualGap?: number;
  nIter?: number;
}

function fitCV(est: string, self: CVState, p: ElasticNetCVParams, isLasso: boolean, X: MatrixInput, y: VectorInput, sampleWeight: VectorInput | null | undefined): number {
  const eps = checkNumber('eps', p.eps, est, { min: 0, minExclusive: true });
  const nAlphasParam = checkNumber('nAlphas', p.nAlphas, est, { min: 1, integer: true });
  const fitIntercept = checkBool('fitIntercept', p.fitIntercept, est);
  const maxIter = checkNumber('maxIter', p.maxIter, est, { min: 1, integer: true });
  const tol = checkNumber('tol', p.tol, est, { min: 0 });
  const positive = checkBool('positive', p.positive, est);
  const selection = checkChoice('selection', p.selection, ['cyclic', 'random'] as const, est);
  const l1Ratios = isLasso ? [1] : (Array.isArray(p.l1Ratio) ? p.l1Ratio : [p.l1Ratio]).map((v) => checkNumber('l1Ratio', v, est, { min: 0, max: 1 }));
  if (l1Ratios.length === 0) throw new ValueError(`${est}: l1Ratio is an empty list`);
  const { X: Xm, y: yv } = checkXy(X, y);
  const n = Xm.rows, nf = Xm.cols;
  const sw = checkSampleWeight(sampleWeight, n, { nonNegative: true });
  const folds = p.cv === null || p.cv === undefined ? kFold(n, 5, est) : typeof p.cv === 'number' ? kFold(n, p.cv, est) : foldsFromTestSets(n, p.cv, est);

  // The alpha grid, from the whole (centred, unweighted) data.
  let grids: Float64Array[];
  if (p.alphas !== null && p.alphas !== undefined) {
    const a = Float64Array.from(p.alphas).sort().reverse();
    if (a.length === 0) throw new ValueError(`${est}: alphas is empty`);
    for (const v of a) checkNumber('alphas[i]', v, est, { min: 0 });
    grids = l1Ratios.map(() => a);
  } else {
    const c = preprocessData(Xm, yv, fitIntercept, null);
    const xty = new Float64Array(nf);
    gemm(nf, 1, n, c.X.data, c.y, xty, { transA: true });
    grids = l1Ratios.map((r) => {
      if (r === 0) throw new ValueError(`${est}: automatic alpha grid generation is not supported for l1Ratio=0; supply alphas`);
      return alphaGrid(xty, n, r, eps, nAlphasParam);
    });
  }
  const nA = grids[0].length, nF = folds.length, nL = l1Ratios.length;
  const mse = new Float64Array(nL * nA * nF); // [l1, alpha, fold]
  const random = selection === 'random' ? resolveGenerator(p.randomState) : null;
  for (let f = 0; f < nF; f++) {
    const { train, test } = folds[f];
    const Xtr = takeRows(Xm, train);
    const ytr = pick(yv, train);
    let swTr: Float64Array | null = null, swTe: Float64Array | null = null;
    if (sw) {
      swTr = pick(sw, train);
      swTe = pick(sw, test);
      let s = 0;
      for (let i = 0; i < swTr.length; i++) s += swTr[i];
      for (let i = 0; i < swTr.length; i++) swTr[i] *= swTr.length / s;
    }
    const pre = weightedCentred(Xtr, ytr, fitIntercept, swTr);
    const precompute = p.precompute === 'auto' ? Xtr.rows > nf : p.precompute === true;
    let gram: { Q: Float64Array; q: Float64Array } | undefined;
    if (precompute) {
      const Q = new Float64Array(nf * nf);
      gemm(nf, nf, pre.X.rows, pre.X.data, pre.X.data, Q, { transA: true });
      const q = new Float64Array(nf);
      gemm(nf, 1, pre.X.rows, pre.X.data, pre.y, q, { transA: true });
      gram = { Q, q };
    }
    const Xte = takeRows(Xm, test);
    const yte = pick(yv, test);
    for (let l = 0; l < nL; l++) {
      const r = pathCore(pre.X, pre.y, l1Ratios[l], grids[l], { precompute, maxIter, tol, positive, coefInit: null, random, gram });
      // Test predictions for every alpha: Xte·coefs (coefs is nf×nA) + intercepts.
      const P = new Float64Array(Xte.rows * nA);
      gemm(Xte.rows, nA, nf, Xte.data, r.coefs, P);
      for (let a = 0; a < nA; a++) {
        let icpt = pre.yOffset;
        for (let j = 0; j < nf; j++) icpt -= pre.xOffset[j] * r.coefs[j * nA + a];
        let s = 0, ws = 0;
        for (let i = 0; i < Xte.rows; i++) {
          const e = P[i * nA + a] + icpt - yte[i];
          const w = swTe ? swTe[i] : 1;
          s += w * e * e;
          ws += w;
        }
        mse[(l * nA + a) * nF + f] = s / ws;
      }
    }
  }
  let best = Infinity, bestAlpha = grids[0][0], bestL1 = l1Ratios[0];
  for (let l = 0; l < nL; l++) {
    for (let a = 0; a < nA; a++) {
      let m = 0;
      for (let f = 0; f < nF; f++) m += mse[(l * nA + a) * nF + f];
      m /= nF;
      if (m < best) { best = m; bestAlpha = grids[l][a]; bestL1 = l1Ratios[l]; }
    }
  }
  const model = new ElasticNet({
    alpha: bestAlpha, l1Ratio: bestL1, fitIntercept, precompute: p.precompute === true, maxIter, tol, positive,
    randomState: p.randomState, selection,
  }).fit(Xm, yv, sw);
  self.coef = model.coef;
  self.intercept = model.intercept;
  self.dualGap = model.dualGap;
  self.nIter = model.nIter;
  self.alpha = bestAlpha;
  self.l1Ratio = bestL1;
  if (nL === 1) {
    self.alphas = grids[0];
    self.msePath = new Tensor(mse, [nA, nF]);
  } else {
    const all = new Float64Array(nL * nA);
    grids.forEach((g, l) => all.set(g, l * nA));
    self.alphas = new Tensor(all, [nL, nA]);
    self.msePath = new Tensor(mse, [nL, nA, nF]);
  }
  return nf;
}

function pick(a: Float64Array, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = a[idx[i]];
  return out;
}

/** Elastic-net with alpha (and l1Ratio, given several) chosen by cross-validation. */
export class ElasticNetCV extends BaseRegressor<ElasticNetCVParams> {
  coef?: Float64Array;
  intercept?: number;
  /** The chosen alpha. */
  alpha?: number;
  /** The chosen l1Ratio. */
  l1Ratio?: number;
  /** The alpha grid: a Float64Array, or a Tensor [nL1Ratios, nAlphas] for several l1Ratios. */
  alphas?: Float64Array | Tensor;
  /** Mean squared test error: [nAlphas, nFolds], or [nL1Ratios, nAlphas, nFolds]. */
  msePath?: Tensor;
  dualGap?: number;
  nIter?: number;

  constructor(params: Partial<ElasticNetCVParams> = {}) {
    super(params, ENETCV_DEFAULTS);
  }

  fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput | null): this {
    this.nFeaturesIn = fitCV('ElasticNetCV', this, this.params, false, X, y, sampleWeight);
    this.markFitted();
    return this;
  }

  predict(X: MatrixInput): Float64Array {
    const Xm: Matrix = this.validateInput(X);
    return linearPredict(Xm, this.coef!, this.intercept!);
  }
}

export type LassoCVParams = Omit<ElasticNetCVParams, 'l1Ratio'>;

const LASSOCV_DEFAULTS: LassoCVParams = {
  eps: 1e-3, nAlphas: 100, alphas: null, fitIntercept: true, precompute: 'auto',
  maxIter: 1000, tol: 1e-4, cv: null, positive: false, randomState: null, selection: 'cyclic',
};

/** Lasso with alpha chosen by cross-validation along the regularisation path. */
export class LassoCV extends BaseRegressor<LassoCVParams> {
  coef?: Float64Array;
  intercept?: number;
  alpha?: number;
  alphas?: Float64Array;
  /** Mean squared test error, [nAlphas, nFolds]. */
  msePath?: Tensor;
  dualGap?: number;
  nIter?: number;

  constructor(params: Partial<LassoCVParams> = {}) {
    super(params, LASSOCV_DEFAULTS);
  }

  fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput | null): this {
    const state: CVState = {};
    this.nFeaturesIn = fitCV('LassoCV', state, { ...this.params, l1Ratio: 1 }, true, X, y, sampleWeight);
    this.coef = state.coef;
    this.intercept = state.intercept;
    this.alpha = state.alpha;
    this.alphas = state.alphas as Float64Array;
    this.msePath = state.msePath;
    this.dualGap = state.dualGap;
    this.nIter = state.nIter;
    this.markFitted();
    return this;
  }

  predict(X: MatrixInput): Float64Array {
    const Xm = this.validateInput(X);
    return linearPredict(Xm, this.coef!, this.intercept!);
  }
}
