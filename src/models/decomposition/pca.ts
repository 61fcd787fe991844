/**
 * Principal component analysis with scikit-learn's parameters and numbers
 * (`sklearn.decomposition.PCA`, 1.5 semantics): the data are centred, then
 * decomposed by an exact SVD ('full'), an eigendecomposition of the
 * covariance matrix ('covariance_eigh', fastest for many more samples than
 * features) or a randomized SVD ('randomized', fastest for a few components
 * of large data). Signs follow scikit-learn's `svd_flip(u_based_decision=False)`:
 * the largest-magnitude entry of every component is positive.
 */
import { ValueError } from '../../errors.js';
import { eigh } from '../../linalg/eigh.js';
import { inv, slogdet } from '../../linalg/lu.js';
import { svdRaw } from '../../linalg/svd.js';
import { resolveGenerator, type Generator } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { toMatrix, type Matrix, type MatrixInput } from '../../utils/validation.js';
import { BaseTransformer } from '../base.js';
import { checkFinite } from '../finite.js';
import { checkBool, checkChoice, checkNumber } from '../linear/common.js';
import { centreInFloat32, columnMeans, shiftRows } from './columns.js';
import { inferDimension } from './pca-likelihood.js';
import { autoPowerIterations, flipSignsByComponents, powerIterationsInFloat32, product, randomizedSVD, type TruncatedSVDResult } from './randomized-svd.js';

export type PCASolver = 'auto' | 'full' | 'covariance_eigh' | 'randomized';
export type PowerIterationNormalizer = 'auto' | 'QR' | 'none';

export interface PCAParams {
  /**
   * Components to keep: an integer, a fraction in (0, 1) of the variance to
   * explain (solver 'full' or 'covariance_eigh'), 'mle' (Minka's choice), or
   * null for min(nSamples, nFeatures).
   */
  nComponents: number | 'mle' | null;
  /** Divide the projections by the singular values so each has unit variance (default false). */
  whiten: boolean;
  /** 'auto' (default) picks by shape as scikit-learn does. */
  svdSolver: PCASolver;
  /** Power iterations of the randomized solver ('auto': 7 for few components, else 4). */
  iteratedPower: number | 'auto';
  /** Extra random directions of the randomized solver (default 10). */
  nOversamples: number;
  /** Re-orthonormalisation between power iterations ('auto': QR when more than 2 iterations). */
  powerIterationNormalizer: PowerIterationNormalizer;
  /** Seed or Generator of the randomized solver. */
  randomState: number | Generator | null;
}

const DEFAULTS: PCAParams = {
  nComponents: null,
  whiten: false,
  svdSolver: 'auto',
  iteratedPower: 'auto',
  nOversamples: 10,
  powerIterationNormalizer: 'auto',
  randomState: null,
};

/** What a solver returns: the descending spectrum and every component it computed (k×d). */
interface Spectrum {
  singularValues: Float64Array;
  explainedVariance: Float64Array;
  components: Float64Array;
  /** Sum of the per-feature variances (ddof 1). */
  totalVariance: number;
}

/** Linear dimensionality reduction onto the directions of largest variance. */
export class PCA extends BaseTransformer<PCAParams> {
  /** Principal axes, one per row: [nComponents, nFeatures]. */
  components: Tensor | undefined;
  /** Variance (ddof 1) along each component. */
  explainedVariance: Float64Array | undefined;
  /** Fraction of the total variance along each component. */
  explainedVarianceRatio: Float64Array | undefined;
  /** Singular values of the centred data for the kept components. */
  singularValues: Float64Array | undefined;
  /** Per-feature mean of the training data. */
  mean: Float64Array | undefined;
  /** Probabilistic PCA's noise variance: mean variance of the discarded directions. */
  noiseVariance: number | undefined;
  /** Components kept (resolved from a fraction or 'mle'). */
  nComponents: number | undefined;
  /** Samples seen in fit. */
  nSamples: number | undefined;
  /** The solver fit used ('auto' resolved). */
  fitSolver: Exclude<PCASolver, 'auto'> | undefined;

  constructor(params: Partial<PCAParams> = {}) {
    super(params, DEFAULTS);
  }

