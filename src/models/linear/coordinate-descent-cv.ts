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
import { checkSampleWeight, checkXy, takeRows, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { checkBool, checkChoice, checkNumber, foldsFromTestSets, gemm, kFold, pickValues, preprocessData, weightedCentred, withoutL1Ratio } from './common.js';
import { estimatorName } from '../base.js';
import { LinearRegressorBase } from './linear-model.js';
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
  l1Ratio: 0.5,
  eps: 1e-3,
  nAlphas: 100,
  alphas: null,
  fitIntercept: true,
  precompute: 'auto',
  maxIter: 1000,
  tol: 1e-4,
  cv: null,
  positive: false,
  randomState: null,
  selection: 'cyclic',
};

/** What a cross-validated fit gives: the model refitted on all the data and the path that chose it. */
interface CVFit {
  model: ElasticNet;
  alpha: number;
  l1Ratio: number;
  alphas: Float64Array | Tensor;
  msePath: Tensor;
  nFeatures: number;
}

function fitCV(est: string, p: ElasticNetCVParams, isLasso: boolean, X: MatrixInput, y: VectorInput, sampleWeight: VectorInput | null | undefined): CVFit {
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
  const n = Xm.rows,
    nf = Xm.cols;
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
  const nA = grids[0].length,
    nF = folds.length,
    nL = l1Ratios.length;
  const mse = new Float64Array(nL * nA * nF); // [l1, alpha, fold]
  const random = selection === 'random' ? resolveGenerator(p.randomState) : null;
  for (let f = 0; f < nF; f++) {
    const { train, test } = folds[f];
    const Xtr = takeRows(Xm, train);
    const ytr = pickValues(yv, train);
    let swTr: Float64Array | null = null,
      swTe: Float64Array | null = null;
    if (sw) {
      swTr = pickValues(sw, train);
      swTe = pickValues(sw, test);
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
    const yte = pickValues(yv, test);
    for (let l = 0; l < nL; l++) {
      const r = pathCore(pre.X, pre.y, l1Ratios[l], grids[l], { precompute, maxIter, tol, positive, coefInit: null, random, gram, est });
      // Test predictions for every alpha: Xte·coefs (coefs is nf×nA) + intercepts.
      const P = new Float64Array(Xte.rows * nA);
      gemm(Xte.rows, nA, nf, Xte.data, r.coefs, P);
      for (let a = 0; a < nA; a++) {
        let icpt = pre.yOffset;
        for (let j = 0; j < nf; j++) icpt -= pre.xOffset[j] * r.coefs[j * nA + a];
        let s = 0,
          ws = 0;
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
  let best = Infinity,
    bestAlpha = grids[0][0],
    bestL1 = l1Ratios[0];
  for (let l = 0; l < nL; l++) {
    for (let a = 0; a < nA; a++) {
      let m = 0;
      for (let f = 0; f < nF; f++) m += mse[(l * nA + a) * nF + f];
      m /= nF;
      if (m < best) {
        best = m;
        bestAlpha = grids[l][a];
        bestL1 = l1Ratios[l];
      }
    }
  }
  const model = new ElasticNet({
    alpha: bestAlpha,
    l1Ratio: bestL1,
    fitIntercept,
    precompute: p.precompute === true,
    maxIter,
    tol,
    positive,
    randomState: p.randomState,
    selection,
  }).fit(Xm, yv, sw);
  const fit = { model, alpha: bestAlpha, l1Ratio: bestL1, nFeatures: nf };
  if (nL === 1) return { ...fit, alphas: grids[0], msePath: new Tensor(mse, [nA, nF]) };
  const all = new Float64Array(nL * nA);
  grids.forEach((g, l) => all.set(g, l * nA));
  return { ...fit, alphas: new Tensor(all, [nL, nA]), msePath: new Tensor(mse, [nL, nA, nF]) };
}

/** What ElasticNetCV and LassoCV share: the cross-validated path, the refit and its diagnostics. */
abstract class CrossValidatedEnet<P extends LassoCVParams> extends LinearRegressorBase<P> {
  /** The chosen alpha. */
  alpha?: number;
  /** Mean squared test error: [nAlphas, nFolds], or [nL1Ratios, nAlphas, nFolds] for several l1Ratios. */
  msePath?: Tensor;
  dualGap?: number;
  nIter?: number;

  /** Runs the cross-validation (the lasso's with l1Ratio 1), keeps the refitted model and returns what chose it. */
  protected fitPath(isLasso: boolean, X: MatrixInput, y: VectorInput, sampleWeight: VectorInput | null | undefined): CVFit {
    const r = fitCV(estimatorName(this), { l1Ratio: 1, ...this.params }, isLasso, X, y, sampleWeight);
    this.alpha = r.alpha;
    this.msePath = r.msePath;
    this.dualGap = r.model.dualGap;
    this.nIter = r.model.nIter;
    this.finishFit(r.model.coef!, r.model.intercept!, r.nFeatures);
    return r;
  }
}

/** Elastic-net with alpha (and l1Ratio, given several) chosen by cross-validation. */
export class ElasticNetCV extends CrossValidatedEnet<ElasticNetCVParams> {
  /** The chosen l1Ratio. */
  l1Ratio?: number;
  /** The alpha grid: a Float64Array, or a Tensor [nL1Ratios, nAlphas] for several l1Ratios. */
  alphas?: Float64Array | Tensor;

  static readonly defaults: ElasticNetCVParams = ENETCV_DEFAULTS;

  fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput | null): this {
    const r = this.fitPath(false, X, y, sampleWeight);
    this.l1Ratio = r.l1Ratio;
    this.alphas = r.alphas;
    return this;
  }
}

export type LassoCVParams = Omit<ElasticNetCVParams, 'l1Ratio'>;

const LASSOCV_DEFAULTS: LassoCVParams = withoutL1Ratio(ENETCV_DEFAULTS);

/** Lasso with alpha chosen by cross-validation along the regularisation path. */
export class LassoCV extends CrossValidatedEnet<LassoCVParams> {
  /** The alpha grid. */
  alphas?: Float64Array;

  static readonly defaults: LassoCVParams = LASSOCV_DEFAULTS;

  fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput | null): this {
    this.alphas = this.fitPath(true, X, y, sampleWeight).alphas as Float64Array;
    return this;
  }
}
