/**
 * Elastic-net by coordinate descent (scikit-learn's `ElasticNet`, `Lasso`,
 * `enet_path`, `lasso_path`), minimising
 *
 *     1/(2n)·‖y - X·w‖² + alpha·l1Ratio·‖w‖₁ + alpha·(1 - l1Ratio)/2·‖w‖²
 *
 * (n = number of samples; with sample weights, the weighted squared error
 * with weights rescaled to sum to n). The solver is the same cyclic (or
 * random) coordinate descent as scikit-learn's `cd_fast`: soft-thresholding
 * updates on the residual, one sweep over the features per iteration, and
 * the duality-gap test as stopping rule: when the largest coefficient change
 * of a sweep is below tol·max|w|, the gap is computed and the fit stops once
 * it is below tol·‖y‖². A Gram variant (XᵀX formed once, updates in O(p))
 * runs when `precompute` asks for it, as scikit-learn's path does by default
 * for n_samples > n_features.
 */
import { NumericalError, ValueError } from '../../errors.js';
import { resolveGenerator, type Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkSampleWeight, checkXy, type Matrix, type MatrixInput, type VectorInput } from '../../utils/validation.js';
import { checkBool, checkChoice, checkNumber, gemm, interceptFrom, linearPredict, weightedCentred, withoutL1Ratio } from './common.js';
import { checkOptions } from '../../utils/options.js';
import { estimatorName } from '../base.js';
import { LinearRegressorBase } from './linear-model.js';

export interface CDResult {
  gap: number;
  /** tol·‖y‖², the gap the fit had to reach. */
  tol: number;
  nIter: number;
}

export interface CDOptions {
  maxIter: number;
  tol: number;
  positive: boolean;
  /** Random coordinate order (each step draws a feature uniformly). */
  random: Generator | null;
  /** The estimator (or function) named in a NumericalError. */
  est: string;
}

/** One coordinate's new value: tmp soft-thresholded by l1, over `denom` (0 for a negative tmp when positive). */
function coordinateUpdate(tmp: number, l1: number, denom: number, positive: boolean): number {
  if (positive && tmp < 0) return 0;
  return (Math.sign(tmp) * Math.max(Math.abs(tmp) - l1, 0)) / denom;
}

/** A sweep that made a coefficient, or a duality gap, non-finite: the data overflow float64. */
function checkSweep(o: CDOptions, iter: number, sweepSum: number, gap: number): void {
  if (Number.isFinite(sweepSum) && !Number.isNaN(gap)) return;
  throw new NumericalError(
    `${o.est}: coordinate descent met a non-finite value at sweep ${iter + 1} (coefficients ${sweepSum}, duality gap ${gap}); the features or targets are too large for float64 — scale them (StandardScaler)`,
  );
}

/** One sweep's bookkeeping: the largest |w_j|, the largest step |Δw_j| and Σ|w_j| (for the finiteness check). */
class SweepStats {
  wMax = 0;
  dwMax = 0;
  sum = 0;

  /** Records the update of one coordinate from wOld to wNew. */
  record(wOld: number, wNew: number): void {
    this.sum += Math.abs(wNew);
    const dw = Math.abs(wNew - wOld);
    if (dw > this.dwMax) this.dwMax = dw;
    if (Math.abs(wNew) > this.wMax) this.wMax = Math.abs(wNew);
  }
}

/**
 * The outer loop both solvers share (scikit-learn's enet_coordinate_descent):
 * sweep every coordinate; when the largest step is small next to the largest
 * weight (or on the last sweep), compute the duality gap and stop once it is
 * below `tol` (= opts.tol·‖y‖²).
 */
function sweepUntilGap(opts: CDOptions, tol: number, sweep: (stats: SweepStats) => void, dualityGapNow: () => number): CDResult {
  const { maxIter } = opts;
  let gap = tol + 1;
  let iter = 0;
  for (; iter < maxIter; iter++) {
    const stats = new SweepStats();
    sweep(stats);
    checkSweep(opts, iter, stats.sum, 0);
    if (stats.wMax === 0 || stats.dwMax / stats.wMax < opts.tol || iter === maxIter - 1) {
      gap = dualityGapNow();
      checkSweep(opts, iter, stats.sum, gap);
      if (gap < tol) {
        iter++;
        break;
      }
    }
  }
  return { gap, tol, nIter: Math.min(iter, maxIter) };
}