  override fit(X: MatrixInput, _y?: unknown): this {
    const p = this.params;
    const est = 'PCA';
    checkBool('whiten', p.whiten, est);
    const solverParam = checkChoice('svdSolver', p.svdSolver, ['auto', 'full', 'covariance_eigh', 'randomized'] as const, est);
    checkChoice('powerIterationNormalizer', p.powerIterationNormalizer, ['auto', 'QR', 'none'] as const, est);
    checkNumber('nOversamples', p.nOversamples, est, { min: 1, integer: true });
    if (p.iteratedPower !== 'auto') checkNumber('iteratedPower', p.iteratedPower, est, { min: 0, max: 1000, integer: true });
    const m = toMatrix(X, { minSamples: 2 });
    const { rows: n, cols: d } = m;
    const bound = Math.min(n, d);
    const request = checkComponents(p.nComponents, bound);
    const solver = solverParam === 'auto' ? autoSolver(n, d, request) : solverParam;
    if (request === 'mle' && n < d) throw new ValueError(`PCA: nComponents 'mle' needs at least as many samples as features, got ${n} samples and ${d} features`);
    if (solver === 'randomized' && typeof request === 'number' && !Number.isInteger(request)) {
      throw new ValueError(`PCA: svdSolver 'randomized' needs an integer nComponents, got ${request}; use 'full' or 'covariance_eigh' for a fraction of the variance`);
    }
    if (solver === 'randomized' && request === 'mle') throw new ValueError(`PCA: nComponents 'mle' needs svdSolver 'full' or 'covariance_eigh'`);

    const mean = columnMeans(m.data, n, d);
    const spectrum =
      solver === 'randomized'
        ? randomizedSpectrum(m.data, mean, n, d, request as number, p, resolveGenerator(p.randomState))
        : solver === 'full'
          ? fullSpectrum(shiftRows(m.data, n, d, mean), n, d)
          : covarianceSpectrum(shiftRows(m.data, n, d, mean), n, d);
    checkFinite(est, 'the explained variance', spectrum.explainedVariance);
    const ratio = spectrum.explainedVariance.map((v) => v / spectrum.totalVariance);
    const k = resolveComponents(request, bound, ratio, spectrum.explainedVariance, n);
    const computed = spectrum.explainedVariance.length;
    let noise = 0;
    if (k < bound) {
      if (solver === 'randomized') noise = (spectrum.totalVariance - sum(spectrum.explainedVariance)) / (bound - k);
      else noise = sum(spectrum.explainedVariance.subarray(k, computed)) / (computed - k);
    }
    this.mean = mean;
    this.components = new Tensor(spectrum.components.slice(0, k * d), [k, d]);
    this.explainedVariance = spectrum.explainedVariance.slice(0, k);
    this.explainedVarianceRatio = ratio.slice(0, k);
    this.singularValues = spectrum.singularValues.slice(0, k);
    this.noiseVariance = noise;
    this.nComponents = k;
    this.nSamples = n;
    this.fitSolver = solver;
    return this.markFitted(d);
  }

  /** Projections onto the components, [nSamples, nComponents] (divided by √explainedVariance when whitening). */
  override transform(X: MatrixInput): Tensor {
    const m = this.validateInput(X);
    const k = this.nComponents!;
    const out = product(shiftRows(m.data, m.rows, m.cols, this.mean!), this.components!.data as Float64Array, m.rows, k, m.cols, false, true);
    if (this.params.whiten) {
      const scale = this.whitenScale();
      for (let i = 0; i < out.length; i++) out[i] /= scale[i % k];
    }
    return new Tensor(out, [m.rows, k]);
  }

  /** Back to feature space: Z·components + mean (undoing the whitening). */
  inverseTransform(Z: MatrixInput): Tensor {
    this.checkFitted();
    const k = this.nComponents!;
    const d = this.nFeaturesIn!;
    const z = toMatrix(Z, { name: 'Z', copy: true, minFeatures: 0 });
    if (z.cols !== k) throw new ValueError(`PCA.inverseTransform: Z has ${z.cols} columns but the PCA keeps ${k} components`);
    if (this.params.whiten) {
      const scale = this.whitenScale();
      for (let i = 0; i < z.data.length; i++) z.data[i] *= scale[i % k];
    }
    const out = product(z.data, this.components!.data as Float64Array, z.rows, d, k);
    shiftRows(out, z.rows, d, this.mean!, out, -1);
    return new Tensor(out, [z.rows, d]);
  }