/** X column-major: column j is xt[j·n .. j·n + n). */
export function toColumnMajor(X: Matrix): Float64Array {
  const { rows: n, cols: p, data } = X;
  const xt = new Float64Array(n * p);
  const B = 64;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(n, i0 + B);
    for (let j = 0; j < p; j++) {
      const col = j * n;
      for (let i = i0; i < i1; i++) xt[col + i] = data[i * p + j];
    }
  }
  return xt;
}

/**
 * Coordinate descent on min ½‖y - X·w‖² + l1·‖w‖₁ + (l2/2)·‖w‖², updating w
 * in place. `xt` is X column-major (n samples, p features).
 */
export function enetCoordinateDescent(w: Float64Array, l1: number, l2: number, xt: Float64Array, n: number, p: number, y: Float64Array, opts: CDOptions): CDResult {
  const { positive } = opts;
  const normCols = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    let s = 0;
    const c = j * n;
    for (let i = 0; i < n; i++) s += xt[c + i] * xt[c + i];
    normCols[j] = s;
  }
  const R = y.slice();
  for (let j = 0; j < p; j++) {
    const wj = w[j];
    if (wj === 0) continue;
    const c = j * n;
    for (let i = 0; i < n; i++) R[i] -= wj * xt[c + i];
  }
  let yy = 0;
  for (let i = 0; i < n; i++) yy += y[i] * y[i];
  const XtA = new Float64Array(p);
  const problem: ResidualProblem = { w, l1, l2, xt, n, p, R };
  return sweepUntilGap(
    opts,
    opts.tol * yy,
    (stats) => residualSweep(problem, normCols, opts, stats),
    () => residualDualityGap(problem, y, XtA, positive),
  );
}

/** The residual solver's state: the weights, the penalties, X column-major (n × p) and R = y − X·w. */
interface ResidualProblem {
  w: Float64Array;
  l1: number;
  l2: number;
  xt: Float64Array;
  n: number;
  p: number;
  R: Float64Array;
}

/** One sweep of the residual solver: every coordinate updated, R = y − X·w kept current. */
function residualSweep(problem: ResidualProblem, normCols: Float64Array, opts: CDOptions, stats: SweepStats): void {
  const { w, l1, l2, xt, n, p, R } = problem;
  const { positive, random } = opts;
  for (let f = 0; f < p; f++) {
    const j = random ? Math.floor(random.random() * p) : f;
    if (normCols[j] === 0) continue;
    const c = j * n;
    const wOld = w[j];
    let tmp = 0;
    if (wOld !== 0) {
      for (let i = 0; i < n; i++) {
        const x = xt[c + i];
        const r = R[i] + wOld * x;
        R[i] = r;
        tmp += x * r;
      }
    } else {
      for (let i = 0; i < n; i++) tmp += xt[c + i] * R[i];
    }
    const wNew = coordinateUpdate(tmp, l1, normCols[j] + l2, positive);
    w[j] = wNew;
    if (wNew !== 0) for (let i = 0; i < n; i++) R[i] -= wNew * xt[c + i];
    stats.record(wOld, wNew);
  }
}

/** Duality gap of the current (w, R); XtA is scratch of length p. */
function residualDualityGap(problem: ResidualProblem, y: Float64Array, XtA: Float64Array, positive: boolean): number {
  const { w, l1, l2, xt, n, p, R } = problem;
  let Rn2 = 0,
    Ry = 0;
  for (let i = 0; i < n; i++) {
    Rn2 += R[i] * R[i];
    Ry += R[i] * y[i];
  }
  let dual = 0,
    wn2 = 0,
    l1n = 0;
  for (let j = 0; j < p; j++) {
    let s = 0;
    const c = j * n;
    for (let i = 0; i < n; i++) s += xt[c + i] * R[i];
    XtA[j] = s - l2 * w[j];
    const v = positive ? XtA[j] : Math.abs(XtA[j]);
    if (j === 0 || v > dual) dual = v;
    wn2 += w[j] * w[j];
    l1n += Math.abs(w[j]);
  }
  return dualityGap(Rn2, dual, l1, l2, wn2, l1n, Ry);
}

function dualityGap(Rn2: number, dualNorm: number, l1: number, l2: number, wn2: number, l1n: number, Ry: number): number {
  let konst: number, gap: number;
  if (dualNorm > l1) {
    konst = l1 / dualNorm;
    gap = 0.5 * (Rn2 + Rn2 * konst * konst);
  } else {
    konst = 1;
    gap = Rn2;
  }
  return gap + l1 * l1n - konst * Ry + 0.5 * l2 * (1 + konst * konst) * wn2;
}

/**
 * The Gram variant: min ½wᵀQw - qᵀw + l1‖w‖₁ + (l2/2)‖w‖² with Q = XᵀX,
 * q = Xᵀy and yy = ‖y‖² (only needed for the gap).
 */
export function enetCoordinateDescentGram(w: Float64Array, l1: number, l2: number, Q: Float64Array, q: Float64Array, yy: number, p: number, opts: CDOptions): CDResult {
  const H = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const wj = w[j];
    if (wj === 0) continue;
    for (let k = 0; k < p; k++) H[k] += Q[j * p + k] * wj;
  }
  return sweepUntilGap(
    opts,
    opts.tol * yy,
    (stats) => gramSweep(w, l1, l2, Q, q, p, H, opts, stats),
    () => gramDualityGap(w, l1, l2, q, yy, p, H, opts.positive),
  );
}

/** One sweep of the Gram solver: every coordinate updated, H = Q·w kept current. */
function gramSweep(w: Float64Array, l1: number, l2: number, Q: Float64Array, q: Float64Array, p: number, H: Float64Array, opts: CDOptions, stats: SweepStats): void {
  const { positive, random } = opts;
  for (let f = 0; f < p; f++) {
    const j = random ? Math.floor(random.random() * p) : f;
    const qjj = Q[j * p + j];
    if (qjj === 0) continue;
    const row = j * p;
    const wOld = w[j];
    if (wOld !== 0) for (let k = 0; k < p; k++) H[k] -= wOld * Q[row + k];
    const tmp = q[j] - H[j];
    const wNew = coordinateUpdate(tmp, l1, qjj + l2, positive);
    w[j] = wNew;
    if (wNew !== 0) for (let k = 0; k < p; k++) H[k] += wNew * Q[row + k];
    stats.record(wOld, wNew);
  }
}

/** Duality gap of the current w from the Gram quantities (‖R‖² = yᵀy + wᵀH − 2qᵀw). */
function gramDualityGap(w: Float64Array, l1: number, l2: number, q: Float64Array, yy: number, p: number, H: Float64Array, positive: boolean): number {
  let qw = 0,
    wH = 0,
    wn2 = 0,
    l1n = 0,
    dual = 0;
  for (let j = 0; j < p; j++) {
    qw += w[j] * q[j];
    wH += w[j] * H[j];
    wn2 += w[j] * w[j];
    l1n += Math.abs(w[j]);
    const xta = q[j] - H[j] - l2 * w[j];
    const v = positive ? xta : Math.abs(xta);
    if (j === 0 || v > dual) dual = v;
  }
  const Rn2 = yy + wH - 2 * qw;
  return dualityGap(Rn2, dual, l1, l2, wn2, l1n, yy - qw);
}

// ---------------------------------------------------------------- path

export interface EnetPathOptions {
  /** Mix of L1 and L2 (1: lasso). Default 0.5 (enetPath) / 1 (lassoPath). */
  l1Ratio?: number;
  /** alpha_min / alpha_max of the default grid. Default 1e-3. */
  eps?: number;
  /** Size of the default grid. Default 100. */
  nAlphas?: number;
  /** Explicit alphas (sorted descending before use). */
  alphas?: ArrayLike<number> | null;
  /** Use the Gram matrix: 'auto' (default) when n_samples > n_features. */
  precompute?: boolean | 'auto';
  maxIter?: number;
  tol?: number;
  positive?: boolean;
  /** Starting coefficients for the first alpha. */
  coefInit?: ArrayLike<number> | null;
  selection?: 'cyclic' | 'random';
  randomState?: number | Generator | null;
}

const ENET_PATH_OPTIONS: readonly (keyof EnetPathOptions)[] = [
  'l1Ratio',
  'eps',
  'nAlphas',
  'alphas',
  'precompute',
  'maxIter',
  'tol',
  'positive',
  'coefInit',
  'selection',
  'randomState',
];