  /** The model's covariance: componentsᵀ·diag(variance - noise)·components + noise·I, [nFeatures, nFeatures] (scikit-learn's `get_covariance`). */
  getCovariance(): Tensor {
    this.checkFitted();
    const d = this.nFeaturesIn!;
    const k = this.nComponents!;
    const comp = this.components!.data as Float64Array;
    const noise = this.noiseVariance!;
    // As scikit-learn: a whitened model's components are scaled by √variance first (so the variance enters twice).
    const weighted = new Float64Array(k * d);
    const scaled = this.params.whiten ? new Float64Array(k * d) : comp;
    for (let c = 0; c < k; c++) {
      const variance = this.explainedVariance![c];
      const s = this.params.whiten ? Math.sqrt(variance) : 1;
      const w = Math.max(variance - noise, 0);
      for (let j = 0; j < d; j++) {
        scaled[c * d + j] = comp[c * d + j] * s;
        weighted[c * d + j] = scaled[c * d + j] * w;
      }
    }
    const cov = product(scaled, weighted, d, d, k, true, false);
    for (let j = 0; j < d; j++) cov[j * d + j] += noise;
    return new Tensor(cov, [d, d]);
  }

  /** Log-likelihood of each sample under the probabilistic PCA model. */
  scoreSamples(X: MatrixInput): Float64Array {
    const m = this.validateInput(X);
    const d = m.cols;
    const cov: Matrix = { data: this.getCovariance().data as Float64Array, rows: d, cols: d };
    const precision = inv(cov).data;
    const logDet = -slogdet(cov).logAbsDet;
    const xr = shiftRows(m.data, m.rows, m.cols, this.mean!);
    const xp = product(xr, precision, m.rows, d, d);
    const out = new Float64Array(m.rows);
    const constant = 0.5 * (d * Math.log(2 * Math.PI) - logDet);
    for (let i = 0; i < m.rows; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += xr[i * d + j] * xp[i * d + j];
      out[i] = -0.5 * s - constant;
    }
    return out;
  }

  /** Mean log-likelihood of the samples under the probabilistic PCA model. */
  score(X: MatrixInput, _y?: unknown): number {
    const samples = this.scoreSamples(X);
    return sum(samples) / samples.length;
  }

  /** √explainedVariance with zeros raised to machine epsilon (a constant direction stays finite). */
  private whitenScale(): Float64Array {
    return this.explainedVariance!.map((v) => Math.max(Math.sqrt(v), 2.220446049250313e-16));
  }
}

/** The nComponents parameter checked against min(nSamples, nFeatures). */
function checkComponents(v: unknown, bound: number): number | 'mle' {
  if (v === null || v === undefined) return bound;
  if (v === 'mle') return 'mle';
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw new ValueError(`PCA: nComponents must be a positive integer, a fraction in (0, 1), 'mle' or null; got ${String(v)}`);
  if (v < 1) return v;
  if (!Number.isInteger(v)) throw new ValueError(`PCA: nComponents must be an integer when >= 1, got ${v}`);
  if (v > bound) throw new ValueError(`PCA: nComponents=${v} must be at most min(nSamples, nFeatures) = ${bound}`);
  return v;
}

/** scikit-learn 1.5's 'auto' rule. */
function autoSolver(n: number, d: number, request: number | 'mle'): Exclude<PCASolver, 'auto'> {
  if (d <= 1000 && n >= 10 * d) return 'covariance_eigh';
  if (Math.max(n, d) <= 500 || request === 'mle') return 'full';
  if (typeof request === 'number' && request >= 1 && request < 0.8 * Math.min(n, d)) return 'randomized';
  return 'full';
}