export interface EnetPathResult {
  /** The alphas, descending. */
  alphas: Float64Array;
  /** Coefficients, shape [nFeatures, nAlphas] (column a is the fit at alphas[a]). */
  coefs: Tensor;
  dualGaps: Float64Array;
  nIters: Int32Array;
}

/**
 * scikit-learn's `_alpha_grid`: nAlphas values log-spaced from alpha_max
 * (the smallest alpha with all coefficients zero) down to eps·alpha_max.
 * X and y must already be centred if an intercept is fitted.
 */
export function alphaGrid(xty: Float64Array, n: number, l1Ratio: number, eps: number, nAlphas: number): Float64Array {
  let mx = 0;
  for (let j = 0; j < xty.length; j++) mx = Math.max(mx, Math.abs(xty[j]));
  const alphaMax = mx / (n * l1Ratio);
  const out = new Float64Array(nAlphas);
  const resolution = 1e-15; // np.finfo(float).resolution
  if (alphaMax <= resolution) {
    out.fill(resolution);
    return out;
  }
  const hi = Math.log10(alphaMax),
    lo = Math.log10(alphaMax * eps);
  for (let k = 0; k < nAlphas; k++) {
    const t = nAlphas === 1 ? hi : lo + ((hi - lo) * k) / (nAlphas - 1);
    out[nAlphas - 1 - k] = 10 ** t;
  }
  return out;
}

/** Internal: the path on prepared data (X row-major, already centred/rescaled). */
export function pathCore(
  X: Matrix,
  y: Float64Array,
  l1Ratio: number,
  alphas: Float64Array,
  o: {
    precompute: boolean;
    maxIter: number;
    tol: number;
    positive: boolean;
    coefInit: Float64Array | null;
    random: Generator | null;
    /** The estimator named in errors. */
    est: string;
    xt?: Float64Array;
    gram?: { Q: Float64Array; q: Float64Array };
  },
): { coefs: Float64Array; dualGaps: Float64Array; nIters: Int32Array } {
  const n = X.rows,
    p = X.cols,
    K = alphas.length;
  const coefs = new Float64Array(p * K);
  const dualGaps = new Float64Array(K);
  const nIters = new Int32Array(K);
  const w = o.coefInit ? Float64Array.from(o.coefInit) : new Float64Array(p);
  let xt: Float64Array | undefined,
    Q: Float64Array | undefined,
    q: Float64Array | undefined,
    yy = 0;
  if (o.precompute) {
    if (o.gram) ({ Q, q } = o.gram);
    else {
      Q = new Float64Array(p * p);
      gemm(p, p, n, X.data, X.data, Q, { transA: true });
      q = new Float64Array(p);
      gemm(p, 1, n, X.data, y, q, { transA: true });
    }
    for (let i = 0; i < n; i++) yy += y[i] * y[i];
  } else {
    xt = o.xt ?? toColumnMajor(X);
  }
  const cd: CDOptions = { maxIter: o.maxIter, tol: o.tol, positive: o.positive, random: o.random, est: o.est };
  for (let a = 0; a < K; a++) {
    const l1 = alphas[a] * l1Ratio * n;
    const l2 = alphas[a] * (1 - l1Ratio) * n;
    const r = o.precompute ? enetCoordinateDescentGram(w, l1, l2, Q!, q!, yy, p, cd) : enetCoordinateDescent(w, l1, l2, xt!, n, p, y, cd);
    for (let j = 0; j < p; j++) coefs[j * K + a] = w[j];
    dualGaps[a] = r.gap;
    nIters[a] = r.nIter;
  }
  return { coefs, dualGaps, nIters };
}

/**
 * The elastic-net regularisation path (scikit-learn's `enet_path`): fits
 * every alpha of the grid in descending order, each warm-started from the
 * previous solution. No intercept: centre X and y first if you need one.
 */