/** The number of components kept: the integer asked for, the first count whose cumulated ratio exceeds the fraction, or Minka's. */
function resolveComponents(request: number | 'mle', bound: number, ratio: Float64Array, variance: Float64Array, n: number): number {
  if (request === 'mle') return inferDimension(variance, n);
  if (request >= 1) return request;
  let cumulated = 0;
  for (let c = 0; c < ratio.length; c++) {
    cumulated += ratio[c];
    if (cumulated > request) return c + 1;
  }
  return Math.min(ratio.length, bound);
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

function fullSpectrum(centred: Float64Array, n: number, d: number): Spectrum {
  const r = svdRaw(centred, n, d, 'reduced', 'PCA');
  const k = r.s.length;
  const explainedVariance = r.s.map((s) => (s * s) / (n - 1));
  const components = r.vt.slice(0, k * d);
  flipSignsByComponents(components, k, d);
  return { singularValues: r.s, explainedVariance, components, totalVariance: sum(explainedVariance) };
}

function covarianceSpectrum(centred: Float64Array, n: number, d: number): Spectrum {
  const cov = product(centred, centred, d, d, n, true, false);
  for (let i = 0; i < cov.length; i++) cov[i] /= n - 1;
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov[j * d + i] = cov[i * d + j]; // exact symmetry
  const e = eigh({ data: cov, rows: d, cols: d });
  // Every eigenvalue is kept (as scikit-learn does): the noise variance averages all the discarded ones.
  const k = d;
  const explainedVariance = new Float64Array(k);
  const components = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const src = d - 1 - c; // eigh is ascending
    explainedVariance[c] = Math.max(e.values[src], 0);
    for (let j = 0; j < d; j++) components[c * d + j] = e.vectors.data[j * d + src];
  }
  flipSignsByComponents(components, k, d);
  const singularValues = explainedVariance.map((v) => Math.sqrt(v * (n - 1)));
  return { singularValues, explainedVariance, components, totalVariance: sum(explainedVariance) };
}

function randomizedSpectrum(x: Float64Array, mean: Float64Array, n: number, d: number, k: number, p: PCAParams, rng: Generator): Spectrum {
  const nIter = p.iteratedPower === 'auto' ? autoPowerIterations(k, n, d) : p.iteratedPower;
  const normalize = p.powerIterationNormalizer === 'QR' || (p.powerIterationNormalizer === 'auto' && nIter > 2);
  const opts = { nOversamples: p.nOversamples, nIter, rng, normalize };
  let r: TruncatedSVDResult;
  let sumOfSquares: number;
  if (powerIterationsInFloat32(n, d, k, opts)) {
    // Large data: only the float32 centred copy the power iterations use is made; the final
    // float64 products take X itself, centred implicitly (the mean as the SVD's row shift).
    const { single, sumOfSquares: centredSumOfSquares } = centreInFloat32(x, n, d, mean);
    sumOfSquares = centredSumOfSquares;
    r = shiftIsAccurate(mean, n, sumOfSquares)
      ? randomizedSVD(x, n, d, k, { ...opts, single, shift: mean })
      : randomizedSVD(shiftRows(x, n, d, mean), n, d, k, { ...opts, single });
  } else {
    const centred = shiftRows(x, n, d, mean);
    sumOfSquares = sumOfSquaresOf(centred);
    r = randomizedSVD(centred, n, d, k, opts);
  }
  flipSignsByComponents(r.vt, k, d);
  const explainedVariance = r.s.map((s) => (s * s) / (n - 1));
  return { singularValues: r.s, explainedVariance, components: r.vt, totalVariance: sumOfSquares / (n - 1) };
}

/**
 * Whether the final products may take X uncentred with the mean as a
 * rank-one correction: that loses digits in proportion to ‖X‖/‖X − 1·μᵀ‖,
 * so it is used only while the mean does not dwarf the spread (at most
 * two digits lost); otherwise the centred float64 copy is made.
 */
function shiftIsAccurate(mean: Float64Array, n: number, centredSumOfSquares: number): boolean {
  return n * sumOfSquaresOf(mean) <= 1e4 * centredSumOfSquares;
}

function sumOfSquaresOf(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}