export function enetPath(X: MatrixInput, y: VectorInput, options: EnetPathOptions = {}): EnetPathResult {
  const fn = 'enetPath';
  checkOptions(fn, options, ENET_PATH_OPTIONS);
  const l1Ratio = checkNumber('l1Ratio', options.l1Ratio ?? 0.5, fn, { min: 0, max: 1 });
  const eps = checkNumber('eps', options.eps ?? 1e-3, fn, { min: 0, minExclusive: true });
  const nAlphas = checkNumber('nAlphas', options.nAlphas ?? 100, fn, { min: 1, integer: true });
  const maxIter = checkNumber('maxIter', options.maxIter ?? 1000, fn, { min: 1, integer: true });
  const tol = checkNumber('tol', options.tol ?? 1e-4, fn, { min: 0 });
  const positive = options.positive ?? false;
  const selection = checkChoice('selection', options.selection ?? 'cyclic', ['cyclic', 'random'] as const, fn);
  const { X: Xm, y: yv } = checkXy(X, y);
  const n = Xm.rows,
    p = Xm.cols;
  let alphas: Float64Array;
  if (options.alphas !== undefined && options.alphas !== null) {
    alphas = Float64Array.from(options.alphas).sort().reverse();
    for (const a of alphas) checkNumber('alphas[i]', a, fn, { min: 0 });
  } else {
    if (l1Ratio === 0) throw new ValueError(`${fn}: automatic alpha grid generation is not supported for l1Ratio=0; supply alphas`);
    const xty = new Float64Array(p);
    gemm(p, 1, n, Xm.data, yv, xty, { transA: true });
    alphas = alphaGrid(xty, n, l1Ratio, eps, nAlphas);
  }
  const pre = options.precompute ?? 'auto';
  const precompute = pre === 'auto' ? n > p : pre === true;
  let coefInit: Float64Array | null = null;
  if (options.coefInit) {
    coefInit = Float64Array.from(options.coefInit);
    if (coefInit.length !== p) throw new ValueError(`${fn}: coefInit has ${coefInit.length} values, expected ${p} (one per feature)`);
  }
  const random = selection === 'random' ? resolveGenerator(options.randomState) : null;
  const r = pathCore(Xm, yv, l1Ratio, alphas, { precompute, maxIter, tol, positive, coefInit, random, est: fn });
  return { alphas, coefs: new Tensor(r.coefs, [p, alphas.length]), dualGaps: r.dualGaps, nIters: r.nIters };
}

/** The lasso path (`enetPath` with l1Ratio = 1). */
export function lassoPath(X: MatrixInput, y: VectorInput, options: Omit<EnetPathOptions, 'l1Ratio'> = {}): EnetPathResult {
  return enetPath(X, y, { ...options, l1Ratio: 1 });
}

// ---------------------------------------------------------------- estimators

export interface ElasticNetParams {
  /** Overall penalty strength. Default 1. */
  alpha: number;
  /** 0: ridge penalty, 1: lasso. Default 0.5. */
  l1Ratio: number;
  fitIntercept: boolean;
  /** Use the Gram matrix XᵀX (faster when n_samples ≫ n_features). Default false. */
  precompute: boolean;
  maxIter: number;
  tol: number;
  /** Start from the previous fit's coefficients. */
  warmStart: boolean;
  /** Constrain coefficients to be >= 0. */
  positive: boolean;
  randomState: number | Generator | null;
  /** 'cyclic' (default) or 'random' coordinate order. */
  selection: 'cyclic' | 'random';
}

/** The defaults of ElasticNet; Lasso's are the same less l1Ratio (which it fixes at 1). */
const ENET_DEFAULTS: ElasticNetParams = {
  alpha: 1,
  l1Ratio: 0.5,
  fitIntercept: true,
  precompute: false,
  maxIter: 1000,
  tol: 1e-4,
  warmStart: false,
  positive: false,
  randomState: null,
  selection: 'cyclic',
};

/** What an elastic-net fit gives. */
interface EnetFit {
  coef: Float64Array;
  intercept: number;
  nIter: number;
  dualGap: number;
  nFeatures: number;
}

/** The fit of ElasticNet and Lasso; `previousCoef` is the last fit's coef (for warmStart). */
function fitEnet(
  est: string,
  previousCoef: Float64Array | undefined,
  p: ElasticNetParams,
  l1RatioFixed: number | null,
  X: MatrixInput,
  y: VectorInput,
  sampleWeight: VectorInput | null | undefined,
): EnetFit {
  const alpha = checkNumber('alpha', p.alpha, est, { min: 0 });
  const l1Ratio = l1RatioFixed ?? checkNumber('l1Ratio', p.l1Ratio, est, { min: 0, max: 1 });
  const fitIntercept = checkBool('fitIntercept', p.fitIntercept, est);
  const maxIter = checkNumber('maxIter', p.maxIter, est, { min: 1, integer: true });
  const tol = checkNumber('tol', p.tol, est, { min: 0 });
  const positive = checkBool('positive', p.positive, est);
  const warmStart = checkBool('warmStart', p.warmStart, est);
  const precompute = checkBool('precompute', p.precompute, est);
  const selection = checkChoice('selection', p.selection, ['cyclic', 'random'] as const, est);
  const { X: Xm, y: yv } = checkXy(X, y);
  const n = Xm.rows;
  let sw = checkSampleWeight(sampleWeight, n, { nonNegative: true });
  if (sw) {
    let s = 0;
    for (let i = 0; i < n; i++) s += sw[i];
    if (!(s > 0)) throw new ValueError(`${est}: sampleWeight sums to ${s}; at least one sample needs a positive weight`);
    sw = sw.map((v) => (v * n) / s);
  }
  const pre = weightedCentred(Xm, yv, fitIntercept, sw);
  let coefInit: Float64Array | null = null;
  if (warmStart && previousCoef && previousCoef.length === Xm.cols) coefInit = previousCoef;
  const random = selection === 'random' ? resolveGenerator(p.randomState) : null;
  const r = pathCore(pre.X, pre.y, l1Ratio, Float64Array.of(alpha), { precompute, maxIter, tol, positive, coefInit, random, est });
  const intercept = fitIntercept ? interceptFrom(pre.xOffset, pre.yOffset, r.coefs) : 0;
  return { coef: r.coefs, intercept, nIter: r.nIters[0], dualGap: r.dualGaps[0], nFeatures: Xm.cols };
}

/** What ElasticNet and Lasso share: the fit by coordinate descent and its diagnostics. */
abstract class CoordinateDescentRegressor<P extends LassoParams> extends LinearRegressorBase<P> {
  /** Coordinate-descent sweeps run. */
  nIter?: number;
  /** Duality gap at the end of the fit. */
  dualGap?: number;

  /** Fits with the penalty mix `l1Ratio`. */
  protected fitWithRatio(l1Ratio: number, fixed: boolean, X: MatrixInput, y: VectorInput, sampleWeight: VectorInput | null | undefined): this {
    const r = fitEnet(estimatorName(this), this.coef, { ...this.params, l1Ratio }, fixed ? l1Ratio : null, X, y, sampleWeight);
    this.nIter = r.nIter;
    this.dualGap = r.dualGap;
    return this.finishFit(r.coef, r.intercept, r.nFeatures);
  }
}

/** Linear regression with combined L1 and L2 penalties, by coordinate descent. */
export class ElasticNet extends CoordinateDescentRegressor<ElasticNetParams> {
  static readonly defaults: ElasticNetParams = ENET_DEFAULTS;

  fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput | null): this {
    return this.fitWithRatio(this.params.l1Ratio, false, X, y, sampleWeight);
  }
}

export type LassoParams = Omit<ElasticNetParams, 'l1Ratio'>;

const LASSO_DEFAULTS: LassoParams = withoutL1Ratio(ENET_DEFAULTS);

/** Linear regression with an L1 penalty (the lasso), by coordinate descent. */
export class Lasso extends CoordinateDescentRegressor<LassoParams> {
  static readonly defaults: LassoParams = LASSO_DEFAULTS;

  fit(X: MatrixInput, y: VectorInput, sampleWeight?: VectorInput | null): this {
    return this.fitWithRatio(1, true, X, y, sampleWeight);
  }
}

/** The elastic-net objective 1/(2n)‖y - Xw - b‖² + α·l1Ratio‖w‖₁ + α(1 - l1Ratio)/2‖w‖² (for tests and diagnostics). */
export function enetObjective(X: Matrix, y: Float64Array, coef: Float64Array, intercept: number, alpha: number, l1Ratio: number): number {
  const pred = linearPredict(X, coef, intercept);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - pred[i]) ** 2;
  let l1 = 0,
    l2 = 0;
  for (let j = 0; j < coef.length; j++) {
    l1 += Math.abs(coef[j]);
    l2 += coef[j] * coef[j];
  }
  return s / (2 * y.length) + alpha * l1Ratio * l1 + 0.5 * alpha * (1 - l1Ratio) * l2;
}
